use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use roster_core::wire;
use roster_core::{validate_display_name, validate_email, validate_password};

use super::form::{destination, AuthCard, Field};
use crate::api;
use crate::components::{Button, ButtonVariant};
use crate::config;
use crate::routes;
use crate::state::{use_page_title, use_session, use_toasts};

#[component]
pub fn SignUp() -> impl IntoView {
    use_page_title("Sign up");
    let elsewhere = crate::auth::signs_in_elsewhere();
    move || match elsewhere.get() {
        // Accounts are made at the OpenID provider: its sign-in.
        Some(true) => view! { <super::form::ProviderSignIn /> }.into_any(),
        _ => view! { <PasswordSignUp /> }.into_any(),
    }
}

#[component]
fn PasswordSignUp() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let destination = destination();
    let query = use_query_map();

    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let server_error = RwSignal::new(None::<String>);

    let sign_up = Action::new_local(move |body: &wire::SignUp| {
        let body = body.clone();
        let navigate = navigate.clone();
        let destination = destination.clone();
        async move {
            server_error.try_set(None);
            match api::session::sign_up(&body).await {
                Ok(answer) => {
                    if answer.user.email_verified == Some(false) {
                        toasts.info(format!(
                            "We sent a verification link to {}",
                            answer.user.email
                        ));
                    }
                    session.signed_in(answer.user);
                    navigate(&destination(), Default::default());
                }
                Err(error) if error.is_aborted() => {}
                Err(error) => {
                    // The page may have been left meanwhile.
                    server_error.try_set(Some(error.to_string()));
                }
            }
        }
    });

    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        if sign_up.pending().get_untracked() {
            return;
        }
        // The server's rules, from roster_core, field by field.
        let valid_name = validate_display_name(&name.get_untracked(), "name");
        let valid_email = validate_email(&email.get_untracked());
        let valid_password = validate_password(&password.get_untracked());
        name_error.set(valid_name.as_ref().err().map(|e| e.message.clone()));
        email_error.set(valid_email.as_ref().err().map(|e| e.message.clone()));
        password_error.set(valid_password.as_ref().err().map(|e| e.message.clone()));
        if let (Ok(name), Ok(email), Ok(())) = (valid_name, valid_email, valid_password) {
            sign_up.dispatch(wire::SignUp {
                email,
                password: password.get_untracked(),
                name,
            });
        }
    };
    let sign_in_href = move || match query.with(|q| q.get("next")) {
        Some(next) => config::href(&format!(
            "{}?next={}",
            routes::SIGN_IN,
            routes::encode(&next)
        )),
        None => config::href(routes::SIGN_IN),
    };

    view! {
        <AuthCard title="Create your account">
            <form class="auth-form" on:submit=submit novalidate>
                <Field label="Name" id="sign-up-name" kind="text" autocomplete="name" value=name error=name_error />
                <Field label="Email" id="sign-up-email" kind="email" autocomplete="email" value=email error=email_error />
                <Field
                    label="Password"
                    id="sign-up-password"
                    kind="password"
                    autocomplete="new-password"
                    value=password
                    error=password_error
                />
                {move || server_error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                <Button variant=ButtonVariant::Primary submit=true busy=sign_up.pending()>"Sign up"</Button>
            </form>
            <p class="auth-switch">"Already have an account? " <A href=sign_in_href>"Sign in"</A></p>
        </AuthCard>
    }
}
