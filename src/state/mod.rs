//! App-wide state, as Leptos contexts. Each context is a small `Copy`
//! handle; get it with its `use_…` function.
//!
//! Always present (provided by [`crate::app::App`]):
//! - [`Toasts`] (`use_toasts`): `success`, `error(&ApiError)`, `outcome(&result, "Saved")`.
//! - [`Theme`] (`use_theme`): light / dark / system, remembered.
//! - [`Session`] (`use_session`): the signed-in user; 401 → sign-in.
//!
//! Present while signed in (provided by the layout, [`provide_signed_in`]):
//! - [`Organizations`] (`use_organizations`): the caller's organizations;
//!   `refresh().await` after creating, joining, leaving or deleting one.
//! - [`CurrentOrganization`] (`use_current_organization`): the organization
//!   in the URL, its member list (`members()`), and the user's [`Access`] /
//!   `roster_core::Capabilities` in it (`access()`, `allows(Capabilities::invite)`).
//!   Refetched on organization switch, window focus and after any 403;
//!   call `refetch()` after changing members.
//! - [`PendingInvitations`] (`use_pending_invitations`): the badge count.
//!
//! Per view: `MemberStore`, the current organization's members as the
//! members table and the leave dialog (members page, settings) hold them.
//!
//! Titles: [`use_page_title`] / [`use_org_page_title`].
//!
//! Requests made from a component, a `LocalResource` or an `Action` are
//! cancelled with it; work that must outlive the view (signing out) goes
//! through [`spawn_detached`].

mod current_org;
mod invitations;
pub(crate) mod member_store;
mod organizations;
mod session;
mod storage;
mod tasks;
mod theme;
mod title;
mod toasts;

pub use current_org::{
    use_current_organization, Access, CurrentOrganization, Members, ACCESS_CHANGED,
};
pub use invitations::{use_pending_invitations, PendingInvitations};
pub(crate) use member_store::MemberStore;
pub use organizations::{
    default_organization, last_used, remember_last_used, sorted_for_switcher, use_organizations,
    Loadable, Organizations,
};
pub use session::{use_session, watch_unauthorized, Session, SessionState};
pub use tasks::spawn_detached;
pub use theme::{use_theme, Theme, ThemeChoice};
pub use title::{org_page_title, page_title, use_org_page_title, use_page_title, APP_NAME};
pub use toasts::{use_toasts, Toast, ToastKind, Toasts};

use leptos::prelude::*;

/// Creates and provides the signed-in contexts (organizations, current
/// organization, pending invitations) for the calling owner's lifetime, and
/// starts loading them.
pub fn provide_signed_in(session: Session, toasts: Toasts) -> CurrentOrganization {
    let organizations = Organizations::new();
    provide_context(organizations);
    organizations.reload();
    let invitations = PendingInvitations::new();
    provide_context(invitations);
    let current = CurrentOrganization::new(session, organizations, invitations, toasts);
    provide_context(current);
    current
}
