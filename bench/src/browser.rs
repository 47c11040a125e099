//! Headless Chromium through chromedriver (the browser tests' harness),
//! plus the Chrome DevTools Protocol calls chromedriver forwards: injecting
//! the probes before any page script, setting the session cookie on a fresh
//! profile, and reading heap sizes.

use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use roster_browser_tests::Browser;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::result::Result;

const PROBES: &str = include_str!("probes.js");

/// A CDP command sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A browser with the probes installed and the bench owner signed in.
pub struct Session {
    pub browser: Browser,
}

impl Session {
    /// A new Chromium with a fresh profile: nothing cached.
    pub async fn start(origin: &str, token: &str) -> Result<Session> {
        Session::start_settled(origin, token, Duration::ZERO).await
    }

    /// [`Session::start`], then the browser is left alone for `pause`
    /// (a second by default; half a second was enough in every measurement
    /// here) before it gets any work, as a user's browser is already running
    /// when they open a page: a Chromium that has just started loads its
    /// own pages (the omnibox popup's WebUI renderer, hundreds of files)
    /// in its first half second, which on two cores made a cold load here
    /// measure the browser's start-up along with the page (the app's first
    /// rows: 356 → 238 ms, median of 11 cold loads without and with the
    /// pause).
    pub async fn start_settled(origin: &str, token: &str, pause: Duration) -> Result<Session> {
        let browser = Browser::start().await?;
        if !pause.is_zero() {
            browser.client.goto("about:blank").await?;
            tokio::time::sleep(pause).await;
        }
        // The probes time out on their own, with a message, well before.
        browser
            .client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(Duration::from_secs(120)),
                Some(Duration::from_secs(120)),
                None,
            ))
            .await?;
        let session = Session { browser };
        session
            .cdp(
                "Network.setCookie",
                json!({
                    "name": roster_server::auth::session::SESSION_COOKIE,
                    "value": token,
                    "url": origin,
                    "path": "/",
                    "httpOnly": true,
                    "sameSite": "Lax",
                }),
            )
            .await?;
        session
            .cdp(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": PROBES }),
            )
            .await?;
        Ok(session)
    }

    pub async fn cdp(&self, method: &'static str, params: Value) -> Result<Value> {
        Ok(self
            .browser
            .client
            .issue_cmd(Cdp { method, params })
            .await?)
    }

    /// Runs `expression` (a promise) in the page and returns its value.
    pub async fn eval<T: for<'de> Deserialize<'de>>(&self, expression: &str) -> Result<T> {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             Promise.resolve().then(() => {expression})
               .then(value => done({{ ok: value }}), error => done({{ error: String(error && error.stack || error) }}));"
        );
        let outcome = self.browser.client.execute_async(&script, vec![]).await?;
        match outcome.get("ok") {
            Some(value) => Ok(serde_json::from_value(value.clone())?),
            None => Err(format!("{expression}: {}", outcome["error"]).into()),
        }
    }

    /// Opens `url` and waits until the members table's first rows are
    /// painted and every member is loaded; returns the load probe's
    /// figures and the resources fetched.
    pub async fn load(&self, url: &str) -> Result<PageLoad> {
        self.browser.client.goto(url).await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let load: LoadProbe = self.eval("window.__bench.load").await?;
            if let (Some(rows_at), Some(painted_at), Some(complete_at)) =
                (load.rows_at, load.painted_at, load.complete_at)
            {
                let resources = self.eval("window.__bench.resources()").await?;
                return Ok(PageLoad {
                    rows_at,
                    painted_at,
                    complete_at,
                    resources,
                });
            }
            if Instant::now() > deadline {
                return Err(format!("{url} never showed 25 member rows, then all members").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The page's JS heap after a garbage collection, and the size of its
    /// WebAssembly memories, in bytes.
    pub async fn heap(&self) -> Result<(u64, u64)> {
        self.cdp("HeapProfiler.enable", json!({})).await?;
        self.cdp("HeapProfiler.collectGarbage", json!({})).await?;
        let usage = self.cdp("Runtime.getHeapUsage", json!({})).await?;
        let used = usage["usedSize"]
            .as_f64()
            .ok_or("no usedSize in Runtime.getHeapUsage")?;
        // Runtime.queryObjects on WebAssembly.Memory crashed the tab (Chromium
        // 156) once the split app's chunks imported the main module's memory:
        // the start script hands the memory to the probes instead.
        let wasm: f64 = self.eval("window.__bench.wasmMemory()").await?;
        Ok((used as u64, wasm as u64))
    }

    pub async fn close(self) -> Result<()> {
        self.browser.close().await?;
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoadProbe {
    rows_at: Option<f64>,
    painted_at: Option<f64>,
    complete_at: Option<f64>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct Resource {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub transfer: f64,
    pub encoded: f64,
    pub decoded: f64,
    pub start: f64,
    pub end: f64,
}

#[derive(Clone, Debug)]
pub struct PageLoad {
    pub rows_at: f64,
    pub painted_at: f64,
    /// Every member loaded (search, sorting and paging work), painted.
    pub complete_at: f64,
    pub resources: Vec<Resource>,
}

impl PageLoad {
    /// Bytes transferred for the SPA's own files (wasm, JS, CSS) requested
    /// before the first rows were on screen (what was prefetched after
    /// them, while the browser was idle, is not the first page's cost).
    pub fn app_transfer(&self) -> f64 {
        self.resources
            .iter()
            .filter(|r| r.start <= self.rows_at)
            .filter(|r| {
                let path = r.name.split('?').next().unwrap_or_default();
                [".wasm", ".js", ".css"]
                    .iter()
                    .any(|ext| path.ends_with(ext))
            })
            .map(|r| r.transfer)
            .sum()
    }

    /// When the resource whose URL ends with `suffix` was received (a
    /// suffix without a query names requests without one).
    pub fn received(&self, suffix: &str) -> Option<f64> {
        self.resources
            .iter()
            .find(|r| match r.name.split_once('?') {
                // A suffix with a query names that request only.
                Some(_) => suffix.contains('?') && r.name.ends_with(suffix),
                None => r.name.ends_with(suffix),
            })
            .map(|r| r.end)
    }
}
