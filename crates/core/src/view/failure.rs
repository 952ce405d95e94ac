//! The one explanation of a failed step: the AWS error, who called, one line of why, and
//! the checks that failed with their expected and actual values.
//!
//! Everything comes from what the trace recorded: the authorization decision (every
//! statement and condition with its values, every grant), the engine's explanation of a
//! decryption failure, the step that sealed the ciphertext (for its encryption context),
//! and the diagram's fold of the run (for grants revoked, key states, flipped bytes).
//! Elsewhere the page shows only [`Explanation::summary`].

use crate::diagram::{call_kind, same_or_one_bit, snapshot, CallKind, FailureFrom, GrantState};
use crate::kms::{Decision, Outcome};
use crate::trace::Step;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

/// One thing that had to hold, and what it was instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// What was checked: a condition key, the key state, a grant, a context pair.
    pub what: String,
    /// What it had to be.
    pub expected: String,
    /// What it was.
    pub actual: String,
    /// Whether it held (a table shows the ones that did for comparison).
    pub holds: bool,
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// The AWS error name.
    pub error: String,
    /// Who called.
    pub caller: String,
    /// The call, e.g. `kms:Decrypt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// One line of why.
    pub why: String,
    /// What had to hold, expected against actual.
    pub checks: Vec<Check>,
    /// The earlier step whose failure this one reports (a service call that failed
    /// because its KMS call did): its explanation has the details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<usize>,
}

impl Explanation {
    /// The one-line summary shown everywhere but the explanation itself.
    pub fn summary(&self) -> String {
        format!("{}: {}", self.error, self.why)
    }
}

/// The first sentence of `text` (up to ". " or the end).
fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    text.find(". ").map_or(text, |i| &text[..=i])
}

fn context_of(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(|v| v.get("EncryptionContext"))
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn blob(v: Option<&Value>, field: &str) -> Option<Vec<u8>> {
    v?.get(field)
        .and_then(Value::as_str)
        .and_then(|b| STANDARD.decode(b.trim()).ok())
}

/// Explains the failed step `index` of a run; `None` if it did not fail.
pub fn explain(steps: &[Step], index: usize) -> Option<Explanation> {
    let step = steps.get(index)?;
    let error = step.error.as_ref()?;
    let at = snapshot(steps, index);
    let failure = at.failure.as_ref();
    let mut e = Explanation {
        error: error.code.clone(),
        caller: step.actor.clone(),
        call: step.call.map(|c| c.to_string()),
        why: first_sentence(error.help.as_deref().unwrap_or(&error.message)).to_owned(),
        checks: Vec::new(),
        cause: failure.and_then(|f| f.cause),
    };
    if let Some(cause) = e.cause.and_then(|c| steps.get(c)) {
        e.why = format!(
            "It relies on step {}, where {} failed with {}.",
            cause.index + 1,
            cause
                .call
                .map_or_else(|| "a call".to_owned(), |c| c.to_string()),
            cause.error.as_ref().map_or("an error", |c| c.code.as_str())
        );
        return Some(e);
    }
    if let Some(d) = step.decisions.iter().find(|d| !d.is_allowed()) {
        denial(&mut e, d, &at);
    } else if let Some(why) = &step.explanation {
        e.why = first_sentence(why).to_owned();
        sealed_context(&mut e, steps, index);
    } else if matches!(
        error.code.as_str(),
        "DisabledException" | "KMSInvalidStateException"
    ) {
        key_state(&mut e, steps, index);
    }
    // A byte flipped on purpose: what was stored against what was read.
    if let Some(FailureFrom::Node(id)) = failure.map(|f| &f.from) {
        if let Some((node, t)) = at.node(id).and_then(|n| Some((n, n.tampered?))) {
            e.checks.push(Check {
                what: node.label.clone(),
                expected: format!("the {} bytes as they were written", node.length),
                actual: match t.offset {
                    Some(o) => format!("byte {o} flipped at step {}", t.step + 1),
                    None => format!("one bit flipped at step {}", t.step + 1),
                },
                holds: false,
            });
        }
    }
    Some(e)
}

fn denial(e: &mut Explanation, d: &Decision, now: &crate::diagram::Snapshot) {
    let action = d.action.as_str();
    let operation = action.strip_prefix("kms:").unwrap_or(action);
    if d.outcome == Outcome::ExplicitDeny {
        let deny = d
            .key_policy
            .iter()
            .chain(d.identity_policies.iter().map(|p| &p.evaluation))
            .flat_map(|p| p.statements.iter())
            .find(|s| s.applies && s.effect == crate::authz::Effect::Deny);
        e.why = match deny.and_then(|s| s.sid.as_deref()) {
            Some(sid) => format!(
                "The Deny statement \"{sid}\" applies, and an explicit Deny beats every Allow."
            ),
            None => "A Deny statement applies, and an explicit Deny beats every Allow.".to_owned(),
        };
        if let Some(s) = deny {
            conditions(e, s);
        }
        return;
    }
    e.why = format!(
        "No key policy statement, IAM policy or grant allows {action} for {}.",
        d.principal
    );
    // A grant that allowed it once, now revoked or retired.
    if let Some(g) = now.grants.iter().find(|g| {
        g.grantee == d.principal
            && g.state != GrantState::Active
            && g.operations.iter().any(|o| o == operation)
    }) {
        let ended = g
            .ended
            .map_or(String::new(), |s| format!(" at step {}", s + 1));
        let how = if g.state == GrantState::Revoked {
            "revoked"
        } else {
            "retired"
        };
        e.why = format!(
            "The grant that let {} call {operation} was {how}{ended}, and nothing else allows it.",
            d.principal
        );
        e.checks.push(Check {
            what: format!("Grant {}", g.name.as_deref().unwrap_or("for the caller")),
            expected: "in force".to_owned(),
            actual: format!("{how}{ended}"),
            holds: false,
        });
    }
    // The statements that name the caller and the action but whose conditions fail.
    if let Some(policy) = &d.key_policy {
        for s in policy.statements.iter().filter(|s| {
            s.action_matched
                && s.resource_matched
                && s.principal != crate::authz::PrincipalMatch::NoMatch
                && !s.applies
        }) {
            conditions(e, s);
        }
        let delegated = policy.statements.iter().any(|s| {
            s.applies && matches!(s.principal, crate::authz::PrincipalMatch::Account { .. })
        });
        if delegated
            && d.identity_policies
                .iter()
                .all(|p| p.evaluation.allows().is_empty())
        {
            e.checks.push(Check {
                what: format!("IAM policy of {}", d.principal),
                expected: format!("allows {action}"),
                actual: "none does".to_owned(),
                holds: false,
            });
        }
    }
    // The caller's own grants that did not cover this request (others' grants are not
    // what was missing).
    for g in d.grants.iter().filter(|g| g.grantee_matched && !g.applies) {
        let name = g.name.as_deref().unwrap_or("the caller's grant");
        if !g.operation_matched {
            e.checks.push(Check {
                what: format!("Operations of {name}"),
                expected: g.operations.join(", "),
                actual: operation.to_owned(),
                holds: false,
            });
        }
        if !g.constraint_matched {
            e.checks.push(Check {
                what: format!("Constraint of {name}"),
                expected: "the encryption context it names".to_owned(),
                actual: "a different one".to_owned(),
                holds: false,
            });
        }
    }
}

fn conditions(e: &mut Explanation, s: &crate::authz::StatementResult) {
    for c in &s.conditions {
        e.checks.push(Check {
            what: format!("{} ({})", c.key, c.operator),
            expected: c.expected.join(" or "),
            actual: c
                .actual
                .as_ref()
                .map_or_else(|| "(absent)".to_owned(), |v| v.join(", ")),
            holds: c.matched,
        });
    }
}

/// Decrypt's encryption context against the one the ciphertext was sealed with (found as
/// the earlier step that returned the same blob, or the blob with one bit flipped).
fn sealed_context(e: &mut Explanation, steps: &[Step], index: usize) {
    let Some(step) = steps.get(index) else { return };
    let Some(given) = blob(step.request.as_ref(), "CiphertextBlob") else {
        return;
    };
    let Some(sealer) = steps.iter().take(index).rev().find(|s| {
        blob(s.response.as_ref(), "CiphertextBlob").is_some_and(|b| same_or_one_bit(&b, &given))
    }) else {
        return;
    };
    let sealed = context_of(sealer.request.as_ref());
    let asked = context_of(step.request.as_ref());
    if sealed == asked {
        return;
    }
    let mut keys: Vec<&String> = sealed.iter().chain(asked.iter()).map(|(k, _)| k).collect();
    keys.sort();
    keys.dedup();
    let value = |ctx: &[(String, String)], k: &str| {
        ctx.iter()
            .find(|(key, _)| key == k)
            .map_or_else(|| "(absent)".to_owned(), |(_, v)| format!("\"{v}\""))
    };
    for k in keys {
        let (expected, actual) = (value(&sealed, k), value(&asked, k));
        e.checks.push(Check {
            what: format!("Context \"{k}\" (sealed at step {})", sealer.index + 1),
            holds: expected == actual,
            expected,
            actual,
        });
    }
}

/// The key's state against Enabled, with the step that changed it.
fn key_state(e: &mut Explanation, steps: &[Step], index: usize) {
    let (state, kind) = if e.error == "DisabledException" {
        ("Disabled", CallKind::DisableKey)
    } else {
        ("PendingDeletion", CallKind::ScheduleKeyDeletion)
    };
    e.why = if kind == CallKind::DisableKey {
        "The KMS key is disabled: KMS refuses every cryptographic operation with it until it is enabled again.".to_owned()
    } else {
        "The KMS key is pending deletion: KMS refuses to use it, and once the waiting period ends it, and everything encrypted under it, is gone.".to_owned()
    };
    let since = steps
        .iter()
        .take(index)
        .rev()
        .find(|s| !s.failed() && call_kind(s) == kind)
        .map_or(String::new(), |s| format!(" since step {}", s.index + 1));
    e.checks.push(Check {
        what: "Key state".to_owned(),
        expected: "Enabled".to_owned(),
        actual: format!("{state}{since}"),
        holds: false,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::experiment::{apply, experiments_for};
    use crate::scenario::{builtin, builtins, run, Scenario};

    fn steps_of(name: &str, experiment: Option<&str>) -> Vec<Step> {
        let s = builtin(name)
            .and_then(|b| b.scenario().ok())
            .expect("builtin");
        let s = match experiment {
            None => s,
            Some(label) => {
                let o = experiments_for(&s.source)
                    .into_iter()
                    .find(|o| o.label == label)
                    .expect("offered");
                Scenario::from_value(&apply(&s.source, &o.experiment).expect("applies"))
                    .expect("valid")
            }
        };
        run(&s, None).trace.steps
    }

    fn first_failure(steps: &[Step]) -> Explanation {
        let i = steps.iter().position(Step::failed).expect("a failure");
        explain(steps, i).expect("explained")
    }

    #[test]
    fn a_revoked_grant_is_why_decrypt_is_denied() {
        let steps = steps_of("workmail-revoke-grant", None);
        let e = first_failure(&steps);
        assert_eq!(e.error, "AccessDeniedException");
        assert_eq!(e.call.as_deref(), Some("kms:Decrypt"));
        assert!(e.why.contains("was revoked at step"), "{}", e.why);
        assert!(e
            .checks
            .iter()
            .any(|c| c.what.starts_with("Grant") && !c.holds));
        // The conditions of the statement that names WorkMail's callers, with values.
        let via = e
            .checks
            .iter()
            .find(|c| c.what.starts_with("kms:ViaService"))
            .expect("kms:ViaService checked");
        assert_eq!(via.expected, "workmail.us-east-1.amazonaws.com");
        assert_eq!(via.actual, "(absent)");
        // The service call that failed because of it points at it.
        let i = steps.iter().position(Step::failed).expect("failure");
        let next = explain(&steps, i + 1).expect("the read fails too");
        assert_eq!(next.cause, Some(i));
        assert!(next.why.contains(&format!("step {}", i + 1)));
        assert!(explain(&steps, 0).is_none());
    }

    #[test]
    fn a_changed_context_shows_sealed_against_given() {
        let steps = steps_of("encryption-context", None);
        let e = first_failure(&steps);
        assert_eq!(e.error, "InvalidCiphertextException");
        let tenant = e
            .checks
            .iter()
            .find(|c| c.what.starts_with("Context \"tenant\""))
            .expect("the tenant pair");
        assert_eq!(
            (tenant.expected.as_str(), tenant.actual.as_str()),
            ("\"blue\"", "\"red\"")
        );
        assert!(!tenant.holds);
        assert!(
            e.checks.iter().any(|c| c.holds),
            "matching pairs are shown too"
        );
    }

    #[test]
    fn a_disabled_key_and_a_flipped_byte_say_since_when() {
        let steps = steps_of("workmail-basics", Some("Disable the key"));
        let e = first_failure(&steps);
        assert_eq!(e.error, "DisabledException");
        let state = &e.checks[0];
        assert_eq!(state.expected, "Enabled");
        assert!(
            state.actual.starts_with("Disabled since step "),
            "{}",
            state.actual
        );

        let steps = steps_of(
            "workmail-basics",
            Some("Flip a byte of the stored mailbox key"),
        );
        let e = first_failure(&steps);
        assert_eq!(e.error, "InvalidCiphertextException");
        assert!(e.why.contains("modified"), "{}", e.why);
        assert!(e
            .checks
            .iter()
            .any(|c| c.actual.starts_with("byte 40 flipped at step")));
    }

    #[test]
    fn every_failure_of_every_builtin_has_one_line_of_why() {
        for b in builtins() {
            if b.name.contains("legacy") || b.name.contains("asymmetric") {
                continue; // RSA key generation: slow in a debug build
            }
            let steps = steps_of(b.name, None);
            for (i, s) in steps.iter().enumerate() {
                let e = explain(&steps, i);
                assert_eq!(e.is_some(), s.failed(), "{} step {i}", b.name);
                if let Some(e) = e {
                    assert!(
                        e.why.len() > 20 && e.why.len() < 300,
                        "{} step {i}: {}",
                        b.name,
                        e.why
                    );
                    assert!(!e.why.contains('\n'));
                    assert!(e.summary().starts_with(&e.error));
                }
            }
        }
    }
}
