//! Engine benchmarks, run by `cargo xtask bench` (release build): the simulation's cost
//! through its public request API — authorization and CloudTrail on — next to bare
//! AES-256-GCM on the same sizes, in the same process, as medians with min–max over
//! repeated batches; and a WorkMail organization at scale.
//!
//! Prints one JSON object on stdout. `--quick` shrinks the scale run (for tests).

use kmsplay_core::crypto;
use kmsplay_core::kms::types::{
    CreateKeyRequest, DataKeySpec, DecryptRequest, EncryptRequest, GenerateDataKeyRequest,
};
use kmsplay_core::scenario::Scenario;
use kmsplay_core::wire::Secret;
use kmsplay_core::{Caller, EncryptionContext, Env, Kms, KmsRequest, Operation, World};
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::Instant;

const BATCHES: usize = 15;

/// Runs `f` `iters` times per batch over several batches; returns ns/op median, min, max.
fn measure(iters: usize, mut f: impl FnMut()) -> (f64, f64, f64) {
    // Warm-up.
    for _ in 0..iters.min(100) {
        f();
    }
    let mut per_op: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    per_op.sort_by(|a, b| a.total_cmp(b));
    (per_op[BATCHES / 2], per_op[0], per_op[BATCHES - 1])
}

fn row(name: &str, engine: (f64, f64, f64), floor: (f64, f64, f64)) -> Value {
    json!({
        "name": name,
        "engine_ns_per_op": engine.0, "engine_min": engine.1, "engine_max": engine.2,
        "engine_ops_per_s": 1e9 / engine.0,
        "aes_gcm_ns_per_op": floor.0, "aes_gcm_min": floor.1, "aes_gcm_max": floor.2,
        "aes_gcm_ops_per_s": 1e9 / floor.0,
        "ratio": engine.0 / floor.0,
    })
}

fn kms_setup() -> (Kms, Env, Caller, String) {
    let mut kms = Kms::new("us-east-1", "111122223333");
    let mut env = Env::new(1);
    let admin = Caller::root("111122223333");
    kms.set_record_trail(true);
    let key = kms
        .create_key(&mut env, &admin, CreateKeyRequest::default())
        .0
        .map(|r| r.key_metadata.arn)
        .unwrap_or_default();
    (kms, env, admin, key)
}

fn bench_context() -> EncryptionContext {
    EncryptionContext::from_pairs([("purpose", "bench")])
}

fn aes_floor(size: usize, roundtrip: bool) -> (f64, f64, f64) {
    let key = [7u8; 32];
    let nonce = [9u8; 12];
    let data = vec![1u8; size];
    measure(2000, || {
        let ct = crypto::seal(black_box(&key), &nonce, b"aad", black_box(&data));
        if roundtrip {
            black_box(crypto::open(&key, &nonce, b"aad", &ct).ok());
        }
        black_box(ct);
    })
}

/// A WorkMail organization created by the admin of `s` (the workmail-basics scenario).
fn new_org(world: &mut World, s: &Scenario, alias: &str) -> Value {
    let admin = Caller::iam("arn:aws:iam::111122223333:role/WorkMailAdmin");
    if let Some(p) = s.principals.get("admin") {
        world.kms.set_identity_policies(&p.arn, p.policies.clone());
    }
    world
        .call(
            "workmail:CreateOrganization",
            &admin,
            &json!({"Alias": alias}),
        )
        .ok()
        .and_then(|v| v.get("OrganizationId").cloned())
        .unwrap_or(Value::Null)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let mut rows = Vec::new();

    // GenerateDataKey (32-byte key) vs one AES-GCM seal of 32 bytes, through the typed
    // request API services use (authorization and CloudTrail on).
    let (mut kms, mut env, admin, key) = kms_setup();
    let req = GenerateDataKeyRequest {
        key_id: key.clone(),
        key_spec: Some(DataKeySpec::AES_256),
        encryption_context: Some(bench_context()),
        ..Default::default()
    };
    let e = measure(300, || {
        black_box(kms.generate_data_key(&mut env, &admin, req.clone()).0.ok());
    });
    rows.push(row("GenerateDataKey", e, aes_floor(32, false)));

    for size in [32usize, 1024] {
        let (mut kms, mut env, admin, key) = kms_setup();
        let plaintext = vec![0x41u8; size];
        let e = measure(150, || {
            let (enc, _) = kms.encrypt(
                &mut env,
                &admin,
                EncryptRequest {
                    key_id: key.clone(),
                    plaintext: Secret::new(plaintext.clone()),
                    encryption_context: Some(bench_context()),
                    ..Default::default()
                },
            );
            let blob = enc.map(|r| r.ciphertext_blob).unwrap_or_default();
            let (dec, _) = kms.decrypt(
                &mut env,
                &admin,
                DecryptRequest {
                    ciphertext_blob: blob,
                    encryption_context: Some(bench_context()),
                    ..Default::default()
                },
            );
            black_box(dec.ok());
        });
        rows.push(row(
            &format!("Encrypt+Decrypt {size} B"),
            e,
            aes_floor(size, true),
        ));
    }

    // The JSON edge (a scenario step, the JavaScript API): the same GenerateDataKey parsed
    // from JSON and answered as JSON.
    let (mut kms, mut env, admin, key) = kms_setup();
    let json_req =
        json!({"KeyId": key, "KeySpec": "AES_256", "EncryptionContext": {"purpose": "bench"}});
    let e = measure(300, || {
        let parsed = KmsRequest::parse(Operation::GenerateDataKey, &json_req);
        if let Ok(request) = parsed {
            let (result, record) = kms.execute(&mut env, &admin, request);
            black_box(result.map(|r| serde_json::to_value(&r)).ok());
            black_box(record);
        }
    });
    rows.push(row(
        "GenerateDataKey (JSON in and out)",
        e,
        aes_floor(32, false),
    ));

    // WorkMail deliver + read (cache warm after the first read) vs the two AES-GCM
    // round trips a message costs (message + message key).
    let scenario = Scenario::parse(
        kmsplay_core::scenario::builtin("workmail-basics")
            .map(|b| b.source)
            .unwrap_or("{}"),
    )
    .ok();
    if let Some(s) = &scenario {
        let mut world = World::new(1, "us-east-1", "111122223333");
        let org = new_org(&mut world, s, "bench-corp");
        let admin = Caller::iam("arn:aws:iam::111122223333:role/WorkMailAdmin");
        let user = world
            .call(
                "workmail:CreateUser",
                &admin,
                &json!({"OrganizationId": org, "Name": "alice", "DisplayName": "Alice"}),
            )
            .ok()
            .and_then(|v| v.get("UserId").cloned())
            .unwrap_or(Value::Null);
        let _ = world.call(
            "workmail:RegisterToWorkMail",
            &admin,
            &json!({"OrganizationId": org, "EntityId": user, "Email": "alice@example.com"}),
        );
        let root = Caller::root("111122223333");
        let world = &mut world;
        let e = measure(100, || {
            let id = world
                .call("workmail:DeliverMessage", &root, &json!({"OrganizationId": org, "Mailbox": "alice@example.com", "Subject": "bench", "Body": "x".repeat(1024)}))
                .ok()
                .and_then(|v| v.get("MessageId").cloned())
                .unwrap_or(Value::Null);
            black_box(world.call("workmail:ReadMessage", &root, &json!({"OrganizationId": org, "Mailbox": "alice@example.com", "MessageId": id, "Client": "bench"})).ok());
        });
        let key = [7u8; 32];
        let nonce = [9u8; 12];
        let body = vec![1u8; 1024 + 32];
        let f = measure(2000, || {
            let ct = crypto::seal(&key, &nonce, b"id", black_box(&body));
            let wk = crypto::seal(&key, &nonce, b"id", &key);
            black_box(crypto::open(&key, &nonce, b"id", &wk).ok());
            black_box(crypto::open(&key, &nonce, b"id", &ct).ok());
        });
        rows.push(row("WorkMail deliver+read 1 KiB", e, f));
    }

    // Scale: an organization of many mailboxes, messages delivered and read back, with the
    // trace in summary mode (counts only) so memory stays bounded.
    let (mailboxes, per_mailbox) = if quick { (20, 5) } else { (1000, 100) };
    let t = Instant::now();
    let report = kmsplay_core::scale::workmail_at_scale(mailboxes, per_mailbox);
    let mut scale = serde_json::to_value(&report).unwrap_or(Value::Null);
    scale["seconds"] = json!(t.elapsed().as_secs_f64());
    scale["peakRssKib"] = json!(peak_rss_kib());

    let out = json!({"engine": rows, "scaleNative": scale});
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
}
