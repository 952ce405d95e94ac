//! Keys: creation of every key spec the playground models (customer managed, and AWS
//! managed on first use), description, listing, the key states (API reference, *Key
//! states of AWS KMS keys*), and what time does to keys: deletion, automatic rotation,
//! expiry of imported key material.

use super::condition_keys::ConditionFacts;
use super::error::{ErrorCode, KmsError, Result};
use super::key::{BackingKey, KeyMaterial, KmsKey, MultiRegion};
use super::lookup::{require_not_pending_deletion, require_state, ANY_STATE, DAY};
use super::managed;
use super::multi_region::RegionEffect;
use super::operation::Operation;
use super::page::{page, KEYS};
use super::tags::validate_tags;
use super::types::*;
use super::{Alias, Kms, OpCtx};
use crate::authz::{parse_policy, PolicyDocument, PolicyKind};
use crate::crypto::{self, EccPrivateKey};
use crate::env::Env;
use sha2::Digest;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The id of generated key material version `version` of key `key_id`: 64 hex digits,
/// derived from public facts only (the same in every Region of a multi-Region key).
pub(super) fn generated_material_id(key_id: &str, version: u32) -> String {
    let mut h = sha2::Sha256::new();
    h.update(b"kmsplay key material id\0");
    h.update(key_id.as_bytes());
    h.update(version.to_be_bytes());
    hex::encode(h.finalize())
}

/// The id of imported key material: AWS derives it "based on the KMS key ID and the
/// imported key material" (API reference, *ImportKeyMaterial*, `KeyMaterialId`), so the
/// same material imported again has the same id.
pub(super) fn imported_material_id(key_id: &str, material: &[u8]) -> String {
    let mut h = sha2::Sha256::new();
    h.update(b"kmsplay imported key material id\0");
    h.update(key_id.as_bytes());
    h.update(material);
    hex::encode(h.finalize())
}

/// What a new key is made of.
pub(super) struct NewKey {
    pub key_id: String,
    pub description: String,
    pub spec: KeySpec,
    pub usage: KeyUsage,
    pub origin: Origin,
    pub manager: KeyManager,
    pub policy_text: String,
    pub policy: PolicyDocument,
    pub material: KeyMaterial,
    pub tags: Vec<Tag>,
    pub multi_region: Option<MultiRegion>,
    pub now: u64,
}

impl Kms {
    /// Builds a key of this account and Region.
    pub(super) fn build_key(&self, k: NewKey) -> KmsKey {
        let arn = self.key_arn_for(&k.key_id);
        let id_hex = k.key_id.strip_prefix("mrk-").unwrap_or(&k.key_id);
        let id_bytes = crate::env::parse_uuid(id_hex)
            .or_else(|| hex::decode(id_hex).ok().and_then(|b| b.try_into().ok()))
            .unwrap_or_default();
        let binding = if k.multi_region.is_some() {
            format!("arn:aws:kms::{}:key/{}", self.account, k.key_id)
        } else {
            arn.clone()
        };
        let state = if k.origin == Origin::EXTERNAL {
            KeyState::PendingImport
        } else {
            KeyState::Enabled
        };
        KmsKey {
            arn_text: arn.clone().into(),
            binding: binding.into(),
            arn,
            id_bytes,
            key_id: k.key_id,
            account: self.account.clone(),
            region: self.region.clone(),
            creation_date: k.now,
            description: k.description,
            spec: k.spec,
            usage: k.usage,
            origin: k.origin,
            manager: k.manager,
            state,
            deletion_date: None,
            pending_window: None,
            policy_text: k.policy_text,
            policy: Arc::new(k.policy),
            material: k.material,
            pending_rotation: None,
            tags: k.tags,
            rotation_period_days: None,
            next_rotation: None,
            on_demand_rotation_start: None,
            import: None,
            multi_region: k.multi_region,
            last_usage: None,
            asymmetric_expiration: None,
            imported_material_id: None,
        }
    }

    /// Key material for a new key of `spec` made by KMS (none for `EXTERNAL` keys).
    pub(super) fn generate_material(
        env: &mut Env,
        key_id: &str,
        spec: KeySpec,
        origin: Origin,
    ) -> Result<KeyMaterial> {
        if origin == Origin::EXTERNAL {
            return Ok(KeyMaterial::None);
        }
        let len = if spec.is_symmetric() {
            Some(32)
        } else {
            spec.hmac().map(|(len, _)| len)
        };
        if let Some(len) = len {
            let mut material = Zeroizing::new(vec![0u8; len]);
            env.rng.fill(&mut material);
            return Ok(KeyMaterial::Versions(vec![BackingKey {
                material,
                id: generated_material_id(key_id, 1),
                created: env.clock.now_secs(),
                rotation_type: None,
                expiration: None,
                description: None,
            }]));
        }
        if let Some(bits) = spec.rsa_bits() {
            let private = crypto::rsa_generate(&mut env.rng, bits).map_err(|e| {
                KmsError::bare(ErrorCode::KMSInternalException)
                    .help(format!("{e}; retry the request."))
            })?;
            return Ok(KeyMaterial::Rsa(Box::new(private)));
        }
        if let Some(curve) = spec.curve() {
            return Ok(KeyMaterial::Ecc(Box::new(EccPrivateKey::generate(
                &mut env.rng,
                curve,
            ))));
        }
        Err(not_modelled_spec(spec))
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
        let key_id = env.rng.uuid();
        let now = env.clock.now_secs();
        let material =
            Self::generate_material(env, &key_id, KeySpec::SYMMETRIC_DEFAULT, Origin::AWS_KMS)
                .unwrap_or(KeyMaterial::None);
        let mut key = self.build_key(NewKey {
            key_id: key_id.clone(),
            description: managed::managed_key_description(service),
            spec: KeySpec::SYMMETRIC_DEFAULT,
            usage: KeyUsage::ENCRYPT_DECRYPT,
            origin: Origin::AWS_KMS,
            manager: KeyManager::AWS,
            policy_text,
            policy,
            material,
            tags: Vec::new(),
            multi_region: None,
            now,
        });
        // AWS managed keys rotate every year, automatically (developer guide, *AWS managed keys*).
        key.rotation_period_days = Some(365);
        key.next_rotation = Some(now + 365 * DAY);
        self.keys.insert(key_id.clone(), key);
        self.aliases.insert(
            format!("alias/aws/{service}"),
            Alias {
                target_key_id: key_id.clone(),
                creation_date: now,
                last_updated_date: now,
            },
        );
        key_id
    }

    /// Advances time-driven state: keys whose deletion date has passed are deleted (with
    /// their aliases and grants), keys due for automatic rotation rotate, imported key
    /// material past its `ValidTo` is deleted, and new replicas finish creating.
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
                self.grants.retain(|_, g| g.key_arn != key.arn);
                if key.multi_region.is_some() {
                    self.outbox.push(RegionEffect::Deleted {
                        key_id: id,
                        region: self.region.clone(),
                    });
                }
            }
        }
        for key in self.keys.values_mut() {
            if key.state == KeyState::Creating {
                key.state = KeyState::Enabled;
            }
            while let (Some(next), Some(period)) = (key.next_rotation, key.rotation_period_days) {
                if next > now || key.state != KeyState::Enabled || key.is_replica() {
                    break;
                }
                let version = u32::try_from(key.versions().len() + 1).unwrap_or(u32::MAX);
                let backing = BackingKey {
                    material: {
                        let mut m = Zeroizing::new(vec![0u8; 32]);
                        env.rng.fill(&mut m);
                        m
                    },
                    id: generated_material_id(&key.key_id, version),
                    created: next,
                    rotation_type: Some(RotationType::AUTOMATIC),
                    expiration: None,
                    description: None,
                };
                if key.multi_region.is_some() {
                    self.outbox.push(RegionEffect::Rotated {
                        key_id: key.key_id.clone(),
                        version: backing.clone(),
                    });
                }
                if let KeyMaterial::Versions(v) = &mut key.material {
                    v.push(backing);
                }
                key.next_rotation = Some(next + u64::from(period) * DAY);
            }
            if key.origin == Origin::EXTERNAL {
                expire_imported(key, now);
            }
        }
    }

    pub(super) fn op_create_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: CreateKeyRequest,
    ) -> Result<KeyMetadataResponse> {
        let spec = req
            .key_spec
            .or(req.customer_master_key_spec)
            .unwrap_or_default();
        let usage = req.key_usage.unwrap_or_default();
        let origin = req.origin.unwrap_or_default();
        let multi_region = req.multi_region.unwrap_or(false);
        self.authorize(
            ctx,
            Operation::CreateKey.action(),
            None,
            None,
            ConditionFacts::of_new_key(spec, usage, origin, multi_region)
                .with_bypass(req.bypass_policy_lockout_safety_check)
                .with_request_tags(req.tags.as_deref().unwrap_or_default()),
        )?;
        if req.key_spec.is_some() && req.customer_master_key_spec.is_some() {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.",
            ));
        }
        if req.key_usage.is_none() && !spec.is_symmetric() {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
            )
            .help(format!("For {spec}, KeyUsage can be {}.", names(spec.usages()))));
        }
        if !spec.usages().contains(&usage) {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                format!("KeyUsage {usage} is not compatible with KeySpec {spec}"),
            )
            .help(format!("A {spec} key can be {}.", names(spec.usages()))));
        }
        match origin {
            Origin::AWS_KMS | Origin::EXTERNAL => {}
            Origin::AWS_CLOUDHSM | Origin::EXTERNAL_KEY_STORE => {
                return Err(custom_key_stores_not_modelled(
                    req.custom_key_store_id.as_deref(),
                ));
            }
        }
        if req.custom_key_store_id.is_some() || req.xks_key_id.is_some() {
            return Err(custom_key_stores_not_modelled(
                req.custom_key_store_id.as_deref(),
            ));
        }
        if !spec.is_modelled() {
            return Err(not_modelled_spec(spec));
        }
        let tags = req.tags.clone().unwrap_or_default();
        validate_tags(&tags, &[])?;
        let policy_text = req
            .policy
            .clone()
            .unwrap_or_else(|| managed::default_key_policy(&self.account));
        let policy = self.parse_key_policy(&policy_text)?;
        if req.policy.is_some() && !req.bypass_policy_lockout_safety_check {
            self.lockout_check(ctx, &policy)?;
        }
        let key_id = if multi_region {
            format!("mrk-{}", ctx.env.rng.hex(16))
        } else {
            ctx.env.rng.uuid()
        };
        let material = Self::generate_material(ctx.env, &key_id, spec, origin)?;
        let key = self.build_key(NewKey {
            key_id: key_id.clone(),
            description: req.description.unwrap_or_default(),
            spec,
            usage,
            origin,
            manager: KeyManager::CUSTOMER,
            policy_text,
            policy,
            material,
            tags,
            multi_region: multi_region.then(|| MultiRegion {
                primary_region: self.region.clone(),
                replica_regions: Vec::new(),
            }),
            now: ctx.env.clock.now_secs(),
        });
        ctx.resources.push(key.arn_text.clone());
        let key_metadata = key.metadata();
        self.keys.insert(key_id, key);
        Ok(KeyMetadataResponse { key_metadata })
    }

    pub(super) fn op_describe_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DescribeKeyRequest,
    ) -> Result<KeyMetadataResponse> {
        self.validate_grant_tokens(&req.grant_tokens)?;
        let id = self.authorized_key(ctx, &req.key_id, Operation::DescribeKey, None, |f| f)?;
        Ok(KeyMetadataResponse {
            key_metadata: self.key(&id)?.metadata(),
        })
    }

    pub(super) fn op_list_keys(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListKeysRequest,
    ) -> Result<ListKeysResponse> {
        self.authorize(
            ctx,
            Operation::ListKeys.action(),
            None,
            None,
            ConditionFacts::default(),
        )?;
        let keys: Vec<KeyListEntry> = self
            .keys
            .values()
            .map(|k| KeyListEntry {
                key_id: k.key_id.clone(),
                key_arn: k.arn.clone(),
            })
            .collect();
        let (keys, next_marker, truncated) = page(keys, req.limit, req.marker.as_deref(), KEYS)?;
        Ok(ListKeysResponse {
            keys,
            next_marker,
            truncated,
        })
    }

    pub(super) fn op_enable_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<Empty> {
        let id = self.customer_key_for(ctx, &req.key_id, Operation::EnableKey)?;
        let key = self.key_mut(&id)?;
        require_state(key, &[KeyState::Enabled, KeyState::Disabled])?;
        key.set_state(KeyState::Enabled);
        Ok(Empty {})
    }

    pub(super) fn op_disable_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<Empty> {
        let id = self.customer_key_for(ctx, &req.key_id, Operation::DisableKey)?;
        let key = self.key_mut(&id)?;
        require_state(key, &[KeyState::Enabled, KeyState::Disabled])?;
        key.set_state(KeyState::Disabled);
        Ok(Empty {})
    }

    pub(super) fn op_schedule_key_deletion(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse> {
        let days = req.pending_window_in_days.unwrap_or(30);
        let id = self.customer_key_with(ctx, &req.key_id, Operation::ScheduleKeyDeletion, |f| {
            f.with_named(
                "kms:ScheduleKeyDeletionPendingWindowInDays",
                days.to_string(),
            )
        })?;
        if !(7..=30).contains(&days) {
            return Err(KmsError::validation_value(
                &days.to_string(),
                "pendingWindowInDays",
                if days < 7 {
                    "Member must have value greater than or equal to 7"
                } else {
                    "Member must have value less than or equal to 30"
                },
            ));
        }
        let now = ctx.env.clock.now_secs();
        let key = self.key_mut(&id)?;
        require_state(
            key,
            &[
                KeyState::Enabled,
                KeyState::Disabled,
                KeyState::PendingImport,
                KeyState::Unavailable,
            ],
        )?;
        key.pending_window = Some(days);
        let has_replicas = key
            .multi_region
            .as_ref()
            .is_some_and(|m| !key.is_replica() && !m.replica_regions.is_empty());
        if has_replicas {
            // The waiting period starts when the last replica is deleted (API reference,
            // *ScheduleKeyDeletion*, `PendingWindowInDays`).
            key.set_state(KeyState::PendingReplicaDeletion);
            return Ok(ScheduleKeyDeletionResponse {
                key_id: key.arn().to_owned(),
                deletion_date: None,
                key_state: KeyState::PendingReplicaDeletion,
                pending_window_in_days: days,
            });
        }
        let date = now + u64::from(days) * DAY;
        key.set_state(KeyState::PendingDeletion);
        key.deletion_date = Some(date);
        Ok(ScheduleKeyDeletionResponse {
            key_id: key.arn().to_owned(),
            deletion_date: Some(date),
            key_state: KeyState::PendingDeletion,
            pending_window_in_days: days,
        })
    }

    pub(super) fn op_cancel_key_deletion(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<KeyIdResponse> {
        let id = self.customer_key_for(ctx, &req.key_id, Operation::CancelKeyDeletion)?;
        let key = self.key_mut(&id)?;
        if !matches!(
            key.state,
            KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
        ) {
            return Err(KmsError::new(
                ErrorCode::KMSInvalidStateException,
                format!("{} is not pending deletion.", key.arn()),
            )
            .help(
                "Only a key scheduled for deletion (ScheduleKeyDeletion) has a deletion to cancel.",
            ));
        }
        // AWS: "the key state of the KMS key is Disabled" after cancellation (imported
        // keys without material go back to PendingImport).
        key.set_state(if key.has_material() || key.origin != Origin::EXTERNAL {
            KeyState::Disabled
        } else {
            KeyState::PendingImport
        });
        key.deletion_date = None;
        key.pending_window = None;
        Ok(KeyIdResponse {
            key_id: key.arn().to_owned(),
        })
    }

    pub(super) fn op_update_key_description(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: UpdateKeyDescriptionRequest,
    ) -> Result<Empty> {
        let id = self.customer_key_for(ctx, &req.key_id, Operation::UpdateKeyDescription)?;
        let key = self.key_mut(&id)?;
        require_not_pending_deletion(key)?;
        key.description = req.description;
        Ok(Empty {})
    }

    pub(super) fn op_get_key_last_usage(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<GetKeyLastUsageResponse> {
        let id = self.authorized_key(ctx, &req.key_id, Operation::GetKeyLastUsage, None, |f| f)?;
        let key = self.key(&id)?;
        require_state(key, ANY_STATE)?;
        Ok(GetKeyLastUsageResponse {
            key_id: key.arn().to_owned(),
            key_last_usage: key.last_usage.map(|u| KeyLastUsageData {
                operation: KeyLastUsageOperation::from_name(u.operation.name()).unwrap_or_default(),
                timestamp: u.at,
                cloud_trail_event_id: u.event_id.to_string(),
                kms_request_id: u.request_id.to_string(),
            }),
            tracking_start_date: key.creation_date,
            key_creation_date: key.creation_date,
        })
    }
}

/// Deletes imported key material whose `ValidTo` has passed (developer guide, *Setting
/// an expiration time*): the key becomes `PendingImport`.
fn expire_imported(key: &mut KmsKey, now: u64) {
    let expired = |e: &Option<(ExpirationModel, Option<u64>)>| matches!(e, Some((ExpirationModel::KEY_MATERIAL_EXPIRES, Some(to))) if *to <= now);
    let mut changed = false;
    match &mut key.material {
        KeyMaterial::Versions(v) => {
            for b in v
                .iter_mut()
                .filter(|b| b.is_available() && expired(&b.expiration))
            {
                b.material = Zeroizing::new(Vec::new());
                changed = true;
            }
        }
        KeyMaterial::Rsa(_) | KeyMaterial::Ecc(_) if expired(&key.asymmetric_expiration) => {
            key.material = KeyMaterial::None;
            changed = true;
        }
        _ => {}
    }
    if changed && !key.has_material() && matches!(key.state, KeyState::Enabled | KeyState::Disabled)
    {
        key.state = KeyState::PendingImport;
    }
}

fn names(usages: &[KeyUsage]) -> String {
    usages
        .iter()
        .map(|u| u.name())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Key specs the playground does not model (no RustCrypto implementation it uses yet).
pub(super) fn not_modelled_spec(spec: KeySpec) -> KmsError {
    KmsError::new(
        ErrorCode::UnsupportedOperationException,
        format!("KeySpec {spec} is not supported in this Region."),
    )
    .help(format!(
        "The playground models SYMMETRIC_DEFAULT, RSA_2048/3072/4096, ECC_NIST_P256/P384/P521, ECC_SECG_P256K1 and HMAC_224/256/384/512 keys; {spec} keys (SM2, ML-DSA, ML-KEM, Ed25519) are not simulated."
    ))
}

/// Custom key stores (CloudHSM and external key stores) are not modelled: the simulated
/// account has none, so a request naming one finds none.
pub(super) fn custom_key_stores_not_modelled(id: Option<&str>) -> KmsError {
    KmsError::new(
        ErrorCode::CustomKeyStoreNotFoundException,
        format!(
            "Custom key store '{}' does not exist.",
            id.unwrap_or("")
        ),
    )
    .help("Custom key stores (AWS CloudHSM and external key stores) are not simulated: the playground's account has none. Use Origin AWS_KMS or EXTERNAL.")
}
