//! Answers the application as a whole reacts to, announced to the state
//! layer: 401 and 403 answers are announced to [`subscribe`]rs (the state
//! layer sends the user to sign-in, or refetches capabilities) before the
//! error is returned to the caller.

use std::cell::RefCell;
use std::rc::Rc;

use super::ApiError;

/// An answer the application as a whole reacts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiEvent {
    /// 401 outside `/auth/…`: the session is gone.
    Unauthorized,
    /// A 403 answer; `organization_id` is set when the path names an
    /// organization (`/organizations/{id}/…`, `/audit/organizations/{id}`).
    Forbidden {
        method: String,
        path: String,
        organization_id: Option<String>,
        /// The error returned to the caller: the access gate's, or a
        /// business rule's.
        error: ApiError,
    },
}

type Listener = Rc<dyn Fn(&ApiEvent)>;

thread_local! {
    static LISTENERS: RefCell<Vec<(u64, Listener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_LISTENER: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Keeps a listener registered; dropping it unregisters.
#[must_use = "the listener is removed when the subscription is dropped"]
pub struct Subscription(u64);

impl Drop for Subscription {
    fn drop(&mut self) {
        let id = self.0;
        LISTENERS.with(|l| l.borrow_mut().retain(|(other, _)| *other != id));
    }
}

/// Calls `listener` for every [`ApiEvent`] until the subscription is dropped.
pub fn subscribe(listener: impl Fn(&ApiEvent) + 'static) -> Subscription {
    let id = NEXT_LISTENER.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    LISTENERS.with(|l| l.borrow_mut().push((id, Rc::new(listener))));
    Subscription(id)
}

pub(super) fn announce(event: ApiEvent) {
    // Cloned out first: a listener may subscribe or unsubscribe.
    let listeners: Vec<Listener> =
        LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
    for listener in listeners {
        listener(&event);
    }
}

/// The organization an API path is about, if any.
pub fn organization_in_path(path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or(path);
    let rest = path
        .strip_prefix("/audit/organizations/")
        .or_else(|| path.strip_prefix("/organizations/"))?;
    let id = rest.split('/').next().unwrap_or_default();
    // `/organizations/invitations/…` is the caller's own, not an organization.
    if id.is_empty() || (id == "invitations" && path.starts_with("/organizations/")) {
        return None;
    }
    Some(crate::routes::decode(id))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn organization_is_read_from_org_scoped_paths_only() {
        assert_eq!(
            organization_in_path("/organizations/o%201/users").as_deref(),
            Some("o 1")
        );
        assert_eq!(
            organization_in_path("/audit/organizations/o1?page=2").as_deref(),
            Some("o1")
        );
        assert_eq!(
            organization_in_path("/organizations/o1").as_deref(),
            Some("o1")
        );
        assert_eq!(
            organization_in_path("/organizations/invitations/i1/accept"),
            None
        );
        assert_eq!(organization_in_path("/organizations"), None);
        assert_eq!(organization_in_path("/users/me"), None);
    }
}
