//! The current organization and what the signed-in user may do in it.
//!
//! The organization comes from the URL (`/org/:orgId/…`); pages outside an
//! organization (`/invitations`) use the last one used, else the personal
//! one. The user's [`Capabilities`] are computed by `roster_core` from their
//! entry in the member list (`Membership::from_members`: the list also gives
//! the owner count that the last-owner rules need). The list is refetched
//! when the organization changes, when the window regains focus, and after
//! any 403 in this organization (asking with the list's `ETag`: a list that
//! did not change is neither sent again nor parsed); a 403 from the API's access gate also
//! shows "Your access in this organization changed". A change this page
//! makes itself (an access change, a removal) is applied to the loaded list
//! in place ([`CurrentOrganization::edit_members`]) until the next load.
//!
//! On the members page, the first read of an organization asks for the
//! table's first page (`?limit=25`, a Roster extension), which in most
//! organizations is everyone; in a large one that page is shown
//! ([`CurrentOrganization::first_page`]) while all members are read, and
//! what the user may do is known once they are.

use std::sync::Arc;

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use roster_core::wire::{Organization, OrganizationUser};
use roster_core::{membership_header, Capabilities, Membership, Refusal};
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

use super::invitations::PendingInvitations;
use super::organizations::{self, Organizations};
use super::session::Session;
use super::toasts::Toasts;
use crate::api::{self, ApiError, ApiEvent, ApiResult};
use crate::config;
use crate::routes;

/// The member list of an organization, shared (10,000 rows are not copied
/// on every read).
pub type Members = Arc<Vec<OrganizationUser>>;

/// A loaded member list: the organization, the answer, and which load it
/// was (counting from 1).
type Loaded = (String, ApiResult<Members>, u64);

/// How many members the first read of a large organization asks for before
/// all of them: the members table's first page.
pub const FIRST_PAGE: usize = 25;

/// How long the rest of a large organization's members wait for its first
/// page to be shown (when no page shows it). A phone's CPU takes more
/// than a second to start the app and build the page: with one second the
/// whole list was read first, and the first rows waited for it.
const FIRST_PAGE_WAIT: std::time::Duration = std::time::Duration::from_secs(4);

/// The first members of an organization (in the members table's default
/// order) while the rest load, how many there are in all, and what the
/// user may do there (`X-Roster-Membership`, when the backend says).
#[derive(Clone, Debug, PartialEq)]
pub struct FirstPage {
    pub members: Members,
    pub total: usize,
    pub membership: Option<String>,
}

/// The notice shown when the API refuses something the UI offered.
pub const ACCESS_CHANGED: &str = "Your access in this organization changed";

/// What the user may do in the current organization.
#[derive(Clone, Debug, PartialEq)]
pub enum Access {
    Loading,
    /// The user is a member; ask the capabilities what they may do.
    Member(Capabilities),
    /// The organization is not (or no longer) one of theirs.
    NotAMember,
    Failed(ApiError),
}

impl Access {
    pub fn capabilities(&self) -> Option<&Capabilities> {
        match self {
            Access::Member(capabilities) => Some(capabilities),
            _ => None,
        }
    }

    /// Whether `check` allows the action (false while unknown).
    pub fn allows(&self, check: impl Fn(&Capabilities) -> Result<(), Refusal>) -> bool {
        self.capabilities().is_some_and(|c| check(c).is_ok())
    }
}

/// The current-organization context (see [`use_current_organization`]).
#[derive(Clone, Copy)]
pub struct CurrentOrganization {
    id: Memo<Option<String>>,
    organization: Memo<Option<Organization>>,
    members_resource: LocalResource<Option<Loaded>>,
    /// The last loaded list with this page's own changes applied, keyed by
    /// the load they apply to (a newer load replaces them).
    edited: RwSignal<Option<(u64, Members)>>,
    members: Memo<Option<(String, ApiResult<Members>)>>,
    /// The first page of a large organization's members, by load, while
    /// that load reads the rest.
    first_page: RwSignal<Option<(String, u64, FirstPage)>>,
    /// The number of the latest load of the member list.
    loads: StoredValue<u64>,
    /// Tells the load showing a first page that it is on screen.
    first_page_painted: StoredValue<Option<SendWrapper<js_sys::Function>>>,
    access: Memo<Access>,
    last_used: RwSignal<Option<String>>,
    session: Session,
}

impl CurrentOrganization {
    /// Creates the context for the signed-in user and starts watching focus
    /// and 403 answers (for as long as the calling owner lives).
    pub fn new(
        session: Session,
        organizations: Organizations,
        invitations: PendingInvitations,
        toasts: Toasts,
    ) -> Self {
        let location = use_location();
        let url_id = Memo::new(move |_| {
            location
                .pathname
                .with(|path| routes::organization_in_path(config::app_path(path)))
        });
        let last_used = RwSignal::new(
            session
                .user_id_untracked()
                .and_then(|user| organizations::last_used(&user)),
        );
        let id = Memo::new(move |_| {
            url_id.get().or_else(|| {
                organizations.list().and_then(|list| {
                    organizations::default_organization(&list, last_used.get().as_deref())
                })
            })
        });
        let organization = Memo::new(move |_| id.get().and_then(|id| organizations.get(&id)));

        let loads = StoredValue::new(0u64);
        // The last list read, with its validator: reading it again while it
        // is the same (every window focus) sends and parses nothing, and
        // hands back the same `Arc`, so nothing downstream runs either.
        let last_read = StoredValue::new(None::<(String, api::Validated<Vec<OrganizationUser>>)>);
        let first_page = RwSignal::new(None::<(String, u64, FirstPage)>);
        let first_page_painted = StoredValue::new(None);
        let members_resource = LocalResource::new(move || {
            let id = id.get();
            loads.update_value(|n| *n += 1);
            let load = loads.get_value();
            // Only the members table shows a first page before the rest.
            let on_members_page = location.pathname.with_untracked(|path| {
                routes::org_page_in_path(config::app_path(path)) == Some(routes::OrgPage::Members)
            });
            async move {
                let id = id?;
                let known = last_read.with_value(|last| {
                    last.as_ref()
                        .filter(|(of, _)| *of == id)
                        .map(|(_, list)| list.clone())
                });
                let result = match known {
                    Some(known) => api::members::list_members(&id, Some(&known)).await,
                    None if on_members_page => {
                        read_members(&id, load, first_page, first_page_painted).await
                    }
                    None => api::members::list_members(&id, None).await,
                };
                if let Ok(list) = &result {
                    last_read.try_set_value(Some((id.clone(), list.clone())));
                }
                Some((id, result.map(|list| list.value), load))
            }
        });
        let edited = RwSignal::new(None::<(u64, Members)>);
        // A refetch that cannot reach the server keeps what is shown.
        let members = Memo::new(
            move |previous: Option<&Option<(String, ApiResult<Members>)>>| {
                let next = members_resource
                    .get()
                    .flatten()
                    .map(|(id, result, load)| match edited.get() {
                        Some((edited_load, list)) if edited_load == load && result.is_ok() => {
                            (id, Ok(list))
                        }
                        _ => (id, result),
                    });
                match (previous, &next) {
                    (Some(Some((old_id, Ok(old)))), Some((new_id, Err(error))))
                        if old_id == new_id && error.is_without_answer() =>
                    {
                        Some((old_id.clone(), Ok(old.clone())))
                    }
                    _ => next,
                }
            },
        );

        let access = Memo::new(move |_| {
            let Some(id) = id.get() else {
                return Access::Loading;
            };
            let Some(list) = organizations.list() else {
                return Access::Loading;
            };
            let Some(org) = list.iter().find(|o| o.id == id) else {
                return Access::NotAMember;
            };
            let Some(user_id) = session.user_id() else {
                return Access::Loading;
            };
            members.with(|members| match members {
                Some((members_of, result)) if *members_of == id => match result {
                    Ok(list) => Membership::from_members(&user_id, org.personal, list)
                        .map(|m| Access::Member(Capabilities::of(&m)))
                        .unwrap_or(Access::NotAMember),
                    Err(error) if error.is_forbidden() => Access::NotAMember,
                    Err(error) => Access::Failed(error.clone()),
                },
                // A large organization's first page says what the user may
                // do before all members have arrived (they decide again).
                _ => first_page.with(|page| match page {
                    Some((of, _, page)) if *of == id => page
                        .membership
                        .as_deref()
                        .and_then(|m| membership_header::parse(m, org.personal))
                        .map_or(Access::Loading, |m| Access::Member(Capabilities::of(&m))),
                    _ => Access::Loading,
                }),
            })
        });

        let this = CurrentOrganization {
            id,
            organization,
            members_resource,
            edited,
            members,
            first_page,
            loads,
            first_page_painted,
            access,
            last_used,
            session,
        };

        let focus = window_event_listener(ev::focus, move |_| {
            this.refetch();
            organizations.reload();
            invitations.refetch();
        });
        on_cleanup(move || focus.remove());

        let subscription = api::subscribe(move |event| {
            if let ApiEvent::Forbidden {
                method,
                path,
                organization_id: Some(forbidden_in),
                error,
            } = event
            {
                this.on_forbidden(organizations, toasts, method, path, forbidden_in, error);
            }
        });
        let subscription = send_wrapper::SendWrapper::new(subscription);
        on_cleanup(move || drop(subscription));

        this
    }

    fn on_forbidden(
        &self,
        organizations: Organizations,
        toasts: Toasts,
        method: &str,
        path: &str,
        forbidden_in: &str,
        error: &ApiError,
    ) {
        let current = self.id.try_get_untracked().flatten();
        if current.as_deref() != Some(forbidden_in) {
            organizations.reload();
            return;
        }
        let members_path = api::members::members_path(forbidden_in);
        if method == "GET" && path == members_path {
            // The capabilities' own source refused: the membership is gone.
            organizations.reload();
        } else {
            self.refetch();
        }
        if error.is_access_gate() {
            toasts.warning(ACCESS_CHANGED);
        }
    }

    /// The organization the pages are about (URL, else last used, else
    /// personal).
    pub fn id(&self) -> Option<String> {
        self.id.get()
    }

    pub fn id_untracked(&self) -> Option<String> {
        self.id.get_untracked()
    }

    pub fn organization(&self) -> Option<Organization> {
        self.organization.get()
    }

    /// The organization's name, once known.
    pub fn name(&self) -> Option<String> {
        self.organization
            .with(|o| o.as_ref().map(|o| o.name.clone()))
    }

    /// The member list of the current organization: `None` while loading.
    /// Shared with the capabilities, so a page showing it costs no second
    /// request; call [`CurrentOrganization::refetch`] after changing it.
    pub fn members(&self) -> Option<ApiResult<Members>> {
        let id = self.id.get();
        self.members.with(|members| match members {
            Some((members_of, result)) if Some(members_of) == id.as_ref() => Some(result.clone()),
            _ => None,
        })
    }

    /// While a large organization's members load ([`Self::members`] is
    /// `None`): the first of them, once they are here.
    pub fn first_page(&self) -> Option<FirstPage> {
        if self.members().is_some() {
            return None;
        }
        let id = self.id.get()?;
        let current_load = self.loads.get_value();
        self.first_page.with(|page| match page {
            Some((of, load, page)) if *of == id && *load == current_load => Some(page.clone()),
            _ => None,
        })
    }

    /// The page has painted the [`Self::first_page`]: the rest may be read
    /// now.
    pub fn first_page_painted(&self) {
        if let Some(painted) = self
            .first_page_painted
            .try_update_value(Option::take)
            .flatten()
        {
            let _ = painted.call0(&JsValue::UNDEFINED);
        }
    }

    /// What the user may do here.
    pub fn access(&self) -> Access {
        self.access.get()
    }

    pub fn capabilities(&self) -> Option<Capabilities> {
        self.access.with(|a| a.capabilities().cloned())
    }

    /// Whether `check` allows the action (false while unknown).
    pub fn allows(&self, check: impl Fn(&Capabilities) -> Result<(), Refusal>) -> bool {
        self.access.with(|a| a.allows(check))
    }

    /// Loads the member list (and so the capabilities) again.
    pub fn refetch(&self) {
        self.members_resource.refetch();
    }

    /// Applies a change the server confirmed (a member's new access, a
    /// removal) to the loaded member list, without loading all members
    /// again; the capabilities (the owner count) follow. `organization_id`
    /// is the organization changed: a list of another one is left alone.
    /// Called once a request has been answered and the change painted, it
    /// does nothing when the signed-in shell is gone meanwhile (sign-out).
    pub fn edit_members(
        &self,
        organization_id: &str,
        edit: impl FnOnce(&mut Vec<OrganizationUser>),
    ) {
        let Some(Some(Some((id, Ok(list), load)))) = self.members_resource.try_get_untracked()
        else {
            return;
        };
        if id != organization_id {
            return;
        }
        let mut next = match self.edited.try_get_untracked().flatten() {
            Some((edited_load, edited)) if edited_load == load => Vec::clone(&edited),
            _ => Vec::clone(&list),
        };
        edit(&mut next);
        self.edited.try_set(Some((load, Arc::new(next))));
    }

    /// Remembers `organization_id` as the last one used.
    pub fn remember(&self, organization_id: &str) {
        if let Some(user_id) = self.session.user_id_untracked() {
            organizations::remember_last_used(&user_id, organization_id);
        }
        if self.last_used.get_untracked().as_deref() != Some(organization_id) {
            self.last_used.set(Some(organization_id.to_owned()));
        }
    }
}

/// The first read of an organization's members: its first page, which is
/// all of them in most organizations; in a large one the page is shown
/// ([`CurrentOrganization::first_page`]) while the rest are read. A
/// backend that does not know `limit` (Daytona) sends all of them at once.
async fn read_members(
    id: &str,
    load: u64,
    first_page: RwSignal<Option<(String, u64, FirstPage)>>,
    painted: StoredValue<Option<SendWrapper<js_sys::Function>>>,
) -> ApiResult<api::Validated<Vec<OrganizationUser>>> {
    match api::members::first_members(id, FIRST_PAGE).await {
        Ok(api::members::FirstMembers::All(all)) => Ok(all),
        Ok(api::members::FirstMembers::Page {
            members,
            total,
            membership,
        }) => {
            let page = FirstPage {
                members: Arc::new(members),
                total,
                membership,
            };
            // The rest are asked for once the page has shown the first
            // ones (reading them must not delay that), or after a while
            // when no page shows them.
            let shown = js_sys::Promise::new(&mut |resolve, _| {
                painted.try_set_value(Some(SendWrapper::new(resolve)));
            });
            first_page.try_set(Some((id.to_owned(), load, page)));
            crate::dom::until(shown, FIRST_PAGE_WAIT).await;
            let all = api::members::list_members(id, None).await;
            first_page.try_set(None);
            all
        }
        // A backend that refuses the parameter.
        Err(error) if error.status() == Some(400) => api::members::list_members(id, None).await,
        Err(error) => Err(error),
    }
}

pub fn use_current_organization() -> CurrentOrganization {
    expect_context::<CurrentOrganization>()
}
