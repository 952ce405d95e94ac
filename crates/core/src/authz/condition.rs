//! The `Condition` element: operators, their parsing, and their evaluation against a
//! request context.
//!
//! Semantics follow "IAM JSON policy elements: Condition operators"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>)
//! and "Conditions with multiple context keys or values"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>).

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;

#[cfg(test)]
use super::context::RequestContext;
use super::context::RequestKeys;
use super::error::PolicyError;
use super::pattern::{
    arn_match, arn_match_pattern, glob_match, glob_match_pattern, ip_in_cidr, parse_date,
    parse_number, Unit,
};
use super::variables::{has_variables, substitute, text_of};

/// A condition operator without its `ForAnyValue:`/`ForAllValues:` prefix and
/// `IfExists` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BaseOperator {
    /// Exact, case-sensitive string match.
    StringEquals,
    /// Negated `StringEquals`.
    StringNotEquals,
    /// String match ignoring case.
    StringEqualsIgnoreCase,
    /// Negated `StringEqualsIgnoreCase`.
    StringNotEqualsIgnoreCase,
    /// Case-sensitive match with `*` and `?` wildcards.
    StringLike,
    /// Negated `StringLike`.
    StringNotLike,
    /// Numbers equal.
    NumericEquals,
    /// Negated `NumericEquals`.
    NumericNotEquals,
    /// Request value less than the policy value.
    NumericLessThan,
    /// Request value less than or equal to the policy value.
    NumericLessThanEquals,
    /// Request value greater than the policy value.
    NumericGreaterThan,
    /// Request value greater than or equal to the policy value.
    NumericGreaterThanEquals,
    /// Same instant.
    DateEquals,
    /// Negated `DateEquals`.
    DateNotEquals,
    /// Request date before the policy date.
    DateLessThan,
    /// Request date at or before the policy date.
    DateLessThanEquals,
    /// Request date after the policy date.
    DateGreaterThan,
    /// Request date at or after the policy date.
    DateGreaterThanEquals,
    /// `true` / `false`.
    Bool,
    /// Byte-for-byte match of a base64 value.
    BinaryEquals,
    /// Address inside a CIDR block.
    IpAddress,
    /// Negated `IpAddress`.
    NotIpAddress,
    /// ARN match, component by component, wildcards allowed per component.
    ArnEquals,
    /// Same as `ArnEquals`.
    ArnLike,
    /// Negated `ArnEquals`.
    ArnNotEquals,
    /// Negated `ArnLike`.
    ArnNotLike,
    /// Key presence: `true` means the key must be absent, `false` present.
    Null,
}

const ALL_BASE_OPERATORS: [BaseOperator; 27] = [
    BaseOperator::StringEquals,
    BaseOperator::StringNotEquals,
    BaseOperator::StringEqualsIgnoreCase,
    BaseOperator::StringNotEqualsIgnoreCase,
    BaseOperator::StringLike,
    BaseOperator::StringNotLike,
    BaseOperator::NumericEquals,
    BaseOperator::NumericNotEquals,
    BaseOperator::NumericLessThan,
    BaseOperator::NumericLessThanEquals,
    BaseOperator::NumericGreaterThan,
    BaseOperator::NumericGreaterThanEquals,
    BaseOperator::DateEquals,
    BaseOperator::DateNotEquals,
    BaseOperator::DateLessThan,
    BaseOperator::DateLessThanEquals,
    BaseOperator::DateGreaterThan,
    BaseOperator::DateGreaterThanEquals,
    BaseOperator::Bool,
    BaseOperator::BinaryEquals,
    BaseOperator::IpAddress,
    BaseOperator::NotIpAddress,
    BaseOperator::ArnEquals,
    BaseOperator::ArnLike,
    BaseOperator::ArnNotEquals,
    BaseOperator::ArnNotLike,
    BaseOperator::Null,
];

impl BaseOperator {
    /// The operator's name as written in a policy.
    pub fn name(self) -> &'static str {
        use BaseOperator::*;
        match self {
            StringEquals => "StringEquals",
            StringNotEquals => "StringNotEquals",
            StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            StringLike => "StringLike",
            StringNotLike => "StringNotLike",
            NumericEquals => "NumericEquals",
            NumericNotEquals => "NumericNotEquals",
            NumericLessThan => "NumericLessThan",
            NumericLessThanEquals => "NumericLessThanEquals",
            NumericGreaterThan => "NumericGreaterThan",
            NumericGreaterThanEquals => "NumericGreaterThanEquals",
            DateEquals => "DateEquals",
            DateNotEquals => "DateNotEquals",
            DateLessThan => "DateLessThan",
            DateLessThanEquals => "DateLessThanEquals",
            DateGreaterThan => "DateGreaterThan",
            DateGreaterThanEquals => "DateGreaterThanEquals",
            Bool => "Bool",
            BinaryEquals => "BinaryEquals",
            IpAddress => "IpAddress",
            NotIpAddress => "NotIpAddress",
            ArnEquals => "ArnEquals",
            ArnLike => "ArnLike",
            ArnNotEquals => "ArnNotEquals",
            ArnNotLike => "ArnNotLike",
            Null => "Null",
        }
    }

    fn from_name(name: &str) -> Option<BaseOperator> {
        ALL_BASE_OPERATORS.into_iter().find(|op| op.name() == name)
    }

    /// A *negated matching* operator (`StringNotEquals`, `ArnNotLike`, ...). Several
    /// policy values are combined with NOR, and with the key absent from the request
    /// the condition is true: "If the policy condition requires that the key is not
    /// matched, such as StringNotLike or ArnNotLike, and the right key is not present,
    /// the condition is true."
    pub fn is_negated(self) -> bool {
        use BaseOperator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// Whether the operator's values may hold policy variables: "You can use a policy
    /// variable for Condition values in any condition that involves the string operators
    /// or the ARN operators" (IAM User Guide, *IAM policy elements: Variables and tags*).
    pub fn takes_variables(self) -> bool {
        use BaseOperator::*;
        matches!(
            self,
            StringEquals
                | StringNotEquals
                | StringEqualsIgnoreCase
                | StringNotEqualsIgnoreCase
                | StringLike
                | StringNotLike
                | ArnEquals
                | ArnLike
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// [`BaseOperator::positive_match`] against a policy value whose variables were
    /// substituted: characters that came from a variable are literal, even `*` and `?`.
    fn positive_match_units(self, request: &str, policy: &[Unit]) -> bool {
        use BaseOperator::*;
        let spelled = || policy.iter().map(|u| u.as_char());
        match self {
            StringEquals | StringNotEquals => spelled().eq(request.chars()),
            StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => spelled()
                .flat_map(char::to_lowercase)
                .eq(request.chars().flat_map(char::to_lowercase)),
            StringLike | StringNotLike => glob_match_pattern(policy, request),
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => arn_match_pattern(policy, request),
            other => other.positive_match(request, &text_of(policy)),
        }
    }

    /// Does one request value match one policy value under the positive form of this
    /// operator (`StringNotEquals` tests equality here; the caller negates)?
    fn positive_match(self, request: &str, policy: &str) -> bool {
        use BaseOperator::*;
        let numbers = || parse_number(request).zip(parse_number(policy));
        let dates = || parse_date(request).zip(parse_date(policy));
        match self {
            StringEquals | StringNotEquals | BinaryEquals => request == policy,
            StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => {
                request.to_lowercase() == policy.to_lowercase()
            }
            StringLike | StringNotLike => glob_match(policy, request),
            NumericEquals | NumericNotEquals => numbers().is_some_and(|(r, p)| r == p),
            NumericLessThan => numbers().is_some_and(|(r, p)| r < p),
            NumericLessThanEquals => numbers().is_some_and(|(r, p)| r <= p),
            NumericGreaterThan => numbers().is_some_and(|(r, p)| r > p),
            NumericGreaterThanEquals => numbers().is_some_and(|(r, p)| r >= p),
            DateEquals | DateNotEquals => dates().is_some_and(|(r, p)| r == p),
            DateLessThan => dates().is_some_and(|(r, p)| r < p),
            DateLessThanEquals => dates().is_some_and(|(r, p)| r <= p),
            DateGreaterThan => dates().is_some_and(|(r, p)| r > p),
            DateGreaterThanEquals => dates().is_some_and(|(r, p)| r >= p),
            Bool => request.eq_ignore_ascii_case(policy),
            IpAddress | NotIpAddress => ip_in_cidr(policy, request),
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => arn_match(policy, request),
            // Null tests presence, not values; it is evaluated before we get here.
            Null => false,
        }
    }
}

/// The condition set operators for multivalued context keys
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SetQualifier {
    /// At least one request value must satisfy the operator; an absent or empty key is
    /// false.
    ForAnyValue,
    /// Every request value must satisfy the operator; an absent or empty key is true.
    ForAllValues,
}

/// A full condition operator as written in a policy, e.g. `ForAnyValue:StringLike` or
/// `StringEqualsIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConditionOperator {
    /// The comparison.
    pub base: BaseOperator,
    /// `ForAnyValue:` / `ForAllValues:` prefix, if any.
    pub set: Option<SetQualifier>,
    /// `...IfExists` suffix: true when the key is absent, otherwise the base operator.
    /// Allowed on every operator except `Null`.
    pub if_exists: bool,
}

impl ConditionOperator {
    /// Parses an operator name. Operator names are matched exactly, as AWS spells them;
    /// `NullIfExists` does not exist ("You can add IfExists to the end of any condition
    /// operator name except the Null condition").
    pub fn parse(name: &str) -> Option<ConditionOperator> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else {
            (None, name)
        };
        if let Some(base) = BaseOperator::from_name(rest) {
            return Some(ConditionOperator {
                base,
                set,
                if_exists: false,
            });
        }
        let base = BaseOperator::from_name(rest.strip_suffix("IfExists")?)?;
        (base != BaseOperator::Null).then_some(ConditionOperator {
            base,
            set,
            if_exists: true,
        })
    }

    /// A known operator name differing only by case, to suggest in an error.
    fn suggestion(name: &str) -> Option<String> {
        let lower = name.to_lowercase();
        let prefixes = ["", "ForAnyValue:", "ForAllValues:"];
        let suffixes = ["", "IfExists"];
        for op in ALL_BASE_OPERATORS {
            for prefix in prefixes {
                for suffix in suffixes {
                    let candidate = format!("{prefix}{}{suffix}", op.name());
                    if candidate.to_lowercase() == lower && Self::parse(&candidate).is_some() {
                        return Some(candidate);
                    }
                }
            }
        }
        None
    }
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.set {
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            None => {}
        }
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

impl Serialize for ConditionOperator {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One `operator: { key: values }` entry of a `Condition` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionSpec {
    /// The operator.
    pub operator: ConditionOperator,
    /// The condition key as written (matched case-insensitively).
    pub key: String,
    /// The policy values; JSON booleans and numbers are kept as their text (`true`,
    /// `42`), since IAM compares them as strings.
    pub values: Vec<String>,
}

/// How one condition fared against one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionResult {
    /// The operator as written, e.g. `ForAnyValue:StringLike`.
    pub operator: String,
    /// The condition key as written in the policy.
    pub key: String,
    /// The policy values.
    pub expected: Vec<String>,
    /// The request's values for the key; `None` when the key is absent.
    pub actual: Option<Vec<String>>,
    /// The policy values with their policy variables substituted (`None` for a variable
    /// the request gives no value), when any of them holds a variable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substituted: Option<Vec<Option<String>>>,
    /// Whether the condition holds.
    pub matched: bool,
}

impl ConditionSpec {
    /// Evaluates this condition against a request, following AWS:
    ///
    /// - Several policy values for the key are ORed, except for negated operators
    ///   (`StringNotEquals`, `ArnNotLike`, ...), where they are NORed: "If a single
    ///   negated matching condition operator includes multiple values for a context key,
    ///   those values are evaluated using a logical NOR"
    ///   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>).
    /// - Key absent (or present with no values): `...IfExists` is true; otherwise
    ///   `ForAllValues:` is true, `ForAnyValue:` is false, a negated operator is true and
    ///   any other operator is false
    ///   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>,
    ///   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>).
    /// - `Null`: `true` holds when the key is absent, `false` when it is present.
    /// - `ForAnyValue:` holds when at least one request value satisfies the operator,
    ///   `ForAllValues:` when every request value does.
    /// - A plain operator on a key with several request values (a multivalued key such as
    ///   `kms:EncryptionContextKeys` used without a set operator, which AWS says not to
    ///   do and does not specify) holds when any request value matches any policy value,
    ///   negated operators when none does. This is how the earlier KMS developer guide
    ///   described `"StringEquals": {"kms:EncryptionContextKeys": "AppName"}` ("only when
    ///   the encryption context in the request includes the AppName key").
    pub fn evaluate(&self, ctx: &dyn RequestKeys) -> ConditionResult {
        self.evaluate_in(ctx, false)
    }

    /// [`ConditionSpec::evaluate`], substituting policy variables in the values when
    /// `variables` is set (the statement's policy takes them: see
    /// [`Statement::variables`](super::Statement::variables)). A value whose variable the
    /// request gives no value makes the condition fail, whatever the operator: "any
    /// attempt to match it fails and causes the statement to be invalid" (IAM User Guide,
    /// *IAM policy elements: Variables and tags*).
    pub fn evaluate_in(&self, ctx: &dyn RequestKeys, variables: bool) -> ConditionResult {
        let actual = ctx.get(&self.key);
        let resolved = self.resolved(ctx, variables);
        let matched = self.holds_for(actual.as_deref(), resolved.as_deref());
        ConditionResult {
            operator: self.operator.to_string(),
            key: self.key.clone(),
            expected: self.values.clone(),
            actual: actual.map(|v| v.iter().map(|s| (*s).to_owned()).collect()),
            substituted: resolved.map(|r| {
                r.iter()
                    .map(|units| units.as_deref().map(text_of))
                    .collect()
            }),
            matched,
        }
    }

    /// Whether this condition holds for the request, as [`ConditionSpec::evaluate`]
    /// decides it, without building the explanation.
    pub fn holds(&self, ctx: &dyn RequestKeys) -> bool {
        self.holds_in(ctx, false)
    }

    /// [`ConditionSpec::holds`], with policy variables as [`ConditionSpec::evaluate_in`].
    pub fn holds_in(&self, ctx: &dyn RequestKeys, variables: bool) -> bool {
        let resolved = self.resolved(ctx, variables);
        self.holds_for(ctx.get(&self.key).as_deref(), resolved.as_deref())
    }

    /// The values with their variables substituted, one per value (`None`: a variable with
    /// no value), when variables apply to this condition and a value holds one.
    fn resolved(&self, ctx: &dyn RequestKeys, variables: bool) -> Option<Vec<Option<Vec<Unit>>>> {
        if !variables
            || !self.operator.base.takes_variables()
            || !self.values.iter().any(|v| has_variables(v))
        {
            return None;
        }
        Some(self.values.iter().map(|v| substitute(v, ctx)).collect())
    }

    /// The decision on the request's values for the key (`None`: absent), against the
    /// policy values, or their substituted forms when `resolved` is given.
    fn holds_for(&self, actual: Option<&[&str]>, resolved: Option<&[Option<Vec<Unit>>]>) -> bool {
        if resolved.is_some_and(|r| r.iter().any(Option::is_none)) {
            return false;
        }
        let present = actual.filter(|values| !values.is_empty());
        let op = self.operator;
        let negated = op.base.is_negated();
        let matches = |request: &str, i: usize, policy: &str| match resolved
            .and_then(|r| r.get(i))
            .and_then(Option::as_deref)
        {
            Some(units) => op.base.positive_match_units(request, units),
            None => op.base.positive_match(request, policy),
        };
        let any_value = |request: &str| {
            self.values
                .iter()
                .enumerate()
                .any(|(i, policy)| matches(request, i, policy))
        };
        // One request value against all policy values: OR, or NOR when negated.
        let value_holds = |request: &str| any_value(request) != negated;
        match (op.base, present) {
            (BaseOperator::Null, present) => {
                let absent = present.is_none();
                self.values
                    .iter()
                    .any(|v| v.eq_ignore_ascii_case("true") == absent)
            }
            (_, None) => {
                op.if_exists
                    || match op.set {
                        Some(SetQualifier::ForAllValues) => true,
                        Some(SetQualifier::ForAnyValue) => false,
                        None => negated,
                    }
            }
            (_, Some(request)) => match op.set {
                Some(SetQualifier::ForAnyValue) => request.iter().any(|r| value_holds(r)),
                Some(SetQualifier::ForAllValues) => request.iter().all(|r| value_holds(r)),
                None => request.iter().any(|r| any_value(r)) != negated,
            },
        }
    }
}

impl ConditionResult {
    /// One plain-English clause explaining a failed condition, e.g.
    /// `condition StringEquals kms:ViaService failed: expected
    /// workmail.us-east-1.amazonaws.com, got (absent)`.
    pub fn explain(&self) -> String {
        let got = match &self.actual {
            None => "(absent)".to_string(),
            Some(values) if values.is_empty() => "(no values)".to_string(),
            Some(values) => list(values),
        };
        let op = ConditionOperator::parse(&self.operator);
        let expected = match op {
            Some(op) if op.base == BaseOperator::Null => {
                if self.expected.iter().any(|v| v.eq_ignore_ascii_case("true")) {
                    "the key to be absent".to_string()
                } else {
                    "the key to be present".to_string()
                }
            }
            Some(op) if op.base.is_negated() => format!("not {}", either(&self.shown_values())),
            _ => either(&self.shown_values()),
        };
        let verdict = if self.matched { "held" } else { "failed" };
        format!(
            "condition {} {} {verdict}: expected {expected}, got {got}",
            self.operator, self.key
        )
    }
}

impl ConditionResult {
    /// The policy values as the explanation shows them: each substituted value with the
    /// text it came from.
    fn shown_values(&self) -> Vec<String> {
        match &self.substituted {
            None => self.expected.clone(),
            Some(s) => self
                .expected
                .iter()
                .zip(s)
                .map(|(written, value)| match value {
                    Some(v) if v == written => v.clone(),
                    Some(v) => format!("{v} (from {written})"),
                    None => format!("{written} (a variable the request has no value for)"),
                })
                .collect(),
        }
    }
}

fn list(values: &[String]) -> String {
    match values {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

fn either(values: &[String]) -> String {
    match values {
        [] => "(nothing)".to_string(),
        [one] => one.clone(),
        many => format!("one of [{}]", many.join(", ")),
    }
}

/// Parses a `Condition` element: `{ operator: { key: value | [values] } }`. Entries come
/// back sorted by operator then key, so that evaluation order and explanations do not
/// depend on how the JSON map happened to be ordered.
pub(crate) fn parse_condition_block(
    value: &Value,
    path: &str,
) -> Result<Vec<ConditionSpec>, PolicyError> {
    let Value::Object(operators) = value else {
        return Err(PolicyError::new(
            path,
            format!(
                "expected an object of condition operators, got {}",
                json_kind(value)
            ),
        ));
    };
    let mut specs = Vec::new();
    for (name, keys) in operators {
        let op_path = format!("{path}.{name}");
        let Some(operator) = ConditionOperator::parse(name) else {
            let hint = match ConditionOperator::suggestion(name) {
                Some(s) => format!(" (did you mean {s}?)"),
                None if name.starts_with("Null") && name.ends_with("IfExists") => {
                    " (IfExists cannot be added to Null)".to_string()
                }
                None => String::new(),
            };
            return Err(PolicyError::new(
                &op_path,
                format!("unknown condition operator \"{name}\"{hint}"),
            ));
        };
        let Value::Object(keys) = keys else {
            return Err(PolicyError::new(
                &op_path,
                format!(
                    "expected an object of condition keys, got {}",
                    json_kind(keys)
                ),
            ));
        };
        if keys.is_empty() {
            return Err(PolicyError::new(&op_path, "names no condition key"));
        }
        for (key, values) in keys {
            let key_path = format!("{op_path}.{key}");
            if key.is_empty() {
                return Err(PolicyError::new(&key_path, "condition key is empty"));
            }
            let values = condition_values(values, &key_path)?;
            if operator.base == BaseOperator::Null {
                if let Some(bad) = values
                    .iter()
                    .find(|v| !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false"))
                {
                    return Err(PolicyError::new(
                        &key_path,
                        format!("Null expects true or false, got \"{bad}\""),
                    ));
                }
            }
            specs.push(ConditionSpec {
                operator,
                key: key.clone(),
                values,
            });
        }
    }
    specs.sort_by(|a, b| (a.operator.to_string(), &a.key).cmp(&(b.operator.to_string(), &b.key)));
    Ok(specs)
}

/// A condition value: a string, boolean or number, or an array of them.
fn condition_values(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                scalar(item).ok_or_else(|| {
                    PolicyError::new(
                        &format!("{path}[{i}]"),
                        format!("expected a string, got {}", json_kind(item)),
                    )
                })
            })
            .collect(),
        other => scalar(other).map(|s| vec![s]).ok_or_else(|| {
            PolicyError::new(
                path,
                format!(
                    "expected a string or an array of strings, got {}",
                    json_kind(other)
                ),
            )
        }),
    }
}

/// "an object", "a number", ... for error messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Serializes a statement's conditions back into the IAM shape
/// `{ operator: { key: value | [values] } }`.
pub(crate) fn serialize_conditions<S: Serializer>(
    specs: &[ConditionSpec],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut block = serde_json::Map::new();
    for spec in specs {
        let entry = block
            .entry(spec.operator.to_string())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Value::Object(keys) = entry {
            let values = match spec.values.as_slice() {
                [one] => Value::String(one.clone()),
                many => Value::Array(many.iter().cloned().map(Value::String).collect()),
            };
            keys.insert(spec.key.clone(), values);
        }
    }
    block.serialize(serializer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::context::CallerPrincipal;

    fn ctx() -> RequestContext {
        RequestContext::new(
            CallerPrincipal::iam("arn:aws:iam::111122223333:role/R").unwrap(),
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:key/k",
        )
    }

    /// Evaluates `{op: {key: values}}` against the context.
    fn check(op: &str, key: &str, values: &[&str], ctx: &RequestContext) -> bool {
        let spec = ConditionSpec {
            operator: ConditionOperator::parse(op).unwrap(),
            key: key.to_string(),
            values: values.iter().map(|v| v.to_string()).collect(),
        };
        spec.evaluate(ctx).matched
    }

    #[test]
    fn operator_names_round_trip() {
        for name in [
            "StringEquals",
            "ForAnyValue:StringLike",
            "ForAllValues:StringEqualsIfExists",
            "ArnNotLikeIfExists",
            "Null",
            "ForAllValues:Null",
        ] {
            assert_eq!(ConditionOperator::parse(name).unwrap().to_string(), name);
        }
        for bad in [
            "StringEqual",
            "stringequals",
            "NullIfExists",
            "ForSomeValues:StringEquals",
            "StringEqualsIfExistsIfExists",
            "",
        ] {
            assert_eq!(ConditionOperator::parse(bad), None, "{bad}");
        }
        assert_eq!(
            ConditionOperator::suggestion("stringequals").as_deref(),
            Some("StringEquals")
        );
    }

    #[test]
    fn string_operators() {
        let c = ctx().with("aws:username", "JohnDoe");
        assert!(check("StringEquals", "aws:username", &["JohnDoe"], &c));
        assert!(!check("StringEquals", "aws:username", &["johndoe"], &c));
        assert!(check("StringEquals", "aws:username", &["x", "JohnDoe"], &c));
        assert!(!check("StringNotEquals", "aws:username", &["JohnDoe"], &c));
        assert!(check("StringNotEquals", "aws:username", &["johndoe"], &c));
        assert!(check(
            "StringEqualsIgnoreCase",
            "aws:username",
            &["johndoe"],
            &c
        ));
        assert!(!check(
            "StringEqualsIgnoreCase",
            "aws:username",
            &["jane"],
            &c
        ));
        assert!(!check(
            "StringNotEqualsIgnoreCase",
            "aws:username",
            &["JOHNDOE"],
            &c
        ));
        assert!(check(
            "StringNotEqualsIgnoreCase",
            "aws:username",
            &["jane"],
            &c
        ));
        assert!(check("StringLike", "aws:username", &["John*"], &c));
        assert!(check("StringLike", "aws:username", &["J?hnDoe"], &c));
        assert!(!check("StringLike", "aws:username", &["john*"], &c));
        assert!(!check("StringNotLike", "aws:username", &["John*"], &c));
        assert!(check("StringNotLike", "aws:username", &["Jane*"], &c));
        assert!(check("BinaryEquals", "aws:username", &["JohnDoe"], &c));
        assert!(!check("BinaryEquals", "aws:username", &["johndoe"], &c));
    }

    #[test]
    fn negated_operators_nor_their_values() {
        let c = ctx().with("kms:ViaService", "ec2.us-east-1.amazonaws.com");
        let services = ["s3.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com"];
        // Equal to one of them: StringNotEquals is false (NOR), StringEquals true (OR).
        assert!(!check("StringNotEquals", "kms:ViaService", &services, &c));
        assert!(check("StringEquals", "kms:ViaService", &services, &c));
        assert!(check(
            "StringNotEquals",
            "kms:ViaService",
            &["s3.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com"],
            &c
        ));
        assert!(!check(
            "StringNotLike",
            "kms:ViaService",
            &["s3.*", "ec2.*"],
            &c
        ));
        assert!(!check(
            "ArnNotLike",
            "aws:SourceArn",
            &["arn:aws:s3:::*"],
            &c.clone().with("aws:SourceArn", "arn:aws:s3:::b")
        ));
    }

    #[test]
    fn absent_keys() {
        let c = ctx();
        // Positive operators are false, negated ones true.
        assert!(!check("StringEquals", "kms:ViaService", &["x"], &c));
        assert!(!check("StringLike", "kms:ViaService", &["*"], &c));
        assert!(!check("ArnLike", "aws:SourceArn", &["*"], &c));
        assert!(!check("Bool", "kms:GrantIsForAWSResource", &["false"], &c));
        assert!(!check("NumericLessThan", "n", &["5"], &c));
        assert!(check("StringNotEquals", "kms:ViaService", &["x"], &c));
        assert!(check("StringNotLike", "kms:ViaService", &["x"], &c));
        assert!(check("ArnNotEquals", "aws:SourceArn", &["x"], &c));
        assert!(check("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"], &c));
        // IfExists makes any operator true when the key is absent.
        assert!(check("StringEqualsIfExists", "kms:ViaService", &["x"], &c));
        assert!(check("ArnLikeIfExists", "aws:SourceArn", &["x"], &c));
        assert!(check("ForAnyValue:StringEqualsIfExists", "k", &["x"], &c));
        // Set operators: ForAllValues true, ForAnyValue false.
        assert!(check(
            "ForAllValues:StringEquals",
            "kms:GrantOperations",
            &["Decrypt"],
            &c
        ));
        assert!(!check(
            "ForAnyValue:StringEquals",
            "kms:GrantOperations",
            &["Decrypt"],
            &c
        ));
        assert!(check(
            "ForAllValues:StringNotEquals",
            "kms:GrantOperations",
            &["Decrypt"],
            &c
        ));
        assert!(!check(
            "ForAnyValue:StringNotEquals",
            "kms:GrantOperations",
            &["Decrypt"],
            &c
        ));
    }

    #[test]
    fn if_exists_uses_the_operator_when_present() {
        let c = ctx().with("kms:ViaService", "s3.us-east-1.amazonaws.com");
        assert!(!check("StringEqualsIfExists", "kms:ViaService", &["x"], &c));
        assert!(check("StringLikeIfExists", "kms:ViaService", &["s3.*"], &c));
        assert!(check(
            "StringNotEqualsIfExists",
            "kms:ViaService",
            &["x"],
            &c
        ));
    }

    #[test]
    fn empty_multivalued_key_counts_as_absent() {
        let c = ctx().with_values("kms:EncryptionContextKeys", &[]);
        assert!(check(
            "ForAllValues:StringEquals",
            "kms:EncryptionContextKeys",
            &["a"],
            &c
        ));
        assert!(!check(
            "ForAnyValue:StringEquals",
            "kms:EncryptionContextKeys",
            &["a"],
            &c
        ));
        assert!(check("Null", "kms:EncryptionContextKeys", &["true"], &c));
        assert!(!check("Null", "kms:EncryptionContextKeys", &["false"], &c));
        assert!(!check(
            "StringEquals",
            "kms:EncryptionContextKeys",
            &["a"],
            &c
        ));
    }

    #[test]
    fn set_operators_on_single_and_multi_valued_keys() {
        let one = ctx().with_values("kms:GrantOperations", &["Encrypt"]);
        let two = ctx().with_values("kms:GrantOperations", &["Encrypt", "Decrypt"]);
        let allowed = ["Encrypt", "ReEncryptTo"];
        assert!(check(
            "ForAllValues:StringEquals",
            "kms:GrantOperations",
            &allowed,
            &one
        ));
        assert!(!check(
            "ForAllValues:StringEquals",
            "kms:GrantOperations",
            &allowed,
            &two
        ));
        assert!(check(
            "ForAnyValue:StringEquals",
            "kms:GrantOperations",
            &allowed,
            &two
        ));
        assert!(!check(
            "ForAnyValue:StringEquals",
            "kms:GrantOperations",
            &["Sign"],
            &two
        ));
        // Negated inside a set operator: per request value, "matches none of the policy".
        assert!(check(
            "ForAnyValue:StringNotEquals",
            "kms:GrantOperations",
            &["Encrypt"],
            &two
        ));
        assert!(!check(
            "ForAnyValue:StringNotEquals",
            "kms:GrantOperations",
            &["Encrypt"],
            &one
        ));
        assert!(check(
            "ForAllValues:StringNotEquals",
            "kms:GrantOperations",
            &["Sign"],
            &two
        ));
        assert!(!check(
            "ForAllValues:StringNotEquals",
            "kms:GrantOperations",
            &["Decrypt"],
            &two
        ));
        assert!(check(
            "ForAllValues:StringLike",
            "kms:GrantOperations",
            &["*crypt"],
            &two
        ));
        // Plain operator on a multivalued key: any request value may match.
        assert!(check(
            "StringEquals",
            "kms:GrantOperations",
            &["Decrypt"],
            &two
        ));
        assert!(!check(
            "StringEquals",
            "kms:GrantOperations",
            &["Sign"],
            &two
        ));
        assert!(!check(
            "StringNotEquals",
            "kms:GrantOperations",
            &["Decrypt"],
            &two
        ));
        assert!(check(
            "StringNotEquals",
            "kms:GrantOperations",
            &["Sign"],
            &two
        ));
    }

    #[test]
    fn encryption_context_keys_case_rules() {
        let c = ctx()
            .with("kms:EncryptionContext:AppName", "ExampleApp")
            .with_values("kms:EncryptionContextKeys", &["AppName"]);
        // The context key inside the condition key name ignores case...
        assert!(check(
            "StringEquals",
            "kms:EncryptionContext:appname",
            &["ExampleApp"],
            &c
        ));
        // ...the value's case is the operator's business.
        assert!(!check(
            "StringEquals",
            "kms:EncryptionContext:AppName",
            &["exampleapp"],
            &c
        ));
        assert!(check(
            "StringEqualsIgnoreCase",
            "kms:EncryptionContext:AppName",
            &["exampleapp"],
            &c
        ));
        // kms:EncryptionContextKeys carries the key as a value: case-sensitive.
        assert!(check(
            "ForAnyValue:StringEquals",
            "kms:EncryptionContextKeys",
            &["AppName"],
            &c
        ));
        assert!(!check(
            "ForAnyValue:StringEquals",
            "kms:EncryptionContextKeys",
            &["appname"],
            &c
        ));
        assert!(check(
            "ForAnyValue:StringEqualsIgnoreCase",
            "KMS:ENCRYPTIONCONTEXTKEYS",
            &["appname"],
            &c
        ));
    }

    #[test]
    fn null_operator() {
        let c = ctx().with("kms:EncryptionContext:aws:ses:rule-name", "r");
        assert!(check(
            "Null",
            "kms:EncryptionContext:aws:ses:rule-name",
            &["false"],
            &c
        ));
        assert!(!check(
            "Null",
            "kms:EncryptionContext:aws:ses:rule-name",
            &["true"],
            &c
        ));
        assert!(check(
            "Null",
            "kms:EncryptionContext:aws:ses:message-id",
            &["true"],
            &c
        ));
        assert!(!check(
            "Null",
            "kms:EncryptionContext:aws:ses:message-id",
            &["false"],
            &c
        ));
        assert!(check(
            "Null",
            "kms:EncryptionContext:aws:ses:message-id",
            &["false", "true"],
            &c
        ));
    }

    #[test]
    fn bool_operator() {
        let c = ctx().with("kms:GrantIsForAWSResource", "true");
        assert!(check("Bool", "kms:GrantIsForAWSResource", &["true"], &c));
        assert!(check("Bool", "kms:GrantIsForAWSResource", &["TRUE"], &c));
        assert!(!check("Bool", "kms:GrantIsForAWSResource", &["false"], &c));
        assert!(check("BoolIfExists", "aws:SecureTransport", &["false"], &c));
    }

    #[test]
    fn numeric_operators() {
        let c = ctx().with("s3:max-keys", "10");
        assert!(check("NumericEquals", "s3:max-keys", &["10"], &c));
        assert!(check("NumericEquals", "s3:max-keys", &["10.0"], &c));
        assert!(!check("NumericEquals", "s3:max-keys", &["11"], &c));
        assert!(check("NumericNotEquals", "s3:max-keys", &["11"], &c));
        assert!(!check("NumericNotEquals", "s3:max-keys", &["10"], &c));
        assert!(check("NumericLessThan", "s3:max-keys", &["11"], &c));
        assert!(!check("NumericLessThan", "s3:max-keys", &["10"], &c));
        assert!(check("NumericLessThanEquals", "s3:max-keys", &["10"], &c));
        assert!(!check("NumericLessThanEquals", "s3:max-keys", &["9"], &c));
        assert!(check("NumericGreaterThan", "s3:max-keys", &["9"], &c));
        assert!(!check("NumericGreaterThan", "s3:max-keys", &["10"], &c));
        assert!(check(
            "NumericGreaterThanEquals",
            "s3:max-keys",
            &["10"],
            &c
        ));
        assert!(!check(
            "NumericGreaterThanEquals",
            "s3:max-keys",
            &["11"],
            &c
        ));
        assert!(!check("NumericEquals", "s3:max-keys", &["ten"], &c));
    }

    #[test]
    fn date_operators() {
        let c = ctx().with("aws:CurrentTime", "2020-06-01T00:00:00Z");
        assert!(check("DateEquals", "aws:CurrentTime", &["2020-06-01"], &c));
        assert!(check("DateEquals", "aws:CurrentTime", &["1590969600"], &c));
        assert!(!check(
            "DateNotEquals",
            "aws:CurrentTime",
            &["2020-06-01"],
            &c
        ));
        assert!(check(
            "DateNotEquals",
            "aws:CurrentTime",
            &["2020-06-02"],
            &c
        ));
        assert!(check(
            "DateLessThan",
            "aws:CurrentTime",
            &["2020-06-02"],
            &c
        ));
        assert!(!check(
            "DateLessThan",
            "aws:CurrentTime",
            &["2020-06-01"],
            &c
        ));
        assert!(check(
            "DateLessThanEquals",
            "aws:CurrentTime",
            &["2020-06-01"],
            &c
        ));
        assert!(check(
            "DateGreaterThan",
            "aws:CurrentTime",
            &["2020-05-31T23:59:59Z"],
            &c
        ));
        assert!(!check(
            "DateGreaterThan",
            "aws:CurrentTime",
            &["2020-06-01"],
            &c
        ));
        assert!(check(
            "DateGreaterThanEquals",
            "aws:CurrentTime",
            &["2020-06-01"],
            &c
        ));
        assert!(!check(
            "DateGreaterThanEquals",
            "aws:CurrentTime",
            &["2021-01-01"],
            &c
        ));
    }

    #[test]
    fn ip_operators() {
        let c = ctx().with("aws:SourceIp", "203.0.113.7");
        assert!(check("IpAddress", "aws:SourceIp", &["203.0.113.0/24"], &c));
        assert!(!check(
            "IpAddress",
            "aws:SourceIp",
            &["198.51.100.0/24"],
            &c
        ));
        assert!(check(
            "NotIpAddress",
            "aws:SourceIp",
            &["198.51.100.0/24"],
            &c
        ));
        assert!(!check(
            "NotIpAddress",
            "aws:SourceIp",
            &["198.51.100.0/24", "203.0.113.0/24"],
            &c
        ));
    }

    #[test]
    fn arn_operators() {
        let c = ctx().with(
            "aws:SourceArn",
            "arn:aws:cloudtrail:us-west-2:111122223333:trail/finance",
        );
        let exact = "arn:aws:cloudtrail:us-west-2:111122223333:trail/finance";
        let pattern = "arn:aws:cloudtrail:*:111122223333:trail/*";
        let other = "arn:aws:cloudtrail:*:444455556666:trail/*";
        assert!(check("ArnEquals", "aws:SourceArn", &[exact], &c));
        assert!(check("ArnEquals", "aws:SourceArn", &[pattern], &c));
        assert!(check("ArnLike", "aws:SourceArn", &[pattern], &c));
        assert!(!check("ArnLike", "aws:SourceArn", &[other], &c));
        assert!(!check("ArnNotEquals", "aws:SourceArn", &[exact], &c));
        assert!(check("ArnNotEquals", "aws:SourceArn", &[other], &c));
        assert!(!check("ArnNotLike", "aws:SourceArn", &[pattern], &c));
        assert!(check("ArnNotLike", "aws:SourceArn", &[other], &c));
        // ARNs are case-sensitive.
        assert!(!check(
            "ArnEquals",
            "aws:SourceArn",
            &[&exact.to_uppercase()],
            &c
        ));
    }

    #[test]
    fn explanations_name_the_operator_key_and_values() {
        let spec = ConditionSpec {
            operator: ConditionOperator::parse("StringEquals").unwrap(),
            key: "kms:ViaService".to_string(),
            values: vec!["workmail.us-east-1.amazonaws.com".to_string()],
        };
        assert_eq!(
            spec.evaluate(&ctx()).explain(),
            "condition StringEquals kms:ViaService failed: expected \
             workmail.us-east-1.amazonaws.com, got (absent)"
        );
        let null = ConditionSpec {
            operator: ConditionOperator::parse("Null").unwrap(),
            key: "k".to_string(),
            values: vec!["false".to_string()],
        };
        assert_eq!(
            null.evaluate(&ctx()).explain(),
            "condition Null k failed: expected the key to be present, got (absent)"
        );
    }

    #[test]
    fn parse_block_errors_name_the_path() {
        let err = |v: Value| parse_condition_block(&v, "Statement[1].Condition").unwrap_err();
        let e = err(serde_json::json!({"StringEquals": {"kms:ViaService": {"a": 1}}}));
        assert_eq!(
            e.to_string(),
            "Statement[1].Condition.StringEquals.kms:ViaService: expected a string or an \
             array of strings, got an object"
        );
        let e = err(serde_json::json!({"StringEquals": {"k": ["a", null]}}));
        assert_eq!(e.path, "Statement[1].Condition.StringEquals.k[1]");
        let e = err(serde_json::json!({"StringEqual": {"k": "a"}}));
        assert_eq!(e.path, "Statement[1].Condition.StringEqual");
        assert!(e.message.contains("unknown condition operator"), "{e}");
        let e = err(serde_json::json!({"stringequals": {"k": "a"}}));
        assert!(e.message.contains("did you mean StringEquals?"), "{e}");
        let e = err(serde_json::json!({"NullIfExists": {"k": "true"}}));
        assert!(
            e.message.contains("IfExists cannot be added to Null"),
            "{e}"
        );
        let e = err(serde_json::json!({"Null": {"k": "maybe"}}));
        assert_eq!(e.path, "Statement[1].Condition.Null.k");
        let e = err(serde_json::json!(["StringEquals"]));
        assert_eq!(e.path, "Statement[1].Condition");
        let e = err(serde_json::json!({"StringEquals": "k"}));
        assert!(e.message.contains("got a string"), "{e}");
    }

    #[test]
    fn parse_block_keeps_bools_and_numbers_as_text_and_sorts() {
        let specs = parse_condition_block(
            &serde_json::json!({
                "StringEquals": {"b": 7, "a": ["x", true]},
                "Null": {"k": false}
            }),
            "Condition",
        )
        .unwrap();
        let flat: Vec<(String, &str, Vec<String>)> = specs
            .iter()
            .map(|s| (s.operator.to_string(), s.key.as_str(), s.values.clone()))
            .collect();
        assert_eq!(
            flat,
            vec![
                ("Null".to_string(), "k", vec!["false".to_string()]),
                (
                    "StringEquals".to_string(),
                    "a",
                    vec!["x".to_string(), "true".to_string()]
                ),
                ("StringEquals".to_string(), "b", vec!["7".to_string()]),
            ]
        );
    }
}
