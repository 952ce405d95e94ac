//! WorkMail's errors, named as the Amazon WorkMail API names them.

use crate::kms::KmsError;
use crate::record::ServiceError;

/// A failed WorkMail call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkMailError {
    /// A parameter is missing or malformed (`InvalidParameterException`).
    #[error("{0}")]
    InvalidParameter(String),
    /// The alias or user name is taken (`NameAvailabilityException`).
    #[error("{0}")]
    NameAvailability(String),
    /// No such organization (`OrganizationNotFoundException`).
    #[error("{0}")]
    OrganizationNotFound(String),
    /// No such user, mailbox or message (`EntityNotFoundException`).
    #[error("{0}")]
    EntityNotFound(String),
    /// The user is in the wrong state, e.g. already has a mailbox (`EntityStateException`).
    #[error("{0}")]
    EntityState(String),
    /// The address belongs to another mailbox (`EmailAddressInUseException`).
    #[error("{0}")]
    EmailAddressInUse(String),
    /// WorkMail could not do its part (`InternalServerException`): stored data that no
    /// longer decrypts, a key it could not make.
    #[error("{0}")]
    InternalServer(String),
    /// A KMS call WorkMail made failed; the KMS error's name is passed on.
    #[error("WorkMail could not {what}: KMS returned {}: {}", .error.code, .error.explained())]
    Kms {
        /// What WorkMail was doing.
        what: String,
        /// What KMS said.
        error: KmsError,
    },
}

impl ServiceError for WorkMailError {
    fn name(&self) -> &str {
        match self {
            WorkMailError::InvalidParameter(_) => "InvalidParameterException",
            WorkMailError::NameAvailability(_) => "NameAvailabilityException",
            WorkMailError::OrganizationNotFound(_) => "OrganizationNotFoundException",
            WorkMailError::EntityNotFound(_) => "EntityNotFoundException",
            WorkMailError::EntityState(_) => "EntityStateException",
            WorkMailError::EmailAddressInUse(_) => "EmailAddressInUseException",
            WorkMailError::InternalServer(_) => "InternalServerException",
            WorkMailError::Kms { error, .. } => error.code.name(),
        }
    }
}
