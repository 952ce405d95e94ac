//! Why a policy document was refused.

use serde::Serialize;

/// A policy document that could not be accepted. `path` names the offending part, e.g.
/// `Statement[1].Condition.StringEquals.kms:ViaService`; AWS KMS reports these as
/// `MalformedPolicyDocumentException`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{}{}{}", .path, if .path.is_empty() { "" } else { ": " }, .message)]
pub struct PolicyError {
    /// Where in the document: empty for the document as a whole.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

impl PolicyError {
    pub(crate) fn new(path: &str, message: impl Into<String>) -> PolicyError {
        PolicyError {
            path: path.to_string(),
            message: message.into(),
        }
    }
}
