//! The Amazon S3 encryption client, as the mailbox owner runs it to read what SES stored.
//!
//! It fetches the object, reads its [`Envelope`] (the format is in `envelope.rs`), asks KMS
//! to decrypt the data key with the envelope's encryption context — as the owner, with the
//! owner's own permissions — and decrypts the body with AES-256-GCM, whose tag proves the
//! object was not modified after it was written.

use super::envelope::Envelope;
use super::{GetObjectResponse, ObjectRequest, S3Error, S3};
use crate::authz::Caller;
use crate::crypto;
use crate::kms::types::DecryptRequest;
use crate::kms::{Kms, KmsError};
use crate::record::{
    ArtifactId as Id, ArtifactKind as K, Call, Location, MaterialAction as A, MaterialEvent as M,
    Recorder, Service, ServiceError, Story,
};
use crate::wire::Bytes;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

crate::service_operations! {
    /// A typed S3 encryption client request.
    request S3ecRequest;
    /// A typed S3 encryption client response.
    response S3ecResponse;
    /// Fetches and decrypts an object.
    GetObject(ObjectRequest) -> DecryptedObject,
}

/// What the client returns: the decrypted object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptedObject {
    /// The plaintext, base64.
    pub body: Bytes,
    /// The plaintext as text (lossy UTF-8), for reading the mail.
    pub text: String,
    /// The plaintext length.
    pub content_length: usize,
    /// The object's user metadata (the envelope).
    pub metadata: BTreeMap<String, String>,
}

/// Why the client could not give back the plaintext.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum S3ecError {
    /// Fetching the object failed.
    #[error(transparent)]
    S3(#[from] S3Error),
    /// The object is not a well-formed S3 encryption client object (`InvalidEnvelope`).
    #[error("{0}")]
    InvalidEnvelope(String),
    /// KMS refused to decrypt the data key; its error name is passed on.
    #[error("The owner could not decrypt the data key of {object}: {}", .error.explained())]
    Kms {
        /// `bucket/key`.
        object: String,
        /// What KMS said.
        error: KmsError,
    },
    /// The body does not decrypt with its data key (`InvalidCiphertext`).
    #[error("{0}")]
    InvalidCiphertext(String),
}

impl ServiceError for S3ecError {
    fn name(&self) -> &str {
        match self {
            S3ecError::S3(e) => e.name(),
            S3ecError::InvalidEnvelope(_) => "InvalidEnvelope",
            S3ecError::Kms { error, .. } => error.code.name(),
            S3ecError::InvalidCiphertext(_) => "InvalidCiphertext",
        }
    }
}

const CALL: Call = Call::Service(Service::S3EncryptionClient, "GetObject");

/// Fetches and decrypts an object as `caller`, recording each step. `shown` is the request
/// as the caller wrote it.
pub(crate) fn call(
    rec: &mut Recorder<'_>,
    s3: &S3,
    caller: &Caller,
    request: S3ecRequest,
    shown: Option<Value>,
) -> Result<S3ecResponse, S3ecError> {
    let S3ecRequest::GetObject(r) = request;
    let actor = format!("S3 encryption client ({})", caller.name());
    let result = get_object(rec, s3, caller, &actor, &r, shown.clone());
    if let Err(e) = &result {
        rec.outcome(
            &actor,
            CALL,
            shown,
            Err::<&(), _>(e),
            Story::new("GetObject", ""),
        );
    }
    result.map(S3ecResponse::GetObject)
}

fn get_object(
    rec: &mut Recorder<'_>,
    s3: &S3,
    caller: &Caller,
    actor: &str,
    r: &ObjectRequest,
    shown: Option<Value>,
) -> Result<DecryptedObject, S3ecError> {
    let object = s3.object(&r.bucket, &r.key)?.clone();
    let me = Location::CallerMemory {
        principal: caller.name().to_owned(),
    };
    let id = format!("{}/{}", r.bucket, r.key);
    let fetched = GetObjectResponse {
        body: None,
        content_length: object.body.len(),
        metadata: object.metadata.clone(),
    };
    let fetch_shown = rec.display(r);
    rec.outcome(
        actor,
        Call::Service(Service::S3, super::Operation::GetObject.name()),
        fetch_shown,
        Ok::<_, &S3Error>(&fetched),
        Story::new("Fetch the encrypted object", format!("The owner's S3 encryption client fetches {id}: {} bytes of ciphertext, and the envelope in its metadata.", object.body.len()))
            .with(vec![M::new(Id::Object(id.clone()), K::EncryptedMessage, "Encrypted email", A::Read, me.clone(), &object.body)]),
    );
    let envelope = Envelope::from_metadata(&object.metadata).map_err(|why| {
        S3ecError::InvalidEnvelope(format!(
            "{id} cannot be decrypted by the S3 encryption client: {why}."
        ))
    })?;
    let ctx = envelope.encryption_context();
    let key_arn = ctx.get("kms_cmk_id").unwrap_or_default().to_owned();
    let plus = if envelope.wrap == super::envelope::KeyWrap::KmsContext {
        " plus aws:x-amz-cek-alg"
    } else {
        ""
    };
    let decrypted = rec
        .kms(
            actor,
            caller,
            Story::new("Decrypt the data key with KMS", format!("The client sends the encrypted data key from x-amz-key-v2 to KMS Decrypt, with the whole material description (x-amz-matdesc{plus}) as encryption context, as {} itself.", caller.name())),
            DecryptRequest {
                ciphertext_blob: Bytes(envelope.encrypted_key.clone()),
                encryption_context: Some(ctx),
                ..Default::default()
            },
            Kms::decrypt,
        )
        .map_err(|error| S3ecError::Kms {
            object: id.clone(),
            error,
        })?;
    let data_key = decrypted.plaintext.0;
    let kms_key = Id::kms_key(if decrypted.key_id.is_empty() {
        &key_arn
    } else {
        &decrypted.key_id
    });
    let data_key_id = Id::DataKey(id.clone());
    rec.attach([M::new(
        data_key_id.clone(),
        K::DataKey,
        "Data key",
        A::Unwrapped,
        me.clone(),
        &data_key,
    )
    .under(kms_key, "AES-256-GCM")]);
    let key: Result<[u8; 32], _> = data_key.as_slice().try_into();
    let plain = key
        .ok()
        .map(Zeroizing::new)
        .and_then(|k| crypto::open(&k, &envelope.iv, &[], &object.body).ok())
        .ok_or_else(|| {
            S3ecError::InvalidCiphertext(format!("{id}: the object body does not decrypt with its data key; it was modified after SES wrote it."))
        })?;
    let text = String::from_utf8_lossy(&plain).into_owned();
    let subject = text
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
        .to_owned();
    let response = DecryptedObject {
        body: Bytes(plain.to_vec()),
        text,
        content_length: plain.len(),
        metadata: object.metadata.clone(),
    };
    rec.outcome(
        actor,
        CALL,
        shown,
        Ok::<_, &S3ecError>(&response),
        Story::new("Decrypt the email", "The client decrypts the email with the data key (AES-256-GCM; the tag checks it was not modified) and erases the data key.").with(vec![
            M::new(Id::Email(id), K::Message, format!("Email \"{subject}\""), A::Unwrapped, me.clone(), &plain).under(data_key_id.clone(), "AES-256-GCM").preview(subject),
            M::new(data_key_id, K::DataKey, "Data key", A::Erased, me, &data_key),
        ]),
    );
    Ok(response)
}
