//! The URL state decoder (`#v1:<base64url(deflate(JSON))>`), and what the page does with a
//! decoded view: resolve the scenario, apply the experiment, list experiments, run it.
//!
//! Input: first byte 0 → the rest is the fragment as typed; otherwise the rest is the
//! view-state JSON, which the target deflates and base64url-encodes itself (mutating
//! compressed bytes seldom yields JSON, so this reaches the view-state parser).
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use kmsplay_core::permalink::{decode, encode, ScenarioRef};
use kmsplay_core::scenario::{builtin, experiment, run, Scenario};
use kmsplay_fuzz::generates_rsa;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else { return };
    let fragment = if *mode == 0 {
        match std::str::from_utf8(rest) {
            Ok(s) => s.to_owned(),
            Err(_) => return,
        }
    } else {
        format!(
            "v1:{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(rest, 1))
        )
    };
    let Ok(view) = decode(&fragment) else { return };
    assert_eq!(
        decode(&encode(&view)).as_ref(),
        Ok(&view),
        "encode/decode must round-trip"
    );

    let source = match &view.scenario {
        ScenarioRef::Builtin(name) => match builtin(name) {
            Some(b) => match serde_json::from_str(b.source) {
                Ok(v) => v,
                Err(_) => return,
            },
            None => return,
        },
        ScenarioRef::Custom(v) => v.clone(),
    };
    let _ = experiment::experiments_for(&source);
    let source = match &view.experiment {
        Some(e) => match experiment::apply(&source, e) {
            Ok(v) => v,
            Err(_) => return,
        },
        None => source,
    };
    let Ok(s) = Scenario::from_value(&source) else {
        return;
    };
    if s.steps.len() > 50 || generates_rsa(&s.source) {
        return;
    }
    let result = run(&s, view.seed);
    let _ = kmsplay_core::diagram::snapshot(&result.trace.steps, view.step);
});
