//! Statement-by-statement evaluation of one policy against one request.
//!
//! This module answers "which statements of this policy apply to this request, and why
//! (not)"; combining key policy, IAM policies and grants into a decision (explicit deny
//! beats allow, no allow means implicit deny:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>)
//! is the caller's job, helped by [`PolicyEvaluation::explicit_deny`] and
//! [`PolicyEvaluation::allows`].

use serde::Serialize;

use super::condition::ConditionResult;
use super::context::{account_principal, CallerPrincipal, RequestKeys};
use super::pattern::{glob_match_ignore_case, resource_match, resource_match_pattern};
use super::policy::{
    ActionElement, Effect, PolicyDocument, PolicyKind, PrincipalElement, PrincipalSpec,
    ResourceElement, Statement,
};
use super::variables::{has_variables, substitute_resource};
use std::collections::BTreeMap;

/// How a statement's `Principal` relates to the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PrincipalMatch {
    /// The statement does not name the caller.
    NoMatch,
    /// The caller is named directly (its ARN, its service name, `"*"`, or the account
    /// principal when the caller is that account's root). Always the case for identity
    /// policies, which apply to the identity they are attached to.
    Matches,
    /// The statement names the caller's account (`arn:aws:iam::ACCT:root` or `ACCT`)
    /// and the caller is an IAM user or role of that account. In a key policy this
    /// "gives the AWS account permission to use IAM policies to delegate the
    /// permissions": an `Allow` counts only if the account's IAM policies also allow
    /// (<https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-elements>,
    /// <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam>).
    /// A `Deny` naming the account applies to all of its principals.
    Account {
        /// The account named by the statement.
        account: String,
    },
}

/// How one statement fared against one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementResult {
    /// Position of the statement in the policy (0-based).
    pub index: usize,
    /// The statement's `Sid`.
    pub sid: Option<String>,
    /// The statement's `Effect`.
    pub effect: Effect,
    /// The principal check ([`PrincipalMatch::Matches`] for identity policies).
    pub principal: PrincipalMatch,
    /// Whether `Action` covers (or `NotAction` leaves in) the requested action.
    pub action_matched: bool,
    /// Whether `Resource` covers (or `NotResource` leaves in) the requested resource.
    pub resource_matched: bool,
    /// Every condition, each evaluated (no short-circuit, so all can be shown).
    pub conditions: Vec<ConditionResult>,
    /// The statement names the caller by the ARN of the role the caller is a session of
    /// (or, for a role acting under its own ARN, by that ARN): what it allows is still
    /// limited by the caller's permissions boundary and session policies ("Resource-based
    /// policies that grant permissions to an IAM role ARN are limited by an implicit deny
    /// in a permissions boundary or session policy", IAM User Guide, *Policy evaluation
    /// logic*).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub through_role: bool,
    /// Principal not [`PrincipalMatch::NoMatch`], action and resource matched, and all
    /// conditions hold: multiple operators and keys in a `Condition` are ANDed
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>).
    pub applies: bool,
    /// One plain-English sentence: why the statement applies, or the first reason it
    /// does not.
    pub summary: String,
}

/// The result of evaluating one policy against one request: one entry per statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyEvaluation {
    /// Every statement's result, in policy order.
    pub statements: Vec<StatementResult>,
}

impl PolicyEvaluation {
    /// The first applicable `Deny` statement, if any. An explicit deny overrides every
    /// allow, from any policy or grant
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>).
    pub fn explicit_deny(&self) -> Option<&StatementResult> {
        self.statements
            .iter()
            .find(|s| s.applies && s.effect == Effect::Deny)
    }

    /// The applicable `Allow` statements. Those with [`PrincipalMatch::Account`] allow
    /// only together with an allowing IAM policy of that account.
    pub fn allows(&self) -> Vec<&StatementResult> {
        self.statements
            .iter()
            .filter(|s| s.applies && s.effect == Effect::Allow)
            .collect()
    }
}

/// Evaluates every statement of `doc` against `ctx`, reporting for each the principal,
/// action, resource and condition checks.
///
/// A statement applies when its principal matches (identity policies: always), its
/// action and resource match, and every condition holds. `Action` entries match
/// case-insensitively with `*`/`?` wildcards
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>);
/// `Resource` entries match the key ARN, with `"*"` meaning "this KMS key" in a key
/// policy.
pub fn evaluate(doc: &PolicyDocument, kind: PolicyKind, ctx: &dyn RequestKeys) -> PolicyEvaluation {
    let view;
    let ctx = match kind {
        PolicyKind::Resource => {
            view = InResourcePolicy(ctx);
            &view as &dyn RequestKeys
        }
        PolicyKind::Identity => ctx,
    };
    PolicyEvaluation {
        statements: doc
            .statements
            .iter()
            .enumerate()
            .map(|(index, st)| evaluate_statement(index, st, kind, ctx))
            .collect(),
    }
}

/// The request as a key policy sees it: without the condition keys AWS KMS supports only
/// in IAM policies (`aws:ResourceTag/*` and `kms:ResourceAliases`: "In AWS KMS, the
/// `aws:ResourceTag/tag-key` condition key is supported only in IAM policies. ... It isn't
/// supported in key policies", developer guide, *Using tags to control access to KMS keys*;
/// `kms:ResourceAliases`, "Policy type: IAM policies only", *AWS KMS condition keys*).
struct InResourcePolicy<'a>(&'a dyn RequestKeys);

impl RequestKeys for InResourcePolicy<'_> {
    fn principal(&self) -> &CallerPrincipal {
        self.0.principal()
    }
    fn action(&self) -> &str {
        self.0.action()
    }
    fn resource(&self) -> &str {
        self.0.resource()
    }
    fn get(&self, key: &str) -> Option<Vec<&str>> {
        if self.0.iam_only(key) {
            None
        } else {
            self.0.get(key)
        }
    }
    fn all(&self) -> BTreeMap<String, Vec<String>> {
        self.0.all()
    }
    fn iam_only(&self, key: &str) -> bool {
        self.0.iam_only(key)
    }
}

/// How a statement's `Principal` relates to a caller, without the account text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    /// Not named.
    None,
    /// Named directly. `through_role`: by the ARN of the role the caller is a session of,
    /// which leaves the caller's permissions boundary and session policies in force.
    Direct {
        /// See [`StatementResult::through_role`].
        through_role: bool,
    },
    /// Its account is named (an IAM identity of that account, by delegation).
    Account,
}

impl Relation {
    /// Named directly, by itself.
    const DIRECT: Relation = Relation::Direct {
        through_role: false,
    };
}

impl StatementResult {
    /// How the statement names the caller.
    pub(crate) fn relation(&self) -> Relation {
        match self.principal {
            PrincipalMatch::NoMatch => Relation::None,
            PrincipalMatch::Matches => Relation::Direct {
                through_role: self.through_role,
            },
            PrincipalMatch::Account { .. } => Relation::Account,
        }
    }
}

/// Whether a statement's principal, action and resource cover the request (its
/// conditions aside).
fn scope(st: &Statement, kind: PolicyKind, ctx: &dyn RequestKeys) -> (Relation, bool, bool) {
    let principal = match (kind, &st.principal) {
        (PolicyKind::Identity, _) => Relation::DIRECT,
        (PolicyKind::Resource, Some(PrincipalElement::Principal(spec))) => {
            principal_relation(spec, ctx.principal())
        }
        (PolicyKind::Resource, Some(PrincipalElement::NotPrincipal(spec))) => {
            if not_principal_excludes(spec, ctx.principal()) {
                Relation::None
            } else {
                Relation::DIRECT
            }
        }
        (PolicyKind::Resource, None) => Relation::None,
    };
    let action_matched = match &st.action {
        ActionElement::Action(patterns) => any_action(patterns, ctx.action()),
        ActionElement::NotAction(patterns) => !any_action(patterns, ctx.action()),
    };
    let resource_matched = match &st.resource {
        Some(ResourceElement::Resource(patterns)) if st.variables => patterns
            .iter()
            .any(|p| resource_matches_substituted(p, ctx) == Some(true)),
        Some(ResourceElement::NotResource(patterns)) if st.variables => {
            // A variable with no value makes the statement invalid, NotResource included.
            let matched: Option<Vec<bool>> = patterns
                .iter()
                .map(|p| resource_matches_substituted(p, ctx))
                .collect();
            matched.is_some_and(|m| !m.contains(&true))
        }
        Some(ResourceElement::Resource(patterns)) => any_resource(patterns, ctx.resource()),
        Some(ResourceElement::NotResource(patterns)) => !any_resource(patterns, ctx.resource()),
        None => false,
    };
    (principal, action_matched, resource_matched)
}

/// Whether a `Resource` entry, its policy variables substituted, covers the request
/// (`None`: a variable has no value in this request).
fn resource_matches_substituted(pattern: &str, ctx: &dyn RequestKeys) -> Option<bool> {
    if !has_variables(pattern) {
        return Some(resource_match(pattern, ctx.resource()));
    }
    substitute_resource(pattern, ctx).map(|units| resource_match_pattern(&units, ctx.resource()))
}

/// Whether statement `st` applies to the request, and how it names the caller: the same
/// verdict as [`evaluate`]'s, without its explanation (for the fast path of a decision).
pub(crate) fn bearing(st: &Statement, kind: PolicyKind, ctx: &dyn RequestKeys) -> (Relation, bool) {
    let view;
    let ctx = match kind {
        PolicyKind::Resource => {
            view = InResourcePolicy(ctx);
            &view as &dyn RequestKeys
        }
        PolicyKind::Identity => ctx,
    };
    let (principal, action, resource) = scope(st, kind, ctx);
    let applies = principal != Relation::None
        && action
        && resource
        && st.conditions.iter().all(|c| c.holds_in(ctx, st.variables));
    (principal, applies)
}

fn evaluate_statement(
    index: usize,
    st: &Statement,
    kind: PolicyKind,
    ctx: &dyn RequestKeys,
) -> StatementResult {
    let (relation, action_matched, resource_matched) = scope(st, kind, ctx);
    let through_role = matches!(relation, Relation::Direct { through_role: true });
    let principal = match (relation, ctx.principal()) {
        (Relation::None, _) => PrincipalMatch::NoMatch,
        (Relation::Direct { .. }, _) => PrincipalMatch::Matches,
        (Relation::Account, caller) => PrincipalMatch::Account {
            account: caller.account().unwrap_or_default().to_string(),
        },
    };
    let conditions: Vec<ConditionResult> = st
        .conditions
        .iter()
        .map(|c| c.evaluate_in(ctx, st.variables))
        .collect();
    let applies = principal != PrincipalMatch::NoMatch
        && action_matched
        && resource_matched
        && conditions.iter().all(|c| c.matched);

    let label = match &st.sid {
        Some(sid) => format!("Statement[{index}] (\"{sid}\")"),
        None => format!("Statement[{index}]"),
    };
    let caller = ctx.principal().display_name();
    let summary = if applies {
        let verb = match st.effect {
            Effect::Allow => "allows",
            Effect::Deny => "denies",
        };
        let held = match conditions.len() {
            0 => String::new(),
            1 => " (its condition holds)".to_string(),
            n => format!(" (all {n} conditions hold)"),
        };
        match (&principal, st.effect) {
            (PrincipalMatch::Account { account }, Effect::Allow) => format!(
                "{label} allows {} on {} to account {account}{held}, so {caller} is \
                 allowed only if an IAM policy of that account also allows it",
                ctx.action(),
                ctx.resource()
            ),
            (PrincipalMatch::Account { account }, Effect::Deny) => format!(
                "{label} denies {} on {} to every principal of account {account}, \
                 including {caller}{held}",
                ctx.action(),
                ctx.resource()
            ),
            _ => format!(
                "{label} {verb} {} on {} to {caller}{held}",
                ctx.action(),
                ctx.resource()
            ),
        }
    } else if principal == PrincipalMatch::NoMatch {
        match &st.principal {
            Some(PrincipalElement::NotPrincipal(_)) => {
                format!("{label} does not apply: its NotPrincipal excludes {caller}")
            }
            Some(PrincipalElement::Principal(_)) => {
                format!("{label} does not apply: its Principal does not include {caller}")
            }
            None => format!("{label} does not apply: it names no Principal"),
        }
    } else if !action_matched {
        match &st.action {
            ActionElement::Action(_) => format!(
                "{label} does not apply: action {} is not in its Action list",
                ctx.action()
            ),
            ActionElement::NotAction(_) => format!(
                "{label} does not apply: action {} is excluded by its NotAction list",
                ctx.action()
            ),
        }
    } else if !resource_matched {
        match &st.resource {
            None => format!(
                "{label} has no effect: it has no Resource element, so it applies to no key"
            ),
            Some(ResourceElement::Resource(_)) => format!(
                "{label} does not apply: resource {} does not match its Resource",
                ctx.resource()
            ),
            Some(ResourceElement::NotResource(_)) => format!(
                "{label} does not apply: resource {} is excluded by its NotResource",
                ctx.resource()
            ),
        }
    } else {
        let reason = conditions
            .iter()
            .find(|c| !c.matched)
            .map(ConditionResult::explain)
            .unwrap_or_default();
        format!("{label} does not apply: {reason}")
    };

    StatementResult {
        index,
        sid: st.sid.clone(),
        effect: st.effect,
        principal,
        action_matched,
        resource_matched,
        conditions,
        through_role,
        applies,
        summary,
    }
}

fn any_action(patterns: &[String], action: &str) -> bool {
    patterns.iter().any(|p| glob_match_ignore_case(p, action))
}

fn any_resource(patterns: &[String], resource: &str) -> bool {
    patterns.iter().any(|p| resource_match(p, resource))
}

/// `Principal` against the caller: `"*"` and `{"AWS": "*"}` match everyone; an account
/// principal matches that account's root directly and its other IAM identities by
/// delegation ([`PrincipalMatch::Account`]); a user or role ARN matches exactly; a
/// `Service` entry matches that service principal. The strongest match wins.
///
/// A role session (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`) is named by its session
/// ARN, or by its role's ARN (`arn:aws:iam::ACCT:role/ROLE`), which leaves its boundary
/// and session policies in force; so is a role acting under its role ARN (the playground's
/// shorthand for a session of that role).
fn principal_relation(spec: &PrincipalSpec, caller: &CallerPrincipal) -> Relation {
    let PrincipalSpec::Named { aws, service, .. } = spec else {
        return Relation::DIRECT;
    };
    let mut best = Relation::None;
    for value in aws {
        if value == "*" {
            return Relation::DIRECT;
        }
        match (account_principal(value), caller) {
            (Some(account), CallerPrincipal::Iam { account: mine, .. }) if account == mine => {
                if caller.is_account_root() {
                    return Relation::DIRECT;
                }
                if best == Relation::None {
                    best = Relation::Account;
                }
            }
            (None, CallerPrincipal::Iam { arn, .. }) if arn == value => {
                if !is_role_arn(arn) {
                    return Relation::DIRECT;
                }
                best = Relation::Direct { through_role: true };
            }
            (None, CallerPrincipal::Iam { arn, .. })
                if session_role_arn(arn).is_some_and(|role| role == *value) =>
            {
                best = Relation::Direct { through_role: true };
            }
            _ => {}
        }
    }
    if let CallerPrincipal::Service { name } = caller {
        if service.iter().any(|s| s == name) {
            return Relation::DIRECT;
        }
    }
    best
}

/// Whether `arn` is an IAM role's ARN (`arn:<partition>:iam::<account>:role/...`).
fn is_role_arn(arn: &str) -> bool {
    arn.splitn(6, ':')
        .nth(5)
        .is_some_and(|resource| resource.starts_with("role/"))
        && arn.split(':').nth(2) == Some("iam")
}

/// The role ARN of a role session ARN (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION` is a
/// session of `arn:aws:iam::ACCT:role/ROLE`), as `aws:PrincipalArn` gives it: "For IAM
/// roles, the request context returns the ARN of the role, not the ARN of the user that
/// assumed the role" (IAM User Guide, *AWS global condition context keys*).
pub(crate) fn session_role_arn(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("sts"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let (role, _session) = resource.strip_prefix("assumed-role/")?.rsplit_once('/')?;
    Some(format!("arn:{partition}:iam::{account}:role/{role}"))
}

/// Does `NotPrincipal` exclude the caller? A caller named directly is excluded, but AWS
/// checks an IAM user or role together with its account, so such a caller escapes only
/// when its account is listed too: "you must also include the account ARN ... If you
/// don't include the account ARN, the policy might deny access to the entire account"
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>).
fn not_principal_excludes(spec: &PrincipalSpec, caller: &CallerPrincipal) -> bool {
    let direct = matches!(principal_relation(spec, caller), Relation::Direct { .. });
    match caller {
        CallerPrincipal::Service { .. } => direct,
        CallerPrincipal::Iam { .. } if caller.is_account_root() => direct,
        CallerPrincipal::Iam { account, .. } => {
            let account_listed = match spec {
                PrincipalSpec::Anyone => true,
                PrincipalSpec::Named { aws, .. } => aws
                    .iter()
                    .any(|v| v == "*" || account_principal(v) == Some(account.as_str())),
            };
            direct && account_listed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::context::RequestContext;
    use crate::authz::policy::parse_policy;

    fn principal_match(spec: &PrincipalSpec, caller: &CallerPrincipal) -> PrincipalMatch {
        match principal_relation(spec, caller) {
            Relation::None => PrincipalMatch::NoMatch,
            Relation::Direct { .. } => PrincipalMatch::Matches,
            Relation::Account => PrincipalMatch::Account {
                account: caller.account().unwrap_or_default().to_string(),
            },
        }
    }
    use serde_json::json;

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1a2b3c4d";

    fn iam(arn: &str) -> CallerPrincipal {
        CallerPrincipal::iam(arn).unwrap()
    }

    fn key_policy(statements: serde_json::Value) -> PolicyDocument {
        parse_policy(
            &json!({"Version": "2012-10-17", "Statement": statements}),
            PolicyKind::Resource,
        )
        .unwrap()
    }

    fn first(doc: &PolicyDocument, ctx: &RequestContext) -> StatementResult {
        evaluate(doc, PolicyKind::Resource, ctx)
            .statements
            .remove(0)
    }

    #[test]
    fn principal_forms() {
        let role = iam("arn:aws:iam::111122223333:role/Reader");
        let root = iam("arn:aws:iam::111122223333:root");
        let stranger = iam("arn:aws:iam::444455556666:role/Reader");
        let ses = CallerPrincipal::service("ses.amazonaws.com");
        let named = |aws: &[&str], service: &[&str]| PrincipalSpec::Named {
            aws: aws.iter().map(|s| s.to_string()).collect(),
            service: service.iter().map(|s| s.to_string()).collect(),
            federated: vec![],
            canonical_user: vec![],
        };
        let account = PrincipalMatch::Account {
            account: "111122223333".to_string(),
        };
        for c in [&role, &root, &stranger, &ses] {
            assert_eq!(
                principal_match(&PrincipalSpec::Anyone, c),
                PrincipalMatch::Matches
            );
            assert_eq!(
                principal_match(&named(&["*"], &[]), c),
                PrincipalMatch::Matches
            );
        }
        for form in ["arn:aws:iam::111122223333:root", "111122223333"] {
            let spec = named(&[form], &[]);
            assert_eq!(principal_match(&spec, &root), PrincipalMatch::Matches);
            assert_eq!(principal_match(&spec, &role), account);
            assert_eq!(principal_match(&spec, &stranger), PrincipalMatch::NoMatch);
            assert_eq!(principal_match(&spec, &ses), PrincipalMatch::NoMatch);
        }
        let by_arn = named(&["arn:aws:iam::111122223333:role/Reader"], &[]);
        assert_eq!(principal_match(&by_arn, &role), PrincipalMatch::Matches);
        assert_eq!(principal_match(&by_arn, &root), PrincipalMatch::NoMatch);
        assert_eq!(principal_match(&by_arn, &stranger), PrincipalMatch::NoMatch);
        // Direct naming beats delegation when both are listed.
        let both = named(
            &["111122223333", "arn:aws:iam::111122223333:role/Reader"],
            &[],
        );
        assert_eq!(principal_match(&both, &role), PrincipalMatch::Matches);
        let svc = named(&[], &["ses.amazonaws.com"]);
        assert_eq!(principal_match(&svc, &ses), PrincipalMatch::Matches);
        assert_eq!(
            principal_match(&svc, &CallerPrincipal::service("cloudtrail.amazonaws.com")),
            PrincipalMatch::NoMatch
        );
        assert_eq!(principal_match(&svc, &role), PrincipalMatch::NoMatch);
    }

    #[test]
    fn not_principal() {
        let doc = key_policy(json!([{
            "Effect": "Deny",
            "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:role/Admin",
                                     "arn:aws:iam::111122223333:root"]},
            "Action": "kms:*",
            "Resource": "*"
        }]));
        let request = |who: CallerPrincipal| RequestContext::new(who, "kms:Decrypt", KEY);
        let admin = first(&doc, &request(iam("arn:aws:iam::111122223333:role/Admin")));
        assert_eq!(admin.principal, PrincipalMatch::NoMatch);
        assert!(!admin.applies);
        assert!(
            admin.summary.contains("NotPrincipal excludes"),
            "{}",
            admin.summary
        );
        let root = first(&doc, &request(iam("arn:aws:iam::111122223333:root")));
        assert!(!root.applies);
        let other = first(&doc, &request(iam("arn:aws:iam::111122223333:role/Other")));
        assert!(other.applies);
        assert_eq!(other.principal, PrincipalMatch::Matches);
        let service = first(
            &doc,
            &request(CallerPrincipal::service("ses.amazonaws.com")),
        );
        assert!(service.applies);

        // Naming the role without its account does not exempt it.
        let role_only = key_policy(json!([{
            "Effect": "Deny",
            "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/Admin"},
            "Action": "kms:*",
            "Resource": "*"
        }]));
        let r = first(
            &role_only,
            &request(iam("arn:aws:iam::111122223333:role/Admin")),
        );
        assert!(r.applies);
    }

    #[test]
    fn actions_are_case_insensitive_with_wildcards_and_not_action() {
        let doc = key_policy(json!([
            {"Effect": "Allow", "Principal": "*", "Action": ["KMS:describe*", "kms:ReEncrypt*"], "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "NotAction": "kms:Decrypt", "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
        ]));
        let run = |action: &str| {
            evaluate(
                &doc,
                PolicyKind::Resource,
                &RequestContext::new(CallerPrincipal::service("s"), action, KEY),
            )
        };
        let describe = run("kms:DescribeKey");
        assert!(describe.statements.iter().all(|s| s.action_matched));
        let reencrypt = run("kms:ReEncryptFrom");
        assert!(reencrypt.statements[0].action_matched);
        let decrypt = run("kms:Decrypt");
        assert!(!decrypt.statements[0].action_matched);
        assert!(!decrypt.statements[1].action_matched);
        assert!(decrypt.statements[1]
            .summary
            .contains("excluded by its NotAction"));
        assert!(decrypt.statements[2].action_matched);
        assert_eq!(decrypt.allows().len(), 1);
    }

    #[test]
    fn resources() {
        let doc = key_policy(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "arn:aws:kms:*:111122223333:key/*"},
            {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "arn:aws:kms:*:444455556666:key/*"},
            {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "NotResource": "arn:aws:kms:*:444455556666:key/*"},
            {"Effect": "Allow", "Principal": "*", "Action": "kms:*"}
        ]));
        let eval = evaluate(
            &doc,
            PolicyKind::Resource,
            &RequestContext::new(CallerPrincipal::service("s"), "kms:Decrypt", KEY),
        );
        let matched: Vec<bool> = eval.statements.iter().map(|s| s.resource_matched).collect();
        assert_eq!(matched, vec![true, false, true, false]);
        assert!(eval.statements[3].summary.contains("no Resource element"));
    }

    #[test]
    fn explicit_deny_and_allows() {
        let doc = key_policy(json!([
            {"Sid": "AllowAll", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
            {"Sid": "DenyRestricted", "Effect": "Deny", "Principal": "*", "Action": "kms:GenerateDataKey",
             "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:Stage": ["Restricted", "Production"]}}}
        ]));
        let ctx = |stage: &str| {
            RequestContext::new(CallerPrincipal::service("s"), "kms:GenerateDataKey", KEY)
                .with("kms:EncryptionContext:Stage", stage)
        };
        let denied = evaluate(&doc, PolicyKind::Resource, &ctx("Production"));
        let deny = denied.explicit_deny().unwrap();
        assert_eq!(deny.sid.as_deref(), Some("DenyRestricted"));
        assert!(
            deny.summary.contains("denies kms:GenerateDataKey"),
            "{}",
            deny.summary
        );
        assert_eq!(denied.allows().len(), 1);
        let fine = evaluate(&doc, PolicyKind::Resource, &ctx("Test"));
        assert!(fine.explicit_deny().is_none());
        assert_eq!(fine.allows()[0].sid.as_deref(), Some("AllowAll"));
    }

    #[test]
    fn every_condition_is_evaluated_and_the_first_failure_explained() {
        let doc = key_policy(json!([{
            "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333",
                                           "kms:ViaService": "workmail.us-east-1.amazonaws.com"}}
        }]));
        let ctx = RequestContext::new(iam("arn:aws:iam::444455556666:role/R"), "kms:Decrypt", KEY)
            .with("kms:CallerAccount", "444455556666");
        let r = first(&doc, &ctx);
        assert_eq!(r.conditions.len(), 2);
        assert!(r.conditions.iter().all(|c| !c.matched));
        assert_eq!(
            r.conditions[1].actual, None,
            "kms:ViaService should be reported absent"
        );
        assert_eq!(
            r.summary,
            "Statement[0] does not apply: condition StringEquals kms:CallerAccount failed: \
             expected 111122223333, got 444455556666"
        );
    }

    #[test]
    fn identity_policies_apply_to_their_identity() {
        let doc = parse_policy(
            &json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt"],
                "Resource": "arn:aws:kms:us-east-1:111122223333:key/*",
                "Condition": {"StringLike": {"kms:ViaService": "workmail.*.amazonaws.com"}}
            }]}),
            PolicyKind::Identity,
        )
        .unwrap();
        let ctx = RequestContext::new(
            iam("arn:aws:iam::111122223333:user/Admin"),
            "kms:Decrypt",
            KEY,
        )
        .with("kms:ViaService", "workmail.us-east-1.amazonaws.com");
        let r = evaluate(&doc, PolicyKind::Identity, &ctx);
        assert_eq!(r.statements[0].principal, PrincipalMatch::Matches);
        assert!(r.statements[0].applies);
        let other_key = RequestContext::new(
            iam("arn:aws:iam::111122223333:user/Admin"),
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:444455556666:key/x",
        )
        .with("kms:ViaService", "workmail.us-east-1.amazonaws.com");
        assert!(!evaluate(&doc, PolicyKind::Identity, &other_key).statements[0].applies);
    }

    #[test]
    fn results_serialize_in_camel_case() {
        let doc = key_policy(json!([{
            "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"
        }]));
        let ctx = RequestContext::new(iam("arn:aws:iam::111122223333:role/R"), "kms:Decrypt", KEY);
        let value = serde_json::to_value(evaluate(&doc, PolicyKind::Resource, &ctx)).unwrap();
        let st = &value["statements"][0];
        assert_eq!(
            st["principal"],
            json!({"kind": "account", "account": "111122223333"})
        );
        assert_eq!(st["actionMatched"], json!(true));
        assert_eq!(st["resourceMatched"], json!(true));
        assert_eq!(st["effect"], json!("Allow"));
        assert!(st["summary"]
            .as_str()
            .unwrap()
            .contains("only if an IAM policy of that account also allows it"));
    }

    /// IAM User Guide, *IAM policy elements: Variables and tags*
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>):
    /// variables in `Resource` and in string-operator `Condition` values, only in policies
    /// of Version 2012-10-17; a variable with no value makes its element fail.
    #[test]
    fn policy_variables_are_substituted_in_resource_and_condition_values() {
        let identity = |version: Option<&str>, statement: serde_json::Value| {
            let mut doc = json!({"Statement": [statement]});
            if let Some(v) = version {
                doc["Version"] = json!(v);
            }
            parse_policy(&doc, PolicyKind::Identity).unwrap()
        };
        let david = iam("arn:aws:iam::111122223333:user/David");
        let alias = "arn:aws:kms:us-east-1:111122223333:alias/David-key";
        let ctx = RequestContext::new(david.clone(), "kms:CreateAlias", alias)
            .with("aws:username", "David")
            .with("aws:PrincipalTag/team", "blue")
            .with("kms:EncryptionContext:team", "blue");
        let resource = json!({"Effect": "Allow", "Action": "kms:CreateAlias",
            "Resource": "arn:aws:kms:*:111122223333:alias/${aws:username}-*"});
        let applies = |doc: &PolicyDocument, ctx: &RequestContext| {
            evaluate(doc, PolicyKind::Identity, ctx).statements[0].applies
        };
        assert!(applies(
            &identity(Some("2012-10-17"), resource.clone()),
            &ctx
        ));
        let other = RequestContext::new(david.clone(), "kms:CreateAlias", alias)
            .with("aws:username", "Adele");
        assert!(!applies(
            &identity(Some("2012-10-17"), resource.clone()),
            &other
        ));
        // Version 2008-10-17, or none: the variable is literal text.
        assert!(!applies(
            &identity(Some("2008-10-17"), resource.clone()),
            &ctx
        ));
        assert!(!applies(&identity(None, resource), &ctx));

        let condition = json!({"Effect": "Allow", "Action": "kms:CreateAlias", "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:team": "${aws:PrincipalTag/team}"}}});
        let doc = identity(Some("2012-10-17"), condition);
        let result = &evaluate(&doc, PolicyKind::Identity, &ctx).statements[0];
        assert!(result.applies);
        assert_eq!(
            result.conditions[0].substituted,
            Some(vec![Some("blue".to_owned())])
        );
        // No aws:PrincipalTag/team in the request: the condition fails.
        let untagged = RequestContext::new(david.clone(), "kms:CreateAlias", alias)
            .with("kms:EncryptionContext:team", "blue");
        assert!(!applies(&doc, &untagged));
        // `${*}` is a literal asterisk, not a wildcard.
        let star = identity(
            Some("2012-10-17"),
            json!({"Effect": "Allow", "Action": "kms:CreateAlias",
            "Resource": "*", "Condition": {"StringLike": {"kms:EncryptionContext:team": "b${*}"}}}),
        );
        assert!(!applies(&star, &ctx));
        let literal = RequestContext::new(david, "kms:CreateAlias", alias)
            .with("kms:EncryptionContext:team", "b*");
        assert!(applies(&star, &literal));
    }
}
