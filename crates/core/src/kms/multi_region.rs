//! Multi-Region keys (developer guide, *Multi-Region keys in AWS KMS*): a primary key
//! (`mrk-` id, CreateKey with `MultiRegion`) and replicas in other Regions of the same
//! account (ReplicateKey) share key id, key material, spec, usage, origin and rotation;
//! each has its own key policy, grants, aliases, tags, description and state.
//! UpdatePrimaryRegion moves the primary. One Region's KMS cannot reach another's: an
//! operation that must change other Regions leaves a [`RegionEffect`], which the world
//! applies to every Region.

use super::error::{ErrorCode, KmsError, Result};
use super::key::{BackingKey, KeyMaterial, KmsKey, MultiRegion};
use super::lookup::require_not_pending_deletion;
use super::lookup::{require_state, DAY};
use super::managed;
use super::operation::Operation;
use super::tags::validate_tags;
use super::types::*;
use super::{Kms, OpCtx};
use std::sync::Arc;

/// The commercial AWS Regions a replica may be made in.
pub const AWS_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "sa-east-1",
];

/// What other Regions must do after a call.
#[derive(Debug)]
pub(crate) enum RegionEffect {
    /// Create this replica key in its Region.
    Replicate(Box<KmsKey>),
    /// Every key of the set takes this configuration (after ReplicateKey and
    /// UpdatePrimaryRegion).
    Configure { key_id: String, config: MultiRegion },
    /// The primary rotated: every replica gets the same new key material.
    Rotated { key_id: String, version: BackingKey },
    /// The key of the set in `region` was deleted.
    Deleted { key_id: String, region: String },
}

/// `<arn> is not a multi-region primary key.`
fn not_primary(key: &KmsKey) -> KmsError {
    KmsError::new(
        ErrorCode::UnsupportedOperationException,
        format!("{} is not a multi-region primary key.", key.arn()),
    )
    .help(if key.multi_region.is_some() {
        "This is a replica; call the operation on the primary key of the set (DescribeKey shows its MultiRegionConfiguration)."
    } else {
        "Only multi-Region keys (CreateKey with MultiRegion true, ids starting mrk-) have replicas."
    })
}

impl Kms {
    pub(super) fn op_replicate_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ReplicateKeyRequest,
    ) -> Result<ReplicateKeyResponse> {
        let region = req.replica_region.clone();
        let id = self.customer_key_with(ctx, &req.key_id, Operation::ReplicateKey, |f| {
            f.with_named("kms:ReplicaRegion", region.clone())
                .with_bypass(req.bypass_policy_lockout_safety_check)
        })?;
        let key = self.key(&id)?;
        require_not_pending_deletion(key)?;
        require_state(
            key,
            &[
                KeyState::Enabled,
                KeyState::Disabled,
                KeyState::PendingImport,
            ],
        )?;
        let Some(config) = key.multi_region.clone().filter(|_| !key.is_replica()) else {
            return Err(not_primary(key));
        };
        if !AWS_REGIONS.contains(&region.as_str()) {
            return Err(KmsError::new(
                ErrorCode::UnsupportedOperationException,
                format!("The replica region {region} is not supported."),
            )
            .help(format!(
                "Replicas go to another commercial Region: {}.",
                AWS_REGIONS.join(", ")
            )));
        }
        if region == self.region || config.replica_regions.contains(&region) {
            return Err(KmsError::new(
                ErrorCode::AlreadyExistsException,
                format!(
                    "Key arn:aws:kms:{region}:{}:key/{id} already exists",
                    self.account
                ),
            )
            .help(format!("The set of {id} already has a key in {region}.")));
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
        let now = ctx.env.clock.now_secs();
        let mut config = config;
        config.replica_regions.push(region.clone());
        let replica = self.replica_of(
            self.key(&id)?,
            &region,
            req.description.unwrap_or_default(),
            policy_text.clone(),
            policy,
            tags.clone(),
            now,
        );
        let mut metadata_key = replica;
        metadata_key.multi_region = Some(config.clone());
        let replica_key_metadata = metadata_key.metadata();
        if let Some(k) = self.keys.get_mut(&id) {
            k.multi_region = Some(config.clone());
        }
        self.outbox
            .push(RegionEffect::Replicate(Box::new(metadata_key)));
        self.outbox
            .push(RegionEffect::Configure { key_id: id, config });
        Ok(ReplicateKeyResponse {
            replica_key_metadata,
            replica_policy: policy_text,
            replica_tags: tags,
        })
    }

    /// A replica of `primary` in `region`: the shared properties copied, the others its own.
    #[allow(clippy::too_many_arguments)]
    fn replica_of(
        &self,
        primary: &KmsKey,
        region: &str,
        description: String,
        policy_text: String,
        policy: crate::authz::PolicyDocument,
        tags: Vec<Tag>,
        now: u64,
    ) -> KmsKey {
        let arn = format!(
            "arn:aws:kms:{region}:{}:key/{}",
            self.account, primary.key_id
        );
        let state = if primary.origin == Origin::EXTERNAL {
            KeyState::PendingImport
        } else {
            KeyState::Creating
        };
        KmsKey {
            key_id: primary.key_id.clone(),
            arn_text: arn.clone().into(),
            arn,
            id_bytes: primary.id_bytes,
            binding: primary.binding.clone(),
            account: self.account.clone(),
            region: region.to_owned(),
            creation_date: now,
            description,
            spec: primary.spec,
            usage: primary.usage,
            origin: primary.origin,
            manager: KeyManager::CUSTOMER,
            state,
            deletion_date: None,
            pending_window: None,
            policy_text,
            policy: Arc::new(policy),
            material: if primary.origin == Origin::EXTERNAL {
                KeyMaterial::None
            } else {
                clone_material(&primary.material)
            },
            pending_rotation: None,
            tags,
            rotation_period_days: primary.rotation_period_days,
            next_rotation: primary.next_rotation,
            on_demand_rotation_start: None,
            import: None,
            multi_region: primary.multi_region.clone(),
            last_usage: None,
            asymmetric_expiration: None,
            imported_material_id: primary.imported_material_id.clone(),
        }
    }

    pub(super) fn op_update_primary_region(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: UpdatePrimaryRegionRequest,
    ) -> Result<Empty> {
        let target = req.primary_region.clone();
        let id = self.customer_key_with(ctx, &req.key_id, Operation::UpdatePrimaryRegion, |f| {
            f.with_named("kms:PrimaryRegion", target.clone())
        })?;
        let key = self.key(&id)?;
        require_state(
            key,
            &[
                KeyState::Enabled,
                KeyState::Disabled,
                KeyState::PendingImport,
            ],
        )?;
        let Some(config) = key.multi_region.clone().filter(|_| !key.is_replica()) else {
            return Err(not_primary(key));
        };
        if !config.replica_regions.contains(&target) {
            return Err(KmsError::new(
                ErrorCode::NotFoundException,
                format!(
                    "Key 'arn:aws:kms:{target}:{}:key/{id}' does not exist",
                    self.account
                ),
            )
            .help(format!(
                "The new primary Region must hold a replica of the key; its replicas are in {}.",
                config.replica_regions.join(", ")
            )));
        }
        let mut replicas: Vec<String> = config
            .replica_regions
            .into_iter()
            .filter(|r| r != &target)
            .collect();
        replicas.push(self.region.clone());
        let config = MultiRegion {
            primary_region: target,
            replica_regions: replicas,
        };
        self.outbox
            .push(RegionEffect::Configure { key_id: id, config });
        Ok(Empty {})
    }

    /// Takes in a replica another Region's ReplicateKey made (it names this Region).
    pub(crate) fn insert_replica(&mut self, key: Box<KmsKey>) {
        if key.region == self.region && !self.keys.contains_key(&key.key_id) {
            self.keys.insert(key.key_id.clone(), *key);
        }
    }

    /// Applies what another Region's call requires of this one (a replica is taken in by
    /// [`Kms::insert_replica`] instead).
    pub(crate) fn apply_region_effect(&mut self, effect: &RegionEffect, now: u64) {
        match effect {
            RegionEffect::Replicate(_) => {}
            RegionEffect::Configure { key_id, config } => {
                if let Some(k) = self.keys.get_mut(key_id) {
                    k.multi_region = Some(config.clone());
                }
            }
            RegionEffect::Rotated { key_id, version } => {
                if let Some(k) = self.keys.get_mut(key_id) {
                    if let KeyMaterial::Versions(v) = &mut k.material {
                        if !v.iter().any(|b| b.id == version.id) {
                            v.push(version.clone());
                        }
                    }
                }
            }
            RegionEffect::Deleted { key_id, region } => {
                if let Some(k) = self.keys.get_mut(key_id) {
                    if let Some(m) = &mut k.multi_region {
                        m.replica_regions.retain(|r| r != region);
                        let primary_here = m.primary_region == self.region;
                        if primary_here
                            && m.replica_regions.is_empty()
                            && k.state == KeyState::PendingReplicaDeletion
                        {
                            let days = k.pending_window.unwrap_or(30);
                            k.state = KeyState::PendingDeletion;
                            k.deletion_date = Some(now + u64::from(days) * DAY);
                        }
                    }
                }
            }
        }
    }
}

fn clone_material(material: &KeyMaterial) -> KeyMaterial {
    match material {
        KeyMaterial::None => KeyMaterial::None,
        KeyMaterial::Versions(v) => KeyMaterial::Versions(v.clone()),
        KeyMaterial::Rsa(k) => KeyMaterial::Rsa(k.clone()),
        KeyMaterial::Ecc(k) => match k
            .to_pkcs8()
            .ok()
            .and_then(|der| crate::crypto::EccPrivateKey::from_pkcs8(k.curve(), &der).ok())
        {
            Some(copy) => KeyMaterial::Ecc(Box::new(copy)),
            None => KeyMaterial::None,
        },
    }
}
