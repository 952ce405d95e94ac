//! Rotation: automatic (EnableKeyRotation, every 90 to 2560 days) and on demand
//! (RotateKeyOnDemand, at most 10 times per key), of symmetric encryption keys; every key
//! material version is kept so old ciphertexts still decrypt (developer guide, *Rotating
//! AWS KMS keys*). Keys with imported material rotate on demand to material imported
//! for the purpose (`PENDING_ROTATION`). A multi-Region key rotates at its primary, and
//! its replicas get the same material.

use super::error::{ErrorCode, KmsError, Result};
use super::key::{BackingKey, KeyMaterial, KmsKey};
use super::keys::generated_material_id;
use super::lookup::{require_state, ANY_STATE, DAY, USABLE};
use super::multi_region::RegionEffect;
use super::operation::Operation;
use super::page::{page, KEYS};
use super::types::*;
use super::{Kms, OpCtx};
use zeroize::Zeroizing;

/// On-demand rotations allowed per key (developer guide, *On-demand rotation*: "a maximum of 10").
pub const MAX_ON_DEMAND_ROTATIONS: usize = 10;

/// Rotation is for symmetric encryption keys, at the primary of a multi-Region key.
fn require_rotatable(key: &KmsKey, automatic: bool) -> Result<()> {
    if !key.spec().is_symmetric() {
        return Err(
            KmsError::bare(ErrorCode::UnsupportedOperationException).help(format!(
                "{} is a {} key; only symmetric encryption keys rotate.",
                key.arn(),
                key.spec()
            )),
        );
    }
    if automatic && key.origin == Origin::EXTERNAL {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!("{} origin is EXTERNAL which is not valid for this operation.", key.arn()),
        )
        .help("Keys with imported key material do not rotate automatically; import new material and call RotateKeyOnDemand."));
    }
    if key.is_replica() {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!("{} is not a multi-region primary key.", key.arn()),
        )
        .help("A multi-Region key rotates at its primary key; its replicas follow."));
    }
    Ok(())
}

impl Kms {
    pub(super) fn op_enable_key_rotation(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: EnableKeyRotationRequest,
    ) -> Result<Empty> {
        let period = req.rotation_period_in_days.unwrap_or(365);
        let id = self.customer_key_with(ctx, &req.key_id, Operation::EnableKeyRotation, |f| {
            f.with_named("kms:RotationPeriodInDays", period.to_string())
        })?;
        let now = ctx.env.clock.now_secs();
        let key = self.key_mut(&id)?;
        require_state(key, USABLE)?;
        require_rotatable(key, true)?;
        key.rotation_period_days = Some(period);
        key.next_rotation = Some(now + u64::from(period) * DAY);
        Ok(Empty {})
    }

    pub(super) fn op_disable_key_rotation(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<Empty> {
        let id = self.customer_key_for(ctx, &req.key_id, Operation::DisableKeyRotation)?;
        let key = self.key_mut(&id)?;
        require_state(key, USABLE)?;
        require_rotatable(key, true)?;
        key.rotation_period_days = None;
        key.next_rotation = None;
        Ok(Empty {})
    }

    pub(super) fn op_get_key_rotation_status(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<KeyRotationStatusResponse> {
        let id =
            self.authorized_key_id(ctx, &req.key_id, Operation::GetKeyRotationStatus, |f| f)?;
        let key = self.key(&id)?;
        require_state(
            key,
            &[
                KeyState::Enabled,
                KeyState::Disabled,
                KeyState::PendingImport,
            ],
        )?;
        if !key.spec().is_symmetric() {
            return Err(
                KmsError::bare(ErrorCode::UnsupportedOperationException).help(format!(
                    "{} is a {} key; only symmetric encryption keys rotate.",
                    key.arn(),
                    key.spec()
                )),
            );
        }
        Ok(KeyRotationStatusResponse {
            key_rotation_enabled: key.rotation_period_days.is_some(),
            key_id: key.arn().to_owned(),
            rotation_period_in_days: key.rotation_period_days,
            next_rotation_date: key.next_rotation,
            on_demand_rotation_start_date: key.on_demand_rotation_start,
        })
    }

    pub(super) fn op_rotate_key_on_demand(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<KeyIdResponse> {
        let id = self.customer_key_for(ctx, &req.key_id, Operation::RotateKeyOnDemand)?;
        let now = ctx.env.clock.now_secs();
        let key = self.key(&id)?;
        require_state(key, USABLE)?;
        require_rotatable(key, false)?;
        let arn = key.arn().to_owned();
        let on_demand = key
            .versions()
            .iter()
            .filter(|v| v.rotation_type == Some(RotationType::ON_DEMAND))
            .count();
        if on_demand >= MAX_ON_DEMAND_ROTATIONS {
            return Err(KmsError::new(
                ErrorCode::LimitExceededException,
                format!("The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {arn}"),
            )
            .help(format!("A key can be rotated on demand {MAX_ON_DEMAND_ROTATIONS} times; automatic rotation has no limit.")));
        }
        let version = u32::try_from(key.versions().len() + 1).unwrap_or(u32::MAX);
        let backing = if key.origin == Origin::EXTERNAL {
            let Some(mut pending) = self.key_mut(&id)?.pending_rotation.take() else {
                return Err(KmsError::new(
                    ErrorCode::KMSInvalidStateException,
                    format!("No available key material pending rotation for the key: {arn}."),
                )
                .help("Import new key material (ImportType NEW_KEY_MATERIAL) first; RotateKeyOnDemand then makes it current."));
            };
            pending.rotation_type = Some(RotationType::ON_DEMAND);
            pending.created = now;
            pending
        } else {
            let mut material = Zeroizing::new(vec![0u8; 32]);
            ctx.env.rng.fill(&mut material);
            BackingKey {
                material,
                id: generated_material_id(&id, version),
                created: now,
                rotation_type: Some(RotationType::ON_DEMAND),
                expiration: None,
                description: None,
            }
        };
        let key = self.key_mut(&id)?;
        if key.multi_region.is_some() {
            self.outbox.push(RegionEffect::Rotated {
                key_id: id.clone(),
                version: backing.clone(),
            });
        }
        let key = self.key_mut(&id)?;
        if let KeyMaterial::Versions(v) = &mut key.material {
            v.push(backing);
        }
        Ok(KeyIdResponse { key_id: arn })
    }

    pub(super) fn op_list_key_rotations(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListKeyRotationsRequest,
    ) -> Result<ListKeyRotationsResponse> {
        let id = self.authorized_key_id(ctx, &req.key_id, Operation::ListKeyRotations, |f| f)?;
        let key = self.key(&id)?;
        require_state(key, ANY_STATE)?;
        if !key.spec().is_symmetric() {
            return Err(
                KmsError::bare(ErrorCode::UnsupportedOperationException).help(format!(
                    "{} is a {} key; only symmetric encryption keys rotate.",
                    key.arn(),
                    key.spec()
                )),
            );
        }
        let all = req.include_key_material == Some(IncludeKeyMaterial::ALL_KEY_MATERIAL);
        let imported = key.origin == Origin::EXTERNAL;
        let versions = key.versions();
        let current = versions.len();
        let entry = |b: &BackingKey, state: KeyMaterialState| RotationEntry {
            key_id: key.arn().to_owned(),
            key_material_id: Some(b.id.clone()),
            key_material_description: b.description.clone(),
            import_state: imported.then_some(if b.is_available() {
                ImportState::IMPORTED
            } else {
                ImportState::PENDING_IMPORT
            }),
            key_material_state: Some(state),
            expiration_model: b.expiration.map(|(m, _)| m),
            valid_to: b.expiration.and_then(|(_, t)| t),
            rotation_date: b.rotation_type.map(|_| b.created),
            rotation_type: b.rotation_type,
        };
        let mut rotations: Vec<RotationEntry> = versions
            .iter()
            .enumerate()
            .filter(|(_, b)| all || b.rotation_type.is_some())
            .map(|(i, b)| {
                entry(
                    b,
                    if i + 1 == current {
                        KeyMaterialState::CURRENT
                    } else {
                        KeyMaterialState::NON_CURRENT
                    },
                )
            })
            .collect();
        if all {
            if let Some(p) = &key.pending_rotation {
                rotations.push(entry(p, KeyMaterialState::PENDING_ROTATION));
            }
        }
        let (rotations, next_marker, truncated) =
            page(rotations, req.limit, req.marker.as_deref(), KEYS)?;
        Ok(ListKeyRotationsResponse {
            rotations,
            next_marker,
            truncated,
        })
    }
}
