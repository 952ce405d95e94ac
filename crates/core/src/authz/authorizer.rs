//! How KMS decides whether a request is allowed.
//!
//! The policy types that bear on a request to AWS KMS, in the order AWS evaluates them
//! (IAM User Guide, *Policy evaluation logic*,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>,
//! and *Cross-account policy evaluation logic*,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>;
//! AWS KMS developer guide, *Determining access to a KMS key*,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html>):
//!
//! 1. An explicit `Deny` in any of them denies: the service control policies (SCPs) of the
//!    caller's account, the key policy, the caller's identity-based (IAM) policies, its
//!    permissions boundary and its session policies.
//! 2. If the caller's account has SCPs, one of them must allow the action ("If the
//!    enforcement code does not find any applicable Allow statements in the SCPs, then the
//!    request is implicitly denied"). They apply to the account's IAM principals, its root
//!    user included, never to service principals.
//! 3. The key policy. Unlike most resource policies, a KMS key policy must allow the
//!    caller: directly (its ARN, `"*"`, its service name, or its account when it is that
//!    account's root), or by naming the caller's account, which "enables IAM policies": the
//!    caller's identity-based policies must then allow too.
//!    - Within the key's account, a statement naming an IAM user, the root or a role
//!      session's own ARN allows on its own; one naming a role ARN is still limited by the
//!      caller's permissions boundary and session policies ("Resource-based policies that
//!      grant permissions to an IAM role ARN are limited by an implicit deny in a
//!      permissions boundary or session policy").
//!    - From another account, both must allow: "The key policy determines who *can* have
//!      access to the KMS key. The IAM policy determines who *does* have access ...
//!      Neither the key policy nor the IAM policy alone is sufficient" (developer guide,
//!      *Allowing users in other accounts to use a KMS key*,
//!      <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html>);
//!      and so do the caller's boundary and session policies, which are its own
//!      account's ("AWS evaluates the request in the trusting account and the trusted
//!      account ... The request is allowed only if both evaluations return a decision of
//!      Allow"). Only the operations that AWS lets cross accounts get this far (`kms`
//!      answers the others with the `NotFoundException` of the caller's own account).
//! 4. Otherwise a grant for the caller allows the operation under its constraints ("users
//!    and roles in the external account cannot use the KMS key until you attach IAM
//!    policies that delegate those permissions, or use grants").
//! 5. Otherwise the request is implicitly denied.
//!
//! Operations on no key (CreateKey, ListKeys, ListAliases) and on an alias ARN (the alias
//! half of CreateAlias, UpdateAlias, DeleteAlias) are authorized by the identity side
//! alone: the caller's IAM policies (the account root has every permission of its own
//! account), within its boundary and session policies.
//!
//! [`decide`] explains; [`decide_outcome`] answers fast. Both follow one rule, `combine`,
//! asking the policies through the `Bearing` trait: statement by statement, stopping
//! early ([`decide_outcome`]), or from full evaluations ([`decide`]).

use super::caller::Caller;
use super::context::RequestKeys;
use super::eval::{bearing, evaluate, PolicyEvaluation, PrincipalMatch, Relation, StatementResult};
use super::grant::{Grant, GrantRequest, GrantResult, NewGrant};
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

/// A kind of policy that takes part in a decision, in the order AWS evaluates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyType {
    /// AWS Organizations service control policies of the caller's account.
    ServiceControlPolicy,
    /// The KMS key's key policy (a resource-based policy).
    KeyPolicy,
    /// The caller's IAM identity-based policies.
    IdentityPolicy,
    /// The caller's IAM permissions boundary.
    PermissionsBoundary,
    /// The session policies of the caller's role session.
    SessionPolicy,
    /// The key's grants.
    Grant,
}

impl PolicyType {
    /// In words, e.g. "permissions boundary".
    pub fn name(self) -> &'static str {
        match self {
            PolicyType::ServiceControlPolicy => "service control policy",
            PolicyType::KeyPolicy => "key policy",
            PolicyType::IdentityPolicy => "identity-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::SessionPolicy => "session policy",
            PolicyType::Grant => "grant",
        }
    }

    /// As AWS's `AccessDeniedException` message names it (IAM User Guide,
    /// *Troubleshooting access denied error messages*): a key policy is a
    /// "resource-based policy".
    fn aws_name(self) -> &'static str {
        match self {
            PolicyType::KeyPolicy | PolicyType::Grant => "resource-based policy",
            other => other.name(),
        }
    }

    const DENYING: [PolicyType; 5] = [
        PolicyType::ServiceControlPolicy,
        PolicyType::KeyPolicy,
        PolicyType::IdentityPolicy,
        PolicyType::PermissionsBoundary,
        PolicyType::SessionPolicy,
    ];
}

/// What one policy type said about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// One of its `Allow` statements (or grants) applies, and none of its `Deny`s.
    Allow,
    /// One of its `Deny` statements applies.
    Deny,
    /// Nothing in it applies.
    NoAllow,
}

/// One policy type's part in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTypeResult {
    /// Which kind of policy.
    pub policy_type: PolicyType,
    /// Whose: the key's account for the key policy and grants, the caller's for the others.
    pub account: String,
    /// What it said.
    pub verdict: Verdict,
    /// This is the policy type that decided the request: the first whose `Deny`, or whose
    /// missing `Allow`, ended it, or the one whose `Allow` let it through.
    pub decided: bool,
    /// One sentence.
    pub summary: String,
}

/// One IAM identity policy of the caller (or SCP, or session policy), evaluated.
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
    /// The service control policies of the caller's account, when it has some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_control_policies: Vec<IdentityPolicyResult>,
    /// The caller's permissions boundary, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PolicyEvaluation>,
    /// The session policies of the caller's role session, when it has some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub session_policies: Vec<IdentityPolicyResult>,
    /// The key's grants for this operation.
    pub grants: Vec<GrantResult>,
    /// Every policy type that took part, in AWS's order, with what it said.
    pub policy_types: Vec<PolicyTypeResult>,
    /// For a request from another account that was implicitly denied: the account whose
    /// policy is missing (the key's account for its key policy, the caller's for its IAM
    /// policies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_in_account: Option<String>,
    /// One sentence: what allowed it, or what was missing.
    pub reason: String,
}

impl Decision {
    /// Whether the request may proceed.
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }

    /// The policy type that decided the request.
    pub fn decided_by(&self) -> Option<PolicyType> {
        self.policy_types
            .iter()
            .find(|t| t.decided)
            .map(|t| t.policy_type)
    }

    /// The message AWS sends with the `AccessDeniedException` of a denied request:
    /// `User: <principal> is not authorized to perform: <action> on resource: <arn>`, then
    /// which kind of policy denied it or failed to allow it (IAM User Guide,
    /// *Troubleshooting access denied error messages*: "with an explicit deny in a service
    /// control policy", "because no identity-based policy allows the ... action", "because
    /// no permissions boundary allows ...", "because no session policy allows ...").
    pub fn aws_denial(&self) -> String {
        let kind = self
            .decided_by()
            .unwrap_or(PolicyType::IdentityPolicy)
            .aws_name();
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let why = if self.outcome == Outcome::ExplicitDeny {
            format!("with an explicit deny in {article} {kind}")
        } else {
            format!("because no {kind} allows the {} action", self.action)
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
    /// The account that owns the resource.
    pub resource_account: &'a str,
    /// The encryption context grant constraints are checked against (for CreateGrant: of
    /// its constraints); `None` for operations that take none.
    pub encryption_context: Option<&'a EncryptionContext>,
    /// For CreateGrant: the grant it asks for.
    pub new_grant: Option<NewGrant<'a>>,
}

impl AuthRequest<'_> {
    /// What the caller's grants are checked against.
    fn grant_request<'b>(&'b self, caller_name: &'b str) -> GrantRequest<'b> {
        GrantRequest {
            caller_name,
            source_arn: self.caller.source_arn.as_deref(),
            operation: self.grant_operation,
            context: self.encryption_context,
            new_grant: self.new_grant,
        }
    }
}

/// The policies of the caller besides the key's own: its identity-based policies, its
/// permissions boundary, its session policies and the SCPs of its account.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallerPolicies<'a> {
    /// Its IAM identity-based policies.
    pub identity: &'a [PolicyDocument],
    /// Its permissions boundary, if it has one.
    pub permissions_boundary: Option<&'a PolicyDocument>,
    /// The session policies its role session was created with, if any (an empty list is
    /// no session policy at all).
    pub session_policies: Option<&'a [PolicyDocument]>,
    /// The SCPs of its account, if the account is a member of an organization that has
    /// some.
    pub service_control_policies: Option<&'a [PolicyDocument]>,
}

impl<'a> CallerPolicies<'a> {
    /// Only identity-based policies.
    pub fn identity(identity: &'a [PolicyDocument]) -> Self {
        CallerPolicies {
            identity,
            ..Default::default()
        }
    }
}

/// What IAM knows of one principal besides its ARN: its identity-based policies, its
/// permissions boundary, the session policies of its role session and its tags (for
/// `aws:PrincipalTag/*`). IAM User Guide, *Policy evaluation logic*
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IamPrincipal {
    /// Its IAM identity-based policies.
    pub identity: Vec<PolicyDocument>,
    /// Its permissions boundary, if it has one.
    pub permissions_boundary: Option<PolicyDocument>,
    /// The session policies its role session was created with (empty: none).
    pub session_policies: Vec<PolicyDocument>,
    /// Its IAM tags.
    pub tags: BTreeMap<String, String>,
}

impl IamPrincipal {
    /// Only identity-based policies.
    pub fn with_identity(identity: Vec<PolicyDocument>) -> Self {
        IamPrincipal {
            identity,
            ..Default::default()
        }
    }

    /// Its policies as the authorizer takes them, with the SCPs of its account.
    pub fn policies<'a>(&'a self, scps: Option<&'a [PolicyDocument]>) -> CallerPolicies<'a> {
        CallerPolicies {
            identity: &self.identity,
            permissions_boundary: self.permissions_boundary.as_ref(),
            session_policies: Some(&self.session_policies)
                .filter(|s| !s.is_empty())
                .map(Vec::as_slice),
            service_control_policies: scps,
        }
    }
}

/// The verb for what a policy type said: plural for the types named as a set of policies
/// ("the IAM policies of ..."), singular for the key policy and the boundary.
fn verb(t: PolicyType, plural: &'static str, singular: &'static str) -> &'static str {
    match t {
        PolicyType::KeyPolicy | PolicyType::PermissionsBoundary => singular,
        _ => plural,
    }
}

fn statement_label(s: &StatementResult) -> String {
    match &s.sid {
        Some(sid) => format!("statement \"{sid}\""),
        None => format!("statement #{}", s.index + 1),
    }
}

/// Who is asking, as the combination rule needs it.
struct Parties {
    /// An IAM principal (not a service principal).
    iam: bool,
    /// The root user of its account.
    root: bool,
    /// An IAM principal of another account than the resource's.
    cross_account: bool,
    /// Which policy types take part.
    present: [bool; 6],
}

impl Parties {
    fn of(
        req: &AuthRequest<'_>,
        key_policy: bool,
        caller: &CallerPolicies<'_>,
        grants: bool,
    ) -> Self {
        let iam = req.caller.account().is_some();
        let root = req.caller.is_root();
        let identity = iam && !root;
        Parties {
            iam,
            root,
            cross_account: req
                .caller
                .account()
                .is_some_and(|a| a != req.resource_account),
            present: [
                iam && caller.service_control_policies.is_some(),
                key_policy,
                identity,
                identity && caller.permissions_boundary.is_some(),
                identity && caller.session_policies.is_some_and(|s| !s.is_empty()),
                grants,
            ],
        }
    }

    fn present(&self, t: PolicyType) -> bool {
        self.present[t as usize]
    }
}

/// What the combination rule asks of the policies that bear on a request.
trait Bearing {
    /// A `Deny` of this type applies.
    fn denies(&self, t: PolicyType) -> bool;
    /// An `Allow` of this type applies (for the key policy: any, whatever it names).
    fn allows(&self, t: PolicyType) -> bool;
    /// An applying key policy `Allow` whose relation to the caller `suffices`.
    fn key_policy_allows(&self, suffices: &dyn Fn(Relation) -> bool) -> bool;
    /// The most favourable relation among the applying key policy `Allow`s.
    fn key_policy_relation(&self) -> Relation;
    /// A grant allows the request.
    fn grant_allows(&self) -> bool;
}

/// How strongly a key policy statement names the caller (higher is stronger).
fn rank(r: Relation) -> u8 {
    match r {
        Relation::None => 0,
        Relation::Account => 1,
        Relation::Direct { through_role: true } => 2,
        Relation::Direct {
            through_role: false,
        } => 3,
    }
}

/// The decision the rule reaches, and the policy type that reached it.
struct Combined {
    outcome: Outcome,
    decided: PolicyType,
}

/// The combination rule (module documentation, steps 1 to 5).
fn combine(b: &dyn Bearing, p: &Parties) -> Combined {
    use PolicyType::*;
    let done = |outcome, decided| Combined { outcome, decided };
    for t in PolicyType::DENYING {
        if p.present(t) && b.denies(t) {
            return done(Outcome::ExplicitDeny, t);
        }
    }
    if p.present(ServiceControlPolicy) && !b.allows(ServiceControlPolicy) {
        return done(Outcome::ImplicitDeny, ServiceControlPolicy);
    }
    let holds = |t: PolicyType| !p.present(t) || b.allows(t);
    // The caller's own side: its identity-based policies (the root user has every
    // permission of its own account), boundary and session policies. The first that
    // does not allow, if any.
    let own_side = |with_identity: bool| -> Option<PolicyType> {
        if with_identity && !p.root && !b.allows(IdentityPolicy) {
            Some(IdentityPolicy)
        } else if !holds(PermissionsBoundary) {
            Some(PermissionsBoundary)
        } else if !holds(SessionPolicy) {
            Some(SessionPolicy)
        } else {
            None
        }
    };
    if !p.present(KeyPolicy) {
        return match own_side(true) {
            None => done(Outcome::Allowed, IdentityPolicy),
            Some(t) => done(Outcome::ImplicitDeny, t),
        };
    }
    // What the caller's side must add to a key policy statement naming it this way:
    // `None`, nothing (it does not name the caller, or names it directly in its own
    // account); `Some(true)`, an identity-based policy that allows too (and boundary and
    // session policies); `Some(false)`, only that its boundary and session policies allow.
    let needs = |r: Relation| -> Option<bool> {
        match r {
            Relation::None => None,
            _ if p.cross_account => Some(true),
            Relation::Direct {
                through_role: false,
            } => None,
            Relation::Direct { through_role: true } => Some(false),
            Relation::Account => Some(true),
        }
    };
    let suffices = |r: Relation| match (r, needs(r)) {
        (Relation::None, _) => false,
        (_, None) => true,
        (_, Some(with_identity)) => own_side(with_identity).is_none(),
    };
    if b.key_policy_allows(&suffices) {
        return done(Outcome::Allowed, KeyPolicy);
    }
    if p.present(Grant) && b.grant_allows() {
        return done(Outcome::Allowed, Grant);
    }
    let missing = match (b.key_policy_relation(), needs(b.key_policy_relation())) {
        (Relation::None, _) | (_, None) => KeyPolicy,
        (_, Some(with_identity)) => own_side(with_identity).unwrap_or(KeyPolicy),
    };
    done(Outcome::ImplicitDeny, missing)
}

/// The fast answers: statement by statement, stopping at the first that settles it.
struct Fast<'a> {
    ctx: &'a dyn RequestKeys,
    key_policy: Option<&'a PolicyDocument>,
    caller: &'a CallerPolicies<'a>,
    grants: &'a [&'a Grant],
    grant_request: GrantRequest<'a>,
}

impl Fast<'_> {
    fn documents(&self, t: PolicyType) -> &[PolicyDocument] {
        match t {
            PolicyType::ServiceControlPolicy => self.caller.service_control_policies.unwrap_or(&[]),
            PolicyType::KeyPolicy => self.key_policy.map(std::slice::from_ref).unwrap_or(&[]),
            PolicyType::IdentityPolicy => self.caller.identity,
            PolicyType::PermissionsBoundary => self
                .caller
                .permissions_boundary
                .map(std::slice::from_ref)
                .unwrap_or(&[]),
            PolicyType::SessionPolicy => self.caller.session_policies.unwrap_or(&[]),
            PolicyType::Grant => &[],
        }
    }

    fn kind(t: PolicyType) -> PolicyKind {
        if t == PolicyType::KeyPolicy {
            PolicyKind::Resource
        } else {
            PolicyKind::Identity
        }
    }

    fn any(&self, t: PolicyType, effect: Effect) -> bool {
        self.documents(t).iter().any(|doc| {
            doc.statements
                .iter()
                .filter(|st| st.effect == effect)
                .any(|st| bearing(st, Self::kind(t), self.ctx).1)
        })
    }

    fn key_allows(&self) -> impl Iterator<Item = Relation> + '_ {
        self.key_policy
            .into_iter()
            .flat_map(|doc| doc.statements.iter())
            .filter(|st| st.effect == Effect::Allow)
            .filter_map(|st| match bearing(st, PolicyKind::Resource, self.ctx) {
                (relation, true) => Some(relation),
                _ => None,
            })
    }
}

impl Bearing for Fast<'_> {
    fn denies(&self, t: PolicyType) -> bool {
        self.any(t, Effect::Deny)
    }
    fn allows(&self, t: PolicyType) -> bool {
        self.any(t, Effect::Allow)
    }
    fn key_policy_allows(&self, suffices: &dyn Fn(Relation) -> bool) -> bool {
        self.key_allows().any(suffices)
    }
    fn key_policy_relation(&self) -> Relation {
        self.key_allows()
            .max_by_key(|r| rank(*r))
            .unwrap_or(Relation::None)
    }
    fn grant_allows(&self) -> bool {
        self.grants.iter().any(|g| g.applies(&self.grant_request))
    }
}

/// The answers read off full evaluations.
struct Explained<'a> {
    key_policy: Option<&'a PolicyEvaluation>,
    identity: &'a [IdentityPolicyResult],
    scps: &'a [IdentityPolicyResult],
    boundary: Option<&'a PolicyEvaluation>,
    session: &'a [IdentityPolicyResult],
    grants: &'a [GrantResult],
}

impl Explained<'_> {
    fn evaluations(&self, t: PolicyType) -> Vec<&PolicyEvaluation> {
        fn named(list: &[IdentityPolicyResult]) -> Vec<&PolicyEvaluation> {
            list.iter().map(|p| &p.evaluation).collect()
        }
        match t {
            PolicyType::ServiceControlPolicy => named(self.scps),
            PolicyType::KeyPolicy => self.key_policy.into_iter().collect(),
            PolicyType::IdentityPolicy => named(self.identity),
            PolicyType::PermissionsBoundary => self.boundary.into_iter().collect(),
            PolicyType::SessionPolicy => named(self.session),
            PolicyType::Grant => Vec::new(),
        }
    }

    /// The first applying `Deny` of a type, with the name of its policy.
    fn first_deny(&self, t: PolicyType) -> Option<(Option<&str>, &StatementResult)> {
        self.first(t, |e| e.explicit_deny())
    }

    /// The first applying `Allow` of a type, with the name of its policy.
    fn first_allow(&self, t: PolicyType) -> Option<(Option<&str>, &StatementResult)> {
        self.first(t, |e| e.allows().first().copied())
    }

    fn first<'s>(
        &'s self,
        t: PolicyType,
        pick: impl Fn(&'s PolicyEvaluation) -> Option<&'s StatementResult>,
    ) -> Option<(Option<&'s str>, &'s StatementResult)> {
        let named = |list: &'s [IdentityPolicyResult]| {
            list.iter()
                .find_map(|p| pick(&p.evaluation).map(|s| (Some(p.name.as_str()), s)))
        };
        match t {
            PolicyType::ServiceControlPolicy => named(self.scps),
            PolicyType::IdentityPolicy => named(self.identity),
            PolicyType::SessionPolicy => named(self.session),
            PolicyType::KeyPolicy => self.key_policy.and_then(&pick).map(|s| (None, s)),
            PolicyType::PermissionsBoundary => self.boundary.and_then(pick).map(|s| (None, s)),
            PolicyType::Grant => None,
        }
    }

    fn key_allows(&self) -> Vec<&StatementResult> {
        self.key_policy.map(|e| e.allows()).unwrap_or_default()
    }
}

impl Bearing for Explained<'_> {
    fn denies(&self, t: PolicyType) -> bool {
        self.evaluations(t)
            .iter()
            .any(|e| e.explicit_deny().is_some())
    }
    fn allows(&self, t: PolicyType) -> bool {
        self.evaluations(t).iter().any(|e| !e.allows().is_empty())
    }
    fn key_policy_allows(&self, suffices: &dyn Fn(Relation) -> bool) -> bool {
        self.key_allows().iter().any(|s| suffices(s.relation()))
    }
    fn key_policy_relation(&self) -> Relation {
        self.key_allows()
            .iter()
            .map(|s| s.relation())
            .max_by_key(|r| rank(*r))
            .unwrap_or(Relation::None)
    }
    fn grant_allows(&self) -> bool {
        self.grants.iter().any(|g| g.applies)
    }
}

/// Decides a request, without building the explanation: the same outcome as
/// [`decide`] (checked on every decision in debug builds), for the hot path.
pub fn decide_outcome(
    req: &AuthRequest<'_>,
    key_policy: Option<&PolicyDocument>,
    caller: &CallerPolicies<'_>,
    grants: &[&Grant],
) -> Outcome {
    let parties = Parties::of(req, key_policy.is_some(), caller, !grants.is_empty());
    let fast = Fast {
        ctx: req.context,
        key_policy,
        caller,
        grants,
        grant_request: req.grant_request(req.caller.name()),
    };
    combine(&fast, &parties).outcome
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
    caller: &CallerPolicies<'_>,
    grants: &[&Grant],
) -> Decision {
    let ctx = req.context;
    let parties = Parties::of(req, key_policy.is_some(), caller, !grants.is_empty());
    let principal = req.caller.name().to_owned();
    let named = |prefix: &str, docs: &[PolicyDocument]| -> Vec<IdentityPolicyResult> {
        docs.iter()
            .enumerate()
            .map(|(i, p)| IdentityPolicyResult {
                name: format!("{prefix} #{}", i + 1),
                evaluation: evaluate(p, PolicyKind::Identity, ctx),
            })
            .collect()
    };
    let key_eval = key_policy.map(|p| evaluate(p, PolicyKind::Resource, ctx));
    let identity = if parties.present(PolicyType::IdentityPolicy) {
        named("IAM policy", caller.identity)
    } else {
        Vec::new()
    };
    let scps = if parties.present(PolicyType::ServiceControlPolicy) {
        named("SCP", caller.service_control_policies.unwrap_or(&[]))
    } else {
        Vec::new()
    };
    let boundary = caller
        .permissions_boundary
        .filter(|_| parties.present(PolicyType::PermissionsBoundary))
        .map(|p| evaluate(p, PolicyKind::Identity, ctx));
    let session = if parties.present(PolicyType::SessionPolicy) {
        named("session policy", caller.session_policies.unwrap_or(&[]))
    } else {
        Vec::new()
    };
    let grant_request = req.grant_request(&principal);
    let grant_results: Vec<GrantResult> =
        grants.iter().map(|g| g.evaluate(&grant_request)).collect();
    let explained = Explained {
        key_policy: key_eval.as_ref(),
        identity: &identity,
        scps: &scps,
        boundary: boundary.as_ref(),
        session: &session,
        grants: &grant_results,
    };
    let combined = combine(&explained, &parties);
    let story = Story {
        req,
        parties: &parties,
        explained: &explained,
        principal: &principal,
        action: ctx.action(),
        resource: ctx.resource(),
    };
    let (reason, missing_in_account) = story.reason(&combined);
    let policy_types = story.policy_types(&combined);
    Decision {
        outcome: combined.outcome,
        principal: principal.clone(),
        action: ctx.action().to_owned(),
        resource: ctx.resource().to_owned(),
        context: ctx.all(),
        policy_types,
        missing_in_account,
        reason,
        key_policy: key_eval,
        identity_policies: identity,
        service_control_policies: scps,
        permissions_boundary: boundary,
        session_policies: session,
        grants: grant_results,
    }
}

/// What a decision says in words.
struct Story<'a> {
    req: &'a AuthRequest<'a>,
    parties: &'a Parties,
    explained: &'a Explained<'a>,
    principal: &'a str,
    action: &'a str,
    resource: &'a str,
}

impl Story<'_> {
    fn caller_account(&self) -> &str {
        self.req
            .caller
            .account()
            .unwrap_or(self.req.resource_account)
    }

    fn account_of(&self, t: PolicyType) -> &str {
        match t {
            PolicyType::KeyPolicy | PolicyType::Grant => self.req.resource_account,
            _ => self.caller_account(),
        }
    }

    fn resource_name(&self) -> String {
        if self.explained.key_policy.is_some() {
            format!("key {}", self.resource)
        } else {
            format!("resource {}", self.resource)
        }
    }

    /// `(IAM policy #1, statement "Sid")`-style label of the first statement of type `t`
    /// that `pick` finds.
    fn label(&self, found: Option<(Option<&str>, &StatementResult)>) -> String {
        match found {
            Some((Some(name), s)) => format!("{name}, {}", statement_label(s)),
            Some((None, s)) => statement_label(s),
            None => String::new(),
        }
    }

    /// " of account A" when the request crosses accounts.
    fn of_caller_account(&self) -> String {
        if self.parties.cross_account {
            format!(" of account {}", self.caller_account())
        } else {
            String::new()
        }
    }

    fn reason(&self, c: &Combined) -> (String, Option<String>) {
        use PolicyType::*;
        let (principal, action, on) = (self.principal, self.action, self.resource_name());
        let e = self.explained;
        match c.outcome {
            Outcome::ExplicitDeny => {
                let label = self.label(e.first_deny(c.decided));
                let text = match c.decided {
                    KeyPolicy => format!("{principal} is not authorized to perform {action} on {on} with an explicit deny in the key policy ({label})."),
                    IdentityPolicy => format!("{principal} is not authorized to perform {action} on {on} with an explicit deny in an identity-based policy{} ({label}).", self.of_caller_account()),
                    ServiceControlPolicy => format!("{principal} is not authorized to perform {action} on {on} with an explicit deny in a service control policy of account {} ({label}).", self.caller_account()),
                    PermissionsBoundary => format!("{principal} is not authorized to perform {action} on {on} with an explicit deny in its permissions boundary ({label})."),
                    SessionPolicy => format!("{principal} is not authorized to perform {action} on {on} with an explicit deny in a session policy of its role session ({label})."),
                    Grant => String::new(),
                };
                (text, None)
            }
            Outcome::Allowed => (self.allowed(c), None),
            Outcome::ImplicitDeny => self.denied(c),
        }
    }

    fn allowed(&self, c: &Combined) -> String {
        use PolicyType::*;
        let (principal, action) = (self.principal, self.action);
        let e = self.explained;
        let identity_allow = e.first_allow(IdentityPolicy);
        match c.decided {
            Grant => e
                .grants
                .iter()
                .find(|g| g.applies)
                .map(|g| g.summary.clone())
                .unwrap_or_default(),
            IdentityPolicy if self.parties.root => {
                format!("The account root user may perform {action}.")
            }
            IdentityPolicy => format!("Allowed by {}.", self.label(identity_allow)),
            _ => {
                // The first key policy statement that suffices, in order.
                let statements = e.key_allows();
                let first = |pred: &dyn Fn(&StatementResult) -> bool| {
                    statements.iter().copied().find(|s| pred(s))
                };
                if self.parties.cross_account {
                    let s = first(&|_| true);
                    let label = s.map(statement_label).unwrap_or_default();
                    let theirs = if self.parties.root {
                        format!("{principal} is the root user of account {}, which has every permission of its own account", self.caller_account())
                    } else {
                        format!(
                            "{} of account {} allows it for {principal}",
                            self.label(identity_allow),
                            self.caller_account()
                        )
                    };
                    return format!(
                        "A request from another account, allowed by both accounts: the key policy of account {} allows it ({label}), and {theirs}.",
                        self.req.resource_account
                    );
                }
                if let Some(s) = first(&|s| s.principal == PrincipalMatch::Matches) {
                    return format!("Allowed by the key policy, {}.", statement_label(s));
                }
                match first(&|s| matches!(s.principal, PrincipalMatch::Account { .. })) {
                    Some(s) => {
                        let account = match &s.principal {
                            PrincipalMatch::Account { account } => account.clone(),
                            _ => String::new(),
                        };
                        let (pname, label) = match identity_allow {
                            Some((Some(name), st)) => (name.to_owned(), statement_label(st)),
                            _ => (String::new(), String::new()),
                        };
                        format!(
                            "The key policy's {} gives account {account} the action, and {pname} ({label}) allows it for {principal}.",
                            statement_label(s)
                        )
                    }
                    None => String::new(),
                }
            }
        }
    }

    fn denied(&self, c: &Combined) -> (String, Option<String>) {
        use PolicyType::*;
        let (principal, action, on) = (self.principal, self.action, self.resource_name());
        let e = self.explained;
        let cross = self.parties.cross_account;
        let caller_account = self.caller_account().to_owned();
        let key_account = self.req.resource_account;
        let near_miss = e
            .key_policy
            .and_then(|k| {
                k.statements.iter().find(|s| {
                    s.effect == Effect::Allow
                        && s.principal != PrincipalMatch::NoMatch
                        && s.action_matched
                        && !s.applies
                })
            })
            .map(|s| {
                format!(
                    " The nearest key policy statement, {}, did not apply: {}",
                    statement_label(s),
                    s.summary
                )
            })
            .unwrap_or_default();
        let grant_hint = e
            .grants
            .iter()
            .find(|g| g.grantee_matched)
            .map(|g| format!(" {}", g.summary))
            .unwrap_or_default();
        let delegated = e
            .key_allows()
            .iter()
            .any(|s| matches!(s.principal, PrincipalMatch::Account { .. }));
        let key_allow = e.key_allows().first().map(|s| statement_label(s));
        let missing = cross.then(|| self.account_of(c.decided).to_owned());
        let text = match (c.decided, e.key_policy.is_some()) {
            (ServiceControlPolicy, _) => format!(
                "{principal} is not authorized to perform {action} on {on} because no service control policy of account {caller_account} allows the {action} action. SCPs set the most any principal of the account may do, its root user included."
            ),
            (IdentityPolicy, false) => format!(
                "{principal} is not authorized to perform {action} on {on} because no identity-based policy allows the {action} action. Attach an IAM policy that allows it."
            ),
            (PermissionsBoundary, _) => format!(
                "{principal} is not authorized to perform {action} on {on} because its permissions boundary does not allow the {action} action. A permissions boundary sets the most its identity-based policies (and a key policy statement naming its role) can allow."
            ),
            (SessionPolicy, _) => format!(
                "{principal} is not authorized to perform {action} on {on} because no session policy of its role session allows the {action} action. A session's permissions are what both its role's policies and its session policies allow."
            ),
            (KeyPolicy, _) if cross => {
                let theirs = match e.first_allow(IdentityPolicy) {
                    Some(found) => format!("{} of account {caller_account} allows it, but that alone is not enough", self.label(Some(found))),
                    None if self.parties.root => format!("{principal} is the root user of account {caller_account}, but that alone is not enough"),
                    None => format!("no identity-based policy of account {caller_account} allows it either"),
                };
                format!(
                    "{principal} is not authorized to perform {action} on {on} because the key policy of account {key_account} does not allow account {caller_account} or {principal} to use it ({theirs}). A request from another account needs both: the key policy must name the other account (or its principal), and an IAM policy in that account must allow the action.{near_miss}{grant_hint}"
                )
            }
            (IdentityPolicy, true) if cross => format!(
                "{principal} is not authorized to perform {action} on {on} because no identity-based policy of account {caller_account} allows the {action} action. The key policy of account {key_account} allows it ({}), but a request from another account needs an IAM policy of the caller's own account too: attach one to {principal} that allows {action} on {}.{grant_hint}",
                key_allow.unwrap_or_default(),
                self.resource
            ),
            _ => {
                let what = if delegated {
                    format!("the key policy delegates {action} to the account's IAM policies but no identity-based policy allows it")
                } else {
                    format!("no key policy statement or grant allows the {action} action")
                };
                format!("{principal} is not authorized to perform {action} on {on} because {what}.{near_miss}{grant_hint}")
            }
        };
        (text, missing)
    }

    fn policy_types(&self, c: &Combined) -> Vec<PolicyTypeResult> {
        use PolicyType::*;
        let e = self.explained;
        let mut out = Vec::new();
        let mut push = |t: PolicyType, verdict: Verdict, summary: String| {
            out.push(PolicyTypeResult {
                policy_type: t,
                account: self.account_of(t).to_owned(),
                verdict,
                decided: t == c.decided,
                summary,
            });
        };
        let action = self.action;
        for t in [
            ServiceControlPolicy,
            KeyPolicy,
            IdentityPolicy,
            PermissionsBoundary,
            SessionPolicy,
        ] {
            let root_identity = t == IdentityPolicy && self.parties.iam && self.parties.root;
            if !self.parties.present(t) && !root_identity {
                continue;
            }
            if root_identity {
                push(t, Verdict::Allow, format!("{} is the root user of account {}: it has every permission of its own account and no IAM policies.", self.principal, self.caller_account()));
                continue;
            }
            let whose = match t {
                ServiceControlPolicy => format!(
                    "the service control policies of account {}",
                    self.caller_account()
                ),
                KeyPolicy => format!("the key policy of account {}", self.req.resource_account),
                IdentityPolicy => format!("the IAM policies of {}", self.principal),
                PermissionsBoundary => format!("the permissions boundary of {}", self.principal),
                _ => "the session policies of its role session".to_owned(),
            };
            if let Some(found) = e.first_deny(t) {
                push(
                    t,
                    Verdict::Deny,
                    format!(
                        "{whose} {} {action}: {}.",
                        verb(t, "deny", "denies"),
                        self.label(Some(found))
                    ),
                );
            } else if let Some(found) = e.first_allow(t) {
                let how = match (t, &found.1.principal) {
                    (KeyPolicy, PrincipalMatch::Account { account }) => {
                        format!(" to account {account}, whose IAM policies must allow it too")
                    }
                    _ => String::new(),
                };
                push(
                    t,
                    Verdict::Allow,
                    format!(
                        "{whose} {} {action}{how}: {}.",
                        verb(t, "allow", "allows"),
                        self.label(Some(found))
                    ),
                );
            } else if t == IdentityPolicy && e.identity.is_empty() {
                push(
                    t,
                    Verdict::NoAllow,
                    format!("{} has no IAM policies.", self.principal),
                );
            } else {
                push(
                    t,
                    Verdict::NoAllow,
                    format!("Nothing in {whose} allows {action}."),
                );
            }
        }
        if self.parties.present(Grant) {
            match e.grants.iter().find(|g| g.applies) {
                Some(g) => push(Grant, Verdict::Allow, g.summary.clone()),
                None => push(
                    Grant,
                    Verdict::NoAllow,
                    format!(
                        "None of the key's {} grants allows {} to call {}.",
                        e.grants.len(),
                        self.principal,
                        self.req.grant_operation
                    ),
                ),
            }
        }
        out
    }
}
