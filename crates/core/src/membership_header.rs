//! `X-Roster-Membership`, a Roster extension sent with the first page of a
//! large member list (`GET /organizations/{id}/users?limit=n`): the
//! caller's own role and permissions and the organization's owner count.
//!
//! The SPA decides what the caller may do from the member list; a first
//! page of 25 members out of 2,000 may not hold the caller's row, and
//! never tells whether another owner exists. With this header it knows at
//! once (the "Invite Member" button, the role pickers, the sole owner's
//! notice), instead of showing them only when every member has arrived and
//! moving the page under the user's eyes. The whole list, when it comes,
//! decides again. Written and read here, so both sides agree.

use crate::capabilities::{Capabilities, Membership};
use crate::permission::Permission;
use crate::role::Role;

/// The header's name.
pub const MEMBERSHIP_HEADER: &str = "x-roster-membership";

/// The header's value for `capabilities`:
/// `role=member; owners=2; permissions=read:audit_logs,write:sandboxes`
/// (an owner's permissions are all of them, and not listed).
pub fn header_value(capabilities: &Capabilities) -> String {
    let permissions = if capabilities.is_owner() {
        String::new()
    } else {
        capabilities
            .permissions()
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "role={}; owners={}; permissions={permissions}",
        capabilities.role(),
        capabilities.owner_count()
    )
}

/// Reads a header value; `personal` comes from the organization. `None`
/// when the value is not one [`header_value`] writes (a permission this
/// version does not know is skipped, as everywhere).
pub fn parse(value: &str, personal: bool) -> Option<Membership> {
    let (mut role, mut owners, mut permissions) = (None, None, None);
    for part in value.split(';') {
        let (name, value) = part.trim().split_once('=')?;
        match name {
            "role" => role = Some(value.parse::<Role>().ok()?),
            "owners" => owners = Some(value.parse::<usize>().ok()?),
            "permissions" => {
                permissions = Some(Permission::parse_known(
                    value.split(',').filter(|p| !p.is_empty()),
                ));
            }
            _ => {}
        }
    }
    Some(Membership::from_permissions(
        role?,
        permissions?,
        personal,
        owners?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::PermissionSet;

    fn capabilities(role: Role, permissions: &[Permission], owners: usize) -> Capabilities {
        Capabilities::of(&Membership::from_permissions(
            role,
            permissions.iter().copied().collect(),
            false,
            owners,
        ))
    }

    #[test]
    fn a_member_reads_back_as_written() {
        let member = capabilities(
            Role::Member,
            &[Permission::ReadAuditLogs, Permission::WriteSandboxes],
            2,
        );
        let value = header_value(&member);
        assert_eq!(
            value,
            "role=member; owners=2; permissions=write:sandboxes,read:audit_logs"
        );
        let read = Capabilities::of(&parse(&value, false).unwrap());
        assert_eq!(read, member);
        assert!(read.read_audit_log().is_ok());
        assert!(read.invite().is_err());
    }

    #[test]
    fn a_sole_owner_is_told_as_one() {
        let owner = capabilities(Role::Owner, &[], 1);
        let value = header_value(&owner);
        assert_eq!(value, "role=owner; owners=1; permissions=");
        let read = Capabilities::of(&parse(&value, false).unwrap());
        assert!(read.is_sole_owner());
        assert_eq!(read.permissions(), Permission::all());
        let personal = Capabilities::of(&parse(&value, true).unwrap());
        assert!(personal.is_personal());
    }

    #[test]
    fn malformed_values_are_not_read() {
        for value in [
            "",
            "role=owner",
            "role=admin; owners=1; permissions=",
            "role=owner; owners=many; permissions=",
            "role=owner; owners=1",
            "nonsense",
        ] {
            assert!(parse(value, false).is_none(), "{value:?}");
        }
        let unknown = parse(
            "role=member; owners=3; permissions=fly:kites,read:limits",
            false,
        )
        .expect("an unknown permission is skipped");
        assert_eq!(
            unknown.permissions,
            PermissionSet::from([Permission::ReadLimits])
        );
    }
}
