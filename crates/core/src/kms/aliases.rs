//! Aliases: friendly names for keys (developer guide, *Aliases in AWS KMS*).

use super::condition_keys::ConditionFacts;
use super::error::{ErrorCode, KmsError, Result};
use super::lookup::{check_limit, require};
use super::managed;
use super::operation::Operation;
use super::types::*;
use super::{Alias, Kms, OpCtx};

impl Kms {
    pub(super) fn validate_alias_name(name: &str) -> Result<()> {
        require("aliasName", name)?;
        let Some(rest) = name.strip_prefix("alias/") else {
            return Err(KmsError::new(
                ErrorCode::InvalidAliasNameException,
                format!(
                    "Alias must start with the prefix \"alias/\": {name}. Example: alias/my-key."
                ),
            ));
        };
        if rest.is_empty()
            || name.len() > 256
            || !rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b))
        {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                format!("1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"),
            ));
        }
        if rest.starts_with("aws/") {
            return Err(KmsError::new(ErrorCode::NotFoundException, format!("Alias {name} uses the reserved prefix alias/aws/, which only AWS managed keys may use. Choose another name.")));
        }
        Ok(())
    }

    pub(super) fn op_create_alias(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: CreateAliasRequest,
    ) -> Result<super::types::Empty> {
        Self::validate_alias_name(&req.alias_name)?;
        require("targetKeyId", &req.target_key_id)?;
        if req.target_key_id.starts_with("alias/") || req.target_key_id.contains(":alias/") {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                "TargetKeyId must be a key id or key ARN, not an alias.".to_owned(),
            ));
        }
        let uuid = self.resolve(ctx.env, &req.target_key_id, false)?;
        self.authorize(
            ctx,
            Operation::CreateAlias.action(),
            Some(&uuid),
            None,
            ConditionFacts::default(),
        )?;
        Self::require_not_pending_deletion(self.key(&uuid)?)?;
        if self.aliases.contains_key(&req.alias_name) {
            return Err(KmsError::new(ErrorCode::AlreadyExistsException, format!("An alias with the name {} already exists. Delete it first, or choose another name.", self.alias_arn_for(&req.alias_name))));
        }
        self.aliases.insert(
            req.alias_name,
            Alias {
                target_key_id: uuid,
                creation_date: ctx.env.clock.now_secs(),
            },
        );
        Ok(super::types::Empty {})
    }

    pub(super) fn op_delete_alias(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DeleteAliasRequest,
    ) -> Result<super::types::Empty> {
        require("aliasName", &req.alias_name)?;
        let Some(alias) = self.aliases.get(&req.alias_name).cloned() else {
            return Err(KmsError::new(
                ErrorCode::NotFoundException,
                format!(
                    "Alias {} is not found.",
                    self.alias_arn_for(&req.alias_name)
                ),
            ));
        };
        if req.alias_name.starts_with("alias/aws/") {
            return Err(KmsError::new(
                ErrorCode::NotFoundException,
                format!(
                    "{} is an AWS managed key's alias and cannot be deleted.",
                    req.alias_name
                ),
            ));
        }
        self.authorize(
            ctx,
            Operation::DeleteAlias.action(),
            Some(&alias.target_key_id),
            None,
            ConditionFacts::default(),
        )?;
        self.aliases.remove(&req.alias_name);
        Ok(super::types::Empty {})
    }

    pub(super) fn op_list_aliases(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListAliasesRequest,
    ) -> Result<ListAliasesResponse> {
        check_limit(req.limit)?;
        let filter = match &req.key_id {
            Some(k) => {
                let uuid = self.resolve(ctx.env, k, false)?;
                self.authorize(
                    ctx,
                    Operation::ListAliases.action(),
                    Some(&uuid),
                    None,
                    ConditionFacts::default(),
                )?;
                Some(uuid)
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
            })
            .collect();
        // AWS lists the predefined AWS managed key aliases even before the key exists.
        if filter.is_none() {
            for service in managed::MANAGED_SERVICES {
                let name = format!("alias/aws/{service}");
                if !self.aliases.contains_key(&name) {
                    aliases.push(AliasListEntry {
                        alias_arn: self.alias_arn_for(&name),
                        alias_name: name,
                        target_key_id: None,
                        creation_date: None,
                    });
                }
            }
            aliases.sort_by(|a, b| a.alias_name.cmp(&b.alias_name));
        }
        Ok(ListAliasesResponse {
            aliases,
            truncated: false,
        })
    }
}
