//! The command line.

use clap::{Parser, Subcommand};

use crate::config::Settings;

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
