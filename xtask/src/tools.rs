//! Installs the tools Roster builds and tests with, once, into a cache
//! directory outside the checkout, and checks their versions on every run.
//!
//! Nothing here downloads binaries from GitHub: the machines Roster is built
//! on reach only crates.io, npm and Debian (see shared/spec/toolchain.md).

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::process::{run, workspace_root, Result};

pub const TRUNK_VERSION: &str = "0.21.14";
/// The splitter of the SPA's wasm (`wasm-split-cli`, the crate's binary
/// behind its `build-binary` feature); cargo-leptos uses the same crate.
pub const WASM_SPLIT_VERSION: &str = "0.2.4";
/// The npm `binaryen` package; Debian's wasm-opt (108) breaks the module.
pub const BINARYEN_VERSION: &str = "132.0.0";
pub const AXE_CORE_VERSION: &str = "4.14.1";
/// panva's oidc-provider (OpenID Certified): the provider of the OpenID
/// Connect tests and of `cargo xtask run --oidc` (tests/oidc/provider.mjs).
pub const OIDC_PROVIDER_VERSION: &str = "9.13.3";
/// Google's Lighthouse, for `cargo xtask bench`'s page audit; 12.8 is the
/// last release that runs on Node 20 (13 needs Node 22.19).
pub const LIGHTHOUSE_VERSION: &str = "12.8.2";

/// Where installed tools live: `$ROSTER_TOOLS_DIR`, else `~/.cache/roster-tools`.
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = env::var_os("ROSTER_TOOLS_DIR") {
        return PathBuf::from(dir);
    }
    let home = env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(env::temp_dir);
    home.join(".cache").join("roster-tools")
}

fn npm_dir() -> PathBuf {
    tools_dir().join("npm")
}

/// Path to axe-core's browser bundle, for the accessibility tests.
pub fn axe_script() -> PathBuf {
    npm_dir().join("node_modules/axe-core/axe.min.js")
}

/// PATH with the installed tools first, so trunk finds our wasm-bindgen and wasm-opt.
pub fn tool_path() -> OsString {
    let mut dirs = vec![
        tools_dir().join("bin"),
        npm_dir().join("node_modules").join(".bin"),
    ];
    if let Some(path) = env::var_os("PATH") {
        dirs.extend(env::split_paths(&path));
    }
    env::join_paths(dirs).unwrap_or_default()
}

/// A command that sees the installed tools and trunk's required settings.
pub fn command(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("PATH", tool_path())
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .current_dir(workspace_root());
    cmd
}

/// Cargo, as the xtask itself was started (`CARGO`).
pub fn cargo() -> Command {
    command(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs `program --version` and returns what it printed, if it ran at all.
fn version_of(program: &str) -> Option<String> {
    let output = command(program).arg("--version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The wasm-bindgen version Cargo.lock resolved; the CLI must match it exactly
/// or trunk tries to download one.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = fs::read_to_string(workspace_root().join("Cargo.lock"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
            {
                return Ok(version.to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry; run `cargo generate-lockfile`".into())
}

fn ensure_wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn ensure_cargo_tool(
    binary: &str,
    krate: &str,
    version: &str,
    locked: bool,
    features: &[&str],
) -> Result<()> {
    let expected = format!("{binary} {version}");
    match version_of(binary) {
        Some(found) if found.starts_with(&expected) => return Ok(()),
        // A binary without `--version` (wasm-split-cli): cargo's record of
        // what it installed into the tools directory says which it is.
        _ if installed_by_cargo(krate, version)
            && tools_dir().join("bin").join(binary).exists() =>
        {
            return Ok(())
        }
        Some(found) => eprintln!("xtask: found {found}, need {expected}; installing"),
        None => eprintln!("xtask: installing {expected} (first run only; this takes minutes)"),
    }
    let root = tools_dir();
    let mut cmd = Command::new("cargo");
    cmd.args(["install", krate, "--version", version, "--force", "--root"])
        .arg(&root);
    if locked {
        cmd.arg("--locked");
    }
    for feature in features {
        cmd.args(["--features", feature]);
    }
    run(&mut cmd)
}

/// Whether `cargo install --root <tools dir>` recorded `krate` at `version`.
fn installed_by_cargo(krate: &str, version: &str) -> bool {
    fs::read_to_string(tools_dir().join(".crates.toml"))
        .is_ok_and(|record| record.contains(&format!("\"{krate} {version} (")))
}

fn ensure_npm_packages() -> Result<()> {
    let wasm_opt_ok = version_of("wasm-opt")
        .is_some_and(|v| v.contains(&format!("version {}", major(BINARYEN_VERSION))));
    if wasm_opt_ok
        && npm_installed("axe-core", AXE_CORE_VERSION)
        && npm_installed("oidc-provider", OIDC_PROVIDER_VERSION)
        && npm_installed("lighthouse", LIGHTHOUSE_VERSION)
    {
        return Ok(());
    }
    let dir = npm_dir();
    fs::create_dir_all(&dir)?;
    eprintln!(
        "xtask: installing binaryen {BINARYEN_VERSION}, axe-core {AXE_CORE_VERSION}, \
         oidc-provider {OIDC_PROVIDER_VERSION} and lighthouse {LIGHTHOUSE_VERSION} from npm"
    );
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("binaryen@{BINARYEN_VERSION}"))
        .arg(format!("axe-core@{AXE_CORE_VERSION}"))
        .arg(format!("oidc-provider@{OIDC_PROVIDER_VERSION}"))
        .arg(format!("lighthouse@{LIGHTHOUSE_VERSION}")))
}

fn npm_installed(package: &str, version: &str) -> bool {
    let manifest = npm_dir()
        .join("node_modules")
        .join(package)
        .join("package.json");
    fs::read_to_string(manifest).is_ok_and(|p| p.contains(&format!("\"version\": \"{version}\"")))
}

/// binaryen's JavaScript module (the npm package), for xtask/wasm_opt.mjs.
pub fn binaryen_module() -> PathBuf {
    npm_dir().join("node_modules/binaryen/index.js")
}

/// The installed oidc-provider package's entry module, for
/// tests/oidc/provider.mjs (`ROSTER_OIDC_PROVIDER_MODULE`).
pub fn oidc_provider_module() -> PathBuf {
    npm_dir().join("node_modules/oidc-provider/lib/index.js")
}

/// The installed Lighthouse command line, for the bench
/// (`ROSTER_LIGHTHOUSE`).
pub fn lighthouse_cli() -> PathBuf {
    npm_dir().join("node_modules/lighthouse/cli/index.js")
}

fn major(version: &str) -> &str {
    version.split('.').next().unwrap_or(version)
}

/// Everything needed to build the SPA: wasm target, trunk, the splitter,
/// wasm-bindgen, wasm-opt.
pub fn ensure_spa_toolchain() -> Result<()> {
    ensure_wasm_target()?;
    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, true, &[])?;
    ensure_cargo_tool(
        "wasm-split-cli",
        "wasm_split_cli_support",
        WASM_SPLIT_VERSION,
        true,
        &["build-binary"],
    )?;
    // `--locked` fails for wasm-bindgen-cli on these machines (toolchain.md).
    ensure_cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        &locked_wasm_bindgen_version()?,
        false,
        &[],
    )?;
    ensure_npm_packages()
}

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Debian's Chromium and ChromeDriver, for wasm-bindgen tests and browser tests.
pub fn ensure_browser() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    eprintln!("xtask: installing chromium and chromium-driver from Debian");
    apt_install(&["chromium", "chromium-driver"])
}

/// Whether xtask runs as root (uid 0).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Installs Debian packages without their recommends, non-interactively:
/// apt-get as root, else through sudo. The package lists are updated once
/// per run.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    static UPDATED: AtomicBool = AtomicBool::new(false);
    let is_root = is_root();
    let apt = |args: &[&str]| {
        let mut cmd = if is_root {
            let mut apt_get = Command::new("apt-get");
            apt_get.env("DEBIAN_FRONTEND", "noninteractive");
            apt_get
        } else {
            // sudo resets the environment; the variable goes on its command line.
            let mut sudo = Command::new("sudo");
            sudo.args(["DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            sudo
        };
        run(cmd.args(args))
    };
    if !UPDATED.load(Ordering::Relaxed) {
        apt(&["update"])?;
        UPDATED.store(true, Ordering::Relaxed);
    }
    apt(&[&["install", "-y", "--no-install-recommends"], packages].concat())
}

/// The Python that makes the virtual environments.
const PYTHON: &str = "python3";

/// A virtual environment under the tools directory holding exactly the
/// packages of `requirements` (a pinned requirements file of the
/// repository), installed from PyPI; made again when that file changes.
/// Returns the environment's `python`.
pub fn ensure_python_env(name: &str, requirements: &Path) -> Result<PathBuf> {
    let wanted = fs::read_to_string(requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let env = tools_dir().join("python").join(name);
    let python = env.join("bin").join("python");
    // What the environment was made from, to tell whether it is current.
    let stamp = env.join("roster-requirements.txt");
    if python.exists() && fs::read_to_string(&stamp).is_ok_and(|made| made == wanted) {
        return Ok(python);
    }
    eprintln!("xtask: installing {name} from PyPI into {}", env.display());
    if env.exists() {
        fs::remove_dir_all(&env)?;
    }
    run(Command::new(PYTHON).args(["-m", "venv"]).arg(&env)).map_err(|e| {
        format!("{e}: {PYTHON} cannot make a virtual environment (Debian's python3-venv?)")
    })?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--requirement",
        ])
        .arg(requirements))?;
    fs::write(&stamp, wanted)?;
    Ok(python)
}
