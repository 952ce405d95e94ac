//! `cargo xtask`: build, serve, test and bench the KMS Playground.
//!
//! Everything a developer or CI needs goes through here, so the README can say two
//! commands: `cargo xtask serve` and `cargo xtask test`. Bindgen and the wasm test
//! runner are the `wasm-bindgen-cli` crate used as a library, pinned to the same
//! version as `wasm-bindgen` in Cargo.lock, so nothing is installed globally.

#![forbid(unsafe_code)]

mod bench;
mod deferred;
mod dist;
mod prereq;
mod serve;
mod tally;
mod test;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The error type of every task: a message a person can act on.
pub type Result<T> = std::result::Result<T, String>;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Build, serve, test and bench the KMS Playground"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build dist/, then serve it on 127.0.0.1 and print the URL.
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = serve::DEFAULT_PORT)]
        port: u16,
        /// Serve dist/ as it is, without building it first.
        #[arg(long)]
        no_build: bool,
    },
    /// Release build of the page into dist/ and report the gzip size of every file.
    Dist {
        /// Also write dist/kms-playground.html: the page in one file (stylesheet, script
        /// and wasm inlined) that works opened from disk (file://).
        #[arg(long)]
        single_file: bool,
    },
    /// Run every test: native, wasm in headless Chromium, end-to-end with Playwright.
    Test,
    /// Benchmarks: page weight, load, step latency, engine overhead, scale (table + JSON).
    Bench {
        /// Smaller runs, for a quick look (numbers are noisier).
        #[arg(long)]
        quick: bool,
    },
    /// Renew web/deferred-keep.txt: which functions of the page's wasm its first load
    /// and first flow run (instrumented build in Chromium), kept in the first module.
    DeferredProfile,
    /// `cargo test` runner for wasm32 (set by `xtask test`): the wasm-bindgen test runner.
    #[command(hide = true, name = "wasm-bindgen-test-runner")]
    WasmTestRunner {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Serve { port, no_build } => serve::run(port, !no_build),
        Task::DeferredProfile => deferred::profile(),
        Task::Dist { single_file } => dist::build().and_then(|_| {
            if single_file {
                dist::single_file().map(|_| ())
            } else {
                Ok(())
            }
        }),
        Task::Test => test::run(),
        Task::Bench { quick } => bench::run(quick),
        Task::WasmTestRunner { args } => wasm_test_runner(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn wasm_test_runner(args: Vec<OsString>) -> Result<()> {
    let argv = std::iter::once(OsString::from("wasm-bindgen-test-runner")).chain(args);
    wasm_bindgen_cli::wasm_bindgen_test_runner::run_cli_with_args(argv)
        .map_err(|e| format!("wasm-bindgen-test-runner: {e:#}"))
}

/// The repository root (the workspace that contains this crate).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest.to_path_buf())
}

/// Where the page is built.
pub fn dist_dir() -> PathBuf {
    root().join("dist")
}

/// Cargo's target directory, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        _ => root().join("target"),
    }
}

/// The `cargo` that runs us (so the pinned toolchain is used), or `cargo` on PATH.
pub fn cargo() -> std::process::Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(root());
    cmd
}

/// Runs a command with inherited output and fails with its name when it fails.
pub fn run_status(cmd: &mut std::process::Command, what: &str) -> Result<()> {
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}
