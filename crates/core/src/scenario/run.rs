//! Running a scenario against a fresh world.

use super::{Expect, Scenario, ScenarioStep};
use crate::authz::Decision;
use crate::kms::cloudtrail::CloudTrailEvent;
use crate::kms::Operation as KmsOperation;
use crate::trace::{ErrorBody, Trace};
use crate::world::{CallResult, Target, World};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Whether a step's expectation held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Expectation {
    /// It held.
    Met,
    /// It did not.
    Failed,
}

/// The outcome of one scenario step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    /// The step's id.
    pub id: Option<String>,
    /// `service:Operation`.
    pub call: String,
    /// The response (key material redacted), when the call succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ok: Option<Value>,
    /// The error, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// The last authorization decision KMS made for it.
    pub decision: Option<Decision>,
    /// Whether its expectation held (`None`: it had none).
    pub expectation: Option<Expectation>,
    /// Why an expectation failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expectation_message: Option<String>,
    /// The trace steps it produced: `trace.steps[first..last]`.
    #[serde(skip)]
    pub trace_range: (usize, usize),
}

/// Why a run stopped early.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stopped {
    /// The index of the step that failed.
    pub step: usize,
    /// What went wrong.
    pub message: String,
}

/// The result of running a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunResult {
    /// The scenario's name.
    pub scenario: String,
    /// One entry per step that ran.
    pub steps: Vec<StepResult>,
    /// The CloudTrail events.
    pub cloudtrail: Vec<Arc<CloudTrailEvent>>,
    /// Set if a step failed without an `expect` for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stopped>,
    /// Everything that happened, step by step.
    #[serde(skip)]
    pub trace: Trace,
}

impl RunResult {
    /// Whether every step ran and every expectation held.
    pub fn all_met(&self) -> bool {
        self.stopped.is_none()
            && self
                .steps
                .iter()
                .all(|s| s.expectation != Some(Expectation::Failed))
    }
}

/// Looks up `Path.To.Field` (array elements by index) in a response.
fn lookup<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, seg| match cur {
        Value::Object(o) => o.get(*seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Largest a step's request may grow to once its `${...}` references are filled in: the
/// size limit of a whole scenario. A reference can copy a large response, and a string
/// can hold many references, so without a bound each step could multiply the size of the
/// last (`"${g.Body}${g.Body}..."`, put back and read again): a few-kilobyte scenario
/// would exhaust memory within a dozen steps.
const MAX_RESOLVED_BYTES: usize = super::MAX_SCENARIO_BYTES;

/// Replaces `${id.Path}` references with values of earlier responses.
fn resolve(v: &Value, responses: &BTreeMap<String, Value>) -> Result<Value, String> {
    let mut budget = MAX_RESOLVED_BYTES;
    resolve_within(v, responses, &mut budget)
}

/// Takes `n` bytes from what the request may still grow by.
fn spend(budget: &mut usize, n: usize) -> Result<(), String> {
    *budget = budget.checked_sub(n).ok_or_else(|| {
        format!("with its ${{...}} references filled in, the request is larger than {MAX_RESOLVED_BYTES} bytes (1 MiB), the limit; reference fewer or smaller fields")
    })?;
    Ok(())
}

/// Roughly the bytes of `v` as JSON text: its strings, keys and one per value.
fn weight(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() + 1,
        Value::Array(a) => a.iter().map(weight).fold(1, usize::saturating_add),
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| k.len().saturating_add(weight(x)))
            .fold(1, usize::saturating_add),
        _ => 1,
    }
}

fn resolve_within(
    v: &Value,
    responses: &BTreeMap<String, Value>,
    budget: &mut usize,
) -> Result<Value, String> {
    match v {
        Value::String(s) => {
            let whole = s
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .filter(|r| !r.contains("${") && !r.contains('}'));
            let get = |r: &str| -> Result<Value, String> {
                let mut parts = r.split('.');
                let id = parts.next().unwrap_or_default();
                let path: Vec<&str> = parts.collect();
                let resp = responses.get(id).ok_or_else(|| {
                    format!("${{{r}}}: step \"{id}\" has no response (it failed or has not run)")
                })?;
                lookup(resp, &path).cloned().ok_or_else(|| {
                    let fields = resp.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>().join(", ")).unwrap_or_default();
                    format!("${{{r}}}: the response of \"{id}\" has no field {} (its top-level fields: {fields})", path.join("."))
                })
            };
            if let Some(r) = whole {
                let value = get(r)?;
                spend(budget, weight(&value))?;
                return Ok(value);
            }
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${") {
                if super::is_escaped(rest, start) {
                    // `$${` is a literal `${`: keep one `$` of the two.
                    spend(budget, start + 1)?;
                    out.push_str(&rest[..start]);
                    out.push('{');
                    rest = &rest[start + 2..];
                    continue;
                }
                spend(budget, start)?;
                out.push_str(&rest[..start]);
                let after = &rest[start + 2..];
                let end = after
                    .find('}')
                    .ok_or_else(|| format!("unclosed reference in \"{s}\""))?;
                match get(&after[..end])? {
                    Value::String(x) => {
                        spend(budget, x.len())?;
                        out.push_str(&x);
                    }
                    other => {
                        let text = other.to_string();
                        spend(budget, text.len())?;
                        out.push_str(&text);
                    }
                }
                rest = &after[end + 1..];
            }
            spend(budget, rest.len())?;
            out.push_str(rest);
            Ok(Value::String(out))
        }
        Value::Array(a) => a
            .iter()
            .map(|x| resolve_within(x, responses, budget))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| resolve_within(x, responses, budget).map(|x| (k.clone(), x)))
            .collect::<Result<serde_json::Map<_, _>, _>>()
            .map(Value::Object),
        other => Ok(other.clone()),
    }
}

/// Whether `actual` contains `expected`: objects by the fields `expected` has, arrays
/// element by element with equal length, everything else equal.
fn contains(actual: &Value, expected: &Value, path: &str) -> Result<(), String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().try_for_each(|(k, ev)| match a.get(k) {
            Some(av) => contains(av, ev, &format!("{path}.{k}")),
            None => Err(format!("{path}.{k} is missing from the response")),
        }),
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => a
            .iter()
            .zip(e)
            .enumerate()
            .try_for_each(|(i, (av, ev))| contains(av, ev, &format!("{path}[{i}]"))),
        _ if actual == expected => Ok(()),
        _ => Err(format!("{path} is {actual}, expected {expected}")),
    }
}

/// The plaintexts an expectation names (`"Plaintext": <base64>` anywhere in it): the
/// scenario's author knows them, so they are the user's data, not key material.
fn expected_plaintexts(v: &Value, out: &mut Vec<Vec<u8>>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                match x {
                    Value::String(s) if k == "Plaintext" => {
                        if let Ok(bytes) = crate::wire::unb64(s) {
                            out.push(bytes);
                        }
                    }
                    other => expected_plaintexts(other, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| expected_plaintexts(x, out)),
        _ => {}
    }
}

/// A scenario may write a key policy (`Policy` of kms:CreateKey and kms:PutKeyPolicy) as a
/// JSON object for readability; the AWS API takes it as text, so it is sent as its JSON text.
fn policy_as_text(call: Target, mut request: Value) -> Value {
    if matches!(
        call,
        Target::Kms(KmsOperation::CreateKey | KmsOperation::PutKeyPolicy)
    ) {
        if let Some(p) = request.get_mut("Policy") {
            if p.is_object() {
                *p = Value::String(serde_json::to_string_pretty(p).unwrap_or_default());
            }
        }
    }
    request
}

/// Runs a scenario with its own seed (or `seed` if given) in a fresh world.
pub fn run(scenario: &Scenario, seed: Option<u64>) -> RunResult {
    let mut session = Session::new(scenario, seed);
    let (results, stopped) = steps_of(&mut session, scenario);
    RunResult {
        scenario: scenario.name.clone(),
        steps: results,
        cloudtrail: session.world.kms.trail().to_vec(),
        stopped,
        trace: std::mem::take(&mut session.world.trace),
    }
}

/// Runs `scenario`'s steps in `session`; stops at the first step that fails without
/// expecting to.
pub fn run_steps(session: &mut Session, scenario: &Scenario) -> Result<Vec<StepResult>, Stopped> {
    match steps_of(session, scenario) {
        (results, None) => Ok(results),
        (_, Some(stopped)) => Err(stopped),
    }
}

fn steps_of(session: &mut Session, scenario: &Scenario) -> (Vec<StepResult>, Option<Stopped>) {
    let mut results = Vec::new();
    let mut stopped = None;
    for step in &scenario.steps {
        let i = results.len();
        let result = session.step(step);
        let failed_unexpected = result.error.is_some() && step.expect.is_none();
        let message = result
            .error
            .as_ref()
            .map(|e| format!("{}: {}", e.code, e.explained()))
            .unwrap_or_default();
        results.push(result);
        if failed_unexpected {
            stopped = Some(Stopped { step: i, message });
            break;
        }
    }
    (results, stopped)
}

/// A world that runs scenario steps one at a time, remembering earlier responses for
/// `${id...}` references (the JavaScript API's `call`, and [`run`]).
#[derive(Debug)]
pub struct Session {
    /// The world.
    pub world: World,
    scenario: Scenario,
    responses: BTreeMap<String, Value>,
    next: usize,
}

impl Session {
    /// A fresh world for `scenario`'s account, Region and principals (its steps are not run).
    pub fn new(scenario: &Scenario, seed: Option<u64>) -> Session {
        let mut world = World::new(
            seed.unwrap_or(scenario.seed),
            &scenario.region,
            &scenario.account,
        );
        for p in scenario.principals.values() {
            world.set_principal(
                &p.arn,
                crate::authz::IamPrincipal {
                    identity: p.policies.clone(),
                    permissions_boundary: p.permissions_boundary.clone(),
                    session_policies: p.session_policies.clone(),
                    tags: p.tags.clone(),
                },
            );
        }
        for (account, scps) in &scenario.service_control_policies {
            world.set_service_control_policies(account, scps.clone());
        }
        Session {
            world,
            scenario: scenario.clone(),
            responses: BTreeMap::new(),
            next: 0,
        }
    }

    /// Parses one step (JSON, as in a scenario file) against this session's principals and
    /// earlier step ids, and runs it.
    pub fn call_json(&mut self, step: &Value) -> Result<StepResult, super::ScenarioError> {
        let ids: Vec<String> = self.responses.keys().cloned().collect();
        let step = super::parse_step(
            step,
            &format!("steps[{}]", self.next),
            &self.scenario.principals,
            &ids,
            &|_| false,
        )?;
        Ok(self.step(&step))
    }

    /// `tamper:FlipByte {"Response": "stepId.Field", "Offset"?}`: flips one bit of a
    /// base64 field of an earlier response, so later `${stepId.Field}` references get the
    /// modified bytes (a ciphertext altered in transit or at rest).
    fn flip_response(&mut self, request: &Value) -> CallResult {
        let target = request
            .get("Response")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let offset = request.get("Offset").and_then(Value::as_u64).unwrap_or(0) as usize;
        let mut parts = target.split('.');
        let id = parts.next().unwrap_or_default().to_owned();
        let path: Vec<String> = parts.map(str::to_owned).collect();
        let result = (|| {
            let resp = self
                .responses
                .get_mut(&id)
                .ok_or_else(|| format!("no earlier step \"{id}\" has a response"))?;
            let field = path
                .iter()
                .try_fold(resp, |cur, seg| cur.get_mut(seg.as_str()))
                .ok_or_else(|| {
                    format!("the response of \"{id}\" has no field {}", path.join("."))
                })?;
            let mut bytes = field
                .as_str()
                .and_then(|s| crate::wire::unb64(s).ok())
                .filter(|b| !b.is_empty())
                .ok_or_else(|| format!("{target} is not a non-empty base64 value"))?;
            let at = offset % bytes.len();
            bytes[at] ^= 0x01;
            *field = Value::String(crate::wire::b64(&bytes));
            Ok::<usize, String>(at)
        })();
        let outcome = result
            .map(|at| serde_json::json!({"Response": target, "Offset": at}))
            .map_err(|m| ErrorBody {
                code: "ValidationException".to_owned(),
                message: format!("tamper:FlipByte: {m}"),
                help: None,
            });
        self.world.record_note(
            "Experiment",
            Target::TamperFlipByte.call(),
            request,
            outcome.as_ref(),
            "A ciphertext is modified",
            format!("One bit of {target} is flipped before it is used again, as if it were altered in transit or at rest."),
        );
        outcome
    }

    /// Runs one parsed step.
    pub fn step(&mut self, step: &ScenarioStep) -> StepResult {
        let i = self.next;
        self.next += 1;
        self.world.set_action(i);
        let first = self.world.trace.steps.len();
        if let Some(Expect::Ok(fields)) = &step.expect {
            let mut known = Vec::new();
            if let Ok(fields) = resolve(fields, &self.responses) {
                expected_plaintexts(&fields, &mut known);
            }
            for bytes in known {
                self.world.note_user_plaintext(&bytes);
            }
        }
        let outcome = match resolve(&step.request, &self.responses) {
            Ok(request)
                if step.call == Target::TamperFlipByte && request.get("Response").is_some() =>
            {
                self.flip_response(&request)
            }
            Ok(request) => {
                let caller = self.scenario.caller(&step.actor);
                self.world.set_call_region(step.region.as_deref());
                let outcome = self.world.call(
                    &step.call.call().to_string(),
                    &caller,
                    &policy_as_text(step.call, request),
                );
                self.world.set_call_region(None);
                outcome
            }
            Err(message) => Err(ErrorBody {
                code: "ScenarioReferenceError".to_owned(),
                message: format!("steps[{i}].request: {message}"),
                help: None,
            }),
        };
        let world = &mut self.world;
        let last = world.trace.steps.len();
        let decision = world
            .trace
            .steps
            .get(first..last)
            .and_then(|s| s.iter().rev().find_map(|s| s.decisions.last().cloned()));
        let (expectation, expectation_message) = match (&step.expect, &outcome) {
            (None, _) => (None, None),
            (Some(Expect::Ok(fields)), Ok(resp)) => {
                match if fields.is_null() {
                    Ok(())
                } else {
                    resolve(fields, &self.responses).and_then(|f| contains(resp, &f, "response"))
                } {
                    Ok(()) => (Some(Expectation::Met), None),
                    Err(m) => (Some(Expectation::Failed), Some(m)),
                }
            }
            (Some(Expect::Ok(_)), Err(e)) => (
                Some(Expectation::Failed),
                Some(format!(
                    "expected success, got {}: {}",
                    e.code,
                    e.explained()
                )),
            ),
            (Some(Expect::Error(name)), Err(e)) if &e.code == name => {
                (Some(Expectation::Met), None)
            }
            (Some(Expect::Error(name)), Err(e)) => (
                Some(Expectation::Failed),
                Some(format!("expected {name}, got {}", e.code)),
            ),
            (Some(Expect::Error(name)), Ok(_)) => (
                Some(Expectation::Failed),
                Some(format!("expected {name}, but the call succeeded")),
            ),
        };
        if let (Some(id), Ok(resp)) = (&step.id, &outcome) {
            self.responses.insert(id.clone(), resp.clone());
        }
        StepResult {
            id: step.id.clone(),
            call: step.call.call().to_string(),
            ok: outcome.as_ref().ok().cloned(),
            error: outcome.as_ref().err().cloned(),
            decision,
            expectation,
            expectation_message,
            trace_range: (first, last),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A scenario's principal tags, permissions boundary and SCPs take part in decisions,
    /// and a step's key policy can hold policy variables written `$${...}`.
    #[test]
    fn scenario_principals_carry_tags_boundaries_and_scps() {
        let s = crate::scenario::Scenario::from_value(&json!({
            "account": "111122223333",
            "principals": {
                "admin": {"arn": "arn:aws:iam::111122223333:role/KeyAdmin",
                          "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
                "blue": {"arn": "arn:aws:iam::111122223333:user/Blue", "tags": {"team": "blue"}},
                "red": {"arn": "arn:aws:iam::111122223333:user/Red", "tags": {"team": "red"},
                        "permissionsBoundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}},
                "other": {"arn": "arn:aws:iam::444455556666:root"}
            },
            "serviceControlPolicies": {"444455556666": [{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "kms:DescribeKey", "Resource": "*"}]}]},
            "steps": [
                {"id": "key", "call": "kms:CreateKey", "as": "admin", "request": {"Policy": {
                    "Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:DescribeKey", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "$${aws:username, 'x'}", "kms:CallerAccount": "111122223333"}}},
                    {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:user/Red", "arn:aws:iam::444455556666:root"]},
                     "Action": "kms:DescribeKey", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}]}}},
                {"call": "kms:DescribeKey", "as": "blue", "request": {"KeyId": "${key.KeyMetadata.Arn}"}, "expect": {"error": "AccessDeniedException"}},
                {"call": "kms:DescribeKey", "as": "red", "request": {"KeyId": "${key.KeyMetadata.Arn}"}, "expect": "ok"},
                {"call": "kms:DescribeKey", "as": "other", "request": {"KeyId": "${key.KeyMetadata.Arn}"}, "expect": {"error": "AccessDeniedException"}}
            ]
        }))
        .unwrap();
        let r = run(&s, None);
        for step in &r.steps[1..] {
            assert_eq!(
                step.expectation,
                Some(Expectation::Met),
                "{:?}",
                step.expectation_message
            );
        }
        // Blue: the key policy reached KMS holding `${aws:username, 'x'}`, which became
        // "Blue"; its tag is "blue", so the condition failed.
        let blue = r.steps[1].decision.as_ref().unwrap();
        assert_eq!(blue.context["aws:PrincipalTag/team"], ["blue"]);
        let key_policy = blue.key_policy.as_ref().unwrap();
        assert_eq!(
            key_policy.statements[1].conditions[0].substituted,
            Some(vec![Some("Blue".to_owned())])
        );
        // Red is named directly: its boundary does not limit that statement.
        assert!(r.steps[2].decision.as_ref().unwrap().is_allowed());
        let other = r.steps[3].decision.as_ref().unwrap();
        assert_eq!(
            other.decided_by(),
            Some(crate::authz::PolicyType::ServiceControlPolicy)
        );
    }

    /// `$${` is a literal `${`, so a step can send an IAM policy with policy variables.
    #[test]
    fn a_doubled_dollar_escapes_a_reference() {
        let mut r = BTreeMap::new();
        r.insert("k".to_owned(), json!({"Arn": "arn:x"}));
        assert_eq!(
            resolve(&json!("alias/$${aws:username}-${k.Arn}"), &r).unwrap(),
            json!("alias/${aws:username}-arn:x")
        );
        assert_eq!(
            resolve(&json!("$${aws:username}"), &r).unwrap(),
            json!("${aws:username}")
        );
        let mut refs = Vec::new();
        crate::scenario::references(&json!("$${aws:username} ${k.Arn}"), "r", &mut refs);
        assert_eq!(refs, [("r".to_owned(), "k.Arn".to_owned())]);
    }

    #[test]
    fn references_keep_types_and_interpolate() {
        let mut r = BTreeMap::new();
        r.insert(
            "k".to_owned(),
            json!({"KeyMetadata": {"Arn": "arn:x", "Enabled": true}, "List": [{"Id": "g1"}]}),
        );
        assert_eq!(
            resolve(&json!("${k.KeyMetadata.Enabled}"), &r).unwrap(),
            json!(true)
        );
        assert_eq!(
            resolve(&json!("key=${k.KeyMetadata.Arn}!"), &r).unwrap(),
            json!("key=arn:x!")
        );
        assert_eq!(
            resolve(&json!({"a": ["${k.List.0.Id}"]}), &r).unwrap(),
            json!({"a": ["g1"]})
        );
        let e = resolve(&json!("${k.Nope}"), &r).unwrap_err();
        assert!(
            e.contains("no field Nope") && e.contains("KeyMetadata"),
            "{e}"
        );
        assert!(resolve(&json!("${zz.A}"), &r)
            .unwrap_err()
            .contains("no response"));
    }

    /// Found by fuzzing the scenario runner: references that copy an earlier response
    /// several times over, written back and read again, grew the request sixteenfold per
    /// step (a 3 KB scenario used 1.7 GB and 13 s by its 15th step, and would exhaust
    /// memory soon after). Now the filled-in request is bounded and the step fails with a
    /// message saying so.
    #[test]
    fn references_cannot_amplify_past_the_limit() {
        let mut r = BTreeMap::new();
        r.insert(
            "g".to_owned(),
            json!({"Body": "x".repeat(100_000), "N": [1, 2]}),
        );
        let ten = "${g.Body}".repeat(10);
        assert_eq!(
            resolve(&json!({"Body": ten}), &r).unwrap()["Body"]
                .as_str()
                .map(str::len),
            Some(1_000_000)
        );
        let eleven = "${g.Body}".repeat(11);
        let e = resolve(&json!({"Body": eleven}), &r).unwrap_err();
        assert!(e.contains("larger than 1048576 bytes (1 MiB)"), "{e}");
        // The bound is on the whole request, whole-value references included.
        let many: Vec<Value> = (0..11).map(|_| json!("${g.Body}")).collect();
        assert!(resolve(&json!({ "L": many }), &r).is_err());
        // Through a whole run: put, read back, put ten copies back, ... stops at the limit.
        let mut steps = vec![
            json!({"call": "s3:CreateBucket", "request": {"Bucket": "bkt"}}),
            json!({"id": "p0", "call": "s3:PutObject", "request": {"Bucket": "bkt", "Key": "k", "Body": "", "Metadata": {"m": "x".repeat(16)}}}),
            json!({"id": "g0", "call": "s3:GetObject", "request": {"Bucket": "bkt", "Key": "k"}}),
        ];
        for i in 1..=8 {
            let copies = format!("${{g{}.Metadata.m}}", i - 1).repeat(16);
            steps.push(json!({"id": format!("p{i}"), "call": "s3:PutObject", "request": {"Bucket": "bkt", "Key": "k", "Body": "", "Metadata": {"m": copies}}}));
            steps.push(json!({"id": format!("g{i}"), "call": "s3:GetObject", "request": {"Bucket": "bkt", "Key": "k"}}));
        }
        let s = Scenario::from_value(&json!({ "steps": steps })).unwrap();
        let result = run(&s, None);
        let stopped = result
            .stopped
            .expect("the run stops at the oversized request");
        assert_eq!(stopped.step, 9, "{}", stopped.message);
        assert!(
            stopped.message.starts_with(
                "ScenarioReferenceError: steps[9].request: with its ${...} references filled in"
            ),
            "{}",
            stopped.message
        );
    }

    /// A step may act as an IAM principal the scenario does not declare, by its ARN: it
    /// has no identity policies, so the default key policy's delegation to IAM allows it
    /// nothing. An undeclared name that is not an ARN is still an error.
    #[test]
    fn undeclared_principal_arns_act_with_no_policies() {
        let s = Scenario::from_value(&json!({
            "principals": {"admin": {"arn": "arn:aws:iam::111122223333:role/Admin", "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}},
            "steps": [
                {"id": "key", "call": "kms:CreateKey", "as": "admin", "request": {}},
                {"call": "kms:DescribeKey", "as": "arn:aws:iam::111122223333:role/Stranger", "request": {"KeyId": "${key.KeyMetadata.Arn}"}, "expect": {"error": "AccessDeniedException"}}
            ]
        }))
        .unwrap();
        let result = run(&s, None);
        assert!(result.stopped.is_none(), "{:?}", result.stopped);
        let step = &result.steps[1];
        let error = step.error.as_ref().unwrap();
        assert!(error.message.starts_with("User: arn:aws:iam::111122223333:role/Stranger is not authorized to perform: kms:DescribeKey"), "{error:?}");
        assert!(Scenario::from_value(
            &json!({"steps": [{"call": "kms:ListKeys", "as": "nobody"}]})
        )
        .is_err());
        assert!(Scenario::from_value(
            &json!({"steps": [{"call": "kms:ListKeys", "as": "arn:aws:iam::1234:role/Short"}]})
        )
        .is_err());
    }

    #[test]
    fn contains_is_recursive() {
        let a = json!({"A": {"B": 1, "C": 2}, "L": [1, 2]});
        assert!(contains(&a, &json!({"A": {"B": 1}}), "r").is_ok());
        assert!(contains(&a, &json!({"A": {"B": 2}}), "r").is_err());
        assert!(contains(&a, &json!({"L": [1]}), "r").is_err());
        assert!(contains(&a, &json!({"X": 1}), "r")
            .unwrap_err()
            .contains("r.X is missing"));
    }
}

#[cfg(test)]
mod secrets {
    use super::*;
    use crate::permalink::{encode, ScenarioRef, ViewState};
    use crate::scenario::builtins;

    /// No key material the world generated (KMS backing keys, mailbox, message and data
    /// keys) appears, as hex or base64, in the trace, the CloudTrail log, the step results
    /// (what the CLI prints) or a permalink to the run.
    #[test]
    fn generated_key_material_is_never_recorded() {
        let mut checked = 0;
        for b in builtins() {
            let s = b.scenario().unwrap();
            let mut session = Session::new(&s, None);
            let results: Vec<StepResult> = s.steps.iter().map(|st| session.step(st)).collect();
            let recorded = [
                serde_json::to_string(&session.world.trace).unwrap(),
                serde_json::to_string(session.world.kms.trail()).unwrap(),
                serde_json::to_string(&results).unwrap(),
                encode(&ViewState {
                    scenario: ScenarioRef::Custom(s.source.clone()),
                    seed: None,
                    step: 3,
                    experiment: None,
                    panel: None,
                }),
            ]
            .concat();
            let secrets = &session.world.env.rng.issued_secrets;
            checked += secrets.len();
            for secret in secrets.iter().filter(|k| k.len() >= 16) {
                for form in [hex::encode(secret), crate::wire::b64(secret)] {
                    assert!(
                        !recorded.contains(&form),
                        "{}: key material {form} was recorded",
                        b.name
                    );
                }
            }
        }
        assert!(
            checked > 20,
            "only {checked} secrets were generated: the check saw too little"
        );
    }
}
