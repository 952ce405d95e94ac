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

use crate::caller::Caller;
use crate::crypto::{self, NONCE_LEN};
use crate::s3::encryption_client::CEK_ALG;
use crate::s3::{Object, S3};
use crate::trace::{
    kms_key_artifact, ArtifactKind as K, ErrorBody, Location, MaterialAction as A,
    MaterialEvent as M,
};
use crate::wire::{b64, field_bytes};
use crate::world::{error, parse_request, CallResult, Recorder};

/// The service's error name for a request it cannot read.
const INVALID_PARAMETER: &str = "InvalidParameterValue";
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

const ACTOR: &str = "Amazon SES";
/// The SES service principal.
pub const SES_PRINCIPAL: &str = "ses.amazonaws.com";

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

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RuleSetRequest {
    rule_set_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateRuleRequest {
    rule_set_name: String,
    rule: ReceiptRule,
    #[serde(default)]
    after: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ReceiveRequest {
    from: String,
    to: String,
    subject: String,
    body: String,
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

    /// The operations [`Ses::call`] accepts.
    pub const OPERATIONS: &'static [&'static str] = &[
        "CreateReceiptRuleSet",
        "CreateReceiptRule",
        "SetActiveReceiptRuleSet",
        "DescribeReceiptRule",
        "ReceiveEmail",
    ];

    fn rule_arn(&self, set: &str, rule: &str) -> String {
        format!(
            "arn:aws:ses:{}:{}:receipt-rule-set/{set}:receipt-rule/{rule}",
            self.region, self.account
        )
    }

    pub(crate) fn call(
        &mut self,
        rec: &mut Recorder<'_>,
        s3: &mut S3,
        _sender: &Caller,
        operation: &str,
        request: &Value,
    ) -> CallResult {
        let call = format!("ses:{operation}");
        let result = match operation {
            "CreateReceiptRuleSet" => {
                parse_request::<RuleSetRequest>("InvalidParameterValue", &call, request).and_then(
                    |r| match self.rule_sets.entry(r.rule_set_name) {
                        std::collections::btree_map::Entry::Occupied(e) => Err(error(
                            "AlreadyExistsException",
                            format!("Rule set {} already exists.", e.key()),
                        )),
                        std::collections::btree_map::Entry::Vacant(e) => {
                            e.insert(Vec::new());
                            Ok(json!({}))
                        }
                    },
                )
            }
            "SetActiveReceiptRuleSet" => {
                parse_request::<RuleSetRequest>("InvalidParameterValue", &call, request).and_then(
                    |r| {
                        if self.rule_sets.contains_key(&r.rule_set_name) {
                            self.active = Some(r.rule_set_name);
                            Ok(json!({}))
                        } else {
                            Err(error(
                                "RuleSetDoesNotExistException",
                                format!(
                            "Rule set {} does not exist. Create it with CreateReceiptRuleSet.",
                            r.rule_set_name
                        ),
                            ))
                        }
                    },
                )
            }
            "CreateReceiptRule" => {
                parse_request::<CreateRuleRequest>("InvalidParameterValue", &call, request)
                    .and_then(|r| self.create_rule(s3, r))
            }
            "DescribeReceiptRule" => {
                #[derive(Deserialize)]
                #[serde(rename_all = "PascalCase", deny_unknown_fields)]
                struct D {
                    rule_set_name: String,
                    rule_name: String,
                }
                parse_request::<D>(INVALID_PARAMETER, &call, request).and_then(|d| {
                    self.rule_sets
                        .get(&d.rule_set_name)
                        .and_then(|s| s.iter().find(|r| r.name == d.rule_name))
                        .map(|r| json!({"Rule": r}))
                        .ok_or_else(|| {
                            error(
                                "RuleDoesNotExistException",
                                format!(
                                    "Rule {} does not exist in {}.",
                                    d.rule_name, d.rule_set_name
                                ),
                            )
                        })
                })
            }
            "ReceiveEmail" => {
                let r = parse_request::<ReceiveRequest>("InvalidParameterValue", &call, request)?;
                return self.receive(rec, s3, r, request);
            }
            other => Err(error(
                "UnknownOperationException",
                format!(
                    "ses:{other} is not modelled. Available: {}.",
                    Self::OPERATIONS.join(", ")
                ),
            )),
        };
        let sentence = match operation {
            "CreateReceiptRuleSet" => {
                "A receipt rule set now exists (inactive until SetActiveReceiptRuleSet).".to_owned()
            }
            "SetActiveReceiptRuleSet" => {
                "SES now applies this rule set to incoming mail.".to_owned()
            }
            "CreateReceiptRule" => {
                "The rule is stored; SES will apply it to matching mail.".to_owned()
            }
            _ => "SES answered.".to_owned(),
        };
        rec.outcome(
            ACTOR,
            &call,
            request,
            &result,
            operation,
            sentence,
            Vec::new(),
        );
        result
    }

    fn create_rule(&mut self, s3: &S3, r: CreateRuleRequest) -> CallResult {
        let name_ok = !r.rule.name.is_empty()
            && r.rule.name.len() <= 64
            && r.rule
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !name_ok {
            return Err(error(
                "InvalidParameterValue",
                "Rule names are 1–64 letters, digits, dots, underscores and hyphens.",
            ));
        }
        let Some(set) = self.rule_sets.get_mut(&r.rule_set_name) else {
            return Err(error(
                "RuleSetDoesNotExistException",
                format!(
                    "Rule set {} does not exist. Create it with CreateReceiptRuleSet.",
                    r.rule_set_name
                ),
            ));
        };
        if set.iter().any(|x| x.name == r.rule.name) {
            return Err(error(
                "AlreadyExistsException",
                format!(
                    "Rule {} already exists in {}.",
                    r.rule.name, r.rule_set_name
                ),
            ));
        }
        for a in &r.rule.actions {
            // SES checks that it can write to the bucket when the rule is created.
            if !s3.has_bucket(&a.s3_action.bucket_name) {
                return Err(error(
                    "InvalidS3ConfigurationException",
                    format!(
                        "Could not write to bucket: {}. Create the bucket first.",
                        a.s3_action.bucket_name
                    ),
                ));
            }
        }
        let pos = match &r.after {
            Some(after) => match set.iter().position(|x| &x.name == after) {
                Some(i) => i + 1,
                None => {
                    return Err(error(
                        "RuleDoesNotExistException",
                        format!(
                            "Rule {after} (After) does not exist in {}.",
                            r.rule_set_name
                        ),
                    ))
                }
            },
            None => 0,
        };
        set.insert(pos, r.rule);
        Ok(json!({}))
    }

    fn receive(
        &mut self,
        rec: &mut Recorder<'_>,
        s3: &mut S3,
        r: ReceiveRequest,
        request: &Value,
    ) -> CallResult {
        let call = "ses:ReceiveEmail";
        let fail = |rec: &mut Recorder<'_>, e: ErrorBody| {
            rec.outcome(
                ACTOR,
                call,
                request,
                &Err(e.clone()),
                "ReceiveEmail",
                String::new(),
                Vec::new(),
            );
            Err(e)
        };
        let Some(set_name) = self.active.clone() else {
            return fail(rec, error("NoActiveRuleSet", "No receipt rule set is active, so SES rejects the mail. Create one and call SetActiveReceiptRuleSet."));
        };
        let rules = self.rule_sets.get(&set_name).cloned().unwrap_or_default();
        let Some(rule) = rules
            .iter()
            .find(|x| x.enabled && matches_recipient(x, &r.to))
            .cloned()
        else {
            return fail(
                rec,
                error(
                    "NoMatchingRule",
                    format!(
                        "No enabled rule in {set_name} matches {}; SES does not accept the mail.",
                        r.to
                    ),
                ),
            );
        };
        let message_id = inbound_message_id(&mut rec.env.rng);
        let mime = Zeroizing::new(
            format!("From: {}\r\nTo: {}\r\nSubject: {}\r\nMessage-ID: <{message_id}@email.amazonses.com>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n{}", r.from, r.to, r.subject, r.body).into_bytes(),
        );
        let memory = Location::ServiceMemory {
            service: ACTOR.to_owned(),
        };
        rec.note(
            ACTOR,
            None,
            "Mail arrives",
            format!("SES receives a {}-byte message for {}; rule {} of the active rule set {set_name} matches it.", mime.len(), r.to, rule.name),
            vec![M::new(format!("email:{message_id}"), K::Message, format!("Email \"{}\"", r.subject), A::Generated, memory.clone(), &mime).preview(r.subject.clone())],
        );
        let mut stored = Vec::new();
        for action in &rule.actions {
            let a = &action.s3_action;
            let object_key = format!(
                "{}{message_id}",
                a.object_key_prefix.clone().unwrap_or_default()
            );
            let Some(key_arn) = a.kms_key_arn.clone() else {
                if let Err(e) = s3.put(
                    &a.bucket_name,
                    &object_key,
                    Object {
                        body: mime.to_vec(),
                        metadata: BTreeMap::new(),
                    },
                ) {
                    return fail(rec, e);
                }
                rec.note(ACTOR, Some("s3:PutObject"), "Store the mail unencrypted", format!("The rule has no KMS key, so SES writes the mail to {}/{object_key} in plaintext.", a.bucket_name), Vec::new());
                stored.push(json!({"Bucket": a.bucket_name, "Key": object_key}));
                continue;
            };
            let matdesc: BTreeMap<String, String> = [
                ("aws:ses:message-id".to_owned(), message_id.clone()),
                ("aws:ses:rule-name".to_owned(), rule.name.clone()),
                ("aws:ses:source-account".to_owned(), self.account.clone()),
                ("kms_cmk_id".to_owned(), key_arn.clone()),
            ]
            .into();
            let ses = Caller::service(SES_PRINCIPAL).on_behalf_of(
                Some(self.account.clone()),
                Some(self.rule_arn(&set_name, &rule.name)),
            );
            let c = rec.kms(
                ACTOR,
                &ses,
                "GenerateDataKey",
                json!({"KeyId": key_arn, "KeySpec": "AES_256", "EncryptionContext": matdesc}),
                "Get a unique data key from KMS",
                &format!("SES asks KMS for a unique 256-bit data key under {key_arn}, with the encryption context naming the account, the rule and the message (the S3 encryption client's material description)."),
                Vec::new(),
            );
            let resp = match c.response {
                Ok(v) => v,
                Err(e) => {
                    return fail(rec, error(e.code.name(), format!("The S3 action of rule {} failed, so the mail was not stored: SES's GenerateDataKey was refused: {}", rule.name, e.message)));
                }
            };
            let kms_key = kms_key_artifact(
                resp.get("KeyId")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            );
            let data_key = Zeroizing::new(field_bytes(&resp, "Plaintext"));
            let wrapped = field_bytes(&resp, "CiphertextBlob");
            let id = format!("{}/{object_key}", a.bucket_name);
            rec.attach([
                M::new(
                    format!("data-key:{id}"),
                    K::DataKey,
                    "Data key",
                    A::Generated,
                    memory.clone(),
                    &data_key,
                )
                .under(kms_key.clone(), "AES-256-GCM"),
                M::new(
                    format!("data-key-ct:{id}"),
                    K::WrappedKey,
                    "Encrypted data key",
                    A::Wrapped,
                    memory.clone(),
                    &wrapped,
                )
                .under(kms_key.clone(), "AES-256-GCM"),
            ]);
            let key: [u8; 32] = match data_key.as_slice().try_into() {
                Ok(k) => k,
                Err(_) => {
                    return fail(
                        rec,
                        error(
                            "InternalFailure",
                            "KMS returned a data key of the wrong length.",
                        ),
                    )
                }
            };
            let key = Zeroizing::new(key);
            let iv: [u8; NONCE_LEN] = rec.env.rng.bytes();
            let body = crypto::seal(&key, &iv, &[], &mime);
            rec.note(
                ACTOR,
                None,
                "Encrypt the mail, drop the data key",
                "SES encrypts the mail with the plaintext data key (AES/GCM/NoPadding, 128-bit tag) and drops the plaintext data key from memory at once.".to_owned(),
                vec![
                    M::new(format!("object:{id}"), K::EncryptedMessage, "Encrypted email", A::Wrapped, memory.clone(), &body).under(format!("data-key:{id}"), "AES-256-GCM"),
                    M::new(format!("data-key:{id}"), K::DataKey, "Data key", A::Erased, memory.clone(), &data_key),
                ],
            );
            let metadata: BTreeMap<String, String> = [
                ("x-amz-key-v2", b64(&wrapped)),
                ("x-amz-iv", b64(&iv)),
                ("x-amz-cek-alg", CEK_ALG.to_owned()),
                ("x-amz-wrap-alg", "kms".to_owned()),
                ("x-amz-tag-len", "128".to_owned()),
                ("x-amz-unencrypted-content-length", mime.len().to_string()),
                (
                    "x-amz-matdesc",
                    serde_json::to_string(&matdesc).unwrap_or_default(),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            if let Err(e) = s3.put(
                &a.bucket_name,
                &object_key,
                Object {
                    body: body.clone(),
                    metadata: metadata.clone(),
                },
            ) {
                return fail(rec, e);
            }
            let s3_loc = Location::S3 {
                bucket: a.bucket_name.clone(),
            };
            rec.outcome(
                ACTOR,
                "s3:PutObject",
                &json!({"Bucket": a.bucket_name, "Key": object_key, "Metadata": metadata}),
                &Ok(json!({})),
                "Write the encrypted mail to S3",
                format!("SES writes the encrypted mail to {id}, with the encrypted data key and the envelope in the object's metadata (x-amz-key-v2, x-amz-iv, x-amz-matdesc, ...)."),
                vec![
                    M::new(format!("object:{id}"), K::EncryptedMessage, "Encrypted email", A::Stored, s3_loc.clone(), &body).under(format!("data-key:{id}"), "AES-256-GCM"),
                    M::new(format!("data-key-ct:{id}"), K::WrappedKey, "Encrypted data key (x-amz-key-v2)", A::Stored, s3_loc, &wrapped).under(kms_key, "AES-256-GCM"),
                    M::new(format!("object:{id}"), K::EncryptedMessage, "Encrypted email", A::Erased, memory.clone(), &body),
                    M::new(format!("data-key-ct:{id}"), K::WrappedKey, "Encrypted data key", A::Erased, memory.clone(), &wrapped),
                ],
            );
            stored.push(json!({"Bucket": a.bucket_name, "Key": object_key}));
        }
        let response = json!({"MessageId": message_id, "RuleName": rule.name, "Stored": stored});
        rec.outcome(
            ACTOR,
            call,
            request,
            &Ok(response.clone()),
            "Mail handled",
            "SES has finished with the mail. It kept no key and cannot decrypt what it stored: only a principal allowed to call KMS Decrypt with this context can.".to_owned(),
            vec![M::new(format!("email:{message_id}"), K::Message, format!("Email \"{}\"", r.subject), A::Erased, memory, &mime)],
        );
        Ok(response)
    }
}
