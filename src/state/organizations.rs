//! The caller's organizations, and the one they used last.

use leptos::prelude::*;
use roster_core::wire::Organization;

use super::storage;
use crate::api::{self, ApiError, ApiResult};
use crate::routes;

/// Where a list loaded from the API stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Loadable<T> {
    Loading,
    Ready(T),
    Failed(ApiError),
}

/// The organizations context (see [`use_organizations`]): `GET
/// /organizations`, kept in a signal so that mutations (create, accept an
/// invitation, leave, delete) can reload it and wait for the result before
/// navigating.
#[derive(Clone, Copy)]
pub struct Organizations {
    state: RwSignal<Loadable<Vec<Organization>>>,
}

impl Default for Organizations {
    fn default() -> Self {
        Self::new()
    }
}

impl Organizations {
    /// An empty context; call [`Organizations::reload`] to load it.
    pub fn new() -> Self {
        Organizations {
            state: RwSignal::new(Loadable::Loading),
        }
    }

    pub fn state(&self) -> Loadable<Vec<Organization>> {
        self.state.get()
    }

    /// The list, once loaded.
    pub fn list(&self) -> Option<Vec<Organization>> {
        self.state.with(|state| match state {
            Loadable::Ready(list) => Some(list.clone()),
            _ => None,
        })
    }

    pub fn get(&self, organization_id: &str) -> Option<Organization> {
        self.state.with(|state| match state {
            Loadable::Ready(list) => list.iter().find(|o| o.id == organization_id).cloned(),
            _ => None,
        })
    }

    /// Also asked after a request was answered, when the signed-in shell
    /// may be gone (sign-out): none then.
    pub fn personal(&self) -> Option<Organization> {
        self.state
            .try_with(|state| match state {
                Loadable::Ready(list) => list.iter().find(|o| o.personal).cloned(),
                _ => None,
            })
            .flatten()
    }

    /// Where to go once the current organization is gone (deleted or
    /// left): reloads the list without it, then the personal organization.
    pub async fn landing_after_leaving(&self) -> String {
        let _ = self.refresh().await;
        self.personal()
            .map(|o| routes::org_page(&o.id, routes::OrgPage::Members))
            .unwrap_or_else(|| "/".to_owned())
    }

    /// Loads the list again and waits for it. While a list is shown, a
    /// failed reload keeps it (the error is returned).
    pub async fn refresh(&self) -> ApiResult<Vec<Organization>> {
        let result = api::organizations::list_organizations().await;
        match &result {
            Ok(list) => {
                self.state.try_set(Loadable::Ready(list.clone()));
            }
            Err(error) if error.is_aborted() => {}
            Err(error) => {
                let showing = self
                    .state
                    .try_with_untracked(|s| matches!(s, Loadable::Ready(_)))
                    .unwrap_or(false);
                if !showing {
                    self.state.try_set(Loadable::Failed(error.clone()));
                }
            }
        }
        result
    }

    /// [`Organizations::refresh`] without waiting.
    pub fn reload(&self) {
        let this = *self;
        super::tasks::spawn_detached(async move {
            let _ = this.refresh().await;
        });
    }

    /// Shows the list as loading and loads it (the Retry of an error state).
    pub fn retry(&self) {
        self.state.set(Loadable::Loading);
        self.reload();
    }
}

pub fn use_organizations() -> Organizations {
    expect_context::<Organizations>()
}

/// Personal first, then collaborative organizations by name
/// (case-insensitively), as the switcher lists them.
pub fn sorted_for_switcher(mut list: Vec<Organization>) -> Vec<Organization> {
    list.sort_by(|a, b| {
        b.personal
            .cmp(&a.personal)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.id.cmp(&b.id))
    });
    list
}

// ---------------------------------------------------------------------------
// The last organization used, per user (one browser may serve several).

fn last_used_key(user_id: &str) -> String {
    format!("roster.lastOrganization.{user_id}")
}

pub fn remember_last_used(user_id: &str, organization_id: &str) {
    storage::set(&last_used_key(user_id), organization_id);
}

pub fn last_used(user_id: &str) -> Option<String> {
    storage::get(&last_used_key(user_id))
}

/// Where to go when the URL names no organization: the last one used if
/// the user still belongs to it, else the personal one.
pub fn default_organization(list: &[Organization], last_used: Option<&str>) -> Option<String> {
    last_used
        .and_then(|id| list.iter().find(|o| o.id == id))
        .or_else(|| list.iter().find(|o| o.personal))
        .or_else(|| list.first())
        .map(|o| o.id.clone())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn org(id: &str, name: &str, personal: bool) -> Organization {
        let created = "2025-03-01T00:00:00Z".parse().expect("timestamp");
        Organization::new(id, name, "u1", personal, created)
    }

    #[test]
    fn switcher_lists_personal_first_then_by_name() {
        let list = vec![
            org("3", "zeta", false),
            org("1", "Beta", false),
            org("2", "Personal", true),
            org("4", "alpha", false),
        ];
        let names: Vec<String> = sorted_for_switcher(list)
            .into_iter()
            .map(|o| o.name)
            .collect();
        assert_eq!(names, ["Personal", "alpha", "Beta", "zeta"]);
    }

    #[test]
    fn default_is_the_last_used_while_it_exists_else_personal() {
        let list = vec![org("a", "Acme", false), org("p", "Personal", true)];
        assert_eq!(default_organization(&list, Some("a")).as_deref(), Some("a"));
        assert_eq!(
            default_organization(&list, Some("gone")).as_deref(),
            Some("p")
        );
        assert_eq!(default_organization(&list, None).as_deref(), Some("p"));
        assert_eq!(default_organization(&[], Some("a")), None);
    }
}
