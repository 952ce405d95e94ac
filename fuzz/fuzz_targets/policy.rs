//! The policy parser and evaluator, and key policies through CreateKey / PutKeyPolicy.
#![no_main]

use std::collections::BTreeMap;

use kmsplay_core::authz::{evaluate, parse_policy, CallerPrincipal, PolicyKind, RequestContext};
use kmsplay_fuzz::Fixture;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1a2b3c4d-5e6f-1a2b-3c4d-5e6f1a2b3c4d";

fn contexts() -> Vec<RequestContext> {
    let ctx: BTreeMap<String, String> = [
        ("aws:ses:rule-name".to_string(), "rule".to_string()),
        ("Dept".to_string(), "IT".to_string()),
    ]
    .into_iter()
    .collect();
    vec![
        RequestContext::new(
            CallerPrincipal::iam("arn:aws:iam::111122223333:role/Reader").unwrap(),
            "kms:Decrypt",
            KEY,
        )
        .with("kms:ViaService", "workmail.us-east-1.amazonaws.com")
        .with("kms:CallerAccount", "111122223333")
        .with_encryption_context(&ctx),
        RequestContext::new(
            CallerPrincipal::service("ses.amazonaws.com"),
            "kms:GenerateDataKey",
            KEY,
        )
        .with("aws:SourceAccount", "111122223333")
        .with(
            "aws:SourceArn",
            "arn:aws:ses:us-east-1:111122223333:receipt-rule-set/s:receipt-rule/r",
        )
        .with_values("kms:GrantOperations", &["Decrypt", "Encrypt"])
        .with("aws:SourceIp", "203.0.113.7")
        .with("aws:CurrentTime", "2026-01-01T00:00:00Z")
        .with("kms:GrantIsForAWSResource", "true"),
        RequestContext::new(
            CallerPrincipal::iam("arn:aws:iam::111122223333:root").unwrap(),
            "kms:PutKeyPolicy",
            KEY,
        ),
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        for kind in [PolicyKind::Resource, PolicyKind::Identity] {
            if let Ok(doc) = parse_policy(&value, kind) {
                let _ = serde_json::to_string(&doc).expect("a parsed policy serializes");
                for ctx in contexts() {
                    let eval = evaluate(&doc, kind, &ctx);
                    assert_eq!(eval.statements.len(), doc.statements.len());
                    let _ = eval.explicit_deny();
                    let _ = eval.allows();
                }
            }
        }
    }
    // The same text as a key policy, through the API (any text, JSON or not).
    let mut f = Fixture::new();
    let root = f.root.clone();
    let _ = f.call(&root, "CreateKey", &json!({"Policy": text}));
    let put = f.call(
        &root,
        "PutKeyPolicy",
        &json!({"KeyId": f.key_id, "Policy": text, "BypassPolicyLockoutSafetyCheck": true}),
    );
    if put.is_ok() {
        // Exercise authorization under the new policy.
        let req = json!({"CiphertextBlob": f.blob, "EncryptionContext": {"purpose": "fuzz"}});
        let _ = f.call(&root, "Decrypt", &req);
        let grantee = kmsplay_core::Caller::iam(kmsplay_fuzz::GRANTEE);
        let _ = f.call(&grantee, "Decrypt", &req);
        let ses = kmsplay_core::Caller::service("ses.amazonaws.com")
            .on_behalf_of(Some("111122223333".into()), None);
        let _ = f.call(
            &ses,
            "GenerateDataKey",
            &json!({"KeyId": f.key_arn, "KeySpec": "AES_256"}),
        );
        let _ = f.call(&root, "GetKeyPolicy", &json!({"KeyId": f.key_id}));
    }
});
