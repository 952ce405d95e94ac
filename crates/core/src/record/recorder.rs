//! The recorder: how services call KMS and add steps to the trace.
//!
//! A service is handed a [`Recorder`] for the length of one call. Through it the service
//! calls KMS with a typed request (as AWS services do: as a principal, with an encryption
//! context) and gets the typed response back, with any plaintext in zeroizing
//! [`Secret`](crate::wire::Secret)s; each KMS call and each piece of work done outside
//! KMS becomes a [`Step`]. Requests and responses are serialized for display here, once,
//! with secrets shown only as the world's [`SecretView`] allows.

use super::trace::{Call, ErrorBody, MaterialEvent, Step, Trace};
use crate::authz::Caller;
use crate::env::Env;
use crate::kms::{Kms, KmsError, KmsRecord, Result as KmsResult};
use crate::wire::{with_secret_view, SecretView};
use serde::Serialize;
use serde_json::Value;

/// An error a service returns, named as AWS names it.
pub trait ServiceError: std::fmt::Display {
    /// The AWS error name, e.g. `EntityNotFoundException`.
    fn name(&self) -> &str;

    /// The error in the AWS JSON shape.
    fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.name().to_owned(),
            message: self.to_string(),
            help: None,
        }
    }
}

impl ServiceError for KmsError {
    fn name(&self) -> &str {
        self.code.name()
    }
    fn body(&self) -> ErrorBody {
        ErrorBody::from(self)
    }
}

impl ServiceError for ErrorBody {
    fn name(&self) -> &str {
        &self.code
    }
    fn body(&self) -> ErrorBody {
        self.clone()
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explained())
    }
}

/// A typed KMS call, as `Kms` offers one per operation (`Kms::decrypt`, ...).
pub type KmsMethod<Req, Resp> =
    fn(&mut Kms, &mut Env, &Caller, Req) -> (KmsResult<Resp>, KmsRecord);

/// What a step says about itself: its title, its sentence, and what happened to keys and
/// data.
pub struct Story<'s> {
    /// A short title.
    pub title: &'s str,
    /// One plain-English sentence (for a KMS call, replaced by the error if it fails).
    pub sentence: String,
    /// Key-material events (dropped if a KMS call fails).
    pub material: Vec<MaterialEvent>,
}

impl<'s> Story<'s> {
    /// A story with no key-material events.
    pub fn new(title: &'s str, sentence: impl Into<String>) -> Self {
        Story {
            title,
            sentence: sentence.into(),
            material: Vec::new(),
        }
    }

    /// With key-material events.
    pub fn with(mut self, material: Vec<MaterialEvent>) -> Self {
        self.material = material;
        self
    }
}

/// The recorder services use to call KMS and add steps.
pub struct Recorder<'a> {
    /// The clock and the random source.
    pub env: &'a mut Env,
    /// KMS.
    pub kms: &'a mut Kms,
    /// The trace being written.
    pub trace: &'a mut Trace,
    /// The scenario action the steps belong to.
    pub action: usize,
    /// How secrets appear in the trace.
    pub view: &'a SecretView,
}

impl Recorder<'_> {
    /// Calls KMS as `caller` with a typed request and records the step.
    pub fn kms<Req: Serialize, Resp: Serialize>(
        &mut self,
        actor: &str,
        caller: &Caller,
        story: Story<'_>,
        request: Req,
        method: KmsMethod<Req, Resp>,
    ) -> KmsResult<Resp> {
        let shown = self.display(&request);
        let (result, record) = method(self.kms, self.env, caller, request);
        let (sentence, material) = match &result {
            Ok(_) => (story.sentence, story.material),
            Err(e) => (
                format!(
                    "{actor} called KMS {}, which failed with {}: {}",
                    record.operation,
                    e.code,
                    e.explained()
                ),
                Vec::new(),
            ),
        };
        let response = result.as_ref().ok().and_then(|r| self.display(r));
        self.push_kms_step(
            actor,
            &record,
            shown,
            response,
            result.as_ref().err(),
            Story {
                title: story.title,
                sentence,
                material,
            },
        );
        result
    }

    /// The display JSON of a request or response (only while the trace keeps steps).
    pub fn display<T: Serialize + ?Sized>(&self, value: &T) -> Option<Value> {
        if !self.trace.is_full() {
            return None;
        }
        with_secret_view(self.view.clone(), || serde_json::to_value(value).ok())
    }

    /// A step of the current action at the current time, with nothing called yet.
    fn step(&self, actor: &str, story: Story<'_>) -> Step {
        Step {
            index: 0,
            action: self.action,
            actor: actor.to_owned(),
            call: None,
            title: story.title.to_owned(),
            sentence: story.sentence,
            time: self.env.clock.iso8601(),
            request: None,
            response: None,
            error: None,
            explanation: None,
            decisions: Vec::new(),
            event: None,
            material: story.material,
        }
    }

    /// Records a KMS call (its display request and response, decisions, CloudTrail event)
    /// as a step.
    pub fn push_kms_step(
        &mut self,
        actor: &str,
        record: &KmsRecord,
        request: Option<Value>,
        response: Option<Value>,
        error: Option<&KmsError>,
        story: Story<'_>,
    ) {
        let mut step = self.step(actor, story);
        step.call = Some(Call::Kms(record.operation));
        step.request = request;
        step.response = response;
        step.error = error.map(ErrorBody::from);
        step.explanation = record.explanation.clone();
        if self.trace.is_full() {
            step.decisions = record.decisions();
            step.event = Some(record.event.clone());
        }
        self.trace.push(step);
    }

    /// Adds key-material events to the step just recorded (what a KMS call's response
    /// brought into the caller's memory).
    pub fn attach(&mut self, material: impl IntoIterator<Item = MaterialEvent>) {
        if let Some(step) = self.trace.steps.last_mut() {
            step.material.extend(material);
        }
    }

    /// Appends to the sentence of the step just recorded.
    pub fn append_sentence(&mut self, text: &str) {
        if let Some(step) = self.trace.steps.last_mut() {
            step.sentence.push_str(text);
        }
    }

    /// Records a step with no KMS call (work done outside KMS).
    pub fn note(&mut self, actor: &str, call: Option<Call>, story: Story<'_>) {
        let mut step = self.step(actor, story);
        step.call = call;
        self.trace.push(step);
    }

    /// Records a service call's outcome (its display request, the response or the error)
    /// as a step. A failure's sentence is the error.
    pub fn outcome<Resp: Serialize + ?Sized, E: ServiceError + ?Sized>(
        &mut self,
        actor: &str,
        call: Call,
        request: Option<Value>,
        result: std::result::Result<&Resp, &E>,
        story: Story<'_>,
    ) {
        let story = match result {
            Ok(_) => story,
            Err(e) => Story {
                title: story.title,
                sentence: format!("{call} failed with {}: {e}", e.name()),
                material: story.material,
            },
        };
        let response = match result {
            Ok(r) => self.display(r),
            Err(_) => None,
        };
        let mut step = self.step(actor, story);
        step.call = Some(call);
        step.request = request;
        step.response = response;
        step.error = result.err().map(|e| e.body());
        self.trace.push(step);
    }
}
