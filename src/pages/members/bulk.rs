//! One action on many selected members (issue 19): the confirmation shows
//! `roster_core::bulk::plan`'s verdict before anything is sent — the
//! combined gains and losses permission by permission, who will be
//! refused and why, who is already as asked — then the progress, then
//! what became of each member. The table follows in place.

use std::collections::HashMap;

use leptos::html;
use leptos::prelude::*;
use roster_core::bulk::{self, BulkPlan, BulkRefusal, MemberChange, PermissionTally, Unchanged};
use roster_core::wire::{
    BulkAction, BulkMembersRequest, BulkMembersResponse, BulkMode, BulkStatus, OrganizationRole,
    OrganizationUser,
};
use roster_core::{Capabilities, Refusal, Role};

use super::access_change::GainsAndLosses;
use super::assignment_picker::AssignmentList;
use crate::api;
use crate::api::members::BulkProgress;
use crate::components::{thousands, Button, ButtonVariant, Dialog};
use crate::format::member_label;
use crate::state::{use_current_organization, use_toasts, MemberStore, Members};

/// How many names a group of refused or unchanged members lists before
/// "and N more".
const NAMES_SHOWN: usize = 5;

/// What the selection bar asks for: an action on these members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkRequest {
    pub action: BulkAction,
    pub user_ids: Vec<String>,
}

/// What the dialog needs from its page.
#[derive(Clone, Copy)]
pub struct BulkSources {
    pub organization_id: StoredValue<String>,
    /// The signed-in user's id.
    pub me: Signal<Option<String>>,
    pub capabilities: Signal<Option<Capabilities>>,
    /// Every member of the organization (`None` while they load).
    pub members: Signal<Option<Members>>,
    pub assignments: Signal<AssignmentList>,
    /// The table's rows, updated in place with what was applied.
    pub store: MemberStore,
    /// The ids of the members changed or removed (to leave the selection).
    pub on_done: Callback<Vec<String>>,
}

crate::components::split_view! {
    /// [`BulkDialog`], downloaded when first opened.
    pub fn bulk_dialog(request: RwSignal<Option<BulkRequest>>, sources: BulkSources) in members_extras, preload preload_bulk {
        view! { <BulkDialog request=request sources=sources /> }
    }
}

/// What was applied, for the organization's loaded member list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Applied {
    pub updated: Vec<OrganizationUser>,
    pub removed: Vec<String>,
    /// The server refused or failed members the plan expected to change:
    /// the page knew something wrong, and reads the list again.
    pub unexpected: bool,
}

/// The bulk dialog of the current organization: [`BulkChangeDialog`],
/// whose applied changes also go to the organization's member list (so
/// the owner count, and with it what the user may do, follows).
#[component]
pub fn BulkDialog(request: RwSignal<Option<BulkRequest>>, sources: BulkSources) -> impl IntoView {
    let current = use_current_organization();
    let organization_name = Signal::derive(move || current.name().unwrap_or_default());
    let on_applied = Callback::new(move |applied: Applied| {
        let organization_id = sources.organization_id.get_value();
        current.edit_members(&organization_id, |list| {
            let mut updated: HashMap<String, OrganizationUser> = applied
                .updated
                .into_iter()
                .map(|m| (m.user_id.clone(), m))
                .collect();
            list.retain(|m| !applied.removed.contains(&m.user_id));
            for member in list.iter_mut() {
                if let Some(now) = updated.remove(&member.user_id) {
                    *member = now;
                }
            }
        });
        if applied.unexpected {
            current.refetch();
        }
    });
    view! {
        <BulkChangeDialog
            request=request
            sources=sources
            organization_name=organization_name
            on_applied=on_applied
        />
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Confirm,
    /// Sent; the dialog may be closed meanwhile (the changes go on).
    Sending {
        removing: bool,
    },
    Done(Finished),
}

/// The confirmation's verdict on a request.
#[derive(Clone, Debug, PartialEq)]
enum Verdict {
    /// The members or assignments are still loading.
    Waiting,
    /// Nothing can be sent: why.
    Refused(String),
    Planned(BulkPlan),
}

/// The dialog itself, for any organization: `on_applied` hears what the
/// server applied once the table shows it.
#[component]
pub fn BulkChangeDialog(
    request: RwSignal<Option<BulkRequest>>,
    sources: BulkSources,
    #[prop(into)] organization_name: Signal<String>,
    on_applied: Callback<Applied>,
) -> impl IntoView {
    let toasts = use_toasts();
    let phase = RwSignal::new(Phase::Confirm);
    let progress = RwSignal::new(BulkProgress::default());
    // The title of the change being sent or shown: the request may be
    // gone (closed) or another one by then.
    let job_title = RwSignal::new(String::new());

    let verdict = Memo::new(move |_| {
        request.with(|request| {
            let request = request.as_ref()?;
            Some(verdict_of(request, sources))
        })
    });
    let title = Signal::derive(move || match phase.get() {
        Phase::Confirm => request.with(|r| {
            r.as_ref()
                .map(|r| {
                    title_of(
                        r,
                        &assignment_name(sources, &r.action),
                        &organization_name.get(),
                    )
                })
                .unwrap_or_default()
        }),
        Phase::Sending { .. } | Phase::Done(_) => job_title.get(),
    });
    let open = Signal::derive(move || request.with(Option::is_some));
    let close = Callback::new(move |()| {
        request.set(None);
        if matches!(phase.get_untracked(), Phase::Done(_)) {
            phase.set(Phase::Confirm);
        }
    });

    // Under this component (which stays while the page does): the changes
    // go on when the dialog is closed, and stop when the page is left.
    let owner = Owner::current();
    let confirm = Callback::new(move |()| {
        if phase.get_untracked() != Phase::Confirm {
            return;
        }
        let (Some(request_now), Some(Verdict::Planned(plan))) =
            (request.get_untracked(), verdict.get_untracked())
        else {
            return;
        };
        if plan.change_count() == 0 {
            return;
        }
        job_title.set(title.get_untracked());
        progress.set(BulkProgress {
            done: 0,
            total: plan.change_count(),
            one_by_one: false,
        });
        phase.set(Phase::Sending {
            removing: matches!(request_now.action, BulkAction::Remove),
        });
        let organization_id = sources.organization_id.get_value();
        let members = sources.members.get_untracked();
        let assignments = sources.assignments.with_untracked(|a| match a {
            Some(Ok(list)) => list.clone(),
            _ => Vec::new(),
        });
        let send = async move {
            let body = BulkMembersRequest {
                action: request_now.action.clone(),
                user_ids: request_now.user_ids.clone(),
                mode: BulkMode::PerMember,
            };
            let outcome = api::members::bulk_members(&organization_id, &body, &plan, |now| {
                progress.try_set(now);
            })
            .await;
            let index: HashMap<&str, &OrganizationUser> = members
                .as_deref()
                .map(|list| list.iter().map(|m| (m.user_id.as_str(), m)).collect())
                .unwrap_or_default();
            let known = |id: &str| index.get(id).copied();
            let finished = match outcome {
                Ok(outcome) => {
                    let applied = applied_of(
                        &body.action,
                        &plan,
                        &outcome.response,
                        |id| known(id).cloned(),
                        &assignments,
                    );
                    let ids: Vec<String> = applied
                        .updated
                        .iter()
                        .map(|m| m.user_id.clone())
                        .chain(applied.removed.iter().cloned())
                        .collect();
                    sources
                        .store
                        .apply_many(applied.updated.clone(), &applied.removed);
                    on_applied.try_run(applied);
                    sources.on_done.try_run(ids);
                    Finished::of(&body.action, &outcome.response, |id| {
                        known(id).map_or_else(|| id.to_owned(), member_label)
                    })
                }
                Err(error) if error.is_aborted() => return,
                Err(error) => Finished::failed(error.message()),
            };
            if request.try_with_untracked(Option::is_some) == Some(true) {
                phase.try_set(Phase::Done(finished));
            } else {
                // Closed meanwhile: the outcome is told in a toast.
                phase.try_set(Phase::Confirm);
                match finished.error {
                    Some(error) => toasts.failure(format!("Nothing was changed: {error}")),
                    None if finished.failed.is_empty() => toasts.success(finished.summary),
                    None => toasts.warning(finished.summary),
                }
            }
        };
        match &owner {
            Some(owner) => owner.with(|| leptos::task::spawn_local_scoped(send)),
            None => leptos::task::spawn_local_scoped(send),
        }
    });

    let destructive = Memo::new(move |_| {
        request.with(|r| {
            r.as_ref()
                .is_some_and(|r| matches!(r.action, BulkAction::Remove))
        })
    });
    // Removing members is confirmed in an alert dialog.
    move || {
        let alert = destructive.get();
        let content = move || match phase.get() {
            Phase::Confirm => view! {
                <BulkConfirmation
                    request=request
                    verdict=verdict
                    sources=sources
                    destructive=destructive
                    on_cancel=close
                    on_confirm=confirm
                />
            }
            .into_any(),
            Phase::Sending { removing } => {
                view! { <BulkSending progress=progress removing=removing on_close=close /> }
                    .into_any()
            }
            Phase::Done(finished) => {
                view! { <BulkResults finished=finished on_close=close /> }.into_any()
            }
        };
        view! {
            <Dialog open=open on_close=close title=title alert=alert class="dialog-wide bulk-dialog">
                {content}
            </Dialog>
        }
    }
}

/// What the plan says about `request`, or why nothing can be sent.
fn verdict_of(request: &BulkRequest, sources: BulkSources) -> Verdict {
    let (Some(caps), Some(me)) = (sources.capabilities.get(), sources.me.get()) else {
        return Verdict::Waiting;
    };
    if let Err(refusal) = bulk::authorize(&caps, &request.action) {
        return Verdict::Refused(refusal.explanation());
    }
    let needs_assignments = matches!(
        request.action,
        BulkAction::AddAssignment { .. } | BulkAction::RemoveAssignment { .. }
    );
    let assignments = sources.assignments.with(|a| match a {
        Some(Ok(list)) => Ok(Some(list.clone())),
        Some(Err(error)) if needs_assignments => Err(error.clone()),
        _ if needs_assignments => Ok(None),
        _ => Ok(Some(Vec::new())),
    });
    let assignments = match assignments {
        Ok(Some(list)) => list,
        Ok(None) => return Verdict::Waiting,
        Err(error) => return Verdict::Refused(format!("Could not load the assignments: {error}")),
    };
    sources.members.with(|members| match members {
        None => Verdict::Waiting,
        Some(members) => match bulk::plan(
            &me,
            &caps,
            members,
            &assignments,
            &request.action,
            &request.user_ids,
        ) {
            Ok(plan) => Verdict::Planned(plan),
            Err(error) => Verdict::Refused(error.message()),
        },
    })
}

/// The name of the assignment `action` adds or removes (its id when it is
/// not among the organization's).
fn assignment_name(sources: BulkSources, action: &BulkAction) -> String {
    let (BulkAction::AddAssignment { assignment_id }
    | BulkAction::RemoveAssignment { assignment_id }) = action
    else {
        return String::new();
    };
    sources.assignments.with(|a| {
        a.as_ref()
            .and_then(|list| list.as_ref().ok())
            .and_then(|list| list.iter().find(|a| a.id == *assignment_id))
            .map_or_else(|| assignment_id.clone(), |a| a.name.clone())
    })
}

/// "12 members", "1 member".
fn members_count(n: usize) -> String {
    if n == 1 {
        "1 member".to_owned()
    } else {
        format!("{} members", thousands(n))
    }
}

/// "Change role of 1,000 members to Owner", "Add “Developer” to 37
/// members", "Remove 12 members from Initech".
fn title_of(request: &BulkRequest, assignment: &str, organization: &str) -> String {
    let who = members_count(request.user_ids.len());
    match &request.action {
        BulkAction::ChangeRole { role } => format!("Change role of {who} to {}", role.label()),
        BulkAction::AddAssignment { .. } => format!("Add \u{201c}{assignment}\u{201d} to {who}"),
        BulkAction::RemoveAssignment { .. } => {
            format!("Remove \u{201c}{assignment}\u{201d} from {who}")
        }
        BulkAction::Remove if organization.is_empty() => format!("Remove {who}"),
        BulkAction::Remove => format!("Remove {who} from {organization}"),
    }
}

fn confirm_label(action: &BulkAction) -> &'static str {
    match action {
        BulkAction::ChangeRole { .. } => "Change role",
        BulkAction::AddAssignment { .. } => "Add assignment",
        BulkAction::RemoveAssignment { .. } => "Remove assignment",
        BulkAction::Remove => "Remove members",
    }
}

/// Why the action does what it does to access, where it is not plain.
fn action_note(action: &BulkAction) -> Option<&'static str> {
    match action {
        BulkAction::ChangeRole { role: Role::Owner } => {
            Some("Owners hold every permission: promoted members' assignments are dropped.")
        }
        BulkAction::ChangeRole { role: Role::Member } => {
            Some("Demoted owners become members with no assignments (Viewer).")
        }
        BulkAction::Remove => Some("They lose access at once; you can invite them again later."),
        BulkAction::AddAssignment { .. } | BulkAction::RemoveAssignment { .. } => None,
    }
}

/// The heading of a group of refused members.
fn refusal_group(refusal: BulkRefusal) -> &'static str {
    match refusal {
        BulkRefusal::Rule(Refusal::OwnAccess | Refusal::RemoveSelf) => "Your own row",
        BulkRefusal::Rule(Refusal::LastOwner) => "The last owner",
        BulkRefusal::Rule(Refusal::PersonalOrganization(_)) => "A personal organization",
        BulkRefusal::NotMember => "No longer members",
        BulkRefusal::Rule(_) => "Not allowed",
    }
}

/// Members who share a reason: a heading, what it means, the first few
/// of them by name, and how many there are.
#[derive(Clone, Debug, PartialEq)]
struct Group {
    heading: String,
    explanation: String,
    names: Vec<String>,
    count: usize,
}

/// Ids grouped by `key`, the groups in the order their first member came.
fn grouped<'a, K: PartialEq>(items: impl Iterator<Item = (K, &'a str)>) -> Vec<(K, Vec<&'a str>)> {
    let mut groups: Vec<(K, Vec<&str>)> = Vec::new();
    for (key, id) in items {
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, ids)) => ids.push(id),
            None => groups.push((key, vec![id])),
        }
    }
    groups
}

/// The refused and the unchanged members of `plan`, grouped by why; `who`
/// names a member (asked only of those shown).
fn plan_groups(plan: &BulkPlan, who: impl Fn(&str) -> String) -> (Vec<Group>, Vec<Group>) {
    let group = |heading: String, explanation: String, ids: Vec<&str>| Group {
        heading,
        explanation,
        names: ids.iter().take(NAMES_SHOWN).map(|id| who(id)).collect(),
        count: ids.len(),
    };
    let refused = grouped(plan.refusals().map(|(id, r)| (r, id)))
        .into_iter()
        .map(|(r, ids)| group(refusal_group(r).to_owned(), r.explanation(), ids))
        .collect();
    let unchanged = grouped(plan.members.iter().filter_map(|m| match &m.outcome {
        bulk::PlannedOutcome::Unchanged(u) => Some((*u, m.user_id.as_str())),
        _ => None,
    }))
    .into_iter()
    .map(|(u, ids): (Unchanged, _)| group(u.message(), String::new(), ids))
    .collect();
    (refused, unchanged)
}

/// "Ada, Bob, Cy, Di, Ed and 3 more".
fn names_preview(group: &Group) -> String {
    let shown = group.names.join(", ");
    match group.count.saturating_sub(group.names.len()) {
        0 => shown,
        more => format!("{shown} and {} more", thousands(more)),
    }
}

/// (wire name, "Write sandboxes — 37 members") of each permission of a
/// tally column: the known ones in the spec's order, then unknown ones by
/// their raw names.
fn tally_lines(
    known: &std::collections::BTreeMap<roster_core::Permission, usize>,
    unknown: &std::collections::BTreeMap<String, usize>,
) -> Vec<(String, String)> {
    known
        .iter()
        .map(|(p, n)| (p.as_str().to_owned(), p.label().to_owned(), *n))
        .chain(
            unknown
                .iter()
                .map(|(name, n)| (name.clone(), name.clone(), *n)),
        )
        .map(|(name, label, n)| (name, format!("{label} \u{2014} {}", members_count(n))))
        .collect()
}

#[component]
fn BulkConfirmation(
    request: RwSignal<Option<BulkRequest>>,
    verdict: Memo<Option<Verdict>>,
    sources: BulkSources,
    destructive: Memo<bool>,
    on_cancel: Callback<()>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let sendable = Signal::derive(move || {
        verdict.with(|v| matches!(v, Some(Verdict::Planned(plan)) if plan.change_count() > 0))
    });
    let label =
        move || request.with(|r| r.as_ref().map(|r| confirm_label(&r.action)).unwrap_or(""));
    let body = move || {
        let action = request.with(|r| r.as_ref().map(|r| r.action.clone()));
        match (verdict.get(), action) {
            (Some(Verdict::Planned(plan)), Some(action)) => {
                let (refused, unchanged) = sources.members.with_untracked(|members| {
                    let list = members.as_deref().map_or(&[][..], Vec::as_slice);
                    plan_groups(&plan, |id| {
                        list.iter()
                            .find(|m| m.user_id == id)
                            .map_or_else(|| id.to_owned(), member_label)
                    })
                });
                view! {
                    <PlanSummary plan=plan action=action refused=refused unchanged=unchanged />
                }
                .into_any()
            }
            (Some(Verdict::Refused(why)), _) => {
                view! { <p class="bulk-refused-whole">{why}</p> }.into_any()
            }
            _ => view! { <p class="muted">"Loading the members\u{2026}"</p> }.into_any(),
        }
    };
    view! {
        <form
            class="confirm-form"
            on:submit=move |event| {
                event.prevent_default();
                on_confirm.run(());
            }
        >
            <div class="dialog-body bulk-body">{body}</div>
            <div class="dialog-footer">
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-autofocus=move || destructive.get().then_some("")
                    on:click=move |_| on_cancel.run(())
                >
                    "Cancel"
                </button>
                <Button
                    variant=if destructive.get_untracked() { ButtonVariant::Danger } else { ButtonVariant::Primary }
                    submit=true
                    disabled=Signal::derive(move || !sendable.get())
                    {..}
                    data-confirm=""
                >
                    {label}
                </Button>
            </div>
        </form>
    }
}

/// The plan of a confirmation: how many change, the gains and losses, the
/// refused and the unchanged members.
#[component]
fn PlanSummary(
    plan: BulkPlan,
    action: BulkAction,
    refused: Vec<Group>,
    unchanged: Vec<Group>,
) -> impl IntoView {
    let (changes, refused_count, unchanged_count) = (
        plan.change_count(),
        plan.refused_count(),
        plan.unchanged_count(),
    );
    let mut counts = vec![format!("{} will change", thousands(changes))];
    if refused_count > 0 {
        counts.push(format!("{} will be refused", thousands(refused_count)));
    }
    if unchanged_count > 0 {
        counts.push(format!("{} already as asked", thousands(unchanged_count)));
    }
    let summary = format!(
        "{} selected: {}.",
        members_count(plan.members.len()),
        counts.join(", ")
    );
    let nothing = (changes == 0).then(|| {
        view! { <p class="bulk-nothing">"Nothing would change: there is nothing to send."</p> }
    });
    let diff = (changes > 0).then(|| view! { <TallyColumns tally=plan.tally.clone() /> });
    view! {
        <p class="bulk-summary">{summary}</p>
        {nothing}
        {(changes > 0).then(|| action_note(&action).map(|note| view! { <p class="muted">{note}</p> }))}
        {diff}
        <MemberGroups title="Refused before sending" class="bulk-refusals" groups=refused />
        <MemberGroups title="Unchanged" class="bulk-unchanged" groups=unchanged />
    }
}

/// The combined gains and losses: each permission and how many members.
#[component]
fn TallyColumns(tally: PermissionTally) -> impl IntoView {
    view! {
        <GainsAndLosses
            gained=tally_lines(&tally.gained, &tally.gained_unknown)
            lost=tally_lines(&tally.lost, &tally.lost_unknown)
        />
    }
}

/// Members grouped by why: a heading per group, the first names, how many
/// more. Nothing when there are none.
#[component]
fn MemberGroups(title: &'static str, class: &'static str, groups: Vec<Group>) -> impl IntoView {
    if groups.is_empty() {
        return ().into_any();
    }
    let heading_id = crate::dom::unique_id("bulk-group");
    let total: usize = groups.iter().map(|g| g.count).sum();
    view! {
        <section class=format!("bulk-groups {class}") aria-labelledby=heading_id.clone()>
            <h3 id=heading_id.clone()>{format!("{title} ({})", thousands(total))}</h3>
            <ul>
                {groups
                    .into_iter()
                    .map(|group| {
                        let names = names_preview(&group);
                        let explanation = (!group.explanation.is_empty())
                            .then(|| view! { <span class="muted">" \u{2014} " {group.explanation}</span> });
                        view! {
                            <li>
                                <strong>{format!("{} ({})", group.heading, thousands(group.count))}</strong>
                                {explanation}
                                <p class="bulk-names">{names}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn BulkSending(
    progress: RwSignal<BulkProgress>,
    /// Members are removed rather than changed.
    removing: bool,
    on_close: Callback<()>,
) -> impl IntoView {
    let verb = if removing { "Removing" } else { "Changing" };
    let text = move || {
        let BulkProgress {
            done,
            total,
            one_by_one,
        } = progress.get();
        if one_by_one {
            format!("{verb} {} of {}\u{2026}", thousands(done), thousands(total))
        } else {
            format!("{verb} {}\u{2026}", members_count(total))
        }
    };
    let percent = move || {
        let p = progress.get();
        (p.one_by_one && p.total > 0).then(|| (p.done * 100 / p.total).to_string())
    };
    let close_ref = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = close_ref.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="dialog-body bulk-body">
            <p class="bulk-progress-text">{text}</p>
            <div
                class="bulk-bar"
                role="progressbar"
                aria-label="Progress"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=percent
                aria-valuetext=text
            >
                <div
                    class="bulk-bar-fill"
                    class:indeterminate=move || percent().is_none()
                    style:width=move || percent().map(|p| format!("{p}%"))
                ></div>
            </div>
            <p class="muted">"The changes go on if you close this dialog."</p>
        </div>
        <div class="dialog-footer">
            <button type="button" class="btn btn-secondary" node_ref=close_ref on:click=move |_| on_close.run(())>
                "Close"
            </button>
        </div>
    }
}

/// What became of a bulk change, as the result view shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Finished {
    /// "Changed 997 members. 2 failed, 1 refused."
    pub summary: String,
    /// (who, the server's message) of each member that failed.
    pub failed: Vec<(String, String)>,
    pub refused: Vec<(String, String)>,
    /// The whole request failed: nothing was changed.
    pub error: Option<String>,
}

impl Finished {
    fn of(
        action: &BulkAction,
        response: &BulkMembersResponse,
        who: impl Fn(&str) -> String,
    ) -> Self {
        let verb = match action {
            BulkAction::Remove => "Removed",
            _ => "Changed",
        };
        let mut summary = format!("{verb} {}.", members_count(response.applied));
        let others: Vec<String> = [
            (response.failed, "failed"),
            (response.refused, "refused"),
            (response.unchanged, "unchanged"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{} {what}", thousands(n)))
        .collect();
        if !others.is_empty() {
            summary.push_str(&format!(" {}.", others.join(", ")));
        }
        let lines = |status| {
            response
                .results
                .iter()
                .filter(|r| r.status == status)
                .map(|r| (who(&r.user_id), r.message.clone().unwrap_or_default()))
                .collect()
        };
        Finished {
            summary,
            failed: lines(BulkStatus::Failed),
            refused: lines(BulkStatus::Refused),
            error: None,
        }
    }

    fn failed(message: &str) -> Self {
        Finished {
            summary: format!("Nothing was changed: {message}"),
            error: Some(message.to_owned()),
            ..Finished::default()
        }
    }
}

#[component]
fn BulkResults(finished: Finished, on_close: Callback<()>) -> impl IntoView {
    let close_ref = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = close_ref.get() {
            let _ = button.focus();
        }
    });
    let whole_failure = finished.error.is_some();
    view! {
        <div class="dialog-body bulk-body">
            <p class="bulk-outcome" class:bulk-outcome-failed=whole_failure role="status">
                {finished.summary}
            </p>
            <ResultList title="Failed" class="bulk-failed" lines=finished.failed />
            <ResultList title="Refused" class="bulk-refusals" lines=finished.refused />
        </div>
        <div class="dialog-footer">
            <button type="button" class="btn btn-primary" node_ref=close_ref data-autofocus="" on:click=move |_| on_close.run(())>
                "Close"
            </button>
        </div>
    }
}

#[component]
fn ResultList(
    title: &'static str,
    class: &'static str,
    lines: Vec<(String, String)>,
) -> impl IntoView {
    if lines.is_empty() {
        return ().into_any();
    }
    let heading_id = crate::dom::unique_id("bulk-result");
    view! {
        <section class=format!("bulk-groups {class}") aria-labelledby=heading_id.clone()>
            <h3 id=heading_id.clone()>{format!("{title} ({})", thousands(lines.len()))}</h3>
            // Scrolls when long: focusable, so keyboards can scroll it.
            <ul class="bulk-result-list" tabindex="0" aria-labelledby=heading_id.clone()>
                {lines
                    .into_iter()
                    .map(|(who, message)| view! {
                        <li><span class="bulk-who">{who}</span> " \u{2014} " <span class="bulk-message">{message}</span></li>
                    })
                    .collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

/// The members the server applied `action` to, as they are now: as the
/// server sent them, else as the plan made them (`before` finds them as
/// they were; assignment ids are named from `assignments` or what they
/// held).
fn applied_of(
    action: &BulkAction,
    plan: &BulkPlan,
    response: &BulkMembersResponse,
    before: impl Fn(&str) -> Option<OrganizationUser>,
    assignments: &[OrganizationRole],
) -> Applied {
    let planned: HashMap<&str, &MemberChange> =
        plan.changes().map(|(id, c)| (id, &c.change)).collect();
    let mut applied = Applied::default();
    for result in &response.results {
        let expected = planned.contains_key(result.user_id.as_str());
        if expected && matches!(result.status, BulkStatus::Refused | BulkStatus::Failed) {
            applied.unexpected = true;
        }
        if result.status != BulkStatus::Applied {
            continue;
        }
        if matches!(action, BulkAction::Remove) {
            applied.removed.push(result.user_id.clone());
            continue;
        }
        let now = result.member.clone().or_else(|| {
            let was = before(&result.user_id)?;
            let Some(MemberChange::Access {
                role,
                assignment_ids,
            }) = planned.get(result.user_id.as_str())
            else {
                return None;
            };
            let assigned_roles = assignment_ids
                .iter()
                .filter_map(|id| {
                    assignments
                        .iter()
                        .chain(&was.assigned_roles)
                        .find(|a| a.id == *id)
                        .cloned()
                })
                .collect();
            Some(OrganizationUser {
                role: *role,
                assigned_roles,
                ..was
            })
        });
        match now {
            Some(member) => applied.updated.push(member),
            // Applied, but the page cannot tell how they are now.
            None => applied.unexpected = true,
        }
    }
    applied
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::testing::browser::*;
    use crate::testing::fixtures::member;
    use roster_core::wire::BulkMemberResult;
    use roster_core::{global_assignment, Membership, PermissionSet, AUDITOR_ID, DEVELOPER_ID};
    use roster_test_macros::page_test;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    fn assignment(id: &str) -> OrganizationRole {
        global_assignment(id)
            .expect("a global assignment")
            .to_wire(chrono::DateTime::UNIX_EPOCH)
    }

    /// Member 0 (the caller) and 1 and 5 are owners; 2 and 3 hold
    /// Developer, 4 Auditor.
    fn organization() -> Vec<OrganizationUser> {
        (0..=5)
            .map(|n| {
                let mut m = member(n, Role::Member);
                match n {
                    0 | 1 | 5 => m.role = Role::Owner,
                    2 | 3 => m.assigned_roles = vec![assignment(DEVELOPER_ID)],
                    _ => m.assigned_roles = vec![assignment(AUDITOR_ID)],
                }
                m
            })
            .collect()
    }

    struct Mounted {
        request: RwSignal<Option<BulkRequest>>,
        store: MemberStore,
        done: RwSignal<Vec<String>>,
        applied: RwSignal<Option<Applied>>,
        _handle: Box<dyn std::any::Any>,
    }

    /// The dialog over `organization()`, as its caller sees it: with an
    /// owner count of two (one owner joined since it was read).
    fn mount(fixture: &Fixture) -> Mounted {
        let members = organization();
        let store = MemberStore::new();
        store.replace_all(&members);
        let caps = Capabilities::of(&Membership::from_permissions(
            Role::Owner,
            PermissionSet::new(),
            false,
            2,
        ));
        let request = RwSignal::new(None::<BulkRequest>);
        let done = RwSignal::new(Vec::new());
        let applied = RwSignal::new(None);
        let sources = BulkSources {
            organization_id: StoredValue::new("org".to_owned()),
            me: Signal::derive(|| Some("u000".to_owned())),
            capabilities: Signal::derive(move || Some(caps.clone())),
            members: Signal::derive(move || Some(Arc::new(members.clone()))),
            assignments: Signal::derive(|| {
                Some(Ok(roster_core::global_assignments_wire(
                    chrono::DateTime::UNIX_EPOCH,
                )))
            }),
            store,
            on_done: Callback::new(move |ids| done.set(ids)),
        };
        let handle = fixture.mount(move || {
            view! {
                <BulkChangeDialog
                    request=request
                    sources=sources
                    organization_name="Initech"
                    on_applied=Callback::new(move |a| applied.set(Some(a)))
                />
            }
        });
        Mounted {
            request,
            store,
            done,
            applied,
            _handle: Box::new(handle),
        }
    }

    fn ask(mounted: &Mounted, action: BulkAction, members: &[usize]) {
        mounted.request.set(Some(BulkRequest {
            action,
            user_ids: members.iter().map(|n| format!("u{n:03}")).collect(),
        }));
    }

    fn text(fixture: &Fixture, selector: &str) -> String {
        fixture.find(selector).text_content().unwrap_or_default()
    }

    fn listed(fixture: &Fixture, selector: &str) -> Vec<String> {
        fixture
            .find_all(selector)
            .iter()
            .map(|e| e.text_content().unwrap_or_default())
            .collect()
    }

    fn confirm_disabled(fixture: &Fixture) -> bool {
        fixture.find("[data-confirm]").has_attribute("disabled")
    }

    #[page_test]
    async fn the_confirmation_shows_gains_losses_refusals_and_no_ops() {
        let fixture = Fixture::new();
        let mounted = mount(&fixture);

        // Auditor for the caller, two Developers, the Auditor and an owner.
        ask(
            &mounted,
            BulkAction::AddAssignment {
                assignment_id: AUDITOR_ID.into(),
            },
            &[0, 2, 3, 4, 1],
        );
        settle().await;
        assert_eq!(
            text(&fixture, ".dialog-title"),
            "Add \u{201c}Auditor\u{201d} to 5 members"
        );
        assert_eq!(
            text(&fixture, ".bulk-summary"),
            "5 members selected: 2 will change, 1 will be refused, 2 already as asked."
        );
        assert_eq!(
            listed(&fixture, ".access-gains li"),
            ["Read audit logs \u{2014} 2 members"]
        );
        assert!(listed(&fixture, ".access-losses li").is_empty());
        assert_eq!(
            listed(&fixture, ".bulk-refusals > ul > li"),
            ["Your own row (1) \u{2014} You cannot update your own accessMember 000 (member000@example.com)"]
        );
        assert_eq!(
            listed(&fixture, ".bulk-unchanged > ul > li"),
            [
                "Already holds this assignment (1)Member 004 (member004@example.com)",
                "Owners hold every permission and keep no assignments (1)Member 001 (member001@example.com)",
            ]
        );
        assert!(!confirm_disabled(&fixture));
        assert_eq!(text(&fixture, "[data-confirm]"), "Add assignment");
        assert_eq!(focused_text(), "Cancel", "focus starts on the first button");

        // Demoting two owners of what the caller counts as two: the one
        // who joined first stays; Member 002 is a member already.
        mounted.request.set(None);
        settle().await;
        ask(
            &mounted,
            BulkAction::ChangeRole { role: Role::Member },
            &[1, 5, 2],
        );
        settle().await;
        assert_eq!(
            text(&fixture, ".dialog-title"),
            "Change role of 3 members to Member"
        );
        let losses = listed(&fixture, ".access-losses li");
        assert_eq!(losses.len(), 21, "{losses:?}");
        assert!(losses.contains(&"Write sandboxes \u{2014} 1 member".to_owned()));
        assert!(listed(&fixture, ".access-gains li").is_empty());
        assert_eq!(
            text(&fixture, ".bulk-refusals h3"),
            "Refused before sending (1)"
        );
        assert!(text(&fixture, ".bulk-refusals li").starts_with(
            "The last owner (1) \u{2014} The organization must have at least one ownerMember 001"
        ));

        // Only one's own row: nothing to send.
        mounted.request.set(None);
        settle().await;
        ask(&mounted, BulkAction::Remove, &[0]);
        settle().await;
        assert_eq!(
            text(&fixture, ".dialog-title"),
            "Remove 1 member from Initech"
        );
        assert!(fixture.exists("[role=\"alertdialog\"]"));
        assert!(confirm_disabled(&fixture));
        assert!(text(&fixture, ".bulk-nothing").contains("Nothing would change"));
    }

    #[page_test]
    async fn large_groups_name_five_members_and_count_the_rest() {
        let mut members: Vec<_> = (0..=12).map(|n| member(n, Role::Member)).collect();
        members[0].role = Role::Owner;
        let plan = bulk::plan(
            "u000",
            &Capabilities::of(&Membership::from_members("u000", false, &members).unwrap()),
            &members,
            &[],
            &BulkAction::ChangeRole { role: Role::Member },
            &members
                .iter()
                .map(|m| m.user_id.clone())
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let (_, unchanged) = plan_groups(&plan, |id| id.to_owned());
        assert_eq!(unchanged.len(), 1);
        assert_eq!(
            names_preview(&unchanged[0]),
            "u001, u002, u003, u004, u005 and 7 more"
        );
    }

    /// Answers every request with `answer` (JSON); returns the requests
    /// seen and a function that restores fetch.
    fn bulk_backend(answer: &BulkMembersResponse) -> (JsValue, js_sys::Function) {
        let install = js_sys::Function::new_with_args(
            "answer",
            r#"
            const real = window.fetch;
            const calls = [];
            window.fetch = async (request) => {
              calls.push(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`);
              return new Response(answer, { status: 200, headers: { "content-type": "application/json" } });
            };
            return [calls, () => { window.fetch = real; }];
            "#,
        );
        let answer = serde_json::to_string(answer).unwrap();
        let installed: js_sys::Array = install
            .call1(&JsValue::NULL, &JsValue::from_str(&answer))
            .unwrap()
            .into();
        (installed.get(0), installed.get(1).into())
    }

    #[page_test]
    async fn confirming_sends_once_then_shows_each_member_s_outcome_and_updates_the_table() {
        crate::api::members::forget_missing_bulk_endpoints();
        let fixture = Fixture::new();
        let mounted = mount(&fixture);
        let mut promoted = organization()[2].clone();
        promoted.role = Role::Owner;
        promoted.assigned_roles.clear();
        let answer = BulkMembersResponse::new(vec![
            BulkMemberResult {
                user_id: "u002".into(),
                status: BulkStatus::Applied,
                message: None,
                member: Some(promoted.clone()),
            },
            BulkMemberResult {
                user_id: "u003".into(),
                status: BulkStatus::Failed,
                message: Some("The database is busy".into()),
                member: None,
            },
            BulkMemberResult {
                user_id: "u000".into(),
                status: BulkStatus::Refused,
                message: Some("You cannot update your own access".into()),
                member: None,
            },
        ]);
        let (calls, restore) = bulk_backend(&answer);

        ask(
            &mounted,
            BulkAction::ChangeRole { role: Role::Owner },
            &[2, 3, 0],
        );
        settle().await;
        fixture.find("[data-confirm]").click();
        for _ in 0..50 {
            if fixture.exists(".bulk-outcome") {
                break;
            }
            settle().await;
        }
        restore.call0(&JsValue::NULL).unwrap();
        let calls: Vec<String> = js_sys::Array::from(&calls)
            .iter()
            .filter_map(|c| c.as_string())
            .collect();
        assert_eq!(
            calls,
            [
                r#"POST /api/organizations/org/users/bulk {"action":"changeRole","role":"owner","userIds":["u002","u003","u000"],"mode":"perMember"}"#
            ]
        );

        let outcome = fixture.find(".bulk-outcome");
        assert_eq!(outcome.get_attribute("role").as_deref(), Some("status"));
        assert_eq!(
            outcome.text_content().unwrap(),
            "Changed 1 member. 1 failed, 1 refused."
        );
        assert_eq!(
            listed(&fixture, ".bulk-failed li"),
            ["Member 003 (member003@example.com) \u{2014} The database is busy"]
        );
        assert_eq!(
            listed(&fixture, ".bulk-refusals li"),
            ["Member 000 (member000@example.com) \u{2014} You cannot update your own access"]
        );
        assert_eq!(focused_text(), "Close");

        // The table and the organization's list follow; the selection
        // drops the changed member.
        assert_eq!(mounted.store.get_untracked("u002"), Some(promoted.clone()));
        assert_eq!(
            mounted.store.get_untracked("u003").map(|m| m.role),
            Some(Role::Member)
        );
        assert_eq!(mounted.done.get_untracked(), ["u002"]);
        let applied = mounted.applied.get_untracked().expect("applied");
        assert_eq!(applied.updated, [promoted]);
        assert!(applied.unexpected, "a planned change failed: reload");

        fixture.focused().click();
        settle().await;
        assert!(mounted.request.get_untracked().is_none());
        assert!(!fixture.exists("[role=\"dialog\"]"));
    }
}
