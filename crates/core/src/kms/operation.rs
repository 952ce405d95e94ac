//! The KMS operations, in one table.
//!
//! Each row names an operation of the AWS KMS API (botocore's `kms/2014-11-01` service
//! model), its request and response shapes, the function that performs it, and what
//! CloudTrail and authorization need to know about it. From the table come
//! [`Operation`], the typed [`KmsRequest`] / [`KmsResponse`] unions, [`Kms::execute`] and
//! one typed method per operation (`kms.decrypt(env, caller, request)`). Adding an
//! operation is one row here and one function in its family's file.

use super::error::{ErrorCode, KmsError, Result};
use super::types::*;
use super::{Kms, KmsRecord};
use crate::authz::Caller;
use crate::env::Env;
use serde::{Serialize, Serializer};
use serde_json::Value;

macro_rules! operations {
    ($(
        $(#[$doc:meta])*
        $name:ident($req:ty) -> $resp:ty = $method:ident / $op:ident {
            read_only: $read_only:expr,
            response_in_trail: $in_trail:expr $(,)?
        }
    ),* $(,)?) => {
        /// A KMS API operation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $($(#[$doc])* $name),*
        }

        impl Operation {
            /// Every operation the simulation performs.
            pub const ALL: &'static [Operation] = &[$(Operation::$name),*];

            /// The API name, e.g. `GenerateDataKey` (also the CloudTrail `eventName` and,
            /// after `kms:`, the IAM action).
            pub fn name(self) -> &'static str {
                match self { $(Operation::$name => stringify!($name)),* }
            }

            /// The operation called `name` (case-sensitive, as in `X-Amz-Target`).
            pub fn from_name(name: &str) -> Option<Operation> {
                match name { $(stringify!($name) => Some(Operation::$name),)* _ => None }
            }

            /// The IAM action that authorizes it, e.g. `kms:Decrypt`.
            pub fn iam_action(self) -> &'static str {
                match self { $(Operation::$name => concat!("kms:", stringify!($name))),* }
            }

            /// CloudTrail's `readOnly`: whether the call leaves the key and its
            /// configuration unchanged.
            pub fn is_read_only(self) -> bool {
                match self { $(Operation::$name => $read_only),* }
            }

            /// Whether CloudTrail records the response (`responseElements`): AWS writes
            /// `null` for the cryptographic and read operations, as in the seeds' samples.
            pub fn records_response(self) -> bool {
                match self { $(Operation::$name => $in_trail),* }
            }

            /// The JSON member names of the operation's request and response types, for
            /// checking them against the service model.
            #[cfg(test)]
            pub(crate) fn member_names(self) -> (Vec<&'static str>, Vec<&'static str>) {
                use super::model_fields::fields_of;
                match self { $(Operation::$name => (fields_of::<$req>(), fields_of::<$resp>())),* }
            }
        }

        /// A typed request to KMS: parsed once where it enters (a scenario step, the JS
        /// API, the wire protocol), then passed around as is.
        #[derive(Debug, Clone, PartialEq)]
        #[allow(missing_docs)]
        pub enum KmsRequest {
            $($name($req)),*
        }

        impl KmsRequest {
            /// Which operation it asks for.
            pub fn operation(&self) -> Operation {
                match self { $(KmsRequest::$name(_) => Operation::$name),* }
            }

            /// Parses the AWS JSON request shape of `operation` (`null` is an empty
            /// request).
            pub fn from_json(operation: Operation, request: &Value) -> std::result::Result<KmsRequest, serde_json::Error> {
                let empty = Value::Object(Default::default());
                let request = if request.is_null() { &empty } else { request };
                match operation {
                    $(Operation::$name => <$req as serde::Deserialize>::deserialize(request).map(KmsRequest::$name)),*
                }
            }
        }

        impl Serialize for KmsRequest {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                match self { $(KmsRequest::$name(r) => r.serialize(s)),* }
            }
        }

        /// A typed KMS response (it may hold plaintext: `Secret` fields zeroize on drop).
        #[derive(Debug, Clone, PartialEq)]
        #[allow(missing_docs)]
        pub enum KmsResponse {
            $($name($resp)),*
        }

        impl KmsResponse {
            /// Which operation answered.
            pub fn operation(&self) -> Operation {
                match self { $(KmsResponse::$name(_) => Operation::$name),* }
            }
        }

        impl Serialize for KmsResponse {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                match self { $(KmsResponse::$name(r) => r.serialize(s)),* }
            }
        }

        impl Kms {
            /// Performs a typed request: validates it, resolves the key, authorizes the
            /// caller, checks the key state, acts, and records a CloudTrail event
            /// whatever the outcome.
            pub fn execute(&mut self, env: &mut Env, caller: &Caller, request: KmsRequest) -> (Result<KmsResponse>, KmsRecord) {
                match request {
                    $(KmsRequest::$name(r) => {
                        let (result, record) = self.invoke(Operation::$name, env, caller, r, Kms::$op);
                        (result.map(KmsResponse::$name), record)
                    })*
                }
            }

            $(
                $(#[$doc])*
                ///
                /// Typed: the request and response shapes of the AWS KMS API.
                pub fn $method(&mut self, env: &mut Env, caller: &Caller, request: $req) -> (Result<$resp>, KmsRecord) {
                    self.invoke(Operation::$name, env, caller, request, Kms::$op)
                }
            )*
        }
    };
}

operations! {
    /// CreateKey: a new KMS key, of any key spec and usage the playground models.
    CreateKey(CreateKeyRequest) -> KeyMetadataResponse = create_key / op_create_key { read_only: false, response_in_trail: true },
    /// DescribeKey: a key's metadata.
    DescribeKey(DescribeKeyRequest) -> KeyMetadataResponse = describe_key / op_describe_key { read_only: true, response_in_trail: false },
    /// ListKeys: the keys of the account and Region, a page at a time.
    ListKeys(ListKeysRequest) -> ListKeysResponse = list_keys / op_list_keys { read_only: true, response_in_trail: false },
    /// EnableKey: sets a key's state to Enabled.
    EnableKey(KeyIdRequest) -> Empty = enable_key / op_enable_key { read_only: false, response_in_trail: true },
    /// DisableKey: sets a key's state to Disabled.
    DisableKey(KeyIdRequest) -> Empty = disable_key / op_disable_key { read_only: false, response_in_trail: true },
    /// ScheduleKeyDeletion: deletes a key after a waiting period of 7 to 30 days.
    ScheduleKeyDeletion(ScheduleKeyDeletionRequest) -> ScheduleKeyDeletionResponse = schedule_key_deletion / op_schedule_key_deletion { read_only: false, response_in_trail: true },
    /// CancelKeyDeletion: cancels a scheduled deletion (the key is then Disabled).
    CancelKeyDeletion(KeyIdRequest) -> KeyIdResponse = cancel_key_deletion / op_cancel_key_deletion { read_only: false, response_in_trail: true },
    /// UpdateKeyDescription: replaces a key's description.
    UpdateKeyDescription(UpdateKeyDescriptionRequest) -> Empty = update_key_description / op_update_key_description { read_only: false, response_in_trail: true },
    /// GetKeyLastUsage: when and how a key was last used cryptographically.
    GetKeyLastUsage(KeyIdRequest) -> GetKeyLastUsageResponse = get_key_last_usage / op_get_key_last_usage { read_only: true, response_in_trail: false },
    /// TagResource: adds or replaces tags of a key.
    TagResource(TagResourceRequest) -> Empty = tag_resource / op_tag_resource { read_only: false, response_in_trail: true },
    /// UntagResource: removes tags of a key.
    UntagResource(UntagResourceRequest) -> Empty = untag_resource / op_untag_resource { read_only: false, response_in_trail: true },
    /// ListResourceTags: the tags of a key.
    ListResourceTags(ListResourceTagsRequest) -> ListResourceTagsResponse = list_resource_tags / op_list_resource_tags { read_only: true, response_in_trail: false },
    /// CreateAlias: a friendly name for a key.
    CreateAlias(AliasRequest) -> Empty = create_alias / op_create_alias { read_only: false, response_in_trail: true },
    /// UpdateAlias: points an alias at another key of the same type and usage.
    UpdateAlias(AliasRequest) -> Empty = update_alias / op_update_alias { read_only: false, response_in_trail: true },
    /// DeleteAlias: deletes an alias (not its key).
    DeleteAlias(DeleteAliasRequest) -> Empty = delete_alias / op_delete_alias { read_only: false, response_in_trail: true },
    /// ListAliases: the aliases of the account and Region, or of one key.
    ListAliases(ListAliasesRequest) -> ListAliasesResponse = list_aliases / op_list_aliases { read_only: true, response_in_trail: false },
    /// Encrypt: up to 4,096 bytes under a symmetric or RSA encryption key.
    Encrypt(EncryptRequest) -> EncryptResponse = encrypt / op_encrypt { read_only: true, response_in_trail: false },
    /// Decrypt: a ciphertext KMS made.
    Decrypt(DecryptRequest) -> DecryptResponse = decrypt / op_decrypt { read_only: true, response_in_trail: false },
    /// ReEncrypt: decrypts and encrypts again inside KMS, under another key or context.
    ReEncrypt(ReEncryptRequest) -> ReEncryptResponse = re_encrypt / op_re_encrypt { read_only: true, response_in_trail: false },
    /// GenerateDataKey: a data key, in plaintext and encrypted.
    GenerateDataKey(GenerateDataKeyRequest) -> GenerateDataKeyResponse = generate_data_key / op_generate_data_key { read_only: true, response_in_trail: false },
    /// GenerateDataKeyWithoutPlaintext: a data key, encrypted only.
    GenerateDataKeyWithoutPlaintext(GenerateDataKeyWithoutPlaintextRequest) -> GenerateDataKeyWithoutPlaintextResponse = generate_data_key_without_plaintext / op_generate_data_key_without_plaintext { read_only: true, response_in_trail: false },
    /// GenerateDataKeyPair: an asymmetric data key pair, its private key also encrypted.
    GenerateDataKeyPair(GenerateDataKeyPairRequest) -> GenerateDataKeyPairResponse = generate_data_key_pair / op_generate_data_key_pair { read_only: true, response_in_trail: false },
    /// GenerateDataKeyPairWithoutPlaintext: an asymmetric data key pair whose private key is returned encrypted only.
    GenerateDataKeyPairWithoutPlaintext(GenerateDataKeyPairWithoutPlaintextRequest) -> GenerateDataKeyPairWithoutPlaintextResponse = generate_data_key_pair_without_plaintext / op_generate_data_key_pair_without_plaintext { read_only: true, response_in_trail: false },
    /// GenerateRandom: random bytes.
    GenerateRandom(GenerateRandomRequest) -> GenerateRandomResponse = generate_random / op_generate_random { read_only: true, response_in_trail: false },
    /// GetPublicKey: the public key of an asymmetric key.
    GetPublicKey(GetPublicKeyRequest) -> GetPublicKeyResponse = get_public_key / op_get_public_key { read_only: true, response_in_trail: false },
    /// Sign: a digital signature of a message or digest.
    Sign(SignRequest) -> SignResponse = sign / op_sign { read_only: true, response_in_trail: false },
    /// Verify: checks a signature.
    Verify(VerifyRequest) -> VerifyResponse = verify / op_verify { read_only: true, response_in_trail: false },
    /// GenerateMac: an HMAC of a message.
    GenerateMac(GenerateMacRequest) -> GenerateMacResponse = generate_mac / op_generate_mac { read_only: true, response_in_trail: false },
    /// VerifyMac: checks an HMAC.
    VerifyMac(VerifyMacRequest) -> VerifyMacResponse = verify_mac / op_verify_mac { read_only: true, response_in_trail: false },
    /// DeriveSharedSecret: an ECDH shared secret with another party's public key.
    DeriveSharedSecret(DeriveSharedSecretRequest) -> DeriveSharedSecretResponse = derive_shared_secret / op_derive_shared_secret { read_only: true, response_in_trail: false },
    /// Encapsulate: an ML-KEM shared secret (ML-KEM keys are not modelled).
    Encapsulate(EncapsulateRequest) -> EncapsulateResponse = encapsulate / op_encapsulate { read_only: true, response_in_trail: false },
    /// Decapsulate: opens an ML-KEM ciphertext (ML-KEM keys are not modelled).
    Decapsulate(DecapsulateRequest) -> DecapsulateResponse = decapsulate / op_decapsulate { read_only: true, response_in_trail: false },
    /// EnableKeyRotation: turns on automatic rotation.
    EnableKeyRotation(EnableKeyRotationRequest) -> Empty = enable_key_rotation / op_enable_key_rotation { read_only: false, response_in_trail: true },
    /// DisableKeyRotation: turns off automatic rotation.
    DisableKeyRotation(KeyIdRequest) -> Empty = disable_key_rotation / op_disable_key_rotation { read_only: false, response_in_trail: true },
    /// GetKeyRotationStatus: whether and when a key rotates.
    GetKeyRotationStatus(KeyIdRequest) -> KeyRotationStatusResponse = get_key_rotation_status / op_get_key_rotation_status { read_only: true, response_in_trail: false },
    /// RotateKeyOnDemand: rotates a key now.
    RotateKeyOnDemand(KeyIdRequest) -> KeyIdResponse = rotate_key_on_demand / op_rotate_key_on_demand { read_only: false, response_in_trail: true },
    /// ListKeyRotations: a key's rotations and key materials.
    ListKeyRotations(ListKeyRotationsRequest) -> ListKeyRotationsResponse = list_key_rotations / op_list_key_rotations { read_only: true, response_in_trail: false },
    /// GetKeyPolicy: a key's key policy.
    GetKeyPolicy(GetKeyPolicyRequest) -> GetKeyPolicyResponse = get_key_policy / op_get_key_policy { read_only: true, response_in_trail: false },
    /// PutKeyPolicy: replaces a key's key policy.
    PutKeyPolicy(PutKeyPolicyRequest) -> Empty = put_key_policy / op_put_key_policy { read_only: false, response_in_trail: true },
    /// ListKeyPolicies: the names of a key's key policies (always default).
    ListKeyPolicies(ListKeyPoliciesRequest) -> ListKeyPoliciesResponse = list_key_policies / op_list_key_policies { read_only: true, response_in_trail: false },
    /// CreateGrant: a grant of operations on a key to a grantee.
    CreateGrant(CreateGrantRequest) -> CreateGrantResponse = create_grant / op_create_grant { read_only: false, response_in_trail: true },
    /// ListGrants: the grants of a key.
    ListGrants(ListGrantsRequest) -> ListGrantsResponse = list_grants / op_list_grants { read_only: true, response_in_trail: false },
    /// ListRetirableGrants: the grants a principal may retire.
    ListRetirableGrants(ListRetirableGrantsRequest) -> ListGrantsResponse = list_retirable_grants / op_list_retirable_grants { read_only: true, response_in_trail: false },
    /// RetireGrant: deletes a grant, by a principal the grant names.
    RetireGrant(RetireGrantRequest) -> Empty = retire_grant / op_retire_grant { read_only: false, response_in_trail: true },
    /// RevokeGrant: deletes a grant, by a principal the key's policies allow.
    RevokeGrant(RevokeGrantRequest) -> Empty = revoke_grant / op_revoke_grant { read_only: false, response_in_trail: true },
    /// GetParametersForImport: a wrapping public key and import token for importing key material.
    GetParametersForImport(GetParametersForImportRequest) -> GetParametersForImportResponse = get_parameters_for_import / op_get_parameters_for_import { read_only: true, response_in_trail: false },
    /// ImportKeyMaterial: imports key material into an EXTERNAL key.
    ImportKeyMaterial(ImportKeyMaterialRequest) -> KeyMaterialIdResponse = import_key_material / op_import_key_material { read_only: false, response_in_trail: true },
    /// DeleteImportedKeyMaterial: deletes imported key material.
    DeleteImportedKeyMaterial(DeleteImportedKeyMaterialRequest) -> KeyMaterialIdResponse = delete_imported_key_material / op_delete_imported_key_material { read_only: false, response_in_trail: true },
    /// ReplicateKey: a replica of a multi-Region primary key in another Region.
    ReplicateKey(ReplicateKeyRequest) -> ReplicateKeyResponse = replicate_key / op_replicate_key { read_only: false, response_in_trail: true },
    /// UpdatePrimaryRegion: makes a replica the primary key of its multi-Region set.
    UpdatePrimaryRegion(UpdatePrimaryRegionRequest) -> Empty = update_primary_region / op_update_primary_region { read_only: false, response_in_trail: true },
    /// CreateCustomKeyStore: a custom key store (not modelled).
    CreateCustomKeyStore(CreateCustomKeyStoreRequest) -> CreateCustomKeyStoreResponse = create_custom_key_store / op_create_custom_key_store { read_only: false, response_in_trail: true },
    /// ConnectCustomKeyStore: connects a custom key store (the account has none).
    ConnectCustomKeyStore(CustomKeyStoreIdRequest) -> Empty = connect_custom_key_store / op_connect_custom_key_store { read_only: false, response_in_trail: true },
    /// DisconnectCustomKeyStore: disconnects a custom key store (the account has none).
    DisconnectCustomKeyStore(CustomKeyStoreIdRequest) -> Empty = disconnect_custom_key_store / op_disconnect_custom_key_store { read_only: false, response_in_trail: true },
    /// DeleteCustomKeyStore: deletes a custom key store (the account has none).
    DeleteCustomKeyStore(CustomKeyStoreIdRequest) -> Empty = delete_custom_key_store / op_delete_custom_key_store { read_only: false, response_in_trail: true },
    /// UpdateCustomKeyStore: changes a custom key store (the account has none).
    UpdateCustomKeyStore(UpdateCustomKeyStoreRequest) -> Empty = update_custom_key_store / op_update_custom_key_store { read_only: false, response_in_trail: true },
    /// DescribeCustomKeyStores: the account's custom key stores (none).
    DescribeCustomKeyStores(DescribeCustomKeyStoresRequest) -> DescribeCustomKeyStoresResponse = describe_custom_key_stores / op_describe_custom_key_stores { read_only: true, response_in_trail: false },
}

/// What a request asks permission for: the IAM action a policy names and the operation
/// a grant lists. They are the operation itself, except for ReEncrypt, which needs
/// `kms:ReEncryptFrom` on the source key and `kms:ReEncryptTo` on the destination key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Action {
    /// As grants name it, e.g. `ReEncryptFrom`.
    pub grant_operation: &'static str,
    /// As policies name it, e.g. `kms:ReEncryptFrom`.
    pub iam: &'static str,
}

impl Operation {
    /// The permission the operation needs.
    pub(crate) fn action(self) -> Action {
        Action {
            grant_operation: self.name(),
            iam: self.iam_action(),
        }
    }
}

/// ReEncrypt's permission on the key that encrypted the ciphertext.
pub(crate) const RE_ENCRYPT_FROM: Action = Action {
    grant_operation: "ReEncryptFrom",
    iam: "kms:ReEncryptFrom",
};
/// ReEncrypt's permission on the key it encrypts under.
pub(crate) const RE_ENCRYPT_TO: Action = Action {
    grant_operation: "ReEncryptTo",
    iam: "kms:ReEncryptTo",
};

impl Serialize for Operation {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Operation {
    /// Whether a request of this operation can carry an encryption context, so that
    /// `kms:EncryptionContext:<key>` and `kms:EncryptionContextKeys` can have a value:
    /// the symmetric cryptographic operations and CreateGrant (whose constraints are its
    /// context). "If you use these condition keys to allow other operations, such as
    /// DescribeKey, the request is denied" — *kms:EncryptionContext:context-key*,
    /// <https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context>.
    pub fn takes_encryption_context(self) -> bool {
        matches!(
            self,
            Operation::Encrypt
                | Operation::Decrypt
                | Operation::ReEncrypt
                | Operation::GenerateDataKey
                | Operation::GenerateDataKeyWithoutPlaintext
                | Operation::GenerateDataKeyPair
                | Operation::GenerateDataKeyPairWithoutPlaintext
                | Operation::CreateGrant
        )
    }

    /// The operation called `name`, or AWS's `UnknownOperationException`.
    pub fn parse(name: &str) -> Result<Operation> {
        Operation::from_name(name).ok_or_else(|| {
            KmsError::bare(ErrorCode::UnknownOperationException).help(format!(
                "{name} is not a KMS operation. The operations are: {}.",
                Operation::ALL
                    .iter()
                    .map(|o| o.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
}

impl Kms {
    /// Performs `operation` with its request in the AWS JSON shape: the request is parsed
    /// once here; one that cannot be read is refused with `ValidationException` and still
    /// recorded in CloudTrail, as AWS records refused calls.
    pub fn call_json(
        &mut self,
        env: &mut Env,
        caller: &Caller,
        operation: Operation,
        request: &Value,
    ) -> (Result<KmsResponse>, KmsRecord) {
        match KmsRequest::parse(operation, request) {
            Ok(parsed) => self.execute(env, caller, parsed),
            Err(e) => {
                let record = self.reject(env, caller, operation, request, &e);
                (Err(e), record)
            }
        }
    }
}

impl KmsRequest {
    /// Parses `request` as AWS reads it off the wire: checked against the model, members
    /// the model does not know ignored.
    pub fn parse_lenient(operation: Operation, request: &Value) -> Result<KmsRequest> {
        super::validate::validate(operation.name(), request)?;
        let known = super::validate::known_members(operation.name(), request);
        KmsRequest::from_json(operation, &known).map_err(|e| {
            KmsError::bare(ErrorCode::SerializationException)
                .help(format!("The {operation} request could not be read: {e}."))
        })
    }

    /// Parses `request` for `operation`, or the `ValidationException` a malformed request
    /// gets (naming the field that could not be read).
    pub fn parse(operation: Operation, request: &Value) -> Result<KmsRequest> {
        let unknown = super::validate::validate(operation.name(), request)?;
        if !unknown.members.is_empty() {
            return Err(KmsError::bare(ErrorCode::ValidationException).help(format!(
                "{operation} has no member {}. AWS ignores members it does not know; the playground refuses them here so that a misspelt member is caught. The members of {operation} are in the AWS KMS API reference.",
                unknown.members.join(", ")
            )));
        }
        KmsRequest::from_json(operation, request).map_err(|e| {
            KmsError::bare(ErrorCode::SerializationException).help(format!(
                "The {operation} request could not be read: {e}. Member names and types follow the AWS KMS API reference for {operation}."
            ))
        })
    }
}
