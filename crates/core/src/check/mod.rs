//! "Check my key policy": which AWS services and principals a pasted key policy lets use
//! the key, and why.
//!
//! Each flow of the seeds (WorkMail, SES receiving, Amazon Location, CloudTrail) and one
//! flow per principal the policy names is a scenario ([`flows`]) that the runner plays on
//! a key with the pasted policy, as any scenario: the verdicts are the engine's own
//! authorization decisions, statement by statement, with expected and actual values. A
//! refusal comes with the smallest fix that makes its flow pass (a condition set to the
//! value the request has, an action added to the statement meant for it, or the
//! statement from the AWS documentation's presets), found by running the flow with it.
//! Warnings in the manner of IAM Access Analyzer's policy checks sit beside them
//! ([`warnings`]).
//!
//! Everything here is computed in the page; the policy never leaves it.

mod fixes;
pub mod flows;
pub mod names;
mod warnings;

pub use flows::Flow;
pub use names::{names_from, Names};
pub use warnings::{Severity, Warning};

use crate::authz::{ConditionResult, Effect, Outcome, PolicyDocument, PrincipalMatch};
use crate::scenario::{run, RunResult, Scenario, ScenarioError};
use crate::view::failure::{explain, Check};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// A statement of the checked policy, as a verdict cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementRef {
    /// Its position (0-based).
    pub index: usize,
    /// Its `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// Its conditions, each with the request's value.
    pub conditions: Vec<ConditionResult>,
}

impl StatementRef {
    /// "statement 2 (\"Allow SES\")".
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) => format!("statement {} (\"{sid}\")", self.index + 1),
            None => format!("statement {}", self.index + 1),
        }
    }
}

/// One KMS call a flow made, and what the key policy said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallResult {
    /// The trace step (0-based) of the flow's run.
    pub step: usize,
    /// The IAM action, e.g. `kms:GenerateDataKey`.
    pub action: String,
    /// Who called (an ARN or a service principal).
    pub caller: String,
    /// Whether it was allowed.
    pub allowed: bool,
    /// One sentence: what allowed it, or what was missing.
    pub reason: String,
    /// The key policy statements that allowed it (or the Deny that refused it).
    pub statements: Vec<StatementRef>,
}

/// Why a flow was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    /// The trace step (0-based) that failed.
    pub step: usize,
    /// The AWS error name.
    pub error: String,
    /// AWS's message.
    pub message: String,
    /// Who called, and the call.
    pub caller: String,
    /// The call, e.g. `kms:GenerateDataKey`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// One line of why.
    pub why: String,
    /// The statement meant for this call (it names the caller), if one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementRef>,
    /// What had to hold, expected against actual.
    pub checks: Vec<Check>,
}

/// A change to the policy that makes a refused flow pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    /// What it does, e.g. "Set aws:SourceArn to arn:aws:cloudtrail:...".
    pub label: String,
    /// Each change, one line each.
    pub changes: Vec<String>,
    /// The whole policy with the fix applied.
    pub policy: String,
}

/// The verdict on one flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// Which flow.
    pub flow: Flow,
    /// Its card's title.
    pub title: String,
    /// A stable id (`ses`, `principal-role-keyadmin`).
    pub slug: String,
    /// Whether every call of the flow went through.
    pub allowed: bool,
    /// One sentence.
    pub summary: String,
    /// Each KMS call of the flow and its decision.
    pub calls: Vec<CallResult>,
    /// Why it was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
    /// The smallest change that makes it pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// The flow as a scenario, to open step by step in the diagram.
    pub scenario: Value,
    /// The trace step to open it at: the refusal, or the flow's first checked call.
    pub open_at: usize,
}

/// What the checker says of a policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The names the flows used.
    pub names: Names,
    /// One per flow.
    pub verdicts: Vec<Verdict>,
    /// Access Analyzer-style findings.
    pub warnings: Vec<Warning>,
}

/// The outcome of one flow's run: the run and where its checked calls start.
struct Played {
    run: RunResult,
    /// The first scenario step that is checked (after the setup).
    setup: usize,
}

impl Played {
    fn play(scenario: &Value, setup: usize) -> Result<Played, ScenarioError> {
        let parsed = Scenario::from_value(scenario)?;
        Ok(Played {
            run: run(&parsed, None),
            setup,
        })
    }

    /// The first trace step of the checked calls.
    fn first_checked(&self) -> usize {
        self.run
            .steps
            .get(self.setup)
            .map_or(self.run.trace.steps.len(), |s| s.trace_range.0)
    }

    /// The scenario step that failed first: a setup step, or a checked one.
    fn first_failure(&self) -> Option<usize> {
        self.run.steps.iter().position(|s| {
            s.error.is_some() || s.expectation == Some(crate::scenario::Expectation::Failed)
        })
    }

    /// The trace step that explains the failure of scenario step `i`: the KMS call that
    /// was refused inside it (a service call reports the KMS call that failed it).
    fn failing_trace_step(&self, i: usize) -> Option<usize> {
        let (first, last) = self.run.steps.get(i)?.trace_range;
        let steps = &self.run.trace.steps;
        let in_range = steps.get(first..last)?;
        let local = in_range
            .iter()
            .rposition(|s| s.failed() && s.decisions.iter().any(|d| !d.is_allowed()))
            .or_else(|| in_range.iter().position(|s| s.failed()))?;
        let at = first + local;
        Some(match explain(steps, at).and_then(|e| e.cause) {
            Some(cause) => cause,
            None => at,
        })
    }
}

fn statement_ref(s: &crate::authz::StatementResult) -> StatementRef {
    StatementRef {
        index: s.index,
        sid: s.sid.clone(),
        effect: s.effect,
        conditions: s.conditions.clone(),
    }
}

/// The statement meant for a refused call: it names the caller (directly or through its
/// account), allows, and covers the action and resource but a condition fails; else
/// one that names the caller and holds but does not cover the action.
fn intended(d: &crate::authz::Decision) -> Option<&crate::authz::StatementResult> {
    let policy = d.key_policy.as_ref()?;
    let candidates = || {
        policy.statements.iter().filter(|s| {
            s.effect == Effect::Allow
                && s.principal != PrincipalMatch::NoMatch
                && s.resource_matched
        })
    };
    candidates()
        .filter(|s| s.action_matched && !s.applies)
        .min_by_key(|s| s.conditions.iter().filter(|c| !c.matched).count())
        .or_else(|| {
            candidates().find(|s| {
                !s.action_matched
                    && s.principal == PrincipalMatch::Matches
                    && s.conditions.iter().all(|c| c.matched)
            })
        })
}

/// The calls of a played flow after its setup, each with its decision.
fn calls_of(p: &Played) -> Vec<CallResult> {
    let from = p.first_checked();
    p.run
        .trace
        .steps
        .iter()
        .enumerate()
        .skip(from)
        .flat_map(|(i, s)| s.decisions.iter().map(move |d| (i, d)))
        .map(|(i, d)| {
            let iam_allows = d
                .identity_policies
                .iter()
                .any(|p| !p.evaluation.allows().is_empty());
            let statements = d
                .key_policy
                .iter()
                .flat_map(|p| p.statements.iter())
                .filter(|s| {
                    // The account principal allows only with an IAM policy that allows.
                    let delegated = matches!(s.principal, PrincipalMatch::Account { .. });
                    s.applies
                        && (!delegated || iam_allows)
                        && (d.outcome != Outcome::ExplicitDeny || s.effect == Effect::Deny)
                        && (d.outcome != Outcome::Allowed || s.effect == Effect::Allow)
                })
                .map(statement_ref)
                .collect();
            CallResult {
                step: i,
                action: d.action.clone(),
                caller: d.principal.clone(),
                allowed: d.is_allowed(),
                reason: d.reason.clone(),
                statements,
            }
        })
        .collect()
}

fn refusal_of(p: &Played) -> Option<Refusal> {
    let i = p.first_failure()?;
    let at = p.failing_trace_step(i);
    let (step, error) = match at.and_then(|t| Some((t, p.run.trace.steps.get(t)?.error.as_ref()?)))
    {
        Some(found) => found,
        None => {
            let r = p.run.steps.get(i)?;
            let message = r
                .error
                .as_ref()
                .map(|e| e.message.clone())
                .or_else(|| r.expectation_message.clone())
                .unwrap_or_default();
            return Some(Refusal {
                step: r.trace_range.0,
                error: r
                    .error
                    .as_ref()
                    .map_or_else(|| "ExpectationFailed".to_owned(), |e| e.code.clone()),
                message: message.clone(),
                caller: String::new(),
                call: Some(r.call.clone()),
                why: message,
                statement: None,
                checks: Vec::new(),
            });
        }
    };
    let e = explain(&p.run.trace.steps, step)?;
    let denied = p
        .run
        .trace
        .steps
        .get(step)
        .and_then(|s| s.decisions.iter().find(|d| !d.is_allowed()));
    let statement = denied.and_then(|d| {
        if d.outcome == Outcome::ExplicitDeny {
            d.key_policy
                .as_ref()?
                .statements
                .iter()
                .find(|s| s.applies && s.effect == Effect::Deny)
                .map(statement_ref)
        } else {
            intended(d).map(statement_ref)
        }
    });
    let why = match (denied, &statement) {
        (Some(d), Some(st)) if d.outcome == Outcome::ImplicitDeny => {
            let failing: Vec<String> = st
                .conditions
                .iter()
                .filter(|c| !c.matched)
                .map(|c| {
                    let actual = c.actual.as_ref().map_or_else(
                        || "has no value for it".to_owned(),
                        |a| format!("has {}", a.join(", ")),
                    );
                    format!(
                        "{} {} expects {} but the request {actual}",
                        c.operator,
                        c.key,
                        c.expected.join(", ")
                    )
                })
                .collect();
            if failing.is_empty() {
                format!(
                    "{} names {}, but its Action does not cover {}.",
                    capitalize(&st.label()),
                    d.principal,
                    d.action
                )
            } else {
                format!(
                    "{} names {} and {}, but {}.",
                    capitalize(&st.label()),
                    d.principal,
                    d.action,
                    failing.join("; ")
                )
            }
        }
        _ => e.why,
    };
    Some(Refusal {
        step,
        error: error.code.clone(),
        message: error.message.clone(),
        caller: denied.map_or(e.caller, |d| d.principal.clone()),
        call: e.call,
        why,
        statement,
        checks: e.checks,
    })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// The key policy statements that allowed some call of a flow after its setup.
fn used_statements(p: &Played, into: &mut BTreeSet<usize>) {
    for s in p.run.trace.steps.iter().skip(p.first_checked()) {
        for d in s.decisions.iter() {
            for st in d.key_policy.iter().flat_map(|k| k.statements.iter()) {
                if st.applies && st.effect == Effect::Allow {
                    into.insert(st.index);
                }
            }
        }
    }
}

/// A flow, the scenario it plays, and how many setup steps that scenario has.
struct FlowRun {
    flow: Flow,
    build: Box<dyn Fn(&str) -> Value>,
    setup: usize,
}

fn flow_runs(doc: &PolicyDocument, names: &Names) -> Vec<FlowRun> {
    let service = |flow: Flow, f: fn(&str, &Names) -> Value| {
        let n = names.clone();
        FlowRun {
            flow,
            build: Box::new(move |p| f(p, &n)),
            setup: flows::SETUP_STEPS,
        }
    };
    let n = names.clone();
    let mut out: Vec<FlowRun> = vec![
        service(Flow::WorkMail, flows::workmail),
        service(Flow::SesReceive, flows::ses),
        service(Flow::Location, flows::location),
        service(Flow::CloudTrail, flows::cloudtrail),
    ];
    for f in flows::named_principals(doc) {
        if let Flow::Principal { arn, .. } = &f {
            let (arn, n) = (arn.clone(), n.clone());
            out.push(FlowRun {
                flow: f,
                build: Box::new(move |p| match PolicyDocument::parse(p) {
                    Ok(d) => flows::principal(p, &d, &n, &arn),
                    Err(_) => Value::Null,
                }),
                setup: flows::PRINCIPAL_SETUP_STEPS,
            });
        }
    }
    out
}

/// The most principals the checker plays a flow for (a policy may name hundreds).
pub const MAX_PRINCIPALS: usize = 12;

/// Checks `policy` (the text as pasted) against every flow, with `names`.
///
/// Errors: the text is not JSON or not a key policy (the path of the problem), the
/// names cannot be used, or KMS refuses the policy itself (its AWS error and message,
/// e.g. a principal that does not exist).
pub fn check(policy: &str, names: &Names) -> Result<Report, ScenarioError> {
    crate::scenario::experiment::check_policy(policy)?;
    if let Some(problem) = names.problem() {
        return Err(ScenarioError {
            path: "names".to_owned(),
            message: problem,
        });
    }
    let doc = PolicyDocument::parse(policy).map_err(|e| ScenarioError {
        path: e.path,
        message: e.message,
    })?;
    let mut verdicts = Vec::new();
    let mut used = BTreeSet::new();
    let mut principals = 0;
    for fr in flow_runs(&doc, names) {
        if matches!(fr.flow, Flow::Principal { .. }) {
            principals += 1;
            if principals > MAX_PRINCIPALS {
                break;
            }
        }
        let scenario = (fr.build)(policy);
        let played = Played::play(&scenario, fr.setup)?;
        if let Some(i) = played.first_failure().filter(|i| *i < fr.setup) {
            // KMS refused the policy itself: every flow would say the same.
            let r = played.run.steps.get(i);
            let e = r.and_then(|r| r.error.as_ref());
            return Err(ScenarioError {
                path: "policy".to_owned(),
                message: e.map_or_else(
                    || "KMS did not accept the policy.".to_owned(),
                    |e| format!("KMS refuses this policy: {}: {}", e.code, e.explained()),
                ),
            });
        }
        used_statements(&played, &mut used);
        let v = verdict(&fr, scenario, &played, policy, names);
        // A statement meant for a refused call is not unused: it is wrong.
        if let Some(st) = v.refusal.as_ref().and_then(|r| r.statement.as_ref()) {
            used.insert(st.index);
        }
        verdicts.push(v);
    }
    let lockout = Played::play(&flows::lockout(policy, &doc, names), flows::SETUP_STEPS)?;
    let warnings = warnings::warnings(&doc, names, &used, &lockout.run);
    Ok(Report {
        names: names.clone(),
        verdicts,
        warnings,
    })
}

fn verdict(fr: &FlowRun, scenario: Value, played: &Played, policy: &str, names: &Names) -> Verdict {
    let calls = calls_of(played);
    let refusal = refusal_of(played);
    let allowed = refusal.is_none();
    let summary = match &refusal {
        None => allowed_summary(&fr.flow, &calls),
        Some(r) => format!(
            "Refused: {} {} gets {}.",
            r.caller,
            r.call.as_deref().unwrap_or("the call"),
            r.error,
        ),
    };
    let fix = if allowed {
        None
    } else {
        fixes::find(&fr.flow, policy, names, played.setup, &*fr.build)
    };
    let open_at = refusal
        .as_ref()
        .map(|r| r.step)
        .or_else(|| calls.first().map(|c| c.step))
        .unwrap_or(0);
    Verdict {
        title: fr.flow.title(),
        slug: fr.flow.slug(),
        flow: fr.flow.clone(),
        allowed,
        summary,
        calls,
        refusal,
        fix,
        scenario,
        open_at,
    }
}

/// "Allowed: ses.amazonaws.com kms:GenerateDataKey by statement 2 ("…")." — the calls
/// the key policy decided, by the statements that allowed them.
fn allowed_summary(flow: &Flow, calls: &[CallResult]) -> String {
    // Actions grouped by what allowed them, in the order of the flow.
    let mut by: Vec<(String, Vec<&str>)> = Vec::new();
    for c in calls {
        let how = if c.statements.is_empty() {
            // A grant allowed it (WorkMail's own calls under its grant).
            "a grant".to_owned()
        } else {
            c.statements
                .iter()
                .map(StatementRef::label)
                .collect::<Vec<_>>()
                .join(" and ")
        };
        match by.iter_mut().find(|(h, _)| *h == how) {
            Some((_, actions)) => {
                if !actions.contains(&c.action.as_str()) {
                    actions.push(&c.action)
                }
            }
            None => by.push((how, vec![&c.action])),
        }
    }
    let by: Vec<String> = by
        .into_iter()
        .map(|(how, actions)| format!("{} by {how}", actions.join(", ")))
        .collect();
    let delegated = calls.iter().any(|c| c.reason.contains("IAM"));
    let iam = if delegated {
        " Some calls are allowed only because the key policy lets the account's IAM policies decide and the flow's principal has an IAM policy that allows them."
    } else {
        ""
    };
    match flow {
        Flow::Principal { .. } if calls.is_empty() => {
            "The policy names it, but gives it none of the operations the checker tries.".to_owned()
        }
        _ => format!("Allowed: {}.{iam}", by.join("; ")),
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
