//! Plain-English names for the trace's things: boundaries, kinds of key, what happened.
//! Pure, shared by the diagram, its text alternative and the inspector.

use kmsplay_core::diagram::{Node, NodeState};
use kmsplay_core::trace::{ArtifactKind, Location, MaterialAction};

/// The CSS class of a boundary's kind (its colour).
pub fn region_class(location: &Location) -> &'static str {
    match location {
        Location::Kms => "kms",
        Location::ServiceMemory { .. } => "memory",
        Location::Cache { .. } => "cache",
        Location::MailboxStore { .. } => "store",
        Location::S3 { .. } => "s3",
        Location::CallerMemory { .. } => "caller",
    }
}

/// A boundary's title.
pub fn region_title(location: &Location) -> String {
    match location {
        Location::CallerMemory { principal } => {
            // `arn:aws:iam::111122223333:role/MailReader` → `role/MailReader`.
            let short = principal.rsplit(':').next().unwrap_or(principal);
            format!("Owner's code: {short}")
        }
        Location::MailboxStore { mailbox } => format!("Mailbox store {mailbox}"),
        other => other.label(),
    }
}

/// What a boundary means for the keys in it, in a few words.
pub fn region_caption(location: &Location) -> &'static str {
    match location {
        Location::Kms => "key material never leaves",
        Location::ServiceMemory { .. } => "plaintext only while needed",
        Location::Cache { .. } => "plaintext, at most 60 seconds",
        Location::MailboxStore { .. } => "on disk: only ciphertext",
        Location::S3 { .. } => "at rest: only ciphertext",
        Location::CallerMemory { .. } => "the mailbox owner's own code",
    }
}

/// A kind's name.
pub fn kind_name(kind: ArtifactKind) -> &'static str {
    match kind {
        ArtifactKind::KmsKey => "KMS key",
        ArtifactKind::MailboxKey => "mailbox key (plaintext)",
        ArtifactKind::MessageKey => "message key (plaintext)",
        ArtifactKind::DataKey => "data key (plaintext)",
        ArtifactKind::PrivateKey => "RSA private key (plaintext)",
        ArtifactKind::PublicKey => "RSA public key",
        ArtifactKind::WrappedKey => "encrypted key",
        ArtifactKind::Message => "message (plaintext)",
        ArtifactKind::EncryptedMessage => "encrypted message",
        ArtifactKind::Plaintext => "plaintext",
        ArtifactKind::Ciphertext => "ciphertext",
    }
}

/// The CSS class of a kind (its shape).
pub fn kind_class(kind: ArtifactKind) -> &'static str {
    match kind {
        ArtifactKind::KmsKey => "kms-key",
        ArtifactKind::MailboxKey
        | ArtifactKind::MessageKey
        | ArtifactKind::DataKey
        | ArtifactKind::PrivateKey => "plain-key",
        ArtifactKind::PublicKey => "public-key",
        ArtifactKind::WrappedKey | ArtifactKind::Ciphertext => "wrapped",
        ArtifactKind::Message | ArtifactKind::Plaintext => "message",
        ArtifactKind::EncryptedMessage => "encrypted-message",
    }
}

/// The letters inside a plaintext key's circle.
pub fn key_letters(kind: ArtifactKind) -> &'static str {
    match kind {
        ArtifactKind::MailboxKey => "MB",
        ArtifactKind::MessageKey => "MK",
        ArtifactKind::DataKey => "DK",
        ArtifactKind::PrivateKey => "PK",
        ArtifactKind::PublicKey => "pub",
        _ => "",
    }
}

/// What happened, as a past participle.
pub fn action_word(action: MaterialAction) -> &'static str {
    match action {
        MaterialAction::Generated => "generated",
        MaterialAction::Wrapped => "encrypted",
        MaterialAction::Unwrapped => "decrypted",
        MaterialAction::Stored => "stored",
        MaterialAction::Read => "read",
        MaterialAction::Cached => "cached",
        MaterialAction::CacheHit => "found in the cache",
        MaterialAction::Erased => "erased",
        MaterialAction::Deleted => "deleted",
        MaterialAction::Used => "used",
    }
}

/// `n bytes`, `1 byte`.
pub fn bytes(n: usize) -> String {
    if n == 1 {
        "1 byte".to_owned()
    } else {
        format!("{n} bytes")
    }
}

/// The node's detail line: qualifier, length and state, as short as it can be.
pub fn node_detail(node: &Node, qualifier: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(q) = qualifier {
        parts.push(q.to_owned());
    }
    if node.kind == ArtifactKind::KmsKey {
        parts.push("never leaves KMS".to_owned());
    } else if node.length > 0 {
        parts.push(format!("{} B", node.length));
    }
    if node.state == NodeState::Erased {
        parts.push(action_word(node.last_action).to_owned());
    }
    parts.join(" · ")
}

/// A sentence describing a node, for its accessible name and the text alternative.
pub fn node_sentence(node: &Node) -> String {
    let mut s = format!("{}, {}", node.label, kind_name(node.kind));
    if node.kind != ArtifactKind::KmsKey && node.length > 0 {
        s.push_str(&format!(", {}", bytes(node.length)));
    }
    if node.transient {
        s.push_str(", exists only for a moment");
    }
    match node.state {
        NodeState::Changed => {
            s.push_str(&format!(", {} in this step", action_word(node.last_action)))
        }
        NodeState::Erased => {
            s.push_str(&format!(", {} in this step", action_word(node.last_action)))
        }
        NodeState::Present => {}
    }
    s
}

/// Hex in groups of 4 bytes, 16 bytes a line.
pub fn hex_lines(hex: &str) -> String {
    let chars: Vec<char> = hex.chars().collect();
    chars
        .chunks(32)
        .map(|line| {
            line.chunks(8)
                .map(|g| g.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `2026-01-01T00:01:02Z` → `00:01:02`.
pub fn clock(time: &str) -> &str {
    time.split_once('T')
        .map(|(_, t)| t.trim_end_matches('Z'))
        .map(|t| t.split('.').next().unwrap_or(t))
        .unwrap_or(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            region_title(&Location::CallerMemory {
                principal: "arn:aws:iam::111122223333:role/MailReader".into()
            }),
            "Owner's code: role/MailReader"
        );
        assert_eq!(region_title(&Location::Kms), "Inside AWS KMS");
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(bytes(32), "32 bytes");
        assert_eq!(clock("2026-01-01T00:01:02Z"), "00:01:02");
        assert_eq!(clock("x"), "x");
    }

    #[test]
    fn hex_is_grouped() {
        let hex = "00".repeat(20);
        assert_eq!(
            hex_lines(&hex),
            "00000000 00000000 00000000 00000000\n00000000"
        );
        assert_eq!(hex_lines(""), "");
    }
}
