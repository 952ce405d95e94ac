//! Amazon SES receiving: receipt rules whose S3 action encrypts each mail into a bucket.
//!
//! As the AWS KMS developer guide (*How Amazon SES uses AWS KMS*) describes it, for each
//! received message that matches a rule with an S3 action and a KMS key, SES:
//! 1. asks KMS (GenerateDataKey) for a unique data key under the rule's key, with the
//!    encryption context `aws:ses:source-account`, `aws:ses:rule-name`, `aws:ses:message-id`;
//! 2. encrypts the mail with the plaintext data key, and
//! 3. drops the plaintext data key from memory as soon as possible;
//! 4. writes the encrypted mail to the bucket, with the encrypted data key as object
//!    metadata in the Amazon S3 encryption client's envelope (legacy `kms` wrapping, whose
//!    `x-amz-matdesc` — the three pairs plus `kms_cmk_id` — is the encryption context).
//!
//! SES has no permission to decrypt: the bucket owner's own code does that.
//! SES calls KMS as its service principal `ses.amazonaws.com`, with `aws:SourceAccount`
//! and `aws:SourceArn` (the receipt rule) set, so a key policy can defend against the
//! confused deputy.

mod error;
mod shapes;

pub use error::SesError;
pub use shapes::*;

use crate::authz::Caller;
use crate::context::EncryptionContext;
use crate::crypto::{self, NONCE_LEN};
use crate::kms::types::{DataKeySpec, GenerateDataKeyRequest};
use crate::kms::Kms;
use crate::record::{
    ArtifactId as Id, ArtifactKind as K, Call, Location, MaterialAction as A, MaterialEvent as M,
    Recorder, Service, Story,
};
use crate::s3::envelope::{Envelope, KeyWrap};
use crate::s3::{Object, PutObjectRequest, S3};
use crate::wire::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

const ACTOR: &str = "Amazon SES";
/// The SES service principal.
pub const SES_PRINCIPAL: &str = "ses.amazonaws.com";

/// Results of SES operations.
pub type Result<T> = std::result::Result<T, SesError>;

/// `S3Action` of a receipt rule (SES API reference).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct S3Action {
    /// The bucket.
    pub bucket_name: String,
    /// Key prefix for stored mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_key_prefix: Option<String>,
    /// The KMS key (ARN of a key or alias); absent = no encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    /// SNS topic to notify (accepted, not modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_arn: Option<String>,
    /// IAM role SES assumes to write to the bucket (accepted, not modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_role_arn: Option<String>,
}

/// One receipt rule action. Only `S3Action` is modelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ReceiptAction {
    /// Deliver to S3.
    #[serde(rename = "S3Action")]
    pub s3_action: S3Action,
}

/// A receipt rule (SES API reference, `ReceiptRule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ReceiptRule {
    /// Rule name.
    pub name: String,
    /// Whether the rule is active.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Addresses or domains it applies to; empty = all.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Its actions.
    #[serde(default)]
    pub actions: Vec<ReceiptAction>,
    /// Spam and virus scanning (accepted, not modelled).
    #[serde(default)]
    pub scan_enabled: bool,
    /// `Optional` or `Require` (accepted, not modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_policy: Option<String>,
}

fn yes() -> bool {
    true
}

/// Amazon SES receiving for one account and Region.
#[derive(Debug)]
pub struct Ses {
    region: String,
    account: String,
    rule_sets: BTreeMap<String, Vec<ReceiptRule>>,
    active: Option<String>,
}

fn matches_recipient(rule: &ReceiptRule, to: &str) -> bool {
    let to = to.to_ascii_lowercase();
    let domain = to.rsplit('@').next().unwrap_or_default();
    rule.recipients.is_empty()
        || rule.recipients.iter().any(|r| {
            let r = r.to_ascii_lowercase();
            r == to
                || r == domain
                || r.strip_prefix('.')
                    .is_some_and(|d| domain.ends_with(&format!(".{d}")))
        })
}

/// An SES inbound message id: 28 characters of lowercase base32hex, like the
/// `d6iitobk75ur44p8kdnnp7g2n800` of the SES developer guide's example context.
fn inbound_message_id(rng: &mut crate::env::SimRng) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let bytes: [u8; 28] = rng.bytes();
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect()
}

impl Ses {
    /// SES for `account` in `region`.
    pub fn new(region: &str, account: &str) -> Self {
        Ses {
            region: region.to_owned(),
            account: account.to_owned(),
            rule_sets: BTreeMap::new(),
            active: None,
        }
    }

    fn rule_arn(&self, set: &str, rule: &str) -> String {
        format!(
            "arn:aws:ses:{}:{}:receipt-rule-set/{set}:receipt-rule/{rule}",
            self.region, self.account
        )
    }

    /// Performs one SES operation and records it. `shown` is the request as the caller
    /// wrote it, for the trace.
    pub(crate) fn call(
        &mut self,
        rec: &mut Recorder<'_>,
        s3: &mut S3,
        _sender: &Caller,
        request: SesRequest,
        shown: Option<Value>,
    ) -> Result<SesResponse> {
        let operation = request.operation();
        let call = Call::Service(Service::Ses, operation.name());
        let (result, sentence) = match request {
            SesRequest::ReceiveEmail(r) => {
                let result = self.receive(rec, s3, r, shown.clone());
                if let Err(e) = &result {
                    rec.outcome(
                        ACTOR,
                        call,
                        shown,
                        Err::<&(), _>(e),
                        Story::new(operation.name(), ""),
                    );
                }
                return result.map(SesResponse::ReceiveEmail);
            }
            SesRequest::CreateReceiptRuleSet(r) => (
                self.create_rule_set(r)
                    .map(SesResponse::CreateReceiptRuleSet),
                "A receipt rule set now exists (inactive until SetActiveReceiptRuleSet).",
            ),
            SesRequest::SetActiveReceiptRuleSet(r) => (
                self.set_active(r).map(SesResponse::SetActiveReceiptRuleSet),
                "SES now applies this rule set to incoming mail.",
            ),
            SesRequest::CreateReceiptRule(r) => (
                self.create_rule(s3, r).map(SesResponse::CreateReceiptRule),
                "The rule is stored; SES will apply it to matching mail.",
            ),
            SesRequest::DescribeReceiptRule(r) => (
                self.describe_rule(r).map(SesResponse::DescribeReceiptRule),
                "SES answered.",
            ),
        };
        rec.outcome(
            ACTOR,
            call,
            shown,
            result.as_ref(),
            Story::new(operation.name(), sentence),
        );
        result
    }

    fn create_rule_set(&mut self, r: RuleSetRequest) -> Result<Empty> {
        match self.rule_sets.entry(r.rule_set_name) {
            std::collections::btree_map::Entry::Occupied(e) => Err(SesError::AlreadyExists(
                format!("Rule set {} already exists.", e.key()),
            )),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(Vec::new());
                Ok(Empty {})
            }
        }
    }

    fn set_active(&mut self, r: RuleSetRequest) -> Result<Empty> {
        if self.rule_sets.contains_key(&r.rule_set_name) {
            self.active = Some(r.rule_set_name);
            Ok(Empty {})
        } else {
            Err(SesError::RuleSetDoesNotExist(format!(
                "Rule set {} does not exist. Create it with CreateReceiptRuleSet.",
                r.rule_set_name
            )))
        }
    }

    fn describe_rule(&self, d: DescribeRuleRequest) -> Result<DescribeRuleResponse> {
        self.rule_sets
            .get(&d.rule_set_name)
            .and_then(|s| s.iter().find(|r| r.name == d.rule_name))
            .map(|r| DescribeRuleResponse { rule: r.clone() })
            .ok_or_else(|| {
                SesError::RuleDoesNotExist(format!(
                    "Rule {} does not exist in {}.",
                    d.rule_name, d.rule_set_name
                ))
            })
    }

    fn create_rule(&mut self, s3: &S3, r: CreateRuleRequest) -> Result<Empty> {
        let name_ok = !r.rule.name.is_empty()
            && r.rule.name.len() <= 64
            && r.rule
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !name_ok {
            return Err(SesError::InvalidParameterValue(
                "Rule names are 1–64 letters, digits, dots, underscores and hyphens.".to_owned(),
            ));
        }
        let Some(set) = self.rule_sets.get_mut(&r.rule_set_name) else {
            return Err(SesError::RuleSetDoesNotExist(format!(
                "Rule set {} does not exist. Create it with CreateReceiptRuleSet.",
                r.rule_set_name
            )));
        };
        if set.iter().any(|x| x.name == r.rule.name) {
            return Err(SesError::AlreadyExists(format!(
                "Rule {} already exists in {}.",
                r.rule.name, r.rule_set_name
            )));
        }
        for a in &r.rule.actions {
            // SES checks that it can write to the bucket when the rule is created.
            if !s3.has_bucket(&a.s3_action.bucket_name) {
                return Err(SesError::InvalidS3Configuration(format!(
                    "Could not write to bucket: {}. Create the bucket first.",
                    a.s3_action.bucket_name
                )));
            }
        }
        let pos = match &r.after {
            Some(after) => match set.iter().position(|x| &x.name == after) {
                Some(i) => i + 1,
                None => {
                    return Err(SesError::RuleDoesNotExist(format!(
                        "Rule {after} (After) does not exist in {}.",
                        r.rule_set_name
                    )))
                }
            },
            None => 0,
        };
        set.insert(pos, r.rule);
        Ok(Empty {})
    }

    fn receive(
        &mut self,
        rec: &mut Recorder<'_>,
        s3: &mut S3,
        r: ReceiveEmailRequest,
        shown: Option<Value>,
    ) -> Result<ReceiveEmailResponse> {
        let Some(set_name) = self.active.clone() else {
            return Err(SesError::NoActiveRuleSet("No receipt rule set is active, so SES rejects the mail. Create one and call SetActiveReceiptRuleSet.".to_owned()));
        };
        let rules = self.rule_sets.get(&set_name).cloned().unwrap_or_default();
        let Some(rule) = rules
            .iter()
            .find(|x| x.enabled && matches_recipient(x, &r.to))
            .cloned()
        else {
            return Err(SesError::NoMatchingRule(format!(
                "No enabled rule in {set_name} matches {}; SES does not accept the mail.",
                r.to
            )));
        };
        let message_id = inbound_message_id(&mut rec.env.rng);
        let mime = Zeroizing::new(
            format!("From: {}\r\nTo: {}\r\nSubject: {}\r\nMessage-ID: <{message_id}@email.amazonses.com>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n{}", r.from, r.to, r.subject, r.body).into_bytes(),
        );
        let memory = Location::ServiceMemory {
            service: ACTOR.to_owned(),
        };
        let email = Id::Email(message_id.clone());
        let email_label = format!("Email \"{}\"", r.subject);
        rec.note(
            ACTOR,
            None,
            Story::new("Mail arrives", format!("SES receives a {}-byte message for {}; rule {} of the active rule set {set_name} matches it.", mime.len(), r.to, rule.name))
                .with(vec![M::new(email.clone(), K::Message, email_label.clone(), A::Generated, memory.clone(), &mime).preview(r.subject.clone())]),
        );
        let mut stored = Vec::new();
        for action in &rule.actions {
            let a = &action.s3_action;
            let object_key = format!(
                "{}{message_id}",
                a.object_key_prefix.clone().unwrap_or_default()
            );
            let Some(key_arn) = a.kms_key_arn.clone() else {
                s3.put(
                    &a.bucket_name,
                    &object_key,
                    Object {
                        body: mime.to_vec(),
                        metadata: BTreeMap::new(),
                    },
                )?;
                rec.note(
                    ACTOR,
                    Some(Call::Service(Service::S3, crate::s3::Operation::PutObject.name())),
                    Story::new("Store the mail unencrypted", format!("The rule has no KMS key, so SES writes the mail to {}/{object_key} in plaintext.", a.bucket_name)),
                );
                stored.push(StoredObject {
                    bucket: a.bucket_name.clone(),
                    key: object_key,
                });
                continue;
            };
            stored.push(self.store_encrypted(
                rec,
                s3,
                &set_name,
                &rule,
                a,
                &key_arn,
                &object_key,
                &message_id,
                &mime,
            )?);
        }
        let response = ReceiveEmailResponse {
            message_id,
            rule_name: rule.name.clone(),
            stored,
        };
        rec.outcome(
            ACTOR,
            Call::Service(Service::Ses, Operation::ReceiveEmail.name()),
            shown,
            Ok::<_, &SesError>(&response),
            Story::new("Mail handled", "SES has finished with the mail. It kept no key and cannot decrypt what it stored: only a principal allowed to call KMS Decrypt with this context can.")
                .with(vec![M::new(email, K::Message, email_label, A::Erased, memory, &mime)]),
        );
        Ok(response)
    }

    /// One S3 action with a KMS key: GenerateDataKey, encrypt, drop the data key, write the
    /// object in the S3 encryption client's envelope.
    #[allow(clippy::too_many_arguments)]
    fn store_encrypted(
        &self,
        rec: &mut Recorder<'_>,
        s3: &mut S3,
        set_name: &str,
        rule: &ReceiptRule,
        a: &S3Action,
        key_arn: &str,
        object_key: &str,
        message_id: &str,
        mime: &[u8],
    ) -> Result<StoredObject> {
        let memory = Location::ServiceMemory {
            service: ACTOR.to_owned(),
        };
        let matdesc = EncryptionContext::from_pairs([
            ("aws:ses:message-id", message_id),
            ("aws:ses:rule-name", rule.name.as_str()),
            ("aws:ses:source-account", self.account.as_str()),
            ("kms_cmk_id", key_arn),
        ]);
        let ses = Caller::service(SES_PRINCIPAL).on_behalf_of(
            Some(self.account.clone()),
            Some(self.rule_arn(set_name, &rule.name)),
        );
        let generated = rec
            .kms(
                ACTOR,
                &ses,
                Story::new("Get a unique data key from KMS", format!("SES asks KMS for a unique 256-bit data key under {key_arn}, with the encryption context naming the account, the rule and the message (the S3 encryption client's material description).")),
                GenerateDataKeyRequest {
                    key_id: key_arn.to_owned(),
                    key_spec: Some(DataKeySpec::AES_256),
                    encryption_context: Some(matdesc.clone()),
                    ..Default::default()
                },
                Kms::generate_data_key,
            )
            .map_err(|error| SesError::Kms {
                rule: rule.name.clone(),
                error,
            })?;
        let kms_key = Id::kms_key(&generated.key_id);
        let data_key = generated
            .plaintext
            .map(|p| p.0)
            .unwrap_or_else(|| Zeroizing::new(Vec::new()));
        let wrapped = generated.ciphertext_blob.0;
        let id = format!("{}/{object_key}", a.bucket_name);
        let data_key_id = Id::DataKey(id.clone());
        let wrapped_id = Id::EncryptedDataKey(id.clone());
        let object_id = Id::Object(id.clone());
        rec.attach([
            M::new(
                data_key_id.clone(),
                K::DataKey,
                "Data key",
                A::Generated,
                memory.clone(),
                &data_key,
            )
            .under(kms_key.clone(), "AES-256-GCM"),
            M::new(
                wrapped_id.clone(),
                K::WrappedKey,
                "Encrypted data key",
                A::Wrapped,
                memory.clone(),
                &wrapped,
            )
            .under(kms_key.clone(), "AES-256-GCM"),
        ]);
        let key: [u8; 32] = data_key.as_slice().try_into().map_err(|_| {
            SesError::InternalFailure("KMS returned a data key of the wrong length.".to_owned())
        })?;
        let key = Zeroizing::new(key);
        let iv: [u8; NONCE_LEN] = rec.env.rng.bytes();
        let body = crypto::seal(&key, &iv, &[], mime);
        rec.note(
            ACTOR,
            None,
            Story::new("Encrypt the mail, drop the data key", "SES encrypts the mail with the plaintext data key (AES/GCM/NoPadding, 128-bit tag) and drops the plaintext data key from memory at once.").with(vec![
                M::new(object_id.clone(), K::EncryptedMessage, "Encrypted email", A::Wrapped, memory.clone(), &body).under(data_key_id.clone(), "AES-256-GCM"),
                M::new(data_key_id.clone(), K::DataKey, "Data key", A::Erased, memory.clone(), &data_key),
            ]),
        );
        let metadata = Envelope {
            encrypted_key: wrapped.clone(),
            iv,
            material_description: matdesc,
            wrap: KeyWrap::Kms,
            unencrypted_length: mime.len(),
        }
        .to_metadata();
        let put = PutObjectRequest {
            bucket: a.bucket_name.clone(),
            key: object_key.to_owned(),
            body: Bytes(body.clone()),
            metadata: metadata.clone(),
        };
        s3.put(
            &a.bucket_name,
            object_key,
            Object {
                body: body.clone(),
                metadata,
            },
        )?;
        let s3_loc = Location::S3 {
            bucket: a.bucket_name.clone(),
        };
        let put_shown = rec.display(&put);
        rec.outcome(
            ACTOR,
            Call::Service(Service::S3, crate::s3::Operation::PutObject.name()),
            put_shown,
            Ok::<_, &SesError>(&crate::s3::Empty {}),
            Story::new("Write the encrypted mail to S3", format!("SES writes the encrypted mail to {id}, with the encrypted data key and the envelope in the object's metadata (x-amz-key-v2, x-amz-iv, x-amz-matdesc, ...).")).with(vec![
                M::new(object_id.clone(), K::EncryptedMessage, "Encrypted email", A::Stored, s3_loc.clone(), &body).under(data_key_id, "AES-256-GCM"),
                M::new(wrapped_id.clone(), K::WrappedKey, "Encrypted data key (x-amz-key-v2)", A::Stored, s3_loc, &wrapped).under(kms_key, "AES-256-GCM"),
                M::new(object_id, K::EncryptedMessage, "Encrypted email", A::Erased, memory.clone(), &body),
                M::new(wrapped_id, K::WrappedKey, "Encrypted data key", A::Erased, memory, &wrapped),
            ]),
        );
        Ok(StoredObject {
            bucket: a.bucket_name.clone(),
            key: object_key.to_owned(),
        })
    }
}
