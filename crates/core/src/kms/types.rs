//! Requests and responses of the AWS KMS API, with AWS's field names.
//!
//! Shapes follow the AWS KMS API reference (one struct per `...Request` / `...Response`).
//! Unknown fields are rejected (`deny_unknown_fields`) so a typo in a scenario is reported
//! instead of silently ignored; binary fields are base64 ([`Bytes`], [`Secret`]).

use crate::context::EncryptionContext;
use crate::wire::{Bytes, Secret};
use serde::{Deserialize, Serialize};

/// `KeySpec` of a KMS key. The playground models symmetric AES-256-GCM keys and RSA
/// encryption keys; the other AWS key specs (ECC, HMAC, SM2, ML-DSA) are refused with a
/// clear `ValidationException`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[allow(non_camel_case_types, missing_docs)]
pub enum KeySpec {
    #[default]
    SYMMETRIC_DEFAULT,
    RSA_2048,
    RSA_3072,
    RSA_4096,
}

impl KeySpec {
    /// Whether this is the symmetric AES-256-GCM spec.
    pub fn is_symmetric(self) -> bool {
        self == KeySpec::SYMMETRIC_DEFAULT
    }
    /// RSA modulus size in bits, for RSA specs.
    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            KeySpec::SYMMETRIC_DEFAULT => None,
            KeySpec::RSA_2048 => Some(2048),
            KeySpec::RSA_3072 => Some(3072),
            KeySpec::RSA_4096 => Some(4096),
        }
    }
    /// The AWS name.
    pub fn name(self) -> &'static str {
        match self {
            KeySpec::SYMMETRIC_DEFAULT => "SYMMETRIC_DEFAULT",
            KeySpec::RSA_2048 => "RSA_2048",
            KeySpec::RSA_3072 => "RSA_3072",
            KeySpec::RSA_4096 => "RSA_4096",
        }
    }
    /// The encryption algorithms AWS lists for the spec in `KeyMetadata.EncryptionAlgorithms`.
    pub fn encryption_algorithms(self) -> Vec<EncryptionAlgorithm> {
        if self.is_symmetric() {
            vec![EncryptionAlgorithm::SYMMETRIC_DEFAULT]
        } else {
            vec![
                EncryptionAlgorithm::RSAES_OAEP_SHA_1,
                EncryptionAlgorithm::RSAES_OAEP_SHA_256,
            ]
        }
    }
}

/// `KeyUsage`. Only `ENCRYPT_DECRYPT` is modelled (the usage WorkMail and SES need).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[allow(non_camel_case_types, missing_docs)]
pub enum KeyUsage {
    #[default]
    ENCRYPT_DECRYPT,
    SIGN_VERIFY,
    GENERATE_VERIFY_MAC,
    KEY_AGREEMENT,
}

/// `EncryptionAlgorithm` of Encrypt / Decrypt / ReEncrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_camel_case_types, missing_docs)]
pub enum EncryptionAlgorithm {
    SYMMETRIC_DEFAULT,
    RSAES_OAEP_SHA_1,
    RSAES_OAEP_SHA_256,
}

impl EncryptionAlgorithm {
    /// The AWS name.
    pub fn name(self) -> &'static str {
        match self {
            EncryptionAlgorithm::SYMMETRIC_DEFAULT => "SYMMETRIC_DEFAULT",
            EncryptionAlgorithm::RSAES_OAEP_SHA_1 => "RSAES_OAEP_SHA_1",
            EncryptionAlgorithm::RSAES_OAEP_SHA_256 => "RSAES_OAEP_SHA_256",
        }
    }
}

/// `KeyState`. AWS also has Creating, PendingImport, PendingReplicaDeletion, Unavailable and
/// Updating, which need features (imports, multi-Region, custom key stores) not modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum KeyState {
    Enabled,
    Disabled,
    PendingDeletion,
}

impl KeyState {
    /// The AWS name.
    pub fn name(self) -> &'static str {
        match self {
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
        }
    }
}

/// `Origin`: where a key's material comes from (API reference, *CreateKey*, `Origin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[allow(non_camel_case_types)]
pub enum Origin {
    /// KMS made the key material.
    #[default]
    AWS_KMS,
    /// Imported key material.
    EXTERNAL,
    /// A CloudHSM key store (not modelled).
    AWS_CLOUDHSM,
    /// An external key store (not modelled).
    EXTERNAL_KEY_STORE,
}

impl Origin {
    /// The AWS name.
    pub fn name(self) -> &'static str {
        match self {
            Origin::AWS_KMS => "AWS_KMS",
            Origin::EXTERNAL => "EXTERNAL",
            Origin::AWS_CLOUDHSM => "AWS_CLOUDHSM",
            Origin::EXTERNAL_KEY_STORE => "EXTERNAL_KEY_STORE",
        }
    }
}

/// `KeyManager`: who manages the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum KeyManager {
    /// A customer managed key.
    CUSTOMER,
    /// An AWS managed key (`alias/aws/<service>`), created by the service, policy immutable.
    AWS,
}

/// `KeyMetadata` as DescribeKey and CreateKey return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct KeyMetadata {
    #[serde(rename = "AWSAccountId")]
    pub aws_account_id: String,
    pub key_id: String,
    pub arn: String,
    /// Seconds since the epoch (AWS JSON 1.1 timestamps are epoch seconds).
    pub creation_date: u64,
    pub enabled: bool,
    pub description: String,
    pub key_usage: KeyUsage,
    pub key_state: KeyState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_deletion_window_in_days: Option<u32>,
    pub origin: Origin,
    pub key_manager: KeyManager,
    /// Deprecated twin of `KeySpec`, still returned by AWS.
    pub customer_master_key_spec: KeySpec,
    pub key_spec: KeySpec,
    pub encryption_algorithms: Vec<EncryptionAlgorithm>,
    pub multi_region: bool,
}

pub use crate::authz::GrantConstraints;

macro_rules! request {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        #[allow(missing_docs)]
        pub struct $name { $($(#[$fm])* #[serde(default, skip_serializing_if = "is_default")] pub $field: $ty),* }
    };
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

request!(
    /// CreateKey.
    CreateKeyRequest {
        description: Option<String>,
        key_usage: Option<KeyUsage>,
        key_spec: Option<KeySpec>,
        customer_master_key_spec: Option<KeySpec>,
        policy: Option<String>,
        bypass_policy_lockout_safety_check: bool,
        origin: Option<Origin>,
        multi_region: Option<bool>,
        tags: Option<Vec<serde_json::Value>>,
    }
);
request!(
    /// DescribeKey.
    DescribeKeyRequest { key_id: String, grant_tokens: Vec<String> }
);
request!(
    /// ListKeys.
    ListKeysRequest { limit: Option<u32>, marker: Option<String> }
);
request!(
    /// CreateAlias.
    CreateAliasRequest { alias_name: String, target_key_id: String }
);
request!(
    /// DeleteAlias.
    DeleteAliasRequest { alias_name: String }
);
request!(
    /// ListAliases.
    ListAliasesRequest { key_id: Option<String>, limit: Option<u32>, marker: Option<String> }
);
request!(
    /// Encrypt.
    EncryptRequest {
        key_id: String,
        plaintext: Secret,
        encryption_context: Option<EncryptionContext>,
        grant_tokens: Vec<String>,
        encryption_algorithm: Option<EncryptionAlgorithm>,
        dry_run: bool,
    }
);
request!(
    /// Decrypt.
    DecryptRequest {
        ciphertext_blob: Bytes,
        encryption_context: Option<EncryptionContext>,
        grant_tokens: Vec<String>,
        key_id: Option<String>,
        encryption_algorithm: Option<EncryptionAlgorithm>,
        dry_run: bool,
    }
);
request!(
    /// GenerateDataKey and GenerateDataKeyWithoutPlaintext.
    GenerateDataKeyRequest {
        key_id: String,
        encryption_context: Option<EncryptionContext>,
        number_of_bytes: Option<u32>,
        key_spec: Option<DataKeySpec>,
        grant_tokens: Vec<String>,
        dry_run: bool,
    }
);
request!(
    /// ReEncrypt.
    ReEncryptRequest {
        ciphertext_blob: Bytes,
        source_encryption_context: Option<EncryptionContext>,
        source_key_id: Option<String>,
        destination_key_id: String,
        destination_encryption_context: Option<EncryptionContext>,
        source_encryption_algorithm: Option<EncryptionAlgorithm>,
        destination_encryption_algorithm: Option<EncryptionAlgorithm>,
        grant_tokens: Vec<String>,
        dry_run: bool,
    }
);
request!(
    /// EnableKey, DisableKey, CancelKeyDeletion, DisableKeyRotation, GetKeyRotationStatus,
    /// RotateKeyOnDemand, ListKeyRotations: operations that take only a key id.
    KeyIdRequest { key_id: String }
);
request!(
    /// ScheduleKeyDeletion.
    ScheduleKeyDeletionRequest { key_id: String, pending_window_in_days: Option<u32> }
);
request!(
    /// EnableKeyRotation.
    EnableKeyRotationRequest { key_id: String, rotation_period_in_days: Option<u32> }
);
request!(
    /// GetKeyPolicy.
    GetKeyPolicyRequest { key_id: String, policy_name: Option<String> }
);
request!(
    /// PutKeyPolicy.
    PutKeyPolicyRequest {
        key_id: String,
        policy_name: Option<String>,
        policy: String,
        bypass_policy_lockout_safety_check: bool,
    }
);
request!(
    /// CreateGrant.
    CreateGrantRequest {
        key_id: String,
        grantee_principal: String,
        retiring_principal: Option<String>,
        operations: Vec<String>,
        constraints: Option<GrantConstraints>,
        grant_tokens: Vec<String>,
        name: Option<String>,
        dry_run: bool,
    }
);
request!(
    /// ListGrants.
    ListGrantsRequest {
        key_id: String,
        grant_id: Option<String>,
        grantee_principal: Option<String>,
        limit: Option<u32>,
        marker: Option<String>,
    }
);
request!(
    /// RetireGrant.
    RetireGrantRequest { grant_token: Option<String>, key_id: Option<String>, grant_id: Option<String>, dry_run: bool }
);
request!(
    /// RevokeGrant.
    RevokeGrantRequest { key_id: String, grant_id: String, dry_run: bool }
);

/// `KeySpec` of GenerateDataKey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_camel_case_types, missing_docs)]
pub enum DataKeySpec {
    AES_256,
    AES_128,
}

/// A response with no members (AWS returns `{}`), e.g. EnableKey.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Empty {}

/// CreateKey and DescribeKey response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct KeyMetadataResponse {
    pub key_metadata: KeyMetadata,
}

/// One entry of ListKeys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct KeyListEntry {
    pub key_id: String,
    pub key_arn: String,
}

/// ListKeys response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ListKeysResponse {
    pub keys: Vec<KeyListEntry>,
    pub truncated: bool,
}

/// One entry of ListAliases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct AliasListEntry {
    pub alias_name: String,
    pub alias_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<u64>,
}

/// ListAliases response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ListAliasesResponse {
    pub aliases: Vec<AliasListEntry>,
    pub truncated: bool,
}

/// Encrypt response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct EncryptResponse {
    pub ciphertext_blob: Bytes,
    pub key_id: String,
    pub encryption_algorithm: EncryptionAlgorithm,
}

/// Decrypt response. `Plaintext` is secret: shown only in the step where it exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct DecryptResponse {
    pub key_id: String,
    pub plaintext: Secret,
    pub encryption_algorithm: EncryptionAlgorithm,
}

/// GenerateDataKey response (and, without `Plaintext`, GenerateDataKeyWithoutPlaintext).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GenerateDataKeyResponse {
    pub ciphertext_blob: Bytes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<Secret>,
    pub key_id: String,
}

/// ReEncrypt response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ReEncryptResponse {
    pub ciphertext_blob: Bytes,
    pub source_key_id: String,
    pub key_id: String,
    pub source_encryption_algorithm: EncryptionAlgorithm,
    pub destination_encryption_algorithm: EncryptionAlgorithm,
}

/// ScheduleKeyDeletion response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ScheduleKeyDeletionResponse {
    pub key_id: String,
    pub deletion_date: u64,
    pub key_state: KeyState,
    pub pending_window_in_days: u32,
}

/// Responses that carry only the key ARN (CancelKeyDeletion, RotateKeyOnDemand).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct KeyIdResponse {
    pub key_id: String,
}

/// GetKeyRotationStatus response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct KeyRotationStatusResponse {
    pub key_rotation_enabled: bool,
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_period_in_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_rotation_date: Option<u64>,
}

/// One entry of ListKeyRotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct RotationEntry {
    pub key_id: String,
    pub rotation_date: u64,
    pub rotation_type: String,
}

/// ListKeyRotations response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ListKeyRotationsResponse {
    pub rotations: Vec<RotationEntry>,
    pub truncated: bool,
}

/// GetKeyPolicy response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GetKeyPolicyResponse {
    pub policy: String,
    pub policy_name: String,
}

/// CreateGrant response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct CreateGrantResponse {
    pub grant_token: String,
    pub grant_id: String,
}

/// One grant as ListGrants returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GrantListEntry {
    pub key_id: String,
    pub grant_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub creation_date: u64,
    pub grantee_principal: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    pub issuing_account: String,
    pub operations: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraints>,
}

/// ListGrants response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ListGrantsResponse {
    pub grants: Vec<GrantListEntry>,
    pub truncated: bool,
}
