//! The scenario parser and runner, and the diagram snapshots of a run.
#![no_main]

use kmsplay_core::diagram::snapshot;
use kmsplay_core::scenario::{run, Scenario};
use kmsplay_fuzz::generates_rsa;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(s) = Scenario::parse(text) else { return };
    // RSA key generation is slow by nature; runs longer than ~50 steps are slow by size.
    if s.steps.len() > 50 || generates_rsa(&s.source) {
        return;
    }
    let result = run(&s, None);
    let steps = &result.trace.steps;
    for n in [
        0,
        1,
        steps.len() / 2,
        steps.len().saturating_sub(1),
        steps.len(),
        usize::MAX,
    ] {
        let _ = snapshot(steps, n);
    }
    let _ = serde_json::to_string(&result.cloudtrail).expect("CloudTrail serializes");
});
