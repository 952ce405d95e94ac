//! Plain-English names for the trace's things: boundaries, kinds of key, what happened.
//! Pure, shared by the diagram, its text alternative and the inspector.

use kmsplay_core::diagram::{GrantState, KeyState, Node, NodeState};
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

/// A principal's name without its account: `arn:aws:iam::111122223333:role/MailReader`
/// → `role/MailReader`; a service principal or a service's name stays as it is.
pub fn short_principal(principal: &str) -> String {
    if principal.starts_with("arn:") {
        principal.rsplit(':').next().unwrap_or(principal).to_owned()
    } else {
        principal.to_owned()
    }
}

/// A boundary's title.
pub fn region_title(location: &Location) -> String {
    match location {
        Location::CallerMemory { principal } => {
            format!("Owner's code: {}", short_principal(principal))
        }
        Location::MailboxStore { mailbox } => format!("Mailbox store {mailbox}"),
        other => other.label(),
    }
}

/// A boundary's heading in the diagram: its kind, and which one (a cache's client, a
/// mailbox, a bucket, a caller) for the caption.
pub fn region_heading(location: &Location) -> (String, Option<String>) {
    match location {
        Location::Kms => ("Inside AWS KMS".to_owned(), None),
        Location::ServiceMemory { service } => (format!("{service} memory"), None),
        Location::Cache { client } => ("Mailbox-key cache".to_owned(), Some(client.clone())),
        Location::MailboxStore { mailbox } => ("Mailbox store".to_owned(), Some(mailbox.clone())),
        Location::S3 { bucket } => ("S3 bucket".to_owned(), Some(bucket.clone())),
        Location::CallerMemory { principal } => {
            ("Owner's code".to_owned(), Some(short_principal(principal)))
        }
    }
}

/// What a boundary means for the keys in it, in a few words (a cache's lifetime is the
/// engine's).
pub fn region_caption(location: &Location) -> String {
    match location {
        Location::Kms => "key material never leaves".to_owned(),
        Location::ServiceMemory { .. } => "plaintext only while needed".to_owned(),
        Location::Cache { .. } => format!(
            "plaintext, at most {} s",
            kmsplay_core::workmail::CACHE_TTL_MS / 1000
        ),
        Location::MailboxStore { .. } => "on disk, only ciphertext".to_owned(),
        Location::S3 { .. } => "at rest, only ciphertext".to_owned(),
        Location::CallerMemory { .. } => "its own memory".to_owned(),
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

/// Whether a grant is in force, in a word.
pub fn grant_state_word(state: GrantState) -> &'static str {
    match state {
        GrantState::Active => "in force",
        GrantState::Revoked => "revoked",
        GrantState::Retired => "retired",
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
    // A KMS key's material never leaves KMS: its boundary's caption says so.
    if node.kind != ArtifactKind::KmsKey && node.length > 0 {
        parts.push(format!("{} B", node.length));
    }
    // An erased node is drawn struck through and fading; its sentence says "erased".
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
    match node.key_state {
        Some(KeyState::Disabled) => s.push_str(", disabled"),
        Some(KeyState::PendingDeletion) => s.push_str(", pending deletion"),
        Some(KeyState::Enabled) | None => {}
    }
    if let Some(t) = node.tampered {
        s.push_str(&format!(", one bit flipped at step {}", t.step + 1));
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

/// The first sentence of a description: the one-line summary in the scenario picker.
pub fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    let mut search = 0;
    while let Some(found) = text[search..].find(". ") {
        let end = search + found + 1;
        // Not after a one-letter abbreviation such as "e.g." or an initial.
        let before = &text[..end - 1];
        let word = before.rsplit([' ', '(']).next().unwrap_or("");
        if word.len() > 1 && !word.contains('.') {
            return &text[..end];
        }
        search = end;
    }
    text
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
    fn first_sentences() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("  Only one  "), "Only one");
        assert_eq!(first_sentence("Use e.g. this. Then."), "Use e.g. this.");
        assert_eq!(first_sentence(""), "");
        assert_eq!(short_principal("arn:aws:iam::1:role/R"), "role/R");
        assert_eq!(short_principal("ses.amazonaws.com"), "ses.amazonaws.com");
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
