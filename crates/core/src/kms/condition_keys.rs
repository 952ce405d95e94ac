//! The condition keys KMS sets on a request, in one place.
//!
//! AWS KMS condition keys (developer guide, *AWS KMS condition keys*) and the global keys
//! KMS requests carry (IAM User Guide, *AWS global condition context keys*): who calls
//! (`kms:CallerAccount`, `aws:PrincipalArn`, `aws:PrincipalAccount`), through which
//! service (`kms:ViaService`), for which resource a service acts (`aws:SourceAccount`,
//! `aws:SourceArn`), the encryption context (`kms:EncryptionContext:<key>`,
//! `kms:EncryptionContextKeys`), and what an operation adds about the key and the request
//! ([`ConditionFacts`]: `kms:KeySpec`, `kms:KeyUsage`, `kms:KeyOrigin`,
//! `kms:EncryptionAlgorithm`, `kms:GrantOperations`, ...).
//!
//! A key's values are computed only when a policy condition asks for it
//! ([`KmsRequestKeys`]), so a request whose policies have no conditions builds none.

use super::cloudtrail::Text;
use super::key::KmsKey;
use super::types::{EncryptionAlgorithm, KeySpec, KeyUsage, Origin};
use crate::authz::{Caller, CallerPrincipal, RequestKeys};
use crate::context::EncryptionContext;
use std::collections::BTreeMap;

/// What a grant request adds to the request context (CreateGrant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GrantFacts {
    /// `kms:GrantOperations`.
    pub operations: Vec<String>,
    /// `kms:GranteePrincipal`.
    pub grantee: String,
    /// `kms:RetiringPrincipal`.
    pub retiring: Option<String>,
    /// `kms:GrantIsForAWSResource`: the request comes through an AWS service.
    pub for_aws_resource: bool,
    /// `kms:GrantConstraintType`.
    pub constraint_type: Option<&'static str>,
}

/// The condition keys an operation adds about its key and request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ConditionFacts {
    /// `kms:KeySpec`.
    pub key_spec: Option<&'static str>,
    /// `kms:KeyUsage`.
    pub key_usage: Option<&'static str>,
    /// `kms:KeyOrigin`.
    pub key_origin: Option<&'static str>,
    /// `kms:MultiRegion` (`true` / `false`).
    pub multi_region: Option<&'static str>,
    /// `kms:MultiRegionKeyType` (`PRIMARY` / `REPLICA`).
    pub multi_region_key_type: Option<&'static str>,
    /// `kms:EncryptionAlgorithm`.
    pub encryption_algorithm: Option<&'static str>,
    /// `kms:SigningAlgorithm`.
    pub signing_algorithm: Option<&'static str>,
    /// `kms:MessageType`.
    pub message_type: Option<&'static str>,
    /// `kms:MacAlgorithm`.
    pub mac_algorithm: Option<&'static str>,
    /// `kms:KeyAgreementAlgorithm`.
    pub key_agreement_algorithm: Option<&'static str>,
    /// `kms:DataKeyPairSpec`.
    pub data_key_pair_spec: Option<&'static str>,
    /// `kms:WrappingAlgorithm`.
    pub wrapping_algorithm: Option<&'static str>,
    /// `kms:WrappingKeySpec`.
    pub wrapping_key_spec: Option<&'static str>,
    /// `kms:ExpirationModel`.
    pub expiration_model: Option<&'static str>,
    /// `kms:BypassPolicyLockoutSafetyCheck` (`true` / `false`).
    pub bypass_lockout_check: Option<&'static str>,
    /// Keys whose values are not constants: `kms:ReplicaRegion`, `kms:PrimaryRegion`,
    /// `kms:RotationPeriodInDays`, `kms:ScheduleKeyDeletionPendingWindowInDays`,
    /// `kms:ValidTo`.
    pub named: Vec<(&'static str, String)>,
    /// The keys of a CreateGrant request.
    pub grant: Option<GrantFacts>,
}

fn flag(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

impl ConditionFacts {
    /// The facts of an operation on `key`: its spec, usage, origin and multi-Region type.
    pub fn of_key(key: &KmsKey) -> Self {
        ConditionFacts {
            key_spec: Some(key.spec().name()),
            key_usage: Some(key.usage.name()),
            key_origin: Some(key.origin.name()),
            multi_region: Some(flag(key.multi_region.is_some())),
            multi_region_key_type: key.multi_region.as_ref().map(|_| {
                if key.is_replica() {
                    "REPLICA"
                } else {
                    "PRIMARY"
                }
            }),
            ..Default::default()
        }
    }

    /// The facts of a CreateKey request.
    pub fn of_new_key(spec: KeySpec, usage: KeyUsage, origin: Origin, multi_region: bool) -> Self {
        ConditionFacts {
            key_spec: Some(spec.name()),
            key_usage: Some(usage.name()),
            key_origin: Some(origin.name()),
            multi_region: Some(flag(multi_region)),
            multi_region_key_type: multi_region.then_some("PRIMARY"),
            ..Default::default()
        }
    }

    /// With `kms:EncryptionAlgorithm`.
    pub fn with_algorithm(mut self, algorithm: EncryptionAlgorithm) -> Self {
        self.encryption_algorithm = Some(algorithm.name());
        self
    }

    /// With `kms:BypassPolicyLockoutSafetyCheck`.
    pub fn with_bypass(mut self, bypass: bool) -> Self {
        self.bypass_lockout_check = Some(flag(bypass));
        self
    }

    /// With a key whose value is not a constant.
    pub fn with_named(mut self, key: &'static str, value: String) -> Self {
        self.named.push((key, value));
        self
    }
}

/// The condition keys of one KMS request, computed when asked for.
pub(crate) struct KmsRequestKeys<'a> {
    pub caller: &'a Caller,
    /// The IAM action, e.g. `kms:Decrypt`.
    pub action: &'a str,
    /// The key ARN, or `*` for operations on no key.
    pub resource: &'a str,
    /// The request's encryption context (for CreateGrant: of its constraints).
    pub context: Option<&'a EncryptionContext>,
    pub facts: &'a ConditionFacts,
}

const ENCRYPTION_CONTEXT_PREFIX: &str = "kms:EncryptionContext:";

/// `text` without `prefix`, compared ignoring ASCII case.
fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

impl KmsRequestKeys<'_> {
    fn nonempty_context(&self) -> Option<&EncryptionContext> {
        self.context.filter(|c| !c.is_empty())
    }

    /// The one-value keys (everything but the encryption context and the grant's
    /// operations), by their AWS name.
    fn single(&self) -> [(&'static str, Option<&str>); 23] {
        let (caller_account, principal_arn) = match &self.caller.principal {
            CallerPrincipal::Iam { arn, account } => (Some(account.as_str()), Some(arn.as_str())),
            CallerPrincipal::Service { .. } => (None, None),
        };
        let grant = self.facts.grant.as_ref();
        [
            ("kms:CallerAccount", caller_account),
            ("aws:PrincipalArn", principal_arn),
            ("aws:PrincipalAccount", caller_account),
            ("kms:ViaService", self.caller.via_service.as_deref()),
            ("aws:SourceAccount", self.caller.source_account.as_deref()),
            ("aws:SourceArn", self.caller.source_arn.as_deref()),
            ("kms:KeySpec", self.facts.key_spec),
            ("kms:KeyUsage", self.facts.key_usage),
            ("kms:KeyOrigin", self.facts.key_origin),
            ("kms:EncryptionAlgorithm", self.facts.encryption_algorithm),
            ("kms:MultiRegion", self.facts.multi_region),
            ("kms:MultiRegionKeyType", self.facts.multi_region_key_type),
            ("kms:SigningAlgorithm", self.facts.signing_algorithm),
            ("kms:MessageType", self.facts.message_type),
            ("kms:MacAlgorithm", self.facts.mac_algorithm),
            (
                "kms:KeyAgreementAlgorithm",
                self.facts.key_agreement_algorithm,
            ),
            ("kms:DataKeyPairSpec", self.facts.data_key_pair_spec),
            ("kms:WrappingAlgorithm", self.facts.wrapping_algorithm),
            ("kms:WrappingKeySpec", self.facts.wrapping_key_spec),
            ("kms:ExpirationModel", self.facts.expiration_model),
            (
                "kms:BypassPolicyLockoutSafetyCheck",
                self.facts.bypass_lockout_check,
            ),
            ("kms:GranteePrincipal", grant.map(|g| g.grantee.as_str())),
            (
                "kms:RetiringPrincipal",
                grant.and_then(|g| g.retiring.as_deref()),
            ),
        ]
    }

    fn grant_is_for_aws_resource(&self) -> Option<&'static str> {
        self.facts
            .grant
            .as_ref()
            .map(|g| if g.for_aws_resource { "true" } else { "false" })
    }
}

impl RequestKeys for KmsRequestKeys<'_> {
    fn principal(&self) -> &CallerPrincipal {
        &self.caller.principal
    }

    fn action(&self) -> &str {
        self.action
    }

    fn resource(&self) -> &str {
        self.resource
    }

    /// Key names are matched ignoring case, the context-key part of
    /// `kms:EncryptionContext:<key>` too; an exact-case context key wins over one that
    /// differs only by case, otherwise the first in sorted order (see
    /// `authz::RequestContext::get`).
    fn get(&self, key: &str) -> Option<Vec<&str>> {
        if let Some(wanted) = strip_prefix_ignore_case(key, ENCRYPTION_CONTEXT_PREFIX) {
            let context = self.nonempty_context()?;
            // As a map of full key names would: an exact match needs the prefix exact too.
            if key.starts_with(ENCRYPTION_CONTEXT_PREFIX) {
                if let Some(v) = context.0.get(wanted) {
                    return Some(vec![v.as_str()]);
                }
            }
            let folded = wanted.to_lowercase();
            return context
                .0
                .iter()
                .find(|(k, _)| k.to_lowercase() == folded)
                .map(|(_, v)| vec![v.as_str()]);
        }
        if key.eq_ignore_ascii_case("kms:EncryptionContextKeys") {
            return self
                .nonempty_context()
                .map(|c| c.0.keys().map(String::as_str).collect());
        }
        if key.eq_ignore_ascii_case("kms:GrantOperations") {
            return self
                .facts
                .grant
                .as_ref()
                .map(|g| g.operations.iter().map(String::as_str).collect());
        }
        if key.eq_ignore_ascii_case("kms:GrantIsForAWSResource") {
            return self.grant_is_for_aws_resource().map(|v| vec![v]);
        }
        if key.eq_ignore_ascii_case("kms:GrantConstraintType") {
            return self
                .facts
                .grant
                .as_ref()
                .and_then(|g| g.constraint_type)
                .map(|v| vec![v]);
        }
        if let Some((_, v)) = self
            .facts
            .named
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
        {
            return Some(vec![v.as_str()]);
        }
        self.single()
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .and_then(|(_, value)| value)
            .map(|v| vec![v])
    }

    fn all(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = self
            .single()
            .into_iter()
            .filter_map(|(name, value)| value.map(|v| (name.to_owned(), vec![v.to_owned()])))
            .collect();
        for (name, v) in &self.facts.named {
            out.insert((*name).to_owned(), vec![v.clone()]);
        }
        if let Some(c) = self.nonempty_context() {
            for (k, v) in &c.0 {
                out.insert(format!("{ENCRYPTION_CONTEXT_PREFIX}{k}"), vec![v.clone()]);
            }
            out.insert(
                "kms:EncryptionContextKeys".to_owned(),
                c.0.keys().cloned().collect(),
            );
        }
        if let Some(g) = &self.facts.grant {
            out.insert("kms:GrantOperations".to_owned(), g.operations.clone());
            if let Some(v) = self.grant_is_for_aws_resource() {
                out.insert("kms:GrantIsForAWSResource".to_owned(), vec![v.to_owned()]);
            }
            if let Some(t) = g.constraint_type {
                out.insert("kms:GrantConstraintType".to_owned(), vec![t.to_owned()]);
            }
        }
        out
    }
}

/// What a request's keys are built from, owned, so the decision can be explained after
/// the request is gone.
#[derive(Debug, Clone)]
pub(crate) struct OwnedRequestKeys {
    pub caller: Caller,
    pub action: &'static str,
    pub resource: Text,
    pub context: Option<EncryptionContext>,
    pub facts: ConditionFacts,
}

impl OwnedRequestKeys {
    /// The borrowed view the evaluator reads.
    pub fn view(&self) -> KmsRequestKeys<'_> {
        KmsRequestKeys {
            caller: &self.caller,
            action: self.action,
            resource: &self.resource,
            context: self.context.as_ref(),
            facts: &self.facts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::RequestContext;

    /// The keys of a request, as the map the evaluator used to be given.
    fn as_map(
        caller: &Caller,
        context: Option<&EncryptionContext>,
        facts: &ConditionFacts,
    ) -> RequestContext {
        let mut ctx = RequestContext::new(caller.principal.clone(), "kms:Decrypt", "arn:k");
        ctx.keys = KmsRequestKeys {
            caller,
            action: "kms:Decrypt",
            resource: "arn:k",
            context,
            facts,
        }
        .all();
        ctx
    }

    #[test]
    fn computed_keys_match_the_map_of_all_keys() {
        let caller = Caller::iam("arn:aws:iam::111122223333:role/R")
            .via("workmail.us-east-1.amazonaws.com")
            .on_behalf_of(Some("111122223333".into()), Some("arn:aws:ses:x".into()));
        let context =
            EncryptionContext::from_pairs([("Dept", "upper"), ("dept", "lower"), ("AppName", "x")]);
        let facts = ConditionFacts {
            key_spec: Some("SYMMETRIC_DEFAULT"),
            key_usage: Some("ENCRYPT_DECRYPT"),
            key_origin: Some("AWS_KMS"),
            encryption_algorithm: Some("SYMMETRIC_DEFAULT"),
            signing_algorithm: Some("ECDSA_SHA_256"),
            named: vec![("kms:ReplicaRegion", "eu-west-1".into())],
            grant: Some(GrantFacts {
                operations: vec!["Decrypt".into(), "Encrypt".into()],
                grantee: "g".into(),
                retiring: None,
                for_aws_resource: true,
                constraint_type: Some("EncryptionContextSubset"),
            }),
            ..Default::default()
        };
        let view = KmsRequestKeys {
            caller: &caller,
            action: "kms:Decrypt",
            resource: "arn:k",
            context: Some(&context),
            facts: &facts,
        };
        let map = as_map(&caller, Some(&context), &facts);
        for key in [
            "kms:CallerAccount",
            "AWS:principalarn",
            "aws:PrincipalAccount",
            "kms:viaservice",
            "aws:SourceAccount",
            "aws:SourceArn",
            "kms:KeySpec",
            "kms:KeyUsage",
            "kms:KeyOrigin",
            "kms:EncryptionAlgorithm",
            "kms:SigningAlgorithm",
            "kms:replicaregion",
            "kms:MacAlgorithm",
            "kms:GrantOperations",
            "kms:GranteePrincipal",
            "kms:RetiringPrincipal",
            "kms:GrantIsForAWSResource",
            "kms:GrantConstraintType",
            "kms:EncryptionContextKeys",
            "kms:EncryptionContext:dept",
            "kms:EncryptionContext:Dept",
            "KMS:ENCRYPTIONCONTEXT:APPNAME",
            "KMS:EncryptionContext:dept",
            "kms:EncryptionContext:missing",
            "aws:Nothing",
        ] {
            assert_eq!(
                RequestKeys::get(&view, key),
                RequestKeys::get(&map, key),
                "{key}"
            );
        }
    }

    #[test]
    fn an_empty_context_adds_no_keys() {
        let caller = Caller::service("ses.amazonaws.com");
        let empty = EncryptionContext::new();
        let facts = ConditionFacts::default();
        let view = KmsRequestKeys {
            caller: &caller,
            action: "kms:Decrypt",
            resource: "*",
            context: Some(&empty),
            facts: &facts,
        };
        assert_eq!(view.get("kms:EncryptionContextKeys"), None);
        assert!(view.all().is_empty());
    }
}
