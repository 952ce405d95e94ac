//! Custom key stores (AWS CloudHSM and external key stores) are not modelled: they stand
//! for hardware and proxies outside AWS KMS. The simulated account has none, and these
//! operations answer as KMS answers such an account: DescribeCustomKeyStores lists none,
//! operations naming a store find none, and CreateCustomKeyStore cannot reach the
//! cluster or proxy it names.

use super::condition_keys::ConditionFacts;
use super::error::{ErrorCode, KmsError, Result};
use super::keys::custom_key_stores_not_modelled;
use super::operation::Operation;
use super::types::*;
use super::{Kms, OpCtx};

impl Kms {
    fn authorize_custom_key_stores(&self, ctx: &mut OpCtx<'_>, operation: Operation) -> Result<()> {
        self.authorize(
            ctx,
            operation.action(),
            None,
            None,
            ConditionFacts::default(),
        )
    }

    pub(super) fn op_create_custom_key_store(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: CreateCustomKeyStoreRequest,
    ) -> Result<CreateCustomKeyStoreResponse> {
        self.authorize_custom_key_stores(ctx, Operation::CreateCustomKeyStore)?;
        let external = req.custom_key_store_type.as_deref() == Some("EXTERNAL_KEY_STORE");
        Err(if external {
            KmsError::new(
                ErrorCode::XksProxyUriUnreachableException,
                "KMS cannot reach the external key store proxy.",
            )
        } else {
            KmsError::new(
                ErrorCode::CloudHsmClusterNotFoundException,
                format!("CloudHSM cluster {} not found.", req.cloud_hsm_cluster_id.as_deref().unwrap_or("")),
            )
        }
        .help("Custom key stores are not simulated: the playground has no CloudHSM clusters or external key store proxies. Use keys with Origin AWS_KMS or EXTERNAL."))
    }

    pub(super) fn op_connect_custom_key_store(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: CustomKeyStoreIdRequest,
    ) -> Result<Empty> {
        self.authorize_custom_key_stores(ctx, Operation::ConnectCustomKeyStore)?;
        Err(custom_key_stores_not_modelled(Some(
            &req.custom_key_store_id,
        )))
    }

    pub(super) fn op_disconnect_custom_key_store(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: CustomKeyStoreIdRequest,
    ) -> Result<Empty> {
        self.authorize_custom_key_stores(ctx, Operation::DisconnectCustomKeyStore)?;
        Err(custom_key_stores_not_modelled(Some(
            &req.custom_key_store_id,
        )))
    }

    pub(super) fn op_delete_custom_key_store(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: CustomKeyStoreIdRequest,
    ) -> Result<Empty> {
        self.authorize_custom_key_stores(ctx, Operation::DeleteCustomKeyStore)?;
        Err(custom_key_stores_not_modelled(Some(
            &req.custom_key_store_id,
        )))
    }

    pub(super) fn op_update_custom_key_store(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: UpdateCustomKeyStoreRequest,
    ) -> Result<Empty> {
        self.authorize_custom_key_stores(ctx, Operation::UpdateCustomKeyStore)?;
        Err(custom_key_stores_not_modelled(Some(
            &req.custom_key_store_id,
        )))
    }

    pub(super) fn op_describe_custom_key_stores(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DescribeCustomKeyStoresRequest,
    ) -> Result<DescribeCustomKeyStoresResponse> {
        self.authorize_custom_key_stores(ctx, Operation::DescribeCustomKeyStores)?;
        if let Some(id) = req
            .custom_key_store_id
            .as_deref()
            .or(req.custom_key_store_name.as_deref())
        {
            return Err(custom_key_stores_not_modelled(Some(id)));
        }
        Ok(DescribeCustomKeyStoresResponse {
            custom_key_stores: Vec::new(),
            next_marker: None,
            truncated: false,
        })
    }
}
