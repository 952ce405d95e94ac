//! How a KMS call made directly by a principal reads in the trace: its sentence, and the
//! ciphertexts, data keys and plaintexts it brought into the caller's memory.

use super::artifact::ArtifactId as Id;
use super::trace::{ArtifactKind as K, Location, MaterialAction as A, MaterialEvent as M};
use crate::kms::{KmsError, KmsRequest, KmsResponse, Operation};

/// What the story needs from the request, taken before the request is handed to KMS.
pub struct DirectStory {
    actor: String,
    plaintext_len: usize,
    ciphertext: Vec<u8>,
}

/// The first bytes of a blob, in hex: the id of the artifacts a direct call made.
fn short(b: &[u8]) -> String {
    hex::encode(b.get(..6).unwrap_or(b))
}

/// Starts the story of `request`, made by `actor`.
pub fn direct(actor: &str, request: &KmsRequest) -> DirectStory {
    let (plaintext_len, ciphertext) = match request {
        KmsRequest::Encrypt(r) => (r.plaintext.expose().len(), Vec::new()),
        KmsRequest::Decrypt(r) => (0, r.ciphertext_blob.0.clone()),
        _ => (0, Vec::new()),
    };
    DirectStory {
        actor: actor.to_owned(),
        plaintext_len,
        ciphertext,
    }
}

/// The story of a refused call.
pub fn refused(actor: &str, operation: Operation, e: &KmsError) -> (String, Vec<M>) {
    (
        format!("{actor} called {operation} and KMS refused: {e}"),
        Vec::new(),
    )
}

impl DirectStory {
    /// The sentence and key-material events of a call that succeeded.
    pub fn told(self, response: &KmsResponse) -> (String, Vec<M>) {
        let actor = self.actor;
        let me = Location::CallerMemory {
            principal: actor.clone(),
        };
        match response {
            KmsResponse::Encrypt(r) => {
                let ct = &r.ciphertext_blob.0;
                (
                    format!("{actor} sent {} bytes of plaintext to KMS, which encrypted them under its KMS key and returned a {}-byte ciphertext blob.", self.plaintext_len, ct.len()),
                    vec![M::new(Id::Ciphertext(short(ct)), K::Ciphertext, "Ciphertext blob", A::Wrapped, me, ct).under(Id::kms_key(&r.key_id), "AES-256-GCM")],
                )
            }
            KmsResponse::Decrypt(r) => {
                let pt = r.plaintext.expose();
                (
                    format!("KMS found its key from the ciphertext blob itself, checked the encryption context, and returned {} bytes of plaintext to {actor}.", pt.len()),
                    vec![M::new(Id::Plaintext(short(&self.ciphertext)), K::Plaintext, "Decrypted plaintext", A::Unwrapped, me, pt).under(Id::kms_key(&r.key_id), "AES-256-GCM")],
                )
            }
            KmsResponse::GenerateDataKey(r) => {
                let plaintext = r.plaintext.as_ref().map(|p| p.expose());
                data_key_story(actor, me, &r.ciphertext_blob.0, &r.key_id, plaintext)
            }
            KmsResponse::GenerateDataKeyWithoutPlaintext(r) => {
                data_key_story(actor, me, &r.ciphertext_blob.0, &r.key_id, None)
            }
            KmsResponse::ReEncrypt(r) => {
                let ct = &r.ciphertext_blob.0;
                (
                    format!("KMS decrypted the ciphertext inside KMS and re-encrypted it under {}; the plaintext never left KMS.", r.key_id),
                    vec![M::new(Id::Ciphertext(short(ct)), K::Ciphertext, "Re-encrypted ciphertext", A::Wrapped, me, ct).under(Id::kms_key(&r.key_id), "AES-256-GCM")],
                )
            }
            KmsResponse::CreateKey(r) => {
                let meta = &r.key_metadata;
                let id = &meta.key_id;
                (
                    format!("{actor} created the {} KMS key {}; its key material was generated inside KMS and never leaves it.", meta.key_spec.name(), meta.arn),
                    vec![M::new(Id::KmsKey(id.clone()), K::KmsKey, format!("KMS key {}", id.get(..8).unwrap_or(id)), A::Generated, Location::Kms, &[])],
                )
            }
            other => (
                format!(
                    "{actor} called {}; KMS allowed it and it succeeded.",
                    other.operation()
                ),
                Vec::new(),
            ),
        }
    }
}

/// The story of GenerateDataKey (with the plaintext copy) or
/// GenerateDataKeyWithoutPlaintext (without).
fn data_key_story(
    actor: String,
    me: Location,
    ct: &[u8],
    key_id: &str,
    plaintext: Option<&[u8]>,
) -> (String, Vec<M>) {
    let id = short(ct);
    let key = Id::kms_key(key_id);
    let mut m = vec![M::new(
        Id::EncryptedDataKey(id.clone()),
        K::WrappedKey,
        "Encrypted data key",
        A::Wrapped,
        me.clone(),
        ct,
    )
    .under(key, "AES-256-GCM")];
    if let Some(plaintext) = plaintext {
        m.insert(
            0,
            M::new(
                Id::DataKey(id),
                K::DataKey,
                "Data key (plaintext)",
                A::Generated,
                me,
                plaintext,
            ),
        );
    }
    (
        format!(
            "KMS generated a unique data key and returned it encrypted under the KMS key{} to {actor}.",
            if plaintext.is_some() { ", together with its plaintext copy" } else { " (no plaintext copy)" }
        ),
        m,
    )
}
