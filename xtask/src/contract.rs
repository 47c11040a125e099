//! The API's contract checked from outside, with Python tools from PyPI:
//! Daytona's published Python clients drive a real server
//! (`tests/daytona-client/contract.py`, once per pinned client version),
//! and schemathesis fuzzes it against the OpenAPI document it serves
//! (`tests/schemathesis/fuzz.py`). Each run gets a fresh server on a free
//! port with a new SQLite file and the demo data (`--dev`).

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::process::{run, target_dir, workspace_root, Result};
use crate::tools::{self, cargo};

/// The published `daytona-api-client` versions Roster's server must serve:
/// the current one and the oldest still supported (the v0.190 contract).
/// Each has its pinned requirements in `tests/daytona-client/`.
pub const DAYTONA_CLIENTS: &[&str] = &["0.231.0", "0.190.0"];

fn daytona_client_env(version: &str) -> Result<PathBuf> {
    tools::ensure_python_env(
        &format!("daytona-api-client-{version}"),
        &workspace_root().join(format!("tests/daytona-client/requirements-{version}.txt")),
    )
}

fn schemathesis_env() -> Result<PathBuf> {
    tools::ensure_python_env(
        "schemathesis",
        &workspace_root().join("tests/schemathesis/requirements.txt"),
    )
}

/// Every Python environment these checks use.
pub fn ensure_python_tools() -> Result<()> {
    for version in DAYTONA_CLIENTS {
        daytona_client_env(version)?;
    }
    schemathesis_env().map(drop)
}

fn build_server() -> Result<PathBuf> {
    run(cargo().args(["build", "--package", "roster-server"]))?;
    Ok(target_dir().join("debug/roster-server"))
}

/// Each pinned Daytona client through every operation Roster serves; all
/// versions run even when one fails.
pub fn daytona_clients() -> Result<()> {
    let server_bin = build_server()?;
    let script = workspace_root().join("tests/daytona-client/contract.py");
    let mut failed = Vec::new();
    for version in DAYTONA_CLIENTS {
        let python = daytona_client_env(version)?;
        let server = ApiServer::start(&server_bin)?;
        if let Err(error) = server.run_python(&python, &script) {
            failed.push(format!("daytona-api-client {version}: {error}"));
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; ").into())
    }
}

/// A bounded, seeded schemathesis run against the served document.
pub fn fuzz() -> Result<()> {
    let server_bin = build_server()?;
    let python = schemathesis_env()?;
    let server = ApiServer::start(&server_bin)?;
    server.run_python(
        &python,
        &workspace_root().join("tests/schemathesis/fuzz.py"),
    )
}

/// roster-server on a free port with a database of its own, stopped and
/// removed when dropped.
struct ApiServer {
    url: String,
    address: SocketAddr,
    process: Child,
    dir: PathBuf,
}

impl ApiServer {
    fn start(binary: &Path) -> Result<ApiServer> {
        // The port is free once the listener is dropped; the server takes it
        // right after.
        let address = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let url = format!("http://{address}");
        let dir =
            target_dir()
                .join("tmp")
                .join(format!("api-{}-{}", std::process::id(), address.port()));
        fs::create_dir_all(&dir)?;
        let log = File::create(dir.join("server.log"))?;
        let process = Command::new(binary)
            .arg("serve")
            .args(["--listen", &address.to_string()])
            .arg("--database-url")
            .arg(format!("sqlite://{}", dir.join("roster.db").display()))
            .arg("--static-dir")
            .arg(&dir)
            .args(["--public-url", &url])
            .arg("--dev")
            .env("NO_COLOR", "1")
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let mut server = ApiServer {
            url,
            address,
            process,
            dir,
        };
        server.wait_until_healthy()?;
        Ok(server)
    }

    fn wait_until_healthy(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.process.try_wait()? {
                return Err(format!("roster-server exited ({status})\n{}", self.log_tail()).into());
            }
            if is_healthy(self.address) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "roster-server at {} did not answer /api/health\n{}",
                    self.url,
                    self.log_tail()
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs `script` with the server's address; on failure, shows the end
    /// of the server's log.
    fn run_python(&self, python: &Path, script: &Path) -> Result<()> {
        let status = Command::new(python)
            .arg(script)
            .arg(&self.url)
            .current_dir(workspace_root())
            .status()
            .map_err(|e| format!("cannot start {}: {e}", python.display()))?;
        if status.success() {
            return Ok(());
        }
        eprintln!("{}", self.log_tail());
        let name = script.file_name().unwrap_or_default().to_string_lossy();
        Err(format!("{name} failed ({status})").into())
    }

    /// The end of the server's log, for a failure's report.
    fn log_tail(&self) -> String {
        let log = fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        format!("-- the last lines of roster-server's log:\n{tail}")
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// `GET /api/health` answers 200 (one HTTP/1.0 request, no client library).
fn is_healthy(address: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /api/health HTTP/1.0\r\nHost: {address}\r\n\r\n");
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer
            .lines()
            .next()
            .is_some_and(|status| status.split_whitespace().nth(1) == Some("200"))
}
