//! Harness for Roster's browser tests: starts the real server (the binary
//! `cargo xtask test` built) on a fresh SQLite file with the built SPA, and a
//! headless Chromium through chromedriver.
//!
//! Settings come from the environment `cargo xtask test` sets:
//! `ROSTER_SERVER_BIN`, `ROSTER_DIST`, `CHROME`, `CHROMEDRIVER`, and for the
//! OpenID provider ([`oidc`]) `ROSTER_OIDC_PROVIDER_MODULE`.
//!
//! Every test fails when a page it opened had an uncaught error or a Rust
//! panic, whatever else it checked: [`Browser`] reads the browser's log
//! while it waits for the page and when the test closes it (or drops it),
//! and reports what the page threw, the panic's message included.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::process::{Child, Command};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub mod oidc;

fn setting(name: &str) -> PathBuf {
    match std::env::var_os(name) {
        Some(value) => PathBuf::from(value),
        None => panic!("{name} is not set; run the browser tests through `cargo xtask test`"),
    }
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on loopback")
}

/// Polls `check` every 100 ms, for up to 20 s, until it returns
/// `Ok(value)`; `Err(seen)` means not yet, and the last `seen` says in the
/// failure what was there instead of `what`.
pub async fn eventually<T>(
    what: &str,
    mut check: impl AsyncFnMut() -> TestResult<Result<T, String>>,
) -> TestResult<T> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let seen = match check().await? {
            Ok(value) => return Ok(value),
            Err(seen) => seen,
        };
        if Instant::now() > deadline {
            return Err(format!("never saw {what}; saw {seen}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A running `roster-server` with its own temporary database.
pub struct Server {
    /// The server's origin; the API is at `{url}/api`.
    pub url: String,
    /// The path the SPA is served under: "" or e.g. "/tools/roster".
    pub base: String,
    /// The SPA's address: `{url}{base}`.
    pub app: String,
    process: Child,
    _data: tempfile::TempDir,
    /// A dist/ of this server's own.
    _dist: Option<tempfile::TempDir>,
}

impl Server {
    pub async fn start(dev: bool) -> TestResult<Server> {
        Self::start_under(dev, "").await
    }

    /// A server whose public URL has the path `base` ("/tools/roster"):
    /// it serves the same dist/ under that path.
    pub async fn start_under(dev: bool, base: &str) -> TestResult<Server> {
        Self::start_serving(dev, base, &setting("ROSTER_DIST")).await
    }

    /// A dev server whose `index.html` carries
    /// `<meta name="roster-test-hooks" content="{hooks}">`: the built app
    /// with test-only behaviour switched on (`src/crash.rs`). The rest of
    /// dist/ is the same build.
    /// A dev server that trusts `provider` (`--auth oidc`, or `both`), and
    /// answers CORS requests from `cors_origins`.
    pub async fn start_with_oidc(
        provider: &oidc::Provider,
        both: bool,
        cors_origins: &[&str],
    ) -> TestResult<Server> {
        Self::start_trusting(
            &provider.issuer,
            &provider.options.audience,
            both,
            cors_origins,
        )
        .await
    }

    /// [`Server::start_with_oidc`] for a provider that is not started yet
    /// (it needs the server's address for its redirects).
    pub async fn start_trusting(
        issuer: &str,
        audience: &str,
        both: bool,
        cors_origins: &[&str],
    ) -> TestResult<Server> {
        let mut extra = vec![
            "--oidc-issuer".to_owned(),
            issuer.to_owned(),
            "--oidc-client-id".to_owned(),
            oidc::CLIENT_ID.to_owned(),
            "--oidc-audience".to_owned(),
            audience.to_owned(),
            "--auth".to_owned(),
            if both { "both" } else { "oidc" }.to_owned(),
        ];
        for origin in cors_origins {
            extra.extend(["--cors-origin".to_owned(), (*origin).to_owned()]);
        }
        Self::start_serving_with(true, "", &setting("ROSTER_DIST"), &extra).await
    }

    /// A server whose dist/ is the built app with its `index.html` made
    /// by `page` (from the built one): a page of another site that embeds
    /// the app. Its own API is not used.
    pub async fn start_serving_page(page: impl FnOnce(&str) -> String) -> TestResult<Server> {
        let dist = setting("ROSTER_DIST");
        let copy = tempfile::tempdir()?;
        copy_dir(&dist, copy.path())?;
        let index = std::fs::read_to_string(dist.join("index.html"))?;
        std::fs::write(copy.path().join("index.html"), page(&index))?;
        let mut server = Self::start_serving(false, "", copy.path()).await?;
        server._dist = Some(copy);
        Ok(server)
    }

    pub async fn start_with_test_hooks(hooks: &str) -> TestResult<Server> {
        let dist = setting("ROSTER_DIST");
        let copy = tempfile::tempdir()?;
        copy_dir(&dist, copy.path())?;
        let index = std::fs::read_to_string(dist.join("index.html"))?;
        let tag = format!("<meta name=\"roster-test-hooks\" content=\"{hooks}\" />");
        let index = index.replacen("<head>", &format!("<head>\n    {tag}"), 1);
        std::fs::write(copy.path().join("index.html"), index)?;
        let mut server = Self::start_serving(true, "", copy.path()).await?;
        server._dist = Some(copy);
        Ok(server)
    }

    async fn start_serving(dev: bool, base: &str, dist: &std::path::Path) -> TestResult<Server> {
        Self::start_serving_with(dev, base, dist, &[]).await
    }

    async fn start_serving_with(
        dev: bool,
        base: &str,
        dist: &std::path::Path,
        extra: &[String],
    ) -> TestResult<Server> {
        let data = tempfile::tempdir()?;
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let app = format!("{url}{base}");
        let mut command = Command::new(setting("ROSTER_SERVER_BIN"));
        command
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--database-url")
            .arg(format!(
                "sqlite://{}",
                data.path().join("roster.db").display()
            ))
            .arg("--static-dir")
            .arg(dist)
            .args(["--public-url", &app])
            // The log carries the mail (no SMTP here): see `mailed_link`.
            .stdout(std::fs::File::create(data.path().join("server.log"))?)
            .kill_on_drop(true);
        if dev {
            command.arg("--dev");
        }
        command.args(extra);
        let process = command.spawn()?;
        let server = Server {
            url,
            base: base.to_string(),
            app,
            process,
            _data: data,
            _dist: None,
        };
        server.wait_until_healthy().await?;
        Ok(server)
    }

    async fn wait_until_healthy(&self) -> TestResult {
        let deadline = Instant::now() + Duration::from_secs(60);
        let health = format!("{}/api/health", self.url);
        loop {
            if let Ok(response) = reqwest::get(&health).await {
                if response.status().is_success() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("server at {} did not become healthy", self.url).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The link of the last mail the server sent to `to` (its log is the
    /// mailbox: without SMTP every message is logged with its link).
    pub fn mailed_link(&self, to: &str) -> Option<String> {
        let log = std::fs::read_to_string(self._data.path().join("server.log")).ok()?;
        let plain = strip_ansi(&log);
        plain
            .lines()
            .rev()
            .filter(|line| line.contains(&format!("to={to} ")))
            .filter_map(|line| line.split("link=").nth(1))
            .find_map(|rest| rest.split_whitespace().next())
            .map(|link| link.trim_matches('"').to_string())
    }

    pub fn id(&self) -> Option<u32> {
        self.process.id()
    }

    /// Stops the server (a backend that went away); its pages stay open.
    pub async fn stop(&mut self) -> TestResult {
        self.process.kill().await?;
        Ok(())
    }

    /// Calls the API directly (for setting up a journey), as `token`'s user.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> TestResult<(u16, serde_json::Value)> {
        let client = reqwest::Client::new();
        let mut request = client.request(method, format!("{}/api{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        Ok((status, body))
    }

    /// The id of the organization named `name`, of the user `token` is
    /// for.
    pub async fn organization_named(&self, token: &str, name: &str) -> TestResult<String> {
        let (_, organizations) = self
            .api(reqwest::Method::GET, "/organizations", Some(token), None)
            .await?;
        organizations
            .as_array()
            .and_then(|list| list.iter().find(|o| o["name"] == name))
            .and_then(|o| o["id"].as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("no organization named {name}: {organizations}").into())
    }

    /// Every member of `organization`, as the API lists them to `token`'s
    /// user.
    pub async fn members(
        &self,
        token: &str,
        organization: &str,
    ) -> TestResult<Vec<roster_core::wire::OrganizationUser>> {
        let (status, members) = self
            .api(
                reqwest::Method::GET,
                &format!("/organizations/{organization}/users"),
                Some(token),
                None,
            )
            .await?;
        if status != 200 {
            return Err(format!("the members of {organization}: {status} {members}").into());
        }
        Ok(serde_json::from_value(members)?)
    }

    /// Signs in through the API; returns the session token.
    pub async fn token(&self, email: &str, password: &str) -> TestResult<String> {
        let (status, body) = self
            .api(
                reqwest::Method::POST,
                "/auth/sign-in",
                None,
                Some(serde_json::json!({"email": email, "password": password})),
            )
            .await?;
        match body["token"].as_str() {
            Some(token) if status == 200 => Ok(token.to_string()),
            _ => Err(format!("sign-in of {email} failed: {status} {body}").into()),
        }
    }
}

/// Copies the directory `from` to `to`, recursively (a dist/ of a test's
/// own).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Finds the first visible element with a role and accessible name, marks it
/// with `data-test-found` and returns the mark (or null).
const FIND_BY_ROLE: &str = r#"
const [role, name, within] = arguments;
const root = within ? document.querySelector(within) : document;
if (!root) return null;
const implicit = (el) => {
  const tag = el.tagName.toLowerCase();
  const type = (el.getAttribute('type') || 'text').toLowerCase();
  if (tag === 'button') return 'button';
  if (tag === 'a' && el.hasAttribute('href')) return 'link';
  if (tag === 'select') return 'combobox';
  if (tag === 'textarea') return 'textbox';
  if (tag === 'input') {
    if (['button', 'submit', 'reset'].includes(type)) return 'button';
    if (type === 'checkbox') return 'checkbox';
    if (type === 'radio') return 'radio';
    if (type === 'search') return 'searchbox';
    return 'textbox';
  }
  if (/^h[1-6]$/.test(tag)) return 'heading';
  if (tag === 'table') return 'table';
  if (tag === 'nav') return 'navigation';
  if (tag === 'dialog') return 'dialog';
  return null;
};
const text = (s) => (s || '').replace(/\s+/g, ' ').trim();
const accessibleName = (el) => {
  if (el.getAttribute('aria-label')) return text(el.getAttribute('aria-label'));
  const by = el.getAttribute('aria-labelledby');
  if (by) return text(by.split(/\s+/).map(id => document.getElementById(id)?.textContent).join(' '));
  if (el.id) {
    const label = document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
    if (label) return text(label.textContent);
  }
  const wrapping = el.closest('label');
  if (wrapping) return text(wrapping.textContent);
  if (el.tagName === 'INPUT') return text(el.getAttribute('placeholder') || el.value);
  return text(el.textContent);
};
const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
for (const el of root.querySelectorAll('*')) {
  const r = el.getAttribute('role') || implicit(el);
  if (r !== role || !visible(el)) continue;
  if (role === 'textbox' && r === 'searchbox') continue;
  if (accessibleName(el) === name) {
    const mark = String(Math.random()).slice(2);
    el.setAttribute('data-test-found', mark);
    return mark;
  }
}
return null;
"#;

/// Headless Chromium driven through its own chromedriver.
pub struct Browser {
    pub client: Client,
    /// chromedriver's address and this browser's session there, for
    /// reading the log (also from `Drop`, which cannot await).
    driver_address: String,
    session: String,
    page_errors: Mutex<PageErrors>,
    /// Where the browser saves downloads, without asking.
    downloads: PathBuf,
    _driver: Child,
    _profile: tempfile::TempDir,
}

/// What the pages of one browser threw, and how much of it a failure has
/// already reported.
#[derive(Default)]
struct PageErrors {
    seen: Vec<String>,
    reported: usize,
    closed: bool,
    /// Log entries the test provokes on purpose: each contains every text
    /// of one of these.
    expected: Vec<Vec<String>>,
}

impl PageErrors {
    fn add(&mut self, new: Vec<String>) {
        let expected = &self.expected;
        // A panic is never expected, whatever its stack passes through.
        let provoked = |error: &String| {
            !error.contains("panicked at")
                && expected
                    .iter()
                    .any(|texts| texts.iter().all(|text| error.contains(text)))
        };
        self.seen
            .extend(new.into_iter().filter(|error| !provoked(error)));
    }
}

/// One entry of chromedriver's browser log: an uncaught exception or
/// rejection (`javascript`), `console.error` (`console-api`: where the panic
/// hook writes a Rust panic), or a failed request (`network`, which is how
/// the app learns of a 401 or 404 and is no error of the page).
fn is_page_error(entry: &serde_json::Value) -> bool {
    entry["level"] == "SEVERE" && entry["source"] != "network"
}

/// Sends a command to chromedriver with a plain HTTP request (it must work
/// from `Drop`, which cannot await) and returns its answer's `value`.
fn driver_command(
    driver_address: &str,
    path: &str,
    body: &str,
) -> Result<serde_json::Value, String> {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {driver_address}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(driver_address).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    // chromedriver keeps the connection open: read the head, then as many
    // bytes as it announces.
    let mut response = Vec::new();
    let mut chunk = [0u8; 8192];
    let (head_end, length) = loop {
        let read = stream.read(&mut chunk).map_err(|e| e.to_string())?;
        if read == 0 {
            return Err("chromedriver closed the connection".into());
        }
        response.extend_from_slice(&chunk[..read]);
        if let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&response[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .ok_or("chromedriver's answer has no Content-Length")?;
            break (end + 4, length);
        }
    };
    while response.len() < head_end + length {
        let read = stream.read(&mut chunk).map_err(|e| e.to_string())?;
        if read == 0 {
            break;
        }
        response.extend_from_slice(&chunk[..read]);
    }
    let json = String::from_utf8_lossy(&response[head_end..]);
    let mut answer: serde_json::Value = serde_json::from_str(&json)
        .map_err(|e| format!("chromedriver's answer is not JSON ({e}): {json}"))?;
    Ok(answer["value"].take())
}

/// Reads and empties chromedriver's browser log of `session`: the page
/// errors in it.
fn read_browser_log(driver_address: &str, session: &str) -> Result<Vec<String>, String> {
    let log = driver_command(
        driver_address,
        &format!("/session/{session}/se/log"),
        r#"{"type":"browser"}"#,
    )?;
    let entries = log
        .as_array()
        .ok_or_else(|| format!("chromedriver sent no log: {log}"))?;
    Ok(entries
        .iter()
        .filter(|entry| is_page_error(entry))
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_string())
        .collect())
}

/// Runs in every document before its own scripts: the browser's log says
/// only an uncaught error's message; this adds its stack (a Rust `throw`
/// then names the function that threw).
const REPORT_STACKS: &str = "addEventListener('error', (event) => {
  if (event.error && event.error.stack) console.error('Stack of the uncaught ' + event.error.stack);
});";

fn describe_page_errors(errors: &[String]) -> String {
    let mut text = String::from("the page had uncaught errors or panics:");
    for error in errors {
        text.push_str("\n  - ");
        // Messages carry their own escaped new lines (the panic's stack).
        text.push_str(&error.replace("\\n", "\n    "));
    }
    text
}

impl Browser {
    pub async fn start() -> TestResult<Browser> {
        let port = free_port();
        let driver = Command::new(setting("CHROMEDRIVER"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let profile = tempfile::tempdir()?;
        let downloads = profile.path().join("downloads");
        std::fs::create_dir_all(&downloads)?;
        let capabilities = serde_json::json!({
            // Keeps the page's console and uncaught errors for `page_errors`.
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": setting("CHROME"),
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                },
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("capabilities are an object literal"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let attempt =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities.clone())
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await;
            match attempt {
                Ok(client) => break client,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) => return Err(format!("chromedriver did not start: {error}").into()),
            }
        };
        let session = client
            .session_id()
            .await?
            .ok_or("chromedriver started no session")?;
        let driver_address = format!("127.0.0.1:{port}");
        driver_command(
            &driver_address,
            &format!("/session/{session}/goog/cdp/execute"),
            &serde_json::json!({
                "cmd": "Page.addScriptToEvaluateOnNewDocument",
                "params": { "source": REPORT_STACKS },
            })
            .to_string(),
        )?;
        Ok(Browser {
            client,
            driver_address,
            session,
            page_errors: Mutex::default(),
            downloads,
            _driver: driver,
            _profile: profile,
        })
    }

    /// Console errors containing every one of `texts` are provoked by the
    /// test (a chunk it keeps from downloading): they do not fail it. A
    /// panic always does.
    pub fn expect_page_errors(&self, texts: &[&str]) {
        self.errors()
            .expected
            .push(texts.iter().map(|t| t.to_string()).collect());
    }

    /// Runs a Chrome DevTools Protocol command in the page's tab.
    pub fn cdp(&self, command: &str, params: serde_json::Value) -> TestResult<serde_json::Value> {
        Ok(driver_command(
            &self.driver_address,
            &format!("/session/{}/goog/cdp/execute", self.session),
            &serde_json::json!({ "cmd": command, "params": params }).to_string(),
        )?)
    }

    /// Makes every request whose URL matches one of `patterns` (`*` is any
    /// text) fail as a network error, as when offline or after a deploy
    /// removed the file; no patterns lets everything through again.
    pub fn block_urls(&self, patterns: &[&str]) -> TestResult {
        self.cdp("Network.enable", serde_json::json!({}))?;
        self.cdp(
            "Network.setBlockedURLs",
            serde_json::json!({ "urls": patterns }),
        )?;
        Ok(())
    }

    /// Waits for the download of a file with this extension to finish
    /// (Chromium writes it under a temporary name until then); returns its
    /// path.
    pub async fn downloaded(&self, extension: &str) -> TestResult<PathBuf> {
        self.eventually(&format!("a downloaded .{extension} file"), async || {
            let mut names = Vec::new();
            for entry in std::fs::read_dir(&self.downloads)? {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == extension) {
                    return Ok(Ok(path));
                }
                names.push(path.display().to_string());
            }
            Ok(Err(format!("[{}]", names.join(", "))))
        })
        .await
    }

    fn errors(&self) -> std::sync::MutexGuard<'_, PageErrors> {
        self.page_errors.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every uncaught error and panic the pages of this browser have had.
    pub fn page_errors(&self) -> TestResult<Vec<String>> {
        let new = read_browser_log(&self.driver_address, &self.session)?;
        let mut errors = self.errors();
        errors.add(new);
        Ok(errors.seen.clone())
    }

    /// The page errors not reported yet, which the test expected (they no
    /// longer fail it).
    pub fn take_page_errors(&self) -> TestResult<Vec<String>> {
        self.page_errors()?;
        let mut errors = self.errors();
        let new = errors.seen[errors.reported..].to_vec();
        errors.reported = errors.seen.len();
        Ok(new)
    }

    /// Fails (once) when the page has thrown or panicked since the last
    /// failure reported it.
    pub fn check_page(&self) -> TestResult {
        self.page_errors()?;
        let mut errors = self.errors();
        if errors.seen.len() > errors.reported {
            errors.reported = errors.seen.len();
            return Err(describe_page_errors(&errors.seen).into());
        }
        Ok(())
    }

    /// [`eventually`] that gives up as soon as the page throws or panics
    /// (a panicked app never shows what the test waits for).
    /// A timeout saves a screenshot of the page and names it in the error.
    pub async fn eventually<T>(
        &self,
        what: &str,
        mut check: impl AsyncFnMut() -> TestResult<Result<T, String>>,
    ) -> TestResult<T> {
        let outcome = eventually(what, async || {
            self.check_page()?;
            check().await
        })
        .await;
        match outcome {
            Err(error) if error.to_string().starts_with("never saw") => {
                let path = std::env::temp_dir().join(format!(
                    "roster-failure-{}-{}.png",
                    std::process::id(),
                    self.session
                ));
                let shot = match self.client.screenshot().await {
                    Ok(png) => std::fs::write(&path, png)
                        .map(|()| format!(" (screenshot: {})", path.display()))
                        .unwrap_or_default(),
                    Err(_) => String::new(),
                };
                Err(format!("{error}{shot}").into())
            }
            other => other,
        }
    }

    /// Waits for an element (the SPA renders after the wasm loads).
    pub async fn find(&self, css: &str) -> TestResult<Element> {
        self.eventually(&format!("an element matching {css}"), async || {
            Ok(match self.client.find(Locator::Css(css)).await {
                Ok(element) => Ok(element),
                Err(_) => Err("none".to_string()),
            })
        })
        .await
    }

    /// Waits until the element's text contains `expected`, returning the text.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> TestResult<String> {
        self.eventually(&format!("{css} showing {expected:?}"), async || {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            Ok(if text.contains(expected) {
                Ok(text)
            } else {
                Err(format!("{text:?}"))
            })
        })
        .await
    }

    /// Waits for an element with this ARIA role and accessible name (exact,
    /// whitespace-normalised), the way a user finds a control. The name is
    /// computed from aria-label, aria-labelledby, a <label>, or the text.
    pub async fn role(&self, role: &str, name: &str) -> TestResult<Element> {
        self.role_within("", role, name).await
    }

    /// [`Browser::role`] among the descendants of the first element
    /// matching `within` (CSS; "" for the whole page): the button of a
    /// dialog rather than the one behind it with the same name.
    pub async fn role_within(&self, within: &str, role: &str, name: &str) -> TestResult<Element> {
        let id = self
            .eventually(&format!("a visible {role} named {name:?}"), async || {
                let found = self
                    .client
                    .execute(FIND_BY_ROLE, vec![role.into(), name.into(), within.into()])
                    .await?;
                Ok(match found.as_str() {
                    Some(id) => Ok(id.to_string()),
                    None => Err("none".to_string()),
                })
            })
            .await?;
        Ok(self
            .client
            .find(Locator::Css(&format!("[data-test-found='{id}']")))
            .await?)
    }

    /// Whether a control with this role and name is on the page now.
    pub async fn has_role(&self, role: &str, name: &str) -> TestResult<bool> {
        let found = self
            .client
            .execute(FIND_BY_ROLE, vec![role.into(), name.into(), "".into()])
            .await?;
        Ok(!found.is_null())
    }

    pub async fn click(&self, role: &str, name: &str) -> TestResult {
        self.role(role, name).await?.click().await?;
        Ok(())
    }

    /// Types into the text field labelled `label`, replacing its value.
    pub async fn fill(&self, label: &str, value: &str) -> TestResult {
        let field = self.role("textbox", label).await?;
        field.clear().await?;
        field.send_keys(value).await?;
        Ok(())
    }

    /// Waits until the page shows `text` anywhere in its visible text.
    pub async fn wait_for_page_text(&self, text: &str) -> TestResult {
        self.wait_for_text("body", text).await.map(drop)
    }

    /// Runs axe-core on the page once its animations have finished (a
    /// dialog fading in has too little contrast for a moment); returns one
    /// line per violation.
    pub async fn axe_violations(&self) -> TestResult<Vec<String>> {
        let script = std::fs::read_to_string(setting("ROSTER_AXE_JS"))?;
        self.client.execute(&script, vec![]).await?;
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 Promise.all(document.getAnimations()
                        .filter(a => a.effect && isFinite(a.effect.getComputedTiming().endTime))
                        .map(a => a.finished.catch(() => {})))
                    .then(() => axe.run(document, { resultTypes: ['violations'] }))
                    .then(r => done(r.violations.map(v =>
                        v.id + ': ' + v.help + ' — ' +
                        v.nodes.map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await?;
        Ok(result
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The path and query of the current page.
    pub async fn path(&self) -> TestResult<String> {
        let url = self.client.current_url().await?;
        Ok(match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        })
    }

    /// Waits until the current path starts with `prefix`.
    pub async fn wait_for_path(&self, prefix: &str) -> TestResult<String> {
        self.eventually(&format!("a path starting with {prefix}"), async || {
            let path = self.path().await?;
            Ok(if path.starts_with(prefix) {
                Ok(path)
            } else {
                Err(path)
            })
        })
        .await
    }

    /// Fires the window focus event, as when the user comes back to the tab.
    pub async fn refocus_window(&self) -> TestResult {
        self.client
            .execute("window.dispatchEvent(new Event('focus'));", vec![])
            .await?;
        Ok(())
    }

    /// Every read of an organization's member list this page made, in
    /// order (Resource Timing): its query (`""`, `"?limit=25"`), the HTTP
    /// status and the bytes of body received.
    pub async fn member_list_reads(&self) -> TestResult<Vec<(String, u64, u64)>> {
        let reads = self
            .client
            .execute(
                "return performance.getEntriesByType('resource')
                   .filter((e) => /\\/organizations\\/[^/]+\\/users$/.test(new URL(e.name).pathname))
                   .map((e) => [new URL(e.name).search, e.responseStatus, e.encodedBodySize]);",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(reads)?)
    }

    /// Signs in through the sign-in page.
    pub async fn sign_in(&self, server: &Server, email: &str, password: &str) -> TestResult {
        self.client.goto(&format!("{}/sign-in", server.app)).await?;
        self.fill("Email", email).await?;
        self.fill("Password", password).await?;
        self.click("button", "Sign in").await?;
        self.wait_for_path(&format!("{}/org/", server.base)).await?;
        Ok(())
    }

    /// Saves a PNG of the page (for looking at a failure).
    pub async fn screenshot(&self, path: &str) -> TestResult {
        std::fs::write(path, self.client.screenshot().await?)?;
        Ok(())
    }

    /// Ends the session; fails if a page had an uncaught error or panic
    /// that no failure has reported yet.
    pub async fn close(self) -> TestResult {
        let checked = self.check_page();
        self.errors().closed = true;
        self.client.clone().close().await?;
        checked
    }
}

/// A test that ends without [`Browser::close`] (it returned early, or
/// forgot) still fails on what its pages threw.
impl Drop for Browser {
    fn drop(&mut self) {
        if self.errors().closed || std::thread::panicking() {
            return;
        }
        let new = match read_browser_log(&self.driver_address, &self.session) {
            Ok(new) => new,
            Err(error) => {
                eprintln!("cannot read the browser's log: {error}");
                return;
            }
        };
        let mut errors = self.errors();
        errors.add(new);
        if errors.seen.len() > errors.reported {
            let report = describe_page_errors(&errors.seen);
            drop(errors);
            panic!("{report}");
        }
    }
}

/// The text of a terminal log without its colour codes (`ESC [ … m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for end in chars.by_ref() {
                if end.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
