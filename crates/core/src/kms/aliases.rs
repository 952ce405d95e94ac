//! Aliases: friendly names for keys (developer guide, *Aliases in AWS KMS*): CreateAlias,
//! UpdateAlias, DeleteAlias and ListAliases. The alias name's characters and length are
//! checked against the service model first; the rules here are the ones it cannot state.

use super::condition_keys::ConditionFacts;
use super::error::{ErrorCode, KmsError, Result};
use super::key::KmsKey;
use super::lookup::require_not_pending_deletion;
use super::managed;
use super::operation::Operation;
use super::page::{page, GRANTS};
use super::types::*;
use super::{Alias, Kms, OpCtx};

/// The kind of key an alias may move between (UpdateAlias: "both symmetric or both
/// asymmetric or both HMAC, and ... the same key usage").
fn key_type(key: &KmsKey) -> &'static str {
    if key.spec().is_symmetric() {
        "symmetric"
    } else if key.spec().is_hmac() {
        "HMAC"
    } else {
        "asymmetric"
    }
}

impl Kms {
    /// AWS's checks of an alias name a request would create or change.
    fn check_alias_name(name: &str) -> Result<()> {
        if !name.starts_with("alias/") {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
            )
            .help("Alias names look like alias/my-key."));
        }
        if name.starts_with("alias/aws/") {
            return Err(KmsError::bare(ErrorCode::NotAuthorizedException).help(
                "The alias/aws/ prefix is reserved for AWS managed keys; choose a name without it.",
            ));
        }
        if name.contains(':') {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                format!("{name} contains invalid characters for an alias"),
            ));
        }
        Ok(())
    }

    /// The key an alias is to point at: a key id or key ARN, never another alias.
    fn alias_target(&mut self, ctx: &mut OpCtx<'_>, target: &str) -> Result<String> {
        if target.starts_with("alias/") || target.contains(":alias/") {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                "Aliases must refer to keys. Not aliases",
            )
            .help("TargetKeyId takes a key id or key ARN."));
        }
        self.resolve_as(ctx.env, target, false, false)
    }

    pub(super) fn op_create_alias(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: AliasRequest,
    ) -> Result<Empty> {
        Self::check_alias_name(&req.alias_name)?;
        let id = self.alias_target(ctx, &req.target_key_id)?;
        self.authorize_alias(ctx, Operation::CreateAlias.action(), &req.alias_name)?;
        self.authorize(
            ctx,
            Operation::CreateAlias.action(),
            Some(&id),
            None,
            ConditionFacts::of_key(self.key(&id)?),
        )?;
        require_not_pending_deletion(self.key(&id)?)?;
        if self.aliases.contains_key(&req.alias_name) {
            return Err(KmsError::new(
                ErrorCode::AlreadyExistsException,
                format!(
                    "An alias with the name {} already exists",
                    self.alias_arn_for(&req.alias_name)
                ),
            )
            .help(
                "Delete it first, point it elsewhere with UpdateAlias, or choose another name.",
            ));
        }
        let now = ctx.env.clock.now_secs();
        self.aliases.insert(
            req.alias_name,
            Alias {
                target_key_id: id,
                creation_date: now,
                last_updated_date: now,
            },
        );
        Ok(Empty {})
    }

    pub(super) fn op_update_alias(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: AliasRequest,
    ) -> Result<Empty> {
        Self::check_alias_name(&req.alias_name)?;
        let Some(current) = self
            .aliases
            .get(&req.alias_name)
            .map(|a| a.target_key_id.clone())
        else {
            return Err(alias_not_found(self, &req.alias_name));
        };
        let id = self.alias_target(ctx, &req.target_key_id)?;
        self.authorize_alias(ctx, Operation::UpdateAlias.action(), &req.alias_name)?;
        for key in [&current, &id] {
            self.authorize(
                ctx,
                Operation::UpdateAlias.action(),
                Some(key),
                None,
                ConditionFacts::of_key(self.key(key)?),
            )?;
        }
        let (old, new) = (self.key(&current)?, self.key(&id)?);
        require_not_pending_deletion(new)?;
        if old.usage != new.usage {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                format!(
                    "Alias {} cannot be changed from a CMK with key usage {} to a CMK with key usage {}. The key usage of the current CMK and the new CMK must be the same.",
                    req.alias_name, old.usage, new.usage
                ),
            ));
        }
        if key_type(old) != key_type(new) {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                format!(
                    "Alias {} cannot be changed from a CMK with key type {} to a CMK with key type {}. The key type of the current CMK and the new CMK must be the same.",
                    req.alias_name,
                    key_type(old),
                    key_type(new)
                ),
            ));
        }
        let now = ctx.env.clock.now_secs();
        if let Some(alias) = self.aliases.get_mut(&req.alias_name) {
            alias.target_key_id = id;
            alias.last_updated_date = now;
        }
        Ok(Empty {})
    }

    pub(super) fn op_delete_alias(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DeleteAliasRequest,
    ) -> Result<Empty> {
        if !req.alias_name.starts_with("alias/") {
            return Self::check_alias_name(&req.alias_name).map(|_| Empty {});
        }
        if req.alias_name.starts_with("alias/aws/") {
            return Err(KmsError::bare(ErrorCode::NotAuthorizedException)
                .help("Aliases of AWS managed keys (alias/aws/...) cannot be deleted."));
        }
        let Some(alias) = self.aliases.get(&req.alias_name).cloned() else {
            return Err(alias_not_found(self, &req.alias_name));
        };
        self.authorize_alias(ctx, Operation::DeleteAlias.action(), &req.alias_name)?;
        self.authorize(
            ctx,
            Operation::DeleteAlias.action(),
            Some(&alias.target_key_id),
            None,
            ConditionFacts::of_key(self.key(&alias.target_key_id)?),
        )?;
        self.aliases.remove(&req.alias_name);
        Ok(Empty {})
    }

    pub(super) fn op_list_aliases(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListAliasesRequest,
    ) -> Result<ListAliasesResponse> {
        let filter = match &req.key_id {
            Some(k) => {
                let id = self.resolve_as(ctx.env, k, false, false)?;
                self.authorize(
                    ctx,
                    Operation::ListAliases.action(),
                    Some(&id),
                    None,
                    ConditionFacts::of_key(self.key(&id)?),
                )?;
                Some(id)
            }
            None => {
                self.authorize(
                    ctx,
                    Operation::ListAliases.action(),
                    None,
                    None,
                    ConditionFacts::default(),
                )?;
                None
            }
        };
        let mut aliases: Vec<AliasListEntry> = self
            .aliases
            .iter()
            .filter(|(_, a)| filter.as_ref().is_none_or(|f| &a.target_key_id == f))
            .map(|(name, a)| AliasListEntry {
                alias_name: name.clone(),
                alias_arn: self.alias_arn_for(name),
                target_key_id: Some(a.target_key_id.clone()),
                creation_date: Some(a.creation_date),
                last_updated_date: Some(a.last_updated_date),
            })
            .collect();
        // AWS lists the predefined AWS managed key aliases even before the key exists.
        if filter.is_none() {
            for service in managed::PREDEFINED_ALIASES {
                let name = format!("alias/aws/{service}");
                if !self.aliases.contains_key(&name) {
                    aliases.push(AliasListEntry {
                        alias_arn: self.alias_arn_for(&name),
                        alias_name: name,
                        target_key_id: None,
                        creation_date: None,
                        last_updated_date: None,
                    });
                }
            }
            aliases.sort_by(|a, b| a.alias_name.cmp(&b.alias_name));
        }
        let (aliases, next_marker, truncated) =
            page(aliases, req.limit, req.marker.as_deref(), GRANTS)?;
        Ok(ListAliasesResponse {
            aliases,
            next_marker,
            truncated,
        })
    }
}

fn alias_not_found(kms: &Kms, name: &str) -> KmsError {
    KmsError::new(
        ErrorCode::NotFoundException,
        format!("Alias {} is not found.", kms.alias_arn_for(name)),
    )
    .help("ListAliases shows the aliases of this account and Region.")
}
