//! A closed-loop load generator on loopback: `connections` keep-alive HTTP/1
//! connections, each sending the next request as soon as the previous
//! answer is read, for a warm-up and then a measured period.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::header::{AUTHORIZATION, HOST};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::result::Result;

#[derive(Clone, Copy, Debug)]
pub struct Load {
    pub connections: usize,
    pub warmup: Duration,
    pub measure: Duration,
}

/// What one measured period gave.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Latencies of the measured requests, in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    pub seconds: f64,
    pub errors: u64,
    pub body_bytes: u64,
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
pub fn run(address: SocketAddr, path: &str, token: Option<&str>, load: Load) -> Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(drive(address, path, token, load))
}

async fn drive(
    address: SocketAddr,
    path: &str,
    token: Option<&str>,
    load: Load,
) -> Result<Outcome> {
    let start = Instant::now();
    let measure_from = start + load.warmup;
    let end = measure_from + load.measure;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..load.connections {
        let path = path.to_string();
        let token = token.map(str::to_string);
        tasks.spawn(connection(address, path, token, measure_from, end));
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
    }
    outcome.latencies_us.sort_unstable();
    if outcome.latencies_us.is_empty() {
        return Err(format!("no request to {path} completed").into());
    }
    Ok(outcome)
}

async fn connection(
    address: SocketAddr,
    path: String,
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
        let mut request = Request::get(path.as_str()).header(HOST, host.as_str());
        if let Some(token) = &token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = sender
            .send_request(request.body(Empty::<Bytes>::new())?)
            .await?;
        let ok = response.status() == hyper::StatusCode::OK;
        let mut body = response.into_body();
        let mut bytes = 0u64;
        while let Some(frame) = body.frame().await {
            if let Some(data) = frame?.data_ref() {
                bytes += data.len() as u64;
            }
        }
        let done = Instant::now();
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
