//! SES's errors, named as the Amazon SES API names them.

use crate::kms::KmsError;
use crate::record::ServiceError;
use crate::s3::S3Error;

/// A failed SES call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SesError {
    /// A parameter is missing or malformed (`InvalidParameterValue`).
    #[error("{0}")]
    InvalidParameterValue(String),
    /// `AlreadyExistsException`.
    #[error("{0}")]
    AlreadyExists(String),
    /// `RuleSetDoesNotExistException`.
    #[error("{0}")]
    RuleSetDoesNotExist(String),
    /// `RuleDoesNotExistException`.
    #[error("{0}")]
    RuleDoesNotExist(String),
    /// The rule's bucket cannot be written (`InvalidS3ConfigurationException`).
    #[error("{0}")]
    InvalidS3Configuration(String),
    /// No rule set is active, so SES rejects mail (`NoActiveRuleSet`).
    #[error("{0}")]
    NoActiveRuleSet(String),
    /// No rule matches the recipient (`NoMatchingRule`).
    #[error("{0}")]
    NoMatchingRule(String),
    /// SES could not do its part (`InternalFailure`).
    #[error("{0}")]
    InternalFailure(String),
    /// SES's GenerateDataKey was refused; the KMS error's name is passed on.
    #[error("The S3 action of rule {rule} failed, so the mail was not stored: SES's GenerateDataKey was refused: {}", .error.explained())]
    Kms {
        /// The rule whose action failed.
        rule: String,
        /// What KMS said.
        error: KmsError,
    },
    /// Writing the mail to S3 failed.
    #[error(transparent)]
    S3(#[from] S3Error),
}

impl ServiceError for SesError {
    fn name(&self) -> &str {
        match self {
            SesError::InvalidParameterValue(_) => "InvalidParameterValue",
            SesError::AlreadyExists(_) => "AlreadyExistsException",
            SesError::RuleSetDoesNotExist(_) => "RuleSetDoesNotExistException",
            SesError::RuleDoesNotExist(_) => "RuleDoesNotExistException",
            SesError::InvalidS3Configuration(_) => "InvalidS3ConfigurationException",
            SesError::NoActiveRuleSet(_) => "NoActiveRuleSet",
            SesError::NoMatchingRule(_) => "NoMatchingRule",
            SesError::InternalFailure(_) => "InternalFailure",
            SesError::Kms { error, .. } => error.code.name(),
            SesError::S3(e) => e.name(),
        }
    }
}
