//! The KMS operations. Each follows AWS's order: validate the request, resolve the key,
//! authorize, check the key state, act.

use super::authorize::{decide, AuthRequest, Decision, Outcome};
use super::blob::{BlobError, CiphertextBlob};
use super::error::{ErrorCode, KmsError, Result};
use super::grant::{Grant, CONTEXT_OPERATIONS, GRANT_OPERATIONS, RSA_ENCRYPT_OPERATIONS};
use super::key::{BackingKey, KeyMaterial, KmsKey};
use super::managed;
use super::types::*;
use super::{Alias, Kms, OpCtx};
use crate::authz::{parse_policy, CallerPrincipal, PolicyDocument, PolicyKind};
use crate::context::EncryptionContext;
use crate::crypto;
use crate::env::{parse_uuid, uuid_text, Env};
use crate::wire::{Bytes, Secret};
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use sha2::Digest;
use zeroize::Zeroizing;

const DAY: u64 = 86_400;
/// Maximum Encrypt plaintext (API reference, *Encrypt*: "up to 4,096 bytes").
pub const MAX_PLAINTEXT: usize = 4096;
/// Maximum grant tokens per request (API reference: "Array Members: Maximum number of 10 items").
pub const MAX_GRANT_TOKENS: usize = 10;
/// Maximum key policy size (API reference, *PutKeyPolicy*: 32768 characters).
pub const MAX_POLICY_LEN: usize = 32_768;
/// On-demand rotations allowed per key (developer guide, *On-demand rotation*: "a maximum of 10").
pub const MAX_ON_DEMAND_ROTATIONS: usize = 10;

fn require(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        Err(KmsError::validation(field, "Member must not be null"))
    } else {
        Ok(())
    }
}

fn context_or_empty(c: &Option<EncryptionContext>) -> EncryptionContext {
    c.clone().unwrap_or_default()
}

impl Kms {
    /// Advances time-driven state: keys whose deletion date has passed are deleted (with
    /// their aliases and grants), and keys due for automatic rotation rotate.
    pub(crate) fn tick(&mut self, env: &mut Env) {
        let now = env.clock.now_secs();
        let due: Vec<String> = self
            .keys
            .iter()
            .filter(|(_, k)| k.deletion_date.is_some_and(|d| d <= now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in due {
            if let Some(key) = self.keys.remove(&id) {
                self.aliases.retain(|_, a| a.target_key_id != id);
                self.grants.retain(|_, g| g.key_arn != key.metadata.arn);
            }
        }
        for key in self.keys.values_mut() {
            while let (Some(next), Some(period)) = (key.next_rotation, key.rotation_period_days) {
                if next > now || key.state() != KeyState::Enabled {
                    break;
                }
                if let KeyMaterial::Symmetric(v) = &mut key.material {
                    v.push(BackingKey {
                        material: env.rng.secret::<32>(),
                        created: next,
                        rotation_type: Some("AUTOMATIC"),
                    });
                }
                key.next_rotation = Some(next + u64::from(period) * DAY);
            }
        }
    }

    fn key_arn_for(&self, uuid: &str) -> String {
        format!("arn:aws:kms:{}:{}:key/{uuid}", self.region, self.account)
    }

    fn alias_arn_for(&self, name: &str) -> String {
        format!("arn:aws:kms:{}:{}:{name}", self.region, self.account)
    }

    /// Resolves a key id in any accepted form (key id, key ARN, alias name, alias ARN) to
    /// the key's UUID. A predefined AWS alias (`alias/aws/workmail`, `alias/aws/ses`)
    /// creates its AWS managed key on first use when `create_managed` is set.
    fn resolve(&mut self, env: &mut Env, key_id: &str, create_managed: bool) -> Result<String> {
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

    fn create_managed_key(&mut self, env: &mut Env, service: &str) -> String {
        let policy_text =
            managed::managed_key_policy(service, &self.region, &self.account).unwrap_or_default();
        let policy = serde_json::from_str(&policy_text)
            .ok()
            .and_then(|v| parse_policy(&v, PolicyKind::Resource).ok())
            .unwrap_or_else(|| PolicyDocument {
                version: None,
                id: None,
                statements: Vec::new(),
            });
        let uuid = self.new_symmetric_key(
            env,
            managed::managed_key_description(service),
            KeyManager::AWS,
            policy_text,
            policy,
        );
        // AWS managed keys rotate every year, automatically (developer guide, *AWS managed keys*).
        if let Some(k) = self.keys.get_mut(&uuid) {
            k.rotation_period_days = Some(365);
            k.next_rotation = Some(env.clock.now_secs() + 365 * DAY);
        }
        let alias = format!("alias/aws/{service}");
        self.aliases.insert(
            alias,
            Alias {
                target_key_id: uuid.clone(),
                creation_date: env.clock.now_secs(),
            },
        );
        uuid
    }

    fn new_symmetric_key(
        &mut self,
        env: &mut Env,
        description: String,
        manager: KeyManager,
        policy_text: String,
        policy: PolicyDocument,
    ) -> String {
        let uuid = env.rng.uuid();
        let now = env.clock.now_secs();
        let material = KeyMaterial::Symmetric(vec![BackingKey {
            material: env.rng.secret::<32>(),
            created: now,
            rotation_type: None,
        }]);
        self.insert_key(
            uuid.clone(),
            description,
            manager,
            KeySpec::SYMMETRIC_DEFAULT,
            material,
            policy_text,
            policy,
            now,
        );
        uuid
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_key(
        &mut self,
        uuid: String,
        description: String,
        manager: KeyManager,
        spec: KeySpec,
        material: KeyMaterial,
        policy_text: String,
        policy: PolicyDocument,
        now: u64,
    ) {
        let metadata = KeyMetadata {
            aws_account_id: self.account.clone(),
            key_id: uuid.clone(),
            arn: self.key_arn_for(&uuid),
            creation_date: now,
            enabled: true,
            description,
            key_usage: KeyUsage::ENCRYPT_DECRYPT,
            key_state: KeyState::Enabled,
            deletion_date: None,
            pending_deletion_window_in_days: None,
            origin: "AWS_KMS".to_owned(),
            key_manager: manager,
            customer_master_key_spec: spec,
            key_spec: spec,
            encryption_algorithms: spec.encryption_algorithms(),
            multi_region: false,
        };
        self.keys.insert(
            uuid,
            KmsKey {
                metadata,
                policy_text,
                policy,
                material,
                rotation_period_days: None,
                next_rotation: None,
                deletion_date: None,
            },
        );
    }

    fn key(&self, uuid: &str) -> Result<&KmsKey> {
        self.keys
            .get(uuid)
            .ok_or_else(|| KmsError::key_not_found(uuid))
    }

    fn key_mut(&mut self, uuid: &str) -> Result<&mut KmsKey> {
        self.keys
            .get_mut(uuid)
            .ok_or_else(|| KmsError::key_not_found(uuid))
    }

    /// Authorizes `operation` on key `uuid` (or on no key), records the decision, and
    /// turns a denial into `AccessDeniedException`.
    fn authorize(
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
            operation,
            key_arn: key_arn.as_deref(),
            key_account: &self.account,
            context,
            extra,
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

    fn key_extra(key: &KmsKey) -> Vec<(String, Vec<String>)> {
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
    fn require_usable(key: &KmsKey) -> Result<()> {
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

    fn require_not_pending_deletion(key: &KmsKey) -> Result<()> {
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

    fn require_symmetric(key: &KmsKey, operation: &str) -> Result<()> {
        if key.spec().is_symmetric() {
            Ok(())
        } else {
            Err(KmsError::new(
                ErrorCode::InvalidKeyUsageException,
                format!("{} is an asymmetric {} key; {operation} needs a symmetric encryption KMS key (KeySpec SYMMETRIC_DEFAULT).", key.arn(), key.spec().name()),
            ))
        }
    }

    fn validate_grant_tokens(&self, tokens: &[String]) -> Result<()> {
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
    fn retired_token_shape(&self, token: &str) -> bool {
        token.len() == 88
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// Seals `plaintext` under the newest backing key of symmetric key `uuid`.
    fn seal_symmetric(
        &mut self,
        env: &mut Env,
        uuid: &str,
        context: &EncryptionContext,
        plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        let key = self.key(uuid)?;
        let Some((version, backing)) = key.current_backing() else {
            return Err(KmsError::new(
                ErrorCode::InvalidKeyUsageException,
                format!("{} has no symmetric key material.", key.arn()),
            ));
        };
        let key_id = parse_uuid(uuid).unwrap_or_default();
        let mut blob = CiphertextBlob {
            key_id,
            backing_version: version,
            nonce: env.rng.bytes(),
            sealed: Vec::new(),
        };
        blob.sealed = crypto::seal(
            &backing.material,
            &blob.nonce,
            &blob.aad(key.arn(), context),
            plaintext,
        );
        let bytes = blob.to_bytes();
        self.issued
            .insert(sha2::Sha256::digest(&bytes).into(), context.clone());
        Ok(bytes)
    }

    /// Parses a symmetric ciphertext blob and finds its key.
    fn blob_key(&self, bytes: &[u8]) -> Result<(CiphertextBlob, String)> {
        let blob = CiphertextBlob::parse(bytes).map_err(|e: BlobError| {
            KmsError::new(
                ErrorCode::InvalidCiphertextException,
                format!("The ciphertext is not valid: {e}."),
            )
        })?;
        let uuid = uuid_text(&blob.key_id);
        if !self.keys.contains_key(&uuid) {
            return Err(KmsError::new(
                ErrorCode::NotFoundException,
                format!("The ciphertext refers to key {}, which does not exist (it was deleted, or the ciphertext comes from another account or simulation seed).", self.key_arn_for(&uuid)),
            ));
        }
        Ok((blob, uuid))
    }

    /// Opens a parsed blob; on failure explains why from what the simulation knows.
    fn open_symmetric(
        &self,
        ctx: &mut OpCtx<'_>,
        blob: &CiphertextBlob,
        raw: &[u8],
        uuid: &str,
        context: &EncryptionContext,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let key = self.key(uuid)?;
        let Some(backing) = key.backing(blob.backing_version) else {
            ctx.explanation = Some("Decryption failed because the ciphertext blob was modified: it names a backing key version that does not exist.".to_owned());
            return Err(KmsError::new(
                ErrorCode::InvalidCiphertextException,
                format!("The ciphertext names backing key version {} of {}, which does not exist; the blob was modified.", blob.backing_version, key.arn()),
            ));
        };
        crypto::open(&backing.material, &blob.nonce, &blob.aad(key.arn(), context), &blob.sealed).map_err(|_| {
            let digest: [u8; 32] = sha2::Sha256::digest(raw).into();
            let why = match self.issued.get(&digest) {
                Some(sealed_with) => {
                    let diff = sealed_with.describe_difference(context);
                    format!("the encryption context does not match the one the ciphertext was sealed with: {}", diff.join("; "))
                }
                None => "the ciphertext blob was modified (or never issued by this KMS), so its authentication tag does not verify".to_owned(),
            };
            ctx.explanation = Some(format!("Decryption failed because {why}."));
            KmsError::new(
                ErrorCode::InvalidCiphertextException,
                format!("The ciphertext could not be decrypted: {why}. Pass exactly the CiphertextBlob and EncryptionContext that Encrypt or GenerateDataKey used."),
            )
        })
    }

    // ---- operations -------------------------------------------------------------------

    pub(crate) fn op_create_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: CreateKeyRequest,
    ) -> Result<KeyMetadataResponse> {
        if let Some(d) = &req.description {
            if d.len() > 8192 {
                return Err(KmsError::validation(
                    "description",
                    "Member must have length less than or equal to 8192",
                ));
            }
        }
        if req
            .key_usage
            .is_some_and(|u| u != KeyUsage::ENCRYPT_DECRYPT)
        {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                "The playground models encryption keys only: KeyUsage must be ENCRYPT_DECRYPT."
                    .to_owned(),
            ));
        }
        if let (Some(a), Some(b)) = (req.key_spec, req.customer_master_key_spec) {
            if a != b {
                return Err(KmsError::new(ErrorCode::ValidationException, "KeySpec and CustomerMasterKeySpec disagree; use only KeySpec (CustomerMasterKeySpec is deprecated).".to_owned()));
            }
        }
        if req.origin.as_deref().is_some_and(|o| o != "AWS_KMS") {
            return Err(KmsError::new(
                ErrorCode::UnsupportedOperationException,
                "Only Origin AWS_KMS is modelled (no imported key material or custom key stores)."
                    .to_owned(),
            ));
        }
        if req.multi_region == Some(true) {
            return Err(KmsError::new(
                ErrorCode::UnsupportedOperationException,
                "Multi-Region keys are not modelled; omit MultiRegion.".to_owned(),
            ));
        }
        let spec = req
            .key_spec
            .or(req.customer_master_key_spec)
            .unwrap_or_default();
        let extra = vec![
            ("kms:KeySpec".to_owned(), vec![spec.name().to_owned()]),
            (
                "kms:KeyUsage".to_owned(),
                vec!["ENCRYPT_DECRYPT".to_owned()],
            ),
        ];
        self.authorize(ctx, "CreateKey", None, None, extra)?;
        let policy_text = req
            .policy
            .clone()
            .unwrap_or_else(|| managed::default_key_policy(&self.account));
        let policy = self.parse_key_policy(&policy_text)?;
        if req.policy.is_some() && !req.bypass_policy_lockout_safety_check {
            self.lockout_check(ctx, &policy)?;
        }
        let description = req.description.unwrap_or_default();
        let now = ctx.env.clock.now_secs();
        let uuid = match spec.rsa_bits() {
            None => self.new_symmetric_key(
                ctx.env,
                description,
                KeyManager::CUSTOMER,
                policy_text,
                policy,
            ),
            Some(bits) => {
                let uuid = ctx.env.rng.uuid();
                let private = RsaPrivateKey::new(&mut ctx.env.rng, bits).map_err(|e| {
                    KmsError::new(
                        ErrorCode::DependencyTimeoutException,
                        format!("RSA key generation failed ({e}); retry the request."),
                    )
                })?;
                self.insert_key(
                    uuid.clone(),
                    description,
                    KeyManager::CUSTOMER,
                    spec,
                    KeyMaterial::Rsa(Box::new(private)),
                    policy_text,
                    policy,
                    now,
                );
                uuid
            }
        };
        let key = self.key(&uuid)?;
        ctx.resources.push(key.arn().to_owned());
        Ok(KeyMetadataResponse {
            key_metadata: key.metadata.clone(),
        })
    }

    fn parse_key_policy(&self, text: &str) -> Result<PolicyDocument> {
        if text.len() > MAX_POLICY_LEN {
            return Err(KmsError::validation(
                "policy",
                "Member must have length less than or equal to 32768",
            ));
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            KmsError::new(
                ErrorCode::MalformedPolicyDocumentException,
                format!("The key policy is not valid JSON: {e}."),
            )
        })?;
        parse_policy(&value, PolicyKind::Resource).map_err(|e| {
            KmsError::new(
                ErrorCode::MalformedPolicyDocumentException,
                format!("The key policy is not valid: {e}"),
            )
        })
    }

    /// AWS's policy lockout safety check: the new policy must let the caller make a later
    /// PutKeyPolicy request (API reference, *PutKeyPolicy*, `BypassPolicyLockoutSafetyCheck`).
    fn lockout_check(&self, ctx: &OpCtx<'_>, policy: &PolicyDocument) -> Result<()> {
        let identity = match &ctx.caller.principal {
            CallerPrincipal::Iam { arn, .. } => self.iam.get(arn).map(Vec::as_slice).unwrap_or(&[]),
            CallerPrincipal::Service { .. } => &[],
        };
        let probe_arn = format!(
            "arn:aws:kms:{}:{}:key/lockout-check",
            self.region, self.account
        );
        let req = AuthRequest {
            caller: ctx.caller,
            operation: "PutKeyPolicy",
            key_arn: Some(&probe_arn),
            key_account: &self.account,
            context: None,
            extra: Vec::new(),
        };
        let d: Decision = decide(&req, Some(policy), identity, &[]);
        if d.outcome == Outcome::Allowed {
            Ok(())
        } else {
            Err(KmsError::new(
                ErrorCode::MalformedPolicyDocumentException,
                format!("The new key policy will not allow you to update the key policy in the future: {} Add a statement allowing kms:PutKeyPolicy to {} (or the account root), or set BypassPolicyLockoutSafetyCheck.", d.reason, ctx.caller.name()),
            ))
        }
    }

    pub(crate) fn op_describe_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DescribeKeyRequest,
    ) -> Result<KeyMetadataResponse> {
        self.validate_grant_tokens(&req.grant_tokens)?;
        let uuid = self.resolve(ctx.env, &req.key_id, true)?;
        self.authorize(ctx, "DescribeKey", Some(&uuid), None, Vec::new())?;
        Ok(KeyMetadataResponse {
            key_metadata: self.key(&uuid)?.metadata.clone(),
        })
    }

    pub(crate) fn op_list_keys(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListKeysRequest,
    ) -> Result<ListKeysResponse> {
        check_limit(req.limit)?;
        self.authorize(ctx, "ListKeys", None, None, Vec::new())?;
        let keys = self
            .keys
            .values()
            .map(|k| KeyListEntry {
                key_id: k.metadata.key_id.clone(),
                key_arn: k.metadata.arn.clone(),
            })
            .collect();
        Ok(ListKeysResponse {
            keys,
            truncated: false,
        })
    }

    fn validate_alias_name(name: &str) -> Result<()> {
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

    pub(crate) fn op_create_alias(
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
        self.authorize(ctx, "CreateAlias", Some(&uuid), None, Vec::new())?;
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

    pub(crate) fn op_delete_alias(
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
            "DeleteAlias",
            Some(&alias.target_key_id),
            None,
            Vec::new(),
        )?;
        self.aliases.remove(&req.alias_name);
        Ok(super::types::Empty {})
    }

    pub(crate) fn op_list_aliases(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListAliasesRequest,
    ) -> Result<ListAliasesResponse> {
        check_limit(req.limit)?;
        let filter = match &req.key_id {
            Some(k) => {
                let uuid = self.resolve(ctx.env, k, false)?;
                self.authorize(ctx, "ListAliases", Some(&uuid), None, Vec::new())?;
                Some(uuid)
            }
            None => {
                self.authorize(ctx, "ListAliases", None, None, Vec::new())?;
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

    pub(crate) fn op_encrypt(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: EncryptRequest,
    ) -> Result<EncryptResponse> {
        let n = req.plaintext.expose().len();
        if n == 0 {
            return Err(KmsError::validation(
                "plaintext",
                "Member must have length greater than or equal to 1",
            ));
        }
        if n > MAX_PLAINTEXT {
            return Err(KmsError::validation(
                "plaintext",
                "Member must have length less than or equal to 4096",
            ));
        }
        self.validate_grant_tokens(&req.grant_tokens)?;
        let uuid = self.resolve(ctx.env, &req.key_id, true)?;
        let context = context_or_empty(&req.encryption_context);
        let mut extra = Self::key_extra(self.key(&uuid)?);
        let algorithm = req
            .encryption_algorithm
            .unwrap_or(EncryptionAlgorithm::SYMMETRIC_DEFAULT);
        extra.push((
            "kms:EncryptionAlgorithm".to_owned(),
            vec![algorithm.name().to_owned()],
        ));
        self.authorize(
            ctx,
            "Encrypt",
            Some(&uuid),
            req.encryption_context.as_ref(),
            extra,
        )?;
        let key = self.key(&uuid)?;
        Self::require_usable(key)?;
        let arn = key.arn().to_owned();
        if req.dry_run {
            return Err(dry_run_ok());
        }
        match &key.material {
            KeyMaterial::Symmetric(_) => {
                if algorithm != EncryptionAlgorithm::SYMMETRIC_DEFAULT {
                    return Err(incompatible_algorithm(key, algorithm));
                }
                let blob = self.seal_symmetric(ctx.env, &uuid, &context, req.plaintext.expose())?;
                Ok(EncryptResponse {
                    ciphertext_blob: Bytes(blob),
                    key_id: arn,
                    encryption_algorithm: algorithm,
                })
            }
            KeyMaterial::Rsa(private) => {
                if req.encryption_context.is_some() {
                    return Err(KmsError::new(ErrorCode::ValidationException, "EncryptionContext is not supported with asymmetric KMS keys; omit it (RSA encryption binds no context).".to_owned()));
                }
                let public = RsaPublicKey::from(private.as_ref());
                let out = rsa_encrypt(ctx.env, &public, algorithm, req.plaintext.expose(), key)?;
                Ok(EncryptResponse {
                    ciphertext_blob: Bytes(out),
                    key_id: arn,
                    encryption_algorithm: algorithm,
                })
            }
        }
    }

    pub(crate) fn op_decrypt(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DecryptRequest,
    ) -> Result<DecryptResponse> {
        if req.ciphertext_blob.0.is_empty() {
            return Err(KmsError::validation(
                "ciphertextBlob",
                "Member must have length greater than or equal to 1",
            ));
        }
        if req.ciphertext_blob.0.len() > 6144 {
            return Err(KmsError::validation(
                "ciphertextBlob",
                "Member must have length less than or equal to 6144",
            ));
        }
        self.validate_grant_tokens(&req.grant_tokens)?;
        let context = context_or_empty(&req.encryption_context);
        // An asymmetric key must be named: its ciphertext does not identify it.
        let named = match &req.key_id {
            Some(k) => Some(self.resolve(ctx.env, k, true)?),
            None => None,
        };
        if let Some(uuid) = &named {
            let key = self.key(uuid)?;
            if let KeyMaterial::Rsa(_) = key.material {
                let algorithm = req
                    .encryption_algorithm
                    .unwrap_or(EncryptionAlgorithm::SYMMETRIC_DEFAULT);
                let mut extra = Self::key_extra(key);
                extra.push((
                    "kms:EncryptionAlgorithm".to_owned(),
                    vec![algorithm.name().to_owned()],
                ));
                self.authorize(
                    ctx,
                    "Decrypt",
                    Some(uuid),
                    req.encryption_context.as_ref(),
                    extra,
                )?;
                let key = self.key(uuid)?;
                Self::require_usable(key)?;
                if req.encryption_context.is_some() {
                    return Err(KmsError::new(
                        ErrorCode::ValidationException,
                        "EncryptionContext is not supported with asymmetric KMS keys; omit it."
                            .to_owned(),
                    ));
                }
                if req.dry_run {
                    return Err(dry_run_ok());
                }
                let pt = rsa_decrypt(key, algorithm, &req.ciphertext_blob.0)?;
                return Ok(DecryptResponse {
                    key_id: key.arn().to_owned(),
                    plaintext: Secret(pt),
                    encryption_algorithm: algorithm,
                });
            }
        }
        let (blob, uuid) = self.blob_key(&req.ciphertext_blob.0)?;
        if let Some(named) = &named {
            if named != &uuid {
                return Err(KmsError::new(
                    ErrorCode::IncorrectKeyException,
                    format!("The key ID in the request does not identify a KMS key that can perform this operation: the ciphertext was encrypted under {}, not {}. Omit KeyId, or give the key that encrypted it.", self.key_arn_for(&uuid), self.key_arn_for(named)),
                ));
            }
        }
        let algorithm = req
            .encryption_algorithm
            .unwrap_or(EncryptionAlgorithm::SYMMETRIC_DEFAULT);
        let mut extra = Self::key_extra(self.key(&uuid)?);
        extra.push((
            "kms:EncryptionAlgorithm".to_owned(),
            vec![algorithm.name().to_owned()],
        ));
        self.authorize(
            ctx,
            "Decrypt",
            Some(&uuid),
            req.encryption_context.as_ref(),
            extra,
        )?;
        let key = self.key(&uuid)?;
        Self::require_usable(key)?;
        if algorithm != EncryptionAlgorithm::SYMMETRIC_DEFAULT {
            return Err(incompatible_algorithm(key, algorithm));
        }
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let pt = self.open_symmetric(ctx, &blob, &req.ciphertext_blob.0, &uuid, &context)?;
        Ok(DecryptResponse {
            key_id: self.key_arn_for(&uuid),
            plaintext: Secret(pt),
            encryption_algorithm: algorithm,
        })
    }

    fn generate(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateDataKeyRequest,
        operation: &str,
    ) -> Result<(Bytes, Secret, String)> {
        let len = match (req.number_of_bytes, req.key_spec) {
            (Some(_), Some(_)) => {
                return Err(KmsError::new(ErrorCode::ValidationException, "Specify either KeySpec or NumberOfBytes, not both. KeySpec AES_256 asks for a 32-byte key.".to_owned()))
            }
            (None, None) => {
                return Err(KmsError::new(ErrorCode::ValidationException, "Specify either KeySpec or NumberOfBytes. KeySpec AES_256 asks for a 32-byte key.".to_owned()))
            }
            (Some(n), None) if !(1..=1024).contains(&n) => {
                return Err(KmsError::validation("numberOfBytes", if n == 0 { "Member must have value greater than or equal to 1" } else { "Member must have value less than or equal to 1024" }))
            }
            (Some(n), None) => n as usize,
            (None, Some(DataKeySpec::AES_256)) => 32,
            (None, Some(DataKeySpec::AES_128)) => 16,
        };
        self.validate_grant_tokens(&req.grant_tokens)?;
        let uuid = self.resolve(ctx.env, &req.key_id, true)?;
        let extra = Self::key_extra(self.key(&uuid)?);
        self.authorize(
            ctx,
            operation,
            Some(&uuid),
            req.encryption_context.as_ref(),
            extra,
        )?;
        let key = self.key(&uuid)?;
        Self::require_usable(key)?;
        Self::require_symmetric(key, operation)?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let arn = key.arn().to_owned();
        let mut data_key = Zeroizing::new(vec![0u8; len]);
        ctx.env.rng.fill(&mut data_key);
        let blob = self.seal_symmetric(
            ctx.env,
            &uuid,
            &context_or_empty(&req.encryption_context),
            &data_key,
        )?;
        Ok((Bytes(blob), Secret(data_key), arn))
    }

    pub(crate) fn op_generate_data_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        let (blob, plaintext, key_id) = self.generate(ctx, req, "GenerateDataKey")?;
        Ok(GenerateDataKeyResponse {
            ciphertext_blob: blob,
            plaintext: Some(plaintext),
            key_id,
        })
    }

    pub(crate) fn op_generate_data_key_without_plaintext(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        let (blob, _plaintext, key_id) =
            self.generate(ctx, req, "GenerateDataKeyWithoutPlaintext")?;
        Ok(GenerateDataKeyResponse {
            ciphertext_blob: blob,
            plaintext: None,
            key_id,
        })
    }

    pub(crate) fn op_re_encrypt(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ReEncryptRequest,
    ) -> Result<ReEncryptResponse> {
        if req.ciphertext_blob.0.is_empty() {
            return Err(KmsError::validation(
                "ciphertextBlob",
                "Member must have length greater than or equal to 1",
            ));
        }
        self.validate_grant_tokens(&req.grant_tokens)?;
        if req
            .source_encryption_algorithm
            .is_some_and(|a| a != EncryptionAlgorithm::SYMMETRIC_DEFAULT)
            || req
                .destination_encryption_algorithm
                .is_some_and(|a| a != EncryptionAlgorithm::SYMMETRIC_DEFAULT)
        {
            return Err(KmsError::new(
                ErrorCode::UnsupportedOperationException,
                "The playground models ReEncrypt between symmetric keys only.".to_owned(),
            ));
        }
        let dest = self.resolve(ctx.env, &req.destination_key_id, true)?;
        let (blob, source) = self.blob_key(&req.ciphertext_blob.0)?;
        if let Some(k) = &req.source_key_id {
            let named = self.resolve(ctx.env, k, true)?;
            if named != source {
                return Err(KmsError::new(
                    ErrorCode::IncorrectKeyException,
                    format!("SourceKeyId {} does not identify the key that encrypted the ciphertext ({}).", self.key_arn_for(&named), self.key_arn_for(&source)),
                ));
            }
        }
        let src_ctx = context_or_empty(&req.source_encryption_context);
        let dst_ctx = context_or_empty(&req.destination_encryption_context);
        self.authorize(
            ctx,
            "ReEncryptFrom",
            Some(&source),
            req.source_encryption_context.as_ref(),
            Self::key_extra(self.key(&source)?),
        )?;
        self.authorize(
            ctx,
            "ReEncryptTo",
            Some(&dest),
            req.destination_encryption_context.as_ref(),
            Self::key_extra(self.key(&dest)?),
        )?;
        Self::require_usable(self.key(&source)?)?;
        let dest_key = self.key(&dest)?;
        Self::require_usable(dest_key)?;
        Self::require_symmetric(dest_key, "ReEncrypt")?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let pt = self.open_symmetric(ctx, &blob, &req.ciphertext_blob.0, &source, &src_ctx)?;
        let out = self.seal_symmetric(ctx.env, &dest, &dst_ctx, &pt)?;
        Ok(ReEncryptResponse {
            ciphertext_blob: Bytes(out),
            source_key_id: self.key_arn_for(&source),
            key_id: self.key_arn_for(&dest),
            source_encryption_algorithm: EncryptionAlgorithm::SYMMETRIC_DEFAULT,
            destination_encryption_algorithm: EncryptionAlgorithm::SYMMETRIC_DEFAULT,
        })
    }

    /// Resolves, authorizes and rejects AWS managed keys for operations that change a key.
    fn customer_key_for(
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

    pub(crate) fn op_enable_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<super::types::Empty> {
        let uuid = self.customer_key_for(ctx, &req.key_id, "EnableKey")?;
        let key = self.key_mut(&uuid)?;
        Self::require_not_pending_deletion(key)?;
        key.set_state(KeyState::Enabled);
        Ok(super::types::Empty {})
    }

    pub(crate) fn op_disable_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<super::types::Empty> {
        let uuid = self.customer_key_for(ctx, &req.key_id, "DisableKey")?;
        let key = self.key_mut(&uuid)?;
        Self::require_not_pending_deletion(key)?;
        key.set_state(KeyState::Disabled);
        Ok(super::types::Empty {})
    }

    pub(crate) fn op_schedule_key_deletion(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse> {
        let days = req.pending_window_in_days.unwrap_or(30);
        if !(7..=30).contains(&days) {
            return Err(KmsError::validation(
                "pendingWindowInDays",
                if days < 7 {
                    "Member must have value greater than or equal to 7"
                } else {
                    "Member must have value less than or equal to 30"
                },
            ));
        }
        let uuid = self.customer_key_for(ctx, &req.key_id, "ScheduleKeyDeletion")?;
        let now = ctx.env.clock.now_secs();
        let key = self.key_mut(&uuid)?;
        Self::require_not_pending_deletion(key)?;
        let date = now + u64::from(days) * DAY;
        key.set_state(KeyState::PendingDeletion);
        key.deletion_date = Some(date);
        key.metadata.deletion_date = Some(date);
        key.metadata.pending_deletion_window_in_days = Some(days);
        Ok(ScheduleKeyDeletionResponse {
            key_id: key.arn().to_owned(),
            deletion_date: date,
            key_state: KeyState::PendingDeletion,
            pending_window_in_days: days,
        })
    }

    pub(crate) fn op_cancel_key_deletion(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<KeyIdResponse> {
        let uuid = self.customer_key_for(ctx, &req.key_id, "CancelKeyDeletion")?;
        let key = self.key_mut(&uuid)?;
        if key.state() != KeyState::PendingDeletion {
            return Err(KmsError::new(
                ErrorCode::KMSInvalidStateException,
                format!(
                    "{} is not pending deletion, so there is no deletion to cancel.",
                    key.arn()
                ),
            ));
        }
        // AWS: "the key state of the KMS key is Disabled" after cancellation.
        key.set_state(KeyState::Disabled);
        key.deletion_date = None;
        key.metadata.deletion_date = None;
        key.metadata.pending_deletion_window_in_days = None;
        Ok(KeyIdResponse {
            key_id: key.arn().to_owned(),
        })
    }

    pub(crate) fn op_enable_key_rotation(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: EnableKeyRotationRequest,
    ) -> Result<super::types::Empty> {
        let period = req.rotation_period_in_days.unwrap_or(365);
        if !(90..=2560).contains(&period) {
            return Err(KmsError::validation(
                "rotationPeriodInDays",
                if period < 90 {
                    "Member must have value greater than or equal to 90"
                } else {
                    "Member must have value less than or equal to 2560"
                },
            ));
        }
        let uuid = self.customer_key_for(ctx, &req.key_id, "EnableKeyRotation")?;
        let now = ctx.env.clock.now_secs();
        let key = self.key_mut(&uuid)?;
        Self::require_usable(key)?;
        if !key.spec().is_symmetric() {
            return Err(KmsError::new(ErrorCode::UnsupportedOperationException, format!("{} is asymmetric; automatic rotation is supported only for symmetric encryption KMS keys.", key.arn())));
        }
        key.rotation_period_days = Some(period);
        key.next_rotation = Some(now + u64::from(period) * DAY);
        Ok(super::types::Empty {})
    }

    pub(crate) fn op_disable_key_rotation(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<super::types::Empty> {
        let uuid = self.customer_key_for(ctx, &req.key_id, "DisableKeyRotation")?;
        let key = self.key_mut(&uuid)?;
        Self::require_usable(key)?;
        if !key.spec().is_symmetric() {
            return Err(KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!(
                    "{} is asymmetric; it has no automatic rotation to disable.",
                    key.arn()
                ),
            ));
        }
        key.rotation_period_days = None;
        key.next_rotation = None;
        Ok(super::types::Empty {})
    }

    pub(crate) fn op_get_key_rotation_status(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<KeyRotationStatusResponse> {
        let uuid = self.resolve(ctx.env, &req.key_id, false)?;
        self.authorize(ctx, "GetKeyRotationStatus", Some(&uuid), None, Vec::new())?;
        let key = self.key(&uuid)?;
        Self::require_not_pending_deletion(key)?;
        Ok(KeyRotationStatusResponse {
            key_rotation_enabled: key.rotation_period_days.is_some(),
            key_id: key.arn().to_owned(),
            rotation_period_in_days: key.rotation_period_days,
            next_rotation_date: key.next_rotation,
        })
    }

    pub(crate) fn op_rotate_key_on_demand(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<KeyIdResponse> {
        let uuid = self.customer_key_for(ctx, &req.key_id, "RotateKeyOnDemand")?;
        let now = ctx.env.clock.now_secs();
        let material = ctx.env.rng.secret::<32>();
        let key = self.key_mut(&uuid)?;
        Self::require_usable(key)?;
        let arn = key.arn().to_owned();
        match &mut key.material {
            KeyMaterial::Symmetric(versions) => {
                if versions.iter().filter(|v| v.rotation_type == Some("ON_DEMAND")).count() >= MAX_ON_DEMAND_ROTATIONS {
                    return Err(KmsError::new(ErrorCode::LimitExceededException, format!("{arn} has already been rotated on demand {MAX_ON_DEMAND_ROTATIONS} times, the maximum. Enable automatic rotation instead.")));
                }
                versions.push(BackingKey { material, created: now, rotation_type: Some("ON_DEMAND") });
                Ok(KeyIdResponse { key_id: arn })
            }
            KeyMaterial::Rsa(_) => Err(KmsError::new(ErrorCode::UnsupportedOperationException, format!("{arn} is asymmetric; on-demand rotation is supported only for symmetric encryption KMS keys."))),
        }
    }

    pub(crate) fn op_list_key_rotations(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<ListKeyRotationsResponse> {
        let uuid = self.resolve(ctx.env, &req.key_id, false)?;
        self.authorize(ctx, "ListKeyRotations", Some(&uuid), None, Vec::new())?;
        let key = self.key(&uuid)?;
        let rotations = match &key.material {
            KeyMaterial::Symmetric(v) => v
                .iter()
                .filter_map(|b| {
                    b.rotation_type.map(|t| RotationEntry {
                        key_id: key.arn().to_owned(),
                        rotation_date: b.created,
                        rotation_type: t.to_owned(),
                    })
                })
                .collect(),
            KeyMaterial::Rsa(_) => Vec::new(),
        };
        Ok(ListKeyRotationsResponse {
            rotations,
            truncated: false,
        })
    }

    pub(crate) fn op_get_key_policy(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GetKeyPolicyRequest,
    ) -> Result<GetKeyPolicyResponse> {
        check_policy_name(req.policy_name.as_deref())?;
        let uuid = self.resolve(ctx.env, &req.key_id, false)?;
        self.authorize(ctx, "GetKeyPolicy", Some(&uuid), None, Vec::new())?;
        Ok(GetKeyPolicyResponse {
            policy: self.key(&uuid)?.policy_text.clone(),
            policy_name: "default".to_owned(),
        })
    }

    pub(crate) fn op_put_key_policy(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: PutKeyPolicyRequest,
    ) -> Result<super::types::Empty> {
        check_policy_name(req.policy_name.as_deref())?;
        require("policy", &req.policy)?;
        let uuid = self.customer_key_for(ctx, &req.key_id, "PutKeyPolicy")?;
        let policy = self.parse_key_policy(&req.policy)?;
        if !req.bypass_policy_lockout_safety_check {
            self.lockout_check(ctx, &policy)?;
        }
        let key = self.key_mut(&uuid)?;
        Self::require_not_pending_deletion(key)?;
        key.policy = policy;
        key.policy_text = req.policy;
        Ok(super::types::Empty {})
    }

    pub(crate) fn op_create_grant(
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
        let mut extra = vec![
            ("kms:GrantOperations".to_owned(), req.operations.clone()),
            (
                "kms:GranteePrincipal".to_owned(),
                vec![req.grantee_principal.clone()],
            ),
            (
                "kms:GrantIsForAWSResource".to_owned(),
                vec![ctx.caller.via_service.is_some().to_string()],
            ),
        ];
        if let Some(r) = &req.retiring_principal {
            extra.push(("kms:RetiringPrincipal".to_owned(), vec![r.clone()]));
        }
        if let Some(c) = &req.constraints {
            let kind = if c.encryption_context_equals.is_some() {
                "EncryptionContextEquals"
            } else {
                "EncryptionContextSubset"
            };
            extra.push(("kms:GrantConstraintType".to_owned(), vec![kind.to_owned()]));
        }
        extra.extend(Self::key_extra(self.key(&uuid)?));
        self.authorize(
            ctx,
            "CreateGrant",
            Some(&uuid),
            constraint_context.as_ref(),
            extra,
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
        self.grants.insert(grant_id.clone(), grant);
        Ok(CreateGrantResponse {
            grant_token,
            grant_id,
        })
    }

    pub(crate) fn op_list_grants(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListGrantsRequest,
    ) -> Result<ListGrantsResponse> {
        check_limit(req.limit)?;
        let uuid = self.resolve(ctx.env, &req.key_id, false)?;
        self.authorize(ctx, "ListGrants", Some(&uuid), None, Vec::new())?;
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
            .map(|g| g.list_entry(&uuid))
            .collect();
        Ok(ListGrantsResponse {
            grants,
            truncated: false,
        })
    }

    /// RetireGrant: allowed to the grant's retiring principal, to its grantee when the grant
    /// includes `RetireGrant`, and to the root of the account that created it (developer
    /// guide, *Retiring and revoking grants*). Key policies do not control it.
    pub(crate) fn op_retire_grant(
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
        ctx.resources.push(grant.key_arn.clone());
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

    pub(crate) fn op_revoke_grant(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: RevokeGrantRequest,
    ) -> Result<super::types::Empty> {
        require("grantId", &req.grant_id)?;
        let uuid = self.resolve(ctx.env, &req.key_id, false)?;
        self.authorize(ctx, "RevokeGrant", Some(&uuid), None, Vec::new())?;
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

/// AWS answers a successful `DryRun` with `DryRunOperationException`.
fn dry_run_ok() -> KmsError {
    KmsError::new(
        ErrorCode::DryRunOperationException,
        "The request would have succeeded, but the DryRun parameter was set.".to_owned(),
    )
}

fn check_limit(limit: Option<u32>) -> Result<()> {
    match limit {
        Some(l) if !(1..=1000).contains(&l) => Err(KmsError::validation(
            "limit",
            "Member must have value between 1 and 1000",
        )),
        _ => Ok(()),
    }
}

fn check_policy_name(name: Option<&str>) -> Result<()> {
    match name {
        None | Some("default") => Ok(()),
        Some(other) => Err(KmsError::new(
            ErrorCode::NotFoundException,
            format!("Policy name {other} does not exist; the only key policy name is \"default\"."),
        )),
    }
}

fn incompatible_algorithm(key: &KmsKey, algorithm: EncryptionAlgorithm) -> KmsError {
    KmsError::new(
        ErrorCode::InvalidKeyUsageException,
        format!(
            "{} is a {} key; it supports {} but the request asked for {}.",
            key.arn(),
            key.spec().name(),
            key.spec()
                .encryption_algorithms()
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join(", "),
            algorithm.name()
        ),
    )
}

fn oaep(algorithm: EncryptionAlgorithm) -> Option<Oaep> {
    match algorithm {
        EncryptionAlgorithm::RSAES_OAEP_SHA_1 => Some(Oaep::new::<sha1::Sha1>()),
        EncryptionAlgorithm::RSAES_OAEP_SHA_256 => Some(Oaep::new::<sha2::Sha256>()),
        EncryptionAlgorithm::SYMMETRIC_DEFAULT => None,
    }
}

fn rsa_encrypt(
    env: &mut Env,
    public: &RsaPublicKey,
    algorithm: EncryptionAlgorithm,
    plaintext: &[u8],
    key: &KmsKey,
) -> Result<Vec<u8>> {
    let padding = oaep(algorithm).ok_or_else(|| {
        KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!("{} is an asymmetric {} key: give EncryptionAlgorithm RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256 (SYMMETRIC_DEFAULT is for symmetric keys).", key.arn(), key.spec().name()),
        )
    })?;
    let max = key.spec().rsa_bits().unwrap_or(2048) / 8
        - 2
        - 2 * if algorithm == EncryptionAlgorithm::RSAES_OAEP_SHA_1 {
            20
        } else {
            32
        };
    if plaintext.len() > max {
        return Err(KmsError::validation(
            "plaintext",
            &format!(
                "Member must have length less than or equal to {max} for {} with {}",
                key.spec().name(),
                algorithm.name()
            ),
        ));
    }
    public
        .encrypt(&mut env.rng, padding, plaintext)
        .map_err(|e| {
            KmsError::new(
                ErrorCode::ValidationException,
                format!("RSA encryption failed: {e}."),
            )
        })
}

fn rsa_decrypt(
    key: &KmsKey,
    algorithm: EncryptionAlgorithm,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let KeyMaterial::Rsa(private) = &key.material else {
        return Err(KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!("{} is not an RSA key.", key.arn()),
        ));
    };
    let padding = oaep(algorithm).ok_or_else(|| {
        KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!("{} is an asymmetric {} key: Decrypt needs the EncryptionAlgorithm used to encrypt (RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256).", key.arn(), key.spec().name()),
        )
    })?;
    private.decrypt(padding, ciphertext).map(Zeroizing::new).map_err(|_| {
        KmsError::new(
            ErrorCode::InvalidCiphertextException,
            format!("The ciphertext could not be decrypted with {} using {}: it was modified, or encrypted with another key or algorithm.", key.arn(), algorithm.name()),
        )
    })
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
