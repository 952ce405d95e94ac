//! KMS errors, named and worded as AWS KMS names them.
//!
//! The names are the exception types of the AWS KMS API reference (each operation's
//! *Errors* section). On the wire (AWS JSON 1.1) an error is `{"__type": NAME, "message": ...}`.
//! The messages follow AWS's wording where AWS has one and always say what to do next.

use serde::{Serialize, Serializer};

/// The AWS KMS exception type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ErrorCode {
    AccessDeniedException,
    AlreadyExistsException,
    DependencyTimeoutException,
    DisabledException,
    DryRunOperationException,
    IncorrectKeyException,
    InvalidAliasNameException,
    InvalidArnException,
    InvalidCiphertextException,
    InvalidGrantIdException,
    InvalidGrantTokenException,
    InvalidKeyUsageException,
    KMSInvalidStateException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
    /// The request body is not the operation's shape (AWS JSON 1.1 `SerializationException`).
    SerializationException,
    /// The operation is not a KMS operation (AWS: `UnknownOperationException`).
    UnknownOperationException,
}

impl ErrorCode {
    /// The AWS name, e.g. `"NotFoundException"`.
    pub fn name(self) -> &'static str {
        use ErrorCode::*;
        match self {
            AccessDeniedException => "AccessDeniedException",
            AlreadyExistsException => "AlreadyExistsException",
            DependencyTimeoutException => "DependencyTimeoutException",
            DisabledException => "DisabledException",
            DryRunOperationException => "DryRunOperationException",
            IncorrectKeyException => "IncorrectKeyException",
            InvalidAliasNameException => "InvalidAliasNameException",
            InvalidArnException => "InvalidArnException",
            InvalidCiphertextException => "InvalidCiphertextException",
            InvalidGrantIdException => "InvalidGrantIdException",
            InvalidGrantTokenException => "InvalidGrantTokenException",
            InvalidKeyUsageException => "InvalidKeyUsageException",
            KMSInvalidStateException => "KMSInvalidStateException",
            LimitExceededException => "LimitExceededException",
            MalformedPolicyDocumentException => "MalformedPolicyDocumentException",
            NotFoundException => "NotFoundException",
            UnsupportedOperationException => "UnsupportedOperationException",
            ValidationException => "ValidationException",
            SerializationException => "SerializationException",
            UnknownOperationException => "UnknownOperationException",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A failed KMS call: the AWS error type and a message saying what was wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct KmsError {
    /// The AWS exception type.
    #[serde(rename = "__type")]
    pub code: ErrorCode,
    /// What went wrong, in AWS's style, and what to do about it.
    pub message: String,
}

impl KmsError {
    /// An error of type `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        KmsError {
            code,
            message: message.into(),
        }
    }

    /// AWS's form for constraint violations: `1 validation error detected: Value ... at
    /// 'field' failed to satisfy constraint: ...`.
    pub fn validation(field: &str, constraint: &str) -> Self {
        Self::new(
            ErrorCode::ValidationException,
            format!("1 validation error detected: Value at '{field}' failed to satisfy constraint: {constraint}"),
        )
    }

    /// The key, given as `key_id`, does not exist.
    pub fn key_not_found(key_id: &str) -> Self {
        Self::new(
            ErrorCode::NotFoundException,
            format!("Key '{key_id}' does not exist. Check the key id, key ARN, alias name or alias ARN (ListKeys and ListAliases show what exists in this account and Region)."),
        )
    }
}

/// Results of KMS operations.
pub type Result<T> = std::result::Result<T, KmsError>;
