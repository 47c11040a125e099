//! The real `roster-server` (the release binary `cargo xtask bench` built),
//! on the generated database, serving a copy of `dist/` with the floor files
//! next to the SPA (or, in a second instance during the cold loads, the
//! reference app of `bench/bare`).

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use crate::result::Result;

pub struct Server {
    pub url: String,
    pub address: SocketAddr,
    process: Child,
}

fn free_address() -> Result<SocketAddr> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

impl Server {
    pub async fn start(binary: &Path, database: &Path, static_dir: &Path) -> Result<Server> {
        let address = free_address()?;
        let url = format!("http://{address}");
        let process = Command::new(binary)
            .arg("serve")
            .args(["--listen", &address.to_string()])
            .arg("--database-url")
            .arg(format!("sqlite://{}", database.display()))
            .arg("--static-dir")
            .arg(static_dir)
            .args(["--public-url", &url])
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let server = Server {
            url,
            address,
            process,
        };
        server.wait_until_healthy().await?;
        Ok(server)
    }

    async fn wait_until_healthy(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let health = format!("{}/api/health", self.url);
        loop {
            if let Ok(response) = reqwest_get(&health).await {
                if response == 200 {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("the server at {} did not become healthy", self.url).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The server's resident and peak resident memory, in bytes.
    pub fn memory(&self) -> Result<(u64, u64)> {
        let pid = self.process.id().ok_or("the server has exited")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let field = |name: &str| -> Result<u64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(name))
                .ok_or_else(|| format!("no {name} in /proc/{pid}/status"))?;
            let kb: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("cannot read {line:?}"))?;
            Ok(kb * 1024)
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }

    pub async fn stop(mut self) -> Result<()> {
        self.process.kill().await?;
        Ok(())
    }
}

/// The status of a plain GET (for the health check).
async fn reqwest_get(url: &str) -> Result<u16> {
    let (status, _) = crate::api::get(url, None).await?;
    Ok(status)
}
