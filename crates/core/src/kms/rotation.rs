//! Rotation: automatic and on demand; every backing key version is kept so old
//! ciphertexts still decrypt (developer guide, *Rotating AWS KMS keys*).

use super::condition_keys::ConditionFacts;
use super::error::{ErrorCode, KmsError, Result};
use super::key::{BackingKey, KeyMaterial};
use super::lookup::DAY;
use super::operation::Operation;
use super::types::*;
use super::{Kms, OpCtx};

/// On-demand rotations allowed per key (developer guide, *On-demand rotation*: "a maximum of 10").
pub const MAX_ON_DEMAND_ROTATIONS: usize = 10;

impl Kms {
    pub(super) fn op_enable_key_rotation(
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
        let uuid = self.customer_key_for(ctx, &req.key_id, Operation::EnableKeyRotation)?;
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

    pub(super) fn op_disable_key_rotation(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<super::types::Empty> {
        let uuid = self.customer_key_for(ctx, &req.key_id, Operation::DisableKeyRotation)?;
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

    pub(super) fn op_get_key_rotation_status(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<KeyRotationStatusResponse> {
        let uuid = self.resolve(ctx.env, &req.key_id, false)?;
        self.authorize(
            ctx,
            Operation::GetKeyRotationStatus.action(),
            Some(&uuid),
            None,
            ConditionFacts::default(),
        )?;
        let key = self.key(&uuid)?;
        Self::require_not_pending_deletion(key)?;
        Ok(KeyRotationStatusResponse {
            key_rotation_enabled: key.rotation_period_days.is_some(),
            key_id: key.arn().to_owned(),
            rotation_period_in_days: key.rotation_period_days,
            next_rotation_date: key.next_rotation,
        })
    }

    pub(super) fn op_rotate_key_on_demand(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<KeyIdResponse> {
        let uuid = self.customer_key_for(ctx, &req.key_id, Operation::RotateKeyOnDemand)?;
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

    pub(super) fn op_list_key_rotations(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: KeyIdRequest,
    ) -> Result<ListKeyRotationsResponse> {
        let uuid = self.resolve(ctx.env, &req.key_id, false)?;
        self.authorize(
            ctx,
            Operation::ListKeyRotations.action(),
            Some(&uuid),
            None,
            ConditionFacts::default(),
        )?;
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
}
