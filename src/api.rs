//! The API client: one generic JSON request and one typed function per
//! endpoint. Errors are decoded from the API's error body.

use gloo_net::http::{Method, RequestBuilder};
use roster_core::wire;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::api_base;

/// A failed request: the server's status and message, or a network failure
/// (status 0) with a message fit to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

fn network_error(error: impl std::fmt::Display) -> ApiError {
    ApiError {
        status: 0,
        message: format!("Cannot reach the server ({error})"),
    }
}

/// Sends one request. Any 2xx is success, with or without a body (an empty
/// body reads as JSON `null`, so `()` and `Option<T>` accept it).
async fn request<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<&(impl Serialize + ?Sized)>,
) -> ApiResult<T> {
    let url = format!("{}{path}", api_base());
    let builder = RequestBuilder::new(&url)
        .method(method)
        .credentials(web_sys::RequestCredentials::Include)
        .header("Accept", "application/json");
    let request = match body {
        Some(body) => builder.json(body).map_err(network_error)?,
        None => builder.build().map_err(network_error)?,
    };
    let response = request.send().await.map_err(network_error)?;
    let status = response.status();
    let text = response.text().await.map_err(network_error)?;
    if (200..300).contains(&status) {
        let text = if text.trim().is_empty() { "null" } else { &text };
        return serde_json::from_str(text).map_err(|e| ApiError {
            status,
            message: format!("Unexpected response from the server: {e}"),
        });
    }
    let message = serde_json::from_str::<wire::ApiError>(&text)
        .map(|body| body.message)
        .ok()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("Request failed with status {status}"));
    Err(ApiError { status, message })
}

async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    request(Method::GET, path, None::<&()>).await
}

pub async fn config() -> ApiResult<wire::RosterConfig> {
    get("/config").await
}
