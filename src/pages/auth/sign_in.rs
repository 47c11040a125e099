use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use roster_core::wire::{self, DemoAccount};

use super::form::{destination, AuthCard, Field};
use crate::api;
use crate::components::{Button, ButtonVariant, SkeletonBlock};
use crate::config;
use crate::dom;
use crate::routes;
use crate::state::{use_page_title, use_session};

/// `/sign-in`: Roster's own accounts, or the way to the OpenID provider.
#[component]
pub fn SignIn() -> impl IntoView {
    use_page_title("Sign in");
    let elsewhere = crate::auth::signs_in_elsewhere();
    move || match elsewhere.get() {
        None => view! { <AuthCard title="Sign in"><SkeletonBlock lines=3 /></AuthCard> }.into_any(),
        Some(true) => view! { <super::form::ProviderSignIn /> }.into_any(),
        Some(false) => view! { <PasswordSignIn /> }.into_any(),
    }
}

#[component]
fn PasswordSignIn() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let destination = destination();
    let query = use_query_map();
    let config = LocalResource::new(api::session::config);

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let server_error = RwSignal::new(None::<String>);
    // The e-mail being signed in with (the form's or a demo account's).
    let signing_in_as = RwSignal::new(None::<String>);

    let sign_in = Action::new_local(move |body: &wire::SignIn| {
        let body = body.clone();
        let navigate = navigate.clone();
        let destination = destination.clone();
        // The page can be left while the request runs: its signals are
        // touched with `try_` once the answer is in.
        async move {
            signing_in_as.try_set(Some(body.email.clone()));
            server_error.try_set(None);
            match api::session::sign_in(&body).await {
                Ok(answer) => {
                    session.signed_in(answer.user);
                    navigate(&destination(), Default::default());
                }
                Err(error) if error.is_aborted() => {}
                Err(error) => {
                    server_error.try_set(Some(error.to_string()));
                }
            }
            signing_in_as.try_set(None);
        }
    });
    let busy_with = move |address: Option<String>| {
        Signal::derive(move || sign_in.pending().get() && signing_in_as.get() == address)
    };

    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        if sign_in.pending().get_untracked() {
            return;
        }
        let address = email.get_untracked().trim().to_owned();
        email_error.set(address.is_empty().then(|| "Email is required".to_owned()));
        password_error.set(
            password
                .with_untracked(String::is_empty)
                .then(|| "Password is required".to_owned()),
        );
        if !address.is_empty() && !password.with_untracked(String::is_empty) {
            sign_in.dispatch(wire::SignIn {
                email: address,
                password: password.get_untracked(),
            });
        }
    };
    let sign_up_href = move || match query.with(|q| q.get("next")) {
        Some(next) => config::href(&format!(
            "{}?next={}",
            routes::SIGN_UP,
            routes::encode(&next)
        )),
        None => config::href(routes::SIGN_UP),
    };
    let form_busy = Signal::derive(move || {
        sign_in.pending().get() && signing_in_as.get() == Some(email.get().trim().to_owned())
    });

    view! {
        <AuthCard title="Sign in">
            <form class="auth-form" on:submit=submit novalidate>
                <Field label="Email" id="sign-in-email" kind="email" autocomplete="username" value=email error=email_error />
                <Field
                    label="Password"
                    id="sign-in-password"
                    kind="password"
                    autocomplete="current-password"
                    value=password
                    error=password_error
                />
                {move || server_error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                <Button variant=ButtonVariant::Primary submit=true busy=form_busy>"Sign in"</Button>
            </form>
            <p class="auth-switch">"No account yet? " <A href=sign_up_href>"Sign up"</A></p>
            {move || {
                config
                    .get()
                    .and_then(Result::ok)
                    .map(|config| {
                        let demo = (config.dev && !config.demo_accounts.is_empty())
                            .then(|| view! {
                                <DemoAccounts
                                    accounts=config.demo_accounts.clone()
                                    on_pick=Callback::new(move |account: DemoAccount| {
                                        if !sign_in.pending().get_untracked() {
                                            sign_in.dispatch(wire::SignIn {
                                                email: account.email,
                                                password: account.password,
                                            });
                                        }
                                    })
                                    busy_with=busy_with
                                />
                            });
                        view! {
                            {demo}
                            <p class="server-version">"Server version " {config.version}</p>
                        }
                    })
            }}
        </AuthCard>
    }
}

/// Dev mode: the demo accounts, each signed in with one click.
#[component]
fn DemoAccounts(
    accounts: Vec<DemoAccount>,
    on_pick: Callback<DemoAccount>,
    busy_with: impl Fn(Option<String>) -> Signal<bool> + 'static,
) -> impl IntoView {
    view! {
        <section class="demo-accounts" aria-labelledby="demo-accounts-title">
            <h2 id="demo-accounts-title">"Demo accounts"</h2>
            <p class="muted">"Development mode: sign in as one of them with one click."</p>
            <ul>
                {accounts
                    .into_iter()
                    .map(|account| {
                        let busy = busy_with(Some(account.email.clone()));
                        let description_id = dom::unique_id("demo-account");
                        let described_by = description_id.clone();
                        let picked = account.clone();
                        view! {
                            // The whole card is clickable; the button's name
                            // is the person's.
                            <li class="demo-account">
                                <Button
                                    variant=ButtonVariant::Ghost
                                    busy=busy
                                    on_click=Callback::new(move |_| on_pick.run(picked.clone()))
                                    {..}
                                    aria-describedby=described_by
                                >
                                    {account.name.clone()}
                                </Button>
                                <p class="demo-account-details" id=description_id>
                                    {account.email.clone()}
                                    {(!account.description.is_empty()).then(|| format!(" · {}", account.description))}
                                </p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
