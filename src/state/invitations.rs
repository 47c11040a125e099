//! The number of invitations waiting for the signed-in user (the badge on
//! the user menu and its "Invitations" item).

use leptos::prelude::*;

use crate::api::{self, ApiResult};

/// The pending-invitations context (see [`use_pending_invitations`]).
#[derive(Clone, Copy)]
pub struct PendingInvitations {
    count: LocalResource<ApiResult<u64>>,
}

impl Default for PendingInvitations {
    fn default() -> Self {
        Self::new()
    }
}

impl PendingInvitations {
    pub fn new() -> Self {
        PendingInvitations {
            count: LocalResource::new(api::invitations::my_invitation_count),
        }
    }

    /// The count, once known (a failed count shows no badge).
    pub fn count(&self) -> Option<u64> {
        self.count.get().and_then(Result::ok)
    }

    /// Call after accepting or declining, and when the window regains focus.
    pub fn refetch(&self) {
        self.count.refetch();
    }
}

pub fn use_pending_invitations() -> PendingInvitations {
    expect_context::<PendingInvitations>()
}
