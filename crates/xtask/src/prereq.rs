//! What the build and the tests need from outside Cargo, installed when it is missing
//! and we can (npm packages via `npm ci`; Chromium via apt-get when we are root),
//! otherwise a message saying exactly what to install.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::{root, run_status, Result};

/// Debian's Chromium and its WebDriver; never a browser downloaded by a test tool.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// ChromeDriver for the wasm-bindgen test runner.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The copy of package-lock.json that the last successful `npm ci` installed from, so a
/// changed lock file re-runs `npm ci`.
const INSTALLED_LOCK: &str = "node_modules/.kmsplay-installed-lock.json";

/// Makes sure node_modules matches package-lock.json, running `npm ci` when it does not.
pub fn ensure_npm_packages() -> Result<()> {
    let root = root();
    let lock = fs::read(root.join("package-lock.json"))
        .map_err(|e| format!("cannot read package-lock.json: {e}"))?;
    let installed = fs::read(root.join(INSTALLED_LOCK)).ok();
    if installed.as_deref() == Some(lock.as_slice()) && root.join("node_modules").is_dir() {
        return Ok(());
    }
    if !on_path("npm") {
        return Err(
            "npm is not installed: install Node.js 18 or newer with npm \
             (Debian: `apt-get install nodejs npm`), then run this again"
                .into(),
        );
    }
    println!("npm ci (node_modules missing or older than package-lock.json)");
    run_status(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root)
            // Playwright drives Debian's Chromium; it must never fetch a browser of its own.
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
        "npm ci",
    )?;
    fs::write(root.join(INSTALLED_LOCK), &lock)
        .map_err(|e| format!("cannot write {INSTALLED_LOCK}: {e}"))
}

/// The `wasm-opt` of the npm package `binaryen`.
pub fn ensure_wasm_opt() -> Result<PathBuf> {
    ensure_npm_packages()?;
    let wasm_opt = root().join("node_modules/.bin/wasm-opt");
    if wasm_opt.is_file() {
        Ok(wasm_opt)
    } else {
        Err(format!(
            "{} is missing although `npm ci` succeeded: is `binaryen` still in package.json?",
            wasm_opt.display()
        ))
    }
}

/// The Playwright command line from node_modules.
pub fn playwright() -> Result<PathBuf> {
    ensure_npm_packages()?;
    let playwright = root().join("node_modules/.bin/playwright");
    if playwright.is_file() {
        Ok(playwright)
    } else {
        Err(format!(
            "{} is missing although `npm ci` succeeded: is `@playwright/test` still in package.json?",
            playwright.display()
        ))
    }
}

/// The requirements the client tests and the client bench install, every package pinned.
pub const PYTHON_REQUIREMENTS: &str = "tests/clients/requirements.txt";

/// The Python of a virtual environment in target/xtask/venv with the pinned packages of
/// [`PYTHON_REQUIREMENTS`], made (and brought up to date) when needed. Debian's python3
/// and its venv module are installed with apt-get when missing and we are root.
pub fn ensure_python_venv() -> Result<PathBuf> {
    let venv = crate::target_dir().join("xtask/venv");
    let python = venv.join("bin/python");
    let requirements = fs::read(root().join(PYTHON_REQUIREMENTS))
        .map_err(|e| format!("cannot read {PYTHON_REQUIREMENTS}: {e}"))?;
    let stamp = venv.join(".kmsplay-installed-requirements.txt");
    if python.is_file() && fs::read(&stamp).ok().as_deref() == Some(requirements.as_slice()) {
        return Ok(python);
    }
    let venv_works = || {
        Command::new("python3")
            .args(["-c", "import venv, ensurepip"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if !venv_works() {
        let install = "apt-get install -y python3 python3-venv python3-pip";
        if !is_root() || !on_path("apt-get") {
            return Err(format!(
                "the client tests need Python 3 with its venv module; install them as root with `apt-get update && {install}`, then run this again"
            ));
        }
        println!("installing Python: {install}");
        let apt = |args: &[&str]| {
            let mut cmd = Command::new("apt-get");
            cmd.args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdin(std::process::Stdio::null());
            cmd
        };
        run_status(&mut apt(&["update"]), "apt-get update")?;
        run_status(
            &mut apt(&["install", "-y", "python3", "python3-venv", "python3-pip"]),
            "apt-get install python3 python3-venv python3-pip",
        )?;
    }
    if !python.is_file() {
        println!("creating the Python virtual environment {}", venv.display());
        run_status(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 -m venv",
        )?;
    }
    println!("pip install -r {PYTHON_REQUIREMENTS}");
    run_status(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(root().join(PYTHON_REQUIREMENTS)),
        "pip install of the client test packages",
    )?;
    fs::write(&stamp, &requirements)
        .map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    Ok(python)
}

/// Makes sure Debian's Chromium and ChromeDriver are installed, with apt-get as root.
pub fn ensure_chromium() -> Result<()> {
    ensure_debian_packages(
        "the browser tests need Debian's Chromium and ChromeDriver",
        &["chromium", "chromium-driver"],
        &[CHROMIUM, CHROMEDRIVER],
    )
}

/// Binaryen's `wasm-split`, which splits the page's wasm in two (`dist::split_page`).
/// Debian's binaryen (108) has it; npm's `binaryen` package has none. Installed with
/// apt-get as root when missing.
pub const WASM_SPLIT: &str = "/usr/bin/wasm-split";

/// Makes sure Debian's `wasm-split` is installed.
pub fn ensure_wasm_split() -> Result<PathBuf> {
    ensure_debian_packages(
        "the page's build splits its wasm with Debian's binaryen",
        &["binaryen"],
        &[WASM_SPLIT],
    )?;
    Ok(PathBuf::from(WASM_SPLIT))
}

/// Installs the Debian `packages` with apt-get (as root) unless every file in `files`
/// exists; `why` says what needs them when we cannot.
fn ensure_debian_packages(why: &str, packages: &[&str], files: &[&str]) -> Result<()> {
    let missing = || files.iter().any(|path| !PathBuf::from(path).is_file());
    if !missing() {
        return Ok(());
    }
    let list = packages.join(" ");
    let install = format!("apt-get update && apt-get install -y {list}");
    if !is_root() || !on_path("apt-get") {
        return Err(format!(
            "{why} ({}); install them as root with `{install}`, then run this again",
            files.join(", ")
        ));
    }
    println!("installing {list}: {install}");
    let apt = |args: &[&str]| {
        let mut cmd = Command::new("apt-get");
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(std::process::Stdio::null());
        cmd
    };
    run_status(&mut apt(&["update"]), "apt-get update")?;
    let mut install_args = vec!["install", "-y"];
    install_args.extend_from_slice(packages);
    run_status(&mut apt(&install_args), &format!("apt-get install {list}"))?;
    if missing() {
        return Err(format!(
            "apt-get installed {list} but one of {} is still missing",
            files.join(", ")
        ));
    }
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}
