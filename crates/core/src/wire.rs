//! How binary and secret values travel in AWS JSON 1.1 requests and responses.
//!
//! The AWS JSON 1.1 protocol carries `blob` members (`Plaintext`, `CiphertextBlob`, ...) as
//! base64 strings (AWS KMS API reference, *Common Parameters* / Smithy `awsJson1_1`
//! protocol, "blob values are base64 encoded"). [`Bytes`] is a public blob; [`Secret`] is a
//! blob that holds key material or plaintext: it is zeroized on drop, its `Debug` never
//! prints the bytes, and it serializes in clear only where an edge asks for it
//! ([`with_secret_view`]): everywhere else (the trace, CloudTrail, logs) a [`Secret`]
//! serializes as a marker saying how many bytes it held, so key material never lands in a
//! `serde_json::Value` or a string that would outlive it unzeroized.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Digest;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use zeroize::Zeroizing;

/// How [`Secret`] values serialize on this thread.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SecretView {
    /// As a marker with their length (the default: for the trace, CloudTrail and logs).
    #[default]
    Redact,
    /// In clear, base64 (a response to the client that asked for it).
    Reveal,
    /// In clear only when their SHA-256 is in the set (plaintexts the user supplied, which
    /// are the user's own data); key material as a marker.
    RevealOnly(Rc<BTreeSet<[u8; 32]>>),
}

thread_local! {
    static SECRET_VIEW: RefCell<SecretView> = const { RefCell::new(SecretView::Redact) };
}

/// Restores the previous view when dropped (also when `f` unwinds).
struct ViewGuard(Option<SecretView>);

impl Drop for ViewGuard {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            SECRET_VIEW.with(|v| *v.borrow_mut() = previous);
        }
    }
}

/// Runs `f` (typically a serialization) with [`Secret`]s shown as `view` says.
pub fn with_secret_view<R>(view: SecretView, f: impl FnOnce() -> R) -> R {
    let previous = SECRET_VIEW.with(|v| std::mem::replace(&mut *v.borrow_mut(), view));
    let _guard = ViewGuard(Some(previous));
    f()
}

/// The SHA-256 of `bytes`, as [`SecretView::RevealOnly`] compares them.
pub fn secret_digest(bytes: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(bytes).into()
}

/// The text a redacted secret of `len` bytes serializes as.
pub fn redaction_marker(len: usize) -> String {
    format!(
        "(secret: {len} bytes of plaintext key material; shown to the caller only, never recorded)"
    )
}

/// Encodes bytes as standard base64 (with padding), as AWS JSON does.
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard base64; the error says what was wrong.
pub fn unb64(text: &str) -> Result<Vec<u8>, String> {
    STANDARD
        .decode(text.trim())
        .map_err(|e| format!("not valid base64 ({e}); binary fields are base64 strings, e.g. \"aGVsbG8=\" for \"hello\""))
}

/// The bytes of base64 field `field` of a JSON object (a response's `CiphertextBlob`,
/// `Plaintext`, ...); empty when it is absent or not base64.
pub fn field_bytes(v: &serde_json::Value, field: &str) -> Vec<u8> {
    v.get(field)
        .and_then(serde_json::Value::as_str)
        .and_then(|s| unb64(s).ok())
        .unwrap_or_default()
}

/// A public binary value (ciphertext, id bytes), base64 in JSON.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({})", b64(&self.0))
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&b64(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        unb64(&text).map(Bytes).map_err(serde::de::Error::custom)
    }
}

/// Secret bytes (plaintext, data keys): zeroized on drop, redacted in `Debug`, base64 in
/// JSON only under [`SecretView::Reveal`] (or, for the user's own plaintexts,
/// [`SecretView::RevealOnly`]).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(pub Zeroizing<Vec<u8>>);

impl Secret {
    /// Wraps bytes as a secret.
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(Zeroizing::new(bytes))
    }
    /// The bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret(<{} bytes redacted>)", self.0.len())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let reveal = SECRET_VIEW.with(|v| match &*v.borrow() {
            SecretView::Reveal => true,
            SecretView::Redact => false,
            SecretView::RevealOnly(user) => user.contains(&secret_digest(&self.0)),
        });
        if reveal {
            s.serialize_str(&Zeroizing::new(b64(&self.0)))
        } else {
            s.serialize_str(&redaction_marker(self.0.len()))
        }
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        unb64(&text)
            .map(Secret::new)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_base64_in_json() {
        let b = Bytes(b"hello world".to_vec());
        assert_eq!(serde_json::to_string(&b).unwrap(), "\"aGVsbG8gd29ybGQ=\"");
        let back: Bytes = serde_json::from_str("\"aGVsbG8gd29ybGQ=\"").unwrap();
        assert_eq!(back, b);
        let err = serde_json::from_str::<Bytes>("\"not base64!\"").unwrap_err();
        assert!(err.to_string().contains("not valid base64"), "{err}");
    }

    #[test]
    fn secrets_serialize_in_clear_only_where_an_edge_asks() {
        let s = Secret::new(b"key material".to_vec());
        let redacted = serde_json::to_string(&s).unwrap();
        assert!(
            redacted.contains("12 bytes of plaintext key material"),
            "{redacted}"
        );
        let shown = with_secret_view(SecretView::Reveal, || serde_json::to_string(&s).unwrap());
        assert_eq!(shown, format!("\"{}\"", b64(b"key material")));
        let user = Rc::new(BTreeSet::from([secret_digest(b"user data")]));
        let view = SecretView::RevealOnly(user);
        let (mine, theirs) = with_secret_view(view, || {
            (
                serde_json::to_string(&Secret::new(b"user data".to_vec())).unwrap(),
                serde_json::to_string(&s).unwrap(),
            )
        });
        assert_eq!(mine, format!("\"{}\"", b64(b"user data")));
        assert!(theirs.contains("bytes of plaintext key material"));
        // The view is restored afterwards.
        assert!(serde_json::to_string(&s)
            .unwrap()
            .contains("never recorded"));
    }

    #[test]
    fn secrets_never_debug_print() {
        let s = Secret::new(vec![0xAB; 32]);
        let d = format!("{s:?}");
        assert!(!d.contains("ab") && !d.contains("AB") && d.contains("32 bytes redacted"));
    }
}
