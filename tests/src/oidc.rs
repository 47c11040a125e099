//! A real OpenID provider for the tests: panva's oidc-provider, run by
//! `tests/oidc/provider.mjs` with Node.js, and a client that signs in
//! through its login and consent forms (authorization code with PKCE) the
//! way a browser would, for tests that need a user's access token without
//! a browser.
//!
//! Settings from `cargo xtask test`: `ROSTER_OIDC_PROVIDER_MODULE` (the
//! installed package).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use base64::Engine;
use sha2::{Digest, Sha256};
use tokio::process::{Child, Command};

use crate::{free_port, setting, TestResult};

/// The SPA's client id and the API's audience at the test provider.
pub const CLIENT_ID: &str = "roster-spa";
pub const AUDIENCE: &str = "https://roster.test/api";

/// Someone the provider can sign in (any password).
#[derive(Clone, Debug)]
pub struct ProviderUser {
    pub login: String,
    pub email: String,
    pub name: String,
    pub email_verified: bool,
}

impl ProviderUser {
    /// alice of the demo data, whose verified address matches her account.
    pub fn alice() -> Self {
        ProviderUser::new("alice", "alice@example.com", "Alice Anderson")
    }

    pub fn new(login: &str, email: &str, name: &str) -> Self {
        ProviderUser {
            login: login.into(),
            email: email.into(),
            name: name.into(),
            email_verified: true,
        }
    }
}

/// How to start a provider.
#[derive(Clone, Debug)]
pub struct ProviderOptions {
    pub users: Vec<ProviderUser>,
    pub redirect_uris: Vec<String>,
    pub audience: String,
    pub access_token_ttl: u64,
    /// A new key's id; a keys file that exists keeps its keys.
    pub key_id: String,
    pub keys_file: PathBuf,
    /// Port to listen on; a free one when `None`.
    pub port: Option<u16>,
}

impl ProviderOptions {
    pub fn new(users: Vec<ProviderUser>, keys_file: &Path) -> Self {
        ProviderOptions {
            users,
            redirect_uris: vec![TEST_REDIRECT.to_owned()],
            audience: AUDIENCE.to_owned(),
            access_token_ttl: 300,
            key_id: "rs-1".into(),
            keys_file: keys_file.to_owned(),
            port: None,
        }
    }
}

/// Where the scripted sign-in "lands" (nothing listens there).
pub const TEST_REDIRECT: &str = "http://127.0.0.1:9/callback";

/// A running provider.
pub struct Provider {
    pub issuer: String,
    pub port: u16,
    pub options: ProviderOptions,
    _process: Child,
}

/// What the token endpoint answered.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Tokens {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

impl Provider {
    pub async fn start(options: ProviderOptions) -> TestResult<Provider> {
        let port = options.port.unwrap_or_else(free_port);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc/provider.mjs");
        let users: Vec<serde_json::Value> = options
            .users
            .iter()
            .map(|u| {
                serde_json::json!({
                    "login": u.login, "email": u.email, "name": u.name,
                    "emailVerified": u.email_verified,
                })
            })
            .collect();
        let process = Command::new("node")
            .arg(&script)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_AUDIENCE", &options.audience)
            .env("OIDC_REDIRECT_URIS", options.redirect_uris.join(","))
            .env("OIDC_USERS", serde_json::Value::from(users).to_string())
            .env("OIDC_KEYS_FILE", &options.keys_file)
            .env("OIDC_KEY_ID", &options.key_id)
            .env(
                "OIDC_ACCESS_TOKEN_TTL",
                options.access_token_ttl.to_string(),
            )
            .env(
                "ROSTER_OIDC_PROVIDER_MODULE",
                setting("ROSTER_OIDC_PROVIDER_MODULE"),
            )
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let issuer = format!("http://127.0.0.1:{port}");
        let provider = Provider {
            issuer,
            port,
            options,
            _process: process,
        };
        provider.wait_until_up().await?;
        Ok(provider)
    }

    async fn wait_until_up(&self) -> TestResult {
        let discovery = format!("{}/.well-known/openid-configuration", self.issuer);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = reqwest::get(&discovery).await {
                if response.status().is_success() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("the OpenID provider at {} did not start", self.issuer).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The same provider started again on its port with other options
    /// (another key, another audience): the old process is stopped first.
    pub async fn restart(self, options: ProviderOptions) -> TestResult<Provider> {
        let port = self.port;
        drop(self);
        // The port is free once the process is gone.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Provider::start(ProviderOptions {
            port: Some(port),
            ..options
        })
        .await
    }

    /// The private key the provider signs with, as PEM (for tokens the
    /// provider itself would not issue).
    pub fn signing_key_pem(&self) -> TestResult<(String, String)> {
        let keys: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&self.options.keys_file)?)?;
        let pem = keys["pem"].as_str().ok_or("no PEM in the keys file")?;
        let kid = keys["keys"][0]["kid"].as_str().ok_or("no key id")?;
        Ok((pem.to_owned(), kid.to_owned()))
    }

    /// Signs `login` in through the provider's own forms and exchanges the
    /// code for tokens, as the SPA does (PKCE, state).
    pub async fn sign_in(&self, login: &str) -> TestResult<Tokens> {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let verifier = random_text();
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        let state = random_text();
        let mut url = url::Url::parse(&format!("{}/auth", self.issuer))?;
        url.query_pairs_mut()
            .append_pair("client_id", CLIENT_ID)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", TEST_REDIRECT)
            .append_pair("scope", "openid email profile offline_access")
            .append_pair("prompt", "consent")
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state)
            .append_pair("nonce", &random_text());
        let mut next = url.to_string();
        let code = loop {
            let response = client.get(&next).send().await?;
            let status = response.status();
            if status.is_redirection() {
                let location = location_of(&response, &self.issuer)?;
                if let Some(code) = code_in(&location, TEST_REDIRECT, &state)? {
                    break code;
                }
                next = location;
                continue;
            }
            let page = response.text().await?;
            if !status.is_success() {
                return Err(format!("the provider answered {status}: {page}").into());
            }
            // An interaction page: the login form, or the consent form.
            let form = if page.contains("name=\"login\"") {
                vec![
                    ("prompt", "login"),
                    ("login", login),
                    ("password", "any password"),
                ]
            } else {
                vec![("prompt", "consent")]
            };
            let posted = client.post(&next).form(&form).send().await?;
            if !posted.status().is_redirection() {
                let status = posted.status();
                return Err(format!(
                    "the provider's form answered {status}: {}",
                    posted.text().await?
                )
                .into());
            }
            next = location_of(&posted, &self.issuer)?;
        };
        let answer = client
            .post(format!("{}/token", self.issuer))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", TEST_REDIRECT),
                ("client_id", CLIENT_ID),
                ("code_verifier", verifier.as_str()),
            ])
            .send()
            .await?;
        let status = answer.status();
        let body = answer.text().await?;
        if !status.is_success() {
            return Err(format!("the token endpoint answered {status}: {body}").into());
        }
        Ok(serde_json::from_str(&body)?)
    }
}

fn location_of(response: &reqwest::Response, issuer: &str) -> TestResult<String> {
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .ok_or("a redirect without a Location")?;
    Ok(if location.starts_with('/') {
        format!("{issuer}{location}")
    } else {
        location.to_owned()
    })
}

/// The code of a redirect back to `redirect`, checking its state.
fn code_in(location: &str, redirect: &str, state: &str) -> TestResult<Option<String>> {
    if !location.starts_with(redirect) {
        return Ok(None);
    }
    let url = url::Url::parse(location)?;
    let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    if let Some(error) = pairs.get("error") {
        return Err(format!(
            "the provider refused: {error} {:?}",
            pairs.get("error_description")
        )
        .into());
    }
    if pairs.get("state").map(String::as_str) != Some(state) {
        return Err("the provider sent back another state".into());
    }
    Ok(pairs.get("code").cloned())
}

fn random_text() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}
