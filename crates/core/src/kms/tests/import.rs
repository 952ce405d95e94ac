//! Imported key material: the PendingImport state, wrapping with RSAES-OAEP and with
//! RSA-OAEP + AES key wrap, reimport of the same material only, expiry, deletion, and
//! on-demand rotation to new imported material.

use super::*;
use crate::crypto::{self, EccCurve, EccPrivateKey, OaepHash};
use crate::wire::unb64;

fn bytes(v: &Value) -> Vec<u8> {
    unb64(v.as_str().unwrap()).unwrap()
}

fn external(f: &mut Fixture, spec: &str, usage: Option<&str>) -> String {
    let mut req = json!({"Origin": "EXTERNAL", "KeySpec": spec});
    if let Some(u) = usage {
        req["KeyUsage"] = json!(u);
    }
    let m = f.ok("CreateKey", req)["KeyMetadata"].clone();
    assert_eq!(m["KeyState"], "PendingImport");
    assert_eq!(m["Enabled"], false);
    assert!(m.get("CurrentKeyMaterialId").is_none());
    m["Arn"].as_str().unwrap().to_owned()
}

/// Wraps `material` as a client would, with the parameters of GetParametersForImport.
fn wrap(f: &mut Fixture, key: &str, algorithm: &str, material: &[u8]) -> (String, String) {
    let p = f.ok(
        "GetParametersForImport",
        json!({"KeyId": key, "WrappingAlgorithm": algorithm, "WrappingKeySpec": "RSA_2048"}),
    );
    let public = crypto::rsa_public_from_spki(&bytes(&p["PublicKey"])).unwrap();
    let mut rng = crate::env::Env::new(3).rng;
    let wrapped = match algorithm {
        "RSAES_OAEP_SHA_256" => {
            crypto::rsa_oaep_encrypt(&mut rng, &public, OaepHash::Sha256, material).unwrap()
        }
        "RSAES_OAEP_SHA_1" => {
            crypto::rsa_oaep_encrypt(&mut rng, &public, OaepHash::Sha1, material).unwrap()
        }
        _ => {
            let hash = if algorithm.ends_with("SHA_1") {
                OaepHash::Sha1
            } else {
                OaepHash::Sha256
            };
            let aes = [0x5au8; 32];
            let mut out = crypto::rsa_oaep_encrypt(&mut rng, &public, hash, &aes).unwrap();
            out.extend(crypto::aes_key_wrap_padded(&aes, material).unwrap());
            out
        }
    };
    (p["ImportToken"].as_str().unwrap().to_owned(), b64(&wrapped))
}

#[test]
fn symmetric_import_reimport_expiry_and_deletion() {
    let mut f = fixture(60);
    let key = external(&mut f, "SYMMETRIC_DEFAULT", None);
    let e = f.err("Encrypt", json!({"KeyId": key, "Plaintext": b64(b"x")}));
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "KMSInvalidStateException",
            format!("{key} is pending import.").as_str()
        )
    );
    let material = [0x11u8; 32];
    let (token, wrapped) = wrap(&mut f, &key, "RSAES_OAEP_SHA_256", &material);
    let e = f.err(
        "ImportKeyMaterial",
        json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": wrapped}),
    );
    assert_eq!(
        e.aws_message(),
        "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"
    );
    let valid_to = f.env.clock.now_secs() + 86_400;
    let imported = f.ok("ImportKeyMaterial", json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": wrapped, "ValidTo": valid_to}));
    assert_eq!(imported["KeyId"], key);
    let material_id = imported["KeyMaterialId"].as_str().unwrap().to_owned();
    let m = f.ok("DescribeKey", json!({"KeyId": key}))["KeyMetadata"].clone();
    assert_eq!(
        (m["KeyState"].as_str(), m["ExpirationModel"].as_str()),
        (Some("Enabled"), Some("KEY_MATERIAL_EXPIRES"))
    );
    assert_eq!(m["ValidTo"], valid_to);
    assert_eq!(m["CurrentKeyMaterialId"], material_id);
    let ct = f.encrypt(&key, b"kept", json!({}));
    // Past ValidTo the material is gone: the key waits for the same material again.
    f.env.clock.advance_ms(86_401_000);
    let e = f.err("Decrypt", json!({"CiphertextBlob": ct}));
    assert_eq!(code(&e), "KMSInvalidStateException");
    // Different material is refused; the same material brings the key back.
    let (token, other) = wrap(&mut f, &key, "RSA_AES_KEY_WRAP_SHA_256", &[0x22; 32]);
    let e = f.err("ImportKeyMaterial", json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": other, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    assert_eq!(code(&e), "IncorrectKeyMaterialException");
    let (token, same) = wrap(&mut f, &key, "RSA_AES_KEY_WRAP_SHA_1", &material);
    let again = f.ok("ImportKeyMaterial", json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": same, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    assert_eq!(
        again["KeyMaterialId"], material_id,
        "the same material has the same id"
    );
    let out = f.ok("Decrypt", json!({"CiphertextBlob": ct}));
    assert_eq!(bytes(&out["Plaintext"]), b"kept");
    // DeleteImportedKeyMaterial: PendingImport again.
    let deleted = f.ok("DeleteImportedKeyMaterial", json!({"KeyId": key}));
    assert_eq!(deleted["KeyMaterialId"], material_id);
    assert_eq!(
        f.ok("DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"],
        "PendingImport"
    );
}

#[test]
fn import_tokens_and_origins_are_checked() {
    let mut f = fixture(61);
    let key = external(&mut f, "SYMMETRIC_DEFAULT", None);
    let other = external(&mut f, "SYMMETRIC_DEFAULT", None);
    let (token, wrapped) = wrap(&mut f, &key, "RSAES_OAEP_SHA_1", &[1; 32]);
    let (other_token, _) = wrap(&mut f, &other, "RSAES_OAEP_SHA_1", &[1; 32]);
    let e = f.err("ImportKeyMaterial", json!({"KeyId": key, "ImportToken": other_token, "EncryptedKeyMaterial": wrapped, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    assert_eq!(code(&e), "InvalidImportTokenException");
    let mut tampered = bytes(&json!(wrapped));
    tampered[5] ^= 1;
    let e = f.err("ImportKeyMaterial", json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": b64(&tampered), "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    assert_eq!(
        (code(&e), e.message.as_deref()),
        ("InvalidCiphertextException", None)
    );
    f.env.clock.advance_ms(86_400_001);
    let e = f.err("ImportKeyMaterial", json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": wrapped, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    assert_eq!(code(&e), "ExpiredImportTokenException");
    let kms_key = f.new_key();
    let e = f.err("GetParametersForImport", json!({"KeyId": kms_key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}));
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "UnsupportedOperationException",
            format!("{kms_key} origin is AWS_KMS which is not valid for this operation.").as_str()
        )
    );
    let e = f.err("DeleteImportedKeyMaterial", json!({"KeyId": kms_key}));
    assert_eq!(code(&e), "UnsupportedOperationException");
}

#[test]
fn imported_material_rotates_on_demand() {
    let mut f = fixture(62);
    let key = external(&mut f, "SYMMETRIC_DEFAULT", None);
    let (t, w) = wrap(&mut f, &key, "RSAES_OAEP_SHA_256", &[3; 32]);
    f.ok("ImportKeyMaterial", json!({"KeyId": key, "ImportToken": t, "EncryptedKeyMaterial": w, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    let e = f.err("RotateKeyOnDemand", json!({"KeyId": key}));
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "KMSInvalidStateException",
            format!("No available key material pending rotation for the key: {key}.").as_str()
        )
    );
    let old = f.encrypt(&key, b"old", json!({}));
    let (t, w) = wrap(&mut f, &key, "RSAES_OAEP_SHA_256", &[4; 32]);
    let pending = f.ok("ImportKeyMaterial", json!({"KeyId": key, "ImportToken": t, "EncryptedKeyMaterial": w, "ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    let (t, w) = wrap(&mut f, &key, "RSAES_OAEP_SHA_256", &[5; 32]);
    let e = f.err("ImportKeyMaterial", json!({"KeyId": key, "ImportToken": t, "EncryptedKeyMaterial": w, "ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    assert_eq!(code(&e), "KMSInvalidStateException");
    assert!(e.aws_message().ends_with("is pending rotation."), "{e}");
    let listed = f.ok(
        "ListKeyRotations",
        json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    );
    let states: Vec<&str> = listed["Rotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["KeyMaterialState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["CURRENT", "PENDING_ROTATION"]);
    f.ok("RotateKeyOnDemand", json!({"KeyId": key}));
    assert_eq!(
        f.ok("DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["CurrentKeyMaterialId"],
        pending["KeyMaterialId"]
    );
    assert_eq!(
        bytes(&f.ok("Decrypt", json!({"CiphertextBlob": old}))["Plaintext"]),
        b"old",
        "old ciphertexts still decrypt"
    );
    let rotations = f.ok("ListKeyRotations", json!({"KeyId": key}))["Rotations"].clone();
    assert_eq!(rotations.as_array().unwrap().len(), 1);
    assert_eq!(rotations[0]["RotationType"], "ON_DEMAND");
    assert_eq!(rotations[0]["ImportState"], "IMPORTED");
}

#[test]
fn asymmetric_and_hmac_material_can_be_imported() {
    let mut f = fixture(63);
    let key = external(&mut f, "ECC_NIST_P256", Some("SIGN_VERIFY"));
    let mut rng = crate::env::Env::new(9).rng;
    let private = EccPrivateKey::generate(&mut rng, EccCurve::P256);
    let der = private.to_pkcs8().unwrap();
    let (t, w) = wrap(&mut f, &key, "RSA_AES_KEY_WRAP_SHA_256", &der);
    f.ok("ImportKeyMaterial", json!({"KeyId": key, "ImportToken": t, "EncryptedKeyMaterial": w, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    let public = bytes(&f.ok("GetPublicKey", json!({"KeyId": key}))["PublicKey"]);
    assert_eq!(
        public,
        private.public_spki().unwrap(),
        "the key is the imported one"
    );
    let hmac = external(&mut f, "HMAC_256", Some("GENERATE_VERIFY_MAC"));
    let (t, w) = wrap(&mut f, &hmac, "RSAES_OAEP_SHA_256", &[9; 20]);
    let e = f.err("ImportKeyMaterial", json!({"KeyId": hmac, "ImportToken": t, "EncryptedKeyMaterial": w, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    assert_eq!(
        code(&e),
        "IncorrectKeyMaterialException",
        "HMAC_256 material is 32 to 64 bytes"
    );
    let (t, w) = wrap(&mut f, &hmac, "RSAES_OAEP_SHA_256", &[9; 32]);
    f.ok("ImportKeyMaterial", json!({"KeyId": hmac, "ImportToken": t, "EncryptedKeyMaterial": w, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}));
    let mac = f.ok(
        "GenerateMac",
        json!({"KeyId": hmac, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"}),
    );
    assert_eq!(
        bytes(&mac["Mac"]),
        crypto::hmac(crypto::Hash::Sha256, &[9; 32], b"m").unwrap(),
        "the MAC is under the imported material"
    );
}
