//! The simulated AWS KMS.
//!
//! [`Kms`] holds the keys, aliases, grants, the account's IAM policies and the CloudTrail
//! log of one account in one Region. Every operation goes through [`Kms::call`] (JSON in
//! the AWS request shape, for scenarios and the JavaScript API) or its typed twin; both
//! validate the request, resolve the key, authorize the caller ([`authorize`]), check the
//! key state, act, and record a CloudTrail event, whatever the outcome.

mod authorize;
pub mod blob;
mod error;
mod grant;
mod key;
mod managed;
mod ops;
pub mod types;

pub use authorize::{Decision, IdentityPolicyResult, Outcome};
pub use error::{ErrorCode, KmsError, Result};
pub use grant::{Grant, GrantResult, CONTEXT_OPERATIONS, GRANT_OPERATIONS};
pub use managed::{default_key_policy, managed_key_policy, MANAGED_SERVICES};

use crate::authz::PolicyDocument;
use crate::caller::Caller;
use crate::cloudtrail::{self, CloudTrailEvent};
use crate::env::Env;
use key::KmsKey;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// An alias: a friendly name for a key.
#[derive(Debug, Clone, PartialEq)]
struct Alias {
    target_key_id: String,
    creation_date: u64,
}

/// The record of one KMS call: what was asked, what came back, why it was allowed or
/// denied, and the CloudTrail event it left.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KmsCall {
    /// The operation name, e.g. `Decrypt`.
    pub operation: String,
    /// Who called.
    pub caller: Caller,
    /// The request as given (it may hold plaintext: show it only in its own step).
    pub request: Value,
    /// The response (it may hold plaintext: show it only in its own step), or the error.
    pub response: std::result::Result<Value, KmsError>,
    /// The authorization decisions (ReEncrypt has two; a request rejected before
    /// authorization has none).
    pub decisions: Vec<Decision>,
    /// Why a decryption failed, from what the simulation knows (real KMS says only
    /// `InvalidCiphertextException`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The CloudTrail event this call produced.
    pub event: CloudTrailEvent,
}

impl KmsCall {
    /// Whether the call succeeded.
    pub fn is_ok(&self) -> bool {
        self.response.is_ok()
    }
}

/// Per-call state the operations fill in for the record.
pub(crate) struct OpCtx<'a> {
    pub env: &'a mut Env,
    pub caller: &'a Caller,
    pub decisions: Vec<Decision>,
    /// The key ARN(s) the call acted on, for CloudTrail `resources`.
    pub resources: Vec<String>,
    pub explanation: Option<String>,
}

/// One account's KMS in one Region.
#[derive(Debug)]
pub struct Kms {
    region: String,
    account: String,
    keys: BTreeMap<String, KmsKey>,
    aliases: BTreeMap<String, Alias>,
    grants: BTreeMap<String, Grant>,
    /// IAM identity policies by principal ARN (the account's IAM, as KMS consults it).
    iam: BTreeMap<String, Vec<PolicyDocument>>,
    /// Hash of each ciphertext issued → the context it was sealed with, so a failed
    /// Decrypt can be explained (never consulted to decide anything).
    issued: BTreeMap<[u8; 32], crate::context::EncryptionContext>,
    trail: Vec<CloudTrailEvent>,
    /// Keep CloudTrail events (off for scale runs that only count).
    record_trail: bool,
}

macro_rules! dispatch {
    ($self:ident, $env:ident, $caller:ident, $op:ident, $req:ident; $($name:literal => $method:ident),* $(,)?) => {
        match $op {
            $($name => $self.invoke_json($name, $env, $caller, $req, Kms::$method),)*
            other => $self.unknown_operation($env, $caller, other, $req),
        }
    };
}

impl Kms {
    /// An empty KMS for `account` in `region`.
    pub fn new(region: &str, account: &str) -> Self {
        Kms {
            region: region.to_owned(),
            account: account.to_owned(),
            keys: BTreeMap::new(),
            aliases: BTreeMap::new(),
            grants: BTreeMap::new(),
            iam: BTreeMap::new(),
            issued: BTreeMap::new(),
            trail: Vec::new(),
            record_trail: true,
        }
    }

    /// The Region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The account id.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Attaches IAM identity policies to a principal (replacing what it had).
    pub fn set_identity_policies(&mut self, principal_arn: &str, policies: Vec<PolicyDocument>) {
        self.iam.insert(principal_arn.to_owned(), policies);
    }

    /// The CloudTrail events recorded so far, oldest first.
    pub fn trail(&self) -> &[CloudTrailEvent] {
        &self.trail
    }

    /// Stops (or resumes) keeping CloudTrail events, for runs too large to keep them.
    pub fn set_record_trail(&mut self, on: bool) {
        self.record_trail = on;
    }

    /// The KMS operations [`Kms::call`] accepts.
    pub const OPERATIONS: &'static [&'static str] = &[
        "CreateKey",
        "DescribeKey",
        "ListKeys",
        "CreateAlias",
        "DeleteAlias",
        "ListAliases",
        "Encrypt",
        "Decrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncrypt",
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "EnableKeyRotation",
        "DisableKeyRotation",
        "GetKeyRotationStatus",
        "RotateKeyOnDemand",
        "ListKeyRotations",
        "GetKeyPolicy",
        "PutKeyPolicy",
        "CreateGrant",
        "ListGrants",
        "RetireGrant",
        "RevokeGrant",
    ];

    /// Calls `operation` with a request in the AWS JSON shape.
    pub fn call(
        &mut self,
        env: &mut Env,
        caller: &Caller,
        operation: &str,
        request: &Value,
    ) -> KmsCall {
        dispatch!(self, env, caller, operation, request;
            "CreateKey" => op_create_key,
            "DescribeKey" => op_describe_key,
            "ListKeys" => op_list_keys,
            "CreateAlias" => op_create_alias,
            "DeleteAlias" => op_delete_alias,
            "ListAliases" => op_list_aliases,
            "Encrypt" => op_encrypt,
            "Decrypt" => op_decrypt,
            "GenerateDataKey" => op_generate_data_key,
            "GenerateDataKeyWithoutPlaintext" => op_generate_data_key_without_plaintext,
            "ReEncrypt" => op_re_encrypt,
            "EnableKey" => op_enable_key,
            "DisableKey" => op_disable_key,
            "ScheduleKeyDeletion" => op_schedule_key_deletion,
            "CancelKeyDeletion" => op_cancel_key_deletion,
            "EnableKeyRotation" => op_enable_key_rotation,
            "DisableKeyRotation" => op_disable_key_rotation,
            "GetKeyRotationStatus" => op_get_key_rotation_status,
            "RotateKeyOnDemand" => op_rotate_key_on_demand,
            "ListKeyRotations" => op_list_key_rotations,
            "GetKeyPolicy" => op_get_key_policy,
            "PutKeyPolicy" => op_put_key_policy,
            "CreateGrant" => op_create_grant,
            "ListGrants" => op_list_grants,
            "RetireGrant" => op_retire_grant,
            "RevokeGrant" => op_revoke_grant,
        )
    }

    /// Calls an operation with a typed request; returns the typed response and the record.
    pub(crate) fn invoke<Req: Serialize, Resp: Serialize>(
        &mut self,
        operation: &str,
        env: &mut Env,
        caller: &Caller,
        request: Req,
        op: fn(&mut Kms, &mut OpCtx<'_>, Req) -> Result<Resp>,
    ) -> (Result<Resp>, KmsCall) {
        let request_json = serde_json::to_value(&request).unwrap_or(Value::Null);
        self.tick(env);
        let mut ctx = OpCtx {
            env,
            caller,
            decisions: Vec::new(),
            resources: Vec::new(),
            explanation: None,
        };
        let result = op(self, &mut ctx, request);
        let response_json = match &result {
            Ok(r) => Ok(serde_json::to_value(r).unwrap_or(Value::Null)),
            Err(e) => Err(e.clone()),
        };
        let OpCtx {
            env,
            decisions,
            resources,
            explanation,
            ..
        } = ctx;
        let event = self.record(
            env,
            caller,
            operation,
            &request_json,
            &response_json,
            &resources,
        );
        let call = KmsCall {
            operation: operation.to_owned(),
            caller: caller.clone(),
            request: request_json,
            response: response_json,
            decisions,
            explanation,
            event,
        };
        (result, call)
    }

    fn invoke_json<Req: DeserializeOwned + Serialize, Resp: Serialize>(
        &mut self,
        operation: &str,
        env: &mut Env,
        caller: &Caller,
        request: &Value,
        op: fn(&mut Kms, &mut OpCtx<'_>, Req) -> Result<Resp>,
    ) -> KmsCall {
        let request = if request.is_null() {
            Value::Object(Default::default())
        } else {
            request.clone()
        };
        match serde_json::from_value::<Req>(request.clone()) {
            Ok(req) => self.invoke(operation, env, caller, req, op).1,
            Err(e) => {
                let err = KmsError::new(
                    ErrorCode::ValidationException,
                    format!("The {operation} request is not valid: {e}. Field names and types follow the AWS KMS API reference for {operation}."),
                );
                self.failed_before_start(env, caller, operation, request, err)
            }
        }
    }

    fn unknown_operation(
        &mut self,
        env: &mut Env,
        caller: &Caller,
        operation: &str,
        request: &Value,
    ) -> KmsCall {
        let err = KmsError::new(
            ErrorCode::UnknownOperationException,
            format!(
                "{operation} is not a KMS operation the playground models. Available: {}.",
                Self::OPERATIONS.join(", ")
            ),
        );
        self.failed_before_start(env, caller, operation, request.clone(), err)
    }

    fn failed_before_start(
        &mut self,
        env: &mut Env,
        caller: &Caller,
        operation: &str,
        request: Value,
        err: KmsError,
    ) -> KmsCall {
        let response = Err(err);
        let event = self.record(env, caller, operation, &request, &response, &[]);
        KmsCall {
            operation: operation.to_owned(),
            caller: caller.clone(),
            request,
            response,
            decisions: Vec::new(),
            explanation: None,
            event,
        }
    }

    fn record(
        &mut self,
        env: &mut Env,
        caller: &Caller,
        operation: &str,
        request: &Value,
        response: &std::result::Result<Value, KmsError>,
        resources: &[String],
    ) -> CloudTrailEvent {
        let (user_identity, ip, agent) = cloudtrail::identity_of(caller);
        let is_service = user_identity.kind == "AWSService";
        let read_only = matches!(
            operation,
            "Encrypt"
                | "Decrypt"
                | "GenerateDataKey"
                | "GenerateDataKeyWithoutPlaintext"
                | "ReEncrypt"
                | "DescribeKey"
                | "ListKeys"
                | "ListAliases"
                | "ListGrants"
                | "GetKeyPolicy"
                | "GetKeyRotationStatus"
                | "ListKeyRotations"
        );
        let (error_code, error_message) = match response {
            Ok(_) => (None, None),
            Err(e) => (Some(e.code.name().to_owned()), Some(e.message.clone())),
        };
        let event = CloudTrailEvent {
            event_version: cloudtrail::EVENT_VERSION.to_owned(),
            user_identity,
            event_time: env.clock.iso8601(),
            event_source: "kms.amazonaws.com".to_owned(),
            event_name: operation.to_owned(),
            aws_region: self.region.clone(),
            source_ip_address: ip,
            user_agent: agent,
            error_code,
            error_message,
            request_parameters: cloudtrail::request_parameters(request),
            response_elements: cloudtrail::response_elements(operation, response.as_ref().ok()),
            request_id: env.rng.uuid(),
            event_id: env.rng.uuid(),
            read_only,
            resources: resources
                .iter()
                .map(|arn| cloudtrail::Resource {
                    arn: arn.clone(),
                    account_id: self.account.clone(),
                    kind: "AWS::KMS::Key".to_owned(),
                })
                .collect(),
            event_type: "AwsApiCall".to_owned(),
            recipient_account_id: self.account.clone(),
            shared_event_id: if is_service {
                Some(env.rng.uuid())
            } else {
                None
            },
        };
        if self.record_trail {
            self.trail.push(event.clone());
        }
        event
    }
}

#[cfg(test)]
mod tests;
