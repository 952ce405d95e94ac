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
    /// CreateKey: a new KMS key.
    CreateKey(CreateKeyRequest) -> KeyMetadataResponse = create_key / op_create_key { read_only: false, response_in_trail: true },
    /// DescribeKey: a key's metadata.
    DescribeKey(DescribeKeyRequest) -> KeyMetadataResponse = describe_key / op_describe_key { read_only: true, response_in_trail: false },
    /// ListKeys: the keys of the account and Region.
    ListKeys(ListKeysRequest) -> ListKeysResponse = list_keys / op_list_keys { read_only: true, response_in_trail: false },
    /// CreateAlias: a friendly name for a key.
    CreateAlias(CreateAliasRequest) -> Empty = create_alias / op_create_alias { read_only: false, response_in_trail: true },
    /// DeleteAlias.
    DeleteAlias(DeleteAliasRequest) -> Empty = delete_alias / op_delete_alias { read_only: false, response_in_trail: true },
    /// ListAliases.
    ListAliases(ListAliasesRequest) -> ListAliasesResponse = list_aliases / op_list_aliases { read_only: true, response_in_trail: false },
    /// Encrypt: up to 4,096 bytes under a KMS key.
    Encrypt(EncryptRequest) -> EncryptResponse = encrypt / op_encrypt { read_only: true, response_in_trail: false },
    /// Decrypt: a ciphertext KMS made.
    Decrypt(DecryptRequest) -> DecryptResponse = decrypt / op_decrypt { read_only: true, response_in_trail: false },
    /// GenerateDataKey: a data key, in plaintext and encrypted.
    GenerateDataKey(GenerateDataKeyRequest) -> GenerateDataKeyResponse = generate_data_key / op_generate_data_key { read_only: true, response_in_trail: false },
    /// GenerateDataKeyWithoutPlaintext: a data key, encrypted only.
    GenerateDataKeyWithoutPlaintext(GenerateDataKeyRequest) -> GenerateDataKeyResponse = generate_data_key_without_plaintext / op_generate_data_key_without_plaintext { read_only: true, response_in_trail: false },
    /// ReEncrypt: decrypt and encrypt again inside KMS.
    ReEncrypt(ReEncryptRequest) -> ReEncryptResponse = re_encrypt / op_re_encrypt { read_only: true, response_in_trail: false },
    /// EnableKey.
    EnableKey(KeyIdRequest) -> Empty = enable_key / op_enable_key { read_only: false, response_in_trail: true },
    /// DisableKey.
    DisableKey(KeyIdRequest) -> Empty = disable_key / op_disable_key { read_only: false, response_in_trail: true },
    /// ScheduleKeyDeletion.
    ScheduleKeyDeletion(ScheduleKeyDeletionRequest) -> ScheduleKeyDeletionResponse = schedule_key_deletion / op_schedule_key_deletion { read_only: false, response_in_trail: true },
    /// CancelKeyDeletion.
    CancelKeyDeletion(KeyIdRequest) -> KeyIdResponse = cancel_key_deletion / op_cancel_key_deletion { read_only: false, response_in_trail: true },
    /// EnableKeyRotation.
    EnableKeyRotation(EnableKeyRotationRequest) -> Empty = enable_key_rotation / op_enable_key_rotation { read_only: false, response_in_trail: true },
    /// DisableKeyRotation.
    DisableKeyRotation(KeyIdRequest) -> Empty = disable_key_rotation / op_disable_key_rotation { read_only: false, response_in_trail: true },
    /// GetKeyRotationStatus.
    GetKeyRotationStatus(KeyIdRequest) -> KeyRotationStatusResponse = get_key_rotation_status / op_get_key_rotation_status { read_only: true, response_in_trail: false },
    /// RotateKeyOnDemand.
    RotateKeyOnDemand(KeyIdRequest) -> KeyIdResponse = rotate_key_on_demand / op_rotate_key_on_demand { read_only: false, response_in_trail: true },
    /// ListKeyRotations.
    ListKeyRotations(KeyIdRequest) -> ListKeyRotationsResponse = list_key_rotations / op_list_key_rotations { read_only: true, response_in_trail: false },
    /// GetKeyPolicy.
    GetKeyPolicy(GetKeyPolicyRequest) -> GetKeyPolicyResponse = get_key_policy / op_get_key_policy { read_only: true, response_in_trail: false },
    /// PutKeyPolicy.
    PutKeyPolicy(PutKeyPolicyRequest) -> Empty = put_key_policy / op_put_key_policy { read_only: false, response_in_trail: true },
    /// CreateGrant.
    CreateGrant(CreateGrantRequest) -> CreateGrantResponse = create_grant / op_create_grant { read_only: false, response_in_trail: true },
    /// ListGrants.
    ListGrants(ListGrantsRequest) -> ListGrantsResponse = list_grants / op_list_grants { read_only: true, response_in_trail: false },
    /// RetireGrant.
    RetireGrant(RetireGrantRequest) -> Empty = retire_grant / op_retire_grant { read_only: false, response_in_trail: true },
    /// RevokeGrant.
    RevokeGrant(RevokeGrantRequest) -> Empty = revoke_grant / op_revoke_grant { read_only: false, response_in_trail: true },
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
    /// The operation called `name`, or AWS's `UnknownOperationException` listing the
    /// ones there are.
    pub fn parse(name: &str) -> Result<Operation> {
        Operation::from_name(name).ok_or_else(|| {
            KmsError::new(
                ErrorCode::UnknownOperationException,
                format!(
                    "{name} is not a KMS operation the playground models. Available: {}.",
                    Operation::ALL
                        .iter()
                        .map(|o| o.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
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
    /// Parses `request` for `operation`, or the `ValidationException` a malformed request
    /// gets (naming the field that could not be read).
    pub fn parse(operation: Operation, request: &Value) -> Result<KmsRequest> {
        super::validate::validate(operation.name(), request)?;
        KmsRequest::from_json(operation, request).map_err(|e| {
            KmsError::new(
                ErrorCode::ValidationException,
                format!("The {operation} request is not valid: {e}. Field names and types follow the AWS KMS API reference for {operation}."),
            )
        })
    }
}
