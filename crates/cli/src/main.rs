//! `kmsplay`: the KMS Playground on the command line.
//!
//! ```sh
//! kmsplay scenarios                 # the built-in scenarios, name first
//! kmsplay show workmail-basics      # one of them as a scenario file
//! kmsplay run my-flow.json          # run files (or built-in names), one line per step
//! kmsplay run workmail-cache --json # the run as JSON: steps, decisions, CloudTrail
//! kmsplay serve                     # AWS KMS on http://127.0.0.1:4599 for real AWS clients
//! kmsplay code encryption-context   # each KMS call of a run as an AWS CLI command
//! kmsplay check key-policy.json     # which services and principals the policy lets use the key
//! ```
//!
//! `run` exits 0 only if every step ran and every expectation held, 1 if not, and 2 if a
//! scenario could not be read or is malformed.

#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use kmsplay_core::scenario::{builtin, builtins, run, Expectation, RunResult, Scenario};
use serde_json::{json, Value};
use std::process::ExitCode;

mod serve;

/// Run the KMS Playground's simulation of AWS KMS, WorkMail and SES from the terminal.
#[derive(Parser)]
#[command(name = "kmsplay", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the built-in scenarios, one per line, name first.
    Scenarios,
    /// Print a built-in scenario as a scenario file.
    Show {
        /// The built-in's name (see `kmsplay scenarios`).
        name: String,
    },
    /// Run scenario files (or built-in names) and print each step.
    Run {
        /// Scenario files, or names of built-in scenarios.
        #[arg(required = true)]
        files: Vec<String>,
        /// Use this seed instead of the scenario's.
        #[arg(long)]
        seed: Option<u64>,
        /// Print the run as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Serve the AWS KMS API (AWS JSON 1.1, as boto3, the AWS CLI and the SDKs speak it)
    /// over the world of a scenario.
    Serve {
        /// The scenario whose principals, policies and keys the world starts with (a file
        /// or a built-in name). Without one: an empty account whose one principal, admin,
        /// may do anything, and which every access key acts as.
        scenario: Option<String>,
        /// The port.
        #[arg(long, default_value_t = 4599)]
        port: u16,
        /// The address to listen on (only loopback unless told otherwise).
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Keep the world in this directory across restarts (a journal of requests, each
        /// written before it is answered; plaintexts are kept only as their lengths).
        #[arg(long)]
        data: Option<std::path::PathBuf>,
        /// Write the scenario and every request since as a scenario file, which
        /// `kmsplay run` replays and the page opens.
        #[arg(long)]
        record: Option<std::path::PathBuf>,
        /// Requests signed with an access key no principal has act as this principal (a
        /// name of the scenario's, or an IAM ARN) instead of getting
        /// UnrecognizedClientException.
        #[arg(long)]
        default_principal: Option<String>,
        /// Check SigV4 signatures with the principals' secretAccessKey.
        #[arg(long)]
        verify_signatures: bool,
        /// Print no line per request.
        #[arg(long)]
        quiet: bool,
    },
    /// Print each KMS call of a scenario's run as code: an AWS CLI command, boto3 or the
    /// AWS SDK for JavaScript v3, runnable against `kmsplay serve` over the scenario's
    /// principals (the scenario without its steps), or against AWS with `--aws`.
    Code {
        /// A scenario file or a built-in name.
        scenario: String,
        /// The language: cli, python or javascript.
        #[arg(long, default_value = "cli", value_parser = ["cli", "python", "javascript"])]
        language: String,
        /// The endpoint the code sends to.
        #[arg(long, default_value = kmsplay_core::view::code::SERVE_ENDPOINT)]
        endpoint: String,
        /// Write the code for AWS itself: no endpoint, the shell's own credentials.
        #[arg(long)]
        aws: bool,
        /// Print JSON: per KMS call its step, request, AWS's answer in the run, and the
        /// code in every language.
        #[arg(long)]
        json: bool,
    },
    /// Check a key policy (a JSON file, or - for stdin) against the WorkMail, SES, Amazon
    /// Location and CloudTrail flows and the principals it names: a verdict per flow, the
    /// fix for each refusal, and Access Analyzer-style findings.
    Check {
        /// The key policy file, or `-`.
        policy: String,
        /// The account, when not the one the policy names.
        #[arg(long)]
        account: Option<String>,
        /// The Region, when not the one the policy names.
        #[arg(long)]
        region: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `kmsplay check`: the page's "Check my key policy" on a policy file: a verdict per flow
/// (with the fix for a refusal) and the findings. Exits 0 when every flow is allowed and
/// there is no security finding, 1 otherwise, 2 when the policy cannot be read.
fn print_check(
    path: &str,
    json: bool,
    account: Option<String>,
    region: Option<String>,
) -> Result<bool, String> {
    use kmsplay_core::check::{check, names_from, Severity};
    use std::fmt::Write as _;
    let text = if path == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| format!("reading stdin: {e}"))?
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?
    };
    kmsplay_core::scenario::experiment::check_policy(&text).map_err(|e| format!("{path}: {e}"))?;
    let doc = kmsplay_core::authz::PolicyDocument::parse(&text)
        .map_err(|e| format!("{path}: {}: {}", e.path, e.message))?;
    let mut names = names_from(&doc);
    if let Some(a) = account {
        names = kmsplay_core::check::Names {
            account: a,
            ..names
        };
    }
    if let Some(r) = region {
        names.region = r;
    }
    let report = check(&text, &names).map_err(|e| format!("{path}: {e}"))?;
    let ok = report.verdicts.iter().all(|v| v.allowed)
        && !report
            .warnings
            .iter()
            .any(|w| w.severity == Severity::Security);
    let mut out = String::new();
    if json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        let n = &report.names;
        let _ = writeln!(
            out,
            "account {} · {} · SES rule set {} rule {} · tracker {} · trail {}",
            n.account, n.region, n.rule_set, n.rule, n.tracker, n.trail
        );
        for v in &report.verdicts {
            let _ = writeln!(
                out,
                "{} {}\n    {}",
                if v.allowed { "✓" } else { "✗" },
                v.title,
                v.summary
            );
            if let Some(fix) = &v.fix {
                for c in &fix.changes {
                    let _ = writeln!(out, "    fix: {c}");
                }
            }
        }
        for w in &report.warnings {
            let _ = writeln!(
                out,
                "! {:?}: {}\n    {} ({})",
                w.severity, w.title, w.detail, w.doc
            );
        }
    }
    emit(&out)?;
    Ok(ok)
}

/// `kmsplay code`: the KMS calls of `scenario`'s run as code.
fn print_code(
    scenario: &Scenario,
    language: &str,
    endpoint: Option<&str>,
    as_json: bool,
) -> Result<(), String> {
    use kmsplay_core::view::code::{step_snippets, Language};
    use std::fmt::Write as _;
    let mut text = String::new();
    let result = run(scenario, None);
    let mut out = Vec::new();
    for step in &result.trace.steps {
        let Some(snippets) = step_snippets(scenario, step, endpoint) else {
            continue;
        };
        if as_json {
            let mut entry = json!({
                "step": step.index,
                "title": step.title,
                "operation": step.call.map(|c| c.to_string()),
                "caller": step.actor,
                "request": step.request,
                "response": step.response,
                "error": step.error,
            });
            for (l, code) in &snippets {
                let key = match l {
                    Language::Cli => "cli",
                    Language::Python => "python",
                    Language::JavaScript => "javascript",
                };
                entry[key] = Value::String(code.clone());
            }
            out.push(entry);
        } else {
            let want = match language {
                "python" => Language::Python,
                "javascript" => Language::JavaScript,
                _ => Language::Cli,
            };
            let comment = if want == Language::Cli || want == Language::Python {
                "#"
            } else {
                "//"
            };
            let _ = writeln!(text, "{comment} step {}: {}", step.index + 1, step.title);
            if let Some((_, code)) = snippets.iter().find(|(l, _)| *l == want) {
                let _ = writeln!(text, "{code}");
            }
        }
    }
    if as_json {
        text = serde_json::to_string_pretty(&Value::Array(out)).map_err(|e| e.to_string())?;
        text.push('\n');
    }
    emit(&text)
}

fn load(arg: &str) -> Result<Scenario, String> {
    let text = match std::fs::read_to_string(arg) {
        Ok(t) => t,
        Err(e) => {
            match builtin(arg) {
                Some(b) => b.source.to_owned(),
                None => {
                    let names: Vec<&str> = builtins().iter().map(|b| b.name).collect();
                    return Err(format!("{arg}: cannot read it ({e}) and it is not a built-in scenario (built-ins: {})", names.join(", ")));
                }
            }
        }
    };
    Scenario::parse(&text).map_err(|e| format!("{arg}: {e}"))
}

/// The run in the documented JSON shape.
fn run_json(r: &RunResult) -> Value {
    json!({ "scenario": r.scenario, "steps": r.steps, "cloudtrail": r.cloudtrail, "stopped": r.stopped })
}

/// Writes `text` to stdout; a reader that stops early (`| head`) is not an error.
fn emit(text: &str) -> Result<(), String> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("writing to stdout: {e}"))
        }
        _ => Ok(()),
    }
}

fn run_text(s: &Scenario, r: &RunResult) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", s.name, s.title);
    for (i, st) in r.steps.iter().enumerate() {
        let mark = match st.expectation {
            Some(Expectation::Met) => "✓",
            Some(Expectation::Failed) => "✗",
            None if st.error.is_some() => "!",
            None => "·",
        };
        let outcome = match &st.error {
            Some(e) => e.code.clone(),
            None => "ok".to_owned(),
        };
        let (a, b) = st.trace_range;
        let why = match (&st.expectation_message, &st.error) {
            (Some(m), _) => format!("expectation failed: {m}"),
            (None, Some(e)) => e.explained(),
            (None, None) => r
                .trace
                .steps
                .get(a..b)
                .and_then(|s| s.last())
                .map(|s| s.sentence.clone())
                .unwrap_or_default(),
        };
        let _ = writeln!(
            out,
            "{:>3} {mark} {:<32} {:<28} {why}",
            i + 1,
            st.call,
            outcome
        );
    }
    if let Some(stop) = &r.stopped {
        let _ = writeln!(
            out,
            "    stopped at step {}: {}",
            stop.step + 1,
            stop.message
        );
    }
    let failed = r
        .steps
        .iter()
        .filter(|s| s.expectation == Some(Expectation::Failed))
        .count();
    let met = r
        .steps
        .iter()
        .filter(|s| s.expectation == Some(Expectation::Met))
        .count();
    let _ = writeln!(
        out,
        "    {} steps, {met} expectations met, {failed} failed, {} CloudTrail events",
        r.steps.len(),
        r.cloudtrail.len()
    );
    out
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            scenario,
            port,
            bind,
            data,
            record,
            default_principal,
            verify_signatures,
            quiet,
        } => {
            let scenario = match scenario.as_deref().map(load).transpose() {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("kmsplay: {e}");
                    return ExitCode::from(2);
                }
            };
            match serve::serve(serve::ServeOptions {
                scenario,
                bind,
                port,
                data,
                record,
                default_principal,
                verify_signatures,
                quiet,
            }) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kmsplay serve: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Code {
            scenario,
            language,
            endpoint,
            aws,
            json,
        } => {
            let outcome = load(&scenario)
                .and_then(|s| print_code(&s, &language, (!aws).then_some(endpoint.as_str()), json));
            match outcome {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kmsplay code: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Check {
            policy,
            account,
            region,
            json,
        } => match print_check(&policy, json, account, region) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("kmsplay check: {e}");
                ExitCode::from(2)
            }
        },
        Command::Scenarios => {
            let text: String = builtins()
                .iter()
                .map(|b| {
                    let title = b.scenario().map(|s| s.title).unwrap_or_default();
                    format!("{:<28} {title}\n", b.name)
                })
                .collect();
            match emit(&text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kmsplay: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Show { name } => {
            match builtin(&name) {
                Some(b) => {
                    if let Err(e) = emit(b.source) {
                        eprintln!("kmsplay: {e}");
                        return ExitCode::from(2);
                    }
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("kmsplay: no built-in scenario named {name}; `kmsplay scenarios` lists them");
                    ExitCode::from(2)
                }
            }
        }
        Command::Run { files, seed, json } => {
            let mut scenarios = Vec::new();
            for f in &files {
                match load(f) {
                    Ok(s) => scenarios.push(s),
                    Err(e) => {
                        eprintln!("kmsplay: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            let runs: Vec<(Scenario, RunResult)> = scenarios
                .into_iter()
                .map(|s| {
                    let r = run(&s, seed);
                    (s, r)
                })
                .collect();
            if json {
                let out = if runs.len() == 1 {
                    runs.first()
                        .map(|(_, r)| run_json(r))
                        .unwrap_or(Value::Null)
                } else {
                    Value::Array(runs.iter().map(|(_, r)| run_json(r)).collect())
                };
                let written = serde_json::to_string_pretty(&out)
                    .map_err(|e| format!("could not print JSON: {e}"))
                    .and_then(|text| emit(&(text + "\n")));
                if let Err(e) = written {
                    eprintln!("kmsplay: {e}");
                    return ExitCode::from(2);
                }
            } else {
                let text: String = runs.iter().map(|(s, r)| run_text(s, r)).collect();
                if let Err(e) = emit(&text) {
                    eprintln!("kmsplay: {e}");
                    return ExitCode::from(2);
                }
            }
            if runs.iter().all(|(_, r)| r.all_met()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
