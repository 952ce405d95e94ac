//! The IAM JSON policy grammar used by key policies and identity policies: parsing,
//! validation and serialization back to the same shape.
//!
//! Grammar: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>;
//! key policy specifics: <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html>.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::condition::{
    json_kind, parse_condition_block, serialize_conditions, ConditionSpec, SetQualifier,
};
use super::error::PolicyError;
use super::variables::has_variables;

/// Largest key policy AWS KMS accepts, in bytes ("Up to 32 kilobytes (32,768 bytes)",
/// <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-format>).
pub const KEY_POLICY_MAX_BYTES: usize = 32_768;

/// Which kind of policy a document is; the grammar is shared but the rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyKind {
    /// A resource-based policy (a KMS key policy): every statement names its
    /// `Principal` or `NotPrincipal`, and `"Resource": "*"` means "this KMS key".
    Resource,
    /// An IAM identity-based policy attached to a user or role: it applies to that
    /// identity, so `Principal` is not allowed; `Resource` is required.
    Identity,
}

/// `Effect`: whether a matching statement allows or denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    /// `"Allow"`.
    Allow,
    /// `"Deny"`: an explicit deny, which overrides any allow.
    Deny,
}

/// The value of a `Principal` or `NotPrincipal` element
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalSpec {
    /// `"*"`: everyone (the same as `{"AWS": "*"}`).
    Anyone,
    /// `{"AWS": ..., "Service": ..., ...}`; each list holds the values given for that
    /// principal type.
    Named {
        /// `AWS`: `"*"`, account ids, account root ARNs, user and role ARNs.
        aws: Vec<String>,
        /// `Service`: service principals such as `ses.amazonaws.com`.
        service: Vec<String>,
        /// `Federated`: identity providers. Accepted, but no simulated caller is one.
        federated: Vec<String>,
        /// `CanonicalUser`: S3 canonical user ids. Accepted, never matched.
        canonical_user: Vec<String>,
    },
}

/// A statement's principal element: `Principal` or its complement `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalElement {
    /// The statement applies to the principals listed.
    Principal(PrincipalSpec),
    /// The statement applies to everyone except the principals listed.
    NotPrincipal(PrincipalSpec),
}

/// A statement's action element: `Action` or its complement `NotAction`. Entries are
/// `service:action` patterns with `*` and `?` wildcards, matched case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionElement {
    /// The statement covers the actions listed.
    Action(Vec<String>),
    /// The statement covers every action except those listed.
    NotAction(Vec<String>),
}

/// A statement's resource element: `Resource` or its complement `NotResource`. In a key
/// policy `"*"` means "this KMS key".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceElement {
    /// The statement covers the resources listed.
    Resource(Vec<String>),
    /// The statement covers every resource except those listed.
    NotResource(Vec<String>),
}

/// One policy statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `Sid`, the statement's optional name.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` / `NotPrincipal`: required in key policies, absent in identity
    /// policies.
    pub principal: Option<PrincipalElement>,
    /// `Action` / `NotAction`: exactly one is required.
    pub action: ActionElement,
    /// `Resource` / `NotResource`. AWS KMS accepts a key policy statement without one,
    /// but such a statement "has no effect"
    /// (<https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-elements>).
    pub resource: Option<ResourceElement>,
    /// `Condition`, flattened: one entry per operator and key, all of which must hold.
    pub conditions: Vec<ConditionSpec>,
    /// Whether policy variables (`${aws:username}`, `${*}`, ...) are substituted in this
    /// statement's `Resource` and `Condition` values: its policy's `Version` is
    /// `2012-10-17` and one of those values holds `${...}`. In other policies "variables
    /// like `${aws:username}` are treated as literal strings" (IAM User Guide, *IAM policy
    /// elements: Variables and tags*).
    pub variables: bool,
}

/// A parsed policy document (key policy or IAM policy). Serializes back to the IAM JSON
/// shape, so the UI can show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    /// `Version`: `2012-10-17` or `2008-10-17` when present.
    #[serde(rename = "Version", skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `Id`: e.g. `auto-workmail-1`.
    #[serde(rename = "Id", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `Statement`: one or more statements (written as an object or an array).
    #[serde(rename = "Statement")]
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// Parses policy text, checking the grammar common to all policy kinds. Use
    /// [`parse_policy`] to also apply the key-policy or identity-policy rules.
    pub fn parse(json: &str) -> Result<PolicyDocument, PolicyError> {
        Self::from_value(&parse_json(json)?)
    }

    /// [`PolicyDocument::parse`] from an already decoded JSON value.
    pub fn from_value(v: &Value) -> Result<PolicyDocument, PolicyError> {
        parse_document(v, None)
    }
}

impl Statement {
    /// Parses a single statement written on its own, as AWS documentation often shows
    /// them (e.g. the SES statement to add to a key policy), with the common grammar.
    pub fn parse(json: &str) -> Result<Statement, PolicyError> {
        Self::from_value(&parse_json(json)?)
    }

    /// [`Statement::parse`] from an already decoded JSON value.
    pub fn from_value(v: &Value) -> Result<Statement, PolicyError> {
        parse_statement(v, "Statement", None)
    }
}

/// Parses a policy document and applies the rules of its kind:
///
/// - [`PolicyKind::Resource`] (key policy): every statement needs exactly one of
///   `Principal` / `NotPrincipal`; `Sid` may contain spaces; a statement without
///   `Resource` is accepted (AWS KMS accepts it and ignores it); `ForAllValues` with a
///   `kms:EncryptionContext:<context-key>` key is refused, as AWS KMS refuses it with
///   `OverlyPermissiveCondition`
///   (<https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context>).
/// - [`PolicyKind::Identity`] (IAM policy): `Principal` / `NotPrincipal` are not
///   allowed, `Resource` / `NotResource` is required and `Sid` is alphanumeric
///   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html>).
pub fn parse_policy(json: &Value, kind: PolicyKind) -> Result<PolicyDocument, PolicyError> {
    parse_document(json, Some(kind))
}

fn parse_json(json: &str) -> Result<Value, PolicyError> {
    serde_json::from_str(json).map_err(|e| PolicyError::new("", format!("invalid JSON: {e}")))
}

const DOCUMENT_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

fn parse_document(v: &Value, kind: Option<PolicyKind>) -> Result<PolicyDocument, PolicyError> {
    let Value::Object(doc) = v else {
        return Err(PolicyError::new(
            "",
            format!(
                "a policy document must be a JSON object, got {}",
                json_kind(v)
            ),
        ));
    };
    reject_unknown_elements(doc, &DOCUMENT_ELEMENTS, "")?;
    let version = optional_string(doc, "Version", "Version")?;
    if let Some(version) = &version {
        if version != "2012-10-17" && version != "2008-10-17" {
            return Err(PolicyError::new(
                "Version",
                format!("unsupported policy version \"{version}\" (use 2012-10-17)"),
            ));
        }
    }
    let id = optional_string(doc, "Id", "Id")?;
    let statements = match doc.get("Statement") {
        None => return Err(PolicyError::new("Statement", "required element is missing")),
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(PolicyError::new(
                "Statement",
                "must contain at least one statement",
            ))
        }
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_statement(item, &format!("Statement[{i}]"), kind))
            .collect::<Result<Vec<_>, _>>()?,
        Some(single @ Value::Object(_)) => vec![parse_statement(single, "Statement", kind)?],
        Some(other) => {
            return Err(PolicyError::new(
                "Statement",
                format!(
                    "expected a statement object or an array of statements, got {}",
                    json_kind(other)
                ),
            ))
        }
    };
    let mut statements = statements;
    if version.as_deref() == Some(VARIABLES_VERSION) {
        for st in &mut statements {
            st.variables = mentions_variables(st);
        }
    }
    Ok(PolicyDocument {
        version,
        id,
        statements,
    })
}

/// The policy language version that introduced policy variables.
const VARIABLES_VERSION: &str = "2012-10-17";

/// Whether a statement's `Resource` or `Condition` values hold a policy variable.
fn mentions_variables(st: &Statement) -> bool {
    let resources = match &st.resource {
        Some(ResourceElement::Resource(r) | ResourceElement::NotResource(r)) => r.as_slice(),
        None => &[],
    };
    resources.iter().any(|r| has_variables(r))
        || st
            .conditions
            .iter()
            .any(|c| c.operator.base.takes_variables() && c.values.iter().any(|v| has_variables(v)))
}

fn parse_statement(
    v: &Value,
    path: &str,
    kind: Option<PolicyKind>,
) -> Result<Statement, PolicyError> {
    let Value::Object(st) = v else {
        return Err(PolicyError::new(
            path,
            format!("expected a statement object, got {}", json_kind(v)),
        ));
    };
    reject_unknown_elements(st, &STATEMENT_ELEMENTS, &format!("{path}."))?;
    let at = |element: &str| format!("{path}.{element}");

    let sid = optional_string(st, "Sid", &at("Sid"))?;
    if let (Some(sid), Some(PolicyKind::Identity)) = (&sid, kind) {
        if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(PolicyError::new(
                &at("Sid"),
                "an IAM policy Sid may contain only letters A-Z, a-z and digits 0-9",
            ));
        }
    }

    let effect = match st.get("Effect") {
        None => {
            return Err(PolicyError::new(
                &at("Effect"),
                "required element is missing",
            ))
        }
        Some(Value::String(s)) if s == "Allow" => Effect::Allow,
        Some(Value::String(s)) if s == "Deny" => Effect::Deny,
        Some(Value::String(s)) => {
            return Err(PolicyError::new(
                &at("Effect"),
                format!("expected \"Allow\" or \"Deny\", got \"{s}\""),
            ))
        }
        Some(other) => {
            return Err(PolicyError::new(
                &at("Effect"),
                format!("expected \"Allow\" or \"Deny\", got {}", json_kind(other)),
            ))
        }
    };

    let principal = match (st.get("Principal"), st.get("NotPrincipal")) {
        (Some(_), Some(_)) => {
            return Err(PolicyError::new(
                path,
                "a statement cannot have both Principal and NotPrincipal",
            ))
        }
        (Some(p), None) => Some(PrincipalElement::Principal(parse_principal(
            p,
            &at("Principal"),
        )?)),
        (None, Some(p)) => Some(PrincipalElement::NotPrincipal(parse_principal(
            p,
            &at("NotPrincipal"),
        )?)),
        (None, None) => None,
    };
    match (kind, &principal) {
        (Some(PolicyKind::Resource), None) => {
            return Err(PolicyError::new(
                path,
                "a key policy statement needs a Principal or NotPrincipal element",
            ))
        }
        (Some(PolicyKind::Identity), Some(element)) => {
            let name = match element {
                PrincipalElement::Principal(_) => "Principal",
                PrincipalElement::NotPrincipal(_) => "NotPrincipal",
            };
            return Err(PolicyError::new(
                &at(name),
                "not allowed in an identity-based policy (the policy applies to the \
                 identity it is attached to)",
            ));
        }
        _ => {}
    }

    let action = match (st.get("Action"), st.get("NotAction")) {
        (Some(_), Some(_)) => {
            return Err(PolicyError::new(
                path,
                "a statement cannot have both Action and NotAction",
            ))
        }
        (Some(a), None) => ActionElement::Action(parse_actions(a, &at("Action"))?),
        (None, Some(a)) => ActionElement::NotAction(parse_actions(a, &at("NotAction"))?),
        (None, None) => {
            return Err(PolicyError::new(
                path,
                "a statement needs an Action or NotAction element",
            ))
        }
    };

    let resource = match (st.get("Resource"), st.get("NotResource")) {
        (Some(_), Some(_)) => {
            return Err(PolicyError::new(
                path,
                "a statement cannot have both Resource and NotResource",
            ))
        }
        (Some(r), None) => Some(ResourceElement::Resource(string_list(r, &at("Resource"))?)),
        (None, Some(r)) => Some(ResourceElement::NotResource(string_list(
            r,
            &at("NotResource"),
        )?)),
        (None, None) => None,
    };
    if resource.is_none() && kind == Some(PolicyKind::Identity) {
        return Err(PolicyError::new(
            path,
            "an identity-based policy statement needs a Resource or NotResource element",
        ));
    }

    let conditions = match st.get("Condition") {
        Some(c) => parse_condition_block(c, &at("Condition"))?,
        None => Vec::new(),
    };
    if kind == Some(PolicyKind::Resource) {
        if let Some(c) = conditions.iter().find(|c| {
            c.operator.set == Some(SetQualifier::ForAllValues)
                && c.key.to_lowercase().starts_with("kms:encryptioncontext:")
        }) {
            return Err(PolicyError::new(
                &format!("{}.{}.{}", at("Condition"), c.operator, c.key),
                "OverlyPermissiveCondition: Using the ForAllValues set operator with a \
                 single-valued condition key matches requests without the specified \
                 encryption context or with an unspecified encryption context. To fix, \
                 remove ForAllValues.",
            ));
        }
    }

    Ok(Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
        variables: false,
    })
}

fn reject_unknown_elements(
    obj: &Map<String, Value>,
    known: &[&str],
    prefix: &str,
) -> Result<(), PolicyError> {
    for name in obj.keys() {
        if known.contains(&name.as_str()) {
            continue;
        }
        let lower = name.to_lowercase();
        let hint = known
            .iter()
            .map(|k| (edit_distance(&k.to_lowercase(), &lower), k))
            .filter(|(distance, _)| *distance <= 2)
            .min()
            .map(|(_, k)| format!(" (did you mean \"{k}\"?)"))
            .unwrap_or_default();
        return Err(PolicyError::new(
            &format!("{prefix}{name}"),
            format!("unknown policy element \"{name}\"{hint}"),
        ));
    }
    Ok(())
}

/// Levenshtein distance, for "did you mean" hints on misspelt element names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute =
                previous.get(j).copied().unwrap_or(usize::MAX - 1) + usize::from(ca != *cb);
            let delete = previous.get(j + 1).copied().unwrap_or(usize::MAX - 1) + 1;
            let insert = current.get(j).copied().unwrap_or(usize::MAX - 1) + 1;
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

fn optional_string(
    obj: &Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<String>, PolicyError> {
    match obj.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(PolicyError::new(
            path,
            format!("expected a string, got {}", json_kind(other)),
        )),
    }
}

/// A string or a non-empty array of strings.
fn string_list(v: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if items.is_empty() => {
            Err(PolicyError::new(path, "must list at least one value"))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(PolicyError::new(
                    &format!("{path}[{i}]"),
                    format!("expected a string, got {}", json_kind(other)),
                )),
            })
            .collect(),
        other => Err(PolicyError::new(
            path,
            format!(
                "expected a string or an array of strings, got {}",
                json_kind(other)
            ),
        )),
    }
}

/// Actions must be `"*"` or carry a service prefix, as IAM requires ("Actions/Conditions
/// must be prefaced by a vendor").
fn parse_actions(v: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    let actions = string_list(v, path)?;
    for (i, action) in actions.iter().enumerate() {
        let prefixed = action
            .split_once(':')
            .is_some_and(|(service, name)| !service.is_empty() && !name.is_empty());
        if action != "*" && !prefixed {
            let at = if matches!(v, Value::Array(_)) {
                format!("{path}[{i}]")
            } else {
                path.to_string()
            };
            return Err(PolicyError::new(
                &at,
                format!(
                    "expected \"*\" or \"service:action\" (e.g. kms:Decrypt), got \"{action}\""
                ),
            ));
        }
    }
    Ok(actions)
}

fn parse_principal(v: &Value, path: &str) -> Result<PrincipalSpec, PolicyError> {
    let types = match v {
        Value::String(s) if s == "*" => return Ok(PrincipalSpec::Anyone),
        Value::Object(types) => types,
        other => {
            return Err(PolicyError::new(
                path,
                format!(
                    "expected \"*\" or an object such as {{\"AWS\": ...}} or \
                     {{\"Service\": ...}}, got {}",
                    match other {
                        Value::String(s) => format!("\"{s}\""),
                        other => json_kind(other).to_string(),
                    }
                ),
            ))
        }
    };
    if types.is_empty() {
        return Err(PolicyError::new(path, "names no principal"));
    }
    let mut aws = Vec::new();
    let mut service = Vec::new();
    let mut federated = Vec::new();
    let mut canonical_user = Vec::new();
    for (name, values) in types {
        let at = format!("{path}.{name}");
        let list = match name.as_str() {
            "AWS" => &mut aws,
            "Service" => &mut service,
            "Federated" => &mut federated,
            "CanonicalUser" => &mut canonical_user,
            _ => {
                return Err(PolicyError::new(
                    &at,
                    format!(
                        "unknown principal type \"{name}\" (expected AWS, Service, \
                         Federated or CanonicalUser)"
                    ),
                ))
            }
        };
        *list = string_list(values, &at)?;
    }
    for (i, value) in aws.iter().enumerate() {
        let valid = value == "*"
            || value.starts_with("arn:")
            || (value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()));
        if !valid {
            let at = match types.get("AWS") {
                Some(Value::Array(_)) => format!("{path}.AWS[{i}]"),
                _ => format!("{path}.AWS"),
            };
            return Err(PolicyError::new(
                &at,
                format!("invalid principal \"{value}\" (expected \"*\", an account id or an ARN)"),
            ));
        }
    }
    Ok(PrincipalSpec::Named {
        aws,
        service,
        federated,
        canonical_user,
    })
}

/// A one-element list serializes as a plain string, as policies are usually written.
fn one_or_many(values: &[String]) -> Value {
    match values {
        [one] => Value::String(one.clone()),
        many => Value::Array(many.iter().cloned().map(Value::String).collect()),
    }
}

impl Serialize for PrincipalSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PrincipalSpec::Anyone => serializer.serialize_str("*"),
            PrincipalSpec::Named {
                aws,
                service,
                federated,
                canonical_user,
            } => {
                let mut map = serializer.serialize_map(None)?;
                for (name, values) in [
                    ("AWS", aws),
                    ("Service", service),
                    ("Federated", federated),
                    ("CanonicalUser", canonical_user),
                ] {
                    if !values.is_empty() {
                        map.serialize_entry(name, &one_or_many(values))?;
                    }
                }
                map.end()
            }
        }
    }
}

struct ConditionsBlock<'a>(&'a [ConditionSpec]);

impl Serialize for ConditionsBlock<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_conditions(self.0, serializer)
    }
}

impl Serialize for Statement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(sid) = &self.sid {
            map.serialize_entry("Sid", sid)?;
        }
        map.serialize_entry("Effect", &self.effect)?;
        match &self.principal {
            Some(PrincipalElement::Principal(p)) => map.serialize_entry("Principal", p)?,
            Some(PrincipalElement::NotPrincipal(p)) => map.serialize_entry("NotPrincipal", p)?,
            None => {}
        }
        match &self.action {
            ActionElement::Action(a) => map.serialize_entry("Action", &one_or_many(a))?,
            ActionElement::NotAction(a) => map.serialize_entry("NotAction", &one_or_many(a))?,
        }
        match &self.resource {
            Some(ResourceElement::Resource(r)) => {
                map.serialize_entry("Resource", &one_or_many(r))?
            }
            Some(ResourceElement::NotResource(r)) => {
                map.serialize_entry("NotResource", &one_or_many(r))?
            }
            None => {}
        }
        if !self.conditions.is_empty() {
            map.serialize_entry("Condition", &ConditionsBlock(&self.conditions))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> PolicyError {
        PolicyDocument::from_value(&v).unwrap_err()
    }

    fn minimal(statement: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": [statement]})
    }

    #[test]
    fn statement_may_be_an_object_or_an_array() {
        let one = PolicyDocument::from_value(&json!({
            "Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}
        }))
        .unwrap();
        assert_eq!(one.statements.len(), 1);
        assert_eq!(one.version, None);
        let two = PolicyDocument::from_value(&json!({
            "Version": "2012-10-17",
            "Id": "x",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
                {"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"},
                 "NotAction": ["kms:Decrypt", "kms:Encrypt"], "NotResource": "*"}
            ]
        }))
        .unwrap();
        assert_eq!(two.statements.len(), 2);
        assert_eq!(two.id.as_deref(), Some("x"));
        let st = &two.statements[1];
        assert_eq!(st.effect, Effect::Deny);
        assert!(matches!(
            st.principal,
            Some(PrincipalElement::NotPrincipal(_))
        ));
        assert_eq!(
            st.action,
            ActionElement::NotAction(vec!["kms:Decrypt".into(), "kms:Encrypt".into()])
        );
        assert_eq!(
            st.resource,
            Some(ResourceElement::NotResource(vec!["*".into()]))
        );
    }

    #[test]
    fn invalid_json() {
        let e = PolicyDocument::parse("{\"Statement\": [").unwrap_err();
        assert_eq!(e.path, "");
        assert!(e.message.starts_with("invalid JSON"), "{e}");
        assert!(e.to_string().starts_with("invalid JSON"), "{e}");
    }

    #[test]
    fn document_level_errors() {
        assert_eq!(err(json!([])).path, "");
        assert_eq!(err(json!({"Version": "2012-10-17"})).path, "Statement");
        let e = err(json!({"Statement": "Allow everything"}));
        assert_eq!(e.path, "Statement");
        assert!(e.message.contains("got a string"), "{e}");
        let e = err(json!({"Statement": 3}));
        assert!(e.message.contains("got a number"), "{e}");
        assert_eq!(err(json!({"Statement": []})).path, "Statement");
        let e = err(json!({"Version": "2012-10-18", "Statement": []}));
        assert_eq!(e.path, "Version");
        let e = err(json!({"Version": "2012-10-17", "Statment": [], "Statement": []}));
        assert_eq!(e.path, "Statment");
        assert!(e.message.contains("unknown policy element"), "{e}");
        let e = err(json!({"version": "2012-10-17", "Statement": []}));
        assert!(e.message.contains("did you mean \"Version\""), "{e}");
        let e = err(json!({"Statment": []}));
        assert!(e.message.contains("did you mean \"Statement\""), "{e}");
        let e = err(json!({"Policy": [], "Statement": []}));
        assert!(!e.message.contains("did you mean"), "{e}");
        let e = err(json!({"Statement": ["x"]}));
        assert_eq!(e.path, "Statement[0]");
    }

    #[test]
    fn effect_is_required_and_must_be_allow_or_deny() {
        let e = err(minimal(
            json!({"Principal": "*", "Action": "kms:*", "Resource": "*"}),
        ));
        assert_eq!(
            e.to_string(),
            "Statement[0].Effect: required element is missing"
        );
        let e = err(minimal(
            json!({"Effect": "Maybe", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
        ));
        assert_eq!(
            e.to_string(),
            "Statement[0].Effect: expected \"Allow\" or \"Deny\", got \"Maybe\""
        );
        let e = err(minimal(
            json!({"Effect": "allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
        ));
        assert_eq!(e.path, "Statement[0].Effect");
        let e = err(minimal(
            json!({"Effect": true, "Principal": "*", "Action": "kms:*", "Resource": "*"}),
        ));
        assert!(e.message.contains("got a boolean"), "{e}");
    }

    #[test]
    fn action_rules() {
        let e = err(minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": 42, "Resource": "*"}),
        ));
        assert_eq!(
            e.to_string(),
            "Statement[0].Action: expected a string or an array of strings, got a number"
        );
        let e = err(minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt", 1], "Resource": "*"}),
        ));
        assert_eq!(e.path, "Statement[0].Action[1]");
        let e = err(minimal(
            json!({"Effect": "Allow", "Principal": "*", "Resource": "*"}),
        ));
        assert_eq!(e.path, "Statement[0]");
        assert!(e.message.contains("Action or NotAction"), "{e}");
        let e = err(minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": "kms:*",
            "NotAction": "kms:Decrypt", "Resource": "*"}),
        ));
        assert!(e.message.contains("both Action and NotAction"), "{e}");
        let e = err(minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt", "Encrypt"], "Resource": "*"}),
        ));
        assert_eq!(e.path, "Statement[0].Action[1]");
        let e = err(minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": [], "Resource": "*"}),
        ));
        assert_eq!(e.path, "Statement[0].Action");
    }

    #[test]
    fn statement_level_errors() {
        let e = err(minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": "kms:*",
            "Resource": "*", "Conditions": {}}),
        ));
        assert_eq!(e.path, "Statement[0].Conditions");
        assert!(e.message.contains("did you mean \"Condition\""), "{e}");
        let e = err(minimal(json!({"Effect": "Allow", "Principal": "*",
            "NotPrincipal": "*", "Action": "kms:*", "Resource": "*"})));
        assert!(e.message.contains("both Principal and NotPrincipal"), "{e}");
        let e = err(minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": "kms:*",
            "Resource": "*", "NotResource": "*"}),
        ));
        assert!(e.message.contains("both Resource and NotResource"), "{e}");
        let e = err(minimal(
            json!({"Sid": 1, "Effect": "Allow", "Principal": "*",
            "Action": "kms:*", "Resource": "*"}),
        ));
        assert_eq!(e.path, "Statement[0].Sid");
        let e = err(json!({"Statement": {"Effect": "Allow", "Principal": "*",
            "Action": "kms:*", "Resource": {"arn": "x"}}}));
        assert_eq!(e.path, "Statement.Resource");
    }

    #[test]
    fn principal_forms() {
        let parse = |p: Value| {
            PolicyDocument::from_value(&minimal(
                json!({"Effect": "Allow", "Principal": p, "Action": "kms:*", "Resource": "*"}),
            ))
        };
        assert!(parse(json!({"AWS": "*"})).is_ok());
        assert!(
            parse(json!({"AWS": ["111122223333", "arn:aws:iam::111122223333:role/R"]})).is_ok()
        );
        assert!(parse(json!({"Service": "ses.amazonaws.com"})).is_ok());
        assert!(parse(json!({"Federated": "cognito-identity.amazonaws.com"})).is_ok());
        let e = parse(json!("arn:aws:iam::111122223333:root")).unwrap_err();
        assert_eq!(e.path, "Statement[0].Principal");
        let e = parse(json!({"Group": "x"})).unwrap_err();
        assert_eq!(e.path, "Statement[0].Principal.Group");
        let e = parse(json!({"AWS": ["*", "bob"]})).unwrap_err();
        assert_eq!(e.path, "Statement[0].Principal.AWS[1]");
        let e = parse(json!({})).unwrap_err();
        assert_eq!(e.path, "Statement[0].Principal");
        let e = parse(json!({"Service": 5})).unwrap_err();
        assert_eq!(e.path, "Statement[0].Principal.Service");
    }

    #[test]
    fn condition_errors_carry_the_statement_path() {
        let e = err(json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
             "Condition": {"StringEquals": {"kms:ViaService": {"x": 1}}}}
        ]}));
        assert_eq!(
            e.to_string(),
            "Statement[1].Condition.StringEquals.kms:ViaService: expected a string or an \
             array of strings, got an object"
        );
        let e = err(minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": "kms:*",
            "Resource": "*", "Condition": {"StringEqualsMaybe": {"k": "v"}}}),
        ));
        assert_eq!(e.path, "Statement[0].Condition.StringEqualsMaybe");
        assert!(e.message.contains("unknown condition operator"), "{e}");
    }

    #[test]
    fn key_policy_rules() {
        let no_principal = minimal(json!({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}));
        assert!(PolicyDocument::from_value(&no_principal).is_ok());
        let e = parse_policy(&no_principal, PolicyKind::Resource).unwrap_err();
        assert_eq!(e.path, "Statement[0]");
        assert!(e.message.contains("Principal or NotPrincipal"), "{e}");
        // Missing Resource: accepted by KMS (the statement just has no effect).
        let no_resource = minimal(json!({"Effect": "Allow", "Principal": "*", "Action": "kms:*"}));
        let doc = parse_policy(&no_resource, PolicyKind::Resource).unwrap();
        assert_eq!(doc.statements[0].resource, None);
        // Spaces in a key policy Sid are fine.
        let spaced = minimal(json!({"Sid": "Allow use of the key", "Effect": "Allow",
            "Principal": "*", "Action": "kms:*", "Resource": "*"}));
        assert!(parse_policy(&spaced, PolicyKind::Resource).is_ok());
        let overly = minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
            "Resource": "*", "Condition": {"ForAllValues:StringEquals":
            {"kms:EncryptionContext:Department": "IT"}}}),
        );
        let e = parse_policy(&overly, PolicyKind::Resource).unwrap_err();
        assert_eq!(
            e.path,
            "Statement[0].Condition.ForAllValues:StringEquals.kms:EncryptionContext:Department"
        );
        assert!(e.message.starts_with("OverlyPermissiveCondition"), "{e}");
        // ForAnyValue is discouraged but not refused; ForAllValues on the multivalued
        // kms:EncryptionContextKeys is the documented way to limit the keys.
        let keys = minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
            "Resource": "*", "Condition": {"ForAllValues:StringEquals":
            {"kms:EncryptionContextKeys": ["Department"]}}}),
        );
        assert!(parse_policy(&keys, PolicyKind::Resource).is_ok());
    }

    #[test]
    fn identity_policy_rules() {
        let with_principal = minimal(
            json!({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
        );
        let e = parse_policy(&with_principal, PolicyKind::Identity).unwrap_err();
        assert_eq!(e.path, "Statement[0].Principal");
        let no_resource = minimal(json!({"Effect": "Allow", "Action": "kms:*"}));
        let e = parse_policy(&no_resource, PolicyKind::Identity).unwrap_err();
        assert!(e.message.contains("Resource or NotResource"), "{e}");
        let spaced = minimal(
            json!({"Sid": "has spaces", "Effect": "Allow", "Action": "kms:*",
            "Resource": "*"}),
        );
        let e = parse_policy(&spaced, PolicyKind::Identity).unwrap_err();
        assert_eq!(e.path, "Statement[0].Sid");
        let ok = minimal(
            json!({"Sid": "AllowKms1", "Effect": "Allow", "Action": "kms:*",
            "Resource": "arn:aws:kms:*:111122223333:key/*"}),
        );
        assert!(parse_policy(&ok, PolicyKind::Identity).is_ok());
    }

    #[test]
    fn serializes_back_to_the_iam_shape() {
        let source = json!({
            "Version": "2012-10-17",
            "Id": "p",
            "Statement": [{
                "Sid": "S",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "444455556666"],
                              "Service": "ses.amazonaws.com"},
                "Action": ["kms:Encrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {
                    "Null": {"kms:EncryptionContext:aws:ses:rule-name": "false"},
                    "StringEquals": {"kms:EncryptionContext:aws:ses:source-account": "111122223333"}
                }
            }, {
                "Effect": "Deny",
                "NotPrincipal": "*",
                "NotAction": "kms:Decrypt"
            }]
        });
        let doc = PolicyDocument::from_value(&source).unwrap();
        let out = serde_json::to_value(&doc).unwrap();
        assert_eq!(out, source);
        assert_eq!(PolicyDocument::from_value(&out).unwrap(), doc);
    }
}
