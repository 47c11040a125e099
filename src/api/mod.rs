//! The API client: one generic request ([`transport::request`]) and one
//! typed function per endpoint of `docs/api.md` (Daytona's organization API
//! plus Roster's extensions), in one module per resource.
//!
//! The lowest layer of the app above the leaves (`config`, `routes`,
//! `auth`…): it imports neither the state, nor components, layout or pages.
//!
//! - [`error`]: what a failed request is ([`ApiError`]).
//! - [`events`]: 401 and 403 answers announced to the state layer.
//! - [`transport`]: authentication, prefetched answers, validators (`ETag`),
//!   bodies; [`prefetch`]: the answers index.html asked for early.
//! - [`session`], [`regions`], [`organizations`], [`members`],
//!   [`invitations`], [`assignments`], [`audit`]: the endpoints.

pub mod assignments;
pub mod audit;
pub mod error;
pub mod events;
pub mod invitations;
mod json_slices;
pub mod members;
pub mod organizations;
pub mod prefetch;
pub mod regions;
pub mod session;
pub mod transport;

pub use error::{ApiError, ApiResult};
pub use events::{subscribe, ApiEvent, Subscription};
pub use transport::Validated;

/// Escapes a path segment or query value.
pub use crate::routes::encode;
