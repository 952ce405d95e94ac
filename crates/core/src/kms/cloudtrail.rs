//! CloudTrail events for KMS calls, in the format AWS records them.
//!
//! The shape follows the sample events of the AWS KMS developer guide pages on WorkMail
//! and SES (*Monitoring Amazon WorkMail interaction with AWS KMS*): `eventVersion`,
//! `userIdentity`, `eventTime`, `eventSource` `kms.amazonaws.com`, `eventName`, `awsRegion`,
//! `sourceIPAddress`, `userAgent`, `requestParameters`, `responseElements`, `requestID`,
//! `eventID`, `readOnly`, `resources`, `eventType` `AwsApiCall`, `recipientAccountId`, and
//! `sharedEventID` for calls a service makes. A failed call carries `errorCode` and
//! `errorMessage`. Plaintext, data keys and ciphertext blobs are never recorded: AWS
//! documents that the plaintext and ciphertext are "not recorded in the log".

use crate::authz::Caller;
use crate::authz::CallerPrincipal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `eventVersion` of the events in the seeds' samples.
pub const EVENT_VERSION: &str = "1.05";

/// Request and response members that carry secrets or ciphertexts: never in an event.
const NEVER_RECORDED: &[&str] = &["Plaintext", "CiphertextBlob", "Policy"];

/// `userIdentity` of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
}

/// One entry of `resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Resource {
    #[serde(rename = "ARN")]
    pub arn: String,
    #[serde(rename = "accountId")]
    pub account_id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// A CloudTrail event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct CloudTrailEvent {
    pub event_version: String,
    pub user_identity: UserIdentity,
    pub event_time: String,
    pub event_source: String,
    pub event_name: String,
    pub aws_region: String,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    pub user_agent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub request_parameters: Value,
    pub response_elements: Value,
    #[serde(rename = "requestID")]
    pub request_id: String,
    #[serde(rename = "eventID")]
    pub event_id: String,
    pub read_only: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    pub event_type: String,
    pub recipient_account_id: String,
    #[serde(rename = "sharedEventID", skip_serializing_if = "Option::is_none")]
    pub shared_event_id: Option<String>,
}

/// The documentation address (RFC 5737) used as the caller's IP for direct calls.
pub const CALLER_IP: &str = "192.0.2.10";
/// The user agent recorded for direct calls.
pub const CALLER_AGENT: &str = "kmsplay/1.0";

/// `userIdentity`, `sourceIPAddress` and `userAgent` for a caller. A service principal
/// appears as `{"type": "AWSService", "invokedBy": <service>}` with the service as IP and
/// agent (the seeds' samples); an IAM principal acting through a service keeps its own
/// identity with `invokedBy` set to the service, as AWS records forward-access calls.
pub fn identity_of(caller: &Caller) -> (UserIdentity, String, String) {
    match &caller.principal {
        CallerPrincipal::Service { name } => (
            UserIdentity {
                kind: "AWSService".into(),
                principal_id: None,
                arn: None,
                account_id: None,
                invoked_by: Some(name.clone()),
            },
            name.clone(),
            name.clone(),
        ),
        CallerPrincipal::Iam { arn, account } => {
            let kind = if arn.ends_with(":root") {
                "Root"
            } else if arn.contains(":user/") {
                "IAMUser"
            } else {
                "AssumedRole"
            };
            let (ip, agent) = match &caller.via_service {
                Some(via) => (via.clone(), via.clone()),
                None => (CALLER_IP.to_owned(), CALLER_AGENT.to_owned()),
            };
            (
                UserIdentity {
                    kind: kind.into(),
                    principal_id: Some(principal_id(arn)),
                    arn: Some(arn.clone()),
                    account_id: Some(account.clone()),
                    invoked_by: caller.via_service.clone(),
                },
                ip,
                agent,
            )
        }
    }
}

/// A stable, id-shaped principal id derived from the ARN (AWS uses `AIDA...` for users,
/// `AROA...` for roles; the account id for root).
fn principal_id(arn: &str) -> String {
    if arn.ends_with(":root") {
        return crate::authz::arn_account(arn)
            .unwrap_or_default()
            .to_owned();
    }
    let prefix = if arn.contains(":user/") {
        "AIDA"
    } else {
        "AROA"
    };
    // FNV-1a: deterministic, no secrets involved.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in arn.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{prefix}{:016X}", h)
}

/// `requestParameters`: the request's members with lower-camel-case names, minus the ones
/// AWS never records (plaintext, ciphertext, policy text). Secrets serialize redacted
/// (the default [`crate::wire::SecretView`]), so they never reach a `Value` at all.
pub fn request_parameters<T: Serialize + ?Sized>(request: &T) -> Value {
    match serde_json::to_value(request) {
        Ok(Value::Object(map)) => {
            let out: Map<String, Value> = map
                .into_iter()
                .filter(|(k, _)| !NEVER_RECORDED.contains(&k.as_str()))
                .map(|(k, v)| (lower_camel(&k), v))
                .collect();
            if out.is_empty() {
                Value::Null
            } else {
                Value::Object(out)
            }
        }
        _ => Value::Null,
    }
}

/// `responseElements` of an operation whose response CloudTrail records (see
/// `Operation::records_response`): the response with lower-camel-case names
/// (recursively), minus secrets.
pub fn response_elements<T: Serialize + ?Sized>(response: &T) -> Value {
    serde_json::to_value(response)
        .map(|v| camel_keys(&v))
        .unwrap_or(Value::Null)
}

fn camel_keys(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let out: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| !NEVER_RECORDED.contains(&k.as_str()))
                .map(|(k, v)| (lower_camel(k), camel_keys(v)))
                .collect();
            if out.is_empty() {
                Value::Null
            } else {
                Value::Object(out)
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(camel_keys).collect()),
        other => other.clone(),
    }
}

/// `KeyId` → `keyId`: CloudTrail records request members in lower camel case.
fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_parameters_drop_secrets() {
        let req = json!({"KeyId": "k", "Plaintext": "c2VjcmV0", "EncryptionContext": {"a": "b"}});
        assert_eq!(
            request_parameters(&req),
            json!({"keyId": "k", "encryptionContext": {"a": "b"}})
        );
        assert_eq!(
            request_parameters(&json!({"CiphertextBlob": "AAAA"})),
            Value::Null
        );
    }

    #[test]
    fn service_identity_matches_seed_shape() {
        let (id, ip, agent) = identity_of(&Caller::service("workmail.eu-west-1.amazonaws.com"));
        assert_eq!(
            serde_json::to_value(&id).unwrap(),
            json!({"type": "AWSService", "invokedBy": "workmail.eu-west-1.amazonaws.com"})
        );
        assert_eq!(ip, "workmail.eu-west-1.amazonaws.com");
        assert_eq!(agent, "workmail.eu-west-1.amazonaws.com");
    }

    #[test]
    fn iam_identity() {
        let (id, ip, _) = identity_of(
            &Caller::iam("arn:aws:iam::111122223333:role/Admin")
                .via("workmail.us-east-1.amazonaws.com"),
        );
        assert_eq!(id.kind, "AssumedRole");
        assert_eq!(
            id.invoked_by.as_deref(),
            Some("workmail.us-east-1.amazonaws.com")
        );
        assert_eq!(ip, "workmail.us-east-1.amazonaws.com");
        assert!(id.principal_id.unwrap().starts_with("AROA"));
        let (root, ..) = identity_of(&Caller::root("111122223333"));
        assert_eq!(root.kind, "Root");
        assert_eq!(root.principal_id.as_deref(), Some("111122223333"));
    }
}
