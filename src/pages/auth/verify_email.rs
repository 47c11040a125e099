//! `/verify-email?token=…`: the link from the verification e-mail.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::AuthCard;
use crate::api;
use crate::components::SkeletonBlock;
use crate::config;
use crate::routes;
use crate::state::{use_page_title, use_session, SessionState};

#[component]
pub fn VerifyEmail() -> impl IntoView {
    use_page_title("Verify e-mail");
    let session = use_session();
    // Whether to offer "Continue" or "Sign in" afterwards.
    session.check();
    let query = use_query_map();
    let token = Memo::new(move |_| {
        query
            .with(|q| q.get("token"))
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    });
    let outcome = LocalResource::new(move || {
        let token = token.get();
        async move {
            match token {
                Some(token) => Some(api::verify_email(&token).await),
                None => None,
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Some(Ok(()))) = outcome.get() {
            // The banner asking for verification goes away.
            if matches!(session.state(), SessionState::SignedIn(_)) {
                session.refresh();
            }
        }
    });
    let continue_link = move || {
        let signed_in = matches!(session.state(), SessionState::SignedIn(_));
        if signed_in {
            view! { <A href=config::href("/") attr:class="btn btn-primary">"Continue to Roster"</A> }.into_any()
        } else {
            view! { <A href=config::href(routes::SIGN_IN) attr:class="btn btn-primary">"Sign in"</A> }.into_any()
        }
    };

    view! {
        <AuthCard title="Verify your e-mail address">
            {move || match outcome.get() {
                None => view! { <SkeletonBlock lines=2 /> }.into_any(),
                Some(None) => view! {
                    <p role="alert" class="form-error">
                        "This verification link is incomplete. Open the link from the e-mail again."
                    </p>
                    {continue_link()}
                }
                .into_any(),
                Some(Some(Ok(()))) => view! {
                    <p role="status" class="form-success">"Your e-mail address is verified. You can now accept invitations."</p>
                    {continue_link()}
                }
                .into_any(),
                Some(Some(Err(error))) => view! {
                    <div role="alert">
                        <p class="form-error">"This verification link cannot be used."</p>
                        <p class="muted">{error.message}</p>
                    </div>
                    {continue_link()}
                }
                .into_any(),
            }}
        </AuthCard>
    }
}
