//! What the sign-in, sign-up and verification pages share: the card, its
//! fields, the provider's sign-in and where to go afterwards.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::routes;

/// Where to go after signing in: `?next=` when it is a path on this site,
/// else `/` (the last organization used, or the personal one).
pub(super) fn destination() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let query = use_query_map();
    move || {
        query
            .with_untracked(|q| routes::safe_next(q.get("next").as_deref()))
            .unwrap_or_else(|| "/".to_owned())
    }
}

/// Signing in elsewhere (the OpenID provider the backend names): coming
/// from a page that asked for a session (`?next=`), the provider's sign-in
/// opens at once; otherwise a button leads there (after signing out, the
/// user chooses to come back).
#[component]
pub(super) fn ProviderSignIn() -> impl IntoView {
    let query = use_query_map();
    let next = destination();
    let asked_for_page = query.with_untracked(|q| q.get("next").is_some());
    let started = RwSignal::new(false);
    let start = move || {
        started.set(true);
        crate::auth::sign_in_elsewhere(&next());
    };
    if asked_for_page {
        start();
    }
    view! {
        <AuthCard title="Sign in">
            <p class="auth-lead">"Roster signs you in with your organization's account."</p>
            <button
                type="button"
                class="btn btn-primary"
                aria-busy=move || if started.get() { "true" } else { "false" }
                on:click=move |_| start()
            >
                {move || if started.get() { "Opening the sign-in page…" } else { "Continue to sign in" }}
            </button>
        </AuthCard>
    }
}

/// The page around an authentication form.
#[component]
pub(super) fn AuthCard(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <main class="auth-page" id="main">
            <div class="auth-card">
                <div class="auth-brand" aria-hidden="true">
                    <span class="auth-logo">"R"</span>
                    <span>"Roster"</span>
                </div>
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}

/// One labelled input with its error below.
#[component]
pub(super) fn Field(
    #[prop(into)] label: String,
    #[prop(into)] id: String,
    #[prop(into)] kind: String,
    #[prop(into)] autocomplete: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = error_id.clone();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                class="input"
                type=kind
                autocomplete=autocomplete
                required
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=move || error.with(Option::is_some).then(|| described_by.clone())
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
            />
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}
