//! `kmsplay serve`: the KMS wire protocol (`kmsplay_core::protocol`) over HTTP/1.1, for
//! real AWS clients. The protocol, the world and its journal format are in core; this is
//! the shell: sockets (tokio and hyper), wall-clock time, SigV4 verification
//! (aws-sigv4), the `--data` journal on disk and the `--record` file.
//!
//! One thread runs the world (it is not shared between threads); connections are tasks
//! on it, so a slow or half-sent request waits for its own bytes without holding anyone
//! else up, and each request is answered in the order its body arrived.

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use kmsplay_core::protocol::{
    Endpoint, EndpointOptions, SigV4, WireRequest, WireResponse, MAX_BODY,
};
use kmsplay_core::scenario::Scenario;
use serde_json::Value;
use std::cell::RefCell;
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Trace steps (and CloudTrail events per Region) a server keeps: enough to inspect a
/// session, bounded for a server that runs for days.
pub const HISTORY: usize = 20_000;
/// How long a client may take to send its headers, and then its body.
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// What `kmsplay serve` was asked for.
pub struct ServeOptions {
    pub scenario: Option<Scenario>,
    pub bind: String,
    pub port: u16,
    pub data: Option<PathBuf>,
    pub record: Option<PathBuf>,
    pub default_principal: Option<String>,
    pub verify_signatures: bool,
    /// Print nothing per request.
    pub quiet: bool,
}

/// The scenario of a server started without one: one principal, `admin`, allowed every
/// KMS action by an IAM policy; requests with any access key act as it.
pub const DEFAULT_SCENARIO: &str = r#"{
  "name": "serve",
  "title": "An empty account",
  "description": "The world kmsplay serve starts with when given no scenario: account 111122223333 in us-east-1, one principal (admin) allowed kms:* by its IAM policy. Requests signed with any access key act as admin.",
  "principals": {
    "admin": {
      "arn": "arn:aws:iam::111122223333:role/Admin",
      "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]
    }
  },
  "steps": []
}"#;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The journal of a `--data` directory: one JSON line per request that reached KMS,
/// written and synced before the client hears the answer.
struct Journal {
    file: std::fs::File,
    path: PathBuf,
}

impl Journal {
    fn append(&mut self, entry: &Value) -> std::io::Result<()> {
        let mut line = entry.to_string();
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()
    }

    fn truncate(&mut self) -> std::io::Result<()> {
        self.file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&self.path)?;
        self.file.sync_data()?;
        self.file = std::fs::OpenOptions::new().append(true).open(&self.path)?;
        Ok(())
    }
}

/// Opens (or creates) a `--data` directory: the scenario it was started with, and the
/// journal replayed into `endpoint`. A last line cut short by a crash was never
/// acknowledged, and is dropped.
fn open_data(dir: &Path, scenario_text: &str) -> Result<(Option<Scenario>, Vec<Value>), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let scenario_path = dir.join("scenario.json");
    let stored = std::fs::read_to_string(&scenario_path).ok();
    let scenario = match &stored {
        Some(text) => {
            Some(Scenario::parse(text).map_err(|e| format!("{}: {e}", scenario_path.display()))?)
        }
        None => {
            std::fs::write(&scenario_path, scenario_text)
                .map_err(|e| format!("{}: {e}", scenario_path.display()))?;
            None
        }
    };
    let mut entries = Vec::new();
    if let Ok(f) = std::fs::File::open(dir.join("journal.jsonl")) {
        for line in std::io::BufReader::new(f).lines() {
            let Ok(line) = line else { break };
            match serde_json::from_str::<Value>(&line) {
                Ok(v) => entries.push(v),
                Err(_) => break,
            }
        }
    }
    Ok((scenario, entries))
}

/// Checks a SigV4 signature with aws-sigv4: the canonical request is rebuilt from the
/// headers the client signed, and the signatures compared.
fn verify(req: &WireRequest<'_>, sig: &SigV4<'_>, secret: &str) -> bool {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let Some(date) = req.header("x-amz-date") else {
        return false;
    };
    let Some(time) = parse_amz_date(date) else {
        return false;
    };
    let token = req.header("x-amz-security-token").map(str::to_owned);
    let credentials =
        aws_credential_types::Credentials::new(sig.access_key_id, secret, token, None, "kmsplay");
    let identity = credentials.into();
    let Ok(params) = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(sig.region)
        .name(sig.service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
    else {
        return false;
    };
    let params = params.into();
    let host = req.header("host").unwrap_or("localhost");
    let uri = if req.query.is_empty() {
        format!("http://{host}{}", req.path)
    } else {
        format!("http://{host}{}?{}", req.path, req.query)
    };
    let signed: Vec<(String, String)> = sig
        .signed_headers
        .iter()
        .filter(|h| **h != "x-amz-date" && **h != "x-amz-security-token")
        .filter_map(|h| req.header(h).map(|v| (h.to_string(), v.trim().to_owned())))
        .collect();
    let Ok(signable) = SignableRequest::new(
        req.method,
        uri,
        signed.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(req.body),
    ) else {
        return false;
    };
    match sign(signable, &params) {
        Ok(output) => {
            let ours = output.signature().as_bytes();
            let theirs = sig.signature.as_bytes();
            ours.len() == theirs.len()
                && ours
                    .iter()
                    .zip(theirs)
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        }
        Err(_) => false,
    }
}

/// `20261201T123456Z` (SigV4's `X-Amz-Date`) as a time.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(text, format)
        .ok()
        .map(|t| SystemTime::from(t.assume_utc()))
}

struct Server {
    endpoint: Endpoint,
    journal: Option<Journal>,
    record: Option<PathBuf>,
    verify_signatures: bool,
    quiet: bool,
}

impl Server {
    fn answer(&mut self, req: &WireRequest<'_>) -> WireResponse {
        let check: Option<kmsplay_core::protocol::SignatureCheck<'_>> = if self.verify_signatures {
            Some(&verify)
        } else {
            None
        };
        let response = self.endpoint.handle(req, now_ms(), check);
        if let Some(journal) = &mut self.journal {
            let written = if response.reset {
                journal.truncate()
            } else if let Some(entry) = &response.journal {
                journal.append(entry)
            } else {
                Ok(())
            };
            if let Err(e) = written {
                eprintln!(
                    "kmsplay serve: cannot write the journal {}: {e}",
                    journal.path.display()
                );
                return fault("the journal could not be written; the request was not kept");
            }
        }
        if let Some(path) = &self.record {
            if response.journal.is_some() || response.reset {
                let text = serde_json::to_string_pretty(&self.endpoint.recorded_scenario())
                    .unwrap_or_default();
                if let Err(e) = std::fs::write(path, text) {
                    eprintln!("kmsplay serve: cannot write {}: {e}", path.display());
                }
            }
        }
        if !self.quiet {
            if let Some(line) = &response.log {
                eprintln!("{line}");
            }
        }
        response
    }
}

/// A fault of ours: HTTP 500, `InternalFailure` as AWS names it.
fn fault(why: &str) -> WireResponse {
    WireResponse {
        status: 500,
        headers: vec![(
            "Content-Type".to_owned(),
            kmsplay_core::protocol::CONTENT_TYPE.to_owned(),
        )],
        body: serde_json::json!({"__type": "InternalFailure", "message": why})
            .to_string()
            .into_bytes(),
        log: None,
        journal: None,
        reset: false,
    }
}

fn to_hyper(r: WireResponse) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(r.status);
    for (name, value) in &r.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(r.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(b"{}"))))
}

async fn handle(
    server: Rc<RefCell<Server>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match tokio::time::timeout(READ_TIMEOUT, Limited::new(body, MAX_BODY).collect())
        .await
    {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(_)) => {
            let r = WireResponse {
                status: 413,
                headers: vec![("Content-Type".to_owned(), kmsplay_core::protocol::CONTENT_TYPE.to_owned())],
                body: br#"{"__type":"com.amazon.coral.service#SerializationException","message":"Request body too large or not read"}"#.to_vec(),
                log: None,
                journal: None,
                reset: false,
            };
            return Ok(to_hyper(r));
        }
        Err(_) => return Ok(to_hyper(fault("the request body did not arrive in time"))),
    };
    let wire = WireRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body: &body,
    };
    let response = server.borrow_mut().answer(&wire);
    Ok(to_hyper(response))
}

/// Runs the server until Ctrl-C.
pub fn serve(options: ServeOptions) -> Result<(), String> {
    let given_text = options
        .scenario
        .as_ref()
        .map(|s| serde_json::to_string_pretty(&s.source).unwrap_or_default());
    let default_principal = match (&options.scenario, &options.default_principal) {
        (_, Some(p)) => Some(p.clone()),
        (None, None) => Some("admin".to_owned()),
        (Some(_), None) => None,
    };
    let scenario_text = given_text
        .clone()
        .unwrap_or_else(|| DEFAULT_SCENARIO.to_owned());
    let (stored, entries, journal) = match &options.data {
        Some(dir) => {
            let (stored, entries) = open_data(dir, &scenario_text)?;
            let path = dir.join("journal.jsonl");
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            (stored, entries, Some(Journal { file, path }))
        }
        None => (None, Vec::new(), None),
    };
    let scenario = match (stored, options.scenario) {
        (Some(stored), Some(given)) if stored.source != given.source => {
            return Err(format!(
                "{} holds a world made from scenario \"{}\"; start without a scenario to continue it, or use another --data directory for \"{}\"",
                options.data.as_deref().map(|d| d.display().to_string()).unwrap_or_default(),
                stored.name,
                given.name
            ))
        }
        (Some(stored), _) => stored,
        (None, Some(given)) => given,
        (None, None) => Scenario::parse(DEFAULT_SCENARIO).map_err(|e| e.to_string())?,
    };
    let start = entries
        .first()
        .and_then(|e| e.get("t"))
        .and_then(Value::as_u64)
        .unwrap_or_else(now_ms);
    let mut endpoint = Endpoint::new(
        scenario,
        EndpointOptions {
            default_principal,
            history: Some(HISTORY),
        },
        start,
    )?;
    for entry in &entries {
        endpoint.replay(entry)?;
    }
    let addr: SocketAddr = format!("{}:{}", options.bind, options.port)
        .parse()
        .map_err(|e| format!("--bind {} --port {}: {e}", options.bind, options.port))?;
    let world = endpoint.world();
    eprintln!(
        "kmsplay serve: AWS KMS on http://{addr} (account {}, Region {} and any other the credential scope names)",
        world.kms.account(),
        world.kms.region()
    );
    for (key, name, arn) in endpoint.identities() {
        eprintln!("  access key {key}: {name} ({arn})");
    }
    if let Some(p) = &endpoint_default(
        &options.default_principal,
        options.data.is_some(),
        given_text.is_none(),
    ) {
        eprintln!("  any other access key: {p}");
    }
    if !entries.is_empty() {
        eprintln!(
            "  {} requests replayed from {}",
            entries.len(),
            options
                .data
                .as_deref()
                .map(|d| d.display().to_string())
                .unwrap_or_default()
        );
    }
    eprintln!(
        "  try: aws kms list-keys --endpoint-url http://{addr} --region {}",
        world.kms.region()
    );
    let server = Rc::new(RefCell::new(Server {
        endpoint,
        journal,
        record: options.record,
        verify_signatures: options.verify_signatures,
        quiet: options.quiet,
    }));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let server = Rc::clone(&server);
                    tokio::task::spawn_local(async move {
                        let io = hyper_util::rt::TokioIo::new(stream);
                        let service = hyper::service::service_fn(move |req| handle(Rc::clone(&server), req));
                        let _ = hyper::server::conn::http1::Builder::new()
                            .timer(hyper_util::rt::TokioTimer::new())
                            .header_read_timeout(READ_TIMEOUT)
                            .max_buf_size(MAX_BODY.max(8192))
                            .serve_connection(io, service)
                            .await;
                    });
                }
                _ = tokio::signal::ctrl_c() => {
                    eprintln!("kmsplay serve: stopped");
                    return Ok(());
                }
            }
        }
    })
}

/// Who requests with an unknown access key act as, for the banner.
fn endpoint_default(given: &Option<String>, _data: bool, no_scenario: bool) -> Option<String> {
    match given {
        Some(p) => Some(p.clone()),
        None if no_scenario => Some("admin".to_owned()),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_parse() {
        let t = parse_amz_date("20261201T123456Z").unwrap();
        let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs, 1_796_128_496);
        assert!(parse_amz_date("2026-12-01").is_none());
        assert!(parse_amz_date("20261301T123456Z").is_none());
    }
}
