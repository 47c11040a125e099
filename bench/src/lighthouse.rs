//! Lighthouse on the members page of the demo's Initech (2,000 members),
//! signed in as its owner: the figures issue 18 states its page-load
//! targets in (performance at least 90, accessibility and best practices
//! 100).
//!
//! The demo's data rather than the bench's: the issue names that
//! organization, and its own measurements were taken there. The release
//! server runs a second time with `--dev` on a new SQLite file, which seeds
//! exactly what `cargo xtask run` shows, and serves the release SPA.
//! Lighthouse (the npm package `cargo xtask bench` installs,
//! `ROSTER_LIGHTHOUSE`) runs with its defaults: the mobile profile, and
//! its simulated throttling (slow 4G, the CPU slowed 4×), in the Chromium
//! at `CHROME`. It is signed in with the session cookie sent on every
//! request (`--extra-headers`), as a browser that signed in before would;
//! Lighthouse resets the origin's storage before each run, but not that.

use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

use crate::report::{median, number, progress, Figure};
use crate::result::Result;
use crate::{api, server};

/// The demo's owner of Initech (`crates/server/src/services/seed.rs`).
const DEMO_EMAIL: &str = "alice@example.com";
const DEMO_PASSWORD: &str = "roster-demo";
const ORGANIZATION: &str = "Initech";

/// What one Lighthouse run measured.
#[derive(Debug)]
struct Run {
    /// The category scores, 0–100.
    performance: f64,
    accessibility: f64,
    best_practices: f64,
    /// Milliseconds, as Lighthouse simulated them.
    fcp: f64,
    lcp: f64,
    tbt: f64,
    speed_index: f64,
    cls: f64,
    /// The longest main-thread task Lighthouse lists, in ms.
    longest_task: f64,
    long_tasks: usize,
    /// Audits of the accessibility and of the best-practices category
    /// that did not pass, by title.
    failing: [Vec<String>; 2],
    version: String,
}

/// Starts the demo server, runs Lighthouse `runs` times on Initech's
/// members page and returns the figures (medians of the runs). Reports and
/// traces stay in `out/lighthouse/`.
pub async fn audit(
    server_bin: &Path,
    dist: &Path,
    out: &Path,
    lighthouse: &Path,
    runs: usize,
) -> Result<Vec<Figure>> {
    let reports = out.join("lighthouse");
    std::fs::create_dir_all(&reports)?;
    let scratch = tempfile::tempdir_in(out)?;
    progress("Lighthouse: the demo's data (--dev) on a new database");
    let demo =
        server::Server::start_demo(server_bin, &scratch.path().join("demo.db"), dist).await?;
    let measured = audit_on(&demo.url, &reports, lighthouse, runs).await;
    demo.stop().await?;
    let runs = measured?;
    Ok(figures(&runs))
}

async fn audit_on(base: &str, reports: &Path, lighthouse: &Path, runs: usize) -> Result<Vec<Run>> {
    let token = api::sign_in(base, DEMO_EMAIL, DEMO_PASSWORD).await?;
    let (_, organizations) = api::get_json(&format!("{base}/api/organizations"), &token).await?;
    let initech = organizations
        .as_array()
        .and_then(|list| list.iter().find(|o| o["name"] == ORGANIZATION))
        .and_then(|o| o["id"].as_str())
        .ok_or("the demo data has no Initech")?
        .to_string();
    let url = format!("{base}/org/{initech}/members");
    let cookie = format!("{}={token}", roster_server::auth::session::SESSION_COOKIE);
    let mut measured = Vec::new();
    for run in 1..=runs {
        progress(&format!("  Lighthouse run {run} of {runs}"));
        let report = reports.join(format!("run-{run}.json"));
        lighthouse_run(lighthouse, &url, &cookie, &report).await?;
        measured.push(read_report(&report)?);
    }
    Ok(measured)
}

/// One Lighthouse run with its defaults, writing its JSON report to
/// `report` and, next to it, the trace and DevTools log it was computed
/// from (`--save-assets`).
async fn lighthouse_run(lighthouse: &Path, url: &str, cookie: &str, report: &Path) -> Result<()> {
    let chrome = std::env::var_os("CHROME").ok_or("CHROME is not set")?;
    let headers = serde_json::json!({ "Cookie": cookie }).to_string();
    let output = tokio::process::Command::new("node")
        .arg(lighthouse)
        .arg(url)
        .args([
            "--only-categories=performance,accessibility,best-practices",
            "--output=json",
            "--save-assets",
            "--quiet",
            // Root may not use Chromium's sandbox here.
            "--chrome-flags=--headless=new --no-sandbox",
        ])
        .arg(format!("--extra-headers={headers}"))
        .arg(format!("--output-path={}", report.display()))
        .env("CHROME_PATH", chrome)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .await
        .map_err(|e| format!("cannot run node {}: {e}", lighthouse.display()))?;
    if !output.status.success() {
        return Err(format!(
            "Lighthouse failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into());
    }
    Ok(())
}

fn read_report(path: &Path) -> Result<Run> {
    let report: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    if let Some(error) = report.get("runtimeError") {
        return Err(format!("Lighthouse could not audit the page: {error}").into());
    }
    let score = |category: &str| -> Result<f64> {
        report["categories"][category]["score"]
            .as_f64()
            .map(|s| (s * 100.0).round())
            .ok_or_else(|| format!("{}: no {category} score", path.display()).into())
    };
    let audit = |id: &str| -> Result<f64> {
        report["audits"][id]["numericValue"]
            .as_f64()
            .ok_or_else(|| format!("{}: no value for {id}", path.display()).into())
    };
    let tasks = report["audits"]["long-tasks"]["details"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let longest_task = tasks
        .iter()
        .filter_map(|t| t["duration"].as_f64())
        .fold(0.0, f64::max);
    let failing = ["accessibility", "best-practices"].map(|category| {
        let refs = report["categories"][category]["auditRefs"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        refs.iter()
            .filter(|reference| reference["weight"].as_f64().unwrap_or(0.0) > 0.0)
            .filter_map(|reference| {
                let id = reference["id"].as_str().unwrap_or_default();
                let audit = &report["audits"][id];
                audit["score"]
                    .as_f64()
                    .is_some_and(|s| s < 1.0)
                    .then(|| format!("{} ({id})", audit["title"].as_str().unwrap_or(id)))
            })
            .collect()
    });
    Ok(Run {
        performance: score("performance")?,
        accessibility: score("accessibility")?,
        best_practices: score("best-practices")?,
        fcp: audit("first-contentful-paint")?,
        lcp: audit("largest-contentful-paint")?,
        tbt: audit("total-blocking-time")?,
        speed_index: audit("speed-index")?,
        cls: audit("cumulative-layout-shift")?,
        longest_task,
        long_tasks: tasks.len(),
        failing,
        version: report["lighthouseVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    })
}

fn figures(runs: &[Run]) -> Vec<Figure> {
    let each = |f: fn(&Run) -> f64| runs.iter().map(f).collect::<Vec<f64>>();
    let samples = |values: &[f64]| {
        values
            .iter()
            .map(|v| number(*v))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // What did not pass in any run, per category.
    let failing = |category: usize| {
        let mut titles: Vec<String> = runs
            .iter()
            .flat_map(|r| r.failing[category].clone())
            .collect();
        titles.sort();
        titles.dedup();
        if titles.is_empty() {
            "every audit passed".to_string()
        } else {
            format!("not passed: {}", titles.join(", "))
        }
    };
    let version = runs.first().map_or("", |r| r.version.as_str());
    let performance = each(|r| r.performance);
    vec![
        Figure::new(
            "lighthouse.performance",
            "Lighthouse performance, Initech members page (2,000 members, signed in; mobile: slow 4G, 4× CPU)",
            "score",
            performance.clone(),
        )
        .at_least(90.0)
        .detail(format!(
            "Lighthouse {version}, runs {}; FCP {} ms, Speed Index {} ms, CLS {}",
            samples(&performance),
            number(median(&each(|r| r.fcp))),
            number(median(&each(|r| r.speed_index))),
            number(median(&each(|r| r.cls))),
        )),
        Figure::new(
            "lighthouse.lcp",
            "  … largest contentful paint (simulated)",
            "ms",
            each(|r| r.lcp),
        ),
        Figure::new(
            "lighthouse.tbt",
            "  … total blocking time (simulated)",
            "ms",
            each(|r| r.tbt),
        )
        .detail(format!(
            "long tasks listed: {}, the longest {} ms",
            number(median(&each(|r| r.long_tasks as f64))),
            number(median(&each(|r| r.longest_task)))
        )),
        Figure::new(
            "lighthouse.accessibility",
            "Lighthouse accessibility, same page",
            "score",
            each(|r| r.accessibility),
        )
        .at_least(100.0)
        .detail(failing(0)),
        Figure::new(
            "lighthouse.best_practices",
            "Lighthouse best practices, same page",
            "score",
            each(|r| r.best_practices),
        )
        .at_least(100.0)
        .detail(failing(1)),
    ]
}
