//! Harness for Roster's browser tests: starts the real server (the binary
//! `cargo xtask test` built) on a fresh SQLite file with the built SPA, and a
//! headless Chromium through chromedriver.
//!
//! Settings come from the environment `cargo xtask test` sets:
//! `ROSTER_SERVER_BIN`, `ROSTER_DIST`, `CHROME`, `CHROMEDRIVER`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::process::{Child, Command};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn setting(name: &str) -> PathBuf {
    match std::env::var_os(name) {
        Some(value) => PathBuf::from(value),
        None => panic!("{name} is not set; run the browser tests through `cargo xtask test`"),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on loopback")
}

/// A running `roster-server` with its own temporary database.
pub struct Server {
    pub url: String,
    process: Child,
    _data: tempfile::TempDir,
}

impl Server {
    pub async fn start(dev: bool) -> TestResult<Server> {
        let data = tempfile::tempdir()?;
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
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
            .arg(setting("ROSTER_DIST"))
            .args(["--public-url", &url])
            .stdout(Stdio::null())
            .kill_on_drop(true);
        if dev {
            command.arg("--dev");
        }
        let process = command.spawn()?;
        let server = Server {
            url,
            process,
            _data: data,
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

    pub fn id(&self) -> Option<u32> {
        self.process.id()
    }
}

/// Headless Chromium driven through its own chromedriver.
pub struct Browser {
    pub client: Client,
    _driver: Child,
    _profile: tempfile::TempDir,
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
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": setting("CHROME"),
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
        Ok(Browser {
            client,
            _driver: driver,
            _profile: profile,
        })
    }

    /// Waits for an element (the SPA renders after the wasm loads).
    pub async fn find(&self, css: &str) -> TestResult<Element> {
        Ok(self
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await?)
    }

    /// Waits until the element's text contains `expected`, returning the text.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> TestResult<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(expected) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                return Err(format!("{css} never showed {expected:?}; last text: {text:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn close(self) -> TestResult {
        self.client.close().await?;
        Ok(())
    }
}
