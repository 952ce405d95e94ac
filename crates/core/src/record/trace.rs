//! The trace: everything the world did, step by step, as data.
//!
//! Each action appends [`Step`]s: who acted, what was called (request, response or error),
//! the authorization decisions with their reasons, the CloudTrail event, and the
//! [`MaterialEvent`]s — which key or ciphertext was generated, wrapped, unwrapped, cached,
//! erased or stored, and where it now lives. The same trace feeds the diagram, the API log,
//! the CloudTrail view, the CLI and the tests. Secret bytes are never in a trace: material
//! events carry only lengths for secrets, and hex for public artifacts.

use super::artifact::ArtifactId;
use crate::authz::Decision;
use crate::kms::cloudtrail::CloudTrailEvent;
use crate::kms::{KmsError, Operation};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::sync::Arc;

/// Where a piece of key material or data lives (a trust boundary in the diagram).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Location {
    /// Inside AWS KMS: key material never leaves it.
    Kms,
    /// In a service's process memory (WorkMail, SES), for as long as one step needs it.
    ServiceMemory {
        /// The service, e.g. `Amazon WorkMail`.
        service: String,
    },
    /// In a WorkMail client's mailbox-key cache (plaintext, at most 60 s).
    Cache {
        /// The client, e.g. `alice-laptop`.
        client: String,
    },
    /// On disk with the mailbox: mailbox metadata and stored messages.
    MailboxStore {
        /// The mailbox's email address.
        mailbox: String,
    },
    /// An object in an S3 bucket.
    S3 {
        /// The bucket.
        bucket: String,
    },
    /// In the memory of a caller's own code (a principal calling KMS, the S3 encryption
    /// client of the mailbox owner).
    CallerMemory {
        /// Who.
        principal: String,
    },
}

impl Location {
    /// A short label for the diagram.
    pub fn label(&self) -> String {
        match self {
            Location::Kms => "Inside AWS KMS".to_owned(),
            Location::ServiceMemory { service } => format!("{service} memory"),
            Location::Cache { client } => format!("Mailbox-key cache ({client})"),
            Location::MailboxStore { mailbox } => format!("Mailbox store: {mailbox}"),
            Location::S3 { bucket } => format!("S3 bucket {bucket}"),
            Location::CallerMemory { principal } => format!("Caller: {principal}"),
        }
    }
}

/// What kind of thing an artifact is (one shape per kind in the diagram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub enum ArtifactKind {
    /// A KMS key (its material never leaves KMS).
    KmsKey,
    /// A WorkMail mailbox key, plaintext.
    MailboxKey,
    /// A WorkMail message key, plaintext.
    MessageKey,
    /// A data key from GenerateDataKey, plaintext.
    DataKey,
    /// A legacy mailbox's RSA private key, plaintext.
    PrivateKey,
    /// A legacy mailbox's RSA public key.
    PublicKey,
    /// A key or secret in wrapped (encrypted) form.
    WrappedKey,
    /// A message or email, plaintext.
    Message,
    /// A message or email, encrypted.
    EncryptedMessage,
    /// Other plaintext given to KMS.
    Plaintext,
    /// Other ciphertext from KMS.
    Ciphertext,
}

impl ArtifactKind {
    /// Whether artifacts of this kind are secret (plaintext keys or data).
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            ArtifactKind::MailboxKey
                | ArtifactKind::MessageKey
                | ArtifactKind::DataKey
                | ArtifactKind::PrivateKey
                | ArtifactKind::Message
                | ArtifactKind::Plaintext
        )
    }
}

/// What happened to an artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub enum MaterialAction {
    /// Created (random key material, a new message).
    Generated,
    /// Encrypted under another key (`under`): a wrapped key or ciphertext now exists.
    Wrapped,
    /// Decrypted with another key (`under`): the plaintext now exists here.
    Unwrapped,
    /// Written to storage.
    Stored,
    /// Read from storage.
    Read,
    /// Put in a client's cache.
    Cached,
    /// Found in a client's cache (no KMS call).
    CacheHit,
    /// Erased from memory (zeroized).
    Erased,
    /// Deleted from storage.
    Deleted,
    /// Referenced (used to encrypt or decrypt something else).
    Used,
}

/// One thing that happened to one artifact in a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaterialEvent {
    /// Stable id of the artifact across the trace, e.g. `mailbox-key:alice@example.com`.
    pub artifact: ArtifactId,
    /// Its kind.
    pub kind: ArtifactKind,
    /// A human label, e.g. `Mailbox key (alice@example.com)`.
    pub label: String,
    /// What happened.
    pub action: MaterialAction,
    /// Where the artifact is (after the action).
    pub location: Location,
    /// The artifact whose key encrypts or decrypts it, for wraps and unwraps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub under: Option<ArtifactId>,
    /// The algorithm of a wrap or unwrap, e.g. `AES-256-GCM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// Length in bytes.
    pub length: usize,
    /// Hex of the bytes, for public artifacts only (never for secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// A readable preview of user content (a message's subject), never of key material.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
}

impl MaterialEvent {
    /// An event; `bytes` are recorded as hex only if the kind is not secret.
    pub fn new(
        artifact: ArtifactId,
        kind: ArtifactKind,
        label: impl Into<String>,
        action: MaterialAction,
        location: Location,
        bytes: &[u8],
    ) -> Self {
        MaterialEvent {
            artifact,
            kind,
            label: label.into(),
            action,
            location,
            under: None,
            algorithm: None,
            length: bytes.len(),
            hex: if kind.is_secret() || bytes.is_empty() {
                None
            } else {
                Some(hex::encode(bytes))
            },
            preview: None,
        }
    }
    /// Sets the wrapping key and algorithm.
    pub fn under(mut self, key: ArtifactId, algorithm: &str) -> Self {
        self.under = Some(key);
        self.algorithm = Some(algorithm.to_owned());
        self
    }
    /// Sets a preview of user content.
    pub fn preview(mut self, text: impl Into<String>) -> Self {
        self.preview = Some(text.into());
        self
    }
}

/// The error of a failed call, in the AWS JSON shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The AWS error name.
    #[serde(rename = "__type")]
    pub code: String,
    /// The service's own message, as the service sends it (empty where AWS sends none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// The playground's explanation beside it: why, and what to do (never on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl ErrorBody {
    /// What a person reads: the service's message, then the playground's help.
    pub fn explained(&self) -> String {
        match &self.help {
            Some(h) if self.message.is_empty() => h.clone(),
            Some(h) => format!("{} {h}", self.message),
            None => self.message.clone(),
        }
    }
}

impl From<&KmsError> for ErrorBody {
    fn from(e: &KmsError) -> Self {
        ErrorBody {
            code: e.code.name().to_owned(),
            message: e.aws_message().to_owned(),
            help: e.help.clone(),
        }
    }
}

/// A service a step calls, besides KMS (whose operations are [`Operation`]s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// Amazon WorkMail (`workmail:`).
    WorkMail,
    /// Amazon SES (`ses:`).
    Ses,
    /// Amazon S3 (`s3:`).
    S3,
    /// The Amazon S3 encryption client, the owner's own code (`s3ec:`).
    S3EncryptionClient,
    /// The virtual clock (`clock:`).
    Clock,
    /// Tampering with stored or returned data (`tamper:`).
    Tamper,
    /// CloudTrail's event history (`trail:`).
    Trail,
}

impl Service {
    /// The prefix of its calls in scenarios and the trace, e.g. `workmail`.
    pub fn prefix(self) -> &'static str {
        match self {
            Service::WorkMail => "workmail",
            Service::Ses => "ses",
            Service::S3 => "s3",
            Service::S3EncryptionClient => "s3ec",
            Service::Clock => "clock",
            Service::Tamper => "tamper",
            Service::Trail => "trail",
        }
    }
}

/// What a step called: a KMS operation, or an operation of another service (named by
/// that service's operation enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// `kms:<Operation>`.
    Kms(Operation),
    /// `<service>:<Operation>`.
    Service(Service, &'static str),
}

impl Call {
    /// The KMS operation, if it is one.
    pub fn kms(self) -> Option<Operation> {
        match self {
            Call::Kms(op) => Some(op),
            Call::Service(..) => None,
        }
    }
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Call::Kms(op) => write!(f, "kms:{}", op.name()),
            Call::Service(service, op) => write!(f, "{}:{op}", service.prefix()),
        }
    }
}

impl Serialize for Call {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One step of the trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Position in the trace.
    pub index: usize,
    /// Which scenario action produced it.
    pub action: usize,
    /// Who acted, e.g. `Amazon WorkMail` or a principal ARN.
    pub actor: String,
    /// The call made in this step, e.g. `kms:Decrypt`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<Call>,
    /// A short title.
    pub title: String,
    /// One plain-English sentence of what happened.
    pub sentence: String,
    /// Virtual time, ISO 8601.
    pub time: String,
    /// The request (secrets redacted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
    /// The response (secrets redacted), if the call succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    /// The error, if the call failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// Why a decryption failed, when the simulation can tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Authorization decisions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
    /// The CloudTrail event, for KMS calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<Arc<CloudTrailEvent>>,
    /// What happened to keys and data.
    pub material: Vec<MaterialEvent>,
}

impl Step {
    /// Whether the step's call failed.
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }
}

/// How much the trace keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TraceMode {
    /// Every step in full.
    #[default]
    Full,
    /// Only counts: for runs of millions of operations.
    Summary,
    /// The most recent steps, at least this many and at most twice as many (a
    /// long-running server); each keeps its index in the whole run.
    Recent(usize),
}

/// Counts kept in every mode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceSummary {
    /// Steps recorded (or that would have been).
    pub steps: u64,
    /// KMS calls made.
    pub kms_calls: u64,
    /// KMS calls that failed.
    pub kms_failures: u64,
    /// Mailbox-key cache hits (KMS calls avoided).
    pub cache_hits: u64,
}

/// The steps of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    /// The steps, oldest first (empty in summary mode).
    pub steps: Vec<Step>,
    /// Counts.
    pub summary: TraceSummary,
    #[serde(skip)]
    mode: TraceMode,
}

impl Trace {
    /// An empty trace that keeps steps per `mode`.
    pub fn new(mode: TraceMode) -> Self {
        Trace {
            steps: Vec::new(),
            summary: TraceSummary::default(),
            mode,
        }
    }

    /// Appends a step (or only counts it in summary mode).
    pub fn push(&mut self, mut step: Step) {
        self.summary.steps += 1;
        if step.call.and_then(Call::kms).is_some() {
            self.summary.kms_calls += 1;
            if step.failed() {
                self.summary.kms_failures += 1;
            }
        }
        self.summary.cache_hits += step
            .material
            .iter()
            .filter(|m| m.action == MaterialAction::CacheHit)
            .count() as u64;
        match self.mode {
            TraceMode::Full => {
                step.index = self.steps.len();
                self.steps.push(step);
            }
            TraceMode::Recent(keep) => {
                step.index = usize::try_from(self.summary.steps - 1).unwrap_or(usize::MAX);
                if self.steps.len() >= keep.saturating_mul(2).max(1) {
                    self.steps.drain(..self.steps.len().saturating_sub(keep));
                }
                self.steps.push(step);
            }
            TraceMode::Summary => {}
        }
    }

    /// Whether full steps are being kept.
    pub fn is_full(&self) -> bool {
        self.mode != TraceMode::Summary
    }

    /// Keeps steps per `mode` from now on.
    pub fn set_mode(&mut self, mode: TraceMode) {
        self.mode = mode;
    }
}
