//! Requests and responses of the AWS KMS API, with AWS's member names.
//!
//! One struct per `...Request` / `...Response` shape of the service model
//! (`crates/core/model/kms-2014-11-01.json`); a test checks each struct has exactly the
//! members the model gives it. Blobs are base64 in JSON ([`Bytes`]); blobs the model marks
//! sensitive (plaintexts, data keys, messages to sign or MAC) are [`Secret`]s, which
//! zeroize on drop and serialize in clear only where an edge asks. Requests reject members
//! they do not have (`deny_unknown_fields`) so a typo in a scenario is reported; the wire
//! edge removes members the model does not know first, as AWS ignores them.

pub use crate::authz::GrantConstraints;
use crate::context::EncryptionContext;
use crate::wire::{Bytes, Secret};
use serde::{Deserialize, Serialize};

/// An enum of the model, its variants spelled as AWS spells them.
macro_rules! aws_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
        #[allow(non_camel_case_types, missing_docs)]
        pub enum $name {
            #[default]
            $($(#[$vm])* $variant),*
        }

        impl $name {
            /// Every value, in the model's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The AWS name.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => stringify!($variant)),* }
            }

            /// The value called `name`.
            pub fn from_name(name: &str) -> Option<$name> {
                match name { $(stringify!($variant) => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

aws_enum!(
    /// `KeySpec` (and the deprecated `CustomerMasterKeySpec`): the kind of key material.
    KeySpec {
        SYMMETRIC_DEFAULT, RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384,
        ECC_NIST_P521, ECC_SECG_P256K1, HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2,
        ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519, ML_KEM_512, ML_KEM_768,
        ML_KEM_1024,
    }
);
aws_enum!(
    /// `KeyUsage`: what a key is for.
    KeyUsage { ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE }
);
aws_enum!(
    /// `KeyState` (developer guide, *Key states of AWS KMS keys*).
    KeyState { Enabled, Creating, Disabled, PendingDeletion, PendingImport, PendingReplicaDeletion, Unavailable, Updating }
);
aws_enum!(
    /// `EncryptionAlgorithm` of Encrypt, Decrypt and ReEncrypt.
    EncryptionAlgorithm { SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE }
);
aws_enum!(
    /// `SigningAlgorithm` of Sign and Verify.
    SigningAlgorithm {
        RSASSA_PSS_SHA_256, RSASSA_PSS_SHA_384, RSASSA_PSS_SHA_512, RSASSA_PKCS1_V1_5_SHA_256,
        RSASSA_PKCS1_V1_5_SHA_384, RSASSA_PKCS1_V1_5_SHA_512, ECDSA_SHA_256, ECDSA_SHA_384,
        ECDSA_SHA_512, SM2DSA, ML_DSA_SHAKE_256, ED25519_SHA_512, ED25519_PH_SHA_512,
    }
);
aws_enum!(
    /// `MacAlgorithm` of GenerateMac and VerifyMac.
    MacAlgorithm { HMAC_SHA_224, HMAC_SHA_256, HMAC_SHA_384, HMAC_SHA_512 }
);
aws_enum!(
    /// `KeyAgreementAlgorithm` of DeriveSharedSecret.
    KeyAgreementAlgorithm { ECDH }
);
aws_enum!(
    /// `EncapsulationAlgorithm` of Encapsulate and Decapsulate.
    EncapsulationAlgorithm { ML_KEM }
);
aws_enum!(
    /// `KeyPairSpec` of GenerateDataKeyPair.
    DataKeyPairSpec {
        RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521,
        ECC_SECG_P256K1, SM2, ECC_NIST_EDWARDS25519, ML_KEM_512, ML_KEM_768, ML_KEM_1024,
    }
);
aws_enum!(
    /// `KeySpec` of GenerateDataKey.
    DataKeySpec { AES_256, AES_128 }
);
aws_enum!(
    /// `Origin`: where a key's material comes from.
    Origin { AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE }
);
aws_enum!(
    /// `ExpirationModel` of imported key material.
    ExpirationModel { KEY_MATERIAL_EXPIRES, KEY_MATERIAL_DOES_NOT_EXPIRE }
);
aws_enum!(
    /// `MultiRegionKeyType`.
    MultiRegionKeyType { PRIMARY, REPLICA }
);
aws_enum!(
    /// `WrappingAlgorithm` of GetParametersForImport.
    WrappingAlgorithm { RSAES_PKCS1_V1_5, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, SM2PKE }
);
aws_enum!(
    /// `WrappingKeySpec` of GetParametersForImport.
    WrappingKeySpec { RSA_2048, RSA_3072, RSA_4096, SM2 }
);
aws_enum!(
    /// `ImportType` of ImportKeyMaterial.
    ImportType { NEW_KEY_MATERIAL, EXISTING_KEY_MATERIAL }
);
aws_enum!(
    /// `KeyMaterialState` of a rotation entry.
    KeyMaterialState { CURRENT, NON_CURRENT, PENDING_ROTATION, PENDING_MULTI_REGION_IMPORT_AND_ROTATION }
);
aws_enum!(
    /// `ImportState` of a rotation entry.
    ImportState { IMPORTED, PENDING_IMPORT }
);
aws_enum!(
    /// `RotationType`.
    RotationType { AUTOMATIC, ON_DEMAND }
);
aws_enum!(
    /// `IncludeKeyMaterial` of ListKeyRotations.
    IncludeKeyMaterial { ROTATIONS_ONLY, ALL_KEY_MATERIAL }
);
aws_enum!(
    /// `MessageType` of Sign and Verify.
    MessageType { RAW, DIGEST, EXTERNAL_MU }
);
aws_enum!(
    /// `KeyManager`: who manages the key.
    KeyManager { CUSTOMER, AWS }
);
aws_enum!(
    /// An operation a grant allows (`CreateGrant.Operations`).
    GrantOperation {
        Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncryptFrom,
        ReEncryptTo, Sign, Verify, GetPublicKey, CreateGrant, RetireGrant, DescribeKey,
        GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, GenerateMac, VerifyMac,
        DeriveSharedSecret, Encapsulate, Decapsulate,
    }
);
aws_enum!(
    /// `KeyEncryptionAlgorithm` of a Nitro enclave `Recipient`.
    KeyEncryptionMechanism { RSAES_OAEP_SHA_256 }
);
aws_enum!(
    /// `DryRunModifiers`.
    DryRunModifier { IGNORE_CIPHERTEXT }
);
aws_enum!(
    /// The operation of `KeyLastUsage`.
    KeyLastUsageOperation {
        Decrypt, DeriveSharedSecret, Encrypt, GenerateDataKey, GenerateDataKeyPair,
        GenerateDataKeyPairWithoutPlaintext, GenerateDataKeyWithoutPlaintext, GenerateMac,
        ReEncrypt, Sign, Verify, VerifyMac, Encapsulate, Decapsulate,
    }
);
aws_enum!(
    /// `ResourceOwners` of ListKeys.
    ResourceOwner { SELF, OTHER_ACCOUNTS_VIA_RAM }
);

/// A tag (`TagKey`, `TagValue`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Tag {
    /// The key.
    pub tag_key: String,
    /// The value.
    pub tag_value: String,
}

/// `Recipient`: a Nitro enclave's attestation, for responses encrypted to the enclave.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RecipientInfo {
    /// The key encryption algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_encryption_algorithm: Option<KeyEncryptionMechanism>,
    /// The attestation document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation_document: Option<Bytes>,
}

/// `MultiRegionKey`: one key of a multi-Region set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MultiRegionKey {
    /// Its ARN.
    pub arn: String,
    /// Its Region.
    pub region: String,
}

/// `MultiRegionConfiguration` of a multi-Region key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MultiRegionConfiguration {
    /// `PRIMARY` or `REPLICA`.
    pub multi_region_key_type: MultiRegionKeyType,
    /// The primary key.
    pub primary_key: MultiRegionKey,
    /// The replicas.
    pub replica_keys: Vec<MultiRegionKey>,
}

/// `XksKeyConfiguration` (external key stores: not modelled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct XksKeyConfigurationType {
    /// The external key id.
    pub id: String,
}

/// `KeyMetadata`, as DescribeKey, CreateKey and ReplicateKey return it. Members that do
/// not apply to a key are absent, as AWS leaves them out.
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<u64>,
    pub origin: Origin,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_key_store_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_hsm_cluster_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_model: Option<ExpirationModel>,
    pub key_manager: KeyManager,
    /// Deprecated twin of `KeySpec`, still returned by AWS.
    pub customer_master_key_spec: KeySpec,
    pub key_spec: KeySpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_algorithms: Option<Vec<EncryptionAlgorithm>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_algorithms: Option<Vec<SigningAlgorithm>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_agreement_algorithms: Option<Vec<KeyAgreementAlgorithm>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encapsulation_algorithms: Option<Vec<EncapsulationAlgorithm>>,
    pub multi_region: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_region_configuration: Option<MultiRegionConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_deletion_window_in_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_algorithms: Option<Vec<MacAlgorithm>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xks_key_configuration: Option<XksKeyConfigurationType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_key_material_id: Option<String>,
}

macro_rules! request {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        #[allow(missing_docs)]
        pub struct $name { $($(#[$fm])* #[serde(default, skip_serializing_if = "is_default")] pub $field: $ty),* }
    };
}

macro_rules! response {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        #[allow(missing_docs)]
        pub struct $name { $($(#[$fm])* pub $field: $ty),* }
    };
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

// ---- keys ------------------------------------------------------------------------------

request!(
    /// CreateKey.
    CreateKeyRequest {
        policy: Option<String>,
        description: Option<String>,
        key_usage: Option<KeyUsage>,
        customer_master_key_spec: Option<KeySpec>,
        key_spec: Option<KeySpec>,
        origin: Option<Origin>,
        custom_key_store_id: Option<String>,
        bypass_policy_lockout_safety_check: bool,
        tags: Option<Vec<Tag>>,
        multi_region: Option<bool>,
        xks_key_id: Option<String>,
    }
);
request!(
    /// DescribeKey.
    DescribeKeyRequest { key_id: String, grant_tokens: Vec<String> }
);
request!(
    /// ListKeys.
    ListKeysRequest { limit: Option<u32>, marker: Option<String>, resource_owners: Option<Vec<ResourceOwner>> }
);
request!(
    /// Operations that take only a key id: EnableKey, DisableKey, CancelKeyDeletion,
    /// DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, GetKeyLastUsage.
    KeyIdRequest { key_id: String }
);
request!(
    /// ScheduleKeyDeletion.
    ScheduleKeyDeletionRequest { key_id: String, pending_window_in_days: Option<u32> }
);
request!(
    /// UpdateKeyDescription.
    UpdateKeyDescriptionRequest { key_id: String, description: String }
);

response!(
    /// CreateKey and DescribeKey response.
    KeyMetadataResponse { key_metadata: KeyMetadata }
);

/// One entry of ListKeys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct KeyListEntry {
    pub key_id: String,
    pub key_arn: String,
}

/// A page of a list operation: `Truncated`, and `NextMarker` when it is.
macro_rules! page {
    ($(#[$m:meta])* $name:ident { $field:ident : $ty:ty }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        #[allow(missing_docs)]
        pub struct $name {
            pub $field: Vec<$ty>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub next_marker: Option<String>,
            pub truncated: bool,
        }
    };
}

page!(
    /// ListKeys response.
    ListKeysResponse { keys: KeyListEntry }
);
response!(
    /// Responses that carry only the key ARN (CancelKeyDeletion, RotateKeyOnDemand).
    KeyIdResponse { key_id: String }
);
/// ScheduleKeyDeletion response (no `DeletionDate` while a primary key waits for its
/// replicas to be deleted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ScheduleKeyDeletionResponse {
    pub key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<u64>,
    pub key_state: KeyState,
    pub pending_window_in_days: u32,
}

/// `KeyLastUsage`: the last cryptographic use of a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct KeyLastUsageData {
    pub operation: KeyLastUsageOperation,
    pub timestamp: u64,
    pub cloud_trail_event_id: String,
    pub kms_request_id: String,
}

/// GetKeyLastUsage response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GetKeyLastUsageResponse {
    pub key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_last_usage: Option<KeyLastUsageData>,
    pub tracking_start_date: u64,
    pub key_creation_date: u64,
}

// ---- aliases ---------------------------------------------------------------------------

request!(
    /// CreateAlias and UpdateAlias.
    AliasRequest { alias_name: String, target_key_id: String }
);
request!(
    /// DeleteAlias.
    DeleteAliasRequest { alias_name: String }
);
request!(
    /// ListAliases.
    ListAliasesRequest { key_id: Option<String>, limit: Option<u32>, marker: Option<String> }
);

/// One entry of ListAliases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct AliasListEntry {
    pub alias_name: String,
    pub alias_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_date: Option<u64>,
}

page!(
    /// ListAliases response.
    ListAliasesResponse { aliases: AliasListEntry }
);

// ---- symmetric cryptography -------------------------------------------------------------

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
        recipient: Option<RecipientInfo>,
        dry_run: bool,
        dry_run_modifiers: Option<Vec<DryRunModifier>>,
    }
);
request!(
    /// GenerateDataKey.
    GenerateDataKeyRequest {
        key_id: String,
        encryption_context: Option<EncryptionContext>,
        number_of_bytes: Option<u32>,
        key_spec: Option<DataKeySpec>,
        grant_tokens: Vec<String>,
        recipient: Option<RecipientInfo>,
        dry_run: bool,
    }
);
request!(
    /// GenerateDataKeyWithoutPlaintext.
    GenerateDataKeyWithoutPlaintextRequest {
        key_id: String,
        encryption_context: Option<EncryptionContext>,
        key_spec: Option<DataKeySpec>,
        number_of_bytes: Option<u32>,
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
        dry_run_modifiers: Option<Vec<DryRunModifier>>,
    }
);
request!(
    /// GenerateRandom.
    GenerateRandomRequest { number_of_bytes: Option<u32>, custom_key_store_id: Option<String>, recipient: Option<RecipientInfo> }
);

response!(
    /// Encrypt response.
    EncryptResponse { ciphertext_blob: Bytes, key_id: String, encryption_algorithm: EncryptionAlgorithm }
);

/// Decrypt response. `Plaintext` is secret: shown only in the step where it exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct DecryptResponse {
    pub key_id: String,
    pub plaintext: Secret,
    pub encryption_algorithm: EncryptionAlgorithm,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext_for_recipient: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}

/// GenerateDataKey response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GenerateDataKeyResponse {
    pub ciphertext_blob: Bytes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<Secret>,
    pub key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext_for_recipient: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}

/// GenerateDataKeyWithoutPlaintext response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GenerateDataKeyWithoutPlaintextResponse {
    pub ciphertext_blob: Bytes,
    pub key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_key_material_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_key_material_id: Option<String>,
}

/// GenerateRandom response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GenerateRandomResponse {
    pub plaintext: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext_for_recipient: Option<Bytes>,
}

// ---- asymmetric and HMAC keys ------------------------------------------------------------

request!(
    /// GetPublicKey.
    GetPublicKeyRequest { key_id: String, grant_tokens: Vec<String> }
);
request!(
    /// Sign.
    SignRequest {
        key_id: String,
        message: Secret,
        message_type: Option<MessageType>,
        grant_tokens: Vec<String>,
        signing_algorithm: SigningAlgorithm,
        dry_run: bool,
    }
);
request!(
    /// Verify.
    VerifyRequest {
        key_id: String,
        message: Secret,
        message_type: Option<MessageType>,
        signature: Bytes,
        signing_algorithm: SigningAlgorithm,
        grant_tokens: Vec<String>,
        dry_run: bool,
    }
);
request!(
    /// GenerateMac.
    GenerateMacRequest { message: Secret, key_id: String, mac_algorithm: MacAlgorithm, grant_tokens: Vec<String>, dry_run: bool }
);
request!(
    /// VerifyMac.
    VerifyMacRequest {
        message: Secret,
        key_id: String,
        mac_algorithm: MacAlgorithm,
        mac: Bytes,
        grant_tokens: Vec<String>,
        dry_run: bool,
    }
);
request!(
    /// GenerateDataKeyPair.
    GenerateDataKeyPairRequest {
        encryption_context: Option<EncryptionContext>,
        key_id: String,
        key_pair_spec: DataKeyPairSpec,
        grant_tokens: Vec<String>,
        recipient: Option<RecipientInfo>,
        dry_run: bool,
    }
);
request!(
    /// GenerateDataKeyPairWithoutPlaintext.
    GenerateDataKeyPairWithoutPlaintextRequest {
        encryption_context: Option<EncryptionContext>,
        key_id: String,
        key_pair_spec: DataKeyPairSpec,
        grant_tokens: Vec<String>,
        dry_run: bool,
    }
);
request!(
    /// DeriveSharedSecret.
    DeriveSharedSecretRequest {
        key_id: String,
        key_agreement_algorithm: KeyAgreementAlgorithm,
        public_key: Bytes,
        grant_tokens: Vec<String>,
        dry_run: bool,
        recipient: Option<RecipientInfo>,
    }
);
request!(
    /// Encapsulate.
    EncapsulateRequest { key_id: String, encapsulation_algorithm: EncapsulationAlgorithm, grant_tokens: Vec<String>, dry_run: bool }
);
request!(
    /// Decapsulate.
    DecapsulateRequest {
        key_id: String,
        shared_secret_ciphertext_blob: Bytes,
        encapsulation_algorithm: EncapsulationAlgorithm,
        grant_tokens: Vec<String>,
        dry_run: bool,
    }
);

/// GetPublicKey response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GetPublicKeyResponse {
    pub key_id: String,
    pub public_key: Bytes,
    pub customer_master_key_spec: KeySpec,
    pub key_spec: KeySpec,
    pub key_usage: KeyUsage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_algorithms: Option<Vec<EncryptionAlgorithm>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_algorithms: Option<Vec<SigningAlgorithm>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_agreement_algorithms: Option<Vec<KeyAgreementAlgorithm>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encapsulation_algorithms: Option<Vec<EncapsulationAlgorithm>>,
}

response!(
    /// Sign response.
    SignResponse { key_id: String, signature: Bytes, signing_algorithm: SigningAlgorithm }
);
response!(
    /// Verify response.
    VerifyResponse { key_id: String, signature_valid: bool, signing_algorithm: SigningAlgorithm }
);
response!(
    /// GenerateMac response.
    GenerateMacResponse { mac: Bytes, mac_algorithm: MacAlgorithm, key_id: String }
);
response!(
    /// VerifyMac response.
    VerifyMacResponse { key_id: String, mac_valid: bool, mac_algorithm: MacAlgorithm }
);

/// GenerateDataKeyPair response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GenerateDataKeyPairResponse {
    pub private_key_ciphertext_blob: Bytes,
    pub private_key_plaintext: Secret,
    pub public_key: Bytes,
    pub key_id: String,
    pub key_pair_spec: DataKeyPairSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext_for_recipient: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}

/// GenerateDataKeyPairWithoutPlaintext response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GenerateDataKeyPairWithoutPlaintextResponse {
    pub private_key_ciphertext_blob: Bytes,
    pub public_key: Bytes,
    pub key_id: String,
    pub key_pair_spec: DataKeyPairSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}

/// DeriveSharedSecret response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct DeriveSharedSecretResponse {
    pub key_id: String,
    pub shared_secret: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext_for_recipient: Option<Bytes>,
    pub key_agreement_algorithm: KeyAgreementAlgorithm,
    pub key_origin: Origin,
}

response!(
    /// Encapsulate response.
    EncapsulateResponse { key_id: String, shared_secret: Secret, shared_secret_ciphertext_blob: Bytes, encapsulation_algorithm: EncapsulationAlgorithm }
);
response!(
    /// Decapsulate response.
    DecapsulateResponse { key_id: String, shared_secret: Secret, encapsulation_algorithm: EncapsulationAlgorithm }
);

// ---- rotation --------------------------------------------------------------------------

request!(
    /// EnableKeyRotation.
    EnableKeyRotationRequest { key_id: String, rotation_period_in_days: Option<u32> }
);
request!(
    /// ListKeyRotations.
    ListKeyRotationsRequest { key_id: String, include_key_material: Option<IncludeKeyMaterial>, limit: Option<u32>, marker: Option<String> }
);

/// GetKeyRotationStatus response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct KeyRotationStatusResponse {
    pub key_rotation_enabled: bool,
    pub key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_period_in_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_rotation_date: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_demand_rotation_start_date: Option<u64>,
}

/// One entry of ListKeyRotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct RotationEntry {
    pub key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_material_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_state: Option<ImportState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_material_state: Option<KeyMaterialState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_model: Option<ExpirationModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_date: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_type: Option<RotationType>,
}

page!(
    /// ListKeyRotations response.
    ListKeyRotationsResponse { rotations: RotationEntry }
);

// ---- key policies ----------------------------------------------------------------------

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
    /// ListKeyPolicies.
    ListKeyPoliciesRequest { key_id: String, limit: Option<u32>, marker: Option<String> }
);

response!(
    /// GetKeyPolicy response.
    GetKeyPolicyResponse { policy: String, policy_name: String }
);
page!(
    /// ListKeyPolicies response.
    ListKeyPoliciesResponse { policy_names: String }
);

// ---- grants ----------------------------------------------------------------------------

request!(
    /// CreateGrant.
    CreateGrantRequest {
        key_id: String,
        grantee_principal: Option<String>,
        retiring_principal: Option<String>,
        operations: Vec<GrantOperation>,
        constraints: Option<GrantConstraints>,
        grant_tokens: Vec<String>,
        name: Option<String>,
        dry_run: bool,
        grantee_service_principal: Option<String>,
        retiring_service_principal: Option<String>,
    }
);
request!(
    /// ListGrants.
    ListGrantsRequest {
        limit: Option<u32>,
        marker: Option<String>,
        key_id: String,
        grant_id: Option<String>,
        grantee_principal: Option<String>,
        grantee_service_principal: Option<String>,
    }
);
request!(
    /// ListRetirableGrants.
    ListRetirableGrantsRequest {
        limit: Option<u32>,
        marker: Option<String>,
        retiring_principal: Option<String>,
        retiring_service_principal: Option<String>,
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

response!(
    /// CreateGrant response.
    CreateGrantResponse { grant_token: String, grant_id: String }
);

/// One grant as ListGrants returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GrantListEntry {
    pub key_id: String,
    pub grant_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub creation_date: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grantee_principal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    pub issuing_account: String,
    pub operations: Vec<GrantOperation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraints>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grantee_service_principal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_service_principal: Option<String>,
}

page!(
    /// ListGrants and ListRetirableGrants response.
    ListGrantsResponse { grants: GrantListEntry }
);

// ---- tags ------------------------------------------------------------------------------

request!(
    /// TagResource.
    TagResourceRequest { key_id: String, tags: Vec<Tag> }
);
request!(
    /// UntagResource.
    UntagResourceRequest { key_id: String, tag_keys: Vec<String> }
);
request!(
    /// ListResourceTags.
    ListResourceTagsRequest { key_id: String, limit: Option<u32>, marker: Option<String> }
);
page!(
    /// ListResourceTags response.
    ListResourceTagsResponse { tags: Tag }
);

// ---- imported key material -------------------------------------------------------------

request!(
    /// GetParametersForImport.
    GetParametersForImportRequest { key_id: String, wrapping_algorithm: WrappingAlgorithm, wrapping_key_spec: WrappingKeySpec }
);
request!(
    /// ImportKeyMaterial.
    ImportKeyMaterialRequest {
        key_id: String,
        import_token: Bytes,
        encrypted_key_material: Bytes,
        valid_to: Option<f64>,
        expiration_model: Option<ExpirationModel>,
        import_type: Option<ImportType>,
        key_material_description: Option<String>,
        key_material_id: Option<String>,
    }
);
request!(
    /// DeleteImportedKeyMaterial.
    DeleteImportedKeyMaterialRequest { key_id: String, key_material_id: Option<String> }
);

/// GetParametersForImport response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct GetParametersForImportResponse {
    pub key_id: String,
    pub import_token: Bytes,
    /// The wrapping public key (the model marks it sensitive; it is a public key).
    pub public_key: Bytes,
    pub parameters_valid_to: u64,
}

/// ImportKeyMaterial and DeleteImportedKeyMaterial response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct KeyMaterialIdResponse {
    pub key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}

// ---- multi-Region keys -------------------------------------------------------------------

request!(
    /// ReplicateKey.
    ReplicateKeyRequest {
        key_id: String,
        replica_region: String,
        policy: Option<String>,
        bypass_policy_lockout_safety_check: bool,
        description: Option<String>,
        tags: Option<Vec<Tag>>,
    }
);
request!(
    /// UpdatePrimaryRegion.
    UpdatePrimaryRegionRequest { key_id: String, primary_region: String }
);

/// ReplicateKey response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ReplicateKeyResponse {
    pub replica_key_metadata: KeyMetadata,
    pub replica_policy: String,
    pub replica_tags: Vec<Tag>,
}

// ---- custom key stores (not modelled: the account has none) ------------------------------

request!(
    /// ConnectCustomKeyStore, DeleteCustomKeyStore, DisconnectCustomKeyStore.
    CustomKeyStoreIdRequest { custom_key_store_id: String }
);
request!(
    /// CreateCustomKeyStore.
    CreateCustomKeyStoreRequest {
        custom_key_store_name: String,
        cloud_hsm_cluster_id: Option<String>,
        trust_anchor_certificate: Option<String>,
        key_store_password: Option<String>,
        custom_key_store_type: Option<String>,
        xks_proxy_uri_endpoint: Option<String>,
        xks_proxy_uri_path: Option<String>,
        xks_proxy_vpc_endpoint_service_name: Option<String>,
        xks_proxy_vpc_endpoint_service_owner: Option<String>,
        xks_proxy_authentication_credential: Option<serde_json::Value>,
        xks_proxy_connectivity: Option<String>,
    }
);
request!(
    /// UpdateCustomKeyStore.
    UpdateCustomKeyStoreRequest {
        custom_key_store_id: String,
        new_custom_key_store_name: Option<String>,
        key_store_password: Option<String>,
        cloud_hsm_cluster_id: Option<String>,
        xks_proxy_uri_endpoint: Option<String>,
        xks_proxy_uri_path: Option<String>,
        xks_proxy_vpc_endpoint_service_name: Option<String>,
        xks_proxy_vpc_endpoint_service_owner: Option<String>,
        xks_proxy_authentication_credential: Option<serde_json::Value>,
        xks_proxy_connectivity: Option<String>,
    }
);
request!(
    /// DescribeCustomKeyStores.
    DescribeCustomKeyStoresRequest { custom_key_store_id: Option<String>, custom_key_store_name: Option<String>, limit: Option<u32>, marker: Option<String> }
);
response!(
    /// CreateCustomKeyStore response.
    CreateCustomKeyStoreResponse { custom_key_store_id: String }
);
page!(
    /// DescribeCustomKeyStores response (always empty: the account has no custom key store).
    DescribeCustomKeyStoresResponse { custom_key_stores: serde_json::Value }
);

/// A response with no members (AWS returns `{}`), e.g. EnableKey.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Empty {}
