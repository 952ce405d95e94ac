//! The encryption operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey,
//! GenerateDataKeyWithoutPlaintext and GenerateRandom. Symmetric ciphertexts are the blob
//! of `blob.rs` (the encryption context bound as additional authenticated data);
//! asymmetric `ENCRYPT_DECRYPT` keys use RSAES-OAEP, whose ciphertext names no key (so
//! Decrypt needs the `KeyId`).

use super::blob::{CiphertextBlob, HEADER_LEN};
use super::condition_keys::ConditionFacts;
use super::error::{ErrorCode, KmsError, Result};
use super::key::{KeyMaterial, KmsKey};
use super::lookup::{
    dry_run_ok, incompatible_algorithm, require_state, require_usage, wrong_spec, USABLE,
};
use super::operation::{Action, Operation, RE_ENCRYPT_FROM, RE_ENCRYPT_TO};
use super::types::*;
use super::{Kms, OpCtx};
use crate::context::EncryptionContext;
use crate::crypto::{self, OaepHash, RsaPublicKey, NONCE_LEN, TAG_LEN};
use crate::env::{uuid_text, Env};
use crate::wire::{Bytes, Secret};
use zeroize::Zeroizing;

/// The context of a request that gives none.
static NO_CONTEXT: std::sync::LazyLock<EncryptionContext> =
    std::sync::LazyLock::new(EncryptionContext::default);

/// A plaintext KMS sealed, with the id of the key material that sealed it.
pub(super) struct Sealed {
    pub blob: Vec<u8>,
    pub key_material_id: Option<String>,
}

/// A plaintext KMS opened, with the id of the key material that opened it.
pub(super) struct Opened {
    pub plaintext: Zeroizing<Vec<u8>>,
    pub key_material_id: Option<String>,
}

/// What a ciphertext is, and which key can open it.
enum Source {
    /// A symmetric blob of key `id`.
    Symmetric { blob: CiphertextBlob, id: String },
    /// An RSAES-OAEP ciphertext for key `id` (named in the request).
    Rsa { id: String },
}

fn oaep_hash(algorithm: EncryptionAlgorithm) -> Option<OaepHash> {
    match algorithm {
        EncryptionAlgorithm::RSAES_OAEP_SHA_1 => Some(OaepHash::Sha1),
        EncryptionAlgorithm::RSAES_OAEP_SHA_256 => Some(OaepHash::Sha256),
        _ => None,
    }
}

/// The encryption algorithm a key of `key`'s spec takes, or AWS's refusal.
fn check_algorithm(key: &KmsKey, algorithm: EncryptionAlgorithm) -> Result<()> {
    let supported = key
        .spec()
        .algorithms(key.usage)
        .encryption
        .unwrap_or_default();
    if supported.contains(&algorithm) {
        Ok(())
    } else {
        let names: Vec<&str> = supported.iter().map(|a| a.name()).collect();
        Err(incompatible_algorithm(key, algorithm.name(), &names))
    }
}

impl Kms {
    /// Seals `plaintext` under the newest key material of symmetric key `id`.
    pub(super) fn seal_symmetric(
        &mut self,
        env: &mut Env,
        id: &str,
        context: EncryptionContext,
        plaintext: &[u8],
    ) -> Result<Sealed> {
        let key = self.key(id)?;
        let Some((version, backing)) = key.current_backing().filter(|(_, b)| b.is_available())
        else {
            return Err(require_state(key, &[]).err().unwrap_or_else(|| {
                KmsError::bare(ErrorCode::KMSInternalException).help(format!(
                    "{} has no key material to encrypt with.",
                    key.arn()
                ))
            }));
        };
        let blob = CiphertextBlob {
            key_id: key.id_bytes,
            backing_version: version,
            nonce: env.rng.bytes(),
            sealed: Vec::new(),
        };
        let mut bytes = Vec::with_capacity(HEADER_LEN + NONCE_LEN + plaintext.len() + TAG_LEN);
        bytes.extend_from_slice(&blob.header());
        bytes.extend_from_slice(&blob.nonce);
        let material: &[u8; 32] = backing.material.as_slice().try_into().map_err(|_| {
            KmsError::bare(ErrorCode::KMSInternalException)
                .help(format!("{} key material is not 256 bits.", key.arn()))
        })?;
        crypto::seal_into(
            material,
            &blob.nonce,
            &blob.aad(&key.binding, &context),
            plaintext,
            &mut bytes,
        );
        let key_material_id = Some(backing.id.clone());
        if let Some(tag) = bytes
            .len()
            .checked_sub(TAG_LEN)
            .and_then(|at| bytes.get(at..))
            .and_then(|t| t.try_into().ok())
        {
            self.issued.remember(tag, context);
        }
        Ok(Sealed {
            blob: bytes,
            key_material_id,
        })
    }

    /// Parses a symmetric ciphertext blob and finds its key.
    fn blob_key(&self, bytes: &[u8]) -> Result<(CiphertextBlob, String)> {
        let blob = CiphertextBlob::parse(bytes).map_err(|e| {
            KmsError::bare(ErrorCode::InvalidCiphertextException).help(format!(
                "Decryption failed because {e}. AWS says no more than InvalidCiphertextException."
            ))
        })?;
        let uuid = uuid_text(&blob.key_id);
        let mrk = format!("mrk-{}", hex::encode(blob.key_id));
        let id = [uuid, mrk]
            .into_iter()
            .find(|id| self.keys.contains_key(id));
        match id {
            Some(id) => Ok((blob, id)),
            None => Err(KmsError::new(
                ErrorCode::AccessDeniedException,
                "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.",
            )
            .help(format!(
                "The blob names key {}, which is not a key of this account and Region: it was deleted, or the ciphertext comes from another account, Region or simulation seed.",
                self.key_arn_for(&uuid_text(&blob.key_id))
            ))),
        }
    }

    /// Opens a parsed blob; on failure explains why from what the simulation knows.
    fn open_symmetric(
        &self,
        ctx: &mut OpCtx<'_>,
        blob: &CiphertextBlob,
        id: &str,
        context: &EncryptionContext,
    ) -> Result<Opened> {
        let key = self.key(id)?;
        let Some(backing) = key.backing(blob.backing_version) else {
            let why = "Decryption failed because the ciphertext blob was modified: it names a key material version that does not exist.".to_owned();
            ctx.explanation = Some(why.clone());
            return Err(KmsError::bare(ErrorCode::InvalidCiphertextException).help(why));
        };
        if !backing.is_available() {
            return Err(require_state(key, &[]).err().unwrap_or_else(|| {
                KmsError::new(ErrorCode::KMSInvalidStateException, format!("{} is pending import.", key.arn()))
            })
            .help(format!(
                "The key material that sealed this ciphertext ({}) was deleted or expired; import it again to decrypt.",
                backing.id
            )));
        }
        let material: &[u8; 32] = backing.material.as_slice().try_into().map_err(|_| {
            KmsError::bare(ErrorCode::KMSInternalException)
                .help(format!("{} key material is not 256 bits.", key.arn()))
        })?;
        let open = |context: &EncryptionContext| {
            crypto::open(
                material,
                &blob.nonce,
                &blob.aad(&key.binding, context),
                &blob.sealed,
            )
        };
        match open(context) {
            Ok(plaintext) => Ok(Opened {
                plaintext,
                key_material_id: Some(backing.id.clone()),
            }),
            Err(_) => {
                // Sealed with another context, and intact under it? Then only the context differs.
                let sealed_with = blob
                    .tag()
                    .and_then(|tag| self.issued.context(&tag))
                    .filter(|sealed_with| *sealed_with != context && open(sealed_with).is_ok());
                let why = match sealed_with {
                    Some(sealed_with) => {
                        let diff = sealed_with.describe_difference(context);
                        format!("the encryption context does not match the one the ciphertext was sealed with: {}", diff.join("; "))
                    }
                    None => "the ciphertext blob was modified (or never issued by this KMS), so its authentication tag does not verify".to_owned(),
                };
                let why = format!("Decryption failed because {why}.");
                ctx.explanation = Some(why.clone());
                Err(KmsError::bare(ErrorCode::InvalidCiphertextException).help(format!(
                    "{why} Pass exactly the CiphertextBlob and EncryptionContext that Encrypt or GenerateDataKey used."
                )))
            }
        }
    }

    /// Finds the key of a ciphertext: the named key for an asymmetric one, the key the
    /// blob names for a symmetric one (which must be the named key, if one is named).
    fn ciphertext_source(
        &mut self,
        ctx: &mut OpCtx<'_>,
        ciphertext: &[u8],
        key_id: Option<&str>,
        operation: Operation,
    ) -> Result<Source> {
        let named = match key_id {
            Some(k) => Some(self.resolve(ctx.env, k, true)?),
            None => None,
        };
        if let Some(id) = &named {
            let key = self.key(id)?;
            if !key.spec().is_symmetric() {
                require_usage(key, KeyUsage::ENCRYPT_DECRYPT, operation)?;
                return Ok(Source::Rsa { id: id.clone() });
            }
        }
        let (blob, id) = self.blob_key(ciphertext)?;
        if let Some(named) = &named {
            if named != &id {
                return Err(KmsError::new(
                    ErrorCode::IncorrectKeyException,
                    "The key ID in the request does not identify a CMK that can perform this operation.",
                )
                .help(format!(
                    "The ciphertext was encrypted under {}, not {}. Omit the key id, or give the key that encrypted it.",
                    self.key_arn_for(&id),
                    self.key_arn_for(named)
                )));
            }
        }
        Ok(Source::Symmetric { blob, id })
    }

    /// Decrypts `ciphertext` from `source` (after authorization and state checks).
    fn open_source(
        &self,
        ctx: &mut OpCtx<'_>,
        source: &Source,
        ciphertext: &[u8],
        context: Option<&EncryptionContext>,
        algorithm: EncryptionAlgorithm,
    ) -> Result<Opened> {
        match source {
            Source::Symmetric { blob, id } => {
                self.open_symmetric(ctx, blob, id, context.unwrap_or(&NO_CONTEXT))
            }
            Source::Rsa { id } => {
                let key = self.key(id)?;
                let KeyMaterial::Rsa(private) = &key.material else {
                    return Err(require_state(key, &[])
                        .err()
                        .unwrap_or_else(|| wrong_spec(key, Operation::Decrypt)));
                };
                let hash = oaep_hash(algorithm).ok_or_else(|| {
                    check_algorithm(key, algorithm)
                        .err()
                        .unwrap_or_else(|| wrong_spec(key, Operation::Decrypt))
                })?;
                crypto::rsa_oaep_decrypt(private, hash, ciphertext)
                    .map(|plaintext| Opened {
                        plaintext,
                        key_material_id: None,
                    })
                    .map_err(|_| {
                        let why = format!("Decryption with {} using {algorithm} failed: the ciphertext was modified, or was encrypted under another key or with another algorithm.", key.arn());
                        ctx.explanation = Some(why.clone());
                        KmsError::bare(ErrorCode::InvalidCiphertextException).help(why)
                    })
            }
        }
    }

    fn source_id(source: &Source) -> &str {
        match source {
            Source::Symmetric { id, .. } | Source::Rsa { id } => id,
        }
    }

    /// Encrypts `plaintext` under key `id` with `algorithm` (symmetric blob or RSA-OAEP).
    fn encrypt_under(
        &mut self,
        env: &mut Env,
        id: &str,
        algorithm: EncryptionAlgorithm,
        context: Option<EncryptionContext>,
        plaintext: &[u8],
    ) -> Result<Sealed> {
        let key = self.key(id)?;
        match &key.material {
            KeyMaterial::Rsa(private) => {
                let hash =
                    oaep_hash(algorithm).ok_or_else(|| wrong_spec(key, Operation::Encrypt))?;
                let bits = key.spec().rsa_bits().unwrap_or(2048);
                let max = hash.max_plaintext(bits);
                if plaintext.len() > max {
                    return Err(KmsError::new(
                        ErrorCode::ValidationException,
                        format!("Algorithm {algorithm} and key spec {} cannot encrypt data larger than {max} bytes.", key.spec()),
                    ));
                }
                let public = RsaPublicKey::from(private.as_ref());
                let blob = crypto::rsa_oaep_encrypt(&mut env.rng, &public, hash, plaintext)
                    .map_err(|e| {
                        KmsError::bare(ErrorCode::KMSInternalException).help(format!("{e}."))
                    })?;
                Ok(Sealed {
                    blob,
                    key_material_id: None,
                })
            }
            _ => self.seal_symmetric(env, id, context.unwrap_or_default(), plaintext),
        }
    }

    /// The checks an encryption key must pass: enabled, for encryption, the algorithm
    /// its spec takes, and no encryption context with an asymmetric key.
    fn check_encryption_key(
        key: &KmsKey,
        algorithm: EncryptionAlgorithm,
        context: Option<&EncryptionContext>,
        operation: Operation,
    ) -> Result<()> {
        require_state(key, USABLE)?;
        require_usage(key, KeyUsage::ENCRYPT_DECRYPT, operation)?;
        check_algorithm(key, algorithm)?;
        if !key.spec().is_symmetric() && context.is_some_and(|c| !c.is_empty()) {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                "EncryptionContext is not supported with asymmetric KMS keys.",
            )
            .help("RSA encryption binds no encryption context; omit it."));
        }
        Ok(())
    }

    pub(super) fn op_encrypt(
        &mut self,
        ctx: &mut OpCtx<'_>,
        mut req: EncryptRequest,
    ) -> Result<EncryptResponse> {
        self.validate_grant_tokens(&req.grant_tokens)?;
        let algorithm = req
            .encryption_algorithm
            .unwrap_or(EncryptionAlgorithm::SYMMETRIC_DEFAULT);
        let id = self.authorized_key(
            ctx,
            &req.key_id,
            Operation::Encrypt,
            req.encryption_context.as_ref(),
            |f| f.with_algorithm(algorithm),
        )?;
        Self::check_encryption_key(
            self.key(&id)?,
            algorithm,
            req.encryption_context.as_ref(),
            Operation::Encrypt,
        )?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let sealed = self.encrypt_under(
            ctx.env,
            &id,
            algorithm,
            req.encryption_context.take(),
            req.plaintext.expose(),
        )?;
        ctx.used = true;
        Ok(EncryptResponse {
            ciphertext_blob: Bytes(sealed.blob),
            key_id: self.key(&id)?.arn().to_owned(),
            encryption_algorithm: algorithm,
        })
    }

    pub(super) fn op_decrypt(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DecryptRequest,
    ) -> Result<DecryptResponse> {
        self.validate_grant_tokens(&req.grant_tokens)?;
        if req.recipient.is_some() {
            return Err(recipient_not_modelled());
        }
        let algorithm = req
            .encryption_algorithm
            .unwrap_or(EncryptionAlgorithm::SYMMETRIC_DEFAULT);
        let source = self.ciphertext_source(
            ctx,
            &req.ciphertext_blob.0,
            req.key_id.as_deref(),
            Operation::Decrypt,
        )?;
        let id = Self::source_id(&source).to_owned();
        let facts = ConditionFacts::of_key(self.key(&id)?).with_algorithm(algorithm);
        self.authorize(
            ctx,
            Operation::Decrypt.action(),
            Some(&id),
            req.encryption_context.as_ref(),
            facts,
        )?;
        let key = self.key(&id)?;
        require_state(key, USABLE)?;
        check_algorithm(key, algorithm)?;
        let ignore_ciphertext = req
            .dry_run_modifiers
            .as_ref()
            .is_some_and(|m| m.contains(&DryRunModifier::IGNORE_CIPHERTEXT));
        if req.dry_run && ignore_ciphertext {
            return Err(dry_run_ok());
        }
        let opened = self.open_source(
            ctx,
            &source,
            &req.ciphertext_blob.0,
            req.encryption_context.as_ref(),
            algorithm,
        )?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        ctx.used = true;
        Ok(DecryptResponse {
            key_id: self.key(&id)?.arn().to_owned(),
            plaintext: Secret(opened.plaintext),
            encryption_algorithm: algorithm,
            ciphertext_for_recipient: None,
            key_material_id: opened.key_material_id,
        })
    }

    /// GenerateDataKey and GenerateDataKeyWithoutPlaintext: a data key of `KeySpec` or
    /// `NumberOfBytes`, and its ciphertext under a symmetric encryption key.
    fn generate(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateDataKeyWithoutPlaintextRequest,
        operation: Operation,
    ) -> Result<(Sealed, Secret, String)> {
        let GenerateDataKeyWithoutPlaintextRequest {
            key_id,
            encryption_context: context,
            key_spec,
            number_of_bytes,
            grant_tokens,
            dry_run,
        } = req;
        self.validate_grant_tokens(&grant_tokens)?;
        let id = self.authorized_key(ctx, &key_id, operation, context.as_ref(), |f| f)?;
        let key = self.key(&id)?;
        require_state(key, USABLE)?;
        require_usage(key, KeyUsage::ENCRYPT_DECRYPT, operation)?;
        if !key.spec().is_symmetric() {
            return Err(wrong_spec(key, operation));
        }
        let len = match (number_of_bytes, key_spec) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(KmsError::new(
                    ErrorCode::ValidationException,
                    "Please specify either number of bytes or key spec.",
                )
                .help("Give KeySpec (AES_256 for a 32-byte key, AES_128 for 16) or NumberOfBytes, not both."))
            }
            (Some(n), None) => n as usize,
            (None, Some(DataKeySpec::AES_256)) => 32,
            (None, Some(DataKeySpec::AES_128)) => 16,
        };
        if dry_run {
            return Err(dry_run_ok());
        }
        let arn = key.arn().to_owned();
        let mut data_key = Zeroizing::new(vec![0u8; len]);
        ctx.env.rng.fill(&mut data_key);
        let sealed = self.seal_symmetric(ctx.env, &id, context.unwrap_or_default(), &data_key)?;
        ctx.used = true;
        Ok((sealed, Secret(data_key), arn))
    }

    pub(super) fn op_generate_data_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        if req.recipient.is_some() {
            return Err(recipient_not_modelled());
        }
        let request = GenerateDataKeyWithoutPlaintextRequest {
            key_id: req.key_id,
            encryption_context: req.encryption_context,
            key_spec: req.key_spec,
            number_of_bytes: req.number_of_bytes,
            grant_tokens: req.grant_tokens,
            dry_run: req.dry_run,
        };
        let (sealed, plaintext, key_id) =
            self.generate(ctx, request, Operation::GenerateDataKey)?;
        Ok(GenerateDataKeyResponse {
            ciphertext_blob: Bytes(sealed.blob),
            plaintext: Some(plaintext),
            key_id,
            ciphertext_for_recipient: None,
            key_material_id: sealed.key_material_id,
        })
    }

    pub(super) fn op_generate_data_key_without_plaintext(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateDataKeyWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse> {
        let (sealed, _plaintext, key_id) =
            self.generate(ctx, req, Operation::GenerateDataKeyWithoutPlaintext)?;
        Ok(GenerateDataKeyWithoutPlaintextResponse {
            ciphertext_blob: Bytes(sealed.blob),
            key_id,
            key_material_id: sealed.key_material_id,
        })
    }

    pub(super) fn op_re_encrypt(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ReEncryptRequest,
    ) -> Result<ReEncryptResponse> {
        self.validate_grant_tokens(&req.grant_tokens)?;
        let source_algorithm = req
            .source_encryption_algorithm
            .unwrap_or(EncryptionAlgorithm::SYMMETRIC_DEFAULT);
        let destination_algorithm = req
            .destination_encryption_algorithm
            .unwrap_or(EncryptionAlgorithm::SYMMETRIC_DEFAULT);
        let source = self.ciphertext_source(
            ctx,
            &req.ciphertext_blob.0,
            req.source_key_id.as_deref(),
            Operation::ReEncrypt,
        )?;
        let source_id = Self::source_id(&source).to_owned();
        let dest = self.resolve(ctx.env, &req.destination_key_id, true)?;
        let authorize = |kms: &Kms,
                         ctx: &mut OpCtx<'_>,
                         action: Action,
                         id: &str,
                         context: Option<&EncryptionContext>,
                         algorithm| {
            let facts = ConditionFacts::of_key(kms.key(id)?).with_algorithm(algorithm);
            kms.authorize(ctx, action, Some(id), context, facts)
        };
        authorize(
            self,
            ctx,
            RE_ENCRYPT_FROM,
            &source_id,
            req.source_encryption_context.as_ref(),
            source_algorithm,
        )?;
        authorize(
            self,
            ctx,
            RE_ENCRYPT_TO,
            &dest,
            req.destination_encryption_context.as_ref(),
            destination_algorithm,
        )?;
        let source_key = self.key(&source_id)?;
        require_state(source_key, USABLE)?;
        check_algorithm(source_key, source_algorithm)?;
        Self::check_encryption_key(
            self.key(&dest)?,
            destination_algorithm,
            req.destination_encryption_context.as_ref(),
            Operation::ReEncrypt,
        )?;
        let ignore_ciphertext = req
            .dry_run_modifiers
            .as_ref()
            .is_some_and(|m| m.contains(&DryRunModifier::IGNORE_CIPHERTEXT));
        if req.dry_run && ignore_ciphertext {
            return Err(dry_run_ok());
        }
        let opened = self.open_source(
            ctx,
            &source,
            &req.ciphertext_blob.0,
            req.source_encryption_context.as_ref(),
            source_algorithm,
        )?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let sealed = self.encrypt_under(
            ctx.env,
            &dest,
            destination_algorithm,
            req.destination_encryption_context,
            &opened.plaintext,
        )?;
        ctx.used = true;
        Ok(ReEncryptResponse {
            ciphertext_blob: Bytes(sealed.blob),
            source_key_id: self.key(&source_id)?.arn().to_owned(),
            key_id: self.key(&dest)?.arn().to_owned(),
            source_encryption_algorithm: source_algorithm,
            destination_encryption_algorithm: destination_algorithm,
            source_key_material_id: opened.key_material_id,
            destination_key_material_id: sealed.key_material_id,
        })
    }

    pub(super) fn op_generate_random(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse> {
        if req.recipient.is_some() {
            return Err(recipient_not_modelled());
        }
        if let Some(id) = &req.custom_key_store_id {
            return Err(super::keys::custom_key_stores_not_modelled(Some(id)));
        }
        self.authorize(
            ctx,
            Operation::GenerateRandom.action(),
            None,
            None,
            ConditionFacts::default(),
        )?;
        let Some(n) = req.number_of_bytes else {
            return Err(KmsError::new(
                ErrorCode::ValidationException,
                "NumberOfBytes is required.",
            )
            .help("Give NumberOfBytes, from 1 to 1024."));
        };
        let mut bytes = Zeroizing::new(vec![0u8; n as usize]);
        ctx.env.rng.fill(&mut bytes);
        Ok(GenerateRandomResponse {
            plaintext: Secret(bytes),
            ciphertext_for_recipient: None,
        })
    }
}

/// `Recipient` (a Nitro enclave's attestation document) is not modelled.
pub(super) fn recipient_not_modelled() -> KmsError {
    KmsError::new(
        ErrorCode::ValidationException,
        "The attestation document is not valid.",
    )
    .help("Responses for AWS Nitro Enclaves (Recipient with an attestation document) are not simulated; call without Recipient.")
}
