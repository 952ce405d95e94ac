//! Grants: CreateGrant, ListGrants, RetireGrant and RevokeGrant (developer guide, *Grants in
//! AWS KMS*). How a grant is evaluated is in `authz::grant`.

use super::condition_keys::{ConditionFacts, GrantFacts};
use super::error::{ErrorCode, KmsError, Result};
use super::lookup::{check_limit, dry_run_ok, require};
use super::operation::Operation;
use super::types::*;
use super::{Kms, OpCtx};
use crate::authz::{Grant, CONTEXT_OPERATIONS, GRANT_OPERATIONS, RSA_ENCRYPT_OPERATIONS};
use std::sync::Arc;

impl Kms {
    pub(super) fn op_create_grant(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: CreateGrantRequest,
    ) -> Result<CreateGrantResponse> {
        require("granteePrincipal", &req.grantee_principal)?;
        if req.operations.is_empty() {
            return Err(KmsError::validation(
                "operations",
                "Member must have length greater than or equal to 1",
            ));
        }
        if let Some(bad) = req
            .operations
            .iter()
            .find(|o| !GRANT_OPERATIONS.contains(&o.as_str()))
        {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                format!("1 validation error detected: Value '{bad}' at 'operations' failed to satisfy constraint: Member must satisfy enum value set: [{}]", GRANT_OPERATIONS.join(", ")),
            ));
        }
        if let Some(name) = &req.name {
            if name.is_empty()
                || name.len() > 256
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b":/_-".contains(&b))
            {
                return Err(KmsError::validation(
                    "name",
                    "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
                ));
            }
        }
        let constraint_context = match &req.constraints {
            Some(c) => match (&c.encryption_context_equals, &c.encryption_context_subset) {
                (Some(_), Some(_)) => {
                    return Err(KmsError::new(ErrorCode::ValidationException, "Use either EncryptionContextEquals or EncryptionContextSubset in a grant's Constraints, not both.".to_owned()));
                }
                (Some(e), None) | (None, Some(e)) => Some(e.clone()),
                (None, None) => None,
            },
            None => None,
        };
        if constraint_context.is_some() {
            if let Some(bad) = req
                .operations
                .iter()
                .find(|o| !CONTEXT_OPERATIONS.contains(&o.as_str()))
            {
                return Err(KmsError::new(
                    ErrorCode::ValidationException,
                    format!("A grant with encryption context constraints can only allow operations that take an encryption context; {bad} does not. Remove it, or drop the constraint."),
                ));
            }
        }
        self.validate_grant_tokens(&req.grant_tokens)?;
        let uuid = self.resolve(ctx.env, &req.key_id, true)?;
        let mut facts = ConditionFacts::of_key(self.key(&uuid)?);
        facts.grant = Some(GrantFacts {
            operations: req.operations.clone(),
            grantee: req.grantee_principal.clone(),
            retiring: req.retiring_principal.clone(),
            for_aws_resource: ctx.caller.via_service.is_some(),
            constraint_type: req.constraints.as_ref().map(|c| {
                if c.encryption_context_equals.is_some() {
                    "EncryptionContextEquals"
                } else {
                    "EncryptionContextSubset"
                }
            }),
        });
        self.authorize(
            ctx,
            Operation::CreateGrant.action(),
            Some(&uuid),
            constraint_context.as_ref(),
            facts,
        )?;
        let key = self.key(&uuid)?;
        Self::require_not_pending_deletion(key)?;
        if key.state() == KeyState::Disabled {
            Self::require_usable(key)?;
        }
        if !key.spec().is_symmetric() {
            if let Some(bad) = req
                .operations
                .iter()
                .find(|o| !RSA_ENCRYPT_OPERATIONS.contains(&o.as_str()))
            {
                return Err(KmsError::new(
                    ErrorCode::ValidationException,
                    format!(
                        "{bad} is not valid for {}, an asymmetric ENCRYPT_DECRYPT key.",
                        key.arn()
                    ),
                ));
            }
            if constraint_context.is_some() {
                return Err(KmsError::new(ErrorCode::ValidationException, "Encryption context grant constraints are not supported with asymmetric KMS keys.".to_owned()));
            }
        }
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let key_arn = key.arn().to_owned();
        let grant_id = ctx.env.rng.hex(32);
        let mut token_bytes = vec![0x01u8];
        token_bytes.extend(hex::decode(&grant_id).unwrap_or_default());
        token_bytes.extend(ctx.env.rng.bytes::<33>());
        let grant_token = base64_url(&token_bytes);
        let issuing_account = ctx.caller.account().unwrap_or(&self.account).to_owned();
        let grant = Grant {
            grant_id: grant_id.clone(),
            grant_token: grant_token.clone(),
            key_arn,
            name: req.name,
            creation_date: ctx.env.clock.now_secs(),
            grantee_principal: req.grantee_principal,
            retiring_principal: req.retiring_principal,
            issuing_account,
            operations: req.operations,
            constraints: req.constraints,
        };
        self.grants.insert(grant_id.clone(), Arc::new(grant));
        Ok(CreateGrantResponse {
            grant_token,
            grant_id,
        })
    }

    pub(super) fn op_list_grants(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListGrantsRequest,
    ) -> Result<ListGrantsResponse> {
        check_limit(req.limit)?;
        let uuid = self.resolve(ctx.env, &req.key_id, false)?;
        self.authorize(
            ctx,
            Operation::ListGrants.action(),
            Some(&uuid),
            None,
            ConditionFacts::default(),
        )?;
        let arn = self.key(&uuid)?.arn().to_owned();
        let grants = self
            .grants
            .values()
            .filter(|g| g.key_arn == arn)
            .filter(|g| req.grant_id.as_ref().is_none_or(|id| &g.grant_id == id))
            .filter(|g| {
                req.grantee_principal
                    .as_ref()
                    .is_none_or(|p| &g.grantee_principal == p)
            })
            .map(|g| grant_list_entry(g, &uuid))
            .collect();
        Ok(ListGrantsResponse {
            grants,
            truncated: false,
        })
    }

    /// RetireGrant: allowed to the grant's retiring principal, to its grantee when the grant
    /// includes `RetireGrant`, and to the root of the account that created it (developer
    /// guide, *Retiring and revoking grants*). Key policies do not control it.
    pub(super) fn op_retire_grant(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: RetireGrantRequest,
    ) -> Result<super::types::Empty> {
        let grant = match (&req.grant_token, &req.key_id, &req.grant_id) {
            (Some(token), _, _) => self.grants.values().find(|g| &g.grant_token == token).cloned().ok_or_else(|| {
                KmsError::new(ErrorCode::InvalidGrantTokenException, "The grant token is not valid, or its grant was already retired or revoked.".to_owned())
            })?,
            (None, Some(key_id), Some(grant_id)) => {
                let uuid = self.resolve(ctx.env, key_id, false)?;
                let arn = self.key(&uuid)?.arn().to_owned();
                self.grants.get(grant_id).filter(|g| g.key_arn == arn).cloned().ok_or_else(|| {
                    KmsError::new(ErrorCode::NotFoundException, format!("Grant {grant_id} does not exist for key {arn}. ListGrants shows the key's grants."))
                })?
            }
            _ => {
                return Err(KmsError::new(ErrorCode::ValidationException, "RetireGrant needs either GrantToken, or both KeyId and GrantId.".to_owned()));
            }
        };
        ctx.resources.push(grant.key_arn.clone().into());
        let who = ctx.caller.name().to_owned();
        let root_of_issuer =
            ctx.caller.is_root() && ctx.caller.account() == Some(grant.issuing_account.as_str());
        let allowed = grant.retiring_principal.as_deref() == Some(who.as_str())
            || (grant.grantee_principal == who
                && grant.operations.iter().any(|o| o == "RetireGrant"))
            || root_of_issuer;
        if !allowed {
            return Err(KmsError::new(
                ErrorCode::AccessDeniedException,
                format!("{who} is not authorized to perform kms:RetireGrant on grant {}: only its retiring principal ({}), its grantee when the grant includes RetireGrant, or the root user of account {} may retire it.", grant.grant_id, grant.retiring_principal.as_deref().unwrap_or("none"), grant.issuing_account),
            ));
        }
        if req.dry_run {
            return Err(dry_run_ok());
        }
        self.grants.remove(&grant.grant_id);
        Ok(super::types::Empty {})
    }

    pub(super) fn op_revoke_grant(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: RevokeGrantRequest,
    ) -> Result<super::types::Empty> {
        require("grantId", &req.grant_id)?;
        let uuid = self.resolve(ctx.env, &req.key_id, false)?;
        self.authorize(
            ctx,
            Operation::RevokeGrant.action(),
            Some(&uuid),
            None,
            ConditionFacts::default(),
        )?;
        let arn = self.key(&uuid)?.arn().to_owned();
        if self
            .grants
            .get(&req.grant_id)
            .is_none_or(|g| g.key_arn != arn)
        {
            return Err(KmsError::new(
                ErrorCode::NotFoundException,
                format!(
                    "Grant {} does not exist for key {arn}. ListGrants shows the key's grants.",
                    req.grant_id
                ),
            ));
        }
        if req.dry_run {
            return Err(dry_run_ok());
        }
        self.grants.remove(&req.grant_id);
        Ok(super::types::Empty {})
    }
}

pub(super) fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A grant as ListGrants returns it.
fn grant_list_entry(g: &Grant, key_id: &str) -> GrantListEntry {
    GrantListEntry {
        key_id: key_id.to_owned(),
        grant_id: g.grant_id.clone(),
        name: g.name.clone(),
        creation_date: g.creation_date,
        grantee_principal: g.grantee_principal.clone(),
        retiring_principal: g.retiring_principal.clone(),
        issuing_account: format!("arn:aws:iam::{}:root", g.issuing_account),
        operations: g.operations.clone(),
        constraints: g.constraints.clone(),
    }
}
