//! Proves the engine runs in a real browser: AES-256-GCM from `kmsplay-core`, compiled
//! to wasm and run in headless Chromium by `cargo xtask test`. On native targets the
//! same tests run as ordinary `#[test]`s.

use kmsplay_core::crypto::{open, seal};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const KEY: [u8; 32] = [0x42; 32];
const NONCE: [u8; 12] = [0x07; 12];
const AAD: &[u8] = b"{\"purpose\":\"browser-test\"}";
const MESSAGE: &[u8] = b"envelope encryption, in the browser";

#[wasm_bindgen_test(unsupported = test)]
fn core_seals_and_opens_in_the_browser() {
    let sealed = seal(&KEY, &NONCE, AAD, MESSAGE);
    assert_eq!(
        sealed.len(),
        MESSAGE.len() + 16,
        "ciphertext plus a 16-byte tag"
    );
    assert_ne!(
        &sealed[..MESSAGE.len()],
        MESSAGE,
        "ciphertext differs from plaintext"
    );
    let opened = open(&KEY, &NONCE, AAD, &sealed).expect("the sealed message opens");
    assert_eq!(opened.as_slice(), MESSAGE);
}

#[wasm_bindgen_test(unsupported = test)]
fn core_rejects_tampering_in_the_browser() {
    let sealed = seal(&KEY, &NONCE, AAD, MESSAGE);
    for i in [0, sealed.len() / 2, sealed.len() - 1] {
        let mut tampered = sealed.clone();
        tampered[i] ^= 0x01;
        assert!(
            open(&KEY, &NONCE, AAD, &tampered).is_err(),
            "flipped byte {i}"
        );
    }
    assert!(open(&KEY, &NONCE, b"{}", &sealed).is_err(), "other AAD");
    let mut other_key = KEY;
    other_key[0] ^= 0x80;
    assert!(open(&other_key, &NONCE, AAD, &sealed).is_err(), "other key");
    assert!(
        open(&KEY, &NONCE, AAD, &sealed[..15]).is_err(),
        "shorter than a tag"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn facade_reports_the_engine_version() {
    assert_eq!(kmsplay_js::version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test(unsupported = test)]
fn every_builtin_runs_through_the_js_facade() {
    for b in kmsplay_core::scenario::builtins() {
        let out = kmsplay_js::run_value(&serde_json::Value::String(b.name.to_owned()), None)
            .expect("runs");
        let steps = out["steps"].as_array().expect("steps");
        assert!(!steps.is_empty(), "{}", b.name);
        assert!(
            steps.iter().all(|s| s["expectation"] != "failed"),
            "{}",
            b.name
        );
        assert!(out["stopped"].is_null(), "{}", b.name);
    }
}
