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

use crate::components::{ChunkFuture, ChunkView, Lazy, Toaster};
use crate::config;
use crate::layout::AppLayout;
use crate::pages::assignments::AssignmentsPage;
use crate::pages::audit_logs;
use crate::pages::auth::{SignIn, SignUp, VerifyEmail};
use crate::pages::home::Home;
use crate::pages::invitations::InvitationsPage;
use crate::pages::members::MembersPage;
use crate::pages::not_found::NotFound;
use crate::pages::org_scope::{OrgIndex, OrgScope};
use crate::pages::settings::SettingsPage;
use crate::state::{watch_unauthorized, Session, Theme, Toasts};

#[component]
pub fn App() -> impl IntoView {
    let theme = Theme::new();
    provide_context(theme);
    provide_context(Toasts::new());
    provide_context(Session::new());
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
        <Routes fallback=NotFound>
            <Route path=path!("/sign-in") view=SignIn />
            <Route path=path!("/sign-up") view=SignUp />
            <Route path=path!("/verify-email") view=VerifyEmail />
            <ParentRoute path=path!("") view=AppLayout>
                <Route path=path!("") view=Home />
                <Route path=path!("invitations") view=InvitationsPage />
                <ParentRoute path=path!("org/:orgId") view=OrgScope>
                    <Route path=path!("") view=OrgIndex />
                    <Route path=path!("members") view=MembersPage />
                    <Route path=path!("roles") view=AssignmentsPage />
                    <Route path=path!("audit-logs") view=|| lazy(audit_logs::page) />
                    <Route path=path!("settings") view=SettingsPage />
                </ParentRoute>
            </ParentRoute>
        </Routes>
    }
}

/// A route whose page is in a chunk of its own.
fn lazy<F>(page: fn() -> F) -> impl IntoView
where
    F: std::future::Future<Output = ChunkView> + 'static,
{
    let load = std::rc::Rc::new(move || Box::pin(page()) as ChunkFuture);
    view! { <Lazy load=load /> }
}
