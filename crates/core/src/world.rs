//! The simulated world: KMS and the services built on it, with one clock, one random
//! source and one trace.
//!
//! A call enters as `service:Operation` and a request. [`World::call`] is the JSON edge
//! (scenario files, the JavaScript API): it parses the request once into a typed
//! [`WorldRequest`], routes it with [`World::perform`], and writes the response once as
//! JSON, with key material shown only where the world's [`SecretView`] allows.

use crate::authz::Caller;
use crate::env::Env;
use crate::kms::cloudtrail::CloudTrailEvent;
use crate::kms::{Kms, KmsRequest, KmsResponse, Operation as KmsOperation};
use crate::record::{
    kms_story, Call, ErrorBody, Recorder, Service, ServiceError, Story, Trace, TraceMode,
};
use crate::s3::encryption_client::{self, S3ecRequest, S3ecResponse};
use crate::s3::{S3Request, S3Response, StoredObjectPart, S3};
use crate::ses::{Ses, SesRequest, SesResponse};
use crate::wire::{secret_digest, with_secret_view, SecretView};
use crate::workmail::{StoredArtifact, WorkMail, WorkMailError, WorkMailRequest, WorkMailResponse};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Result of a call at the JSON edge: the response in its AWS JSON shape, or the error.
pub type CallResult = Result<Value, ErrorBody>;

/// An error in the AWS JSON shape.
pub fn error(code: &str, message: impl Into<String>) -> ErrorBody {
    ErrorBody {
        code: code.to_owned(),
        message: message.into(),
        help: None,
    }
}

/// What a call names: an operation of one of the world's services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `kms:<Operation>`.
    Kms(KmsOperation),
    /// `workmail:<Operation>`.
    WorkMail(crate::workmail::Operation),
    /// `ses:<Operation>`.
    Ses(crate::ses::Operation),
    /// `s3:<Operation>`.
    S3(crate::s3::Operation),
    /// `s3ec:GetObject`: the owner's S3 encryption client.
    S3ec(encryption_client::Operation),
    /// `clock:Advance`.
    ClockAdvance,
    /// `tamper:FlipByte`.
    TamperFlipByte,
    /// `trail:LookupEvents`.
    TrailLookupEvents,
}

impl Target {
    /// Parses `service:Operation`; the error says what is wrong and what exists.
    pub fn parse(call: &str) -> Result<Target, String> {
        let Some((service, op)) = call.split_once(':') else {
            return Err(format!(
                "\"{call}\" is not of the form service:Operation, e.g. kms:Encrypt"
            ));
        };
        let unknown = |ops: Vec<&str>| {
            format!(
                "{service} has no operation \"{op}\"; available: {}",
                ops.join(", ")
            )
        };
        match service {
            "kms" => KmsOperation::from_name(op)
                .map(Target::Kms)
                .ok_or_else(|| unknown(KmsOperation::ALL.iter().map(|o| o.name()).collect())),
            "workmail" => crate::workmail::Operation::from_name(op)
                .map(Target::WorkMail)
                .ok_or_else(|| unknown(crate::workmail::Operation::names())),
            "ses" => crate::ses::Operation::from_name(op)
                .map(Target::Ses)
                .ok_or_else(|| unknown(crate::ses::Operation::names())),
            "s3" => crate::s3::Operation::from_name(op)
                .map(Target::S3)
                .ok_or_else(|| unknown(crate::s3::Operation::names())),
            "s3ec" => encryption_client::Operation::from_name(op)
                .map(Target::S3ec)
                .ok_or_else(|| unknown(encryption_client::Operation::names())),
            "clock" if op == "Advance" => Ok(Target::ClockAdvance),
            "tamper" if op == "FlipByte" => Ok(Target::TamperFlipByte),
            "trail" if op == "LookupEvents" => Ok(Target::TrailLookupEvents),
            "clock" => Err(unknown(vec!["Advance"])),
            "tamper" => Err(unknown(vec!["FlipByte"])),
            "trail" => Err(unknown(vec!["LookupEvents"])),
            other => Err(format!(
                "unknown service \"{other}\"; use kms, workmail, ses, s3, s3ec, clock or trail"
            )),
        }
    }

    /// How the trace names the call.
    pub fn call(self) -> Call {
        match self {
            Target::Kms(op) => Call::Kms(op),
            Target::WorkMail(op) => Call::Service(Service::WorkMail, op.name()),
            Target::Ses(op) => Call::Service(Service::Ses, op.name()),
            Target::S3(op) => Call::Service(Service::S3, op.name()),
            Target::S3ec(op) => Call::Service(Service::S3EncryptionClient, op.name()),
            Target::ClockAdvance => Call::Service(Service::Clock, "Advance"),
            Target::TamperFlipByte => Call::Service(Service::Tamper, "FlipByte"),
            Target::TrailLookupEvents => Call::Service(Service::Trail, "LookupEvents"),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.call().fmt(f)
    }
}

/// `clock:Advance`: let virtual time pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AdvanceRequest {
    /// Whole seconds, at most ten years.
    pub seconds: u64,
}

/// `clock:Advance` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdvanceResponse {
    /// The new time, ISO 8601.
    pub now: String,
}

/// `tamper:FlipByte {"Artifact", "Offset"?}`: flip one bit of stored data, as a disk error
/// or an attacker with write access would. Artifacts: WorkMail's `mailbox-key-ct:<email>`,
/// `private-key-ct:<email>`, `message-ct:<id>`, `message-key-ct:<id>`; S3's
/// `s3:<bucket>/<key>` (the body) and `s3-key:<bucket>/<key>` (the encrypted data key in
/// `x-amz-key-v2`). (`{"Response": "step.Field"}`, a returned value, is the scenario
/// runner's: it changes what a later step is given, not what the world stores.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FlipByteRequest {
    /// What to flip.
    pub artifact: String,
    /// Which byte (taken modulo the length); 0 if absent.
    #[serde(default)]
    pub offset: Option<u64>,
}

/// `tamper:FlipByte` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FlipByteResponse {
    /// What was flipped.
    pub artifact: String,
    /// The byte's offset.
    pub offset: usize,
}

/// One event of CloudTrail's `LookupEvents`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct LookupEvent {
    pub event_id: String,
    pub event_name: String,
    /// `"true"` or `"false"`, as CloudTrail writes it.
    pub read_only: String,
    pub event_time: String,
    pub event_source: String,
    pub username: Option<String>,
    pub resources: Vec<LookupResource>,
    /// The whole event, as JSON text.
    pub cloud_trail_event: String,
}

/// A resource of a [`LookupEvent`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct LookupResource {
    pub resource_type: String,
    pub resource_name: String,
}

/// CloudTrail `LookupEvents` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupEventsResponse {
    /// Newest first.
    pub events: Vec<LookupEvent>,
}

/// A typed call to the world.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum WorldRequest {
    Kms(KmsRequest),
    WorkMail(WorkMailRequest),
    Ses(SesRequest),
    S3(S3Request),
    S3ec(S3ecRequest),
    ClockAdvance(AdvanceRequest),
    TamperFlipByte(FlipByteRequest),
    TrailLookupEvents,
}

impl WorldRequest {
    /// Parses the request JSON of `target`; the error is the service's own for a request
    /// it cannot read.
    pub fn parse(target: Target, request: &Value) -> Result<WorldRequest, ErrorBody> {
        let call = target.call();
        let invalid = |code: &'static str| {
            move |e: serde_json::Error| {
                error(code, format!("The {call} request is not valid: {e}."))
            }
        };
        match target {
            Target::Kms(op) => KmsRequest::parse(op, request)
                .map(WorldRequest::Kms)
                .map_err(|e| ErrorBody::from(&e)),
            Target::WorkMail(op) => WorkMailRequest::from_json(op, request)
                .map(WorldRequest::WorkMail)
                .map_err(invalid("InvalidParameterException")),
            Target::Ses(op) => SesRequest::from_json(op, request)
                .map(WorldRequest::Ses)
                .map_err(invalid("InvalidParameterValue")),
            Target::S3(op) => S3Request::from_json(op, request)
                .map(WorldRequest::S3)
                .map_err(invalid("InvalidArgument")),
            Target::S3ec(op) => S3ecRequest::from_json(op, request)
                .map(WorldRequest::S3ec)
                .map_err(invalid("InvalidArgument")),
            Target::ClockAdvance => AdvanceRequest::deserialize(request)
                .map(WorldRequest::ClockAdvance)
                .map_err(invalid("ValidationException")),
            Target::TamperFlipByte => FlipByteRequest::deserialize(request)
                .map(WorldRequest::TamperFlipByte)
                .map_err(invalid("ValidationException")),
            Target::TrailLookupEvents => Ok(WorldRequest::TrailLookupEvents),
        }
    }
}

/// A typed answer of the world. (A KMS response with its `KeyMetadata` is the largest;
/// it is moved once, from the call to the edge, so it is not boxed: boxing would add an
/// allocation to every GenerateDataKey.)
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs, clippy::large_enum_variant)]
pub enum WorldResponse {
    Kms(KmsResponse),
    WorkMail(WorkMailResponse),
    Ses(SesResponse),
    S3(S3Response),
    S3ec(S3ecResponse),
    ClockAdvance(AdvanceResponse),
    TamperFlipByte(FlipByteResponse),
    TrailLookupEvents(LookupEventsResponse),
}

impl Serialize for WorldResponse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            WorldResponse::Kms(r) => r.serialize(s),
            WorldResponse::WorkMail(r) => r.serialize(s),
            WorldResponse::Ses(r) => r.serialize(s),
            WorldResponse::S3(r) => r.serialize(s),
            WorldResponse::S3ec(r) => r.serialize(s),
            WorldResponse::ClockAdvance(r) => r.serialize(s),
            WorldResponse::TamperFlipByte(r) => r.serialize(s),
            WorldResponse::TrailLookupEvents(r) => r.serialize(s),
        }
    }
}

/// The longest `clock:Advance` (ten years).
const MAX_ADVANCE_SECONDS: u64 = 10 * 365 * 86_400;

/// Every service, sharing one clock, random source and trace.
#[derive(Debug)]
pub struct World {
    /// Time and randomness.
    pub env: Env,
    /// AWS KMS.
    pub kms: Kms,
    /// Amazon WorkMail.
    pub workmail: WorkMail,
    /// Amazon SES (receiving).
    pub ses: Ses,
    /// Amazon S3.
    pub s3: S3,
    /// KMS in the world's other Regions (the home Region's is `kms`), made on first use.
    other_regions: BTreeMap<String, Kms>,
    /// The Region the next KMS calls go to (empty: the home Region).
    call_region: String,
    /// How many CloudTrail events each Region keeps (`None`: all).
    trail_limit: Option<usize>,
    /// What IAM knows of each principal (IAM is global: every Region's KMS gets it).
    iam: Vec<(String, crate::authz::IamPrincipal)>,
    /// The service control policies of each account that has some (global too).
    scps: Vec<(String, Vec<crate::authz::PolicyDocument>)>,
    /// Everything that happened.
    pub trace: Trace,
    /// How secrets appear in the trace and in responses at the JSON edge: plaintexts the
    /// user supplied are the user's own data and are shown; any other plaintext a KMS
    /// response carries is key material and is redacted.
    view: SecretView,
    action: usize,
}

impl World {
    /// A world for `account` in `region`, all randomness from `seed`.
    pub fn new(seed: u64, region: &str, account: &str) -> Self {
        World {
            env: Env::new(seed),
            kms: Kms::new(region, account),
            workmail: WorkMail::new(region, account),
            ses: Ses::new(region, account),
            s3: S3::new(region, account),
            other_regions: BTreeMap::new(),
            call_region: String::new(),
            trail_limit: None,
            iam: Vec::new(),
            scps: Vec::new(),
            trace: Trace::new(TraceMode::Full),
            view: SecretView::RevealOnly(Rc::new(BTreeSet::new())),
            action: 0,
        }
    }

    /// Keeps only counts in the trace and no CloudTrail log (for scale runs).
    pub fn summary_mode(mut self) -> Self {
        self.trace = Trace::new(TraceMode::Summary);
        self.kms.set_record_trail(false);
        self
    }

    /// Attaches IAM identity policies to a principal, in every Region (replacing what IAM
    /// knew of it).
    pub fn set_identity_policies(
        &mut self,
        principal_arn: &str,
        policies: Vec<crate::authz::PolicyDocument>,
    ) {
        self.set_principal(
            principal_arn,
            crate::authz::IamPrincipal::with_identity(policies),
        );
    }

    /// Tells IAM, in every Region, what it knows of a principal: its identity policies,
    /// permissions boundary, session policies and tags.
    pub fn set_principal(&mut self, principal_arn: &str, principal: crate::authz::IamPrincipal) {
        self.kms.set_principal(principal_arn, principal.clone());
        for kms in self.other_regions.values_mut() {
            kms.set_principal(principal_arn, principal.clone());
        }
        self.iam.retain(|(arn, _)| arn != principal_arn);
        self.iam.push((principal_arn.to_owned(), principal));
    }

    /// Sets the service control policies of `account`, in every Region (AWS
    /// Organizations; an empty list: no SCPs).
    pub fn set_service_control_policies(
        &mut self,
        account: &str,
        scps: Vec<crate::authz::PolicyDocument>,
    ) {
        self.kms.set_service_control_policies(account, scps.clone());
        for kms in self.other_regions.values_mut() {
            kms.set_service_control_policies(account, scps.clone());
        }
        self.scps.retain(|(a, _)| a != account);
        self.scps.push((account.to_owned(), scps));
    }

    /// KMS in `region` (the home Region's, or another's, made on first use with the
    /// account's IAM policies).
    pub fn kms_in(&mut self, region: &str) -> &mut Kms {
        if region.is_empty() || region == self.kms.region() {
            return &mut self.kms;
        }
        let account = self.kms.account().to_owned();
        let record = self.kms.records_trail();
        let limit = self.trail_limit;
        let iam = &self.iam;
        let scps = &self.scps;
        self.other_regions
            .entry(region.to_owned())
            .or_insert_with(|| {
                let mut kms = Kms::new(region, &account);
                kms.set_record_trail(record);
                kms.set_trail_limit(limit);
                for (arn, principal) in iam {
                    kms.set_principal(arn, principal.clone());
                }
                for (account, policies) in scps {
                    kms.set_service_control_policies(account, policies.clone());
                }
                kms
            })
    }

    /// Every Region's KMS, the home Region first.
    pub fn all_kms(&self) -> impl Iterator<Item = &Kms> {
        std::iter::once(&self.kms).chain(self.other_regions.values())
    }

    /// Keeps only the latest `trace_steps` trace steps and `events` CloudTrail events per
    /// Region (each up to twice as many), for a world that runs for long (`kmsplay serve`).
    pub fn limit_history(&mut self, trace_steps: usize, events: usize) {
        self.trace.set_mode(TraceMode::Recent(trace_steps));
        self.trail_limit = Some(events);
        self.kms.set_trail_limit(Some(events));
        for kms in self.other_regions.values_mut() {
            kms.set_trail_limit(Some(events));
        }
    }

    /// Sends the next KMS calls to `region` (`None`: the home Region).
    pub fn set_call_region(&mut self, region: Option<&str>) {
        self.call_region = region.unwrap_or_default().to_owned();
    }

    /// Sets which scenario action the next steps belong to.
    pub fn set_action(&mut self, action: usize) {
        self.action = action;
    }

    /// `value` as JSON, with secrets shown as the world's view allows.
    pub fn to_json<T: Serialize + ?Sized>(&self, value: &T) -> Value {
        with_secret_view(self.view.clone(), || {
            serde_json::to_value(value).unwrap_or(Value::Null)
        })
    }

    /// Remembers a plaintext the user supplied — sent to Encrypt, or written into a
    /// scenario as an expected result — as the user's own data: shown in the trace and in
    /// responses, where key material is not.
    pub fn note_user_plaintext(&mut self, bytes: &[u8]) {
        if let SecretView::RevealOnly(user) = &mut self.view {
            Rc::make_mut(user).insert(secret_digest(bytes));
        }
    }

    /// A recorder whose KMS is `region`'s (for direct KMS calls).
    fn recorder_in(&mut self, region: &str) -> Recorder<'_> {
        self.kms_in(region);
        let kms = if region.is_empty() || region == self.kms.region() {
            &mut self.kms
        } else {
            match self.other_regions.get_mut(region) {
                Some(kms) => kms,
                None => &mut self.kms,
            }
        };
        Recorder {
            env: &mut self.env,
            kms,
            trace: &mut self.trace,
            action: self.action,
            view: &self.view,
        }
    }

    fn recorder(&mut self) -> (Recorder<'_>, &mut WorkMail, &mut Ses, &mut S3) {
        (
            Recorder {
                env: &mut self.env,
                kms: &mut self.kms,
                trace: &mut self.trace,
                action: self.action,
                view: &self.view,
            },
            &mut self.workmail,
            &mut self.ses,
            &mut self.s3,
        )
    }

    /// Records a step for something done outside any service (scenario experiments).
    pub fn record_note(
        &mut self,
        actor: &str,
        call: Call,
        request: &Value,
        outcome: Result<&Value, &ErrorBody>,
        title: &str,
        sentence: String,
    ) {
        let (mut rec, ..) = self.recorder();
        let shown = rec.display(request);
        rec.outcome(actor, call, shown, outcome, Story::new(title, sentence));
    }

    /// Performs `call` (`service:Operation`) as `caller` with an AWS-shaped JSON request:
    /// the JSON edge.
    pub fn call(&mut self, call: &str, caller: &Caller, request: &Value) -> CallResult {
        let target = Target::parse(call).map_err(|_| {
            error(
                "UnknownOperationException",
                format!("{call} is not a call the playground knows. Use kms:<Operation>, workmail:<Operation>, ses:<Operation>, s3:<Operation>, s3ec:GetObject, clock:Advance or trail:LookupEvents."),
            )
        })?;
        let typed = match WorldRequest::parse(target, request) {
            Ok(typed) => typed,
            Err(e) => {
                if let Target::Kms(op) = target {
                    self.reject_kms(caller, op, request, &e);
                }
                return Err(e);
            }
        };
        let shown = {
            let (rec, ..) = self.recorder();
            rec.display(request)
        };
        let response = self.perform(caller, typed, shown)?;
        Ok(self.to_json(&response))
    }

    /// A KMS request that could not be read: KMS still records it, as AWS records a
    /// refused call.
    fn reject_kms(&mut self, caller: &Caller, op: KmsOperation, request: &Value, e: &ErrorBody) {
        let error = crate::kms::KmsError {
            code: crate::kms::ErrorCode::from_name(&e.code)
                .unwrap_or(crate::kms::ErrorCode::ValidationException),
            message: (!e.message.is_empty()).then(|| e.message.clone()),
            help: e.help.clone(),
        };
        let region = self.call_region.clone();
        self.reject_kms_in(&region, caller, op, request, &error);
    }

    /// [`World::reject_kms`] in `region`; returns the record (its CloudTrail event).
    fn reject_kms_in(
        &mut self,
        region: &str,
        caller: &Caller,
        op: KmsOperation,
        request: &Value,
        error: &crate::kms::KmsError,
    ) -> crate::kms::KmsRecord {
        let error = error.clone();
        let actor = caller.name().to_owned();
        let mut rec = self.recorder_in(region);
        let record = rec.kms.reject(rec.env, caller, op, request, &error);
        let shown = rec.display(request);
        let (sentence, material) = kms_story::refused(&actor, op, &error);
        rec.push_kms_step(
            &actor,
            &record,
            shown,
            None,
            Some(&error),
            Story::new(op.name(), sentence).with(material),
        );
        record
    }

    /// A KMS request as it comes off the wire (AWS JSON 1.1): read as AWS reads it
    /// (checked against the model, unknown members ignored), performed in `region` as
    /// `caller`, recorded as a step whatever the outcome. Returns the record (its
    /// CloudTrail event carries the request id).
    pub fn kms_wire(
        &mut self,
        region: &str,
        caller: &Caller,
        op: KmsOperation,
        request: &Value,
    ) -> (
        Result<KmsResponse, crate::kms::KmsError>,
        crate::kms::KmsRecord,
    ) {
        match KmsRequest::parse_lenient(op, request) {
            Ok(typed) => self.kms_direct_recorded(region, caller, typed),
            Err(e) => {
                let record = self.reject_kms_in(region, caller, op, request, &e);
                (Err(e), record)
            }
        }
    }

    /// Performs a typed call. `shown` is the request as the caller wrote it, for the
    /// trace (`None`: the typed request is shown).
    pub fn perform(
        &mut self,
        caller: &Caller,
        request: WorldRequest,
        shown: Option<Value>,
    ) -> Result<WorldResponse, ErrorBody> {
        let result = self.perform_here(caller, request, shown);
        self.settle_regions();
        result
    }

    /// Applies what calls in one Region left for the others (multi-Region keys: new
    /// replicas, a moved primary, shared rotations, deleted members of a set).
    pub fn settle_regions(&mut self) {
        let now = self.env.clock.now_secs();
        loop {
            let mut effects = self.kms.take_region_effects();
            for kms in self.other_regions.values_mut() {
                effects.extend(kms.take_region_effects());
            }
            if effects.is_empty() {
                return;
            }
            for effect in effects {
                match effect {
                    crate::kms::RegionEffect::Replicate(key) => {
                        let region = key.region.clone();
                        self.kms_in(&region).insert_replica(key);
                    }
                    other => {
                        self.kms.apply_region_effect(&other, now);
                        for kms in self.other_regions.values_mut() {
                            kms.apply_region_effect(&other, now);
                        }
                    }
                }
            }
        }
    }

    fn perform_here(
        &mut self,
        caller: &Caller,
        request: WorldRequest,
        shown: Option<Value>,
    ) -> Result<WorldResponse, ErrorBody> {
        match request {
            WorldRequest::Kms(r) => self
                .kms_direct(&self.call_region.clone(), caller, r)
                .map(WorldResponse::Kms)
                .map_err(|e| ErrorBody::from(&e)),
            WorldRequest::WorkMail(r) => {
                let (mut rec, workmail, _, _) = self.recorder();
                let call = Call::Service(Service::WorkMail, r.operation().name());
                let result = workmail.call(&mut rec, caller, r);
                if let Err(e) = &result {
                    let title = match call {
                        Call::Service(_, op) => op,
                        Call::Kms(op) => op.name(),
                    };
                    rec.outcome(
                        "Amazon WorkMail",
                        call,
                        shown,
                        Err::<&(), &WorkMailError>(e),
                        Story::new(title, ""),
                    );
                }
                result.map(WorldResponse::WorkMail).map_err(|e| e.body())
            }
            WorldRequest::Ses(r) => {
                let (mut rec, _, ses, s3) = self.recorder();
                ses.call(&mut rec, s3, caller, r, shown)
                    .map(WorldResponse::Ses)
                    .map_err(|e| e.body())
            }
            WorldRequest::S3(r) => {
                let (mut rec, _, _, s3) = self.recorder();
                s3.call(&mut rec, caller, r, shown)
                    .map(WorldResponse::S3)
                    .map_err(|e| e.body())
            }
            WorldRequest::S3ec(r) => {
                let (mut rec, _, _, s3) = self.recorder();
                encryption_client::call(&mut rec, s3, caller, r, shown)
                    .map(WorldResponse::S3ec)
                    .map_err(|e| e.body())
            }
            WorldRequest::ClockAdvance(r) => self.advance(r).map(WorldResponse::ClockAdvance),
            WorldRequest::TamperFlipByte(r) => {
                self.flip_byte(r, shown).map(WorldResponse::TamperFlipByte)
            }
            WorldRequest::TrailLookupEvents => {
                Ok(WorldResponse::TrailLookupEvents(self.lookup_events()))
            }
        }
    }

    /// A KMS call a principal makes itself, in `region` (empty: the home Region),
    /// recorded as a step. Returns the record too (its CloudTrail event).
    pub fn kms_direct_recorded(
        &mut self,
        region: &str,
        caller: &Caller,
        request: KmsRequest,
    ) -> (
        Result<KmsResponse, crate::kms::KmsError>,
        crate::kms::KmsRecord,
    ) {
        if let KmsRequest::Encrypt(r) = &request {
            self.note_user_plaintext(r.plaintext.expose());
        }
        let actor = caller.name().to_owned();
        let mut rec = self.recorder_in(region);
        let shown = rec.display(&request);
        let story = kms_story::direct(&actor, &request);
        let (result, record) = rec.kms.execute(rec.env, caller, request);
        let (sentence, material) = match &result {
            Ok(response) => story.told(response),
            Err(e) => kms_story::refused(&actor, record.operation, e),
        };
        let response = result.as_ref().ok().and_then(|r| rec.display(r));
        rec.push_kms_step(
            &actor,
            &record,
            shown,
            response,
            result.as_ref().err(),
            Story::new(record.operation.name(), sentence).with(material),
        );
        self.settle_regions();
        (result, record)
    }

    fn kms_direct(
        &mut self,
        region: &str,
        caller: &Caller,
        request: KmsRequest,
    ) -> Result<KmsResponse, crate::kms::KmsError> {
        self.kms_direct_recorded(region, caller, request).0
    }

    fn flip_byte(
        &mut self,
        request: FlipByteRequest,
        shown: Option<Value>,
    ) -> Result<FlipByteResponse, ErrorBody> {
        let offset = usize::try_from(request.offset.unwrap_or(0)).unwrap_or(usize::MAX);
        let artifact = request.artifact;
        let result = if let Some(part) = StoredObjectPart::parse(&artifact) {
            self.s3.tamper(&part, offset).map_err(|e| e.body())
        } else {
            match StoredArtifact::parse(&artifact) {
                Some(stored) => self.workmail.tamper(&stored, offset).map_err(|e| e.body()),
                None => Err(WorkMailError::EntityNotFound(format!("WorkMail stores nothing called {artifact}; use mailbox-key-ct:<email>, private-key-ct:<email>, message-ct:<message id> or message-key-ct:<message id>.")).body()),
            }
        };
        let outcome = result.map(|at| FlipByteResponse {
            artifact: artifact.clone(),
            offset: at,
        });
        let (mut rec, ..) = self.recorder();
        rec.outcome(
            "Experiment",
            Target::TamperFlipByte.call(),
            shown,
            outcome.as_ref(),
            Story::new("A stored byte is flipped", format!("One bit of the stored {artifact} is flipped, as a disk error or an attacker with write access would do. Authenticated encryption must notice.")),
        );
        outcome
    }

    fn advance(&mut self, request: AdvanceRequest) -> Result<AdvanceResponse, ErrorBody> {
        let seconds = request.seconds;
        if seconds > MAX_ADVANCE_SECONDS {
            return Err(error(
                "ValidationException",
                "clock:Advance moves at most ten years at once.",
            ));
        }
        self.env.clock.advance_ms(seconds.saturating_mul(1000));
        let (mut rec, workmail, _, _) = self.recorder();
        let now = rec.env.clock.iso8601();
        rec.note(
            "Virtual clock",
            Some(Target::ClockAdvance.call()),
            Story::new(
                "Time passes",
                format!("{seconds} seconds pass; it is now {now}."),
            ),
        );
        workmail.expire_caches(&mut rec);
        Ok(AdvanceResponse { now })
    }

    /// CloudTrail `LookupEvents`: the events so far, newest first, each with the event
    /// JSON as a string in `CloudTrailEvent` (CloudTrail API reference, *LookupEvents*).
    pub fn lookup_events(&self) -> LookupEventsResponse {
        LookupEventsResponse {
            events: self
                .kms
                .trail()
                .iter()
                .rev()
                .map(|e| lookup_event(e))
                .collect(),
        }
    }
}

fn lookup_event(e: &CloudTrailEvent) -> LookupEvent {
    LookupEvent {
        event_id: e.event_id.to_string(),
        event_name: e.event_name.to_string(),
        read_only: e.read_only.to_string(),
        event_time: e.event_time.to_string(),
        event_source: e.event_source.to_string(),
        username: e
            .user_identity
            .arn
            .as_ref()
            .or(e.user_identity.invoked_by.as_ref())
            .map(|t| t.to_string()),
        resources: e
            .resources
            .iter()
            .map(|r| LookupResource {
                resource_type: r.kind.to_string(),
                resource_name: r.arn.to_string(),
            })
            .collect(),
        cloud_trail_event: serde_json::to_string(e).unwrap_or_default(),
    }
}
