#![doc = "A faithful, deterministic simulation of AWS KMS and the envelope-encryption hierarchies of Amazon WorkMail and Amazon SES."]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
//!
//! Layers, each using only those below it (see `docs/LAYOUT.md`):
//! primitives ([`crypto`], [`env`], [`context`], [`wire`]) → [`authz`] (policies, grants,
//! callers, the authorizer) → [`kms`] → [`record`] (the trace and the recorder) →
//! services ([`workmail`], [`ses`], [`s3`]) → [`world`] → [`scenario`] → what views
//! compute ([`diagram`], [`permalink`], [`scale`]).

pub mod authz;
pub mod context;
pub mod crypto;
pub mod env;
pub mod kms;
pub mod record;
pub mod s3;
pub mod ses;
pub mod wire;
pub mod workmail;
pub mod world;

pub mod check;
pub mod diagram;
pub mod permalink;
pub mod protocol;
pub mod scale;
pub mod scenario;
pub mod view;

pub use authz::Caller;
pub use context::EncryptionContext;
pub use env::Env;
/// CloudTrail events (the module lives in `kms`).
pub use kms::cloudtrail;
pub use kms::{Kms, KmsError, KmsRecord, KmsRequest, KmsResponse, Operation};
/// The trace (the module lives in `record`).
pub use record::trace;
pub use world::World;

/// Every type that holds plaintext key material, and the proof that it is erased: each
/// line below names the field that holds the material and only compiles if that field's
/// type zeroizes on drop (`zeroize::ZeroizeOnDrop`). A new holder of key material belongs
/// in this list.
#[cfg(test)]
mod key_material_holders {
    use crate::kms::types::{
        DecryptResponse, DeriveSharedSecretResponse, EncryptRequest, GenerateDataKeyPairResponse,
        GenerateDataKeyResponse, GenerateMacRequest, GenerateRandomResponse, SignRequest,
    };
    use zeroize::ZeroizeOnDrop;

    fn erased_on_drop<T: ZeroizeOnDrop + ?Sized>(_: &T) {}

    #[test]
    fn every_holder_of_key_material_zeroizes_on_drop() {
        // KMS: versions of symmetric and HMAC key material (also the imported material
        // pending rotation), RSA and elliptic-curve private keys, import wrapping keys.
        let _ = |b: &crate::kms::key::BackingKey| erased_on_drop(&b.material);
        let _ = |k: &crate::kms::key::KmsKey| {
            if let Some(b) = &k.pending_rotation {
                erased_on_drop(&b.material);
            }
            if let Some(i) = &k.import {
                erased_on_drop(i.wrapping_key.as_ref());
            }
        };
        let _ = |k: &crate::kms::key::KeyMaterial| match k {
            crate::kms::key::KeyMaterial::None => {}
            crate::kms::key::KeyMaterial::Versions(v) => {
                v.iter().for_each(|b| erased_on_drop(&b.material))
            }
            crate::kms::key::KeyMaterial::Rsa(p) => erased_on_drop(p.as_ref()),
            crate::kms::key::KeyMaterial::Ecc(p) => erased_on_drop(p.as_ref()),
        };
        let _ = |k: &crate::crypto::EccPrivateKey| match k {
            crate::crypto::EccPrivateKey::P256(s) => erased_on_drop(s),
            crate::crypto::EccPrivateKey::P384(s) => erased_on_drop(s),
            crate::crypto::EccPrivateKey::P521(s) => erased_on_drop(s),
            crate::crypto::EccPrivateKey::Secp256k1(s) => erased_on_drop(s),
        };
        // Plaintexts and data keys in KMS requests and responses.
        let _ = |s: &crate::wire::Secret| erased_on_drop(&s.0);
        let _ = |r: &EncryptRequest| erased_on_drop(&r.plaintext.0);
        let _ = |r: &DecryptResponse| erased_on_drop(&r.plaintext.0);
        let _ = |r: &GenerateDataKeyResponse| r.plaintext.as_ref().map(|p| erased_on_drop(&p.0));
        let _ = |r: &GenerateDataKeyPairResponse| erased_on_drop(&r.private_key_plaintext.0);
        let _ = |r: &DeriveSharedSecretResponse| erased_on_drop(&r.shared_secret.0);
        let _ = |r: &GenerateRandomResponse| erased_on_drop(&r.plaintext.0);
        let _ = |r: &SignRequest| erased_on_drop(&r.message.0);
        let _ = |r: &GenerateMacRequest| erased_on_drop(&r.message.0);
        // WorkMail's mailbox-key cache.
        let _ = |c: &crate::workmail::cache::CachedKey| erased_on_drop(&c.key);
        // Keys the world generates (mailbox, message and data keys) and what AES-GCM and
        // RSA-OAEP decrypt.
        let mut env = crate::env::Env::new(1);
        erased_on_drop(&env.rng.secret::<32>());
        let key = env.rng.secret::<32>();
        let nonce = [0u8; crate::crypto::NONCE_LEN];
        let sealed = crate::crypto::seal(&key, &nonce, b"", b"message key");
        erased_on_drop(&crate::crypto::open(&key, &nonce, b"", &sealed).unwrap());
    }
}
