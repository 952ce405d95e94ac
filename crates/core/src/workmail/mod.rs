//! Amazon WorkMail's key hierarchy on the simulated KMS.
//!
//! As the AWS KMS developer guide (*How Amazon WorkMail uses AWS KMS*) describes it:
//! - An organization picks one symmetric KMS key when it is created (the AWS managed
//!   `aws/workmail` key by default); it cannot be changed. Creating the organization calls
//!   CreateGrant on behalf of the creating user (allowed by the key policy through
//!   `kms:ViaService`), giving WorkMail `Encrypt` and `Decrypt` on the key.
//! - Each mailbox has a unique 256-bit AES mailbox key, generated outside KMS and stored
//!   only encrypted (KMS Encrypt under the organization's key) in the mailbox metadata.
//! - Each message has a unique 256-bit AES message key that encrypts the message outside
//!   KMS; the message key is encrypted under the plaintext mailbox key and stored with the
//!   message. Reading decrypts the mailbox key with KMS (or takes it from the client's
//!   one-minute cache), then the message key, then the message.
//! - Every KMS call uses the encryption context `{"aws:workmail:arn": <organization ARN>}`.
//! - Legacy mailboxes use an RSA key pair instead: the public key encrypts each message
//!   key, the private key decrypts it and is itself protected by the organization's KMS key.
//!
//! WorkMail's own storage formats are not documented; the playground encrypts messages and
//! message keys with AES-256-GCM, binding the message id as additional authenticated data,
//! and wraps legacy message keys with RSAES-OAEP-SHA-256.

mod cache;

pub use cache::CACHE_TTL_MS;

use crate::caller::Caller;
use crate::crypto::{self, NONCE_LEN};
use crate::trace::{
    kms_key_artifact, ArtifactKind as K, ErrorBody, Location, MaterialAction as A,
    MaterialEvent as M,
};
use crate::wire::{b64, field_bytes};
use crate::world::{error, parse_request, CallResult, Recorder};

/// The service's error name for a request it cannot read.
const INVALID_PARAMETER: &str = "InvalidParameterException";
use cache::MailboxKeyCache;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

const ACTOR: &str = "Amazon WorkMail";
const AES: &str = "AES-256-GCM";
const RSA_OAEP: &str = "RSAES-OAEP-SHA-256";

/// How a mailbox protects its message keys.
enum MailboxKeys {
    /// The current scheme: a symmetric mailbox key, stored encrypted by KMS.
    Symmetric { encrypted_mailbox_key: Vec<u8> },
    /// The legacy scheme: an RSA key pair; the private key is stored encrypted by KMS.
    Legacy {
        public_key: Box<RsaPublicKey>,
        encrypted_private_key: Vec<u8>,
    },
}

#[derive(Clone)]
struct StoredMessage {
    kind: String,
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
    encrypted_message_key: Vec<u8>,
}

struct Mailbox {
    keys: MailboxKeys,
    messages: BTreeMap<String, StoredMessage>,
}

struct User {
    name: String,
    email: Option<String>,
}

struct Organization {
    alias: String,
    arn: String,
    kms_key_arn: String,
    users: BTreeMap<String, User>,
    mailboxes: BTreeMap<String, Mailbox>,
}

/// Amazon WorkMail in one account and Region.
pub struct WorkMail {
    region: String,
    account: String,
    orgs: BTreeMap<String, Organization>,
    cache: MailboxKeyCache,
}

impl std::fmt::Debug for WorkMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "WorkMail({} organizations, {:?})",
            self.orgs.len(),
            self.cache
        )
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateOrganizationRequest {
    alias: String,
    #[serde(default)]
    kms_key_arn: Option<String>,
    #[serde(default)]
    client_token: Option<String>,
    #[serde(default)]
    directory_id: Option<String>,
    #[serde(default)]
    enable_interoperability: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct OrganizationRequest {
    organization_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateUserRequest {
    organization_id: String,
    name: String,
    display_name: String,
    #[serde(default)]
    password: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RegisterRequest {
    organization_id: String,
    entity_id: String,
    email: String,
    /// Playground extension: create a legacy (RSA key pair) mailbox.
    #[serde(default)]
    legacy: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DeliverRequest {
    organization_id: String,
    mailbox: String,
    subject: String,
    body: String,
    #[serde(default = "default_kind")]
    kind: String,
}

fn default_kind() -> String {
    "mail".to_owned()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct MessageRequest {
    organization_id: String,
    mailbox: String,
    message_id: String,
    #[serde(default = "default_client")]
    client: String,
}

fn default_client() -> String {
    "webmail".to_owned()
}

/// The KMS error, as WorkMail passes it on, with what it means for WorkMail.
fn kms_failure(what: &str, e: &crate::kms::KmsError) -> ErrorBody {
    error(
        e.code.name(),
        format!(
            "WorkMail could not {what}: KMS returned {}: {}",
            e.code, e.message
        ),
    )
}

impl WorkMail {
    /// WorkMail for `account` in `region`.
    pub fn new(region: &str, account: &str) -> Self {
        WorkMail {
            region: region.to_owned(),
            account: account.to_owned(),
            orgs: BTreeMap::new(),
            cache: MailboxKeyCache::default(),
        }
    }

    /// The service endpoint WorkMail calls KMS through, and its service principal name.
    pub fn endpoint(&self) -> String {
        format!("workmail.{}.amazonaws.com", self.region)
    }

    /// The operations [`WorkMail::call`] accepts.
    pub const OPERATIONS: &'static [&'static str] = &[
        "CreateOrganization",
        "DescribeOrganization",
        "CreateUser",
        "RegisterToWorkMail",
        "DeliverMessage",
        "ReadMessage",
        "DeleteMessage",
    ];

    pub(crate) fn call(
        &mut self,
        rec: &mut Recorder<'_>,
        caller: &Caller,
        operation: &str,
        request: &Value,
    ) -> CallResult {
        self.expire_caches(rec);
        let call = format!("workmail:{operation}");
        let result = match operation {
            "CreateOrganization" => self.create_organization(
                rec,
                caller,
                parse_request(INVALID_PARAMETER, operation, request)?,
            ),
            "DescribeOrganization" => self.describe_organization(crate::world::parse_request(
                "InvalidParameterException",
                operation,
                request,
            )?),
            "CreateUser" => {
                self.create_user(rec, parse_request(INVALID_PARAMETER, operation, request)?)
            }
            "RegisterToWorkMail" => {
                self.register(rec, parse_request(INVALID_PARAMETER, operation, request)?)
            }
            "DeliverMessage" => {
                self.deliver(rec, parse_request(INVALID_PARAMETER, operation, request)?)
            }
            "ReadMessage" => self.read(rec, parse_request(INVALID_PARAMETER, operation, request)?),
            "DeleteMessage" => {
                self.delete(rec, parse_request(INVALID_PARAMETER, operation, request)?)
            }
            other => Err(error(
                "UnknownOperationException",
                format!(
                    "workmail:{other} is not modelled. Available: {}.",
                    Self::OPERATIONS.join(", ")
                ),
            )),
        };
        if let Err(e) = &result {
            rec.outcome(
                ACTOR,
                &call,
                request,
                &Err(e.clone()),
                operation,
                String::new(),
                Vec::new(),
            );
        }
        result
    }

    /// Erases expired cache entries, recording each erasure.
    pub(crate) fn expire_caches(&mut self, rec: &mut Recorder<'_>) {
        for (client, mailbox) in self.cache.expire(rec.env.clock.now_ms()) {
            rec.note(
                ACTOR,
                None,
                "Cached mailbox key expires",
                format!("The plaintext mailbox key of {mailbox} has been in {client}'s cache for one minute, so it is erased; the next access must call KMS Decrypt again."),
                vec![M::new(format!("mailbox-key:{mailbox}"), K::MailboxKey, format!("Mailbox key ({mailbox})"), A::Erased, Location::Cache { client }, &[0u8; 32])],
            );
        }
    }

    /// Flips one bit of stored data, to show what tampering does: `mailbox-key-ct:<email>`
    /// (the encrypted mailbox key), `private-key-ct:<email>`, `message-ct:<id>` or
    /// `message-key-ct:<id>`. Returns the byte's offset (taken modulo the length).
    pub(crate) fn tamper(&mut self, artifact: &str, offset: usize) -> Result<usize, ErrorBody> {
        let (kind, id) = artifact.split_once(':').unwrap_or((artifact, ""));
        for org in self.orgs.values_mut() {
            for (email, mb) in org.mailboxes.iter_mut() {
                let target: Option<&mut Vec<u8>> = match (kind, &mut mb.keys) {
                    (
                        "mailbox-key-ct",
                        MailboxKeys::Symmetric {
                            encrypted_mailbox_key,
                        },
                    ) if email == id => Some(encrypted_mailbox_key),
                    (
                        "private-key-ct",
                        MailboxKeys::Legacy {
                            encrypted_private_key,
                            ..
                        },
                    ) if email == id => Some(encrypted_private_key),
                    ("message-ct", _) => mb.messages.get_mut(id).map(|m| &mut m.ciphertext),
                    ("message-key-ct", _) => mb
                        .messages
                        .get_mut(id)
                        .map(|m| &mut m.encrypted_message_key),
                    _ => None,
                };
                if let Some(bytes) = target.filter(|b| !b.is_empty()) {
                    let at = offset % bytes.len();
                    bytes[at] ^= 0x01;
                    return Ok(at);
                }
            }
        }
        Err(error(
            "EntityNotFoundException",
            format!("WorkMail stores nothing called {artifact}; use mailbox-key-ct:<email>, private-key-ct:<email>, message-ct:<message id> or message-key-ct:<message id>."),
        ))
    }

    fn org(&self, id: &str) -> Result<&Organization, ErrorBody> {
        self.orgs.get(id).ok_or_else(|| {
            error("OrganizationNotFoundException", format!("Organization {id} does not exist. Use the OrganizationId that CreateOrganization returned."))
        })
    }

    fn context(org_arn: &str) -> Value {
        json!({ "aws:workmail:arn": org_arn })
    }

    fn create_organization(
        &mut self,
        rec: &mut Recorder<'_>,
        caller: &Caller,
        req: CreateOrganizationRequest,
    ) -> CallResult {
        let _ = (
            &req.client_token,
            &req.directory_id,
            &req.enable_interoperability,
        );
        if req.alias.is_empty()
            || req.alias.len() > 62
            || !req
                .alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(error("InvalidParameterException", "Alias must be 1–62 characters of letters, digits and hyphens, e.g. \"example-corp\"."));
        }
        if self.orgs.values().any(|o| o.alias == req.alias) {
            return Err(error(
                "NameAvailabilityException",
                format!(
                    "An organization with alias {} already exists; choose another alias.",
                    req.alias
                ),
            ));
        }
        let quick = req.kms_key_arn.is_none();
        let key_id = req
            .kms_key_arn
            .clone()
            .unwrap_or_else(|| "alias/aws/workmail".to_owned());
        let via = caller.clone().via(self.endpoint());
        let actor = format!("Amazon WorkMail (for {})", caller.name());
        let d = rec.kms(
            &actor,
            &via,
            "DescribeKey",
            json!({ "KeyId": key_id }),
            "Check the organization's KMS key",
            &format!("WorkMail, acting for {}, asks KMS to describe the {} key it will use for every mailbox of the organization.", caller.name(), if quick { "AWS managed aws/workmail" } else { "chosen customer managed" }),
            Vec::new(),
        );
        let meta = d
            .response
            .map_err(|e| kms_failure("use the organization's KMS key", &e))?;
        let key_arn = meta
            .pointer("/KeyMetadata/Arn")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let spec = meta
            .pointer("/KeyMetadata/KeySpec")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let state = meta
            .pointer("/KeyMetadata/KeyState")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if spec != "SYMMETRIC_DEFAULT" {
            return Err(error(
                "InvalidParameterException",
                format!("{key_arn} is an asymmetric {spec} key. WorkMail accepts only symmetric encryption KMS keys (KeySpec SYMMETRIC_DEFAULT); choose one, or omit KmsKeyArn to use aws/workmail."),
            ));
        }
        if state != "Enabled" {
            return Err(error("InvalidParameterException", format!("{key_arn} is {state}. WorkMail needs an enabled KMS key; enable it or choose another.")));
        }
        let org_id = format!("m-{}", rec.env.rng.hex(16));
        let org_arn = format!(
            "arn:aws:workmail:{}:{}:organization/{org_id}",
            self.region, self.account
        );
        let uuid = key_arn.rsplit('/').next().unwrap_or_default().to_owned();
        let g = rec.kms(
            &actor,
            &via,
            "CreateGrant",
            json!({
                "KeyId": key_arn,
                "GranteePrincipal": self.endpoint(),
                "RetiringPrincipal": self.endpoint(),
                "Operations": ["Encrypt", "Decrypt"],
                "Name": format!("workmail-{org_id}"),
            }),
            "Grant WorkMail use of the key",
            &format!("WorkMail calls CreateGrant on behalf of {} (allowed by the key policy through kms:ViaService), giving WorkMail kms:Encrypt and kms:Decrypt on the key. Revoking this grant cuts WorkMail off from every mailbox.", caller.name()),
            vec![M::new(format!("kms-key:{uuid}"), K::KmsKey, "Organization KMS key", A::Used, Location::Kms, &[])],
        );
        let grant = g
            .response
            .map_err(|e| kms_failure("create its grant on the KMS key", &e))?;
        self.orgs.insert(
            org_id.clone(),
            Organization {
                alias: req.alias.clone(),
                arn: org_arn.clone(),
                kms_key_arn: key_arn.clone(),
                users: BTreeMap::new(),
                mailboxes: BTreeMap::new(),
            },
        );
        let response = json!({ "OrganizationId": org_id, "Arn": org_arn, "KmsKeyArn": key_arn, "GrantId": grant.get("GrantId") });
        rec.outcome(
            ACTOR,
            "workmail:CreateOrganization",
            &serde_json::to_value(json!({"Alias": req.alias, "KmsKeyArn": req.kms_key_arn})).unwrap_or_default(),
            &Ok(response.clone()),
            "Organization created",
            format!("Organization {} ({org_id}) now exists; every mailbox key in it will be protected by {key_arn}, which cannot be changed later.", req.alias),
            vec![M::new(format!("kms-key:{uuid}"), K::KmsKey, "Organization KMS key", A::Used, Location::Kms, &[])],
        );
        Ok(response)
    }

    fn describe_organization(&self, req: OrganizationRequest) -> CallResult {
        let org = self.org(&req.organization_id)?;
        Ok(json!({
            "OrganizationId": req.organization_id,
            "Alias": org.alias,
            "State": "Active",
            "ARN": org.arn,
            "DefaultMailDomain": format!("{}.awsapps.com", org.alias),
            "KmsKeyArn": org.kms_key_arn,
        }))
    }

    fn create_user(&mut self, rec: &mut Recorder<'_>, req: CreateUserRequest) -> CallResult {
        let _ = &req.password;
        if req.name.is_empty() || req.name.len() > 64 {
            return Err(error(
                "InvalidParameterException",
                "Name must be 1–64 characters.",
            ));
        }
        let org = self.org(&req.organization_id)?;
        if org.users.values().any(|u| u.name == req.name) {
            return Err(error(
                "NameAvailabilityException",
                format!(
                    "User name {} is already used in this organization.",
                    req.name
                ),
            ));
        }
        let user_id = rec.env.rng.uuid();
        if let Some(org) = self.orgs.get_mut(&req.organization_id) {
            org.users.insert(
                user_id.clone(),
                User {
                    name: req.name.clone(),
                    email: None,
                },
            );
        }
        let response = json!({ "UserId": user_id });
        rec.outcome(
            ACTOR,
            "workmail:CreateUser",
            &json!({"OrganizationId": req.organization_id, "Name": req.name, "DisplayName": req.display_name}),
            &Ok(response.clone()),
            "User created",
            format!("User {} ({}) exists but has no mailbox yet, so no key exists for it.", req.display_name, req.name),
            Vec::new(),
        );
        Ok(response)
    }

    fn register(&mut self, rec: &mut Recorder<'_>, req: RegisterRequest) -> CallResult {
        let email = req.email.to_ascii_lowercase();
        if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
            return Err(error(
                "InvalidParameterException",
                format!(
                    "{} is not an email address; use the form name@domain.",
                    req.email
                ),
            ));
        }
        let org = self.org(&req.organization_id)?;
        let Some(user) = org.users.get(&req.entity_id) else {
            return Err(error(
                "EntityNotFoundException",
                format!(
                    "User {} does not exist in {}. Use the UserId that CreateUser returned.",
                    req.entity_id, req.organization_id
                ),
            ));
        };
        if user.email.is_some() {
            return Err(error(
                "EntityStateException",
                format!("User {} already has a mailbox.", req.entity_id),
            ));
        }
        if org.mailboxes.contains_key(&email) {
            return Err(error(
                "EmailAddressInUseException",
                format!("{email} is already in use."),
            ));
        }
        let (org_arn, key_arn) = (org.arn.clone(), org.kms_key_arn.clone());
        let kms_key = kms_key_artifact(&key_arn);
        let memory = Location::ServiceMemory {
            service: ACTOR.to_owned(),
        };
        let store = Location::MailboxStore {
            mailbox: email.clone(),
        };
        let service = Caller::service(self.endpoint());

        let keys = if req.legacy {
            let private = RsaPrivateKey::new(&mut rec.env.rng, 2048).map_err(|e| {
                error(
                    "InternalServerException",
                    format!("RSA key generation failed: {e}"),
                )
            })?;
            let der = private.to_pkcs1_der().map_err(|e| {
                error(
                    "InternalServerException",
                    format!("RSA key encoding failed: {e}"),
                )
            })?;
            let public = RsaPublicKey::from(&private);
            let public_der = public.to_pkcs1_der().map_err(|e| {
                error(
                    "InternalServerException",
                    format!("RSA key encoding failed: {e}"),
                )
            })?;
            rec.note(
                ACTOR,
                None,
                "Generate the mailbox key pair (legacy)",
                format!("This is a legacy mailbox: WorkMail generates an RSA-2048 key pair for {email} outside KMS. The public key will encrypt each message key; the private key decrypts them."),
                vec![
                    M::new(format!("private-key:{email}"), K::PrivateKey, format!("Private key ({email})"), A::Generated, memory.clone(), der.as_bytes()),
                    M::new(format!("public-key:{email}"), K::PublicKey, format!("Public key ({email})"), A::Generated, memory.clone(), public_der.as_bytes()),
                ],
            );
            let c = rec.kms(
                ACTOR,
                &service,
                "Encrypt",
                json!({ "KeyId": key_arn, "Plaintext": b64(der.as_bytes()), "EncryptionContext": Self::context(&org_arn) }),
                "Encrypt the private key with KMS",
                "WorkMail asks KMS to encrypt the mailbox's private key under the organization's KMS key, with the organization ARN as encryption context.",
                Vec::new(),
            );
            let ct = field_bytes(
                &c.response
                    .map_err(|e| kms_failure("encrypt the new mailbox's private key", &e))?,
                "CiphertextBlob",
            );
            rec.note(
                ACTOR,
                None,
                "Store the keys, erase the private key",
                format!("WorkMail stores the public key and the encrypted private key in the metadata of {email}'s mailbox and erases the plaintext private key from memory."),
                vec![
                    M::new(format!("private-key-ct:{email}"), K::WrappedKey, format!("Encrypted private key ({email})"), A::Stored, store.clone(), &ct).under(kms_key.clone(), AES),
                    M::new(format!("public-key:{email}"), K::PublicKey, format!("Public key ({email})"), A::Stored, store, public_der.as_bytes()),
                    M::new(format!("private-key:{email}"), K::PrivateKey, format!("Private key ({email})"), A::Erased, memory.clone(), der.as_bytes()),
                    M::new(format!("public-key:{email}"), K::PublicKey, format!("Public key ({email})"), A::Erased, memory, public_der.as_bytes()),
                ],
            );
            MailboxKeys::Legacy {
                public_key: Box::new(public),
                encrypted_private_key: ct,
            }
        } else {
            let mailbox_key = rec.env.rng.secret::<32>();
            rec.note(
                ACTOR,
                None,
                "Generate the mailbox key",
                format!(
                    "WorkMail generates a unique 256-bit AES mailbox key for {email}, outside KMS."
                ),
                vec![M::new(
                    format!("mailbox-key:{email}"),
                    K::MailboxKey,
                    format!("Mailbox key ({email})"),
                    A::Generated,
                    memory.clone(),
                    mailbox_key.as_ref(),
                )],
            );
            let c = rec.kms(
                ACTOR,
                &service,
                "Encrypt",
                json!({ "KeyId": key_arn, "Plaintext": b64(mailbox_key.as_ref()), "EncryptionContext": Self::context(&org_arn) }),
                "Encrypt the mailbox key with KMS",
                "WorkMail asks KMS to encrypt the mailbox key under the organization's KMS key, with the organization ARN as encryption context (allowed by WorkMail's grant).",
                Vec::new(),
            );
            let ct = field_bytes(
                &c.response
                    .map_err(|e| kms_failure("encrypt the new mailbox key", &e))?,
                "CiphertextBlob",
            );
            rec.attach([M::new(
                format!("mailbox-key-ct:{email}"),
                K::WrappedKey,
                format!("Encrypted mailbox key ({email})"),
                A::Wrapped,
                memory.clone(),
                &ct,
            )
            .under(kms_key.clone(), AES)]);
            rec.note(
                ACTOR,
                None,
                "Store the encrypted mailbox key",
                format!("WorkMail stores the encrypted mailbox key in the metadata of {email}'s mailbox and erases the plaintext mailbox key; it is never written to disk."),
                vec![
                    M::new(format!("mailbox-key-ct:{email}"), K::WrappedKey, format!("Encrypted mailbox key ({email})"), A::Stored, store, &ct).under(kms_key, AES),
                    M::new(format!("mailbox-key:{email}"), K::MailboxKey, format!("Mailbox key ({email})"), A::Erased, memory.clone(), mailbox_key.as_ref()),
                    M::new(format!("mailbox-key-ct:{email}"), K::WrappedKey, format!("Encrypted mailbox key ({email})"), A::Erased, memory, &ct),
                ],
            );
            MailboxKeys::Symmetric {
                encrypted_mailbox_key: ct,
            }
        };
        if let Some(org) = self.orgs.get_mut(&req.organization_id) {
            if let Some(user) = org.users.get_mut(&req.entity_id) {
                user.email = Some(email.clone());
            }
            org.mailboxes.insert(
                email.clone(),
                Mailbox {
                    keys,
                    messages: BTreeMap::new(),
                },
            );
        }
        let response = json!({});
        rec.outcome(
            ACTOR,
            "workmail:RegisterToWorkMail",
            &json!({"OrganizationId": req.organization_id, "EntityId": req.entity_id, "Email": email, "Legacy": req.legacy}),
            &Ok(response.clone()),
            "Mailbox ready",
            format!("{email} has a mailbox whose {} is stored only in encrypted form.", if req.legacy { "private key" } else { "mailbox key" }),
            Vec::new(),
        );
        Ok(response)
    }

    /// The plaintext key that unwraps `mailbox`'s message keys (the mailbox key, or the
    /// legacy private key in PKCS#1 DER): from `client`'s cache, or by KMS Decrypt.
    fn unlock(
        &mut self,
        rec: &mut Recorder<'_>,
        org_id: &str,
        mailbox: &str,
        client: &str,
        why: &str,
    ) -> Result<Zeroizing<Vec<u8>>, ErrorBody> {
        let org = self.org(org_id)?;
        let Some(mb) = org.mailboxes.get(mailbox) else {
            return Err(error("EntityNotFoundException", format!("No mailbox {mailbox} in {org_id}. Register a user with RegisterToWorkMail first.")));
        };
        let (artifact, kind, label, ct) = match &mb.keys {
            MailboxKeys::Symmetric {
                encrypted_mailbox_key,
            } => (
                format!("mailbox-key:{mailbox}"),
                K::MailboxKey,
                format!("Mailbox key ({mailbox})"),
                encrypted_mailbox_key.clone(),
            ),
            MailboxKeys::Legacy {
                encrypted_private_key,
                ..
            } => (
                format!("private-key:{mailbox}"),
                K::PrivateKey,
                format!("Private key ({mailbox})"),
                encrypted_private_key.clone(),
            ),
        };
        let org_arn = org.arn.clone();
        let kms_key = kms_key_artifact(&org.kms_key_arn);
        let now = rec.env.clock.now_ms();
        if let Some(hit) = self.cache.get(client, mailbox, now) {
            let left = hit.expires_ms.saturating_sub(now) / 1000;
            let key = hit.key.clone();
            rec.note(
                ACTOR,
                None,
                "Mailbox key from the cache",
                format!("{client} still has the plaintext {} of {mailbox} in its cache ({left} s left), so WorkMail makes no KMS call to {why}.", if kind == K::PrivateKey { "private key" } else { "mailbox key" }),
                vec![M::new(artifact, kind, label, A::CacheHit, Location::Cache { client: client.to_owned() }, &key)],
            );
            return Ok(key);
        }
        let c = rec.kms(
            ACTOR,
            &Caller::service(self.endpoint()),
            "Decrypt",
            json!({ "CiphertextBlob": b64(&ct), "EncryptionContext": Self::context(&org_arn) }),
            "Decrypt the mailbox key with KMS",
            &format!("To {why}, WorkMail sends the encrypted {} of {mailbox} to KMS Decrypt with the organization's encryption context; KMS finds the key from the ciphertext itself.", if kind == K::PrivateKey { "private key" } else { "mailbox key" }),
            Vec::new(),
        );
        let resp = c
            .response
            .map_err(|e| kms_failure(&format!("decrypt the key of mailbox {mailbox}"), &e))?;
        let key = Zeroizing::new(field_bytes(&resp, "Plaintext"));
        let expires = self.cache.put(client, mailbox, key.clone(), now);
        if let Some(step) = rec.trace.steps.last_mut() {
            step.material.push(
                M::new(
                    artifact.clone(),
                    kind,
                    label.clone(),
                    A::Unwrapped,
                    Location::ServiceMemory {
                        service: ACTOR.to_owned(),
                    },
                    &key,
                )
                .under(kms_key, AES),
            );
            step.material.push(M::new(
                artifact,
                kind,
                label,
                A::Cached,
                Location::Cache {
                    client: client.to_owned(),
                },
                &key,
            ));
            step.sentence.push_str(&format!(
                " The plaintext key is cached for {client} until {} (one minute).",
                crate::env::iso8601(expires / 1000)
            ));
        }
        Ok(key)
    }

    fn deliver(&mut self, rec: &mut Recorder<'_>, req: DeliverRequest) -> CallResult {
        if !matches!(req.kind.as_str(), "mail" | "calendar") {
            return Err(error(
                "InvalidParameterException",
                "Kind must be \"mail\" or \"calendar\".",
            ));
        }
        let mailbox = req.mailbox.to_ascii_lowercase();
        let org = self.org(&req.organization_id)?;
        let Some(mb) = org.mailboxes.get(&mailbox) else {
            return Err(error(
                "EntityNotFoundException",
                format!("No mailbox {mailbox} in {}.", req.organization_id),
            ));
        };
        let legacy_public = match &mb.keys {
            MailboxKeys::Legacy { public_key, .. } => Some(public_key.as_ref().clone()),
            MailboxKeys::Symmetric { .. } => None,
        };
        let message_id = rec.env.rng.uuid();
        let memory = Location::ServiceMemory {
            service: ACTOR.to_owned(),
        };
        let store = Location::MailboxStore {
            mailbox: mailbox.clone(),
        };
        let text =
            Zeroizing::new(format!("Subject: {}\r\n\r\n{}", req.subject, req.body).into_bytes());
        let message_key = rec.env.rng.secret::<32>();
        let nonce: [u8; NONCE_LEN] = rec.env.rng.bytes();
        let ciphertext = crypto::seal(&message_key, &nonce, message_id.as_bytes(), &text);
        let noun = if req.kind == "calendar" {
            "calendar item"
        } else {
            "message"
        };
        rec.note(
            ACTOR,
            None,
            "Encrypt the message with a new message key",
            format!("A {noun} arrives for {mailbox}. WorkMail generates a unique 256-bit message key and encrypts the {noun} with it (AES-256-GCM, outside KMS)."),
            vec![
                M::new(format!("message:{message_id}"), K::Message, format!("{} \"{}\"", capitalise(noun), req.subject), A::Generated, memory.clone(), &text).preview(req.subject.clone()),
                M::new(format!("message-key:{message_id}"), K::MessageKey, "Message key", A::Generated, memory.clone(), message_key.as_ref()),
                M::new(format!("message-ct:{message_id}"), K::EncryptedMessage, format!("Encrypted {noun}"), A::Wrapped, memory.clone(), &ciphertext).under(format!("message-key:{message_id}"), AES),
            ],
        );
        let (wrapped, wrapper, algorithm) = match legacy_public {
            Some(public) => {
                let wrapped = public
                    .encrypt(
                        &mut rec.env.rng,
                        Oaep::new::<sha2::Sha256>(),
                        message_key.as_ref(),
                    )
                    .map_err(|e| {
                        error("InternalServerException", format!("RSA wrap failed: {e}"))
                    })?;
                rec.note(
                    ACTOR,
                    None,
                    "Encrypt the message key with the public key",
                    format!("{mailbox} is a legacy mailbox: WorkMail encrypts the message key with the mailbox's RSA public key, which needs no KMS call."),
                    vec![M::new(format!("message-key-ct:{message_id}"), K::WrappedKey, "Encrypted message key", A::Wrapped, memory.clone(), &wrapped).under(format!("public-key:{mailbox}"), RSA_OAEP)],
                );
                (wrapped, format!("public-key:{mailbox}"), RSA_OAEP)
            }
            None => {
                let mailbox_key = self.unlock(
                    rec,
                    &req.organization_id,
                    &mailbox,
                    "mail-delivery",
                    "store the new message",
                )?;
                let key: [u8; 32] = mailbox_key.as_slice().try_into().map_err(|_| {
                    error(
                        "InternalServerException",
                        "The mailbox key has the wrong length.",
                    )
                })?;
                let key = Zeroizing::new(key);
                let wrap_nonce: [u8; NONCE_LEN] = rec.env.rng.bytes();
                let mut wrapped = wrap_nonce.to_vec();
                wrapped.extend(crypto::seal(
                    &key,
                    &wrap_nonce,
                    message_id.as_bytes(),
                    message_key.as_ref(),
                ));
                rec.note(
                    ACTOR,
                    None,
                    "Encrypt the message key with the mailbox key",
                    "WorkMail encrypts the message key under the plaintext mailbox key (AES-256-GCM, outside KMS).".to_owned(),
                    vec![M::new(format!("message-key-ct:{message_id}"), K::WrappedKey, "Encrypted message key", A::Wrapped, memory.clone(), &wrapped).under(format!("mailbox-key:{mailbox}"), AES)],
                );
                (wrapped, format!("mailbox-key:{mailbox}"), AES)
            }
        };
        rec.note(
            ACTOR,
            None,
            "Store the encrypted message and its key",
            format!("WorkMail writes the encrypted {noun} to {mailbox}'s mailbox with the encrypted message key in its metadata, and erases the plaintext message key and {noun} from memory."),
            vec![
                M::new(format!("message-ct:{message_id}"), K::EncryptedMessage, format!("Encrypted {noun}"), A::Stored, store.clone(), &ciphertext).under(format!("message-key:{message_id}"), AES),
                M::new(format!("message-key-ct:{message_id}"), K::WrappedKey, "Encrypted message key", A::Stored, store, &wrapped).under(wrapper, algorithm),
                M::new(format!("message-key:{message_id}"), K::MessageKey, "Message key", A::Erased, memory.clone(), message_key.as_ref()),
                M::new(format!("message:{message_id}"), K::Message, format!("{} \"{}\"", capitalise(noun), req.subject), A::Erased, memory.clone(), &text),
                M::new(format!("message-ct:{message_id}"), K::EncryptedMessage, format!("Encrypted {noun}"), A::Erased, memory.clone(), &ciphertext),
                M::new(format!("message-key-ct:{message_id}"), K::WrappedKey, "Encrypted message key", A::Erased, memory.clone(), &wrapped),
                M::new(format!("mailbox-key:{mailbox}"), K::MailboxKey, format!("Mailbox key ({mailbox})"), A::Erased, memory, &[0u8; 32]),
            ],
        );
        if let Some(mb) = self
            .orgs
            .get_mut(&req.organization_id)
            .and_then(|o| o.mailboxes.get_mut(&mailbox))
        {
            mb.messages.insert(
                message_id.clone(),
                StoredMessage {
                    kind: req.kind.clone(),
                    nonce,
                    ciphertext,
                    encrypted_message_key: wrapped,
                },
            );
        }
        let response = json!({ "MessageId": message_id });
        rec.outcome(
            ACTOR,
            "workmail:DeliverMessage",
            &json!({"OrganizationId": req.organization_id, "Mailbox": mailbox, "Subject": req.subject, "Kind": req.kind}),
            &Ok(response.clone()),
            "Message delivered",
            format!("The {noun} is stored encrypted; only the mailbox's {} can unlock its message key.", if algorithm == RSA_OAEP { "private key" } else { "mailbox key" }),
            Vec::new(),
        );
        Ok(response)
    }

    fn stored(
        &self,
        org_id: &str,
        mailbox: &str,
        message_id: &str,
    ) -> Result<(StoredMessage, bool), ErrorBody> {
        let org = self.org(org_id)?;
        let mb = org.mailboxes.get(mailbox).ok_or_else(|| {
            error(
                "EntityNotFoundException",
                format!("No mailbox {mailbox} in {org_id}."),
            )
        })?;
        let m = mb.messages.get(message_id).ok_or_else(|| {
            error("EntityNotFoundException", format!("No message {message_id} in {mailbox}. Use the MessageId that DeliverMessage returned."))
        })?;
        Ok((m.clone(), matches!(mb.keys, MailboxKeys::Legacy { .. })))
    }

    fn read(&mut self, rec: &mut Recorder<'_>, req: MessageRequest) -> CallResult {
        let mailbox = req.mailbox.to_ascii_lowercase();
        let (stored, legacy) = self.stored(&req.organization_id, &mailbox, &req.message_id)?;
        let StoredMessage {
            kind,
            nonce,
            ciphertext,
            encrypted_message_key: wrapped,
        } = stored;
        let key = self.unlock(
            rec,
            &req.organization_id,
            &mailbox,
            &req.client,
            "read the message",
        )?;
        let memory = Location::ServiceMemory {
            service: ACTOR.to_owned(),
        };
        let id = &req.message_id;
        let corrupt = || {
            error("InternalServerException", format!("Message {id} could not be decrypted: its stored ciphertext or key was modified."))
        };
        let (message_key, wrapper, algorithm) = if legacy {
            let private = RsaPrivateKey::from_pkcs1_der(&key).map_err(|_| corrupt())?;
            let mk = private
                .decrypt(Oaep::new::<sha2::Sha256>(), &wrapped)
                .map_err(|_| corrupt())?;
            (
                Zeroizing::new(mk),
                format!("private-key:{mailbox}"),
                RSA_OAEP,
            )
        } else {
            let k: [u8; 32] = key.as_slice().try_into().map_err(|_| corrupt())?;
            let k = Zeroizing::new(k);
            let (wn, wct) = wrapped.split_at_checked(NONCE_LEN).ok_or_else(corrupt)?;
            let wn: [u8; NONCE_LEN] = wn.try_into().map_err(|_| corrupt())?;
            (
                crypto::open(&k, &wn, id.as_bytes(), wct).map_err(|_| corrupt())?,
                format!("mailbox-key:{mailbox}"),
                AES,
            )
        };
        rec.note(
            ACTOR,
            None,
            "Decrypt the message key",
            format!(
                "WorkMail decrypts the message key with the {} (outside KMS).",
                if legacy {
                    "mailbox's private key"
                } else {
                    "plaintext mailbox key"
                }
            ),
            vec![M::new(
                format!("message-key:{id}"),
                K::MessageKey,
                "Message key",
                A::Unwrapped,
                memory.clone(),
                &message_key,
            )
            .under(wrapper, algorithm)],
        );
        let mk: [u8; 32] = message_key.as_slice().try_into().map_err(|_| corrupt())?;
        let mk = Zeroizing::new(mk);
        let text = crypto::open(&mk, &nonce, id.as_bytes(), &ciphertext).map_err(|_| corrupt())?;
        let text_str = String::from_utf8_lossy(&text).into_owned();
        let (subject, body) = text_str
            .strip_prefix("Subject: ")
            .and_then(|t| t.split_once("\r\n\r\n"))
            .unwrap_or(("", &text_str));
        rec.note(
            ACTOR,
            None,
            "Decrypt the message",
            format!("WorkMail decrypts the message with the message key and returns it to {}; the plaintext message key is erased.", req.client),
            vec![
                M::new(format!("message:{id}"), K::Message, format!("Message \"{subject}\""), A::Unwrapped, memory.clone(), &text).under(format!("message-key:{id}"), AES).preview(subject.to_owned()),
                M::new(format!("message-key:{id}"), K::MessageKey, "Message key", A::Erased, memory.clone(), &message_key),
            ],
        );
        let response = json!({ "MessageId": id, "Kind": kind, "Subject": subject, "Body": body });
        rec.outcome(
            ACTOR,
            "workmail:ReadMessage",
            &json!({"OrganizationId": req.organization_id, "Mailbox": mailbox, "MessageId": id, "Client": req.client}),
            &Ok(response.clone()),
            "Message read",
            format!("{} reads \"{subject}\"; WorkMail keeps no plaintext: the message and the key it used leave its memory (the mailbox key stays only in {}'s cache).", req.client, req.client),
            vec![
                M::new(format!("message:{id}"), K::Message, format!("Message \"{subject}\""), A::Erased, memory.clone(), &text),
                M::new(
                    if legacy { format!("private-key:{mailbox}") } else { format!("mailbox-key:{mailbox}") },
                    if legacy { K::PrivateKey } else { K::MailboxKey },
                    if legacy { format!("Private key ({mailbox})") } else { format!("Mailbox key ({mailbox})") },
                    A::Erased,
                    memory,
                    &key,
                ),
            ],
        );
        Ok(response)
    }

    fn delete(&mut self, rec: &mut Recorder<'_>, req: MessageRequest) -> CallResult {
        let mailbox = req.mailbox.to_ascii_lowercase();
        let (
            StoredMessage {
                ciphertext,
                encrypted_message_key: wrapped,
                ..
            },
            _,
        ) = self.stored(&req.organization_id, &mailbox, &req.message_id)?;
        self.unlock(
            rec,
            &req.organization_id,
            &mailbox,
            &req.client,
            "delete the message",
        )?;
        if let Some(mb) = self
            .orgs
            .get_mut(&req.organization_id)
            .and_then(|o| o.mailboxes.get_mut(&mailbox))
        {
            mb.messages.remove(&req.message_id);
        }
        let id = &req.message_id;
        let store = Location::MailboxStore {
            mailbox: mailbox.clone(),
        };
        let response = json!({});
        rec.outcome(
            ACTOR,
            "workmail:DeleteMessage",
            &json!({"OrganizationId": req.organization_id, "Mailbox": mailbox, "MessageId": id, "Client": req.client}),
            &Ok(response.clone()),
            "Message deleted",
            "WorkMail deletes the encrypted message and its encrypted message key from the mailbox.".to_owned(),
            vec![
                M::new(format!("message-ct:{id}"), K::EncryptedMessage, "Encrypted message", A::Deleted, store.clone(), &ciphertext),
                M::new(format!("message-key-ct:{id}"), K::WrappedKey, "Encrypted message key", A::Deleted, store, &wrapped),
                M::new(format!("mailbox-key:{mailbox}"), K::MailboxKey, format!("Mailbox key ({mailbox})"), A::Erased, Location::ServiceMemory { service: ACTOR.to_owned() }, &[0u8; 32]),
                M::new(format!("private-key:{mailbox}"), K::PrivateKey, format!("Private key ({mailbox})"), A::Erased, Location::ServiceMemory { service: ACTOR.to_owned() }, &[0u8; 32]),
            ],
        );
        Ok(response)
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
