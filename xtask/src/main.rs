//! `cargo xtask run | test | bench | dist | postgres` — the commands in
//! Roster's README.
//!
//! Each command installs what it is missing first (see `tools`), so a fresh
//! machine with only rustup, Node/npm and apt needs nothing else.

mod bundle;
mod contract;
mod layers;
mod postgres;
mod process;
mod spa;
mod tools;

use std::env;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use crate::process::{run, target_dir, workspace_root, Result};
use crate::tools::cargo;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run [--port N] [--oidc]
                   build the SPA and the server, start them on 127.0.0.1:N
                   (default 8080) with demo data in ./data/roster.db; with
                   --oidc, sign-in goes through an OpenID provider on port N+1
  test             format and lint checks, native tests, the server's tests
                   again on PostgreSQL, wasm tests in headless Chromium,
                   browser tests against the real server
  bench [--quick] [--runs N] [--cold-runs N] [--cold-pause S] [--rounds N] [--seconds S] [--connections N] [--postgres] [--lighthouse-runs N] [--lighthouse-only]
                   build release artifacts and benchmark them at scale (10,000
                   members, a million audit rows) and audit the demo's Initech
                   members page with Lighthouse; prints a table and writes
                   bench/results.json; with --postgres, on a throwaway
                   PostgreSQL server (ROSTER_BENCH_POSTGRES); with
                   --lighthouse-only, only the Lighthouse audit (a few minutes)
  dist             build the SPA into ./dist (release)
  layers           only the architecture step of `test`: each crate's imports
                   keep to the layers of docs/architecture.md
  contract         only the API contract steps of `test`: Daytona's Python
                   clients against the server, and the schemathesis run
  spa-wasm         trunk's post-build hook (Trunk.toml): builds the SPA's wasm
                   split into chunks into trunk's staging directory
  postgres         start a throwaway PostgreSQL server (Debian's, >= 15,
                   installed when missing) on a free port, print its URL
                   and keep it until Ctrl-C; its data is removed
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("run") => run_product(&args[1..]),
        Some("test") => return test_everything(),
        Some("bench") => bench(&args[1..]),
        Some("dist") => tools::ensure_spa_toolchain().and_then(|()| build_spa()),
        Some("contract") => return test_contract(),
        Some("layers") => layers::check_workspace(&workspace_root()).map_err(Into::into),
        Some("postgres") => serve_postgres(),
        Some("spa-wasm") => spa::trunk_hook(),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a command that starts Chromium with its temporary files in a
/// directory of its own, removed afterwards. Chromium and chromedriver leave
/// profile directories (~100 MB each) in the temporary directory when the
/// runner stops them abruptly; a CI machine's disk must not fill up with them.
fn run_with_scratch_tmp(cmd: &mut Command) -> Result<()> {
    let scratch = target_dir()
        .join("tmp")
        .join(format!("chromium-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let outcome = run(cmd.env("TMPDIR", &scratch));
    // Best effort: a browser still exiting may hold a file for a moment.
    if std::fs::remove_dir_all(&scratch).is_err() {
        std::thread::sleep(Duration::from_secs(1));
        let _ = std::fs::remove_dir_all(&scratch);
    }
    outcome
}

fn build_spa() -> Result<()> {
    run(tools::command("trunk").args(["build", "--release"]))?;
    bundle::precompress(&workspace_root().join("dist"))
}

fn run_product(args: &[String]) -> Result<()> {
    let mut port = 8080u16;
    let mut oidc = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--oidc" => oidc = true,
            "--port" => {
                port = rest
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a port number, e.g. --port 3000")?;
            }
            other => return Err(format!("unknown option {other}\n\n{USAGE}").into()),
        }
    }
    tools::ensure_spa_toolchain()?;
    build_spa()?;
    run(cargo().args(["build", "--release", "--package", "roster-server"]))?;

    let root = workspace_root();
    std::fs::create_dir_all(root.join("data"))?;
    let server = target_dir().join("release/roster-server");
    let url = format!("http://127.0.0.1:{port}");
    let mut command = tools::command(&server.to_string_lossy());
    command
        .arg("serve")
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--database-url", "sqlite://data/roster.db"])
        .args(["--static-dir", "dist"])
        .args(["--public-url", &url])
        .arg("--dev");
    // The provider runs as long as this command does.
    let _provider = if oidc {
        let provider_port = port + 1;
        let issuer = format!("http://127.0.0.1:{provider_port}");
        command
            .args(["--oidc-issuer", &issuer])
            .args(["--oidc-client-id", OIDC_CLIENT_ID])
            .args(["--oidc-audience", OIDC_AUDIENCE]);
        Some(start_oidc_provider(provider_port, &format!("{url}/"))?)
    } else {
        None
    };
    run(&mut command)
}

const OIDC_CLIENT_ID: &str = "roster-spa";
const OIDC_AUDIENCE: &str = "https://roster.test/api";

/// Stops the provider when `cargo xtask run --oidc` ends.
struct ChildGuard(std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

/// panva's oidc-provider with the demo users (tests/oidc/provider.mjs),
/// its keys kept in data/ with the database.
fn start_oidc_provider(port: u16, app_root: &str) -> Result<ChildGuard> {
    let root = workspace_root();
    let users = r#"[
        {"login": "alice", "email": "alice@example.com", "name": "Alice Anderson"},
        {"login": "bob", "email": "bob@example.com", "name": "Bob Brown"},
        {"login": "carol", "email": "carol@example.com", "name": "Carol Clark"},
        {"login": "dave", "email": "dave@example.com", "name": "Dave Davis"}
    ]"#;
    let child = tools::command("node")
        .arg(root.join("tests/oidc/provider.mjs"))
        .env("OIDC_PORT", port.to_string())
        .env("OIDC_CLIENT_ID", OIDC_CLIENT_ID)
        .env("OIDC_AUDIENCE", OIDC_AUDIENCE)
        .env("OIDC_REDIRECT_URIS", app_root)
        .env("OIDC_USERS", users)
        .env("OIDC_KEYS_FILE", root.join("data/oidc-keys.json"))
        .env("ROSTER_OIDC_PROVIDER_MODULE", tools::oidc_provider_module())
        .spawn()
        .map_err(|e| format!("cannot start the OpenID provider with node: {e}"))?;
    println!(
        "OpenID provider at http://127.0.0.1:{port}: sign in as alice, bob, carol or dave \
         (any password)"
    );
    Ok(ChildGuard(child))
}

/// `cargo xtask postgres`: a cluster until Ctrl-C. The URL alone goes to
/// stdout for scripts. Ctrl-C reaches the server too (same process group;
/// else its parent-death signal stops it), and the next start removes the
/// directory this process could not.
fn serve_postgres() -> Result<()> {
    let mut cluster = postgres::Cluster::start()?;
    println!("{}", cluster.url());
    eprintln!(
        "PostgreSQL for Roster at {} (Ctrl-C stops it)",
        cluster.url()
    );
    loop {
        std::thread::sleep(Duration::from_secs(1));
        cluster.check_running()?;
    }
}

/// Builds the release SPA, server and bench driver once, then runs the
/// driver (`bench/`), which starts the real server on generated data; with
/// `--postgres` (passed on to the driver too), on a throwaway PostgreSQL
/// server that lives until the driver exits.
fn bench(args: &[String]) -> Result<()> {
    let on_postgres = args.iter().any(|arg| arg == "--postgres");
    if on_postgres {
        // Before the builds, so a missing PostgreSQL fails fast.
        postgres::ensure_postgres()?;
    }
    // Only the Lighthouse audit: no reference app to build.
    let lighthouse_only = args.iter().any(|arg| arg == "--lighthouse-only");
    tools::ensure_spa_toolchain()?;
    tools::ensure_browser()?;
    build_spa()?;
    let root = workspace_root();
    // The bench's reference app (bench/bare), built as the SPA is.
    let bare_dist = root.join("bench/out/bare-dist");
    if !lighthouse_only {
        run(tools::command("trunk")
            .args(["build", "--release", "--dist"])
            .arg(&bare_dist)
            .arg(root.join("bench/bare/index.html")))?;
        bundle::precompress(&bare_dist)?;
    }
    run(cargo().args([
        "build",
        "--release",
        "--package",
        "roster-server",
        "--package",
        "roster-bench",
    ]))?;
    let release = target_dir().join("release");
    let mut driver = tools::command(&release.join("roster-bench").to_string_lossy());
    driver
        .args(args)
        .env("ROSTER_SERVER_BIN", release.join("roster-server"))
        .env("ROSTER_DIST", root.join("dist"))
        .env("ROSTER_BARE_DIST", &bare_dist)
        .env("ROSTER_BENCH_OUT", root.join("bench/out"))
        .env("ROSTER_BENCH_RESULTS", root.join("bench/results.json"))
        .env("CHROME", tools::CHROMIUM)
        .env("CHROMEDRIVER", tools::CHROMEDRIVER)
        .env("ROSTER_LIGHTHOUSE", tools::lighthouse_cli());
    // Dropped (stopped and removed) after the driver exits.
    let _cluster = if on_postgres {
        let cluster = postgres::Cluster::start()?;
        driver.env("ROSTER_BENCH_POSTGRES", cluster.url());
        Some(cluster)
    } else {
        None
    };
    run_with_scratch_tmp(&mut driver)
}

const DAYTONA_CLIENTS_STEP: &str = "Daytona clients (Python)";
const FUZZ_STEP: &str = "OpenAPI fuzzing (schemathesis)";

/// `cargo xtask contract`: the contract steps of `test`, alone.
fn test_contract() -> ExitCode {
    let mut summary = Vec::new();
    let mut step = |name: &'static str, work: fn() -> Result<()>| {
        eprintln!("\n== xtask contract: {name}");
        let begun = Instant::now();
        let outcome = work();
        if let Err(error) = &outcome {
            eprintln!("== xtask contract: {name} FAILED: {error}");
        }
        summary.push((name, outcome.is_ok(), begun.elapsed()));
    };
    step(DAYTONA_CLIENTS_STEP, contract::daytona_clients);
    step(FUZZ_STEP, contract::fuzz);
    eprintln!("\n== xtask contract summary");
    for (name, ok, took) in &summary {
        let mark = if *ok { "ok  " } else { "FAIL" };
        eprintln!("  {mark} {name:<36} {:>6.1}s", took.as_secs_f64());
    }
    if summary.iter().all(|(_, ok, _)| *ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

struct Step {
    name: &'static str,
    outcome: Result<(), String>,
    took: Duration,
}

/// Runs every check, even after a failure, so one run reports everything;
/// exits non-zero if any failed.
fn test_everything() -> ExitCode {
    let started = Instant::now();
    let mut steps: Vec<Step> = Vec::new();
    let mut step = |name: &'static str, work: &dyn Fn() -> Result<()>| {
        eprintln!("\n== xtask test: {name}");
        let begun = Instant::now();
        let outcome = work().map_err(|e| e.to_string());
        if let Err(error) = &outcome {
            eprintln!("== xtask test: {name} FAILED: {error}");
        }
        steps.push(Step {
            name,
            outcome,
            took: begun.elapsed(),
        });
    };

    step("install tools", &|| {
        tools::ensure_spa_toolchain()?;
        tools::ensure_browser()?;
        postgres::ensure_postgres()?;
        contract::ensure_python_tools()
    });
    step("cargo fmt --check", &|| {
        run(cargo().args(["fmt", "--all", "--", "--check"]))
    });
    step("architecture (import layers)", &|| {
        layers::check_workspace(&workspace_root()).map_err(Into::into)
    });
    step("clippy (native)", &|| {
        run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    step("clippy (wasm32)", &|| {
        run(cargo().args([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "--package",
            "roster",
            "--package",
            "roster-core",
            "--package",
            "roster-bench-bare",
            // The build that ships: views in chunks (src/components/lazy.rs).
            "--features",
            "roster/split",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    step("native tests", &|| {
        run(cargo().args(["test", "--workspace", "--exclude", "roster-browser-tests"]))
    });
    // The server's tests again, each on a database of its own on one
    // throwaway PostgreSQL server, stopped and removed after them.
    step("server tests (PostgreSQL)", &|| {
        let cluster = postgres::Cluster::start()?;
        run(cargo()
            .args(["test", "--package", "roster-server"])
            .env("ROSTER_TEST_POSTGRES", cluster.url()))
    });
    step(DAYTONA_CLIENTS_STEP, &contract::daytona_clients);
    step(FUZZ_STEP, &contract::fuzz);
    step("wasm tests (headless Chromium)", &|| {
        run_with_scratch_tmp(
            cargo()
                .args([
                    "test",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--package",
                    "roster",
                ])
                .env("CHROMEDRIVER", tools::CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
                .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "120"),
        )
    });
    step("build SPA (release)", &build_spa);
    step("browser tests (headless Chromium)", &|| {
        run(cargo().args(["build", "--package", "roster-server"]))?;
        let root = workspace_root();
        run_with_scratch_tmp(
            cargo()
                .args(["test", "--package", "roster-browser-tests"])
                .env(
                    "ROSTER_SERVER_BIN",
                    target_dir().join("debug/roster-server"),
                )
                .env("ROSTER_DIST", root.join("dist"))
                .env("ROSTER_AXE_JS", tools::axe_script())
                .env("ROSTER_OIDC_PROVIDER_MODULE", tools::oidc_provider_module())
                .env("CHROME", tools::CHROMIUM)
                .env("CHROMEDRIVER", tools::CHROMEDRIVER),
        )
    });

    let failed: Vec<&str> = steps
        .iter()
        .filter(|s| s.outcome.is_err())
        .map(|s| s.name)
        .collect();
    eprintln!("\n== xtask test summary");
    for s in &steps {
        let mark = if s.outcome.is_ok() { "ok  " } else { "FAIL" };
        eprintln!("  {mark} {:<36} {:>6.1}s", s.name, s.took.as_secs_f64());
    }
    match bundle::measure(&workspace_root().join("dist")) {
        Ok(sizes) => eprintln!("  bundle (release): {sizes}"),
        Err(error) => eprintln!("  bundle (release): not measured ({error})"),
    }
    let total = started.elapsed().as_secs();
    let verdict = if failed.is_empty() {
        format!("all {} steps passed", steps.len())
    } else {
        format!(
            "{} of {} steps FAILED: {}",
            failed.len(),
            steps.len(),
            failed.join(", ")
        )
    };
    println!("xtask test: {verdict} in {}m{:02}s", total / 60, total % 60);
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
