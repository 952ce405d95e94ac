//! The simulated AWS KMS.
//!
//! [`Kms`] holds the keys, aliases, grants, the account's IAM policies and the CloudTrail
//! log of one account in one Region. Every operation goes through [`Kms::execute`] (a
//! typed [`KmsRequest`]) or its typed method (`kms.decrypt(...)`, one per operation, from
//! the table in `operation.rs`): validate the request, resolve the key, authorize the
//! caller, check the key state, act, and record a CloudTrail event, whatever the outcome.

mod aliases;
mod asymmetric;
pub mod blob;
pub mod cloudtrail;
mod condition_keys;
mod cryptographic;
mod custom_key_stores;
mod error;
mod grants;
mod import;
mod issued;
pub(crate) mod key;
mod keys;
mod lookup;
mod managed;
pub mod model;
#[cfg(test)]
mod model_fields;
mod multi_region;
mod operation;
mod page;
mod policy;
mod rotation;
mod tags;
pub mod types;
pub mod validate;

pub use crate::authz::{Authorization, Decision, GrantResult, IdentityPolicyResult, Outcome};
pub use error::{ErrorCode, KmsError, Result};
pub use managed::{default_key_policy, is_managed_service, managed_key_policy};
pub use operation::{KmsRequest, KmsResponse, Operation};

use crate::authz::{Caller, Grant, IamPrincipal, PolicyDocument};
use crate::env::Env;
use cloudtrail::{CloudTrailEvent, EventId};
use key::KmsKey;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

pub(crate) use multi_region::RegionEffect;
pub use multi_region::AWS_REGIONS;

/// An alias: a friendly name for a key.
#[derive(Debug, Clone, PartialEq)]
struct Alias {
    target_key_id: String,
    creation_date: u64,
    last_updated_date: u64,
}

/// What one KMS call left behind besides its response: why it was allowed or denied,
/// why a decryption failed, and the CloudTrail event it produced.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KmsRecord {
    /// The operation.
    pub operation: Operation,
    /// The authorization decisions (ReEncrypt has two; a request rejected before
    /// authorization has none), explained on demand ([`Authorization::decision`]).
    pub authorizations: Vec<Authorization>,
    /// Why a decryption failed, from what the simulation knows (real KMS says only
    /// `InvalidCiphertextException`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The CloudTrail event this call produced (shared with the trail).
    pub event: Arc<CloudTrailEvent>,
}

/// Per-call state the operations fill in for the record.
pub(crate) struct OpCtx<'a> {
    pub env: &'a mut Env,
    /// The caller, shared with what outlives the call (a decision explained later).
    pub caller: Arc<Caller>,
    pub decisions: Vec<Authorization>,
    /// The key ARN(s) the call acted on, for CloudTrail `resources`.
    pub resources: Vec<cloudtrail::Text>,
    pub explanation: Option<String>,
    /// The call used its key cryptographically (for GetKeyLastUsage): the first resource.
    pub used: bool,
}

/// One account's KMS in one Region.
#[derive(Debug)]
pub struct Kms {
    region: String,
    account: String,
    keys: BTreeMap<String, KmsKey>,
    aliases: BTreeMap<String, Alias>,
    grants: BTreeMap<String, Arc<Grant>>,
    /// What IAM knows of each principal, by ARN (its policies and tags, as KMS consults
    /// them; principals of other accounts too).
    iam: BTreeMap<String, Arc<IamPrincipal>>,
    /// The service control policies of each account that has some, by account id.
    scps: BTreeMap<String, Arc<[PolicyDocument]>>,
    /// The contexts recent ciphertexts were sealed with, to explain a failed Decrypt.
    issued: issued::IssuedContexts,
    trail: Vec<Arc<CloudTrailEvent>>,
    /// A principal IAM knows nothing of.
    no_principal: Arc<IamPrincipal>,
    /// The Region and account as events share them.
    region_text: cloudtrail::Text,
    account_text: cloudtrail::Text,
    /// The last event time written, by virtual milliseconds (events of one instant share it).
    event_time: (u64, cloudtrail::Text),
    /// Keep CloudTrail events (off for scale runs that only count).
    record_trail: bool,
    /// Keep at least this many of the latest events, and at most twice as many (`None`:
    /// all of them).
    trail_limit: Option<usize>,
    /// What other Regions must do after a call (multi-Region keys), for the world to apply.
    outbox: Vec<RegionEffect>,
    /// The last caller, shared, with its `userIdentity`, `sourceIPAddress` and
    /// `userAgent`: calls come in runs from one caller, and its calls share these instead
    /// of copying and building them each time.
    last_caller: Option<(Arc<Caller>, cloudtrail::Identity)>,
}

impl KmsRecord {
    /// The decisions with all their reasons (built now, if they were not yet).
    pub fn decisions(&self) -> Vec<Decision> {
        self.authorizations
            .iter()
            .map(Authorization::decision)
            .collect()
    }
}

impl Kms {
    /// An empty KMS for `account` in `region`.
    pub fn new(region: &str, account: &str) -> Self {
        Kms {
            region: region.to_owned(),
            account: account.to_owned(),
            keys: BTreeMap::new(),
            aliases: BTreeMap::new(),
            grants: BTreeMap::new(),
            iam: BTreeMap::new(),
            scps: BTreeMap::new(),
            issued: issued::IssuedContexts::default(),
            trail: Vec::new(),
            no_principal: Arc::new(IamPrincipal::default()),
            region_text: region.to_owned().into(),
            account_text: account.to_owned().into(),
            event_time: (0, cloudtrail::Text::Static("")),
            record_trail: true,
            trail_limit: None,
            outbox: Vec::new(),
            last_caller: None,
        }
    }

    /// Takes what other Regions must do after the calls so far (replicas to create,
    /// multi-Region configurations and key material to share).
    pub(crate) fn take_region_effects(&mut self) -> Vec<RegionEffect> {
        std::mem::take(&mut self.outbox)
    }

    /// The Region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The account id.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Attaches IAM identity policies to a principal (replacing what it had, its
    /// boundary, session policies and tags included).
    pub fn set_identity_policies(&mut self, principal_arn: &str, policies: Vec<PolicyDocument>) {
        self.set_principal(principal_arn, IamPrincipal::with_identity(policies));
    }

    /// Tells KMS what IAM knows of a principal: its policies, boundary, session policies
    /// and tags (replacing what it had).
    pub fn set_principal(&mut self, principal_arn: &str, principal: IamPrincipal) {
        self.iam
            .insert(principal_arn.to_owned(), Arc::new(principal));
    }

    /// Sets the service control policies of `account` (an empty list: no SCPs, as for an
    /// account in no organization).
    pub fn set_service_control_policies(&mut self, account: &str, scps: Vec<PolicyDocument>) {
        if scps.is_empty() {
            self.scps.remove(account);
        } else {
            self.scps.insert(account.to_owned(), Arc::from(scps));
        }
    }

    /// The CloudTrail events recorded so far, oldest first.
    pub fn trail(&self) -> &[Arc<CloudTrailEvent>] {
        &self.trail
    }

    /// Whether CloudTrail events are kept.
    pub fn records_trail(&self) -> bool {
        self.record_trail
    }

    /// Stops (or resumes) keeping CloudTrail events, for runs too large to keep them.
    pub fn set_record_trail(&mut self, on: bool) {
        self.record_trail = on;
    }

    /// Keeps only the latest `limit` CloudTrail events or so (up to twice as many), for a
    /// long-running server; `None` keeps all.
    pub fn set_trail_limit(&mut self, limit: Option<usize>) {
        self.trail_limit = limit;
    }

    /// Performs `operation` with a typed request; returns the typed response and the record.
    pub(crate) fn invoke<Req: Serialize, Resp: Serialize>(
        &mut self,
        operation: Operation,
        env: &mut Env,
        caller: &Caller,
        request: Req,
        op: fn(&mut Kms, &mut OpCtx<'_>, Req) -> Result<Resp>,
    ) -> (Result<Resp>, KmsRecord) {
        let parameters = cloudtrail::request_parameters(&request);
        self.tick(env);
        let (caller, identity) = self.caller_entry(caller);
        let mut ctx = OpCtx {
            env,
            caller,
            decisions: Vec::new(),
            resources: Vec::new(),
            explanation: None,
            used: false,
        };
        let result = op(self, &mut ctx, request);
        let OpCtx {
            env,
            decisions,
            resources,
            explanation,
            used,
            ..
        } = ctx;
        let response_elements = match &result {
            Ok(r) if operation.records_response() => cloudtrail::response_elements(r),
            _ => Value::Null,
        };
        let event = self.record(
            env,
            identity,
            operation,
            parameters,
            response_elements,
            result.as_ref().err(),
            &resources,
        );
        if used && result.is_ok() {
            self.note_usage(operation, &resources, &event, env);
        }
        let record = KmsRecord {
            operation,
            authorizations: decisions,
            explanation,
            event,
        };
        (result, record)
    }

    /// Records a request that was refused before it could be read (its JSON did not have
    /// the operation's shape): the CloudTrail event carries the error.
    pub fn reject(
        &mut self,
        env: &mut Env,
        caller: &Caller,
        operation: Operation,
        request: &Value,
        error: &KmsError,
    ) -> KmsRecord {
        let parameters = cloudtrail::request_parameters(request);
        let (_, identity) = self.caller_entry(caller);
        let event = self.record(
            env,
            identity,
            operation,
            parameters,
            Value::Null,
            Some(error),
            &[],
        );
        KmsRecord {
            operation,
            authorizations: Vec::new(),
            explanation: None,
            event,
        }
    }

    /// Remembers a key's last cryptographic use (GetKeyLastUsage).
    fn note_usage(
        &mut self,
        operation: Operation,
        resources: &[cloudtrail::Text],
        event: &CloudTrailEvent,
        env: &Env,
    ) {
        // The key id follows the ARN's last `/` (a byte scan: this runs on every call).
        let Some(key_id) = resources.first().and_then(|arn| {
            let at = arn.bytes().rposition(|b| b == b'/')?;
            arn.get(at + 1..)
        }) else {
            return;
        };
        if let Some(key) = self.keys.get_mut(key_id) {
            key.last_usage = Some(key::LastUsage {
                operation,
                at: env.clock.now_secs(),
                event_id: event.event_id,
                request_id: event.request_id,
            });
        }
    }

    /// The caller, shared, and its identity in events: the last caller's when this is the
    /// same one.
    fn caller_entry(&mut self, caller: &Caller) -> (Arc<Caller>, cloudtrail::Identity) {
        match &self.last_caller {
            Some((last, identity)) if **last == *caller => (Arc::clone(last), identity.clone()),
            _ => {
                let shared = Arc::new(caller.clone());
                let identity = cloudtrail::identity_of(caller);
                self.last_caller = Some((Arc::clone(&shared), identity.clone()));
                (shared, identity)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        env: &mut Env,
        (user_identity, ip, agent): cloudtrail::Identity,
        operation: Operation,
        request_parameters: cloudtrail::Parameters,
        response_elements: Value,
        error: Option<&KmsError>,
        resources: &[cloudtrail::Text],
    ) -> Arc<CloudTrailEvent> {
        let is_service = user_identity.kind == "AWSService";
        let (error_code, error_message) = match error {
            None => (None, None),
            Some(e) => (Some(e.code.name().into()), e.message.clone()),
        };
        let now_ms = env.clock.now_ms();
        if self.event_time.0 != now_ms || self.event_time.1.is_empty() {
            self.event_time = (now_ms, env.clock.iso8601().into());
        }
        let event = CloudTrailEvent {
            event_version: cloudtrail::EVENT_VERSION.into(),
            user_identity,
            event_time: self.event_time.1.clone(),
            event_source: "kms.amazonaws.com".into(),
            event_name: operation.name().into(),
            aws_region: self.region_text.clone(),
            source_ip_address: ip,
            user_agent: agent,
            error_code,
            error_message,
            request_parameters,
            response_elements,
            request_id: EventId(env.rng.uuid_bytes()),
            event_id: EventId(env.rng.uuid_bytes()),
            read_only: operation.is_read_only(),
            resources: resources
                .iter()
                .map(|arn| cloudtrail::Resource {
                    arn: arn.clone(),
                    account_id: self.account_text.clone(),
                    kind: "AWS::KMS::Key".into(),
                })
                .collect(),
            event_type: "AwsApiCall".into(),
            recipient_account_id: self.account_text.clone(),
            shared_event_id: if is_service {
                Some(EventId(env.rng.uuid_bytes()))
            } else {
                None
            },
        };
        let event = Arc::new(event);
        if self.record_trail {
            if let Some(keep) = self.trail_limit {
                if self.trail.len() >= keep.saturating_mul(2).max(1) {
                    self.trail.drain(..self.trail.len().saturating_sub(keep));
                }
            }
            self.trail.push(Arc::clone(&event));
        }
        event
    }
}

#[cfg(test)]
mod tests;
