//! KMS errors, named and worded as AWS KMS names and words them, with the playground's
//! explanation beside them.
//!
//! The names are the exception shapes of the service model (each operation's *Errors* in
//! the API reference). On the wire (AWS JSON 1.1) an error is
//! `{"__type": NAME, "message": ...}`; AWS sends some with no message at all
//! (`InvalidCiphertextException`, `KMSInvalidSignatureException`, `KMSInvalidMacException`),
//! and so does the simulation. The messages are AWS's, as recorded from real AWS responses
//! (LocalStack's snapshot tests, local-kms) and the API reference. What AWS cannot say —
//! why, from what the simulation knows, and what to do — is the `help`, shown in the trace,
//! the decision and the page, never on the wire.

use serde::{Serialize, Serializer};

macro_rules! error_codes {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {
        /// The AWS KMS exception type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum ErrorCode {
            $($(#[$m])* $name),*
        }

        impl ErrorCode {
            /// Every exception type.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name),*];

            /// The AWS name, e.g. `"NotFoundException"`.
            pub fn name(self) -> &'static str {
                match self { $(ErrorCode::$name => stringify!($name)),* }
            }

            /// The exception type called `name`.
            pub fn from_name(name: &str) -> Option<ErrorCode> {
                match name { $(stringify!($name) => Some(ErrorCode::$name),)* _ => None }
            }
        }
    };
}

error_codes! {
    AccessDeniedException,
    AlreadyExistsException,
    CloudHsmClusterNotFoundException,
    ConflictException,
    CustomKeyStoreNotFoundException,
    DependencyTimeoutException,
    DisabledException,
    DryRunOperationException,
    ExpiredImportTokenException,
    IncorrectKeyException,
    IncorrectKeyMaterialException,
    InvalidAliasNameException,
    InvalidArnException,
    InvalidCiphertextException,
    InvalidGrantIdException,
    InvalidGrantTokenException,
    InvalidImportTokenException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    KMSInternalException,
    KMSInvalidMacException,
    KMSInvalidSignatureException,
    KMSInvalidStateException,
    KeyUnavailableException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    NotFoundException,
    /// What KMS answers, with no message, to a request for a reserved `alias/aws/` name.
    NotAuthorizedException,
    TagException,
    UnsupportedOperationException,
    ValidationException,
    XksProxyUriUnreachableException,
    /// The request body is not the operation's shape (AWS JSON 1.1 `SerializationException`).
    SerializationException,
    /// The operation is not a KMS operation (AWS: `UnknownOperationException`).
    UnknownOperationException,
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

/// A failed KMS call: the AWS error type, AWS's message, and the playground's help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KmsError {
    /// The AWS exception type.
    #[serde(rename = "__type")]
    pub code: ErrorCode,
    /// The message AWS sends, word for word; `None` where AWS sends none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why, from what the simulation knows, and what to do (never sent on the wire).
    #[serde(skip)]
    pub help: Option<String>,
}

impl std::fmt::Display for KmsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if let Some(h) = &self.help {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for KmsError {}

impl KmsError {
    /// An error of type `code` with AWS's `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        KmsError {
            code,
            message: Some(message.into()),
            help: None,
        }
    }

    /// An error AWS sends with no message.
    pub fn bare(code: ErrorCode) -> Self {
        KmsError {
            code,
            message: None,
            help: None,
        }
    }

    /// With the playground's explanation.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// AWS's message, or `""` where AWS sends none.
    pub fn aws_message(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }

    /// What a person reads: AWS's message, then the playground's help.
    pub fn explained(&self) -> String {
        match (&self.message, &self.help) {
            (Some(m), Some(h)) if !m.is_empty() => format!("{m} {h}"),
            (Some(m), None) => m.clone(),
            (_, Some(h)) => h.clone(),
            (None, None) => String::new(),
        }
    }

    /// AWS's form for one constraint violation that does not echo the value:
    /// `1 validation error detected: Value at 'field' failed to satisfy constraint: ...`.
    pub fn validation(field: &str, constraint: &str) -> Self {
        Self::new(
            ErrorCode::ValidationException,
            format!("1 validation error detected: Value at '{field}' failed to satisfy constraint: {constraint}"),
        )
    }

    /// AWS's form for one constraint violation, echoing the value.
    pub fn validation_value(value: &str, field: &str, constraint: &str) -> Self {
        Self::new(
            ErrorCode::ValidationException,
            format!("1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"),
        )
    }

    /// The key `arn` does not exist: `Key '<arn>' does not exist`.
    pub fn key_not_found(arn: &str) -> Self {
        Self::new(
            ErrorCode::NotFoundException,
            format!("Key '{arn}' does not exist"),
        )
        .help("ListKeys and ListAliases show the keys and aliases of this account and Region.")
    }
}

/// Results of KMS operations.
pub type Result<T> = std::result::Result<T, KmsError>;
