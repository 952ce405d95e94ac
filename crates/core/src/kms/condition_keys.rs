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
//! The global keys every request has ([`GlobalKeys`]): `aws:CurrentTime` and
//! `aws:EpochTime` (the virtual clock), `aws:SecureTransport`, `aws:ViaAWSService`,
//! `aws:CalledVia`, `aws:username` and `aws:userid`, `aws:PrincipalType`,
//! `aws:PrincipalTag/*`, `aws:RequestedRegion`; and the ABAC keys of tags and aliases
//! (`aws:ResourceTag/*`, `aws:RequestTag/*`, `aws:TagKeys`, `kms:RequestAlias`,
//! `kms:ResourceAliases`).
//!
//! A key's values are computed only when a policy condition asks for it
//! ([`KmsRequestKeys`]), so a request whose policies have no conditions builds none.

use super::cloudtrail::Text;
use super::key::KmsKey;
use super::types::{EncryptionAlgorithm, KeySpec, KeyUsage, Origin};
use crate::authz::{Caller, CallerPrincipal, RequestKeys};
use crate::context::EncryptionContext;
use std::collections::BTreeMap;
use std::sync::OnceLock;

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
    /// `kms:GrantIsForAWSResource` of a ListGrants or RevokeGrant request.
    pub grant_is_for_aws_resource: Option<bool>,
    /// `aws:ResourceTag/<key>`: the key's tags. "In AWS KMS, the `aws:ResourceTag/tag-key`
    /// condition key is supported only in IAM policies" (developer guide, *Using tags to
    /// control access to KMS keys*,
    /// <https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html>).
    pub resource_tags: Vec<(String, String)>,
    /// `aws:RequestTag/<key>`: the tags a CreateKey or TagResource request adds.
    pub request_tags: Option<Vec<(String, String)>>,
    /// `aws:TagKeys`: the tag keys of a CreateKey, TagResource or UntagResource request.
    pub tag_keys: Option<Vec<String>>,
    /// `kms:RequestAlias`: the alias the request names its key by, for the cryptographic
    /// operations, DescribeKey and GetPublicKey (developer guide, *Use aliases to control
    /// access to KMS keys*,
    /// <https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html>).
    pub request_alias: Option<String>,
    /// `kms:ResourceAliases`: every alias of the key ("Policy type: IAM policies only",
    /// developer guide, *AWS KMS condition keys*).
    pub resource_aliases: Option<Vec<String>>,
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
            resource_tags: key
                .tags
                .iter()
                .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
                .collect(),
            ..Default::default()
        }
    }

    /// With `aws:RequestTag/*` and `aws:TagKeys` for the tags a request adds.
    pub fn with_request_tags(mut self, tags: &[super::types::Tag]) -> Self {
        self.tag_keys = Some(tags.iter().map(|t| t.tag_key.clone()).collect());
        self.request_tags = Some(
            tags.iter()
                .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
                .collect(),
        );
        self
    }

    /// With `aws:TagKeys` for the tag keys a request removes.
    pub fn with_tag_keys(mut self, keys: &[String]) -> Self {
        self.tag_keys = Some(keys.to_vec());
        self
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

/// The global condition keys every request carries, whatever its operation (IAM User
/// Guide, *AWS global condition context keys*,
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GlobalKeys {
    now_secs: u64,
    region: Text,
    /// `aws:PrincipalTag/<key>`: the IAM tags of the caller.
    pub principal_tags: BTreeMap<String, String>,
    /// The other keys' values, computed the first time a policy asks for one of them (or
    /// an explanation lists them all), so a request whose policies never look at them
    /// pays nothing for them.
    values: OnceLock<GlobalValues>,
}

/// The values of the global keys other than the principal's tags.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct GlobalValues {
    /// `aws:CurrentTime`: the virtual clock, ISO 8601 ("Use this key to compare the date
    /// and time of the request with the date and time that you specify").
    pub current_time: String,
    /// `aws:EpochTime`: the virtual clock, in seconds since the epoch.
    pub epoch_time: String,
    /// `aws:RequestedRegion`: the Region the request went to.
    pub requested_region: String,
    /// `aws:PrincipalArn`: the caller's ARN; for a role session, its role's ARN ("For
    /// IAM roles, the request context returns the ARN of the role, not the ARN of the
    /// user that assumed the role").
    pub principal_arn: Option<String>,
    /// `aws:PrincipalType`: `Account` (the root user), `User`, `AssumedRole` or
    /// `FederatedUser`.
    pub principal_type: Option<&'static str>,
    /// `aws:username`: "This key is included in the request context for IAM users" only.
    pub username: Option<String>,
    /// `aws:userid`: the caller's unique id (the account id for the root user; for a role
    /// session `role-id:session-name`). IAM makes the unique ids at random; the playground
    /// derives a stable one from the ARN so that runs stay reproducible.
    pub userid: Option<String>,
    /// `aws:CalledVia`: the service principal of a service that called on the caller's
    /// behalf, for the services that set it ("Athena, AWS CloudFormation, Amazon DynamoDB
    /// and AWS Key Management Service").
    pub called_via: Option<String>,
    /// `aws:PrincipalServiceName`, for service principals.
    pub service_name: Option<String>,
}

/// The names (after `aws:`) of the keys [`KmsRequestKeys::computed`] gives.
const GLOBAL_COMPUTED: &[&str] = &[
    "PrincipalArn",
    "PrincipalType",
    "username",
    "userid",
    "PrincipalServiceName",
    "CurrentTime",
    "EpochTime",
    "CalledViaFirst",
    "CalledViaLast",
    "RequestedRegion",
    "CalledVia",
];

/// The services that set `aws:CalledVia` (IAM User Guide, *aws:CalledVia*).
const CALLED_VIA_SERVICES: &[&str] = &[
    "athena.amazonaws.com",
    "cloudformation.amazonaws.com",
    "dynamodb.amazonaws.com",
    "kms.amazonaws.com",
];

/// A stable 17-character stand-in for an IAM unique id, from `text` (FNV-1a).
fn unique_id(prefix: &str, text: &str) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in text.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    let mut out = String::from(prefix);
    for i in 0..17 {
        out.push(char::from(ALPHABET[((h >> (i * 5)) & 31) as usize]));
    }
    out
}

impl Default for GlobalKeys {
    fn default() -> Self {
        GlobalKeys::of(0, Text::Static(""), &BTreeMap::new())
    }
}

impl GlobalKeys {
    /// The global keys of a request to `region` at `now_secs` by a caller having `tags`.
    pub fn of(now_secs: u64, region: Text, tags: &BTreeMap<String, String>) -> Self {
        GlobalKeys {
            now_secs,
            region,
            principal_tags: tags.clone(),
            values: OnceLock::new(),
        }
    }

    /// The values of the other global keys, for `caller` (who made the request).
    pub fn values(&self, caller: &Caller) -> &GlobalValues {
        self.values
            .get_or_init(|| GlobalValues::of(caller, self.now_secs, &self.region))
    }
}

impl GlobalValues {
    fn of(caller: &Caller, now_secs: u64, region: &str) -> Self {
        let mut g = GlobalValues {
            current_time: crate::env::iso8601(now_secs),
            epoch_time: now_secs.to_string(),
            requested_region: region.to_owned(),
            ..Default::default()
        };
        match &caller.principal {
            CallerPrincipal::Service { name } => g.service_name = Some(name.clone()),
            CallerPrincipal::Iam { arn, account } => {
                let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
                let last = resource.rsplit('/').next().unwrap_or_default();
                g.principal_arn =
                    Some(crate::authz::session_role_arn(arn).unwrap_or_else(|| arn.clone()));
                if caller.is_root() {
                    g.principal_type = Some("Account");
                    g.userid = Some(account.clone());
                } else if resource.starts_with("user/") {
                    g.principal_type = Some("User");
                    g.username = Some(last.to_owned());
                    g.userid = Some(unique_id("AIDA", arn));
                } else if let Some(session) = resource.strip_prefix("assumed-role/") {
                    let (role, name) = session.split_once('/').unwrap_or((session, ""));
                    g.principal_type = Some("AssumedRole");
                    g.userid = Some(format!("{}:{name}", unique_id("AROA", role)));
                } else if resource.starts_with("role/") {
                    // A role acting under its own ARN: the playground's shorthand for a
                    // session of it, named after the role.
                    g.principal_type = Some("AssumedRole");
                    g.userid = Some(format!("{}:{last}", unique_id("AROA", last)));
                } else if let Some(user) = resource.strip_prefix("federated-user/") {
                    g.principal_type = Some("FederatedUser");
                    g.userid = Some(format!("{account}:{user}"));
                }
            }
        }
        g.called_via = caller
            .via_service
            .as_deref()
            .map(service_principal_of_endpoint)
            .filter(|s| CALLED_VIA_SERVICES.contains(&s.as_str()));
        g
    }
}

/// `workmail.us-east-1.amazonaws.com` → `workmail.amazonaws.com`.
fn service_principal_of_endpoint(endpoint: &str) -> String {
    let service = endpoint.split('.').next().unwrap_or_default();
    format!("{service}.amazonaws.com")
}

/// The condition keys of one KMS request, computed when asked for.
pub(crate) struct KmsRequestKeys<'a> {
    pub caller: &'a Caller,
    /// The global keys.
    pub globals: &'a GlobalKeys,
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
    fn single(&self) -> [(&'static str, Option<&str>); 26] {
        let caller_account = self.caller.account();
        let grant = self.facts.grant.as_ref();
        [
            ("kms:CallerAccount", caller_account),
            ("aws:PrincipalAccount", caller_account),
            ("aws:SecureTransport", Some("true")),
            (
                "aws:ViaAWSService",
                Some(flag(self.caller.via_service.is_some())),
            ),
            (
                "aws:PrincipalIsAWSService",
                Some(flag(self.caller.account().is_none())),
            ),
            ("kms:RequestAlias", self.facts.request_alias.as_deref()),
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

    /// The global keys computed from the caller and the clock (see [`GlobalKeys`]). AWS
    /// KMS endpoints take HTTPS only, so `aws:SecureTransport` (in [`Self::single`]) is
    /// always `true`.
    fn computed(&self) -> [(&'static str, Option<&str>); 11] {
        let g = self.globals.values(self.caller);
        let called_via = g.called_via.as_deref();
        [
            ("aws:PrincipalArn", g.principal_arn.as_deref()),
            ("aws:PrincipalType", g.principal_type),
            ("aws:username", g.username.as_deref()),
            ("aws:userid", g.userid.as_deref()),
            ("aws:PrincipalServiceName", g.service_name.as_deref()),
            ("aws:CurrentTime", Some(g.current_time.as_str())),
            ("aws:EpochTime", Some(g.epoch_time.as_str())),
            ("aws:CalledViaFirst", called_via),
            ("aws:CalledViaLast", called_via),
            ("aws:RequestedRegion", Some(g.requested_region.as_str())),
            ("aws:CalledVia", called_via),
        ]
    }

    fn grant_is_for_aws_resource(&self) -> Option<&'static str> {
        self.facts
            .grant
            .as_ref()
            .map(|g| g.for_aws_resource)
            .or(self.facts.grant_is_for_aws_resource)
            .map(flag)
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

    fn iam_only(&self, key: &str) -> bool {
        strip_prefix_ignore_case(key, "aws:ResourceTag/").is_some()
            || key.eq_ignore_ascii_case("kms:ResourceAliases")
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
        if let Some(tag) = strip_prefix_ignore_case(key, "aws:PrincipalTag/") {
            return tag_value(self.globals.principal_tags.iter(), tag).map(|v| vec![v]);
        }
        if let Some(tag) = strip_prefix_ignore_case(key, "aws:ResourceTag/") {
            return tag_value(self.facts.resource_tags.iter().map(|(k, v)| (k, v)), tag)
                .map(|v| vec![v]);
        }
        if let Some(tag) = strip_prefix_ignore_case(key, "aws:RequestTag/") {
            let tags = self.facts.request_tags.as_ref()?;
            return tag_value(tags.iter().map(|(k, v)| (k, v)), tag).map(|v| vec![v]);
        }
        if key.eq_ignore_ascii_case("aws:TagKeys") {
            return self
                .facts
                .tag_keys
                .as_ref()
                .filter(|k| !k.is_empty())
                .map(|k| k.iter().map(String::as_str).collect());
        }
        if key.eq_ignore_ascii_case("kms:ResourceAliases") {
            return self
                .facts
                .resource_aliases
                .as_ref()
                .filter(|a| !a.is_empty())
                .map(|a| a.iter().map(String::as_str).collect());
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
        if let Some((_, value)) = self
            .single()
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
        {
            return value.map(|v| vec![v]);
        }
        if !strip_prefix_ignore_case(key, "aws:")
            .is_some_and(|k| GLOBAL_COMPUTED.iter().any(|g| g.eq_ignore_ascii_case(k)))
        {
            return None;
        }
        self.computed()
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .and_then(|(_, value)| value)
            .map(|v| vec![v])
    }

    fn all(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = self
            .single()
            .into_iter()
            .chain(self.computed())
            .filter_map(|(name, value)| value.map(|v| (name.to_owned(), vec![v.to_owned()])))
            .collect();
        for (name, v) in &self.facts.named {
            out.insert((*name).to_owned(), vec![v.clone()]);
        }
        if let Some(c) = self.nonempty_context() {
            for (k, v) in c.0.iter() {
                out.insert(format!("{ENCRYPTION_CONTEXT_PREFIX}{k}"), vec![v.clone()]);
            }
            out.insert(
                "kms:EncryptionContextKeys".to_owned(),
                c.0.keys().cloned().collect(),
            );
        }
        for (k, v) in &self.globals.principal_tags {
            out.insert(format!("aws:PrincipalTag/{k}"), vec![v.clone()]);
        }
        for (k, v) in &self.facts.resource_tags {
            out.insert(format!("aws:ResourceTag/{k}"), vec![v.clone()]);
        }
        for (k, v) in self.facts.request_tags.iter().flatten() {
            out.insert(format!("aws:RequestTag/{k}"), vec![v.clone()]);
        }
        if let Some(keys) = self.facts.tag_keys.as_ref().filter(|k| !k.is_empty()) {
            out.insert("aws:TagKeys".to_owned(), keys.clone());
        }
        if let Some(a) = self
            .facts
            .resource_aliases
            .as_ref()
            .filter(|a| !a.is_empty())
        {
            out.insert("kms:ResourceAliases".to_owned(), a.clone());
        }
        if let Some(v) = self.grant_is_for_aws_resource() {
            out.insert("kms:GrantIsForAWSResource".to_owned(), vec![v.to_owned()]);
        }
        if let Some(g) = &self.facts.grant {
            out.insert("kms:GrantOperations".to_owned(), g.operations.clone());
            if let Some(t) = g.constraint_type {
                out.insert("kms:GrantConstraintType".to_owned(), vec![t.to_owned()]);
            }
        }
        out
    }
}

/// A tag's value by its key: exact case first, else ignoring case ("tag keys are
/// case-insensitive" in condition keys, IAM User Guide, *Controlling access to AWS
/// resources using tags*).
fn tag_value<'t>(
    mut tags: impl Iterator<Item = (&'t String, &'t String)> + Clone,
    key: &str,
) -> Option<&'t str> {
    let folded = key.to_lowercase();
    tags.clone()
        .find(|(k, _)| k.as_str() == key)
        .or_else(|| tags.find(|(k, _)| k.to_lowercase() == folded))
        .map(|(_, v)| v.as_str())
}

/// What a request's keys are built from, owned, so the decision can be explained after
/// the request is gone.
#[derive(Debug, Clone)]
pub(crate) struct OwnedRequestKeys {
    pub caller: std::sync::Arc<Caller>,
    pub globals: GlobalKeys,
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
            globals: &self.globals,
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
            globals: &GlobalKeys::default(),
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
            globals: &GlobalKeys::default(),
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
            "aws:CurrentTime",
            "aws:EpochTime",
            "aws:userid",
            "aws:PrincipalType",
            "aws:SecureTransport",
            "aws:ViaAWSService",
            "aws:CalledVia",
            "aws:RequestedRegion",
            "aws:PrincipalIsAWSService",
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
            globals: &GlobalKeys::default(),
            action: "kms:Decrypt",
            resource: "*",
            context: Some(&empty),
            facts: &facts,
        };
        assert_eq!(view.get("kms:EncryptionContextKeys"), None);
        assert!(!view
            .all()
            .keys()
            .any(|k| k.starts_with("kms:EncryptionContext")));
    }

    /// IAM User Guide, *AWS global condition context keys*: what each kind of principal
    /// carries.
    #[test]
    fn global_keys_by_principal_kind() {
        let values = |caller: &Caller| GlobalValues::of(caller, 1_767_225_600, "eu-west-1");
        let user = values(&Caller::iam("arn:aws:iam::111122223333:user/dev/David"));
        assert_eq!(user.principal_type, Some("User"));
        assert_eq!(user.username.as_deref(), Some("David"));
        assert!(user
            .userid
            .as_deref()
            .is_some_and(|id| id.starts_with("AIDA") && id.len() == 21));
        assert_eq!(user.current_time, "2026-01-01T00:00:00Z");
        assert_eq!(user.requested_region, "eu-west-1");
        let root = values(&Caller::root("111122223333"));
        assert_eq!(
            (root.principal_type, root.userid.as_deref()),
            (Some("Account"), Some("111122223333"))
        );
        assert_eq!(root.username, None);
        let session = values(&Caller::iam(
            "arn:aws:sts::111122223333:assumed-role/App/s1",
        ));
        assert_eq!(session.principal_type, Some("AssumedRole"));
        assert_eq!(
            session.principal_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/App")
        );
        assert!(session
            .userid
            .as_deref()
            .is_some_and(|id| id.starts_with("AROA") && id.ends_with(":s1")));
        assert_eq!(session.username, None);
        let ses = values(&Caller::service("ses.amazonaws.com"));
        assert_eq!(
            (ses.principal_type, ses.principal_arn.as_deref()),
            (None, None)
        );
        assert_eq!(ses.service_name.as_deref(), Some("ses.amazonaws.com"));
        // aws:CalledVia only for the services that set it.
        let via = |endpoint: &str| {
            values(&Caller::iam("arn:aws:iam::111122223333:user/D").via(endpoint)).called_via
        };
        assert_eq!(via("workmail.us-east-1.amazonaws.com"), None);
        assert_eq!(
            via("athena.us-east-1.amazonaws.com").as_deref(),
            Some("athena.amazonaws.com")
        );
    }
}
