//! The WorkMail and SES flows end to end, asserted on the trace and on CloudTrail.

use kmsplay_core::record::{ArtifactId, Call, Location, MaterialAction, Step};
use kmsplay_core::scenario::{builtin, run, RunResult, Scenario};
use kmsplay_core::Operation;
use serde_json::{json, Value};

fn run_builtin(name: &str) -> RunResult {
    let s = builtin(name).unwrap().scenario().unwrap();
    let r = run(&s, None);
    assert!(
        r.all_met(),
        "{name}: {:?} {:?}",
        r.stopped,
        r.steps
            .iter()
            .filter_map(|s| s.expectation_message.clone())
            .collect::<Vec<_>>()
    );
    r
}

fn kms_calls(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .filter_map(|s| s.call.filter(|c| c.kms().is_some()).map(|c| c.to_string()))
        .collect()
}

fn action_steps(r: &RunResult, action: usize) -> &[Step] {
    let (a, b) = r.steps[action].trace_range;
    &r.trace.steps[a..b]
}

#[test]
fn workmail_create_deliver_read_delete() {
    let mut s: Value = serde_json::from_str(builtin("workmail-basics").unwrap().source).unwrap();
    s["steps"].as_array_mut().unwrap().push(json!({"call": "workmail:DeleteMessage", "request": {"OrganizationId": "${org.OrganizationId}", "Mailbox": "alice@example.com", "MessageId": "${msg.MessageId}", "Client": "alice-laptop"}, "expect": "ok"}));
    s["steps"].as_array_mut().unwrap().push(json!({"call": "workmail:ReadMessage", "request": {"OrganizationId": "${org.OrganizationId}", "Mailbox": "alice@example.com", "MessageId": "${msg.MessageId}"}, "expect": {"error": "EntityNotFoundException"}}));
    let r = run(&Scenario::from_value(&s).unwrap(), None);
    assert!(r.all_met(), "{:?}", r.stopped);
    // CreateOrganization: DescribeKey and CreateGrant on behalf of the admin, via WorkMail.
    let org = action_steps(&r, 0);
    assert_eq!(kms_calls(org), ["kms:DescribeKey", "kms:CreateGrant"]);
    let grant = org
        .iter()
        .find(|s| s.call == Some(Call::Kms(Operation::CreateGrant)))
        .unwrap();
    assert_eq!(
        grant.request.as_ref().unwrap()["GranteePrincipal"],
        "workmail.us-east-1.amazonaws.com"
    );
    assert_eq!(
        grant
            .event
            .as_ref()
            .unwrap()
            .user_identity
            .invoked_by
            .as_deref(),
        Some("workmail.us-east-1.amazonaws.com")
    );
    // Register: generate outside KMS, KMS Encrypt, store; the plaintext key is erased.
    let reg = action_steps(&r, 2);
    let titles: Vec<&str> = reg.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Generate the mailbox key",
            "Encrypt the mailbox key with KMS",
            "Store the encrypted mailbox key",
            "Mailbox ready"
        ]
    );
    let enc = &reg[1];
    assert_eq!(
        enc.request.as_ref().unwrap()["EncryptionContext"]["aws:workmail:arn"],
        r.steps[0].ok.as_ref().unwrap()["Arn"]
    );
    assert!(
        enc.request.as_ref().unwrap()["Plaintext"]
            .as_str()
            .unwrap()
            .starts_with("(secret"),
        "the mailbox key is never in the trace"
    );
    assert!(reg[2]
        .material
        .iter()
        .any(|m| m.action == MaterialAction::Erased
            && matches!(m.artifact, ArtifactId::MailboxKey(_))));
    // Deliver: the four numbered steps of the seeds, one KMS Decrypt.
    let del = action_steps(&r, 3);
    assert_eq!(kms_calls(del), ["kms:Decrypt"]);
    let titles: Vec<&str> = del.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Encrypt the message with a new message key",
            "Decrypt the mailbox key with KMS",
            "Encrypt the message key with the mailbox key",
            "Store the encrypted message and its key",
            "Message delivered"
        ]
    );
    // Read on another client: its own cache is empty, so KMS Decrypt, then two AES decryptions.
    let read = action_steps(&r, 4);
    assert_eq!(kms_calls(read), ["kms:Decrypt"]);
    assert!(read.iter().any(|s| s.title == "Decrypt the message key"));
    assert!(read.iter().any(|s| s.title == "Decrypt the message"));
    // Delete also goes through the mailbox key (here from alice-laptop's cache, no KMS call).
    let delete = action_steps(&r, 5);
    assert!(kms_calls(delete).is_empty());
    assert!(delete.iter().any(|s| s
        .material
        .iter()
        .any(|m| m.action == MaterialAction::CacheHit)));
    assert!(delete.iter().any(|s| s
        .material
        .iter()
        .any(|m| m.action == MaterialAction::Deleted
            && matches!(m.artifact, ArtifactId::EncryptedMessage(_)))));
}

#[test]
fn cache_hits_within_sixty_seconds_and_a_kms_call_after() {
    let r = run_builtin("workmail-cache");
    let reads: Vec<usize> = r
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.call == "workmail:ReadMessage")
        .map(|(i, _)| i)
        .collect();
    let calls: Vec<usize> = reads
        .iter()
        .map(|&i| kms_calls(action_steps(&r, i)).len())
        .collect();
    // laptop first read (KMS), laptop +30 s (hit), phone (own cache: KMS), laptop +61 s (KMS).
    assert_eq!(calls, [1, 0, 1, 1]);
    assert!(r
        .trace
        .steps
        .iter()
        .any(|s| s.title == "Cached mailbox key expires"
            && s.material.iter().any(|m| m.action == MaterialAction::Erased
                && matches!(m.location, Location::Cache { .. }))));
    assert_eq!(
        r.trace.summary.cache_hits, 2,
        "delivery of m2 and the laptop's second read"
    );
}

#[test]
fn revoking_the_grant_stops_reads_only_after_the_cache_expires() {
    let r = run_builtin("workmail-revoke-grant");
    let reads: Vec<usize> = r
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.call == "workmail:ReadMessage")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(reads.len(), 3);
    assert!(
        r.steps[reads[1]].error.is_none(),
        "within the minute: the cached key still works"
    );
    assert!(action_steps(&r, reads[1]).iter().any(|s| s
        .material
        .iter()
        .any(|m| m.action == MaterialAction::CacheHit)));
    let denied = action_steps(&r, reads[2])
        .iter()
        .find(|s| s.call == Some(Call::Kms(Operation::Decrypt)))
        .unwrap();
    assert_eq!(denied.error.as_ref().unwrap().code, "AccessDeniedException");
    assert_eq!(
        denied.event.as_ref().unwrap().error_code.as_deref(),
        Some("AccessDeniedException")
    );
    let d = &denied.decisions[0];
    assert!(d.grants.is_empty(), "the grant is gone");
    assert!(
        d.reason.contains("workmail.us-east-1.amazonaws.com"),
        "{}",
        d.reason
    );
}

#[test]
fn legacy_mailbox_wraps_with_the_public_key_and_reads_with_kms() {
    let r = run_builtin("workmail-legacy-mailbox");
    let deliver = r
        .steps
        .iter()
        .position(|s| s.call == "workmail:DeliverMessage")
        .unwrap();
    assert!(
        kms_calls(action_steps(&r, deliver)).is_empty(),
        "the public key needs no KMS call"
    );
    let wrap = action_steps(&r, deliver)
        .iter()
        .flat_map(|s| &s.material)
        .find(|m| {
            matches!(m.artifact, ArtifactId::EncryptedMessageKey(_))
                && m.action == MaterialAction::Wrapped
        })
        .unwrap();
    assert_eq!(wrap.algorithm.as_deref(), Some("RSAES-OAEP-SHA-256"));
    assert!(wrap
        .under
        .as_ref()
        .unwrap()
        .to_string()
        .starts_with("public-key:bob"));
    let read = deliver + 1;
    assert_eq!(kms_calls(action_steps(&r, read)), ["kms:Decrypt"]);
    assert!(action_steps(&r, read)
        .iter()
        .flat_map(|s| &s.material)
        .any(
            |m| m.artifact == ArtifactId::PrivateKey("bob@example.com".into())
                && m.action == MaterialAction::Unwrapped
        ));
}

#[test]
fn ses_receive_writes_the_s3_encryption_client_envelope_and_the_owner_decrypts() {
    let r = run_builtin("ses-receive");
    let recv = r
        .steps
        .iter()
        .position(|s| s.call == "ses:ReceiveEmail")
        .unwrap();
    let steps = action_steps(&r, recv);
    let gdk = steps
        .iter()
        .find(|s| s.call == Some(Call::Kms(Operation::GenerateDataKey)))
        .unwrap();
    let ev = gdk.event.as_ref().unwrap();
    assert_eq!(ev.user_identity.kind, "AWSService");
    assert_eq!(
        ev.user_identity.invoked_by.as_deref(),
        Some("ses.amazonaws.com")
    );
    let parameters = ev.request_parameters.to_value();
    let ctx = &parameters["encryptionContext"];
    let id = r.steps[recv].ok.as_ref().unwrap()["MessageId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 28);
    assert_eq!(ctx["aws:ses:message-id"], id);
    assert_eq!(ctx["aws:ses:rule-name"], "store-encrypted");
    assert_eq!(ctx["aws:ses:source-account"], "111122223333");
    assert!(ctx["kms_cmk_id"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:kms:us-east-1:111122223333:key/"));
    // The object's metadata is the envelope.
    let obj = r.steps[recv + 1].ok.as_ref().unwrap();
    let meta = &obj["Metadata"];
    for k in [
        "x-amz-key-v2",
        "x-amz-iv",
        "x-amz-cek-alg",
        "x-amz-wrap-alg",
        "x-amz-tag-len",
        "x-amz-unencrypted-content-length",
        "x-amz-matdesc",
    ] {
        assert!(meta.get(k).is_some(), "missing {k}");
    }
    let matdesc: Value = serde_json::from_str(meta["x-amz-matdesc"].as_str().unwrap()).unwrap();
    assert_eq!(&matdesc, ctx, "the whole matdesc is the encryption context");
    assert_eq!(
        kmsplay_core::wire::unb64(meta["x-amz-iv"].as_str().unwrap())
            .unwrap()
            .len(),
        12
    );
    let len: usize = meta["x-amz-unencrypted-content-length"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        obj["ContentLength"].as_u64().unwrap() as usize,
        len + 16,
        "ciphertext plus the 128-bit tag"
    );
    // The owner decrypts; SES cannot.
    let owner = &r.steps[recv + 2];
    assert!(owner.ok.as_ref().unwrap()["Text"]
        .as_str()
        .unwrap()
        .contains("Subject: Invoice 2026-11"));
    assert_eq!(
        r.steps[recv + 3].error.as_ref().unwrap().code,
        "AccessDeniedException"
    );
    // SES never calls Decrypt.
    assert!(!r.cloudtrail.iter().any(|e| e.event_name == "Decrypt"
        && e.user_identity.invoked_by.as_deref() == Some("ses.amazonaws.com")
        && e.error_code.is_none()));
}

#[test]
fn ses_without_its_key_policy_statement_fails_visibly() {
    let r = run_builtin("ses-missing-statement");
    let recv = r
        .steps
        .iter()
        .position(|s| s.call == "ses:ReceiveEmail")
        .unwrap();
    let gdk = action_steps(&r, recv)
        .iter()
        .find(|s| s.call == Some(Call::Kms(Operation::GenerateDataKey)))
        .unwrap();
    assert_eq!(gdk.error.as_ref().unwrap().code, "AccessDeniedException");
    assert!(gdk.decisions[0].reason.contains("ses.amazonaws.com"));
    let e = r.steps[recv].error.as_ref().unwrap();
    assert!(
        e.message
            .contains("S3 action of rule store-encrypted failed"),
        "{}",
        e.message
    );
}

/// Replaces ids and times, which legitimately differ, with placeholders.
fn normalise(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| match k.as_str() {
                    "eventTime" | "requestID" | "eventID" | "sharedEventID" => {
                        (k.clone(), json!("<id/time>"))
                    }
                    _ => (k.clone(), normalise(v)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::String(s) => {
            let s = match s.find(":organization/m-") {
                Some(i) => format!("{}:organization/m-<org>", &s[..i]),
                None => s.clone(),
            };
            let s = match s.find(":key/") {
                Some(i) => format!("{}:key/<key>", &s[..i]),
                None => s,
            };
            Value::String(s)
        }
        other => other.clone(),
    }
}

#[test]
fn workmail_cloudtrail_events_match_the_seed_samples_field_for_field() {
    // The samples of the AWS KMS developer guide page on WorkMail (seeds 000 and 001).
    let encrypt: Value = serde_json::from_str(r#"{ "eventVersion": "1.05", "userIdentity": { "type": "AWSService", "invokedBy": "workmail.eu-west-1.amazonaws.com" }, "eventTime": "2019-02-19T10:01:09Z", "eventSource": "kms.amazonaws.com", "eventName": "Encrypt", "awsRegion": "eu-west-1", "sourceIPAddress": "workmail.eu-west-1.amazonaws.com", "userAgent": "workmail.eu-west-1.amazonaws.com", "requestParameters": { "encryptionContext": { "aws:workmail:arn": "arn:aws:workmail:eu-west-1:111122223333:organization/m-c6981ff7642446fa8772ba99c690e455" }, "keyId": "arn:aws:kms:eu-west-1:111122223333:key/1a2b3c4d-5e6f-1a2b-3c4d-5e6f1a2b3c4d" }, "responseElements": null, "requestID": "76e96b96-7e24-4faf-a2d6-08ded2eaf63c", "eventID": "d5a59c18-128a-4082-aa5b-729f7734626a", "readOnly": true, "resources": [ { "ARN": "arn:aws:kms:eu-west-1:111122223333:key/1a2b3c4d-5e6f-1a2b-3c4d-5e6f1a2b3c4d", "accountId": "111122223333", "type": "AWS::KMS::Key" } ], "eventType": "AwsApiCall", "recipientAccountId": "111122223333", "sharedEventID": "d08e60f1-097e-4a00-b7e9-10bc3872d50c" }"#).unwrap();
    let decrypt: Value = serde_json::from_str(r#"{ "eventVersion": "1.05", "userIdentity": { "type": "AWSService", "invokedBy": "workmail.eu-west-1.amazonaws.com" }, "eventTime": "2019-02-20T11:51:10Z", "eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "awsRegion": "eu-west-1", "sourceIPAddress": "workmail.eu-west-1.amazonaws.com", "userAgent": "workmail.eu-west-1.amazonaws.com", "requestParameters": { "encryptionContext": { "aws:workmail:arn": "arn:aws:workmail:eu-west-1:111122223333:organization/m-c6981ff7642446fa8772ba99c690e455" } }, "responseElements": null, "requestID": "4a32dda1-34d9-4100-9718-674b8e0782c9", "eventID": "ea9fd966-98e9-4b7b-b377-6e5a397a71de", "readOnly": true, "resources": [ { "ARN": "arn:aws:kms:eu-west-1:111122223333:key/1a2b3c4d-5e6f-1a2b-3c4d-5e6f1a2b3c4d", "accountId": "111122223333", "type": "AWS::KMS::Key" } ], "eventType": "AwsApiCall", "recipientAccountId": "111122223333", "sharedEventID": "241e1e5b-ff64-427a-a5b3-7949164d0214" }"#).unwrap();
    // The same flow in the seeds' Region, with a customer managed key (the samples' key id is a key ARN).
    let mut s: Value =
        serde_json::from_str(builtin("workmail-disabled-key").unwrap().source).unwrap();
    s["region"] = json!("eu-west-1");
    let r = run(&Scenario::from_value(&s).unwrap(), None);
    let find = |name: &str| {
        r.cloudtrail
            .iter()
            .find(|e| e.event_name == name && e.user_identity.kind == "AWSService")
            .map(|e| serde_json::to_value(e).unwrap())
            .unwrap()
    };
    assert_eq!(normalise(&find("Encrypt")), normalise(&encrypt));
    assert_eq!(normalise(&find("Decrypt")), normalise(&decrypt));
}

/// Every `Plaintext` member anywhere in `v`, with its value.
fn plaintexts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => o.iter().for_each(|(k, v)| {
            if k == "Plaintext" {
                out.push(v.as_str().unwrap_or_default().to_owned());
            }
            plaintexts(v, out)
        }),
        Value::Array(a) => a.iter().for_each(|v| plaintexts(v, out)),
        _ => {}
    }
}

#[test]
fn no_trace_or_cloudtrail_holds_key_material() {
    for b in kmsplay_core::scenario::builtins() {
        let s = b.scenario().unwrap();
        let r = run(&s, None);
        // Plaintext the user wrote in the scenario may be shown; anything else is key material.
        let mut supplied = Vec::new();
        plaintexts(&s.source, &mut supplied);
        let recorded = json!({"trace": r.trace, "cloudtrail": r.cloudtrail, "steps": r.steps});
        let mut seen = Vec::new();
        plaintexts(&recorded, &mut seen);
        for p in seen {
            assert!(
                p.starts_with("(secret") || supplied.contains(&p),
                "{}: Plaintext {p} was recorded",
                b.name
            );
        }
        assert!(
            r.cloudtrail
                .iter()
                .all(|e| !serde_json::to_string(e).unwrap().contains("Plaintext")),
            "{}",
            b.name
        );
        for step in &r.trace.steps {
            for m in &step.material {
                if m.kind.is_secret() {
                    assert!(m.hex.is_none(), "{}: {} has bytes", b.name, m.artifact);
                }
            }
        }
    }
}
