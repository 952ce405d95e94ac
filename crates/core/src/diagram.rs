//! What the key-wrapping diagram shows at a step, computed from the trace.
//!
//! Folding the steps `0..=n` gives, for each trust boundary ([`Location`]), the keys and
//! ciphertexts it holds after step `n`, which of them step `n` touched, which it erased,
//! and which key wraps which ciphertext. Besides the material events, the fold reads what
//! the calls themselves say, so the diagram can draw what goes wrong as well as what goes
//! right: the grants on a KMS key (and when they are revoked or retired), a KMS key's
//! state (disabled, pending deletion), a stored byte flipped on purpose, and, at a failed
//! step, where the refused or failed call went. The page draws this; tests assert on it;
//! going back a step is just the fold of fewer steps.
//!
//! Two things here read the trace's strings rather than its types, each in one small
//! function so it is one place to adapt when they become typed: the call a step made
//! ([`call_kind`]) and the naming of artifact ids ([`wrapped_form`], [`tamper_aliases`],
//! [`kms_key_id`]).

use crate::record::{ArtifactId, ArtifactKind, Location, MaterialAction, Step};

/// The artifact id of the KMS key a key id or ARN names, as the trace writes it.
fn kms_key_artifact(key_id_or_arn: &str) -> String {
    ArtifactId::kms_key(key_id_or_arn).to_string()
}
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// How a node appears at the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeState {
    /// Present, not touched by this step.
    Present,
    /// Created, moved, used or changed (disabled, tampered with) by this step.
    Changed,
    /// Erased or deleted by this step (drawn fading out).
    Erased,
}

/// The state of a KMS key, as the calls of the run set it (AWS KMS developer guide,
/// *Key states of AWS KMS keys*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyState {
    /// Usable (after `EnableKey` or `CancelKeyDeletion`).
    Enabled,
    /// `DisableKey`: cryptographic operations fail with `DisabledException`.
    Disabled,
    /// `ScheduleKeyDeletion`: operations fail with `KMSInvalidStateException`.
    PendingDeletion,
}

/// A stored byte flipped on purpose (`tamper:FlipByte`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tamper {
    /// The step that flipped it.
    pub step: usize,
    /// The byte offset flipped, when the step says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
}

/// A key, ciphertext or message at one location.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// Unique in the snapshot: `artifact@location`.
    pub id: String,
    /// The artifact's id in the trace.
    pub artifact: String,
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its label, e.g. `Encrypted mailbox key (alice@example.com)` or, for a KMS key,
    /// `KMS key (alias/aws/workmail)`.
    pub label: String,
    /// Where it is.
    pub location: Location,
    /// Plaintext key material or data.
    pub secret: bool,
    /// Plaintext that exists only for a moment (in a process's memory).
    pub transient: bool,
    /// Length in bytes.
    pub length: usize,
    /// Hex of public bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// User content preview.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
    /// What the step did to it.
    pub state: NodeState,
    /// The last thing that happened to it, up to this step.
    pub last_action: MaterialAction,
    /// The step that last changed it.
    pub last_step: usize,
    /// For a KMS key: its key id, whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// For a KMS key whose state a call changed: that state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_state: Option<KeyState>,
    /// Set once a byte of it was flipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tampered: Option<Tamper>,
}

/// What an arrow says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Relation {
    /// The ciphertext is encrypted under the key.
    Wraps,
    /// The plaintext was decrypted with the key.
    Unwraps,
}

/// "`from` is encrypted under `to`" (or was decrypted with it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    /// The ciphertext (or unwrapped plaintext) node.
    pub from: String,
    /// The key node.
    pub to: String,
    /// The algorithm.
    pub algorithm: String,
    /// Whether this step drew it: the step's change. Other arrows are wraps made before,
    /// kept so the whole hierarchy can be read at any step.
    pub changed: bool,
    /// Encryption or decryption.
    pub relation: Relation,
    /// The key itself is not in plaintext anywhere now: the arrow points at the
    /// ciphertext that holds it (a message key under the *encrypted* mailbox key).
    pub via_wrapped: bool,
}

/// Whether a grant still allows anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum GrantState {
    /// In force.
    Active,
    /// `RevokeGrant`: it no longer allows anything.
    Revoked,
    /// `RetireGrant`: likewise.
    Retired,
}

/// A grant on a KMS key (`CreateGrant`), drawn on the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantMark {
    /// Its id.
    pub grant_id: String,
    /// The node of the KMS key it is on.
    pub key: String,
    /// Its name, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who it lets use the key.
    pub grantee: String,
    /// What it allows, e.g. `Encrypt`, `Decrypt`.
    pub operations: Vec<String>,
    /// In force, revoked or retired.
    pub state: GrantState,
    /// The step that created it.
    pub created: usize,
    /// The step that revoked or retired it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended: Option<usize>,
    /// Created, revoked or retired by this step.
    pub changed: bool,
}

/// Where a refused or failed call came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "at")]
pub enum FailureFrom {
    /// A node: the ciphertext KMS was asked to decrypt, or the stored data that would not
    /// decrypt.
    Node(String),
    /// The caller's boundary (a service's memory, a caller's own code).
    Region(Location),
    /// A caller with no boundary in the diagram (a principal that holds no keys), by name.
    Caller(String),
}

/// A failed step, drawn where it failed: a broken arrow from `from` to `to`, labelled
/// with the AWS error name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// The failed step.
    pub step: usize,
    /// The AWS error name.
    pub error: String,
    /// The call that failed, e.g. `kms:Decrypt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// Where the request came from.
    pub from: FailureFrom,
    /// What refused it (the KMS key) or could not open it (a data key), if drawn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// An earlier step of the same action whose failure this one reports (a service call
    /// that failed because its KMS call did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<usize>,
}

/// The diagram at one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// The step shown.
    pub step: usize,
    /// The trust boundaries that hold something, in the diagram's order (KMS first).
    pub regions: Vec<Location>,
    /// The nodes.
    pub nodes: Vec<Node>,
    /// The arrows.
    pub edges: Vec<Edge>,
    /// The grants made on the KMS keys so far.
    pub grants: Vec<GrantMark>,
    /// What failed at this step, and where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

impl Snapshot {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// The diagram's three columns, in the order keys protect each other: KMS keys protect
/// the keys in memory, which protect what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Lane {
    /// Inside AWS KMS.
    Kms,
    /// Process memory: services, their key caches, callers' own code.
    Memory,
    /// At rest: mailbox stores, S3 buckets.
    Storage,
}

/// The lane of a boundary.
pub fn lane(location: &Location) -> Lane {
    match location {
        Location::Kms => Lane::Kms,
        Location::ServiceMemory { .. } | Location::Cache { .. } | Location::CallerMemory { .. } => {
            Lane::Memory
        }
        Location::MailboxStore { .. } | Location::S3 { .. } => Lane::Storage,
    }
}

/// The order of boundaries in the diagram: by lane, then by kind within the lane.
fn region_rank(location: &Location) -> (Lane, u8) {
    let kind = match location {
        Location::Kms => 0,
        Location::ServiceMemory { .. } => 0,
        Location::Cache { .. } => 1,
        Location::CallerMemory { .. } => 2,
        Location::MailboxStore { .. } => 0,
        Location::S3 { .. } => 1,
    };
    (lane(location), kind)
}

/// Every trust boundary a run ever uses, in the diagram's order (KMS first; within a
/// kind, first use first), so a boundary keeps its place from the first step to the last.
pub fn regions_of(steps: &[Step]) -> Vec<Location> {
    let mut regions = vec![Location::Kms];
    for m in steps.iter().flat_map(|s| s.material.iter()) {
        if !regions.contains(&m.location) {
            regions.push(m.location.clone());
        }
    }
    // A stable sort: first use first within a kind.
    regions.sort_by_key(region_rank);
    regions
}

/// What a step's call means for the diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind<'a> {
    /// `kms:CreateKey`.
    CreateKey,
    /// `kms:CreateAlias`.
    CreateAlias,
    /// `kms:CreateGrant`.
    CreateGrant,
    /// `kms:RevokeGrant`.
    RevokeGrant,
    /// `kms:RetireGrant`.
    RetireGrant,
    /// `kms:DisableKey`.
    DisableKey,
    /// `kms:EnableKey`.
    EnableKey,
    /// `kms:ScheduleKeyDeletion`.
    ScheduleKeyDeletion,
    /// `kms:CancelKeyDeletion`.
    CancelKeyDeletion,
    /// Any other KMS operation, by name (`Decrypt`, ...).
    Kms(&'a str),
    /// `tamper:FlipByte`: a byte flipped on purpose.
    Tamper,
    /// A call to another service, or none.
    Other,
}

impl CallKind<'_> {
    /// Whether the call went to AWS KMS.
    pub fn is_kms(self) -> bool {
        !matches!(self, CallKind::Tamper | CallKind::Other)
    }
}

/// What `step` called. The one place that reads [`Step::call`].
pub fn call_kind(step: &Step) -> CallKind<'static> {
    use crate::kms::Operation as Op;
    use crate::record::{Call, Service};
    match step.call {
        None => CallKind::Other,
        Some(Call::Service(Service::Tamper, "FlipByte")) => CallKind::Tamper,
        Some(Call::Service(..)) => CallKind::Other,
        Some(Call::Kms(op)) => match op {
            Op::CreateKey => CallKind::CreateKey,
            Op::CreateAlias => CallKind::CreateAlias,
            Op::CreateGrant => CallKind::CreateGrant,
            Op::RevokeGrant => CallKind::RevokeGrant,
            Op::RetireGrant => CallKind::RetireGrant,
            Op::DisableKey => CallKind::DisableKey,
            Op::EnableKey => CallKind::EnableKey,
            Op::ScheduleKeyDeletion => CallKind::ScheduleKeyDeletion,
            Op::CancelKeyDeletion => CallKind::CancelKeyDeletion,
            other => CallKind::Kms(other.name()),
        },
    }
}

/// The artifact that holds `key` encrypted, by the trace's naming (`mailbox-key:x` is
/// held as `mailbox-key-ct:x`, `message:x` as `message-ct:x`).
pub fn wrapped_form(key: &str) -> Option<String> {
    let (kind, rest) = key.split_once(':')?;
    (!kind.ends_with("-ct")).then(|| format!("{kind}-ct:{rest}"))
}

/// The artifact ids a `tamper:FlipByte` target names: itself, and for S3 the names the
/// material events use (`s3:bucket/key` is the object `object:bucket/key`, `s3-key:...`
/// its encrypted data key `data-key-ct:...`).
pub fn tamper_aliases(target: &str) -> Vec<String> {
    let mut out = vec![target.to_owned()];
    if let Some(rest) = target.strip_prefix("s3:") {
        out.push(format!("object:{rest}"));
    }
    if let Some(rest) = target.strip_prefix("s3-key:") {
        out.push(format!("data-key-ct:{rest}"));
    }
    out
}

/// The key id of a KMS key's artifact (`kms-key:<key id>`).
pub fn kms_key_id(artifact: &str) -> Option<&str> {
    artifact.strip_prefix("kms-key:")
}

fn node_id(artifact: &str, location: &Location) -> String {
    format!("{artifact}@{}", location.label())
}

fn str_at<'a>(v: Option<&'a Value>, pointer: &str) -> Option<&'a str> {
    v.and_then(|v| v.pointer(pointer)).and_then(Value::as_str)
}

/// The KMS key a call was about: the key CloudTrail names, else the request's `KeyId`
/// when it is a key id or ARN, else the key a ciphertext blob names (bytes 1..17, see
/// `kms/blob.rs`).
fn key_of_call(step: &Step) -> Option<String> {
    if let Some(r) = step
        .event
        .as_ref()
        .and_then(|e| e.resources.iter().find(|r| r.kind == "AWS::KMS::Key"))
    {
        return Some(kms_key_artifact(&r.arn));
    }
    if let Some(key) = str_at(step.request.as_ref(), "/KeyId").filter(|k| !k.contains("alias/")) {
        return Some(kms_key_artifact(key));
    }
    let blob = str_at(step.request.as_ref(), "/CiphertextBlob")
        .and_then(|b| STANDARD.decode(b.trim()).ok())?;
    let id = blob.get(1..17)?;
    let h = hex::encode(id);
    Some(format!(
        "kms-key:{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

/// Whether two byte strings are equal or differ in exactly one bit (a flipped byte).
pub fn same_or_one_bit(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .map(|(x, y)| (x ^ y).count_ones())
            .sum::<u32>()
            <= 1
}

/// The most recent wrap or unwrap recorded for a node.
#[derive(Debug, Clone)]
struct Wrap {
    under: String,
    algorithm: String,
    relation: Relation,
    step: usize,
}

#[derive(Default)]
struct Fold {
    nodes: Vec<Node>,
    wraps: BTreeMap<String, Wrap>,
    grants: Vec<GrantMark>,
    key_states: BTreeMap<String, (KeyState, usize)>,
    aliases: BTreeMap<String, String>,
    descriptions: BTreeMap<String, String>,
    tampered: BTreeMap<String, Tamper>,
    /// Every boundary seen so far, removed nodes' included.
    seen: Vec<Location>,
}

impl Fold {
    fn index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    fn ensure_kms_key(&mut self, artifact: &str, step: usize) -> String {
        let id = node_id(artifact, &Location::Kms);
        if self.index(&id).is_none() {
            self.nodes.push(Node {
                id: id.clone(),
                artifact: artifact.to_owned(),
                kind: ArtifactKind::KmsKey,
                label: "KMS key".to_owned(),
                location: Location::Kms,
                secret: false,
                transient: false,
                length: 0,
                hex: None,
                preview: None,
                state: NodeState::Present,
                last_action: MaterialAction::Generated,
                last_step: step,
                key_id: kms_key_id(artifact).map(str::to_owned),
                key_state: None,
                tampered: None,
            });
        }
        id
    }

    fn material(&mut self, step: &Step, i: usize, current: bool) {
        for m in &step.material {
            let artifact = m.artifact.to_string();
            let under_text = m.under.as_ref().map(ArtifactId::to_string);
            if let Some(u) = under_text.as_deref().filter(|u| kms_key_id(u).is_some()) {
                self.ensure_kms_key(u, i);
            }
            if m.kind == ArtifactKind::KmsKey {
                self.ensure_kms_key(&artifact, i);
            }
            if !self.seen.contains(&m.location) {
                self.seen.push(m.location.clone());
            }
            let id = node_id(&artifact, &m.location);
            let gone = matches!(m.action, MaterialAction::Erased | MaterialAction::Deleted);
            let state = match (current, gone) {
                (false, _) => NodeState::Present,
                (true, true) => NodeState::Erased,
                (true, false) => NodeState::Changed,
            };
            match self.index(&id) {
                Some(ix) if gone && !current => {
                    self.nodes.remove(ix);
                    self.wraps.remove(&id);
                    continue;
                }
                Some(ix) => {
                    let n = &mut self.nodes[ix];
                    n.state = state;
                    n.last_action = m.action;
                    n.last_step = i;
                    if m.kind != ArtifactKind::KmsKey {
                        n.label = m.label.clone();
                    }
                    if m.hex.is_some() {
                        n.hex = m.hex.clone();
                        n.length = m.length;
                    }
                }
                // Erasing what is not drawn here (a key used from the cache) draws nothing.
                None if gone => continue,
                None if m.kind == ArtifactKind::KmsKey => {}
                None => {
                    let secret = m.kind.is_secret();
                    let transient = secret
                        && matches!(
                            m.location,
                            Location::ServiceMemory { .. } | Location::CallerMemory { .. }
                        );
                    self.nodes.push(Node {
                        id: id.clone(),
                        artifact: artifact.clone(),
                        kind: m.kind,
                        label: m.label.clone(),
                        location: m.location.clone(),
                        secret,
                        transient,
                        length: m.length,
                        hex: m.hex.clone(),
                        preview: m.preview.clone(),
                        state,
                        last_action: m.action,
                        last_step: i,
                        key_id: None,
                        key_state: None,
                        tampered: None,
                    });
                }
            }
            if let (Some(under), Some(algorithm), false) = (&under_text, &m.algorithm, gone) {
                let relation = if m.action == MaterialAction::Unwrapped {
                    Relation::Unwraps
                } else {
                    Relation::Wraps
                };
                self.wraps.insert(
                    id,
                    Wrap {
                        under: under.clone(),
                        algorithm: algorithm.clone(),
                        relation,
                        step: i,
                    },
                );
            }
        }
    }

    /// What the step's call says about grants, key states, names and tampering.
    fn call(&mut self, steps: &[Step], i: usize, current: bool) {
        let Some(step) = steps.get(i) else { return };
        let kind = call_kind(step);
        if kind.is_kms() && !step.failed() {
            if let (Some(alias), Some(key)) = (
                str_at(step.request.as_ref(), "/KeyId").filter(|k| k.starts_with("alias/")),
                key_of_call(step),
            ) {
                self.aliases.entry(key).or_insert_with(|| alias.to_owned());
            }
        }
        if step.failed() {
            return;
        }
        let request = step.request.as_ref();
        let changed_key = |fold: &mut Fold, state: KeyState| {
            if let Some(key) = key_of_call(step) {
                fold.ensure_kms_key(&key, i);
                fold.key_states.insert(key, (state, i));
            }
        };
        match kind {
            CallKind::CreateKey => {
                if let (Some(id), Some(d)) = (
                    str_at(step.response.as_ref(), "/KeyMetadata/KeyId"),
                    str_at(request, "/Description").filter(|d| !d.is_empty()),
                ) {
                    self.descriptions.insert(kms_key_artifact(id), d.to_owned());
                }
            }
            CallKind::CreateAlias => {
                if let (Some(alias), Some(target)) = (
                    str_at(request, "/AliasName"),
                    str_at(request, "/TargetKeyId"),
                ) {
                    self.aliases
                        .insert(kms_key_artifact(target), alias.to_owned());
                }
            }
            CallKind::CreateGrant => {
                let Some(key) = key_of_call(step) else { return };
                let key = self.ensure_kms_key(&key, i);
                let operations = request
                    .and_then(|r| r.get("Operations"))
                    .and_then(Value::as_array)
                    .map(|ops| {
                        ops.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                self.grants.push(GrantMark {
                    grant_id: str_at(step.response.as_ref(), "/GrantId")
                        .unwrap_or_default()
                        .to_owned(),
                    key,
                    name: str_at(request, "/Name").map(str::to_owned),
                    grantee: str_at(request, "/GranteePrincipal")
                        .unwrap_or_default()
                        .to_owned(),
                    operations,
                    state: GrantState::Active,
                    created: i,
                    ended: None,
                    changed: current,
                });
            }
            CallKind::RevokeGrant | CallKind::RetireGrant => {
                let id = str_at(request, "/GrantId");
                let token = str_at(request, "/GrantToken");
                let tokens: Vec<(usize, &str)> = steps
                    .iter()
                    .take(i)
                    .filter(|s| call_kind(s) == CallKind::CreateGrant)
                    .filter_map(|s| Some((s.index, str_at(s.response.as_ref(), "/GrantToken")?)))
                    .collect();
                let state = if kind == CallKind::RevokeGrant {
                    GrantState::Revoked
                } else {
                    GrantState::Retired
                };
                for g in self.grants.iter_mut().filter(|g| g.ended.is_none()) {
                    let by_token = token.is_some_and(|t| {
                        tokens
                            .iter()
                            .any(|&(created, tk)| created == g.created && tk == t)
                    });
                    if id == Some(g.grant_id.as_str()) || by_token {
                        g.state = state;
                        g.ended = Some(i);
                        g.changed = current;
                    }
                }
            }
            CallKind::DisableKey => changed_key(self, KeyState::Disabled),
            CallKind::EnableKey | CallKind::CancelKeyDeletion => {
                changed_key(self, KeyState::Enabled)
            }
            CallKind::ScheduleKeyDeletion => changed_key(self, KeyState::PendingDeletion),
            CallKind::Tamper => {
                let tamper = Tamper {
                    step: i,
                    offset: request
                        .and_then(|r| r.get("Offset"))
                        .and_then(Value::as_u64)
                        .and_then(|o| usize::try_from(o).ok()),
                };
                for artifact in self.tampered_artifacts(steps, i) {
                    self.tampered.insert(artifact, tamper);
                }
            }
            CallKind::Kms(_) | CallKind::Other => {}
        }
    }

    /// The artifacts a tamper step flipped a byte of: those it names, or, when it names
    /// an earlier response (`Response: enc.CiphertextBlob`), the node whose bytes a later
    /// request carries with one bit flipped.
    fn tampered_artifacts(&self, steps: &[Step], i: usize) -> Vec<String> {
        let Some(request) = steps.get(i).and_then(|s| s.request.as_ref()) else {
            return Vec::new();
        };
        if let Some(target) = request.get("Artifact").and_then(Value::as_str) {
            return tamper_aliases(target);
        }
        let known: Vec<(&str, Vec<u8>)> = self
            .nodes
            .iter()
            .filter_map(|n| Some((n.artifact.as_str(), hex::decode(n.hex.as_deref()?).ok()?)))
            .collect();
        for later in steps.iter().skip(i + 1) {
            let Some(fields) = later.request.as_ref().and_then(Value::as_object) else {
                continue;
            };
            for value in fields.values().filter_map(Value::as_str) {
                let Ok(bytes) = STANDARD.decode(value.trim()) else {
                    continue;
                };
                if let Some((artifact, _)) = known
                    .iter()
                    .find(|(_, b)| b != &bytes && same_or_one_bit(b, &bytes))
                {
                    return vec![(*artifact).to_owned()];
                }
            }
        }
        Vec::new()
    }

    /// Where `key` is drawn for an arrow from a node in `from`: the key itself or its
    /// encrypted form (then `true`), preferring the same boundary, then KMS, then at rest.
    fn key_node(&self, key: &str, from: &Location, live: bool) -> Option<(String, bool)> {
        let wrapped = wrapped_form(key);
        let plain = self.nodes.iter().filter(|n| n.artifact == key);
        let held = self
            .nodes
            .iter()
            .filter(|n| Some(&n.artifact) == wrapped.as_ref());
        let same = |n: &&Node| &n.location == from;
        let pick_plain = |same_only: bool| {
            plain
                .clone()
                .filter(|n| !same_only || same(n))
                .min_by_key(|n| u8::from(n.location != Location::Kms))
                .map(|n| (n.id.clone(), false))
        };
        let pick_held = |same_only: bool| {
            held.clone()
                .filter(|n| !same_only || same(n))
                .min_by_key(|n| u8::from(lane(&n.location) != Lane::Storage))
                .map(|n| (n.id.clone(), true))
        };
        if live {
            // The operation of this step: the key as it was used, wherever it is.
            pick_plain(true)
                .or_else(|| pick_plain(false))
                .or_else(|| pick_held(false))
        } else {
            pick_plain(true)
                .or_else(|| pick_held(true))
                .or_else(|| {
                    plain
                        .clone()
                        .find(|n| n.location == Location::Kms)
                        .map(|n| (n.id.clone(), false))
                })
                .or_else(|| pick_held(false))
                .or_else(|| pick_plain(false))
        }
    }

    fn edges(&self, at: usize) -> Vec<Edge> {
        let mut edges = Vec::new();
        for n in &self.nodes {
            // A copy that was only read or stored inherits the wrap of its artifact.
            let own = self.wraps.get(&n.id);
            let inherited = || {
                self.nodes
                    .iter()
                    .filter(|o| o.artifact == n.artifact && o.id != n.id)
                    .find_map(|o| self.wraps.get(&o.id))
                    .filter(|w| w.relation == Relation::Wraps)
            };
            let Some(wrap) = own.or_else(|| (!n.secret).then(inherited).flatten()) else {
                continue;
            };
            let live = own.is_some() && wrap.step == at;
            let Some((to, via_wrapped)) = self.key_node(&wrap.under, &n.location, live) else {
                continue;
            };
            if to == n.id {
                continue;
            }
            edges.push(Edge {
                from: n.id.clone(),
                to,
                algorithm: wrap.algorithm.clone(),
                changed: live,
                relation: wrap.relation,
                via_wrapped,
            });
        }
        edges
    }

    /// The boundary of the caller `actor`: a service's memory, or a caller's own code.
    fn region_of(&self, actor: &str) -> Option<Location> {
        self.seen
            .iter()
            .find(|l| match l {
                Location::ServiceMemory { service } => actor.starts_with(service.as_str()),
                Location::CallerMemory { principal } => {
                    actor == principal || actor.contains(&format!("({principal})"))
                }
                _ => false,
            })
            .cloned()
    }

    /// Where the failed step `at` failed.
    fn failure(&mut self, steps: &[Step], at: usize) -> Option<Failure> {
        let step = steps.get(at).filter(|s| s.failed())?;
        let error = step.error.as_ref()?.code.clone();
        // A service call that failed because an earlier call of the same action did.
        let cause = steps
            .iter()
            .take(at)
            .rev()
            .take_while(|s| s.action == step.action)
            .find(|s| s.failed())
            .map(|s| s.index);
        let site = steps.get(cause.unwrap_or(at))?;
        let (from, to) = if call_kind(site).is_kms() {
            let to = key_of_call(site).map(|k| self.ensure_kms_key(&k, at));
            let blob = str_at(site.request.as_ref(), "/CiphertextBlob")
                .and_then(|b| STANDARD.decode(b.trim()).ok());
            let from = blob.and_then(|blob| {
                self.nodes
                    .iter()
                    .filter(|n| {
                        n.hex
                            .as_deref()
                            .and_then(|h| hex::decode(h).ok())
                            .is_some_and(|b| same_or_one_bit(&b, &blob))
                    })
                    .min_by_key(|n| u8::from(lane(&n.location) != Lane::Storage))
                    .map(|n| FailureFrom::Node(n.id.clone()))
            });
            (from, to)
        } else {
            // Data that would not decrypt: a tampered copy, the caller's own first.
            let mine = self.region_of(&site.actor);
            let tampered = self
                .nodes
                .iter()
                .filter(|n| n.tampered.is_some())
                .min_by_key(|n| u8::from(Some(&n.location) != mine.as_ref()))
                .map(|n| (n.id.clone(), n.location.clone(), n.artifact.clone()));
            match tampered {
                Some((id, location, artifact)) => {
                    // The key it is under, from this copy or another copy of it.
                    let key = self
                        .nodes
                        .iter()
                        .filter(|n| n.artifact == artifact)
                        .find_map(|n| self.wraps.get(&n.id))
                        .map(|w| w.under.clone());
                    let to = key
                        .and_then(|k| self.key_node(&k, &location, true))
                        .map(|(id, _)| id);
                    (Some(FailureFrom::Node(id)), to)
                }
                None => (None, None),
            }
        };
        let from = from.unwrap_or_else(|| match self.region_of(&site.actor) {
            Some(region) => FailureFrom::Region(region),
            None => FailureFrom::Caller(site.actor.clone()),
        });
        Some(Failure {
            step: at,
            error,
            call: step.call.map(|c| c.to_string()),
            from,
            to,
            cause,
        })
    }

    fn finish_labels(&mut self) {
        for n in self
            .nodes
            .iter_mut()
            .filter(|n| n.kind == ArtifactKind::KmsKey)
        {
            n.label = match (
                self.aliases.get(&n.artifact),
                self.descriptions.get(&n.artifact),
            ) {
                (Some(alias), _) => format!("KMS key ({alias})"),
                (None, Some(d)) => format!("KMS key \"{d}\""),
                (None, None) => "KMS key".to_owned(),
            };
            n.key_id = kms_key_id(&n.artifact).map(str::to_owned);
        }
    }
}

/// The diagram after `steps[..=at]` (clamped to the last step).
pub fn snapshot(steps: &[Step], at: usize) -> Snapshot {
    let at = at.min(steps.len().saturating_sub(1));
    let mut fold = Fold::default();
    for i in 0..steps.len().min(at + 1) {
        let current = i == at;
        // What the last step changed is merely present now.
        for n in fold.nodes.iter_mut() {
            n.state = NodeState::Present;
        }
        for g in fold.grants.iter_mut() {
            g.changed = false;
        }
        if let Some(step) = steps.get(i) {
            fold.material(step, i, current);
        }
        fold.call(steps, i, current);
    }
    // Key states and tampering, onto the nodes; what this step did stands out.
    let key_states = std::mem::take(&mut fold.key_states);
    let tampered = std::mem::take(&mut fold.tampered);
    for n in fold.nodes.iter_mut() {
        if let Some(&(state, step)) = key_states.get(&n.artifact) {
            n.key_state = Some(state);
            if step == at {
                n.state = NodeState::Changed;
                n.last_step = step;
            }
        }
        if let Some(&t) = tampered.get(&n.artifact) {
            n.tampered = Some(t);
            if t.step == at {
                n.state = NodeState::Changed;
                n.last_step = t.step;
            }
        }
    }
    let failure = fold.failure(steps, at);
    fold.finish_labels();
    let edges = fold.edges(at);
    let mut regions: Vec<Location> = vec![Location::Kms];
    for n in &fold.nodes {
        if !regions.contains(&n.location) {
            regions.push(n.location.clone());
        }
    }
    regions.sort_by_key(region_rank);
    Snapshot {
        step: at,
        regions,
        nodes: fold.nodes,
        edges,
        grants: fold.grants,
        failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::experiment::{apply, experiments_for};
    use crate::scenario::{builtin, builtins, run, Scenario};

    fn run_builtin(name: &str) -> Vec<Step> {
        let s = builtin(name)
            .and_then(|b| b.scenario().ok())
            .expect("builtin");
        run(&s, None).trace.steps
    }

    fn run_experiment(name: &str, label: &str) -> Vec<Step> {
        let b = builtin(name).expect("builtin");
        let s = b.scenario().expect("parses");
        let option = experiments_for(&s.source)
            .into_iter()
            .find(|o| o.label == label)
            .expect("offered");
        let changed = apply(&s.source, &option.experiment).expect("applies");
        run(&Scenario::from_value(&changed).expect("valid"), None)
            .trace
            .steps
    }

    fn find(steps: &[Step], title: &str) -> usize {
        steps
            .iter()
            .position(|s| s.title == title)
            .expect("a step with that title")
    }

    #[test]
    fn workmail_read_shows_the_whole_hierarchy() {
        let steps = run_builtin("workmail-basics");
        let last = snapshot(&steps, steps.len() - 1);
        let has = |prefix: &str, loc: fn(&Location) -> bool| {
            last.nodes
                .iter()
                .any(|n| n.artifact.starts_with(prefix) && loc(&n.location))
        };
        assert!(has("kms-key:", |l| *l == Location::Kms));
        assert!(has("mailbox-key-ct:", |l| matches!(
            l,
            Location::MailboxStore { .. }
        )));
        assert!(has("message-ct:", |l| matches!(
            l,
            Location::MailboxStore { .. }
        )));
        assert!(
            has("mailbox-key:", |l| matches!(l, Location::Cache { .. })),
            "the read cached the mailbox key"
        );
        assert_eq!(last.regions[0], Location::Kms);
        // No secret node carries bytes.
        assert!(last
            .nodes
            .iter()
            .filter(|n| n.secret)
            .all(|n| n.hex.is_none()));
    }

    /// At any step after the message is stored, the stored hierarchy reads KMS key ←
    /// encrypted mailbox key ← encrypted message key ← encrypted message, even though the
    /// plaintext keys that made those wraps are long erased.
    #[test]
    fn wraps_already_made_stay_readable_at_every_later_step() {
        let steps = run_builtin("workmail-basics");
        let stored = find(&steps, "Store the encrypted message and its key");
        for at in stored + 1..steps.len() {
            let s = snapshot(&steps, at);
            let stored_node = |prefix: &str| {
                s.nodes
                    .iter()
                    .find(|n| {
                        n.artifact.starts_with(prefix)
                            && matches!(n.location, Location::MailboxStore { .. })
                    })
                    .unwrap_or_else(|| panic!("{prefix} stored at step {at}"))
            };
            let target = |from: &Node| {
                s.edges
                    .iter()
                    .find(|e| e.from == from.id)
                    .and_then(|e| s.node(&e.to))
                    .unwrap_or_else(|| panic!("{} has an arrow at step {at}", from.id))
            };
            let message = stored_node("message-ct:");
            let message_key = target(message);
            assert!(
                message_key.artifact.starts_with("message-key-ct:"),
                "step {at}: the message is under the (encrypted) message key, not {}",
                message_key.id
            );
            let mailbox_key = target(message_key);
            assert!(
                mailbox_key.artifact.starts_with("mailbox-key"),
                "step {at}: {}",
                mailbox_key.id
            );
            let top = if mailbox_key.artifact.starts_with("mailbox-key-ct:") {
                target(mailbox_key)
            } else {
                mailbox_key
            };
            if top.kind != ArtifactKind::KmsKey {
                // The plaintext mailbox key (cached) was decrypted with the KMS key.
                assert!(
                    s.edges.iter().any(|e| e.to.starts_with("kms-key:")),
                    "step {at}"
                );
            }
        }
        // The step's own change is what is marked changed.
        let s = snapshot(&steps, stored);
        assert!(s.edges.iter().any(|e| e.changed));
        assert!(s.edges.iter().any(|e| !e.changed));
    }

    #[test]
    fn erased_keys_fade_then_disappear_and_going_back_is_identical() {
        let steps = run_builtin("workmail-basics");
        let store = find(&steps, "Store the encrypted mailbox key");
        let at = snapshot(&steps, store);
        let erased = at
            .nodes
            .iter()
            .find(|n| {
                n.artifact.starts_with("mailbox-key:")
                    && matches!(n.location, Location::ServiceMemory { .. })
            })
            .expect("the mailbox key in memory");
        assert_eq!(erased.state, NodeState::Erased);
        let after = snapshot(&steps, store + 1);
        assert!(
            !after.nodes.iter().any(|n| n.id == erased.id),
            "gone one step later"
        );
        assert_eq!(
            snapshot(&steps, store),
            at,
            "the same step always gives the same view"
        );
    }

    #[test]
    fn cache_expiry_erases_the_cached_key() {
        let steps = run_builtin("workmail-cache");
        let exp = find(&steps, "Cached mailbox key expires");
        let s = snapshot(&steps, exp);
        assert!(s
            .nodes
            .iter()
            .any(|n| matches!(n.location, Location::Cache { .. }) && n.state == NodeState::Erased));
    }

    #[test]
    fn grants_are_drawn_on_the_key_and_struck_when_revoked() {
        let steps = run_builtin("workmail-revoke-grant");
        let created = find(&steps, "Grant WorkMail use of the key");
        let s = snapshot(&steps, created);
        let g = s.grants.first().expect("WorkMail's grant");
        assert!(g.changed);
        assert_eq!(g.state, GrantState::Active);
        assert_eq!(g.grantee, "workmail.us-east-1.amazonaws.com");
        assert_eq!(g.operations, ["Encrypt", "Decrypt"]);
        assert!(s
            .node(&g.key)
            .is_some_and(|n| n.kind == ArtifactKind::KmsKey));
        let revoked = steps
            .iter()
            .position(|s| call_kind(s) == CallKind::RevokeGrant)
            .expect("a RevokeGrant");
        let s = snapshot(&steps, revoked);
        let g = &s.grants[0];
        assert_eq!(
            (g.state, g.ended, g.changed),
            (GrantState::Revoked, Some(revoked), true)
        );
        let later = snapshot(&steps, steps.len() - 1);
        assert_eq!(later.grants[0].state, GrantState::Revoked);
        assert!(!later.grants[0].changed);
        // Before it was created there is none.
        assert!(snapshot(&steps, 0).grants.is_empty());
    }

    #[test]
    fn a_refused_decrypt_is_drawn_from_the_ciphertext_to_the_key() {
        let steps = run_builtin("workmail-revoke-grant");
        let refused = steps
            .iter()
            .position(|s| s.failed() && call_kind(s) == CallKind::Kms("Decrypt"))
            .expect("the refused Decrypt");
        let s = snapshot(&steps, refused);
        let f = s.failure.as_ref().expect("a failure");
        assert_eq!(f.error, "AccessDeniedException");
        let FailureFrom::Node(from) = &f.from else {
            panic!("from a node: {f:?}")
        };
        assert!(from.starts_with("mailbox-key-ct:"), "{from}");
        assert!(f.to.as_deref().is_some_and(|t| t.starts_with("kms-key:")));
        // The service call that failed because of it is drawn at the same place.
        let s = snapshot(&steps, refused + 1);
        let g = s.failure.as_ref().expect("a failure");
        assert_eq!(g.cause, Some(refused));
        assert_eq!((&g.from, &g.to), (&f.from, &f.to));
        // A step that did not fail draws none.
        assert!(snapshot(&steps, 0).failure.is_none());
    }

    #[test]
    fn every_failed_step_of_every_builtin_has_a_drawn_failure() {
        for b in builtins() {
            if b.name.contains("legacy") || b.name.contains("asymmetric") {
                continue; // RSA key generation: slow in a debug build; e2e tests cover them
            }
            let steps = run_builtin(b.name);
            for (i, step) in steps.iter().enumerate() {
                let s = snapshot(&steps, i);
                assert_eq!(s.failure.is_some(), step.failed(), "{} step {i}", b.name);
                if let Some(f) = &s.failure {
                    if let FailureFrom::Node(n) = &f.from {
                        assert!(s.node(n).is_some(), "{} step {i}: {n}", b.name);
                    }
                    if let Some(t) = &f.to {
                        assert!(s.node(t).is_some(), "{} step {i}: {t}", b.name);
                    }
                }
            }
        }
    }

    #[test]
    fn a_flipped_byte_is_marked_and_the_failure_starts_there() {
        let steps = run_experiment("workmail-basics", "Flip a byte of the stored message");
        let flip = steps
            .iter()
            .position(|s| call_kind(s) == CallKind::Tamper)
            .expect("the flip");
        let s = snapshot(&steps, flip);
        let n = s
            .nodes
            .iter()
            .find(|n| n.tampered.is_some())
            .expect("a tampered node");
        assert!(n.artifact.starts_with("message-ct:"));
        assert_eq!(n.state, NodeState::Changed);
        assert_eq!(n.tampered.and_then(|t| t.offset), Some(40));
        let failed = steps.iter().position(Step::failed).expect("the read fails");
        let s = snapshot(&steps, failed);
        let f = s.failure.as_ref().expect("drawn");
        assert!(matches!(&f.from, FailureFrom::Node(id) if id.starts_with("message-ct:")));
        assert!(f
            .to
            .as_deref()
            .is_some_and(|t| t.starts_with("message-key")));

        // A flipped response (encryption-context) is found from the request that carries it.
        let steps = run_experiment("encryption-context", "Flip a byte of step 3's ciphertext");
        let flip = steps
            .iter()
            .position(|s| call_kind(s) == CallKind::Tamper)
            .expect("the flip");
        let s = snapshot(&steps, flip);
        assert!(s
            .nodes
            .iter()
            .any(|n| n.tampered.is_some() && n.artifact.starts_with("ciphertext:")));

        // S3's names: the object's body, and its encrypted data key.
        for (label, prefix) in [
            ("Flip a byte of the stored email", "object:"),
            ("Flip a byte of the encrypted data key", "data-key-ct:"),
        ] {
            let steps = run_experiment("ses-receive", label);
            let last = snapshot(&steps, steps.len() - 1);
            assert!(
                last.nodes
                    .iter()
                    .any(|n| n.tampered.is_some() && n.artifact.starts_with(prefix)),
                "{label}"
            );
        }
    }

    #[test]
    fn disabling_a_key_marks_it() {
        let steps = run_experiment("encryption-context", "Disable the key");
        let disable = steps
            .iter()
            .position(|s| call_kind(s) == CallKind::DisableKey)
            .expect("DisableKey");
        let s = snapshot(&steps, disable);
        let key = s
            .nodes
            .iter()
            .find(|n| n.kind == ArtifactKind::KmsKey)
            .expect("the key");
        assert_eq!(key.key_state, Some(KeyState::Disabled));
        assert_eq!(key.state, NodeState::Changed);
        assert!(snapshot(&steps, disable - 1).nodes[0].key_state.is_none());
    }

    #[test]
    fn kms_keys_are_named_whole() {
        let steps = run_builtin("workmail-basics");
        let s = snapshot(&steps, steps.len() - 1);
        let key = &s.nodes[0];
        assert_eq!(key.label, "KMS key (alias/aws/workmail)");
        assert_eq!(
            key.key_id.as_deref(),
            Some("9a374450-4560-439e-8670-b7a17d492b27")
        );
        let steps = run_builtin("ses-receive");
        let s = snapshot(&steps, 0);
        assert_eq!(s.nodes[0].label, "KMS key \"SES inbound mail\"");
    }

    #[test]
    fn regions_keep_the_diagram_order() {
        let steps = run_builtin("ses-receive");
        let regions = regions_of(&steps);
        assert_eq!(regions[0], Location::Kms);
        let lanes: Vec<Lane> = regions.iter().map(lane).collect();
        assert!(lanes.windows(2).all(|w| w[0] <= w[1]), "{lanes:?}");
        assert!(regions.iter().any(|r| matches!(r, Location::S3 { .. })));
    }

    #[test]
    fn call_kinds_and_names() {
        assert_eq!(
            wrapped_form("mailbox-key:a@b"),
            Some("mailbox-key-ct:a@b".to_owned())
        );
        assert_eq!(wrapped_form("mailbox-key-ct:a@b"), None);
        assert_eq!(
            tamper_aliases("s3-key:b/k"),
            ["s3-key:b/k".to_owned(), "data-key-ct:b/k".to_owned()]
        );
        assert!(same_or_one_bit(&[1, 2], &[1, 3]));
        assert!(!same_or_one_bit(&[1, 2], &[1, 1]));
        assert!(!same_or_one_bit(&[1], &[1, 2]));
    }

    #[test]
    fn out_of_range_and_empty_do_not_panic() {
        assert!(snapshot(&[], 5).nodes.is_empty());
        let steps = run_builtin("ses-receive");
        assert_eq!(snapshot(&steps, 10_000).step, steps.len() - 1);
    }
}
