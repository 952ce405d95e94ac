//! Golden runs: the trace, the step results and the CloudTrail log of every built-in
//! scenario, of every experiment the page offers for it, and of the shared example, as
//! JSON files in `tests/golden/`. A change to the engine that is meant to keep behaviour
//! (a refactoring, a speed-up) must leave them byte-identical; a change that is meant to
//! alter behaviour regenerates them (`KMSPLAY_BLESS=1 cargo test --test golden`) and the
//! diff shows, step by step, what changed.

use kmsplay_core::scenario::{builtins, experiment, run, Scenario};
use serde_json::{json, Value};
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Everything a run leaves: what each step returned, the CloudTrail log, the trace.
fn record(s: &Scenario) -> Value {
    let r = run(s, None);
    json!({
        "steps": r.steps,
        "stopped": r.stopped,
        "cloudtrail": r.cloudtrail,
        "trace": r.trace,
    })
}

fn scenario_and_experiments(s: &Scenario) -> Value {
    let experiments: Vec<Value> = experiment::experiments_for(&s.source)
        .into_iter()
        .map(|option| {
            let changed = experiment::apply(&s.source, &option.experiment)
                .and_then(|v| Scenario::from_value(&v));
            json!({
                "label": option.label,
                "experiment": option.experiment,
                "run": match &changed {
                    Ok(changed) => record(changed),
                    Err(e) => json!({"scenarioError": e.to_string()}),
                },
            })
        })
        .collect();
    json!({"run": record(s), "experiments": experiments})
}

fn check(name: &str, actual: &Value) -> Option<String> {
    let path = golden_dir().join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(actual).expect("a run serializes") + "\n";
    if std::env::var_os("KMSPLAY_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).expect("create tests/golden");
        std::fs::write(&path, &text).expect("write a golden file");
        return None;
    }
    let expected = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => return Some(format!("{}: {e}", path.display())),
    };
    if expected == text {
        return None;
    }
    let (line, (want, got)) = expected
        .lines()
        .zip(text.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .unwrap_or((
            expected.lines().count().min(text.lines().count()),
            ("(end of file)", "(end of file)"),
        ));
    Some(format!(
        "{name}: differs from {} at line {}\n  golden: {want}\n  now:    {got}",
        path.display(),
        line + 1
    ))
}

#[test]
fn builtin_scenarios_and_their_experiments_run_as_recorded() {
    let failures: Vec<String> = builtins()
        .iter()
        .filter_map(|b| {
            let s = b.scenario().expect("built-ins parse");
            check(b.name, &scenario_and_experiments(&s))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_shared_example_runs_as_recorded() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../cli/tests/fixtures/context-and-grants.json");
    let text = std::fs::read_to_string(&path).expect("the CLI's copy of the shared example");
    let s = Scenario::parse(&text).expect("the shared example parses");
    if let Some(failure) = check("context-and-grants", &scenario_and_experiments(&s)) {
        panic!("{failure}");
    }
}
