//! The signed-in shell: the session gate, then the sidebar (organization
//! switcher, navigation, user menu; a drawer under 768px) around the routed
//! page.

mod org_switcher;
mod user_menu;

pub use org_switcher::{CurrentOrgSwitcher, OrgSwitcher, FILTER_THRESHOLD};
pub use user_menu::UserMenu;

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;
use roster_core::Capabilities;

use crate::components::{
    create_organization_dialog, download_when_idle, loader, Chunk, ErrorState, LazyDialog,
    PagePrefetch, PrefetchPage, SkeletonBlock,
};
use crate::config;
use crate::dom;
use crate::icons::{Icon, IconKind};
use crate::routes::{self, OrgPage};
use crate::state::{self, use_session, use_toasts, SessionState};

fn skip_to_main(event: web_sys::MouseEvent) {
    event.prevent_default();
    let main = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
    if let Some(main) = main {
        dom::focus(&main);
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Gate {
    Checking,
    SignedIn(String),
    SignedOut,
    Failed(String),
}

/// The parent route of every signed-in page: asks who is signed in, sends
/// strangers (and sessions ended by a 401) to `/sign-in?next=…`, and
/// renders the shell once per user.
#[component]
pub fn AppLayout() -> impl IntoView {
    let session = use_session();
    session.check();
    let location = use_location();
    let gate = Memo::new(move |_| match session.state() {
        SessionState::Unknown | SessionState::Checking => Gate::Checking,
        SessionState::SignedIn(user) => Gate::SignedIn(user.id),
        SessionState::SignedOut => Gate::SignedOut,
        SessionState::Failed(error) => Gate::Failed(error.to_string()),
    });
    move || match gate.get() {
        Gate::Checking => view! {
            <main class="standalone" id="main">
                <SkeletonBlock lines=4 />
            </main>
        }
        .into_any(),
        // A portal's own sign-in: nothing to sign in to here.
        Gate::SignedOut if crate::auth::page_wants_host() => view! {
            <main class="standalone" id="main">
                <ErrorState
                    title="You are signed out"
                    message="Sign in again through the page that shows Roster."
                    on_retry=Callback::new(move |_| session.check())
                />
            </main>
        }
        .into_any(),
        Gate::SignedOut => {
            let search = location.search.get_untracked();
            let search = search.trim_start_matches('?');
            let pathname = location.pathname.get_untracked();
            let path = config::app_path(&pathname);
            let here = if search.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{search}")
            };
            view! { <Redirect path=routes::sign_in_with_next(&here) /> }.into_any()
        }
        Gate::Failed(message) => view! {
            <main class="standalone" id="main">
                <ErrorState
                    title=format!("Cannot reach {}", config::api_address())
                    message=message
                    on_retry=Callback::new(move |_| session.check())
                />
            </main>
        }
        .into_any(),
        // Keyed by user: another user gets fresh state.
        Gate::SignedIn(_user_id) => view! { <SignedInShell /> }.into_any(),
    }
}

#[component]
fn SignedInShell() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let current = state::provide_signed_in(session, toasts);
    let location = use_location();

    let drawer_open = RwSignal::new(false);
    let create_open = RwSignal::new(false);
    let toggle_ref = NodeRef::<html::Button>::new();
    let sidebar_ref = NodeRef::<html::Nav>::new();

    // A page change closes the drawer.
    Effect::new(move |_| {
        location.pathname.track();
        drawer_open.set(false);
    });
    let open_drawer = move || {
        drawer_open.set(true);
        dom::after_render(move || {
            if let Some(sidebar) = sidebar_ref.try_get_untracked().flatten() {
                if let Some(first) = dom::focusable_elements(&sidebar).first() {
                    dom::focus(first);
                }
            }
        });
    };
    let close_drawer = move || {
        if drawer_open.get_untracked() {
            drawer_open.set(false);
            if let Some(toggle) = toggle_ref.get_untracked() {
                dom::focus(&toggle);
            }
        }
    };

    let unverified = move || {
        session
            .user()
            .filter(|u| u.email_verified == Some(false))
            .map(|u| u.email)
    };

    view! {
        // Moves focus itself: under <base href> the bare fragment would name
        // another page, which the router would open.
        <a class="skip-link" href="#main" on:click=skip_to_main>"Skip to content"</a>
        <div class="shell" class:drawer-open=move || drawer_open.get()>
            <header class="topbar">
                <button
                    type="button"
                    class="icon-button drawer-toggle"
                    node_ref=toggle_ref
                    aria-controls="roster-sidebar"
                    aria-expanded=move || if drawer_open.get() { "true" } else { "false" }
                    aria-label="Navigation"
                    on:click=move |_| {
                        if drawer_open.get_untracked() { close_drawer() } else { open_drawer() }
                    }
                >
                    <Icon kind=IconKind::Menu size=18 />
                </button>
                <span class="topbar-title">{move || current.name().unwrap_or_default()}</span>
            </header>
            <div class="drawer-backdrop" aria-hidden="true" on:click=move |_| close_drawer()></div>
            <nav
                class="sidebar"
                id="roster-sidebar"
                aria-label="Sidebar"
                node_ref=sidebar_ref
                on:keydown=move |event| {
                    if event.key() == "Escape" && drawer_open.get_untracked() {
                        close_drawer();
                    }
                }
            >
                <div
                    class="sidebar-top"
                    on:pointerenter=|_| org_switcher::prefetch_switcher()
                    on:focusin=|_| org_switcher::prefetch_switcher()
                >
                    <CurrentOrgSwitcher on_create=Callback::new(move |_| create_open.set(true)) />
                </div>
                <OrgNavigation />
                <div class="sidebar-bottom">
                    <UserMenu />
                </div>
            </nav>
            <main class="main" id="main" tabindex="-1">
                {move || {
                    unverified()
                        .map(|email| {
                            view! {
                                <div class="banner" role="status">
                                    <Icon kind=IconKind::Mail />
                                    <p>
                                        "Verify your e-mail address to accept invitations: we sent a link to "
                                        <strong>{email}</strong> "."
                                    </p>
                                </div>
                            }
                        })
                }}
                <Outlet />
            </main>
        </div>
        <LazyDialog
            open=create_open
            load=loader(move || create_organization_dialog(create_open))
            on_close=Callback::new(move |_| create_open.set(false))
        />
    }
}

/// Members, Assignments (owners), Audit Logs (when permitted), Settings.
#[component]
fn OrgNavigation() -> impl IntoView {
    let current = state::use_current_organization();
    let can_manage_assignments = move || current.allows(Capabilities::manage_custom_assignments);
    let can_read_audit = move || current.allows(Capabilities::read_audit_log);
    // Each page's code downloads when the user shows intent (the pointer
    // over its link, or focus on it), and all of them once the first page
    // is shown and the browser is idle: a click waits for no download.
    let prefetch_page = PagePrefetch::get();
    Effect::new(move |_| {
        for page in [OrgPage::Settings, OrgPage::Assignments, OrgPage::AuditLogs] {
            prefetch_page.page_when_idle(PrefetchPage::Org(page));
        }
        prefetch_page.page_when_idle(PrefetchPage::Invitations);
        // The switcher's items and Create Organization share one chunk.
        download_when_idle(Chunk::shell_extras);
    });
    let link = move |page: OrgPage, icon: IconKind| {
        move || {
            current.id().map(|id| {
                view! {
                    <li>
                        <A
                            href=config::href(&routes::org_page(&id, page))
                            attr:class="nav-link"
                            on:pointerenter=move |_| prefetch_page.page(PrefetchPage::Org(page))
                            on:focus=move |_| prefetch_page.page(PrefetchPage::Org(page))
                        >
                            <Icon kind=icon />
                            <span>{page.title()}</span>
                        </A>
                    </li>
                }
            })
        }
    };
    view! {
        <ul class="nav-list">
            {link(OrgPage::Members, IconKind::Users)}
            <Show when=can_manage_assignments>{link(OrgPage::Assignments, IconKind::Shield)}</Show>
            <Show when=can_read_audit>{link(OrgPage::AuditLogs, IconKind::List)}</Show>
            {link(OrgPage::Settings, IconKind::Settings)}
        </ul>
    }
}
