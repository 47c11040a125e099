//! Who is signed in. The session itself is an HttpOnly cookie the SPA never
//! sees; this context holds the user it belongs to.
//!
//! A 401 from any endpoint outside `/auth/…` ends the session here
//! ([`watch_unauthorized`]); the signed-in layout then sends the user to
//! `/sign-in?next=<where they were>`.

use leptos::prelude::*;
use roster_core::wire::User;

use crate::api::{self, ApiError, ApiEvent};

#[derive(Clone, Debug, PartialEq)]
pub enum SessionState {
    /// Not asked yet.
    Unknown,
    Checking,
    SignedIn(User),
    SignedOut,
    /// `GET /users/me` failed for another reason than 401 (server down…).
    Failed(ApiError),
}

/// The session context (see [`use_session`]).
#[derive(Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    pub fn new() -> Self {
        Session {
            state: RwSignal::new(SessionState::Unknown),
        }
    }

    pub fn state(&self) -> SessionState {
        self.state.get()
    }

    /// The signed-in user.
    pub fn user(&self) -> Option<User> {
        self.state.with(|state| match state {
            SessionState::SignedIn(user) => Some(user.clone()),
            _ => None,
        })
    }

    pub fn user_id(&self) -> Option<String> {
        self.state.with(|state| match state {
            SessionState::SignedIn(user) => Some(user.id.clone()),
            _ => None,
        })
    }

    pub fn user_id_untracked(&self) -> Option<String> {
        self.state.with_untracked(|state| match state {
            SessionState::SignedIn(user) => Some(user.id.clone()),
            _ => None,
        })
    }

    /// After sign-in or sign-up.
    pub fn signed_in(&self, user: User) {
        api::prefetch::forget();
        self.state.set(SessionState::SignedIn(user));
    }

    /// Asks the server who is signed in, unless that is known or being asked.
    pub fn check(&self) {
        let state = self.state;
        let needed =
            state.with_untracked(|s| matches!(s, SessionState::Unknown | SessionState::Failed(_)));
        if !needed {
            return;
        }
        state.set(SessionState::Checking);
        super::tasks::spawn_detached(async move {
            let next = match api::session::me().await {
                Ok(user) => SessionState::SignedIn(user),
                Err(error) if error.is_unauthorized() => SessionState::SignedOut,
                Err(error) => SessionState::Failed(error),
            };
            if !matches!(next, SessionState::SignedIn(_)) {
                // Answered for no one (or not at all): ask again once signed in.
                api::prefetch::forget();
            }
            state.try_set(next);
        });
    }

    /// Fetches the user again (e.g. after verifying the e-mail address).
    pub fn refresh(&self) {
        let state = self.state;
        super::tasks::spawn_detached(async move {
            if let Ok(user) = api::session::me().await {
                state.try_set(SessionState::SignedIn(user));
            }
        });
    }

    /// The server no longer knows the session.
    pub fn expired(&self) {
        api::prefetch::forget();
        self.state.set(SessionState::SignedOut);
    }

    /// Revokes the session server-side and forgets the user. The session is
    /// ended locally even when the server cannot be reached.
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        // The OpenID provider's session (its end-session page), or the
        // host page's.
        if crate::auth::sign_out_elsewhere() {
            api::prefetch::forget();
            self.state.try_set(SessionState::SignedOut);
            return Ok(());
        }
        let result = api::session::sign_out().await;
        api::prefetch::forget();
        self.state.try_set(SessionState::SignedOut);
        match result {
            Err(error) if !error.is_unauthorized() => Err(error),
            _ => Ok(()),
        }
    }
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| {
        let session = Session::new();
        provide_context(session);
        session
    })
}

/// Ends the session after any 401 (call once, for the app's lifetime). The
/// signed-in layout then sends the user to `/sign-in?next=<where they were>`.
pub fn watch_unauthorized(session: Session) {
    let subscription = api::subscribe(move |event| {
        if *event == ApiEvent::Unauthorized {
            session.expired();
        }
    });
    let subscription = send_wrapper::SendWrapper::new(subscription);
    on_cleanup(move || drop(subscription));
}
