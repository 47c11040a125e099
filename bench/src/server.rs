//! The real `roster-server` (the release binary `cargo xtask bench` built),
//! on the generated database, serving a copy of `dist/` with the floor files
//! next to the SPA (or, in a second instance during the cold loads, the
//! reference app of `bench/bare`). With `--postgres`, one or two instances
//! on the same PostgreSQL database. For Lighthouse, an instance with the
//! demo's data (`--dev`).

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
    /// An instance on the SQLite file `database`.
    pub async fn start(binary: &Path, database: &Path, static_dir: &Path) -> Result<Server> {
        let database_url = format!("sqlite://{}", database.display());
        Server::start_on(binary, &database_url, static_dir).await
    }

    /// An instance on the database at `database_url`.
    pub async fn start_on(binary: &Path, database_url: &str, static_dir: &Path) -> Result<Server> {
        Server::spawn(binary, database_url, static_dir, &[]).await
    }

    /// An instance with `--dev` on the new SQLite file `database`: the
    /// demo's data (Initech's 2,000 members, its owner alice@example.com),
    /// seeded at start.
    pub async fn start_demo(binary: &Path, database: &Path, static_dir: &Path) -> Result<Server> {
        let database_url = format!("sqlite://{}", database.display());
        Server::spawn(binary, &database_url, static_dir, &["--dev"]).await
    }

    async fn spawn(
        binary: &Path,
        database_url: &str,
        static_dir: &Path,
        flags: &[&str],
    ) -> Result<Server> {
        let address = free_address()?;
        let url = format!("http://{address}");
        let process = Command::new(binary)
            .arg("serve")
            .args(flags)
            .args(["--listen", &address.to_string()])
            .arg("--database-url")
            .arg(database_url)
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

    /// The CPU time the server has used (user and system), in seconds.
    pub fn cpu_seconds(&self) -> Result<f64> {
        let pid = self.process.id().ok_or("the server has exited")?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
        // After the command's name (in parentheses): state, ppid, …; utime
        // and stime are the 14th and 15th fields, in clock ticks (USER_HZ,
        // 100 on Linux).
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks = |i: usize| -> Result<f64> {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .ok_or_else(|| format!("cannot read /proc/{pid}/stat").into())
        };
        Ok((ticks(11)? + ticks(12)?) / 100.0)
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
