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
//! The same world answers the AWS SDK for JavaScript v3 through the KMS wire layer of
//! `kmsplay serve` (`kmsplay_core::protocol`): the access key picks the principal (its
//! `accessKeyId`, or its name if it declares none), errors come back as AWS's, and so as
//! the SDK's own exception classes.
//!
//! ```js
//! const kms = new KMSClient({ region: "us-east-1", requestHandler: p.requestHandler(),
//!   credentials: { accessKeyId: "admin", secretAccessKey: "admin" } });
//! await kms.send(new CreateKeyCommand({}));
//! p.recordedScenario();   // everything since, as a scenario the page opens
//! ```
//!
//! Values cross the boundary as plain JSON-compatible objects (`null`, never `undefined`);
//! errors are JavaScript `Error`s whose `name` is the error's kind (`ScenarioError`) and
//! whose message is the one the CLI prints.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use kmsplay_core::permalink::{self, ScenarioRef, ViewState};
use kmsplay_core::protocol::{Endpoint, EndpointOptions, WireRequest, WireResponse};
use kmsplay_core::scenario::{builtin, builtins, run, Scenario, ScenarioError};
use serde::Serialize;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/http_handler.js")]
extern "C" {
    /// The smithy `HttpHandler` object over an `answer(method, path, headers, body)`.
    #[wasm_bindgen(js_name = httpHandler)]
    fn http_handler(answer: &js_sys::Function) -> JsValue;
}

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
/// Its world is a wire [`Endpoint`], so scripted steps and SDK requests share it.
#[wasm_bindgen]
pub struct Playground {
    seed: Option<u64>,
    /// Shared with the request handlers the page hands to SDK clients.
    world: Rc<RefCell<Endpoint>>,
}

/// The world is busy: a request handler was called from inside a call (never in
/// practice: nothing the engine does calls back into JavaScript).
fn busy() -> ApiError {
    ApiError {
        name: "Error",
        message: "the playground is answering another call; await it first".to_owned(),
    }
}

/// One wire request, answered by the endpoint at its own virtual time (the world's
/// clock moves only when a scenario step or a time-driven call moves it, so the same
/// seed and the same calls give the same bytes).
fn answer(
    world: &RefCell<Endpoint>,
    method: &str,
    path_and_query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<WireResponse, ApiError> {
    let mut endpoint = world.try_borrow_mut().map_err(|_| busy())?;
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let request = WireRequest {
        method,
        path,
        query,
        headers,
        body,
    };
    let now = endpoint.world().env.clock.now_ms();
    Ok(endpoint.handle(&request, now, None))
}

/// Header names and values from a JavaScript object of strings.
fn headers_from(headers: JsValue) -> Result<Vec<(String, String)>, ApiError> {
    if headers.is_undefined() || headers.is_null() {
        return Ok(Vec::new());
    }
    let map: BTreeMap<String, String> =
        serde_wasm_bindgen::from_value(headers).map_err(|e| ApiError {
            name: "TypeError",
            message: format!("headers must be an object of header names to strings: {e}"),
        })?;
    Ok(map.into_iter().collect())
}

/// `{statusCode, headers, body: Uint8Array}`, header names in lower case (as `fetch`
/// gives them, and as the SDK reads `x-amzn-requestid`).
fn response_to_js(r: &WireResponse) -> Result<JsValue, JsValue> {
    let headers = js_sys::Object::new();
    for (name, value) in &r.headers {
        js_sys::Reflect::set(
            &headers,
            &JsValue::from_str(&name.to_ascii_lowercase()),
            &JsValue::from_str(value),
        )?;
    }
    let out = js_sys::Object::new();
    js_sys::Reflect::set(&out, &"statusCode".into(), &JsValue::from(r.status))?;
    js_sys::Reflect::set(&out, &"headers".into(), &headers)?;
    js_sys::Reflect::set(
        &out,
        &"body".into(),
        &js_sys::Uint8Array::from(r.body.as_slice()).into(),
    )?;
    Ok(out.into())
}

fn answer_js(
    world: &RefCell<Endpoint>,
    method: &str,
    path: &str,
    headers: JsValue,
    body: &[u8],
) -> Result<JsValue, JsValue> {
    let headers = headers_from(headers).map_err(|e| js_error(&e))?;
    let response = answer(world, method, path, &headers, body).map_err(|e| js_error(&e))?;
    response_to_js(&response)
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
        let endpoint = Endpoint::new(
            scenario,
            EndpointOptions::default(),
            kmsplay_core::env::DEFAULT_EPOCH_MS,
        )
        .map_err(|message| ApiError {
            name: "ScenarioError",
            message,
        })?;
        Ok(Playground {
            seed,
            world: Rc::new(RefCell::new(endpoint)),
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
        let mut world = self.world.try_borrow_mut().map_err(|_| js_error(&busy()))?;
        let result = world.call_step(&value).map_err(|e| js_error(&e.into()))?;
        to_js(&result)
    }

    /// The CloudTrail events of this playground's world so far, of every Region, oldest
    /// first.
    pub fn cloudtrail(&self) -> Result<JsValue, JsValue> {
        let world = self.world.try_borrow().map_err(|_| js_error(&busy()))?;
        to_js(&world.cloudtrail_events())
    }

    /// The trace of this playground's world so far (steps with key-material events).
    pub fn trace(&self) -> Result<JsValue, JsValue> {
        let world = self.world.try_borrow().map_err(|_| js_error(&busy()))?;
        to_js(&world.world().trace)
    }

    /// Answers one KMS wire request as `kmsplay serve` does (AWS JSON 1.1, SigV4
    /// `Authorization` whose access key picks the principal; the signature is not
    /// checked): `handle("POST", "/", {"X-Amz-Target": "TrentService.CreateKey", ...},
    /// body)` → `{statusCode, headers, body: Uint8Array}`.
    pub fn handle(
        &self,
        method: &str,
        path: &str,
        headers: JsValue,
        body: &[u8],
    ) -> Result<JsValue, JsValue> {
        answer_js(&self.world, method, path, headers, body)
    }

    /// A request handler for `@aws-sdk/client-kms` v3 (`new KMSClient({region,
    /// credentials, requestHandler: playground.requestHandler()})`): every command is
    /// answered by this playground's world, in the page.
    #[wasm_bindgen(js_name = requestHandler)]
    pub fn request_handler(&self) -> JsValue {
        let world = Rc::clone(&self.world);
        let answer = Closure::<
            dyn FnMut(String, String, JsValue, Vec<u8>) -> Result<JsValue, JsValue>,
        >::new(
            move |method: String, path: String, headers: JsValue, body: Vec<u8>| {
                answer_js(&world, &method, &path, headers, &body)
            },
        );
        // Owned by the JavaScript function from here on: freed with the handler.
        let answer: js_sys::Function = answer.into_js_value().unchecked_into();
        http_handler(&answer)
    }

    /// Everything this world did since it was made (scripted steps and SDK requests), as
    /// a scenario file: `kmsplay run` replays it, and the page opens it (see
    /// [`permalink`]).
    #[wasm_bindgen(js_name = recordedScenario)]
    pub fn recorded_scenario(&self) -> Result<JsValue, JsValue> {
        let world = self.world.try_borrow().map_err(|_| js_error(&busy()))?;
        to_js(&world.recorded_scenario())
    }

    /// The principals SDK clients may sign as: `[{accessKeyId, name, arn}]`.
    pub fn identities(&self) -> Result<JsValue, JsValue> {
        let world = self.world.try_borrow().map_err(|_| js_error(&busy()))?;
        let list: Vec<Value> = world
            .identities()
            .into_iter()
            .map(|(key, name, arn)| json!({"accessKeyId": key, "name": name, "arn": arn}))
            .collect();
        to_js(&list)
    }
}

/// The permalink fragment (`v1:...`, without `#`) of a view of `scenario` (a built-in
/// name, JSON text or an object) at trace step `step` (0-based): append it to
/// `embed.html#` or `index.html#` to draw the scenario.
pub fn permalink_of(scenario: &Value, step: usize) -> Result<String, ApiError> {
    scenario_from(scenario)?;
    let scenario = match scenario {
        Value::String(name) if builtin(name).is_some() => ScenarioRef::Builtin(name.clone()),
        Value::String(text) => {
            ScenarioRef::Custom(serde_json::from_str(text).map_err(|e| ApiError {
                name: "ScenarioError",
                message: e.to_string(),
            })?)
        }
        other => ScenarioRef::Custom(other.clone()),
    };
    Ok(permalink::encode(&ViewState {
        scenario,
        seed: None,
        step,
        experiment: None,
        panel: None,
    }))
}

/// `permalink(scenario, step?)`: the `v1:...` fragment that opens `scenario` in the page
/// (`embed.html#v1:...`), at trace step `step` (0-based, default 0).
#[wasm_bindgen]
pub fn permalink(scenario: JsValue, step: Option<f64>) -> Result<String, JsValue> {
    let value = from_js(scenario)?;
    let step = match step {
        None => 0,
        Some(s) if s.is_finite() && s >= 0.0 && s.fract() == 0.0 && s <= 1e9 => s as usize,
        Some(s) => {
            return Err(js_error(&ApiError {
                name: "RangeError",
                message: format!("step must be a whole number from 0, not {s}"),
            }))
        }
    };
    permalink_of(&value, step).map_err(|e| js_error(&e))
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
        let p = Playground::build(Some(7), &json!({"principals": {"admin": {"arn": "arn:aws:iam::111122223333:role/Admin", "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}}})).unwrap();
        let mut world = p.world.borrow_mut();
        let key = world
            .call_step(&json!({"id": "key", "call": "kms:CreateKey", "as": "admin", "request": {}}))
            .unwrap();
        assert!(key.error.is_none());
        let enc = world.call_step(&json!({"id": "enc", "call": "kms:Encrypt", "as": "admin", "request": {"KeyId": "${key.KeyMetadata.Arn}", "Plaintext": "aGk="}})).unwrap();
        assert!(enc.error.is_none(), "{:?}", enc.error);
        let dec = world.call_step(&json!({"call": "kms:Decrypt", "as": "admin", "request": {"CiphertextBlob": "${enc.CiphertextBlob}"}, "expect": {"ok": {"Plaintext": "aGk="}}})).unwrap();
        assert_eq!(
            dec.expectation,
            Some(kmsplay_core::scenario::Expectation::Met)
        );
        let bad = world
            .call_step(&json!({"call": "kms:Decrypt", "request": {"CiphertextBlob": "${ghost.X}"}}))
            .unwrap_err();
        assert!(bad.message.contains("ghost"));
        assert_eq!(seed_from(Some(-1.0)).unwrap_err().name, "RangeError");
        assert_eq!(seed_from(Some(1.5)).unwrap_err().name, "RangeError");
        assert!(Playground::build(None, &json!({"bogus": 1})).is_err());
    }

    const PRINCIPALS: &str = r#"{"principals": {
        "admin": {"arn": "arn:aws:iam::111122223333:role/Admin", "accessKeyId": "AKIAADMIN0000001", "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
        "bob": {"arn": "arn:aws:iam::111122223333:role/Bob"}}}"#;

    /// A request as the SDK sends it (signed; the page does not check signatures).
    fn wire(p: &Playground, access_key: &str, op: &str, body: Value) -> (u16, Value) {
        let headers = vec![
            ("Content-Type".to_owned(), "application/x-amz-json-1.1".to_owned()),
            ("X-Amz-Target".to_owned(), format!("TrentService.{op}")),
            ("Authorization".to_owned(), format!("AWS4-HMAC-SHA256 Credential={access_key}/20260101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")),
        ];
        let r = answer(&p.world, "POST", "/", &headers, body.to_string().as_bytes()).unwrap();
        (r.status, serde_json::from_slice(&r.body).unwrap())
    }

    #[test]
    fn sdk_requests_and_scripted_steps_share_one_recorded_world() {
        let p = Playground::build(Some(7), &serde_json::from_str(PRINCIPALS).unwrap()).unwrap();
        let (status, key) = wire(&p, "AKIAADMIN0000001", "CreateKey", json!({}));
        assert_eq!(status, 200, "{key}");
        let arn = key["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
        // Bob declares no access key: his name is his access key; he has no policy.
        let (status, refused) = wire(
            &p,
            "bob",
            "Encrypt",
            json!({"KeyId": arn, "Plaintext": "aGk="}),
        );
        assert_eq!(status, 400);
        assert_eq!(refused["__type"], "AccessDeniedException");
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("is not authorized to perform: kms:Encrypt"),
            "{refused}"
        );
        let (_, unknown) = wire(&p, "AKIANOBODY", "ListKeys", json!({}));
        assert_eq!(
            unknown["__type"],
            "com.amazon.coral.service#UnrecognizedClientException"
        );
        let step = p
            .world
            .borrow_mut()
            .call_step(
                &json!({"call": "kms:DescribeKey", "as": "admin", "request": {"KeyId": arn}}),
            )
            .unwrap();
        assert!(step.error.is_none(), "{:?}", step.error);

        let recorded = p.world.borrow().recorded_scenario();
        let calls: Vec<&str> = recorded["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["call"].as_str().unwrap())
            .collect();
        assert_eq!(calls, ["kms:CreateKey", "kms:Encrypt", "kms:DescribeKey"]);
        let replayed = run_value(&recorded, None).unwrap();
        assert!(
            replayed["steps"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["expectation"] != "failed"),
            "{replayed}"
        );
        let events: Vec<String> = p
            .world
            .borrow()
            .cloudtrail_events()
            .iter()
            .map(|e| e.event_name.to_string())
            .collect();
        assert_eq!(events, ["CreateKey", "Encrypt", "DescribeKey"]);

        let link = permalink_of(&recorded, 2).unwrap();
        let view = permalink::decode(&link).unwrap();
        assert_eq!(
            (view.step, view.scenario),
            (2, ScenarioRef::Custom(recorded))
        );
        assert_eq!(
            permalink::decode(&permalink_of(&json!("workmail-basics"), 0).unwrap())
                .unwrap()
                .scenario,
            ScenarioRef::Builtin("workmail-basics".into())
        );
        assert!(permalink_of(&json!("nope"), 0).is_err());
    }
}
