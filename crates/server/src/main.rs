use std::process::ExitCode;

use clap::Parser;
use roster_server::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    roster_server::init_tracing();
    let outcome = match cli.command {
        Command::Serve(settings) => roster_server::serve(settings).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("roster-server: {error}");
            ExitCode::FAILURE
        }
    }
}
