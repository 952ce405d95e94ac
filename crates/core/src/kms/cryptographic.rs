//! The cryptographic operations: Encrypt, Decrypt, GenerateDataKey(WithoutPlaintext) and
//! ReEncrypt. Symmetric ciphertexts are the blob of `blob.rs`; the encryption context is
//! bound as additional authenticated data.

use super::blob::{BlobError, CiphertextBlob, HEADER_LEN};
use super::condition_keys::ConditionFacts;
use super::error::{ErrorCode, KmsError, Result};
use super::key::{KeyMaterial, KmsKey};
use super::lookup::dry_run_ok;
use super::operation::{Operation, RE_ENCRYPT_FROM, RE_ENCRYPT_TO};
use super::types::*;
use super::{Kms, OpCtx};
use crate::context::EncryptionContext;
use crate::crypto;
use crate::crypto::{NONCE_LEN, TAG_LEN};
use crate::env::{uuid_text, Env};
use crate::wire::{Bytes, Secret};
use rsa::{Oaep, RsaPublicKey};
use zeroize::Zeroizing;

/// The context of a request that gives none.
static NO_CONTEXT: EncryptionContext = EncryptionContext(std::collections::BTreeMap::new());

/// Maximum Encrypt plaintext (API reference, *Encrypt*: "up to 4,096 bytes").
pub const MAX_PLAINTEXT: usize = 4096;

impl Kms {
    /// Seals `plaintext` under the newest backing key of symmetric key `uuid`.
    pub(super) fn seal_symmetric(
        &mut self,
        env: &mut Env,
        uuid: &str,
        context: EncryptionContext,
        plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        let key = self.key(uuid)?;
        let Some((version, backing)) = key.current_backing() else {
            return Err(KmsError::new(
                ErrorCode::InvalidKeyUsageException,
                format!("{} has no symmetric key material.", key.arn()),
            ));
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
        crypto::seal_into(
            &backing.material,
            &blob.nonce,
            &blob.aad(key.arn(), &context),
            plaintext,
            &mut bytes,
        );
        if let Some(tag) = bytes
            .len()
            .checked_sub(TAG_LEN)
            .and_then(|at| bytes.get(at..))
            .and_then(|t| t.try_into().ok())
        {
            self.issued.remember(tag, context);
        }
        Ok(bytes)
    }

    /// Parses a symmetric ciphertext blob and finds its key.
    pub(super) fn blob_key(&self, bytes: &[u8]) -> Result<(CiphertextBlob, String)> {
        let blob = CiphertextBlob::parse(bytes).map_err(|e: BlobError| {
            KmsError::new(
                ErrorCode::InvalidCiphertextException,
                format!("The ciphertext is not valid: {e}."),
            )
        })?;
        let uuid = uuid_text(&blob.key_id);
        if !self.keys.contains_key(&uuid) {
            return Err(KmsError::new(
                ErrorCode::NotFoundException,
                format!("The ciphertext refers to key {}, which does not exist (it was deleted, or the ciphertext comes from another account or simulation seed).", self.key_arn_for(&uuid)),
            ));
        }
        Ok((blob, uuid))
    }

    /// Opens a parsed blob; on failure explains why from what the simulation knows.
    pub(super) fn open_symmetric(
        &self,
        ctx: &mut OpCtx<'_>,
        blob: &CiphertextBlob,
        uuid: &str,
        context: &EncryptionContext,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let key = self.key(uuid)?;
        let Some(backing) = key.backing(blob.backing_version) else {
            ctx.explanation = Some("Decryption failed because the ciphertext blob was modified: it names a backing key version that does not exist.".to_owned());
            return Err(KmsError::new(
                ErrorCode::InvalidCiphertextException,
                format!("The ciphertext names backing key version {} of {}, which does not exist; the blob was modified.", blob.backing_version, key.arn()),
            ));
        };
        let open = |context: &EncryptionContext| {
            crypto::open(
                &backing.material,
                &blob.nonce,
                &blob.aad(key.arn(), context),
                &blob.sealed,
            )
        };
        open(context).map_err(|_| {
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
            ctx.explanation = Some(format!("Decryption failed because {why}."));
            KmsError::new(
                ErrorCode::InvalidCiphertextException,
                format!("The ciphertext could not be decrypted: {why}. Pass exactly the CiphertextBlob and EncryptionContext that Encrypt or GenerateDataKey used."),
            )
        })
    }

    pub(super) fn op_encrypt(
        &mut self,
        ctx: &mut OpCtx<'_>,
        mut req: EncryptRequest,
    ) -> Result<EncryptResponse> {
        let n = req.plaintext.expose().len();
        if n == 0 {
            return Err(KmsError::validation(
                "plaintext",
                "Member must have length greater than or equal to 1",
            ));
        }
        if n > MAX_PLAINTEXT {
            return Err(KmsError::validation(
                "plaintext",
                "Member must have length less than or equal to 4096",
            ));
        }
        self.validate_grant_tokens(&req.grant_tokens)?;
        let uuid = self.resolve(ctx.env, &req.key_id, true)?;
        let algorithm = req
            .encryption_algorithm
            .unwrap_or(EncryptionAlgorithm::SYMMETRIC_DEFAULT);
        let facts = ConditionFacts::of_key(self.key(&uuid)?).with_algorithm(algorithm);
        self.authorize(
            ctx,
            Operation::Encrypt.action(),
            Some(&uuid),
            req.encryption_context.as_ref(),
            facts,
        )?;
        let key = self.key(&uuid)?;
        Self::require_usable(key)?;
        let arn = key.arn().to_owned();
        if req.dry_run {
            return Err(dry_run_ok());
        }
        match &key.material {
            KeyMaterial::Symmetric(_) => {
                if algorithm != EncryptionAlgorithm::SYMMETRIC_DEFAULT {
                    return Err(incompatible_algorithm(key, algorithm));
                }
                let context = req.encryption_context.take().unwrap_or_default();
                let blob = self.seal_symmetric(ctx.env, &uuid, context, req.plaintext.expose())?;
                Ok(EncryptResponse {
                    ciphertext_blob: Bytes(blob),
                    key_id: arn,
                    encryption_algorithm: algorithm,
                })
            }
            KeyMaterial::Rsa(private) => {
                if req.encryption_context.is_some() {
                    return Err(KmsError::new(ErrorCode::ValidationException, "EncryptionContext is not supported with asymmetric KMS keys; omit it (RSA encryption binds no context).".to_owned()));
                }
                let public = RsaPublicKey::from(private.as_ref());
                let out = rsa_encrypt(ctx.env, &public, algorithm, req.plaintext.expose(), key)?;
                Ok(EncryptResponse {
                    ciphertext_blob: Bytes(out),
                    key_id: arn,
                    encryption_algorithm: algorithm,
                })
            }
        }
    }

    pub(super) fn op_decrypt(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DecryptRequest,
    ) -> Result<DecryptResponse> {
        if req.ciphertext_blob.0.is_empty() {
            return Err(KmsError::validation(
                "ciphertextBlob",
                "Member must have length greater than or equal to 1",
            ));
        }
        if req.ciphertext_blob.0.len() > 6144 {
            return Err(KmsError::validation(
                "ciphertextBlob",
                "Member must have length less than or equal to 6144",
            ));
        }
        self.validate_grant_tokens(&req.grant_tokens)?;
        let context = req.encryption_context.as_ref().unwrap_or(&NO_CONTEXT);
        // An asymmetric key must be named: its ciphertext does not identify it.
        let named = match &req.key_id {
            Some(k) => Some(self.resolve(ctx.env, k, true)?),
            None => None,
        };
        if let Some(uuid) = &named {
            let key = self.key(uuid)?;
            if let KeyMaterial::Rsa(_) = key.material {
                let algorithm = req
                    .encryption_algorithm
                    .unwrap_or(EncryptionAlgorithm::SYMMETRIC_DEFAULT);
                let facts = ConditionFacts::of_key(key).with_algorithm(algorithm);
                self.authorize(
                    ctx,
                    Operation::Decrypt.action(),
                    Some(uuid),
                    req.encryption_context.as_ref(),
                    facts,
                )?;
                let key = self.key(uuid)?;
                Self::require_usable(key)?;
                if req.encryption_context.is_some() {
                    return Err(KmsError::new(
                        ErrorCode::ValidationException,
                        "EncryptionContext is not supported with asymmetric KMS keys; omit it."
                            .to_owned(),
                    ));
                }
                if req.dry_run {
                    return Err(dry_run_ok());
                }
                let pt = rsa_decrypt(key, algorithm, &req.ciphertext_blob.0)?;
                return Ok(DecryptResponse {
                    key_id: key.arn().to_owned(),
                    plaintext: Secret(pt),
                    encryption_algorithm: algorithm,
                });
            }
        }
        let (blob, uuid) = self.blob_key(&req.ciphertext_blob.0)?;
        if let Some(named) = &named {
            if named != &uuid {
                return Err(KmsError::new(
                    ErrorCode::IncorrectKeyException,
                    format!("The key ID in the request does not identify a KMS key that can perform this operation: the ciphertext was encrypted under {}, not {}. Omit KeyId, or give the key that encrypted it.", self.key_arn_for(&uuid), self.key_arn_for(named)),
                ));
            }
        }
        let algorithm = req
            .encryption_algorithm
            .unwrap_or(EncryptionAlgorithm::SYMMETRIC_DEFAULT);
        let facts = ConditionFacts::of_key(self.key(&uuid)?).with_algorithm(algorithm);
        self.authorize(
            ctx,
            Operation::Decrypt.action(),
            Some(&uuid),
            req.encryption_context.as_ref(),
            facts,
        )?;
        let key = self.key(&uuid)?;
        Self::require_usable(key)?;
        if algorithm != EncryptionAlgorithm::SYMMETRIC_DEFAULT {
            return Err(incompatible_algorithm(key, algorithm));
        }
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let pt = self.open_symmetric(ctx, &blob, &uuid, context)?;
        Ok(DecryptResponse {
            key_id: self.key_arn_for(&uuid),
            plaintext: Secret(pt),
            encryption_algorithm: algorithm,
        })
    }

    pub(super) fn generate(
        &mut self,
        ctx: &mut OpCtx<'_>,
        mut req: GenerateDataKeyRequest,
        operation: Operation,
    ) -> Result<(Bytes, Secret, String)> {
        let len = match (req.number_of_bytes, req.key_spec) {
            (Some(_), Some(_)) => {
                return Err(KmsError::new(ErrorCode::ValidationException, "Specify either KeySpec or NumberOfBytes, not both. KeySpec AES_256 asks for a 32-byte key.".to_owned()))
            }
            (None, None) => {
                return Err(KmsError::new(ErrorCode::ValidationException, "Specify either KeySpec or NumberOfBytes. KeySpec AES_256 asks for a 32-byte key.".to_owned()))
            }
            (Some(n), None) if !(1..=1024).contains(&n) => {
                return Err(KmsError::validation("numberOfBytes", if n == 0 { "Member must have value greater than or equal to 1" } else { "Member must have value less than or equal to 1024" }))
            }
            (Some(n), None) => n as usize,
            (None, Some(DataKeySpec::AES_256)) => 32,
            (None, Some(DataKeySpec::AES_128)) => 16,
        };
        self.validate_grant_tokens(&req.grant_tokens)?;
        let uuid = self.resolve(ctx.env, &req.key_id, true)?;
        let facts = ConditionFacts::of_key(self.key(&uuid)?);
        self.authorize(
            ctx,
            operation.action(),
            Some(&uuid),
            req.encryption_context.as_ref(),
            facts,
        )?;
        let key = self.key(&uuid)?;
        Self::require_usable(key)?;
        Self::require_symmetric(key, operation.name())?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let arn = key.arn().to_owned();
        let mut data_key = Zeroizing::new(vec![0u8; len]);
        ctx.env.rng.fill(&mut data_key);
        let context = req.encryption_context.take().unwrap_or_default();
        let blob = self.seal_symmetric(ctx.env, &uuid, context, &data_key)?;
        Ok((Bytes(blob), Secret(data_key), arn))
    }

    pub(super) fn op_generate_data_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        let (blob, plaintext, key_id) = self.generate(ctx, req, Operation::GenerateDataKey)?;
        Ok(GenerateDataKeyResponse {
            ciphertext_blob: blob,
            plaintext: Some(plaintext),
            key_id,
        })
    }

    pub(super) fn op_generate_data_key_without_plaintext(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        let (blob, _plaintext, key_id) =
            self.generate(ctx, req, Operation::GenerateDataKeyWithoutPlaintext)?;
        Ok(GenerateDataKeyResponse {
            ciphertext_blob: blob,
            plaintext: None,
            key_id,
        })
    }

    pub(super) fn op_re_encrypt(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ReEncryptRequest,
    ) -> Result<ReEncryptResponse> {
        if req.ciphertext_blob.0.is_empty() {
            return Err(KmsError::validation(
                "ciphertextBlob",
                "Member must have length greater than or equal to 1",
            ));
        }
        self.validate_grant_tokens(&req.grant_tokens)?;
        if req
            .source_encryption_algorithm
            .is_some_and(|a| a != EncryptionAlgorithm::SYMMETRIC_DEFAULT)
            || req
                .destination_encryption_algorithm
                .is_some_and(|a| a != EncryptionAlgorithm::SYMMETRIC_DEFAULT)
        {
            return Err(KmsError::new(
                ErrorCode::UnsupportedOperationException,
                "The playground models ReEncrypt between symmetric keys only.".to_owned(),
            ));
        }
        let dest = self.resolve(ctx.env, &req.destination_key_id, true)?;
        let (blob, source) = self.blob_key(&req.ciphertext_blob.0)?;
        if let Some(k) = &req.source_key_id {
            let named = self.resolve(ctx.env, k, true)?;
            if named != source {
                return Err(KmsError::new(
                    ErrorCode::IncorrectKeyException,
                    format!("SourceKeyId {} does not identify the key that encrypted the ciphertext ({}).", self.key_arn_for(&named), self.key_arn_for(&source)),
                ));
            }
        }
        let src_ctx = req
            .source_encryption_context
            .as_ref()
            .unwrap_or(&NO_CONTEXT);
        self.authorize(
            ctx,
            RE_ENCRYPT_FROM,
            Some(&source),
            req.source_encryption_context.as_ref(),
            ConditionFacts::of_key(self.key(&source)?),
        )?;
        self.authorize(
            ctx,
            RE_ENCRYPT_TO,
            Some(&dest),
            req.destination_encryption_context.as_ref(),
            ConditionFacts::of_key(self.key(&dest)?),
        )?;
        Self::require_usable(self.key(&source)?)?;
        let dest_key = self.key(&dest)?;
        Self::require_usable(dest_key)?;
        Self::require_symmetric(dest_key, "ReEncrypt")?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let pt = self.open_symmetric(ctx, &blob, &source, src_ctx)?;
        let dst_ctx = req
            .destination_encryption_context
            .clone()
            .unwrap_or_default();
        let out = self.seal_symmetric(ctx.env, &dest, dst_ctx, &pt)?;
        Ok(ReEncryptResponse {
            ciphertext_blob: Bytes(out),
            source_key_id: self.key_arn_for(&source),
            key_id: self.key_arn_for(&dest),
            source_encryption_algorithm: EncryptionAlgorithm::SYMMETRIC_DEFAULT,
            destination_encryption_algorithm: EncryptionAlgorithm::SYMMETRIC_DEFAULT,
        })
    }
}

pub(super) fn incompatible_algorithm(key: &KmsKey, algorithm: EncryptionAlgorithm) -> KmsError {
    KmsError::new(
        ErrorCode::InvalidKeyUsageException,
        format!(
            "{} is a {} key; it supports {} but the request asked for {}.",
            key.arn(),
            key.spec().name(),
            key.spec()
                .encryption_algorithms()
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join(", "),
            algorithm.name()
        ),
    )
}

pub(super) fn oaep(algorithm: EncryptionAlgorithm) -> Option<Oaep> {
    match algorithm {
        EncryptionAlgorithm::RSAES_OAEP_SHA_1 => Some(Oaep::new::<sha1::Sha1>()),
        EncryptionAlgorithm::RSAES_OAEP_SHA_256 => Some(Oaep::new::<sha2::Sha256>()),
        EncryptionAlgorithm::SYMMETRIC_DEFAULT => None,
    }
}

pub(super) fn rsa_encrypt(
    env: &mut Env,
    public: &RsaPublicKey,
    algorithm: EncryptionAlgorithm,
    plaintext: &[u8],
    key: &KmsKey,
) -> Result<Vec<u8>> {
    let padding = oaep(algorithm).ok_or_else(|| {
        KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!("{} is an asymmetric {} key: give EncryptionAlgorithm RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256 (SYMMETRIC_DEFAULT is for symmetric keys).", key.arn(), key.spec().name()),
        )
    })?;
    let max = key.spec().rsa_bits().unwrap_or(2048) / 8
        - 2
        - 2 * if algorithm == EncryptionAlgorithm::RSAES_OAEP_SHA_1 {
            20
        } else {
            32
        };
    if plaintext.len() > max {
        return Err(KmsError::validation(
            "plaintext",
            &format!(
                "Member must have length less than or equal to {max} for {} with {}",
                key.spec().name(),
                algorithm.name()
            ),
        ));
    }
    public
        .encrypt(&mut env.rng, padding, plaintext)
        .map_err(|e| {
            KmsError::new(
                ErrorCode::ValidationException,
                format!("RSA encryption failed: {e}."),
            )
        })
}

pub(super) fn rsa_decrypt(
    key: &KmsKey,
    algorithm: EncryptionAlgorithm,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let KeyMaterial::Rsa(private) = &key.material else {
        return Err(KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!("{} is not an RSA key.", key.arn()),
        ));
    };
    let padding = oaep(algorithm).ok_or_else(|| {
        KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!("{} is an asymmetric {} key: Decrypt needs the EncryptionAlgorithm used to encrypt (RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256).", key.arn(), key.spec().name()),
        )
    })?;
    private.decrypt(padding, ciphertext).map(Zeroizing::new).map_err(|_| {
        KmsError::new(
            ErrorCode::InvalidCiphertextException,
            format!("The ciphertext could not be decrypted with {} using {}: it was modified, or encrypted with another key or algorithm.", key.arn(), algorithm.name()),
        )
    })
}
