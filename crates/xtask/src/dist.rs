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

/// The wasm features of the page's build (rustc's defaults for wasm32-unknown-unknown
/// and SIMD, without reference types: see [`WASM_RUSTFLAGS`]); wasm-opt and wasm-split
/// must accept them and must not introduce others.
pub const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-multivalue",
    "--enable-simd",
];

/// The rustflags of the `release-wasm` builds (the page, the JavaScript API, the bench's
/// floor page), in place of `.cargo/config.toml`'s: SIMD as there, and no reference
/// types, so that wasm-bindgen keeps JavaScript objects in its JS-side heap instead of
/// an externref table, whose `table.fill` Debian's binaryen 108 (the only `wasm-split`
/// installable here) cannot read. The module is 1 KiB smaller gzip for it
/// (`cargo xtask dist`, 2026-12-02). The standard library is prebuilt with reference
/// types and says so in the module's `target_features` section, which
/// [`without_reference_types`] corrects for wasm-bindgen.
pub const WASM_RUSTFLAGS: (&str, &str) = (
    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
    "-C target-feature=+simd128,-reference-types",
);

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
    PAGE_WASM,
];

/// The part of the page's wasm that the first diagram does not run, loaded on demand
/// (web/deferred.js); not in [`MAIN_PAGE_FILES`], since a page that is only looked at
/// never loads it.
pub const DEFERRED_WASM: &str = "kmsplay_web_deferred.wasm";

/// The functions kept in the page's first module, one name per line: what a load of the
/// page and a walk through its first flow call, recorded by `cargo xtask
/// deferred-profile` from the instrumented module in Chromium. A function missing from
/// it only costs time (the deferred module loads when it is first called), never
/// correctness, so the list needs renewing only when the first diagram starts loading
/// the deferred module (`cargo xtask bench` reports it).
pub const DEFERRED_KEEP_LIST: &str = "web/deferred-keep.txt";

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
            .args(["--target", WASM_TARGET, "--profile", PROFILE])
            .env(WASM_RUSTFLAGS.0, WASM_RUSTFLAGS.1),
        "cargo build of the page and the JavaScript API",
    )?;
    // A binary keeps its package's name (kmsplay-web.wasm); a cdylib's is underscored.
    let input = wasm_output(WEB_PACKAGE);

    let dist = dist_dir();
    recreate_dir(&dist)?;
    wasm_package(&wasm_opt, &input, OUT_NAME, &dist, false, true)?;
    split_page(&wasm_opt, &dist)?;
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
        false,
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
        &read(DEFERRED_WASM)?,
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

/// The one-file page: `glue` (wasm-bindgen's `--target web` module with the deferred
/// loader) inlined as a module script, the `deferred` module in the loader's place for
/// it, then `boot` (web/boot.js) with its `init` starting the app with the inlined
/// `wasm`; `css` inlined, `favicon` as a data: URL.
pub fn single_file_html(
    glue: &str,
    boot: &str,
    wasm: &[u8],
    deferred: &[u8],
    css: &str,
    favicon: &str,
) -> Result<String> {
    if glue.matches(DEFERRED_INLINE).count() != 1 {
        return Err(format!(
            "the glue has no `{DEFERRED_INLINE}` (web/deferred.js) for the deferred wasm"
        ));
    }
    let glue = glue.replacen(
        DEFERRED_INLINE,
        &format!("const DEFERRED_INLINE = \"{}\";", BASE64.encode(deferred)),
        1,
    );
    let glue = glue.as_str();
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
/// into `out_dir`, with the JavaScript glue (and TypeScript declarations if asked);
/// `keep_names` keeps the function names for [`split_page`], which removes them.
pub fn wasm_package(
    wasm_opt: &Path,
    input: &Path,
    out_name: &str,
    out_dir: &Path,
    typescript: bool,
    keep_names: bool,
) -> Result<()> {
    let module = fs::read(input).map_err(|e| format!("cargo built no {}: {e}", input.display()))?;
    let staging = target_dir().join(format!("staging-{out_name}"));
    recreate_dir(&staging)?;
    let input = staging.join(format!("{out_name}.rustc.wasm"));
    fs::write(&input, without_reference_types(&module)?)
        .map_err(|e| format!("cannot write {}: {e}", input.display()))?;
    println!("dist: wasm-bindgen --target web ({out_name})");
    bindgen(&input, &staging, out_name, typescript, keep_names)?;
    let bg = format!("{out_name}_bg.wasm");
    println!("dist: wasm-opt -Oz ({bg})");
    let mut opt = Command::new(wasm_opt);
    opt.arg(staging.join(&bg))
        .arg("-Oz")
        // By default every function with one caller is inlined into it, whatever
        // its size: the scenario runner became one 369 KB function, which the
        // browser compiles whole (23 ms) on its first call. Capped, no function
        // passes 130 KB, the first diagram came ~10 % sooner (headless Chromium,
        // median of 10 loads: 222 → 196 ms) and the gzip is 5 KB smaller.
        .arg("--one-caller-inline-max-function-size=1000")
        .args(WASM_FEATURES)
        .args(["--strip-producers", "--strip-target-features"]);
    if keep_names {
        opt.arg("--debuginfo");
    } else {
        opt.arg("--strip-debug");
    }
    run_status(opt.arg("-o").arg(out_dir.join(&bg)), "wasm-opt")?;
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

/// The page's wasm in dist/: after [`split_page`], its first module.
pub const PAGE_WASM: &str = "kmsplay_web_bg.wasm";

/// The page's whole module with its function names, as [`split_page`] found it (for
/// `cargo xtask deferred-profile`).
pub fn named_page_module() -> PathBuf {
    target_dir()
        .join(format!("staging-{OUT_NAME}"))
        .join(format!("{OUT_NAME}_bg.named.wasm"))
}

/// Splits the page's wasm in `dist` (built with names by [`wasm_package`]) in two with
/// Debian binaryen's `wasm-split`: the functions in [`DEFERRED_KEEP_LIST`] stay in
/// `kmsplay_web_bg.wasm`, the rest go to [`DEFERRED_WASM`]; the glue gets the loader
/// (web/deferred.js). Both modules lose their names.
fn split_page(wasm_opt: &Path, dist: &Path) -> Result<()> {
    let wasm_split = prereq::ensure_wasm_split()?;
    let keep = root().join(DEFERRED_KEEP_LIST);
    let listed = fs::read_to_string(&keep)
        .map_err(|e| {
            format!(
                "cannot read {}: {e} (`cargo xtask deferred-profile` writes it)",
                keep.display()
            )
        })?
        .lines()
        .filter(|l| !l.is_empty())
        .count();
    let staging = target_dir().join(format!("staging-{OUT_NAME}"));
    let bg = PAGE_WASM;
    let named = named_page_module();
    fs::rename(dist.join(bg), &named)
        .map_err(|e| format!("cannot move {bg} to {}: {e}", named.display()))?;
    let (primary, deferred) = (staging.join("primary.wasm"), staging.join("deferred.wasm"));
    println!("dist: wasm-split ({bg}: {listed} functions kept, the rest to {DEFERRED_WASM})");
    let out = Command::new(&wasm_split)
        .args(WASM_FEATURES)
        .arg(&named)
        .arg(format!("--keep-funcs=@{}", keep.display()))
        .arg("-o1")
        .arg(&primary)
        .arg("-o2")
        .arg(&deferred)
        .output()
        .map_err(|e| format!("could not start {}: {e}", wasm_split.display()))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("wasm-split failed ({}): {stderr}", out.status));
    }
    // Names the list has that this build does not (renamed or inlined functions).
    let unknown = stderr
        .lines()
        .filter(|l| l.contains("does not exist"))
        .count();
    if unknown > 0 {
        println!(
            "dist: {unknown} of the {listed} functions in {DEFERRED_KEEP_LIST} are not in \
             this build; `cargo xtask deferred-profile` renews the list"
        );
    }
    for (from, to) in [(&primary, bg), (&deferred, DEFERRED_WASM)] {
        run_status(
            Command::new(wasm_opt)
                .arg(from)
                .args(WASM_FEATURES)
                .args([
                    "--strip-debug",
                    "--strip-producers",
                    "--strip-target-features",
                ])
                .arg("-o")
                .arg(dist.join(to)),
            "wasm-opt --strip-debug",
        )?;
    }
    let glue_path = dist.join(format!("{OUT_NAME}.js"));
    let glue = fs::read_to_string(&glue_path)
        .map_err(|e| format!("cannot read {}: {e}", glue_path.display()))?;
    let loader = fs::read_to_string(root().join("web/deferred.js"))
        .map_err(|e| format!("cannot read web/deferred.js: {e}"))?;
    fs::write(&glue_path, with_deferred_loader(&glue, &loader, OUT_NAME)?)
        .map_err(|e| format!("cannot write {}: {e}", glue_path.display()))
}

/// The line of wasm-bindgen's `__wbg_get_imports` that names the module's own imports;
/// the placeholders' namespace goes beside it.
fn glue_imports_line(out_name: &str) -> String {
    format!("\"./{out_name}_bg.js\": import0,")
}

/// `glue` with the primary module's `placeholder` imports added and `loader`
/// (web/deferred.js, naming [`DEFERRED_WASM`]) appended.
fn with_deferred_loader(glue: &str, loader: &str, out_name: &str) -> Result<String> {
    let line = glue_imports_line(out_name);
    if glue.matches(&line).count() != 1 {
        return Err(format!(
            "the wasm-bindgen glue must name its imports once as `{line}` (has wasm-bindgen changed its output?)"
        ));
    }
    const NAME: &str = "'DEFERRED_FILE_NAME'";
    if loader.matches(NAME).count() != 1 || loader.matches(DEFERRED_INLINE).count() != 1 {
        return Err(format!(
            "web/deferred.js must hold {NAME} and `{DEFERRED_INLINE}` once each"
        ));
    }
    let loader = loader.replacen(NAME, &format!("'{DEFERRED_WASM}'"), 1);
    let glue = glue.replacen(
        &line,
        &format!("{line}\n        placeholder: deferredPlaceholders,"),
        1,
    );
    Ok(format!("{glue}{loader}"))
}

/// The deferred module's place in web/deferred.js, which the one-file page fills.
const DEFERRED_INLINE: &str = "const DEFERRED_INLINE = null;";

/// `module` with `reference-types` taken out of its `target_features` section. The
/// section lists what any object file linked in used, and the prebuilt standard library
/// uses reference types; wasm-bindgen reads it to decide whether to keep JavaScript
/// objects in an externref table, and would then look for the table functions that this
/// build ([`WASM_RUSTFLAGS`]) has not got. Every other section is copied as it is.
pub fn without_reference_types(module: &[u8]) -> Result<Vec<u8>> {
    use wasm_encoder::Encode as _;
    let bad = |e: wasmparser::BinaryReaderError| format!("the wasm rustc built is malformed: {e}");
    let mut out = module
        .get(..8)
        .ok_or("the wasm rustc built has no header")?
        .to_vec();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload.map_err(bad)?;
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        if let wasmparser::Payload::CustomSection(custom) = &payload {
            if custom.name() == "target_features" {
                let mut reader = wasmparser::BinaryReader::new(custom.data(), 0);
                let mut features = Vec::new();
                for _ in 0..reader.read_var_u32().map_err(bad)? {
                    let prefix = reader.read_u8().map_err(bad)?;
                    let name = reader.read_string().map_err(bad)?;
                    if name != "reference-types" {
                        features.push((prefix, name));
                    }
                }
                let mut data = Vec::new();
                features.len().encode(&mut data);
                for (prefix, name) in features {
                    data.push(prefix);
                    name.encode(&mut data);
                }
                // A custom section's id, then its size, name and data.
                out.push(0);
                wasm_encoder::CustomSection {
                    name: "target_features".into(),
                    data: data.into(),
                }
                .encode(&mut out);
                continue;
            }
        }
        // The section's id, its size and its bytes, as they were.
        out.push(id);
        range.len().encode(&mut out);
        out.extend_from_slice(&module[range]);
    }
    Ok(out)
}

/// Copies the directory `from` (if it exists) and everything under it to `to`.
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
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
fn bindgen(
    input: &Path,
    out_dir: &Path,
    out_name: &str,
    typescript: bool,
    keep_names: bool,
) -> Result<()> {
    let mut args: Vec<std::ffi::OsString> = vec![
        "wasm-bindgen".into(),
        input.into(),
        "--out-dir".into(),
        out_dir.into(),
        "--out-name".into(),
        out_name.into(),
        "--target".into(),
        "web".into(),
        "--remove-producers-section".into(),
    ];
    if !keep_names {
        args.push("--remove-name-section".into());
    }
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

    const GLUE: &str = "let wasm;\nasync function __wbg_init(m) { return m; }\nexport { initSync, __wbg_init as default };\nconst DEFERRED_INLINE = null;\n";

    #[test]
    fn the_single_file_inlines_everything_under_a_hash_csp() {
        let boot = fs::read_to_string(root().join("web/boot.js")).expect("boot.js");
        let html = single_file_html(
            GLUE,
            &boot,
            b"\0asm",
            b"\0asm-deferred",
            "body { color: red }",
            "<svg/>",
        )
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
        let deferred = BASE64.encode(b"\0asm-deferred");
        assert!(script.contains(&format!("const DEFERRED_INLINE = \"{deferred}\";")));
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
            "x = '</script>';\nexport { a as default };\nconst DEFERRED_INLINE = null;",
            &boot,
            b"",
            b"",
            "",
            ""
        )
        .is_err());
        assert!(single_file_html("let a;", &boot, b"", b"", "", "").is_err());
        assert!(single_file_html(GLUE, "init();", b"", b"", "", "").is_err());
        // A glue without the deferred loader has nowhere to put the deferred module.
        let without_loader = GLUE.replace(DEFERRED_INLINE, "");
        assert!(single_file_html(&without_loader, &boot, b"", b"", "", "").is_err());
    }

    #[test]
    fn the_loader_is_added_to_the_glue_once() {
        let loader = fs::read_to_string(root().join("web/deferred.js")).expect("deferred.js");
        let glue = "function __wbg_get_imports() {\n    return {\n        \"./kmsplay_web_bg.js\": import0,\n    };\n}\n";
        let patched = with_deferred_loader(glue, &loader, "kmsplay_web").expect("patches");
        assert!(patched.contains(
            "\"./kmsplay_web_bg.js\": import0,\n        placeholder: deferredPlaceholders,"
        ));
        assert!(patched.contains(&format!("const DEFERRED_FILE = '{DEFERRED_WASM}';")));
        assert!(patched
            .ends_with(&loader.replace("'DEFERRED_FILE_NAME'", &format!("'{DEFERRED_WASM}'"))));
        // wasm-bindgen's output changed: refused, not patched blindly.
        assert!(
            with_deferred_loader("function __wbg_get_imports() {}", &loader, "kmsplay_web")
                .is_err()
        );
        let twice = format!("{glue}{glue}");
        assert!(with_deferred_loader(&twice, &loader, "kmsplay_web").is_err());
    }

    /// A module with a `target_features` section (`+bulk-memory`, `+reference-types`,
    /// `-simd128`) and a custom section after it, encoded by hand.
    fn module_with_features() -> Vec<u8> {
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        let mut data = vec![3];
        for (prefix, name) in [
            (b'+', "bulk-memory"),
            (b'+', "reference-types"),
            (b'-', "simd128"),
        ] {
            data.push(prefix);
            data.push(name.len() as u8);
            data.extend_from_slice(name.as_bytes());
        }
        for (name, data) in [("target_features", data), ("other", b"kept".to_vec())] {
            module.push(0);
            module.push((1 + name.len() + data.len()) as u8);
            module.push(name.len() as u8);
            module.extend_from_slice(name.as_bytes());
            module.extend_from_slice(&data);
        }
        module
    }

    #[test]
    fn reference_types_leave_the_target_features_and_nothing_else_changes() {
        let module = module_with_features();
        let out = without_reference_types(&module).expect("rewrites");
        let mut features = Vec::new();
        let mut customs = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(&out) {
            if let wasmparser::Payload::CustomSection(custom) = payload.expect("valid") {
                customs.push(custom.name().to_owned());
                if custom.name() == "target_features" {
                    let mut reader = wasmparser::BinaryReader::new(custom.data(), 0);
                    for _ in 0..reader.read_var_u32().expect("count") {
                        let prefix = reader.read_u8().expect("prefix") as char;
                        features.push(format!("{prefix}{}", reader.read_string().expect("name")));
                    }
                } else {
                    assert_eq!(custom.data(), b"kept");
                }
            }
        }
        assert_eq!(features, ["+bulk-memory", "-simd128"]);
        assert_eq!(customs, ["target_features", "other"]);
        // Without reference types in it, the rewrite changes nothing.
        assert_eq!(without_reference_types(&out).expect("rewrites"), out);
        assert!(without_reference_types(b"\0asm").is_err());
        assert!(without_reference_types(&module[..module.len() - 3]).is_err());
    }
}
