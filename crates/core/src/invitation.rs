//! Invitation lifetime: the default validity and the derived "expired" state.

use chrono::{DateTime, TimeDelta, Utc};

use crate::validate::ValidationError;
use crate::wire::{InvitationStatus, OrganizationInvitation};

/// How long a new (or resent) invitation stays valid.
pub const INVITATION_VALIDITY_DAYS: i64 = 7;

/// The expiry of an invitation created or resent at `now`.
pub fn default_expiry(now: DateTime<Utc>) -> DateTime<Utc> {
    now + TimeDelta::days(INVITATION_VALIDITY_DAYS)
}

/// An explicit expiry must lie in the future.
pub fn validate_expiry(
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), ValidationError> {
    if expires_at <= now {
        Err(ValidationError::new(
            "expiresAt",
            "Expiration date must be in the future",
        ))
    } else {
        Ok(())
    }
}

/// What the UI shows: the stored status, with "expired" derived for
/// pending invitations past their expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvitationState {
    Pending,
    Expired,
    Accepted,
    Declined,
    Cancelled,
}

impl InvitationState {
    pub fn of(status: InvitationStatus, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        match status {
            InvitationStatus::Pending if expires_at <= now => InvitationState::Expired,
            InvitationStatus::Pending => InvitationState::Pending,
            InvitationStatus::Accepted => InvitationState::Accepted,
            InvitationStatus::Declined => InvitationState::Declined,
            InvitationStatus::Cancelled => InvitationState::Cancelled,
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            InvitationState::Pending => "Pending",
            InvitationState::Expired => "Expired",
            InvitationState::Accepted => "Accepted",
            InvitationState::Declined => "Declined",
            InvitationState::Cancelled => "Cancelled",
        }
    }

    /// Only a pending, unexpired invitation can be accepted, declined or
    /// edited.
    pub const fn is_open(self) -> bool {
        matches!(self, InvitationState::Pending)
    }

    /// Why the invitation can no longer be answered, for the API's 403 and
    /// the invitation dialog; `None` while it is open.
    pub const fn closed_reason(self) -> Option<&'static str> {
        match self {
            InvitationState::Pending => None,
            InvitationState::Expired => Some("This invitation has expired"),
            InvitationState::Accepted => Some("This invitation has already been accepted"),
            InvitationState::Declined => Some("This invitation has been declined"),
            InvitationState::Cancelled => Some("This invitation has been cancelled"),
        }
    }
}

impl OrganizationInvitation {
    pub fn state(&self, now: DateTime<Utc>) -> InvitationState {
        InvitationState::of(self.status, self.expires_at, now)
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }

    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.state(now).is_open()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test timestamp")
    }

    fn invitation(status: InvitationStatus, expires_at: &str) -> OrganizationInvitation {
        OrganizationInvitation {
            id: "inv".into(),
            email: "bob@example.com".into(),
            invited_by: "ada@example.com".into(),
            organization_id: "org".into(),
            organization_name: "Acme".into(),
            expires_at: at(expires_at),
            status,
            role: Role::Member,
            assigned_roles: Vec::new(),
            created_at: at("2025-03-01T00:00:00Z"),
            updated_at: at("2025-03-01T00:00:00Z"),
        }
    }

    #[test]
    fn default_expiry_is_seven_days_later() {
        assert_eq!(
            default_expiry(at("2025-03-01T10:00:00Z")),
            at("2025-03-08T10:00:00Z")
        );
    }

    #[test]
    fn expiry_must_be_in_the_future() {
        let now = at("2025-03-01T10:00:00Z");
        assert_eq!(validate_expiry(at("2025-03-01T10:00:01Z"), now), Ok(()));
        let err = validate_expiry(now, now).unwrap_err();
        assert_eq!(err.message, "Expiration date must be in the future");
        assert_eq!(err.field, "expiresAt");
    }

    #[test]
    fn pending_becomes_expired_at_its_expiry() {
        let inv = invitation(InvitationStatus::Pending, "2025-03-08T10:00:00Z");
        let before = at("2025-03-08T09:59:59Z");
        let at_expiry = at("2025-03-08T10:00:00Z");
        assert_eq!(inv.state(before), InvitationState::Pending);
        assert!(inv.is_open(before));
        assert!(!inv.is_expired(before));
        assert_eq!(inv.state(at_expiry), InvitationState::Expired);
        assert!(!inv.is_open(at_expiry));
        assert_eq!(
            inv.state(at_expiry).closed_reason(),
            Some("This invitation has expired")
        );
        assert_eq!(inv.state(at_expiry).label(), "Expired");
    }

    #[test]
    fn answered_invitations_stay_closed_whatever_the_time() {
        let now = at("2025-03-02T00:00:00Z");
        for (status, state, reason) in [
            (
                InvitationStatus::Accepted,
                InvitationState::Accepted,
                "This invitation has already been accepted",
            ),
            (
                InvitationStatus::Declined,
                InvitationState::Declined,
                "This invitation has been declined",
            ),
            (
                InvitationStatus::Cancelled,
                InvitationState::Cancelled,
                "This invitation has been cancelled",
            ),
        ] {
            let inv = invitation(status, "2025-03-08T10:00:00Z");
            assert_eq!(inv.state(now), state);
            assert!(!inv.is_open(now));
            assert_eq!(state.closed_reason(), Some(reason));
        }
        assert_eq!(InvitationState::Pending.closed_reason(), None);
    }
}
