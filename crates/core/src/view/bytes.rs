//! The bytes of a ciphertext as its fields, each named, as the Illustrated TLS connection
//! shows a record: a KMS ciphertext blob is version, key id, backing key version, nonce,
//! ciphertext and tag (the layout is the playground's own, documented in `kms/blob.rs`);
//! what a service seals outside KMS with AES-256-GCM is nonce, ciphertext and tag, or
//! ciphertext and tag when the nonce is kept elsewhere; and an object written by the
//! Amazon S3 encryption client carries its envelope as metadata
//! ([`s3_envelope`]: `x-amz-key-v2`, `x-amz-iv`, `x-amz-matdesc`, ...).

use crate::diagram::kms_key_id;
use crate::trace::{ArtifactKind, Step};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

/// What part of a ciphertext a field is (one colour each on the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FieldRole {
    /// The format version.
    Version,
    /// Which KMS key sealed it.
    KeyId,
    /// Which backing key version of that KMS key.
    BackingVersion,
    /// The AES-GCM nonce (IV).
    Nonce,
    /// The encrypted bytes.
    Ciphertext,
    /// The AES-GCM authentication tag.
    Tag,
}

/// One field of a ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// Its name, e.g. `backing key version`.
    pub name: &'static str,
    /// What it is.
    pub role: FieldRole,
    /// Its first byte's offset in the whole.
    pub offset: usize,
    /// Its bytes, hex.
    pub hex: String,
    /// The value it encodes, when there is one to read (the key id, the version number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What it is for, in a few words.
    pub note: &'static str,
}

/// How a ciphertext's bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Format {
    /// A symmetric KMS ciphertext blob.
    KmsBlob,
    /// AES-256-GCM sealed outside KMS, the nonce in front (WorkMail's message key under
    /// the mailbox key).
    NonceCiphertextTag,
    /// AES-256-GCM sealed outside KMS, the nonce kept elsewhere (a WorkMail message, whose
    /// nonce is in its metadata; an S3 object, whose nonce is `x-amz-iv`).
    CiphertextTag,
    /// RSAES-OAEP: one opaque block.
    Rsa,
}

/// The format of an artifact of `kind` encrypted under `under` with `algorithm`, if it
/// is a ciphertext.
pub fn format_of(
    kind: ArtifactKind,
    under: Option<&str>,
    algorithm: Option<&str>,
) -> Option<Format> {
    let encrypted = matches!(
        kind,
        ArtifactKind::WrappedKey | ArtifactKind::Ciphertext | ArtifactKind::EncryptedMessage
    );
    if !encrypted {
        return None;
    }
    if algorithm.is_some_and(|a| a.starts_with("RSA")) {
        return Some(Format::Rsa);
    }
    if under.is_some_and(|u| kms_key_id(u).is_some()) {
        return Some(Format::KmsBlob);
    }
    Some(match kind {
        ArtifactKind::EncryptedMessage => Format::CiphertextTag,
        _ => Format::NonceCiphertextTag,
    })
}

const NONCE: usize = 12;
const TAG: usize = 16;

fn field(
    bytes: &[u8],
    from: usize,
    to: usize,
    name: &'static str,
    role: FieldRole,
    note: &'static str,
) -> Option<Field> {
    let part = bytes.get(from..to).filter(|p| !p.is_empty())?;
    Some(Field {
        name,
        role,
        offset: from,
        hex: hex::encode(part),
        value: None,
        note,
    })
}

/// `bytes` as the fields of `format`; the whole as one field when they do not fit it
/// (truncated, or not this format).
pub fn fields(format: Format, bytes: &[u8]) -> Vec<Field> {
    let n = bytes.len();
    let whole = || {
        field(
            bytes,
            0,
            n,
            "ciphertext",
            FieldRole::Ciphertext,
            "the encrypted bytes",
        )
        .into_iter()
        .collect()
    };
    let body = |from: usize| {
        [
            field(bytes, from, n - TAG, "ciphertext", FieldRole::Ciphertext, "the encrypted bytes, as long as the plaintext"),
            field(bytes, n - TAG, n, "tag", FieldRole::Tag, "AES-GCM authentication tag: changing any byte above, or the context, makes it fail"),
        ]
    };
    match format {
        Format::KmsBlob if n >= 33 + TAG && bytes.first() == Some(&1) => {
            let mut out: Vec<Field> = [
                field(bytes, 0, 1, "version", FieldRole::Version, "format version"),
                field(
                    bytes,
                    1,
                    17,
                    "key id",
                    FieldRole::KeyId,
                    "the KMS key that sealed it: Decrypt needs no KeyId",
                ),
                field(
                    bytes,
                    17,
                    21,
                    "backing key version",
                    FieldRole::BackingVersion,
                    "which key material: old ciphertexts decrypt after rotation",
                ),
                field(
                    bytes,
                    21,
                    33,
                    "nonce",
                    FieldRole::Nonce,
                    "AES-GCM nonce, fresh for every encryption",
                ),
            ]
            .into_iter()
            .chain(body(33))
            .flatten()
            .collect();
            if let Some(id) = out.get_mut(1) {
                let h = &id.hex;
                id.value = Some(format!(
                    "{}-{}-{}-{}-{}",
                    &h[..8],
                    &h[8..12],
                    &h[12..16],
                    &h[16..20],
                    &h[20..]
                ));
            }
            if let (Some(v), Some(raw)) = (out.get_mut(2), bytes.get(17..21)) {
                let mut be = [0u8; 4];
                be.copy_from_slice(raw);
                v.value = Some(u32::from_be_bytes(be).to_string());
            }
            out
        }
        Format::NonceCiphertextTag if n >= NONCE + TAG => [field(
            bytes,
            0,
            NONCE,
            "nonce",
            FieldRole::Nonce,
            "AES-GCM nonce, stored in front of the ciphertext",
        )]
        .into_iter()
        .chain(body(NONCE))
        .flatten()
        .collect(),
        Format::CiphertextTag if n >= TAG => body(0).into_iter().flatten().collect(),
        Format::Rsa => field(
            bytes,
            0,
            n,
            "RSA-OAEP ciphertext",
            FieldRole::Ciphertext,
            "one block, as long as the RSA modulus",
        )
        .into_iter()
        .collect(),
        _ => whole(),
    }
}

/// One entry of an S3 encryption-client envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvelopeEntry {
    /// The metadata key, e.g. `x-amz-key-v2`.
    pub name: String,
    /// Its value as stored.
    pub value: String,
    /// What it is for.
    pub note: &'static str,
    /// For `x-amz-key-v2`: the KMS ciphertext blob's fields; for `x-amz-iv`: the nonce.
    pub fields: Vec<Field>,
    /// For `x-amz-matdesc`: the encryption context given to KMS.
    pub context: Vec<(String, String)>,
}

/// The S3 encryption-client envelope in a step's request or response `Metadata`
/// (`s3:PutObject`, `s3:GetObject`, `s3ec:GetObject`), in the order the Amazon S3
/// encryption client's documentation lists it; `None` when there is none.
pub fn s3_envelope(step: &Step) -> Option<Vec<EnvelopeEntry>> {
    let metadata = [step.request.as_ref(), step.response.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("Metadata").and_then(Value::as_object))
        .find(|m| m.contains_key("x-amz-wrap-alg") || m.contains_key("x-amz-key-v2"))?;
    const ORDER: &[(&str, &str)] = &[
        ("x-amz-key-v2", "the data key, encrypted by KMS: a KMS ciphertext blob, base64"),
        ("x-amz-wrap-alg", "how the data key is wrapped: kms (the context is x-amz-matdesc), or kms+context"),
        ("x-amz-matdesc", "material description: the encryption context given to KMS, on GenerateDataKey and again on Decrypt"),
        ("x-amz-iv", "the body's 12-byte AES-GCM nonce, base64"),
        ("x-amz-cek-alg", "how the body is encrypted with the data key"),
        ("x-amz-tag-len", "the GCM tag length in bits: the body's last 16 bytes"),
        ("x-amz-unencrypted-content-length", "the plaintext's length in bytes"),
    ];
    let note_of = |k: &str| {
        ORDER
            .iter()
            .find(|(n, _)| *n == k)
            .map_or("", |(_, note)| note)
    };
    let mut names: Vec<&String> = metadata.keys().collect();
    names.sort_by_key(|k| {
        ORDER
            .iter()
            .position(|(n, _)| n == k)
            .unwrap_or(ORDER.len())
    });
    Some(
        names
            .into_iter()
            .map(|name| {
                let value = metadata
                    .get(name)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let decoded = || STANDARD.decode(value.trim()).ok();
                let fields = match name.as_str() {
                    "x-amz-key-v2" => decoded()
                        .map(|b| fields(Format::KmsBlob, &b))
                        .unwrap_or_default(),
                    "x-amz-iv" => decoded()
                        .and_then(|b| {
                            field(
                                &b,
                                0,
                                b.len(),
                                "nonce",
                                FieldRole::Nonce,
                                "AES-GCM nonce of the body",
                            )
                        })
                        .into_iter()
                        .collect(),
                    _ => Vec::new(),
                };
                let context = if name == "x-amz-matdesc" {
                    serde_json::from_str::<Value>(&value)
                        .ok()
                        .and_then(|v| v.as_object().cloned())
                        .map(|o| {
                            o.into_iter()
                                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
                                .collect()
                        })
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                EnvelopeEntry {
                    note: note_of(name),
                    name: name.clone(),
                    value,
                    fields,
                    context,
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::blob::CiphertextBlob;
    use crate::scenario::{builtin, run};

    fn ses_steps() -> Vec<Step> {
        let s = builtin("ses-receive")
            .and_then(|b| b.scenario().ok())
            .expect("builtin");
        run(&s, None).trace.steps
    }

    #[test]
    fn a_kms_blob_splits_into_the_documented_fields() {
        let steps = ses_steps();
        let ct = steps
            .iter()
            .flat_map(|s| &s.material)
            .find(|m| m.artifact.to_string().starts_with("data-key-ct:"))
            .expect("the encrypted data key");
        let bytes = hex::decode(ct.hex.as_deref().expect("public")).expect("hex");
        let under = ct.under.as_ref().map(|u| u.to_string());
        let format = format_of(ct.kind, under.as_deref(), ct.algorithm.as_deref());
        assert_eq!(format, Some(Format::KmsBlob));
        let f = fields(Format::KmsBlob, &bytes);
        let names: Vec<&str> = f.iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "version",
                "key id",
                "backing key version",
                "nonce",
                "ciphertext",
                "tag"
            ]
        );
        // The same as the engine's own parser reads.
        let parsed = CiphertextBlob::parse(&bytes).expect("a blob");
        assert_eq!(f[1].hex, hex::encode(parsed.key_id));
        assert_eq!(
            f[2].value.as_deref(),
            Some(parsed.backing_version.to_string().as_str())
        );
        assert_eq!(f[3].hex, hex::encode(parsed.nonce));
        assert_eq!(f[4].hex.len() / 2, 32, "a 32-byte data key");
        assert_eq!(f[5].offset, bytes.len() - 16);
        assert_eq!(
            f[1].value.as_deref(),
            Some("9a374450-4560-439e-8670-b7a17d492b27")
        );
        // Every byte is in exactly one field.
        assert_eq!(
            f.iter().map(|f| f.hex.len() / 2).sum::<usize>(),
            bytes.len()
        );
    }

    #[test]
    fn short_or_foreign_bytes_are_one_field() {
        assert_eq!(fields(Format::KmsBlob, &[2; 60]).len(), 1);
        assert_eq!(fields(Format::KmsBlob, &[1; 10]).len(), 1);
        assert_eq!(fields(Format::NonceCiphertextTag, &[0; 60]).len(), 3);
        assert_eq!(fields(Format::CiphertextTag, &[0; 20]).len(), 2);
        assert!(fields(Format::Rsa, &[]).is_empty());
        assert_eq!(format_of(ArtifactKind::MailboxKey, None, None), None);
    }

    #[test]
    fn the_s3_envelope_reads_in_order_with_its_parts() {
        let steps = ses_steps();
        let put = steps
            .iter()
            .find(|s| s.call.map(|c| c.to_string()).as_deref() == Some("s3:PutObject"))
            .expect("the object is written");
        let env = s3_envelope(put).expect("an envelope");
        assert_eq!(env[0].name, "x-amz-key-v2");
        assert_eq!(env[0].fields.len(), 6);
        let iv = env.iter().find(|e| e.name == "x-amz-iv").expect("iv");
        assert_eq!(iv.fields[0].hex.len(), 24);
        let matdesc = env
            .iter()
            .find(|e| e.name == "x-amz-matdesc")
            .expect("matdesc");
        assert!(matdesc
            .context
            .iter()
            .any(|(k, _)| k == "aws:ses:rule-name"));
        assert!(env.iter().all(|e| !e.note.is_empty()));
        assert!(s3_envelope(&steps[0]).is_none());
    }
}
