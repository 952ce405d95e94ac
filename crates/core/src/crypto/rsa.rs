//! RSA: key pairs, RSAES-OAEP (SHA-1 and SHA-256), RSASSA-PKCS1-v1_5 and RSASSA-PSS
//! signatures over a digest (RFC 8017), PKCS#1 v1.5 decryption (for imported key material
//! wrapped with `RSAES_PKCS1_V1_5`), and the DER encodings KMS returns (X.509
//! SubjectPublicKeyInfo for public keys, PKCS#8 for private keys).

use super::Hash;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Encrypt, Pkcs1v15Sign, Pss};
pub use rsa::{RsaPrivateKey, RsaPublicKey};
use zeroize::Zeroizing;

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

/// The X.509 SubjectPublicKeyInfo DER encoding of a public key (what GetPublicKey returns).
pub fn rsa_public_to_spki(public: &RsaPublicKey) -> Result<Vec<u8>, RsaError> {
    public
        .to_public_key_der()
        .map(|d| d.as_bytes().to_vec())
        .map_err(|_| RsaError("public key encoding"))
}

/// A public key from its SubjectPublicKeyInfo DER encoding.
pub fn rsa_public_from_spki(der: &[u8]) -> Result<RsaPublicKey, RsaError> {
    RsaPublicKey::from_public_key_der(der).map_err(|_| RsaError("public key decoding"))
}

/// The PKCS#8 DER encoding of a private key (GenerateDataKeyPair's private key; zeroized
/// on drop).
pub fn rsa_private_to_pkcs8(private: &RsaPrivateKey) -> Result<Zeroizing<Vec<u8>>, RsaError> {
    private
        .to_pkcs8_der()
        .map(|d| Zeroizing::new(d.as_bytes().to_vec()))
        .map_err(|_| RsaError("private key encoding"))
}

/// A private key from its PKCS#8 DER encoding (imported asymmetric key material).
pub fn rsa_private_from_pkcs8(der: &[u8]) -> Result<RsaPrivateKey, RsaError> {
    RsaPrivateKey::from_pkcs8_der(der).map_err(|_| RsaError("private key decoding"))
}

/// The modulus size in bits.
pub fn rsa_bits(public: &RsaPublicKey) -> usize {
    public.n().bits()
}

/// RSAES-PKCS1-v1_5 decryption; fails opaquely.
pub fn rsa_pkcs1v15_decrypt(
    private: &RsaPrivateKey,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, RsaError> {
    private
        .decrypt(Pkcs1v15Encrypt, ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| RsaError("PKCS#1 v1.5 decryption"))
}

/// RSAES-PKCS1-v1_5 encryption (tests and the playground's own import tooling).
pub fn rsa_pkcs1v15_encrypt(
    rng: &mut impl rand_core::CryptoRngCore,
    public: &RsaPublicKey,
    plaintext: &[u8],
) -> Result<Vec<u8>, RsaError> {
    public
        .encrypt(rng, Pkcs1v15Encrypt, plaintext)
        .map_err(|_| RsaError("PKCS#1 v1.5 encryption"))
}

/// An RSA signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaSignatureScheme {
    /// RSASSA-PKCS1-v1_5.
    Pkcs1v15,
    /// RSASSA-PSS with MGF1 of the same hash and a salt as long as the digest (KMS's
    /// `RSASSA_PSS_SHA_*`, API reference, *Sign*).
    Pss,
}

fn pkcs1v15_sign_padding(hash: Hash) -> Pkcs1v15Sign {
    match hash {
        Hash::Sha224 => Pkcs1v15Sign::new::<sha2::Sha224>(),
        Hash::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
        Hash::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
        Hash::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
    }
}

fn pss_padding(hash: Hash) -> Pss {
    match hash {
        Hash::Sha224 => Pss::new::<sha2::Sha224>(),
        Hash::Sha256 => Pss::new::<sha2::Sha256>(),
        Hash::Sha384 => Pss::new::<sha2::Sha384>(),
        Hash::Sha512 => Pss::new::<sha2::Sha512>(),
    }
}

/// Signs `digest` (the `hash` of the message) with `private`.
pub fn rsa_sign(
    rng: &mut impl rand_core::CryptoRngCore,
    private: &RsaPrivateKey,
    scheme: RsaSignatureScheme,
    hash: Hash,
    digest: &[u8],
) -> Result<Vec<u8>, RsaError> {
    match scheme {
        RsaSignatureScheme::Pkcs1v15 => private.sign(pkcs1v15_sign_padding(hash), digest),
        RsaSignatureScheme::Pss => private.sign_with_rng(rng, pss_padding(hash), digest),
    }
    .map_err(|_| RsaError("signing"))
}

/// Whether `signature` is `public`'s signature of `digest`.
pub fn rsa_verify(
    public: &RsaPublicKey,
    scheme: RsaSignatureScheme,
    hash: Hash,
    digest: &[u8],
    signature: &[u8],
) -> bool {
    match scheme {
        RsaSignatureScheme::Pkcs1v15 => {
            public.verify(pkcs1v15_sign_padding(hash), digest, signature)
        }
        RsaSignatureScheme::Pss => public.verify(pss_padding(hash), digest, signature),
    }
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    fn key() -> RsaPrivateKey {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        rsa_generate(&mut rng, 2048).unwrap()
    }

    /// RSASSA-PKCS1-v1_5 is deterministic: the known answer for SHA-256("abc") under the
    /// RFC 8017 construction is checked by recomputing EM = 0x00 01 FF.. 00 || DigestInfo
    /// || H and comparing with the public operation of the signature.
    #[test]
    fn pkcs1v15_signature_is_the_encoded_digest() {
        let private = key();
        let public = RsaPublicKey::from(&private);
        let digest = Hash::Sha256.digest(b"abc");
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let sig = rsa_sign(
            &mut rng,
            &private,
            RsaSignatureScheme::Pkcs1v15,
            Hash::Sha256,
            &digest,
        )
        .unwrap();
        // s^e mod n, by the rsa crate's public primitive.
        let m = rsa::BigUint::from_bytes_be(&sig).modpow(public.e(), public.n());
        let em = m.to_bytes_be();
        // DigestInfo prefix for SHA-256 (RFC 8017, section 9.2, note 1).
        let prefix = hex::decode("3031300d060960864801650304020105000420").unwrap();
        let mut want = vec![0x01];
        want.extend(std::iter::repeat_n(0xff, 256 - 3 - prefix.len() - 32));
        want.push(0x00);
        want.extend(&prefix);
        want.extend(&digest);
        assert_eq!(em, want, "EM without its leading zero byte");
    }

    #[test]
    fn signatures_verify_and_tampering_fails() {
        let private = key();
        let public = RsaPublicKey::from(&private);
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        for scheme in [RsaSignatureScheme::Pkcs1v15, RsaSignatureScheme::Pss] {
            for hash in [Hash::Sha256, Hash::Sha384, Hash::Sha512] {
                let digest = hash.digest(b"message");
                let sig = rsa_sign(&mut rng, &private, scheme, hash, &digest).unwrap();
                assert!(rsa_verify(&public, scheme, hash, &digest, &sig));
                let mut bad = sig.clone();
                bad[10] ^= 1;
                assert!(!rsa_verify(&public, scheme, hash, &digest, &bad));
                assert!(!rsa_verify(
                    &public,
                    scheme,
                    hash,
                    &hash.digest(b"massage"),
                    &sig
                ));
                let other = if scheme == RsaSignatureScheme::Pss {
                    RsaSignatureScheme::Pkcs1v15
                } else {
                    RsaSignatureScheme::Pss
                };
                assert!(!rsa_verify(&public, other, hash, &digest, &sig));
            }
        }
    }

    #[test]
    fn der_round_trips() {
        let private = key();
        let public = RsaPublicKey::from(&private);
        let spki = rsa_public_to_spki(&public).unwrap();
        assert_eq!(rsa_public_from_spki(&spki).unwrap(), public);
        // SubjectPublicKeyInfo with rsaEncryption (1.2.840.113549.1.1.1).
        assert!(spki
            .windows(11)
            .any(|w| w == hex::decode("06092a864886f70d010101").unwrap()));
        let pkcs8 = rsa_private_to_pkcs8(&private).unwrap();
        assert_eq!(rsa_private_from_pkcs8(&pkcs8).unwrap(), private);
        assert_eq!(rsa_bits(&public), 2048);
        assert!(rsa_public_from_spki(&spki[1..]).is_err());
    }

    #[test]
    fn pkcs1v15_encryption_round_trips_and_refuses_tampering() {
        let private = key();
        let public = RsaPublicKey::from(&private);
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let ct = rsa_pkcs1v15_encrypt(&mut rng, &public, &[9u8; 32]).unwrap();
        assert_eq!(
            rsa_pkcs1v15_decrypt(&private, &ct).unwrap().as_slice(),
            [9u8; 32]
        );
        let mut bad = ct.clone();
        bad[0] ^= 0x40;
        assert!(rsa_pkcs1v15_decrypt(&private, &bad).is_err());
    }
}
