//! Authentication against Roster's own server: sign-in (with the demo
//! accounts in dev mode), sign-up and e-mail verification.

mod form;
mod sign_in;
mod sign_up;
mod verify_email;

use leptos::prelude::*;

pub use sign_in::SignIn;
pub use sign_up::SignUp;
pub use verify_email::VerifyEmail;

// The three pages share their form: one chunk.
crate::components::split_view! {
    /// "Sign in", downloaded when first shown.
    pub fn sign_in_page() in auth, preload preload_pages {
        view! { <SignIn /> }
    }
}
crate::components::split_view! {
    /// "Sign up", downloaded when first shown.
    pub fn sign_up_page() in auth, preload preload_sign_up {
        view! { <SignUp /> }
    }
}
crate::components::split_view! {
    /// E-mail verification, downloaded when first shown.
    pub fn verify_email_page() in auth, preload preload_verify_email {
        view! { <VerifyEmail /> }
    }
}
