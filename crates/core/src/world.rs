//! The simulated world: KMS and the services built on it, with one clock, one random
//! source and one trace.

use crate::caller::Caller;
use crate::env::Env;
use crate::kms::{Kms, KmsCall};
use crate::s3::S3;
use crate::ses::Ses;
use crate::trace::{
    kms_key_artifact, ArtifactKind, ErrorBody, Location, MaterialAction, MaterialEvent, Step,
    Trace, TraceMode,
};
use crate::wire::{field_bytes, unb64};
use crate::workmail::WorkMail;
use serde_json::{json, Value};
use sha2::Digest;
use std::collections::BTreeSet;

/// Result of a world call: the response in AWS JSON shape, or the error.
pub type CallResult = Result<Value, ErrorBody>;

/// An error in the AWS JSON shape.
pub fn error(code: &str, message: impl Into<String>) -> ErrorBody {
    ErrorBody {
        code: code.to_owned(),
        message: message.into(),
    }
}

/// Parses a service request in its AWS shape; an empty request is `{}`. A malformed one
/// is the service's validation error (`code`), naming the field serde could not read.
pub(crate) fn parse_request<T: serde::de::DeserializeOwned>(
    code: &str,
    call: &str,
    request: &Value,
) -> Result<T, ErrorBody> {
    let request = if request.is_null() {
        json!({})
    } else {
        request.clone()
    };
    serde_json::from_value(request)
        .map_err(|e| error(code, format!("The {call} request is not valid: {e}.")))
}

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
    /// Everything that happened.
    pub trace: Trace,
    /// Hashes of plaintexts the user supplied (shown in the trace; anything else a KMS
    /// response returns as plaintext is key material and is redacted).
    user_plaintexts: BTreeSet<[u8; 32]>,
    action: usize,
}

/// The recorder services use to call KMS and add steps.
pub(crate) struct Recorder<'a> {
    pub env: &'a mut Env,
    pub kms: &'a mut Kms,
    pub trace: &'a mut Trace,
    pub action: usize,
    pub user_plaintexts: &'a BTreeSet<[u8; 32]>,
}

impl Recorder<'_> {
    /// Calls KMS and records the step.
    #[allow(clippy::too_many_arguments)]
    pub fn kms(
        &mut self,
        actor: &str,
        caller: &Caller,
        operation: &str,
        request: Value,
        title: &str,
        sentence: &str,
        material: Vec<MaterialEvent>,
    ) -> KmsCall {
        let call = self.kms.call(self.env, caller, operation, &request);
        let sentence = match &call.response {
            Ok(_) => sentence.to_owned(),
            Err(e) => format!(
                "{actor} called KMS {operation}, which failed with {}: {}",
                e.code, e.message
            ),
        };
        let material = if call.is_ok() { material } else { Vec::new() };
        self.push_kms_step(actor, &call, title, sentence, material);
        call
    }

    /// A step of the current action at the current time, with nothing called yet.
    fn step(
        &self,
        actor: &str,
        title: &str,
        sentence: String,
        material: Vec<MaterialEvent>,
    ) -> Step {
        Step {
            index: 0,
            action: self.action,
            actor: actor.to_owned(),
            call: None,
            title: title.to_owned(),
            sentence,
            time: self.env.clock.iso8601(),
            request: None,
            response: None,
            error: None,
            explanation: None,
            decisions: Vec::new(),
            event: None,
            material,
        }
    }

    /// Records a KMS call (request and response with key material redacted, decisions,
    /// CloudTrail event) as a step.
    pub fn push_kms_step(
        &mut self,
        actor: &str,
        call: &KmsCall,
        title: &str,
        sentence: String,
        material: Vec<MaterialEvent>,
    ) {
        let mut step = self.step(actor, title, sentence, material);
        step.call = Some(format!("kms:{}", call.operation));
        step.request = Some(redact(&call.request, self.user_plaintexts));
        step.response = call
            .response
            .as_ref()
            .ok()
            .map(|v| redact(v, self.user_plaintexts));
        step.error = call.response.as_ref().err().map(ErrorBody::from);
        step.explanation = call.explanation.clone();
        if self.trace.is_full() {
            step.decisions = call.decisions.clone();
        }
        step.event = Some(call.event.clone());
        self.trace.push(step);
    }

    /// Adds key-material events to the step just recorded (what a KMS call's response
    /// brought into the caller's memory).
    pub fn attach(&mut self, material: impl IntoIterator<Item = MaterialEvent>) {
        if let Some(step) = self.trace.steps.last_mut() {
            step.material.extend(material);
        }
    }

    /// Records a step with no KMS call (work done outside KMS).
    pub fn note(
        &mut self,
        actor: &str,
        call: Option<&str>,
        title: &str,
        sentence: String,
        material: Vec<MaterialEvent>,
    ) {
        let mut step = self.step(actor, title, sentence, material);
        step.call = call.map(str::to_owned);
        self.trace.push(step);
    }

    /// Records a service call's outcome (request, response or error) as a step.
    #[allow(clippy::too_many_arguments)]
    pub fn outcome(
        &mut self,
        actor: &str,
        call: &str,
        request: &Value,
        result: &CallResult,
        title: &str,
        sentence: String,
        material: Vec<MaterialEvent>,
    ) {
        let sentence = match result {
            Ok(_) => sentence,
            Err(e) => format!("{call} failed with {}: {}", e.code, e.message),
        };
        let mut step = self.step(actor, title, sentence, material);
        step.call = Some(call.to_owned());
        step.request = Some(request.clone());
        step.response = result.as_ref().ok().cloned();
        step.error = result.as_ref().err().cloned();
        self.trace.push(step);
    }
}

/// Replaces `Plaintext` members whose bytes the user did not supply with a marker: those
/// are key material (data keys, mailbox keys), never to be recorded.
fn redact(v: &Value, user: &BTreeSet<[u8; 32]>) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    if k == "Plaintext" {
                        if let Some(bytes) = v.as_str().and_then(|s| unb64(s).ok()) {
                            let digest: [u8; 32] = sha2::Sha256::digest(&bytes).into();
                            if !user.contains(&digest) {
                                return (k.clone(), Value::String(format!("(secret: {} bytes of plaintext key material; shown to the caller only, never recorded)", bytes.len())));
                            }
                        }
                    }
                    (k.clone(), redact(v, user))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| redact(i, user)).collect()),
        other => other.clone(),
    }
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
            trace: Trace::new(TraceMode::Full),
            user_plaintexts: BTreeSet::new(),
            action: 0,
        }
    }

    /// Keeps only counts in the trace and no CloudTrail log (for scale runs).
    pub fn summary_mode(mut self) -> Self {
        self.trace = Trace::new(TraceMode::Summary);
        self.kms.set_record_trail(false);
        self
    }

    /// `value` with every `Plaintext` that is key material (not supplied by the user)
    /// replaced by a marker, for output that may be logged or kept.
    pub fn redact(&self, value: &Value) -> Value {
        redact(value, &self.user_plaintexts)
    }

    /// Records a step for something done outside any service (scenario experiments).
    pub fn record_note(
        &mut self,
        actor: &str,
        call: &str,
        request: &Value,
        outcome: &CallResult,
        title: &str,
        sentence: String,
    ) {
        let (mut rec, ..) = self.recorder();
        rec.outcome(actor, call, request, outcome, title, sentence, Vec::new());
    }

    /// Sets which scenario action the next steps belong to.
    pub fn set_action(&mut self, action: usize) {
        self.action = action;
    }

    fn recorder(&mut self) -> (Recorder<'_>, &mut WorkMail, &mut Ses, &mut S3) {
        (
            Recorder {
                env: &mut self.env,
                kms: &mut self.kms,
                trace: &mut self.trace,
                action: self.action,
                user_plaintexts: &self.user_plaintexts,
            },
            &mut self.workmail,
            &mut self.ses,
            &mut self.s3,
        )
    }

    /// Performs `call` (`service:Operation`) as `caller` with an AWS-shaped request.
    pub fn call(&mut self, call: &str, caller: &Caller, request: &Value) -> CallResult {
        let (service, operation) = call.split_once(':').unwrap_or((call, ""));
        match service {
            "kms" => self.kms_direct(caller, operation, request),
            "workmail" => {
                let (mut rec, workmail, _, _) = self.recorder();
                workmail.call(&mut rec, caller, operation, request)
            }
            "ses" => {
                let (mut rec, _, ses, s3) = self.recorder();
                ses.call(&mut rec, s3, caller, operation, request)
            }
            "s3" => {
                let (mut rec, _, _, s3) = self.recorder();
                s3.call(&mut rec, caller, operation, request)
            }
            "s3ec" => {
                let (mut rec, _, _, s3) = self.recorder();
                crate::s3::encryption_client::call(&mut rec, s3, caller, operation, request)
            }
            "clock" if operation == "Advance" => self.advance(request),
            "tamper" if operation == "FlipByte" => self.flip_byte(request),
            "trail" if operation == "LookupEvents" => Ok(self.lookup_events()),
            _ => Err(error(
                "UnknownOperationException",
                format!("{call} is not a call the playground knows. Use kms:<Operation>, workmail:<Operation>, ses:<Operation>, s3:<Operation>, s3ec:GetObject, clock:Advance or trail:LookupEvents."),
            )),
        }
    }

    fn kms_direct(&mut self, caller: &Caller, operation: &str, request: &Value) -> CallResult {
        if let Some(pt) = request
            .get("Plaintext")
            .and_then(Value::as_str)
            .and_then(|s| unb64(s).ok())
        {
            self.user_plaintexts
                .insert(sha2::Sha256::digest(&pt).into());
        }
        let actor = caller.name().to_owned();
        let (mut rec, ..) = self.recorder();
        let call = rec.kms.call(rec.env, caller, operation, request);
        let (sentence, material) = direct_kms_story(&actor, &call);
        rec.push_kms_step(&actor, &call, operation, sentence, material);
        call.response.map_err(|e| ErrorBody::from(&e))
    }

    /// `tamper:FlipByte {"Artifact", "Offset"?}`: flips one bit of stored data, as a disk
    /// error or an attacker with write access would. Artifacts: WorkMail's
    /// `mailbox-key-ct:<email>`, `private-key-ct:<email>`, `message-ct:<id>`,
    /// `message-key-ct:<id>`; S3's `s3:<bucket>/<key>` (the body) and
    /// `s3-key:<bucket>/<key>` (the encrypted data key in `x-amz-key-v2`).
    fn flip_byte(&mut self, request: &Value) -> CallResult {
        let artifact = request.get("Artifact").and_then(Value::as_str).ok_or_else(|| {
            error("ValidationException", "tamper:FlipByte needs {\"Artifact\": ..., \"Offset\": N}; artifacts are mailbox-key-ct:<email>, message-ct:<id>, message-key-ct:<id>, s3:<bucket>/<key> or s3-key:<bucket>/<key>.")
        })?;
        let offset = request.get("Offset").and_then(Value::as_u64).unwrap_or(0) as usize;
        let result = match artifact.split_once(':') {
            Some(("s3", path)) | Some(("s3-key", path)) => {
                let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
                self.s3
                    .tamper(bucket, key, artifact.starts_with("s3-key:"), offset)
            }
            _ => self.workmail.tamper(artifact, offset),
        };
        let (mut rec, ..) = self.recorder();
        let outcome = result.map(|at| json!({"Artifact": artifact, "Offset": at}));
        rec.outcome(
            "Experiment",
            "tamper:FlipByte",
            request,
            &outcome,
            "A stored byte is flipped",
            format!("One bit of the stored {artifact} is flipped, as a disk error or an attacker with write access would do. Authenticated encryption must notice."),
            Vec::new(),
        );
        outcome
    }

    fn advance(&mut self, request: &Value) -> CallResult {
        let seconds = request
            .get("Seconds")
            .and_then(Value::as_u64)
            .ok_or_else(|| {
                error(
                    "ValidationException",
                    "clock:Advance needs {\"Seconds\": N} with N a whole number of seconds ≥ 0.",
                )
            })?;
        if seconds > 10 * 365 * 86_400 {
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
            Some("clock:Advance"),
            "Time passes",
            format!("{seconds} seconds pass; it is now {now}."),
            Vec::new(),
        );
        workmail.expire_caches(&mut rec);
        Ok(json!({"Now": now}))
    }

    /// CloudTrail `LookupEvents`: the events so far, newest first, each with the event
    /// JSON as a string in `CloudTrailEvent` (CloudTrail API reference, *LookupEvents*).
    pub fn lookup_events(&self) -> Value {
        let events: Vec<Value> = self
            .kms
            .trail()
            .iter()
            .rev()
            .map(|e| {
                json!({
                    "EventId": e.event_id,
                    "EventName": e.event_name,
                    "ReadOnly": e.read_only.to_string(),
                    "EventTime": e.event_time,
                    "EventSource": e.event_source,
                    "Username": e.user_identity.arn.clone().or_else(|| e.user_identity.invoked_by.clone()),
                    "Resources": e.resources.iter().map(|r| json!({"ResourceType": r.kind, "ResourceName": r.arn})).collect::<Vec<_>>(),
                    "CloudTrailEvent": serde_json::to_string(e).unwrap_or_default(),
                })
            })
            .collect();
        json!({ "Events": events })
    }
}

/// The sentence and key-material events of a KMS call made directly by a principal.
fn direct_kms_story(actor: &str, call: &KmsCall) -> (String, Vec<MaterialEvent>) {
    let Ok(resp) = &call.response else {
        return (
            format!(
                "{actor} called {} and KMS refused: {}",
                call.operation,
                call.response
                    .as_ref()
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            ),
            Vec::new(),
        );
    };
    let key = resp
        .get("KeyId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let key_artifact = kms_key_artifact(key);
    let me = Location::CallerMemory {
        principal: actor.to_owned(),
    };
    let blob = |field: &str| field_bytes(resp, field);
    let short = |b: &[u8]| hex::encode(b.get(..6).unwrap_or(b));
    match call.operation.as_str() {
        "Encrypt" => {
            let ct = blob("CiphertextBlob");
            let len = call
                .request
                .get("Plaintext")
                .and_then(Value::as_str)
                .and_then(|s| unb64(s).ok())
                .map(|p| p.len())
                .unwrap_or(0);
            (
                format!("{actor} sent {len} bytes of plaintext to KMS, which encrypted them under its KMS key and returned a {}-byte ciphertext blob.", ct.len()),
                vec![MaterialEvent::new(format!("ciphertext:{}", short(&ct)), ArtifactKind::Ciphertext, "Ciphertext blob", MaterialAction::Wrapped, me, &ct).under(key_artifact, "AES-256-GCM")],
            )
        }
        "Decrypt" => {
            let pt = blob("Plaintext");
            let ct = field_bytes(&call.request, "CiphertextBlob");
            (
                format!("KMS found its key from the ciphertext blob itself, checked the encryption context, and returned {} bytes of plaintext to {actor}.", pt.len()),
                vec![MaterialEvent::new(format!("plaintext:{}", short(&ct)), ArtifactKind::Plaintext, "Decrypted plaintext", MaterialAction::Unwrapped, me, &pt).under(key_artifact, "AES-256-GCM")],
            )
        }
        "GenerateDataKey" | "GenerateDataKeyWithoutPlaintext" => {
            let ct = blob("CiphertextBlob");
            let id = short(&ct);
            let mut m = vec![MaterialEvent::new(
                format!("data-key-ct:{id}"),
                ArtifactKind::WrappedKey,
                "Encrypted data key",
                MaterialAction::Wrapped,
                me.clone(),
                &ct,
            )
            .under(key_artifact, "AES-256-GCM")];
            let with = call.operation == "GenerateDataKey";
            if with {
                m.insert(
                    0,
                    MaterialEvent::new(
                        format!("data-key:{id}"),
                        ArtifactKind::DataKey,
                        "Data key (plaintext)",
                        MaterialAction::Generated,
                        me,
                        &blob("Plaintext"),
                    ),
                );
            }
            (
                format!(
                    "KMS generated a unique data key and returned it encrypted under the KMS key{} to {actor}.",
                    if with { ", together with its plaintext copy" } else { " (no plaintext copy)" }
                ),
                m,
            )
        }
        "ReEncrypt" => {
            let ct = blob("CiphertextBlob");
            (
                format!("KMS decrypted the ciphertext inside KMS and re-encrypted it under {key}; the plaintext never left KMS."),
                vec![MaterialEvent::new(format!("ciphertext:{}", short(&ct)), ArtifactKind::Ciphertext, "Re-encrypted ciphertext", MaterialAction::Wrapped, me, &ct).under(key_artifact, "AES-256-GCM")],
            )
        }
        "CreateKey" => {
            let arn = resp
                .pointer("/KeyMetadata/Arn")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let id = resp
                .pointer("/KeyMetadata/KeyId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let spec = resp
                .pointer("/KeyMetadata/KeySpec")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (
                format!("{actor} created the {spec} KMS key {arn}; its key material was generated inside KMS and never leaves it."),
                vec![MaterialEvent::new(format!("kms-key:{id}"), ArtifactKind::KmsKey, format!("KMS key {}", &id.get(..8).unwrap_or(id)), MaterialAction::Generated, Location::Kms, &[])],
            )
        }
        op => (
            format!("{actor} called {op}; KMS allowed it and it succeeded."),
            Vec::new(),
        ),
    }
}
