//! How binary and secret values travel in AWS JSON 1.1 requests and responses.
//!
//! The AWS JSON 1.1 protocol carries `blob` members (`Plaintext`, `CiphertextBlob`, ...) as
//! base64 strings (AWS KMS API reference, *Common Parameters* / Smithy `awsJson1_1`
//! protocol, "blob values are base64 encoded"). [`Bytes`] is a public blob; [`Secret`] is a
//! blob that holds key material or plaintext: it is zeroized on drop and its `Debug` never
//! prints the bytes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

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
/// JSON only where AWS itself returns them (the `Plaintext` of a response).
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
        s.serialize_str(&b64(&self.0))
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
    fn secrets_never_debug_print() {
        let s = Secret::new(vec![0xAB; 32]);
        let d = format!("{s:?}");
        assert!(!d.contains("ab") && !d.contains("AB") && d.contains("32 bytes redacted"));
    }
}
