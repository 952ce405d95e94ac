//! What every operation shares: finding the key a request names, authorizing the caller
//! (the decision is made in `authz`, with the condition keys of `condition_keys`), and the
//! key-state and request checks AWS makes before acting.

use super::cloudtrail::Text;
use super::condition_keys::{ConditionFacts, KmsRequestKeys, OwnedRequestKeys};
use super::error::{ErrorCode, KmsError, Result};
use super::key::KmsKey;
use super::managed;
use super::operation::{Action, Operation};
use super::types::*;
use super::{Kms, OpCtx};
use crate::authz::{
    decide, decide_outcome, AuthRequest, Authorization, Caller, CallerPrincipal, Grant, Outcome,
    PolicyDocument,
};
use crate::context::EncryptionContext;
use crate::env::{parse_uuid, Env};
use std::sync::Arc;

/// Maximum grant tokens per request (API reference: "Array Members: Maximum number of 10 items").
pub const MAX_GRANT_TOKENS: usize = 10;
/// A day, in seconds.
pub(super) const DAY: u64 = 86_400;

impl Kms {
    pub(super) fn key_arn_for(&self, uuid: &str) -> String {
        format!("arn:aws:kms:{}:{}:key/{uuid}", self.region, self.account)
    }

    pub(super) fn alias_arn_for(&self, name: &str) -> String {
        format!("arn:aws:kms:{}:{}:{name}", self.region, self.account)
    }

    /// Resolves a key id in any accepted form (key id, key ARN, alias name, alias ARN) to
    /// the key's UUID. A predefined AWS alias (`alias/aws/workmail`, `alias/aws/ses`)
    /// creates its AWS managed key on first use when `create_managed` is set.
    pub(super) fn resolve(
        &mut self,
        env: &mut Env,
        key_id: &str,
        create_managed: bool,
    ) -> Result<String> {
        require("keyId", key_id)?;
        let (region, account, rest) = if let Some(arn) = key_id.strip_prefix("arn:") {
            let mut parts = arn.splitn(5, ':');
            match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(_), Some("kms"), Some(region), Some(account), Some(rest)) => {
                    (Some(region), Some(account), rest)
                }
                _ => {
                    return Err(KmsError::new(
                        ErrorCode::NotFoundException,
                        format!("Invalid arn {key_id}. A KMS key ARN looks like arn:aws:kms:{}:{}:key/<key id>; an alias ARN like arn:aws:kms:{}:{}:alias/<name>.", self.region, self.account, self.region, self.account),
                    ))
                }
            }
        } else {
            (None, None, key_id)
        };
        if region.is_some_and(|r| r != self.region) || account.is_some_and(|a| a != self.account) {
            return Err(KmsError::new(
                ErrorCode::NotFoundException,
                format!("Key '{key_id}' does not exist in this simulation: it names another Region or account, and this one is {} in account {}.", self.region, self.account),
            ));
        }
        if let Some(uuid) = rest.strip_prefix("key/") {
            return if self.keys.contains_key(uuid) {
                Ok(uuid.to_owned())
            } else {
                Err(KmsError::key_not_found(key_id))
            };
        }
        if rest.starts_with("alias/") {
            if let Some(alias) = self.aliases.get(rest) {
                return Ok(alias.target_key_id.clone());
            }
            if let Some(service) = rest
                .strip_prefix("alias/aws/")
                .filter(|s| managed::MANAGED_SERVICES.contains(s))
            {
                if create_managed {
                    return Ok(self.create_managed_key(env, service));
                }
            }
            return Err(KmsError::new(
                ErrorCode::NotFoundException,
                format!("Alias {} is not found. Create it with CreateAlias, or use ListAliases to see the aliases of this account.", self.alias_arn_for(rest)),
            ));
        }
        if region.is_none() && parse_uuid(rest).is_some() {
            return if self.keys.contains_key(rest) {
                Ok(rest.to_owned())
            } else {
                Err(KmsError::key_not_found(&self.key_arn_for(rest)))
            };
        }
        Err(KmsError::new(
            ErrorCode::NotFoundException,
            format!("Invalid keyId '{key_id}'. Give a key id (a UUID), a key ARN, an alias name (alias/...) or an alias ARN."),
        ))
    }

    pub(super) fn key(&self, uuid: &str) -> Result<&KmsKey> {
        self.keys
            .get(uuid)
            .ok_or_else(|| KmsError::key_not_found(uuid))
    }

    pub(super) fn key_mut(&mut self, uuid: &str) -> Result<&mut KmsKey> {
        self.keys
            .get_mut(uuid)
            .ok_or_else(|| KmsError::key_not_found(uuid))
    }

    /// The IAM identity policies of the caller (none for service principals).
    pub(super) fn identity_policies(&self, caller: &Caller) -> Arc<[PolicyDocument]> {
        match &caller.principal {
            CallerPrincipal::Iam { arn, .. } => self.iam.get(arn).cloned(),
            CallerPrincipal::Service { .. } => None,
        }
        .unwrap_or_else(|| Arc::clone(&self.no_policies))
    }

    /// Authorizes `action` on key `uuid` (or on no key), records the decision, and turns
    /// a denial into `AccessDeniedException`. The outcome is decided at once; an allowed
    /// request's explanation is built only when someone looks at it.
    pub(super) fn authorize(
        &self,
        ctx: &mut OpCtx<'_>,
        action: Action,
        uuid: Option<&str>,
        context: Option<&EncryptionContext>,
        facts: ConditionFacts,
    ) -> Result<()> {
        let key = uuid.and_then(|u| self.keys.get(u));
        let key_arn = key.map(|k| k.metadata.arn.as_str());
        if let Some(k) = key {
            if !ctx.resources.contains(&k.arn_text) {
                ctx.resources.push(k.arn_text.clone());
            }
        }
        let grants: Vec<Arc<Grant>> = match key_arn {
            Some(arn) => self
                .grants
                .values()
                .filter(|g| g.key_arn == arn)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        let grant_refs: Vec<&Grant> = grants.iter().map(Arc::as_ref).collect();
        let identity = self.identity_policies(ctx.caller);
        let key_policy = key.map(|k| Arc::clone(&k.policy));
        let resource = key_arn.unwrap_or("*");
        let keys = KmsRequestKeys {
            caller: ctx.caller,
            action: action.iam,
            resource,
            context,
            facts: &facts,
        };
        let req = AuthRequest {
            caller: ctx.caller,
            context: &keys,
            grant_operation: action.grant_operation,
            resource_account: &self.account,
            encryption_context: context,
        };
        let outcome = decide_outcome(&req, key_policy.as_deref(), &identity, &grant_refs);
        debug_assert_eq!(
            outcome,
            decide(&req, key_policy.as_deref(), &identity, &grant_refs).outcome,
            "the fast decision and the explained one disagree"
        );
        if outcome == Outcome::Allowed {
            let owned = OwnedRequestKeys {
                caller: ctx.caller.clone(),
                action: action.iam,
                resource: key.map_or(Text::Static("*"), |k| k.arn_text.clone()),
                context: context.cloned(),
                facts,
            };
            let account = self.account_text.clone();
            let grant_operation = action.grant_operation;
            ctx.decisions.push(Authorization::later(
                outcome,
                Arc::new(move || {
                    let keys = owned.view();
                    let grant_refs: Vec<&Grant> = grants.iter().map(Arc::as_ref).collect();
                    let req = AuthRequest {
                        caller: &owned.caller,
                        context: &keys,
                        grant_operation,
                        resource_account: &account,
                        encryption_context: owned.context.as_ref(),
                    };
                    decide(&req, key_policy.as_deref(), &identity, &grant_refs)
                }),
            ));
            Ok(())
        } else {
            let decision = decide(&req, key_policy.as_deref(), &identity, &grant_refs);
            let reason = decision.reason.clone();
            ctx.decisions.push(Authorization::explained(decision));
            Err(KmsError::new(ErrorCode::AccessDeniedException, reason))
        }
    }

    /// Cryptographic operations need an enabled key (API reference, *Key states*).
    pub(super) fn require_usable(key: &KmsKey) -> Result<()> {
        match key.state() {
            KeyState::Enabled => Ok(()),
            KeyState::Disabled => Err(KmsError::new(
                ErrorCode::DisabledException,
                format!("{} is disabled. Enable it with EnableKey before using it in cryptographic operations.", key.arn()),
            )),
            KeyState::PendingDeletion => Err(KmsError::new(
                ErrorCode::KMSInvalidStateException,
                format!("{} is pending deletion. Call CancelKeyDeletion (and then EnableKey) before its deletion date to use it again.", key.arn()),
            )),
        }
    }

    pub(super) fn require_not_pending_deletion(key: &KmsKey) -> Result<()> {
        if key.state() == KeyState::PendingDeletion {
            Err(KmsError::new(
                ErrorCode::KMSInvalidStateException,
                format!(
                    "{} is pending deletion. Call CancelKeyDeletion first.",
                    key.arn()
                ),
            ))
        } else {
            Ok(())
        }
    }

    pub(super) fn require_symmetric(key: &KmsKey, operation: &str) -> Result<()> {
        if key.spec().is_symmetric() {
            Ok(())
        } else {
            Err(KmsError::new(
                ErrorCode::InvalidKeyUsageException,
                format!("{} is an asymmetric {} key; {operation} needs a symmetric encryption KMS key (KeySpec SYMMETRIC_DEFAULT).", key.arn(), key.spec().name()),
            ))
        }
    }

    /// Resolves, authorizes and rejects AWS managed keys for operations that change a key.
    pub(super) fn customer_key_for(
        &mut self,
        ctx: &mut OpCtx<'_>,
        key_id: &str,
        operation: Operation,
    ) -> Result<String> {
        let uuid = self.resolve(ctx.env, key_id, false)?;
        self.authorize(
            ctx,
            operation.action(),
            Some(&uuid),
            None,
            ConditionFacts::default(),
        )?;
        let key = self.key(&uuid)?;
        if key.metadata.key_manager == KeyManager::AWS {
            return Err(KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!("{} is an AWS managed key. Its state, rotation and key policy are managed by AWS and cannot be changed; use a customer managed key for that.", key.arn()),
            ));
        }
        Ok(uuid)
    }

    pub(super) fn validate_grant_tokens(&self, tokens: &[String]) -> Result<()> {
        if tokens.len() > MAX_GRANT_TOKENS {
            return Err(KmsError::validation(
                "grantTokens",
                "Member must have length less than or equal to 10",
            ));
        }
        for t in tokens {
            if !self.grants.values().any(|g| &g.grant_token == t) && !self.retired_token_shape(t) {
                return Err(KmsError::new(
                    ErrorCode::InvalidGrantTokenException,
                    "The grant token is not valid. Pass the GrantToken exactly as CreateGrant returned it.".to_owned(),
                ));
            }
        }
        Ok(())
    }

    /// A token of a grant that has since been retired or revoked is still a well-formed
    /// token; it just grants nothing.
    pub(super) fn retired_token_shape(&self, token: &str) -> bool {
        token.len() == 88
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

pub(super) fn require(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        Err(KmsError::validation(field, "Member must not be null"))
    } else {
        Ok(())
    }
}

/// AWS answers a successful `DryRun` with `DryRunOperationException`.
pub(super) fn dry_run_ok() -> KmsError {
    KmsError::new(
        ErrorCode::DryRunOperationException,
        "The request would have succeeded, but the DryRun parameter was set.".to_owned(),
    )
}

pub(super) fn check_limit(limit: Option<u32>) -> Result<()> {
    match limit {
        Some(l) if !(1..=1000).contains(&l) => Err(KmsError::validation(
            "limit",
            "Member must have value between 1 and 1000",
        )),
        _ => Ok(()),
    }
}
