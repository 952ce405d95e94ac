//! The ciphertext blob of a symmetric KMS key, in a documented format of the playground's own.
//!
//! AWS does not document its blob format, only what it carries: the blob identifies the
//! KMS key and the backing key version that sealed it, so Decrypt needs no `KeyId` and old
//! ciphertexts keep decrypting after rotation (AWS KMS developer guide, *Rotating KMS keys*:
//! "AWS KMS ... retains all previous versions of the key material ... to decrypt"). Ours:
//!
//! | offset | bytes | field                                              |
//! |--------|-------|----------------------------------------------------|
//! | 0      | 1     | format version, `0x01`                             |
//! | 1      | 16    | key id (the UUID of the KMS key, binary)           |
//! | 17     | 4     | backing key version, big-endian, starting at 1     |
//! | 21     | 12    | AES-GCM nonce                                      |
//! | 33     | n     | AES-256-GCM ciphertext (n = plaintext length)      |
//! | 33+n   | 16    | AES-GCM tag                                        |
//!
//! The additional authenticated data is
//! `"kmsplay/blob/v1" || blob[0..21] || u32be(len arn) || key ARN || canonical(context)`,
//! so the header, the key's identity (account and Region included) and the encryption
//! context are all authenticated: changing any of them makes Decrypt fail.

use crate::context::EncryptionContext;
use crate::crypto::{NONCE_LEN, TAG_LEN};

/// The format version byte.
pub const BLOB_VERSION: u8 = 0x01;
/// Header length: version, key id, backing version.
pub const HEADER_LEN: usize = 1 + 16 + 4;
/// The shortest possible blob (empty plaintext).
pub const MIN_LEN: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;

/// A parsed symmetric ciphertext blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiphertextBlob {
    /// The key id (UUID bytes) of the KMS key that sealed it.
    pub key_id: [u8; 16],
    /// Which backing key version sealed it (1 = the original key material).
    pub backing_version: u32,
    /// The AES-GCM nonce.
    pub nonce: [u8; NONCE_LEN],
    /// Ciphertext followed by the 16-byte tag.
    pub sealed: Vec<u8>,
}

/// Why bytes are not a ciphertext blob of this format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    /// Fewer bytes than the smallest blob.
    #[error("the ciphertext blob is {0} bytes, shorter than the {MIN_LEN}-byte minimum of a symmetric KMS ciphertext; it was truncated or is not a KMS ciphertext")]
    TooShort(usize),
    /// The first byte is not a known format version.
    #[error("the ciphertext blob starts with byte 0x{0:02x}, not a known ciphertext format version (0x01); it was modified or is not a KMS ciphertext")]
    UnknownVersion(u8),
}

impl CiphertextBlob {
    /// Parses bytes; never panics.
    pub fn parse(bytes: &[u8]) -> Result<Self, BlobError> {
        if bytes.len() < MIN_LEN {
            return Err(BlobError::TooShort(bytes.len()));
        }
        let (header, rest) = bytes.split_at(HEADER_LEN);
        let (version, after_version) = header.split_at(1);
        if version != [BLOB_VERSION] {
            return Err(BlobError::UnknownVersion(
                version.first().copied().unwrap_or_default(),
            ));
        }
        let (key_id, backing) = after_version.split_at(16);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let mut kid = [0u8; 16];
        kid.copy_from_slice(key_id);
        let mut n = [0u8; NONCE_LEN];
        n.copy_from_slice(nonce);
        let mut bv = [0u8; 4];
        bv.copy_from_slice(backing);
        Ok(CiphertextBlob {
            key_id: kid,
            backing_version: u32::from_be_bytes(bv),
            nonce: n,
            sealed: sealed.to_vec(),
        })
    }

    /// The header bytes (version, key id, backing version).
    pub fn header(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0] = BLOB_VERSION;
        h[1..17].copy_from_slice(&self.key_id);
        h[17..21].copy_from_slice(&self.backing_version.to_be_bytes());
        h
    }

    /// The additional authenticated data for this blob under `key_arn` and `context`.
    pub fn aad(&self, key_arn: &str, context: &EncryptionContext) -> Vec<u8> {
        const DOMAIN: &[u8] = b"kmsplay/blob/v1";
        let mut aad = Vec::with_capacity(
            DOMAIN.len() + HEADER_LEN + 4 + key_arn.len() + context.canonical_len(),
        );
        aad.extend_from_slice(DOMAIN);
        aad.extend_from_slice(&self.header());
        aad.extend_from_slice(
            &u32::try_from(key_arn.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        aad.extend_from_slice(key_arn.as_bytes());
        context.write_canonical(&mut aad);
        aad
    }

    /// The AES-GCM authentication tag (the last 16 bytes of the sealed part).
    pub fn tag(&self) -> Option<[u8; 16]> {
        let start = self.sealed.len().checked_sub(crate::crypto::TAG_LEN)?;
        self.sealed.get(start..)?.try_into().ok()
    }

    /// The serialized blob.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + NONCE_LEN + self.sealed.len());
        out.extend_from_slice(&self.header());
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.sealed);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto;
    use proptest::prelude::*;

    const KEY_ARN: &str =
        "arn:aws:kms:us-east-1:111122223333:key/1a2b3c4d-5e6f-1a2b-3c4d-5e6f1a2b3c4d";

    /// Known answer for the whole blob format: a fixed key, nonce, key id and context give
    /// these exact bytes. The sealed part was computed independently of this crate, with
    /// Python's `cryptography` package (`AESGCM(b"\x42"*32).encrypt(b"\x07"*12, b"hello", aad)`
    /// over the AAD layout documented above).
    #[test]
    fn known_answer_blob() {
        let key = [0x42u8; 32];
        let mut blob = CiphertextBlob {
            key_id: [
                0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x1a, 0x2b,
                0x3c, 0x4d,
            ],
            backing_version: 1,
            nonce: [7u8; 12],
            sealed: vec![],
        };
        let ctx = EncryptionContext::from_pairs([("purpose", "test")]);
        blob.sealed = crypto::seal(&key, &blob.nonce, &blob.aad(KEY_ARN, &ctx), b"hello");
        let bytes = blob.to_bytes();
        assert_eq!(bytes.len(), MIN_LEN + 5);
        assert_eq!(
            hex::encode(&bytes[..HEADER_LEN + NONCE_LEN]),
            "011a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d00000001070707070707070707070707"
        );
        assert_eq!(hex::encode(&bytes[HEADER_LEN + NONCE_LEN..]), KAT_SEALED);
        let parsed = CiphertextBlob::parse(&bytes).unwrap();
        assert_eq!(parsed, blob);
        let pt = crypto::open(
            &key,
            &parsed.nonce,
            &parsed.aad(KEY_ARN, &ctx),
            &parsed.sealed,
        )
        .unwrap();
        assert_eq!(pt.as_slice(), b"hello");
    }
    const KAT_SEALED: &str = "108731c0daf761fe27642f6a6eceafd8b84ff5c385";

    #[test]
    fn rejects_short_and_unknown_version() {
        assert_eq!(CiphertextBlob::parse(&[]), Err(BlobError::TooShort(0)));
        assert_eq!(
            CiphertextBlob::parse(&[1u8; MIN_LEN - 1]),
            Err(BlobError::TooShort(MIN_LEN - 1))
        );
        assert_eq!(
            CiphertextBlob::parse(&[2u8; MIN_LEN]),
            Err(BlobError::UnknownVersion(2))
        );
        assert!(CiphertextBlob::parse(&[1u8; MIN_LEN]).is_ok());
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            if let Ok(b) = CiphertextBlob::parse(&bytes) {
                prop_assert_eq!(b.to_bytes(), bytes);
            }
        }
    }
}
