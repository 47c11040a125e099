//! What a data view shows when loading failed: the message and Retry.

use leptos::prelude::*;

use crate::icons::{Icon, IconKind};

#[component]
pub fn ErrorState(
    /// The server's message.
    #[prop(into)]
    message: String,
    on_retry: Callback<()>,
    #[prop(optional, into)] title: Option<String>,
) -> impl IntoView {
    let title = title.unwrap_or_else(|| "Could not load this".to_owned());
    view! {
        <div class="error-state" role="alert">
            <span class="error-state-icon"><Icon kind=IconKind::Alert size=20 /></span>
            <p class="error-state-title">{title}</p>
            <p class="error-state-message">{message}</p>
            <button type="button" class="btn btn-secondary" on:click=move |_| on_retry.run(())>
                "Retry"
            </button>
        </div>
    }
}
