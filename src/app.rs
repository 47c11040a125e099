//! The app: contexts that live as long as the page, the routes, and the
//! toasts. The signed-in contexts live in the layout
//! ([`crate::layout::AppLayout`]).
//!
//! | Route | Page |
//! |---|---|
//! | `/sign-in`, `/sign-up`, `/verify-email` | [`crate::pages::auth`] |
//! | `/` | last organization used, else the personal one |
//! | `/invitations` (`?id=`) | the user's invitations |
//! | `/org/:orgId/members` | Members |
//! | `/org/:orgId/roles` | Assignments (owners) |
//! | `/org/:orgId/audit-logs` | Audit log (owners, `read:audit_logs`) |
//! | `/org/:orgId/settings` | Settings |
//! | anything else | not found |

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::{
    loader, preloading, Chunk, ChunkView, Lazy, PagePrefetch, PrefetchPage, Prefetching,
    SkeletonBlock, Toaster,
};
use crate::config;
use crate::layout::AppLayout;
use crate::pages::home::Home;
use crate::pages::members::MembersPage;
use crate::pages::org_scope::{OrgIndex, OrgScope};
use crate::pages::{assignments, audit_logs, auth, invitations, not_found, settings};
use crate::routes::OrgPage;
use crate::state::{watch_unauthorized, Session, Theme, Toasts};

#[component]
pub fn App() -> impl IntoView {
    let theme = Theme::new();
    provide_context(theme);
    provide_context(Toasts::new());
    provide_context(Session::new());
    provide_context(PagePrefetch {
        load: load_page,
        chunk: page_chunk,
    });
    view! {
        <div class="roster-app" data-theme=move || theme.resolved()>
            <Router base=config::base_path()>
                <AppRoutes />
            </Router>
            <Toaster />
        </div>
    }
}

#[component]
fn AppRoutes() -> impl IntoView {
    watch_unauthorized(expect_context::<Session>());
    view! {
        <Routes fallback=|| lazy(not_found::page)>
            <Route path=path!("/sign-in") view=|| lazy(auth::sign_in_page) />
            <Route path=path!("/sign-up") view=|| lazy(auth::sign_up_page) />
            <Route path=path!("/verify-email") view=|| lazy(auth::verify_email_page) />
            <ParentRoute path=path!("") view=AppLayout>
                <Route path=path!("") view=Home />
                <Route path=path!("invitations") view=|| lazy(invitations::page) />
                <ParentRoute path=path!("org/:orgId") view=OrgScope>
                    <Route path=path!("") view=OrgIndex />
                    <Route path=path!("members") view=MembersPage />
                    <Route path=path!("roles") view=|| lazy(assignments::page) />
                    <Route path=path!("audit-logs") view=|| lazy(audit_logs::page) />
                    <Route path=path!("settings") view=|| lazy(settings::page) />
                </ParentRoute>
            </ParentRoute>
        </Routes>
    }
}

/// A route whose page is in a chunk of its own (every page but Members,
/// the page most visits start on): a placeholder while it downloads.
fn lazy<F>(page: fn() -> F) -> impl IntoView
where
    F: std::future::Future<Output = ChunkView> + 'static,
{
    view! {
        <Lazy load=loader(page) fallback=|| view! { <div class="page-loading"><SkeletonBlock lines=5 /></div> } />
    }
}

/// Loads a page's chunk ahead of a visit ([`PagePrefetch`]): on hover or
/// focus of its link.
fn load_page(page: PrefetchPage) -> Prefetching {
    match page {
        PrefetchPage::Org(OrgPage::Members) => Box::pin(async {}),
        PrefetchPage::Org(OrgPage::Assignments) => preloading(assignments::preload_page),
        PrefetchPage::Org(OrgPage::AuditLogs) => preloading(audit_logs::preload_page),
        PrefetchPage::Org(OrgPage::Settings) => preloading(settings::preload_page),
        PrefetchPage::Invitations => preloading(invitations::preload_page),
    }
}

/// The chunk of a page's code ([`PagePrefetch`]), downloaded for every page
/// when the browser is idle after the first one is shown.
fn page_chunk(page: PrefetchPage) -> Option<Chunk> {
    match page {
        PrefetchPage::Org(OrgPage::Members) => None,
        PrefetchPage::Org(OrgPage::Assignments) => Some(Chunk::assignments),
        PrefetchPage::Org(OrgPage::AuditLogs) => Some(Chunk::audit_logs),
        PrefetchPage::Org(OrgPage::Settings) => Some(Chunk::settings),
        PrefetchPage::Invitations => Some(Chunk::invitations),
    }
}
