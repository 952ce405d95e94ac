//! The KMS wire protocol over the simulated world: what `kms.<region>.amazonaws.com`
//! answers, so that real AWS clients (boto3, the AWS CLI, the AWS SDKs, the AWS
//! Encryption SDK) can use the playground as their endpoint.
//!
//! KMS speaks AWS JSON 1.1 (botocore's model: `"protocol": "json"`, `"jsonVersion": "1.1"`,
//! `"targetPrefix": "TrentService"`): `POST /` with `Content-Type:
//! application/x-amz-json-1.1`, `X-Amz-Target: TrentService.<Operation>` and the request
//! as a JSON object, blobs in base64, timestamps in epoch seconds. The answer is `200`
//! and the response object, or `400` and `{"__type": "<Name>", "message": "<AWS's
//! message>"}` (botocore turns `__type` into its modelled exception), with an
//! `x-amzn-RequestId` header, the CloudTrail event's `requestID`.
//!
//! Before KMS sees a request, the AWS front end (Coral) checks it, in this order, with
//! these errors (as AWS's own emulators of Coral, such as dynalite, answer): a method other
//! than POST or another content type, `404 <UnknownOperationException/>`; a missing or
//! unknown target, `UnknownOperationException`; no `Authorization`,
//! `MissingAuthenticationTokenException`; an access key no principal has,
//! `UnrecognizedClientException`; a signature that does not verify (when asked to check),
//! `InvalidSignatureException`; a body that is not JSON, `SerializationException`.
//!
//! The playground's explanation of a refusal (the part AWS cannot tell) never goes in the
//! body: it is in the `x-kmsplay-explanation` header, the log line, the trace and the
//! CloudTrail log (`GET /_kmsplay/cloudtrail`, `GET /_kmsplay/trace`).
//!
//! This module is the whole protocol, free of any HTTP library: request parts in,
//! status, headers and body out. `kmsplay serve` is a thin HTTP shell around it.

use crate::authz::Caller;
use crate::kms::cloudtrail::CloudTrailEvent;
use crate::kms::validate::{redact_sensitive, restore_redacted};
use crate::kms::{KmsError, Operation};
use crate::scenario::{run_steps, Scenario, ScenarioError, Session, StepResult};
use crate::wire::{with_secret_view, SecretView};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The JSON 1.1 target prefix of KMS.
pub const TARGET_PREFIX: &str = "TrentService.";
/// The content type of AWS JSON 1.1.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The largest request body read (KMS requests are small: a 4 KiB plaintext, a 32 KiB
/// policy; AWS's front end refuses far larger bodies too).
pub const MAX_BODY: usize = 1 << 20;
/// The header with the playground's explanation of a refusal.
pub const EXPLANATION_HEADER: &str = "x-kmsplay-explanation";

/// An HTTP request, as the shell read it.
#[derive(Debug, Clone, Copy)]
pub struct WireRequest<'a> {
    /// `POST`, `GET`, ...
    pub method: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The query string (after `?`), for signature checks.
    pub query: &'a str,
    /// Header names and values, as received.
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
}

impl WireRequest<'_> {
    /// The first header called `name` (ignoring case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP response, and what the shell should do besides sending it.
#[derive(Debug, Clone, PartialEq)]
pub struct WireResponse {
    /// The status code.
    pub status: u16,
    /// Headers (the shell adds `Content-Length`).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// One line for the server's log: operation, principal, outcome, and for a refusal the
    /// reason.
    pub log: Option<String>,
    /// What to append to the journal (`--data`) before answering: the request with its
    /// secrets replaced by their lengths. `None` when the world did not change.
    pub journal: Option<Value>,
    /// The world was reset: the journal starts over.
    pub reset: bool,
}

impl WireResponse {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        WireResponse {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body,
            log: None,
            journal: None,
            reset: false,
        }
    }

    fn json(status: u16, body: &Value) -> Self {
        Self::new(status, CONTENT_TYPE, body.to_string().into_bytes())
    }

    fn header(mut self, name: &str, value: String) -> Self {
        self.headers.push((name.to_owned(), value));
        self
    }
}

/// The parts of a SigV4 `Authorization` header
/// (`AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/kms/aws4_request,
/// SignedHeaders=host;x-amz-date, Signature=...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigV4<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// The date of the credential scope (`YYYYMMDD`).
    pub date: &'a str,
    /// The Region of the credential scope.
    pub region: &'a str,
    /// The service of the credential scope (`kms`).
    pub service: &'a str,
    /// The signed headers, lower case.
    pub signed_headers: Vec<&'a str>,
    /// The signature (hex).
    pub signature: &'a str,
}

/// Reads a SigV4 `Authorization` header, or says what is missing in AWS's words
/// (`IncompleteSignatureException`).
pub fn parse_sigv4(header: &str) -> Result<SigV4<'_>, String> {
    let rest = header.strip_prefix("AWS4-HMAC-SHA256").ok_or_else(|| {
        format!("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={header}")
    })?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let mut missing = Vec::new();
    if credential.is_none() {
        missing.push("Authorization header requires 'Credential' parameter.");
    }
    if signed.is_none() {
        missing.push("Authorization header requires 'SignedHeaders' parameter.");
    }
    if signature.is_none() {
        missing.push("Authorization header requires 'Signature' parameter.");
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(format!("{} Authorization={header}", missing.join(" ")));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope[..] else {
        return Err(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            scope.get(2).copied().unwrap_or("")
        ));
    };
    Ok(SigV4 {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// Checks a request's SigV4 signature with the secret access key of its access key id
/// (supplied by the shell, which has the signing library).
pub type SignatureCheck<'a> = &'a dyn Fn(&WireRequest<'_>, &SigV4<'_>, &str) -> bool;

/// Who a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    /// The scenario's name for it, or its ARN.
    name: String,
    arn: String,
    secret: Option<String>,
}

/// How the endpoint treats requests besides the scenario.
#[derive(Debug, Clone, Default)]
pub struct EndpointOptions {
    /// Requests signed with an access key no principal has act as this principal (a name
    /// in the scenario's principals, or an IAM ARN) instead of being refused.
    pub default_principal: Option<String>,
    /// Steps of the trace kept (and CloudTrail events per Region): a bound on memory.
    pub history: Option<usize>,
}

/// The simulated world, answering the KMS wire protocol.
pub struct Endpoint {
    scenario: Scenario,
    options: EndpointOptions,
    session: Session,
    identities: BTreeMap<String, Identity>,
    default_identity: Option<Identity>,
    /// The requests since the scenario, as scenario steps (`--record`).
    recorded: Vec<Value>,
    /// When the last recorded step happened (ms), to record the time between.
    recorded_at: u64,
    /// Ids of answers KMS never saw (refused at the front end).
    front_end_requests: u64,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("scenario", &self.scenario.name)
            .field("identities", &self.identities.len())
            .finish_non_exhaustive()
    }
}

fn identity_of(scenario: &Scenario, who: &str) -> Result<Identity, String> {
    match scenario.principals.get(who) {
        Some(p) => Ok(Identity {
            name: who.to_owned(),
            arn: p.arn.clone(),
            secret: p.secret_access_key.clone(),
        }),
        None if who.starts_with("arn:aws:iam::") || who.starts_with("arn:aws:sts::") => Ok(Identity {
            name: who.to_owned(),
            arn: who.to_owned(),
            secret: None,
        }),
        None => Err(format!(
            "--default-principal {who}: no principal of that name in the scenario (it has {}); name one, or give an IAM ARN",
            scenario.principals.keys().cloned().collect::<Vec<_>>().join(", ")
        )),
    }
}

impl Endpoint {
    /// The world of `scenario`, its steps run (they must all succeed or fail as they
    /// expect), its clock at `now_ms`.
    pub fn new(
        scenario: Scenario,
        options: EndpointOptions,
        now_ms: u64,
    ) -> Result<Endpoint, String> {
        let default_identity = options
            .default_principal
            .as_deref()
            .map(|who| identity_of(&scenario, who))
            .transpose()?;
        // A principal is known by its accessKeyId, or, when it declares none, by its name
        // (`PrincipalDef::credentials`); a declared key wins over a name it happens to equal.
        let mut identities = BTreeMap::new();
        let (declared, by_name): (Vec<_>, Vec<_>) = scenario
            .principals
            .iter()
            .partition(|(_, p)| p.access_key_id.is_some());
        for (name, p) in declared.into_iter().chain(by_name) {
            let (id, secret) = p.credentials(name);
            let secret = p
                .secret_access_key
                .is_some()
                .then_some(secret)
                .or_else(|| p.access_key_id.is_none().then_some(secret));
            identities.entry(id.to_owned()).or_insert_with(|| Identity {
                name: name.clone(),
                arn: p.arn.clone(),
                secret: secret.map(str::to_owned),
            });
        }
        let session = Self::fresh(&scenario, &options, now_ms)?;
        Ok(Endpoint {
            scenario,
            options,
            session,
            identities,
            default_identity,
            recorded: Vec::new(),
            recorded_at: now_ms,
            front_end_requests: 0,
        })
    }

    fn fresh(
        scenario: &Scenario,
        options: &EndpointOptions,
        now_ms: u64,
    ) -> Result<Session, String> {
        let mut session = Session::new(scenario, None);
        session.world.env.clock = crate::env::Clock::at(now_ms);
        run_steps(&mut session, scenario)
            .map_err(|s| format!("the scenario's step {} failed: {}", s.step, s.message))?;
        if let Some(keep) = options.history {
            session.world.limit_history(keep, keep);
        }
        Ok(session)
    }

    /// The world.
    pub fn world(&self) -> &crate::World {
        &self.session.world
    }

    /// The principals requests may sign as: (access key id, name, ARN).
    pub fn identities(&self) -> Vec<(String, String, String)> {
        self.identities
            .iter()
            .map(|(k, i)| (k.clone(), i.name.clone(), i.arn.clone()))
            .collect()
    }

    /// Answers one HTTP request at wall-clock time `now_ms`.
    pub fn handle(
        &mut self,
        req: &WireRequest<'_>,
        now_ms: u64,
        check: Option<SignatureCheck<'_>>,
    ) -> WireResponse {
        match (req.method, req.path) {
            ("GET", "/_kmsplay/cloudtrail") => return self.cloudtrail(),
            ("GET", "/_kmsplay/trace") => {
                let body = serde_json::to_vec(&self.session.world.trace).unwrap_or_default();
                return WireResponse::new(200, "application/json", body);
            }
            ("GET", "/_kmsplay/record") => {
                let body = serde_json::to_vec_pretty(&self.recorded_scenario()).unwrap_or_default();
                return WireResponse::new(200, "application/json", body);
            }
            ("POST", "/_kmsplay/reset") | ("POST", "/moto-api/reset") => return self.reset(now_ms),
            _ => {}
        }
        let content_type = req.header("content-type").unwrap_or("");
        let json_type = content_type.starts_with(CONTENT_TYPE)
            || content_type.starts_with("application/x-amz-json-1.0");
        if req.method != "POST" || !json_type {
            return self.front_end(WireResponse::new(
                404,
                "application/xml",
                b"<UnknownOperationException/>".to_vec(),
            ));
        }
        let op = req
            .header("x-amz-target")
            .and_then(|t| t.strip_prefix(TARGET_PREFIX))
            .and_then(Operation::from_name);
        let Some(op) = op else {
            return self.coral(400, "UnknownOperationException", None);
        };
        let Some(authorization) = req.header("authorization") else {
            return self.coral(
                400,
                "MissingAuthenticationTokenException",
                Some("Request is missing Authentication Token"),
            );
        };
        let sig = match parse_sigv4(authorization) {
            Ok(s) => s,
            Err(m) => return self.coral(400, "IncompleteSignatureException", Some(&m)),
        };
        let identity = match self.identities.get(sig.access_key_id) {
            Some(i) => i.clone(),
            None => match &self.default_identity {
                Some(i) => i.clone(),
                None => {
                    let mut r = self.coral(
                        400,
                        "UnrecognizedClientException",
                        Some("The security token included in the request is invalid."),
                    );
                    r.log = Some(format!("{op} refused: access key {} belongs to no principal of the scenario (sign with a principal's accessKeyId, or its name if it declares none, or start with --default-principal)", sig.access_key_id));
                    return r;
                }
            },
        };
        if let Some(check) = check {
            let secret = identity.secret.as_deref().unwrap_or("");
            if identity.secret.is_none() || !check(req, &sig, secret) {
                let mut r = self.coral(400, "InvalidSignatureException", Some("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."));
                r.log = Some(format!("{op} {} refused: the SigV4 signature does not verify with its secret access key", identity.name));
                return r;
            }
        }
        if req.body.len() > MAX_BODY {
            return self.coral(413, "SerializationException", None);
        }
        let request: Value = if req.body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            match serde_json::from_slice(req.body) {
                Ok(v @ Value::Object(_)) => v,
                _ => return self.coral(400, "SerializationException", None),
            }
        };
        let region = if sig.region.is_empty() {
            self.session.world.kms.region().to_owned()
        } else {
            sig.region.to_owned()
        };
        self.kms(op, &identity, &region, &request, now_ms)
    }

    /// Performs a KMS call for `identity` and answers it.
    fn kms(
        &mut self,
        op: Operation,
        identity: &Identity,
        region: &str,
        request: &Value,
        now_ms: u64,
    ) -> WireResponse {
        self.advance_to(now_ms);
        let journal = json!({
            "t": now_ms,
            "region": region,
            "principal": identity.name,
            "operation": op.name(),
            "request": redact_sensitive(op.name(), request),
        });
        let caller = Caller::iam(identity.arn.clone());
        let (result, record) = self.session.world.kms_wire(region, &caller, op, request);
        let request_id = record.event.request_id.to_string();
        let home = self.session.world.kms.region().to_owned();
        self.record_step(
            op,
            identity,
            region,
            &home,
            request,
            result.as_ref().err(),
            now_ms,
        );
        let mut response = match &result {
            Ok(r) => {
                let body = with_secret_view(SecretView::Reveal, || serde_json::to_vec(r))
                    .unwrap_or_default();
                let mut w = WireResponse::new(200, CONTENT_TYPE, body);
                w.log = Some(format!("{op} {} {region}: OK", identity.name));
                w
            }
            Err(e) => error_response(e, op, &identity.name, region),
        };
        response
            .headers
            .push(("x-amzn-RequestId".to_owned(), request_id));
        response.journal = Some(journal);
        response
    }

    /// Lets wall-clock time pass in the world (time-driven KMS state acts on the next
    /// call: deletions, rotations, expiring key material).
    fn advance_to(&mut self, now_ms: u64) {
        let clock = &mut self.session.world.env.clock;
        if now_ms > clock.now_ms() {
            clock.advance_ms(now_ms - clock.now_ms());
        }
    }

    /// Replays one journal entry (`--data`), as when it was first answered.
    pub fn replay(&mut self, entry: &Value) -> Result<(), String> {
        let field = |name: &str| {
            entry
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("journal entry without {name}: {entry}"))
        };
        let op = Operation::from_name(field("operation")?)
            .ok_or_else(|| format!("journal entry with an unknown operation: {entry}"))?;
        let who = field("principal")?;
        let identity = identity_of(&self.scenario, who)?;
        let region = field("region")?.to_owned();
        let t = entry.get("t").and_then(Value::as_u64).unwrap_or(0);
        let request = restore_redacted(op.name(), entry.get("request").unwrap_or(&Value::Null));
        self.kms(op, &identity, &region, &request, t);
        Ok(())
    }

    fn reset(&mut self, now_ms: u64) -> WireResponse {
        match Self::fresh(&self.scenario, &self.options, now_ms) {
            Ok(session) => {
                self.session = session;
                self.recorded.clear();
                self.recorded_at = now_ms;
                let mut r = WireResponse::json(200, &json!({"status": "ok"}));
                r.reset = true;
                r.log = Some("reset: the world is the scenario's again".to_owned());
                r
            }
            Err(m) => WireResponse::json(500, &json!({"__type": "InternalFailure", "message": m})),
        }
    }

    fn cloudtrail(&self) -> WireResponse {
        let records = self.cloudtrail_events();
        let body = serde_json::to_vec(&json!({ "Records": records })).unwrap_or_default();
        WireResponse::new(200, "application/json", body)
    }

    /// An answer of the front end, before KMS: no CloudTrail event, an id of its own.
    fn front_end(&mut self, response: WireResponse) -> WireResponse {
        self.front_end_requests += 1;
        let n = self.front_end_requests;
        response.header(
            "x-amzn-RequestId",
            format!("00000000-0000-4000-8000-{n:012x}"),
        )
    }

    fn coral(&mut self, status: u16, name: &str, message: Option<&str>) -> WireResponse {
        let mut body = json!({ "__type": format!("com.amazon.coral.service#{name}") });
        if let Some(m) = message {
            body["message"] = json!(m);
        }
        self.front_end(WireResponse::json(status, &body))
    }

    /// Remembers a request as a scenario step, with the time that passed before it.
    #[allow(clippy::too_many_arguments)]
    fn record_step(
        &mut self,
        op: Operation,
        identity: &Identity,
        region: &str,
        home: &str,
        request: &Value,
        error: Option<&KmsError>,
        now_ms: u64,
    ) {
        let seconds = now_ms.saturating_sub(self.recorded_at) / 1000;
        if seconds > 0 {
            self.recorded
                .push(json!({"call": "clock:Advance", "request": {"Seconds": seconds}}));
            self.recorded_at += seconds * 1000;
        }
        let mut step = json!({
            "call": format!("kms:{op}"),
            "as": identity.name,
            "request": crate::kms::validate::known_members(op.name(), request),
            "expect": match error {
                None => json!("ok"),
                Some(e) => json!({"error": e.code.name()}),
            },
        });
        if region != home {
            step["region"] = json!(region);
        }
        self.recorded.push(step);
    }

    /// Runs one scenario step (`{id?, call, as?, request, expect?}`) in the endpoint's
    /// world, as the JavaScript API's `Playground.call` does, and records it as given
    /// (its `${id.Field}` references included), so a recording holds scripted steps and
    /// wire requests in the order they happened.
    pub fn call_step(&mut self, step: &Value) -> Result<StepResult, ScenarioError> {
        let result = self.session.call_json(step)?;
        self.recorded.push(step.clone());
        Ok(result)
    }

    /// The CloudTrail events of every Region, oldest first (`GET /_kmsplay/cloudtrail`).
    pub fn cloudtrail_events(&self) -> Vec<&Arc<CloudTrailEvent>> {
        let mut records: Vec<&Arc<CloudTrailEvent>> = self
            .session
            .world
            .all_kms()
            .flat_map(|k| k.trail())
            .collect();
        records.sort_by(|a, b| a.event_time.cmp(&b.event_time));
        records
    }

    /// The scenario and every request since, as one scenario: `kmsplay run` replays it
    /// to the same outcomes, and the page opens it.
    pub fn recorded_scenario(&self) -> Value {
        let mut source = self.scenario.source.clone();
        let mut steps = source
            .get("steps")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        steps.extend(self.recorded.iter().cloned());
        source["steps"] = Value::Array(steps);
        source
    }
}

/// A KMS error on the wire: AWS's body, the playground's explanation in a header.
fn error_response(e: &KmsError, op: Operation, who: &str, region: &str) -> WireResponse {
    let body = serde_json::to_vec(e).unwrap_or_default();
    let mut w = WireResponse::new(400, CONTENT_TYPE, body);
    let why = e.help.clone().unwrap_or_else(|| e.aws_message().to_owned());
    w.log = Some(format!(
        "{op} {who} {region}: {}: {}",
        e.code,
        first_sentence(&why)
    ));
    if let Some(help) = &e.help {
        w.headers
            .push((EXPLANATION_HEADER.to_owned(), header_safe(help)));
    }
    w
}

/// The first sentence of `text`, for a one-line log.
fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

/// `text` as a header value: printable ASCII, no line breaks.
fn header_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(4000)
        .collect()
}

#[cfg(test)]
mod tests;
