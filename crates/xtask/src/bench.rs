//! `cargo xtask bench`: speed and size, each measured next to its reference in one run
//! (the machines are shared and noisy, so medians with min–max, and ratios).
//!
//! - native engine: `examples/bench.rs` of kmsplay-core in release — GenerateDataKey,
//!   Encrypt+Decrypt (32 B, 1 KiB) and WorkMail deliver+read through the public request API
//!   with authorization and CloudTrail on, next to bare AES-256-GCM; a 1,000-mailbox
//!   organization with 100 messages each;
//! - real clients (`bench/clients.py`): boto3 against `kmsplay serve` (release), against
//!   moto's server and against a stub with fixed answers (the client's floor), 1 and 8
//!   client processes, GenerateDataKey and Encrypt+Decrypt;
//! - in Chromium (`bench/browser.mjs`): the page's and an embedded flow's weight (gzip of
//!   every response), load time to the first diagram (page and embed) next to a minimal
//!   Yew page built the same way, how often a page with two embeds fetches and compiles
//!   the wasm, the layout
//!   shift while the playground and an embed arrive (laptop and phone), step latency,
//!   a re-run of the longest built-in scenario, the engine's AES-GCM next to WebCrypto,
//!   and the scale run in wasm.
//!
//! Prints a table and writes everything to `target/bench/results.json`.

use std::fs;
use std::process::Command;

use serde_json::{json, Value};

use crate::dist::{
    self, copy, copy_tree, recreate_dir, wasm_output, wasm_package, PROFILE, WASM_TARGET,
};
use crate::serve::StaticServer;
use crate::{cargo, dist_dir, prereq, root, run_status, target_dir, Result};

const FLOOR_PACKAGE: &str = "kmsplay-yew-floor";
/// Page weight budget (issue: at most 350 KB gzip).
const BUDGET_GZIP: f64 = 350_000.0;
/// Embedded flow weight budget (issue 16: at most 250 KB gzip).
const EMBED_BUDGET_GZIP: f64 = 250_000.0;

pub fn run(quick: bool) -> Result<()> {
    println!("bench: native engine (release build)");
    let mut native = cargo();
    native.args([
        "run",
        "--quiet",
        "--release",
        "--package",
        "kmsplay-core",
        "--example",
        "bench",
        "--",
    ]);
    if quick {
        native.arg("--quick");
    }
    let native = json_output(&mut native, "the native engine benchmark")?;

    println!("bench: boto3 against kmsplay serve, moto's server and a stub");
    run_status(
        cargo().args([
            "build",
            "--release",
            "--package",
            "kmsplay-cli",
            "--bin",
            "kmsplay",
        ]),
        "cargo build --release of kmsplay",
    )?;
    let python = prereq::ensure_python_venv()?;
    let mut clients = Command::new(&python);
    clients
        .current_dir(root())
        .arg(root().join("bench/clients.py"))
        .arg(target_dir().join("release/kmsplay"));
    if quick {
        clients.arg("--quick");
    }
    let clients = json_output(&mut clients, "the client benchmark")?;

    dist::build()?;
    let site = target_dir().join("bench-site");
    recreate_dir(&site)?;
    copy_tree(&dist_dir(), &site.join("app"))?;
    println!("bench: building the minimal Yew page (the load-time floor)");
    run_status(
        cargo()
            .args([
                "build",
                "--package",
                FLOOR_PACKAGE,
                "--target",
                WASM_TARGET,
                "--profile",
                PROFILE,
            ])
            .env(dist::WASM_RUSTFLAGS.0, dist::WASM_RUSTFLAGS.1),
        "cargo build of the Yew floor page",
    )?;
    let floor = site.join("floor");
    fs::create_dir_all(&floor).map_err(|e| format!("cannot create {}: {e}", floor.display()))?;
    wasm_package(
        &prereq::ensure_wasm_opt()?,
        &wasm_output(FLOOR_PACKAGE),
        "kmsplay_yew_floor",
        &floor,
        false,
        false,
    )?;
    copy(
        &root().join("bench/yew-floor/index.html"),
        &floor.join("index.html"),
    )?;
    for f in ["bench.html", "bench.js"] {
        copy(&root().join("crates/xtask/bench").join(f), &site.join(f))?;
    }

    prereq::ensure_npm_packages()?;
    prereq::ensure_chromium()?;
    let server = StaticServer::start(&site, 0)?;
    println!("bench: in Chromium at {}", server.url());
    let mut node = Command::new("node");
    node.current_dir(root())
        .arg(root().join("crates/xtask/bench/browser.mjs"))
        .arg(server.url());
    if quick {
        node.arg("--quick");
    }
    let browser = json_output(&mut node, "the browser benchmark")?;
    drop(server);

    let results =
        json!({ "native": native, "clients": clients, "browser": browser, "quick": quick });
    print_table(&results);
    let out_dir = target_dir().join("bench");
    fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let path = out_dir.join("results.json");
    let text = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?;
    fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("bench: results written to {}", path.display());
    Ok(())
}

fn json_output(cmd: &mut Command, what: &str) -> Result<Value> {
    let out = cmd
        .output()
        .map_err(|e| format!("could not start {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .map(|_| ());
    // The benchmark prints one JSON document (possibly pretty), last on stdout.
    let start = text
        .find('{')
        .ok_or_else(|| format!("{what} printed no JSON: {text}"))?;
    let _ = last;
    serde_json::from_str(&text[start..])
        .map_err(|e| format!("{what} printed invalid JSON ({e}): {text}"))
}

fn f(v: &Value, pointer: &str) -> f64 {
    v.pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or(f64::NAN)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

/// The targets of the typed-engine issue for the engine rows, as multiples of one bare
/// AES-256-GCM operation of the same payload; the other rows are reported.
fn engine_target(name: &str) -> Option<f64> {
    match name {
        "GenerateDataKey" => Some(10.0),
        "Encrypt+Decrypt 1024 B" => Some(4.0),
        _ => None,
    }
}

fn print_table(r: &Value) {
    println!();
    println!(
        "{:<44} {:>14} {:>14} {:>9}  target",
        "measure", "playground", "reference", "ratio"
    );
    let weight = f(r, "/browser/pageWeight/gzipTotal");
    println!(
        "{:<44} {:>11.1} KB {:>11.1} KB {:>9.2}  ≤ 350 KB: {}",
        "page weight (gzip of everything loaded)",
        weight / 1000.0,
        BUDGET_GZIP / 1000.0,
        weight / BUDGET_GZIP,
        verdict(weight <= BUDGET_GZIP)
    );
    let deferred = f(r, "/browser/deferred/gzip");
    let early = f(r, "/browser/deferred/fetchedBeforeUse");
    println!(
        "{:<44} {:>11.1} KB {:>14} {:>9}  not before first use: {}",
        "  the rest of the wasm, on first use (gzip)",
        deferred / 1000.0,
        if early == 0.0 {
            "not at load"
        } else {
            "AT LOAD"
        },
        "",
        verdict(early == 0.0 && deferred > 0.0)
    );
    let (app, floor) = (
        f(r, "/browser/load/app/median"),
        f(r, "/browser/load/floor/median"),
    );
    println!(
        "{:<44} {:>11.1} ms {:>11.1} ms {:>9.2}  ≤ 1.3× minimal Yew page: {}",
        "load to first diagram (median of 10)",
        app,
        floor,
        app / floor,
        verdict(app / floor <= 1.3)
    );
    let embed_weight = f(r, "/browser/embedWeight/gzipTotal");
    println!(
        "{:<44} {:>11.1} KB {:>11.1} KB {:>9.2}  ≤ 250 KB: {}",
        "embedded flow weight (embed.html, gzip)",
        embed_weight / 1000.0,
        EMBED_BUDGET_GZIP / 1000.0,
        embed_weight / EMBED_BUDGET_GZIP,
        verdict(embed_weight <= EMBED_BUDGET_GZIP)
    );
    let embed = f(r, "/browser/load/embed/median");
    println!(
        "{:<44} {:>11.1} ms {:>11.1} ms {:>9.2}  ≤ 1.2× minimal Yew page: {}",
        "embedded flow to first diagram (median)",
        embed,
        floor,
        embed / floor,
        verdict(embed / floor <= 1.2)
    );
    // A request that moved less than a kilobyte was a revalidation (a 304's headers).
    let downloads = r
        .pointer("/browser/twoEmbeds/wasmRequests")
        .and_then(Value::as_array)
        .map_or(0, |a| {
            a.iter()
                .filter(|b| b.as_f64().unwrap_or(0.0) >= 1024.0)
                .count()
        });
    let compiled = f(r, "/browser/twoEmbeds/modulesCompiled");
    let embeds = f(r, "/browser/twoEmbeds/embeds");
    println!(
        "{:<44} {:>14} {:>14} {:>9}  once: {}",
        format!("{embeds} embeds on one page: wasm fetched/compiled"),
        format!("{downloads} / {compiled}"),
        format!("cached {}", f(r, "/browser/twoEmbeds/modulesFromCache")),
        "",
        verdict(embeds >= 2.0 && downloads == 1 && compiled == 1.0)
    );
    let shift = f(r, "/browser/arrival/max");
    println!(
        "{:<44} {:>14.4} {:>14} {:>9}  < 0.01: {}",
        "layout shift on arrival (worst of 4 loads)",
        shift,
        "",
        "",
        verdict(shift < 0.01)
    );
    let step = f(r, "/browser/stepLatency/median");
    println!(
        "{:<44} {:>11.2} ms {:>14} {:>9}  < 16 ms: {}",
        "step latency, next → DOM updated (median)",
        step,
        "",
        "",
        verdict(step < 16.0)
    );
    let rerun = f(r, "/browser/rerun/msMedian");
    println!(
        "{:<44} {:>11.2} ms {:>14} {:>9}  < 16 ms: {}",
        "re-run of the longest built-in (wasm)",
        rerun,
        "",
        "",
        verdict(rerun < 16.0)
    );
    if let Some(rows) = r.pointer("/native/engine").and_then(Value::as_array) {
        for row in rows {
            let name = row.get("name").and_then(Value::as_str).unwrap_or("?");
            let ratio = f(row, "/ratio");
            let target = match engine_target(name) {
                Some(t) => format!("≤ {t}× AES-GCM: {}", verdict(ratio <= t)),
                None => "(reported)".to_owned(),
            };
            println!(
                "{:<44} {:>10.0}/s {:>12.0}/s {:>9.1}  {target}",
                format!("native {name}"),
                f(row, "/engine_ops_per_s"),
                f(row, "/aes_gcm_ops_per_s"),
                ratio,
            );
        }
    }
    if let Some(rows) = r.pointer("/browser/aes").and_then(Value::as_array) {
        for row in rows {
            let size = row.get("size").and_then(Value::as_u64).unwrap_or(0);
            let ratio = f(row, "/ratio");
            // Issue 16's target is at 1 KiB; the 1 MiB row is reported.
            let target = if size == 1024 {
                format!("≤ 3× WebCrypto: {}", verdict(ratio <= 3.0))
            } else {
                "(WebCrypto, reported)".to_owned()
            };
            println!(
                "{:<44} {:>11.4} ms {:>11.4} ms {:>9.2}  {target}",
                format!("wasm AES-256-GCM seal+open {size} B"),
                f(row, "/engineMsPerOp"),
                f(row, "/webcryptoMsPerOp"),
                ratio
            );
        }
    }
    for op in ["GenerateDataKey", "Encrypt+Decrypt"] {
        let row = |who: &str, n: u32, field: &str| {
            f(
                r,
                &format!(
                    "/clients/clients/{}/{who}~1{n}/{field}",
                    op.replace('/', "~1")
                ),
            )
        };
        let (ours, moto) = (row("kmsplay", 1, "serverMs"), row("moto", 1, "serverMs"));
        // 0 means kmsplay answered faster than the stub (a Python server) itself.
        println!(
            "{:<44} {:>11.2} ms {:>11.2} ms {:>9.2}  server time ≤ 0.1× moto: {}{}",
            format!("boto3 {op}, 1 client (minus stub floor)"),
            ours,
            moto,
            ours / moto,
            verdict(ours / moto <= 0.1),
            if ours == 0.0 {
                " (faster than the stub)"
            } else {
                ""
            }
        );
        println!(
            "{:<44} {:>11.2} ms {:>11.2} ms {:>9}  (p99, 1 client)",
            "",
            row("kmsplay", 1, "p99Ms"),
            row("moto", 1, "p99Ms"),
            ""
        );
        let (ours, moto) = (row("kmsplay", 8, "perSecond"), row("moto", 8, "perSecond"));
        println!(
            "{:<44} {:>10.0}/s {:>12.0}/s {:>9.2}  ≥ 5× moto: {} (stub {:.0}/s)",
            format!("boto3 {op}, 8 client processes"),
            ours,
            moto,
            ours / moto,
            verdict(ours / moto >= 5.0),
            row("stub", 8, "perSecond")
        );
    }
    for (label, p) in [
        ("native", "/native/scaleNative"),
        ("wasm", "/browser/scale"),
    ] {
        println!(
            "{:<44} {:>12.2} s  {} messages, {} KMS calls, {} avoided by the cache",
            format!(
                "scale {label}: {} mailboxes",
                f(r, &format!("{p}/mailboxes"))
            ),
            f(r, &format!("{p}/seconds")),
            f(r, &format!("{p}/messages")),
            f(r, &format!("{p}/kmsCalls")),
            f(r, &format!("{p}/kmsCallsAvoidedByCache"))
        );
    }
    println!(
        "{:<44} native peak RSS {:.0} MiB; wasm memory {:.0} MiB",
        "scale memory",
        f(r, "/native/scaleNative/peakRssKib") / 1024.0,
        f(r, "/browser/scale/wasmMemoryBytes") / 1_048_576.0
    );
}
