//! A KMS key: its spec, state, policy, tags, key material and rotation, and the
//! `KeyMetadata` AWS describes it with (derived from these, never stored twice).

use super::cloudtrail::{EventId, Text};
use super::operation::Operation;
use super::types::*;
use crate::authz::PolicyDocument;
use crate::crypto::{EccCurve, EccPrivateKey, RsaPrivateKey};
use std::sync::Arc;
use zeroize::Zeroizing;

/// One version of a symmetric or HMAC key's material. Rotation (and importing new
/// material) adds a version; all are kept so old ciphertexts still decrypt (developer
/// guide, *Rotating AWS KMS keys*).
pub(crate) struct BackingKey {
    pub material: Zeroizing<Vec<u8>>,
    /// `KeyMaterialId`: 64 hex digits.
    pub id: String,
    /// Epoch seconds when this material was created (or imported).
    pub created: u64,
    /// `ON_DEMAND` or `AUTOMATIC` for rotated material; `None` for the first.
    pub rotation_type: Option<RotationType>,
    /// For imported material: how it expires, and when.
    pub expiration: Option<(ExpirationModel, Option<u64>)>,
    /// For imported material: its description.
    pub description: Option<String>,
}

impl std::fmt::Debug for BackingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackingKey")
            .field("id", &self.id)
            .field("material", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl BackingKey {
    /// Whether the material is there (imported material can be deleted, or expire, and
    /// be imported again).
    pub fn is_available(&self) -> bool {
        !self.material.is_empty()
    }
}

impl Clone for BackingKey {
    fn clone(&self) -> Self {
        BackingKey {
            material: self.material.clone(),
            id: self.id.clone(),
            created: self.created,
            rotation_type: self.rotation_type,
            expiration: self.expiration,
            description: self.description.clone(),
        }
    }
}

/// The secret part of a KMS key. It never leaves KMS.
pub(crate) enum KeyMaterial {
    /// No material: an `EXTERNAL` key before its material is imported (or after it was
    /// deleted or expired).
    None,
    /// AES-256 (`SYMMETRIC_DEFAULT`) or HMAC key material, version 1 first.
    Versions(Vec<BackingKey>),
    /// An RSA key pair (`rsa` zeroizes the private key on drop).
    Rsa(Box<RsaPrivateKey>),
    /// An elliptic-curve key pair (zeroized on drop).
    Ecc(Box<EccPrivateKey>),
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyMaterial::None => f.write_str("None"),
            KeyMaterial::Versions(v) => {
                write!(f, "Versions(<{} key material versions redacted>)", v.len())
            }
            KeyMaterial::Rsa(_) => f.write_str("Rsa(<private key redacted>)"),
            KeyMaterial::Ecc(_) => f.write_str("Ecc(<private key redacted>)"),
        }
    }
}

/// Parameters GetParametersForImport issued: the wrapping key pair and the token.
pub(crate) struct ImportParameters {
    pub wrapping_key: Box<RsaPrivateKey>,
    pub algorithm: WrappingAlgorithm,
    pub token: Vec<u8>,
    pub valid_to: u64,
}

/// A multi-Region key's place in its set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MultiRegion {
    pub primary_region: String,
    pub replica_regions: Vec<String>,
}

/// A key's last cryptographic use, as GetKeyLastUsage reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LastUsage {
    pub operation: Operation,
    pub at: u64,
    pub event_id: EventId,
    pub request_id: EventId,
}

/// A KMS key as KMS holds it.
pub(crate) struct KmsKey {
    pub key_id: String,
    pub arn: String,
    /// The key id as the 16 bytes a ciphertext blob names it by.
    pub id_bytes: [u8; 16],
    /// The key ARN, shared with the CloudTrail events and decisions that name it.
    pub arn_text: Text,
    pub account: String,
    pub region: String,
    pub creation_date: u64,
    pub description: String,
    pub spec: KeySpec,
    pub usage: KeyUsage,
    pub origin: Origin,
    pub manager: KeyManager,
    pub state: KeyState,
    pub deletion_date: Option<u64>,
    pub pending_window: Option<u32>,
    /// The key policy as written (GetKeyPolicy returns it verbatim).
    pub policy_text: String,
    /// The parsed key policy (shared with the decisions made under it, so they can be
    /// explained later).
    pub policy: Arc<PolicyDocument>,
    pub material: KeyMaterial,
    /// Imported material waiting for RotateKeyOnDemand (an `EXTERNAL` key's next version).
    pub pending_rotation: Option<BackingKey>,
    pub tags: Vec<Tag>,
    /// Automatic rotation period in days, when automatic rotation is enabled.
    pub rotation_period_days: Option<u32>,
    /// Epoch seconds of the next automatic rotation.
    pub next_rotation: Option<u64>,
    /// When an on-demand rotation started (it completes at once here).
    pub on_demand_rotation_start: Option<u64>,
    /// Import parameters currently valid.
    pub import: Option<ImportParameters>,
    pub multi_region: Option<MultiRegion>,
    pub last_usage: Option<LastUsage>,
    /// For imported asymmetric key material: how it expires, and when.
    pub asymmetric_expiration: Option<(ExpirationModel, Option<u64>)>,
    /// The id of the key material an `EXTERNAL` key was given first: only that material
    /// may be imported again (developer guide, *Reimport key material*).
    pub imported_material_id: Option<String>,
    /// What the AES-GCM additional data names the key by: its ARN, or for a multi-Region
    /// key its ARN without the Region, so every replica opens what another sealed.
    pub binding: Text,
}

impl std::fmt::Debug for KmsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsKey")
            .field("arn", &self.arn)
            .field("spec", &self.spec)
            .field("state", &self.state)
            .field("material", &self.material)
            .finish_non_exhaustive()
    }
}

/// The algorithms a key of `spec` and `usage` supports, per kind, as AWS lists them in
/// `KeyMetadata` and GetPublicKey.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Algorithms {
    pub encryption: Option<Vec<EncryptionAlgorithm>>,
    pub signing: Option<Vec<SigningAlgorithm>>,
    pub key_agreement: Option<Vec<KeyAgreementAlgorithm>>,
    pub mac: Option<Vec<MacAlgorithm>>,
    pub encapsulation: Option<Vec<EncapsulationAlgorithm>>,
}

/// What a key spec is.
impl KeySpec {
    /// Whether this is the symmetric AES-256-GCM spec.
    pub fn is_symmetric(self) -> bool {
        self == KeySpec::SYMMETRIC_DEFAULT
    }

    /// Whether this is an HMAC spec.
    pub fn is_hmac(self) -> bool {
        matches!(
            self,
            KeySpec::HMAC_224 | KeySpec::HMAC_256 | KeySpec::HMAC_384 | KeySpec::HMAC_512
        )
    }

    /// RSA modulus size in bits, for RSA specs.
    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            KeySpec::RSA_2048 => Some(2048),
            KeySpec::RSA_3072 => Some(3072),
            KeySpec::RSA_4096 => Some(4096),
            _ => None,
        }
    }

    /// The elliptic curve, for the ECC specs the playground models.
    pub fn curve(self) -> Option<EccCurve> {
        match self {
            KeySpec::ECC_NIST_P256 => Some(EccCurve::P256),
            KeySpec::ECC_NIST_P384 => Some(EccCurve::P384),
            KeySpec::ECC_NIST_P521 => Some(EccCurve::P521),
            KeySpec::ECC_SECG_P256K1 => Some(EccCurve::Secp256k1),
            _ => None,
        }
    }

    /// The HMAC key length in bytes and its one algorithm.
    pub fn hmac(self) -> Option<(usize, MacAlgorithm)> {
        match self {
            KeySpec::HMAC_224 => Some((28, MacAlgorithm::HMAC_SHA_224)),
            KeySpec::HMAC_256 => Some((32, MacAlgorithm::HMAC_SHA_256)),
            KeySpec::HMAC_384 => Some((48, MacAlgorithm::HMAC_SHA_384)),
            KeySpec::HMAC_512 => Some((64, MacAlgorithm::HMAC_SHA_512)),
            _ => None,
        }
    }

    /// Whether the playground can make and use key material of this spec (SM2, ML-DSA,
    /// Ed25519 and ML-KEM keys are not modelled).
    pub fn is_modelled(self) -> bool {
        self.is_symmetric() || self.is_hmac() || self.rsa_bits().is_some() || self.curve().is_some()
    }

    /// The key usages AWS allows for this spec (developer guide, *Key spec reference*).
    pub fn usages(self) -> &'static [KeyUsage] {
        use KeyUsage::*;
        match self {
            KeySpec::SYMMETRIC_DEFAULT => &[ENCRYPT_DECRYPT],
            KeySpec::RSA_2048 | KeySpec::RSA_3072 | KeySpec::RSA_4096 => {
                &[ENCRYPT_DECRYPT, SIGN_VERIFY]
            }
            KeySpec::ECC_NIST_P256 | KeySpec::ECC_NIST_P384 | KeySpec::ECC_NIST_P521 => {
                &[SIGN_VERIFY, KEY_AGREEMENT]
            }
            KeySpec::ECC_SECG_P256K1 => &[SIGN_VERIFY],
            KeySpec::HMAC_224 | KeySpec::HMAC_256 | KeySpec::HMAC_384 | KeySpec::HMAC_512 => {
                &[GENERATE_VERIFY_MAC]
            }
            KeySpec::SM2 => &[ENCRYPT_DECRYPT, SIGN_VERIFY, KEY_AGREEMENT],
            KeySpec::ML_DSA_44 | KeySpec::ML_DSA_65 | KeySpec::ML_DSA_87 => &[SIGN_VERIFY],
            KeySpec::ECC_NIST_EDWARDS25519 => &[SIGN_VERIFY],
            KeySpec::ML_KEM_512 | KeySpec::ML_KEM_768 | KeySpec::ML_KEM_1024 => {
                &[ENCAPSULATE_DECAPSULATE]
            }
        }
    }

    /// The algorithms of a key of this spec and `usage`.
    pub fn algorithms(self, usage: KeyUsage) -> Algorithms {
        use SigningAlgorithm::*;
        let mut a = Algorithms::default();
        match (self, usage) {
            (KeySpec::SYMMETRIC_DEFAULT, _) => {
                a.encryption = Some(vec![EncryptionAlgorithm::SYMMETRIC_DEFAULT])
            }
            (s, KeyUsage::ENCRYPT_DECRYPT) if s.rsa_bits().is_some() => {
                a.encryption = Some(vec![
                    EncryptionAlgorithm::RSAES_OAEP_SHA_1,
                    EncryptionAlgorithm::RSAES_OAEP_SHA_256,
                ])
            }
            (s, KeyUsage::SIGN_VERIFY) if s.rsa_bits().is_some() => {
                a.signing = Some(vec![
                    RSASSA_PKCS1_V1_5_SHA_256,
                    RSASSA_PKCS1_V1_5_SHA_384,
                    RSASSA_PKCS1_V1_5_SHA_512,
                    RSASSA_PSS_SHA_256,
                    RSASSA_PSS_SHA_384,
                    RSASSA_PSS_SHA_512,
                ])
            }
            (KeySpec::ECC_NIST_P256 | KeySpec::ECC_SECG_P256K1, KeyUsage::SIGN_VERIFY) => {
                a.signing = Some(vec![ECDSA_SHA_256])
            }
            (KeySpec::ECC_NIST_P384, KeyUsage::SIGN_VERIFY) => {
                a.signing = Some(vec![ECDSA_SHA_384])
            }
            (KeySpec::ECC_NIST_P521, KeyUsage::SIGN_VERIFY) => {
                a.signing = Some(vec![ECDSA_SHA_512])
            }
            (KeySpec::SM2, KeyUsage::SIGN_VERIFY) => a.signing = Some(vec![SM2DSA]),
            (KeySpec::SM2, KeyUsage::ENCRYPT_DECRYPT) => {
                a.encryption = Some(vec![EncryptionAlgorithm::SM2PKE])
            }
            (KeySpec::ML_DSA_44 | KeySpec::ML_DSA_65 | KeySpec::ML_DSA_87, _) => {
                a.signing = Some(vec![ML_DSA_SHAKE_256])
            }
            (KeySpec::ECC_NIST_EDWARDS25519, _) => {
                a.signing = Some(vec![ED25519_SHA_512, ED25519_PH_SHA_512])
            }
            (_, KeyUsage::KEY_AGREEMENT) => {
                a.key_agreement = Some(vec![KeyAgreementAlgorithm::ECDH])
            }
            (s, KeyUsage::GENERATE_VERIFY_MAC) => a.mac = s.hmac().map(|(_, alg)| vec![alg]),
            (_, KeyUsage::ENCAPSULATE_DECAPSULATE) => {
                a.encapsulation = Some(vec![EncapsulationAlgorithm::ML_KEM])
            }
            _ => {}
        }
        a
    }
}

impl KmsKey {
    pub fn arn(&self) -> &str {
        &self.arn
    }

    pub fn spec(&self) -> KeySpec {
        self.spec
    }

    pub fn state(&self) -> KeyState {
        self.state
    }

    pub fn set_state(&mut self, state: KeyState) {
        self.state = state;
    }

    /// Whether the key has key material it can use.
    pub fn has_material(&self) -> bool {
        match &self.material {
            KeyMaterial::None => false,
            KeyMaterial::Versions(v) => v.last().is_some_and(BackingKey::is_available),
            KeyMaterial::Rsa(_) | KeyMaterial::Ecc(_) => true,
        }
    }

    /// Whether this is a multi-Region replica key.
    pub fn is_replica(&self) -> bool {
        self.multi_region
            .as_ref()
            .is_some_and(|m| m.primary_region != self.region)
    }

    /// The versions of a symmetric or HMAC key.
    pub fn versions(&self) -> &[BackingKey] {
        match &self.material {
            KeyMaterial::Versions(v) => v,
            _ => &[],
        }
    }

    /// The newest key material version and its number (1-based).
    pub fn current_backing(&self) -> Option<(u32, &BackingKey)> {
        let v = self.versions();
        let n = u32::try_from(v.len()).ok()?;
        v.last().map(|b| (n, b))
    }

    /// Key material version `version` (1-based).
    pub fn backing(&self, version: u32) -> Option<&BackingKey> {
        let idx = usize::try_from(version).ok()?.checked_sub(1)?;
        self.versions().get(idx)
    }

    /// `KeyMetadata`, derived from the key's state.
    pub fn metadata(&self) -> KeyMetadata {
        let algorithms = self.spec.algorithms(self.usage);
        let current = self
            .current_backing()
            .map(|(_, b)| b)
            .filter(|b| b.is_available());
        let expiration = if self.origin == Origin::EXTERNAL && self.has_material() {
            match &self.material {
                KeyMaterial::Versions(_) => current.and_then(|b| b.expiration),
                _ => self.asymmetric_expiration,
            }
        } else {
            None
        };
        KeyMetadata {
            aws_account_id: self.account.clone(),
            key_id: self.key_id.clone(),
            arn: self.arn.clone(),
            creation_date: self.creation_date,
            enabled: self.state == KeyState::Enabled,
            description: self.description.clone(),
            key_usage: self.usage,
            key_state: self.state,
            deletion_date: self.deletion_date,
            valid_to: expiration.and_then(|(_, to)| to),
            origin: self.origin,
            custom_key_store_id: None,
            cloud_hsm_cluster_id: None,
            expiration_model: expiration.map(|(m, _)| m),
            key_manager: self.manager,
            customer_master_key_spec: self.spec,
            key_spec: self.spec,
            encryption_algorithms: algorithms.encryption,
            signing_algorithms: algorithms.signing,
            key_agreement_algorithms: algorithms.key_agreement,
            encapsulation_algorithms: algorithms.encapsulation,
            multi_region: self.multi_region.is_some(),
            multi_region_configuration: self.multi_region.as_ref().map(|m| {
                let arn_in = |region: &str| {
                    format!("arn:aws:kms:{region}:{}:key/{}", self.account, self.key_id)
                };
                MultiRegionConfiguration {
                    multi_region_key_type: if m.primary_region == self.region {
                        MultiRegionKeyType::PRIMARY
                    } else {
                        MultiRegionKeyType::REPLICA
                    },
                    primary_key: MultiRegionKey {
                        arn: arn_in(&m.primary_region),
                        region: m.primary_region.clone(),
                    },
                    replica_keys: m
                        .replica_regions
                        .iter()
                        .map(|r| MultiRegionKey {
                            arn: arn_in(r),
                            region: r.clone(),
                        })
                        .collect(),
                }
            }),
            pending_deletion_window_in_days: self.pending_window,
            mac_algorithms: algorithms.mac,
            xks_key_configuration: None,
            current_key_material_id: current
                .filter(|_| self.spec.is_symmetric())
                .map(|b| b.id.clone()),
        }
    }
}
