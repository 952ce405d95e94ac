//! The wire protocol as AWS clients meet it: the front end's errors, identities by access
//! key, KMS's answers and request ids, the journal that replays to the same world, and the
//! recorded scenario that replays to the same outcomes.

use super::*;

const SCENARIO: &str = r#"{
  "name": "wire", "seed": 3, "region": "us-east-1", "account": "111122223333",
  "principals": {
    "admin": {"arn": "arn:aws:iam::111122223333:role/Admin", "accessKeyId": "AKIAADMIN0000000001", "secretAccessKey": "s3cr3t",
              "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
    "reader": {"arn": "arn:aws:iam::111122223333:role/Reader", "accessKeyId": "AKIAREADER000000001"}
  },
  "steps": []
}"#;

fn endpoint(default_principal: Option<&str>) -> Endpoint {
    let scenario = Scenario::parse(SCENARIO).unwrap();
    Endpoint::new(
        scenario,
        EndpointOptions {
            default_principal: default_principal.map(str::to_owned),
            history: Some(100),
        },
        1_780_000_000_000,
    )
    .unwrap()
}

fn auth(key: &str, region: &str) -> String {
    format!("AWS4-HMAC-SHA256 Credential={key}/20261201/{region}/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00ff")
}

fn headers(op: &str, key: &str, region: &str) -> Vec<(String, String)> {
    vec![
        ("Content-Type".into(), CONTENT_TYPE.into()),
        ("X-Amz-Target".into(), format!("TrentService.{op}")),
        ("Authorization".into(), auth(key, region)),
    ]
}

fn send(e: &mut Endpoint, op: &str, key: &str, body: &Value) -> (u16, Value, WireResponse) {
    let h = headers(op, key, "us-east-1");
    let bytes = body.to_string().into_bytes();
    let r = e.handle(
        &WireRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &h,
            body: &bytes,
        },
        1_780_000_000_000,
        None,
    );
    let v = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    (r.status, v, r)
}

const ADMIN: &str = "AKIAADMIN0000000001";
const READER: &str = "AKIAREADER000000001";

#[test]
fn front_end_errors_come_before_kms() {
    let mut e = endpoint(None);
    let get = e.handle(
        &WireRequest {
            method: "GET",
            path: "/",
            query: "",
            headers: &[],
            body: b"",
        },
        0,
        None,
    );
    assert_eq!(
        (get.status, get.body.as_slice()),
        (404, b"<UnknownOperationException/>".as_slice())
    );
    let mut h = headers("Bogus", ADMIN, "us-east-1");
    let r = e.handle(
        &WireRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &h,
            body: b"{}",
        },
        0,
        None,
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).unwrap(),
        json!({"__type": "com.amazon.coral.service#UnknownOperationException"})
    );
    h = headers("ListKeys", ADMIN, "us-east-1");
    h.retain(|(n, _)| n != "Authorization");
    let r = e.handle(
        &WireRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &h,
            body: b"{}",
        },
        0,
        None,
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).unwrap()["message"],
        "Request is missing Authentication Token"
    );
    let (status, body, _) = send(&mut e, "ListKeys", "AKIANOBODY000000001", &json!({}));
    assert_eq!(
        (status, body["__type"].as_str()),
        (
            400,
            Some("com.amazon.coral.service#UnrecognizedClientException")
        )
    );
    assert_eq!(
        body["message"],
        "The security token included in the request is invalid."
    );
    let h = headers("ListKeys", ADMIN, "us-east-1");
    let r = e.handle(
        &WireRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &h,
            body: b"{not json",
        },
        0,
        None,
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).unwrap(),
        json!({"__type": "com.amazon.coral.service#SerializationException"})
    );
    // A signature check that fails.
    let no = |_: &WireRequest<'_>, _: &SigV4<'_>, _: &str| false;
    let r = e.handle(
        &WireRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &h,
            body: b"{}",
        },
        0,
        Some(&no),
    );
    assert!(String::from_utf8_lossy(&r.body).contains("InvalidSignatureException"));
    // None of these reached KMS: no CloudTrail event.
    assert!(e.world().kms.trail().is_empty());
}

#[test]
fn kms_answers_with_aws_bodies_and_request_ids() {
    let mut e = endpoint(None);
    let (status, created, r) = send(
        &mut e,
        "CreateKey",
        ADMIN,
        &json!({"Description": "wire", "Unknown": 1}),
    );
    assert_eq!(
        status, 200,
        "unknown members are ignored, as AWS ignores them"
    );
    let key = created["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
    let request_id = r
        .headers
        .iter()
        .find(|(n, _)| n == "x-amzn-RequestId")
        .unwrap()
        .1
        .clone();
    assert_eq!(
        e.world().kms.trail().last().unwrap().request_id.to_string(),
        request_id
    );
    let (_, enc, _) = send(
        &mut e,
        "Encrypt",
        ADMIN,
        &json!({"KeyId": key, "Plaintext": "aGVsbG8=", "EncryptionContext": {"a": "b"}}),
    );
    let (status, dec, _) = send(
        &mut e,
        "Decrypt",
        ADMIN,
        &json!({"CiphertextBlob": enc["CiphertextBlob"], "EncryptionContext": {"a": "b"}}),
    );
    assert_eq!(
        (status, dec["Plaintext"].as_str()),
        (200, Some("aGVsbG8=")),
        "the client gets its plaintext"
    );
    let (status, bad, r) = send(
        &mut e,
        "Decrypt",
        ADMIN,
        &json!({"CiphertextBlob": enc["CiphertextBlob"], "EncryptionContext": {"a": "c"}}),
    );
    assert_eq!(
        (status, bad),
        (400, json!({"__type": "InvalidCiphertextException"})),
        "AWS sends no message"
    );
    let why = r
        .headers
        .iter()
        .find(|(n, _)| n == EXPLANATION_HEADER)
        .unwrap()
        .1
        .clone();
    assert!(why.contains("encryption context does not match"), "{why}");
    let (status, denied, r) = send(
        &mut e,
        "Decrypt",
        READER,
        &json!({"CiphertextBlob": enc["CiphertextBlob"], "EncryptionContext": {"a": "b"}}),
    );
    assert_eq!(
        (status, denied["__type"].as_str()),
        (400, Some("AccessDeniedException"))
    );
    assert!(denied["message"].as_str().unwrap().starts_with(
        "User: arn:aws:iam::111122223333:role/Reader is not authorized to perform: kms:Decrypt"
    ));
    assert!(r.log.unwrap().contains("AccessDeniedException"));
    let (status, v, _) = send(
        &mut e,
        "GenerateDataKey",
        ADMIN,
        &json!({"KeyId": key, "NumberOfBytes": 0}),
    );
    assert_eq!(
        (status, v["__type"].as_str()),
        (400, Some("ValidationException"))
    );
    // The plaintext a client sent never reaches the journal.
    let (_, _, r) = send(
        &mut e,
        "Encrypt",
        ADMIN,
        &json!({"KeyId": key, "Plaintext": "c2VjcmV0LXZhbHVl"}),
    );
    let journal = r.journal.unwrap().to_string();
    assert!(
        !journal.contains("c2VjcmV0LXZhbHVl") && journal.contains("kmsplayRedactedLength"),
        "{journal}"
    );
}

#[test]
fn the_journal_replays_to_the_same_world() {
    let mut a = endpoint(None);
    let mut journal = Vec::new();
    let mut call = |e: &mut Endpoint, op: &str, body: Value| {
        let (_, v, r) = send(e, op, ADMIN, &body);
        journal.extend(r.journal);
        v
    };
    let key = call(&mut a, "CreateKey", json!({}))["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let ct = call(
        &mut a,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": "c2VjcmV0"}),
    )["CiphertextBlob"]
        .clone();
    call(
        &mut a,
        "CreateAlias",
        json!({"AliasName": "alias/x", "TargetKeyId": key}),
    );
    call(
        &mut a,
        "GenerateDataKey",
        json!({"KeyId": "alias/x", "KeySpec": "AES_256"}),
    );
    let mut b = endpoint(None);
    for entry in &journal {
        b.replay(entry).unwrap();
    }
    // The replayed world decrypts what the first encrypted, and has the same trail.
    let (status, out, _) = send(&mut b, "Decrypt", ADMIN, &json!({"CiphertextBlob": ct}));
    assert_eq!((status, out["Plaintext"].as_str()), (200, Some("c2VjcmV0")));
    let ids = |e: &Endpoint| {
        e.world()
            .kms
            .trail()
            .iter()
            .take(4)
            .map(|ev| ev.event_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn the_recorded_scenario_replays_to_the_same_outcomes() {
    let mut e = endpoint(Some("arn:aws:iam::111122223333:role/Visitor"));
    send(&mut e, "CreateKey", ADMIN, &json!({}));
    let (_, created, _) = send(&mut e, "CreateKey", ADMIN, &json!({"MultiRegion": true}));
    let id = created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let h = headers("ReplicateKey", ADMIN, "us-east-1");
    let body = json!({"KeyId": id, "ReplicaRegion": "eu-west-1"})
        .to_string()
        .into_bytes();
    e.handle(
        &WireRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &h,
            body: &body,
        },
        1_780_000_005_000,
        None,
    );
    let h = headers("DescribeKey", ADMIN, "eu-west-1");
    let body = json!({"KeyId": id}).to_string().into_bytes();
    let r = e.handle(
        &WireRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &h,
            body: &body,
        },
        1_780_000_006_000,
        None,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // An unknown access key acts as the default principal, with no identity policies.
    let (status, _, _) = send(&mut e, "ListKeys", "AKIASTRANGER0000001", &json!({}));
    assert_eq!(status, 400);
    let recorded = e.recorded_scenario();
    let steps = recorded["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| s["call"] == "clock:Advance"));
    assert!(steps.iter().any(|s| s["region"] == "eu-west-1"));
    let replay = Scenario::from_value(&recorded).unwrap();
    let result = crate::scenario::run(&replay, None);
    assert!(result.stopped.is_none(), "{:?}", result.stopped);
    assert!(
        result
            .steps
            .iter()
            .all(|s| s.expectation != Some(crate::scenario::Expectation::Failed)),
        "{:?}",
        result
            .steps
            .iter()
            .find(|s| s.expectation == Some(crate::scenario::Expectation::Failed))
    );
}

#[test]
fn reset_and_admin_routes() {
    let mut e = endpoint(None);
    send(&mut e, "CreateKey", ADMIN, &json!({}));
    let r = e.handle(
        &WireRequest {
            method: "GET",
            path: "/_kmsplay/cloudtrail",
            query: "",
            headers: &[],
            body: b"",
        },
        0,
        None,
    );
    let trail: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(trail["Records"][0]["eventName"], "CreateKey");
    let r = e.handle(
        &WireRequest {
            method: "POST",
            path: "/moto-api/reset",
            query: "",
            headers: &[],
            body: b"",
        },
        0,
        None,
    );
    assert!(r.reset);
    let (_, keys, _) = send(&mut e, "ListKeys", ADMIN, &json!({}));
    assert_eq!(keys["Keys"], json!([]));
}

#[test]
fn sigv4_headers_are_read_or_refused_in_awss_words() {
    let s = parse_sigv4("AWS4-HMAC-SHA256 Credential=AKID/20261201/eu-west-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd").unwrap();
    assert_eq!(
        (s.access_key_id, s.region, s.service, s.signature),
        ("AKID", "eu-west-1", "kms", "abcd")
    );
    assert_eq!(s.signed_headers, ["host", "x-amz-date"]);
    let e = parse_sigv4("AWS4-HMAC-SHA256 SignedHeaders=host").unwrap_err();
    assert!(
        e.contains("requires 'Credential' parameter")
            && e.contains("requires 'Signature' parameter"),
        "{e}"
    );
    assert!(parse_sigv4("Basic abc").is_err());
}
