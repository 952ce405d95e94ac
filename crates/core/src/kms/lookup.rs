//! What every operation shares: finding the key a request names, authorizing the caller
//! (the decision is made in `authz`, with the condition keys of `condition_keys`), and the
//! key-state, key-usage and request checks AWS makes before acting, each with AWS's
//! exception and message (API reference, *Key states of AWS KMS keys*; messages as real
//! AWS sends them, recorded in LocalStack's snapshot tests).

use super::cloudtrail::Text;
use super::condition_keys::{ConditionFacts, GlobalKeys, KmsRequestKeys, OwnedRequestKeys};
use super::error::{ErrorCode, KmsError, Result};
use super::key::KmsKey;
use super::managed;
use super::operation::{Action, Operation};
use super::types::*;
use super::{Kms, OpCtx};
use crate::authz::{
    decide, decide_outcome, AuthRequest, Authorization, Caller, CallerPrincipal, Grant,
    GrantConstraints, IamPrincipal, NewGrant, Outcome, PolicyDocument,
};
use crate::context::EncryptionContext;
use crate::env::{parse_uuid, Env};
use std::sync::Arc;

/// The operations a principal of another account may call on a key: "Cross-account
/// permissions are effective only for the following operations ... If you give a user in a
/// different account permission for other operations, those permissions have no effect"
/// (developer guide, *Allowing users in other accounts to use a KMS key*,
/// <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html>).
const CROSS_ACCOUNT_ACTIONS: &[&str] = &[
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeriveSharedSecret",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateMac",
    "kms:GetKeyRotationStatus",
    "kms:GetPublicKey",
    "kms:ListGrants",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:Sign",
    "kms:Verify",
    "kms:VerifyMac",
];

/// What a request is authorized on.
#[derive(Debug, Clone, Copy)]
pub(super) enum AuthTarget<'a> {
    /// The key with this id (its key policy and grants take part).
    Key(&'a str),
    /// No key (CreateKey, ListKeys, ...): resource `*`.
    NoKey,
    /// An alias, by its ARN.
    Alias(&'a str),
}

/// The grant a CreateGrant asks for, owned (see [`NewGrant`]).
#[derive(Debug, Clone)]
pub(super) struct OwnedNewGrant {
    pub operations: Vec<String>,
    pub constraints: Option<GrantConstraints>,
}

impl OwnedNewGrant {
    fn view(&self) -> NewGrant<'_> {
        NewGrant {
            operations: &self.operations,
            constraints: self.constraints.as_ref(),
        }
    }
}

/// `kms:RequestAlias`: the alias name (`alias/...`) a request's `KeyId` gives, as an
/// alias name or alias ARN ("the value of the `kms:RequestAlias` condition key is the
/// alias name", developer guide, *AWS KMS condition keys*).
fn request_alias(key_id: &str) -> Option<String> {
    let name = match key_id.strip_prefix("arn:") {
        Some(arn) => arn_fields(arn)?[4],
        None => key_id,
    };
    name.starts_with("alias/").then(|| name.to_owned())
}

/// An ARN after its `arn:` prefix, `PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, split at
/// its first four colons (the resource keeps any further ones); `None` with fewer. One
/// pass over the bytes: every KMS call that names its key by ARN reads it.
fn arn_fields(arn: &str) -> Option<[&str; 5]> {
    let mut fields = [""; 5];
    let mut rest = arn;
    for field in fields.iter_mut().take(4) {
        let at = rest.bytes().position(|b| b == b':')?;
        *field = rest.get(..at)?;
        rest = rest.get(at + 1..)?;
    }
    fields[4] = rest;
    Some(fields)
}

/// A day, in seconds.
pub(super) const DAY: u64 = 86_400;

/// Whether `id` is a multi-Region key id: `mrk-` and 32 lowercase hex digits.
pub(super) fn is_mrk_id(id: &str) -> bool {
    id.strip_prefix("mrk-").is_some_and(|h| {
        h.len() == 32
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Whether `id` is a key id: a UUID, or a multi-Region key id.
pub(super) fn is_key_id(id: &str) -> bool {
    parse_uuid(id).is_some() || is_mrk_id(id)
}

impl Kms {
    pub(super) fn key_arn_for(&self, key_id: &str) -> String {
        format!("arn:aws:kms:{}:{}:key/{key_id}", self.region, self.account)
    }

    pub(super) fn alias_arn_for(&self, name: &str) -> String {
        format!("arn:aws:kms:{}:{}:{name}", self.region, self.account)
    }

    /// Resolves a key id in any accepted form (key id, key ARN, alias name, alias ARN) to
    /// the key's id. A predefined AWS alias (`alias/aws/workmail`, `alias/aws/ses`)
    /// creates its AWS managed key on first use when `create_managed` is set.
    pub(super) fn resolve(
        &mut self,
        env: &mut Env,
        key_id: &str,
        create_managed: bool,
    ) -> Result<String> {
        self.resolve_as(env, key_id, create_managed, true)
    }

    /// [`Kms::resolve`], for operations that take a key id or key ARN but no alias
    /// (`allow_alias` false: an alias is an invalid key id to them).
    pub(super) fn resolve_as(
        &mut self,
        env: &mut Env,
        key_id: &str,
        create_managed: bool,
        allow_alias: bool,
    ) -> Result<String> {
        let invalid = || {
            KmsError::new(ErrorCode::NotFoundException, format!("Invalid keyId '{key_id}'")).help(
                "Give a key id (a UUID, or mrk- and 32 hex digits for a multi-Region key), a key ARN, an alias name (alias/...) or an alias ARN.",
            )
        };
        let (in_arn, rest) = match key_id.strip_prefix("arn:") {
            Some(arn) => match arn_fields(arn) {
                Some([_, "kms", region, account, rest]) => {
                    if region != self.region {
                        return Err(KmsError::new(ErrorCode::NotFoundException, format!("Invalid arn {region}")).help(format!(
                            "The ARN names Region {region}, but the request went to KMS in {}. Send it to {region}'s endpoint, or use a key of {}.",
                            self.region, self.region
                        )));
                    }
                    if account != self.account {
                        return Err(KmsError::key_not_found(key_id).help(format!(
                            "The ARN names account {account}; this KMS is account {}'s, which has no such key.",
                            self.account
                        )));
                    }
                    (true, rest)
                }
                _ => return Err(invalid()),
            },
            None => (false, key_id),
        };
        if let Some(id) = rest.strip_prefix("key/") {
            return if self.keys.contains_key(id) {
                Ok(id.to_owned())
            } else {
                Err(KmsError::key_not_found(key_id))
            };
        }
        if rest.starts_with("alias/") {
            if !allow_alias {
                return Err(invalid().help(
                    "This operation takes a key id or key ARN, not an alias; DescribeKey on the alias gives its key's ARN.",
                ));
            }
            if let Some(alias) = self.aliases.get(rest) {
                return Ok(alias.target_key_id.clone());
            }
            if let Some(service) = rest
                .strip_prefix("alias/aws/")
                .filter(|s| managed::is_managed_service(s))
            {
                if create_managed {
                    return Ok(self.create_managed_key(env, service));
                }
            }
            return Err(KmsError::new(
                ErrorCode::NotFoundException,
                format!("Alias {} is not found.", self.alias_arn_for(rest)),
            )
            .help("Create it with CreateAlias; ListAliases shows the aliases of this account and Region."));
        }
        if !in_arn && is_key_id(rest) {
            return if self.keys.contains_key(rest) {
                Ok(rest.to_owned())
            } else {
                Err(KmsError::key_not_found(&self.key_arn_for(rest)))
            };
        }
        Err(invalid())
    }

    pub(super) fn key(&self, id: &str) -> Result<&KmsKey> {
        self.keys
            .get(id)
            .ok_or_else(|| KmsError::key_not_found(&self.key_arn_for(id)))
    }

    pub(super) fn key_mut(&mut self, id: &str) -> Result<&mut KmsKey> {
        let arn = self.key_arn_for(id);
        self.keys
            .get_mut(id)
            .ok_or_else(|| KmsError::key_not_found(&arn))
    }

    /// What IAM knows of the caller: its policies and tags (nothing for service
    /// principals, or principals the world has not been told of).
    pub(super) fn iam_principal(&self, caller: &Caller) -> Arc<IamPrincipal> {
        match &caller.principal {
            CallerPrincipal::Iam { arn, .. } => self.iam.get(arn).cloned(),
            CallerPrincipal::Service { .. } => None,
        }
        .unwrap_or_else(|| Arc::clone(&self.no_principal))
    }

    /// The SCPs that apply to the caller: its account's, when the account is in an
    /// organization with SCPs. "SCPs don't affect ... service-linked roles" nor service
    /// principals (IAM User Guide, *Policy evaluation logic*).
    pub(super) fn scps_for(&self, caller: &Caller) -> Option<Arc<[PolicyDocument]>> {
        caller.account().and_then(|a| self.scps.get(a)).cloned()
    }

    /// Authorizes `action` on key `id` (or on no key), records the decision, and turns
    /// a denial into `AccessDeniedException`. The outcome is decided at once; an allowed
    /// request's explanation is built only when someone looks at it.
    pub(super) fn authorize(
        &self,
        ctx: &mut OpCtx<'_>,
        action: Action,
        id: Option<&str>,
        context: Option<&EncryptionContext>,
        facts: ConditionFacts,
    ) -> Result<()> {
        self.authorize_with(ctx, action, id, context, facts, true)
    }

    /// [`Kms::authorize`] by the key policy and IAM policies alone (`use_grants` false):
    /// for permissions grants cannot give, such as retiring another grant.
    pub(super) fn authorize_with(
        &self,
        ctx: &mut OpCtx<'_>,
        action: Action,
        id: Option<&str>,
        context: Option<&EncryptionContext>,
        facts: ConditionFacts,
        use_grants: bool,
    ) -> Result<()> {
        let target = match id {
            Some(id) => AuthTarget::Key(id),
            None => AuthTarget::NoKey,
        };
        self.authorize_on(ctx, action, target, context, facts, use_grants, None)
    }

    /// Authorizes `action` on an alias's own ARN: "To create an alias, you need
    /// permission to create the alias (`kms:CreateAlias` on the alias ARN, in an IAM
    /// policy) and permission on the KMS key (`kms:CreateAlias` in the key policy)", and
    /// likewise for UpdateAlias and DeleteAlias (developer guide, *Controlling access to
    /// aliases*, <https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html>).
    /// An alias has no resource policy: the identity side decides.
    pub(super) fn authorize_alias(
        &self,
        ctx: &mut OpCtx<'_>,
        action: Action,
        alias_name: &str,
    ) -> Result<()> {
        let arn = self.alias_arn_for(alias_name);
        self.authorize_on(
            ctx,
            action,
            AuthTarget::Alias(&arn),
            None,
            ConditionFacts::default(),
            false,
            None,
        )
    }

    /// The one authorization path: on a key, on no key, or on an alias ARN.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn authorize_on(
        &self,
        ctx: &mut OpCtx<'_>,
        action: Action,
        target: AuthTarget<'_>,
        context: Option<&EncryptionContext>,
        mut facts: ConditionFacts,
        use_grants: bool,
        new_grant: Option<OwnedNewGrant>,
    ) -> Result<()> {
        let key = match target {
            AuthTarget::Key(u) => self.keys.get(u),
            _ => None,
        };
        let key_arn = key.map(|k| k.arn.as_str());
        if let Some(k) = key {
            let foreign = ctx.caller.account().is_some_and(|a| a != self.account);
            if foreign && !CROSS_ACCOUNT_ACTIONS.contains(&action.iam) {
                // The request goes to the caller's own account, which has no such key.
                return Err(KmsError::key_not_found(k.arn()).help(format!(
                    "{} is not a cross-account operation: a principal of account {} can call it only on keys of its own account, whatever the key policy says. Cross-account use covers the cryptographic operations, DescribeKey, GetPublicKey, GetKeyRotationStatus and the grant operations.",
                    action.iam.trim_start_matches("kms:"),
                    ctx.caller.account().unwrap_or_default()
                )));
            }
            if !ctx.resources.contains(&k.arn_text) {
                ctx.resources.push(k.arn_text.clone());
            }
            let aliases: Vec<String> = self
                .aliases
                .iter()
                .filter(|(_, a)| a.target_key_id == k.key_id)
                .map(|(name, _)| name.clone())
                .collect();
            facts.resource_aliases = Some(aliases);
        }
        let grants: Vec<Arc<Grant>> = match key_arn.filter(|_| use_grants) {
            Some(arn) => self
                .grants
                .values()
                .filter(|g| g.key_arn == arn)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        let grant_refs: Vec<&Grant> = grants.iter().map(Arc::as_ref).collect();
        let principal = self.iam_principal(&ctx.caller);
        let scps = self.scps_for(&ctx.caller);
        let key_policy = key.map(|k| Arc::clone(&k.policy));
        let resource: Text = match target {
            AuthTarget::Alias(arn) => Text::from(arn.to_owned()),
            _ => key.map_or(Text::Static("*"), |k| k.arn_text.clone()),
        };
        let globals = GlobalKeys::of(
            ctx.env.clock.now_secs(),
            self.region_text.clone(),
            &principal.tags,
        );
        let keys = KmsRequestKeys {
            caller: &ctx.caller,
            globals: &globals,
            action: action.iam,
            resource: &resource,
            context,
            facts: &facts,
        };
        let policies = principal.policies(scps.as_deref());
        let req = AuthRequest {
            caller: &ctx.caller,
            context: &keys,
            grant_operation: action.grant_operation,
            resource_account: &self.account,
            encryption_context: context,
            new_grant: new_grant.as_ref().map(OwnedNewGrant::view),
        };
        let outcome = decide_outcome(&req, key_policy.as_deref(), &policies, &grant_refs);
        debug_assert_eq!(
            outcome,
            decide(&req, key_policy.as_deref(), &policies, &grant_refs).outcome,
            "the fast decision and the explained one disagree"
        );
        if outcome == Outcome::Allowed {
            let owned = OwnedRequestKeys {
                caller: Arc::clone(&ctx.caller),
                globals,
                action: action.iam,
                resource,
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
                        new_grant: new_grant.as_ref().map(OwnedNewGrant::view),
                    };
                    let policies = principal.policies(scps.as_deref());
                    decide(&req, key_policy.as_deref(), &policies, &grant_refs)
                }),
            ));
            Ok(())
        } else {
            let decision = decide(&req, key_policy.as_deref(), &policies, &grant_refs);
            let error = KmsError::new(ErrorCode::AccessDeniedException, decision.aws_denial())
                .help(decision.reason.clone());
            ctx.decisions.push(Authorization::explained(decision));
            Err(error)
        }
    }

    /// Resolves the key of a request, and authorizes `operation` on it with the facts of
    /// the key (its spec, usage, origin, multi-Region type) and of the request.
    pub(super) fn authorized_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        key_id: &str,
        operation: Operation,
        context: Option<&EncryptionContext>,
        with: impl FnOnce(ConditionFacts) -> ConditionFacts,
    ) -> Result<String> {
        let id = self.resolve(ctx.env, key_id, true)?;
        let mut facts = with(ConditionFacts::of_key(self.key(&id)?));
        facts.request_alias = request_alias(key_id);
        self.authorize(ctx, operation.action(), Some(&id), context, facts)?;
        Ok(id)
    }

    /// [`Kms::authorized_key`] for operations that take a key id or key ARN, not an alias
    /// (the API reference of each says "Specify the key ID or key ARN of the KMS key").
    pub(super) fn authorized_key_id(
        &mut self,
        ctx: &mut OpCtx<'_>,
        key_id: &str,
        operation: Operation,
        with: impl FnOnce(ConditionFacts) -> ConditionFacts,
    ) -> Result<String> {
        let id = self.resolve_as(ctx.env, key_id, false, false)?;
        let facts = with(ConditionFacts::of_key(self.key(&id)?));
        self.authorize(ctx, operation.action(), Some(&id), None, facts)?;
        Ok(id)
    }

    /// Resolves, authorizes and refuses AWS managed keys, for operations that change a
    /// key (AWS managed keys are AWS's to change).
    pub(super) fn customer_key_for(
        &mut self,
        ctx: &mut OpCtx<'_>,
        key_id: &str,
        operation: Operation,
    ) -> Result<String> {
        self.customer_key_with(ctx, key_id, operation, |f| f)
    }

    /// [`Kms::customer_key_for`] with facts of the request.
    pub(super) fn customer_key_with(
        &mut self,
        ctx: &mut OpCtx<'_>,
        key_id: &str,
        operation: Operation,
        with: impl FnOnce(ConditionFacts) -> ConditionFacts,
    ) -> Result<String> {
        let id = self.resolve_as(ctx.env, key_id, false, false)?;
        let facts = with(ConditionFacts::of_key(self.key(&id)?));
        self.authorize(ctx, operation.action(), Some(&id), None, facts)?;
        let key = self.key(&id)?;
        if key.manager == KeyManager::AWS {
            return Err(access_denied(&ctx.caller, operation.action(), key.arn()).help(format!(
                "{} is an AWS managed key. AWS manages its key policy, state and rotation; no principal may change them. Use a customer managed key for that.",
                key.arn()
            )));
        }
        Ok(id)
    }

    /// Grant tokens: at most 10 (the model's `GrantTokenList`), each one CreateGrant
    /// returned (a token of a grant since retired is still well-formed).
    pub(super) fn validate_grant_tokens(&self, tokens: &[String]) -> Result<()> {
        for t in tokens {
            if !self.grants.values().any(|g| &g.grant_token == t) && !self.retired_token_shape(t) {
                return Err(KmsError::new(
                    ErrorCode::InvalidGrantTokenException,
                    "Grant token is not valid.".to_owned(),
                )
                .help("Pass the GrantToken exactly as CreateGrant returned it."));
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

/// AWS's `AccessDeniedException`: `User: <principal> is not authorized to perform:
/// <action> on resource: <arn> because no resource-based policy allows the <action>
/// action` (the message real AWS sends for a key policy that does not allow the caller).
pub(super) fn access_denied(caller: &Caller, action: Action, resource: &str) -> KmsError {
    KmsError::new(
        ErrorCode::AccessDeniedException,
        format!(
            "User: {} is not authorized to perform: {} on resource: {resource} because no resource-based policy allows the {} action",
            caller.name(),
            action.iam,
            action.iam
        ),
    )
}

/// The key states an operation accepts, and AWS's error for the others.
pub(super) fn require_state(key: &KmsKey, allowed: &[KeyState]) -> Result<()> {
    let state = key.state();
    if allowed.contains(&state) {
        return Ok(());
    }
    let arn = key.arn();
    Err(match state {
        KeyState::Disabled => KmsError::new(ErrorCode::DisabledException, format!("{arn} is disabled."))
            .help("Enable it with EnableKey first."),
        KeyState::PendingDeletion => KmsError::new(ErrorCode::KMSInvalidStateException, format!("{arn} is pending deletion."))
            .help("Call CancelKeyDeletion (and then EnableKey) before its deletion date to use it again."),
        KeyState::PendingImport => KmsError::new(ErrorCode::KMSInvalidStateException, format!("{arn} is pending import."))
            .help("Its key material has not been imported yet, or was deleted or expired: GetParametersForImport, then ImportKeyMaterial."),
        KeyState::Enabled => KmsError::new(ErrorCode::KMSInvalidStateException, format!("{arn} is enabled.")),
        KeyState::Creating => KmsError::new(ErrorCode::KMSInvalidStateException, format!("{arn} is creating."))
            .help("A new replica key is Creating for a moment; try again shortly."),
        KeyState::PendingReplicaDeletion => KmsError::new(ErrorCode::KMSInvalidStateException, format!("{arn} is pending replica deletion.")),
        KeyState::Unavailable => KmsError::new(ErrorCode::KMSInvalidStateException, format!("{arn} is unavailable.")),
        KeyState::Updating => KmsError::new(ErrorCode::KMSInvalidStateException, format!("{arn} is updating.")),
    })
}

/// Operations that change a key refuse keys pending deletion.
pub(super) fn require_not_pending_deletion(key: &KmsKey) -> Result<()> {
    if key.state == KeyState::PendingDeletion {
        require_state(key, &[])
    } else {
        Ok(())
    }
}

/// Cryptographic operations need an enabled key.
pub(super) const USABLE: &[KeyState] = &[KeyState::Enabled];
/// Reading operations work in every state.
pub(super) const ANY_STATE: &[KeyState] = KeyState::ALL;

/// AWS's `InvalidKeyUsageException` for an operation the key's usage does not allow.
pub(super) fn require_usage(key: &KmsKey, usage: KeyUsage, operation: Operation) -> Result<()> {
    if key.usage == usage {
        Ok(())
    } else {
        Err(wrong_usage(key, operation))
    }
}

/// `<arn> key usage is <usage> which is not valid for <operation>.`
pub(super) fn wrong_usage(key: &KmsKey, operation: Operation) -> KmsError {
    KmsError::new(
        ErrorCode::InvalidKeyUsageException,
        format!(
            "{} key usage is {} which is not valid for {operation}.",
            key.arn(),
            key.usage
        ),
    )
    .help(format!(
        "{operation} needs a key whose KeyUsage allows it; this is a {} {} key.",
        key.spec(),
        key.usage
    ))
}

/// `<arn> key spec is <spec> which is not valid for <operation>.`
pub(super) fn wrong_spec(key: &KmsKey, operation: Operation) -> KmsError {
    KmsError::new(
        ErrorCode::InvalidKeyUsageException,
        format!(
            "{} key spec is {} which is not valid for {operation}.",
            key.arn(),
            key.spec()
        ),
    )
    .help(format!(
        "{operation} needs a symmetric encryption key (KeySpec SYMMETRIC_DEFAULT)."
    ))
}

/// `Algorithm <alg> is incompatible with key spec <spec>.`
pub(super) fn incompatible_algorithm(
    key: &KmsKey,
    algorithm: &str,
    supported: &[&str],
) -> KmsError {
    KmsError::new(
        ErrorCode::InvalidKeyUsageException,
        format!(
            "Algorithm {algorithm} is incompatible with key spec {}.",
            key.spec()
        ),
    )
    .help(format!("{} supports {}.", key.arn(), supported.join(", ")))
}

/// AWS answers a successful `DryRun` with `DryRunOperationException`.
pub(super) fn dry_run_ok() -> KmsError {
    KmsError::new(
        ErrorCode::DryRunOperationException,
        "The request would have succeeded, but the DryRun option is set.".to_owned(),
    )
    .help("Every check passed (validation, authorization, key state); nothing was done because DryRun is true.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_fields_split_at_the_first_four_colons() {
        assert_eq!(
            arn_fields("aws:kms:us-east-1:111122223333:key/abc"),
            Some(["aws", "kms", "us-east-1", "111122223333", "key/abc"])
        );
        assert_eq!(
            arn_fields("aws:kms:eu-west-1:1:alias/a:b"),
            Some(["aws", "kms", "eu-west-1", "1", "alias/a:b"]),
            "the resource keeps further colons"
        );
        assert_eq!(arn_fields("aws:kms::"), None);
        assert_eq!(arn_fields(""), None);
        assert_eq!(arn_fields("::::"), Some(["", "", "", "", ""]));
    }

    #[test]
    fn request_alias_reads_alias_names_and_alias_arns() {
        assert_eq!(request_alias("alias/app").as_deref(), Some("alias/app"));
        assert_eq!(
            request_alias("arn:aws:kms:us-east-1:111122223333:alias/app").as_deref(),
            Some("alias/app")
        );
        assert_eq!(
            request_alias("arn:aws:kms:us-east-1:111122223333:key/1234"),
            None
        );
        assert_eq!(request_alias("arn:aws:kms"), None);
    }
}
