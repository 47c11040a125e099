//! What a failed request is: a type, so that callers match on the kind of
//! failure instead of comparing texts. What the UI shows of it
//! ([`ApiError::message`], `Display`) is the server's message, or for a
//! request that got no answer a sentence fit to show.

use roster_core::protocol;

/// A failed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: the server could not be reached, the request could not be
    /// made (no token, a body that does not encode, a file that cannot be
    /// saved) or its answer broke off. The message is fit to show.
    Network(String),
    /// The request was cancelled because the view that made it went away;
    /// nobody is waiting for the outcome, so it is not reported.
    Aborted,
    /// The 403 of the API's access gate (`docs/api.md`, "Who may call"):
    /// the caller is no longer a member, or lacks the role or permission.
    /// The server's message.
    AccessGate(String),
    /// Any other answer that is no success (403s of business rules
    /// included), or a success whose body does not read: its status and
    /// the server's message.
    Http { status: u16, message: String },
}

impl ApiError {
    /// The message shown for a request cancelled because its view went away.
    const ABORTED: &'static str = "The request was cancelled";

    /// The error of an answer with `status` that is no success, with the
    /// server's `message`: a 403 with one of the gate's messages is the gate.
    pub fn from_status(status: u16, message: String) -> Self {
        if status == 403 && protocol::is_access_gate_message(&message) {
            ApiError::AccessGate(message)
        } else {
            ApiError::Http { status, message }
        }
    }

    /// The HTTP status of the answer; none when there was no answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Network(_) | ApiError::Aborted => None,
            ApiError::AccessGate(_) => Some(403),
            ApiError::Http { status, .. } => Some(*status),
        }
    }

    /// The message to show: the server's, or why there was no answer.
    pub fn message(&self) -> &str {
        match self {
            ApiError::Network(message)
            | ApiError::AccessGate(message)
            | ApiError::Http { message, .. } => message,
            ApiError::Aborted => Self::ABORTED,
        }
    }

    /// The request was cancelled because the view that made it went away;
    /// nobody is waiting for the outcome, so it is not reported.
    pub fn is_aborted(&self) -> bool {
        matches!(self, ApiError::Aborted)
    }

    /// No answer arrived (the server could not be reached, or the request
    /// was not sent or was cancelled).
    pub fn is_without_answer(&self) -> bool {
        self.status().is_none()
    }

    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// Any 403: the access gate's or a business rule's.
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(403)
    }

    /// The access gate's 403 (not a business rule's).
    pub fn is_access_gate(&self) -> bool {
        matches!(self, ApiError::AccessGate(_))
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

/// A fetch that failed: cancelled, or the server could not be reached.
pub(super) fn network_error(error: gloo_net::Error) -> ApiError {
    if let gloo_net::Error::JsError(js) = &error {
        if js.name == "AbortError" {
            return ApiError::Aborted;
        }
    }
    unreachable_server(error)
}

/// The server could not be reached: the browser's reason.
pub(super) fn unreachable_server(reason: impl std::fmt::Display) -> ApiError {
    ApiError::Network(format!(
        "Cannot reach {} ({reason})",
        crate::config::api_address()
    ))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn a_403_is_the_gate_only_with_the_gate_s_message() {
        assert_eq!(
            ApiError::from_status(403, "Access denied".into()),
            ApiError::AccessGate("Access denied".into())
        );
        let rule = ApiError::from_status(403, "Please verify your email address".into());
        assert!(rule.is_forbidden() && !rule.is_access_gate());
        assert!(!ApiError::from_status(404, "Access denied".into()).is_access_gate());
        assert_eq!(ApiError::Aborted.to_string(), "The request was cancelled");
        assert!(ApiError::Network("x".into()).is_without_answer());
    }
}
