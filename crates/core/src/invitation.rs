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

/// How one address of a pasted invitation list stands before sending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InviteeStatus {
    /// Valid and new: an invitation will be sent.
    Ready,
    /// Not a plausible address; the message says why.
    Invalid(String),
    /// Already a member of the organization (the API answers 409).
    AlreadyMember,
    /// Has an open invitation already (the API answers 409).
    AlreadyInvited,
    /// Listed earlier in the same list.
    Repeated,
}

impl InviteeStatus {
    pub fn is_ready(&self) -> bool {
        matches!(self, InviteeStatus::Ready)
    }

    /// Human text for the address's row.
    pub fn message(&self) -> String {
        match self {
            InviteeStatus::Ready => "Ready to invite".to_owned(),
            InviteeStatus::Invalid(message) => message.clone(),
            InviteeStatus::AlreadyMember => "Already a member".to_owned(),
            InviteeStatus::AlreadyInvited => "Already invited".to_owned(),
            InviteeStatus::Repeated => "Listed more than once".to_owned(),
        }
    }
}

/// One entry of a pasted list: as typed, normalised when valid, and its
/// status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitee {
    pub entered: String,
    /// The normalised address (what is sent), when valid.
    pub email: Option<String>,
    pub status: InviteeStatus,
}

/// Reviews a pasted list of addresses (commas, semicolons or line breaks
/// between them) against the organization's members and the addresses of
/// its open invitations, flagging what the API would refuse, so the inviter
/// sees it on each row before sending.
///
/// Addresses compare as [`crate::validate::emails_equal`] does (normalised).
pub fn review_invitees<'a>(
    text: &str,
    member_emails: impl IntoIterator<Item = &'a str>,
    invited_emails: impl IntoIterator<Item = &'a str>,
) -> Vec<Invitee> {
    use std::collections::HashSet;

    use crate::validate::{normalize_email, split_email_list, validate_email};

    let members: HashSet<String> = member_emails.into_iter().map(normalize_email).collect();
    let invited: HashSet<String> = invited_emails.into_iter().map(normalize_email).collect();
    let mut seen = HashSet::new();
    split_email_list(text)
        .into_iter()
        .map(|entered| match validate_email(&entered) {
            Err(error) => Invitee {
                entered,
                email: None,
                status: InviteeStatus::Invalid(error.message),
            },
            Ok(email) => {
                let status = if !seen.insert(email.clone()) {
                    InviteeStatus::Repeated
                } else if members.contains(&email) {
                    InviteeStatus::AlreadyMember
                } else if invited.contains(&email) {
                    InviteeStatus::AlreadyInvited
                } else {
                    InviteeStatus::Ready
                };
                Invitee {
                    entered,
                    email: Some(email),
                    status,
                }
            }
        })
        .collect()
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

    #[test]
    fn pasted_lists_are_reviewed_row_by_row() {
        let reviewed = review_invitees(
            " New@Example.com, not-an-address\nada@example.com;bob@example.com\n new@example.COM ",
            ["ADA@example.com", "eve@example.com"],
            ["bob@example.com"],
        );
        let rows: Vec<(&str, Option<&str>, InviteeStatus)> = reviewed
            .iter()
            .map(|i| (i.entered.as_str(), i.email.as_deref(), i.status.clone()))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "New@Example.com",
                    Some("new@example.com"),
                    InviteeStatus::Ready
                ),
                (
                    "not-an-address",
                    None,
                    InviteeStatus::Invalid(
                        "'not-an-address' is not a valid email address".to_owned()
                    )
                ),
                (
                    "ada@example.com",
                    Some("ada@example.com"),
                    InviteeStatus::AlreadyMember
                ),
                (
                    "bob@example.com",
                    Some("bob@example.com"),
                    InviteeStatus::AlreadyInvited
                ),
                (
                    "new@example.COM",
                    Some("new@example.com"),
                    InviteeStatus::Repeated
                ),
            ]
        );
        assert_eq!(reviewed.iter().filter(|i| i.status.is_ready()).count(), 1);
        assert_eq!(InviteeStatus::AlreadyMember.message(), "Already a member");
        assert_eq!(InviteeStatus::Repeated.message(), "Listed more than once");
        assert!(review_invitees(" ,\n ", [], []).is_empty());
    }
}
