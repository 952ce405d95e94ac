//! The Amazon S3 encryption client, as the mailbox owner runs it to read what SES stored.
//!
//! SES writes objects in the S3 encryption client's envelope format (SES developer guide,
//! *Deliver to S3 bucket action*; the S3 encryption client's metadata format): the body is
//! `AES/GCM/NoPadding` ciphertext with the 128-bit tag appended, and the user metadata holds
//! `x-amz-key-v2` (the KMS-encrypted data key, base64), `x-amz-iv` (12-byte IV, base64),
//! `x-amz-cek-alg`, `x-amz-wrap-alg` (`kms` for the legacy wrapping SES uses, or
//! `kms+context`), `x-amz-tag-len` (`128`), `x-amz-unencrypted-content-length`, and
//! `x-amz-matdesc`, the JSON material description. With `kms`, the whole matdesc is the
//! encryption context given to KMS; with `kms+context` the client adds the reserved pair
//! `"aws:x-amz-cek-alg": "AES/GCM/NoPadding"` to it.

use super::S3;
use crate::caller::Caller;
use crate::context::EncryptionContext;
use crate::crypto::{self, NONCE_LEN};
use crate::trace::{
    kms_key_artifact, ArtifactKind as K, Location, MaterialAction as A, MaterialEvent as M,
};
use crate::wire::{b64, field_bytes, unb64};
use crate::world::{error, CallResult, Recorder};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// Content encryption algorithm of the envelope.
pub const CEK_ALG: &str = "AES/GCM/NoPadding";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct GetRequest {
    bucket: String,
    key: String,
}

/// The KMS encryption context for an object, from its metadata.
pub fn encryption_context(
    metadata: &BTreeMap<String, String>,
) -> Result<EncryptionContext, String> {
    let matdesc = metadata.get("x-amz-matdesc").ok_or(
        "the object has no x-amz-matdesc metadata, so it is not an S3 encryption client object",
    )?;
    let mut ctx: EncryptionContext = serde_json::from_str(matdesc)
        .map_err(|e| format!("x-amz-matdesc is not a JSON map of strings: {e}"))?;
    match metadata.get("x-amz-wrap-alg").map(String::as_str) {
        Some("kms") => {}
        Some("kms+context") => {
            ctx.0
                .insert("aws:x-amz-cek-alg".to_owned(), CEK_ALG.to_owned());
        }
        Some(other) => {
            return Err(format!(
                "x-amz-wrap-alg {other} is not a KMS wrapping (kms or kms+context)"
            ))
        }
        None => return Err("the object has no x-amz-wrap-alg metadata".to_owned()),
    }
    Ok(ctx)
}

pub(crate) fn call(
    rec: &mut Recorder<'_>,
    s3: &S3,
    caller: &Caller,
    operation: &str,
    request: &Value,
) -> CallResult {
    let actor = format!("S3 encryption client ({})", caller.name());
    if operation != "GetObject" {
        let e = error(
            "UnknownOperationException",
            format!(
                "s3ec:{operation} is not modelled; the S3 encryption client here offers GetObject."
            ),
        );
        rec.outcome(
            &actor,
            &format!("s3ec:{operation}"),
            request,
            &Err(e.clone()),
            operation,
            String::new(),
            Vec::new(),
        );
        return Err(e);
    }
    let r: GetRequest = crate::world::parse_request("InvalidArgument", "s3ec:GetObject", request)?;
    let fail = |rec: &mut Recorder<'_>, e: crate::trace::ErrorBody| {
        rec.outcome(
            &actor,
            "s3ec:GetObject",
            request,
            &Err(e.clone()),
            "GetObject",
            String::new(),
            Vec::new(),
        );
        Err(e)
    };
    let object = match s3.object(&r.bucket, &r.key) {
        Ok(o) => o.clone(),
        Err(e) => return fail(rec, e),
    };
    let me = Location::CallerMemory {
        principal: caller.name().to_owned(),
    };
    let id = format!("{}/{}", r.bucket, r.key);
    rec.outcome(
        &actor,
        "s3:GetObject",
        &json!({"Bucket": r.bucket, "Key": r.key}),
        &Ok(json!({"ContentLength": object.body.len(), "Metadata": object.metadata})),
        "Fetch the encrypted object",
        format!("The owner's S3 encryption client fetches {id}: {} bytes of ciphertext, and the envelope in its metadata.", object.body.len()),
        vec![M::new(format!("object:{id}"), K::EncryptedMessage, "Encrypted email", A::Read, me.clone(), &object.body)],
    );
    let meta = &object.metadata;
    let envelope = (|| -> Result<(EncryptionContext, Vec<u8>, [u8; NONCE_LEN]), String> {
        if meta.get("x-amz-cek-alg").map(String::as_str) != Some(CEK_ALG) {
            return Err(format!("x-amz-cek-alg must be {CEK_ALG}"));
        }
        if meta.get("x-amz-tag-len").map(String::as_str) != Some("128") {
            return Err("x-amz-tag-len must be 128".to_owned());
        }
        let ctx = encryption_context(meta)?;
        let wrapped = unb64(
            meta.get("x-amz-key-v2")
                .ok_or("the object has no x-amz-key-v2 metadata")?,
        )?;
        let iv: [u8; NONCE_LEN] = unb64(
            meta.get("x-amz-iv")
                .ok_or("the object has no x-amz-iv metadata")?,
        )?
        .try_into()
        .map_err(|_| "x-amz-iv must be 12 bytes")?;
        Ok((ctx, wrapped, iv))
    })();
    let (ctx, wrapped, iv) = match envelope {
        Ok(v) => v,
        Err(why) => {
            return fail(
                rec,
                error(
                    "InvalidEnvelope",
                    format!("{id} cannot be decrypted by the S3 encryption client: {why}."),
                ),
            )
        }
    };
    let key_arn = ctx.get("kms_cmk_id").unwrap_or_default().to_owned();
    let c = rec.kms(
        &actor,
        caller,
        "Decrypt",
        json!({"CiphertextBlob": b64(&wrapped), "EncryptionContext": ctx}),
        "Decrypt the data key with KMS",
        &format!("The client sends the encrypted data key from x-amz-key-v2 to KMS Decrypt, with the whole material description (x-amz-matdesc{}) as encryption context, as {} itself.", if meta.get("x-amz-wrap-alg").map(String::as_str) == Some("kms+context") { " plus aws:x-amz-cek-alg" } else { "" }, caller.name()),
        Vec::new(),
    );
    let resp = match c.response {
        Ok(v) => v,
        Err(e) => {
            return fail(
                rec,
                error(
                    e.code.name(),
                    format!(
                        "The owner could not decrypt the data key of {id}: {}",
                        e.message
                    ),
                ),
            )
        }
    };
    let data_key = Zeroizing::new(field_bytes(&resp, "Plaintext"));
    let kms_key = kms_key_artifact(
        resp.get("KeyId")
            .and_then(Value::as_str)
            .unwrap_or(&key_arn),
    );
    rec.attach([M::new(
        format!("data-key:{id}"),
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
        .and_then(|k| crypto::open(&k, &iv, &[], &object.body).ok());
    let Some(plain) = plain else {
        return fail(rec, error("InvalidCiphertext", format!("{id}: the object body does not decrypt with its data key; it was modified after SES wrote it.")));
    };
    let text = String::from_utf8_lossy(&plain).into_owned();
    let subject = text
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
        .to_owned();
    let response =
        json!({"Body": b64(&plain), "Text": text, "ContentLength": plain.len(), "Metadata": meta});
    rec.outcome(
        &actor,
        "s3ec:GetObject",
        request,
        &Ok(response.clone()),
        "Decrypt the email",
        "The client decrypts the email with the data key (AES-256-GCM; the tag checks it was not modified) and erases the data key.".to_owned(),
        vec![
            M::new(format!("email:{id}"), K::Message, format!("Email \"{subject}\""), A::Unwrapped, me.clone(), &plain).under(format!("data-key:{id}"), "AES-256-GCM").preview(subject),
            M::new(format!("data-key:{id}"), K::DataKey, "Data key", A::Erased, me, &data_key),
        ],
    );
    Ok(response)
}
