//! Requests checked against AWS's model, with AWS's messages.
//!
//! AWS services built on Coral read a request in two passes, and so does this module:
//! first the types (a member that is not the JSON type its shape needs is a
//! `SerializationException`), then the constraints, all of them, reported together in
//! one `ValidationException`:
//!
//! ```text
//! 2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member
//! must not be null; Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must
//! have value greater than or equal to 1
//! ```
//!
//! Member paths are lower camel case; list elements are `name.N.member` (1-based). The
//! value of a sensitive member (a plaintext) or of a blob is never echoed ("Value at
//! 'plaintext' failed ..."), as AWS does not echo it. Members the model does not know are
//! returned, not refused: AWS ignores them; the scenario edge reports them as typos.

use super::error::{ErrorCode, KmsError};
use super::model::{model, ServiceModel, Shape};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What a request that passed validation carried that the model does not know.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Unknown {
    /// Paths of members the operation's shapes do not have.
    pub members: Vec<String>,
}

struct Checker<'m> {
    model: &'m ServiceModel,
    violations: Vec<String>,
    unknown: Vec<String>,
}

fn lower_camel(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A number of the model (a constraint bound) as AWS prints it.
fn bound(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The compiled pattern of a shape: Java syntax (`\uXXXX`) in `regex-lite`'s, matched
/// against the whole value as Java's `matches` does.
fn pattern(source: &str) -> Option<&'static regex_lite::Regex> {
    static CACHE: OnceLock<std::sync::Mutex<BTreeMap<String, Option<&'static regex_lite::Regex>>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().ok()?;
    if let Some(r) = cache.get(source) {
        return *r;
    }
    let mut translated = String::with_capacity(source.len() + 8);
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'u') {
            chars.next();
            let hex: String = chars.by_ref().take(4).collect();
            translated.push_str(&format!("\\x{{{hex}}}"));
        } else {
            translated.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    translated.push(n);
                }
            }
        }
    }
    let compiled = regex_lite::Regex::new(&format!("^(?:{translated})$"))
        .ok()
        .map(|r| &*Box::leak(Box::new(r)));
    cache.insert(source.to_owned(), compiled);
    compiled
}

/// AWS lists an enum's values in the order of a Java set, not the model's. Where the
/// order was seen in a recorded AWS response, it is kept here; otherwise the model's.
fn enum_listing(values: &[String]) -> String {
    const SEEN: &[&[&str]] = &[
        &["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"],
        &[
            "HMAC_SHA_384",
            "HMAC_SHA_256",
            "HMAC_SHA_224",
            "HMAC_SHA_512",
        ],
        &["ECDH"],
    ];
    let same_set = |seen: &&&[&str]| {
        seen.len() == values.len() && seen.iter().all(|s| values.iter().any(|v| v == s))
    };
    match SEEN.iter().find(same_set) {
        Some(seen) => seen.join(", "),
        None => values.join(", "),
    }
}

/// How a value reads in a message, or `None` when AWS does not echo it.
fn shown(value: &Value, shape: &Shape) -> Option<String> {
    if shape.sensitive || shape.kind == "blob" {
        return None;
    }
    Some(match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    })
}

fn serialization(message: String) -> KmsError {
    KmsError::new(ErrorCode::SerializationException, message)
}

impl Checker<'_> {
    fn violate(&mut self, path: &str, value: Option<String>, constraint: &str) {
        let value = match value {
            Some(v) => format!("Value '{v}' at"),
            None => "Value at".to_owned(),
        };
        self.violations.push(format!(
            "{value} '{path}' failed to satisfy constraint: {constraint}"
        ));
    }

    fn check(&mut self, value: &Value, shape: &Shape, path: &str) -> Result<(), KmsError> {
        match shape.kind.as_str() {
            "structure" => self.structure(value, shape, path),
            "list" => {
                let Value::Array(items) = value else {
                    return Err(serialization(format!("Expected a list at '{path}'")));
                };
                self.length(items.len(), value, shape, path);
                if let Some(member) = shape
                    .member
                    .as_ref()
                    .and_then(|m| self.model.shape(&m.shape))
                {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item, member, &format!("{path}.{}.member", i + 1))?;
                    }
                }
                Ok(())
            }
            "map" => {
                let Value::Object(entries) = value else {
                    return Err(serialization(format!("Expected a map at '{path}'")));
                };
                self.length(entries.len(), value, shape, path);
                for v in entries.values() {
                    if !v.is_string() {
                        return Err(serialization(format!(
                            "Expected a map of strings at '{path}'"
                        )));
                    }
                }
                Ok(())
            }
            "string" => {
                let Value::String(s) = value else {
                    return Err(serialization(format!(
                        "Expected a string at '{path}', got {}",
                        kind_of(value)
                    )));
                };
                self.length(s.chars().count(), value, shape, path);
                if let Some(values) = &shape.values {
                    if !values.iter().any(|v| v == s) {
                        let set = enum_listing(values);
                        self.violate(
                            path,
                            shown(value, shape),
                            &format!("Member must satisfy enum value set: [{set}]"),
                        );
                    }
                }
                if let Some(p) = &shape.pattern {
                    if pattern(p).is_some_and(|r| !r.is_match(s)) {
                        self.violate(
                            path,
                            shown(value, shape),
                            &format!("Member must satisfy regular expression pattern: {p}"),
                        );
                    }
                }
                Ok(())
            }
            "blob" => {
                let Value::String(s) = value else {
                    return Err(serialization(format!(
                        "Expected a base64 string at '{path}', got {}",
                        kind_of(value)
                    )));
                };
                let bytes = crate::wire::unb64(s)
                    .map_err(|e| serialization(format!("'{path}' is not valid base64: {e}")))?;
                self.length(bytes.len(), value, shape, path);
                Ok(())
            }
            "integer" | "long" => {
                let Some(n) = value.as_i64() else {
                    return Err(serialization(format!(
                        "Expected a whole number at '{path}', got {}",
                        kind_of(value)
                    )));
                };
                let n = n as f64;
                if let Some(min) = shape.min.filter(|min| n < *min) {
                    self.violate(
                        path,
                        shown(value, shape),
                        &format!(
                            "Member must have value greater than or equal to {}",
                            bound(min)
                        ),
                    );
                }
                if let Some(max) = shape.max.filter(|max| n > *max) {
                    self.violate(
                        path,
                        shown(value, shape),
                        &format!(
                            "Member must have value less than or equal to {}",
                            bound(max)
                        ),
                    );
                }
                Ok(())
            }
            "boolean" => match value {
                Value::Bool(_) => Ok(()),
                other => Err(serialization(format!(
                    "Expected a boolean at '{path}', got {}",
                    kind_of(other)
                ))),
            },
            "timestamp" => match value {
                Value::Number(_) | Value::String(_) => Ok(()),
                other => Err(serialization(format!(
                    "Expected a timestamp at '{path}', got {}",
                    kind_of(other)
                ))),
            },
            _ => Ok(()),
        }
    }

    fn length(&mut self, len: usize, value: &Value, shape: &Shape, path: &str) {
        let len = len as f64;
        if let Some(min) = shape.min.filter(|min| len < *min) {
            self.violate(
                path,
                shown(value, shape),
                &format!(
                    "Member must have length greater than or equal to {}",
                    bound(min)
                ),
            );
        }
        if let Some(max) = shape.max.filter(|max| len > *max) {
            self.violate(
                path,
                shown(value, shape),
                &format!(
                    "Member must have length less than or equal to {}",
                    bound(max)
                ),
            );
        }
    }

    fn structure(&mut self, value: &Value, shape: &Shape, path: &str) -> Result<(), KmsError> {
        let Value::Object(members) = value else {
            return Err(serialization(format!(
                "Expected an object{}, got {}",
                if path.is_empty() {
                    String::new()
                } else {
                    format!(" at '{path}'")
                },
                kind_of(value)
            )));
        };
        let prefix = |name: &str| {
            if path.is_empty() {
                lower_camel(name)
            } else {
                format!("{path}.{}", lower_camel(name))
            }
        };
        for (name, member) in &shape.members {
            let Some(member_shape) = self.model.shape(&member.shape) else {
                continue;
            };
            match members.get(name) {
                None | Some(Value::Null) => {
                    if shape.required.iter().any(|r| r == name) {
                        self.violations.push(format!(
                            "Value null at '{}' failed to satisfy constraint: Member must not be null",
                            prefix(name)
                        ));
                    }
                }
                Some(v) => self.check(v, member_shape, &prefix(name))?,
            }
        }
        for name in members.keys() {
            if shape.member(name).is_none() {
                self.unknown.push(if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                });
            }
        }
        Ok(())
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Checks `request` (the JSON of an `operation` request) against the model: the types
/// (`SerializationException`), then every constraint (`ValidationException`, all the
/// violations in one message, as AWS writes it). Returns the members the model does not
/// know.
pub fn validate(operation: &str, request: &Value) -> Result<Unknown, KmsError> {
    let model = model();
    let Some(input) = model.input(operation) else {
        return Ok(Unknown::default());
    };
    let empty = Value::Object(Default::default());
    let request = if request.is_null() { &empty } else { request };
    let mut checker = Checker {
        model,
        violations: Vec::new(),
        unknown: Vec::new(),
    };
    checker.structure(request, input, "")?;
    match checker.violations.len() {
        0 => Ok(Unknown {
            members: checker.unknown,
        }),
        n => Err(KmsError::new(
            ErrorCode::ValidationException,
            format!(
                "{n} validation error{} detected: {}",
                if n == 1 { "" } else { "s" },
                checker.violations.join("; ")
            ),
        )),
    }
}

/// Walks `value` with its `shape`, calling `at_member` on every structure member (with
/// the member's shape); `at_member` returns false to drop the member.
fn walk(
    model: &ServiceModel,
    value: &mut Value,
    shape: &Shape,
    at_member: &mut dyn FnMut(&Shape, &mut Value) -> bool,
) {
    match (shape.kind.as_str(), value) {
        ("structure", Value::Object(members)) => {
            members.retain(|name, v| {
                match shape.member(name).and_then(|m| model.shape(&m.shape)) {
                    Some(member_shape) if at_member(member_shape, v) => {
                        walk(model, v, member_shape, at_member);
                        true
                    }
                    _ => false,
                }
            });
        }
        ("list", Value::Array(items)) => {
            if let Some(member) = shape.member.as_ref().and_then(|m| model.shape(&m.shape)) {
                for item in items {
                    walk(model, item, member, at_member);
                }
            }
        }
        ("map", Value::Object(entries)) => {
            if let Some(v) = shape.value.as_ref().and_then(|m| model.shape(&m.shape)) {
                for item in entries.values_mut() {
                    walk(model, item, v, at_member);
                }
            }
        }
        _ => {}
    }
}

/// `request` without the members the model does not know, at any depth: what AWS reads
/// of it (AWS ignores unknown members; the wire edge does too).
pub fn known_members(operation: &str, request: &Value) -> Value {
    let mut out = request.clone();
    if let Some(input) = model().input(operation) {
        walk(model(), &mut out, input, &mut |_, _| true);
    }
    out
}

/// The marker a redacted sensitive member becomes: its length, never its value.
pub const REDACTED_LENGTH: &str = "kmsplayRedactedLength";

/// `request` with every member the model marks sensitive (plaintexts, messages to sign or
/// MAC, passwords) replaced by `{"kmsplayRedactedLength": <bytes>}`: what may be written
/// to disk. [`restore_redacted`] turns it back into a request of the same lengths.
pub fn redact_sensitive(operation: &str, request: &Value) -> Value {
    let mut out = request.clone();
    if let Some(input) = model().input(operation) {
        walk(model(), &mut out, input, &mut |shape, v| {
            if shape.sensitive {
                let len = match (&*v, shape.kind.as_str()) {
                    (Value::String(s), "blob") => {
                        crate::wire::unb64(s).map(|b| b.len()).unwrap_or(0)
                    }
                    (Value::String(s), _) => s.len(),
                    _ => 0,
                };
                *v = serde_json::json!({ REDACTED_LENGTH: len });
            }
            true
        });
    }
    out
}

/// A request [`redact_sensitive`] redacted, with each sensitive member back at its length:
/// zero bytes for blobs, `*`s for strings. Replaying it leaves the world as the original
/// request did (KMS's randomness does not depend on what a plaintext holds).
pub fn restore_redacted(operation: &str, request: &Value) -> Value {
    let mut out = request.clone();
    if let Some(input) = model().input(operation) {
        walk(model(), &mut out, input, &mut |shape, v| {
            if let Some(len) = v.get(REDACTED_LENGTH).and_then(Value::as_u64) {
                let len = usize::try_from(len).unwrap_or(0).min(1 << 20);
                *v = if shape.kind == "blob" {
                    Value::String(crate::wire::b64(&vec![0u8; len]))
                } else {
                    Value::String("*".repeat(len))
                };
            }
            true
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_members_are_dropped_and_secrets_redacted_to_their_length() {
        let req = json!({"KeyId": "k", "Plaintext": "aGVsbG8=", "Bogus": 1, "EncryptionContext": {"a": "b"}});
        assert_eq!(
            known_members("Encrypt", &req),
            json!({"KeyId": "k", "Plaintext": "aGVsbG8=", "EncryptionContext": {"a": "b"}})
        );
        let tags = json!({"KeyId": "k", "Tags": [{"TagKey": "a", "TagValue": "b", "Extra": true}]});
        assert_eq!(
            known_members("TagResource", &tags)["Tags"][0],
            json!({"TagKey": "a", "TagValue": "b"})
        );
        let redacted = redact_sensitive("Encrypt", &req);
        assert_eq!(redacted["Plaintext"], json!({ REDACTED_LENGTH: 5 }));
        assert_eq!(redacted["KeyId"], "k");
        assert!(!redacted.to_string().contains("aGVsbG8"));
        let restored = restore_redacted("Encrypt", &redacted);
        assert_eq!(restored["Plaintext"], crate::wire::b64(&[0u8; 5]));
        let sign = redact_sensitive(
            "Sign",
            &json!({"KeyId": "k", "Message": "c2VjcmV0", "SigningAlgorithm": "ECDSA_SHA_256"}),
        );
        assert_eq!(sign["Message"], json!({ REDACTED_LENGTH: 6 }));
    }

    fn message(op: &str, req: Value) -> String {
        match validate(op, &req) {
            Err(e) => format!("{}: {}", e.code, e.aws_message()),
            Ok(u) => format!("ok {:?}", u.members),
        }
    }

    /// Messages as recorded from AWS (LocalStack's snapshot tests, `test_kms.snapshot.json`).
    #[test]
    fn messages_read_as_aws_writes_them() {
        assert_eq!(
            message("GenerateRandom", json!({"NumberOfBytes": 0})),
            "ValidationException: 1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        assert_eq!(
            message("GenerateRandom", json!({"NumberOfBytes": 1025})),
            "ValidationException: 1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"
        );
        assert_eq!(
            message("Encrypt", json!({"KeyId": "k", "Plaintext": crate::wire::b64(&[0u8; 4097])})),
            "ValidationException: 1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
        );
        assert_eq!(
            message("GenerateMac", json!({"KeyId": "k", "Message": "AA==", "MacAlgorithm": "INVALID"})),
            "ValidationException: 1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]"
        );
        // A set whose AWS order was never recorded is listed in the model's order.
        assert_eq!(
            message("CreateKey", json!({"KeyUsage": "RANDOM"})),
            "ValidationException: 1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE]"
        );
        let long = "a".repeat(129);
        assert_eq!(
            message("CreateKey", json!({"Tags": [{"TagKey": "ok", "TagValue": "v"}, {"TagKey": long, "TagValue": "v"}]})),
            format!("ValidationException: 1 validation error detected: Value '{long}' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128")
        );
    }

    #[test]
    fn every_violation_is_reported_and_required_members_are_named() {
        assert_eq!(
            message("GenerateDataKey", json!({"NumberOfBytes": 0})),
            "ValidationException: 2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        assert_eq!(
            message("CreateAlias", json!({"AliasName": "alias/bad name", "TargetKeyId": "k"})),
            "ValidationException: 1 validation error detected: Value 'alias/bad name' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
        );
    }

    #[test]
    fn wrong_types_are_serialization_errors_and_unknown_members_are_returned() {
        assert!(message("Encrypt", json!({"KeyId": 5, "Plaintext": "AA=="}))
            .starts_with("SerializationException"));
        assert!(
            message("Encrypt", json!({"KeyId": "k", "Plaintext": "not base64!"}))
                .starts_with("SerializationException")
        );
        assert!(message("Encrypt", json!([])).starts_with("SerializationException"));
        assert_eq!(
            message(
                "Encrypt",
                json!({"KeyId": "k", "Plaintext": "AA==", "Bogus": 1})
            ),
            "ok [\"Bogus\"]"
        );
    }

    #[test]
    fn java_unicode_escapes_in_patterns_are_understood() {
        // PolicyType: [\u0009\u000A\u000D\u0020-\u00FF]+
        assert!(message(
            "PutKeyPolicy",
            json!({"KeyId": "k", "Policy": "{\"a\": 1}\n"})
        )
        .starts_with("ok"));
        assert!(
            message("PutKeyPolicy", json!({"KeyId": "k", "Policy": "\u{1}"}))
                .contains("regular expression pattern")
        );
    }
}
