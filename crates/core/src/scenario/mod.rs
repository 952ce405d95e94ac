//! Scenario files: one way to describe a flow, for the page, the CLI, the JavaScript API,
//! the tests and documentation writers.
//!
//! ```json
//! { "name": "...", "title": "...", "description": "...", "seed": 7,
//!   "region": "us-east-1", "account": "111122223333",
//!   "principals": { "admin": { "arn": "arn:aws:iam::111122223333:role/KeyAdmin", "policies": [ ... ] } },
//!   "steps": [ { "id": "key", "call": "kms:CreateKey", "as": "admin", "request": { ... }, "expect": "ok" } ] }
//! ```
//!
//! - `call` is `service:Operation` (`kms:*`, `workmail:*`, `ses:*`, `s3:*`,
//!   `s3ec:GetObject`, `clock:Advance`, `trail:LookupEvents`, and `tamper:FlipByte`,
//!   which flips a bit of stored data (`{"Artifact": ...}`) or of an earlier step's
//!   response (`{"Response": "stepId.Field"}`)).
//! - `as` is a principal name; or `{"principal": name, "via": endpoint}` for an IAM
//!   principal acting through a service; or `{"service": name, "sourceAccount"?,
//!   "sourceArn"?}` for a service principal. Without `as`, the account root acts.
//! - Strings may hold `${id.Path.To.Field}`: that field of step `id`'s response (array
//!   elements by index). A string that is only a reference takes the value's JSON type.
//!   `$${` is a literal `${`: write an IAM policy variable in a step's request as
//!   `$${aws:username}`. (Policies under `principals` are not step requests: write
//!   `${aws:username}` there as is.)
//! - A principal may also have `permissionsBoundary` (one policy), `sessionPolicies`
//!   (policies of its role session) and `tags` (for `aws:PrincipalTag/*`); the scenario may
//!   have `serviceControlPolicies`, account id → SCP documents (AWS Organizations).
//! - `expect` is `"ok"`, `{"ok": {...}}` (the response contains these fields, compared
//!   recursively) or `{"error": "ErrorName"}`. A failing call with no `expect` stops the
//!   run; an unmet expectation is reported and the run goes on.
//!
//! A malformed scenario is rejected before anything runs, with the path of the offending
//! value ([`ScenarioError`]).

mod builtin;
pub mod experiment;
pub mod presets;
mod run;

pub use builtin::{builtin, builtins, Builtin};
pub use run::{run, run_steps, Expectation, RunResult, Session, StepResult, Stopped};

use crate::authz::Caller;
use crate::authz::{parse_policy, PolicyDocument, PolicyKind};
use crate::world::Target;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A scenario rejected before running: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ScenarioError {
    /// JSON path of the offending value, e.g. `steps[3].call`.
    pub path: String,
    /// What is wrong and what to do.
    pub message: String,
}

fn err(path: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        path: path.into(),
        message: message.into(),
    }
}

/// Whether `text` is an IAM principal's ARN: an account root, user, role or assumed role
/// (`arn:aws:iam::<12 digits>:root|user/...|role/...` or `arn:aws:sts::...:assumed-role/...`).
fn is_iam_arn(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("arn:aws:iam::")
        .or_else(|| text.strip_prefix("arn:aws:sts::"))
    else {
        return false;
    };
    let Some((account, resource)) = rest.split_once(':') else {
        return false;
    };
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && (resource == "root"
            || ["user/", "role/", "assumed-role/"]
                .iter()
                .any(|p| resource.strip_prefix(p).is_some_and(|n| !n.is_empty())))
}

/// Who performs a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Actor {
    /// A named principal, optionally through a service endpoint.
    Principal {
        /// The name in `principals`, or an IAM ARN the scenario does not declare (a
        /// principal with no identity policies).
        name: String,
        /// `kms:ViaService`, if acting through a service.
        via: Option<String>,
    },
    /// A service principal.
    Service {
        /// e.g. `ses.amazonaws.com`.
        name: String,
        /// `aws:SourceAccount`.
        source_account: Option<String>,
        /// `aws:SourceArn`.
        source_arn: Option<String>,
    },
    /// The account root (no `as`).
    Root,
}

/// What a step expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// Success, and these fields in the response (`Value::Null` = any response).
    Ok(Value),
    /// Failure with this error name.
    Error(String),
}

/// One step of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioStep {
    /// Its id, for references.
    pub id: Option<String>,
    /// `service:Operation`.
    pub call: Target,
    /// Who acts.
    pub actor: Actor,
    /// The request, with `${...}` references unresolved.
    pub request: Value,
    /// The expectation.
    pub expect: Option<Expect>,
    /// The Region of a KMS call, when not the scenario's.
    pub region: Option<String>,
}

/// A principal of the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalDef {
    /// Its ARN.
    pub arn: String,
    /// Its IAM identity policies.
    pub policies: Vec<PolicyDocument>,
    /// Its permissions boundary (`permissionsBoundary`), if any.
    pub permissions_boundary: Option<PolicyDocument>,
    /// The session policies of its role session (`sessionPolicies`).
    pub session_policies: Vec<PolicyDocument>,
    /// Its IAM tags (`tags`, a map), for `aws:PrincipalTag/*`.
    pub tags: BTreeMap<String, String>,
    /// The access key id it signs requests with (`kmsplay serve` picks the principal by
    /// it).
    pub access_key_id: Option<String>,
    /// Its secret access key (`kmsplay serve --verify-signatures` checks SigV4 with it).
    pub secret_access_key: Option<String>,
}

/// The secret access key `kmsplay serve` expects of a principal that declares none (only
/// `--verify-signatures` reads it).
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "kmsplay";

impl PrincipalDef {
    /// The access key id and secret `kmsplay serve` knows this principal, called `name`
    /// in the scenario, by: its `accessKeyId` and `secretAccessKey`, or, when it declares
    /// none, its name and [`DEFAULT_SECRET_ACCESS_KEY`]. So every principal of a built-in
    /// scenario can sign requests without the scenario naming keys.
    pub fn credentials<'a>(&'a self, name: &'a str) -> (&'a str, &'a str) {
        (
            self.access_key_id.as_deref().unwrap_or(name),
            self.secret_access_key
                .as_deref()
                .unwrap_or(DEFAULT_SECRET_ACCESS_KEY),
        )
    }
}

/// Whether `region` looks like a Region name (`us-east-1`).
fn is_region(region: &str) -> bool {
    !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A parsed, validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Short name.
    pub name: String,
    /// Title.
    pub title: String,
    /// One paragraph.
    pub description: String,
    /// Seed of the world's randomness.
    pub seed: u64,
    /// Region.
    pub region: String,
    /// Account id.
    pub account: String,
    /// Named principals.
    pub principals: BTreeMap<String, PrincipalDef>,
    /// The service control policies of each account in an organization
    /// (`serviceControlPolicies`: account id → policies).
    pub service_control_policies: BTreeMap<String, Vec<PolicyDocument>>,
    /// The steps.
    pub steps: Vec<ScenarioStep>,
    /// The scenario as given (JSON), for showing and editing.
    pub source: Value,
}

/// Largest scenario text accepted (1 MiB).
pub const MAX_SCENARIO_BYTES: usize = 1 << 20;
/// Deepest JSON nesting accepted.
pub const MAX_DEPTH: usize = 64;
/// Most steps accepted.
pub const MAX_STEPS: usize = 2_000;

fn depth(v: &Value) -> usize {
    // Iterative, so hostile nesting cannot overflow the stack.
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}

/// The fields a scenario principal may have.
const PRINCIPAL_FIELDS: &[&str] = &[
    "arn",
    "policies",
    "permissionsBoundary",
    "sessionPolicies",
    "tags",
    "accessKeyId",
    "secretAccessKey",
];

/// A list of IAM policy documents at `path` (absent or null: none).
fn policy_list(v: Option<&Value>, path: &str) -> Result<Vec<PolicyDocument>, ScenarioError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, pol)| {
                parse_policy(pol, PolicyKind::Identity)
                    .map_err(|e| err(format!("{path}[{i}].{}", e.path), e.message))
            })
            .collect(),
        Some(_) => Err(err(path, "expected an array of IAM policy documents")),
    }
}

/// Whether the `${` at `at` in `text` is written `$${`: a literal `${`, not a reference
/// (for IAM policy variables such as `$${aws:username}` in a policy a step sends).
pub(crate) fn is_escaped(text: &str, at: usize) -> bool {
    at > 0 && text.as_bytes().get(at - 1) == Some(&b'$')
}

/// The `${...}` references in a value, with their JSON paths.
pub(crate) fn references(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${") {
                if is_escaped(rest, start) {
                    rest = &rest[start + 2..];
                    continue;
                }
                let after = &rest[start + 2..];
                match after.find('}') {
                    Some(end) => {
                        out.push((path.to_owned(), after[..end].to_owned()));
                        rest = &after[end + 1..];
                    }
                    None => {
                        out.push((path.to_owned(), String::new()));
                        break;
                    }
                }
            }
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| references(x, &format!("{path}[{i}]"), out)),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| references(x, &format!("{path}.{k}"), out)),
        _ => {}
    }
}

fn string_field<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, ScenarioError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(err(format!("{path}.{key}"), "expected a string")),
    }
}

/// Parses one step at `path`, given the principals and the ids of earlier steps; `later`
/// says whether an id belongs to a later step (for a clearer error).
pub(crate) fn parse_step(
    s: &Value,
    path: &str,
    principals: &BTreeMap<String, PrincipalDef>,
    ids: &[String],
    later: &dyn Fn(&str) -> bool,
) -> Result<ScenarioStep, ScenarioError> {
    let path = path.to_owned();
    let so = s.as_object().ok_or_else(|| {
        err(
            &path,
            "expected an object {call, as?, request?, expect?, id?}",
        )
    })?;
    if let Some(k) = so.keys().find(|k| {
        !["id", "call", "as", "request", "expect", "note", "region"].contains(&k.as_str())
    }) {
        return Err(err(
            format!("{path}.{k}"),
            "unknown field; a step has id, call, as, request, expect, region",
        ));
    }
    let id = string_field(so, "id", &path)?.map(str::to_owned);
    if let Some(id) = &id {
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(err(
                format!("{path}.id"),
                "ids are letters, digits, _ and -",
            ));
        }
        if ids.contains(id) {
            return Err(err(format!("{path}.id"), format!("duplicate id \"{id}\"")));
        }
    }
    let call = string_field(so, "call", &path)?
        .ok_or_else(|| err(format!("{path}.call"), "missing: e.g. \"kms:Encrypt\""))?;
    let target = Target::parse(call).map_err(|m| err(format!("{path}.call"), m))?;
    let actor = match so.get("as") {
        None | Some(Value::Null) => Actor::Root,
        Some(Value::String(name)) => {
            if !principals.contains_key(name) && !is_iam_arn(name) {
                return Err(err(
                    format!("{path}.as"),
                    format!(
                        "no principal named \"{name}\"; define it in principals (known: {}), or name an IAM principal by its ARN (arn:aws:iam::<account>:role/<name>), which then acts with no identity policies",
                        principals.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            Actor::Principal {
                name: name.clone(),
                via: None,
            }
        }
        Some(Value::Object(a)) => {
            if let Some(name) = string_field(a, "principal", &format!("{path}.as"))? {
                if !principals.contains_key(name) && !is_iam_arn(name) {
                    return Err(err(
                        format!("{path}.as.principal"),
                        format!("no principal named \"{name}\""),
                    ));
                }
                let via = string_field(a, "via", &format!("{path}.as"))?.map(str::to_owned);
                Actor::Principal {
                    name: name.to_owned(),
                    via,
                }
            } else if let Some(service) = string_field(a, "service", &format!("{path}.as"))? {
                Actor::Service {
                    name: service.to_owned(),
                    source_account: string_field(a, "sourceAccount", &format!("{path}.as"))?
                        .map(str::to_owned),
                    source_arn: string_field(a, "sourceArn", &format!("{path}.as"))?
                        .map(str::to_owned),
                }
            } else {
                return Err(err(format!("{path}.as"), "expected a principal name, {\"principal\", \"via\"} or {\"service\", \"sourceAccount\", \"sourceArn\"}"));
            }
        }
        Some(_) => {
            return Err(err(
                format!("{path}.as"),
                "expected a principal name or an object",
            ))
        }
    };
    let request = match so.get("request") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(r @ Value::Object(_)) => r.clone(),
        Some(_) => {
            return Err(err(
                format!("{path}.request"),
                "expected an object in the operation's AWS request shape",
            ))
        }
    };
    let mut refs = Vec::new();
    references(&request, &format!("{path}.request"), &mut refs);
    for (rpath, r) in refs {
        let target = r.split('.').next().unwrap_or_default();
        if r.is_empty() || target.is_empty() {
            return Err(err(
                rpath,
                "empty or unclosed ${...} reference; write ${stepId.Field.Path}",
            ));
        }
        if id.as_deref() == Some(target) {
            return Err(err(
                rpath,
                format!(
                    "${{{r}}} refers to its own step; a step can only use earlier steps' responses"
                ),
            ));
        }
        if !ids.iter().any(|x| x == target) {
            let later = later(target);
            return Err(err(
                rpath,
                if later {
                    format!("${{{r}}} refers to step \"{target}\", which comes later; steps can only use earlier responses")
                } else {
                    format!("${{{r}}} refers to no step: no earlier step has id \"{target}\"")
                },
            ));
        }
    }
    let expect = match so.get("expect") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "ok" => Some(Expect::Ok(Value::Null)),
        Some(Value::Object(e)) if e.len() == 1 && e.contains_key("ok") => {
            Some(Expect::Ok(e.get("ok").cloned().unwrap_or(Value::Null)))
        }
        Some(Value::Object(e)) if e.len() == 1 && e.contains_key("error") => match e.get("error") {
            Some(Value::String(name)) => Some(Expect::Error(name.clone())),
            _ => {
                return Err(err(
                    format!("{path}.expect.error"),
                    "expected an error name such as \"AccessDeniedException\"",
                ))
            }
        },
        Some(_) => {
            return Err(err(
                format!("{path}.expect"),
                "expected \"ok\", {\"ok\": {...}} or {\"error\": \"ErrorName\"}",
            ))
        }
    };
    let region = match string_field(so, "region", &path)? {
        None => None,
        Some(r) if is_region(r) => Some(r.to_owned()),
        Some(_) => {
            return Err(err(
                format!("{path}.region"),
                "expected a Region name such as eu-west-1",
            ))
        }
    };
    if region.is_some() && !matches!(target, Target::Kms(_)) {
        return Err(err(
            format!("{path}.region"),
            "only KMS calls take a Region here; WorkMail, SES and S3 act in the scenario's",
        ));
    }
    Ok(ScenarioStep {
        id,
        call: target,
        actor,
        request,
        expect,
        region,
    })
}

impl Scenario {
    /// Parses and validates scenario text.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(err(
                "",
                format!(
                    "the scenario is {} bytes; the limit is {MAX_SCENARIO_BYTES} (1 MiB)",
                    text.len()
                ),
            ));
        }
        // serde_json refuses nesting deeper than 128 itself, without overflowing the stack.
        let v: Value = serde_json::from_str(text).map_err(|e| {
            err(
                format!("line {} column {}", e.line(), e.column()),
                format!("not valid JSON: {e}"),
            )
        })?;
        Scenario::from_value(&v)
    }

    /// Validates a scenario given as JSON.
    pub fn from_value(v: &Value) -> Result<Scenario, ScenarioError> {
        if depth(v) > MAX_DEPTH {
            return Err(err(
                "",
                format!("the scenario nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        let o = v
            .as_object()
            .ok_or_else(|| err("", "a scenario is a JSON object with \"steps\""))?;
        const TOP: &[&str] = &[
            "name",
            "title",
            "description",
            "seed",
            "region",
            "account",
            "principals",
            "serviceControlPolicies",
            "steps",
            "$schema",
        ];
        if let Some(k) = o.keys().find(|k| !TOP.contains(&k.as_str())) {
            return Err(err(
                k.clone(),
                format!("unknown field; a scenario has {}", TOP.join(", ")),
            ));
        }
        let seed = match o.get("seed") {
            None | Some(Value::Null) => 1,
            Some(s) => s
                .as_u64()
                .ok_or_else(|| err("seed", "expected a whole number ≥ 0"))?,
        };
        let region = string_field(o, "region", "")?
            .unwrap_or("us-east-1")
            .to_owned();
        if !is_region(&region) {
            return Err(err("region", "expected a Region name such as us-east-1"));
        }
        let account = string_field(o, "account", "")?
            .unwrap_or("111122223333")
            .to_owned();
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                "account",
                "expected a 12-digit AWS account id such as 111122223333",
            ));
        }
        let mut principals = BTreeMap::new();
        if let Some(p) = o.get("principals").filter(|p| !p.is_null()) {
            let p = p
                .as_object()
                .ok_or_else(|| err("principals", "expected an object of name → {arn, policies}"))?;
            for (name, def) in p {
                let path = format!("principals.{name}");
                let d = def
                    .as_object()
                    .ok_or_else(|| err(&path, "expected {\"arn\": ..., \"policies\": [...]}"))?;
                if let Some(k) = d.keys().find(|k| !PRINCIPAL_FIELDS.contains(&k.as_str())) {
                    return Err(err(
                        format!("{path}.{k}"),
                        format!(
                            "unknown field; a principal has {}",
                            PRINCIPAL_FIELDS.join(", ")
                        ),
                    ));
                }
                let access_key_id = string_field(d, "accessKeyId", &path)?.map(str::to_owned);
                if let Some(id) = &access_key_id {
                    if !(16..=128).contains(&id.len())
                        || !id
                            .bytes()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                    {
                        return Err(err(
                            format!("{path}.accessKeyId"),
                            "expected an access key id: 16 to 128 capital letters and digits, such as AKIAIOSFODNN7EXAMPLE",
                        ));
                    }
                    if principals
                        .values()
                        .any(|p: &PrincipalDef| p.access_key_id.as_ref() == Some(id))
                    {
                        return Err(err(
                            format!("{path}.accessKeyId"),
                            "another principal has this access key id",
                        ));
                    }
                }
                let secret_access_key =
                    string_field(d, "secretAccessKey", &path)?.map(str::to_owned);
                if secret_access_key.is_some() && access_key_id.is_none() {
                    return Err(err(
                        format!("{path}.secretAccessKey"),
                        "a secret access key needs its accessKeyId",
                    ));
                }
                let arn = string_field(d, "arn", &path)?.ok_or_else(|| {
                    err(format!("{path}.arn"), "missing: the principal's IAM ARN")
                })?;
                if !(arn.starts_with("arn:aws:iam::") && crate::authz::arn_account(arn).is_some()) {
                    return Err(err(
                        format!("{path}.arn"),
                        "expected an IAM ARN such as arn:aws:iam::111122223333:role/Name",
                    ));
                }
                let policies = policy_list(d.get("policies"), &format!("{path}.policies"))?;
                let session_policies =
                    policy_list(d.get("sessionPolicies"), &format!("{path}.sessionPolicies"))?;
                let permissions_boundary = match d.get("permissionsBoundary") {
                    None | Some(Value::Null) => None,
                    Some(pol) => Some(parse_policy(pol, PolicyKind::Identity).map_err(|e| {
                        err(format!("{path}.permissionsBoundary.{}", e.path), e.message)
                    })?),
                };
                let mut tags = BTreeMap::new();
                match d.get("tags") {
                    None | Some(Value::Null) => {}
                    Some(Value::Object(t)) => {
                        for (k, v) in t {
                            let v = v.as_str().ok_or_else(|| {
                                err(format!("{path}.tags.{k}"), "expected a string tag value")
                            })?;
                            tags.insert(k.clone(), v.to_owned());
                        }
                    }
                    Some(_) => {
                        return Err(err(
                            format!("{path}.tags"),
                            "expected an object of tag key → value",
                        ))
                    }
                }
                principals.insert(
                    name.clone(),
                    PrincipalDef {
                        arn: arn.to_owned(),
                        policies,
                        permissions_boundary,
                        session_policies,
                        tags,
                        access_key_id,
                        secret_access_key,
                    },
                );
            }
        }
        let mut service_control_policies = BTreeMap::new();
        match o.get("serviceControlPolicies") {
            None | Some(Value::Null) => {}
            Some(Value::Object(by_account)) => {
                for (acct, list) in by_account {
                    let path = format!("serviceControlPolicies.{acct}");
                    if acct.len() != 12 || !acct.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(err(path, "expected a 12-digit AWS account id as the key"));
                    }
                    service_control_policies.insert(acct.clone(), policy_list(Some(list), &path)?);
                }
            }
            Some(_) => {
                return Err(err(
                    "serviceControlPolicies",
                    "expected an object of account id → [SCP documents]",
                ))
            }
        }
        let steps_v = o
            .get("steps")
            .ok_or_else(|| err("steps", "missing: a scenario needs a \"steps\" array"))?;
        let list = steps_v
            .as_array()
            .ok_or_else(|| err("steps", "expected an array"))?;
        if list.len() > MAX_STEPS {
            return Err(err(
                "steps",
                format!("{} steps; the limit is {MAX_STEPS}", list.len()),
            ));
        }
        let mut steps = Vec::new();
        let mut ids: Vec<String> = Vec::new();
        for (i, s) in list.iter().enumerate() {
            let later = |target: &str| {
                list.iter()
                    .skip(i + 1)
                    .any(|s| s.get("id").and_then(Value::as_str) == Some(target))
            };
            let step = parse_step(s, &format!("steps[{i}]"), &principals, &ids, &later)?;
            if let Some(id) = &step.id {
                ids.push(id.clone());
            }
            steps.push(step);
        }
        Ok(Scenario {
            name: string_field(o, "name", "")?
                .unwrap_or("scenario")
                .to_owned(),
            title: string_field(o, "title", "")?
                .unwrap_or("Untitled scenario")
                .to_owned(),
            description: string_field(o, "description", "")?
                .unwrap_or_default()
                .to_owned(),
            seed,
            region,
            account,
            principals,
            service_control_policies,
            steps,
            source: v.clone(),
        })
    }

    /// The caller for a step's actor.
    pub fn caller(&self, actor: &Actor) -> Caller {
        match actor {
            Actor::Root => Caller::root(&self.account),
            Actor::Principal { name, via } => {
                // A principal named by an ARN the scenario does not declare acts with no
                // identity policies.
                let arn = self
                    .principals
                    .get(name)
                    .map(|p| p.arn.clone())
                    .unwrap_or_else(|| name.clone());
                let c = Caller::iam(arn);
                match via {
                    Some(v) => c.via(v.clone()),
                    None => c,
                }
            }
            Actor::Service {
                name,
                source_account,
                source_arn,
            } => Caller::service(name.clone())
                .on_behalf_of(source_account.clone(), source_arn.clone()),
        }
    }
}
