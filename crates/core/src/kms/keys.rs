//! Keys: creation (customer managed, and AWS managed on first use), description, listing,
//! and the key states Enabled, Disabled and PendingDeletion (API reference, *Key states of
//! AWS KMS keys*).

use super::condition_keys::ConditionFacts;
use super::error::{ErrorCode, KmsError, Result};
use super::key::{BackingKey, KeyMaterial, KmsKey};
use super::lookup::{check_limit, DAY};
use super::managed;
use super::operation::Operation;
use super::types::*;
use super::{Alias, Kms, OpCtx};
use crate::authz::{parse_policy, PolicyDocument, PolicyKind};
use crate::env::Env;
use rsa::RsaPrivateKey;
use std::sync::Arc;

impl Kms {
    /// Advances time-driven state: keys whose deletion date has passed are deleted (with
    /// their aliases and grants), and keys due for automatic rotation rotate.
    pub(super) fn tick(&mut self, env: &mut Env) {
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

    pub(super) fn create_managed_key(&mut self, env: &mut Env, service: &str) -> String {
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

    pub(super) fn new_symmetric_key(
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
    pub(super) fn insert_key(
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
            origin: Origin::AWS_KMS,
            key_manager: manager,
            customer_master_key_spec: spec,
            key_spec: spec,
            encryption_algorithms: spec.encryption_algorithms(),
            multi_region: false,
        };
        self.keys.insert(
            uuid,
            KmsKey {
                id_bytes: crate::env::parse_uuid(&metadata.key_id).unwrap_or_default(),
                arn_text: metadata.arn.clone().into(),
                metadata,
                policy_text,
                policy: Arc::new(policy),
                material,
                rotation_period_days: None,
                next_rotation: None,
                deletion_date: None,
            },
        );
    }

    pub(super) fn op_create_key(
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
        if req.origin.is_some_and(|o| o != Origin::AWS_KMS) {
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
        self.authorize(
            ctx,
            Operation::CreateKey.action(),
            None,
            None,
            ConditionFacts::of_new_key(spec),
        )?;
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
        ctx.resources.push(key.arn_text.clone());
        Ok(KeyMetadataResponse {
            key_metadata: key.metadata.clone(),
        })
    }

    pub(super) fn op_describe_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DescribeKeyRequest,
    ) -> Result<KeyMetadataResponse> {
        self.validate_grant_tokens(&req.grant_tokens)?;
        let uuid = self.resolve(ctx.env, &req.key_id, true)?;
        self.authorize(
            ctx,
            Operation::DescribeKey.action(),
            Some(&uuid),
            None,
            ConditionFacts::default(),
        )?;
        Ok(KeyMetadataResponse {
            key_metadata: self.key(&uuid)?.metadata.clone(),
        })
    }

    pub(super) fn op_list_keys(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListKeysRequest,
    ) -> Result<ListKeysResponse> {
        check_limit(req.limit)?;
        self.authorize(
            ctx,
            Operation::ListKeys.action(),
            None,
            None,
            ConditionFacts::default(),
        )?;
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

    pub(super) fn op_enable_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<super::types::Empty> {
        let uuid = self.customer_key_for(ctx, &req.key_id, Operation::EnableKey)?;
        let key = self.key_mut(&uuid)?;
        Self::require_not_pending_deletion(key)?;
        key.set_state(KeyState::Enabled);
        Ok(super::types::Empty {})
    }

    pub(super) fn op_disable_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<super::types::Empty> {
        let uuid = self.customer_key_for(ctx, &req.key_id, Operation::DisableKey)?;
        let key = self.key_mut(&uuid)?;
        Self::require_not_pending_deletion(key)?;
        key.set_state(KeyState::Disabled);
        Ok(super::types::Empty {})
    }

    pub(super) fn op_schedule_key_deletion(
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
        let uuid = self.customer_key_for(ctx, &req.key_id, Operation::ScheduleKeyDeletion)?;
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

    pub(super) fn op_cancel_key_deletion(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<KeyIdResponse> {
        let uuid = self.customer_key_for(ctx, &req.key_id, Operation::CancelKeyDeletion)?;
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
}
