use leptos::prelude::*;

use crate::api;

/// The landing page; shows which backend version the SPA talks to.
#[component]
pub fn Home() -> impl IntoView {
    let config = LocalResource::new(api::config);
    view! {
        <section>
            <h1>"Roster"</h1>
            <Suspense fallback=|| view! { <p class="skeleton">"Connecting to the server…"</p> }>
                {move || {
                    config
                        .get()
                        .map(|result| match result {
                            Ok(config) => {
                                view! {
                                    <p class="server-version">
                                        "Server version " {config.version}
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(error) => {
                                view! {
                                    <p role="alert" class="error">
                                        {error.message}
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}
