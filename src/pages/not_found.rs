use leptos::prelude::*;
use leptos_router::components::A;

use crate::config;
use crate::state::use_page_title;

crate::components::split_view! {
    /// The page, downloaded when first shown.
    pub fn page() in not_found, preload preload_page {
        view! { <NotFound /> }
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    use_page_title("Page not found");
    view! {
        <main class="standalone" id="main">
            <section class="not-found" aria-labelledby="not-found-title">
                <h1 id="not-found-title">"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <A href=config::href("/") attr:class="btn btn-secondary">"Back to Roster"</A>
            </section>
        </main>
    }
}
