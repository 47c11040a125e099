//! `/verify-email?token=…`: the link from the verification e-mail. It
//! verifies the signed-in account only (the server refuses it for anyone
//! else), so a visitor who is signed out is asked to sign in first and comes
//! back here.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::form::AuthCard;
use crate::api::{self, ApiError};
use crate::components::{ErrorState, SkeletonBlock};
use crate::config;
use crate::routes;
use crate::state::{use_page_title, use_session, SessionState};

#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Waiting for the session (or the server's answer).
    Waiting,
    Incomplete,
    /// Who is signed in could not be asked: say so, with Retry.
    Unreachable(String),
    SignIn(String),
    Done(Result<(), ApiError>),
}

#[component]
pub fn VerifyEmail() -> impl IntoView {
    use_page_title("Verify e-mail");
    let session = use_session();
    session.check();
    let query = use_query_map();
    let token = Memo::new(move |_| {
        query
            .with(|q| q.get("token"))
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    });
    // Changes only when someone signs in or out (not when the user is
    // fetched again after verifying), so the link is sent once.
    let signed_in = Memo::new(move |_| match session.state() {
        SessionState::SignedIn(_) => Some(Ok(true)),
        SessionState::SignedOut => Some(Ok(false)),
        SessionState::Failed(error) => Some(Err(error.to_string())),
        _ => None,
    });
    let outcome = LocalResource::new(move || {
        let token = token.get();
        let signed_in = signed_in.get();
        async move {
            match (token, signed_in) {
                (None, _) => Step::Incomplete,
                (Some(_), None) => Step::Waiting,
                (Some(_), Some(Err(message))) => Step::Unreachable(message),
                (Some(token), Some(Ok(false))) => Step::SignIn(routes::sign_in_with_next(
                    &format!("{}?token={}", routes::VERIFY_EMAIL, routes::encode(&token)),
                )),
                (Some(token), Some(Ok(true))) => {
                    Step::Done(api::session::verify_email(&token).await)
                }
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Step::Done(Ok(()))) = outcome.get() {
            // The banner asking for verification goes away.
            session.refresh();
        }
    });
    let continue_link = move || {
        view! { <A href=config::href("/") attr:class="btn btn-primary">"Continue to Roster"</A> }
    };

    view! {
        <AuthCard title="Verify your e-mail address">
            {move || match outcome.get().unwrap_or(Step::Waiting) {
                Step::Waiting => view! { <SkeletonBlock lines=2 /> }.into_any(),
                Step::Incomplete => view! {
                    <p role="alert" class="form-error">
                        "This verification link is incomplete. Open the link from the e-mail again."
                    </p>
                    {continue_link()}
                }
                .into_any(),
                Step::Unreachable(message) => view! {
                    <ErrorState
                        title=format!("Cannot reach {}", config::api_address())
                        message=message
                        on_retry=Callback::new(move |_| session.check())
                    />
                }
                .into_any(),
                Step::SignIn(href) => view! {
                    <p>"Sign in with the account you created to verify its e-mail address."</p>
                    <A href=config::href(&href) attr:class="btn btn-primary">"Sign in"</A>
                }
                .into_any(),
                Step::Done(Ok(())) => view! {
                    <p role="status" class="form-success">"Your e-mail address is verified. You can now accept invitations."</p>
                    {continue_link()}
                }
                .into_any(),
                Step::Done(Err(error)) => view! {
                    <div role="alert">
                        <p class="form-error">"This verification link cannot be used."</p>
                        <p class="muted">{error.to_string()}</p>
                    </div>
                    {continue_link()}
                }
                .into_any(),
            }}
        </AuthCard>
    }
}
