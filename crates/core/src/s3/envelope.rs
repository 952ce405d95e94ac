//! The Amazon S3 encryption client's envelope: how an encrypted object describes its key.
//!
//! SES writes every encrypted mail in this format and the bucket owner's S3 encryption
//! client reads it (SES developer guide, *Deliver to S3 bucket action*; the S3 encryption
//! client's metadata format, "V2" with KMS wrapping). The body is `AES/GCM/NoPadding`
//! ciphertext with the 128-bit tag appended; the object's user metadata holds:
//!
//! | metadata | value |
//! | --- | --- |
//! | `x-amz-key-v2` | the KMS ciphertext blob of the data key, base64 |
//! | `x-amz-iv` | the 12-byte GCM IV, base64 |
//! | `x-amz-cek-alg` | `AES/GCM/NoPadding` |
//! | `x-amz-wrap-alg` | `kms` (legacy, what SES writes) or `kms+context` |
//! | `x-amz-tag-len` | `128` |
//! | `x-amz-unencrypted-content-length` | the plaintext length |
//! | `x-amz-matdesc` | the material description, a JSON map of strings |
//!
//! With `kms`, the whole material description is the encryption context given to KMS (on
//! GenerateDataKey and again on Decrypt); with `kms+context` the client adds the reserved
//! pair `"aws:x-amz-cek-alg": "AES/GCM/NoPadding"` to it. This module is the one place the
//! format is written ([`Envelope::to_metadata`]) and read ([`Envelope::from_metadata`]).

use crate::context::EncryptionContext;
use crate::crypto::NONCE_LEN;
use crate::wire::{b64, unb64};
use std::collections::BTreeMap;

/// Content encryption algorithm of the envelope.
pub const CEK_ALG: &str = "AES/GCM/NoPadding";
/// The reserved encryption-context key the `kms+context` wrapping adds.
pub const CEK_ALG_CONTEXT_KEY: &str = "aws:x-amz-cek-alg";

/// How the data key is wrapped: always by KMS, with or without the reserved context pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyWrap {
    /// `kms`: the material description is the encryption context (SES writes this).
    Kms,
    /// `kms+context`: the material description plus `aws:x-amz-cek-alg`.
    KmsContext,
}

impl KeyWrap {
    /// The `x-amz-wrap-alg` value.
    pub fn name(self) -> &'static str {
        match self {
            KeyWrap::Kms => "kms",
            KeyWrap::KmsContext => "kms+context",
        }
    }
}

/// An object's envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `x-amz-key-v2`: the data key, encrypted by KMS.
    pub encrypted_key: Vec<u8>,
    /// `x-amz-iv`.
    pub iv: [u8; NONCE_LEN],
    /// `x-amz-matdesc`.
    pub material_description: EncryptionContext,
    /// `x-amz-wrap-alg`.
    pub wrap: KeyWrap,
    /// `x-amz-unencrypted-content-length`.
    pub unencrypted_length: usize,
}

impl Envelope {
    /// The encryption context KMS sees for this object's data key.
    pub fn encryption_context(&self) -> EncryptionContext {
        let mut ctx = self.material_description.clone();
        if self.wrap == KeyWrap::KmsContext {
            ctx.insert(CEK_ALG_CONTEXT_KEY, CEK_ALG);
        }
        ctx
    }

    /// The user metadata that carries the envelope.
    pub fn to_metadata(&self) -> BTreeMap<String, String> {
        [
            ("x-amz-key-v2", b64(&self.encrypted_key)),
            ("x-amz-iv", b64(&self.iv)),
            ("x-amz-cek-alg", CEK_ALG.to_owned()),
            ("x-amz-wrap-alg", self.wrap.name().to_owned()),
            ("x-amz-tag-len", "128".to_owned()),
            (
                "x-amz-unencrypted-content-length",
                self.unencrypted_length.to_string(),
            ),
            (
                "x-amz-matdesc",
                serde_json::to_string(&self.material_description).unwrap_or_default(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// Reads the envelope from an object's user metadata; the error says what is missing
    /// or malformed.
    pub fn from_metadata(meta: &BTreeMap<String, String>) -> Result<Envelope, String> {
        if meta.get("x-amz-cek-alg").map(String::as_str) != Some(CEK_ALG) {
            return Err(format!("x-amz-cek-alg must be {CEK_ALG}"));
        }
        if meta.get("x-amz-tag-len").map(String::as_str) != Some("128") {
            return Err("x-amz-tag-len must be 128".to_owned());
        }
        let matdesc = meta.get("x-amz-matdesc").ok_or(
            "the object has no x-amz-matdesc metadata, so it is not an S3 encryption client object",
        )?;
        let material_description: EncryptionContext = serde_json::from_str(matdesc)
            .map_err(|e| format!("x-amz-matdesc is not a JSON map of strings: {e}"))?;
        let wrap = match meta.get("x-amz-wrap-alg").map(String::as_str) {
            Some("kms") => KeyWrap::Kms,
            Some("kms+context") => KeyWrap::KmsContext,
            Some(other) => {
                return Err(format!(
                    "x-amz-wrap-alg {other} is not a KMS wrapping (kms or kms+context)"
                ))
            }
            None => return Err("the object has no x-amz-wrap-alg metadata".to_owned()),
        };
        let encrypted_key = unb64(
            meta.get("x-amz-key-v2")
                .ok_or("the object has no x-amz-key-v2 metadata")?,
        )?;
        let iv: [u8; NONCE_LEN] = unb64(
            meta.get("x-amz-iv")
                .ok_or("the object has no x-amz-iv metadata")?,
        )?
        .try_into()
        .map_err(|_| "x-amz-iv must be 12 bytes")?;
        let unencrypted_length = meta
            .get("x-amz-unencrypted-content-length")
            .and_then(|n| n.parse().ok())
            .unwrap_or_default();
        Ok(Envelope {
            encrypted_key,
            iv,
            material_description,
            wrap,
            unencrypted_length,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(wrap: KeyWrap) -> Envelope {
        Envelope {
            encrypted_key: vec![1, 2, 3],
            iv: [7; NONCE_LEN],
            material_description: EncryptionContext::from_pairs([
                ("aws:ses:rule-name", "inbound"),
                ("kms_cmk_id", "arn:aws:kms:us-east-1:111122223333:key/k"),
            ]),
            wrap,
            unencrypted_length: 42,
        }
    }

    #[test]
    fn what_the_writer_writes_the_reader_reads() {
        for wrap in [KeyWrap::Kms, KeyWrap::KmsContext] {
            let e = sample(wrap);
            assert_eq!(Envelope::from_metadata(&e.to_metadata()), Ok(e));
        }
    }

    #[test]
    fn kms_context_adds_the_reserved_pair() {
        assert_eq!(
            sample(KeyWrap::Kms)
                .encryption_context()
                .get(CEK_ALG_CONTEXT_KEY),
            None
        );
        assert_eq!(
            sample(KeyWrap::KmsContext)
                .encryption_context()
                .get(CEK_ALG_CONTEXT_KEY),
            Some(CEK_ALG)
        );
    }

    #[test]
    fn malformed_metadata_says_what_is_wrong() {
        let mut m = sample(KeyWrap::Kms).to_metadata();
        m.insert("x-amz-wrap-alg".into(), "AES/GCM".into());
        assert!(Envelope::from_metadata(&m)
            .unwrap_err()
            .contains("not a KMS wrapping"));
        m.remove("x-amz-wrap-alg");
        assert!(Envelope::from_metadata(&m)
            .unwrap_err()
            .contains("no x-amz-wrap-alg"));
        let mut m = sample(KeyWrap::Kms).to_metadata();
        m.insert("x-amz-iv".into(), b64(&[1, 2, 3]));
        assert!(Envelope::from_metadata(&m)
            .unwrap_err()
            .contains("12 bytes"));
        let mut m = sample(KeyWrap::Kms).to_metadata();
        m.insert("x-amz-tag-len".into(), "96".into());
        assert!(Envelope::from_metadata(&m).unwrap_err().contains("128"));
    }
}
