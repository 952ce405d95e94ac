//! Behaviour of the KMS operations, checked against what AWS documents.

use super::*;
use crate::authz::PolicyKind;
use crate::wire::b64;
use proptest::prelude::*;
use serde_json::json;
use serde_json::Value;

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "111122223333";

/// What a call through the JSON edge gave back, as the tests read it.
#[derive(Debug)]
struct KmsCall {
    response: std::result::Result<Value, KmsError>,
    decisions: Vec<Decision>,
    explanation: Option<String>,
    event: Arc<CloudTrailEvent>,
}

impl KmsCall {
    fn is_ok(&self) -> bool {
        self.response.is_ok()
    }
}

/// Parses `req` for `op` and performs it, as the world's JSON edge does.
fn call_json(kms: &mut Kms, env: &mut Env, caller: &Caller, op: &str, req: &Value) -> KmsCall {
    let operation = Operation::from_name(op).unwrap_or_else(|| panic!("{op} is not an operation"));
    let (result, record) = kms.call_json(env, caller, operation, req);
    let response = result.map(|r| {
        crate::wire::with_secret_view(crate::wire::SecretView::Reveal, || {
            serde_json::to_value(&r).unwrap()
        })
    });
    KmsCall {
        response,
        decisions: record.decisions(),
        explanation: record.explanation,
        event: record.event,
    }
}

struct Fixture {
    kms: Kms,
    env: Env,
    admin: Caller,
}

fn fixture(seed: u64) -> Fixture {
    let mut kms = Kms::new(REGION, ACCOUNT);
    let admin = Caller::iam("arn:aws:iam::111122223333:role/KeyAdmin");
    let policy = crate::authz::parse_policy(&json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}), PolicyKind::Identity).unwrap();
    kms.set_identity_policies(admin.name(), vec![policy]);
    Fixture {
        kms,
        env: Env::new(seed),
        admin,
    }
}

impl Fixture {
    fn call(&mut self, op: &str, req: Value) -> KmsCall {
        let admin = self.admin.clone();
        call_json(&mut self.kms, &mut self.env, &admin, op, &req)
    }
    fn call_as(&mut self, caller: &Caller, op: &str, req: Value) -> KmsCall {
        call_json(&mut self.kms, &mut self.env, caller, op, &req)
    }
    fn ok(&mut self, op: &str, req: Value) -> Value {
        let c = self.call(op, req);
        match c.response {
            Ok(v) => v,
            Err(e) => panic!("{op} failed: {e}"),
        }
    }
    fn err(&mut self, op: &str, req: Value) -> KmsError {
        let c = self.call(op, req);
        match c.response {
            Ok(v) => panic!("{op} unexpectedly succeeded: {v}"),
            Err(e) => e,
        }
    }
    fn new_key(&mut self) -> String {
        self.ok("CreateKey", json!({"Description": "test"}))["KeyMetadata"]["Arn"]
            .as_str()
            .unwrap()
            .to_owned()
    }
    fn encrypt(&mut self, key: &str, pt: &[u8], ctx: Value) -> String {
        self.ok(
            "Encrypt",
            json!({"KeyId": key, "Plaintext": b64(pt), "EncryptionContext": ctx}),
        )["CiphertextBlob"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn code(e: &KmsError) -> &'static str {
    e.code.name()
}

#[test]
fn encrypt_decrypt_round_trip_without_key_id() {
    let mut f = fixture(1);
    let key = f.new_key();
    let blob = f.encrypt(
        &key,
        b"hello world",
        json!({"tenant": "blue", "purpose": "demo"}),
    );
    let out = f.ok(
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": {"purpose": "demo", "tenant": "blue"}}),
    );
    assert_eq!(out["Plaintext"], b64(b"hello world"));
    assert_eq!(out["KeyId"], key);
    assert_eq!(out["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
}

#[test]
fn key_id_in_every_form() {
    let mut f = fixture(2);
    let arn = f.new_key();
    let uuid = arn.rsplit('/').next().unwrap().to_owned();
    f.ok(
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": uuid}),
    );
    for id in [
        uuid.clone(),
        arn.clone(),
        "alias/app".to_owned(),
        format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"),
    ] {
        let m = f.ok("DescribeKey", json!({"KeyId": id}));
        assert_eq!(m["KeyMetadata"]["Arn"], arn, "{id}");
    }
    assert_eq!(
        code(&f.err("DescribeKey", json!({"KeyId": "alias/nope"}))),
        "NotFoundException"
    );
    assert_eq!(
        code(&f.err("DescribeKey", json!({"KeyId": "garbage"}))),
        "NotFoundException"
    );
    assert_eq!(
        code(&f.err(
            "DescribeKey",
            json!({"KeyId": format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{uuid}")})
        )),
        "NotFoundException"
    );
    assert_eq!(
        code(&f.err("DescribeKey", json!({}))),
        "ValidationException"
    );
    assert_eq!(
        code(&f.err(
            "CreateAlias",
            json!({"AliasName": "alias/aws/mine", "TargetKeyId": uuid})
        )),
        "NotAuthorizedException"
    );
    assert_eq!(
        code(&f.err(
            "CreateAlias",
            json!({"AliasName": "noprefix", "TargetKeyId": uuid})
        )),
        "ValidationException"
    );
    assert_eq!(
        code(&f.err(
            "CreateAlias",
            json!({"AliasName": "alias/app", "TargetKeyId": uuid})
        )),
        "AlreadyExistsException"
    );
    f.ok("DeleteAlias", json!({"AliasName": "alias/app"}));
    assert_eq!(
        code(&f.err("DescribeKey", json!({"KeyId": "alias/app"}))),
        "NotFoundException"
    );
}

#[test]
fn changed_context_fails_and_is_explained() {
    let mut f = fixture(3);
    let key = f.new_key();
    let blob = f.encrypt(&key, b"secret", json!({"tenant": "blue"}));
    for ctx in [
        json!({"tenant": "red"}),
        json!({}),
        json!({"tenant": "blue", "x": "y"}),
        json!({"Tenant": "blue"}),
    ] {
        let c = f.call(
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": ctx}),
        );
        assert_eq!(
            code(c.response.as_ref().unwrap_err()),
            "InvalidCiphertextException",
            "{ctx}"
        );
        assert!(c.explanation.unwrap().contains("encryption context"));
    }
    // No context at all, too.
    assert_eq!(
        code(&f.err("Decrypt", json!({"CiphertextBlob": blob}))),
        "InvalidCiphertextException"
    );
}

#[test]
fn length_prefixed_context_collision_pairs_fail() {
    let mut f = fixture(4);
    let key = f.new_key();
    let a = f.encrypt(&key, b"x", json!({"a": "bc"}));
    assert_eq!(
        code(&f.err(
            "Decrypt",
            json!({"CiphertextBlob": a, "EncryptionContext": {"ab": "c"}})
        )),
        "InvalidCiphertextException"
    );
    let b = f.encrypt(&key, b"x", json!({"ab": "c"}));
    assert_eq!(
        code(&f.err(
            "Decrypt",
            json!({"CiphertextBlob": b, "EncryptionContext": {"a": "bc"}})
        )),
        "InvalidCiphertextException"
    );
    let c = f.encrypt(&key, b"x", json!({"a": "b", "c": "d"}));
    assert_eq!(
        code(&f.err(
            "Decrypt",
            json!({"CiphertextBlob": c, "EncryptionContext": {"a": "bcd"}})
        )),
        "InvalidCiphertextException"
    );
}

#[test]
fn truncated_and_garbage_blobs_fail() {
    let mut f = fixture(5);
    let key = f.new_key();
    let blob = crate::wire::unb64(&f.encrypt(&key, b"hello", json!({}))).unwrap();
    for n in [0usize, 1, 20, 48, blob.len() - 1] {
        let e = f.err("Decrypt", json!({"CiphertextBlob": b64(&blob[..n])}));
        assert!(
            matches!(
                code(&e),
                "InvalidCiphertextException" | "ValidationException"
            ),
            "{n}: {e}"
        );
    }
    // Not base64 at all: the request cannot be read (AWS's SerializationException).
    assert_eq!(
        code(&f.err("Decrypt", json!({"CiphertextBlob": "!!!"}))),
        "SerializationException"
    );
}

#[test]
fn wrong_key_id_is_incorrect_key() {
    let mut f = fixture(6);
    let k1 = f.new_key();
    let k2 = f.new_key();
    let blob = f.encrypt(&k1, b"hello", json!({}));
    let e = f.err("Decrypt", json!({"CiphertextBlob": blob, "KeyId": k2}));
    assert_eq!(code(&e), "IncorrectKeyException");
    f.ok("Decrypt", json!({"CiphertextBlob": blob, "KeyId": k1}));
}

#[test]
fn disabled_and_pending_deletion_keys() {
    let mut f = fixture(7);
    let key = f.new_key();
    let blob = f.encrypt(&key, b"hello", json!({}));
    f.ok("DisableKey", json!({"KeyId": key}));
    assert_eq!(
        code(&f.err("Encrypt", json!({"KeyId": key, "Plaintext": b64(b"x")}))),
        "DisabledException"
    );
    assert_eq!(
        code(&f.err("Decrypt", json!({"CiphertextBlob": blob}))),
        "DisabledException"
    );
    assert_eq!(
        code(&f.err(
            "GenerateDataKey",
            json!({"KeyId": key, "KeySpec": "AES_256"})
        )),
        "DisabledException"
    );
    assert_eq!(
        f.ok("DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"],
        "Disabled"
    );
    f.ok("EnableKey", json!({"KeyId": key}));
    f.ok("Decrypt", json!({"CiphertextBlob": blob}));

    let r = f.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    assert_eq!(r["KeyState"], "PendingDeletion");
    assert_eq!(r["PendingWindowInDays"], 7);
    assert_eq!(
        code(&f.err("Decrypt", json!({"CiphertextBlob": blob}))),
        "KMSInvalidStateException"
    );
    assert_eq!(
        code(&f.err("EnableKey", json!({"KeyId": key}))),
        "KMSInvalidStateException"
    );
    let r = f.ok("CancelKeyDeletion", json!({"KeyId": key}));
    assert_eq!(r["KeyId"], key);
    // AWS leaves a key Disabled after CancelKeyDeletion.
    assert_eq!(
        f.ok("DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"],
        "Disabled"
    );
    assert_eq!(
        code(&f.err("CancelKeyDeletion", json!({"KeyId": key}))),
        "KMSInvalidStateException"
    );

    // Past the deletion date the key is gone, and so is anything sealed under it.
    f.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    f.env.clock.advance_ms(7 * 86_400_000);
    assert_eq!(
        code(&f.err("DescribeKey", json!({"KeyId": key}))),
        "NotFoundException"
    );
    assert_eq!(
        code(&f.err("Decrypt", json!({"CiphertextBlob": blob}))),
        "AccessDeniedException"
    );
}

#[test]
fn validation_bounds() {
    let mut f = fixture(8);
    let key = f.new_key();
    let e = f.err("Encrypt", json!({"KeyId": key, "Plaintext": ""}));
    assert_eq!(code(&e), "ValidationException");
    assert!(e.explained().contains("greater than or equal to 1"));
    assert_eq!(
        code(&f.err(
            "Encrypt",
            json!({"KeyId": key, "Plaintext": b64(&[0u8; 4097])})
        )),
        "ValidationException"
    );
    f.ok(
        "Encrypt",
        json!({"KeyId": key, "Plaintext": b64(&[0u8; 4096])}),
    );
    for bad in [
        json!({"KeyId": key, "NumberOfBytes": 0}),
        json!({"KeyId": key, "NumberOfBytes": 1025}),
        json!({"KeyId": key}),
        json!({"KeyId": key, "NumberOfBytes": 32, "KeySpec": "AES_256"}),
    ] {
        assert_eq!(
            code(&f.err("GenerateDataKey", bad.clone())),
            "ValidationException",
            "{bad}"
        );
    }
    assert_eq!(
        f.ok(
            "GenerateDataKey",
            json!({"KeyId": key, "NumberOfBytes": 1024})
        )["Plaintext"]
            .as_str()
            .map(|p| crate::wire::unb64(p).unwrap().len()),
        Some(1024)
    );
    assert_eq!(
        f.ok(
            "GenerateDataKey",
            json!({"KeyId": key, "KeySpec": "AES_128"})
        )["Plaintext"]
            .as_str()
            .map(|p| crate::wire::unb64(p).unwrap().len()),
        Some(16)
    );
    for days in [6, 31] {
        assert_eq!(
            code(&f.err(
                "ScheduleKeyDeletion",
                json!({"KeyId": key, "PendingWindowInDays": days})
            )),
            "ValidationException"
        );
    }
    let tokens: Vec<String> = (0..11).map(|_| "x".repeat(88)).collect();
    assert_eq!(
        code(&f.err(
            "Encrypt",
            json!({"KeyId": key, "Plaintext": "AA==", "GrantTokens": tokens})
        )),
        "ValidationException"
    );
    assert_eq!(
        code(&f.err(
            "Encrypt",
            json!({"KeyId": key, "Plaintext": "AA==", "GrantTokens": ["bogus"]})
        )),
        "InvalidGrantTokenException"
    );
    assert_eq!(
        code(&f.err(
            "Encrypt",
            json!({"KeyId": key, "Plaintext": "AA==", "Bogus": 1})
        )),
        "ValidationException"
    );
    assert_eq!(
        code(&Operation::parse("Frobnicate").unwrap_err()),
        "UnknownOperationException"
    );
}

#[test]
fn generate_data_key_round_trip_and_without_plaintext() {
    let mut f = fixture(9);
    let key = f.new_key();
    let ctx = json!({"aws:ses:message-id": "m1"});
    let r = f.ok(
        "GenerateDataKey",
        json!({"KeyId": key, "KeySpec": "AES_256", "EncryptionContext": ctx}),
    );
    let d = f.ok(
        "Decrypt",
        json!({"CiphertextBlob": r["CiphertextBlob"], "EncryptionContext": ctx}),
    );
    assert_eq!(d["Plaintext"], r["Plaintext"]);
    let w = f.ok(
        "GenerateDataKeyWithoutPlaintext",
        json!({"KeyId": key, "NumberOfBytes": 32}),
    );
    assert!(w.get("Plaintext").is_none());
    let d = f.ok("Decrypt", json!({"CiphertextBlob": w["CiphertextBlob"]}));
    assert_eq!(
        crate::wire::unb64(d["Plaintext"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
}

#[test]
fn re_encrypt_moves_between_keys_and_contexts() {
    let mut f = fixture(10);
    let k1 = f.new_key();
    let k2 = f.new_key();
    let blob = f.encrypt(&k1, b"payload", json!({"a": "1"}));
    let r = f.ok("ReEncrypt", json!({"CiphertextBlob": blob, "SourceEncryptionContext": {"a": "1"}, "DestinationKeyId": k2, "DestinationEncryptionContext": {"b": "2"}}));
    assert_eq!(r["SourceKeyId"], k1);
    assert_eq!(r["KeyId"], k2);
    let d = f.ok(
        "Decrypt",
        json!({"CiphertextBlob": r["CiphertextBlob"], "EncryptionContext": {"b": "2"}}),
    );
    assert_eq!(d["Plaintext"], b64(b"payload"));
    assert_eq!(
        code(&f.err(
            "ReEncrypt",
            json!({"CiphertextBlob": blob, "DestinationKeyId": k2})
        )),
        "InvalidCiphertextException"
    );
    let c = f.call("ReEncrypt", json!({"CiphertextBlob": blob, "SourceEncryptionContext": {"a": "1"}, "DestinationKeyId": k2}));
    assert_eq!(c.decisions.len(), 2);
    assert_eq!(c.decisions[0].action, "kms:ReEncryptFrom");
    assert_eq!(c.decisions[1].action, "kms:ReEncryptTo");
}

#[test]
fn rotation_keeps_old_ciphertexts_decryptable() {
    let mut f = fixture(11);
    let key = f.new_key();
    let old = f.encrypt(&key, b"v1", json!({}));
    f.ok("RotateKeyOnDemand", json!({"KeyId": key}));
    let new = f.encrypt(&key, b"v2", json!({}));
    let old_bytes = crate::wire::unb64(&old).unwrap();
    let new_bytes = crate::wire::unb64(&new).unwrap();
    assert_eq!(
        blob::CiphertextBlob::parse(&old_bytes)
            .unwrap()
            .backing_version,
        1
    );
    assert_eq!(
        blob::CiphertextBlob::parse(&new_bytes)
            .unwrap()
            .backing_version,
        2
    );
    assert_eq!(
        f.ok("Decrypt", json!({"CiphertextBlob": old}))["Plaintext"],
        b64(b"v1")
    );
    assert_eq!(
        f.ok("Decrypt", json!({"CiphertextBlob": new}))["Plaintext"],
        b64(b"v2")
    );
    let rotations = f.ok("ListKeyRotations", json!({"KeyId": key}));
    assert_eq!(rotations["Rotations"][0]["RotationType"], "ON_DEMAND");

    // Automatic rotation happens when the clock passes the period.
    f.ok(
        "EnableKeyRotation",
        json!({"KeyId": key, "RotationPeriodInDays": 90}),
    );
    let status = f.ok("GetKeyRotationStatus", json!({"KeyId": key}));
    assert_eq!(status["KeyRotationEnabled"], true);
    assert_eq!(status["RotationPeriodInDays"], 90);
    f.env.clock.advance_ms(91 * 86_400_000);
    let third = f.encrypt(&key, b"v3", json!({}));
    assert_eq!(
        blob::CiphertextBlob::parse(&crate::wire::unb64(&third).unwrap())
            .unwrap()
            .backing_version,
        3
    );
    assert_eq!(
        f.ok("Decrypt", json!({"CiphertextBlob": old}))["Plaintext"],
        b64(b"v1")
    );
    assert_eq!(
        code(&f.err(
            "EnableKeyRotation",
            json!({"KeyId": key, "RotationPeriodInDays": 89})
        )),
        "ValidationException"
    );
}

#[test]
fn same_seed_gives_identical_output() {
    fn run(seed: u64) -> (String, String, Vec<Arc<CloudTrailEvent>>) {
        let mut f = fixture(seed);
        let key = f.new_key();
        let blob = f.encrypt(&key, b"determinism", json!({"k": "v"}));
        (key, blob, f.kms.trail().to_vec())
    }
    assert_eq!(run(42), run(42));
    assert_ne!(run(42).1, run(43).1);
}

#[test]
fn aws_managed_key_created_on_first_use() {
    let mut f = fixture(12);
    // Every account lists the predefined aliases before their keys exist; WorkMail's
    // appears once WorkMail makes its key.
    let listed = f.ok("ListAliases", json!({}));
    let names: Vec<&str> = listed["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["AliasName"].as_str())
        .collect();
    assert_eq!(names.len(), 14, "{names:?}");
    assert!(names.contains(&"alias/aws/s3") && !names.contains(&"alias/aws/workmail"));
    assert!(listed["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a.get("TargetKeyId").is_none()));
    let root = Caller::root(ACCOUNT);
    let m = f.call_as(&root, "DescribeKey", json!({"KeyId": "alias/aws/workmail"}));
    let meta = m.response.unwrap()["KeyMetadata"].clone();
    assert_eq!(meta["KeyManager"], "AWS");
    let policy = f
        .call_as(&root, "GetKeyPolicy", json!({"KeyId": meta["Arn"]}))
        .response
        .unwrap();
    assert!(policy["Policy"]
        .as_str()
        .unwrap()
        .contains("auto-workmail-1"));
    // Nobody may change it: the service's policy allows no PutKeyPolicy.
    let put = f.call_as(
        &root,
        "PutKeyPolicy",
        json!({"KeyId": meta["Arn"], "Policy": default_key_policy(ACCOUNT)}),
    );
    assert_eq!(
        code(put.response.as_ref().unwrap_err()),
        "AccessDeniedException"
    );
    // Direct use by an account principal is denied (only via WorkMail).
    let e = f.err(
        "Encrypt",
        json!({"KeyId": "alias/aws/workmail", "Plaintext": "AA=="}),
    );
    assert_eq!(code(&e), "AccessDeniedException");
    let via = f.admin.clone().via("workmail.us-east-1.amazonaws.com");
    let ok = f.call_as(
        &via,
        "Encrypt",
        json!({"KeyId": "alias/aws/workmail", "Plaintext": "AA=="}),
    );
    assert!(ok.is_ok(), "{:?}", ok.response);
}

#[test]
fn asymmetric_keys_refuse_symmetric_operations() {
    let mut f = fixture(13);
    let arn = f.ok(
        "CreateKey",
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    )["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        code(&f.err(
            "GenerateDataKey",
            json!({"KeyId": arn, "KeySpec": "AES_256"})
        )),
        "InvalidKeyUsageException"
    );
    assert_eq!(
        code(&f.err("Encrypt", json!({"KeyId": arn, "Plaintext": "AA=="}))),
        "InvalidKeyUsageException"
    );
    assert_eq!(code(&f.err("Encrypt", json!({"KeyId": arn, "Plaintext": "AA==", "EncryptionAlgorithm": "RSAES_OAEP_SHA_256", "EncryptionContext": {"a": "b"}}))), "ValidationException");
    let ct = f.ok("Encrypt", json!({"KeyId": arn, "Plaintext": b64(b"rsa!"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}))["CiphertextBlob"].clone();
    assert_eq!(
        code(&f.err("Decrypt", json!({"CiphertextBlob": ct}))),
        "InvalidCiphertextException"
    );
    assert_eq!(
        code(&f.err(
            "Decrypt",
            json!({"CiphertextBlob": ct, "KeyId": arn, "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"})
        )),
        "InvalidCiphertextException"
    );
    let d = f.ok(
        "Decrypt",
        json!({"CiphertextBlob": ct, "KeyId": arn, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    assert_eq!(d["Plaintext"], b64(b"rsa!"));
    assert_eq!(code(&f.err("Encrypt", json!({"KeyId": arn, "Plaintext": b64(&[0u8; 191]), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}))), "ValidationException");
}

#[test]
fn cloudtrail_never_holds_secrets() {
    let mut f = fixture(14);
    let key = f.new_key();
    let secret = b"TOP-SECRET-PLAINTEXT";
    let blob = f.encrypt(&key, secret, json!({"purpose": "audit"}));
    let dk = f.ok(
        "GenerateDataKey",
        json!({"KeyId": key, "KeySpec": "AES_256"}),
    );
    f.ok(
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": {"purpose": "audit"}}),
    );
    let denied = Caller::iam("arn:aws:iam::111122223333:role/Nobody");
    let c = f.call_as(
        &denied,
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": {"purpose": "audit"}}),
    );
    assert_eq!(c.event.error_code.as_deref(), Some("AccessDeniedException"));
    let text = serde_json::to_string(f.kms.trail()).unwrap();
    for needle in [
        b64(secret),
        blob.clone(),
        dk["Plaintext"].as_str().unwrap().to_owned(),
        dk["CiphertextBlob"].as_str().unwrap().to_owned(),
    ] {
        assert!(!text.contains(&needle), "CloudTrail holds {needle}");
    }
    let enc = &f.kms.trail()[1];
    assert_eq!(enc.event_name, "Encrypt");
    assert_eq!(
        enc.request_parameters.to_value(),
        json!({"keyId": key, "encryptionContext": {"purpose": "audit"}})
    );
    assert_eq!(enc.response_elements, Value::Null);
    assert_eq!(enc.resources[0].arn, key);
}

#[test]
fn shared_example_grant_flow() {
    let mut f = fixture(15);
    let key = f.new_key();
    let reader = Caller::iam("arn:aws:iam::111122223333:role/Reader");
    let blob = f.encrypt(
        &key,
        b"hello world",
        json!({"tenant": "blue", "purpose": "demo"}),
    );
    let dec =
        json!({"CiphertextBlob": blob, "EncryptionContext": {"tenant": "blue", "purpose": "demo"}});
    assert_eq!(
        code(
            f.call_as(&reader, "Decrypt", dec.clone())
                .response
                .as_ref()
                .unwrap_err()
        ),
        "AccessDeniedException"
    );
    let g = f.ok("CreateGrant", json!({"KeyId": key, "GranteePrincipal": reader.name(), "Operations": ["Decrypt"], "Constraints": {"EncryptionContextSubset": {"tenant": "blue"}}}));
    assert_eq!(g["GrantId"].as_str().unwrap().len(), 64);
    assert!(f.call_as(&reader, "Decrypt", dec.clone()).is_ok());
    // The grant's constraint: another tenant's context does not satisfy it.
    let red = f.encrypt(&key, b"x", json!({"tenant": "red"}));
    let c = f.call_as(
        &reader,
        "Decrypt",
        json!({"CiphertextBlob": red, "EncryptionContext": {"tenant": "red"}}),
    );
    assert_eq!(
        code(c.response.as_ref().unwrap_err()),
        "AccessDeniedException"
    );
    assert!(c.decisions[0].grants[0]
        .summary
        .contains("EncryptionContextSubset"));
    // Operations are limited to the grant's.
    assert_eq!(
        code(
            f.call_as(
                &reader,
                "Encrypt",
                json!({"KeyId": key, "Plaintext": "AA==", "EncryptionContext": {"tenant": "blue"}})
            )
            .response
            .as_ref()
            .unwrap_err()
        ),
        "AccessDeniedException"
    );
    let listed = f.ok("ListGrants", json!({"KeyId": key}));
    assert_eq!(listed["Grants"][0]["Operations"], json!(["Decrypt"]));
    f.ok(
        "RevokeGrant",
        json!({"KeyId": key, "GrantId": g["GrantId"]}),
    );
    assert_eq!(
        code(
            f.call_as(&reader, "Decrypt", dec)
                .response
                .as_ref()
                .unwrap_err()
        ),
        "AccessDeniedException"
    );
    assert_eq!(
        code(&f.err(
            "RevokeGrant",
            json!({"KeyId": key, "GrantId": g["GrantId"]})
        )),
        "NotFoundException"
    );
}

#[test]
fn grant_equals_constraint_and_retire() {
    let mut f = fixture(16);
    let key = f.new_key();
    let app = Caller::iam("arn:aws:iam::111122223333:role/App");
    let g = f.ok("CreateGrant", json!({"KeyId": key, "GranteePrincipal": app.name(), "RetiringPrincipal": f.admin.name(), "Operations": ["Encrypt", "Decrypt"], "Constraints": {"EncryptionContextEquals": {"a": "1"}}}));
    assert!(f
        .call_as(
            &app,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": "AA==", "EncryptionContext": {"a": "1"}})
        )
        .is_ok());
    assert!(!f
        .call_as(
            &app,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": "AA==", "EncryptionContext": {"a": "1", "b": "2"}})
        )
        .is_ok());
    assert!(!f
        .call_as(&app, "Encrypt", json!({"KeyId": key, "Plaintext": "AA=="}))
        .is_ok());
    // Constraints only with operations that take a context, and DescribeKey and
    // RetireGrant, to which the constraint does not apply.
    assert_eq!(code(&f.err("CreateGrant", json!({"KeyId": key, "GranteePrincipal": app.name(), "Operations": ["CreateGrant"], "Constraints": {"EncryptionContextEquals": {"a": "1"}}}))), "ValidationException");
    f.ok("CreateGrant", json!({"KeyId": key, "GranteePrincipal": app.name(), "Operations": ["Decrypt", "DescribeKey", "RetireGrant"], "Constraints": {"EncryptionContextEquals": {"a": "1"}}}));
    assert!(
        f.call_as(&app, "DescribeKey", json!({"KeyId": key}))
            .is_ok(),
        "the constraint does not apply to DescribeKey"
    );
    assert_eq!(
        code(&f.err(
            "CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": app.name(), "Operations": ["Fly"]})
        )),
        "ValidationException"
    );
    // The grantee cannot retire it (no RetireGrant operation); the retiring principal can.
    let c = f.call_as(&app, "RetireGrant", json!({"GrantToken": g["GrantToken"]}));
    assert_eq!(
        code(c.response.as_ref().unwrap_err()),
        "AccessDeniedException"
    );
    f.ok("RetireGrant", json!({"GrantToken": g["GrantToken"]}));
    assert!(!f
        .call_as(
            &app,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": "AA==", "EncryptionContext": {"a": "1"}})
        )
        .is_ok());
    // The retired grant's token is well-formed but grants nothing.
    let e = f.call_as(&app, "Encrypt", json!({"KeyId": key, "Plaintext": "AA==", "EncryptionContext": {"a": "1"}, "GrantTokens": [g["GrantToken"]]}));
    assert_eq!(
        code(e.response.as_ref().unwrap_err()),
        "AccessDeniedException"
    );
}

#[test]
fn put_key_policy_lockout_check() {
    let mut f = fixture(17);
    let key = f.new_key();
    let lockout = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Other"}, "Action": "kms:*", "Resource": "*"}]}).to_string();
    let e = f.err("PutKeyPolicy", json!({"KeyId": key, "Policy": lockout}));
    assert_eq!(code(&e), "MalformedPolicyDocumentException");
    assert!(e
        .explained()
        .contains("will not allow you to update the key policy"));
    f.ok(
        "PutKeyPolicy",
        json!({"KeyId": key, "Policy": lockout, "BypassPolicyLockoutSafetyCheck": true}),
    );
    // Now the admin is locked out, as promised.
    assert_eq!(
        code(&f.err("GetKeyPolicy", json!({"KeyId": key}))),
        "AccessDeniedException"
    );
    let malformed = f.err("CreateKey", json!({"Policy": "{\"Statement\": 5}"}));
    assert_eq!(code(&malformed), "MalformedPolicyDocumentException");
    assert_eq!(
        code(&f.err("CreateKey", json!({"Policy": "not json"}))),
        "MalformedPolicyDocumentException"
    );
}

#[test]
fn denied_calls_say_who_what_and_why() {
    let mut f = fixture(18);
    let key = f.new_key();
    let nobody = Caller::iam("arn:aws:iam::111122223333:role/Nobody");
    let c = f.call_as(&nobody, "DescribeKey", json!({"KeyId": key}));
    let e = c.response.unwrap_err();
    assert_eq!(code(&e), "AccessDeniedException");
    assert!(
        e.explained()
            .contains("arn:aws:iam::111122223333:role/Nobody")
            && e.explained().contains("kms:DescribeKey")
            && e.explained().contains(&key),
        "{}",
        e
    );
    assert_eq!(c.decisions[0].outcome, Outcome::ImplicitDeny);
    // An explicit deny wins over the allow.
    let deny = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "NoDecrypt", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]}).to_string();
    f.ok("PutKeyPolicy", json!({"KeyId": key, "Policy": deny}));
    let blob = f.encrypt(&key, b"x", json!({}));
    let c = f.call("Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!(c.decisions[0].outcome, Outcome::ExplicitDeny);
    assert!(c.response.unwrap_err().explained().contains("NoDecrypt"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any single flipped bit anywhere in the blob makes Decrypt fail, never succeed with
    /// other plaintext, never panic.
    #[test]
    fn any_flipped_bit_fails(pt in proptest::collection::vec(any::<u8>(), 1..64), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut f = fixture(99);
        let key = f.new_key();
        let blob = crate::wire::unb64(&f.encrypt(&key, &pt, json!({"p": "q"}))).unwrap();
        let mut bad = blob.clone();
        let i = pos.index(bad.len());
        bad[i] ^= 1 << bit;
        let c = f.call("Decrypt", json!({"CiphertextBlob": b64(&bad), "EncryptionContext": {"p": "q"}}));
        let e = c.response.unwrap_err();
        prop_assert!(matches!(code(&e), "InvalidCiphertextException" | "AccessDeniedException"), "{}", e);
    }

    /// Any change to the context fails.
    #[test]
    fn any_context_change_fails(k in "[a-z]{1,4}", v in "[a-z]{0,4}", k2 in "[a-z]{1,4}", v2 in "[a-z]{0,4}") {
        prop_assume!((k.clone(), v.clone()) != (k2.clone(), v2.clone()));
        let mut f = fixture(98);
        let key = f.new_key();
        let blob = f.encrypt(&key, b"x", json!({k.clone(): v.clone()}));
        let e = f.err("Decrypt", json!({"CiphertextBlob": blob, "EncryptionContext": {k2: v2}}));
        prop_assert_eq!(code(&e), "InvalidCiphertextException");
    }

    /// Arbitrary JSON requests never panic any operation.
    #[test]
    fn arbitrary_requests_never_panic(op in prop::sample::select(Operation::ALL.iter().map(|o| o.name()).collect::<Vec<_>>()), key in "[A-Za-z]{1,8}", val in prop_oneof![Just(json!(null)), Just(json!(1)), Just(json!("x")), Just(json!([])), Just(json!({})), Just(json!(-5)), Just(json!("alias/aws/ses"))]) {
        let mut f = fixture(97);
        let _ = f.call(op, json!({key: val.clone()}));
        let _ = f.call(op, json!({"KeyId": val.clone(), "CiphertextBlob": val.clone(), "Plaintext": val}));
    }
}

mod asymmetric;
mod authorization;
mod import;
mod lifecycle;
mod model_conformance;
