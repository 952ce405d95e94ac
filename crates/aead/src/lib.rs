//! AES-256-GCM with a 96-bit nonce and a 128-bit tag: the one authenticated cipher of the
//! KMS Playground. KMS seals symmetric ciphertexts with it ("SYMMETRIC_DEFAULT", AWS KMS
//! developer guide, *Symmetric encryption KMS keys*), WorkMail wraps message keys and
//! encrypts messages with it, and the S3 encryption client encrypts objects with
//! `AES/GCM/NoPadding`. `kmsplay_core::crypto` re-exports it.
//!
//! Why a crate of its own: aes-gcm's mode code (CTR, GHASH, the AEAD glue) is generic, so
//! Rust compiles it in the crate that names `Aes256Gcm`. Inside `kmsplay-core`, which the
//! page builds for size (`opt-level = "z"`), seal+open of 1 KiB in headless Chromium took
//! 36.6 µs; named here, and this crate built at `opt-level = 3` (the workspace
//! `Cargo.toml`), it takes 23.2 µs (the bench page of `cargo xtask bench`, 2026-12-02),
//! while the rest of the page stays small.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Tag};
use zeroize::{Zeroize, Zeroizing};

/// Length of an AES-256 key in bytes.
pub const KEY_LEN: usize = 32;
/// Length of an AES-GCM nonce (IV) in bytes.
pub const NONCE_LEN: usize = 12;
/// Length of the AES-GCM authentication tag in bytes (128 bits).
pub const TAG_LEN: usize = 16;

/// Decryption failed: wrong key, wrong additional authenticated data, or modified bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("AES-GCM authentication failed: the key, the nonce, the additional authenticated data or the ciphertext is not the one that was sealed")]
pub struct CryptoError;

/// Encrypts `plaintext` with AES-256-GCM; returns ciphertext followed by the 16-byte tag.
pub fn seal(key: &[u8; KEY_LEN], nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(plaintext.len() + TAG_LEN);
    seal_into(key, nonce, aad, plaintext, &mut out);
    out
}

/// [`seal`], appending the ciphertext and the tag to `out` (after what it already holds,
/// such as a header), with no other copy.
pub fn seal_into(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) {
    // Borrowed as the cipher's key type, not copied: no stray copy of the key to zeroize.
    let cipher = Aes256Gcm::new(<&Key<Aes256Gcm>>::from(key));
    let start = out.len();
    out.extend_from_slice(plaintext);
    // Encryption with aes-gcm only fails for inputs longer than 2^36 bytes, which no caller
    // of the simulation can produce (requests are bounded far below that); the output is
    // then cut back to what it held (the plaintext copied into it wiped first), which
    // fails to open, never silently succeeds.
    match cipher.encrypt_inout_detached(nonce.into(), aad, (&mut out[start..]).into()) {
        Ok(tag) => out.extend_from_slice(&tag),
        Err(_) => {
            out[start..].zeroize();
            out.truncate(start);
        }
    }
}

/// Decrypts and authenticates `ciphertext_and_tag` (as produced by [`seal`]).
pub fn open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let Some(split) = ciphertext_and_tag.len().checked_sub(TAG_LEN) else {
        return Err(CryptoError);
    };
    let (ciphertext, tag) = ciphertext_and_tag.split_at(split);
    let tag = <&Tag>::try_from(tag).map_err(|_| CryptoError)?;
    let cipher = Aes256Gcm::new(<&Key<Aes256Gcm>>::from(key));
    // The plaintext is written straight into a zeroizing buffer; aes-gcm checks the tag
    // before it decrypts, so a refused ciphertext leaves only ciphertext in it.
    let mut plaintext = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_inout_detached(nonce.into(), aad, plaintext.as_mut_slice().into(), tag)
        .map_err(|_| CryptoError)?;
    Ok(plaintext)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known-answer vectors for AES-256-GCM.
    /// Source: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 13–16
    /// (also NIST CAVP gcmEncryptExtIV256).
    struct Vector {
        key: &'static str,
        nonce: &'static str,
        aad: &'static str,
        plaintext: &'static str,
        ciphertext: &'static str,
        tag: &'static str,
    }

    const VECTORS: &[Vector] = &[
        // Test case 13: zero key, zero IV, nothing to encrypt: the tag alone.
        Vector {
            key: "0000000000000000000000000000000000000000000000000000000000000000",
            nonce: "000000000000000000000000",
            aad: "",
            plaintext: "",
            ciphertext: "",
            tag: "530f8afbc74536b9a963b4f1c4cb738b",
        },
        // Test case 14: zero key, zero IV, one zero block.
        Vector {
            key: "0000000000000000000000000000000000000000000000000000000000000000",
            nonce: "000000000000000000000000",
            aad: "",
            plaintext: "00000000000000000000000000000000",
            ciphertext: "cea7403d4d606b6e074ec5d3baf39d18",
            tag: "d0d1c8a799996bf0265b98b5d48ab919",
        },
        // Test case 15.
        Vector {
            key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            nonce: "cafebabefacedbaddecaf888",
            aad: "",
            plaintext: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
            ciphertext: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
            tag: "b094dac5d93471bdec1a502270e3cc6c",
        },
        // Test case 16: with additional authenticated data.
        Vector {
            key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            nonce: "cafebabefacedbaddecaf888",
            aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            plaintext: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            ciphertext: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
            tag: "76fc6ece0f4e1768cddf8853bb2d551b",
        },
    ];

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[allow(clippy::type_complexity)]
    fn parts(v: &Vector) -> ([u8; 32], [u8; 12], Vec<u8>, Vec<u8>, Vec<u8>) {
        let key: [u8; 32] = h(v.key).try_into().unwrap();
        let nonce: [u8; 12] = h(v.nonce).try_into().unwrap();
        let mut expected = h(v.ciphertext);
        expected.extend(h(v.tag));
        (key, nonce, h(v.aad), h(v.plaintext), expected)
    }

    #[test]
    fn encrypt_matches_known_answers() {
        for v in VECTORS {
            let (key, nonce, aad, pt, expected) = parts(v);
            assert_eq!(
                seal(&key, &nonce, &aad, &pt),
                expected,
                "vector key {}",
                v.key
            );
        }
    }

    #[test]
    fn decrypt_matches_known_answers() {
        for v in VECTORS {
            let (key, nonce, aad, pt, ct) = parts(v);
            assert_eq!(
                open(&key, &nonce, &aad, &ct).unwrap().as_slice(),
                pt.as_slice()
            );
        }
    }

    #[test]
    fn decrypt_modified_fails() {
        for v in VECTORS {
            let (key, nonce, aad, _, ct) = parts(v);
            for i in 0..ct.len() {
                let mut bad = ct.clone();
                bad[i] ^= 0x01;
                assert_eq!(
                    open(&key, &nonce, &aad, &bad),
                    Err(CryptoError),
                    "flip at {i}"
                );
            }
            let mut bad_aad = aad.clone();
            bad_aad.push(0);
            assert_eq!(open(&key, &nonce, &bad_aad, &ct), Err(CryptoError));
            let mut bad_key = key;
            bad_key[31] ^= 0x80;
            assert_eq!(open(&bad_key, &nonce, &aad, &ct), Err(CryptoError));
            assert_eq!(
                open(&key, &nonce, &aad, &ct[..ct.len() - 1]),
                Err(CryptoError)
            );
            assert_eq!(open(&key, &nonce, &aad, &[]), Err(CryptoError));
        }
    }
}
