//! A closed-loop load generator on loopback: `connections` keep-alive HTTP/1
//! connections, each sending the next request as soon as the previous
//! answer is read, for a warm-up and then a measured period. Connections
//! go to the server instances given in turn (the first to the first, the
//! second to the second, …), so with two instances each gets half.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Empty, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::result::Result;

#[derive(Clone, Copy, Debug)]
pub struct Load {
    pub connections: usize,
    pub warmup: Duration,
    pub measure: Duration,
}

/// What each connection sends.
#[derive(Clone, Debug)]
pub enum Work {
    /// `GET path`, counted when it answers 200.
    Get(String),
    /// Access changes: connection `i` POSTs to
    /// `/api/organizations/{organization}/users/{members[i]}/access`,
    /// `bodies[0]` first, and after each accepted (2xx) change the other
    /// body, so that every request changes the member's access (given that
    /// the member held neither to begin with). Counted when it answers 2xx.
    ChangeAccess {
        organization: String,
        members: Vec<String>,
        bodies: [Bytes; 2],
    },
}

/// One connection's part of the work.
enum Part {
    Get(String),
    Post {
        path: String,
        bodies: [Bytes; 2],
        next: usize,
    },
}

/// What one measured period gave.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Latencies of the measured requests, in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    pub seconds: f64,
    pub errors: u64,
    pub body_bytes: u64,
    /// Every answer, in the warm-up and the measured period.
    pub answers: u64,
    /// The first answer not counted (its status and the start of its body).
    pub first_error: Option<String>,
}

impl Outcome {
    /// Nearest-rank percentile, in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.latencies_us.len()) - 1;
        f64::from(self.latencies_us[index]) / 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.latencies_us
            .last()
            .map_or(f64::NAN, |us| f64::from(*us) / 1000.0)
    }

    pub fn requests_per_second(&self) -> f64 {
        self.latencies_us.len() as f64 / self.seconds
    }
}

/// Runs the load on its own single-threaded runtime, so the generator's
/// scheduling does not depend on the bench's other work.
pub fn run(
    addresses: &[SocketAddr],
    work: &Work,
    token: Option<&str>,
    load: Load,
) -> Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(drive(addresses, work, token, load))
}

async fn drive(
    addresses: &[SocketAddr],
    work: &Work,
    token: Option<&str>,
    load: Load,
) -> Result<Outcome> {
    if addresses.is_empty() {
        return Err("no server to load".into());
    }
    let parts: Vec<Part> = (0..load.connections)
        .map(|i| match work {
            Work::Get(path) => Ok(Part::Get(path.clone())),
            Work::ChangeAccess {
                organization,
                members,
                bodies,
            } => {
                let member = members.get(i).ok_or_else(|| {
                    format!(
                        "{} connections need as many members; {} given",
                        load.connections,
                        members.len()
                    )
                })?;
                Ok(Part::Post {
                    path: format!("/api/organizations/{organization}/users/{member}/access"),
                    bodies: bodies.clone(),
                    next: 0,
                })
            }
        })
        .collect::<Result<_>>()?;
    let path = match work {
        Work::Get(path) => path.clone(),
        Work::ChangeAccess { organization, .. } => {
            format!("/api/organizations/{organization}/users/…/access")
        }
    };
    let start = Instant::now();
    let measure_from = start + load.warmup;
    let end = measure_from + load.measure;
    let mut tasks = tokio::task::JoinSet::new();
    for (i, part) in parts.into_iter().enumerate() {
        let address = addresses[i % addresses.len()];
        let token = token.map(str::to_string);
        tasks.spawn(connection(address, part, token, measure_from, end));
    }
    let mut outcome = Outcome {
        seconds: load.measure.as_secs_f64(),
        ..Outcome::default()
    };
    while let Some(result) = tasks.join_next().await {
        let part = result??;
        outcome.latencies_us.extend(part.latencies_us);
        outcome.errors += part.errors;
        outcome.body_bytes = outcome.body_bytes.max(part.body_bytes);
        outcome.answers += part.answers;
        outcome.first_error = outcome.first_error.or(part.first_error);
    }
    outcome.latencies_us.sort_unstable();
    // A write load reports what it got (none accepted is a figure too).
    if outcome.latencies_us.is_empty() && matches!(work, Work::Get(_)) {
        return Err(format!(
            "no request to {path} completed in the measured period ({} answers in all{})",
            outcome.answers,
            outcome
                .first_error
                .map(|e| format!("; the first not counted: {e}"))
                .unwrap_or_default()
        )
        .into());
    }
    Ok(outcome)
}

async fn connection(
    address: SocketAddr,
    mut part: Part,
    token: Option<String>,
    measure_from: Instant,
    end: Instant,
) -> Result<Outcome> {
    let stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    let driver = tokio::spawn(conn);
    let mut outcome = Outcome::default();
    let host = address.to_string();
    loop {
        let sent = Instant::now();
        if sent >= end {
            break;
        }
        let (method, path, body) = match &part {
            Part::Get(path) => (Method::GET, path, Either::Left(Empty::<Bytes>::new())),
            Part::Post {
                path, bodies, next, ..
            } => (
                Method::POST,
                path,
                Either::Right(Full::new(bodies[*next].clone())),
            ),
        };
        let mut request = Request::builder()
            .method(method)
            .uri(path.as_str())
            .header(HOST, host.as_str());
        if let Some(token) = &token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if matches!(body, Either::Right(_)) {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        let response = sender.send_request(request.body(body)?).await?;
        let status = response.status();
        let ok = match &mut part {
            Part::Get(_) => response.status() == hyper::StatusCode::OK,
            Part::Post { next, .. } => {
                let accepted = response.status().is_success();
                if accepted {
                    *next = 1 - *next;
                }
                accepted
            }
        };
        let mut body = response.into_body();
        let mut bytes = 0u64;
        let mut refusal = Vec::new();
        while let Some(frame) = body.frame().await {
            if let Some(data) = frame?.data_ref() {
                bytes += data.len() as u64;
                if !ok && refusal.len() < 300 {
                    refusal.extend_from_slice(&data[..data.len().min(300)]);
                }
            }
        }
        let done = Instant::now();
        outcome.answers += 1;
        if !ok && outcome.first_error.is_none() {
            outcome.first_error = Some(format!(
                "{status} {}",
                String::from_utf8_lossy(&refusal).trim()
            ));
        }
        if sent >= measure_from && done <= end {
            if ok {
                let us = (done - sent).as_micros();
                outcome
                    .latencies_us
                    .push(u32::try_from(us).unwrap_or(u32::MAX));
            } else {
                outcome.errors += 1;
            }
        }
        outcome.body_bytes = bytes;
    }
    drop(sender);
    driver.abort();
    Ok(outcome)
}
