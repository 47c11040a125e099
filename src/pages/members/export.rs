//! "Export CSV" of the members (everyone, or those matching the search)
//! and of the pending invitations (issue 19): written in the browser from
//! the lists the page holds, with `roster_core::csv`'s cells (never run as
//! formulas), saved as a download, and announced by a toast.
//!
//! Writing the file is rarely needed: it is in the `members_extras` chunk
//! with the page's dialogs ([`split_fn!`](crate::components::split_fn)),
//! which is downloaded once the table is on screen.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use leptos::prelude::*;
use roster_core::csv::{push_cell, push_joined_cell, push_line, push_time};
use roster_core::wire::{OrganizationInvitation, OrganizationRole, OrganizationUser};

use crate::components::{prefetch, thousands, ChunkError};
use crate::dom;
use crate::icons::{Icon, IconKind};
use crate::state::{use_toasts, MemberStore};

/// The members file's columns.
pub const MEMBER_COLUMNS: [&str; 6] = [
    "Email",
    "Name",
    "Role",
    "Assignments",
    "Joined",
    "Last active",
];

/// The invitations file's columns.
pub const INVITATION_COLUMNS: [&str; 7] = [
    "Email",
    "Role",
    "Assignments",
    "Invited by",
    "Sent",
    "Expires",
    "Status",
];

/// About what one row takes (an address, a name, two times, a few
/// assignments): the file is written into one allocation, grown rarely.
const ROW_BYTES: usize = 128;

/// A CSV file ready to save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvFile {
    pub name: String,
    pub text: String,
    /// Rows below the header.
    pub rows: usize,
}

/// The members matching `query` (everyone when blank), in the list's
/// order; `expected` rows are room reserved up front.
pub fn members_csv(store: MemberStore, query: &str, expected: usize) -> (String, usize) {
    let mut out = String::with_capacity(ROW_BYTES * (expected + 1));
    push_line(&mut out, MEMBER_COLUMNS);
    let rows = store.for_each_matching(query, |member| push_member(&mut out, member));
    (out, rows)
}

fn push_member(out: &mut String, member: &OrganizationUser) {
    push_cell(out, &member.email);
    out.push(',');
    push_cell(out, member.name.trim());
    out.push(',');
    push_cell(out, member.role.label());
    out.push(',');
    push_assignments(out, &member.assigned_roles);
    out.push(',');
    push_time(out, member.created_at);
    out.push(',');
    // Empty for members who never have, and from backends that do not
    // record it (Daytona).
    if let Some(at) = member.last_active_at {
        push_time(out, at);
    }
    out.push_str(roster_core::csv::LINE_END);
}

fn push_assignments(out: &mut String, assigned: &[OrganizationRole]) {
    push_joined_cell(out, assigned.iter().map(|a| a.name.as_str()), "; ");
}

/// Every invitation of `list`, its status as of `now` (pending or
/// expired).
pub fn invitations_csv(list: &[OrganizationInvitation], now: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(ROW_BYTES * (list.len() + 1));
    push_line(&mut out, INVITATION_COLUMNS);
    for invitation in list {
        push_cell(&mut out, &invitation.email);
        out.push(',');
        push_cell(&mut out, invitation.role.label());
        out.push(',');
        push_assignments(&mut out, &invitation.assigned_roles);
        out.push(',');
        push_cell(&mut out, &invitation.invited_by);
        out.push(',');
        push_time(&mut out, invitation.created_at);
        out.push(',');
        push_time(&mut out, invitation.expires_at);
        out.push(',');
        push_cell(&mut out, invitation.state(now).label());
        out.push_str(roster_core::csv::LINE_END);
    }
    out
}

/// `initech-members-2026-12-03.csv`: the organization's name in lower
/// case, letters and digits kept, anything else one dash.
pub fn file_name(organization: &str, what: &str, day: NaiveDate) -> String {
    let mut slug = String::with_capacity(organization.len());
    for c in organization.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() {
        "organization"
    } else {
        slug
    };
    format!(
        "{slug}-{what}-{:04}-{:02}-{:02}.csv",
        day.year(),
        day.month(),
        day.day()
    )
}

/// Today where the user is, for the file's name.
fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

crate::components::split_fn! {
    /// The members file ([`members_csv`]), written in the chunk.
    fn members_file(store: MemberStore, query: String, expected: usize, organization: String) -> CsvFile,
        in members_extras, preload preload_members_file
    {
        let (text, rows) = members_csv(store, &query, expected);
        CsvFile { name: file_name(&organization, "members", today()), text, rows }
    }
}

/// Saves `file` as a download.
fn save(file: &CsvFile) -> Result<(), String> {
    let bytes = js_sys::Uint8Array::from(file.text.as_bytes());
    dom::save_file(
        &js_sys::Array::of1(&bytes),
        "text/csv; charset=utf-8",
        &file.name,
    )
    .map_err(|error| format!("{error:?}"))
}

/// "1 member", "2,001 members".
fn members_count(n: usize) -> String {
    match n {
        1 => "1 member".to_owned(),
        n => format!("{} members", thousands(n)),
    }
}

/// "1 invitation", "12 invitations".
fn invitations_count(n: usize) -> String {
    match n {
        1 => "1 invitation".to_owned(),
        n => format!("{} invitations", thousands(n)),
    }
}

/// "Export CSV" of the members: everyone, or the members matching
/// `search` (the table's search box) when there is one; the label says
/// which and how many. Waits, disabled, while only the first page of a
/// large organization is here.
#[component]
pub fn ExportMembers(
    store: MemberStore,
    /// What the table's search box says.
    #[prop(into)]
    search: Signal<String>,
    /// The organization's name, for the file's.
    #[prop(into)]
    organization: Signal<String>,
) -> impl IntoView {
    let toasts = use_toasts();
    let loading = Memo::new(move |_| store.first_page_of().is_some());
    let searching = Memo::new(move |_| search.with(|q| !q.trim().is_empty()));
    let count = Memo::new(move |_| search.with(|q| store.count_matching(q)));
    let busy = RwSignal::new(false);
    let label = move || {
        if loading.get() {
            "Export CSV (waiting for every member)".to_owned()
        } else if searching.get() {
            match count.get() {
                0 => "Export CSV (none matching)".to_owned(),
                n => format!("Export CSV ({} matching)", thousands(n)),
            }
        } else {
            format!("Export CSV ({})", members_count(count.get()))
        }
    };
    let export = move |_| {
        if busy.get_untracked() || loading.get_untracked() {
            return;
        }
        busy.set(true);
        let query = search.get_untracked();
        let expected = count.get_untracked();
        let organization = organization.get_untracked();
        leptos::task::spawn_local(async move {
            let written = members_file(store, query, expected, organization).await;
            busy.try_set(false);
            match written {
                Ok(file) => match save(&file) {
                    Ok(()) => toasts.success(format!(
                        "Exported {} to {}",
                        members_count(file.rows),
                        file.name
                    )),
                    Err(error) => {
                        toasts.failure(format!("The browser did not save the file ({error})"))
                    }
                },
                Err(ChunkError) => toasts.failure(
                    "Roster could not download the export. Check your connection and try again.",
                ),
            }
        });
    };
    view! {
        <button
            type="button"
            class="btn btn-secondary export-members"
            disabled=move || loading.get() || count.get() == 0
            aria-busy=move || if busy.get() { "true" } else { "false" }
            on:click=export
            on:pointerenter=move |_| prefetch(preload_members_file)
            on:focus=move |_| prefetch(preload_members_file)
        >
            <Icon kind=IconKind::Download />
            <span class="export-label">{label}</span>
        </button>
    }
}

/// "Export CSV" of the pending invitations the section lists (expired ones
/// included, marked so).
#[component]
pub fn ExportInvitations(
    #[prop(into)] invitations: Signal<Vec<OrganizationInvitation>>,
    #[prop(into)] organization: Signal<String>,
) -> impl IntoView {
    let toasts = use_toasts();
    let export = move |_| {
        let text = invitations.with_untracked(|list| invitations_csv(list, Utc::now()));
        let rows = invitations.with_untracked(Vec::len);
        let file = CsvFile {
            name: file_name(&organization.get_untracked(), "invitations", today()),
            text,
            rows,
        };
        match save(&file) {
            Ok(()) => toasts.success(format!(
                "Exported {} to {}",
                invitations_count(rows),
                file.name
            )),
            Err(error) => toasts.failure(format!("The browser did not save the file ({error})")),
        }
    };
    view! {
        <button
            type="button"
            class="btn btn-secondary btn-small export-invitations"
            disabled=move || invitations.with(Vec::is_empty)
            on:click=export
        >
            <Icon kind=IconKind::Download />
            {move || format!("Export CSV ({})", invitations_count(invitations.with(Vec::len)))}
        </button>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::Toaster;
    use crate::state::Toasts;
    use crate::testing::browser::*;
    use crate::testing::fixtures::{invitation, member};
    use roster_core::{global_assignment, InvitationState, Role, AUDITOR_ID, DEVELOPER_ID};
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Twelve members: u000 an owner; u001 an Auditor and Developer; u002
    /// named like a formula, u003 with a comma in their name.
    fn twelve_members() -> Vec<OrganizationUser> {
        let mut list: Vec<_> = (0..12)
            .map(|n| member(n, if n == 0 { Role::Owner } else { Role::Member }))
            .collect();
        list[1].assigned_roles = [AUDITOR_ID, DEVELOPER_ID]
            .iter()
            .map(|id| {
                global_assignment(id)
                    .expect("a global assignment")
                    .to_wire(list[1].created_at)
            })
            .collect();
        list[2].name = "=HYPERLINK(\"http://evil\")".into();
        list[3].name = "Doe, Jane".into();
        list[1].last_active_at = Some("2026-03-01T09:30:00Z".parse().expect("a timestamp"));
        list
    }

    fn lines(text: &str) -> Vec<&str> {
        text.strip_suffix("\r\n")
            .expect("the last line ends with CRLF")
            .split("\r\n")
            .collect()
    }

    #[page_test]
    async fn the_members_file_holds_everyone_or_only_the_matches() {
        let owner = Owner::new();
        owner.with(|| {
            let store = MemberStore::new();
            store.replace_all(&twelve_members());

            let (text, rows) = members_csv(store, "", 12);
            assert_eq!(rows, 12);
            let all = lines(&text);
            assert_eq!(all.len(), 13);
            assert_eq!(all[0], "Email,Name,Role,Assignments,Joined,Last active");
            assert_eq!(
                all[1],
                "member000@example.com,Member 000,Owner,,1970-01-01T00:00:00.000Z,"
            );
            assert_eq!(
                all[2],
                "member001@example.com,Member 001,Member,Auditor; Developer,\
                 1970-01-02T00:00:00.000Z,2026-03-01T09:30:00.000Z"
            );
            // Never a formula; quoted where it must be.
            assert_eq!(
                all[3],
                "member002@example.com,\"'=HYPERLINK(\"\"http://evil\"\")\",Member,,1970-01-03T00:00:00.000Z,"
            );
            assert!(all[4].starts_with("member003@example.com,\"Doe, Jane\",Member,"));

            // A search exports its matches only, in the list's order; it
            // reads the same fields as the table's (here an assignment).
            let (text, rows) = members_csv(store, "  MEMBER01 ", 2);
            assert_eq!(rows, 2);
            let matching = lines(&text);
            assert_eq!(matching.len(), 3);
            assert!(matching[1].starts_with("member010@example.com,"));
            assert!(matching[2].starts_with("member011@example.com,"));
            let (text, rows) = members_csv(store, "auditor", 1);
            assert_eq!(rows, 1);
            assert!(lines(&text)[1].starts_with("member001@example.com,"));
            let (text, rows) = members_csv(store, "nobody", 0);
            assert_eq!((lines(&text).len(), rows), (1, 0), "the header alone");
            assert_eq!(store.count_matching("member01"), 2);
            assert_eq!(store.count_matching(""), 12);
        });
    }

    #[page_test]
    async fn the_invitations_file_says_which_are_pending_and_which_expired() {
        let mut open = invitation(1);
        open.assigned_roles = vec![global_assignment(AUDITOR_ID)
            .expect("the Auditor")
            .to_wire(open.created_at)];
        let mut expired = invitation(2);
        expired.invited_by = "-owner@example.com".into();
        // The list is read as of the day before invitation 2 expires, then
        // after.
        let now = expired.expires_at - chrono::TimeDelta::days(1);
        let text = invitations_csv(&[open.clone(), expired.clone()], now);
        let rows = lines(&text);
        assert_eq!(
            rows[0],
            "Email,Role,Assignments,Invited by,Sent,Expires,Status"
        );
        assert_eq!(
            rows[1],
            "invitee001@example.com,Member,Auditor,owner@example.com,\
             2098-12-31T23:59:00.000Z,2099-01-07T23:59:00.000Z,Pending"
        );
        assert_eq!(
            rows[2],
            "invitee002@example.com,Member,,'-owner@example.com,\
             2098-12-31T23:58:00.000Z,2099-01-07T23:58:00.000Z,Pending"
        );
        let later = expired.expires_at + chrono::TimeDelta::minutes(1);
        assert_eq!(expired.state(later), InvitationState::Expired);
        let text = invitations_csv(&[expired], later);
        assert!(lines(&text)[1].ends_with(",Expired"));
    }

    #[page_test]
    async fn files_are_named_after_the_organization_and_the_day() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).expect("a day");
        assert_eq!(
            file_name("Initech", "members", day),
            "initech-members-2026-12-03.csv"
        );
        assert_eq!(
            file_name("  Acme Corp. (EU) ", "invitations", day),
            "acme-corp-eu-invitations-2026-12-03.csv"
        );
        assert_eq!(
            file_name("Zoë & Co", "members", day),
            "zoë-co-members-2026-12-03.csv"
        );
        assert_eq!(
            file_name("../..", "members", day),
            "organization-members-2026-12-03.csv"
        );
    }

    /// The button says what it exports, waits for every member, and the
    /// file it saves is announced.
    #[page_test]
    async fn the_button_exports_what_it_says_and_announces_the_file() {
        let fixture = Fixture::new();
        let store = MemberStore::new();
        let search = RwSignal::new(String::new());
        let _mounted = fixture.mount(move || {
            provide_context(Toasts::new());
            view! {
                <ExportMembers store=store search=search organization="Initech" />
                <Toaster />
            }
        });
        let list = twelve_members();
        store.show_first_page(&list[..5], 12);
        settle().await;
        let button = fixture.find("button.export-members");
        assert_eq!(
            button.text_content().unwrap(),
            "Export CSV (waiting for every member)"
        );
        assert!(button.has_attribute("disabled"));

        store.replace_all(&list);
        settle().await;
        assert_eq!(button.text_content().unwrap(), "Export CSV (12 members)");
        assert!(!button.has_attribute("disabled"));
        search.set("member01".into());
        settle().await;
        assert_eq!(button.text_content().unwrap(), "Export CSV (2 matching)");

        let downloads = Downloads::capture();
        button.click();
        settle().await;
        let files = downloads.files().await;
        assert_eq!(files.len(), 1);
        let (name, text) = &files[0];
        let today = chrono::Local::now().date_naive();
        assert_eq!(*name, file_name("Initech", "members", today));
        assert!(name.starts_with("initech-members-"));
        assert_eq!(lines(text).len(), 3, "the header and the 2 matches");
        let status = fixture.find(".toast-stack[role=status]");
        assert_eq!(
            status.text_content().unwrap(),
            format!("Exported 2 members to {name}")
        );

        search.set("nobody".into());
        settle().await;
        assert_eq!(button.text_content().unwrap(), "Export CSV (none matching)");
        assert!(button.has_attribute("disabled"));
    }
}
