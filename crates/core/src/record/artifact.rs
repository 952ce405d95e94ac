//! Artifact ids: which key, ciphertext or message a trace event is about.
//!
//! Every piece of key material and data the world makes has one id for the whole trace,
//! so the diagram can follow it from where it is generated to where it is wrapped, stored
//! and erased. The id is typed here and written as text (`mailbox-key:alice@example.com`)
//! only where it leaves: in the trace's JSON and in the diagram's node ids.

use serde::{Serialize, Serializer};
use std::fmt;

/// One artifact of the trace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArtifactId {
    /// A KMS key, by key id (its material never leaves KMS).
    KmsKey(String),
    /// A WorkMail mailbox key (plaintext), by mailbox address.
    MailboxKey(String),
    /// A mailbox key encrypted by KMS, by mailbox address.
    EncryptedMailboxKey(String),
    /// A legacy mailbox's RSA private key (plaintext), by mailbox address.
    PrivateKey(String),
    /// A legacy mailbox's private key encrypted by KMS, by mailbox address.
    EncryptedPrivateKey(String),
    /// A legacy mailbox's RSA public key, by mailbox address.
    PublicKey(String),
    /// A WorkMail message (plaintext), by message id.
    Message(String),
    /// A WorkMail message key (plaintext), by message id.
    MessageKey(String),
    /// A WorkMail message encrypted under its message key, by message id.
    EncryptedMessage(String),
    /// A message key encrypted under the mailbox key (or public key), by message id.
    EncryptedMessageKey(String),
    /// An email SES received or the S3 encryption client decrypted, by SES message id or
    /// `bucket/key`.
    Email(String),
    /// A data key (plaintext), by what it encrypts (`bucket/key`) or its ciphertext's
    /// first bytes.
    DataKey(String),
    /// A data key encrypted by KMS.
    EncryptedDataKey(String),
    /// An S3 object, by `bucket/key`.
    Object(String),
    /// A ciphertext blob KMS returned to a direct caller, by its first bytes (hex).
    Ciphertext(String),
    /// A plaintext KMS returned to a direct caller, by its ciphertext's first bytes (hex).
    Plaintext(String),
}

impl ArtifactId {
    /// The KMS key of a key id or key ARN.
    pub fn kms_key(key_id_or_arn: &str) -> ArtifactId {
        ArtifactId::KmsKey(
            key_id_or_arn
                .rsplit('/')
                .next()
                .unwrap_or(key_id_or_arn)
                .to_owned(),
        )
    }

    /// The kind prefix of the text form.
    fn prefix(&self) -> &'static str {
        match self {
            ArtifactId::KmsKey(_) => "kms-key",
            ArtifactId::MailboxKey(_) => "mailbox-key",
            ArtifactId::EncryptedMailboxKey(_) => "mailbox-key-ct",
            ArtifactId::PrivateKey(_) => "private-key",
            ArtifactId::EncryptedPrivateKey(_) => "private-key-ct",
            ArtifactId::PublicKey(_) => "public-key",
            ArtifactId::Message(_) => "message",
            ArtifactId::MessageKey(_) => "message-key",
            ArtifactId::EncryptedMessage(_) => "message-ct",
            ArtifactId::EncryptedMessageKey(_) => "message-key-ct",
            ArtifactId::Email(_) => "email",
            ArtifactId::DataKey(_) => "data-key",
            ArtifactId::EncryptedDataKey(_) => "data-key-ct",
            ArtifactId::Object(_) => "object",
            ArtifactId::Ciphertext(_) => "ciphertext",
            ArtifactId::Plaintext(_) => "plaintext",
        }
    }

    /// What follows the prefix: the key id, address, message id or object path.
    pub fn subject(&self) -> &str {
        match self {
            ArtifactId::KmsKey(s)
            | ArtifactId::MailboxKey(s)
            | ArtifactId::EncryptedMailboxKey(s)
            | ArtifactId::PrivateKey(s)
            | ArtifactId::EncryptedPrivateKey(s)
            | ArtifactId::PublicKey(s)
            | ArtifactId::Message(s)
            | ArtifactId::MessageKey(s)
            | ArtifactId::EncryptedMessage(s)
            | ArtifactId::EncryptedMessageKey(s)
            | ArtifactId::Email(s)
            | ArtifactId::DataKey(s)
            | ArtifactId::EncryptedDataKey(s)
            | ArtifactId::Object(s)
            | ArtifactId::Ciphertext(s)
            | ArtifactId::Plaintext(s) => s,
        }
    }
}

impl fmt::Display for ArtifactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.prefix(), self.subject())
    }
}

impl Serialize for ArtifactId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_names_kind_and_subject() {
        assert_eq!(
            ArtifactId::EncryptedMailboxKey("alice@example.com".into()).to_string(),
            "mailbox-key-ct:alice@example.com"
        );
        assert_eq!(
            ArtifactId::kms_key("arn:aws:kms:us-east-1:111122223333:key/1234").to_string(),
            "kms-key:1234"
        );
        assert_eq!(
            serde_json::to_string(&ArtifactId::Object("b/k".into())).unwrap(),
            "\"object:b/k\""
        );
    }
}
