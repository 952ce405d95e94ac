//! Asymmetric and HMAC keys: every modelled spec signs and verifies, encrypts and
//! decrypts, MACs, derives shared secrets, and refuses what AWS refuses with AWS's words.

use super::*;
use crate::crypto::{self, EccCurve, EccPrivateKey, Hash, RsaSignatureScheme};
use crate::wire::unb64;

fn create(f: &mut Fixture, spec: &str, usage: &str) -> String {
    f.ok("CreateKey", json!({"KeySpec": spec, "KeyUsage": usage}))["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn bytes(v: &Value) -> Vec<u8> {
    unb64(v.as_str().unwrap()).unwrap()
}

#[test]
fn metadata_of_each_kind_of_key_lists_its_algorithms() {
    let mut f = fixture(40);
    let m = f.ok(
        "CreateKey",
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )["KeyMetadata"]
        .clone();
    assert_eq!(m["SigningAlgorithms"], json!(["ECDSA_SHA_256"]));
    assert!(m.get("EncryptionAlgorithms").is_none());
    assert!(
        m.get("CurrentKeyMaterialId").is_none(),
        "asymmetric keys have no key material id"
    );
    let m = f.ok(
        "CreateKey",
        json!({"KeySpec": "HMAC_384", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    )["KeyMetadata"]
        .clone();
    assert_eq!(m["MacAlgorithms"], json!(["HMAC_SHA_384"]));
    let m = f.ok(
        "CreateKey",
        json!({"KeySpec": "ECC_NIST_P384", "KeyUsage": "KEY_AGREEMENT"}),
    )["KeyMetadata"]
        .clone();
    assert_eq!(m["KeyAgreementAlgorithms"], json!(["ECDH"]));
    let m = f.ok(
        "CreateKey",
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    )["KeyMetadata"]
        .clone();
    assert_eq!(
        m["EncryptionAlgorithms"],
        json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
    );
    assert_eq!(m["CustomerMasterKeySpec"], "RSA_2048");
    let m = f.ok("CreateKey", json!({}))["KeyMetadata"].clone();
    assert_eq!(m["CurrentKeyMaterialId"].as_str().unwrap().len(), 64);
}

#[test]
fn create_key_refusals_read_as_aws_writes_them() {
    let mut f = fixture(41);
    let e = f.err("CreateKey", json!({"KeySpec": "RSA_2048"}));
    assert_eq!(
        (code(&e), e.aws_message()),
        ("ValidationException", "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
    );
    let e = f.err(
        "CreateKey",
        json!({"KeySpec": "RSA_2048", "KeyUsage": "KEY_AGREEMENT"}),
    );
    assert_eq!(
        e.aws_message(),
        "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"
    );
    let e = f.err(
        "CreateKey",
        json!({"KeySpec": "ECC_SECG_P256K1", "KeyUsage": "KEY_AGREEMENT"}),
    );
    assert_eq!(
        e.aws_message(),
        "KeyUsage KEY_AGREEMENT is not compatible with KeySpec ECC_SECG_P256K1"
    );
    let e = f.err("CreateKey", json!({"KeySpec": "RSA_2048", "CustomerMasterKeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}));
    assert_eq!(code(&e), "ValidationException");
    let e = f.err(
        "CreateKey",
        json!({"KeySpec": "ML_DSA_44", "KeyUsage": "SIGN_VERIFY"}),
    );
    assert_eq!(code(&e), "UnsupportedOperationException");
    assert!(e
        .help
        .as_deref()
        .unwrap_or_default()
        .contains("not simulated"));
    let e = f.err("CreateKey", json!({"Origin": "AWS_CLOUDHSM"}));
    assert_eq!(code(&e), "CustomKeyStoreNotFoundException");
}

#[test]
fn sign_and_verify_with_every_signing_spec_and_algorithm() {
    let mut f = fixture(42);
    let specs = [
        (
            "RSA_2048",
            vec![
                "RSASSA_PKCS1_V1_5_SHA_256",
                "RSASSA_PKCS1_V1_5_SHA_384",
                "RSASSA_PKCS1_V1_5_SHA_512",
                "RSASSA_PSS_SHA_256",
                "RSASSA_PSS_SHA_384",
                "RSASSA_PSS_SHA_512",
            ],
        ),
        ("ECC_NIST_P256", vec!["ECDSA_SHA_256"]),
        ("ECC_NIST_P384", vec!["ECDSA_SHA_384"]),
        ("ECC_NIST_P521", vec!["ECDSA_SHA_512"]),
        ("ECC_SECG_P256K1", vec!["ECDSA_SHA_256"]),
    ];
    for (spec, algorithms) in specs {
        let key = create(&mut f, spec, "SIGN_VERIFY");
        let public = bytes(&f.ok("GetPublicKey", json!({"KeyId": key}))["PublicKey"]);
        for alg in algorithms {
            let signed = f.ok(
                "Sign",
                json!({"KeyId": key, "Message": b64(b"pay 10"), "SigningAlgorithm": alg}),
            );
            assert_eq!(signed["SigningAlgorithm"], alg);
            let sig = bytes(&signed["Signature"]);
            let v = f.ok("Verify", json!({"KeyId": key, "Message": b64(b"pay 10"), "Signature": b64(&sig), "SigningAlgorithm": alg}));
            assert_eq!(v["SignatureValid"], true, "{spec} {alg}");
            // The signature verifies outside KMS with the public key GetPublicKey returned.
            let hash = match alg {
                a if a.ends_with("256") => Hash::Sha256,
                a if a.ends_with("384") => Hash::Sha384,
                _ => Hash::Sha512,
            };
            let digest = hash.digest(b"pay 10");
            if spec.starts_with("RSA") {
                let scheme = if alg.contains("PSS") {
                    RsaSignatureScheme::Pss
                } else {
                    RsaSignatureScheme::Pkcs1v15
                };
                let pk = crypto::rsa_public_from_spki(&public).unwrap();
                assert!(
                    crypto::rsa_verify(&pk, scheme, hash, &digest, &sig),
                    "{spec} {alg} outside KMS"
                );
            }
            // A digest signed as DIGEST verifies as the raw message, and vice versa.
            let v = f.ok("Verify", json!({"KeyId": key, "Message": b64(&digest), "MessageType": "DIGEST", "Signature": b64(&sig), "SigningAlgorithm": alg}));
            assert_eq!(v["SignatureValid"], true);
            // Tampered message or signature: KMSInvalidSignatureException, no message.
            let e = f.err("Verify", json!({"KeyId": key, "Message": b64(b"pay 99"), "Signature": b64(&sig), "SigningAlgorithm": alg}));
            assert_eq!(
                (code(&e), e.message.as_deref()),
                ("KMSInvalidSignatureException", None)
            );
            let mut bad = sig.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            let e = f.err("Verify", json!({"KeyId": key, "Message": b64(b"pay 10"), "Signature": b64(&bad), "SigningAlgorithm": alg}));
            assert_eq!(code(&e), "KMSInvalidSignatureException");
        }
    }
}

#[test]
fn signing_refusals() {
    let mut f = fixture(43);
    let ecc = create(&mut f, "ECC_NIST_P256", "SIGN_VERIFY");
    let e = f.err("Sign", json!({"KeyId": ecc, "Message": b64(&[1; 31]), "MessageType": "DIGEST", "SigningAlgorithm": "ECDSA_SHA_256"}));
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "ValidationException",
            "Digest is invalid length for algorithm ECDSA_SHA_256."
        )
    );
    let e = f.err(
        "Sign",
        json!({"KeyId": ecc, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_384"}),
    );
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "InvalidKeyUsageException",
            "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256."
        )
    );
    let sym = f.new_key();
    let e = f.err(
        "Sign",
        json!({"KeyId": sym, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    assert_eq!(
        e.aws_message(),
        format!("{sym} key usage is ENCRYPT_DECRYPT which is not valid for Sign.")
    );
    let e = f.err("Encrypt", json!({"KeyId": ecc, "Plaintext": b64(b"m")}));
    assert_eq!(
        e.aws_message(),
        format!("{ecc} key usage is SIGN_VERIFY which is not valid for Encrypt.")
    );
    let e = f.err("GetPublicKey", json!({"KeyId": sym}));
    assert_eq!(
        (code(&e), e.message.as_deref()),
        ("UnsupportedOperationException", None)
    );
    f.ok("DisableKey", json!({"KeyId": ecc}));
    let e = f.err(
        "Sign",
        json!({"KeyId": ecc, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    assert_eq!(
        (code(&e), e.aws_message()),
        ("DisabledException", format!("{ecc} is disabled.").as_str())
    );
    let e = f.err("Sign", json!({"KeyId": ecc, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256", "DryRun": true}));
    assert_eq!(
        code(&e),
        "DisabledException",
        "DryRun still checks the key state"
    );
    f.ok("EnableKey", json!({"KeyId": ecc}));
    let e = f.err("Sign", json!({"KeyId": ecc, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256", "DryRun": true}));
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "DryRunOperationException",
            "The request would have succeeded, but the DryRun option is set."
        )
    );
}

#[test]
fn rsa_encryption_keys_encrypt_decrypt_and_re_encrypt() {
    let mut f = fixture(44);
    let rsa = create(&mut f, "RSA_2048", "ENCRYPT_DECRYPT");
    let rsa2 = create(&mut f, "RSA_2048", "ENCRYPT_DECRYPT");
    let e = f.err("Encrypt", json!({"KeyId": rsa, "Plaintext": b64(b"m")}));
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "InvalidKeyUsageException",
            "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."
        )
    );
    for (alg, max) in [("RSAES_OAEP_SHA_1", 214), ("RSAES_OAEP_SHA_256", 190)] {
        let e = f.err(
            "Encrypt",
            json!({"KeyId": rsa, "Plaintext": b64(&vec![7; max + 1]), "EncryptionAlgorithm": alg}),
        );
        assert_eq!(e.aws_message(), format!("Algorithm {alg} and key spec RSA_2048 cannot encrypt data larger than {max} bytes."));
        let ct = f.ok(
            "Encrypt",
            json!({"KeyId": rsa, "Plaintext": b64(&vec![7; max]), "EncryptionAlgorithm": alg}),
        )["CiphertextBlob"]
            .clone();
        let out = f.ok(
            "Decrypt",
            json!({"KeyId": rsa, "CiphertextBlob": ct, "EncryptionAlgorithm": alg}),
        );
        assert_eq!(bytes(&out["Plaintext"]), vec![7; max]);
        assert!(out.get("KeyMaterialId").is_none());
        // Without KeyId, KMS cannot tell which key: the blob is no symmetric ciphertext.
        let e = f.err(
            "Decrypt",
            json!({"CiphertextBlob": ct, "EncryptionAlgorithm": alg}),
        );
        assert_eq!(
            (code(&e), e.message.as_deref()),
            ("InvalidCiphertextException", None)
        );
        // The wrong algorithm fails like a modified ciphertext.
        let other = if alg == "RSAES_OAEP_SHA_1" {
            "RSAES_OAEP_SHA_256"
        } else {
            "RSAES_OAEP_SHA_1"
        };
        let e = f.err(
            "Decrypt",
            json!({"KeyId": rsa, "CiphertextBlob": ct, "EncryptionAlgorithm": other}),
        );
        assert_eq!(code(&e), "InvalidCiphertextException");
        // ReEncrypt from one RSA key to another, and to a symmetric key.
        let moved = f.ok("ReEncrypt", json!({"CiphertextBlob": ct, "SourceKeyId": rsa, "SourceEncryptionAlgorithm": alg, "DestinationKeyId": rsa2, "DestinationEncryptionAlgorithm": alg}));
        assert_eq!(moved["SourceKeyId"], rsa);
        assert_eq!(moved["KeyId"], rsa2);
        let back = f.ok("Decrypt", json!({"KeyId": rsa2, "CiphertextBlob": moved["CiphertextBlob"], "EncryptionAlgorithm": alg}));
        assert_eq!(bytes(&back["Plaintext"]), vec![7; max]);
    }
    let sym = f.new_key();
    let ct = f.encrypt(&sym, b"secret", json!({}));
    let moved = f.ok("ReEncrypt", json!({"CiphertextBlob": ct, "DestinationKeyId": rsa, "DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_1"}));
    assert_eq!(moved["SourceKeyMaterialId"].as_str().unwrap().len(), 64);
    assert!(moved.get("DestinationKeyMaterialId").is_none());
    let back = f.ok("Decrypt", json!({"KeyId": rsa, "CiphertextBlob": moved["CiphertextBlob"], "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"}));
    assert_eq!(bytes(&back["Plaintext"]), b"secret");
    let e = f.err(
        "GenerateDataKey",
        json!({"KeyId": rsa, "KeySpec": "AES_256"}),
    );
    assert_eq!(code(&e), "InvalidKeyUsageException");
}

#[test]
fn hmac_keys_generate_and_verify_macs() {
    let mut f = fixture(45);
    for (spec, alg, len) in [
        ("HMAC_224", "HMAC_SHA_224", 28),
        ("HMAC_256", "HMAC_SHA_256", 32),
        ("HMAC_384", "HMAC_SHA_384", 48),
        ("HMAC_512", "HMAC_SHA_512", 64),
    ] {
        let key = create(&mut f, spec, "GENERATE_VERIFY_MAC");
        let mac = f.ok(
            "GenerateMac",
            json!({"KeyId": key, "Message": b64(b"hello"), "MacAlgorithm": alg}),
        );
        let tag = bytes(&mac["Mac"]);
        assert_eq!(tag.len(), len);
        // Deterministic: the same message gives the same MAC.
        let again = f.ok(
            "GenerateMac",
            json!({"KeyId": key, "Message": b64(b"hello"), "MacAlgorithm": alg}),
        );
        assert_eq!(again["Mac"], mac["Mac"]);
        let v = f.ok(
            "VerifyMac",
            json!({"KeyId": key, "Message": b64(b"hello"), "Mac": b64(&tag), "MacAlgorithm": alg}),
        );
        assert_eq!(v["MacValid"], true);
        let e = f.err(
            "VerifyMac",
            json!({"KeyId": key, "Message": b64(b"hellO"), "Mac": b64(&tag), "MacAlgorithm": alg}),
        );
        assert_eq!(
            (code(&e), e.message.as_deref()),
            ("KMSInvalidMacException", None)
        );
    }
    let key = create(&mut f, "HMAC_224", "GENERATE_VERIFY_MAC");
    let e = f.err(
        "GenerateMac",
        json!({"KeyId": key, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"}),
    );
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "InvalidKeyUsageException",
            "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224."
        )
    );
    let sym = f.new_key();
    let e = f.err(
        "GenerateMac",
        json!({"KeyId": sym, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"}),
    );
    assert_eq!(
        e.aws_message(),
        format!("{sym} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.")
    );
}

#[test]
fn derive_shared_secret_agrees_with_the_other_party() {
    let mut f = fixture(46);
    for (spec, curve) in [
        ("ECC_NIST_P256", EccCurve::P256),
        ("ECC_NIST_P384", EccCurve::P384),
        ("ECC_NIST_P521", EccCurve::P521),
    ] {
        let key = create(&mut f, spec, "KEY_AGREEMENT");
        let kms_public = bytes(&f.ok("GetPublicKey", json!({"KeyId": key}))["PublicKey"]);
        let mut rng = crate::env::Env::new(7).rng;
        let peer = EccPrivateKey::generate(&mut rng, curve);
        let out = f.ok("DeriveSharedSecret", json!({"KeyId": key, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b64(&peer.public_spki().unwrap())}));
        assert_eq!(out["KeyOrigin"], "AWS_KMS");
        let theirs = peer.diffie_hellman(&kms_public).unwrap();
        assert_eq!(bytes(&out["SharedSecret"]), theirs.to_vec(), "{spec}");
        let e = f.err(
            "DeriveSharedSecret",
            json!({"KeyId": key, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b64(b"not a key")}),
        );
        assert_eq!((code(&e), e.aws_message()), ("ValidationException", ""));
    }
    let signing = create(&mut f, "ECC_NIST_P256", "SIGN_VERIFY");
    let e = f.err(
        "DeriveSharedSecret",
        json!({"KeyId": signing, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b64(b"x")}),
    );
    assert_eq!(
        e.aws_message(),
        format!("{signing} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.")
    );
}

#[test]
fn data_key_pairs_are_real_pairs_with_the_private_key_sealed() {
    let mut f = fixture(47);
    let sym = f.new_key();
    for spec in ["ECC_NIST_P256", "ECC_SECG_P256K1", "RSA_2048"] {
        let pair = f.ok(
            "GenerateDataKeyPair",
            json!({"KeyId": sym, "KeyPairSpec": spec, "EncryptionContext": {"app": "x"}}),
        );
        assert_eq!(pair["KeyPairSpec"], spec);
        assert_eq!(pair["KeyMaterialId"].as_str().unwrap().len(), 64);
        let private = bytes(&pair["PrivateKeyPlaintext"]);
        let sealed = f.ok("Decrypt", json!({"CiphertextBlob": pair["PrivateKeyCiphertextBlob"], "EncryptionContext": {"app": "x"}}));
        assert_eq!(
            bytes(&sealed["Plaintext"]),
            private,
            "the blob seals the same private key"
        );
        let public = bytes(&pair["PublicKey"]);
        if spec == "RSA_2048" {
            let pk = crypto::rsa_private_from_pkcs8(&private).unwrap();
            assert_eq!(
                crypto::rsa_public_to_spki(&crypto::RsaPublicKey::from(&pk)).unwrap(),
                public
            );
        } else {
            let curve = if spec == "ECC_NIST_P256" {
                EccCurve::P256
            } else {
                EccCurve::Secp256k1
            };
            assert_eq!(
                EccPrivateKey::from_pkcs8(curve, &private)
                    .unwrap()
                    .public_spki()
                    .unwrap(),
                public
            );
        }
        let without = f.ok(
            "GenerateDataKeyPairWithoutPlaintext",
            json!({"KeyId": sym, "KeyPairSpec": spec}),
        );
        assert!(without.get("PrivateKeyPlaintext").is_none());
    }
    let ecc = create(&mut f, "ECC_NIST_P256", "SIGN_VERIFY");
    let e = f.err(
        "GenerateDataKeyPair",
        json!({"KeyId": ecc, "KeyPairSpec": "ECC_NIST_P256"}),
    );
    assert_eq!(code(&e), "InvalidKeyUsageException");
}

#[test]
fn generate_random() {
    let mut f = fixture(48);
    let out = f.ok("GenerateRandom", json!({"NumberOfBytes": 17}));
    assert_eq!(bytes(&out["Plaintext"]).len(), 17);
    let e = f.err("GenerateRandom", json!({}));
    assert_eq!(
        (code(&e), e.aws_message()),
        ("ValidationException", "NumberOfBytes is required.")
    );
    let e = f.err("GenerateRandom", json!({"NumberOfBytes": 1025}));
    assert_eq!(e.aws_message(), "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024");
}
