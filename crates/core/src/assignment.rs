//! Assignments: named permission sets ("organization roles" on the wire).
//!
//! Eight global assignments exist in every organization with fixed ids;
//! owners may add custom ones. "Viewer" is implied for every member and is
//! never stored.

use chrono::{DateTime, Utc};

use crate::permission::{Permission, PermissionSet};
use crate::wire::{
    OrganizationRole, OrganizationUser, AUDITOR_ID, DEVELOPER_ID, INFRASTRUCTURE_ADMIN_ID,
    REGISTRIES_ADMIN_ID, SANDBOXES_ADMIN_ID, SNAPSHOTS_ADMIN_ID, SUPER_ADMIN_ID, VOLUMES_ADMIN_ID,
};

/// The implied, read-only assignment every member holds. It grants no wire
/// permission, so it is shown (locked and checked) but never stored or sent.
pub const VIEWER_NAME: &str = "Viewer";
pub const VIEWER_DESCRIPTION: &str = "Grants read-only access to the organization";

/// One of the fixed assignments present in every organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalAssignment {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub permissions: &'static [Permission],
}

/// The global assignments, in the order (and with the ids) of product.md §1.
pub const GLOBAL_ASSIGNMENTS: [GlobalAssignment; 8] = [
    GlobalAssignment {
        id: DEVELOPER_ID,
        name: "Developer",
        description: "Grants the ability to create sandboxes and keys in the organization",
        permissions: &[Permission::WriteSandboxes],
    },
    GlobalAssignment {
        id: SANDBOXES_ADMIN_ID,
        name: "Sandboxes Admin",
        description: "Grants admin access to sandboxes in the organization",
        permissions: &[Permission::WriteSandboxes, Permission::DeleteSandboxes],
    },
    GlobalAssignment {
        id: SNAPSHOTS_ADMIN_ID,
        name: "Snapshots Admin",
        description: "Grants admin access to snapshots in the organization",
        permissions: &[Permission::WriteSnapshots, Permission::DeleteSnapshots],
    },
    GlobalAssignment {
        id: REGISTRIES_ADMIN_ID,
        name: "Registries Admin",
        description: "Grants admin access to registries in the organization",
        permissions: &[Permission::WriteRegistries, Permission::DeleteRegistries],
    },
    GlobalAssignment {
        id: SUPER_ADMIN_ID,
        name: "Super Admin",
        description: "Grants full access to all resources in the organization",
        permissions: &Permission::ALL,
    },
    GlobalAssignment {
        id: VOLUMES_ADMIN_ID,
        name: "Volumes Admin",
        description: "Grants admin access to volumes in the organization",
        permissions: &[
            Permission::ReadVolumes,
            Permission::WriteVolumes,
            Permission::DeleteVolumes,
        ],
    },
    GlobalAssignment {
        id: AUDITOR_ID,
        name: "Auditor",
        description: "Grants access to audit logs in the organization",
        permissions: &[Permission::ReadAuditLogs],
    },
    GlobalAssignment {
        id: INFRASTRUCTURE_ADMIN_ID,
        name: "Infrastructure Admin",
        description: "Grants admin access to infrastructure in the organization",
        permissions: &[
            Permission::WriteRegions,
            Permission::DeleteRegions,
            Permission::ReadRunners,
            Permission::WriteRunners,
            Permission::DeleteRunners,
        ],
    },
];

impl GlobalAssignment {
    pub fn permission_set(&self) -> PermissionSet {
        self.permissions.iter().copied().collect()
    }

    /// The wire form; global assignments carry no real timestamps, so the
    /// caller chooses one (e.g. the server's start or the epoch).
    pub fn to_wire(&self, timestamp: DateTime<Utc>) -> OrganizationRole {
        OrganizationRole {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            description: self.description.to_owned(),
            permissions: self
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            is_global: true,
            created_at: timestamp,
            updated_at: timestamp,
        }
    }
}

/// All global assignments in wire form, in order.
pub fn global_assignments_wire(timestamp: DateTime<Utc>) -> Vec<OrganizationRole> {
    GLOBAL_ASSIGNMENTS
        .iter()
        .map(|a| a.to_wire(timestamp))
        .collect()
}

pub fn global_assignment(id: &str) -> Option<&'static GlobalAssignment> {
    GLOBAL_ASSIGNMENTS.iter().find(|a| a.id == id)
}

pub fn is_global_assignment_id(id: &str) -> bool {
    global_assignment(id).is_some()
}

/// Whether a custom assignment may not be called `name` in an organization
/// whose assignments are `existing` (global and custom), ignoring the one
/// with id `except_id` (the assignment being renamed).
///
/// Names are compared trimmed and case-insensitively, and the implied
/// "Viewer" counts as taken: a picker listing two "Auditor"s would leave
/// owners guessing which one they grant.
pub fn assignment_name_taken(
    name: &str,
    existing: &[OrganizationRole],
    except_id: Option<&str>,
) -> bool {
    let key = |text: &str| text.trim().to_lowercase();
    let wanted = key(name);
    wanted == key(VIEWER_NAME)
        || existing
            .iter()
            .filter(|a| Some(a.id.as_str()) != except_id)
            .any(|a| key(&a.name) == wanted)
}

/// The union of the assignments' permissions; permission strings this
/// version does not know are ignored.
pub fn permissions_of(assignments: &[OrganizationRole]) -> PermissionSet {
    assignments
        .iter()
        .flat_map(|a| Permission::parse_known(&a.permissions))
        .collect()
}

/// Kept here rather than in `wire`, which holds data and knows no rules.
impl OrganizationUser {
    /// Union of the member's assignments (not counting the owner role).
    pub fn permission_set(&self) -> PermissionSet {
        permissions_of(&self.assigned_roles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    fn epoch() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }

    #[test]
    fn global_assignments_match_the_product_table() {
        let table: Vec<(&str, &str, Vec<Permission>)> = GLOBAL_ASSIGNMENTS
            .iter()
            .map(|a| (a.id, a.name, a.permissions.to_vec()))
            .collect();
        assert_eq!(
            table,
            vec![
                (
                    "00000000-0000-0000-0000-000000000001",
                    "Developer",
                    vec![WriteSandboxes]
                ),
                (
                    "00000000-0000-0000-0000-000000000002",
                    "Sandboxes Admin",
                    vec![WriteSandboxes, DeleteSandboxes]
                ),
                (
                    "00000000-0000-0000-0000-000000000003",
                    "Snapshots Admin",
                    vec![WriteSnapshots, DeleteSnapshots]
                ),
                (
                    "00000000-0000-0000-0000-000000000004",
                    "Registries Admin",
                    vec![WriteRegistries, DeleteRegistries]
                ),
                (
                    "00000000-0000-0000-0000-000000000005",
                    "Super Admin",
                    Permission::ALL.to_vec()
                ),
                (
                    "00000000-0000-0000-0000-000000000006",
                    "Volumes Admin",
                    vec![ReadVolumes, WriteVolumes, DeleteVolumes]
                ),
                (
                    "00000000-0000-0000-0000-000000000007",
                    "Auditor",
                    vec![ReadAuditLogs]
                ),
                (
                    "00000000-0000-0000-0000-000000000008",
                    "Infrastructure Admin",
                    vec![
                        WriteRegions,
                        DeleteRegions,
                        ReadRunners,
                        WriteRunners,
                        DeleteRunners
                    ]
                ),
            ]
        );
        assert_eq!(
            GLOBAL_ASSIGNMENTS[0].description,
            "Grants the ability to create sandboxes and keys in the organization"
        );
        assert_eq!(
            GLOBAL_ASSIGNMENTS[7].description,
            "Grants admin access to infrastructure in the organization"
        );
    }

    #[test]
    fn lookup_by_id() {
        assert_eq!(
            global_assignment(AUDITOR_ID).map(|a| a.name),
            Some("Auditor")
        );
        assert_eq!(
            global_assignment(INFRASTRUCTURE_ADMIN_ID).map(|a| a.name),
            Some("Infrastructure Admin")
        );
        assert!(is_global_assignment_id(SUPER_ADMIN_ID));
        assert!(!is_global_assignment_id(
            "00000000-0000-0000-0000-000000000009"
        ));
        assert!(!is_global_assignment_id(VIEWER_NAME));
        assert!(!is_global_assignment_id(""));
    }

    #[test]
    fn wire_form_is_global_with_wire_permissions() {
        let wire = global_assignment(VOLUMES_ADMIN_ID)
            .expect("volumes admin")
            .to_wire(epoch());
        assert_eq!(wire.id, VOLUMES_ADMIN_ID);
        assert_eq!(wire.name, "Volumes Admin");
        assert!(wire.is_global);
        assert_eq!(
            wire.permissions,
            ["read:volumes", "write:volumes", "delete:volumes"]
        );
        assert_eq!(wire.created_at, epoch());

        let all = global_assignments_wire(epoch());
        assert_eq!(all.len(), 8);
        assert_eq!(all[4].permissions.len(), 21);
    }

    #[test]
    fn assignment_names_are_unique_per_organization_ignoring_case() {
        let mut custom = GLOBAL_ASSIGNMENTS[0].to_wire(epoch());
        custom.id = "custom-1".into();
        custom.is_global = false;
        custom.name = "Maintainer".into();
        let mut existing = global_assignments_wire(epoch());
        existing.push(custom);

        assert!(!assignment_name_taken("Release Manager", &existing, None));
        assert!(assignment_name_taken(" maintainer ", &existing, None));
        assert!(assignment_name_taken("AUDITOR", &existing, None));
        assert!(assignment_name_taken("viewer", &existing, None));
        // Renaming an assignment to its own name (in another case) is fine,
        // to another's is not.
        assert!(!assignment_name_taken(
            "MAINTAINER",
            &existing,
            Some("custom-1")
        ));
        assert!(assignment_name_taken(
            "Developer",
            &existing,
            Some("custom-1")
        ));
        // Case folding is Unicode-aware, not ASCII-only.
        existing[8].name = "Équipe".into();
        assert!(assignment_name_taken("équipe", &existing, None));
    }

    #[test]
    fn permissions_of_is_the_union_ignoring_unknown_strings() {
        assert!(permissions_of(&[]).is_empty());

        let mut custom = GLOBAL_ASSIGNMENTS[0].to_wire(epoch());
        custom.id = "custom".into();
        custom.is_global = false;
        custom.permissions = vec!["read:runners".into(), "write:billing".into()];
        let assigned = [
            global_assignment(DEVELOPER_ID).unwrap().to_wire(epoch()),
            global_assignment(SANDBOXES_ADMIN_ID)
                .unwrap()
                .to_wire(epoch()),
            custom,
        ];
        assert_eq!(
            permissions_of(&assigned).into_iter().collect::<Vec<_>>(),
            [WriteSandboxes, DeleteSandboxes, ReadRunners]
        );

        let super_admin = [global_assignment(SUPER_ADMIN_ID).unwrap().to_wire(epoch())];
        assert_eq!(permissions_of(&super_admin), Permission::all());
    }
}
