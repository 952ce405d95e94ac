//! A KMS key: metadata, key policy, key material, rotation.

use super::cloudtrail::Text;
use super::types::{KeyMetadata, KeySpec, KeyState};
use crate::authz::PolicyDocument;
use std::sync::Arc;
use zeroize::Zeroizing;

/// One version of a symmetric key's backing key material. Rotation adds a version; all
/// versions are kept so that old ciphertexts still decrypt (AWS KMS developer guide,
/// *Rotating AWS KMS keys*).
pub(crate) struct BackingKey {
    pub material: Zeroizing<[u8; 32]>,
    /// Epoch seconds when this material was created.
    pub created: u64,
    /// `ON_DEMAND` or `AUTOMATIC` for rotated material; `None` for the original.
    pub rotation_type: Option<&'static str>,
}

/// The secret part of a KMS key. It never leaves KMS.
pub(crate) enum KeyMaterial {
    /// AES-256-GCM backing keys, version 1 first.
    Symmetric(Vec<BackingKey>),
    /// An RSA key pair (`rsa` zeroizes the private key on drop).
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyMaterial::Symmetric(v) => {
                write!(f, "Symmetric(<{} backing key versions redacted>)", v.len())
            }
            KeyMaterial::Rsa(_) => f.write_str("Rsa(<private key redacted>)"),
        }
    }
}

/// A KMS key as KMS holds it.
#[derive(Debug)]
pub(crate) struct KmsKey {
    pub metadata: KeyMetadata,
    /// The key id as the 16 bytes a ciphertext blob names it by.
    pub id_bytes: [u8; 16],
    /// The key ARN, shared with the CloudTrail events and decisions that name it.
    pub arn_text: Text,
    /// The key policy as written (GetKeyPolicy returns it verbatim).
    pub policy_text: String,
    /// The parsed key policy (shared with the decisions made under it, so they can be
    /// explained later).
    pub policy: Arc<PolicyDocument>,
    pub material: KeyMaterial,
    /// Automatic rotation period in days, when automatic rotation is enabled.
    pub rotation_period_days: Option<u32>,
    /// Epoch seconds of the next automatic rotation.
    pub next_rotation: Option<u64>,
    /// The state the key was in before ScheduleKeyDeletion (CancelKeyDeletion restores
    /// `Disabled`, whatever it was, as AWS does).
    pub deletion_date: Option<u64>,
}

impl KmsKey {
    pub fn arn(&self) -> &str {
        &self.metadata.arn
    }
    pub fn spec(&self) -> KeySpec {
        self.metadata.key_spec
    }
    pub fn state(&self) -> KeyState {
        self.metadata.key_state
    }
    pub fn set_state(&mut self, state: KeyState) {
        self.metadata.key_state = state;
        self.metadata.enabled = state == KeyState::Enabled;
    }
    /// The newest backing key and its version number.
    pub fn current_backing(&self) -> Option<(u32, &BackingKey)> {
        match &self.material {
            KeyMaterial::Symmetric(v) => {
                let n = u32::try_from(v.len()).ok()?;
                v.last().map(|b| (n, b))
            }
            KeyMaterial::Rsa(_) => None,
        }
    }
    /// Backing key `version` (1-based).
    pub fn backing(&self, version: u32) -> Option<&BackingKey> {
        match &self.material {
            KeyMaterial::Symmetric(v) => {
                let idx = usize::try_from(version).ok()?.checked_sub(1)?;
                v.get(idx)
            }
            KeyMaterial::Rsa(_) => None,
        }
    }
}
