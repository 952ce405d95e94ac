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
use std::sync::Arc;

/// The `eventVersion` of the events in the seeds' samples.
pub const EVENT_VERSION: &str = "1.05";

/// Request and response members that carry secrets or ciphertexts: never in an event.
const NEVER_RECORDED: &[&str] = &[
    "Plaintext",
    "CiphertextBlob",
    "Policy",
    "Message",
    "Signature",
    "Mac",
    "PublicKey",
    "ImportToken",
    "EncryptedKeyMaterial",
    "PrivateKeyPlaintext",
    "PrivateKeyCiphertextBlob",
    "SharedSecret",
    "SharedSecretCiphertextBlob",
    "CiphertextForRecipient",
    "Recipient",
];

/// Text of an event: most often a constant (`kms.amazonaws.com`, `AwsApiCall`, an
/// operation name) or shared with the world (its Region and account), so an event copies
/// little. It reads, compares, prints and serializes as the string it is.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Text {
    /// A constant.
    Static(&'static str),
    /// Shared text.
    Shared(Arc<str>),
}

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            Text::Static(s) => s,
            Text::Shared(s) => s,
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Self {
        Text::Static(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::Shared(Arc::from(s))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::Shared(Arc::from(s.as_str()))
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Text::from)
    }
}

/// An event's `requestID`, `eventID` or `sharedEventID`: a UUID, written as text only
/// when the event is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(pub [u8; 16]);

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::env::uuid_text(&self.0))
    }
}

impl std::fmt::Debug for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EventId({self})")
    }
}

impl PartialEq<str> for EventId {
    fn eq(&self, other: &str) -> bool {
        crate::env::parse_uuid(other) == Some(self.0)
    }
}

impl Serialize for EventId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::env::uuid_text(&self.0))
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        crate::env::parse_uuid(&text)
            .map(EventId)
            .ok_or_else(|| serde::de::Error::custom(format!("{text} is not a UUID")))
    }
}

/// `userIdentity` of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub kind: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<Text>,
}

/// One entry of `resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Resource {
    #[serde(rename = "ARN")]
    pub arn: Text,
    #[serde(rename = "accountId")]
    pub account_id: Text,
    #[serde(rename = "type")]
    pub kind: Text,
}

/// A CloudTrail event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct CloudTrailEvent {
    pub event_version: Text,
    pub user_identity: UserIdentity,
    pub event_time: Text,
    pub event_source: Text,
    pub event_name: Text,
    pub aws_region: Text,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: Text,
    pub user_agent: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub request_parameters: Parameters,
    pub response_elements: Value,
    #[serde(rename = "requestID")]
    pub request_id: EventId,
    #[serde(rename = "eventID")]
    pub event_id: EventId,
    pub read_only: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    pub event_type: Text,
    pub recipient_account_id: Text,
    #[serde(rename = "sharedEventID", skip_serializing_if = "Option::is_none")]
    pub shared_event_id: Option<EventId>,
}

/// The documentation address (RFC 5737) used as the caller's IP for direct calls.
pub const CALLER_IP: &str = "192.0.2.10";
/// The user agent recorded for direct calls.
pub const CALLER_AGENT: &str = "kmsplay/1.0";

/// An event's `userIdentity`, `sourceIPAddress` and `userAgent`.
pub type Identity = (UserIdentity, Text, Text);

/// `userIdentity`, `sourceIPAddress` and `userAgent` for a caller. A service principal
/// appears as `{"type": "AWSService", "invokedBy": <service>}` with the service as IP and
/// agent (the seeds' samples); an IAM principal acting through a service keeps its own
/// identity with `invokedBy` set to the service, as AWS records forward-access calls.
pub fn identity_of(caller: &Caller) -> Identity {
    match &caller.principal {
        CallerPrincipal::Service { name } => (
            UserIdentity {
                kind: "AWSService".into(),
                principal_id: None,
                arn: None,
                account_id: None,
                invoked_by: Some(name.into()),
            },
            name.into(),
            name.into(),
        ),
        CallerPrincipal::Iam { arn, account } => {
            let kind = if arn.ends_with(":root") {
                "Root"
            } else if arn.contains(":user/") {
                "IAMUser"
            } else {
                "AssumedRole"
            };
            let (ip, agent): (Text, Text) = match &caller.via_service {
                Some(via) => (via.into(), via.into()),
                None => (CALLER_IP.into(), CALLER_AGENT.into()),
            };
            (
                UserIdentity {
                    kind: kind.into(),
                    principal_id: Some(principal_id(arn)),
                    arn: Some(arn.into()),
                    account_id: Some(account.into()),
                    invoked_by: caller.via_service.as_ref().map(Text::from),
                },
                ip,
                agent,
            )
        }
    }
}

/// A stable, id-shaped principal id derived from the ARN (AWS uses `AIDA...` for users,
/// `AROA...` for roles; the account id for root).
fn principal_id(arn: &str) -> Text {
    if arn.ends_with(":root") {
        return Text::Shared(Arc::from(
            crate::authz::arn_account(arn).unwrap_or_default(),
        ));
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
    format!("{prefix}{:016X}", h).into()
}

/// An event's `requestParameters`: the request's members with lower-camel-case names,
/// minus the ones AWS never records (plaintext, ciphertext, policy text), kept as the
/// compact JSON text they were written to when the call was made. A call writes one
/// string and no JSON tree; the tree is built only when someone reads the event
/// ([`Parameters::to_value`], or serializing it), and then its keys are sorted as a
/// `Value`'s are, so the event reads the same as ever.
#[derive(Clone, Default)]
pub struct Parameters(Option<String>);

impl Parameters {
    /// The parameters as JSON (`null` when the request had none to record).
    pub fn to_value(&self) -> Value {
        self.0
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Value::Null)
    }

    /// Whether the request had nothing to record (`requestParameters` is `null`).
    pub fn is_null(&self) -> bool {
        self.0.is_none()
    }
}

impl From<Value> for Parameters {
    fn from(v: Value) -> Self {
        match v {
            Value::Null => Parameters(None),
            v => Parameters(serde_json::to_string(&v).ok()),
        }
    }
}

impl PartialEq for Parameters {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || self.to_value() == other.to_value()
    }
}

impl std::fmt::Debug for Parameters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_deref().unwrap_or("null"))
    }
}

impl Serialize for Parameters {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Parameters {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(Parameters::from)
    }
}

/// `requestParameters` of a request. A request struct is written member by member
/// ([`ParametersSerializer`]) straight to JSON text, so the members never recorded are
/// never serialized at all; anything else (a request that could not be parsed, as JSON)
/// goes through a `Value`.
pub fn request_parameters<T: Serialize + ?Sized>(request: &T) -> Parameters {
    match request.serialize(ParametersSerializer) {
        Ok(p) => p,
        Err(_) => match serde_json::to_value(request) {
            Ok(Value::Object(map)) => Parameters::from(non_empty(
                map.into_iter()
                    .filter(|(k, _)| !NEVER_RECORDED.contains(&k.as_str()))
                    .map(|(k, v)| (lower_camel(&k), v))
                    .collect(),
            )),
            _ => Parameters(None),
        },
    }
}

fn non_empty(map: Map<String, Value>) -> Value {
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

/// Writes a request struct as `requestParameters`; any other shape is refused (and
/// [`request_parameters`] falls back to a `Value`).
struct ParametersSerializer;

/// The members written so far, as JSON text: `{"keyId":...,"keySpec":...`.
struct ParametersStruct(Vec<u8>);

impl serde::ser::SerializeStruct for ParametersStruct {
    type Ok = Parameters;
    type Error = serde_json::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        if begin_member(&mut self.0, key)? {
            serde_json::to_writer(&mut self.0, value)?;
        }
        Ok(())
    }

    fn end(self) -> Result<Parameters, Self::Error> {
        let mut out = self.0;
        if out.is_empty() {
            return Ok(Parameters(None));
        }
        out.push(b'}');
        String::from_utf8(out)
            .map(|text| Parameters(Some(text)))
            .map_err(|_| serde::ser::Error::custom("requestParameters are not UTF-8"))
    }
}

/// Writes `{"name":` (or `,"name":` after the first member), the name in lower camel case,
/// unless the member is one never recorded (`false`: write nothing more). Member names
/// are ASCII identifiers: written as they are, the first letter lowered, with no string
/// made for the name. Not generic, so one copy serves every member type.
fn begin_member(out: &mut Vec<u8>, key: &str) -> Result<bool, serde_json::Error> {
    if NEVER_RECORDED.contains(&key) {
        return Ok(false);
    }
    out.push(if out.is_empty() { b'{' } else { b',' });
    match ascii_lower_camel(key) {
        // Nothing to escape in an identifier: written as it is.
        Some((first, rest)) if rest.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            out.push(b'"');
            out.push(first);
            out.extend_from_slice(rest.as_bytes());
            out.push(b'"');
        }
        _ => serde_json::to_writer(&mut *out, &lower_camel(key))?,
    }
    out.push(b':');
    Ok(true)
}

fn not_a_struct() -> serde_json::Error {
    serde::ser::Error::custom("requestParameters are written from a request struct")
}

macro_rules! refuse {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Parameters, serde_json::Error> { Err(not_a_struct()) })*
    };
}

impl serde::Serializer for ParametersSerializer {
    type Ok = Parameters;
    type Error = serde_json::Error;
    type SerializeSeq = serde::ser::Impossible<Parameters, serde_json::Error>;
    type SerializeTuple = serde::ser::Impossible<Parameters, serde_json::Error>;
    type SerializeTupleStruct = serde::ser::Impossible<Parameters, serde_json::Error>;
    type SerializeTupleVariant = serde::ser::Impossible<Parameters, serde_json::Error>;
    type SerializeMap = serde::ser::Impossible<Parameters, serde_json::Error>;
    type SerializeStruct = ParametersStruct;
    type SerializeStructVariant = serde::ser::Impossible<Parameters, serde_json::Error>;

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Parameters, Self::Error> {
        Err(not_a_struct())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Parameters, Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Parameters, Self::Error> {
        Err(not_a_struct())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        Err(not_a_struct())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Self::Error> {
        Err(not_a_struct())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        Err(not_a_struct())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        Err(not_a_struct())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Err(not_a_struct())
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        Ok(ParametersStruct(Vec::with_capacity(160)))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        Err(not_a_struct())
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

/// One copy, not one inlined into each response type's `response_elements`.
#[inline(never)]
fn camel_keys(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            // Inserted one by one, not `collect()`ed: `BTreeMap`'s `FromIterator` sorts,
            // and its sort was copied into every caller (156 KB of the page's wasm).
            let mut out = Map::new();
            for (k, v) in map
                .iter()
                .filter(|(k, _)| !NEVER_RECORDED.contains(&k.as_str()))
            {
                out.insert(lower_camel(k), camel_keys(v));
            }
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
    match ascii_lower_camel(name) {
        Some((first, rest)) => {
            let mut out = String::with_capacity(name.len());
            out.push(char::from(first));
            out.push_str(rest);
            out
        }
        None => {
            let mut chars = name.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

/// [`lower_camel`] of a name that starts with an ASCII character: that character
/// lowered, and the rest as it is (`None` for an empty name or a non-ASCII start).
fn ascii_lower_camel(name: &str) -> Option<(u8, &str)> {
    let first = *name.as_bytes().first().filter(|b| b.is_ascii())?;
    Some((first.to_ascii_lowercase(), name.get(1..)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_requests_give_the_same_parameters_as_their_json() {
        use crate::kms::types::EncryptRequest;
        use crate::wire::Secret;
        let req = EncryptRequest {
            key_id: "alias/k".into(),
            plaintext: Secret::new(b"secret".to_vec()),
            encryption_context: Some(crate::context::EncryptionContext::from_pairs([("a", "b")])),
            grant_tokens: vec!["t".into()],
            ..Default::default()
        };
        let typed = request_parameters(&req);
        assert_eq!(
            typed.to_value(),
            json!({"keyId": "alias/k", "encryptionContext": {"a": "b"}, "grantTokens": ["t"]})
        );
        assert_eq!(
            request_parameters(&serde_json::to_value(&req).unwrap()),
            typed
        );
    }

    #[test]
    fn member_names_lower_their_first_letter_only() {
        assert_eq!(lower_camel("KeyId"), "keyId");
        assert_eq!(lower_camel("GrantTokens"), "grantTokens");
        assert_eq!(lower_camel("Ärger"), "ärger");
        assert_eq!(lower_camel(""), "");
        let mut out = Vec::new();
        assert!(begin_member(&mut out, "KeyId").unwrap());
        assert!(
            !begin_member(&mut out, "Plaintext").unwrap(),
            "never recorded"
        );
        assert!(begin_member(&mut out, "Odd\"Name").unwrap());
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"keyId":,"odd\"Name":"#);
    }

    #[test]
    fn request_parameters_drop_secrets() {
        let req = json!({"KeyId": "k", "Plaintext": "c2VjcmV0", "EncryptionContext": {"a": "b"}});
        assert_eq!(
            request_parameters(&req).to_value(),
            json!({"keyId": "k", "encryptionContext": {"a": "b"}})
        );
        assert!(request_parameters(&json!({"CiphertextBlob": "AAAA"})).is_null());
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
