//! `cargo xtask dist`: the release page in dist/, as small as we can make it.
//!
//! 1. `cargo build` of the `web` crate for wasm32 with the `release-wasm` profile
//!    (lto, one codegen unit, opt-level z, panic=abort);
//! 2. wasm-bindgen `--target web`, through the CLI entry point so the output is what the
//!    command-line tool gives, with the names and producers sections removed;
//! 3. `wasm-opt -Oz` from the npm package `binaryen` (Debian's is too old to parse
//!    current wasm-bindgen output);
//! 4. index.html, the boot script and the page's stylesheet copied beside it, and the gzip
//!    size of every file;
//! 5. the JavaScript API (`crates/js`) the same way into dist/pkg/, with TypeScript
//!    declarations, and the example page that scripts it (dist/api.html);
//! 6. the AWS SDK for JavaScript v3 (`@aws-sdk/client-kms`) and the AWS Encryption SDK
//!    for JavaScript (`@aws-crypto/client-browser`), bundled by esbuild from the pinned npm
//!    packages into dist/sdk/, and the page that runs SDK code against the playground
//!    (dist/sdk.html); only that page loads them, so the main page's weight is unchanged;
//! 7. with `--single-file`, dist/kms-playground.html: the page in one file (stylesheet,
//!    JavaScript glue and base64 wasm inlined) that works opened from disk, under a CSP
//!    that allows exactly its own inline script and style (by hash) and nothing else.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use flate2::write::GzEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};

use crate::{cargo, dist_dir, prereq, root, run_status, target_dir, Result};

const WEB_PACKAGE: &str = "kmsplay-web";
const JS_PACKAGE: &str = "kmsplay-js";
/// The base name of the JavaScript API's files in dist/pkg/.
const JS_OUT_NAME: &str = "kmsplay_js";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const PROFILE: &str = "release-wasm";
/// The base name of the page's JS and wasm files in dist/.
const OUT_NAME: &str = "kmsplay_web";

/// The wasm features rustc enables by default for wasm32-unknown-unknown; wasm-opt must
/// accept them and must not introduce others.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-simd",
];

/// Files copied verbatim from the repository into dist/.
const STATIC_FILES: &[(&str, &str)] = &[
    ("index.html", "index.html"),
    // The same shell: the app reads its own path and shows only the embed view.
    ("index.html", "embed.html"),
    ("web/boot.js", "boot.js"),
    ("web/style.css", "style.css"),
    ("web/favicon.svg", "favicon.svg"),
    ("web/examples/api.html", "api.html"),
    ("web/examples/api.js", "api.js"),
    ("web/embed.js", "embed.js"),
    ("web/examples/docs.html", "docs.html"),
    ("web/examples/sdk.js", "sdk.js"),
    ("web/examples/sdk-world.js", "sdk-world.js"),
];

/// What the main page (index.html) loads: its weight must not grow with the examples.
const MAIN_PAGE_FILES: &[&str] = &[
    "index.html",
    "boot.js",
    "style.css",
    "favicon.svg",
    "kmsplay_web.js",
    "kmsplay_web_bg.wasm",
];

/// The npm packages bundled for dist/sdk.html: (entry file in web/examples/sdk/, what it
/// re-exports). esbuild splits what they share (the SDK's client) into one chunk.
const SDK_BUNDLES: &[(&str, &str)] = &[
    ("client-kms.js", "@aws-sdk/client-kms"),
    ("client-browser.js", "@aws-crypto/client-browser"),
];

/// Builds dist/ and prints the size table. Returns the total gzip size in bytes.
pub fn build() -> Result<u64> {
    let started = Instant::now();
    let wasm_opt = prereq::ensure_wasm_opt()?;

    println!("dist: building {WEB_PACKAGE} for {WASM_TARGET} (profile {PROFILE})");
    run_status(
        cargo()
            .args(["build", "--package", WEB_PACKAGE, "--package", JS_PACKAGE])
            .args(["--target", WASM_TARGET, "--profile", PROFILE]),
        "cargo build of the page and the JavaScript API",
    )?;
    // A binary keeps its package's name (kmsplay-web.wasm); a cdylib's is underscored.
    let input = wasm_output(WEB_PACKAGE);

    let dist = dist_dir();
    recreate_dir(&dist)?;
    wasm_package(&wasm_opt, &input, OUT_NAME, &dist, false)?;
    for (from, to) in STATIC_FILES {
        copy(&root().join(from), &dist.join(to))?;
    }
    println!("dist: JavaScript API into dist/pkg/");
    let pkg = dist.join("pkg");
    recreate_dir(&pkg)?;
    wasm_package(
        &wasm_opt,
        &wasm_output(JS_OUT_NAME),
        JS_OUT_NAME,
        &pkg,
        true,
    )?;
    sdk_bundles(&dist.join("sdk"))?;
    let sdk_page = fs::read_to_string(root().join("web/examples/sdk.html"))
        .map_err(|e| format!("cannot read web/examples/sdk.html: {e}"))?;
    fs::write(dist.join("sdk.html"), with_import_map_hash(&sdk_page)?)
        .map_err(|e| format!("cannot write dist/sdk.html: {e}"))?;

    println!(
        "dist: built {} in {:.1}s",
        dist.display(),
        started.elapsed().as_secs_f64()
    );
    report_sizes(&dist)
}

/// esbuild (from node_modules) bundles the SDKs into `out`: ES modules for the browser,
/// minified, with no eval and nothing fetched at run time.
fn sdk_bundles(out: &Path) -> Result<()> {
    let esbuild = root().join("node_modules/.bin/esbuild");
    if !esbuild.is_file() {
        return Err(format!(
            "{} is missing: run `npm ci` (esbuild is a devDependency in package.json)",
            esbuild.display()
        ));
    }
    let started = Instant::now();
    let entries = root().join("web/examples/sdk");
    run_status(
        Command::new(esbuild)
            .current_dir(root())
            .args(SDK_BUNDLES.iter().map(|(entry, _)| entries.join(entry)))
            .args([
                "--bundle",
                "--format=esm",
                "--splitting",
                "--platform=browser",
                "--target=es2022",
                "--minify",
                "--legal-comments=linked",
                "--entry-names=[name]",
                "--chunk-names=chunks/[name]-[hash]",
                "--log-level=warning",
            ])
            .arg(format!("--inject:{}", entries.join("buffer.js").display()))
            .arg(format!("--outdir={}", out.display())),
        "esbuild of the AWS SDKs for dist/sdk.html",
    )?;
    println!(
        "dist: esbuild {} into dist/sdk/ in {:.1}s",
        SDK_BUNDLES
            .iter()
            .map(|(_, package)| *package)
            .collect::<Vec<_>>()
            .join(" and "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The page's CSP allows its one inline script, the import map (which cannot be a file),
/// by hash: `'sha256-IMPORTMAP'` in the source becomes the hash of its text.
fn with_import_map_hash(html: &str) -> Result<String> {
    const PLACEHOLDER: &str = "'sha256-IMPORTMAP'";
    let map = html
        .split_once(r#"<script type="importmap">"#)
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(body, _)| body)
        .ok_or("web/examples/sdk.html has no <script type=\"importmap\">")?;
    if !html.contains(PLACEHOLDER) {
        return Err(format!(
            "web/examples/sdk.html's CSP has no {PLACEHOLDER} for its import map"
        ));
    }
    let hash = format!("'sha256-{}'", BASE64.encode(Sha256::digest(map.as_bytes())));
    Ok(html.replace(PLACEHOLDER, &hash))
}

/// The single-file page's name in dist/.
pub const SINGLE_FILE: &str = "kms-playground.html";

/// Writes dist/kms-playground.html from the page `build` put in dist/: one HTML file that
/// needs nothing else, so it works from `file://` (where a module cannot fetch its wasm).
pub fn single_file() -> Result<PathBuf> {
    let dist = dist_dir();
    let read = |name: &str| {
        let path = dist.join(name);
        fs::read(&path)
            .map_err(|e| format!("cannot read {}: {e} (run the build first)", path.display()))
    };
    let text = |name: &str| {
        String::from_utf8(read(name)?).map_err(|e| format!("{name} is not UTF-8: {e}"))
    };
    let html = single_file_html(
        &text(&format!("{OUT_NAME}.js"))?,
        &text("boot.js")?,
        &read(&format!("{OUT_NAME}_bg.wasm"))?,
        &text("style.css")?,
        &text("favicon.svg")?,
    )?;
    let out = dist.join(SINGLE_FILE);
    fs::write(&out, &html).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!(
        "dist: {SINGLE_FILE}, the page in one file: {} ({} gzip)",
        human(html.len() as u64),
        human(gzip_len(html.as_bytes())?)
    );
    Ok(out)
}

/// The import that `web/boot.js` starts the app with; the one-file page defines `init`
/// in its place.
const BOOT_IMPORT: &str = "import init from './kmsplay_web.js';";

/// The one-file page: `glue` (wasm-bindgen's `--target web` module) inlined as a module
/// script, then `boot` (web/boot.js) with its `init` starting the app with the inlined
/// `wasm`; `css` inlined, `favicon` as a data: URL.
pub fn single_file_html(
    glue: &str,
    boot: &str,
    wasm: &[u8],
    css: &str,
    favicon: &str,
) -> Result<String> {
    let boot = match boot.match_indices(BOOT_IMPORT).count() {
        1 => boot.replacen(BOOT_IMPORT, "", 1),
        _ => {
            return Err(format!(
                "boot.js must import the app once, as `{BOOT_IMPORT}`"
            ))
        }
    };
    for (what, body, closing) in [
        ("glue", glue, "</script"),
        ("boot script", boot.as_str(), "</script"),
        ("stylesheet", css, "</style"),
    ] {
        let lower = body.to_ascii_lowercase();
        if lower.contains(closing) || lower.contains("<!--") {
            return Err(format!(
                "the {what} holds {closing} or <!--: it cannot be inlined as is"
            ));
        }
    }
    // `export { initSync, __wbg_init as default };`: the init function's local name, and
    // the glue without its exports (an inline module is imported by nobody).
    let (init, exports) = glue
        .lines()
        .filter(|l| l.trim_start().starts_with("export {"))
        .find_map(|l| {
            let inside = l.split_once('{')?.1.split_once('}')?.0;
            let name = inside
                .split(',')
                .find_map(|item| item.trim().strip_suffix(" as default"))?;
            Some((name.trim().to_owned(), l))
        })
        .ok_or("the glue has no default export (the init function)")?;
    let glue = glue.replacen(exports, "", 1);
    let script = format!(
        r#"{glue}
// The page's wasm, inlined, so this file needs nothing else: it works opened from disk.
const inlinedWasm = Uint8Array.from(atob("{wasm}"), (c) => c.charCodeAt(0));
const init = () => {init}({{ module_or_path: inlinedWasm }});
{boot}"#,
        wasm = BASE64.encode(wasm)
    );
    let hash = |body: &str| {
        format!(
            "'sha256-{}'",
            BASE64.encode(Sha256::digest(body.as_bytes()))
        )
    };
    let csp = format!(
        "default-src 'none'; script-src {} 'wasm-unsafe-eval'; style-src {}; img-src data:",
        hash(&script),
        hash(css)
    );
    let favicon = BASE64.encode(favicon.trim().as_bytes());
    Ok(format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="description" content="A deterministic simulation of AWS KMS envelope encryption that runs entirely in your browser.">
<title>KMS Playground</title>
<link rel="icon" href="data:image/svg+xml;base64,{favicon}">
<style>{css}</style>
<script type="module">{script}</script>
</head>
<body>
<noscript><p class="boot-error">The KMS Playground needs JavaScript and WebAssembly.</p></noscript>
</body>
</html>
"#
    ))
}

/// The wasm that cargo built as `name` in the `release-wasm` profile.
pub fn wasm_output(name: &str) -> PathBuf {
    target_dir()
        .join(WASM_TARGET)
        .join(PROFILE)
        .join(format!("{name}.wasm"))
}

/// wasm-bindgen `--target web` of `input` into a staging directory, then `wasm-opt -Oz`
/// into `out_dir`, with the JavaScript glue (and TypeScript declarations if asked).
pub fn wasm_package(
    wasm_opt: &Path,
    input: &Path,
    out_name: &str,
    out_dir: &Path,
    typescript: bool,
) -> Result<()> {
    if !input.is_file() {
        return Err(format!("cargo built no {}", input.display()));
    }
    let staging = target_dir().join(format!("staging-{out_name}"));
    recreate_dir(&staging)?;
    println!("dist: wasm-bindgen --target web ({out_name})");
    bindgen(input, &staging, out_name, typescript)?;
    let bg = format!("{out_name}_bg.wasm");
    println!("dist: wasm-opt -Oz ({bg})");
    run_status(
        Command::new(wasm_opt)
            .arg(staging.join(&bg))
            .arg("-Oz")
            // By default every function with one caller is inlined into it, whatever
            // its size: the scenario runner became one 369 KB function, which the
            // browser compiles whole (23 ms) on its first call. Capped, no function
            // passes 130 KB, the first diagram came ~10 % sooner (headless Chromium,
            // median of 10 loads: 222 → 196 ms) and the gzip is 5 KB smaller.
            .arg("--one-caller-inline-max-function-size=1000")
            .args(WASM_OPT_FEATURES)
            .args([
                "--strip-debug",
                "--strip-producers",
                "--strip-target-features",
            ])
            .arg("-o")
            .arg(out_dir.join(&bg)),
        "wasm-opt",
    )?;
    let mut glue = vec![format!("{out_name}.js")];
    if typescript {
        glue.push(format!("{out_name}.d.ts"));
        glue.push(format!("{out_name}_bg.wasm.d.ts"));
    }
    for file in glue {
        copy(&staging.join(&file), &out_dir.join(&file))?;
    }
    // JavaScript modules the crate imports (`#[wasm_bindgen(module = ...)]`), which the
    // glue loads from ./snippets/.
    copy_tree(&staging.join("snippets"), &out_dir.join("snippets"))
}

/// Copies the directory `from` (if it exists) and everything under it to `to`.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    if !from.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot list {}: {e}", from.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", from.display()))?
            .path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

/// Exactly what `wasm-bindgen --target web [--no-typescript] ...` does.
fn bindgen(input: &Path, out_dir: &Path, out_name: &str, typescript: bool) -> Result<()> {
    let mut args: Vec<std::ffi::OsString> = vec![
        "wasm-bindgen".into(),
        input.into(),
        "--out-dir".into(),
        out_dir.into(),
        "--out-name".into(),
        out_name.into(),
        "--target".into(),
        "web".into(),
        "--remove-name-section".into(),
        "--remove-producers-section".into(),
    ];
    if !typescript {
        args.push("--no-typescript".into());
    }
    wasm_bindgen_cli::wasm_bindgen::run_cli_with_args(args)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))
}

pub fn recreate_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

pub fn copy(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

/// Prints the raw and gzip (level 9) size of every file under `dir` and the totals;
/// returns the total gzip size.
pub fn report_sizes(dir: &Path) -> Result<u64> {
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    files.sort();
    let rows = files
        .iter()
        .map(|path| {
            let bytes =
                fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let name = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .to_string_lossy()
                .into_owned();
            Ok((name, bytes.len() as u64, gzip_len(&bytes)?))
        })
        .collect::<Result<Vec<_>>>()?;

    let width = rows
        .iter()
        .map(|(name, _, _)| name.len())
        .chain(["total".len()])
        .max()
        .unwrap_or(5);
    println!("{:<width$} {:>10} {:>10}", "file", "bytes", "gzip");
    for (name, raw, gz) in &rows {
        println!("{name:<width$} {raw:>10} {gz:>10}");
    }
    let raw_total: u64 = rows.iter().map(|r| r.1).sum();
    let gz_total: u64 = rows.iter().map(|r| r.2).sum();
    println!("{:<width$} {raw_total:>10} {gz_total:>10}", "total");
    println!(
        "page weight: {} gzip ({} files)",
        human(gz_total),
        rows.len()
    );
    let main: u64 = rows
        .iter()
        .filter(|(name, _, _)| MAIN_PAGE_FILES.contains(&name.as_str()))
        .map(|r| r.2)
        .sum();
    if rows.iter().any(|(name, _, _)| name == "index.html") {
        println!(
            "main page weight (index.html and what it loads): {} gzip",
            human(main)
        );
    }
    Ok(gz_total)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> Result<u64> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map(|gz| gz.len() as u64)
        .map_err(|e| format!("gzip: {e}"))
}

fn human(bytes: u64) -> String {
    if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = "let wasm;\nasync function __wbg_init(m) { return m; }\nexport { initSync, __wbg_init as default };\n";

    #[test]
    fn the_single_file_inlines_everything_under_a_hash_csp() {
        let boot = fs::read_to_string(root().join("web/boot.js")).expect("boot.js");
        let html = single_file_html(GLUE, &boot, b"\0asm", "body { color: red }", "<svg/>")
            .expect("builds");
        let script = html
            .split_once("<script type=\"module\">")
            .and_then(|(_, rest)| rest.split_once("</script>"))
            .map(|(body, _)| body)
            .expect("an inline module");
        assert!(!script.contains("export {"));
        assert!(script.contains("const init = () => __wbg_init({ module_or_path: inlinedWasm })"));
        assert!(!script.contains("import "), "the page imports nothing");
        assert!(script.contains("init().catch("), "boot.js starts it");
        assert!(script.contains(&BASE64.encode(b"\0asm")));
        let digest = BASE64.encode(Sha256::digest(script.as_bytes()));
        assert!(html.contains(&format!("script-src 'sha256-{digest}' 'wasm-unsafe-eval'")));
        let style = BASE64.encode(Sha256::digest(b"body { color: red }"));
        assert!(html.contains(&format!("style-src 'sha256-{style}'")));
        assert!(html.contains("default-src 'none'"));
        assert!(!html.contains("src=\"http"), "no external loads");
    }

    #[test]
    fn the_sdk_page_allows_its_import_map_by_hash() {
        let source = fs::read_to_string(root().join("web/examples/sdk.html")).expect("sdk.html");
        let html = with_import_map_hash(&source).expect("has an import map");
        assert!(!html.contains("'sha256-IMPORTMAP'"));
        let map = html
            .split_once(r#"<script type="importmap">"#)
            .and_then(|(_, rest)| rest.split_once("</script>"))
            .map(|(body, _)| body)
            .expect("an import map");
        let digest = BASE64.encode(Sha256::digest(map.as_bytes()));
        assert!(html.contains(&format!("'sha256-{digest}'")));
        assert!(with_import_map_hash("<html></html>").is_err());
    }

    #[test]
    fn what_cannot_be_inlined_is_refused() {
        let boot = format!("{BOOT_IMPORT}\ninit();");
        assert!(single_file_html(
            "x = '</script>';\nexport { a as default };",
            &boot,
            b"",
            "",
            ""
        )
        .is_err());
        assert!(single_file_html("let a;", &boot, b"", "", "").is_err());
        assert!(single_file_html(GLUE, "init();", b"", "", "").is_err());
    }
}
