//! A change of a member's role or assignments, and the confirmation that
//! shows, permission by permission, what the member gains and loses
//! (`roster_core::capabilities::assignments_access_diff`) before it is
//! saved. Permissions a newer backend has and this version does not know
//! are listed by their raw names.

use std::collections::BTreeSet;

use leptos::prelude::*;
use roster_core::capabilities::assignments_access_diff;
use roster_core::wire::{OrganizationRole, OrganizationUser, UpdateOrganizationMemberAccess};
use roster_core::{AccessDiff, PermissionSet, Role};

use crate::components::ConfirmDialog;
use crate::format::member_label;

/// A proposed change of one member's access.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessChange {
    /// The member as they are now.
    pub member: OrganizationUser,
    pub role: Role,
    /// The assignments they will hold (Viewer is implied, never listed).
    pub assignments: Vec<OrganizationRole>,
}

impl AccessChange {
    /// The member's role changes; assignments stay.
    pub fn role(member: OrganizationUser, role: Role) -> Self {
        let assignments = member.assigned_roles.clone();
        AccessChange {
            member,
            role,
            assignments,
        }
    }

    /// The member's assignments become those of `ids`, looked up in
    /// `available`, else among those the member holds (ids found in
    /// neither are dropped).
    pub fn assignments(
        member: OrganizationUser,
        ids: &[String],
        available: &[OrganizationRole],
    ) -> Self {
        let assignments = ids
            .iter()
            .filter_map(|id| {
                available
                    .iter()
                    .chain(&member.assigned_roles)
                    .find(|a| a.id == *id)
                    .cloned()
            })
            .collect();
        AccessChange {
            role: member.role,
            member,
            assignments,
        }
    }

    pub fn diff(&self) -> AccessDiff {
        assignments_access_diff(
            self.member.role,
            &self.member.assigned_roles,
            self.role,
            &self.assignments,
        )
    }

    pub fn body(&self) -> UpdateOrganizationMemberAccess {
        UpdateOrganizationMemberAccess {
            role: self.role,
            assigned_role_ids: self.assignments.iter().map(|a| a.id.clone()).collect(),
        }
    }

    /// The member after the change, for when the server answers without a
    /// body.
    pub fn updated_member(&self) -> OrganizationUser {
        OrganizationUser {
            role: self.role,
            assigned_roles: self.assignments.clone(),
            ..self.member.clone()
        }
    }

    /// Names of the assignments added and removed.
    fn assignment_changes(&self) -> (Vec<String>, Vec<String>) {
        let held = |list: &[OrganizationRole], id: &str| list.iter().any(|a| a.id == id);
        let added = self
            .assignments
            .iter()
            .filter(|a| !held(&self.member.assigned_roles, &a.id))
            .map(|a| a.name.clone())
            .collect();
        let removed = self
            .member
            .assigned_roles
            .iter()
            .filter(|a| !held(&self.assignments, &a.id))
            .map(|a| a.name.clone())
            .collect();
        (added, removed)
    }

    /// How the member is named in the dialog.
    pub fn who(&self) -> String {
        member_label(&self.member)
    }
}

crate::components::split_view! {
    /// [`AccessChangeDialog`], downloaded when first needed.
    pub fn access_change_dialog(change: RwSignal<Option<AccessChange>>, on_confirm: Callback<AccessChange>) in members_extras, preload preload_access_change {
        view! { <AccessChangeDialog change=change on_confirm=on_confirm /> }
    }
}

/// The confirmation of a pending access change; `Confirm` hands it to
/// `on_confirm`, which closes the dialog (the row shows the change while it
/// is saved).
#[component]
pub fn AccessChangeDialog(
    change: RwSignal<Option<AccessChange>>,
    on_confirm: Callback<AccessChange>,
) -> impl IntoView {
    let open = Signal::derive(move || change.with(Option::is_some));
    view! {
        <ConfirmDialog
            open=open
            on_close=Callback::new(move |_| change.set(None))
            title="Change access"
            confirm_label="Confirm"
            on_confirm=Callback::new(move |_| {
                if let Some(pending) = change.get_untracked() {
                    on_confirm.run(pending);
                }
            })
        >
            {move || change.get().map(|pending| view! { <AccessChangeSummary change=pending /> })}
        </ConfirmDialog>
    }
}

/// Who changes, the role and assignments before and after, and the
/// permissions gained and lost.
#[component]
pub fn AccessChangeSummary(change: AccessChange) -> impl IntoView {
    let diff = change.diff();
    let (added, removed) = change.assignment_changes();
    let role_line = diff.role_changed().then(|| {
        view! {
            <p class="access-change-line">
                "Role: " <strong>{diff.role_before.label()}</strong> " \u{2192} "
                <strong>{diff.role_after.label()}</strong>
            </p>
        }
    });
    // An owner's assignments do not matter: only list them for members.
    let assignments_line =
        (change.role == Role::Member && (!added.is_empty() || !removed.is_empty())).then(|| {
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("adds {}", added.join(", ")));
            }
            if !removed.is_empty() {
                parts.push(format!("removes {}", removed.join(", ")));
            }
            view! { <p class="access-change-line">"Assignments: " {parts.join("; ")}</p> }
        });
    view! {
        <div class="access-change">
            <p>"Change the access of " <strong>{change.who()}</strong> "?"</p>
            {role_line}
            {assignments_line}
            <GainsAndLosses
                gained=listed(&diff.gained, &diff.gained_unknown)
                lost=listed(&diff.lost, &diff.lost_unknown)
            />
        </div>
    }
}

/// (wire name, text) of each permission: the known ones in the spec's
/// order with their labels, then the unknown ones by their raw names.
fn listed(known: &PermissionSet, unknown: &BTreeSet<String>) -> Vec<(String, String)> {
    known
        .iter()
        .map(|p| (p.as_str().to_owned(), p.label().to_owned()))
        .chain(unknown.iter().map(|name| (name.clone(), name.clone())))
        .collect()
}

/// The "Gains" and "Loses" columns of an access change, one member's or
/// many members' (each line `(key, text)`).
#[component]
pub(super) fn GainsAndLosses(
    gained: Vec<(String, String)>,
    lost: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <div class="access-diff">
            <PermissionList title="Gains" empty="No new permissions" class="access-gains" permissions=gained />
            <PermissionList title="Loses" empty="No permissions lost" class="access-losses" permissions=lost />
        </div>
    }
}

#[component]
fn PermissionList(
    title: &'static str,
    empty: &'static str,
    class: &'static str,
    permissions: Vec<(String, String)>,
) -> impl IntoView {
    let heading_id = crate::dom::unique_id("access-diff");
    let body = if permissions.is_empty() {
        view! { <p class="muted access-diff-empty">{empty}</p> }.into_any()
    } else {
        view! {
            <ul aria-labelledby=heading_id.clone()>
                {permissions
                    .into_iter()
                    .map(|(name, text)| view! { <li data-permission=name>{text}</li> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class=format!("access-diff-column {class}")>
            <h3 id=heading_id.clone()>{title}</h3>
            {body}
        </section>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use roster_core::{
        global_assignment, AUDITOR_ID, DEVELOPER_ID, SANDBOXES_ADMIN_ID, SUPER_ADMIN_ID,
    };
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    fn assignment(id: &str) -> OrganizationRole {
        global_assignment(id)
            .expect("a global assignment")
            .to_wire(chrono::DateTime::UNIX_EPOCH)
    }

    fn member(role: Role, assignments: &[&str]) -> OrganizationUser {
        OrganizationUser {
            user_id: "u-ada".into(),
            organization_id: "org".into(),
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            role,
            assigned_roles: assignments.iter().map(|id| assignment(id)).collect(),
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            last_active_at: None,
        }
    }

    /// An assignment as a newer backend may list it.
    fn custom(name: &str, permissions: &[&str]) -> OrganizationRole {
        OrganizationRole {
            id: format!("r-{name}"),
            name: name.into(),
            description: String::new(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            is_global: false,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn listed(fixture: &Fixture, column: &str) -> Vec<String> {
        fixture
            .find_all(&format!(".{column} li"))
            .iter()
            .map(|li| li.text_content().unwrap_or_default())
            .collect()
    }

    #[page_test]
    async fn shows_exactly_the_permissions_gained_and_lost() {
        let fixture = Fixture::new();
        let available = [assignment(SANDBOXES_ADMIN_ID), assignment(AUDITOR_ID)];
        // Developer (write:sandboxes) → Sandboxes Admin + Auditor.
        let change = AccessChange::assignments(
            member(Role::Member, &[DEVELOPER_ID]),
            &[SANDBOXES_ADMIN_ID.to_owned(), AUDITOR_ID.to_owned()],
            &available,
        );
        let _handle = fixture.mount(move || view! { <AccessChangeSummary change=change /> });
        settle().await;
        assert_eq!(
            listed(&fixture, "access-gains"),
            ["Delete sandboxes", "Read audit logs"]
        );
        assert!(listed(&fixture, "access-losses").is_empty());
        assert!(fixture
            .find(".access-losses")
            .text_content()
            .unwrap()
            .contains("No permissions lost"));
        let text = fixture.container.text_content().unwrap();
        assert!(text.contains("Ada Lovelace (ada@example.com)"), "{text}");
        assert!(
            text.contains("adds Sandboxes Admin, Auditor; removes Developer"),
            "{text}"
        );
    }

    #[page_test]
    async fn losing_an_assignment_and_demoting_list_the_losses() {
        let fixture = Fixture::new();
        // Developer → Auditor: gains read:audit_logs, loses write:sandboxes.
        let swap = AccessChange::assignments(
            member(Role::Member, &[DEVELOPER_ID]),
            &[AUDITOR_ID.to_owned()],
            &[assignment(DEVELOPER_ID), assignment(AUDITOR_ID)],
        );
        let _swap = fixture.mount(move || view! { <AccessChangeSummary change=swap /> });
        settle().await;
        assert_eq!(listed(&fixture, "access-gains"), ["Read audit logs"]);
        assert_eq!(listed(&fixture, "access-losses"), ["Write sandboxes"]);

        // Owner → Member keeping Auditor: loses all but read:audit_logs.
        let fixture = Fixture::new();
        let demote = AccessChange::role(member(Role::Owner, &[AUDITOR_ID]), Role::Member);
        assert_eq!(demote.body().assigned_role_ids, [AUDITOR_ID]);
        let _demote = fixture.mount(move || view! { <AccessChangeSummary change=demote /> });
        settle().await;
        assert!(listed(&fixture, "access-gains").is_empty());
        let losses = listed(&fixture, "access-losses");
        assert_eq!(losses.len(), 20);
        assert!(!losses.contains(&"Read audit logs".to_owned()));
        assert!(losses.contains(&"Manage billing".to_owned()), "{losses:?}");
        assert!(fixture
            .container
            .text_content()
            .unwrap()
            .contains("Role: Owner \u{2192} Member"));
    }

    #[page_test]
    async fn the_permissions_of_daytona_v0_205_are_listed() {
        let fixture = Fixture::new();
        // Developer → Super Admin: the twenty other permissions.
        let change = AccessChange::assignments(
            member(Role::Member, &[DEVELOPER_ID]),
            &[SUPER_ADMIN_ID.to_owned()],
            &[assignment(SUPER_ADMIN_ID)],
        );
        let _handle = fixture.mount(move || view! { <AccessChangeSummary change=change /> });
        settle().await;
        let gains = listed(&fixture, "access-gains");
        assert_eq!(gains.len(), 20, "{gains:?}");
        for new in [
            "Manage API keys",
            "Manage secrets",
            "Read limits",
            "Manage single sign-on",
            "Read billing",
            "Manage billing",
        ] {
            assert!(gains.contains(&new.to_owned()), "{new} missing: {gains:?}");
        }
        assert!(listed(&fixture, "access-losses").is_empty());
    }

    #[page_test]
    async fn permissions_this_version_does_not_know_are_listed_by_name() {
        let gpus = custom("GPU operators", &["write:gpus", "write:sandboxes"]);
        let quantum = custom("Quantum", &["read:quantum"]);
        let fixture = Fixture::new();
        // Developer → GPU operators: write:gpus is gained, nothing known.
        let gain = AccessChange::assignments(
            member(Role::Member, &[DEVELOPER_ID]),
            std::slice::from_ref(&gpus.id),
            std::slice::from_ref(&gpus),
        );
        let _gain = fixture.mount(move || view! { <AccessChangeSummary change=gain /> });
        settle().await;
        assert_eq!(listed(&fixture, "access-gains"), ["write:gpus"]);
        assert_eq!(
            fixture
                .find(".access-gains li")
                .get_attribute("data-permission")
                .as_deref(),
            Some("write:gpus")
        );
        assert!(listed(&fixture, "access-losses").is_empty());

        // GPU operators → Quantum: one unknown lost, another gained.
        let fixture = Fixture::new();
        let mut holder = member(Role::Member, &[]);
        holder.assigned_roles = vec![gpus];
        let swap = AccessChange::assignments(
            holder,
            std::slice::from_ref(&quantum.id),
            std::slice::from_ref(&quantum),
        );
        assert!(!swap.diff().is_empty());
        let _swap = fixture.mount(move || view! { <AccessChangeSummary change=swap /> });
        settle().await;
        assert_eq!(listed(&fixture, "access-gains"), ["read:quantum"]);
        assert_eq!(
            listed(&fixture, "access-losses"),
            ["Write sandboxes", "write:gpus"]
        );
    }
}
