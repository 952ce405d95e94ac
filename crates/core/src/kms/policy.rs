//! Key policies: reading, replacing, and AWS's policy lockout safety check.

use super::condition_keys::{ConditionFacts, GlobalKeys, KmsRequestKeys};
use super::error::{ErrorCode, KmsError, Result};
use super::lookup::require_not_pending_deletion;
use super::lookup::{require_state, ANY_STATE};
use super::operation::Operation;
use super::page::{page, KEYS};
use super::types::*;
use super::{Kms, OpCtx};
use crate::authz::{
    decide, parse_policy, AuthRequest, Decision, Outcome, PolicyDocument, PolicyKind,
};

/// Maximum key policy size (API reference, *PutKeyPolicy*: 32768 characters).
pub const MAX_POLICY_LEN: usize = 32_768;

impl Kms {
    pub(super) fn parse_key_policy(&self, text: &str) -> Result<PolicyDocument> {
        if text.len() > MAX_POLICY_LEN {
            return Err(KmsError::validation(
                "policy",
                "Member must have length less than or equal to 32768",
            ));
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            KmsError::new(
                ErrorCode::MalformedPolicyDocumentException,
                "The policy document is malformed.",
            )
            .help(format!("The key policy is not valid JSON: {e}."))
        })?;
        parse_policy(&value, PolicyKind::Resource).map_err(|e| {
            KmsError::new(
                ErrorCode::MalformedPolicyDocumentException,
                "The policy document is malformed.",
            )
            .help(format!("The key policy is not valid: {e}"))
        })
    }

    /// AWS's policy lockout safety check: the new policy must let the caller make a later
    /// PutKeyPolicy request (API reference, *PutKeyPolicy*, `BypassPolicyLockoutSafetyCheck`).
    pub(super) fn lockout_check(&self, ctx: &OpCtx<'_>, policy: &PolicyDocument) -> Result<()> {
        let principal = self.iam_principal(&ctx.caller);
        let scps = self.scps_for(&ctx.caller);
        let probe_arn = format!(
            "arn:aws:kms:{}:{}:key/lockout-check",
            self.region, self.account
        );
        let action = Operation::PutKeyPolicy.action();
        let facts = ConditionFacts::default();
        let globals = GlobalKeys::of(
            ctx.env.clock.now_secs(),
            self.region_text.clone(),
            &principal.tags,
        );
        let keys = KmsRequestKeys {
            caller: &ctx.caller,
            globals: &globals,
            action: action.iam,
            resource: &probe_arn,
            context: None,
            facts: &facts,
        };
        let req = AuthRequest {
            caller: &ctx.caller,
            context: &keys,
            grant_operation: action.grant_operation,
            resource_account: &self.account,
            encryption_context: None,
            new_grant: None,
        };
        let d: Decision = decide(
            &req,
            Some(policy),
            &principal.policies(scps.as_deref()),
            &[],
        );
        if d.outcome == Outcome::Allowed {
            Ok(())
        } else {
            Err(KmsError::new(
                ErrorCode::MalformedPolicyDocumentException,
                "The new key policy will not allow you to update the key policy in the future.",
            )
            .help(format!("{} Add a statement allowing kms:PutKeyPolicy to {} (or the account root), or set BypassPolicyLockoutSafetyCheck.", d.reason, ctx.caller.name())))
        }
    }

    pub(super) fn op_get_key_policy(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GetKeyPolicyRequest,
    ) -> Result<GetKeyPolicyResponse> {
        let id = self.authorized_key_id(ctx, &req.key_id, Operation::GetKeyPolicy, |f| f)?;
        check_policy_name(req.policy_name.as_deref())?;
        let key = self.key(&id)?;
        require_state(key, ANY_STATE)?;
        Ok(GetKeyPolicyResponse {
            policy: key.policy_text.clone(),
            policy_name: "default".to_owned(),
        })
    }

    pub(super) fn op_list_key_policies(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListKeyPoliciesRequest,
    ) -> Result<ListKeyPoliciesResponse> {
        let id = self.authorized_key_id(ctx, &req.key_id, Operation::ListKeyPolicies, |f| f)?;
        require_state(self.key(&id)?, ANY_STATE)?;
        let (policy_names, next_marker, truncated) = page(
            vec!["default".to_owned()],
            req.limit,
            req.marker.as_deref(),
            KEYS,
        )?;
        Ok(ListKeyPoliciesResponse {
            policy_names,
            next_marker,
            truncated,
        })
    }

    pub(super) fn op_put_key_policy(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: PutKeyPolicyRequest,
    ) -> Result<super::types::Empty> {
        let bypass = req.bypass_policy_lockout_safety_check;
        let id = self.customer_key_with(ctx, &req.key_id, Operation::PutKeyPolicy, |f| {
            f.with_bypass(bypass)
        })?;
        check_policy_name(req.policy_name.as_deref())?;
        let policy = self.parse_key_policy(&req.policy)?;
        if !bypass {
            self.lockout_check(ctx, &policy)?;
        }
        let key = self.key_mut(&id)?;
        require_not_pending_deletion(key)?;
        key.policy = std::sync::Arc::new(policy);
        key.policy_text = req.policy;
        Ok(super::types::Empty {})
    }
}

pub(super) fn check_policy_name(name: Option<&str>) -> Result<()> {
    match name {
        None | Some("default") => Ok(()),
        Some(other) => Err(
            KmsError::new(ErrorCode::NotFoundException, "No such policy exists").help(format!(
                "A key has one key policy, named \"default\"; there is no policy {other}."
            )),
        ),
    }
}
