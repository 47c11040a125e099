//! One action applied to many members (`POST /organizations/{id}/users/bulk`,
//! a Roster extension): what it would do to each selected member, and what
//! the whole batch gains and loses, permission by permission.
//!
//! [`plan`] is the one place that decides: the SPA calls it to show the
//! confirmation (and, against a backend without the bulk endpoint, to know
//! which single requests to send); the server calls it inside its write
//! transaction, on the state it is about to change, and applies the plan.
//!
//! The rules are [`Capabilities`]' for one member, plus the last-owner rule
//! over the whole batch: demoting or removing owners must leave at least
//! one. When the batch would take away too many, the owners who joined
//! first (then by user id) keep the role and are refused with
//! [`Refusal::LastOwner`]; the most recently joined go. That choice does
//! not depend on the order the client listed the ids in, so the SPA's
//! preview and the server agree however the selection was ordered.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use crate::capabilities::{assignments_access_diff, AccessDiff, Capabilities, Refusal, Target};
use crate::permission::Permission;
use crate::role::Role;
use crate::wire::{BulkAction, OrganizationRole, OrganizationUser, BULK_MEMBERS_MAX};

/// A bulk request that cannot be applied at all: the server answers 400
/// and changes nothing; the SPA does not send it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkInputError {
    /// No member selected.
    Empty,
    /// More members than one request may name.
    TooMany(usize),
    /// A user id listed twice.
    Duplicate(String),
    /// The assignment to add or remove is not one of the organization's.
    UnknownAssignment(String),
}

impl BulkInputError {
    /// The API's message.
    pub fn message(&self) -> String {
        match self {
            BulkInputError::Empty => "userIds must name at least one member".to_owned(),
            BulkInputError::TooMany(count) => {
                format!("userIds may name at most {BULK_MEMBERS_MAX} members at once (got {count})")
            }
            BulkInputError::Duplicate(id) => format!("userIds lists {id} more than once"),
            // The single-member endpoint's wording.
            BulkInputError::UnknownAssignment(_) => "One or more role IDs are invalid".to_owned(),
        }
    }
}

impl fmt::Display for BulkInputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for BulkInputError {}

/// Checks the selection alone: not empty, not too large, no id twice.
pub fn check_selection(user_ids: &[String]) -> Result<(), BulkInputError> {
    if user_ids.is_empty() {
        return Err(BulkInputError::Empty);
    }
    if user_ids.len() > BULK_MEMBERS_MAX {
        return Err(BulkInputError::TooMany(user_ids.len()));
    }
    let mut seen = HashSet::with_capacity(user_ids.len());
    match user_ids.iter().find(|id| !seen.insert(id.as_str())) {
        Some(id) => Err(BulkInputError::Duplicate(id.clone())),
        None => Ok(()),
    }
}

/// Why one selected member is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BulkRefusal {
    /// A rule of [`Capabilities`] (own row, last owner, personal
    /// organization, not an owner).
    Rule(Refusal),
    /// The id is not a member of the organization (or no longer is).
    NotMember,
}

impl BulkRefusal {
    /// The API's message in organization `org_id`.
    pub fn message_in(&self, org_id: &str) -> String {
        match self {
            BulkRefusal::Rule(refusal) => refusal.message_in(org_id),
            BulkRefusal::NotMember => "Member not found".to_owned(),
        }
    }

    /// Text for the SPA's confirmation.
    pub fn explanation(&self) -> String {
        match self {
            BulkRefusal::Rule(refusal) => refusal.explanation(),
            BulkRefusal::NotMember => "No longer a member of the organization".to_owned(),
        }
    }
}

/// Why a selected member needs no change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unchanged {
    /// They already have the role.
    AlreadyRole(Role),
    /// They already hold the assignment.
    AlreadyHeld,
    /// They do not hold the assignment.
    NotHeld,
    /// Owners hold every permission and keep no assignments.
    OwnerHoldsEverything,
}

impl Unchanged {
    pub fn message(&self) -> String {
        match self {
            Unchanged::AlreadyRole(role) => format!("Already {}", article_and_role(*role)),
            Unchanged::AlreadyHeld => "Already holds this assignment".to_owned(),
            Unchanged::NotHeld => "Does not hold this assignment".to_owned(),
            Unchanged::OwnerHoldsEverything => {
                "Owners hold every permission and keep no assignments".to_owned()
            }
        }
    }
}

fn article_and_role(role: Role) -> &'static str {
    match role {
        Role::Owner => "an owner",
        Role::Member => "a member",
    }
}

/// What will be written for one member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberChange {
    /// The member's role and assignments after the change (owners hold
    /// none), the assignment ids sorted.
    Access {
        role: Role,
        assignment_ids: Vec<String>,
    },
    /// The member leaves the organization.
    Remove,
}

/// A change and what it does to the member's effective permissions (a
/// removed member loses all of them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedChange {
    pub change: MemberChange,
    pub diff: AccessDiff,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlannedOutcome {
    Change(PlannedChange),
    Unchanged(Unchanged),
    Refused(BulkRefusal),
}

/// One selected member and what the action does to them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedMember {
    pub user_id: String,
    pub outcome: PlannedOutcome,
}

/// How many members gain and lose each permission (only the permissions
/// someone gains or loses are listed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PermissionTally {
    pub gained: BTreeMap<Permission, usize>,
    pub lost: BTreeMap<Permission, usize>,
    /// Permissions this version does not know (a newer backend's), by
    /// their raw names.
    pub gained_unknown: BTreeMap<String, usize>,
    pub lost_unknown: BTreeMap<String, usize>,
}

impl PermissionTally {
    fn add(&mut self, diff: &AccessDiff) {
        for p in &diff.gained {
            *self.gained.entry(*p).or_default() += 1;
        }
        for p in &diff.lost {
            *self.lost.entry(*p).or_default() += 1;
        }
        for p in &diff.gained_unknown {
            *self.gained_unknown.entry(p.clone()).or_default() += 1;
        }
        for p in &diff.lost_unknown {
            *self.lost_unknown.entry(p.clone()).or_default() += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.gained.is_empty()
            && self.lost.is_empty()
            && self.gained_unknown.is_empty()
            && self.lost_unknown.is_empty()
    }
}

/// What a bulk action does: one entry per selected member, in the order of
/// the selection, and the combined gains and losses of the changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkPlan {
    pub members: Vec<PlannedMember>,
    pub tally: PermissionTally,
}

impl BulkPlan {
    /// The members that will change, with their change.
    pub fn changes(&self) -> impl Iterator<Item = (&str, &PlannedChange)> {
        self.members.iter().filter_map(|m| match &m.outcome {
            PlannedOutcome::Change(change) => Some((m.user_id.as_str(), change)),
            _ => None,
        })
    }

    /// The refused members, with why.
    pub fn refusals(&self) -> impl Iterator<Item = (&str, BulkRefusal)> {
        self.members.iter().filter_map(|m| match &m.outcome {
            PlannedOutcome::Refused(refusal) => Some((m.user_id.as_str(), *refusal)),
            _ => None,
        })
    }

    pub fn change_count(&self) -> usize {
        self.changes().count()
    }

    pub fn refused_count(&self) -> usize {
        self.refusals().count()
    }

    pub fn unchanged_count(&self) -> usize {
        self.members.len() - self.change_count() - self.refused_count()
    }
}

/// A refusal of the whole request, before any member is looked at: the
/// caller may not take this action in this organization at all (not an
/// owner, a personal organization). The server answers it with 403 as the
/// single-member endpoints do; the SPA does not offer the action.
pub fn authorize(caps: &Capabilities, action: &BulkAction) -> Result<(), Refusal> {
    // Checked against another member's row: one's own is refused per member.
    let other = Target::other(Role::Member);
    match action {
        BulkAction::ChangeRole { role } => caps.change_role(other, *role),
        BulkAction::AddAssignment { .. } | BulkAction::RemoveAssignment { .. } => {
            caps.change_assignments(other)
        }
        BulkAction::Remove => caps.remove_member(other),
    }
}

/// What `action` does to each of `user_ids`, done by `caller_id` with
/// `caps` (whose owner count is the organization's).
///
/// `members` is the organization's member list, or at least every selected
/// member (an id not in it is refused as [`BulkRefusal::NotMember`]);
/// `assignments` the assignments the organization offers (global and
/// custom), needed to add one. Refusals are [`Capabilities`]' (checked
/// first, so one's own row is refused even when it needs no change), then
/// no-ops are reported as unchanged, then the last-owner rule over the
/// batch (see the module's documentation).
pub fn plan(
    caller_id: &str,
    caps: &Capabilities,
    members: &[OrganizationUser],
    assignments: &[OrganizationRole],
    action: &BulkAction,
    user_ids: &[String],
) -> Result<BulkPlan, BulkInputError> {
    check_selection(user_ids)?;
    let assignment = match action {
        BulkAction::AddAssignment { assignment_id } => Some(
            assignments
                .iter()
                .find(|a| a.id == *assignment_id)
                .ok_or_else(|| BulkInputError::UnknownAssignment(assignment_id.clone()))?,
        ),
        BulkAction::RemoveAssignment { assignment_id } => {
            if !assignments.iter().any(|a| a.id == *assignment_id) {
                return Err(BulkInputError::UnknownAssignment(assignment_id.clone()));
            }
            None
        }
        BulkAction::ChangeRole { .. } | BulkAction::Remove => None,
    };
    let by_id: HashMap<&str, &OrganizationUser> =
        members.iter().map(|m| (m.user_id.as_str(), m)).collect();

    let mut planned: Vec<PlannedMember> = user_ids
        .iter()
        .map(|user_id| PlannedMember {
            user_id: user_id.clone(),
            outcome: match by_id.get(user_id.as_str()) {
                None => PlannedOutcome::Refused(BulkRefusal::NotMember),
                Some(member) => outcome_for(caller_id, caps, member, action, assignment),
            },
        })
        .collect();

    keep_an_owner(caps, &by_id, &mut planned);

    let mut tally = PermissionTally::default();
    for member in &planned {
        if let PlannedOutcome::Change(change) = &member.outcome {
            tally.add(&change.diff);
        }
    }
    Ok(BulkPlan {
        members: planned,
        tally,
    })
}

fn outcome_for(
    caller_id: &str,
    caps: &Capabilities,
    member: &OrganizationUser,
    action: &BulkAction,
    assignment: Option<&OrganizationRole>,
) -> PlannedOutcome {
    // The last owner is judged over the whole batch (`keep_an_owner`), so
    // every other rule is asked of the row as if it were a member's.
    let row = Target {
        is_self: member.user_id == caller_id,
        role: Role::Member,
    };
    let allowed = match action {
        BulkAction::ChangeRole { role } => caps.change_role(row, *role),
        BulkAction::AddAssignment { .. } | BulkAction::RemoveAssignment { .. } => {
            caps.change_assignments(row)
        }
        BulkAction::Remove => caps.remove_member(row),
    };
    if let Err(refusal) = allowed {
        return PlannedOutcome::Refused(BulkRefusal::Rule(refusal));
    }
    let before = &member.assigned_roles;
    let access = |role: Role, after: Vec<OrganizationRole>| {
        let diff = assignments_access_diff(member.role, before, role, &after);
        let mut assignment_ids: Vec<String> = after.into_iter().map(|a| a.id).collect();
        assignment_ids.sort();
        PlannedOutcome::Change(PlannedChange {
            change: MemberChange::Access {
                role,
                assignment_ids,
            },
            diff,
        })
    };
    let holds = |id: &str| before.iter().any(|a| a.id == id);
    match action {
        BulkAction::ChangeRole { role } if *role == member.role => {
            PlannedOutcome::Unchanged(Unchanged::AlreadyRole(*role))
        }
        // Promoted members drop their assignments; owners hold none, so a
        // demoted owner starts with none.
        BulkAction::ChangeRole { role: Role::Owner } => access(Role::Owner, Vec::new()),
        BulkAction::ChangeRole { role: Role::Member } => access(Role::Member, Vec::new()),
        BulkAction::AddAssignment { .. } | BulkAction::RemoveAssignment { .. }
            if member.role == Role::Owner =>
        {
            PlannedOutcome::Unchanged(Unchanged::OwnerHoldsEverything)
        }
        BulkAction::AddAssignment { assignment_id } => match assignment {
            Some(_) if holds(assignment_id) => PlannedOutcome::Unchanged(Unchanged::AlreadyHeld),
            Some(added) => {
                let mut after = before.clone();
                after.push(added.clone());
                access(Role::Member, after)
            }
            // `plan` found it before calling.
            None => PlannedOutcome::Unchanged(Unchanged::NotHeld),
        },
        BulkAction::RemoveAssignment { assignment_id } => {
            if holds(assignment_id) {
                let after = before
                    .iter()
                    .filter(|a| a.id != *assignment_id)
                    .cloned()
                    .collect();
                access(Role::Member, after)
            } else {
                PlannedOutcome::Unchanged(Unchanged::NotHeld)
            }
        }
        BulkAction::Remove => PlannedOutcome::Change(PlannedChange {
            change: MemberChange::Remove,
            diff: assignments_access_diff(member.role, before, Role::Member, &[]),
        }),
    }
}

/// Refuses owner demotions and removals beyond what leaves one owner: the
/// owners who joined first (then by user id) stay.
fn keep_an_owner(
    caps: &Capabilities,
    by_id: &HashMap<&str, &OrganizationUser>,
    planned: &mut [PlannedMember],
) {
    let mut leaving: Vec<(usize, &OrganizationUser)> = planned
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m.outcome, PlannedOutcome::Change(_)))
        .filter_map(|(i, m)| Some((i, *by_id.get(m.user_id.as_str())?)))
        .filter(|(_, member)| member.role == Role::Owner)
        .collect();
    // An owner count of 0 is inconsistent; refusing every owner is safe.
    let may_leave = caps.owner_count().saturating_sub(1);
    if leaving.len() <= may_leave {
        return;
    }
    leaving.sort_by(|(_, a), (_, b)| {
        (a.created_at, a.user_id.as_str()).cmp(&(b.created_at, b.user_id.as_str()))
    });
    let kept = leaving.len() - may_leave;
    for (i, _) in &leaving[..kept] {
        planned[*i].outcome = PlannedOutcome::Refused(BulkRefusal::Rule(Refusal::LastOwner));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assignment::{global_assignment, global_assignments_wire};
    use crate::capabilities::{Membership, OrgAction};
    use crate::permission::PermissionSet;
    use crate::wire::{AUDITOR_ID, DEVELOPER_ID, SUPER_ADMIN_ID};
    use chrono::{DateTime, TimeDelta, Utc};
    use Permission::*;
    use Role::{Member, Owner};

    fn epoch() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }

    fn assignment(id: &str) -> OrganizationRole {
        global_assignment(id).expect("global").to_wire(epoch())
    }

    /// Member `id`, joined `day` days after the epoch.
    fn member(id: &str, role: Role, held: &[&str], day: i64) -> OrganizationUser {
        let at = epoch() + TimeDelta::days(day);
        OrganizationUser {
            user_id: id.into(),
            organization_id: "org".into(),
            name: id.into(),
            email: format!("{id}@example.com"),
            role,
            assigned_roles: held.iter().map(|a| assignment(a)).collect(),
            created_at: at,
            updated_at: at,
            last_active_at: None,
        }
    }

    /// The capabilities of `caller` in an organization of `members`.
    fn caps_of(caller: &str, members: &[OrganizationUser], personal: bool) -> Capabilities {
        Capabilities::of(&Membership::from_members(caller, personal, members).expect("a member"))
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn change_role(role: Role) -> BulkAction {
        BulkAction::ChangeRole { role }
    }

    fn add(id: &str) -> BulkAction {
        BulkAction::AddAssignment {
            assignment_id: id.into(),
        }
    }

    fn take(id: &str) -> BulkAction {
        BulkAction::RemoveAssignment {
            assignment_id: id.into(),
        }
    }

    /// The plan of `action` on `selected` by `caller`, in a collaborative
    /// organization of `members`.
    fn plan_of(
        caller: &str,
        members: &[OrganizationUser],
        action: &BulkAction,
        selected: &[&str],
    ) -> BulkPlan {
        let caps = caps_of(caller, members, false);
        plan(
            caller,
            &caps,
            members,
            &global_assignments_wire(epoch()),
            action,
            &ids(selected),
        )
        .expect("a valid request")
    }

    /// Each selected member's outcome, as a short word.
    fn outcomes(plan: &BulkPlan) -> Vec<(&str, String)> {
        plan.members
            .iter()
            .map(|m| {
                let word = match &m.outcome {
                    PlannedOutcome::Change(c) => match &c.change {
                        MemberChange::Remove => "remove".to_owned(),
                        MemberChange::Access {
                            role,
                            assignment_ids,
                        } => format!("{role}{assignment_ids:?}"),
                    },
                    PlannedOutcome::Unchanged(u) => format!("unchanged: {}", u.message()),
                    PlannedOutcome::Refused(r) => format!("refused: {}", r.message_in("org")),
                };
                (m.user_id.as_str(), word)
            })
            .collect()
    }

    fn org() -> Vec<OrganizationUser> {
        vec![
            member("ada", Owner, &[], 0),
            member("bo", Owner, &[], 1),
            member("cy", Member, &[DEVELOPER_ID], 2),
            member("di", Member, &[AUDITOR_ID], 3),
            member("ed", Member, &[], 4),
        ]
    }

    #[test]
    fn changing_roles_skips_no_ops_and_refuses_ones_own_row() {
        let members = org();
        let plan = plan_of(
            "ada",
            &members,
            &change_role(Owner),
            &["cy", "bo", "ada", "zed"],
        );
        assert_eq!(
            outcomes(&plan),
            [
                ("cy", "owner[]".to_owned()),
                ("bo", "unchanged: Already an owner".to_owned()),
                (
                    "ada",
                    "refused: You cannot update your own access".to_owned()
                ),
                ("zed", "refused: Member not found".to_owned()),
            ]
        );
        assert_eq!(plan.change_count(), 1);
        assert_eq!(plan.unchanged_count(), 1);
        assert_eq!(plan.refused_count(), 2);
        // Cy gains every permission but the one Developer gave.
        assert_eq!(plan.tally.gained.len(), 20);
        assert!(!plan.tally.gained.contains_key(&WriteSandboxes));
        assert!(plan.tally.gained.values().all(|n| *n == 1));
        assert!(plan.tally.lost.is_empty());
    }

    #[test]
    fn demoting_owners_drops_everything_but_what_they_are_left_with() {
        let mut members = org();
        members.push(member("fay", Owner, &[], 5));
        let plan = plan_of("ada", &members, &change_role(Member), &["bo", "fay", "cy"]);
        assert_eq!(
            outcomes(&plan),
            [
                ("bo", "member[]".to_owned()),
                ("fay", "member[]".to_owned()),
                ("cy", "unchanged: Already a member".to_owned()),
            ]
        );
        assert_eq!(plan.tally.lost.len(), 21);
        assert!(plan.tally.lost.values().all(|n| *n == 2));
        assert!(plan.tally.gained.is_empty());
    }

    #[test]
    fn adding_and_removing_an_assignment_counts_who_gains_and_loses_what() {
        let members = org();
        let added = plan_of("ada", &members, &add(AUDITOR_ID), &["bo", "cy", "di", "ed"]);
        assert_eq!(
            outcomes(&added),
            [
                (
                    "bo",
                    "unchanged: Owners hold every permission and keep no assignments".to_owned()
                ),
                ("cy", format!("member{:?}", [DEVELOPER_ID, AUDITOR_ID])),
                ("di", "unchanged: Already holds this assignment".to_owned()),
                ("ed", format!("member{:?}", [AUDITOR_ID])),
            ]
        );
        assert_eq!(added.tally.gained, BTreeMap::from([(ReadAuditLogs, 2)]));
        assert!(added.tally.lost.is_empty());

        let removed = plan_of("ada", &members, &take(AUDITOR_ID), &["cy", "di"]);
        assert_eq!(
            outcomes(&removed),
            [
                ("cy", "unchanged: Does not hold this assignment".to_owned()),
                ("di", "member[]".to_owned()),
            ]
        );
        assert_eq!(removed.tally.lost, BTreeMap::from([(ReadAuditLogs, 1)]));

        // Super Admin on top of Developer: everything but write:sandboxes.
        let super_admin = plan_of("ada", &members, &add(SUPER_ADMIN_ID), &["cy"]);
        assert_eq!(super_admin.tally.gained.len(), 20);
    }

    #[test]
    fn removing_members_loses_their_permissions() {
        let members = org();
        let plan = plan_of(
            "ada",
            &members,
            &BulkAction::Remove,
            &["cy", "di", "ed", "ada"],
        );
        assert_eq!(
            outcomes(&plan),
            [
                ("cy", "remove".to_owned()),
                ("di", "remove".to_owned()),
                ("ed", "remove".to_owned()),
                (
                    "ada",
                    "refused: You cannot remove yourself; leave the organization instead"
                        .to_owned()
                ),
            ]
        );
        assert_eq!(
            plan.tally.lost,
            BTreeMap::from([(WriteSandboxes, 1), (ReadAuditLogs, 1)])
        );
    }

    #[test]
    fn the_batch_keeps_an_owner_refusing_the_earliest_joined() {
        // Ada's own count says there is one owner more than the batch may
        // take: a stale count, or an owner the caller cannot see. Whatever
        // the request's order, the longest-standing owners stay.
        let members = vec![
            member("ada", Owner, &[], 3),
            member("bo", Owner, &[], 0),
            member("cy", Owner, &[], 1),
            member("di", Owner, &[], 2),
        ];
        let caps = Capabilities::of(&Membership::from_permissions(
            Owner,
            PermissionSet::new(),
            false,
            3, // Ada and two others, as she last read it
        ));
        for (action, selected) in [
            (change_role(Member), ["di", "cy", "bo"]),
            (BulkAction::Remove, ["bo", "di", "cy"]),
            (change_role(Member), ["cy", "bo", "di"]),
        ] {
            let plan = plan("ada", &caps, &members, &[], &action, &ids(&selected)).expect("valid");
            let refused: Vec<&str> = plan.refusals().map(|(id, _)| id).collect();
            assert_eq!(refused, ["bo"], "{action:?} {selected:?}");
            assert_eq!(
                plan.refusals().next().map(|(_, r)| r),
                Some(BulkRefusal::Rule(Refusal::LastOwner))
            );
            assert_eq!(plan.change_count(), 2);
        }
    }

    #[test]
    fn every_other_owner_may_go_while_the_caller_stays() {
        let members: Vec<_> = (0..5)
            .map(|i| member(&format!("o{i}"), Owner, &[], i))
            .collect();
        let everyone: Vec<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
        let plan = plan_of("o4", &members, &change_role(Member), &everyone);
        assert_eq!(plan.change_count(), 4);
        assert_eq!(
            plan.refusals().collect::<Vec<_>>(),
            [("o4", BulkRefusal::Rule(Refusal::OwnAccess))]
        );
    }

    #[test]
    fn a_count_of_zero_refuses_every_owner_but_not_members() {
        let members = org();
        let caps = Capabilities::of(&Membership::from_permissions(
            Owner,
            PermissionSet::new(),
            false,
            0,
        ));
        let plan = plan(
            "ada",
            &caps,
            &members,
            &[],
            &BulkAction::Remove,
            &ids(&["bo", "cy"]),
        )
        .expect("valid");
        assert_eq!(
            outcomes(&plan),
            [
                (
                    "bo",
                    "refused: Organization with ID org must have at least one owner".to_owned()
                ),
                ("cy", "remove".to_owned()),
            ]
        );
    }

    #[test]
    fn personal_organizations_and_non_owners_are_refused_for_everyone() {
        let personal = vec![member("ada", Owner, &[], 0)];
        let caps = caps_of("ada", &personal, true);
        assert_eq!(
            authorize(&caps, &BulkAction::Remove),
            Err(Refusal::PersonalOrganization(OrgAction::RemoveMember))
        );
        assert_eq!(
            authorize(&caps, &change_role(Member)),
            Err(Refusal::PersonalOrganization(OrgAction::ChangeRole))
        );
        assert_eq!(
            authorize(&caps, &add(AUDITOR_ID)),
            Err(Refusal::PersonalOrganization(OrgAction::ChangeAssignments))
        );
        let plan = plan(
            "ada",
            &caps,
            &personal,
            &[],
            &change_role(Member),
            &ids(&["ada"]),
        )
        .expect("valid");
        assert_eq!(
            plan.refusals().collect::<Vec<_>>(),
            [(
                "ada",
                BulkRefusal::Rule(Refusal::PersonalOrganization(OrgAction::ChangeRole))
            )]
        );

        let members = org();
        let cy = caps_of("cy", &members, false);
        for action in [change_role(Owner), add(AUDITOR_ID), BulkAction::Remove] {
            assert_eq!(authorize(&cy, &action), Err(Refusal::NotOwner));
        }
        let plan = plan_of("cy", &members, &BulkAction::Remove, &["di", "ed"]);
        assert_eq!(plan.refused_count(), 2);
        assert!(plan
            .refusals()
            .all(|(_, r)| r == BulkRefusal::Rule(Refusal::NotOwner)));
        assert!(plan.tally.is_empty());

        // An owner of a collaborative organization may do each of them.
        let ada = caps_of("ada", &members, false);
        for action in [change_role(Member), take(DEVELOPER_ID), BulkAction::Remove] {
            assert_eq!(authorize(&ada, &action), Ok(()));
        }
    }

    #[test]
    fn bad_requests_are_refused_whole() {
        let members = org();
        let caps = caps_of("ada", &members, false);
        let catalog = global_assignments_wire(epoch());
        let run = |action: &BulkAction, selected: Vec<String>| {
            plan("ada", &caps, &members, &catalog, action, &selected).map(|_| ())
        };
        assert_eq!(run(&BulkAction::Remove, vec![]), Err(BulkInputError::Empty));
        assert_eq!(
            run(&BulkAction::Remove, ids(&["cy", "di", "cy"])),
            Err(BulkInputError::Duplicate("cy".into()))
        );
        let too_many: Vec<String> = (0..=BULK_MEMBERS_MAX).map(|i| format!("u{i}")).collect();
        assert_eq!(
            run(&BulkAction::Remove, too_many),
            Err(BulkInputError::TooMany(BULK_MEMBERS_MAX + 1))
        );
        let nine = "00000000-0000-0000-0000-000000000009";
        assert_eq!(
            run(&add(nine), ids(&["cy"])),
            Err(BulkInputError::UnknownAssignment(nine.into()))
        );
        assert_eq!(
            run(&take(nine), ids(&["cy"])),
            Err(BulkInputError::UnknownAssignment(nine.into()))
        );
        assert_eq!(
            BulkInputError::UnknownAssignment(nine.into()).message(),
            "One or more role IDs are invalid"
        );
        assert_eq!(
            BulkInputError::TooMany(10_001).to_string(),
            "userIds may name at most 10000 members at once (got 10001)"
        );
        // The largest selection is fine.
        let most: Vec<String> = (0..BULK_MEMBERS_MAX).map(|i| format!("u{i}")).collect();
        assert_eq!(check_selection(&most), Ok(()));
    }

    #[test]
    fn a_thousand_members_plan_quickly() {
        let mut members = vec![member("ada", Owner, &[], 0)];
        members.extend((1..=10_000).map(|i| member(&format!("u{i}"), Member, &[DEVELOPER_ID], i)));
        let selected: Vec<String> = (1..=1_000).map(|i| format!("u{i}")).collect();
        let caps = caps_of("ada", &members, false);
        let plan = plan(
            "ada",
            &caps,
            &members,
            &global_assignments_wire(epoch()),
            &add(AUDITOR_ID),
            &selected,
        )
        .expect("valid");
        assert_eq!(plan.change_count(), 1_000);
        assert_eq!(plan.tally.gained, BTreeMap::from([(ReadAuditLogs, 1_000)]));
    }
}
