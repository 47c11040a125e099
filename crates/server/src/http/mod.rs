//! The API under `/api`, one module per resource.

mod system;

use axum::extract::{DefaultBodyLimit, FromRequest};
use axum::{middleware, Router};

use crate::error::{api_not_found, render_errors, ApiError};
use crate::AppState;

/// Bodies of this API are small; anything bigger is refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// `axum::Json` whose rejections are rendered as API errors.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(system::routes())
        .fallback(api_not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(render_errors))
        .with_state(state)
}
