//! The app shell: routes, sidebar and the routed main area.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::pages::{home::Home, not_found::NotFound};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <div class="roster-app">
                <div class="shell">
                    <nav class="sidebar" aria-label="Sidebar">
                        <div class="brand">"Roster"</div>
                    </nav>
                    <main class="main" id="main">
                        <Routes fallback=NotFound>
                            <Route path=path!("/") view=Home />
                        </Routes>
                    </main>
                </div>
            </div>
        </Router>
    }
}
