//! Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant
//! (developer guide, *Grants in AWS KMS*). How a grant is evaluated is in `authz::grant`.

use super::condition_keys::{ConditionFacts, GrantFacts};
use super::error::{ErrorCode, KmsError, Result};
use super::key::KmsKey;
use super::lookup::require_not_pending_deletion;
use super::lookup::{dry_run_ok, require_state, AuthTarget, OwnedNewGrant};
use super::operation::Operation;
use super::page::{page, GRANTS};
use super::types::*;
use super::{Kms, OpCtx};
use crate::authz::{Grant, CONSTRAINABLE_OPERATIONS};
use std::sync::Arc;

/// The grant operations a key of this usage supports (developer guide, *Grant
/// operations*: "the operations must be supported by the KMS key").
fn grantable(key: &KmsKey) -> &'static [GrantOperation] {
    use GrantOperation::*;
    match key.usage {
        KeyUsage::ENCRYPT_DECRYPT if key.spec().is_symmetric() => &[
            Decrypt,
            Encrypt,
            GenerateDataKey,
            GenerateDataKeyWithoutPlaintext,
            ReEncryptFrom,
            ReEncryptTo,
            GenerateDataKeyPair,
            GenerateDataKeyPairWithoutPlaintext,
            CreateGrant,
            RetireGrant,
            DescribeKey,
        ],
        KeyUsage::ENCRYPT_DECRYPT => &[
            Decrypt,
            Encrypt,
            ReEncryptFrom,
            ReEncryptTo,
            GetPublicKey,
            CreateGrant,
            RetireGrant,
            DescribeKey,
        ],
        KeyUsage::SIGN_VERIFY => &[
            Sign,
            Verify,
            GetPublicKey,
            CreateGrant,
            RetireGrant,
            DescribeKey,
        ],
        KeyUsage::GENERATE_VERIFY_MAC => &[
            GenerateMac,
            VerifyMac,
            CreateGrant,
            RetireGrant,
            DescribeKey,
        ],
        KeyUsage::KEY_AGREEMENT => &[
            DeriveSharedSecret,
            GetPublicKey,
            CreateGrant,
            RetireGrant,
            DescribeKey,
        ],
        KeyUsage::ENCAPSULATE_DECAPSULATE => &[
            Encapsulate,
            Decapsulate,
            GetPublicKey,
            CreateGrant,
            RetireGrant,
            DescribeKey,
        ],
    }
}

impl Kms {
    pub(super) fn op_create_grant(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: CreateGrantRequest,
    ) -> Result<CreateGrantResponse> {
        self.validate_grant_tokens(&req.grant_tokens)?;
        let (grantee, service_grantee) = match (&req.grantee_principal, &req.grantee_service_principal) {
            (Some(p), None) => (p.clone(), false),
            (None, Some(s)) => (s.clone(), true),
            _ => {
                return Err(KmsError::new(
                    ErrorCode::ValidationException,
                    "Exactly one of GranteePrincipal or GranteeServicePrincipal must be specified.",
                )
                .help("GranteePrincipal takes an IAM ARN; GranteeServicePrincipal an AWS service principal such as ses.amazonaws.com."))
            }
        };
        let (retiring, service_retiring) =
            match (&req.retiring_principal, &req.retiring_service_principal) {
                (Some(_), Some(_)) => return Err(KmsError::new(
                    ErrorCode::ValidationException,
                    "Only one of RetiringPrincipal or RetiringServicePrincipal can be specified.",
                )),
                (Some(p), None) => (Some(p.clone()), false),
                (None, Some(s)) => (Some(s.clone()), true),
                (None, None) => (None, false),
            };
        let constraint_context = match &req.constraints {
            Some(c) => match (&c.encryption_context_equals, &c.encryption_context_subset) {
                (Some(_), Some(_)) => {
                    return Err(KmsError::new(
                        ErrorCode::ValidationException,
                        "Use either EncryptionContextEquals or EncryptionContextSubset in a grant's Constraints, not both.",
                    ))
                }
                (Some(e), None) | (None, Some(e)) => Some(e.clone()),
                (None, None) => None,
            },
            None => None,
        };
        let operations: Vec<String> = req.operations.iter().map(|o| o.name().to_owned()).collect();
        let id = self.resolve(ctx.env, &req.key_id, true)?;
        let mut facts = ConditionFacts::of_key(self.key(&id)?);
        facts.grant = Some(GrantFacts {
            operations: operations.clone(),
            grantee: grantee.clone(),
            retiring: retiring.clone(),
            for_aws_resource: ctx.caller.via_service.is_some(),
            constraint_type: req.constraints.as_ref().map(|c| {
                if c.encryption_context_equals.is_some() {
                    "EncryptionContextEquals"
                } else {
                    "EncryptionContextSubset"
                }
            }),
        });
        // A grant that gives CreateGrant limits the grants its grantee may create.
        let new_grant = OwnedNewGrant {
            operations: operations.clone(),
            constraints: req.constraints.clone(),
        };
        self.authorize_on(
            ctx,
            Operation::CreateGrant.action(),
            AuthTarget::Key(&id),
            constraint_context.as_ref(),
            facts,
            true,
            Some(new_grant),
        )?;
        let key = self.key(&id)?;
        require_state(key, &[KeyState::Enabled, KeyState::PendingImport])?;
        let allowed = grantable(key);
        if let Some(bad) = req.operations.iter().find(|o| !allowed.contains(o)) {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                format!("Grant operation {bad} is not valid for a KMS key with KeyUsage {} and KeySpec {}.", key.usage, key.spec()),
            )
            .help(format!(
                "A {} {} key can be granted {}.",
                key.spec(),
                key.usage,
                allowed.iter().map(|o| o.name()).collect::<Vec<_>>().join(", ")
            )));
        }
        if constraint_context.is_some() {
            if !key.spec().is_symmetric() {
                return Err(KmsError::new(
                    ErrorCode::ValidationException,
                    "Encryption context grant constraints are not supported for asymmetric or HMAC KMS keys.",
                ));
            }
            if let Some(bad) = operations
                .iter()
                .find(|o| !CONSTRAINABLE_OPERATIONS.contains(&o.as_str()))
            {
                return Err(KmsError::new(
                    ErrorCode::ValidationException,
                    format!("Grant constraints are not supported for the {bad} operation."),
                )
                .help("A grant with encryption context constraints may list the operations that take an encryption context, and DescribeKey and RetireGrant (the constraint does not apply to those two)."));
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
            grantee_principal: grantee,
            retiring_principal: retiring,
            issuing_account,
            operations,
            constraints: req.constraints,
            service_grantee,
            service_retiring,
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
        let id = self.resolve_as(ctx.env, &req.key_id, false, false)?;
        let mut facts = ConditionFacts::of_key(self.key(&id)?);
        // "kms:GrantIsForAWSResource ... CreateGrant, ListGrants, or RevokeGrant" (developer
        // guide, *AWS KMS condition keys*).
        facts.grant_is_for_aws_resource = Some(ctx.caller.via_service.is_some());
        self.authorize(ctx, Operation::ListGrants.action(), Some(&id), None, facts)?;
        let arn = self.key(&id)?.arn().to_owned();
        let grantee = req
            .grantee_principal
            .as_ref()
            .or(req.grantee_service_principal.as_ref());
        let grants: Vec<GrantListEntry> = self
            .grants
            .values()
            .filter(|g| g.key_arn == arn)
            .filter(|g| req.grant_id.as_ref().is_none_or(|gid| &g.grant_id == gid))
            .filter(|g| grantee.is_none_or(|p| &g.grantee_principal == p))
            .map(|g| grant_list_entry(g, &id))
            .collect();
        grants_page(grants, req.limit, req.marker.as_deref())
    }

    pub(super) fn op_list_retirable_grants(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListRetirableGrantsRequest,
    ) -> Result<ListGrantsResponse> {
        let Some(retiring) = req
            .retiring_principal
            .as_ref()
            .or(req.retiring_service_principal.as_ref())
        else {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                "Either RetiringPrincipal or RetiringServicePrincipal must be specified.",
            ));
        };
        self.authorize(
            ctx,
            Operation::ListRetirableGrants.action(),
            None,
            None,
            ConditionFacts::default(),
        )?;
        let grants: Vec<GrantListEntry> = self
            .grants
            .values()
            .filter(|g| g.retiring_principal.as_ref() == Some(retiring))
            .map(|g| {
                let key_id = g.key_arn.rsplit('/').next().unwrap_or_default().to_owned();
                grant_list_entry(g, &key_id)
            })
            .collect();
        grants_page(grants, req.limit, req.marker.as_deref())
    }

    /// RetireGrant: allowed to the grant's retiring principal, to its grantee when the grant
    /// includes `RetireGrant`, to the root of the account that created it (developer
    /// guide, *Retiring and revoking grants*), and to principals a key policy or IAM
    /// policy allows `kms:RetireGrant`.
    pub(super) fn op_retire_grant(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: RetireGrantRequest,
    ) -> Result<Empty> {
        let grant = match (&req.grant_token, &req.key_id, &req.grant_id) {
            (Some(token), _, _) => match self.grants.values().find(|g| &g.grant_token == token) {
                Some(g) => Arc::clone(g),
                None if self.retired_token_shape(token) => {
                    return Err(KmsError::new(
                        ErrorCode::NotFoundException,
                        "Grant token not found",
                    )
                    .help("The grant of this token was already retired or revoked."))
                }
                None => {
                    return Err(KmsError::new(
                        ErrorCode::InvalidGrantTokenException,
                        "Grant token is not valid.",
                    )
                    .help("Pass the GrantToken exactly as CreateGrant returned it."))
                }
            },
            (None, Some(key_id), Some(grant_id)) => {
                let id = self.resolve_as(ctx.env, key_id, false, false)?;
                let arn = self.key(&id)?.arn().to_owned();
                match self.grants.get(grant_id).filter(|g| g.key_arn == arn) {
                    Some(g) => Arc::clone(g),
                    None => return Err(grant_not_found(grant_id)),
                }
            }
            _ => {
                return Err(KmsError::new(
                    ErrorCode::ValidationException,
                    "Grant token OR (grant ID, key ID) must be specified",
                )
                .help("RetireGrant needs either GrantToken, or both KeyId and GrantId."))
            }
        };
        ctx.resources.push(grant.key_arn.clone().into());
        let who = ctx.caller.name().to_owned();
        let root_of_issuer =
            ctx.caller.is_root() && ctx.caller.account() == Some(grant.issuing_account.as_str());
        let by_grant = grant.retiring_principal.as_deref() == Some(who.as_str())
            || (grant.grantee_principal == who
                && grant.operations.iter().any(|o| o == "RetireGrant"))
            || root_of_issuer;
        if !by_grant {
            let key_id = grant
                .key_arn
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let facts = ConditionFacts::of_key(self.key(&key_id)?);
            self.authorize_with(ctx, Operation::RetireGrant.action(), Some(&key_id), None, facts, false)
                .map_err(|e| {
                    let help = format!(
                        "Only the grant's retiring principal ({}), its grantee when the grant includes RetireGrant, the root user of account {}, or a principal whose key policy or IAM policy allows kms:RetireGrant may retire grant {}.",
                        grant.retiring_principal.as_deref().unwrap_or("none"),
                        grant.issuing_account,
                        grant.grant_id
                    );
                    KmsError { help: Some(help), ..e }
                })?;
        }
        if req.dry_run {
            return Err(dry_run_ok());
        }
        self.grants.remove(&grant.grant_id);
        Ok(Empty {})
    }

    pub(super) fn op_revoke_grant(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: RevokeGrantRequest,
    ) -> Result<Empty> {
        let id = self.resolve_as(ctx.env, &req.key_id, false, false)?;
        let mut facts = ConditionFacts::of_key(self.key(&id)?);
        // "kms:GrantIsForAWSResource ... CreateGrant, ListGrants, or RevokeGrant" (developer
        // guide, *AWS KMS condition keys*).
        facts.grant_is_for_aws_resource = Some(ctx.caller.via_service.is_some());
        self.authorize(ctx, Operation::RevokeGrant.action(), Some(&id), None, facts)?;
        let key = self.key(&id)?;
        require_not_pending_deletion(key)?;
        let arn = key.arn().to_owned();
        if self
            .grants
            .get(&req.grant_id)
            .is_none_or(|g| g.key_arn != arn)
        {
            return Err(grant_not_found(&req.grant_id));
        }
        if req.dry_run {
            return Err(dry_run_ok());
        }
        self.grants.remove(&req.grant_id);
        Ok(Empty {})
    }
}

fn grant_not_found(grant_id: &str) -> KmsError {
    KmsError::new(
        ErrorCode::NotFoundException,
        format!("Grant ID {grant_id} not found"),
    )
    .help("ListGrants shows the key's grants.")
}

pub(super) fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A grant as ListGrants returns it.
fn grant_list_entry(g: &Grant, key_id: &str) -> GrantListEntry {
    let (grantee_principal, grantee_service_principal) = if g.service_grantee {
        (None, Some(g.grantee_principal.clone()))
    } else {
        (Some(g.grantee_principal.clone()), None)
    };
    let (retiring_principal, retiring_service_principal) = if g.service_retiring {
        (None, g.retiring_principal.clone())
    } else {
        (g.retiring_principal.clone(), None)
    };
    GrantListEntry {
        key_id: key_id.to_owned(),
        grant_id: g.grant_id.clone(),
        name: g.name.clone(),
        creation_date: g.creation_date,
        grantee_principal,
        retiring_principal,
        issuing_account: format!("arn:aws:iam::{}:root", g.issuing_account),
        operations: g
            .operations
            .iter()
            .filter_map(|o| GrantOperation::from_name(o))
            .collect(),
        constraints: g.constraints.clone(),
        grantee_service_principal,
        retiring_service_principal,
    }
}

/// One page of a ListGrants or ListRetirableGrants answer.
fn grants_page(
    grants: Vec<GrantListEntry>,
    limit: Option<u32>,
    marker: Option<&str>,
) -> Result<ListGrantsResponse> {
    let (grants, next_marker, truncated) = page(grants, limit, marker, GRANTS)?;
    Ok(ListGrantsResponse {
        grants,
        next_marker,
        truncated,
    })
}
