//! Findings in the manner of IAM Access Analyzer's policy checks
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>),
//! each with the AWS page it follows.

use super::names::Names;
use crate::authz::{
    ActionElement, BaseOperator, Effect, PolicyDocument, PrincipalElement, PrincipalSpec,
    SetQualifier, Statement,
};
use crate::kms::Operation;
use crate::scenario::{Expectation, RunResult};
use serde::Serialize;
use std::collections::BTreeSet;

/// How serious a finding is (Access Analyzer's finding types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// Access wider than intended.
    Security,
    /// Something that does not do what it seems to.
    Warning,
    /// Tidier, or tighter.
    Suggestion,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    /// A stable code, e.g. `PUBLIC_PRINCIPAL`.
    pub code: &'static str,
    /// How serious.
    pub severity: Severity,
    /// The statement (0-based), when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<usize>,
    /// One line.
    pub title: String,
    /// What it means and what to do.
    pub detail: String,
    /// The AWS documentation it follows.
    pub doc: &'static str,
}

fn sid(st: &Statement, i: usize) -> String {
    match &st.sid {
        Some(s) => format!("Statement {} (\"{s}\")", i + 1),
        None => format!("Statement {}", i + 1),
    }
}

fn services(st: &Statement) -> &[String] {
    match &st.principal {
        Some(PrincipalElement::Principal(PrincipalSpec::Named { service, .. })) => service,
        _ => &[],
    }
}

fn is_public(st: &Statement) -> bool {
    match &st.principal {
        Some(PrincipalElement::Principal(PrincipalSpec::Anyone)) => true,
        Some(PrincipalElement::Principal(PrincipalSpec::Named { aws, .. })) => {
            aws.iter().any(|a| a == "*")
        }
        _ => false,
    }
}

fn has_key(st: &Statement, keys: &[&str]) -> bool {
    st.conditions
        .iter()
        .any(|c| keys.iter().any(|k| c.key.eq_ignore_ascii_case(k)))
}

/// Whether a condition needs its key in the request to hold: not `...IfExists`, not
/// `Null: true`, not `ForAllValues:` (true on an absent key), not a negated operator.
fn needs_key(c: &crate::authz::ConditionSpec) -> bool {
    let o = c.operator;
    let null_true =
        o.base == BaseOperator::Null && c.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
    !(o.if_exists || o.set == Some(SetQualifier::ForAllValues) || o.base.is_negated() || null_true)
}

/// Every finding for `doc`; `used` are the statements some flow's call was allowed by,
/// `lockout` the run of [`super::flows::lockout`].
pub fn warnings(
    doc: &PolicyDocument,
    names: &Names,
    used: &BTreeSet<usize>,
    lockout: &RunResult,
) -> Vec<Warning> {
    let mut out = Vec::new();
    for (i, st) in doc.statements.iter().enumerate() {
        if st.effect != Effect::Allow {
            continue;
        }
        let what = sid(st, i);
        if is_public(st) && st.conditions.is_empty() {
            out.push(Warning {
                code: "PUBLIC_PRINCIPAL",
                severity: Severity::Security,
                statement: Some(i),
                title: format!("{what} allows \"Principal\": \"*\" with no condition"),
                detail: "Every principal of every AWS account may use the key as far as this statement goes (an anonymous caller too). Name the principals, or add a condition such as kms:CallerAccount or kms:ViaService, as the AWS managed key policies do.".to_owned(),
                doc: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-elements",
            });
        }
        let all_kms = match &st.action {
            ActionElement::Action(a) => a
                .iter()
                .any(|a| a == "*" || a.eq_ignore_ascii_case("kms:*")),
            ActionElement::NotAction(_) => true,
        };
        if let (true, Some(service)) = (all_kms, services(st).first()) {
            out.push(Warning {
                code: "SERVICE_FULL_ACCESS",
                severity: Severity::Security,
                statement: Some(i),
                title: format!("{what} gives {service} every KMS action"),
                detail: format!("A service needs only the operations it calls (SES: kms:Encrypt and kms:GenerateDataKey*; CloudTrail: kms:GenerateDataKey*, kms:DescribeKey). With kms:* {service} could also change the key policy, disable the key or schedule its deletion. List the actions its documentation names."),
                doc: "https://docs.aws.amazon.com/kms/latest/developerguide/least-privilege.html",
            });
        }
        if let Some(service) = services(st).first() {
            if !has_key(st, &["aws:SourceArn", "aws:SourceAccount"]) {
                let context_guard = st.conditions.iter().any(|c| {
                    c.key
                        .to_ascii_lowercase()
                        .starts_with("kms:encryptioncontext:")
                        && c.values.iter().any(|v| v.contains(&names.account))
                });
                out.push(Warning {
                    code: "MISSING_SOURCE_CONDITION",
                    severity: if context_guard { Severity::Suggestion } else { Severity::Security },
                    statement: Some(i),
                    title: format!("{what} lets {service} act without aws:SourceArn or aws:SourceAccount"),
                    detail: format!("Without them, {service} may use the key when it acts for any account or resource (the confused deputy). Add \"StringEquals\": {{\"aws:SourceAccount\": \"{}\"}} or an aws:SourceArn naming your resource.{}", names.account,
                        if context_guard { " Its encryption-context condition already names your account, which binds the requests that carry it." } else { "" }),
                    doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
                });
            }
        }
        never_matching(st, i, &what, &mut out);
        if !used.contains(&i) {
            out.push(Warning {
                code: "UNUSED_STATEMENT",
                severity: Severity::Suggestion,
                statement: Some(i),
                title: format!("{what} allowed no call of any flow checked"),
                detail: "None of the WorkMail, SES, Amazon Location, CloudTrail or principal flows needed it. It may serve a principal or service the checker does not model; if not, remove it (least privilege).".to_owned(),
                doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
            });
        }
    }
    let anyone_can_update = lockout
        .steps
        .iter()
        .skip(1)
        .any(|s| s.expectation == Some(Expectation::Met));
    if !anyone_can_update {
        out.push(Warning {
            code: "LOCKOUT",
            severity: Severity::Security,
            statement: None,
            title: "No principal could change this policy afterwards".to_owned(),
            detail: format!("Neither the account's administrators (the key policy does not let IAM policies of {} decide) nor any principal the policy names may call kms:PutKeyPolicy. KMS refuses such a policy (MalformedPolicyDocumentException: \"The new key policy will not allow you to update the key policy in the future.\") unless BypassPolicyLockoutSafetyCheck is set, and then the key becomes unmanageable until AWS Support restores access. Keep the \"Enable IAM User Permissions\" statement, or allow kms:PutKeyPolicy to a key administrator.", names.account),
            doc: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key",
        });
    }
    out
}

/// A context or grant condition on operations whose requests never carry the key.
fn never_matching(st: &Statement, i: usize, what: &str, out: &mut Vec<Warning>) {
    let context = st.conditions.iter().find(|c| {
        let k = c.key.to_ascii_lowercase();
        (k.starts_with("kms:encryptioncontext:") || k == "kms:encryptioncontextkeys")
            && needs_key(c)
    });
    let grant = st.conditions.iter().find(|c| {
        let k = c.key.to_ascii_lowercase();
        matches!(
            k.as_str(),
            "kms:grantoperations"
                | "kms:granteeprincipal"
                | "kms:retiringprincipal"
                | "kms:grantconstrainttype"
        ) && needs_key(c)
    });
    let covered: Vec<Operation> = Operation::ALL
        .iter()
        .copied()
        .filter(|o| super::flows::covers(&st.action, o.iam_action()))
        .collect();
    for (cond, applies) in [
        (
            context,
            &(|o: Operation| o.takes_encryption_context()) as &dyn Fn(Operation) -> bool,
        ),
        (grant, &|o: Operation| o == Operation::CreateGrant),
    ] {
        let Some(c) = cond else { continue };
        let never: Vec<&str> = covered
            .iter()
            .filter(|o| !applies(**o))
            .map(|o| o.name())
            .collect();
        if never.is_empty() {
            continue;
        }
        let shown = if never.len() > 6 {
            format!("{} and {} more", never[..6].join(", "), never.len() - 6)
        } else {
            never.join(", ")
        };
        out.push(Warning {
            code: "CONDITION_NEVER_MATCHES",
            severity: Severity::Warning,
            statement: Some(i),
            title: format!("{what}: {} {} can never hold for {shown}", c.operator.base.name(), c.key),
            detail: format!("Requests of {shown} carry no {}, so this statement never allows them: they are denied unless another statement allows them. Move them to a statement without that condition, or use ...IfExists.", c.key),
            doc: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context",
        });
    }
}
