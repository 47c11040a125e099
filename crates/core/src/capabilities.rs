//! What the acting user may do in one organization.
//!
//! The server calls these predicates to authorize (it is authoritative and
//! re-checks owner counts inside its transaction); the SPA calls the same
//! predicates to decide what to show and enable.

use std::collections::BTreeSet;
use std::fmt;

use crate::assignment::permissions_of;
use crate::permission::{Permission, PermissionSet};
use crate::role::Role;
use crate::wire::{OrganizationRole, OrganizationUser};

/// The acting user's membership in one organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub role: Role,
    /// The union of the member's assignments (not counting the owner role).
    pub permissions: PermissionSet,
    pub personal: bool,
    /// How many owners the organization has; the last-owner rule needs it.
    pub owner_count: usize,
}

impl Membership {
    pub fn new(
        role: Role,
        assigned_roles: &[OrganizationRole],
        personal: bool,
        owner_count: usize,
    ) -> Self {
        Membership::from_permissions(
            role,
            crate::assignment::permissions_of(assigned_roles),
            personal,
            owner_count,
        )
    }

    pub fn from_permissions(
        role: Role,
        permissions: PermissionSet,
        personal: bool,
        owner_count: usize,
    ) -> Self {
        Membership {
            role,
            permissions,
            personal,
            owner_count,
        }
    }

    /// The membership of `user_id` according to a complete member list, or
    /// `None` when they are not listed.
    pub fn from_members(
        user_id: &str,
        personal: bool,
        members: &[OrganizationUser],
    ) -> Option<Self> {
        let me = members.iter().find(|m| m.user_id == user_id)?;
        let owner_count = members.iter().filter(|m| m.role == Role::Owner).count();
        Some(Membership::new(
            me.role,
            &me.assigned_roles,
            personal,
            owner_count,
        ))
    }
}

/// The member row an action applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    /// The row is the acting user's own.
    pub is_self: bool,
    pub role: Role,
}

impl Target {
    pub const fn own(role: Role) -> Self {
        Target {
            is_self: true,
            role,
        }
    }

    pub const fn other(role: Role) -> Self {
        Target {
            is_self: false,
            role,
        }
    }

    /// The target for a listed member, seen by `acting_user_id`.
    pub fn of(member: &OrganizationUser, acting_user_id: &str) -> Self {
        Target {
            is_self: member.user_id == acting_user_id,
            role: member.role,
        }
    }
}

/// The administrative actions a personal organization does not offer; named
/// so that a refusal can say which one was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrgAction {
    Invite,
    ManageInvitations,
    ChangeRole,
    ChangeAssignments,
    RemoveMember,
    Leave,
    Rename,
    Delete,
    ManageCustomAssignments,
}

/// Why an action is not allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Personal organizations have a single member and cannot be shared,
    /// left or deleted.
    PersonalOrganization(OrgAction),
    /// The action is the owner's alone.
    NotOwner,
    MissingPermission(Permission),
    /// Owners cannot change their own role or assignments (another owner
    /// must), so nobody locks themselves out by accident.
    OwnAccess,
    /// Removing oneself is leaving, which has its own rules.
    RemoveSelf,
    /// The organization would be left without an owner.
    LastOwner,
    /// A sole owner leaving must name a successor.
    NoSuccessor,
    /// The successor is not another member of the organization.
    SuccessorNotMember,
}

impl Refusal {
    /// The API's message (`docs/api.md`'s wording where it gives one).
    ///
    /// For `LastOwner` the API names the organization: use
    /// [`Refusal::message_in`] or [`last_owner_message`] there.
    pub fn message(&self) -> String {
        match self {
            Refusal::PersonalOrganization(action) => personal_message(*action).to_owned(),
            Refusal::NotOwner | Refusal::MissingPermission(_) => "Access denied".to_owned(),
            Refusal::OwnAccess => "You cannot update your own access".to_owned(),
            Refusal::RemoveSelf => {
                "You cannot remove yourself; leave the organization instead".to_owned()
            }
            Refusal::LastOwner => "The organization must have at least one owner".to_owned(),
            Refusal::NoSuccessor => {
                "Choose a member to become the owner before leaving the organization".to_owned()
            }
            Refusal::SuccessorNotMember => {
                "The new owner must be another member of the organization".to_owned()
            }
        }
    }

    /// The API's message for a refusal in organization `org_id`.
    pub fn message_in(&self, org_id: &str) -> String {
        match self {
            Refusal::LastOwner => last_owner_message(org_id),
            other => other.message(),
        }
    }

    /// Text for the SPA (disabled controls, "access required" panels): says
    /// what is missing where the API only says "Access denied".
    pub fn explanation(&self) -> String {
        match self {
            Refusal::NotOwner => "Only organization owners can do this".to_owned(),
            Refusal::MissingPermission(p) => {
                format!("This requires the \u{201c}{}\u{201d} permission", p.label())
            }
            other => other.message(),
        }
    }

    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        403
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Refusal {}

/// `docs/api.md`'s wording of the last-owner refusal ("Business rules").
pub fn last_owner_message(org_id: &str) -> String {
    format!("Organization with ID {org_id} must have at least one owner")
}

fn personal_message(action: OrgAction) -> &'static str {
    match action {
        OrgAction::Invite => "Cannot invite members to a personal organization",
        OrgAction::ManageInvitations => "Personal organizations have no invitations",
        OrgAction::ChangeRole => "Cannot change roles in a personal organization",
        OrgAction::ChangeAssignments => "Cannot change assignments in a personal organization",
        OrgAction::RemoveMember => "Cannot remove members from a personal organization",
        OrgAction::Leave => "Cannot leave personal organization",
        OrgAction::Rename => "Cannot rename personal organization",
        OrgAction::Delete => "Cannot delete personal organization",
        OrgAction::ManageCustomAssignments => {
            "Cannot manage assignments in a personal organization"
        }
    }
}

/// Owners hold every permission; members hold their assignments' union.
pub fn effective_permissions(role: Role, assigned: &PermissionSet) -> PermissionSet {
    match role {
        Role::Owner => Permission::all(),
        Role::Member => assigned.clone(),
    }
}

/// The acting user's abilities in one organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    role: Role,
    assigned: PermissionSet,
    personal: bool,
    owner_count: usize,
}

impl Capabilities {
    pub fn of(m: &Membership) -> Self {
        Capabilities {
            role: m.role,
            assigned: m.permissions.clone(),
            personal: m.personal,
            owner_count: m.owner_count,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn is_owner(&self) -> bool {
        self.role == Role::Owner
    }

    pub fn is_personal(&self) -> bool {
        self.personal
    }

    /// How many owners the organization has, as this membership was read.
    pub fn owner_count(&self) -> usize {
        self.owner_count
    }

    /// Owner of an organization with no other owner. `owner_count` of 0
    /// (a stale or inconsistent count) counts as sole: refusing is safe.
    pub fn is_sole_owner(&self) -> bool {
        self.is_owner() && self.owner_count <= 1
    }

    /// Whether leaving needs a successor (the danger zone then asks for one).
    pub fn needs_successor_to_leave(&self) -> bool {
        !self.personal && self.is_sole_owner()
    }

    pub fn has(&self, p: Permission) -> bool {
        self.is_owner() || self.assigned.contains(&p)
    }

    /// The effective permissions: all twenty-one for an owner.
    pub fn permissions(&self) -> PermissionSet {
        effective_permissions(self.role, &self.assigned)
    }

    /// Every member sees the member list.
    pub fn view_members(&self) -> bool {
        true
    }

    pub fn invite(&self) -> Result<(), Refusal> {
        self.administer(OrgAction::Invite)
    }

    /// Edit, cancel or resend pending invitations.
    pub fn manage_invitations(&self) -> Result<(), Refusal> {
        self.administer(OrgAction::ManageInvitations)
    }

    pub fn change_role(&self, target: Target, new_role: Role) -> Result<(), Refusal> {
        self.administer_other(OrgAction::ChangeRole, target, Refusal::OwnAccess)?;
        if target.role == Role::Owner && new_role == Role::Member {
            self.keep_an_owner()?;
        }
        Ok(())
    }

    pub fn change_assignments(&self, target: Target) -> Result<(), Refusal> {
        self.administer_other(OrgAction::ChangeAssignments, target, Refusal::OwnAccess)
    }

    /// Remove another member; one's own row is [`Capabilities::leave`].
    pub fn remove_member(&self, target: Target) -> Result<(), Refusal> {
        self.administer_other(OrgAction::RemoveMember, target, Refusal::RemoveSelf)?;
        if target.role == Role::Owner {
            self.keep_an_owner()?;
        }
        Ok(())
    }

    pub fn leave(&self) -> Result<(), Refusal> {
        self.not_personal(OrgAction::Leave)?;
        if self.is_owner() {
            self.keep_an_owner()?;
        }
        Ok(())
    }

    /// Leave, first making `successor` an owner (Roster's hand-over).
    ///
    /// Without a successor this is [`Capabilities::leave`], except that a
    /// sole owner is told to name one ([`Refusal::NoSuccessor`]). Naming a
    /// successor promotes them, which only an owner may do.
    pub fn leave_with_successor(&self, successor: Option<Target>) -> Result<(), Refusal> {
        self.not_personal(OrgAction::Leave)?;
        match successor {
            None if self.is_sole_owner() => Err(Refusal::NoSuccessor),
            None => self.leave(),
            Some(successor) => {
                self.owner()?;
                if successor.is_self {
                    return Err(Refusal::SuccessorNotMember);
                }
                Ok(())
            }
        }
    }

    pub fn rename(&self) -> Result<(), Refusal> {
        self.administer(OrgAction::Rename)
    }

    pub fn delete(&self) -> Result<(), Refusal> {
        self.administer(OrgAction::Delete)
    }

    /// Create, edit and delete custom assignments (and see the page).
    pub fn manage_custom_assignments(&self) -> Result<(), Refusal> {
        self.administer(OrgAction::ManageCustomAssignments)
    }

    pub fn read_audit_log(&self) -> Result<(), Refusal> {
        if self.has(Permission::ReadAuditLogs) {
            Ok(())
        } else {
            Err(Refusal::MissingPermission(Permission::ReadAuditLogs))
        }
    }

    /// `PATCH /organizations/{id}/default-region`; personal organizations
    /// need a default region too.
    pub fn set_default_region(&self) -> Result<(), Refusal> {
        self.owner()
    }

    fn not_personal(&self, action: OrgAction) -> Result<(), Refusal> {
        if self.personal {
            Err(Refusal::PersonalOrganization(action))
        } else {
            Ok(())
        }
    }

    fn owner(&self) -> Result<(), Refusal> {
        if self.is_owner() {
            Ok(())
        } else {
            Err(Refusal::NotOwner)
        }
    }

    fn administer(&self, action: OrgAction) -> Result<(), Refusal> {
        self.not_personal(action)?;
        self.owner()
    }

    fn administer_other(
        &self,
        action: OrgAction,
        target: Target,
        own_row: Refusal,
    ) -> Result<(), Refusal> {
        self.administer(action)?;
        if target.is_self {
            return Err(own_row);
        }
        Ok(())
    }

    fn keep_an_owner(&self) -> Result<(), Refusal> {
        if self.owner_count <= 1 {
            Err(Refusal::LastOwner)
        } else {
            Ok(())
        }
    }
}

/// What a member gains and loses through a change of role or assignments,
/// in effective permissions (an owner holds all twenty-one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessDiff {
    pub role_before: Role,
    pub role_after: Role,
    pub gained: PermissionSet,
    pub lost: PermissionSet,
    /// Permissions this version does not know (a newer backend's), by their
    /// raw names: a diff lists them rather than hiding them.
    pub gained_unknown: BTreeSet<String>,
    pub lost_unknown: BTreeSet<String>,
}

impl AccessDiff {
    pub fn role_changed(&self) -> bool {
        self.role_before != self.role_after
    }

    /// Nothing the member could notice changes.
    pub fn is_empty(&self) -> bool {
        !self.role_changed()
            && self.gained.is_empty()
            && self.lost.is_empty()
            && self.gained_unknown.is_empty()
            && self.lost_unknown.is_empty()
    }
}

pub fn access_diff(
    before_role: Role,
    before: &PermissionSet,
    after_role: Role,
    after: &PermissionSet,
) -> AccessDiff {
    let before = effective_permissions(before_role, before);
    let after = effective_permissions(after_role, after);
    AccessDiff {
        role_before: before_role,
        role_after: after_role,
        gained: after.difference(&before).copied().collect(),
        lost: before.difference(&after).copied().collect(),
        gained_unknown: BTreeSet::new(),
        lost_unknown: BTreeSet::new(),
    }
}

/// [`access_diff`] of a change from holding `before` (assignments as the
/// API lists them) to holding `after`, counting permission strings this
/// version does not know by their raw names.
///
/// An owner holds every permission, the unknown ones too: a change to or
/// from the owner role gains or loses no unknown permission a member keeps,
/// and the others cannot be named.
pub fn assignments_access_diff(
    before_role: Role,
    before: &[OrganizationRole],
    after_role: Role,
    after: &[OrganizationRole],
) -> AccessDiff {
    let mut diff = access_diff(
        before_role,
        &permissions_of(before),
        after_role,
        &permissions_of(after),
    );
    if before_role == Role::Member && after_role == Role::Member {
        let before = unknown_permissions_of(before);
        let after = unknown_permissions_of(after);
        diff.gained_unknown = after.difference(&before).cloned().collect();
        diff.lost_unknown = before.difference(&after).cloned().collect();
    }
    diff
}

/// The permission strings of `assignments` that name no permission this
/// version knows (what [`permissions_of`] leaves out).
pub fn unknown_permissions_of(assignments: &[OrganizationRole]) -> BTreeSet<String> {
    assignments
        .iter()
        .flat_map(|a| &a.permissions)
        .filter(|name| name.parse::<Permission>().is_err())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assignment::global_assignment;
    use crate::wire::{AUDITOR_ID, DEVELOPER_ID, SUPER_ADMIN_ID};
    use chrono::{DateTime, Utc};
    use Permission::*;
    use Role::{Member, Owner};

    type Outcome = Result<(), Refusal>;

    const OK: Outcome = Ok(());
    const NO: Outcome = Err(Refusal::NotOwner);
    const OA: Outcome = Err(Refusal::OwnAccess);
    const RS: Outcome = Err(Refusal::RemoveSelf);
    const LO: Outcome = Err(Refusal::LastOwner);
    const NS: Outcome = Err(Refusal::NoSuccessor);
    const SN: Outcome = Err(Refusal::SuccessorNotMember);
    const MP: Outcome = Err(Refusal::MissingPermission(ReadAuditLogs));
    const PI: Outcome = Err(Refusal::PersonalOrganization(OrgAction::Invite));
    const PM: Outcome = Err(Refusal::PersonalOrganization(OrgAction::ManageInvitations));
    const PR: Outcome = Err(Refusal::PersonalOrganization(OrgAction::ChangeRole));
    const PA: Outcome = Err(Refusal::PersonalOrganization(OrgAction::ChangeAssignments));
    const PX: Outcome = Err(Refusal::PersonalOrganization(OrgAction::RemoveMember));
    const PL: Outcome = Err(Refusal::PersonalOrganization(OrgAction::Leave));
    const PN: Outcome = Err(Refusal::PersonalOrganization(OrgAction::Rename));
    const PD: Outcome = Err(Refusal::PersonalOrganization(OrgAction::Delete));
    const PC: Outcome = Err(Refusal::PersonalOrganization(
        OrgAction::ManageCustomAssignments,
    ));

    const NONE: &[&str] = &[];
    const DEV: &[&str] = &[DEVELOPER_ID];
    const AUD: &[&str] = &[AUDITOR_ID];
    const SUP: &[&str] = &[SUPER_ADMIN_ID];

    const SELF_OWNER: Target = Target::own(Owner);
    const OTHER_OWNER: Target = Target::other(Owner);
    const OTHER_MEMBER: Target = Target::other(Member);

    const PERSONAL: bool = true;
    const COLLAB: bool = false;

    /// Column order of `Row::expected`.
    const PREDICATES: [&str; 14] = [
        "invite",
        "manage_invitations",
        "change_role(target, owner)",
        "change_role(target, member)",
        "change_assignments(target)",
        "remove_member(target)",
        "leave()",
        "leave_with_successor(Some(target))",
        "leave_with_successor(None)",
        "rename",
        "delete",
        "manage_custom_assignments",
        "read_audit_log",
        "set_default_region",
    ];

    struct Row {
        role: Role,
        assignments: &'static [&'static str],
        personal: bool,
        target: Target,
        owner_count: usize,
        expected: [Outcome; 14],
    }

    const fn row(
        role: Role,
        assignments: &'static [&'static str],
        personal: bool,
        target: Target,
        owner_count: usize,
        expected: [Outcome; 14],
    ) -> Row {
        Row {
            role,
            assignments,
            personal,
            target,
            owner_count,
            expected,
        }
    }

    // Columns: invite, manage_invitations, change_role→owner, change_role→member,
    // change_assignments, remove_member, leave, leave_with_successor(Some(target)),
    // leave_with_successor(None), rename, delete, manage_custom_assignments,
    // read_audit_log, set_default_region.
    #[rustfmt::skip]
    const TABLE: &[Row] = &[
        // Owner, collaborative organization.
        row(Owner,  NONE, COLLAB,   SELF_OWNER,   1, [OK, OK, OA, OA, OA, RS, LO, SN, NS, OK, OK, OK, OK, OK]),
        row(Owner,  NONE, COLLAB,   SELF_OWNER,   2, [OK, OK, OA, OA, OA, RS, OK, SN, OK, OK, OK, OK, OK, OK]),
        row(Owner,  NONE, COLLAB,   OTHER_OWNER,  1, [OK, OK, OK, LO, OK, LO, LO, OK, NS, OK, OK, OK, OK, OK]),
        row(Owner,  NONE, COLLAB,   OTHER_OWNER,  2, [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        row(Owner,  NONE, COLLAB,   OTHER_MEMBER, 1, [OK, OK, OK, OK, OK, OK, LO, OK, NS, OK, OK, OK, OK, OK]),
        row(Owner,  NONE, COLLAB,   OTHER_MEMBER, 2, [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        row(Owner,  DEV,  COLLAB,   SELF_OWNER,   1, [OK, OK, OA, OA, OA, RS, LO, SN, NS, OK, OK, OK, OK, OK]),
        row(Owner,  DEV,  COLLAB,   SELF_OWNER,   2, [OK, OK, OA, OA, OA, RS, OK, SN, OK, OK, OK, OK, OK, OK]),
        row(Owner,  DEV,  COLLAB,   OTHER_OWNER,  1, [OK, OK, OK, LO, OK, LO, LO, OK, NS, OK, OK, OK, OK, OK]),
        row(Owner,  DEV,  COLLAB,   OTHER_OWNER,  2, [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        row(Owner,  DEV,  COLLAB,   OTHER_MEMBER, 1, [OK, OK, OK, OK, OK, OK, LO, OK, NS, OK, OK, OK, OK, OK]),
        row(Owner,  DEV,  COLLAB,   OTHER_MEMBER, 2, [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        row(Owner,  AUD,  COLLAB,   SELF_OWNER,   1, [OK, OK, OA, OA, OA, RS, LO, SN, NS, OK, OK, OK, OK, OK]),
        row(Owner,  AUD,  COLLAB,   SELF_OWNER,   2, [OK, OK, OA, OA, OA, RS, OK, SN, OK, OK, OK, OK, OK, OK]),
        row(Owner,  AUD,  COLLAB,   OTHER_OWNER,  1, [OK, OK, OK, LO, OK, LO, LO, OK, NS, OK, OK, OK, OK, OK]),
        row(Owner,  AUD,  COLLAB,   OTHER_OWNER,  2, [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        row(Owner,  AUD,  COLLAB,   OTHER_MEMBER, 1, [OK, OK, OK, OK, OK, OK, LO, OK, NS, OK, OK, OK, OK, OK]),
        row(Owner,  AUD,  COLLAB,   OTHER_MEMBER, 2, [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        row(Owner,  SUP,  COLLAB,   SELF_OWNER,   1, [OK, OK, OA, OA, OA, RS, LO, SN, NS, OK, OK, OK, OK, OK]),
        row(Owner,  SUP,  COLLAB,   SELF_OWNER,   2, [OK, OK, OA, OA, OA, RS, OK, SN, OK, OK, OK, OK, OK, OK]),
        row(Owner,  SUP,  COLLAB,   OTHER_OWNER,  1, [OK, OK, OK, LO, OK, LO, LO, OK, NS, OK, OK, OK, OK, OK]),
        row(Owner,  SUP,  COLLAB,   OTHER_OWNER,  2, [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        row(Owner,  SUP,  COLLAB,   OTHER_MEMBER, 1, [OK, OK, OK, OK, OK, OK, LO, OK, NS, OK, OK, OK, OK, OK]),
        row(Owner,  SUP,  COLLAB,   OTHER_MEMBER, 2, [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        // Owner, personal organization.
        row(Owner,  NONE, PERSONAL, SELF_OWNER,   1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  NONE, PERSONAL, SELF_OWNER,   2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  NONE, PERSONAL, OTHER_OWNER,  1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  NONE, PERSONAL, OTHER_OWNER,  2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  NONE, PERSONAL, OTHER_MEMBER, 1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  NONE, PERSONAL, OTHER_MEMBER, 2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  DEV,  PERSONAL, SELF_OWNER,   1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  DEV,  PERSONAL, SELF_OWNER,   2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  DEV,  PERSONAL, OTHER_OWNER,  1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  DEV,  PERSONAL, OTHER_OWNER,  2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  DEV,  PERSONAL, OTHER_MEMBER, 1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  DEV,  PERSONAL, OTHER_MEMBER, 2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  AUD,  PERSONAL, SELF_OWNER,   1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  AUD,  PERSONAL, SELF_OWNER,   2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  AUD,  PERSONAL, OTHER_OWNER,  1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  AUD,  PERSONAL, OTHER_OWNER,  2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  AUD,  PERSONAL, OTHER_MEMBER, 1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  AUD,  PERSONAL, OTHER_MEMBER, 2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  SUP,  PERSONAL, SELF_OWNER,   1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  SUP,  PERSONAL, SELF_OWNER,   2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  SUP,  PERSONAL, OTHER_OWNER,  1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  SUP,  PERSONAL, OTHER_OWNER,  2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  SUP,  PERSONAL, OTHER_MEMBER, 1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        row(Owner,  SUP,  PERSONAL, OTHER_MEMBER, 2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, OK]),
        // Member, collaborative organization: only leaving (and reading
        // audit logs with an assignment granting it).
        row(Member, NONE, COLLAB,   SELF_OWNER,   1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, NONE, COLLAB,   SELF_OWNER,   2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, NONE, COLLAB,   OTHER_OWNER,  1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, NONE, COLLAB,   OTHER_OWNER,  2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, NONE, COLLAB,   OTHER_MEMBER, 1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, NONE, COLLAB,   OTHER_MEMBER, 2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, DEV,  COLLAB,   SELF_OWNER,   1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, DEV,  COLLAB,   SELF_OWNER,   2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, DEV,  COLLAB,   OTHER_OWNER,  1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, DEV,  COLLAB,   OTHER_OWNER,  2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, DEV,  COLLAB,   OTHER_MEMBER, 1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, DEV,  COLLAB,   OTHER_MEMBER, 2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, MP, NO]),
        row(Member, AUD,  COLLAB,   SELF_OWNER,   1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, AUD,  COLLAB,   SELF_OWNER,   2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, AUD,  COLLAB,   OTHER_OWNER,  1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, AUD,  COLLAB,   OTHER_OWNER,  2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, AUD,  COLLAB,   OTHER_MEMBER, 1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, AUD,  COLLAB,   OTHER_MEMBER, 2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, SUP,  COLLAB,   SELF_OWNER,   1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, SUP,  COLLAB,   SELF_OWNER,   2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, SUP,  COLLAB,   OTHER_OWNER,  1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, SUP,  COLLAB,   OTHER_OWNER,  2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, SUP,  COLLAB,   OTHER_MEMBER, 1, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        row(Member, SUP,  COLLAB,   OTHER_MEMBER, 2, [NO, NO, NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, NO]),
        // Member, personal organization (not a state the server creates, but
        // the predicates must still refuse rather than allow).
        row(Member, NONE, PERSONAL, SELF_OWNER,   1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, NONE, PERSONAL, SELF_OWNER,   2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, NONE, PERSONAL, OTHER_OWNER,  1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, NONE, PERSONAL, OTHER_OWNER,  2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, NONE, PERSONAL, OTHER_MEMBER, 1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, NONE, PERSONAL, OTHER_MEMBER, 2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, DEV,  PERSONAL, SELF_OWNER,   1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, DEV,  PERSONAL, SELF_OWNER,   2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, DEV,  PERSONAL, OTHER_OWNER,  1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, DEV,  PERSONAL, OTHER_OWNER,  2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, DEV,  PERSONAL, OTHER_MEMBER, 1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, DEV,  PERSONAL, OTHER_MEMBER, 2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, MP, NO]),
        row(Member, AUD,  PERSONAL, SELF_OWNER,   1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, AUD,  PERSONAL, SELF_OWNER,   2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, AUD,  PERSONAL, OTHER_OWNER,  1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, AUD,  PERSONAL, OTHER_OWNER,  2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, AUD,  PERSONAL, OTHER_MEMBER, 1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, AUD,  PERSONAL, OTHER_MEMBER, 2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, SUP,  PERSONAL, SELF_OWNER,   1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, SUP,  PERSONAL, SELF_OWNER,   2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, SUP,  PERSONAL, OTHER_OWNER,  1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, SUP,  PERSONAL, OTHER_OWNER,  2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, SUP,  PERSONAL, OTHER_MEMBER, 1, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
        row(Member, SUP,  PERSONAL, OTHER_MEMBER, 2, [PI, PM, PR, PR, PA, PX, PL, PL, PL, PN, PD, PC, OK, NO]),
    ];

    fn epoch() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }

    fn wire_assignments(ids: &[&str]) -> Vec<OrganizationRole> {
        ids.iter()
            .map(|id| {
                global_assignment(id)
                    .expect("a global assignment")
                    .to_wire(epoch())
            })
            .collect()
    }

    fn actual(caps: &Capabilities, target: Target) -> [Outcome; 14] {
        [
            caps.invite(),
            caps.manage_invitations(),
            caps.change_role(target, Owner),
            caps.change_role(target, Member),
            caps.change_assignments(target),
            caps.remove_member(target),
            caps.leave(),
            caps.leave_with_successor(Some(target)),
            caps.leave_with_successor(None),
            caps.rename(),
            caps.delete(),
            caps.manage_custom_assignments(),
            caps.read_audit_log(),
            caps.set_default_region(),
        ]
    }

    #[test]
    fn every_predicate_over_role_assignments_personal_target_and_owner_count() {
        // The table covers the full cross product exactly once.
        assert_eq!(TABLE.len(), 2 * 4 * 2 * 3 * 2);
        let mut seen = std::collections::HashSet::new();
        for r in TABLE {
            let key = (r.role, r.assignments, r.personal, r.target, r.owner_count);
            assert!(seen.insert(key), "duplicate row {key:?}");
        }

        let mut mismatches = Vec::new();
        for (i, r) in TABLE.iter().enumerate() {
            let membership = Membership::new(
                r.role,
                &wire_assignments(r.assignments),
                r.personal,
                r.owner_count,
            );
            let caps = Capabilities::of(&membership);
            assert!(caps.view_members());
            let got = actual(&caps, r.target);
            for (column, (want, got)) in r.expected.iter().zip(got.iter()).enumerate() {
                if want != got {
                    mismatches.push(format!(
                        "row {i} ({:?}, {:?}, personal={}, {:?}, owners={}) {}: expected {want:?}, got {got:?}",
                        r.role, r.assignments, r.personal, r.target, r.owner_count,
                        PREDICATES[column]
                    ));
                }
            }
        }
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    }

    #[test]
    fn owner_has_every_permission_member_only_assigned() {
        let owner = Capabilities::of(&Membership::from_permissions(
            Owner,
            PermissionSet::new(),
            false,
            1,
        ));
        assert!(owner.is_owner());
        assert!(Permission::ALL.iter().all(|p| owner.has(*p)));
        assert_eq!(owner.permissions().len(), 21);

        let auditor = Capabilities::of(&Membership::new(Member, &wire_assignments(AUD), false, 1));
        assert_eq!(auditor.role(), Member);
        assert!(auditor.has(ReadAuditLogs));
        assert!(!auditor.has(WriteSandboxes));
        assert_eq!(
            auditor.permissions().into_iter().collect::<Vec<_>>(),
            [ReadAuditLogs]
        );

        let developer_and_auditor = Capabilities::of(&Membership::new(
            Member,
            &wire_assignments(&[DEVELOPER_ID, AUDITOR_ID]),
            false,
            1,
        ));
        assert_eq!(
            developer_and_auditor
                .permissions()
                .into_iter()
                .collect::<Vec<_>>(),
            [WriteSandboxes, ReadAuditLogs]
        );
    }

    #[test]
    fn membership_from_member_list() {
        let member = |user_id: &str, role: Role, roles: &[&str]| OrganizationUser {
            user_id: user_id.into(),
            organization_id: "org".into(),
            name: user_id.into(),
            email: format!("{user_id}@example.com"),
            role,
            assigned_roles: wire_assignments(roles),
            created_at: epoch(),
            updated_at: epoch(),
            last_active_at: None,
        };
        let members = [
            member("ada", Owner, NONE),
            member("bob", Member, AUD),
            member("cy", Owner, NONE),
        ];
        let bob = Membership::from_members("bob", false, &members).expect("bob is listed");
        assert_eq!(bob.role, Member);
        assert_eq!(bob.owner_count, 2);
        assert_eq!(
            bob.permissions.iter().copied().collect::<Vec<_>>(),
            [ReadAuditLogs]
        );
        assert_eq!(Membership::from_members("eve", false, &members), None);

        assert_eq!(Target::of(&members[0], "ada"), Target::own(Owner));
        assert_eq!(Target::of(&members[1], "ada"), Target::other(Member));
    }

    #[test]
    fn successor_is_needed_only_by_a_sole_owner_of_a_collaborative_org() {
        let caps = |role, personal, owners| {
            Capabilities::of(&Membership::from_permissions(
                role,
                PermissionSet::new(),
                personal,
                owners,
            ))
        };
        assert!(caps(Owner, false, 1).needs_successor_to_leave());
        assert!(!caps(Owner, false, 2).needs_successor_to_leave());
        assert!(!caps(Member, false, 1).needs_successor_to_leave());
        assert!(!caps(Owner, true, 1).needs_successor_to_leave());
        // A count of zero is inconsistent; it must not let the owner go.
        assert_eq!(caps(Owner, false, 0).leave(), LO);
    }

    #[test]
    fn refusal_messages_and_status() {
        assert_eq!(Refusal::NotOwner.message(), "Access denied");
        assert_eq!(
            Refusal::MissingPermission(ReadAuditLogs).message(),
            "Access denied"
        );
        assert_eq!(
            Refusal::OwnAccess.message(),
            "You cannot update your own access"
        );
        assert_eq!(
            Refusal::PersonalOrganization(OrgAction::Delete).message(),
            "Cannot delete personal organization"
        );
        assert_eq!(
            Refusal::PersonalOrganization(OrgAction::Leave).message(),
            "Cannot leave personal organization"
        );
        assert_eq!(
            Refusal::PersonalOrganization(OrgAction::Invite).message(),
            "Cannot invite members to a personal organization"
        );
        assert_eq!(
            Refusal::LastOwner.message(),
            "The organization must have at least one owner"
        );
        assert_eq!(
            Refusal::LastOwner.message_in("o-1"),
            "Organization with ID o-1 must have at least one owner"
        );
        assert_eq!(
            Refusal::OwnAccess.message_in("o-1"),
            "You cannot update your own access"
        );
        assert_eq!(
            last_owner_message("abc"),
            "Organization with ID abc must have at least one owner"
        );
        assert_eq!(
            Refusal::NotOwner.explanation(),
            "Only organization owners can do this"
        );
        assert_eq!(
            Refusal::MissingPermission(ReadAuditLogs).explanation(),
            "This requires the \u{201c}Read audit logs\u{201d} permission"
        );
        assert_eq!(
            Refusal::NoSuccessor.to_string(),
            Refusal::NoSuccessor.message()
        );
        for refusal in [
            Refusal::PersonalOrganization(OrgAction::Rename),
            Refusal::NotOwner,
            Refusal::MissingPermission(ReadAuditLogs),
            Refusal::OwnAccess,
            Refusal::RemoveSelf,
            Refusal::LastOwner,
            Refusal::NoSuccessor,
            Refusal::SuccessorNotMember,
        ] {
            assert_eq!(refusal.status(), 403);
            assert!(!refusal.message().is_empty());
        }
    }

    fn set(perms: &[Permission]) -> PermissionSet {
        perms.iter().copied().collect()
    }

    #[test]
    fn access_diff_between_assignments() {
        let diff = access_diff(
            Member,
            &set(&[WriteSandboxes]),
            Member,
            &set(&[WriteSandboxes, DeleteSandboxes, ReadAuditLogs]),
        );
        assert!(!diff.role_changed());
        assert_eq!(diff.gained, set(&[DeleteSandboxes, ReadAuditLogs]));
        assert!(diff.lost.is_empty());
        assert!(!diff.is_empty());

        let same = access_diff(Member, &set(&[ReadVolumes]), Member, &set(&[ReadVolumes]));
        assert!(same.is_empty());
    }

    #[test]
    fn access_diff_through_role_change() {
        let promote = access_diff(
            Member,
            &set(&[WriteSandboxes]),
            Owner,
            &set(&[WriteSandboxes]),
        );
        assert!(promote.role_changed());
        assert_eq!(promote.role_before, Member);
        assert_eq!(promote.role_after, Owner);
        assert_eq!(promote.gained.len(), 20);
        assert!(!promote.gained.contains(&WriteSandboxes));
        assert!(promote.lost.is_empty());

        let demote = access_diff(Owner, &PermissionSet::new(), Member, &set(&[ReadAuditLogs]));
        assert!(demote.gained.is_empty());
        assert_eq!(demote.lost.len(), 20);
        assert!(!demote.lost.contains(&ReadAuditLogs));
        assert!(!demote.is_empty());

        // An owner's assignments change nothing effective.
        let owner_to_owner = access_diff(Owner, &PermissionSet::new(), Owner, &set(&[ReadVolumes]));
        assert!(owner_to_owner.is_empty());
    }

    /// An assignment as a newer backend may list it.
    fn holding(id: &str, permissions: &[&str]) -> OrganizationRole {
        OrganizationRole {
            id: id.into(),
            name: id.into(),
            description: String::new(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            is_global: false,
            created_at: epoch(),
            updated_at: epoch(),
        }
    }

    fn names(set: &BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn access_diff_of_assignments_counts_the_new_permissions() {
        // Developer → Super Admin: every permission but write:sandboxes,
        // the six of v0.205 among them.
        let diff = assignments_access_diff(
            Member,
            &wire_assignments(DEV),
            Member,
            &wire_assignments(SUP),
        );
        assert_eq!(diff.gained.len(), 20);
        for new in [
            ManageApiKeys,
            ManageSecrets,
            ReadLimits,
            ManageSso,
            ReadBilling,
            ManageBilling,
        ] {
            assert!(diff.gained.contains(&new), "{new} not gained");
        }
        assert!(diff.lost.is_empty());
        assert!(diff.gained_unknown.is_empty() && diff.lost_unknown.is_empty());
    }

    #[test]
    fn unknown_permissions_are_listed_by_their_raw_names() {
        let gpus = [holding("gpus", &["write:gpus", "write:sandboxes"])];
        let billing = [holding("billing", &["read:billing", "read:quantum"])];
        let developer = wire_assignments(DEV);

        // Adding an assignment holding an unknown permission gains it.
        let added = assignments_access_diff(Member, &developer, Member, &gpus);
        assert_eq!(names(&added.gained_unknown), ["write:gpus"]);
        assert!(added.gained.is_empty() && added.lost.is_empty());
        assert!(!added.is_empty(), "the unknown permission is a change");

        // Swapping it for another loses it and gains the other.
        let swapped = assignments_access_diff(Member, &gpus, Member, &billing);
        assert_eq!(names(&swapped.gained_unknown), ["read:quantum"]);
        assert_eq!(names(&swapped.lost_unknown), ["write:gpus"]);
        assert_eq!(swapped.gained, set(&[ReadBilling]));
        assert_eq!(swapped.lost, set(&[WriteSandboxes]));

        // Held through another assignment still: neither gained nor lost.
        let both = [
            gpus[0].clone(),
            holding("gpus-too", &["write:gpus", "write:sandboxes"]),
        ];
        let kept = assignments_access_diff(Member, &both, Member, &both[1..]);
        assert!(kept.is_empty(), "{kept:?}");

        // Owners hold every permission, unknown ones included.
        let promoted = assignments_access_diff(Member, &gpus, Owner, &gpus);
        assert!(promoted.gained_unknown.is_empty() && promoted.lost_unknown.is_empty());
        let demoted = assignments_access_diff(Owner, &[], Member, &gpus);
        assert!(demoted.lost_unknown.is_empty() && demoted.gained_unknown.is_empty());

        // The known permissions are as `access_diff` counts them.
        assert_eq!(
            assignments_access_diff(Member, &developer, Member, &gpus).gained,
            access_diff(
                Member,
                &permissions_of(&developer),
                Member,
                &permissions_of(&gpus)
            )
            .gained
        );
        assert_eq!(names(&unknown_permissions_of(&billing)), ["read:quantum"]);
    }
}
