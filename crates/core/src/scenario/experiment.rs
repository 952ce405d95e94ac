//! Experiments: break a flow on purpose and see exactly why it fails.
//!
//! An experiment is a scenario with one change — a step inserted (revoke WorkMail's grant,
//! disable the key, schedule its deletion, advance the clock, flip a stored byte) or a
//! request edited (change or drop an encryption-context pair, use a customer managed key,
//! replace the key policy). [`apply`] makes the changed scenario from the original JSON;
//! re-running it and comparing traces with [`first_difference`] shows where things first
//! differ. [`experiments_for`] lists the experiments that make sense for a scenario
//! ([`experiments_for_run`] with the step numbers of a run, as the page shows them).
//!
//! The rules a page needs about experiments live here too, so every view applies them
//! the same way: where an inserting experiment goes ([`Experiment::placed_before`]), what
//! an experiment changes in words ([`change_summary`]), which key policy the policy editor
//! opens with ([`initial_policy`]) and whether a typed policy is one ([`check_policy`]).

use super::presets;
use super::{err, ScenarioError};
use crate::trace::Step;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// One change to a scenario. `at` is the index of the scenario step before which a new
/// step is inserted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Experiment {
    /// Revoke the grant WorkMail (or the scenario's CreateGrant) created.
    RevokeGrant {
        /// Insert before this step.
        at: usize,
    },
    /// Disable the scenario's KMS key (a customer managed one: AWS managed keys cannot be
    /// disabled, so the scenario is switched to a customer managed key first).
    DisableKey {
        /// Insert before this step.
        at: usize,
    },
    /// Schedule the key's deletion (7 days), same rule as `DisableKey`.
    ScheduleKeyDeletion {
        /// Insert before this step.
        at: usize,
    },
    /// Let time pass (61 s: past the mailbox-key cache lifetime).
    AdvanceClock {
        /// Insert before this step.
        at: usize,
        /// Seconds.
        seconds: u64,
    },
    /// Change (or, with `value: None`, drop) one encryption-context pair of a Decrypt step.
    ChangeContext {
        /// The Decrypt step.
        step: usize,
        /// The context key.
        key: String,
        /// The new value; `None` drops the pair.
        value: Option<String>,
    },
    /// Flip one bit of stored data (`tamper:FlipByte`): an artifact, or
    /// `Response:<step id>.<Field>` for an earlier response.
    FlipByte {
        /// Insert before this step.
        at: usize,
        /// What to flip.
        target: String,
    },
    /// Use a new customer managed key instead of the AWS managed one.
    CustomerManagedKey,
    /// Replace the key policy of the scenario's customer managed key.
    EditPolicy {
        /// The policy document (JSON text).
        policy: String,
    },
}

/// An experiment offered for a scenario, with words for the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentOption {
    /// Short label, e.g. "Revoke WorkMail's grant".
    pub label: String,
    /// What it does and what to look for.
    pub description: String,
    /// What the experiment changes first to be possible at all, e.g. "AWS managed keys
    /// cannot be disabled: the flow first switches to a new customer managed key".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The change.
    pub experiment: Experiment,
}

impl Experiment {
    /// Whether it inserts a step (revoke, disable, schedule deletion, advance the clock,
    /// flip a byte), so it can be placed elsewhere.
    pub fn inserts_a_step(&self) -> bool {
        self.insert_at().is_some()
    }

    /// The scenario step before which it inserts its step.
    pub fn insert_at(&self) -> Option<usize> {
        match self {
            Experiment::RevokeGrant { at }
            | Experiment::DisableKey { at }
            | Experiment::ScheduleKeyDeletion { at }
            | Experiment::AdvanceClock { at, .. }
            | Experiment::FlipByte { at, .. } => Some(*at),
            Experiment::ChangeContext { .. }
            | Experiment::CustomerManagedKey
            | Experiment::EditPolicy { .. } => None,
        }
    }

    /// The same experiment inserting its step before scenario step `at` instead (an
    /// experiment that inserts nothing is returned unchanged).
    pub fn placed_before(&self, at: usize) -> Experiment {
        match self.clone() {
            Experiment::RevokeGrant { .. } => Experiment::RevokeGrant { at },
            Experiment::DisableKey { .. } => Experiment::DisableKey { at },
            Experiment::ScheduleKeyDeletion { .. } => Experiment::ScheduleKeyDeletion { at },
            Experiment::AdvanceClock { seconds, .. } => Experiment::AdvanceClock { at, seconds },
            Experiment::FlipByte { target, .. } => Experiment::FlipByte { at, target },
            other => other,
        }
    }

    /// What it does, in a few words that fit a title: "disable the key".
    pub fn what(&self) -> String {
        match self {
            Experiment::RevokeGrant { .. } => "revoke the grant".to_owned(),
            Experiment::DisableKey { .. } => "disable the key".to_owned(),
            Experiment::ScheduleKeyDeletion { .. } => "schedule the key's deletion".to_owned(),
            Experiment::AdvanceClock { seconds, .. } => format!("advance the clock {seconds} s"),
            Experiment::ChangeContext {
                key,
                value: Some(_),
                ..
            } => format!("change \"{key}\" in a Decrypt's encryption context"),
            Experiment::ChangeContext {
                key, value: None, ..
            } => {
                format!("drop \"{key}\" from a Decrypt's encryption context")
            }
            Experiment::FlipByte { .. } => "flip one bit of stored data".to_owned(),
            Experiment::CustomerManagedKey => "use a customer managed key".to_owned(),
            Experiment::EditPolicy { .. } => "edit the key policy".to_owned(),
        }
    }
}

/// What an experiment changes, in words for a title and for the first difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSummary {
    /// What it does: "Disable the key".
    pub what: String,
    /// What it changes first to be possible at all, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
}

/// What `e` changes in `source`: AWS managed keys can be neither disabled, scheduled for
/// deletion nor given another policy (AWS KMS developer guide, *AWS managed keys*), so
/// those experiments on a WorkMail or SES flow that uses one first switch it to a new
/// customer managed key, and say so.
pub fn change_summary(source: &Value, e: &Experiment) -> ChangeSummary {
    let mut what = e.what();
    if let Some(first) = what.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let managed = matches!(
        key_source(source),
        Some(KeySource::WorkMail { managed: true, .. } | KeySource::Ses { managed: true, .. })
    );
    let first = match e {
        Experiment::DisableKey { .. } | Experiment::ScheduleKeyDeletion { .. } if managed => {
            Some("AWS managed keys cannot be disabled or deleted, so the flow first switches to a new customer managed key (created at the start)".to_owned())
        }
        Experiment::EditPolicy { .. } if managed => Some("An AWS managed key's policy cannot be changed, so the flow first switches to a new customer managed key (created at the start)".to_owned()),
        _ => None,
    };
    ChangeSummary { what, first }
}
fn steps(v: &Value) -> &[Value] {
    v.get("steps")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn call_of(step: &Value) -> &str {
    step.get("call").and_then(Value::as_str).unwrap_or_default()
}

fn position(v: &Value, call: &str) -> Option<usize> {
    steps(v).iter().position(|s| call_of(s) == call)
}

fn last_position(v: &Value, call: &str) -> Option<usize> {
    steps(v).iter().rposition(|s| call_of(s) == call)
}

/// The id of step `i`, giving it `fallback` if it has none.
fn ensure_id(v: &mut Value, i: usize, fallback: &str) -> Result<String, ScenarioError> {
    let step = v
        .get_mut("steps")
        .and_then(Value::as_array_mut)
        .and_then(|s| s.get_mut(i))
        .ok_or_else(|| err(format!("steps[{i}]"), "no such step"))?;
    if let Some(id) = step.get("id").and_then(Value::as_str) {
        return Ok(id.to_owned());
    }
    let obj = step
        .as_object_mut()
        .ok_or_else(|| err(format!("steps[{i}]"), "not an object"))?;
    obj.insert("id".to_owned(), json!(fallback));
    Ok(fallback.to_owned())
}

fn insert(v: &mut Value, at: usize, step: Value) -> Result<(), ScenarioError> {
    let list = v
        .get_mut("steps")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| err("steps", "the scenario has no steps array"))?;
    list.insert(at.min(list.len()), step);
    Ok(())
}

/// Where the scenario's KMS key comes from.
enum KeySource {
    /// A WorkMail organization (step index); `managed` if it uses aws/workmail.
    WorkMail { step: usize, managed: bool },
    /// An SES receipt rule (step index); `managed` if it names aws/ses.
    Ses { step: usize, managed: bool },
    /// A kms:CreateKey step.
    CreateKey { step: usize },
}

fn key_source(v: &Value) -> Option<KeySource> {
    if let Some(i) = position(v, "workmail:CreateOrganization") {
        let managed = steps(v)
            .get(i)
            .and_then(|s| s.pointer("/request/KmsKeyArn"))
            .is_none();
        return Some(KeySource::WorkMail { step: i, managed });
    }
    if let Some(i) = position(v, "ses:CreateReceiptRule") {
        let key = steps(v)
            .get(i)
            .and_then(|s| s.pointer("/request/Rule/Actions/0/S3Action/KmsKeyArn"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Some(KeySource::Ses {
            step: i,
            managed: key.ends_with("alias/aws/ses"),
        });
    }
    position(v, "kms:CreateKey").map(|step| KeySource::CreateKey { step })
}

/// A `${...}` reference to the scenario's key ARN (making ids as needed).
fn key_ref(v: &mut Value) -> Result<String, ScenarioError> {
    match key_source(v) {
        Some(KeySource::WorkMail { step, .. }) => {
            Ok(format!("${{{}.KmsKeyArn}}", ensure_id(v, step, "org")?))
        }
        Some(KeySource::Ses { step, .. }) => steps(v)
            .get(step)
            .and_then(|s| s.pointer("/request/Rule/Actions/0/S3Action/KmsKeyArn"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                err(
                    format!("steps[{step}].request.Rule"),
                    "the receipt rule names no KMS key",
                )
            }),
        Some(KeySource::CreateKey { step }) => Ok(format!(
            "${{{}.KeyMetadata.Arn}}",
            ensure_id(v, step, "key")?
        )),
        None => Err(err(
            "steps",
            "this scenario creates no KMS key, WorkMail organization or SES rule to experiment on",
        )),
    }
}

/// The default key policy plus, for SES, the statement SES needs (the SES developer guide's).
fn cmk_policy(v: &Value) -> Value {
    let account = v
        .get("account")
        .and_then(Value::as_str)
        .unwrap_or("111122223333");
    let mut statements = vec![presets::root_statement(account)];
    if matches!(key_source(v), Some(KeySource::Ses { .. })) {
        statements.push(presets::ses_statement(account));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Switches a WorkMail or SES scenario on an AWS managed key to a new customer managed
/// key (created by the account root, first). Returns whether anything changed.
fn use_customer_managed_key(v: &mut Value) -> Result<bool, ScenarioError> {
    let (step, pointer) = match key_source(v) {
        Some(KeySource::WorkMail {
            step,
            managed: true,
        }) => (step, "/request/KmsKeyArn"),
        Some(KeySource::Ses {
            step,
            managed: true,
        }) => (step, "/request/Rule/Actions/0/S3Action/KmsKeyArn"),
        _ => return Ok(false),
    };
    let policy = cmk_policy(v);
    let list = v
        .get_mut("steps")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| err("steps", "no steps"))?;
    let target = list
        .get_mut(step)
        .ok_or_else(|| err(format!("steps[{step}]"), "no such step"))?;
    set_pointer(target, pointer, json!("${exp-key.KeyMetadata.Arn}"))?;
    list.insert(0, json!({"id": "exp-key", "call": "kms:CreateKey", "request": {"Description": "Customer managed key (experiment)", "Policy": policy}}));
    Ok(true)
}

fn set_pointer(v: &mut Value, pointer: &str, value: Value) -> Result<(), ScenarioError> {
    let mut cur = v;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, p) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        cur = match cur {
            Value::Object(o) => {
                if last {
                    o.insert((*p).to_owned(), value);
                    return Ok(());
                }
                o.entry((*p).to_owned())
                    .or_insert_with(|| Value::Object(Map::new()))
            }
            Value::Array(a) => {
                let idx: usize = p.parse().map_err(|_| err(pointer, "not an array index"))?;
                let slot = a
                    .get_mut(idx)
                    .ok_or_else(|| err(pointer, "no such element"))?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            _ => return Err(err(pointer, "cannot set a field here")),
        };
    }
    Ok(())
}

/// The scenario `source` with experiment `e` applied.
pub fn apply(source: &Value, e: &Experiment) -> Result<Value, ScenarioError> {
    let mut v = source.clone();
    if let Some(title) = v.get("title").and_then(Value::as_str) {
        let summary = change_summary(source, e);
        let on = if summary.first.is_some() {
            ", on a new customer managed key"
        } else {
            ""
        };
        let t = format!("{title} (experiment: {}{on})", e.what());
        v["title"] = json!(t);
    }
    match e {
        Experiment::RevokeGrant { at } => {
            let (key, grant) = match (key_source(&v), last_position(&v, "kms:CreateGrant")) {
                (Some(KeySource::WorkMail { step, .. }), _) => {
                    let id = ensure_id(&mut v, step, "org")?;
                    (format!("${{{id}.KmsKeyArn}}"), format!("${{{id}.GrantId}}"))
                }
                (_, Some(g)) => {
                    let id = ensure_id(&mut v, g, "grant")?;
                    let key = steps(&v)
                        .get(g)
                        .and_then(|s| s.pointer("/request/KeyId"))
                        .cloned()
                        .unwrap_or(Value::Null);
                    (
                        key.as_str().unwrap_or_default().to_owned(),
                        format!("${{{id}.GrantId}}"),
                    )
                }
                _ => return Err(err("steps", "this scenario creates no grant to revoke")),
            };
            insert(
                &mut v,
                *at,
                json!({"call": "kms:RevokeGrant", "request": {"KeyId": key, "GrantId": grant}}),
            )?;
        }
        Experiment::DisableKey { at } | Experiment::ScheduleKeyDeletion { at } => {
            let shift = usize::from(use_customer_managed_key(&mut v)?);
            let key = key_ref(&mut v)?;
            let step = if matches!(e, Experiment::DisableKey { .. }) {
                json!({"call": "kms:DisableKey", "request": {"KeyId": key}})
            } else {
                json!({"call": "kms:ScheduleKeyDeletion", "request": {"KeyId": key, "PendingWindowInDays": 7}})
            };
            insert(&mut v, at + shift, step)?;
        }
        Experiment::AdvanceClock { at, seconds } => insert(
            &mut v,
            *at,
            json!({"call": "clock:Advance", "request": {"Seconds": seconds}}),
        )?,
        Experiment::ChangeContext { step, key, value } => {
            let path = format!("steps[{step}].request.EncryptionContext");
            let s = v
                .get_mut("steps")
                .and_then(Value::as_array_mut)
                .and_then(|l| l.get_mut(*step))
                .ok_or_else(|| err(format!("steps[{step}]"), "no such step"))?;
            let ctx = s
                .pointer_mut("/request/EncryptionContext")
                .and_then(Value::as_object_mut)
                .ok_or_else(|| err(&path, "this step has no encryption context to change"))?;
            match value {
                Some(val) => {
                    ctx.insert(key.clone(), json!(val));
                }
                None => {
                    ctx.remove(key);
                }
            }
            if let Some(o) = s.as_object_mut() {
                o.remove("expect");
            }
        }
        Experiment::FlipByte { at, target } => {
            let request = match target.strip_prefix("Response:") {
                Some(r) => json!({"Response": r, "Offset": 40}),
                None => json!({"Artifact": target, "Offset": 40}),
            };
            insert(
                &mut v,
                *at,
                json!({"call": "tamper:FlipByte", "request": request}),
            )?;
        }
        Experiment::CustomerManagedKey => {
            if !use_customer_managed_key(&mut v)? {
                return Err(err(
                    "steps",
                    "this scenario already uses a customer managed key (or no AWS managed key)",
                ));
            }
        }
        Experiment::EditPolicy { policy } => {
            let parsed: Value = serde_json::from_str(policy)
                .map_err(|e| err("policy", format!("not valid JSON: {e}")))?;
            use_customer_managed_key(&mut v)?;
            let step = match key_source(&v) {
                Some(KeySource::CreateKey { step }) => step,
                _ => position(&v, "kms:CreateKey").ok_or_else(|| err("steps", "this scenario creates no customer managed key whose policy could be edited"))?,
            };
            let s = v
                .get_mut("steps")
                .and_then(Value::as_array_mut)
                .and_then(|l| l.get_mut(step))
                .ok_or_else(|| err("steps", "no such step"))?;
            set_pointer(s, "/request/Policy", parsed)?;
        }
    }
    keep_expectations_before_the_change(source, &mut v);
    Ok(v)
}

/// The change alters outcomes, so the original's expectations no longer apply from the
/// first changed step on; but the steps before it run exactly as before (same seed, same
/// world), and a step that fails as expected there must keep its `expect`, or the run
/// would stop before reaching the change. Ids added to refer to a step do not change it.
fn keep_expectations_before_the_change(source: &Value, changed: &mut Value) {
    let behaviour = |step: &Value| {
        let mut step = step.clone();
        if let Some(o) = step.as_object_mut() {
            o.remove("expect");
            o.remove("id");
        }
        step
    };
    let before = steps(source).to_vec();
    let Some(after) = changed.get_mut("steps").and_then(Value::as_array_mut) else {
        return;
    };
    let unchanged = before
        .iter()
        .zip(after.iter())
        .take_while(|(old, new)| behaviour(old) == behaviour(new))
        .count();
    for step in after
        .iter_mut()
        .skip(unchanged)
        .filter_map(Value::as_object_mut)
    {
        step.remove("expect");
    }
}

/// Whether a grantee of the scenario's last CreateGrant calls KMS after it (so revoking
/// the grant changes something).
fn grantee_acts_after_grant(source: &Value) -> bool {
    let Some(g) = last_position(source, "kms:CreateGrant") else {
        return false;
    };
    let grantee = steps(source)
        .get(g)
        .and_then(|s| s.pointer("/request/GranteePrincipal"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let principal_of = |name: &str| {
        source
            .pointer(&format!("/principals/{name}/arn"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    steps(source).iter().skip(g + 1).any(|s| {
        let actor = match s.get("as") {
            Some(Value::String(name)) => principal_of(name),
            Some(Value::Object(o)) => o
                .get("principal")
                .and_then(Value::as_str)
                .and_then(principal_of)
                .or_else(|| o.get("service").and_then(Value::as_str).map(str::to_owned)),
            _ => None,
        };
        call_of(s).starts_with("kms:") && actor.as_deref() == Some(grantee)
    })
}

/// The experiments that make sense for a scenario, with default positions; labels name
/// scenario steps by their 1-based position.
pub fn experiments_for(source: &Value) -> Vec<ExperimentOption> {
    offered(source, &|i| i + 1)
}

/// [`experiments_for`], with labels that name steps by the number a run of the scenario
/// shows them with (the first step of the run each scenario step produced), so the page
/// has one step numbering.
pub fn experiments_for_run(source: &Value, run: &[Step]) -> Vec<ExperimentOption> {
    offered(source, &|i| {
        run.iter()
            .position(|s| s.action == i)
            .map_or(i + 1, |first| first + 1)
    })
}

fn offered(source: &Value, number: &dyn Fn(usize) -> usize) -> Vec<ExperimentOption> {
    let mut out = Vec::new();
    let n = steps(source).len();
    let opt = |label: &str, description: &str, experiment: Experiment| {
        let note = change_summary(source, &experiment).first;
        ExperimentOption {
            label: label.to_owned(),
            description: description.to_owned(),
            note,
            experiment,
        }
    };
    let source_kind = key_source(source);
    let before_last = |call: &str| last_position(source, call).unwrap_or(n.saturating_sub(1));
    match &source_kind {
        Some(KeySource::WorkMail { managed, .. }) => {
            let read = before_last("workmail:ReadMessage");
            // (Not when the scenario revokes it itself.)
            if position(source, "kms:RevokeGrant").is_none() {
                out.push(opt("Revoke WorkMail's grant", "The account root revokes the grant WorkMail received when the organization was created. Reads keep working while a client's cached mailbox key lives; the next KMS Decrypt is denied.", Experiment::RevokeGrant { at: read }));
            }
            out.push(opt("Disable the key", "The organization's KMS key is disabled: every KMS call WorkMail makes with it now fails with DisabledException.", Experiment::DisableKey { at: read }));
            out.push(opt("Schedule the key's deletion", "The key is scheduled for deletion in 7 days: it can no longer be used (KMSInvalidStateException), and after 7 days every mailbox is lost.", Experiment::ScheduleKeyDeletion { at: read }));
            out.push(opt("Advance the clock 61 s", "One minute passes: cached plaintext mailbox keys are erased, so the next access calls KMS Decrypt again.", Experiment::AdvanceClock { at: read, seconds: 61 }));
            if let Some(email) = steps(source)
                .iter()
                .find(|s| call_of(s) == "workmail:RegisterToWorkMail")
                .and_then(|s| s.pointer("/request/Email"))
                .and_then(Value::as_str)
            {
                out.push(opt("Flip a byte of the stored mailbox key", "One bit of the encrypted mailbox key in the mailbox metadata is flipped. KMS Decrypt rejects it (InvalidCiphertextException): the AES-GCM tag no longer verifies.", Experiment::FlipByte { at: read, target: format!("mailbox-key-ct:{}", email.to_ascii_lowercase()) }));
            }
            // The message that the last read reads (its MessageId reference).
            if let Some(m) = steps(source)
                .get(read)
                .and_then(|s| s.pointer("/request/MessageId"))
                .and_then(Value::as_str)
                .filter(|m| m.starts_with("${"))
            {
                out.push(opt("Flip a byte of the stored message", "One bit of the encrypted message is flipped on disk. Reading it fails: the message key still decrypts, but the message's authentication tag does not verify.", Experiment::FlipByte { at: read, target: format!("message-ct:{m}") }));
            }
            if *managed {
                out.push(opt("Use a customer managed key", "The organization is created with a new customer managed key (standard setup) instead of aws/workmail; the flow is the same, and the key can now be disabled or its policy edited.", Experiment::CustomerManagedKey));
            }
        }
        Some(KeySource::Ses { managed, .. }) => {
            let at = before_last("ses:ReceiveEmail");
            out.push(opt("Disable the key", "The rule's KMS key is disabled before the mail arrives: SES's GenerateDataKey fails, so the S3 action fails and the mail is not stored.", Experiment::DisableKey { at }));
            out.push(opt("Schedule the key's deletion", "The rule's key is pending deletion: SES cannot get a data key (KMSInvalidStateException).", Experiment::ScheduleKeyDeletion { at }));
            if let (Some(r), Some(rule)) = (
                steps(source)
                    .iter()
                    .find(|s| call_of(s) == "ses:ReceiveEmail")
                    .and_then(|s| s.get("id"))
                    .and_then(Value::as_str),
                steps(source)
                    .iter()
                    .find(|s| call_of(s) == "ses:CreateReceiptRule"),
            ) {
                let bucket = rule
                    .pointer("/request/Rule/Actions/0/S3Action/BucketName")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let prefix = rule
                    .pointer("/request/Rule/Actions/0/S3Action/ObjectKeyPrefix")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if let Some(get) = last_position(source, "s3ec:GetObject") {
                    out.push(opt("Flip a byte of the stored email", "One bit of the S3 object's body is flipped. The owner's data key still decrypts, but the AES-GCM tag of the email does not verify.", Experiment::FlipByte { at: get, target: format!("s3:{bucket}/{prefix}${{{r}.MessageId}}") }));
                    out.push(opt("Flip a byte of the encrypted data key", "One bit of x-amz-key-v2 is flipped. KMS Decrypt rejects the data key (InvalidCiphertextException).", Experiment::FlipByte { at: get, target: format!("s3-key:{bucket}/{prefix}${{{r}.MessageId}}") }));
                }
            }
            if *managed {
                out.push(opt("Use a customer managed key", "The rule uses a new customer managed key whose policy has the SES statement, instead of aws/ses.", Experiment::CustomerManagedKey));
            }
        }
        Some(KeySource::CreateKey { .. }) => {
            // Before the last Decrypt expected to succeed, where a change shows.
            let expects_ok = |st: &Value| {
                st.get("expect")
                    .is_none_or(|e| e == "ok" || e.get("ok").is_some())
            };
            let at = steps(source)
                .iter()
                .rposition(|st| call_of(st) == "kms:Decrypt" && expects_ok(st))
                .unwrap_or_else(|| before_last("kms:Decrypt"));
            out.push(opt(
                "Disable the key",
                "The key is disabled: cryptographic operations fail with DisabledException.",
                Experiment::DisableKey { at },
            ));
            out.push(opt(
                "Schedule the key's deletion",
                "The key is pending deletion: operations fail with KMSInvalidStateException.",
                Experiment::ScheduleKeyDeletion { at },
            ));
            if grantee_acts_after_grant(source) {
                out.push(opt(
                    "Revoke the grant",
                    "The grant is revoked: its grantee loses the permission it gave.",
                    Experiment::RevokeGrant { at },
                ));
            }
            for (i, s) in steps(source).iter().enumerate() {
                if call_of(s) == "kms:Decrypt" {
                    if let Some((k, val)) = s
                        .pointer("/request/EncryptionContext")
                        .and_then(Value::as_object)
                        .and_then(|c| c.iter().next())
                    {
                        let changed = format!("{}-changed", val.as_str().unwrap_or_default());
                        out.push(opt(&format!("Change \"{k}\" in step {}'s context", number(i)), "Decrypt gets a different encryption context than the ciphertext was sealed with: InvalidCiphertextException.", Experiment::ChangeContext { step: i, key: k.clone(), value: Some(changed) }));
                        out.push(opt(&format!("Drop \"{k}\" from step {}'s context", number(i)), "Decrypt gets one pair fewer than the ciphertext was sealed with: InvalidCiphertextException.", Experiment::ChangeContext { step: i, key: k.clone(), value: None }));
                        if let Some(blob) = s
                            .pointer("/request/CiphertextBlob")
                            .and_then(Value::as_str)
                            .and_then(|b| b.strip_prefix("${"))
                            .and_then(|b| b.strip_suffix('}'))
                        {
                            out.push(opt(&format!("Flip a byte of step {}'s ciphertext", number(i)), "One bit of the ciphertext blob is flipped before Decrypt: InvalidCiphertextException.", Experiment::FlipByte { at: i, target: format!("Response:{blob}") }));
                        }
                        break;
                    }
                }
            }
        }
        None => {}
    }
    if source_kind.is_some() {
        out.push(opt("Edit the key policy", "Replace the key's policy (presets: the WorkMail managed key policy, the SES statement, Amazon Location, CloudTrail) and watch every decision change.", Experiment::EditPolicy { policy: String::new() }));
    }
    out
}

/// Key policy presets from the AWS documentation (the seeds), for `account` and `region`.
pub fn policy_presets(region: &str, account: &str) -> Vec<(String, String)> {
    vec![
        (
            "Default key policy".to_owned(),
            crate::kms::default_key_policy(account),
        ),
        (
            "WorkMail managed key (auto-workmail-1)".to_owned(),
            crate::kms::managed_key_policy("workmail", region, account).unwrap_or_default(),
        ),
        (
            "SES receiving".to_owned(),
            presets::policy_with(account, vec![presets::ses_statement(account)]),
        ),
        (
            "Amazon Location (least privilege)".to_owned(),
            presets::policy_with(
                account,
                vec![presets::location_statement(
                    "us-west-2",
                    account,
                    &format!("arn:aws:iam::{account}:role/LocationTeam"),
                    "SAMPLE-Tracker",
                )],
            ),
        ),
        (
            "CloudTrail (confused-deputy defence)".to_owned(),
            presets::policy_with(
                account,
                vec![presets::cloudtrail_statement(
                    "us-west-2",
                    account,
                    "finance",
                )],
            ),
        ),
    ]
}

/// The label of an experiment on `source`: the offered one equal to it, else the offered
/// one of the same kind, else what it does (an experiment from a link need not be one the
/// page offers).
pub fn label_for(source: &Value, e: &Experiment) -> String {
    let offered = experiments_for(source);
    let same_kind =
        |o: &&ExperimentOption| std::mem::discriminant(&o.experiment) == std::mem::discriminant(e);
    offered
        .iter()
        .find(|o| &o.experiment == e)
        .or_else(|| offered.iter().find(same_kind))
        .map(|o| o.label.clone())
        .unwrap_or_else(|| change_summary(source, e).what)
}

/// The key policy the "Edit the key policy" experiment opens with: the scenario's own
/// (its `kms:CreateKey` step's `Policy`), else the preset for the service it uses
/// (the WorkMail managed key's policy, the SES statement), else the default key policy.
pub fn initial_policy(source: &Value, region: &str, account: &str) -> String {
    let created = steps(source)
        .iter()
        .find(|s| call_of(s) == "kms:CreateKey")
        .and_then(|s| s.pointer("/request/Policy"));
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    match created {
        Some(Value::String(text)) => {
            return serde_json::from_str::<Value>(text)
                .map(|v| pretty(&v))
                .unwrap_or_else(|_| text.clone())
        }
        Some(v) if v.is_object() => return pretty(v),
        _ => {}
    }
    let uses = |service: &str| {
        steps(source)
            .iter()
            .any(|s| call_of(s).starts_with(service))
    };
    let index = if uses("workmail:") {
        1
    } else if uses("ses:") {
        2
    } else {
        0
    };
    policy_presets(region, account)
        .into_iter()
        .nth(index)
        .map(|(_, text)| text)
        .unwrap_or_default()
}

/// A key policy's JSON and grammar, checked before anything runs, with the path of the
/// first problem (`line L column C` for JSON).
pub fn check_policy(text: &str) -> Result<(), ScenarioError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        err(
            format!("line {} column {}", e.line(), e.column()),
            format!("not valid JSON: {e}"),
        )
    })?;
    crate::authz::parse_policy(&value, crate::authz::PolicyKind::Resource)
        .map(|_| ())
        .map_err(|e| err(e.path, e.message))
}

/// The first failing step of an experiment's run at or after `from` (where it first
/// differs from the unmodified run): what the experiment broke.
pub fn first_failure(run: &[Step], from: usize) -> Option<&Step> {
    run.iter().skip(from).find(|s| s.failed())
}

/// The first trace step at which two runs differ (call, title or error), if any.
pub fn first_difference(a: &[crate::trace::Step], b: &[crate::trace::Step]) -> Option<usize> {
    let key = |s: &crate::trace::Step| {
        (
            s.call,
            s.title.clone(),
            s.error.as_ref().map(|e| e.code.clone()),
        )
    };
    (0..a.len().max(b.len())).find(|&i| a.get(i).map(key) != b.get(i).map(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{builtin, builtins, run, Scenario};

    fn source(name: &str) -> Value {
        serde_json::from_str(builtin(name).unwrap().source).unwrap()
    }

    fn run_exp(
        name: &str,
        e: &Experiment,
    ) -> (crate::scenario::RunResult, crate::scenario::RunResult) {
        let src = source(name);
        let base = run(&Scenario::from_value(&src).unwrap(), None);
        let changed = apply(&src, e).unwrap();
        let exp = run(
            &Scenario::from_value(&changed).unwrap_or_else(|e| panic!("{e}")),
            None,
        );
        (base, exp)
    }

    fn errors(r: &crate::scenario::RunResult) -> Vec<String> {
        r.trace
            .steps
            .iter()
            .filter_map(|s| s.error.as_ref().map(|e| e.code.clone()))
            .collect()
    }

    #[test]
    fn every_offered_experiment_applies_and_runs() {
        for b in builtins() {
            if b.name.contains("legacy") || b.name.contains("asymmetric") {
                continue; // RSA key generation: slow in debug builds, covered elsewhere
            }
            let src = source(b.name);
            for o in experiments_for(&src) {
                let e = match &o.experiment {
                    Experiment::EditPolicy { .. } => Experiment::EditPolicy {
                        policy: crate::kms::default_key_policy("111122223333"),
                    },
                    other => other.clone(),
                };
                let changed =
                    apply(&src, &e).unwrap_or_else(|err| panic!("{} / {}: {err}", b.name, o.label));
                let s = Scenario::from_value(&changed)
                    .unwrap_or_else(|err| panic!("{} / {}: {err}", b.name, o.label));
                let r = run(&s, None);
                // Breaking experiments must break something the original did not.
                let breaks = matches!(
                    e,
                    Experiment::RevokeGrant { .. }
                        | Experiment::DisableKey { .. }
                        | Experiment::ScheduleKeyDeletion { .. }
                        | Experiment::FlipByte { .. }
                        | Experiment::ChangeContext { .. }
                );
                let base = run(&Scenario::from_value(&src).unwrap(), None);
                // (In a scenario that already fails there, an earlier failure — a revoked
                // grant, a cache hit — may rightly hide the change.)
                if breaks && errors(&base).is_empty() {
                    assert!(
                        errors(&r).len() > errors(&base).len(),
                        "{} / {} changes nothing: {:?}",
                        b.name,
                        o.label,
                        errors(&r)
                    );
                }
            }
        }
    }

    #[test]
    fn revoking_workmails_grant_denies_the_last_read() {
        let at = last_position(&source("workmail-basics"), "workmail:ReadMessage").unwrap();
        let (base, exp) = run_exp("workmail-basics", &Experiment::RevokeGrant { at });
        assert!(errors(&base).is_empty());
        assert!(errors(&exp).contains(&"AccessDeniedException".to_owned()));
        let d = first_difference(&base.trace.steps, &exp.trace.steps).unwrap();
        assert_eq!(
            exp.trace.steps[d].call.map(|c| c.to_string()).as_deref(),
            Some("kms:RevokeGrant")
        );
    }

    #[test]
    fn disabling_the_managed_workmail_key_switches_to_a_customer_managed_key() {
        let at = last_position(&source("workmail-basics"), "workmail:ReadMessage").unwrap();
        let (_, exp) = run_exp("workmail-basics", &Experiment::DisableKey { at });
        assert!(
            errors(&exp).contains(&"DisabledException".to_owned()),
            "{:?}",
            errors(&exp)
        );
        assert!(exp.trace.steps[0].call.map(|c| c.to_string()).as_deref() == Some("kms:CreateKey"));
    }

    #[test]
    fn flipping_the_stored_mailbox_key_is_rejected_by_kms() {
        let src = source("workmail-basics");
        let at = last_position(&src, "workmail:ReadMessage").unwrap();
        let (_, exp) = run_exp(
            "workmail-basics",
            &Experiment::FlipByte {
                at,
                target: "mailbox-key-ct:alice@example.com".into(),
            },
        );
        let bad = exp
            .trace
            .steps
            .iter()
            .find(|s| {
                s.error
                    .as_ref()
                    .is_some_and(|e| e.code == "InvalidCiphertextException")
            })
            .unwrap();
        assert!(
            bad.explanation
                .as_deref()
                .unwrap_or_default()
                .contains("modified"),
            "{:?}",
            bad.explanation
        );
    }

    #[test]
    fn changing_or_dropping_a_context_pair_fails_decrypt() {
        let src = source("encryption-context");
        let step = 2;
        for value in [Some("green".to_owned()), None] {
            let changed = apply(
                &src,
                &Experiment::ChangeContext {
                    step,
                    key: "tenant".into(),
                    value,
                },
            )
            .unwrap();
            let r = run(&Scenario::from_value(&changed).unwrap(), None);
            assert_eq!(
                r.steps[step].error.as_ref().unwrap().code,
                "InvalidCiphertextException"
            );
        }
        let flipped = apply(
            &src,
            &Experiment::FlipByte {
                at: 2,
                target: "Response:enc.CiphertextBlob".into(),
            },
        )
        .unwrap();
        let r = run(&Scenario::from_value(&flipped).unwrap(), None);
        assert_eq!(
            r.steps[3].error.as_ref().unwrap().code,
            "InvalidCiphertextException"
        );
    }

    #[test]
    fn ses_experiments_fail_visibly() {
        let src = source("ses-receive");
        let opts = experiments_for(&src);
        let flip = opts
            .iter()
            .find(|o| o.label == "Flip a byte of the stored email")
            .unwrap();
        let r = run(
            &Scenario::from_value(&apply(&src, &flip.experiment).unwrap()).unwrap(),
            None,
        );
        assert!(
            errors(&r).contains(&"InvalidCiphertext".to_owned()),
            "{:?}",
            errors(&r)
        );
        let disable = opts.iter().find(|o| o.label == "Disable the key").unwrap();
        let r = run(
            &Scenario::from_value(&apply(&src, &disable.experiment).unwrap()).unwrap(),
            None,
        );
        assert!(
            errors(&r).contains(&"DisabledException".to_owned()),
            "{:?}",
            errors(&r)
        );
    }

    #[test]
    fn editing_the_policy_reevaluates_every_decision() {
        let src = source("ses-receive");
        // The SES statement removed: SES's GenerateDataKey is denied.
        let (_, exp) = run_exp(
            "ses-receive",
            &Experiment::EditPolicy {
                policy: crate::kms::default_key_policy("111122223333"),
            },
        );
        assert!(errors(&exp).contains(&"AccessDeniedException".to_owned()));
        assert!(apply(
            &src,
            &Experiment::EditPolicy {
                policy: "{not json".into()
            }
        )
        .is_err());
        assert_eq!(policy_presets("us-east-1", "111122223333").len(), 5);
        for (name, p) in policy_presets("us-east-1", "111122223333") {
            let v: Value = serde_json::from_str(&p).unwrap();
            crate::authz::parse_policy(&v, crate::authz::PolicyKind::Resource)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn inserting_experiments_can_be_placed_elsewhere() {
        let e = Experiment::AdvanceClock { at: 4, seconds: 61 };
        assert!(e.inserts_a_step());
        assert_eq!(e.insert_at(), Some(4));
        assert_eq!(
            e.placed_before(2),
            Experiment::AdvanceClock { at: 2, seconds: 61 }
        );
        let f = Experiment::FlipByte {
            at: 4,
            target: "x".into(),
        };
        assert_eq!(
            f.placed_before(1),
            Experiment::FlipByte {
                at: 1,
                target: "x".into()
            }
        );
        assert!(!Experiment::CustomerManagedKey.inserts_a_step());
        assert_eq!(
            Experiment::CustomerManagedKey.placed_before(3),
            Experiment::CustomerManagedKey
        );
    }

    #[test]
    fn an_experiment_that_switches_the_key_says_so() {
        let src = source("workmail-basics");
        let disable = experiments_for(&src)
            .into_iter()
            .find(|o| o.label == "Disable the key")
            .unwrap();
        assert!(disable
            .note
            .as_deref()
            .unwrap()
            .contains("customer managed key"));
        let summary = change_summary(&src, &disable.experiment);
        assert_eq!(summary.what, "Disable the key");
        assert!(summary.first.is_some());
        let changed = apply(&src, &disable.experiment).unwrap();
        let title = changed["title"].as_str().unwrap();
        assert!(
            title.ends_with("(experiment: disable the key, on a new customer managed key)"),
            "{title}"
        );
        // A customer managed key needs no switch.
        let src = source("encryption-context");
        let e = Experiment::DisableKey { at: 2 };
        assert!(change_summary(&src, &e).first.is_none());
        assert!(apply(&src, &e).unwrap()["title"]
            .as_str()
            .unwrap()
            .ends_with("(experiment: disable the key)"));
    }

    #[test]
    fn labels_number_steps_as_the_run_shows_them() {
        let src = source("workmail-basics");
        let base = run(&Scenario::from_value(&src).unwrap(), None);
        // The same experiments, the same labels where no step is named.
        let by_scenario = experiments_for(&src);
        let by_run = experiments_for_run(&src, &base.trace.steps);
        assert_eq!(by_scenario.len(), by_run.len());
        assert!(by_scenario
            .iter()
            .zip(&by_run)
            .all(|(a, b)| a.experiment == b.experiment));
        // encryption-context names a Decrypt by its step: one trace step per scenario
        // step there, so the numbers agree.
        let src = source("encryption-context");
        let base = run(&Scenario::from_value(&src).unwrap(), None);
        assert_eq!(
            experiments_for(&src),
            experiments_for_run(&src, &base.trace.steps)
        );
        assert_eq!(
            label_for(&src, &Experiment::DisableKey { at: 0 }),
            "Disable the key"
        );
        assert_eq!(
            label_for(&source("ses-receive"), &Experiment::RevokeGrant { at: 0 }),
            "Revoke the grant"
        );
    }

    #[test]
    fn the_policy_editor_opens_with_the_scenarios_policy_or_its_services_preset() {
        let ses = source("ses-receive");
        let p = initial_policy(&ses, "us-east-1", "111122223333");
        assert!(p.contains("ses.amazonaws.com"), "{p}");
        assert!(check_policy(&p).is_ok());
        let wm = initial_policy(&source("workmail-basics"), "us-east-1", "111122223333");
        assert!(wm.contains("kms:ViaService"), "{wm}");
        let err = check_policy("{ \"Version\": ").unwrap_err();
        assert!(err.path.starts_with("line 1"), "{err:?}");
        let err = check_policy(r#"{"Statement": [{"Effect": "Maybe"}]}"#).unwrap_err();
        assert!(
            err.path.contains("Effect") || err.message.contains("Effect"),
            "{err:?}"
        );
    }

    #[test]
    fn experiments_serialize_for_permalinks() {
        let e = Experiment::ChangeContext {
            step: 2,
            key: "tenant".into(),
            value: None,
        };
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(
            text,
            r#"{"kind":"changeContext","step":2,"key":"tenant","value":null}"#
        );
        assert_eq!(serde_json::from_str::<Experiment>(&text).unwrap(), e);
    }
}
