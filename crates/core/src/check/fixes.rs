//! The smallest change to a key policy that makes a refused flow pass.
//!
//! For the call that was refused, in this order: set each failing condition of the
//! statement meant for it to the value the request has; add the action to that
//! statement; add the statement the AWS documentation gives for the flow (the presets);
//! add a statement allowing just that action to just that caller. Each candidate is
//! tried by running the flow with it; the first that gets the flow past the refusal is
//! kept, and the search goes on from there until the flow passes (at most a few rounds).
//! An explicit Deny gets no fix: removing a Deny is a decision for a person.

use super::flows::{short_name, Flow};
use super::names::Names;
use super::{intended, Fix, Played};
use crate::authz::{BaseOperator, Decision, Outcome};
use crate::scenario::presets;
use serde_json::{json, Value};

/// The most rounds of changes a fix may take.
const MAX_ROUNDS: usize = 4;

/// A fix for `flow`, or `None` when no candidate gets it to pass.
pub(super) fn find(
    flow: &Flow,
    policy: &str,
    names: &Names,
    setup: usize,
    build: &dyn Fn(&str) -> Value,
) -> Option<Fix> {
    let mut current: Value = serde_json::from_str(policy).ok()?;
    let mut changes: Vec<String> = Vec::new();
    let mut played = Played::play(&build(policy), setup).ok()?;
    for _ in 0..MAX_ROUNDS {
        let Some(failed) = played.first_failure() else {
            let policy = presets::pretty(&current);
            let label = changes.first().cloned().unwrap_or_default();
            return Some(Fix {
                label,
                changes,
                policy,
            });
        };
        let step = played.failing_trace_step(failed)?;
        let decision = played
            .run
            .trace
            .steps
            .get(step)?
            .decisions
            .iter()
            .find(|d| !d.is_allowed())?
            .clone();
        let mut progressed = None;
        for (change, candidate) in candidates(flow, &decision, names, &current) {
            let text = presets::pretty(&candidate);
            let Ok(next) = Played::play(&build(&text), setup) else {
                continue;
            };
            if next.first_failure().is_none_or(|f| f > failed) {
                progressed = Some((change, candidate, next));
                break;
            }
        }
        let (change, candidate, next) = progressed?;
        changes.push(change);
        current = candidate;
        played = next;
    }
    None
}

/// The statements as an array (a policy may give one statement as an object).
fn statements_mut(policy: &mut Value) -> Option<&mut Vec<Value>> {
    let st = policy.get_mut("Statement")?;
    if st.is_object() {
        *st = Value::Array(vec![st.take()]);
    }
    st.as_array_mut()
}

fn with_statement(policy: &Value, statement: Value) -> Option<Value> {
    let mut p = policy.clone();
    statements_mut(&mut p)?.push(statement);
    Some(p)
}

fn one_or_many(values: &[String]) -> Value {
    match values {
        [one] => Value::String(one.clone()),
        many => json!(many),
    }
}

fn label(index: usize, policy: &Value) -> String {
    let sid = policy
        .get("Statement")
        .and_then(|s| if s.is_array() { s.get(index) } else { Some(s) })
        .and_then(|s| s.get("Sid"))
        .and_then(Value::as_str);
    match sid {
        Some(sid) => format!("statement {} (\"{sid}\")", index + 1),
        None => format!("statement {}", index + 1),
    }
}

fn candidates(flow: &Flow, d: &Decision, names: &Names, policy: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if d.outcome == Outcome::ExplicitDeny {
        return out;
    }
    if let Some(s) = intended(d) {
        let which = label(s.index, policy);
        let failing: Vec<_> = s.conditions.iter().filter(|c| !c.matched).collect();
        let fixable = |c: &&crate::authz::ConditionResult| {
            let op = crate::authz::ConditionOperator::parse(&c.operator);
            c.actual.as_ref().is_some_and(|a| !a.is_empty())
                // Null and Bool conditions are guards (a key present, a request through
                // an AWS service): a fix never turns one off.
                && op.is_some_and(|o| {
                    !matches!(o.base, BaseOperator::Null | BaseOperator::Bool)
                        && !o.base.is_negated()
                })
        };
        if s.action_matched && !failing.is_empty() && failing.iter().all(fixable) {
            let mut p = policy.clone();
            let mut lines = Vec::new();
            if let Some(st) = statements_mut(&mut p).and_then(|v| v.get_mut(s.index)) {
                for c in &failing {
                    let actual = c.actual.clone().unwrap_or_default();
                    if let Some(slot) = st.pointer_mut(&format!(
                        "/Condition/{}/{}",
                        pointer_escape(&c.operator),
                        pointer_escape(&c.key)
                    )) {
                        *slot = one_or_many(&actual);
                        lines.push(format!(
                            "In {which}, set {} {} to {} (it was {}).",
                            c.operator,
                            c.key,
                            actual.join(", "),
                            c.expected.join(", ")
                        ));
                    }
                }
            }
            if lines.len() == failing.len() {
                out.push((lines.join(" "), p));
            }
        }
        if !s.action_matched {
            let mut p = policy.clone();
            if let Some(st) = statements_mut(&mut p).and_then(|v| v.get_mut(s.index)) {
                if let Some(action) = st.get_mut("Action") {
                    let mut list = match action.take() {
                        Value::Array(a) => a,
                        one => vec![one],
                    };
                    list.push(Value::String(d.action.clone()));
                    *action = Value::Array(list);
                    out.push((format!("Add {} to the Action of {which}.", d.action), p));
                }
            }
        }
    }
    if let Some((sid, statement)) = preset(flow, d, names) {
        if let Some(p) = with_statement(policy, statement) {
            out.push((
                format!("Add the statement \"{sid}\" from the AWS documentation."),
                p,
            ));
        }
    }
    let principal = if d.principal.starts_with("arn:") {
        json!({"AWS": d.principal})
    } else {
        json!({"Service": d.principal})
    };
    let operation = d.action.strip_prefix("kms:").unwrap_or(&d.action);
    let sid = format!("Allow {} to {operation}", short_name(&d.principal));
    if let Some(p) = with_statement(
        policy,
        json!({"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": d.action, "Resource": "*"}),
    ) {
        out.push((
            format!(
                "Add a statement \"{sid}\" allowing {} to {}.",
                d.action, d.principal
            ),
            p,
        ));
    }
    out
}

/// RFC 6901 escaping of one JSON pointer segment.
fn pointer_escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The documentation's statement for the flow, when the refused caller is the one the
/// flow is about (not, say, the SES mail owner's own Decrypt).
fn preset(flow: &Flow, d: &Decision, n: &Names) -> Option<(String, Value)> {
    let statement = match flow {
        Flow::WorkMail if d.principal == n.workmail_admin => {
            presets::workmail_statement(&n.region, &n.account)
        }
        Flow::SesReceive if d.principal == "ses.amazonaws.com" => {
            presets::ses_statement(&n.account)
        }
        Flow::Location if d.principal == n.location_role => {
            presets::location_statement(&n.region, &n.account, &n.location_role, &n.tracker)
        }
        Flow::CloudTrail if d.principal == "cloudtrail.amazonaws.com" => {
            presets::cloudtrail_statement(&n.region, &n.account, &n.trail)
        }
        _ => return None,
    };
    let sid = statement
        .get("Sid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some((sid, statement))
}
