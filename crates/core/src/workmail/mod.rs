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

pub(crate) mod cache;
mod error;
mod shapes;

pub use cache::CACHE_TTL_MS;
pub use error::WorkMailError;
pub use shapes::*;

use crate::authz::Caller;
use crate::context::EncryptionContext;
use crate::crypto::{self, OaepHash, RsaPublicKey, NONCE_LEN};
use crate::kms::types::{
    CreateGrantRequest, DecryptRequest, DescribeKeyRequest, EncryptRequest, GrantOperation,
    KeySpec, KeyState,
};
use crate::kms::Kms;
use crate::record::{
    ArtifactId as Id, ArtifactKind as K, Call, Location, MaterialAction as A, MaterialEvent as M,
    Recorder, Service, Story,
};
use crate::wire::{Bytes, Secret};
use cache::MailboxKeyCache;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

const ACTOR: &str = "Amazon WorkMail";
const AES: &str = "AES-256-GCM";
const RSA_OAEP: &str = "RSAES-OAEP-SHA-256";

/// Results of WorkMail operations.
pub type Result<T> = std::result::Result<T, WorkMailError>;

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
    kind: MessageKind,
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

/// Something WorkMail stores that an experiment can flip a bit of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredArtifact {
    /// `mailbox-key-ct:<email>`: the encrypted mailbox key in the mailbox metadata.
    EncryptedMailboxKey(String),
    /// `private-key-ct:<email>`: a legacy mailbox's encrypted private key.
    EncryptedPrivateKey(String),
    /// `message-ct:<id>`: a stored encrypted message.
    EncryptedMessage(String),
    /// `message-key-ct:<id>`: a message's encrypted message key.
    EncryptedMessageKey(String),
}

impl StoredArtifact {
    /// Parses the text form a scenario's `tamper:FlipByte` names.
    pub fn parse(text: &str) -> Option<StoredArtifact> {
        let (kind, id) = text.split_once(':')?;
        let id = id.to_owned();
        Some(match kind {
            "mailbox-key-ct" => StoredArtifact::EncryptedMailboxKey(id),
            "private-key-ct" => StoredArtifact::EncryptedPrivateKey(id),
            "message-ct" => StoredArtifact::EncryptedMessage(id),
            "message-key-ct" => StoredArtifact::EncryptedMessageKey(id),
            _ => return None,
        })
    }
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

/// The KMS error, as WorkMail passes it on, with what it means for WorkMail.
fn kms_failure(what: &str) -> impl FnOnce(crate::kms::KmsError) -> WorkMailError + '_ {
    move |error| WorkMailError::Kms {
        what: what.to_owned(),
        error,
    }
}

fn mailbox_key_label(mailbox: &str) -> String {
    format!("Mailbox key ({mailbox})")
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

    /// Performs one WorkMail operation. `shown` is the request as the caller wrote it, for
    /// the trace (the typed request may have filled in defaults).
    pub(crate) fn call(
        &mut self,
        rec: &mut Recorder<'_>,
        caller: &Caller,
        request: WorkMailRequest,
    ) -> Result<WorkMailResponse> {
        self.expire_caches(rec);
        match request {
            WorkMailRequest::CreateOrganization(r) => self
                .create_organization(rec, caller, r)
                .map(WorkMailResponse::CreateOrganization),
            WorkMailRequest::DescribeOrganization(r) => self
                .describe_organization(r)
                .map(WorkMailResponse::DescribeOrganization),
            WorkMailRequest::CreateUser(r) => {
                self.create_user(rec, r).map(WorkMailResponse::CreateUser)
            }
            WorkMailRequest::RegisterToWorkMail(r) => self
                .register(rec, r)
                .map(WorkMailResponse::RegisterToWorkMail),
            WorkMailRequest::DeliverMessage(r) => {
                self.deliver(rec, r).map(WorkMailResponse::DeliverMessage)
            }
            WorkMailRequest::ReadMessage(r) => self.read(rec, r).map(WorkMailResponse::ReadMessage),
            WorkMailRequest::DeleteMessage(r) => {
                self.delete(rec, r).map(WorkMailResponse::DeleteMessage)
            }
        }
    }

    /// Erases expired cache entries, recording each erasure.
    pub(crate) fn expire_caches(&mut self, rec: &mut Recorder<'_>) {
        for (client, mailbox) in self.cache.expire(rec.env.clock.now_ms()) {
            rec.note(
                ACTOR,
                None,
                Story::new("Cached mailbox key expires", format!("The plaintext mailbox key of {mailbox} has been in {client}'s cache for one minute, so it is erased; the next access must call KMS Decrypt again.")).with(vec![M::new(Id::MailboxKey(mailbox.clone()), K::MailboxKey, mailbox_key_label(&mailbox), A::Erased, Location::Cache { client }, &[0u8; 32])]),
            );
        }
    }

    /// Flips one bit of stored data, to show what tampering does. Returns the byte's
    /// offset (taken modulo the length).
    pub(crate) fn tamper(&mut self, artifact: &StoredArtifact, offset: usize) -> Result<usize> {
        for org in self.orgs.values_mut() {
            for (email, mb) in org.mailboxes.iter_mut() {
                let target: Option<&mut Vec<u8>> = match (artifact, &mut mb.keys) {
                    (
                        StoredArtifact::EncryptedMailboxKey(id),
                        MailboxKeys::Symmetric {
                            encrypted_mailbox_key,
                        },
                    ) if email == id => Some(encrypted_mailbox_key),
                    (
                        StoredArtifact::EncryptedPrivateKey(id),
                        MailboxKeys::Legacy {
                            encrypted_private_key,
                            ..
                        },
                    ) if email == id => Some(encrypted_private_key),
                    (StoredArtifact::EncryptedMessage(id), _) => {
                        mb.messages.get_mut(id).map(|m| &mut m.ciphertext)
                    }
                    (StoredArtifact::EncryptedMessageKey(id), _) => mb
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
        let text = match artifact {
            StoredArtifact::EncryptedMailboxKey(id) => format!("mailbox-key-ct:{id}"),
            StoredArtifact::EncryptedPrivateKey(id) => format!("private-key-ct:{id}"),
            StoredArtifact::EncryptedMessage(id) => format!("message-ct:{id}"),
            StoredArtifact::EncryptedMessageKey(id) => format!("message-key-ct:{id}"),
        };
        Err(WorkMailError::EntityNotFound(format!("WorkMail stores nothing called {text}; use mailbox-key-ct:<email>, private-key-ct:<email>, message-ct:<message id> or message-key-ct:<message id>.")))
    }

    fn org(&self, id: &str) -> Result<&Organization> {
        self.orgs.get(id).ok_or_else(|| {
            WorkMailError::OrganizationNotFound(format!("Organization {id} does not exist. Use the OrganizationId that CreateOrganization returned."))
        })
    }

    /// The encryption context of every WorkMail KMS call.
    fn context(org_arn: &str) -> EncryptionContext {
        let mut context = EncryptionContext::new();
        context.insert("aws:workmail:arn", org_arn);
        context
    }

    fn create_organization(
        &mut self,
        rec: &mut Recorder<'_>,
        caller: &Caller,
        req: CreateOrganizationRequest,
    ) -> Result<CreateOrganizationResponse> {
        if req.alias.is_empty()
            || req.alias.len() > 62
            || !req
                .alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(WorkMailError::InvalidParameter("Alias must be 1–62 characters of letters, digits and hyphens, e.g. \"example-corp\".".to_owned()));
        }
        if self.orgs.values().any(|o| o.alias == req.alias) {
            return Err(WorkMailError::NameAvailability(format!(
                "An organization with alias {} already exists; choose another alias.",
                req.alias
            )));
        }
        let quick = req.kms_key_arn.is_none();
        let key_id = req
            .kms_key_arn
            .clone()
            .unwrap_or_else(|| "alias/aws/workmail".to_owned());
        let via = caller.clone().via(self.endpoint());
        let actor = format!("Amazon WorkMail (for {})", caller.name());
        let meta = rec
            .kms(
                &actor,
                &via,
                Story::new("Check the organization's KMS key", format!("WorkMail, acting for {}, asks KMS to describe the {} key it will use for every mailbox of the organization.", caller.name(), if quick { "AWS managed aws/workmail" } else { "chosen customer managed" })),
                DescribeKeyRequest { key_id, ..Default::default() },
                Kms::describe_key,
            )
            .map_err(kms_failure("use the organization's KMS key"))?
            .key_metadata;
        let key_arn = meta.arn;
        if meta.key_spec != KeySpec::SYMMETRIC_DEFAULT {
            let spec = meta.key_spec.name();
            return Err(WorkMailError::InvalidParameter(format!("{key_arn} is an asymmetric {spec} key. WorkMail accepts only symmetric encryption KMS keys (KeySpec SYMMETRIC_DEFAULT); choose one, or omit KmsKeyArn to use aws/workmail.")));
        }
        if meta.key_state != KeyState::Enabled {
            let state = meta.key_state.name();
            return Err(WorkMailError::InvalidParameter(format!("{key_arn} is {state}. WorkMail needs an enabled KMS key; enable it or choose another.")));
        }
        let org_id = format!("m-{}", rec.env.rng.hex(16));
        let org_arn = format!(
            "arn:aws:workmail:{}:{}:organization/{org_id}",
            self.region, self.account
        );
        let kms_key = Id::kms_key(&key_arn);
        let grant = rec
            .kms(
                &actor,
                &via,
                Story::new("Grant WorkMail use of the key", format!("WorkMail calls CreateGrant on behalf of {} (allowed by the key policy through kms:ViaService), giving WorkMail kms:Encrypt and kms:Decrypt on the key. Revoking this grant cuts WorkMail off from every mailbox.", caller.name()))
                    .with(vec![M::new(kms_key.clone(), K::KmsKey, "Organization KMS key", A::Used, Location::Kms, &[])]),
                CreateGrantRequest {
                    key_id: key_arn.clone(),
                    grantee_principal: Some(self.endpoint()),
                    retiring_principal: Some(self.endpoint()),
                    operations: vec![GrantOperation::Encrypt, GrantOperation::Decrypt],
                    name: Some(format!("workmail-{org_id}")),
                    ..Default::default()
                },
                Kms::create_grant,
            )
            .map_err(kms_failure("create its grant on the KMS key"))?;
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
        let response = CreateOrganizationResponse {
            organization_id: org_id.clone(),
            arn: org_arn,
            kms_key_arn: key_arn.clone(),
            grant_id: grant.grant_id,
        };
        let shown = rec.display(&req);
        rec.outcome(
            ACTOR,
            Call::Service(Service::WorkMail, Operation::CreateOrganization.name()),
            shown,
            Ok::<_, &WorkMailError>(&response),
            Story::new("Organization created", format!("Organization {} ({org_id}) now exists; every mailbox key in it will be protected by {key_arn}, which cannot be changed later.", req.alias))
                .with(vec![M::new(kms_key, K::KmsKey, "Organization KMS key", A::Used, Location::Kms, &[])]),
        );
        Ok(response)
    }

    fn describe_organization(
        &self,
        req: OrganizationRequest,
    ) -> Result<DescribeOrganizationResponse> {
        let org = self.org(&req.organization_id)?;
        Ok(DescribeOrganizationResponse {
            organization_id: req.organization_id.clone(),
            alias: org.alias.clone(),
            state: "Active".to_owned(),
            arn: org.arn.clone(),
            default_mail_domain: format!("{}.awsapps.com", org.alias),
            kms_key_arn: org.kms_key_arn.clone(),
        })
    }

    fn create_user(
        &mut self,
        rec: &mut Recorder<'_>,
        req: CreateUserRequest,
    ) -> Result<CreateUserResponse> {
        if req.name.is_empty() || req.name.len() > 64 {
            return Err(WorkMailError::InvalidParameter(
                "Name must be 1–64 characters.".to_owned(),
            ));
        }
        let org = self.org(&req.organization_id)?;
        if org.users.values().any(|u| u.name == req.name) {
            return Err(WorkMailError::NameAvailability(format!(
                "User name {} is already used in this organization.",
                req.name
            )));
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
        let response = CreateUserResponse { user_id };
        let shown = rec.display(&req);
        rec.outcome(
            ACTOR,
            Call::Service(Service::WorkMail, Operation::CreateUser.name()),
            shown,
            Ok::<_, &WorkMailError>(&response),
            Story::new(
                "User created",
                format!(
                    "User {} ({}) exists but has no mailbox yet, so no key exists for it.",
                    req.display_name, req.name
                ),
            ),
        );
        Ok(response)
    }

    fn register(
        &mut self,
        rec: &mut Recorder<'_>,
        mut req: RegisterToWorkMailRequest,
    ) -> Result<Empty> {
        let email = req.email.to_ascii_lowercase();
        if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
            return Err(WorkMailError::InvalidParameter(format!(
                "{} is not an email address; use the form name@domain.",
                req.email
            )));
        }
        req.email = email.clone();
        let org = self.org(&req.organization_id)?;
        let Some(user) = org.users.get(&req.entity_id) else {
            return Err(WorkMailError::EntityNotFound(format!(
                "User {} does not exist in {}. Use the UserId that CreateUser returned.",
                req.entity_id, req.organization_id
            )));
        };
        if user.email.is_some() {
            return Err(WorkMailError::EntityState(format!(
                "User {} already has a mailbox.",
                req.entity_id
            )));
        }
        if org.mailboxes.contains_key(&email) {
            return Err(WorkMailError::EmailAddressInUse(format!(
                "{email} is already in use."
            )));
        }
        let (org_arn, key_arn) = (org.arn.clone(), org.kms_key_arn.clone());
        let keys = if req.legacy {
            self.new_legacy_keys(rec, &email, &org_arn, &key_arn)?
        } else {
            self.new_mailbox_key(rec, &email, &org_arn, &key_arn)?
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
        let shown = rec.display(&req);
        rec.outcome(
            ACTOR,
            Call::Service(Service::WorkMail, Operation::RegisterToWorkMail.name()),
            shown,
            Ok::<_, &WorkMailError>(&Empty {}),
            Story::new(
                "Mailbox ready",
                format!(
                    "{email} has a mailbox whose {} is stored only in encrypted form.",
                    if req.legacy {
                        "private key"
                    } else {
                        "mailbox key"
                    }
                ),
            ),
        );
        Ok(Empty {})
    }

    /// A legacy mailbox's keys: an RSA key pair made outside KMS, the private key
    /// encrypted by KMS.
    fn new_legacy_keys(
        &self,
        rec: &mut Recorder<'_>,
        email: &str,
        org_arn: &str,
        key_arn: &str,
    ) -> Result<MailboxKeys> {
        let memory = Location::ServiceMemory {
            service: ACTOR.to_owned(),
        };
        let store = Location::MailboxStore {
            mailbox: email.to_owned(),
        };
        let kms_key = Id::kms_key(key_arn);
        let internal = |e: crypto::RsaError| WorkMailError::InternalServer(format!("{e}"));
        let private = crypto::rsa_generate(&mut rec.env.rng, 2048).map_err(internal)?;
        let der = crypto::rsa_private_to_der(&private).map_err(internal)?;
        let public = RsaPublicKey::from(&private);
        let public_der = crypto::rsa_public_to_der(&public).map_err(internal)?;
        let private_id = Id::PrivateKey(email.to_owned());
        let public_id = Id::PublicKey(email.to_owned());
        let private_label = format!("Private key ({email})");
        let public_label = format!("Public key ({email})");
        rec.note(
            ACTOR,
            None,
            Story::new("Generate the mailbox key pair (legacy)", format!("This is a legacy mailbox: WorkMail generates an RSA-2048 key pair for {email} outside KMS. The public key will encrypt each message key; the private key decrypts them.")).with(vec![
                M::new(private_id.clone(), K::PrivateKey, private_label.clone(), A::Generated, memory.clone(), &der),
                M::new(public_id.clone(), K::PublicKey, public_label.clone(), A::Generated, memory.clone(), &public_der),
            ]),
        );
        let encrypted = rec
            .kms(
                ACTOR,
                &Caller::service(self.endpoint()),
                Story::new("Encrypt the private key with KMS", "WorkMail asks KMS to encrypt the mailbox's private key under the organization's KMS key, with the organization ARN as encryption context."),
                EncryptRequest {
                    key_id: key_arn.to_owned(),
                    plaintext: Secret(der.clone()),
                    encryption_context: Some(Self::context(org_arn)),
                    ..Default::default()
                },
                Kms::encrypt,
            )
            .map_err(kms_failure("encrypt the new mailbox's private key"))?;
        let ct = encrypted.ciphertext_blob.0;
        rec.note(
            ACTOR,
            None,
            Story::new("Store the keys, erase the private key", format!("WorkMail stores the public key and the encrypted private key in the metadata of {email}'s mailbox and erases the plaintext private key from memory.")).with(vec![
                M::new(Id::EncryptedPrivateKey(email.to_owned()), K::WrappedKey, format!("Encrypted private key ({email})"), A::Stored, store.clone(), &ct).under(kms_key, AES),
                M::new(public_id.clone(), K::PublicKey, public_label.clone(), A::Stored, store, &public_der),
                M::new(private_id, K::PrivateKey, private_label, A::Erased, memory.clone(), &der),
                M::new(public_id, K::PublicKey, public_label, A::Erased, memory, &public_der),
            ]),
        );
        Ok(MailboxKeys::Legacy {
            public_key: Box::new(public),
            encrypted_private_key: ct,
        })
    }

    /// A mailbox key made outside KMS and encrypted by KMS.
    fn new_mailbox_key(
        &self,
        rec: &mut Recorder<'_>,
        email: &str,
        org_arn: &str,
        key_arn: &str,
    ) -> Result<MailboxKeys> {
        let memory = Location::ServiceMemory {
            service: ACTOR.to_owned(),
        };
        let store = Location::MailboxStore {
            mailbox: email.to_owned(),
        };
        let kms_key = Id::kms_key(key_arn);
        let key_id = Id::MailboxKey(email.to_owned());
        let wrapped_id = Id::EncryptedMailboxKey(email.to_owned());
        let wrapped_label = format!("Encrypted mailbox key ({email})");
        let mailbox_key = rec.env.rng.secret::<32>();
        rec.note(
            ACTOR,
            None,
            Story::new(
                "Generate the mailbox key",
                format!(
                    "WorkMail generates a unique 256-bit AES mailbox key for {email}, outside KMS."
                ),
            )
            .with(vec![M::new(
                key_id.clone(),
                K::MailboxKey,
                mailbox_key_label(email),
                A::Generated,
                memory.clone(),
                mailbox_key.as_ref(),
            )]),
        );
        let encrypted = rec
            .kms(
                ACTOR,
                &Caller::service(self.endpoint()),
                Story::new("Encrypt the mailbox key with KMS", "WorkMail asks KMS to encrypt the mailbox key under the organization's KMS key, with the organization ARN as encryption context (allowed by WorkMail's grant)."),
                EncryptRequest {
                    key_id: key_arn.to_owned(),
                    plaintext: Secret::new(mailbox_key.to_vec()),
                    encryption_context: Some(Self::context(org_arn)),
                    ..Default::default()
                },
                Kms::encrypt,
            )
            .map_err(kms_failure("encrypt the new mailbox key"))?;
        let ct = encrypted.ciphertext_blob.0;
        rec.attach([M::new(
            wrapped_id.clone(),
            K::WrappedKey,
            wrapped_label.clone(),
            A::Wrapped,
            memory.clone(),
            &ct,
        )
        .under(kms_key.clone(), AES)]);
        rec.note(
            ACTOR,
            None,
            Story::new("Store the encrypted mailbox key", format!("WorkMail stores the encrypted mailbox key in the metadata of {email}'s mailbox and erases the plaintext mailbox key; it is never written to disk.")).with(vec![
                M::new(wrapped_id.clone(), K::WrappedKey, wrapped_label.clone(), A::Stored, store, &ct).under(kms_key, AES),
                M::new(key_id, K::MailboxKey, mailbox_key_label(email), A::Erased, memory.clone(), mailbox_key.as_ref()),
                M::new(wrapped_id, K::WrappedKey, wrapped_label, A::Erased, memory, &ct),
            ]),
        );
        Ok(MailboxKeys::Symmetric {
            encrypted_mailbox_key: ct,
        })
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
    ) -> Result<Zeroizing<Vec<u8>>> {
        let org = self.org(org_id)?;
        let Some(mb) = org.mailboxes.get(mailbox) else {
            return Err(WorkMailError::EntityNotFound(format!(
                "No mailbox {mailbox} in {org_id}. Register a user with RegisterToWorkMail first."
            )));
        };
        let (artifact, kind, label, ct) = match &mb.keys {
            MailboxKeys::Symmetric {
                encrypted_mailbox_key,
            } => (
                Id::MailboxKey(mailbox.to_owned()),
                K::MailboxKey,
                mailbox_key_label(mailbox),
                encrypted_mailbox_key.clone(),
            ),
            MailboxKeys::Legacy {
                encrypted_private_key,
                ..
            } => (
                Id::PrivateKey(mailbox.to_owned()),
                K::PrivateKey,
                format!("Private key ({mailbox})"),
                encrypted_private_key.clone(),
            ),
        };
        let noun = if kind == K::PrivateKey {
            "private key"
        } else {
            "mailbox key"
        };
        let org_arn = org.arn.clone();
        let kms_key = Id::kms_key(&org.kms_key_arn);
        let now = rec.env.clock.now_ms();
        if let Some(hit) = self.cache.get(client, mailbox, now) {
            let left = hit.expires_ms.saturating_sub(now) / 1000;
            let key = hit.key.clone();
            rec.note(
                ACTOR,
                None,
                Story::new("Mailbox key from the cache", format!("{client} still has the plaintext {noun} of {mailbox} in its cache ({left} s left), so WorkMail makes no KMS call to {why}.")).with(vec![M::new(artifact, kind, label, A::CacheHit, Location::Cache { client: client.to_owned() }, &key)]),
            );
            return Ok(key);
        }
        let decrypted = rec
            .kms(
                ACTOR,
                &Caller::service(self.endpoint()),
                Story::new("Decrypt the mailbox key with KMS", format!("To {why}, WorkMail sends the encrypted {noun} of {mailbox} to KMS Decrypt with the organization's encryption context; KMS finds the key from the ciphertext itself.")),
                DecryptRequest {
                    ciphertext_blob: Bytes(ct),
                    encryption_context: Some(Self::context(&org_arn)),
                    ..Default::default()
                },
                Kms::decrypt,
            )
            .map_err(|error| WorkMailError::Kms {
                what: format!("decrypt the key of mailbox {mailbox}"),
                error,
            })?;
        let key = decrypted.plaintext.0;
        let expires = self.cache.put(client, mailbox, key.clone(), now);
        rec.attach([
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
            M::new(
                artifact,
                kind,
                label,
                A::Cached,
                Location::Cache {
                    client: client.to_owned(),
                },
                &key,
            ),
        ]);
        rec.append_sentence(&format!(
            " The plaintext key is cached for {client} until {} (one minute).",
            crate::env::iso8601(expires / 1000)
        ));
        Ok(key)
    }

    fn deliver(
        &mut self,
        rec: &mut Recorder<'_>,
        mut req: DeliverMessageRequest,
    ) -> Result<DeliverMessageResponse> {
        let mailbox = req.mailbox.to_ascii_lowercase();
        req.mailbox = mailbox.clone();
        let org = self.org(&req.organization_id)?;
        let Some(mb) = org.mailboxes.get(&mailbox) else {
            return Err(WorkMailError::EntityNotFound(format!(
                "No mailbox {mailbox} in {}.",
                req.organization_id
            )));
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
        let noun = req.kind.noun();
        let message_label = format!("{} \"{}\"", capitalise(noun), req.subject);
        let message = Id::Message(message_id.clone());
        let message_key_id = Id::MessageKey(message_id.clone());
        let encrypted = Id::EncryptedMessage(message_id.clone());
        let wrapped_id = Id::EncryptedMessageKey(message_id.clone());
        rec.note(
            ACTOR,
            None,
            Story::new("Encrypt the message with a new message key", format!("A {noun} arrives for {mailbox}. WorkMail generates a unique 256-bit message key and encrypts the {noun} with it (AES-256-GCM, outside KMS).")).with(vec![
                M::new(message.clone(), K::Message, message_label.clone(), A::Generated, memory.clone(), &text).preview(req.subject.clone()),
                M::new(message_key_id.clone(), K::MessageKey, "Message key", A::Generated, memory.clone(), message_key.as_ref()),
                M::new(encrypted.clone(), K::EncryptedMessage, format!("Encrypted {noun}"), A::Wrapped, memory.clone(), &ciphertext).under(message_key_id.clone(), AES),
            ]),
        );
        let (wrapped, wrapper, algorithm) = match legacy_public {
            Some(public) => {
                let wrapped = crypto::rsa_oaep_encrypt(
                    &mut rec.env.rng,
                    &public,
                    OaepHash::Sha256,
                    message_key.as_ref(),
                )
                .map_err(|e| WorkMailError::InternalServer(format!("{e}")))?;
                let wrapper = Id::PublicKey(mailbox.clone());
                rec.note(
                    ACTOR,
                    None,
                    Story::new("Encrypt the message key with the public key", format!("{mailbox} is a legacy mailbox: WorkMail encrypts the message key with the mailbox's RSA public key, which needs no KMS call.")).with(vec![M::new(wrapped_id.clone(), K::WrappedKey, "Encrypted message key", A::Wrapped, memory.clone(), &wrapped).under(wrapper.clone(), RSA_OAEP)]),
                );
                (wrapped, wrapper, RSA_OAEP)
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
                    WorkMailError::InternalServer(
                        "The mailbox key has the wrong length.".to_owned(),
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
                let wrapper = Id::MailboxKey(mailbox.clone());
                rec.note(
                    ACTOR,
                    None,
                    Story::new("Encrypt the message key with the mailbox key", "WorkMail encrypts the message key under the plaintext mailbox key (AES-256-GCM, outside KMS).").with(vec![M::new(wrapped_id.clone(), K::WrappedKey, "Encrypted message key", A::Wrapped, memory.clone(), &wrapped).under(wrapper.clone(), AES)]),
                );
                (wrapped, wrapper, AES)
            }
        };
        rec.note(
            ACTOR,
            None,
            Story::new("Store the encrypted message and its key", format!("WorkMail writes the encrypted {noun} to {mailbox}'s mailbox with the encrypted message key in its metadata, and erases the plaintext message key and {noun} from memory.")).with(vec![
                M::new(encrypted.clone(), K::EncryptedMessage, format!("Encrypted {noun}"), A::Stored, store.clone(), &ciphertext).under(message_key_id.clone(), AES),
                M::new(wrapped_id.clone(), K::WrappedKey, "Encrypted message key", A::Stored, store, &wrapped).under(wrapper, algorithm),
                M::new(message_key_id, K::MessageKey, "Message key", A::Erased, memory.clone(), message_key.as_ref()),
                M::new(message, K::Message, message_label, A::Erased, memory.clone(), &text),
                M::new(encrypted, K::EncryptedMessage, format!("Encrypted {noun}"), A::Erased, memory.clone(), &ciphertext),
                M::new(wrapped_id, K::WrappedKey, "Encrypted message key", A::Erased, memory.clone(), &wrapped),
                M::new(Id::MailboxKey(mailbox.clone()), K::MailboxKey, mailbox_key_label(&mailbox), A::Erased, memory, &[0u8; 32]),
            ]),
        );
        if let Some(mb) = self
            .orgs
            .get_mut(&req.organization_id)
            .and_then(|o| o.mailboxes.get_mut(&mailbox))
        {
            mb.messages.insert(
                message_id.clone(),
                StoredMessage {
                    kind: req.kind,
                    nonce,
                    ciphertext,
                    encrypted_message_key: wrapped,
                },
            );
        }
        let response = DeliverMessageResponse { message_id };
        let shown = rec.display(&req);
        rec.outcome(
            ACTOR,
            Call::Service(Service::WorkMail, Operation::DeliverMessage.name()),
            shown,
            Ok::<_, &WorkMailError>(&response),
            Story::new(
                "Message delivered",
                format!(
                    "The {noun} is stored encrypted; only the mailbox's {} can unlock its message key.",
                    if algorithm == RSA_OAEP {
                        "private key"
                    } else {
                        "mailbox key"
                    }
                ),
            ),
        );
        Ok(response)
    }

    fn stored(
        &self,
        org_id: &str,
        mailbox: &str,
        message_id: &str,
    ) -> Result<(StoredMessage, bool)> {
        let org = self.org(org_id)?;
        let mb = org.mailboxes.get(mailbox).ok_or_else(|| {
            WorkMailError::EntityNotFound(format!("No mailbox {mailbox} in {org_id}."))
        })?;
        let m = mb.messages.get(message_id).ok_or_else(|| {
            WorkMailError::EntityNotFound(format!("No message {message_id} in {mailbox}. Use the MessageId that DeliverMessage returned."))
        })?;
        Ok((m.clone(), matches!(mb.keys, MailboxKeys::Legacy { .. })))
    }

    fn read(
        &mut self,
        rec: &mut Recorder<'_>,
        mut req: MessageRequest,
    ) -> Result<ReadMessageResponse> {
        let mailbox = req.mailbox.to_ascii_lowercase();
        req.mailbox = mailbox.clone();
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
        let id = req.message_id.clone();
        let corrupt = || {
            WorkMailError::InternalServer(format!(
                "Message {id} could not be decrypted: its stored ciphertext or key was modified."
            ))
        };
        let (message_key, wrapper, algorithm) = if legacy {
            let private = crypto::rsa_private_from_der(&key).map_err(|_| corrupt())?;
            let mk = crypto::rsa_oaep_decrypt(&private, OaepHash::Sha256, &wrapped)
                .map_err(|_| corrupt())?;
            (mk, Id::PrivateKey(mailbox.clone()), RSA_OAEP)
        } else {
            let k: [u8; 32] = key.as_slice().try_into().map_err(|_| corrupt())?;
            let k = Zeroizing::new(k);
            let (wn, wct) = wrapped.split_at_checked(NONCE_LEN).ok_or_else(corrupt)?;
            let wn: [u8; NONCE_LEN] = wn.try_into().map_err(|_| corrupt())?;
            (
                crypto::open(&k, &wn, id.as_bytes(), wct).map_err(|_| corrupt())?,
                Id::MailboxKey(mailbox.clone()),
                AES,
            )
        };
        let message_key_id = Id::MessageKey(id.clone());
        rec.note(
            ACTOR,
            None,
            Story::new(
                "Decrypt the message key",
                format!(
                    "WorkMail decrypts the message key with the {} (outside KMS).",
                    if legacy {
                        "mailbox's private key"
                    } else {
                        "plaintext mailbox key"
                    }
                ),
            )
            .with(vec![M::new(
                message_key_id.clone(),
                K::MessageKey,
                "Message key",
                A::Unwrapped,
                memory.clone(),
                &message_key,
            )
            .under(wrapper, algorithm)]),
        );
        let mk: [u8; 32] = message_key.as_slice().try_into().map_err(|_| corrupt())?;
        let mk = Zeroizing::new(mk);
        let text = crypto::open(&mk, &nonce, id.as_bytes(), &ciphertext).map_err(|_| corrupt())?;
        let text_str = String::from_utf8_lossy(&text).into_owned();
        let (subject, body) = text_str
            .strip_prefix("Subject: ")
            .and_then(|t| t.split_once("\r\n\r\n"))
            .unwrap_or(("", &text_str));
        let message = Id::Message(id.clone());
        let message_label = format!("Message \"{subject}\"");
        rec.note(
            ACTOR,
            None,
            Story::new("Decrypt the message", format!("WorkMail decrypts the message with the message key and returns it to {}; the plaintext message key is erased.", req.client)).with(vec![
                M::new(message.clone(), K::Message, message_label.clone(), A::Unwrapped, memory.clone(), &text).under(message_key_id.clone(), AES).preview(subject.to_owned()),
                M::new(message_key_id, K::MessageKey, "Message key", A::Erased, memory.clone(), &message_key),
            ]),
        );
        let response = ReadMessageResponse {
            message_id: id.clone(),
            kind,
            subject: subject.to_owned(),
            body: body.to_owned(),
        };
        let (unlocked, unlocked_kind, unlocked_label) = if legacy {
            (
                Id::PrivateKey(mailbox.clone()),
                K::PrivateKey,
                format!("Private key ({mailbox})"),
            )
        } else {
            (
                Id::MailboxKey(mailbox.clone()),
                K::MailboxKey,
                mailbox_key_label(&mailbox),
            )
        };
        let shown = rec.display(&req);
        rec.outcome(
            ACTOR,
            Call::Service(Service::WorkMail, Operation::ReadMessage.name()),
            shown,
            Ok::<_, &WorkMailError>(&response),
            Story::new("Message read", format!("{} reads \"{subject}\"; WorkMail keeps no plaintext: the message and the key it used leave its memory (the mailbox key stays only in {}'s cache).", req.client, req.client)).with(vec![
                M::new(message, K::Message, message_label, A::Erased, memory.clone(), &text),
                M::new(unlocked, unlocked_kind, unlocked_label, A::Erased, memory, &key),
            ]),
        );
        Ok(response)
    }

    fn delete(&mut self, rec: &mut Recorder<'_>, mut req: MessageRequest) -> Result<Empty> {
        let mailbox = req.mailbox.to_ascii_lowercase();
        req.mailbox = mailbox.clone();
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
        let id = req.message_id.clone();
        let store = Location::MailboxStore {
            mailbox: mailbox.clone(),
        };
        let memory = Location::ServiceMemory {
            service: ACTOR.to_owned(),
        };
        let shown = rec.display(&req);
        rec.outcome(
            ACTOR,
            Call::Service(Service::WorkMail, Operation::DeleteMessage.name()),
            shown,
            Ok::<_, &WorkMailError>(&Empty {}),
            Story::new("Message deleted", "WorkMail deletes the encrypted message and its encrypted message key from the mailbox.").with(vec![
                M::new(Id::EncryptedMessage(id.clone()), K::EncryptedMessage, "Encrypted message", A::Deleted, store.clone(), &ciphertext),
                M::new(Id::EncryptedMessageKey(id), K::WrappedKey, "Encrypted message key", A::Deleted, store, &wrapped),
                M::new(Id::MailboxKey(mailbox.clone()), K::MailboxKey, mailbox_key_label(&mailbox), A::Erased, memory.clone(), &[0u8; 32]),
                M::new(Id::PrivateKey(mailbox.clone()), K::PrivateKey, format!("Private key ({mailbox})"), A::Erased, memory, &[0u8; 32]),
            ]),
        );
        Ok(Empty {})
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
