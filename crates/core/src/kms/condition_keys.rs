//! The condition keys KMS sets on a request, in one place.
//!
//! AWS KMS condition keys (developer guide, *AWS KMS condition keys*) and the global keys
//! KMS requests carry (IAM User Guide, *AWS global condition context keys*): who calls
//! (`kms:CallerAccount`, `aws:PrincipalArn`, `aws:PrincipalAccount`), through which
//! service (`kms:ViaService`), for which resource a service acts (`aws:SourceAccount`,
//! `aws:SourceArn`), the encryption context (`kms:EncryptionContext:<key>`,
//! `kms:EncryptionContextKeys`), and the operation's own keys (`kms:GrantOperations`,
//! `kms:KeySpec`, ...), which each operation passes as `extra`.

use crate::authz::Caller;
use crate::authz::{CallerPrincipal, RequestContext};
use crate::context::EncryptionContext;

/// The request context of a KMS request: `kms:<operation>` on `key_arn` (`*` for
/// operations on no key).
pub(crate) fn request_context(
    caller: &Caller,
    operation: &str,
    key_arn: Option<&str>,
    context: Option<&EncryptionContext>,
    extra: Vec<(String, Vec<String>)>,
) -> RequestContext {
    let resource = key_arn.unwrap_or("*");
    let mut ctx = RequestContext::new(
        caller.principal.clone(),
        &format!("kms:{operation}"),
        resource,
    );
    if let CallerPrincipal::Iam { arn, account } = &caller.principal {
        ctx = ctx
            .with("kms:CallerAccount", account)
            .with("aws:PrincipalArn", arn)
            .with("aws:PrincipalAccount", account);
    }
    if let Some(via) = &caller.via_service {
        ctx = ctx.with("kms:ViaService", via);
    }
    if let Some(a) = &caller.source_account {
        ctx = ctx.with("aws:SourceAccount", a);
    }
    if let Some(a) = &caller.source_arn {
        ctx = ctx.with("aws:SourceArn", a);
    }
    if let Some(c) = context {
        ctx = ctx.with_encryption_context(&c.0);
    }
    for (k, vs) in &extra {
        let refs: Vec<&str> = vs.iter().map(String::as_str).collect();
        ctx = ctx.with_values(k, &refs);
    }
    ctx
}
