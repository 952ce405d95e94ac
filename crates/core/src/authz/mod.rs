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

mod condition;
mod context;
mod eval;
mod pattern;
mod policy;

#[cfg(test)]
mod seed_tests;

pub use condition::{
    BaseOperator, ConditionOperator, ConditionResult, ConditionSpec, SetQualifier,
};
pub use context::{CallerPrincipal, RequestContext};
pub use eval::{evaluate, PolicyEvaluation, PrincipalMatch, StatementResult};
pub use policy::{
    parse_policy, ActionElement, Effect, PolicyDocument, PolicyError, PolicyKind, PrincipalElement,
    PrincipalSpec, ResourceElement, Statement, KEY_POLICY_MAX_BYTES,
};
