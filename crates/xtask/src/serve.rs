//! `cargo xtask serve`: a small static file server for dist/ on 127.0.0.1.
//!
//! Only GET and HEAD (and OPTIONS, answered as a CORS preflight), only files under the
//! served directory (no `..`, no symlinks out), `index.html` for directories, the MIME
//! types a browser insists on (`application/wasm` for streaming compilation,
//! `text/javascript` for modules), and the headers another site needs to embed the page
//! (see [`CROSS_ORIGIN`]).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Response, StatusCode};
use tokio::sync::oneshot;

use crate::{dist, dist_dir, Result};

/// Sent with every file, so that another origin may embed the page: `embed.js` is a
/// module script, which a browser fetches in CORS mode (a `<script type="module">` from
/// another origin runs only if the answer allows that origin), and so is the JavaScript
/// API's `pkg/kmsplay_js.js` with the wasm it fetches beside itself. (`embed.html`, in an
/// iframe, loads its own files from its own origin, which needs no CORS; it must only
/// not be refused a frame, so no `X-Frame-Options` and no `frame-ancestors` is sent.)
/// Nothing here is private, and no request carries credentials, so `*` is enough.
pub const CROSS_ORIGIN: &[(&str, &str)] = &[("Access-Control-Allow-Origin", "*")];

/// The answer to an `OPTIONS` request: a CORS preflight allows GET and HEAD. (Fetching
/// `embed.js` or the wasm needs none, being a simple GET; a script that adds its own
/// headers to a fetch gets one.)
const PREFLIGHT: &[(&str, &str)] = &[
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, HEAD"),
    ("Access-Control-Allow-Headers", "*"),
    ("Access-Control-Max-Age", "86400"),
];

/// The methods answered.
const ALLOW: &str = "GET, HEAD, OPTIONS";

/// The port `cargo xtask serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8000;

/// Builds dist/ (unless `build` is false), then serves it until interrupted.
pub fn run(port: u16, build: bool) -> Result<()> {
    if build {
        dist::build()?;
    }
    let dir = dist_dir();
    if !dir.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: run `cargo xtask dist` (or `serve` without --no-build)",
            dir.display()
        ));
    }
    let server = StaticServer::start(&dir, port)?;
    println!();
    println!("KMS Playground: {}", server.url());
    println!("serving {} (Ctrl-C to stop)", dir.display());
    server.wait();
    Ok(())
}

/// A running static file server; it stops when dropped.
///
/// hyper on a current-thread tokio runtime in a background thread: every connection is a
/// task, so an idle keep-alive connection (a browser keeps several) holds nothing. (The
/// server was tiny_http's, whose thread pool can queue a new connection behind idle ones:
/// a page that opened more connections at once, as the wasm preload makes it, then
/// sometimes never loaded.)
pub struct StaticServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `dir` on 127.0.0.1:`port` (0: any free port) from a background thread.
    pub fn start(dir: &Path, port: u16) -> Result<Self> {
        let root = dir
            .canonicalize()
            .map_err(|e| format!("cannot serve {}: {e}", dir.display()))?;
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
            format!("cannot listen on 127.0.0.1:{port}: {e} (is the port in use? try --port)")
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the server's address: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("cannot configure the listener: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
        let listener = {
            let _in_runtime = runtime.enter();
            tokio::net::TcpListener::from_std(listener)
                .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let root = Arc::new(root);
        let thread = thread::Builder::new()
            .name("static-server".into())
            .spawn(move || runtime.block_on(serve(listener, root, stopped)))
            .map_err(|e| format!("cannot start the server thread: {e}"))?;
        Ok(Self {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The page's URL, with a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Blocks until the server stops (in practice: until the process is interrupted).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until `stopped`, each served as a task of its own.
async fn serve(
    listener: tokio::net::TcpListener,
    root: Arc<PathBuf>,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors, say: wait rather than spin.
                        eprintln!("serve: cannot accept a connection: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let root = Arc::clone(&root);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let root = Arc::clone(&root);
                        async move {
                            let validator = request
                                .headers()
                                .get(hyper::header::IF_NONE_MATCH)
                                .and_then(|v| v.to_str().ok());
                            Ok::<_, Infallible>(respond(&root, request.method(), request.uri().path(), validator).await)
                        }
                    });
                    // The client may have gone away; there is nobody left to tell.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .title_case_headers(true)
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
            _ = &mut stopped => return,
        }
    }
}

/// A file's validator: its length and modification time, as nginx makes them. The pages
/// are always revalidated (`no-cache`, so a rebuilt dist/ shows at once), and a file
/// that has not changed is answered `304 Not Modified` without its body. That is what
/// lets a documentation page with two embeds download the 2.5 MB wasm once: the
/// browser's cache holds the second iframe's request until the first's answer is in,
/// then revalidates it (RFC 9111 §4.3; RFC 9110 §13.1.2 for `If-None-Match`).
fn entity_tag(metadata: &std::fs::Metadata) -> String {
    let modified = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("\"{:x}-{modified:x}\"", metadata.len())
}

/// Whether an `If-None-Match` list names `tag` (or is `*`); weak comparison, as the
/// header's is (RFC 9110 §13.1.2).
fn matches_tag(validator: &str, tag: &str) -> bool {
    validator
        .split(',')
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

async fn respond(
    root: &Path,
    method: &Method,
    target: &str,
    validator: Option<&str>,
) -> Response<Full<Bytes>> {
    let get = *method == Method::GET || *method == Method::HEAD;
    let mut outcome = if get {
        match resolve(root, target) {
            // Read off the runtime's thread, so one file never holds up the others.
            Some(path) => match tokio::fs::metadata(&path).await {
                Ok(metadata) => {
                    let tag = entity_tag(&metadata);
                    if validator.is_some_and(|v| matches_tag(v, &tag)) {
                        Reply::NotModified { tag }
                    } else {
                        match tokio::fs::read(&path).await {
                            Ok(body) => Reply::File {
                                body,
                                mime: mime_type(&path),
                                tag,
                            },
                            Err(_) => Reply::Status(404, "not found"),
                        }
                    }
                }
                Err(_) => Reply::Status(404, "not found"),
            },
            None => Reply::Status(404, "not found"),
        }
    } else if *method == Method::OPTIONS {
        Reply::Preflight
    } else {
        Reply::Status(405, "only GET, HEAD and OPTIONS")
    };
    let (status, body, headers): (u16, Vec<u8>, Vec<(&str, &str)>) = match &mut outcome {
        // hyper sends Content-Length (a full body), and no body to a HEAD.
        Reply::File { body, mime, tag } => (
            200,
            std::mem::take(body),
            [
                ("Content-Type", *mime),
                ("Cache-Control", "no-cache"),
                ("ETag", tag.as_str()),
            ]
            .into_iter()
            .chain(CROSS_ORIGIN.iter().copied())
            .collect(),
        ),
        Reply::NotModified { tag } => (
            304,
            Vec::new(),
            [("Cache-Control", "no-cache"), ("ETag", tag.as_str())]
                .into_iter()
                .chain(CROSS_ORIGIN.iter().copied())
                .collect(),
        ),
        Reply::Preflight => (204, Vec::new(), PREFLIGHT.to_vec()),
        Reply::Status(code, text) => (
            *code,
            text.as_bytes().to_vec(),
            vec![("Content-Type", "text/plain; charset=utf-8")],
        ),
    };
    let allow = (!get).then_some(("Allow", ALLOW));
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in [("X-Content-Type-Options", "nosniff")]
        .into_iter()
        .chain(headers)
        .chain(allow)
    {
        // Only ASCII constants get here, which are valid names and values.
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

enum Reply {
    File {
        body: Vec<u8>,
        mime: &'static str,
        tag: String,
    },
    NotModified {
        tag: String,
    },
    Preflight,
    Status(u16, &'static str),
}

/// Maps a request target to a file under `root`, or `None` for anything that is not one.
fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let mut file = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains(['\\', '\0']) => return None,
            s => {
                // A segment must be a plain name, never a root or prefix.
                let mut components = Path::new(s).components();
                match (components.next(), components.next()) {
                    (Some(Component::Normal(_)), None) => file.push(s),
                    _ => return None,
                }
            }
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let file = file.canonicalize().ok()?;
    (file.starts_with(root) && file.is_file()).then_some(file)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    /// A served directory of the test `name`'s own (tests run in parallel).
    fn fixture(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-serve-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).expect("temp dir");
        fs::write(dir.join("index.html"), "<!doctype html>home").expect("write");
        fs::write(dir.join("app_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
        fs::write(dir.join("sub/index.html"), "sub").expect("write");
        fs::write(dir.join("a b.js"), "export {}").expect("write");
        fs::write(dir.join("embed.js"), "customElements.define()").expect("write");
        fs::write(dir.join("embed.html"), "<!doctype html>embed").expect("write");
        dir
    }

    fn get(addr: SocketAddr, method: &str, target: &str) -> String {
        request(addr, method, target, "")
    }

    fn request(addr: SocketAddr, method: &str, target: &str, headers: &str) -> String {
        let mut stream = TcpStream::connect(addr).expect("connect");
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n"
        )
        .expect("send");
        let mut out = String::new();
        stream.read_to_string(&mut out).expect("read");
        out
    }

    /// The value of the response header `name`, if sent (names are case-insensitive).
    fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
        let head = response.split("\r\n\r\n").next().unwrap_or("");
        head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    #[test]
    fn another_origin_may_load_embed_js_and_frame_embed_html() {
        let dir = fixture("cross-origin");
        let server = StaticServer::start(&dir, 0).expect("start");
        let addr = server.addr;
        let origin = "Origin: https://docs.example\r\n";

        // The module script, as a browser fetches it for <script type="module"> on
        // another origin: CORS mode, with an Origin header.
        let script = request(addr, "GET", "/embed.js", origin);
        assert!(script.starts_with("HTTP/1.1 200"), "{script}");
        assert_eq!(header(&script, "Access-Control-Allow-Origin"), Some("*"));
        assert_eq!(
            header(&script, "Content-Type"),
            Some("text/javascript; charset=utf-8")
        );
        // The wasm (the JavaScript API fetches its own beside it) and the page alike.
        for target in ["/app_bg.wasm", "/embed.html", "/"] {
            let answer = request(addr, "GET", target, origin);
            assert_eq!(
                header(&answer, "Access-Control-Allow-Origin"),
                Some("*"),
                "{target}"
            );
        }
        let head = request(addr, "HEAD", "/embed.js", origin);
        assert_eq!(header(&head, "Access-Control-Allow-Origin"), Some("*"));
        assert_eq!(
            script.matches("X-Content-Type-Options").count(),
            1,
            "{script}"
        );
        // Nothing refuses a frame.
        let page = get(addr, "GET", "/embed.html?scenario=x&controls=0");
        assert!(page.ends_with("embed"), "{page}");
        assert_eq!(header(&page, "X-Frame-Options"), None);
        assert_eq!(header(&page, "Content-Security-Policy"), None);

        // A preflight gets a sane answer: GET and HEAD allowed, from anywhere.
        let preflight = request(
            addr,
            "OPTIONS",
            "/embed.js",
            "Origin: https://docs.example\r\nAccess-Control-Request-Method: GET\r\n",
        );
        assert!(preflight.starts_with("HTTP/1.1 204"), "{preflight}");
        assert_eq!(header(&preflight, "Access-Control-Allow-Origin"), Some("*"));
        assert_eq!(
            header(&preflight, "Access-Control-Allow-Methods"),
            Some("GET, HEAD")
        );
        assert_eq!(header(&preflight, "Allow"), Some("GET, HEAD, OPTIONS"));
        // Errors are not the files': no CORS header on them.
        let missing = request(addr, "GET", "/missing.js", origin);
        assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
        assert_eq!(header(&missing, "Access-Control-Allow-Origin"), None);

        drop(server);
        let _ = fs::remove_dir_all(dir);
    }

    /// A browser opens several connections at once and keeps them open after its
    /// requests (keep-alive): every one is answered, none waits behind another's idle
    /// connection.
    #[test]
    fn many_keep_alive_connections_at_once_are_all_answered() {
        let dir = fixture("keep-alive");
        let server = StaticServer::start(&dir, 0).expect("start");
        let addr = server.addr;
        let connections: Vec<TcpStream> = (0..24)
            .map(|_| {
                let mut stream = TcpStream::connect(addr).expect("connect");
                stream
                    .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                    .expect("timeout");
                write!(stream, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n").expect("send");
                stream
            })
            .collect();
        for (i, mut stream) in connections.into_iter().enumerate() {
            // Read until the body is in: the connection stays open, so not to the end.
            let mut got = Vec::new();
            let mut buf = [0u8; 1024];
            while !got.ends_with(b"home") {
                match stream.read(&mut buf) {
                    Ok(0) => panic!("connection {i} closed before its answer"),
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(e) => panic!("connection {i} got no answer: {e}"),
                }
            }
            assert!(got.starts_with(b"HTTP/1.1 200"), "{i}");
        }
        drop(server);
        let _ = fs::remove_dir_all(dir);
    }

    /// Every file has a validator, and a request that sends it back gets `304` without
    /// the body (a page with two embeds downloads the wasm once); a changed file, a stale
    /// or foreign tag, get the whole file again.
    #[test]
    fn an_unchanged_file_is_revalidated_without_its_body() {
        let dir = fixture("etag");
        let server = StaticServer::start(&dir, 0).expect("start");
        let addr = server.addr;
        let first = get(addr, "GET", "/app_bg.wasm");
        let tag = header(&first, "ETag").expect("an ETag").to_owned();
        assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
        assert_eq!(header(&first, "Cache-Control"), Some("no-cache"));

        for validator in [
            tag.clone(),
            format!("W/{tag}"),
            format!("\"x\", {tag}"),
            "*".into(),
        ] {
            let again = request(
                addr,
                "GET",
                "/app_bg.wasm",
                &format!("If-None-Match: {validator}\r\n"),
            );
            assert!(again.starts_with("HTTP/1.1 304"), "{validator}: {again}");
            assert!(again.ends_with("\r\n\r\n"), "no body: {again}");
            assert_eq!(header(&again, "ETag"), Some(tag.as_str()));
            assert_eq!(header(&again, "Access-Control-Allow-Origin"), Some("*"));
        }
        let other = request(addr, "GET", "/app_bg.wasm", "If-None-Match: \"other\"\r\n");
        assert!(
            other.starts_with("HTTP/1.1 200") && other.ends_with("\0\0\0"),
            "{other}"
        );
        // Another file's tag does not stand for this one.
        let home_tag = header(&get(addr, "GET", "/"), "ETag")
            .expect("tag")
            .to_owned();
        fs::write(dir.join("app_bg.wasm"), b"\0asm\x01\0\0\0 rebuilt").expect("write");
        let changed = request(
            addr,
            "GET",
            "/app_bg.wasm",
            &format!("If-None-Match: {tag}\r\n"),
        );
        assert!(changed.starts_with("HTTP/1.1 200"), "{changed}");
        assert!(changed.ends_with("rebuilt"), "{changed}");
        assert_ne!(header(&changed, "ETag"), Some(tag.as_str()));
        let cross = request(
            addr,
            "GET",
            "/app_bg.wasm",
            &format!("If-None-Match: {home_tag}\r\n"),
        );
        assert!(cross.starts_with("HTTP/1.1 200"), "{cross}");

        drop(server);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn serves_files_with_mime_types_and_refuses_escapes() {
        let dir = fixture("files");
        let server = StaticServer::start(&dir, 0).expect("start");
        let addr = server.addr;

        let home = get(addr, "GET", "/");
        assert!(home.starts_with("HTTP/1.1 200"), "{home}");
        assert!(home.contains("text/html; charset=utf-8"), "{home}");
        assert!(home.ends_with("home"), "{home}");

        let wasm = get(addr, "GET", "/app_bg.wasm?v=1");
        assert!(wasm.contains("Content-Type: application/wasm"), "{wasm}");

        assert!(get(addr, "GET", "/sub").ends_with("sub"));
        assert!(get(addr, "GET", "/a%20b.js").contains("text/javascript"));
        assert!(get(addr, "GET", "/../Cargo.toml").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "GET", "/%2e%2e/Cargo.toml").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "GET", "/sub/..%2f..%2fetc/passwd").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "GET", "/%zz").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "GET", "/missing.js").starts_with("HTTP/1.1 404"));
        let post = get(addr, "POST", "/");
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");
        assert_eq!(header(&post, "Allow"), Some("GET, HEAD, OPTIONS"));

        let head = get(addr, "HEAD", "/");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(!head.ends_with("home"), "{head}");

        drop(server);
        let _ = fs::remove_dir_all(dir);
    }
}
