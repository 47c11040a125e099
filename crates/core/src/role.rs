//! A member's role in an organization: `owner` or `member`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Owners hold every permission and alone administer the organization;
/// members hold the union of their assignments' permissions.
///
/// `Default` is `Member`, the API's default for invitations and access
/// updates.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Role {
    Owner,
    #[default]
    Member,
}

impl Role {
    /// Both roles, in the role picker's order.
    pub const ALL: [Role; 2] = [Role::Owner, Role::Member];

    /// The wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
        }
    }

    /// Human text.
    pub const fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Member => "Member",
        }
    }

    pub const fn is_owner(self) -> bool {
        matches!(self, Role::Owner)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRole(pub String);

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Unknown role '{}' (expected 'owner' or 'member')",
            self.0
        )
    }
}

impl std::error::Error for UnknownRole {}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "owner" => Ok(Role::Owner),
            "member" => Ok(Role::Member),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

impl TryFrom<String> for Role {
    type Error = UnknownRole;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_spelling_and_labels() {
        assert_eq!(Role::Owner.as_str(), "owner");
        assert_eq!(Role::Member.to_string(), "member");
        assert_eq!(Role::Owner.label(), "Owner");
        assert_eq!(Role::Member.label(), "Member");
        assert_eq!(Role::default(), Role::Member);
    }

    #[test]
    fn parses_exact_lowercase_only() {
        assert_eq!("owner".parse(), Ok(Role::Owner));
        assert_eq!("member".parse(), Ok(Role::Member));
        let err = "Owner".parse::<Role>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unknown role 'Owner' (expected 'owner' or 'member')"
        );
    }

    #[test]
    fn serde_round_trip_and_unknown_value() {
        assert_eq!(serde_json::to_string(&Role::Owner).unwrap(), "\"owner\"");
        assert_eq!(
            serde_json::from_str::<Role>("\"member\"").unwrap(),
            Role::Member
        );
        let err = serde_json::from_str::<Role>("\"admin\"").unwrap_err();
        assert!(err.to_string().contains("Unknown role 'admin'"), "{err}");
    }
}
