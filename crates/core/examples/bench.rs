//! Engine benchmarks, run by `cargo xtask bench` (release build): the simulation's cost
//! through its typed request API — the one the services use, authorization and CloudTrail
//! on — next to bare AES-256-GCM on the same sizes, in the same process; the same call
//! through the JSON edge (a scenario step, the JavaScript API); and a WorkMail
//! organization at scale.
//!
//! The machines are shared and noisy, so the engine and its floor are measured in
//! alternating batches and compared batch by batch: the ratio reported is the median of
//! the per-batch ratios, with the medians (and min–max) of each side beside it.
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

const BATCHES: usize = 21;

/// ns/op of `iters` calls of `f`.
fn batch(iters: usize, f: &mut impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    t.elapsed().as_nanos() as f64 / iters as f64
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// Measures `engine` and `floor` in alternating batches (after a warm-up of one batch
/// each, which also grows the heap to its working size) and returns one JSON row.
fn compare(
    name: &str,
    engine_iters: usize,
    mut engine: impl FnMut(),
    floor_iters: usize,
    mut floor: impl FnMut(),
) -> Value {
    batch(engine_iters, &mut engine);
    batch(floor_iters, &mut floor);
    let (mut e, mut f, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..BATCHES {
        let engine_ns = batch(engine_iters, &mut engine);
        let floor_ns = batch(floor_iters, &mut floor);
        ratios.push(engine_ns / floor_ns);
        e.push(engine_ns);
        f.push(floor_ns);
    }
    let (engine, floor, ratio) = (median(e), median(f), median(ratios));
    json!({
        "name": name,
        "engine_ns_per_op": engine.0, "engine_min": engine.1, "engine_max": engine.2,
        "engine_ops_per_s": 1e9 / engine.0,
        "aes_gcm_ns_per_op": floor.0, "aes_gcm_min": floor.1, "aes_gcm_max": floor.2,
        "aes_gcm_ops_per_s": 1e9 / floor.0,
        "ratio": ratio.0, "ratio_min": ratio.1, "ratio_max": ratio.2,
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

/// One AES-256-GCM seal (and, for a round trip, open) of `size` bytes: the floor.
fn aes(size: usize, roundtrip: bool) -> impl FnMut() {
    let key = [7u8; 32];
    let nonce = [9u8; 12];
    let data = vec![1u8; size];
    move || {
        let ct = crypto::seal(black_box(&key), &nonce, b"aad", black_box(&data));
        if roundtrip {
            black_box(crypto::open(&key, &nonce, b"aad", &ct).ok());
        }
        black_box(ct);
    }
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

    // GenerateDataKey (32-byte key) vs one AES-GCM seal of 32 bytes.
    let (mut kms, mut env, admin, key) = kms_setup();
    let req = GenerateDataKeyRequest {
        key_id: key.clone(),
        key_spec: Some(DataKeySpec::AES_256),
        encryption_context: Some(bench_context()),
        ..Default::default()
    };
    rows.push(compare(
        "GenerateDataKey",
        300,
        || {
            black_box(kms.generate_data_key(&mut env, &admin, req.clone()).0.ok());
        },
        2000,
        aes(32, false),
    ));

    for size in [32usize, 1024] {
        let (mut kms, mut env, admin, key) = kms_setup();
        let plaintext = vec![0x41u8; size];
        rows.push(compare(
            &format!("Encrypt+Decrypt {size} B"),
            150,
            || {
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
            },
            2000,
            aes(size, true),
        ));
    }

    // The JSON edge: the same GenerateDataKey parsed from JSON and answered as JSON.
    let (mut kms, mut env, admin, key) = kms_setup();
    let json_req =
        json!({"KeyId": key, "KeySpec": "AES_256", "EncryptionContext": {"purpose": "bench"}});
    rows.push(compare(
        "GenerateDataKey (JSON in and out)",
        300,
        || {
            if let Ok(request) = KmsRequest::parse(Operation::GenerateDataKey, &json_req) {
                let (result, record) = kms.execute(&mut env, &admin, request);
                black_box(result.map(|r| serde_json::to_value(&r)).ok());
                black_box(record);
            }
        },
        2000,
        aes(32, false),
    ));

    // WorkMail deliver + read (cache warm after the first read) vs the two AES-GCM round
    // trips a message costs (message + message key).
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
        let key = [7u8; 32];
        let nonce = [9u8; 12];
        let body = vec![1u8; 1024 + 32];
        rows.push(compare(
            "WorkMail deliver+read 1 KiB",
            100,
            || {
                let id = world
                    .call("workmail:DeliverMessage", &root, &json!({"OrganizationId": org, "Mailbox": "alice@example.com", "Subject": "bench", "Body": "x".repeat(1024)}))
                    .ok()
                    .and_then(|v| v.get("MessageId").cloned())
                    .unwrap_or(Value::Null);
                black_box(world.call("workmail:ReadMessage", &root, &json!({"OrganizationId": org, "Mailbox": "alice@example.com", "MessageId": id, "Client": "bench"})).ok());
            },
            2000,
            || {
                let ct = crypto::seal(&key, &nonce, b"id", black_box(&body));
                let wk = crypto::seal(&key, &nonce, b"id", &key);
                black_box(crypto::open(&key, &nonce, b"id", &wk).ok());
                black_box(crypto::open(&key, &nonce, b"id", &ct).ok());
            },
        ));
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
