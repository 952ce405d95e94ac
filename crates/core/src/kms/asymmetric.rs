//! Asymmetric and HMAC keys: GetPublicKey, Sign and Verify (RSA and ECDSA, over a raw
//! message or its digest), GenerateMac and VerifyMac, DeriveSharedSecret (ECDH), and the
//! data key pairs of GenerateDataKeyPair(WithoutPlaintext). A failed verification is
//! AWS's `KMSInvalidSignatureException` / `KMSInvalidMacException`, with no message
//! (API reference, *Verify*, *VerifyMac*).

use super::error::{ErrorCode, KmsError, Result};
use super::key::{KeyMaterial, KmsKey};
use super::keys::not_modelled_spec;
use super::lookup::{
    dry_run_ok, incompatible_algorithm, require_state, require_usage, wrong_spec, USABLE,
};
use super::operation::Operation;
use super::types::*;
use super::{Kms, OpCtx};
use crate::context::EncryptionContext;
use crate::crypto::{self, EccCurve, EccPrivateKey, Hash, RsaPublicKey, RsaSignatureScheme};
use crate::wire::{Bytes, Secret};

impl SigningAlgorithm {
    /// The hash the algorithm signs with, and for RSA its scheme (`None`: ECDSA).
    fn parts(self) -> Option<(Hash, Option<RsaSignatureScheme>)> {
        use SigningAlgorithm::*;
        Some(match self {
            RSASSA_PSS_SHA_256 => (Hash::Sha256, Some(RsaSignatureScheme::Pss)),
            RSASSA_PSS_SHA_384 => (Hash::Sha384, Some(RsaSignatureScheme::Pss)),
            RSASSA_PSS_SHA_512 => (Hash::Sha512, Some(RsaSignatureScheme::Pss)),
            RSASSA_PKCS1_V1_5_SHA_256 => (Hash::Sha256, Some(RsaSignatureScheme::Pkcs1v15)),
            RSASSA_PKCS1_V1_5_SHA_384 => (Hash::Sha384, Some(RsaSignatureScheme::Pkcs1v15)),
            RSASSA_PKCS1_V1_5_SHA_512 => (Hash::Sha512, Some(RsaSignatureScheme::Pkcs1v15)),
            ECDSA_SHA_256 => (Hash::Sha256, None),
            ECDSA_SHA_384 => (Hash::Sha384, None),
            ECDSA_SHA_512 => (Hash::Sha512, None),
            _ => return None,
        })
    }
}

impl MacAlgorithm {
    fn hash(self) -> Hash {
        match self {
            MacAlgorithm::HMAC_SHA_224 => Hash::Sha224,
            MacAlgorithm::HMAC_SHA_256 => Hash::Sha256,
            MacAlgorithm::HMAC_SHA_384 => Hash::Sha384,
            MacAlgorithm::HMAC_SHA_512 => Hash::Sha512,
        }
    }
}

impl DataKeyPairSpec {
    /// The key spec of the same name.
    fn key_spec(self) -> KeySpec {
        KeySpec::from_name(self.name()).unwrap_or_default()
    }
}

/// The public key of `key`, as SubjectPublicKeyInfo DER.
pub(super) fn public_key_der(key: &KmsKey) -> Result<Vec<u8>> {
    let der = match &key.material {
        KeyMaterial::Rsa(private) => {
            crypto::rsa_public_to_spki(&RsaPublicKey::from(private.as_ref()))
                .map_err(|e| e.to_string())
        }
        KeyMaterial::Ecc(private) => private.public_spki().map_err(|e| e.to_string()),
        _ => {
            return Err(require_state(key, &[])
                .err()
                .unwrap_or_else(|| KmsError::bare(ErrorCode::UnsupportedOperationException)))
        }
    };
    der.map_err(|e| KmsError::bare(ErrorCode::KMSInternalException).help(e))
}

/// The digest a signing request signs: the message's hash (RAW), or the message itself
/// (DIGEST), which must be the hash's length.
fn digest_of(
    message: &[u8],
    message_type: MessageType,
    algorithm: SigningAlgorithm,
    hash: Hash,
) -> Result<Vec<u8>> {
    match message_type {
        MessageType::RAW => Ok(hash.digest(message)),
        MessageType::DIGEST if message.len() == hash.output_len() => Ok(message.to_vec()),
        MessageType::DIGEST => Err(KmsError::new(
            ErrorCode::ValidationException,
            format!("Digest is invalid length for algorithm {algorithm}."),
        )
        .help(format!(
            "With MessageType DIGEST, Message is the {}-byte digest itself; this one is {} bytes.",
            hash.output_len(),
            message.len()
        ))),
        MessageType::EXTERNAL_MU => Err(KmsError::new(
            ErrorCode::ValidationException,
            format!("MessageType EXTERNAL_MU is not valid for algorithm {algorithm}."),
        )
        .help("EXTERNAL_MU is for ML-DSA keys only.")),
    }
}

impl Kms {
    /// A signing key's checks: enabled, SIGN_VERIFY, an algorithm its spec takes.
    fn signing_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        key_id: &str,
        grant_tokens: &[String],
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        operation: Operation,
    ) -> Result<(String, Hash, Option<RsaSignatureScheme>)> {
        self.validate_grant_tokens(grant_tokens)?;
        let id = self.authorized_key(ctx, key_id, operation, None, |mut f| {
            f.signing_algorithm = Some(algorithm.name());
            f.message_type = Some(message_type.name());
            f
        })?;
        let key = self.key(&id)?;
        require_state(key, USABLE)?;
        require_usage(key, KeyUsage::SIGN_VERIFY, operation)?;
        let supported = key.spec().algorithms(key.usage).signing.unwrap_or_default();
        let parts = algorithm.parts().filter(|_| supported.contains(&algorithm));
        let Some((hash, scheme)) = parts else {
            let names: Vec<&str> = supported.iter().map(|a| a.name()).collect();
            return Err(incompatible_algorithm(key, algorithm.name(), &names));
        };
        Ok((id, hash, scheme))
    }

    pub(super) fn op_get_public_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GetPublicKeyRequest,
    ) -> Result<GetPublicKeyResponse> {
        self.validate_grant_tokens(&req.grant_tokens)?;
        let id = self.authorized_key(ctx, &req.key_id, Operation::GetPublicKey, None, |f| f)?;
        let key = self.key(&id)?;
        require_state(key, USABLE)?;
        if key.spec().is_symmetric() || key.spec().is_hmac() {
            return Err(
                KmsError::bare(ErrorCode::UnsupportedOperationException).help(format!(
                    "{} is a {} key: it has no public key. GetPublicKey is for asymmetric keys.",
                    key.arn(),
                    key.spec()
                )),
            );
        }
        let algorithms = key.spec().algorithms(key.usage);
        Ok(GetPublicKeyResponse {
            key_id: key.arn().to_owned(),
            public_key: Bytes(public_key_der(key)?),
            customer_master_key_spec: key.spec(),
            key_spec: key.spec(),
            key_usage: key.usage,
            encryption_algorithms: algorithms.encryption,
            signing_algorithms: algorithms.signing,
            key_agreement_algorithms: algorithms.key_agreement,
            encapsulation_algorithms: algorithms.encapsulation,
        })
    }

    pub(super) fn op_sign(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: SignRequest,
    ) -> Result<SignResponse> {
        let message_type = req.message_type.unwrap_or(MessageType::RAW);
        let algorithm = req.signing_algorithm;
        let (id, hash, scheme) = self.signing_key(
            ctx,
            &req.key_id,
            &req.grant_tokens,
            algorithm,
            message_type,
            Operation::Sign,
        )?;
        let digest = digest_of(req.message.expose(), message_type, algorithm, hash)?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let key = self.key(&id)?;
        let signed = match (&key.material, scheme) {
            (KeyMaterial::Rsa(private), Some(scheme)) => {
                crypto::rsa_sign(&mut ctx.env.rng, private, scheme, hash, &digest)
                    .map_err(|e| e.to_string())
            }
            (KeyMaterial::Ecc(private), None) => private
                .sign_digest(&mut ctx.env.rng, &digest)
                .map_err(|e| e.to_string()),
            _ => return Err(wrong_spec(key, Operation::Sign)),
        };
        let signature =
            signed.map_err(|e| KmsError::bare(ErrorCode::KMSInternalException).help(e))?;
        ctx.used = true;
        Ok(SignResponse {
            key_id: key.arn().to_owned(),
            signature: Bytes(signature),
            signing_algorithm: algorithm,
        })
    }

    pub(super) fn op_verify(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: VerifyRequest,
    ) -> Result<VerifyResponse> {
        let message_type = req.message_type.unwrap_or(MessageType::RAW);
        let algorithm = req.signing_algorithm;
        let (id, hash, scheme) = self.signing_key(
            ctx,
            &req.key_id,
            &req.grant_tokens,
            algorithm,
            message_type,
            Operation::Verify,
        )?;
        let digest = digest_of(req.message.expose(), message_type, algorithm, hash)?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let key = self.key(&id)?;
        let valid = match (&key.material, scheme) {
            (KeyMaterial::Rsa(private), Some(scheme)) => crypto::rsa_verify(
                &RsaPublicKey::from(private.as_ref()),
                scheme,
                hash,
                &digest,
                &req.signature.0,
            ),
            (KeyMaterial::Ecc(private), None) => private.verify_digest(&digest, &req.signature.0),
            _ => false,
        };
        ctx.used = true;
        if !valid {
            ctx.explanation = Some(format!(
                "The signature does not verify: it was not made by {} with {algorithm} over this {}, or it was modified.",
                key.arn(),
                if message_type == MessageType::DIGEST { "digest" } else { "message" }
            ));
            return Err(KmsError::bare(ErrorCode::KMSInvalidSignatureException)
                .help(ctx.explanation.clone().unwrap_or_default()));
        }
        Ok(VerifyResponse {
            key_id: key.arn().to_owned(),
            signature_valid: true,
            signing_algorithm: algorithm,
        })
    }

    /// An HMAC key's checks: enabled, GENERATE_VERIFY_MAC, its spec's one algorithm.
    fn mac_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        key_id: &str,
        grant_tokens: &[String],
        algorithm: MacAlgorithm,
        operation: Operation,
    ) -> Result<String> {
        self.validate_grant_tokens(grant_tokens)?;
        let id = self.authorized_key(ctx, key_id, operation, None, |mut f| {
            f.mac_algorithm = Some(algorithm.name());
            f
        })?;
        let key = self.key(&id)?;
        require_state(key, USABLE)?;
        require_usage(key, KeyUsage::GENERATE_VERIFY_MAC, operation)?;
        match key.spec().hmac() {
            Some((_, alg)) if alg == algorithm => Ok(id),
            Some((_, alg)) => Err(incompatible_algorithm(key, algorithm.name(), &[alg.name()])),
            None => Err(wrong_spec(key, operation)),
        }
    }

    /// The current HMAC key material of key `id`.
    fn hmac_material(&self, id: &str) -> Result<&[u8]> {
        let key = self.key(id)?;
        key.current_backing()
            .filter(|(_, b)| b.is_available())
            .map(|(_, b)| b.material.as_slice())
            .ok_or_else(|| {
                require_state(key, &[])
                    .err()
                    .unwrap_or_else(|| KmsError::bare(ErrorCode::KMSInternalException))
            })
    }

    pub(super) fn op_generate_mac(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateMacRequest,
    ) -> Result<GenerateMacResponse> {
        let id = self.mac_key(
            ctx,
            &req.key_id,
            &req.grant_tokens,
            req.mac_algorithm,
            Operation::GenerateMac,
        )?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let mac = crypto::hmac(
            req.mac_algorithm.hash(),
            self.hmac_material(&id)?,
            req.message.expose(),
        )
        .ok_or_else(|| KmsError::bare(ErrorCode::KMSInternalException))?;
        ctx.used = true;
        Ok(GenerateMacResponse {
            mac: Bytes(mac),
            mac_algorithm: req.mac_algorithm,
            key_id: self.key(&id)?.arn().to_owned(),
        })
    }

    pub(super) fn op_verify_mac(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: VerifyMacRequest,
    ) -> Result<VerifyMacResponse> {
        let id = self.mac_key(
            ctx,
            &req.key_id,
            &req.grant_tokens,
            req.mac_algorithm,
            Operation::VerifyMac,
        )?;
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let valid = crypto::hmac_verify(
            req.mac_algorithm.hash(),
            self.hmac_material(&id)?,
            req.message.expose(),
            &req.mac.0,
        );
        ctx.used = true;
        let arn = self.key(&id)?.arn().to_owned();
        if !valid {
            let why = format!("The MAC does not verify: it was not made by {arn} with {} over this message, or it was modified.", req.mac_algorithm);
            ctx.explanation = Some(why.clone());
            return Err(KmsError::bare(ErrorCode::KMSInvalidMacException).help(why));
        }
        Ok(VerifyMacResponse {
            key_id: arn,
            mac_valid: true,
            mac_algorithm: req.mac_algorithm,
        })
    }

    /// A data key pair of `spec`, its private key sealed under symmetric key `key_id`.
    #[allow(clippy::too_many_arguments)]
    fn data_key_pair(
        &mut self,
        ctx: &mut OpCtx<'_>,
        key_id: &str,
        spec: DataKeyPairSpec,
        context: Option<EncryptionContext>,
        grant_tokens: &[String],
        dry_run: bool,
        operation: Operation,
    ) -> Result<(super::cryptographic::Sealed, Secret, Vec<u8>, String)> {
        self.validate_grant_tokens(grant_tokens)?;
        let id = self.authorized_key(ctx, key_id, operation, context.as_ref(), |mut f| {
            f.data_key_pair_spec = Some(spec.name());
            f
        })?;
        let key = self.key(&id)?;
        require_state(key, USABLE)?;
        require_usage(key, KeyUsage::ENCRYPT_DECRYPT, operation)?;
        if !key.spec().is_symmetric() {
            return Err(wrong_spec(key, operation));
        }
        let pair_spec = spec.key_spec();
        if pair_spec.rsa_bits().is_none() && pair_spec.curve().is_none() {
            return Err(not_modelled_spec(pair_spec));
        }
        if dry_run {
            return Err(dry_run_ok());
        }
        let arn = key.arn().to_owned();
        let internal = |e: String| KmsError::bare(ErrorCode::KMSInternalException).help(e);
        let (private, public) = match (pair_spec.rsa_bits(), pair_spec.curve()) {
            (Some(bits), _) => {
                let private = crypto::rsa_generate(&mut ctx.env.rng, bits)
                    .map_err(|e| internal(e.to_string()))?;
                let public = crypto::rsa_public_to_spki(&RsaPublicKey::from(&private))
                    .map_err(|e| internal(e.to_string()))?;
                (
                    crypto::rsa_private_to_pkcs8(&private).map_err(|e| internal(e.to_string()))?,
                    public,
                )
            }
            (None, Some(curve)) => {
                let private = EccPrivateKey::generate(&mut ctx.env.rng, curve);
                (
                    private.to_pkcs8().map_err(|e| internal(e.to_string()))?,
                    private.public_spki().map_err(|e| internal(e.to_string()))?,
                )
            }
            (None, None) => return Err(not_modelled_spec(pair_spec)),
        };
        let sealed = self.seal_symmetric(ctx.env, &id, context.unwrap_or_default(), &private)?;
        ctx.used = true;
        Ok((sealed, Secret(private), public, arn))
    }

    pub(super) fn op_generate_data_key_pair(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse> {
        if req.recipient.is_some() {
            return Err(super::cryptographic::recipient_not_modelled());
        }
        let (sealed, private, public, key_id) = self.data_key_pair(
            ctx,
            &req.key_id,
            req.key_pair_spec,
            req.encryption_context,
            &req.grant_tokens,
            req.dry_run,
            Operation::GenerateDataKeyPair,
        )?;
        Ok(GenerateDataKeyPairResponse {
            private_key_ciphertext_blob: Bytes(sealed.blob),
            private_key_plaintext: private,
            public_key: Bytes(public),
            key_id,
            key_pair_spec: req.key_pair_spec,
            ciphertext_for_recipient: None,
            key_material_id: sealed.key_material_id,
        })
    }

    pub(super) fn op_generate_data_key_pair_without_plaintext(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GenerateDataKeyPairWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse> {
        let (sealed, _private, public, key_id) = self.data_key_pair(
            ctx,
            &req.key_id,
            req.key_pair_spec,
            req.encryption_context,
            &req.grant_tokens,
            req.dry_run,
            Operation::GenerateDataKeyPairWithoutPlaintext,
        )?;
        Ok(GenerateDataKeyPairWithoutPlaintextResponse {
            private_key_ciphertext_blob: Bytes(sealed.blob),
            public_key: Bytes(public),
            key_id,
            key_pair_spec: req.key_pair_spec,
            key_material_id: sealed.key_material_id,
        })
    }

    pub(super) fn op_derive_shared_secret(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DeriveSharedSecretRequest,
    ) -> Result<DeriveSharedSecretResponse> {
        if req.recipient.is_some() {
            return Err(super::cryptographic::recipient_not_modelled());
        }
        self.validate_grant_tokens(&req.grant_tokens)?;
        let id = self.authorized_key(
            ctx,
            &req.key_id,
            Operation::DeriveSharedSecret,
            None,
            |mut f| {
                f.key_agreement_algorithm = Some(req.key_agreement_algorithm.name());
                f
            },
        )?;
        let key = self.key(&id)?;
        require_state(key, USABLE)?;
        require_usage(key, KeyUsage::KEY_AGREEMENT, Operation::DeriveSharedSecret)?;
        let KeyMaterial::Ecc(private) = &key.material else {
            return Err(wrong_spec(key, Operation::DeriveSharedSecret));
        };
        if req.dry_run {
            return Err(dry_run_ok());
        }
        let secret = private.diffie_hellman(&req.public_key.0).map_err(|e| {
            KmsError::new(ErrorCode::ValidationException, "").help(format!(
                "{e}: PublicKey must be the other party's {} public key, DER-encoded SubjectPublicKeyInfo.",
                curve_name(private.curve())
            ))
        })?;
        ctx.used = true;
        Ok(DeriveSharedSecretResponse {
            key_id: key.arn().to_owned(),
            shared_secret: Secret(secret),
            ciphertext_for_recipient: None,
            key_agreement_algorithm: req.key_agreement_algorithm,
            key_origin: key.origin,
        })
    }
}

impl Kms {
    /// A key for ML-KEM, which the playground cannot create: any key it has has another
    /// usage.
    fn encapsulation_key(
        &mut self,
        ctx: &mut OpCtx<'_>,
        key_id: &str,
        grant_tokens: &[String],
        operation: Operation,
    ) -> Result<()> {
        self.validate_grant_tokens(grant_tokens)?;
        let id = self.authorized_key(ctx, key_id, operation, None, |f| f)?;
        let key = self.key(&id)?;
        require_state(key, USABLE)?;
        require_usage(key, KeyUsage::ENCAPSULATE_DECAPSULATE, operation)?;
        Err(not_modelled_spec(key.spec()))
    }

    pub(super) fn op_encapsulate(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: EncapsulateRequest,
    ) -> Result<EncapsulateResponse> {
        self.encapsulation_key(ctx, &req.key_id, &req.grant_tokens, Operation::Encapsulate)?;
        Err(KmsError::bare(ErrorCode::UnsupportedOperationException))
    }

    pub(super) fn op_decapsulate(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DecapsulateRequest,
    ) -> Result<DecapsulateResponse> {
        self.encapsulation_key(ctx, &req.key_id, &req.grant_tokens, Operation::Decapsulate)?;
        Err(KmsError::bare(ErrorCode::UnsupportedOperationException))
    }
}

fn curve_name(curve: EccCurve) -> &'static str {
    match curve {
        EccCurve::P256 => "NIST P-256",
        EccCurve::P384 => "NIST P-384",
        EccCurve::P521 => "NIST P-521",
        EccCurve::Secp256k1 => "secp256k1",
    }
}
