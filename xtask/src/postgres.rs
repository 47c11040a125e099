//! PostgreSQL for the server's tests, the bench and `cargo xtask postgres`:
//! Debian's PostgreSQL server (installed with apt when missing), and
//! private, throwaway clusters of it, each in a temporary directory of its
//! own on a free port, stopped and removed when dropped.
//!
//! PostgreSQL refuses to run as root; as root (a CI machine, a container),
//! the cluster's programs run as `nobody` through util-linux's `setpriv`.
//! `setpriv` also gives the server a parent-death signal, so it stops when
//! xtask dies without unwinding (Ctrl-C, a CI timeout's SIGKILL); the
//! directory such an xtask leaves behind is removed by the next start.

use std::env;
use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::process::Result;
use crate::tools;

/// The oldest PostgreSQL major the server supports.
pub const MIN_MAJOR: u32 = 15;
/// Where Debian installs each major's server programs (`<major>/bin`).
const DEBIAN_LIB: &str = "/usr/lib/postgresql";
/// The programs a cluster needs from a major's bin directory.
const PROGRAMS: &[&str] = &["initdb", "postgres", "pg_ctl", "pg_isready"];
/// The cluster's superuser, the user of its URL.
const USER: &str = "roster";
/// The unprivileged user that runs the cluster when xtask runs as root.
const UNPRIVILEGED_USER: &str = "nobody";
/// Names of the clusters' temporary directories: `roster-pg-<xtask pid>-<n>`.
const DIR_PREFIX: &str = "roster-pg-";
/// How long a new server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The bin directory of the newest PostgreSQL >= [`MIN_MAJOR`] under
/// /usr/lib/postgresql; when there is none, installs Debian's `postgresql`
/// package first.
pub fn ensure_postgres() -> Result<PathBuf> {
    if let Some(bin) = find_postgres() {
        return Ok(bin);
    }
    eprintln!("xtask: installing postgresql from Debian");
    tools::apt_install(&["postgresql"])?;
    find_postgres().ok_or_else(|| {
        format!(
            "Debian's postgresql package installed no PostgreSQL >= {MIN_MAJOR} \
             with {} under {DEBIAN_LIB}/<major>/bin",
            PROGRAMS.join(", ")
        )
        .into()
    })
}

fn find_postgres() -> Option<PathBuf> {
    let names = fs::read_dir(DEBIAN_LIB)
        .ok()?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned());
    supported_majors(names)
        .into_iter()
        .map(|major| Path::new(DEBIAN_LIB).join(major.to_string()).join("bin"))
        .find(|bin| PROGRAMS.iter().all(|program| bin.join(program).is_file()))
}

/// The majors >= [`MIN_MAJOR`] among directory names such as "15" or "9.6",
/// newest first.
fn supported_majors(names: impl IntoIterator<Item = String>) -> Vec<u32> {
    let mut majors: Vec<u32> = names
        .into_iter()
        .filter_map(|name| name.parse().ok())
        .filter(|major| *major >= MIN_MAJOR)
        .collect();
    majors.sort_unstable_by(|a, b| b.cmp(a));
    majors
}

/// A private PostgreSQL server on 127.0.0.1 with trust authentication for
/// the superuser `roster`, its data in a new temporary directory; dropping
/// it stops the server and removes the directory.
///
/// Start it from the thread that outlives it (the server's parent-death
/// signal follows the thread that started it).
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    /// uid and gid the cluster's programs run as, when xtask is root.
    owner: Option<(u32, u32)>,
    port: u16,
    server: Option<Child>,
}

impl Cluster {
    pub fn start() -> Result<Cluster> {
        let bin = ensure_postgres()?;
        let owner = if tools::is_root() {
            Some(unprivileged_ids()?)
        } else {
            None
        };
        let dir = new_dir(owner)?;
        // From here on, dropping `cluster` (on any error too) cleans up.
        let mut cluster = Cluster {
            bin,
            dir,
            owner,
            port: 0,
            server: None,
        };
        cluster.initdb()?;
        // Another process may take the free port before the server does.
        let mut attempts = 0;
        loop {
            attempts += 1;
            cluster.port = free_port()?;
            cluster.spawn_server()?;
            match cluster.wait_until_ready() {
                Ok(()) => return Ok(cluster),
                Err(error) => {
                    let port_taken = cluster.log().contains("Address already in use");
                    cluster.stop_server();
                    if !port_taken || attempts == 3 {
                        return Err(error);
                    }
                }
            }
        }
    }

    /// `postgres://roster@127.0.0.1:<port>/postgres`
    pub fn url(&self) -> String {
        cluster_url(self.port)
    }

    /// An error with the end of the server's log if the server has exited.
    pub fn check_running(&mut self) -> Result<()> {
        let status = match self.server.as_mut() {
            Some(server) => server.try_wait()?,
            None => return Err("the PostgreSQL server was stopped".into()),
        };
        match status {
            None => Ok(()),
            Some(status) => {
                Err(format!("PostgreSQL exited ({status})\n{}", self.log_tail()).into())
            }
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    /// One of the cluster's programs, run as the cluster's owner in the
    /// cluster's directory, with SIGINT (fast shutdown) when xtask's
    /// starting thread dies.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("setpriv");
        if let Some((uid, gid)) = self.owner {
            cmd.arg(format!("--reuid={uid}"))
                .arg(format!("--regid={gid}"))
                .arg("--clear-groups");
        }
        cmd.arg("--pdeathsig=INT")
            .arg("--")
            .arg(self.bin.join(program))
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        cmd
    }

    fn initdb(&self) -> Result<()> {
        let mut initdb = self.command("initdb");
        initdb
            .arg("-D")
            .arg(self.data())
            .args(["-U", USER, "--auth=trust", "--encoding=UTF8", "--locale=C"])
            // A throwaway cluster: nothing to flush to disk.
            .arg("--no-sync");
        let output = initdb
            .output()
            .map_err(|e| format!("cannot start {initdb:?}: {e} (util-linux's setpriv?)"))?;
        if output.status.success() {
            return Ok(());
        }
        Err(format!(
            "{initdb:?} failed ({})\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .into())
    }

    fn spawn_server(&mut self) -> Result<()> {
        let log = File::create(self.log_path())?;
        let mut postgres = self.command("postgres");
        postgres
            .arg("-D")
            .arg(self.data())
            .args(["-p", &self.port.to_string()])
            .arg("-k")
            .arg(&self.dir)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
            ])
            .stdout(log.try_clone()?)
            .stderr(log);
        let server = postgres
            .spawn()
            .map_err(|e| format!("cannot start {postgres:?}: {e}"))?;
        self.server = Some(server);
        Ok(())
    }

    fn wait_until_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            self.check_running()?;
            if self.is_ready() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "PostgreSQL on port {} accepted no connection within {}s\n{}",
                    self.port,
                    START_TIMEOUT.as_secs(),
                    self.log_tail()
                )
                .into());
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether this cluster's server (not another one that took the port)
    /// accepts connections: its postmaster.pid names it and says "ready",
    /// and pg_isready connects.
    fn is_ready(&self) -> bool {
        let Some(server) = &self.server else {
            return false;
        };
        let pid_file = fs::read_to_string(self.data().join("postmaster.pid")).unwrap_or_default();
        if !pid_file_says_ready(&pid_file, server.id()) {
            return false;
        }
        Command::new(self.bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", USER, "-d", "postgres", "-t", "2"])
            .stdin(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// The end of the server's log, for a failure's report.
    fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        format!("-- the last lines of PostgreSQL's log:\n{tail}")
    }

    /// Stops the server (immediate shutdown: its data is thrown away) and
    /// waits for it to exit.
    fn stop_server(&mut self) {
        let Some(mut server) = self.server.take() else {
            return;
        };
        if let Ok(None) = server.try_wait() {
            let stopped = self
                .command("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .args(["stop", "-m", "immediate", "-w", "-t", "10", "-s"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success());
            if !stopped {
                let _ = server.kill();
            }
        }
        let _ = server.wait();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop_server();
        // Best effort: a server process still exiting may hold a file.
        if fs::remove_dir_all(&self.dir).is_err() {
            thread::sleep(Duration::from_secs(1));
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Whether a postmaster.pid is that of the server `pid` and says it accepts
/// connections (its first line is the pid, its eighth the status).
fn pid_file_says_ready(pid_file: &str, pid: u32) -> bool {
    let lines: Vec<&str> = pid_file.lines().map(str::trim).collect();
    lines.first() == Some(&pid.to_string().as_str()) && lines.get(7) == Some(&"ready")
}

fn cluster_url(port: u16) -> String {
    format!("postgres://{USER}@127.0.0.1:{port}/postgres")
}

/// A port free on 127.0.0.1 now; the server takes it right after.
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The uid and gid of [`UNPRIVILEGED_USER`].
fn unprivileged_ids() -> Result<(u32, u32)> {
    let id = |flag: &str| -> Result<u32> {
        let output = Command::new("id")
            .args([flag, UNPRIVILEGED_USER])
            .output()
            .map_err(|e| format!("cannot run id: {e}"))?;
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .map_err(|_| {
                format!(
                    "PostgreSQL cannot run as root, and there is no user {UNPRIVILEGED_USER} \
                     to run it as"
                )
                .into()
            })
    };
    Ok((id("-u")?, id("-g")?))
}

/// A new directory for a cluster, owned by `owner` when given, in the
/// temporary directory (or /tmp, when `owner` could not reach that one);
/// stale ones there are removed first.
fn new_dir(owner: Option<(u32, u32)>) -> Result<PathBuf> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let mut base = env::temp_dir();
    if owner.is_some() && !searchable_by_others(&base) {
        base = PathBuf::from("/tmp");
        if !searchable_by_others(&base) {
            return Err(format!(
                "{UNPRIVILEGED_USER} cannot reach the temporary directory: a directory \
                 on its path is not searchable by others; set TMPDIR to one that is"
            )
            .into());
        }
    }
    remove_stale_dirs(&base);
    let dir = loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("{DIR_PREFIX}{}-{n}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => break dir,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display()).into()),
        }
    };
    let owned = fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).and_then(|()| {
        owner.map_or(Ok(()), |(uid, gid)| {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
        })
    });
    if let Err(e) = owned {
        let _ = fs::remove_dir(&dir);
        return Err(format!("cannot prepare {}: {e}", dir.display()).into());
    }
    Ok(dir)
}

/// Whether every directory from `/` to `dir` lets others through (o+x).
fn searchable_by_others(dir: &Path) -> bool {
    dir.ancestors()
        .all(|d| fs::metadata(d).is_ok_and(|m| m.is_dir() && m.permissions().mode() & 0o001 != 0))
}

/// Removes the directories of clusters whose xtask is gone (one stopped
/// by Ctrl-C cannot clean up; its server stopped with it).
fn remove_stale_dirs(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.filter_map(|entry| entry.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = owning_pid(&name) else {
            continue;
        };
        let dir = entry.path();
        let server_pid = fs::read_to_string(dir.join("data/postmaster.pid"))
            .ok()
            .and_then(|file| file.lines().next()?.trim().parse::<u32>().ok());
        let alive = |pid: u32| Path::new("/proc").join(pid.to_string()).exists();
        if !alive(pid) && !server_pid.is_some_and(alive) {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

/// The pid of the xtask that made a cluster directory named `name`.
fn owning_pid(name: &str) -> Option<u32> {
    let (pid, n) = name.strip_prefix(DIR_PREFIX)?.split_once('-')?;
    n.parse::<u32>().ok()?;
    pid.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn the_newest_supported_major_comes_first() {
        assert_eq!(
            supported_majors(names(&["15", "17", "16", "14"])),
            vec![17, 16, 15]
        );
    }

    #[test]
    fn old_majors_and_other_names_are_no_candidates() {
        assert_eq!(
            supported_majors(names(&["9.6", "13", "14", "README", "15beta", ""])),
            Vec::<u32>::new()
        );
        assert_eq!(supported_majors(names(&["9.6", "15"])), vec![15]);
    }

    #[test]
    fn a_server_is_ready_when_its_pid_file_says_so() {
        let file = |status: &str| {
            format!(
                "4242\n/tmp/roster-pg-1-0/data\n1767225600\n54321\n/tmp/roster-pg-1-0\n\
                 127.0.0.1\n  54321001    327680\n{status}\n"
            )
        };
        assert!(pid_file_says_ready(&file("ready   "), 4242));
        assert!(!pid_file_says_ready(&file("starting"), 4242));
        assert!(!pid_file_says_ready(&file("ready   "), 4243));
        assert!(!pid_file_says_ready("4242\n", 4242));
        assert!(!pid_file_says_ready("", 4242));
    }

    #[test]
    fn the_url_names_the_superuser_and_the_port() {
        assert_eq!(
            cluster_url(54321),
            "postgres://roster@127.0.0.1:54321/postgres"
        );
    }

    #[test]
    fn only_cluster_directories_name_an_xtask() {
        assert_eq!(owning_pid("roster-pg-4242-0"), Some(4242));
        assert_eq!(owning_pid("roster-pg-4242-17"), Some(4242));
        assert_eq!(owning_pid("roster-pg-4242"), None);
        assert_eq!(owning_pid("roster-pg-x-1"), None);
        assert_eq!(owning_pid("chromium-4242"), None);
    }

    #[test]
    fn the_root_is_searchable_and_a_private_directory_is_not() {
        assert!(searchable_by_others(Path::new("/")));
        let private = env::temp_dir().join(format!("xtask-private-{}", std::process::id()));
        fs::create_dir_all(private.join("inner")).unwrap();
        fs::set_permissions(&private, fs::Permissions::from_mode(0o700)).unwrap();
        let reachable = searchable_by_others(&private.join("inner"));
        fs::remove_dir_all(&private).unwrap();
        assert!(!reachable);
    }

    /// Starts a real cluster, only with `XTASK_PG_SMOKE=1` (the other tests
    /// start no server).
    #[test]
    fn a_cluster_answers_and_goes_away() {
        if env::var("XTASK_PG_SMOKE").as_deref() != Ok("1") {
            eprintln!("skipped: XTASK_PG_SMOKE=1 starts a PostgreSQL cluster");
            return;
        }
        let cluster = Cluster::start().expect("a cluster");
        let psql = |sql: &str| {
            let output = Command::new(cluster.bin.join("psql"))
                .arg(cluster.url())
                .args(["-X", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql])
                .output()
                .expect("psql runs");
            assert!(
                output.status.success(),
                "psql {sql:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8_lossy(&output.stdout).trim().to_string()
        };
        assert_eq!(psql("select current_user"), "roster");
        // What the server's test harness does for each test.
        psql("create database roster_smoke");
        assert_eq!(psql("show max_connections"), "300");
        assert_eq!(psql("show fsync"), "off");
        let (dir, port) = (cluster.dir.clone(), cluster.port);
        drop(cluster);
        assert!(!dir.exists(), "{} is removed", dir.display());
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "nothing listens on port {port}"
        );
    }
}
