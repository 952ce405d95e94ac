//! Authorization: the IAM policy grammar used by KMS key policies and IAM identity
//! policies, and a statement-by-statement evaluator that explains every decision.
//!
//! [`parse_policy`] turns a document into a [`PolicyDocument`] (or a [`PolicyError`]
//! naming the offending part); [`evaluate`] checks each statement against a
//! [`RequestContext`] and reports the principal, action, resource and every condition
//! with expected and actual values. Combining the key policy, IAM policies and grants
//! into a decision follows the IAM policy evaluation logic
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//! an explicit deny wins, then any allow, otherwise the request is implicitly denied.

mod authorizer;
mod caller;
mod condition;
mod context;
mod error;
mod eval;
mod grant;
mod pattern;
mod policy;
mod variables;

#[cfg(test)]
#[path = "tests/seeds.rs"]
mod seed_tests;

#[cfg(test)]
#[path = "tests/authorizer.rs"]
mod authorizer_tests;

pub use authorizer::{
    decide, decide_outcome, AuthRequest, Authorization, CallerPolicies, Decision, IamPrincipal,
    IdentityPolicyResult, Outcome, PolicyType, PolicyTypeResult, Verdict,
};
pub use caller::{arn_account, Caller};
pub use condition::{
    BaseOperator, ConditionOperator, ConditionResult, ConditionSpec, SetQualifier,
};
pub use context::{CallerPrincipal, RequestContext, RequestKeys};
pub use error::PolicyError;
pub(crate) use eval::session_role_arn;
pub use eval::{evaluate, PolicyEvaluation, PrincipalMatch, StatementResult};
pub use grant::{
    Grant, GrantConstraints, GrantRequest, GrantResult, NewGrant, CONSTRAINABLE_OPERATIONS,
    CONTEXT_OPERATIONS, GRANT_OPERATIONS, RSA_ENCRYPT_OPERATIONS,
};
pub(crate) use pattern::glob_match_ignore_case;
pub use policy::{
    parse_policy, ActionElement, Effect, PolicyDocument, PolicyKind, PrincipalElement,
    PrincipalSpec, ResourceElement, Statement, KEY_POLICY_MAX_BYTES,
};
