//! Command line and environment settings.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Roster's reference API server: Daytona's organization API on SQLite,
/// serving the SPA from the same address.
#[derive(Debug, Parser)]
#[command(name = "roster-server", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run migrations and serve the API (under /api) and the SPA.
    Serve(Settings),
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// SQLite database, e.g. sqlite://data/roster.db (created if missing).
    #[arg(
        long,
        env = "ROSTER_DATABASE_URL",
        default_value = "sqlite://data/roster.db"
    )]
    pub database_url: String,

    /// Directory with the built SPA (trunk's dist/); index.html is the
    /// fallback for client-side routes.
    #[arg(long, env = "ROSTER_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Development mode: seed demo data into an empty database, list the
    /// demo sign-ins, verify new accounts at once.
    #[arg(long, env = "ROSTER_DEV")]
    pub dev: bool,

    /// Public address of the SPA, used in e-mailed links
    /// (defaults to http://<listen>). With a path
    /// (`https://example.com/roster`) the SPA is served under that path;
    /// the API stays at /api.
    #[arg(long, env = "ROSTER_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Send mail through SMTP (smtp://user:pass@host:port); without it mail
    /// goes to the log and the outbox table.
    #[arg(long, env = "ROSTER_SMTP_URL")]
    pub smtp_url: Option<String>,
}

impl Settings {
    /// The path of the public URL the SPA is served under: "" or
    /// "/roster" (no trailing slash).
    pub fn base_path(&self) -> String {
        let public_url = self.public_url();
        url::Url::parse(&public_url)
            .map(|url| url.path().trim_end_matches('/').to_string())
            .unwrap_or_default()
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string()
    }
}
