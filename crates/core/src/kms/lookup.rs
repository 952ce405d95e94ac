//! What every operation shares: finding the key a request names, authorizing the caller
//! (the decision is made in `authz`, with the condition keys of `condition_keys`), and the
//! key-state and request checks AWS makes before acting.

use super::condition_keys::request_context;
use super::error::{ErrorCode, KmsError, Result};
use super::key::KmsKey;
use super::managed;
use super::types::*;
use super::{Kms, OpCtx};
use crate::authz::{decide, AuthRequest, CallerPrincipal, Grant};
use crate::context::EncryptionContext;
use crate::env::{parse_uuid, Env};

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
            let parts: Vec<&str> = arn.splitn(5, ':').collect();
            match parts.as_slice() {
                [_, "kms", region, account, rest] => (Some(*region), Some(*account), *rest),
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

    /// Authorizes `operation` on key `uuid` (or on no key), records the decision, and
    /// turns a denial into `AccessDeniedException`.
    pub(super) fn authorize(
        &self,
        ctx: &mut OpCtx<'_>,
        operation: &str,
        uuid: Option<&str>,
        context: Option<&EncryptionContext>,
        extra: Vec<(String, Vec<String>)>,
    ) -> Result<()> {
        let key = uuid.and_then(|u| self.keys.get(u));
        let key_arn = key.map(|k| k.metadata.arn.clone());
        if let Some(arn) = &key_arn {
            if !ctx.resources.contains(arn) {
                ctx.resources.push(arn.clone());
            }
        }
        let grants: Vec<&Grant> = match &key_arn {
            Some(arn) => self.grants.values().filter(|g| &g.key_arn == arn).collect(),
            None => Vec::new(),
        };
        let identity = match &ctx.caller.principal {
            CallerPrincipal::Iam { arn, .. } => self.iam.get(arn).map(Vec::as_slice).unwrap_or(&[]),
            CallerPrincipal::Service { .. } => &[],
        };
        let req = AuthRequest {
            caller: ctx.caller,
            context: request_context(ctx.caller, operation, key_arn.as_deref(), context, extra),
            grant_operation: operation,
            resource_account: &self.account,
            encryption_context: context,
        };
        let decision = decide(&req, key.map(|k| &k.policy), identity, &grants);
        let allowed = decision.is_allowed();
        let reason = decision.reason.clone();
        ctx.decisions.push(decision);
        if allowed {
            Ok(())
        } else {
            Err(KmsError::new(ErrorCode::AccessDeniedException, reason))
        }
    }

    pub(super) fn key_extra(key: &KmsKey) -> Vec<(String, Vec<String>)> {
        vec![
            ("kms:KeySpec".to_owned(), vec![key.spec().name().to_owned()]),
            (
                "kms:KeyUsage".to_owned(),
                vec!["ENCRYPT_DECRYPT".to_owned()],
            ),
            (
                "kms:KeyOrigin".to_owned(),
                vec![key.metadata.origin.clone()],
            ),
        ]
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
        operation: &str,
    ) -> Result<String> {
        let uuid = self.resolve(ctx.env, key_id, false)?;
        self.authorize(ctx, operation, Some(&uuid), None, Vec::new())?;
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

pub(super) fn context_or_empty(c: &Option<EncryptionContext>) -> EncryptionContext {
    c.clone().unwrap_or_default()
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
