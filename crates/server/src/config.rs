//! The server's settings (from the command line and the environment, see
//! `cli`): a leaf every layer may read, importing nothing of the crate.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

/// How the server lets people sign in (`--auth`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// Roster's own accounts (e-mail and password).
    Password,
    /// Only the OpenID provider's access tokens.
    Oidc,
    /// Both.
    Both,
}

impl AuthMode {
    pub fn passwords(self) -> bool {
        matches!(self, AuthMode::Password | AuthMode::Both)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Password => "password",
            AuthMode::Oidc => "oidc",
            AuthMode::Both => "both",
        }
    }
}

/// The provider Roster's server trusts.
#[derive(Clone, Debug)]
pub struct OidcSettings {
    pub issuer: String,
    /// The SPA's public client id (told to the SPA, not checked here).
    pub client_id: String,
    /// What access tokens must name in `aud`.
    pub audience: String,
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The database: a SQLite file (sqlite://data/roster.db, created if
    /// missing) or PostgreSQL 15+ (postgres://user:password@host:5432/roster,
    /// for several instances on one database).
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

    /// Accept access tokens of this OpenID provider (its issuer URL, e.g.
    /// https://id.example.com/realms/acme); needs --oidc-client-id and
    /// --oidc-audience.
    #[arg(long, env = "ROSTER_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// The SPA's public client id at the provider (told to the SPA by
    /// GET /api/config).
    #[arg(long, env = "ROSTER_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// The audience access tokens must be issued for (their `aud`).
    #[arg(long, env = "ROSTER_OIDC_AUDIENCE")]
    pub oidc_audience: Option<String>,

    /// How people sign in: Roster's own passwords, the OpenID provider, or
    /// both (default: password without an issuer, oidc with one).
    #[arg(long, env = "ROSTER_AUTH", value_enum)]
    pub auth: Option<AuthMode>,

    /// A page origin (https://portal.example.com) allowed to call the API
    /// with bearer tokens (CORS, no credentials); repeatable.
    #[arg(
        long = "cors-origin",
        env = "ROSTER_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
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

    pub fn auth_mode(&self) -> AuthMode {
        self.auth.unwrap_or(if self.oidc_issuer.is_some() {
            AuthMode::Oidc
        } else {
            AuthMode::Password
        })
    }

    /// The OpenID provider, when one is configured; an incomplete or
    /// inconsistent configuration is refused with what is missing.
    pub fn oidc(&self) -> Result<Option<OidcSettings>, String> {
        let mode = self.auth_mode();
        match (&self.oidc_issuer, &self.oidc_client_id, &self.oidc_audience) {
            (None, None, None) if mode == AuthMode::Password => Ok(None),
            (None, None, None) => Err(format!(
                "--auth {} needs --oidc-issuer, --oidc-client-id and --oidc-audience",
                mode.as_str()
            )),
            (Some(issuer), Some(client_id), Some(audience)) => {
                let parsed = url::Url::parse(issuer)
                    .map_err(|e| format!("--oidc-issuer {issuer:?} is not a URL: {e}"))?;
                if !matches!(parsed.scheme(), "https" | "http") {
                    return Err(format!("--oidc-issuer {issuer:?} must be an http(s) URL"));
                }
                if mode == AuthMode::Password {
                    return Err("--auth password cannot be used with --oidc-issuer".into());
                }
                Ok(Some(OidcSettings {
                    issuer: issuer.clone(),
                    client_id: client_id.clone(),
                    audience: audience.clone(),
                }))
            }
            _ => Err(
                "--oidc-issuer, --oidc-client-id and --oidc-audience go together: give all three"
                    .into(),
            ),
        }
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string()
    }
}
