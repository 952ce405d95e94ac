//! The JavaScript API of the KMS Playground: a thin `#[wasm_bindgen]` facade over
//! `kmsplay-core` for pages that script the simulation.
//!
//! ```js
//! import init, { Playground } from "./pkg/kmsplay_js.js";
//! await init();
//! const names = Playground.scenarios().map(s => s.name);
//! const run = new Playground().run("workmail-basics");   // same JSON as `kmsplay run --json`
//! const p = new Playground(7, { principals: { admin: { arn: "arn:aws:iam::111122223333:role/Admin",
//!   policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] }] } } });
//! const key = p.call({ id: "key", call: "kms:CreateKey", as: "admin", request: {} });
//! const enc = p.call({ call: "kms:Encrypt", as: "admin", request: { KeyId: "${key.KeyMetadata.Arn}", Plaintext: "aGk=" } });
//! ```
//!
//! Values cross the boundary as plain JSON-compatible objects (`null`, never `undefined`);
//! errors are JavaScript `Error`s whose `name` is the error's kind (`ScenarioError`) and
//! whose message is the one the CLI prints.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use kmsplay_core::scenario::{builtin, builtins, run, Scenario, ScenarioError, Session};
use serde::Serialize;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

/// The version of the playground engine, as in its `Cargo.toml`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// An error of the API: its kind (the JavaScript `Error.name`) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// e.g. `ScenarioError`, `TypeError`.
    pub name: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl From<ScenarioError> for ApiError {
    fn from(e: ScenarioError) -> Self {
        ApiError {
            name: "ScenarioError",
            message: e.to_string(),
        }
    }
}

/// A scenario given as a built-in name, JSON text, or a JSON value.
pub fn scenario_from(value: &Value) -> Result<Scenario, ApiError> {
    match value {
        Value::String(s) => match builtin(s) {
            Some(b) => Ok(b.scenario()?),
            None if s.trim_start().starts_with('{') => Ok(Scenario::parse(s)?),
            None => Err(ApiError {
                name: "ScenarioError",
                message: format!(
                    "\"{s}\" is neither a built-in scenario ({}) nor scenario JSON",
                    builtins()
                        .iter()
                        .map(|b| b.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        },
        other => Ok(Scenario::from_value(other)?),
    }
}

/// The built-ins: `[{name, title, description}]`.
pub fn scenario_list() -> Value {
    Value::Array(
        builtins()
            .iter()
            .filter_map(|b| {
                b.scenario().ok().map(
                    |s| json!({"name": b.name, "title": s.title, "description": s.description}),
                )
            })
            .collect(),
    )
}

/// Runs a scenario; the same JSON as `kmsplay run --json`.
pub fn run_value(scenario: &Value, seed: Option<u64>) -> Result<Value, ApiError> {
    let s = scenario_from(scenario)?;
    let r = run(&s, seed);
    Ok(
        json!({"scenario": r.scenario, "steps": r.steps, "cloudtrail": r.cloudtrail, "stopped": r.stopped}),
    )
}

fn seed_from(seed: Option<f64>) -> Result<Option<u64>, ApiError> {
    match seed {
        None => Ok(None),
        Some(s)
            if s.is_finite() && s >= 0.0 && s.fract() == 0.0 && s <= 9_007_199_254_740_991.0 =>
        {
            Ok(Some(s as u64))
        }
        Some(s) => Err(ApiError {
            name: "RangeError",
            message: format!("seed must be a whole number from 0 to 2^53-1, not {s}"),
        }),
    }
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            js_error(&ApiError {
                name: "TypeError",
                message: e.to_string(),
            })
        })
}

fn from_js(v: JsValue) -> Result<Value, JsValue> {
    serde_wasm_bindgen::from_value(v).map_err(|e| {
        js_error(&ApiError {
            name: "TypeError",
            message: format!("expected JSON-compatible values: {e}"),
        })
    })
}

fn js_error(e: &ApiError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name(e.name);
    err.into()
}

/// A simulated world that a page can script step by step, or use to run whole scenarios.
#[wasm_bindgen]
pub struct Playground {
    seed: Option<u64>,
    session: Session,
}

#[wasm_bindgen]
impl Playground {
    /// `new Playground(seed?, {region?, account?, principals?})`: a fresh world. The seed,
    /// if given, also overrides the seed of scenarios passed to `run`.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: Option<f64>, options: JsValue) -> Result<Playground, JsValue> {
        let seed = seed_from(seed).map_err(|e| js_error(&e))?;
        let options = if options.is_undefined() || options.is_null() {
            json!({})
        } else {
            from_js(options)?
        };
        Self::build(seed, &options).map_err(|e| js_error(&e))
    }

    fn build(seed: Option<u64>, options: &Value) -> Result<Playground, ApiError> {
        let mut spec = json!({"steps": []});
        if let Some(o) = options.as_object() {
            for k in ["region", "account", "principals"] {
                if let Some(v) = o.get(k) {
                    spec[k] = v.clone();
                }
            }
            if let Some(k) = o
                .keys()
                .find(|k| !["region", "account", "principals"].contains(&k.as_str()))
            {
                return Err(ApiError {
                    name: "ScenarioError",
                    message: format!(
                        "{k}: unknown option; options are region, account, principals"
                    ),
                });
            }
        } else {
            return Err(ApiError {
                name: "TypeError",
                message: "options must be an object {region?, account?, principals?}".to_owned(),
            });
        }
        if let Some(s) = seed {
            spec["seed"] = json!(s);
        }
        let scenario = Scenario::from_value(&spec)?;
        Ok(Playground {
            seed,
            session: Session::new(&scenario, None),
        })
    }

    /// The built-in scenarios: `[{name, title, description}]`.
    pub fn scenarios() -> Result<JsValue, JsValue> {
        to_js(&scenario_list())
    }

    /// One built-in scenario as a scenario file (a plain object).
    pub fn scenario(name: &str) -> Result<JsValue, JsValue> {
        let b = builtin(name).ok_or_else(|| {
            js_error(&ApiError {
                name: "ScenarioError",
                message: format!("no built-in scenario named {name}"),
            })
        })?;
        let v: Value = serde_json::from_str(b.source).map_err(|e| {
            js_error(&ApiError {
                name: "ScenarioError",
                message: e.to_string(),
            })
        })?;
        to_js(&v)
    }

    /// Runs a scenario (a built-in name, JSON text or an object) in a fresh world:
    /// `{scenario, steps: [{id, call, ok | error, decision, expectation}], cloudtrail, stopped}`.
    pub fn run(&self, scenario: JsValue) -> Result<JsValue, JsValue> {
        let value = from_js(scenario)?;
        let out = run_value(&value, self.seed).map_err(|e| js_error(&e))?;
        to_js(&out)
    }

    /// Runs one step (`{id?, call, as?, request, expect?}`) in this playground's world, which
    /// keeps its state between calls; `${id.Field}` refers to earlier calls' responses.
    pub fn call(&mut self, step: JsValue) -> Result<JsValue, JsValue> {
        let value = from_js(step)?;
        let result = self
            .session
            .call_json(&value)
            .map_err(|e| js_error(&e.into()))?;
        to_js(&result)
    }

    /// The CloudTrail events of this playground's world so far.
    pub fn cloudtrail(&self) -> Result<JsValue, JsValue> {
        to_js(&self.session.world.kms.trail())
    }

    /// The trace of this playground's world so far (steps with key-material events).
    pub fn trace(&self) -> Result<JsValue, JsValue> {
        to_js(&self.session.world.trace)
    }
}

/// Benchmark support for `cargo xtask bench` (timed from JavaScript): seals and opens
/// `size` bytes with AES-256-GCM `iterations` times, the engine's primitive, to compare
/// with WebCrypto in the same page. Returns the last ciphertext's length.
#[wasm_bindgen(js_name = benchSealOpen)]
pub fn bench_seal_open(size: usize, iterations: u32) -> usize {
    let key = [7u8; 32];
    let nonce = [9u8; 12];
    let data = vec![1u8; size.min(16 << 20)];
    let mut last = 0;
    for _ in 0..iterations {
        let sealed = kmsplay_core::crypto::seal(&key, &nonce, &[], &data);
        last = kmsplay_core::crypto::open(&key, &nonce, &[], &sealed)
            .map(|p| p.len())
            .unwrap_or(0);
    }
    last
}

/// Benchmark support: a WorkMail organization at scale, in the browser
/// (`kmsplay_core::scale::workmail_at_scale`); timed from JavaScript.
#[wasm_bindgen(js_name = benchScale)]
pub fn bench_scale(mailboxes: usize, per_mailbox: usize) -> Result<JsValue, JsValue> {
    to_js(&kmsplay_core::scale::workmail_at_scale(
        mailboxes.min(10_000),
        per_mailbox.min(1_000),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_builtins_by_name_text_or_value() {
        let by_name = run_value(&json!("workmail-basics"), None).unwrap();
        let text = builtin("workmail-basics").unwrap().source;
        assert_eq!(run_value(&json!(text), None).unwrap(), by_name);
        assert_eq!(
            run_value(&serde_json::from_str(text).unwrap(), None).unwrap(),
            by_name
        );
        assert!(by_name["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["expectation"] != "failed"));
        let e = run_value(&json!("nope"), None).unwrap_err();
        assert_eq!(e.name, "ScenarioError");
        let e = run_value(&json!({"steps": [{"call": "kms:Nope"}]}), None).unwrap_err();
        assert!(e.message.starts_with("steps[0].call"), "{}", e.message);
    }

    #[test]
    fn step_by_step_with_references() {
        let mut p = Playground::build(Some(7), &json!({"principals": {"admin": {"arn": "arn:aws:iam::111122223333:role/Admin", "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}}})).unwrap();
        let key = p
            .session
            .call_json(&json!({"id": "key", "call": "kms:CreateKey", "as": "admin", "request": {}}))
            .unwrap();
        assert!(key.error.is_none());
        let enc = p.session.call_json(&json!({"id": "enc", "call": "kms:Encrypt", "as": "admin", "request": {"KeyId": "${key.KeyMetadata.Arn}", "Plaintext": "aGk="}})).unwrap();
        assert!(enc.error.is_none(), "{:?}", enc.error);
        let dec = p.session.call_json(&json!({"call": "kms:Decrypt", "as": "admin", "request": {"CiphertextBlob": "${enc.CiphertextBlob}"}, "expect": {"ok": {"Plaintext": "aGk="}}})).unwrap();
        assert_eq!(
            dec.expectation,
            Some(kmsplay_core::scenario::Expectation::Met)
        );
        let bad = p
            .session
            .call_json(&json!({"call": "kms:Decrypt", "request": {"CiphertextBlob": "${ghost.X}"}}))
            .unwrap_err();
        assert!(bad.message.contains("ghost"));
        assert_eq!(seed_from(Some(-1.0)).unwrap_err().name, "RangeError");
        assert_eq!(seed_from(Some(1.5)).unwrap_err().name, "RangeError");
        assert!(Playground::build(None, &json!({"bogus": 1})).is_err());
    }
}
