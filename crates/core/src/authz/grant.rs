//! Grants: delegated, revocable permission for one grantee to use one key.
//!
//! A grant allows its grantee principal only the operations it lists, only while its
//! constraints hold (AWS KMS developer guide, *Grants in AWS KMS* and *Grant constraints*):
//! `EncryptionContextEquals` needs the request's context to be exactly the grant's;
//! `EncryptionContextSubset` needs every grant pair to be in the request's context. Grants
//! are effective at once in the playground; real KMS is eventually consistent and takes up
//! to about five minutes unless the caller passes the grant token, which the playground
//! therefore accepts and validates but does not need.

use crate::context::EncryptionContext;
use serde::{Deserialize, Serialize};

/// Grant operations AWS accepts in `CreateGrant.Operations` (API reference, *CreateGrant*).
pub const GRANT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
];

/// Grant operations that take an encryption context: the only ones a grant with
/// constraints may list ("grant constraints ... are supported only on cryptographic
/// operations that take an encryption context").
pub const CONTEXT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
];

/// Operations a grant with constraints may list: those that take an encryption context,
/// and DescribeKey and RetireGrant, to which "the constraint doesn't apply" (developer
/// guide, *Grant constraints*).
pub const CONSTRAINABLE_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "DescribeKey",
    "RetireGrant",
];

/// Operations an RSA `ENCRYPT_DECRYPT` key supports in a grant.
pub const RSA_ENCRYPT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
];

/// Grant constraints: the encryption context a request must carry for the grant to apply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GrantConstraints {
    /// The request's context must equal this map exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<EncryptionContext>,
    /// Every pair of this map must be in the request's context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<EncryptionContext>,
    /// The request must be made on behalf of this AWS resource ("effectively the same as
    /// having the aws:SourceArn global condition key in the grant", API reference,
    /// *GrantConstraints*).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
}

/// A grant a CreateGrant request asks for: a grant that gives `CreateGrant` lets its
/// grantee create only grants for "some or all of the operations in the parent grant",
/// with constraints "at least as strict as those in the parent grant" (developer guide,
/// *Creating grants*, "Granting CreateGrant permission").
#[derive(Debug, Clone, Copy)]
pub struct NewGrant<'a> {
    /// Its operations.
    pub operations: &'a [String],
    /// Its constraints.
    pub constraints: Option<&'a GrantConstraints>,
}

/// What a grant is checked against: who calls, on behalf of which resource, which
/// operation (as grants name it), and with which encryption context.
#[derive(Debug, Clone, Copy)]
pub struct GrantRequest<'a> {
    /// The caller's ARN or service principal.
    pub caller_name: &'a str,
    /// The resource a service acts for (`aws:SourceArn`), if any.
    pub source_arn: Option<&'a str>,
    /// The operation, e.g. `Decrypt` or `ReEncryptFrom`.
    pub operation: &'a str,
    /// The request's encryption context (`None` for operations that take none).
    pub context: Option<&'a EncryptionContext>,
    /// For CreateGrant: the grant it asks for, which a grant giving `CreateGrant` limits.
    pub new_grant: Option<NewGrant<'a>>,
}

/// A grant as KMS stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The grant id (64 hex characters, like AWS's).
    pub grant_id: String,
    /// The grant token returned by CreateGrant.
    pub grant_token: String,
    /// The key's ARN.
    pub key_arn: String,
    /// Optional friendly name.
    pub name: Option<String>,
    /// Epoch seconds.
    pub creation_date: u64,
    /// Who may use the grant.
    pub grantee_principal: String,
    /// Who may retire it.
    pub retiring_principal: Option<String>,
    /// The account that created it.
    pub issuing_account: String,
    /// The operations it allows.
    pub operations: Vec<String>,
    /// Its constraints.
    pub constraints: Option<GrantConstraints>,
    /// The grantee is an AWS service principal (`GranteeServicePrincipal`).
    pub service_grantee: bool,
    /// The retiring principal is an AWS service principal (`RetiringServicePrincipal`).
    pub service_retiring: bool,
}

/// Why a grant did or did not allow a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantResult {
    /// The grant id.
    pub grant_id: String,
    /// The grant name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The grantee principal.
    pub grantee_principal: String,
    /// The operations it allows.
    pub operations: Vec<String>,
    /// The caller is the grantee.
    pub grantee_matched: bool,
    /// The operation is one of the grant's.
    pub operation_matched: bool,
    /// The constraint, if any, held.
    pub constraint_matched: bool,
    /// All three held.
    pub applies: bool,
    /// One sentence: why it applies, or the first reason it does not.
    pub summary: String,
}

impl Grant {
    /// Whether the grant's constraints hold for the request: its source ARN, and for the
    /// operations that take one its encryption context.
    fn constraint_holds(&self, req: &GrantRequest<'_>) -> bool {
        let Some(c) = &self.constraints else {
            return true;
        };
        if c.source_arn
            .as_deref()
            .is_some_and(|arn| req.source_arn != Some(arn))
        {
            return false;
        }
        if !CONTEXT_OPERATIONS.contains(&req.operation) {
            return true;
        }
        let empty = EncryptionContext::new();
        let ctx = req.context.unwrap_or(&empty);
        if let Some(eq) = &c.encryption_context_equals {
            eq == ctx
        } else if let Some(sub) = &c.encryption_context_subset {
            sub.is_subset_of(ctx)
        } else {
            true
        }
    }

    /// Whether this grant allows the request: the verdict of [`Grant::evaluate`], without
    /// its reason.
    pub fn applies(&self, req: &GrantRequest<'_>) -> bool {
        self.grantee_principal == req.caller_name
            && self.operations.iter().any(|o| o == req.operation)
            && self.constraint_holds(req)
            && self.child_limit(req).is_none()
    }

    /// For a CreateGrant this grant would allow: why the grant asked for exceeds this one,
    /// if it does. "The grantee can create grants that allow some or all of the operations
    /// in the parent grant ... the constraints must be at least as strict as those in the
    /// parent grant" (developer guide, *Creating grants*, "Granting CreateGrant
    /// permission", <https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-creategrant>).
    /// AWS then refuses the CreateGrant with `AccessDeniedException`, as for any request
    /// nothing allows.
    fn child_limit(&self, req: &GrantRequest<'_>) -> Option<String> {
        let child = req.new_grant.filter(|_| req.operation == "CreateGrant")?;
        let extra: Vec<&str> = child
            .operations
            .iter()
            .filter(|o| !self.operations.contains(o))
            .map(String::as_str)
            .collect();
        if !extra.is_empty() {
            return Some(format!(
                "the grant asked for adds {}, which this grant does not allow (a grant's grantee may create only grants for some or all of its operations)",
                extra.join(", ")
            ));
        }
        let Some(parent) = &self.constraints else {
            return None;
        };
        let empty = GrantConstraints::default();
        let c = child.constraints.unwrap_or(&empty);
        if parent.source_arn.is_some() && c.source_arn != parent.source_arn {
            return Some(format!(
                "this grant's SourceArn constraint {} must be in the grant asked for too",
                parent.source_arn.as_deref().unwrap_or_default()
            ));
        }
        let strict_enough = match (
            &parent.encryption_context_equals,
            &parent.encryption_context_subset,
        ) {
            (Some(eq), _) => c.encryption_context_equals.as_ref() == Some(eq),
            (None, Some(sub)) => c
                .encryption_context_equals
                .as_ref()
                .or(c.encryption_context_subset.as_ref())
                .is_some_and(|mine| sub.is_subset_of(mine)),
            (None, None) => true,
        };
        (!strict_enough).then(|| {
            format!(
                "the grant asked for has constraints {} that are less strict than this grant's {} (they must be at least as strict)",
                serde_json::to_string(c).unwrap_or_default(),
                serde_json::to_string(parent).unwrap_or_default()
            )
        })
    }

    /// Whether this grant allows `caller_name` to perform `operation` with `context`
    /// (`None` for operations that take no context), with the reason.
    pub fn evaluate(&self, req: &GrantRequest<'_>) -> GrantResult {
        let GrantRequest {
            caller_name,
            operation,
            context,
            ..
        } = *req;
        let grantee_matched = self.grantee_principal == caller_name;
        let operation_matched = self.operations.iter().any(|o| o == operation);
        let constraint_matched = self.constraint_holds(req);
        let constraint_why = match &self.constraints {
            None => String::new(),
            Some(c) => {
                let empty = EncryptionContext::new();
                let ctx = context.unwrap_or(&empty);
                if let Some(arn) = c
                    .source_arn
                    .as_deref()
                    .filter(|a| req.source_arn != Some(*a))
                {
                    format!("its SourceArn constraint needs the request made on behalf of {arn}, but it is made on behalf of {}", req.source_arn.unwrap_or("no resource"))
                } else if let Some(eq) = &c.encryption_context_equals {
                    format!("its EncryptionContextEquals constraint needs exactly {} but the request has {}", show(eq), show(ctx))
                } else if let Some(sub) = &c.encryption_context_subset {
                    format!("its EncryptionContextSubset constraint needs {} within the request's context {}", show(sub), show(ctx))
                } else {
                    String::new()
                }
            }
        };
        let child_limit = if grantee_matched && operation_matched && constraint_matched {
            self.child_limit(req)
        } else {
            None
        };
        let applies =
            grantee_matched && operation_matched && constraint_matched && child_limit.is_none();
        let label = match &self.name {
            Some(n) => format!("Grant {} ({n})", short(&self.grant_id)),
            None => format!("Grant {}", short(&self.grant_id)),
        };
        let summary = if applies {
            format!("{label} allows {caller_name} to call {operation}.")
        } else if !grantee_matched {
            format!(
                "{label} is for {}, not {caller_name}.",
                self.grantee_principal
            )
        } else if !operation_matched {
            format!(
                "{label} allows only {}, not {operation}.",
                self.operations.join(", ")
            )
        } else if let Some(why) = child_limit {
            format!("{label} gives {caller_name} CreateGrant, but not for this grant: {why}.")
        } else {
            format!("{label} does not apply: {constraint_why}.")
        };
        GrantResult {
            grant_id: self.grant_id.clone(),
            name: self.name.clone(),
            grantee_principal: self.grantee_principal.clone(),
            operations: self.operations.clone(),
            grantee_matched,
            operation_matched,
            constraint_matched,
            applies,
            summary,
        }
    }
}

fn show(c: &EncryptionContext) -> String {
    serde_json::to_string(&c.0).unwrap_or_default()
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
