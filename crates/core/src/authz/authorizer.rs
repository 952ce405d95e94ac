//! How KMS decides whether a request is allowed.
//!
//! AWS KMS evaluates, for a request on a key (AWS KMS developer guide, *Determining access
//! to a KMS key*, and the IAM User Guide, *Policy evaluation logic*):
//! 1. An explicit `Deny` in the key policy or in the caller's IAM policies denies.
//! 2. Otherwise the request is allowed if a key policy statement allows the caller
//!    directly; or a key policy statement naming the caller's account (its root) allows it
//!    *and* one of the caller's IAM policies allows it (the root principal "enables IAM
//!    policies"); or a grant for the caller allows the operation under its constraints.
//! 3. Otherwise it is implicitly denied.
//!
//! Operations on no key (CreateKey, ListKeys, ListAliases) are authorized by IAM policies
//! alone, on resource `*`; the account root is always allowed them.

use super::caller::Caller;
use super::context::RequestKeys;
use super::eval::{bearing, evaluate, PolicyEvaluation, PrincipalMatch, Relation, StatementResult};
use super::grant::{Grant, GrantResult};
use super::policy::{Effect, PolicyDocument, PolicyKind};
use crate::context::EncryptionContext;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The outcome of an authorization decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// Some statement or grant allowed it and nothing denied it.
    Allowed,
    /// A `Deny` statement applied.
    ExplicitDeny,
    /// Nothing allowed it.
    ImplicitDeny,
}

/// One IAM identity policy of the caller, evaluated.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityPolicyResult {
    /// The policy's position among the caller's policies.
    pub name: String,
    /// Statement by statement.
    pub evaluation: PolicyEvaluation,
}

/// A decision with all of its reasons: every key policy statement, IAM policy statement
/// and grant considered, each condition with its expected and actual values.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Allowed, explicitly denied or implicitly denied.
    pub outcome: Outcome,
    /// The caller (ARN or service principal).
    pub principal: String,
    /// The IAM action, e.g. `kms:Decrypt`.
    pub action: String,
    /// The key ARN, or `*`.
    pub resource: String,
    /// The request's condition keys and values.
    pub context: BTreeMap<String, Vec<String>>,
    /// The key policy, statement by statement (absent for operations on no key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_policy: Option<PolicyEvaluation>,
    /// The caller's IAM policies, when they were consulted.
    pub identity_policies: Vec<IdentityPolicyResult>,
    /// The key's grants for this operation.
    pub grants: Vec<GrantResult>,
    /// One sentence: what allowed it, or what was missing.
    pub reason: String,
}

impl Decision {
    /// Whether the request may proceed.
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }

    /// The message AWS sends with the `AccessDeniedException` of a denied request:
    /// `User: <principal> is not authorized to perform: <action> on resource: <arn>`, then
    /// which kind of policy denied it or failed to allow it (IAM User Guide,
    /// *Troubleshooting access denied error messages*).
    pub fn aws_denial(&self) -> String {
        let why = if self
            .key_policy
            .as_ref()
            .is_some_and(|p| p.explicit_deny().is_some())
        {
            "with an explicit deny in a resource-based policy".to_owned()
        } else if self
            .identity_policies
            .iter()
            .any(|p| p.evaluation.explicit_deny().is_some())
        {
            "with an explicit deny in an identity-based policy".to_owned()
        } else {
            let delegated = self.key_policy.as_ref().is_none_or(|p| {
                p.allows()
                    .iter()
                    .any(|s| matches!(s.principal, crate::authz::PrincipalMatch::Account { .. }))
            });
            let kind = if delegated { "identity" } else { "resource" };
            format!(
                "because no {kind}-based policy allows the {} action",
                self.action
            )
        };
        format!(
            "User: {} is not authorized to perform: {} on resource: {} {why}",
            self.principal, self.action, self.resource
        )
    }
}

/// A request to authorize: who calls, the request context the evaluator sees (built by
/// the service: KMS sets its condition keys in `kms::condition_keys`), and what grants
/// are checked against.
pub struct AuthRequest<'a> {
    /// Who calls.
    pub caller: &'a Caller,
    /// Principal, action, resource and condition keys.
    pub context: &'a dyn RequestKeys,
    /// The operation as grants name it (`Decrypt`, `ReEncryptFrom`, ...).
    pub grant_operation: &'a str,
    /// The account that owns the resource (IAM policies count only for its principals).
    pub resource_account: &'a str,
    /// The encryption context grant constraints are checked against (for CreateGrant: of
    /// its constraints); `None` for operations that take none.
    pub encryption_context: Option<&'a EncryptionContext>,
}

impl AuthRequest<'_> {
    /// What the caller's grants are checked against.
    fn grant_request<'b>(&'b self, caller_name: &'b str) -> crate::authz::GrantRequest<'b> {
        crate::authz::GrantRequest {
            caller_name,
            source_arn: self.caller.source_arn.as_deref(),
            operation: self.grant_operation,
            context: self.encryption_context,
        }
    }
}

fn statement_label(s: &StatementResult) -> String {
    match &s.sid {
        Some(sid) => format!("statement \"{sid}\""),
        None => format!("statement #{}", s.index + 1),
    }
}

/// Whether IAM identity policies count for this caller: only for IAM principals of the
/// resource's own account, other than its root.
fn identity_policies_apply(req: &AuthRequest<'_>) -> bool {
    req.caller.account() == Some(req.resource_account) && !req.caller.is_root()
}

/// Decides a request, without building the explanation: the same outcome as
/// [`decide`] (checked on every decision in debug builds), for the hot path.
pub fn decide_outcome(
    req: &AuthRequest<'_>,
    key_policy: Option<&PolicyDocument>,
    identity_policies: &[PolicyDocument],
    grants: &[&Grant],
) -> Outcome {
    let ctx = req.context;
    let applies = |doc: &PolicyDocument, kind: PolicyKind, effect: Effect| {
        doc.statements
            .iter()
            .filter(|st| st.effect == effect)
            .any(|st| bearing(st, kind, ctx).1)
    };
    if key_policy.is_some_and(|p| applies(p, PolicyKind::Resource, Effect::Deny)) {
        return Outcome::ExplicitDeny;
    }
    let identity: &[PolicyDocument] = if identity_policies_apply(req) {
        identity_policies
    } else {
        &[]
    };
    if identity
        .iter()
        .any(|p| applies(p, PolicyKind::Identity, Effect::Deny))
    {
        return Outcome::ExplicitDeny;
    }
    let identity_allows = identity
        .iter()
        .any(|p| applies(p, PolicyKind::Identity, Effect::Allow));
    match key_policy {
        None => {
            return if req.caller.is_root() || identity_allows {
                Outcome::Allowed
            } else {
                Outcome::ImplicitDeny
            };
        }
        Some(p) => {
            let allowed = p
                .statements
                .iter()
                .filter(|st| st.effect == Effect::Allow)
                .any(|st| match bearing(st, PolicyKind::Resource, ctx) {
                    (Relation::Direct, true) => true,
                    (Relation::Account, true) => identity_allows,
                    _ => false,
                });
            if allowed {
                return Outcome::Allowed;
            }
        }
    }
    let grant_req = req.grant_request(req.caller.name());
    if grants.iter().any(|g| g.applies(&grant_req)) {
        Outcome::Allowed
    } else {
        Outcome::ImplicitDeny
    }
}

/// A decision made at once, explained when someone asks: the outcome decides the
/// request; the [`Decision`] with every statement, grant and condition is built only
/// when the trace, a refusal or a view needs it.
#[derive(Clone)]
pub struct Authorization {
    outcome: Outcome,
    explanation: Explanation,
}

#[derive(Clone)]
enum Explanation {
    Ready(Box<Decision>),
    Later(Arc<dyn Fn() -> Decision + Send + Sync>),
}

impl Authorization {
    /// A decision already explained.
    pub fn explained(decision: Decision) -> Self {
        Authorization {
            outcome: decision.outcome,
            explanation: Explanation::Ready(Box::new(decision)),
        }
    }

    /// A decision whose explanation `explain` builds on demand (it must give `outcome`).
    pub fn later(outcome: Outcome, explain: Arc<dyn Fn() -> Decision + Send + Sync>) -> Self {
        Authorization {
            outcome,
            explanation: Explanation::Later(explain),
        }
    }

    /// The outcome.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// Whether the request may proceed.
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }

    /// The full decision, with its reasons.
    pub fn decision(&self) -> Decision {
        match &self.explanation {
            Explanation::Ready(d) => (**d).clone(),
            Explanation::Later(explain) => explain(),
        }
    }
}

impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorization")
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

impl Serialize for Authorization {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.decision().serialize(s)
    }
}

/// Decides a request, with every reason.
pub fn decide(
    req: &AuthRequest<'_>,
    key_policy: Option<&PolicyDocument>,
    identity_policies: &[PolicyDocument],
    grants: &[&Grant],
) -> Decision {
    let ctx = req.context;
    let principal = req.caller.name().to_owned();
    let action = ctx.action().to_owned();
    let key_arn = (ctx.resource() != "*").then_some(ctx.resource());
    let resource = ctx.resource().to_owned();
    let keys = ctx.all();
    let key_eval = key_policy.map(|p| evaluate(p, PolicyKind::Resource, ctx));

    // IAM policies count only for IAM principals of the key's own account.
    let identity: Vec<IdentityPolicyResult> = if identity_policies_apply(req) {
        identity_policies
            .iter()
            .enumerate()
            .map(|(i, p)| IdentityPolicyResult {
                name: format!("IAM policy #{}", i + 1),
                evaluation: evaluate(p, PolicyKind::Identity, ctx),
            })
            .collect()
    } else {
        Vec::new()
    };
    let grant_results: Vec<GrantResult> = grants
        .iter()
        .map(|g| g.evaluate(&req.grant_request(&principal)))
        .collect();

    let key_name = key_arn
        .map(|a| format!("key {a}"))
        .unwrap_or_else(|| "resource *".to_owned());
    let make = |outcome: Outcome, reason: String| Decision {
        outcome,
        principal: principal.clone(),
        action: action.clone(),
        resource: resource.clone(),
        context: keys.clone(),
        key_policy: key_eval.clone(),
        identity_policies: identity.clone(),
        grants: grant_results.clone(),
        reason,
    };

    // 1. Explicit deny.
    if let Some(s) = key_eval.as_ref().and_then(|e| e.explicit_deny()) {
        return make(
            Outcome::ExplicitDeny,
            format!("{principal} is not authorized to perform {action} on {key_name} with an explicit deny in the key policy ({}).", statement_label(s)),
        );
    }
    if let Some((p, s)) = identity
        .iter()
        .find_map(|p| p.evaluation.explicit_deny().map(|s| (p, s)))
    {
        return make(
            Outcome::ExplicitDeny,
            format!("{principal} is not authorized to perform {action} on {key_name} with an explicit deny in an identity-based policy ({}, {}).", p.name, statement_label(s)),
        );
    }

    let identity_allow = identity.iter().find_map(|p| {
        p.evaluation
            .allows()
            .first()
            .map(|s| (p.name.clone(), statement_label(s)))
    });

    // 2. Allow paths.
    match &key_eval {
        None => {
            // Operations on no key: IAM policies only; the root user is always allowed.
            if req.caller.is_root() {
                return make(
                    Outcome::Allowed,
                    format!("The account root user may perform {action}."),
                );
            }
            if let Some((pname, label)) = &identity_allow {
                return make(Outcome::Allowed, format!("Allowed by {pname}, {label}."));
            }
            return make(
                Outcome::ImplicitDeny,
                format!("{principal} is not authorized to perform {action} on resource * because no identity-based policy allows the {action} action. Attach an IAM policy that allows it."),
            );
        }
        Some(eval) => {
            for s in eval.allows() {
                match &s.principal {
                    PrincipalMatch::Matches => {
                        return make(
                            Outcome::Allowed,
                            format!("Allowed by the key policy, {}.", statement_label(s)),
                        );
                    }
                    PrincipalMatch::Account { account } => {
                        if let Some((pname, label)) = &identity_allow {
                            return make(
                                Outcome::Allowed,
                                format!(
                                    "The key policy's {} gives account {account} the action, and {pname} ({label}) allows it for {principal}.",
                                    statement_label(s)
                                ),
                            );
                        }
                    }
                    PrincipalMatch::NoMatch => {}
                }
            }
        }
    }
    if let Some(g) = grant_results.iter().find(|g| g.applies) {
        return make(Outcome::Allowed, g.summary.clone());
    }

    // 3. Implicit deny: say what was missing.
    let delegated = key_eval
        .as_ref()
        .map(|e| {
            e.allows()
                .iter()
                .any(|s| matches!(s.principal, PrincipalMatch::Account { .. }))
        })
        .unwrap_or(false);
    let near_miss = key_eval.as_ref().and_then(|e| {
        e.statements
            .iter()
            .find(|s| {
                s.effect == Effect::Allow
                    && s.principal != PrincipalMatch::NoMatch
                    && s.action_matched
                    && !s.applies
            })
            .map(|s| {
                format!(
                    " The nearest key policy statement, {}, did not apply: {}",
                    statement_label(s),
                    s.summary
                )
            })
    });
    let grant_hint = grant_results
        .iter()
        .find(|g| g.grantee_matched)
        .map(|g| format!(" {}", g.summary))
        .unwrap_or_default();
    let what = if delegated {
        format!("the key policy delegates {action} to the account's IAM policies but no identity-based policy allows it")
    } else {
        format!("no key policy statement or grant allows the {action} action")
    };
    make(
        Outcome::ImplicitDeny,
        format!("{principal} is not authorized to perform {action} on {key_name} because {what}.{}{grant_hint}", near_miss.unwrap_or_default()),
    )
}
