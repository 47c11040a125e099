//! The members table: search, sortable headers, pagination, and one row
//! per member of the current page. Rows are keyed by member and read their
//! own signal, so a change to one member re-renders that row only.

use leptos::prelude::*;
use roster_core::wire::{BulkAction, OrganizationUser};
use roster_core::{Capabilities, Role, Target};

use super::assignment_picker::{AssignmentList, AssignmentPicker};
use super::selection::Selection;
use crate::components::{
    thousands, Badge, BadgeVariant, Button, ButtonVariant, MenuButton, MenuItem, Pagination, Paging,
};
use crate::dom;
use crate::format;
use crate::state::member_store::{
    Matching, MemberRow, MemberStore, Sort, SortColumn, Sorted, PAGE_SIZES,
};

/// The fewest rows of a large organization's first page built with it:
/// more than the screen shows, so that the rows built after (see
/// [`rows_filling_the_screen`]) appear below the fold and move nothing
/// the user sees.
const MIN_FIRST_ROWS: usize = 3;

/// Rows built per task after the first ones: one or two rows are a few
/// milliseconds on a laptop and stay under the 50 ms a phone may keep the
/// page from answering a tap.
const MORE_ROWS: usize = 2;

/// How many rows fill the screen: a card (phone width) is at least
/// ~180 px tall, a table row ~40 px.
fn rows_filling_the_screen(phone: bool) -> usize {
    let height = web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(1000.0);
    let row = if phone { 180.0 } else { 40.0 };
    // In range: a screen's height over a row's.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let rows = (height / row).ceil() as usize;
    rows.max(MIN_FIRST_ROWS)
}

/// What every row needs besides its member: who is looking, what they may
/// do, the assignments to pick from, and what to do on a change.
#[derive(Clone, Copy)]
pub struct RowContext {
    pub capabilities: Signal<Option<Capabilities>>,
    /// The signed-in user's id.
    pub me: Signal<Option<String>>,
    pub assignments: Signal<AssignmentList>,
    pub retry_assignments: Callback<()>,
    /// The members whose access is being saved.
    pub saving: Signal<Vec<String>>,
    /// A new role was chosen (the page asks for confirmation).
    pub on_role: Callback<(OrganizationUser, Role)>,
    /// New assignment ids were chosen (the page asks for confirmation).
    pub on_assignments: Callback<(OrganizationUser, Vec<String>)>,
    pub on_remove: Callback<OrganizationUser>,
    pub on_leave: Callback<()>,
    /// The rows picked for a bulk action.
    pub selection: Selection,
    /// Whether bulk actions are offered (to owners of a shared
    /// organization, as `roster_core::bulk::authorize` says).
    pub bulk: Signal<bool>,
    /// A bulk action was chosen for the picked members (the page shows
    /// what it would do and asks for confirmation).
    pub on_bulk: Callback<(BulkAction, Vec<String>)>,
}

#[component]
pub fn MembersTable(
    store: MemberStore,
    context: RowContext,
    /// The table's caption, e.g. "Members of Acme Corp".
    #[prop(into)]
    caption: Signal<String>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let sort = RwSignal::new(Sort::default());
    let sorted =
        Memo::new(move |previous: Option<&Sorted>| sort.with(|s| store.sorted(*s, previous)));
    let matching = Memo::new(move |previous: Option<&Matching>| {
        query.with(|q| sorted.with(|rows| store.filter(rows, q, previous)))
    });
    let paging = Paging::new(Signal::derive(move || matching.with(Matching::len)));
    let Paging { page, window, .. } = paging;
    let page_rows = Memo::new(move |_| {
        let window = window.get();
        matching.with(|m| m.rows(window.start..window.end))
    });
    // As style/pages.css's cards.
    let phone = dom::media_query("(max-width: 639.98px)");
    // A large organization's first page shows the rows that fill the
    // screen first, then the others a few per task: building all 25 (at
    // phone width, 2 or 3 of them on screen) was most of the page's first
    // task, a long one on a phone. Once the whole list is there (or on a
    // small organization's page) every row of the page is built at once.
    let first_page_of = Memo::new(move |_| store.first_page_of());
    let first_page = move || first_page_of.with(Option::is_some);
    let built = RwSignal::new(rows_filling_the_screen(phone.get_untracked()));
    let shown_rows = Memo::new(move |_| {
        let limit = if first_page() {
            built.get()
        } else {
            usize::MAX
        };
        page_rows.with(|rows| rows[..limit.min(rows.len())].to_vec())
    });
    Effect::new(move |_| {
        let rows = page_rows.with(Vec::len);
        let so_far = built.get();
        if first_page() {
            if so_far < rows {
                dom::after_paint(move || {
                    built.try_update(|b| *b += MORE_ROWS);
                });
            }
        } else if rows > 0 && so_far != usize::MAX {
            // The whole list has been shown: a first page taken later (a
            // reload) keeps the rows already built.
            built.set(usize::MAX);
        }
    });
    let page_picked =
        move || page_rows.with(|rows| context.selection.has_all(rows.iter().map(|r| &r.key)));
    let page_partly_picked =
        move || page_rows.with(|rows| context.selection.has_any(rows.iter().map(|r| &r.key)));
    // The column shows when the backend says when members were last active
    // (Roster does; Daytona does not).
    let last_active_known = Memo::new(move |_| store.knows_last_active());
    let total = Memo::new(move |_| store.len());
    // The first page of a large organization, the rest still loading:
    // searching, sorting and paging wait for them.
    let partial = first_page;

    let search_id = dom::unique_id("member-search");
    let count_text = move || {
        let total = total.get();
        let found = matching.with(Matching::len);
        let window = window.get();
        if let Some(all) = first_page_of.get() {
            return format!(
                "Showing 1\u{2013}{} of {} members (loading the rest)",
                found,
                thousands(all)
            );
        }
        let noun = if total == 1 { "member" } else { "members" };
        match (found, query.with(|q| q.trim().is_empty())) {
            (_, true) if total == 0 => "No members".to_owned(),
            (_, true) => format!(
                "Showing {}\u{2013}{} of {} {noun}",
                window.start + 1,
                window.end,
                thousands(total)
            ),
            (0, false) => format!("No matches among {} {noun}", thousands(total)),
            (found, false) => format!(
                "Showing {}\u{2013}{} of {} matching, {} {noun} in total",
                window.start + 1,
                window.end,
                thousands(found),
                thousands(total)
            ),
        }
    };

    let header = move |column: SortColumn, label: &'static str| {
        view! {
            <th scope="col" aria-sort=move || sort.get().aria_sort(column)>
                <button
                    type="button"
                    class="sort-button"
                    disabled=partial
                    on:click=move |_| {
                        sort.update(|s| *s = s.toggled(column));
                        page.set(0);
                    }
                >
                    {label}
                    <span class="sort-indicator" aria-hidden="true">
                        {move || match sort.get().aria_sort(column) {
                            "ascending" => "\u{25b2}",
                            "descending" => "\u{25bc}",
                            _ => "\u{21c5}",
                        }}
                    </span>
                </button>
            </th>
        }
    };

    view! {
        <div class="members-table">
            <div class="table-toolbar">
                <div class="field search-field">
                    <label for=search_id.clone()>"Search members"</label>
                    <input
                        id=search_id
                        class="input"
                        type="search"
                        autocomplete="off"
                        placeholder="Name, e-mail, role or assignment"
                        disabled=partial
                        prop:value=move || query.get()
                        on:input=move |event| {
                            query.set(event_target_value(&event));
                            page.set(0);
                        }
                    />
                </div>
                <p class="table-count" role="status">{count_text}</p>
            </div>
            <Show when=move || context.bulk.get() && !context.selection.is_empty()>
                <SelectionBar
                    context=context
                    matching=matching
                    page_picked=Signal::derive(page_picked)
                />
            </Show>
            <div class="table-wrap">
                <table class="table" aria-busy=move || if partial() { "true" } else { "false" }>
                    <caption class="visually-hidden">{move || caption.get()}</caption>
                    <thead>
                        <tr>
                            <Show when=move || context.bulk.get()>
                                <th scope="col" class="select-cell">
                                    <input
                                        type="checkbox"
                                        class="checkbox"
                                        aria-label="Select all members on this page"
                                        disabled=partial
                                        prop:checked=page_picked
                                        prop:indeterminate=move || !page_picked() && page_partly_picked()
                                        on:change=move |event| {
                                            let picked = event_target_checked(&event);
                                            let keys = page_rows.with_untracked(|rows| {
                                                rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>()
                                            });
                                            context.selection.set_all(keys, picked);
                                        }
                                    />
                                </th>
                            </Show>
                            {header(SortColumn::Member, "Member")}
                            {header(SortColumn::Role, "Role")}
                            <th scope="col">"Assignments"</th>
                            {header(SortColumn::Joined, "Joined")}
                            <Show when=move || last_active_known.get()>
                                {header(SortColumn::LastActive, "Last active")}
                            </Show>
                            <th scope="col" class="actions-column">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || shown_rows.get() key=|row| row.key.clone() let:row>
                            <MemberRowView row=row context=context last_active=last_active_known phone=phone />
                        </For>
                        <Show when=move || matching.with(Matching::is_empty)>
                            <tr class="table-empty-row">
                                <td colspan=move || {
                                    5 + usize::from(context.bulk.get())
                                        + usize::from(last_active_known.get())
                                }>
                                    {move || {
                                        if query.with(|q| q.trim().is_empty()) {
                                            "No members yet.".to_owned()
                                        } else {
                                            format!("No members match \u{201c}{}\u{201d}.", query.get().trim())
                                        }
                                    }}
                                </td>
                            </tr>
                        </Show>
                    </tbody>
                </table>
            </div>
            <Show when=move || !partial()>
                <Pagination paging=paging label="Members pages" sizes=&PAGE_SIZES />
            </Show>
        </div>
    }
}

/// Above the table while members are picked: how many, "Select all N
/// matching" once the whole page is picked, and the bulk actions.
#[component]
fn SelectionBar(
    context: RowContext,
    matching: Memo<Matching>,
    /// Whether every row of the page shown is picked.
    #[prop(into)]
    page_picked: Signal<bool>,
) -> impl IntoView {
    let selection = context.selection;
    let count = move || selection.len();
    let matching_keys = move || {
        matching.with_untracked(|m| {
            m.rows(0..m.len())
                .into_iter()
                .map(|r| r.key)
                .collect::<Vec<_>>()
        })
    };
    let all_matching_picked = Memo::new(move |_| {
        matching.with(|m| !m.is_empty() && count() >= m.len())
            && matching_keys().iter().all(|k| selection.contains(k))
    });
    let run = move |action: BulkAction| {
        context.on_bulk.run((action, selection.ids_untracked()));
    };
    let assignment_items = move |add: bool| {
        move || {
            context.assignments.with(|a| match a {
                Some(Ok(list)) => list
                    .iter()
                    .map(|assignment| {
                        let (id, name) = (assignment.id.clone(), assignment.name.clone());
                        view! {
                            <MenuItem on_select=move |_| {
                                let assignment_id = id.clone();
                                run(if add {
                                    BulkAction::AddAssignment { assignment_id }
                                } else {
                                    BulkAction::RemoveAssignment { assignment_id }
                                });
                            }>
                                {name}
                            </MenuItem>
                        }
                    })
                    .collect_view()
                    .into_any(),
                _ => view! {
                    <MenuItem on_select=move |_| context.retry_assignments.run(())>
                        "Could not load assignments \u{2014} retry"
                    </MenuItem>
                }
                .into_any(),
            })
        }
    };
    view! {
        <div class="selection-bar" role="region" aria-label="Selected members">
            <p class="selection-count" role="status">
                {move || format!("{} selected", thousands(count()))}
            </p>
            <Show when=move || page_picked.get() && !all_matching_picked.get()>
                <button
                    type="button"
                    class="btn btn-ghost btn-sm select-all-matching"
                    on:click=move |_| selection.set_all(matching_keys(), true)
                >
                    {move || format!("Select all {} matching", thousands(matching.with(Matching::len)))}
                </button>
            </Show>
            <div class="selection-actions">
                <MenuButton trigger=|| "Change role" trigger_class="btn btn-secondary btn-sm">
                    {Role::ALL
                        .iter()
                        .map(|role| {
                            let role = *role;
                            view! {
                                <MenuItem on_select=move |_| run(BulkAction::ChangeRole { role })>
                                    {format!("Make {}", role.label().to_lowercase())}
                                </MenuItem>
                            }
                        })
                        .collect_view()}
                </MenuButton>
                <MenuButton trigger=|| "Add assignment" trigger_class="btn btn-secondary btn-sm">
                    {assignment_items(true)}
                </MenuButton>
                <MenuButton trigger=|| "Remove assignment" trigger_class="btn btn-secondary btn-sm">
                    {assignment_items(false)}
                </MenuButton>
                <Button
                    variant=ButtonVariant::Danger
                    small=true
                    on_click=Callback::new(move |_| run(BulkAction::Remove))
                >
                    "Remove"
                </Button>
                <Button
                    variant=ButtonVariant::Ghost
                    small=true
                    on_click=Callback::new(move |_| selection.clear())
                >
                    "Clear selection"
                </Button>
            </div>
        </div>
    }
}

/// What the signed-in user may do on one row (from `roster_core`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct RowAbilities {
    is_self: bool,
    change_role: bool,
    change_assignments: bool,
    remove: bool,
    leave: bool,
}

impl RowAbilities {
    fn of(capabilities: &Capabilities, target: Target) -> Self {
        let leave = match capabilities.leave_with_successor(None) {
            Ok(()) => true,
            // A sole owner may still leave, naming a successor.
            Err(roster_core::Refusal::NoSuccessor) => true,
            Err(_) => false,
        };
        RowAbilities {
            is_self: target.is_self,
            change_role: Role::ALL.iter().any(|role| {
                *role != target.role && capabilities.change_role(target, *role).is_ok()
            }),
            change_assignments: target.role == Role::Member
                && capabilities.change_assignments(target).is_ok(),
            remove: capabilities.remove_member(target).is_ok(),
            leave: target.is_self && leave,
        }
    }
}

#[component]
fn MemberRowView(
    row: MemberRow,
    context: RowContext,
    /// Whether the "Last active" column shows.
    last_active: Memo<bool>,
    /// At phone width (the rows are cards): the actions are a menu.
    phone: Signal<bool>,
) -> impl IntoView {
    let MemberRow { key, entry } = row;
    // Each cell follows only the part of the member it shows.
    let role = Memo::new({
        let entry = entry.clone();
        move |_| entry.with(|e| e.user.role)
    });
    let assigned = Memo::new({
        let entry = entry.clone();
        move |_| entry.with(|e| e.user.assigned_roles.clone())
    });
    let identity = Memo::new({
        let entry = entry.clone();
        move |_| entry.with(|e| (e.user.name.trim().to_owned(), e.user.email.clone()))
    });
    let abilities = Memo::new({
        let key = key.clone();
        move |_| {
            let is_self = context.me.with(|me| me.as_deref() == Some(&*key));
            let target = Target {
                is_self,
                role: role.get(),
            };
            context.capabilities.with(|caps| {
                caps.as_ref()
                    .map(|c| RowAbilities::of(c, target))
                    .unwrap_or_default()
            })
        }
    });
    let busy = {
        let key = key.clone();
        Memo::new(move |_| context.saving.with(|s| s.iter().any(|id| **id == *key)))
    };
    let email = entry.with_untracked(|e| e.user.email.clone());
    let member = {
        let entry = entry.clone();
        move || entry.with_untracked(|e| e.user.clone())
    };

    let name_cell = move || {
        let (name, email) = identity.get();
        if name.is_empty() {
            view! { <span class="member-name">{email}</span> }.into_any()
        } else {
            view! {
                <span class="member-name">{name}</span>
                <span class="member-email">{email}</span>
            }
            .into_any()
        }
    };

    let role_cell = {
        let email = email.clone();
        let member = member.clone();
        move || {
            if abilities.get().change_role {
                let member = member.clone();
                view! {
                    <span class="role-control">
                    <select
                        class="input input-compact"
                        aria-label=format!("Role for {email}")
                        // The row shows a confirmed change while it is
                        // saved; the select stays enabled (focus returns
                        // to it); a second change meanwhile is refused
                        // with a notice.
                        aria-busy=move || if busy.get() { "true" } else { "false" }
                        on:change=move |event| {
                            let chosen = event_target_value(&event);
                            let saved = role.get_untracked();
                            // The select shows the member's role until the
                            // change is confirmed.
                            let select: web_sys::HtmlSelectElement = event_target(&event);
                            select.set_value(saved.as_str());
                            if let Ok(new_role) = chosen.parse::<Role>() {
                                if new_role != saved {
                                    context.on_role.run((member(), new_role));
                                }
                            }
                        }
                    >
                        {Role::ALL
                            .iter()
                            .map(|r| {
                                let r = *r;
                                view! {
                                    <option value=r.as_str() prop:selected=move || role.get() == r>
                                        {r.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    // Progress on the control while the change is saved.
                    {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                    </span>
                }
                .into_any()
            } else {
                let role = role.get();
                let variant = if role.is_owner() {
                    BadgeVariant::Accent
                } else {
                    BadgeVariant::Neutral
                };
                view! { <Badge variant=variant>{role.label()}</Badge> }.into_any()
            }
        }
    };

    let assignments_cell = {
        let email = email.clone();
        let member = member.clone();
        move || {
            if role.get().is_owner() {
                return view! { <span class="full-access">"Full access"</span> }.into_any();
            }
            if abilities.get().change_assignments {
                let member = member.clone();
                view! {
                    <AssignmentPicker
                        email=email.clone()
                        current=assigned
                        assignments=context.assignments
                        on_retry=context.retry_assignments
                        busy=busy
                        on_save=Callback::new(move |ids| context.on_assignments.run((member(), ids)))
                    />
                }
                .into_any()
            } else {
                let names = move || {
                    assigned.with(|list| {
                        std::iter::once(roster_core::VIEWER_NAME)
                            .chain(list.iter().map(|a| a.name.as_str()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                };
                view! { <span class="assignment-names">{names}</span> }.into_any()
            }
        }
    };

    let joined = entry.with_untracked(|e| e.user.created_at);
    let last_active_cell = {
        let entry = entry.clone();
        move || match entry.with(|e| e.user.last_active_at) {
            Some(at) => view! {
                <time datetime=at.to_rfc3339() title=format::date_time(at)>
                    {format::relative(at, chrono::Utc::now())}
                </time>
            }
            .into_any(),
            None => view! { <span class="muted">"Never"</span> }.into_any(),
        }
    };
    let select_cell = {
        let key = key.clone();
        let label = format!("Select {email}");
        move || {
            let (key, picked) = (key.clone(), key.clone());
            view! {
                <td class="select-cell">
                    <input
                        type="checkbox"
                        class="checkbox"
                        aria-label=label.clone()
                        prop:checked=move || context.selection.contains(&picked)
                        on:change=move |event| {
                            context.selection.set(key.clone(), event_target_checked(&event));
                        }
                    />
                </td>
            }
        }
    };
    let actions_cell = {
        let email = email.clone();
        move || {
            let abilities = abilities.get();
            let member = member.clone();
            let email = email.clone();
            if phone.get() {
                // A card's actions are one menu.
                return (abilities.remove || abilities.leave)
                    .then(|| {
                        view! {
                            <MenuButton
                                trigger=|| "Actions"
                                trigger_label=format!("Actions for {email}")
                                trigger_class="btn btn-ghost btn-sm"
                            >
                                {abilities.remove.then(|| view! {
                                    <MenuItem on_select=move |_| context.on_remove.run(member())>
                                        "Remove from organization"
                                    </MenuItem>
                                })}
                                {abilities.leave.then(|| view! {
                                    <MenuItem on_select=move |_| context.on_leave.run(())>
                                        "Leave organization"
                                    </MenuItem>
                                })}
                            </MenuButton>
                        }
                    })
                    .into_any();
            }
            view! {
                {abilities.remove.then(|| view! {
                    <Button
                        variant=ButtonVariant::Ghost
                        small=true
                        on_click=Callback::new(move |_| context.on_remove.run(member()))
                        {..}
                        aria-label=format!("Remove {email}")
                    >
                        "Remove"
                    </Button>
                })}
                {abilities.leave.then(|| view! {
                    <Button
                        variant=ButtonVariant::Ghost
                        small=true
                        on_click=Callback::new(move |_| context.on_leave.run(()))
                    >
                        "Leave"
                    </Button>
                })}
            }
            .into_any()
        }
    };

    view! {
        <tr
            data-member=key.to_string()
            class:selected={
                let key = key.clone();
                move || context.bulk.get() && context.selection.contains(&key)
            }
        >
            {move || context.bulk.get().then(select_cell.clone())}
            <td class="member-cell">
                <div class="member-identity">
                    {name_cell}
                    <Show when=move || abilities.get().is_self>
                        <Badge variant=BadgeVariant::Success>"You"</Badge>
                    </Show>
                </div>
            </td>
            <td data-label="Role">{role_cell}</td>
            <td data-label="Assignments">{assignments_cell}</td>
            <td data-label="Joined">
                <time datetime=joined.to_rfc3339() title=format::date_time(joined)>
                    {format::date(joined)}
                </time>
            </td>
            {move || last_active.get().then(|| view! {
                <td data-label="Last active">{last_active_cell.clone()}</td>
            })}
            <td class="actions-column">
                <div class="row-actions">{actions_cell}</div>
            </td>
        </tr>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use crate::testing::fixtures::{fire, member};
    use roster_core::{Membership, PermissionSet};
    use roster_test_macros::page_test;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    struct Mounted {
        store: MemberStore,
        bulk: RwSignal<Vec<(BulkAction, Vec<String>)>>,
        owners: RwSignal<usize>,
        changes: RwSignal<Vec<(String, Role)>>,
        saving: RwSignal<Vec<String>>,
        _handle: Box<dyn std::any::Any>,
    }

    /// Sixty members, the first (u000) an owner and the signed-in user.
    fn mount_table(fixture: &Fixture) -> Mounted {
        mount_table_of(fixture, Some(false))
    }

    /// [`mount_table`]; with `Some(true)`, only the first 25 of 2,000
    /// members have arrived; with `None`, none yet.
    fn mount_table_of(fixture: &Fixture, first_page: Option<bool>) -> Mounted {
        let list: Vec<_> = (0..60)
            .map(|n| member(n, if n == 0 { Role::Owner } else { Role::Member }))
            .collect();
        let store = MemberStore::new();
        let changes = RwSignal::new(Vec::new());
        match first_page {
            Some(true) => store.show_first_page(&list[..25], 2000),
            Some(false) => store.replace_all(&list),
            None => {}
        }
        let owners = RwSignal::new(1);
        let saving = RwSignal::new(Vec::new());
        let bulk = RwSignal::new(Vec::new());
        let context = RowContext {
            capabilities: Signal::derive(move || {
                Some(Capabilities::of(&Membership::from_permissions(
                    Role::Owner,
                    PermissionSet::new(),
                    false,
                    owners.get(),
                )))
            }),
            me: Signal::derive(|| Some("u000".to_owned())),
            assignments: Signal::derive(|| Some(Ok(Vec::new()))),
            retry_assignments: Callback::new(|_| ()),
            saving: saving.into(),
            on_role: Callback::new(move |(m, role): (OrganizationUser, Role)| {
                changes.update(|c| c.push((m.user_id, role)))
            }),
            on_assignments: Callback::new(|_| ()),
            on_remove: Callback::new(|_| ()),
            on_leave: Callback::new(|_| ()),
            selection: Selection::new(),
            bulk: Signal::derive(move || owners.get() > 0),
            on_bulk: Callback::new(move |request| bulk.update(|b| b.push(request))),
        };
        let handle = fixture.mount(move || {
            view! { <MembersTable store=store context=context caption="Members of Acme" /> }
        });
        Mounted {
            store,
            bulk,
            owners,
            changes,
            saving,
            _handle: Box::new(handle),
        }
    }

    fn body_rows(fixture: &Fixture) -> Vec<web_sys::HtmlElement> {
        fixture.find_all("tbody tr[data-member]")
    }

    fn row_of(fixture: &Fixture, user_id: &str) -> web_sys::HtmlElement {
        fixture.find(&format!("tr[data-member=\"{user_id}\"]"))
    }

    /// Rows are picked one by one, a page at a time, or every matching
    /// member; the bar counts them and hands the picked ids to the page.
    #[page_test]
    async fn members_are_picked_for_a_bulk_action() {
        let fixture = Fixture::new();
        let mounted = mount_table(&fixture);
        settle().await;
        assert!(!fixture.exists(".selection-bar"), "no bar before a pick");
        let pick = |label: &str| {
            let checkbox = fixture.find(&format!("input[aria-label='{label}']"));
            checkbox.click();
        };
        pick("Select member001@example.com");
        pick("Select member002@example.com");
        settle().await;
        let bar = fixture.find(".selection-bar");
        assert!(bar.text_content().unwrap().contains("2 selected"));
        assert!(fixture.exists("tr.selected[data-member='u001']"));
        let page = fixture.find("input[aria-label='Select all members on this page']");
        let page: web_sys::HtmlInputElement = page.unchecked_into();
        assert!(page.indeterminate(), "some of the page picked");

        page.click();
        settle().await;
        assert!(page.checked());
        let bar = fixture.find(".selection-bar");
        assert!(bar.text_content().unwrap().contains("25 selected"));
        let all = fixture.find(".select-all-matching");
        assert_eq!(all.text_content().unwrap(), "Select all 60 matching");
        all.click();
        settle().await;
        let bar = fixture.find(".selection-bar");
        assert!(
            bar.text_content().unwrap().contains("60 selected"),
            "{:?}",
            bar.text_content()
        );
        assert!(
            !fixture.exists(".select-all-matching"),
            "everyone is picked"
        );

        let remove = fixture
            .find_all(".selection-bar button")
            .into_iter()
            .find(|b| b.text_content().unwrap().trim() == "Remove")
            .expect("a Remove action");
        remove.click();
        settle().await;
        let requests = mounted.bulk.get_untracked();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].0, BulkAction::Remove);
        let mut ids = requests[0].1.clone();
        ids.sort();
        assert_eq!(ids.len(), 60);
        assert_eq!(ids[0], "u000");

        let clear = fixture
            .find_all(".selection-bar button")
            .into_iter()
            .find(|b| b.text_content().unwrap().trim() == "Clear selection")
            .expect("Clear selection");
        clear.click();
        settle().await;
        assert!(!fixture.exists(".selection-bar"));
        assert!(!page.checked());
    }

    /// The column shows when the backend says when members were last
    /// active, relative, with the exact time on hover; never: "Never".
    #[page_test]
    async fn last_active_shows_only_when_the_backend_sends_it() {
        let fixture = Fixture::new();
        let mounted = mount_table(&fixture);
        settle().await;
        let headers = || -> Vec<String> {
            fixture
                .find_all("thead th")
                .iter()
                .map(|h| h.text_content().unwrap_or_default())
                .collect()
        };
        assert!(
            !headers().iter().any(|h| h.contains("Last active")),
            "{:?}",
            headers()
        );
        let mut active = member(1, Role::Member);
        active.last_active_at = Some(chrono::Utc::now() - chrono::TimeDelta::days(3));
        mounted.store.update(active);
        settle().await;
        assert!(
            headers().iter().any(|h| h.contains("Last active")),
            "{:?}",
            headers()
        );
        let cell = fixture.find("tr[data-member='u001'] td[data-label='Last active'] time");
        assert_eq!(cell.text_content().unwrap(), "3 days ago");
        assert!(cell.get_attribute("title").is_some());
        let never = fixture.find("tr[data-member='u002'] td[data-label='Last active']");
        assert_eq!(never.text_content().unwrap(), "Never");
    }

    /// A large organization's first page shows the rows that fill the
    /// screen at once and the others a few at a time after, in order; a
    /// small organization's rows all come at once.
    #[page_test]
    async fn a_large_first_page_fills_in_after_the_rows_on_screen() {
        // The first page there when the table is built, and arriving
        // after it was (a phone's slow start).
        for arrives_later in [false, true] {
            let fixture = Fixture::new();
            let mounted = mount_table_of(&fixture, (!arrives_later).then_some(true));
            if arrives_later {
                let list: Vec<_> = (0..25).map(|n| member(n, Role::Member)).collect();
                mounted.store.show_first_page(&list, 2000);
                // The table's update (a microtask), before any frame.
                gloo_timers::future::TimeoutFuture::new(0).await;
            }
            fills_in_after_the_rows_on_screen(&fixture).await;
        }

        let small = Fixture::new();
        let _small = mount_table(&small);
        assert_eq!(body_rows(&small).len(), 25, "a small organization at once");
    }

    async fn fills_in_after_the_rows_on_screen(fixture: &Fixture) {
        let keys = |fixture: &Fixture| -> Vec<String> {
            body_rows(fixture)
                .iter()
                .map(|r| r.get_attribute("data-member").unwrap())
                .collect()
        };
        let first = keys(fixture);
        let on_screen = rows_filling_the_screen(false);
        assert!(on_screen < 25, "the test's window shows fewer than 25 rows");
        assert_eq!(
            first.len(),
            on_screen.min(25),
            "the rows on screen, at once"
        );
        let mut seen = vec![first.len()];
        for _ in 0..400 {
            if body_rows(fixture).len() == 25 {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(5).await;
            seen.push(body_rows(fixture).len());
        }
        let all = keys(fixture);
        assert_eq!(all.len(), 25, "then the whole page: {seen:?}");
        assert_eq!(all[..first.len()], first[..], "in order");
        assert!(
            seen.windows(2)
                .all(|w| w[0] <= w[1] && w[1] - w[0] <= MORE_ROWS),
            "a few rows at a time: {seen:?}"
        );
    }

    #[page_test]
    async fn search_filters_and_pages_are_counted() {
        let fixture = Fixture::new();
        let _mounted = mount_table(&fixture);
        settle().await;
        assert_eq!(
            fixture.find("caption").text_content().unwrap(),
            "Members of Acme"
        );
        assert_eq!(body_rows(&fixture).len(), 25, "25 rows per page by default");
        assert_eq!(
            fixture.find(".table-count").text_content().unwrap(),
            "Showing 1\u{2013}25 of 60 members"
        );
        assert_eq!(
            fixture.find(".pagination-position").text_content().unwrap(),
            "Page 1 of 3"
        );

        let next = fixture
            .find_all(".pagination button")
            .into_iter()
            .find(|b| b.text_content().unwrap().contains("Next page"))
            .unwrap();
        next.click();
        next.click();
        settle().await;
        assert_eq!(body_rows(&fixture).len(), 10);
        assert_eq!(
            fixture.find(".pagination-position").text_content().unwrap(),
            "Page 3 of 3"
        );
        assert!(next.has_attribute("disabled"));

        let per_page: web_sys::HtmlSelectElement =
            fixture.find(".pagination select").unchecked_into();
        per_page.set_value("100");
        fire(&per_page, "change");
        settle().await;
        assert_eq!(body_rows(&fixture).len(), 60);

        let search = fixture.find("input[type=search]");
        let label = fixture.find(&format!("label[for=\"{}\"]", search.id()));
        assert_eq!(label.text_content().unwrap(), "Search members");
        type_into(&search, "member05");
        settle().await;
        let shown: Vec<String> = body_rows(&fixture)
            .iter()
            .map(|r| r.get_attribute("data-member").unwrap())
            .collect();
        assert_eq!(
            shown,
            (50..60).map(|n| format!("u{n:03}")).collect::<Vec<_>>()
        );
        assert_eq!(
            fixture.find(".table-count").text_content().unwrap(),
            "Showing 1\u{2013}10 of 10 matching, 60 members in total"
        );
        type_into(&search, "owner");
        settle().await;
        assert_eq!(body_rows(&fixture).len(), 1, "the role is searched too");
        type_into(&search, "nobody");
        settle().await;
        assert!(body_rows(&fixture).is_empty());
        assert!(fixture
            .find("tbody")
            .text_content()
            .unwrap()
            .contains("No members match \u{201c}nobody\u{201d}."));
    }

    /// A large organization's first page shows while the rest load, with
    /// searching, sorting and paging waiting for them; when they arrive the
    /// first rows stay as they are.
    #[page_test]
    async fn the_first_page_shows_until_the_rest_arrive() {
        let fixture = Fixture::new();
        let mounted = mount_table(&fixture);
        // Shown whole first: the first page below is a reload's.
        settle().await;
        let all: Vec<_> = (0..60)
            .map(|n| member(n, if n == 0 { Role::Owner } else { Role::Member }))
            .collect();
        mounted.store.show_first_page(&all[..25], 10_000);
        settle().await;
        assert_eq!(body_rows(&fixture).len(), 25);
        assert_eq!(
            fixture.find(".table-count").text_content().unwrap(),
            "Showing 1\u{2013}25 of 10,000 members (loading the rest)"
        );
        let search = fixture.find("input[type=search]");
        assert!(
            search.has_attribute("disabled"),
            "search waits for everyone"
        );
        assert!(fixture
            .find_all(".sort-button")
            .iter()
            .all(|b| b.has_attribute("disabled")));
        assert!(!fixture.exists(".pagination"));
        assert_eq!(
            fixture.find("table").get_attribute("aria-busy").as_deref(),
            Some("true")
        );
        let first_row = row_of(&fixture, "u000");

        mounted.store.replace_all(&all);
        settle().await;
        assert!(
            row_of(&fixture, "u000").is_same_node(Some(&first_row)),
            "the first rows are kept"
        );
        assert_eq!(
            fixture.find(".table-count").text_content().unwrap(),
            "Showing 1\u{2013}25 of 60 members"
        );
        assert!(!search.has_attribute("disabled"));
        assert!(fixture
            .find_all(".sort-button")
            .iter()
            .all(|b| !b.has_attribute("disabled")));
        assert_eq!(
            fixture.find(".pagination-position").text_content().unwrap(),
            "Page 1 of 3"
        );
        assert_eq!(
            fixture.find("table").get_attribute("aria-busy").as_deref(),
            Some("false")
        );
    }

    #[page_test]
    async fn sorting_marks_the_header_and_reorders() {
        let fixture = Fixture::new();
        let _mounted = mount_table(&fixture);
        settle().await;
        let headers = fixture.find_all("thead th:not(.select-cell)");
        assert_eq!(
            headers[0].get_attribute("aria-sort").as_deref(),
            Some("ascending")
        );
        assert_eq!(
            headers[3].get_attribute("aria-sort").as_deref(),
            Some("none")
        );
        let joined = fixture.find_all("thead th button")[2].clone();
        assert_eq!(
            joined
                .text_content()
                .unwrap()
                .chars()
                .take(6)
                .collect::<String>(),
            "Joined"
        );
        joined.click();
        joined.click();
        settle().await;
        assert_eq!(
            headers[3].get_attribute("aria-sort").as_deref(),
            Some("descending")
        );
        assert_eq!(
            headers[0].get_attribute("aria-sort").as_deref(),
            Some("none")
        );
        assert_eq!(
            body_rows(&fixture)[0]
                .get_attribute("data-member")
                .as_deref(),
            Some("u059")
        );
    }

    #[page_test]
    async fn own_row_is_tagged_and_other_rows_get_owner_controls() {
        let fixture = Fixture::new();
        let _mounted = mount_table(&fixture);
        settle().await;
        let own = row_of(&fixture, "u000");
        assert!(own.text_content().unwrap().contains("You"));
        assert!(
            own.query_selector("select").unwrap().is_none(),
            "no role picker on one's own row"
        );
        assert!(own.text_content().unwrap().contains("Full access"));
        assert!(own.text_content().unwrap().contains("Leave"));
        let other = row_of(&fixture, "u001");
        let select = other
            .query_selector("select")
            .unwrap()
            .expect("a role picker");
        assert_eq!(
            select.get_attribute("aria-label").as_deref(),
            Some("Role for member001@example.com")
        );
        assert!(other
            .query_selector("[aria-label=\"Assignments for member001@example.com\"]")
            .unwrap()
            .is_some());
        assert!(other
            .query_selector("[aria-label=\"Remove member001@example.com\"]")
            .unwrap()
            .is_some());
        assert!(!other.text_content().unwrap().contains("You"));
    }

    #[page_test]
    async fn a_role_being_saved_shows_progress_on_its_own_control() {
        let fixture = Fixture::new();
        let mounted = mount_table(&fixture);
        settle().await;
        let progress = |user_id: &str| {
            let row = row_of(&fixture, user_id);
            let select = row.query_selector("select").unwrap().unwrap();
            (
                select.get_attribute("aria-busy").unwrap_or_default(),
                row.query_selector(".role-control .spinner")
                    .unwrap()
                    .is_some(),
            )
        };
        assert_eq!(progress("u001"), ("false".to_owned(), false));

        mounted.saving.set(vec!["u001".to_owned()]);
        settle().await;
        assert_eq!(progress("u001"), ("true".to_owned(), true));
        assert_eq!(progress("u002"), ("false".to_owned(), false));

        mounted.saving.set(Vec::new());
        settle().await;
        assert_eq!(progress("u001"), ("false".to_owned(), false));
    }

    #[page_test]
    async fn a_role_change_re_renders_only_its_own_row() {
        let fixture = Fixture::new();
        let mounted = mount_table(&fixture);
        settle().await;
        let other_row = row_of(&fixture, "u002");
        let other_name = other_row.query_selector(".member-name").unwrap().unwrap();
        let other_select = other_row.query_selector("select").unwrap().unwrap();
        let changed_row = row_of(&fixture, "u001");
        let changed_name = changed_row.query_selector(".member-name").unwrap().unwrap();

        // Choosing a role asks the page (for confirmation) and keeps showing
        // the saved role meanwhile.
        let select: web_sys::HtmlSelectElement = changed_row
            .query_selector("select")
            .unwrap()
            .unwrap()
            .unchecked_into();
        select.set_value("owner");
        fire(&select, "change");
        settle().await;
        assert_eq!(
            mounted.changes.get_untracked(),
            [("u001".to_owned(), Role::Owner)]
        );
        assert_eq!(select.value(), "member");

        // The save succeeded: the page updates that one member, then the
        // reloaded capabilities count two owners.
        let mut promoted = mounted.store.get_untracked("u001").unwrap();
        promoted.role = Role::Owner;
        mounted.store.update(promoted);
        settle().await;
        mounted.owners.set(2);
        settle().await;

        let select: web_sys::HtmlSelectElement = row_of(&fixture, "u001")
            .query_selector("select")
            .unwrap()
            .unwrap()
            .unchecked_into();
        assert_eq!(select.value(), "owner");
        assert!(row_of(&fixture, "u001")
            .text_content()
            .unwrap()
            .contains("Full access"));
        assert!(
            row_of(&fixture, "u001").is_same_node(Some(&changed_row)),
            "the row itself is kept"
        );
        assert!(row_of(&fixture, "u001")
            .query_selector(".member-name")
            .unwrap()
            .unwrap()
            .is_same_node(Some(&changed_name)));
        // Other rows are untouched, down to their nodes.
        assert!(row_of(&fixture, "u002").is_same_node(Some(&other_row)));
        assert!(other_row
            .query_selector(".member-name")
            .unwrap()
            .unwrap()
            .is_same_node(Some(&other_name)));
        assert!(other_row
            .query_selector("select")
            .unwrap()
            .unwrap()
            .is_same_node(Some(&other_select)));

        // Reloading the whole list with the same data touches nothing.
        let list: Vec<_> = (0..60)
            .map(|n| mounted.store.get_untracked(&format!("u{n:03}")).unwrap())
            .collect();
        mounted.store.replace_all(&list);
        settle().await;
        assert!(row_of(&fixture, "u002")
            .query_selector("select")
            .unwrap()
            .unwrap()
            .is_same_node(Some(&other_select)));
    }
}
