//! One error type for every handler, rendered as the API's error body:
//! `{"path", "timestamp", "statusCode", "error", "message"}`.
//!
//! Handlers return `ApiError` with `?`; the response carries the status and
//! message, and `error_body` (a middleware on `/api`) adds the request path
//! and renders the body, also for rejections produced by axum itself.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use roster_core::protocol;
use roster_core::Refusal;
use serde_json::json;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Seconds until trying again makes sense (a 429's `Retry-After`).
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A failure outside a request (starting the server, seeding), shown as
/// its message.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A 429 naming when to try again.
    pub fn too_many_requests(message: impl Into<String>, retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, message)
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }
    /// A service this server relies on (the identity provider) is down.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }
    /// An unexpected failure: the cause goes to the log, the client gets a
    /// safe message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side; please try again",
        )
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::internal(error)
    }
}

impl ApiError {
    /// A business rule of roster-core refused the action in this organization.
    pub fn refused(refusal: Refusal, organization_id: &str) -> Self {
        let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN);
        Self::new(status, refusal.message_in(organization_id))
    }
}

impl From<roster_core::validate::ValidationError> for ApiError {
    fn from(error: roster_core::validate::ValidationError) -> Self {
        Self::bad_request(error.message)
    }
}

/// Several failed fields: one 400 with every message (`docs/api.md`,
/// "Errors": joined with ", ").
impl From<Vec<roster_core::validate::ValidationError>> for ApiError {
    fn from(errors: Vec<roster_core::validate::ValidationError>) -> Self {
        Self::bad_request(roster_core::validate::join_messages(&errors))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // axum answers 422 for well-formed JSON of the wrong shape; the API
        // contract says 400 for wrong types, missing fields and unknown enums.
        let status = match rejection.status() {
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
            other => other,
        };
        let message = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                "Expected a JSON body with Content-Type: application/json".to_string()
            }
            JsonRejection::JsonSyntaxError(_) => "Malformed JSON in the request body".to_string(),
            JsonRejection::JsonDataError(e) => json_data_message(&e.body_text()),
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => "Request body is too large".to_string(),
            other => other.body_text(),
        };
        Self::new(status, message)
    }
}

/// serde's messages name the path and the problem; drop axum's prefix.
fn json_data_message(text: &str) -> String {
    text.strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(text)
        .to_string()
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(
            rejection
                .body_text()
                .replace("Failed to deserialize query string: ", "Invalid query: "),
        )
    }
}

/// Marks a response as an API error whose body the middleware renders.
#[derive(Clone)]
pub struct ErrorMessage(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(ErrorMessage(self.message));
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

pub fn error_body(path: &str, status: StatusCode, message: &str) -> serde_json::Value {
    json!({
        "path": path,
        "timestamp": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "statusCode": status.as_u16(),
        "error": status.canonical_reason().unwrap_or("Error"),
        "message": message,
    })
}

/// Renders every error response under `/api` in the API's JSON shape,
/// including those axum produces itself (405, 413, unknown routes).
pub async fn render_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let message = match response.extensions().get::<ErrorMessage>() {
        // A handler that rendered a richer error body itself (a bulk
        // request's refusals) marks it only for the audit row.
        Some(_) | None if is_json => return response,
        Some(ErrorMessage(message)) => message.clone(),
        None => default_message(status).to_string(),
    };
    let mut rendered = (status, axum::Json(error_body(&path, status, &message))).into_response();
    // Keep headers such as Retry-After and WWW-Authenticate.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::METHOD_NOT_ALLOWED => "Method not allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "Request body is too large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Expected a JSON body",
        StatusCode::UNAUTHORIZED => protocol::UNAUTHORIZED,
        StatusCode::FORBIDDEN => protocol::ACCESS_DENIED,
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

pub async fn api_not_found() -> ApiError {
    ApiError::not_found("Not found")
}
