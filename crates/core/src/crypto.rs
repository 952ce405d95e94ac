//! Every cryptographic primitive of the simulation, on RustCrypto.
//!
//! - AES-256-GCM: KMS seals symmetric ciphertexts with it ("SYMMETRIC_DEFAULT", AWS KMS
//!   developer guide, *Symmetric encryption KMS keys*); WorkMail wraps message keys and
//!   encrypts messages with AES outside KMS; the S3 encryption client encrypts objects with
//!   `AES/GCM/NoPadding` and a 128-bit tag. All of them go through [`seal`] and [`open`].
//! - RSA: key pairs of asymmetric KMS keys and of legacy WorkMail mailboxes, and
//!   RSAES-OAEP with SHA-1 or SHA-256 ([`rsa_oaep_encrypt`], [`rsa_oaep_decrypt`]).
//!
//! Failure to open is deliberately opaque ([`CryptoError`] carries no detail): the
//! simulation explains the failure from what it knows, never by leaking secrets.

use aes_gcm::aead::{Aead, AeadInPlace, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, EncodeRsaPublicKey};
pub use rsa::{RsaPrivateKey, RsaPublicKey};
use zeroize::Zeroizing;

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
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let start = out.len();
    out.extend_from_slice(plaintext);
    // Encryption with aes-gcm only fails for inputs longer than 2^36 bytes, which no caller
    // of the simulation can produce (requests are bounded far below that); the output is
    // then cut back to what it held, which fails to open, never silently succeeds.
    match cipher.encrypt_in_place_detached(Nonce::from_slice(nonce), aad, &mut out[start..]) {
        Ok(tag) => out.extend_from_slice(&tag),
        Err(_) => out.truncate(start),
    }
}

/// Decrypts and authenticates `ciphertext_and_tag` (as produced by [`seal`]).
pub fn open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if ciphertext_and_tag.len() < TAG_LEN {
        return Err(CryptoError);
    }
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext_and_tag,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| CryptoError)
}

/// The hash of RSAES-OAEP (and of its mask generation function, MGF1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepHash {
    /// SHA-1 (KMS `RSAES_OAEP_SHA_1`).
    Sha1,
    /// SHA-256 (KMS `RSAES_OAEP_SHA_256`; WorkMail's legacy message keys).
    Sha256,
}

impl OaepHash {
    fn padding(self) -> rsa::Oaep {
        match self {
            OaepHash::Sha1 => rsa::Oaep::new::<sha1::Sha1>(),
            OaepHash::Sha256 => rsa::Oaep::new::<sha2::Sha256>(),
        }
    }

    /// The hash's output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            OaepHash::Sha1 => 20,
            OaepHash::Sha256 => 32,
        }
    }

    /// The longest plaintext RSAES-OAEP takes with a `modulus_bits` key (RFC 8017, 7.1.1:
    /// k - 2hLen - 2 bytes).
    pub fn max_plaintext(self, modulus_bits: usize) -> usize {
        (modulus_bits / 8).saturating_sub(2 * self.output_len() + 2)
    }
}

/// An RSA operation failed (opaque, like [`CryptoError`]); the message names the step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("RSA {0} failed")]
pub struct RsaError(&'static str);

/// A new RSA key pair of `bits` bits, from `rng` (the world's seeded random source).
pub fn rsa_generate(
    rng: &mut impl rand_core::CryptoRngCore,
    bits: usize,
) -> Result<RsaPrivateKey, RsaError> {
    RsaPrivateKey::new(rng, bits).map_err(|_| RsaError("key generation"))
}

/// RSAES-OAEP encryption of `plaintext` under `public`.
pub fn rsa_oaep_encrypt(
    rng: &mut impl rand_core::CryptoRngCore,
    public: &RsaPublicKey,
    hash: OaepHash,
    plaintext: &[u8],
) -> Result<Vec<u8>, RsaError> {
    public
        .encrypt(rng, hash.padding(), plaintext)
        .map_err(|_| RsaError("OAEP encryption"))
}

/// RSAES-OAEP decryption; fails opaquely for a wrong key, hash or modified ciphertext.
pub fn rsa_oaep_decrypt(
    private: &RsaPrivateKey,
    hash: OaepHash,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, RsaError> {
    private
        .decrypt(hash.padding(), ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| RsaError("OAEP decryption"))
}

/// The PKCS#1 DER encoding of a private key (zeroized on drop).
pub fn rsa_private_to_der(private: &RsaPrivateKey) -> Result<Zeroizing<Vec<u8>>, RsaError> {
    private
        .to_pkcs1_der()
        .map(|d| Zeroizing::new(d.as_bytes().to_vec()))
        .map_err(|_| RsaError("private key encoding"))
}

/// A private key from its PKCS#1 DER encoding.
pub fn rsa_private_from_der(der: &[u8]) -> Result<RsaPrivateKey, RsaError> {
    RsaPrivateKey::from_pkcs1_der(der).map_err(|_| RsaError("private key decoding"))
}

/// The PKCS#1 DER encoding of a public key.
pub fn rsa_public_to_der(public: &RsaPublicKey) -> Result<Vec<u8>, RsaError> {
    public
        .to_pkcs1_der()
        .map(|d| d.as_bytes().to_vec())
        .map_err(|_| RsaError("public key encoding"))
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
