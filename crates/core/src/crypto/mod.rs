//! Every cryptographic primitive of the simulation, on RustCrypto.
//!
//! - AES-256-GCM: KMS seals symmetric ciphertexts with it ("SYMMETRIC_DEFAULT", AWS KMS
//!   developer guide, *Symmetric encryption KMS keys*); WorkMail wraps message keys and
//!   encrypts messages with AES outside KMS; the S3 encryption client encrypts objects with
//!   `AES/GCM/NoPadding` and a 128-bit tag. All of them go through [`seal`] and [`open`],
//!   which live in the `kmsplay-aead` crate so that the page can build them for speed.
//! - RSA (`rsa.rs`): key pairs of asymmetric KMS keys and of legacy WorkMail mailboxes,
//!   RSAES-OAEP with SHA-1 or SHA-256, RSASSA-PKCS1-v1_5 and RSASSA-PSS signatures, and the
//!   PKCS#1 v1.5 decryption of imported key material.
//! - Elliptic curves (`ecc.rs`): NIST P-256, P-384, P-521 and secp256k1 key pairs, ECDSA
//!   over a digest, and ECDH.
//! - HMAC-SHA-224/256/384/512 (`mac.rs`) and AES key wrap with padding, RFC 5649 (`wrap.rs`,
//!   for importing key material with `RSA_AES_KEY_WRAP_SHA_*`).
//!
//! Failure to open is deliberately opaque ([`CryptoError`] carries no detail): the
//! simulation explains the failure from what it knows, never by leaking secrets.

mod ecc;
mod hash;
mod mac;
mod rsa;
mod wrap;

pub use self::rsa::*;
pub use ecc::{EccCurve, EccError, EccPrivateKey};
pub use hash::Hash;
pub use kmsplay_aead::{open, seal, seal_into, CryptoError, KEY_LEN, NONCE_LEN, TAG_LEN};
pub use mac::{hmac, hmac_verify};
pub use wrap::{aes_key_unwrap_padded, aes_key_wrap_padded, WrapError};
