//! `cargo xtask test`: every test, in the order a failure is cheapest to find.
//!
//! 1. native: `cargo test --workspace`;
//! 2. wasm: `cargo test --target wasm32-unknown-unknown` of the crates with browser
//!    tests, with this binary as the cargo runner (it is the wasm-bindgen test runner)
//!    driving Debian's headless Chromium through ChromeDriver;
//! 3. real AWS clients: boto3, the AWS CLI, the AWS Encryption SDK and moto's own KMS
//!    tests against `kmsplay serve` (pytest in a virtual environment with pinned
//!    packages, `tests/clients/`), and the server's persistence and load tests;
//! 4. dist: the release page, as `cargo xtask dist --single-file` builds it;
//! 5. end-to-end: Playwright against dist/ served by our static server.
//!
//! Every stage runs even when an earlier one failed (except end-to-end without a
//! page), and the exit code is non-zero when anything failed.

use std::fs;
use std::process::Command;
use std::time::Instant;

use crate::serve::StaticServer;
use crate::tally::{self, Format, Tally};
use crate::{cargo, dist, dist_dir, prereq, root, run_status, target_dir, Result};

/// Crates whose `tests/` hold `#[wasm_bindgen_test]`s to run in the browser.
const WASM_TEST_PACKAGES: &[&str] = &["kmsplay-js"];

/// Chromium's flags on this kind of machine: no sandbox as root, no GPU, and no
/// background traffic to hosts that a closed network refuses.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

struct Stage {
    name: &'static str,
    tally: Tally,
    ok: bool,
    seconds: f64,
}

pub fn run() -> Result<()> {
    let started = Instant::now();
    prereq::ensure_chromium()?;
    prereq::ensure_npm_packages()?;

    let mut stages = Vec::new();

    stages.push(stage("native tests (cargo test --workspace)", || {
        tally::run(
            cargo().args(["test", "--workspace", "--no-fail-fast"]),
            "cargo test",
            Format::Libtest,
        )
        .map(|(status, tally)| (status.success(), tally))
    }));

    stages.push(stage("wasm tests (headless Chromium)", wasm_tests));

    stages.push(stage(
        "client tests (boto3, AWS CLI, Encryption SDK, moto)",
        client_tests,
    ));

    let dist_started = Instant::now();
    // The single file too: the end-to-end tests open it from file://.
    let dist = dist::build().and_then(|_| dist::single_file());
    stages.push(Stage {
        name: "dist (release page)",
        tally: Tally::default(),
        ok: dist.is_ok(),
        seconds: dist_started.elapsed().as_secs_f64(),
    });
    if let Err(e) = &dist {
        eprintln!("xtask: dist failed: {e}");
    }

    if dist.is_ok() {
        stages.push(stage("end-to-end tests (Playwright, Chromium)", e2e_tests));
    } else {
        eprintln!("xtask: skipping the end-to-end tests: there is no page to test");
    }

    let mut total = Tally::default();
    println!();
    println!("xtask test summary:");
    for s in &stages {
        let mut t = s.tally;
        // A stage that failed without a failing test (a build error, a runner that
        // could not start) still counts as a failure.
        if !s.ok && t.failed == 0 {
            t.failed = 1;
        }
        let verdict = if s.ok { "ok" } else { "FAILED" };
        println!(
            "  {:<44} {:>6}  {:>4} passed, {} failed, {} skipped  {:>6.1}s",
            s.name, verdict, t.passed, t.failed, t.skipped, s.seconds
        );
        total += t;
    }
    println!("  total time {:.1}s", started.elapsed().as_secs_f64());
    println!(
        "{} passed, {} failed, {} skipped",
        total.passed, total.failed, total.skipped
    );

    let failed: Vec<&str> = stages.iter().filter(|s| !s.ok).map(|s| s.name).collect();
    if failed.is_empty() && dist.is_ok() {
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join("; ")))
    }
}

fn stage(name: &'static str, body: impl FnOnce() -> Result<(bool, Tally)>) -> Stage {
    println!();
    println!("==> {name}");
    let started = Instant::now();
    let (ok, tally) = match body() {
        Ok(result) => result,
        Err(e) => {
            eprintln!("xtask: {name}: {e}");
            (false, Tally::default())
        }
    };
    Stage {
        name,
        tally,
        ok,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn wasm_tests() -> Result<(bool, Tally)> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find the xtask binary to use as the test runner: {e}"))?;
    let runner = format!(
        "target.wasm32-unknown-unknown.runner=[{}, \"wasm-bindgen-test-runner\"]",
        toml_string(&exe.to_string_lossy())
    );
    let webdriver_json = write_webdriver_json()?;
    let mut cmd = cargo();
    cmd.args(["--config", &runner, "test", "--no-fail-fast"])
        .args(["--target", "wasm32-unknown-unknown"]);
    for package in WASM_TEST_PACKAGES {
        cmd.args(["--package", package]);
    }
    cmd.env("CHROMEDRIVER", prereq::CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver_json)
        .env("WASM_BINDGEN_TEST_ONLY_WEB", "1")
        .env_remove("NO_HEADLESS");
    let (status, tally) = tally::run(&mut cmd, "cargo test (wasm32)", Format::Libtest)?;
    Ok((status.success(), tally))
}

/// ChromeDriver's capabilities: Debian's Chromium with the flags it needs here.
fn write_webdriver_json() -> Result<std::path::PathBuf> {
    let dir = target_dir().join("xtask");
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let args = CHROMIUM_FLAGS
        .iter()
        .map(|flag| json_string(flag))
        .collect::<Vec<_>>()
        .join(", ");
    let json = format!(
        "{{\"goog:chromeOptions\": {{\"binary\": {}, \"args\": [{args}]}}}}\n",
        json_string(prereq::CHROMIUM)
    );
    let path = dir.join("webdriver.json");
    fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The client tests: pytest in the pinned virtual environment against the kmsplay binary.
fn client_tests() -> Result<(bool, Tally)> {
    let python = prereq::ensure_python_venv()?;
    run_status(
        cargo().args(["build", "--package", "kmsplay-cli", "--bin", "kmsplay"]),
        "cargo build of kmsplay",
    )?;
    let kmsplay = target_dir().join("debug/kmsplay");
    let (status, tally) = tally::run(
        Command::new(&python)
            .args([
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-s",
                "tests/clients",
            ])
            .current_dir(root())
            .env("KMSPLAY_BIN", &kmsplay)
            .env("KMSPLAY_CACHE", target_dir().join("xtask/cache"))
            .env("KMSPLAY_RESULTS", target_dir().join("xtask/results")),
        "pytest tests/clients",
        Format::Pytest,
    )?;
    Ok((status.success(), tally))
}

fn e2e_tests() -> Result<(bool, Tally)> {
    let playwright = prereq::playwright()?;
    let server = StaticServer::start(&dist_dir(), 0)?;
    println!("serving dist/ at {}", server.url());
    let (status, tally) = tally::run(
        Command::new(&playwright)
            .arg("test")
            .current_dir(root())
            .env("KMSPLAY_BASE_URL", server.url())
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
        "playwright test",
        Format::Playwright,
    )?;
    drop(server);
    Ok((status.success(), tally))
}

fn toml_string(s: &str) -> String {
    json_string(s)
}

/// A JSON (and TOML basic) string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
