//! Imported key material (developer guide, *Importing key material for AWS KMS keys*):
//! keys of Origin `EXTERNAL` are created `PendingImport`; GetParametersForImport issues a
//! wrapping key pair and an import token (valid 24 hours); ImportKeyMaterial unwraps the
//! material (RSAES-OAEP, or RSA-OAEP of an AES key that wraps the material with RFC 5649
//! key wrap) and sets its expiration; DeleteImportedKeyMaterial (or expiry) removes it,
//! and only the same material may come back.

use super::error::{ErrorCode, KmsError, Result};
use super::key::{BackingKey, ImportParameters, KeyMaterial, KmsKey};
use super::keys::imported_material_id;
use super::lookup::require_not_pending_deletion;
use super::lookup::DAY;
use super::operation::Operation;
use super::types::*;
use super::{Kms, OpCtx};
use crate::crypto::{self, EccPrivateKey, OaepHash, RsaPublicKey};
use crate::wire::Bytes;
use zeroize::Zeroizing;

/// How long import parameters stay valid (API reference, *GetParametersForImport*: "24 hours").
pub const IMPORT_PARAMETERS_VALID_SECS: u64 = DAY;
/// The latest `ValidTo` (API reference, *ImportKeyMaterial*: "365 days from the request date").
pub const MAX_VALID_TO_SECS: u64 = 365 * DAY;

/// `<arn> origin is <origin> which is not valid for this operation.`
fn wrong_origin(key: &KmsKey) -> KmsError {
    KmsError::new(
        ErrorCode::UnsupportedOperationException,
        format!(
            "{} origin is {} which is not valid for this operation.",
            key.arn(),
            key.origin
        ),
    )
    .help("Importing key material is for keys created with Origin EXTERNAL.")
}

fn incorrect_material(why: impl Into<String>) -> KmsError {
    KmsError::new(
        ErrorCode::IncorrectKeyMaterialException,
        "The key material in the request is, expired, invalid, or is not the same key material that was previously imported into this KMS key.",
    )
    .help(why)
}

impl Kms {
    pub(super) fn op_get_parameters_for_import(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: GetParametersForImportRequest,
    ) -> Result<GetParametersForImportResponse> {
        let id = self.customer_key_with(
            ctx,
            &req.key_id,
            Operation::GetParametersForImport,
            |mut f| {
                f.wrapping_algorithm = Some(req.wrapping_algorithm.name());
                f.wrapping_key_spec = Some(req.wrapping_key_spec.name());
                f
            },
        )?;
        let key = self.key(&id)?;
        if key.origin != Origin::EXTERNAL {
            return Err(wrong_origin(key));
        }
        require_not_pending_deletion(key)?;
        let bits = match req.wrapping_key_spec {
            WrappingKeySpec::RSA_2048 => 2048,
            WrappingKeySpec::RSA_3072 => 3072,
            WrappingKeySpec::RSA_4096 => 4096,
            WrappingKeySpec::SM2 => {
                return Err(KmsError::new(ErrorCode::ValidationException, "WrappingKeySpec SM2 is not supported in this Region.")
                    .help("SM2 wrapping keys exist only in the China Regions; use RSA_2048, RSA_3072 or RSA_4096."))
            }
        };
        match req.wrapping_algorithm {
            WrappingAlgorithm::RSAES_PKCS1_V1_5 => {
                return Err(KmsError::new(ErrorCode::ValidationException, "The RSAES_PKCS1_V1_5 wrapping algorithm is not supported.")
                    .help("AWS KMS stopped supporting RSAES_PKCS1_V1_5 for imports on October 10, 2023; use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256."))
            }
            WrappingAlgorithm::SM2PKE => {
                return Err(KmsError::new(ErrorCode::ValidationException, "The SM2PKE wrapping algorithm is not supported in this Region.")
                    .help("SM2PKE exists only in the China Regions."))
            }
            _ => {}
        }
        let wrapping_key = crypto::rsa_generate(&mut ctx.env.rng, bits)
            .map_err(|e| KmsError::bare(ErrorCode::KMSInternalException).help(e.to_string()))?;
        let public_key = crypto::rsa_public_to_spki(&RsaPublicKey::from(&wrapping_key))
            .map_err(|e| KmsError::bare(ErrorCode::KMSInternalException).help(e.to_string()))?;
        let mut token = b"kmsplay-import-token:".to_vec();
        token.extend_from_slice(&ctx.env.rng.bytes::<32>());
        let valid_to = ctx.env.clock.now_secs() + IMPORT_PARAMETERS_VALID_SECS;
        let key = self.key_mut(&id)?;
        key.import = Some(ImportParameters {
            wrapping_key: Box::new(wrapping_key),
            algorithm: req.wrapping_algorithm,
            token: token.clone(),
            valid_to,
        });
        Ok(GetParametersForImportResponse {
            key_id: key.arn().to_owned(),
            import_token: Bytes(token),
            public_key: Bytes(public_key),
            parameters_valid_to: valid_to,
        })
    }

    pub(super) fn op_import_key_material(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ImportKeyMaterialRequest,
    ) -> Result<KeyMaterialIdResponse> {
        let model = req
            .expiration_model
            .unwrap_or(ExpirationModel::KEY_MATERIAL_EXPIRES);
        let id =
            self.customer_key_with(ctx, &req.key_id, Operation::ImportKeyMaterial, |mut f| {
                f.expiration_model = Some(model.name());
                match req.valid_to {
                    Some(t) => f.with_named("kms:ValidTo", format!("{}", t as u64)),
                    None => f,
                }
            })?;
        let now = ctx.env.clock.now_secs();
        let key = self.key(&id)?;
        if key.origin != Origin::EXTERNAL {
            return Err(wrong_origin(key));
        }
        require_not_pending_deletion(key)?;
        let valid_to = match (model, req.valid_to) {
            (ExpirationModel::KEY_MATERIAL_EXPIRES, None) => {
                return Err(KmsError::new(ErrorCode::ValidationException, "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
                    .help("ExpirationModel defaults to KEY_MATERIAL_EXPIRES: give ValidTo, or set ExpirationModel KEY_MATERIAL_DOES_NOT_EXPIRE."))
            }
            (ExpirationModel::KEY_MATERIAL_DOES_NOT_EXPIRE, Some(_)) => {
                return Err(KmsError::new(ErrorCode::ValidationException, "A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE"))
            }
            (_, Some(t)) => {
                let t = if t.is_finite() && t > 0.0 { t as u64 } else { 0 };
                if t <= now {
                    return Err(KmsError::new(ErrorCode::ValidationException, "ValidTo must be in the future")
                        .help(format!("ValidTo is {}; the simulated time is {}.", crate::env::iso8601(t), crate::env::iso8601(now))));
                }
                if t > now + MAX_VALID_TO_SECS {
                    return Err(KmsError::new(ErrorCode::ValidationException, "ValidTo must be within 365 days of the current date"));
                }
                Some(t)
            }
            (ExpirationModel::KEY_MATERIAL_DOES_NOT_EXPIRE, None) => None,
        };
        let expiration = Some((model, valid_to));
        let params = key.import.as_ref().ok_or_else(|| {
            KmsError::new(
                ErrorCode::InvalidImportTokenException,
                "The provided import token is invalid or is associated with a different KMS key.",
            )
            .help("Call GetParametersForImport for this key first, and import with its token.")
        })?;
        if params.token != req.import_token.0 {
            return Err(KmsError::new(
                ErrorCode::InvalidImportTokenException,
                "The provided import token is invalid or is associated with a different KMS key.",
            )
            .help("Pass the ImportToken of this key's latest GetParametersForImport, unchanged."));
        }
        if params.valid_to <= now {
            return Err(KmsError::new(ErrorCode::ExpiredImportTokenException, "The specified import token is expired. Use GetParametersForImport to get a new import token and public key, use the new public key to encrypt the key material, and then try the request again.")
                .help(format!("The token was valid until {}.", crate::env::iso8601(params.valid_to))));
        }
        let material = unwrap_material(params, &req.encrypted_key_material.0)?;
        let material_id = imported_material_id(&key.key_id, &material);
        if let Some(given) = &req.key_material_id {
            if given != &material_id {
                return Err(incorrect_material(format!(
                    "KeyMaterialId {given} is not the id of this key material ({material_id})."
                )));
            }
        }
        let spec = key.spec();
        let key = self.key_mut(&id)?;
        if spec.is_symmetric() || spec.is_hmac() {
            check_symmetric_length(spec, material.len())?;
            import_versioned(key, material, material_id.clone(), expiration, &req, now)?;
        } else {
            if let Some(first) = &key.imported_material_id {
                if first != &material_id {
                    return Err(incorrect_material(
                        "An asymmetric key takes only the key material first imported into it.",
                    ));
                }
            }
            key.material = parse_private_key(spec, &material)?;
            key.asymmetric_expiration = expiration;
            key.imported_material_id = Some(material_id.clone());
        }
        if key.state == KeyState::PendingImport {
            key.state = KeyState::Enabled;
        }
        key.import = None;
        Ok(KeyMaterialIdResponse {
            key_id: key.arn().to_owned(),
            key_material_id: Some(material_id),
        })
    }

    pub(super) fn op_delete_imported_key_material(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: DeleteImportedKeyMaterialRequest,
    ) -> Result<KeyMaterialIdResponse> {
        let id = self.customer_key_with(
            ctx,
            &req.key_id,
            Operation::DeleteImportedKeyMaterial,
            |f| f,
        )?;
        let key = self.key_mut(&id)?;
        if key.origin != Origin::EXTERNAL {
            return Err(wrong_origin(key));
        }
        require_not_pending_deletion(key)?;
        let deleted = match &mut key.material {
            KeyMaterial::Versions(versions) => {
                let target = match &req.key_material_id {
                    Some(mid) => versions.iter_mut().find(|b| &b.id == mid),
                    None => versions.last_mut(),
                };
                let Some(b) = target else {
                    return Err(KmsError::new(ErrorCode::NotFoundException, format!("Key material {} does not exist for key {}", req.key_material_id.as_deref().unwrap_or(""), id))
                        .help("ListKeyRotations with IncludeKeyMaterial ALL_KEY_MATERIAL lists the key's key material ids."));
                };
                b.material = Zeroizing::new(Vec::new());
                Some(b.id.clone())
            }
            KeyMaterial::Rsa(_) | KeyMaterial::Ecc(_) => {
                key.material = KeyMaterial::None;
                key.imported_material_id.clone()
            }
            KeyMaterial::None => None,
        };
        if !key.has_material() && matches!(key.state, KeyState::Enabled | KeyState::Disabled) {
            key.state = KeyState::PendingImport;
        }
        Ok(KeyMaterialIdResponse {
            key_id: key.arn().to_owned(),
            key_material_id: deleted,
        })
    }
}

/// Unwraps `wrapped` with the import parameters' key and algorithm.
fn unwrap_material(params: &ImportParameters, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let refused = |why: &str| {
        KmsError::bare(ErrorCode::InvalidCiphertextException).help(format!(
            "The encrypted key material did not unwrap with this key's wrapping key and {}: {why}. Encrypt it with the PublicKey of the same GetParametersForImport call, using that WrappingAlgorithm.",
            params.algorithm
        ))
    };
    let oaep = |hash, ct: &[u8]| crypto::rsa_oaep_decrypt(&params.wrapping_key, hash, ct);
    match params.algorithm {
        WrappingAlgorithm::RSAES_OAEP_SHA_1 => {
            oaep(OaepHash::Sha1, wrapped).map_err(|_| refused("RSAES-OAEP failed"))
        }
        WrappingAlgorithm::RSAES_OAEP_SHA_256 => {
            oaep(OaepHash::Sha256, wrapped).map_err(|_| refused("RSAES-OAEP failed"))
        }
        WrappingAlgorithm::RSA_AES_KEY_WRAP_SHA_1 | WrappingAlgorithm::RSA_AES_KEY_WRAP_SHA_256 => {
            let hash = if params.algorithm == WrappingAlgorithm::RSA_AES_KEY_WRAP_SHA_1 {
                OaepHash::Sha1
            } else {
                OaepHash::Sha256
            };
            let split = crypto::rsa_bits(&RsaPublicKey::from(params.wrapping_key.as_ref())) / 8;
            if wrapped.len() <= split {
                return Err(refused(
                    "it is shorter than the RSA-encrypted AES key it must start with",
                ));
            }
            let (rsa_part, kw_part) = wrapped.split_at(split);
            let aes_key = oaep(hash, rsa_part)
                .map_err(|_| refused("the RSA-OAEP-encrypted AES key did not decrypt"))?;
            crypto::aes_key_unwrap_padded(&aes_key, kw_part)
                .map_err(|_| refused("AES key wrap with padding did not unwrap"))
        }
        WrappingAlgorithm::RSAES_PKCS1_V1_5 | WrappingAlgorithm::SM2PKE => {
            Err(refused("the algorithm is not supported"))
        }
    }
}

/// Symmetric key material is 256 bits; HMAC material is from the hash length up to its
/// block size (developer guide, *Requirements for imported key material*).
fn check_symmetric_length(spec: KeySpec, len: usize) -> Result<()> {
    let range = match spec {
        KeySpec::HMAC_224 => 28..=64,
        KeySpec::HMAC_256 => 32..=64,
        KeySpec::HMAC_384 => 48..=128,
        KeySpec::HMAC_512 => 64..=128,
        _ => 32..=32,
    };
    if range.contains(&len) {
        Ok(())
    } else {
        Err(incorrect_material(format!(
            "{spec} key material must be {} to {} bytes; this is {len}.",
            range.start(),
            range.end()
        )))
    }
}

/// The private key of imported asymmetric key material (PKCS#8 DER).
fn parse_private_key(spec: KeySpec, der: &[u8]) -> Result<KeyMaterial> {
    if let Some(bits) = spec.rsa_bits() {
        let key = crypto::rsa_private_from_pkcs8(der).map_err(|_| {
            incorrect_material(
                "Asymmetric key material is a PKCS#8 DER private key; this is not one.",
            )
        })?;
        if crypto::rsa_bits(&RsaPublicKey::from(&key)) != bits {
            return Err(incorrect_material(format!(
                "{spec} needs a {bits}-bit RSA key."
            )));
        }
        return Ok(KeyMaterial::Rsa(Box::new(key)));
    }
    if let Some(curve) = spec.curve() {
        return EccPrivateKey::from_pkcs8(curve, der)
            .map(|k| KeyMaterial::Ecc(Box::new(k)))
            .map_err(|e| incorrect_material(format!("{e} ({spec}).")));
    }
    Err(super::keys::not_modelled_spec(spec))
}

/// Imports symmetric or HMAC material: the first import, a reimport of known material,
/// or new material waiting for RotateKeyOnDemand.
fn import_versioned(
    key: &mut KmsKey,
    material: Zeroizing<Vec<u8>>,
    material_id: String,
    expiration: Option<(ExpirationModel, Option<u64>)>,
    req: &ImportKeyMaterialRequest,
    now: u64,
) -> Result<()> {
    let known = key.versions().iter().any(|b| b.id == material_id)
        || key
            .pending_rotation
            .as_ref()
            .is_some_and(|b| b.id == material_id);
    let first = key.versions().is_empty() && key.pending_rotation.is_none();
    let import_type = req.import_type.unwrap_or(if first {
        ImportType::NEW_KEY_MATERIAL
    } else {
        ImportType::EXISTING_KEY_MATERIAL
    });
    if import_type == ImportType::NEW_KEY_MATERIAL && req.key_material_id.is_some() {
        return Err(KmsError::new(
            ErrorCode::ValidationException,
            "KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL.",
        ));
    }
    let backing = |description: Option<String>| BackingKey {
        material: material.clone(),
        id: material_id.clone(),
        created: now,
        rotation_type: None,
        expiration,
        description,
    };
    match import_type {
        ImportType::EXISTING_KEY_MATERIAL => {
            if !known {
                return Err(incorrect_material("ImportType EXISTING_KEY_MATERIAL reimports material this key had before; this material is new to it."));
            }
            let slot = match &mut key.material {
                KeyMaterial::Versions(v) => v.iter_mut().find(|b| b.id == material_id),
                _ => None,
            };
            let slot = match slot {
                Some(s) => Some(s),
                None => key
                    .pending_rotation
                    .as_mut()
                    .filter(|b| b.id == material_id),
            };
            if let Some(slot) = slot {
                slot.material = material;
                slot.expiration = expiration;
                if req.key_material_description.is_some() {
                    slot.description = req.key_material_description.clone();
                }
            }
        }
        ImportType::NEW_KEY_MATERIAL if first => {
            key.material =
                KeyMaterial::Versions(vec![backing(req.key_material_description.clone())]);
            key.imported_material_id = Some(material_id);
        }
        ImportType::NEW_KEY_MATERIAL => {
            if known {
                return Err(incorrect_material("This key material was imported into this key before; reimport it with ImportType EXISTING_KEY_MATERIAL."));
            }
            if !key.spec().is_symmetric() {
                return Err(incorrect_material(
                    "HMAC keys take only the key material first imported into them.",
                ));
            }
            if let Some(pending) = &key.pending_rotation {
                return Err(KmsError::new(
                    ErrorCode::KMSInvalidStateException,
                    format!(
                        "New key material (id: {material_id}) cannot be imported into KMS key {}, because another key material (id: {}) is pending rotation.",
                        key.key_id, pending.id
                    ),
                )
                .help("Rotate to the pending material with RotateKeyOnDemand first."));
            }
            key.pending_rotation = Some(backing(req.key_material_description.clone()));
        }
    }
    Ok(())
}
