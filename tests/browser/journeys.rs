//! The product's main journeys, each as the users who take part in it, on a
//! fresh database seeded with the demo data (alice owns Acme Corp, where bob
//! is a Developer and carol an Auditor).

use reqwest::Method;
use roster_browser_tests::{eventually, Browser, Server, TestResult};
use serde_json::{json, Value};

const PASSWORD: &str = "roster-demo";

/// The id of one of `email`'s organizations, by name.
pub(crate) async fn organization_id(
    server: &Server,
    email: &str,
    name: &str,
) -> TestResult<String> {
    let token = server.token(email, PASSWORD).await?;
    server.organization_named(&token, name).await
}

async fn open_members(browser: &Browser, server: &Server, organization: &str) -> TestResult {
    browser
        .client
        .goto(&format!("{}/org/{organization}/members", server.url))
        .await?;
    browser.role("heading", "Members").await?;
    Ok(())
}

/// A browser signed in as `email` (demo password) on `organization`'s
/// members page.
async fn members_page_as(server: &Server, email: &str, organization: &str) -> TestResult<Browser> {
    let browser = Browser::start().await?;
    browser.sign_in(server, email, PASSWORD).await?;
    open_members(&browser, server, organization).await?;
    Ok(browser)
}

#[tokio::test]
async fn an_owner_invites_two_people_and_one_signs_up_and_joins() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;

    let owner = members_page_as(&server, "alice@example.com", &acme).await?;
    owner.click("button", "Invite Member").await?;
    owner.role("dialog", "Invite Member").await?;
    owner
        .fill("Email addresses", "erin@example.com,\nFrank@Example.com")
        .await?;
    owner.click("checkbox", "Auditor").await?;
    owner.click("button", "Send invitations").await?;
    owner.role("heading", "Pending invitations").await?;
    owner.wait_for_page_text("frank@example.com").await?;

    let invitee = Browser::start().await?;
    invitee
        .client
        .goto(&format!("{}/sign-up", server.url))
        .await?;
    invitee.fill("Name", "Erin Example").await?;
    invitee.fill("Email", "erin@example.com").await?;
    invitee.fill("Password", "erin-password").await?;
    invitee.click("button", "Sign up").await?;
    invitee.wait_for_path("/org/").await?;

    invitee
        .client
        .goto(&format!("{}/invitations", server.url))
        .await?;
    let row = invitee
        .wait_for_text("table[aria-label='Invitations'] tbody tr", "Acme Corp")
        .await?;
    assert!(row.contains("alice@example.com"), "{row}");
    assert!(row.contains("Member"), "{row}");
    assert!(
        row.contains("Developer") && row.contains("Auditor"),
        "{row}"
    );

    invitee.click("button", "Accept").await?;
    let path = invitee.wait_for_path(&format!("/org/{acme}")).await?;
    assert!(path.ends_with("/members"), "{path}");
    invitee.role("heading", "Members").await?;
    // The switcher shows the new organization without a reload.
    invitee
        .wait_for_text("nav[aria-label='Sidebar']", "Acme Corp")
        .await?;

    owner.close().await?;
    invitee.close().await?;
    Ok(())
}

/// A large organization (Initech: 2,000 generated members) asks for the
/// table's first page, then for everyone; the table ends up with every
/// member, searchable, with the owner's controls.
#[tokio::test]
async fn a_large_organization_shows_its_first_page_then_everyone() -> TestResult {
    let server = Server::start(true).await?;
    let initech = organization_id(&server, "alice@example.com", "Initech").await?;
    let token = server.token("alice@example.com", PASSWORD).await?;
    let mut members = server.members(&token, &initech).await?;
    members.sort_by_key(|m| m.sort_name());
    // The first member on the first page other than Alice, and the last
    // member of all (not on the first page).
    let (Some(first), Some(last)) = (
        members.iter().find(|m| m.email != "alice@example.com"),
        members.last(),
    ) else {
        return Err("Initech has members".into());
    };

    let owner = members_page_as(&server, "alice@example.com", &initech).await?;
    let n = members.len();
    let everyone = format!(
        "Showing 1\u{2013}25 of {},{:03} members",
        n / 1000,
        n % 1000
    );
    // The first page reads "… (loading the rest)" for a moment.
    eventually("every member loaded", async || {
        let count = owner.wait_for_text(".table-count", &everyone).await?;
        Ok(if count.trim() == everyone {
            Ok(())
        } else {
            Err(count)
        })
    })
    .await?;
    let reads = list_queries_and_statuses(&owner).await?;
    assert_eq!(
        reads,
        [("?limit=25".to_string(), 200), (String::new(), 200)]
    );
    owner
        .role("combobox", &format!("Role for {}", first.email))
        .await?;
    let search = owner.role("searchbox", "Search members").await?;
    search.send_keys(&last.email).await?;
    owner.wait_for_text("tbody", &last.email).await?;
    owner.wait_for_text(".table-count", "1 matching").await?;

    // Other pages show no first page: they read everyone at once.
    owner
        .client
        .goto(&format!("{}/org/{initech}/settings", server.url))
        .await?;
    owner.role("button", "Delete Organization").await?;
    let reads = list_queries_and_statuses(&owner).await?;
    assert_eq!(reads, [(String::new(), 200)]);
    owner.close().await?;
    Ok(())
}

/// The member list reads of this page: their query and status.
async fn list_queries_and_statuses(browser: &Browser) -> TestResult<Vec<(String, u64)>> {
    Ok(browser
        .member_list_reads()
        .await?
        .into_iter()
        .map(|(query, status, _)| (query, status))
        .collect())
}

#[tokio::test]
async fn a_member_given_auditor_sees_audit_logs_after_returning_to_the_window() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;

    let member = members_page_as(&server, "bob@example.com", &acme).await?;
    assert!(member.has_role("link", "Members").await?);
    assert!(!member.has_role("link", "Audit Logs").await?);

    // Coming back while nothing changed: the list is checked, and the
    // server's answer is that it did not change (no members sent again).
    // The first read asked for the first page: everyone, in Acme.
    let reads = member.member_list_reads().await?;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!((reads[0].0.as_str(), reads[0].1), ("?limit=25", 200));
    assert!(reads[0].2 > 0);
    member.refocus_window().await?;
    let reads = eventually("a second read of the member list", async || {
        let reads = member.member_list_reads().await?;
        Ok(if reads.len() >= 2 {
            Ok(reads)
        } else {
            Err(format!("{reads:?}"))
        })
    })
    .await?;
    assert_eq!(
        reads.get(1).map(|r| (r.0.as_str(), r.1, r.2)),
        Some(("", 304, 0)),
        "{reads:?}"
    );
    assert!(member.has_role("link", "Members").await?);
    member.wait_for_text("tbody", "bob@example.com").await?;

    let owner = members_page_as(&server, "alice@example.com", &acme).await?;
    owner
        .click("button", "Assignments for bob@example.com")
        .await?;
    owner.click("checkbox", "Auditor").await?;
    owner.click("button", "Save").await?;
    // The confirmation says what bob gains before anything is saved.
    owner.role("dialog", "Change access").await?;
    owner.wait_for_text("[role='dialog']", "Gains").await?;
    owner.click("button", "Confirm").await?;
    owner.wait_for_text("tbody", "Auditor").await?;

    member.refocus_window().await?;
    member.role("link", "Audit Logs").await?;

    owner.close().await?;
    member.close().await?;
    Ok(())
}

#[tokio::test]
async fn an_access_change_the_server_refuses_is_taken_back_from_the_row() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let (status, assignment) = server
        .api(
            Method::POST,
            &format!("/organizations/{acme}/roles"),
            Some(&alice),
            Some(json!({
                "name": "Release managers",
                "description": "Publish releases",
                "permissions": ["write:registries"],
            })),
        )
        .await?;
    assert!((200..300).contains(&status), "{status} {assignment}");
    let assignment_id = assignment["id"].as_str().ok_or("no id")?.to_owned();

    let owner = members_page_as(&server, "alice@example.com", &acme).await?;
    owner
        .click("button", "Assignments for bob@example.com")
        .await?;
    owner.role("checkbox", "Release managers").await?;

    // Another owner's tab deletes the assignment meanwhile.
    let (status, _) = server
        .api(
            Method::DELETE,
            &format!("/organizations/{acme}/roles/{assignment_id}"),
            Some(&alice),
            None,
        )
        .await?;
    assert!((200..300).contains(&status), "{status}");

    owner.click("checkbox", "Release managers").await?;
    owner.click("button", "Save").await?;
    owner.role("dialog", "Change access").await?;
    owner.click("button", "Confirm").await?;

    // The server refuses; the page says so and bob's row does not keep
    // the assignment it showed while the change was being saved.
    owner
        .wait_for_page_text("One or more role IDs are invalid")
        .await?;
    eventually("bob's row without the refused assignment", async || {
        let row = owner
            .client
            .execute(
                "const row = [...document.querySelectorAll('tbody tr')]
                   .find((tr) => tr.textContent.includes('bob@example.com'));
                 return row ? row.textContent : null;",
                vec![],
            )
            .await?;
        let row = row.as_str().unwrap_or_default().to_owned();
        Ok(if !row.is_empty() && !row.contains("Release managers") {
            Ok(())
        } else {
            Err(row)
        })
    })
    .await?;
    let bob = members_of(&server, &alice, &acme)
        .await?
        .into_iter()
        .find(|m| m["email"] == "bob@example.com")
        .ok_or("bob is not listed")?;
    assert!(
        !bob["assignedRoles"]
            .to_string()
            .contains("Release managers"),
        "{bob}"
    );

    owner.close().await?;
    Ok(())
}

#[tokio::test]
async fn an_owner_demoted_by_another_owner_loses_the_owner_controls() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;
    // Make bob a second owner first.
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let bob_id = member_id(&server, &alice, &acme, "bob@example.com").await?;
    let (status, _) = server
        .api(
            Method::POST,
            &format!("/organizations/{acme}/users/{bob_id}/access"),
            Some(&alice),
            Some(json!({"role": "owner", "assignedRoleIds": []})),
        )
        .await?;
    assert_eq!(status, 200);

    let bob = members_page_as(&server, "bob@example.com", &acme).await?;
    bob.role("button", "Invite Member").await?;
    assert!(bob.has_role("link", "Assignments").await?);

    let owner = members_page_as(&server, "alice@example.com", &acme).await?;
    let role = owner.role("combobox", "Role for bob@example.com").await?;
    role.select_by_label("Member").await?;
    owner.click("button", "Confirm").await?;
    owner.wait_for_page_text("Full access").await?;

    bob.refocus_window().await?;
    eventually("the demoted owner without Invite Member", async || {
        let shown = bob.has_role("button", "Invite Member").await?;
        Ok(if shown {
            Err("Invite Member".to_owned())
        } else {
            Ok(())
        })
    })
    .await?;
    assert!(!bob.has_role("link", "Assignments").await?);

    owner.close().await?;
    bob.close().await?;
    Ok(())
}

/// The organization's members as the API lists them to `token`.
async fn members_of(server: &Server, token: &str, organization: &str) -> TestResult<Vec<Value>> {
    let (status, members) = server
        .api(
            Method::GET,
            &format!("/organizations/{organization}/users"),
            Some(token),
            None,
        )
        .await?;
    match members.as_array() {
        Some(list) if status == 200 => Ok(list.clone()),
        _ => Err(format!("listing members: {status} {members}").into()),
    }
}

/// The status of `GET /organizations/{organization}` for `token`.
async fn organization_status(server: &Server, token: &str, organization: &str) -> TestResult<u16> {
    let path = format!("/organizations/{organization}");
    let (status, _) = server.api(Method::GET, &path, Some(token), None).await?;
    Ok(status)
}

/// The API's entry for the member with `email`, if there is one.
fn member_entry<'a>(members: &'a [Value], email: &str) -> Option<&'a Value> {
    members.iter().find(|m| m["email"] == email)
}

pub(crate) async fn member_id(
    server: &Server,
    token: &str,
    organization: &str,
    email: &str,
) -> TestResult<String> {
    let members = members_of(server, token, organization).await?;
    member_entry(&members, email)
        .and_then(|m| m["userId"].as_str())
        .map(str::to_string)
        .ok_or_else(|| format!("{email} is not a member").into())
}

#[tokio::test]
async fn a_sole_owner_leaves_with_a_successor() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;

    let owner = Browser::start().await?;
    owner
        .sign_in(&server, "alice@example.com", PASSWORD)
        .await?;
    owner
        .client
        .goto(&format!("{}/org/{acme}/settings", server.url))
        .await?;
    owner.role("heading", "Settings").await?;
    mark_the_document(&owner).await?;
    owner.click("button", "Leave Organization").await?;
    owner.role("alertdialog", "Leave Organization").await?;
    let successor = owner.role("combobox", "New owner").await?;
    successor
        .select_by_label("Carol Clark (carol@example.com)")
        .await?;
    owner.click("button", "Leave").await?;
    owner.wait_for_path("/org/").await?;
    eventually("a page outside Acme Corp", async || {
        let path = owner.path().await?;
        Ok(if path.contains(&acme) {
            Err(path)
        } else {
            Ok(())
        })
    })
    .await?;
    // Gone from the switcher too, without a reload.
    wait_until_page_lacks(&owner, "Acme Corp").await?;
    assert!(
        still_the_same_document(&owner).await?,
        "the page was loaded again"
    );

    let carol = server.token("carol@example.com", PASSWORD).await?;
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let members = members_of(&server, &carol, &acme).await?;
    let carol_row = member_entry(&members, "carol@example.com").ok_or("carol is not listed")?;
    assert_eq!(carol_row["role"], "owner");
    assert_eq!(
        organization_status(&server, &alice, &acme).await?,
        403,
        "alice is no longer a member"
    );

    owner.close().await?;
    Ok(())
}

#[tokio::test]
async fn an_owner_renames_then_deletes_with_the_typed_name_and_lands_in_personal() -> TestResult {
    let server = Server::start(true).await?;
    let globex = organization_id(&server, "alice@example.com", "Globex").await?;

    let owner = Browser::start().await?;
    owner
        .sign_in(&server, "alice@example.com", PASSWORD)
        .await?;
    owner
        .client
        .goto(&format!("{}/org/{globex}/settings", server.url))
        .await?;
    owner.role("heading", "Settings").await?;
    mark_the_document(&owner).await?;
    owner.fill("Name", "Globex Worldwide").await?;
    owner.click("button", "Save").await?;
    owner
        .wait_for_text("nav[aria-label='Sidebar']", "Globex Worldwide")
        .await?;

    owner.click("button", "Delete Organization").await?;
    owner.role("alertdialog", "Delete Organization").await?;
    let delete = owner.role("button", "Delete").await?;
    assert!(
        !delete.is_enabled().await?,
        "Delete is disabled until the name is typed"
    );
    owner
        .fill("Type Globex Worldwide to confirm", "Globex")
        .await?;
    assert!(
        !delete.is_enabled().await?,
        "a partial name does not enable Delete"
    );
    owner
        .fill("Type Globex Worldwide to confirm", "Globex Worldwide")
        .await?;
    assert!(delete.is_enabled().await?);
    delete.click().await?;

    let personal = organization_id(&server, "alice@example.com", "Personal").await?;
    owner.wait_for_path(&format!("/org/{personal}")).await?;
    wait_until_page_lacks(&owner, "Globex Worldwide").await?;
    assert!(
        still_the_same_document(&owner).await?,
        "the page was loaded again"
    );
    let alice = server.token("alice@example.com", PASSWORD).await?;
    assert_eq!(
        organization_status(&server, &alice, &globex).await?,
        403,
        "the organization is gone"
    );

    owner.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_member_sees_neither_invite_nor_delete_controls() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;

    let member = members_page_as(&server, "carol@example.com", &acme).await?;
    member.wait_for_page_text("bob@example.com").await?;
    assert!(!member.has_role("button", "Invite Member").await?);
    assert!(
        !member
            .has_role("combobox", "Role for bob@example.com")
            .await?
    );
    assert!(!member.has_role("button", "Remove bob@example.com").await?);
    // An Auditor reads the audit log.
    assert!(member.has_role("link", "Audit Logs").await?);

    member
        .client
        .goto(&format!("{}/org/{acme}/settings", server.url))
        .await?;
    member.role("button", "Leave Organization").await?;
    assert!(!member.has_role("button", "Delete Organization").await?);

    member
        .client
        .goto(&format!("{}/org/{acme}/roles", server.url))
        .await?;
    member
        .wait_for_page_text("You don't have access to this page")
        .await?;

    member.close().await?;
    Ok(())
}

/// What the sole-owner notice says (src/pages/members/owner_notice.rs).
const SOLE_OWNER_NOTICE: &str = "You are the only owner";

/// The members table's count line (src/pages/members/table.rs).
const MEMBER_COUNT: &str = ".members-table .table-count";

/// Marks the document, so that [`still_the_same_document`] can tell whether
/// the page was loaded again, and keeps every request's timing (for
/// [`member_list_loads`]).
pub(crate) async fn mark_the_document(browser: &Browser) -> TestResult {
    browser
        .client
        .execute(
            "window.__rosterTestMark = 1; performance.setResourceTimingBufferSize(100000);",
            vec![],
        )
        .await?;
    Ok(())
}

/// Whether the document marked by [`mark_the_document`] is still the one shown.
pub(crate) async fn still_the_same_document(browser: &Browser) -> TestResult<bool> {
    let mark = browser
        .client
        .execute("return window.__rosterTestMark === 1;", vec![])
        .await?;
    Ok(mark.as_bool() == Some(true))
}

/// How many times this document asked for `organization`'s member list
/// (its prefetch included).
async fn member_list_loads(browser: &Browser, organization: &str) -> TestResult<u64> {
    let count = browser
        .client
        .execute(
            "const path = '/api/organizations/' + encodeURIComponent(arguments[0]) + '/users';
             return performance.getEntriesByType('resource')
                 .filter(e => new URL(e.name).pathname === path).length;",
            vec![organization.into()],
        )
        .await?;
    count
        .as_u64()
        .ok_or_else(|| format!("not a count: {count}").into())
}

/// Waits until the page's visible text no longer contains `text`.
pub(crate) async fn wait_until_page_lacks(browser: &Browser, text: &str) -> TestResult {
    eventually(&format!("the page without {text:?}"), async || {
        let body = browser.wait_for_text("body", "").await?;
        Ok(if body.contains(text) {
            Err("it".to_owned())
        } else {
            Ok(())
        })
    })
    .await
}

/// Waits until the member's row is gone from the table.
pub(crate) async fn wait_until_row_gone(browser: &Browser, user_id: &str) -> TestResult {
    let row = format!("tr[data-member='{user_id}']");
    eventually(&format!("the row of {user_id} gone"), async || {
        let rows = browser
            .client
            .find_all(fantoccini::Locator::Css(&row))
            .await?;
        Ok(if rows.is_empty() {
            Ok(())
        } else {
            Err("the row".to_owned())
        })
    })
    .await
}

#[tokio::test]
async fn a_sole_owner_promotes_one_member_and_removes_another_without_any_reload() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let bob_id = member_id(&server, &alice, &acme, "bob@example.com").await?;
    let carol_id = member_id(&server, &alice, &acme, "carol@example.com").await?;
    let bob_row = format!("tr[data-member='{bob_id}']");

    let owner = members_page_as(&server, "alice@example.com", &acme).await?;
    owner
        .wait_for_text("[role='note']", SOLE_OWNER_NOTICE)
        .await?;
    owner
        .wait_for_text(MEMBER_COUNT, "Showing 1\u{2013}3 of 3 members")
        .await?;
    owner.wait_for_text(&bob_row, "Developer").await?;
    mark_the_document(&owner).await?;
    let loads = member_list_loads(&owner, &acme).await?;
    assert!(loads >= 1, "the member list was loaded ({loads} times)");

    let role = owner.role("combobox", "Role for bob@example.com").await?;
    role.select_by_label("Owner").await?;
    owner.role("dialog", "Change access").await?;
    owner.wait_for_text("[role='dialog']", "Owner").await?;
    owner.click("button", "Confirm").await?;
    owner.wait_for_text(&bob_row, "Full access").await?;
    // The owner count follows the change: alice is no longer the sole
    // owner, and bob, now an owner, may be made a member or removed (both
    // need a second owner).
    wait_until_page_lacks(&owner, SOLE_OWNER_NOTICE).await?;
    owner.role("button", "Remove bob@example.com").await?;
    owner.role("combobox", "Role for bob@example.com").await?;

    owner.click("button", "Remove carol@example.com").await?;
    owner.role("alertdialog", "Remove member").await?;
    owner.click("button", "Remove").await?;
    wait_until_row_gone(&owner, &carol_id).await?;
    owner
        .wait_for_text(MEMBER_COUNT, "Showing 1\u{2013}2 of 2 members")
        .await?;
    let table = owner.wait_for_text(".members-table tbody", "").await?;
    assert!(!table.contains("carol@example.com"), "{table}");

    assert!(
        still_the_same_document(&owner).await?,
        "the page was loaded again"
    );
    assert_eq!(
        member_list_loads(&owner, &acme).await?,
        loads,
        "the member list was loaded again"
    );

    // The server agrees, and says so after a reload.
    owner.client.refresh().await?;
    owner.role("heading", "Members").await?;
    assert!(
        !still_the_same_document(&owner).await?,
        "a reload is told apart"
    );
    owner
        .wait_for_text(MEMBER_COUNT, "Showing 1\u{2013}2 of 2 members")
        .await?;
    owner.wait_for_text(&bob_row, "Full access").await?;
    // Shown only once the capabilities count two owners.
    owner.role("button", "Remove bob@example.com").await?;
    assert!(!owner.has_role("button", "Remove carol@example.com").await?);
    let page = owner.wait_for_text("body", "").await?;
    assert!(!page.contains(SOLE_OWNER_NOTICE), "{page}");
    assert!(!page.contains("carol@example.com"), "{page}");

    let members = members_of(&server, &alice, &acme).await?;
    let role_of = |email: &str| member_entry(&members, email).map(|m| m["role"].clone());
    assert_eq!(role_of("bob@example.com"), Some(json!("owner")));
    assert_eq!(role_of("alice@example.com"), Some(json!("owner")));
    assert_eq!(role_of("carol@example.com"), None, "carol was removed");
    assert_eq!(members.len(), 2);

    owner.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_new_sign_in_in_the_same_tab_sees_only_its_own_data() -> TestResult {
    let server = Server::start(true).await?;
    let (status, body) = server
        .api(
            Method::POST,
            "/auth/sign-up",
            None,
            Some(json!({
                "name": "Grace Green",
                "email": "grace@example.com",
                "password": "grace-password",
            })),
        )
        .await?;
    assert!((200..300).contains(&status), "sign-up: {status} {body}");
    let grace = server.token("grace@example.com", "grace-password").await?;
    let (status, umbrella) = server
        .api(
            Method::POST,
            "/organizations",
            Some(&grace),
            Some(json!({"name": "Umbrella Labs"})),
        )
        .await?;
    assert!((200..300).contains(&status), "{status} {umbrella}");
    let umbrella = umbrella["id"].as_str().ok_or("no organization id")?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;
    let personal = organization_id(&server, "alice@example.com", "Personal").await?;

    let browser = Browser::start().await?;
    browser
        .sign_in(&server, "grace@example.com", "grace-password")
        .await?;
    // Loaded by URL: the page starts grace's requests before the app.
    open_members(&browser, &server, umbrella).await?;
    browser
        .wait_for_text(".members-table tbody", "grace@example.com")
        .await?;
    browser
        .wait_for_text("nav[aria-label='Sidebar']", "Umbrella Labs")
        .await?;
    mark_the_document(&browser).await?;

    browser
        .click("button", "Grace Green grace@example.com")
        .await?;
    browser.click("menuitem", "Sign out").await?;
    browser.wait_for_path("/sign-in").await?;
    browser.fill("Email", "alice@example.com").await?;
    browser.fill("Password", PASSWORD).await?;
    browser.click("button", "Sign in").await?;
    // Her own organizations decide where she lands: her personal one.
    let landing = browser.wait_for_path("/org/").await?;
    assert_eq!(
        landing,
        format!("/org/{personal}/members"),
        "alice landed where another account's organizations led"
    );
    browser
        .role("button", "Alice Anderson alice@example.com")
        .await?;

    browser
        .find("button.org-switcher-trigger")
        .await?
        .click()
        .await?;
    browser.role("menuitemradio", "Acme Corp").await?;
    assert!(
        !browser.has_role("menuitemradio", "Umbrella Labs").await?,
        "alice is offered grace's organization"
    );
    browser.click("menuitemradio", "Acme Corp").await?;
    browser
        .wait_for_path(&format!("/org/{acme}/members"))
        .await?;
    browser.role("heading", "Members").await?;
    browser
        .wait_for_text(".members-table tbody", "bob@example.com")
        .await?;
    browser
        .wait_for_text(".members-table tbody", "carol@example.com")
        .await?;
    browser
        .wait_for_text("nav[aria-label='Sidebar']", "Acme Corp")
        .await?;
    // Alice's own controls, from her own member list.
    browser.role("button", "Invite Member").await?;
    browser.role("button", "Remove bob@example.com").await?;

    let page = browser.wait_for_text("body", "").await?;
    for shown in ["Umbrella Labs", "grace@example.com", "Grace Green"] {
        assert!(!page.contains(shown), "alice sees {shown:?}: {page}");
    }
    // One document throughout: what alice sees was not left by grace.
    assert!(
        still_the_same_document(&browser).await?,
        "the page was loaded again"
    );

    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn an_invitee_who_has_not_verified_the_address_is_told_to_verify_it() -> TestResult {
    // Not dev mode: a new account must verify its e-mail before it sees or
    // accepts invitations (`docs/api.md`, "Invitations").
    let server = Server::start(false).await?;
    let (status, owner) = server
        .api(
            Method::POST,
            "/auth/sign-up",
            None,
            Some(json!({"email": "olga@example.com", "password": "olga-password", "name": "Olga Owner"})),
        )
        .await?;
    assert_eq!(status, 201, "{owner}");
    let token = owner["token"].as_str().ok_or("no token")?.to_string();
    let (status, organization) = server
        .api(
            Method::POST,
            "/organizations",
            Some(&token),
            Some(json!({"name": "Hooli"})),
        )
        .await?;
    assert_eq!(status, 201, "{organization}");
    let hooli = organization["id"].as_str().ok_or("no id")?;
    let (status, invitation) = server
        .api(
            Method::POST,
            &format!("/organizations/{hooli}/invitations"),
            Some(&token),
            Some(json!({"email": "nina@example.com", "role": "member"})),
        )
        .await?;
    assert_eq!(status, 201, "{invitation}");
    let invitation = invitation["id"].as_str().ok_or("no id")?;

    // The e-mailed link, opened signed out: sign up, then back to the link.
    let invitee = Browser::start().await?;
    invitee
        .client
        .goto(&format!("{}/invitations?id={invitation}", server.app))
        .await?;
    invitee.wait_for_path("/sign-in").await?;
    invitee.click("link", "Sign up").await?;
    invitee.fill("Name", "Nina New").await?;
    invitee.fill("Email", "nina@example.com").await?;
    invitee.fill("Password", "nina-password").await?;
    invitee.click("button", "Sign up").await?;
    invitee
        .wait_for_path(&format!("/invitations?id={invitation}"))
        .await?;

    // Why the invitation cannot be answered yet, not "does not exist".
    let dialog = invitee.role("dialog", "Organization invitation").await?;
    let explained = eventually("the dialog's explanation", async || {
        let text = dialog.text().await?;
        Ok(
            if text.contains("Verify your e-mail address to see and accept this invitation") {
                Ok(text)
            } else {
                Err(format!("{text:?}"))
            },
        )
    })
    .await?;
    assert!(explained.contains("nina@example.com"), "{explained}");
    assert!(!explained.contains("does not exist"), "{explained}");
    invitee.click("button", "Close").await?;
    invitee
        .wait_for_page_text("Verify your e-mail address to see your invitations.")
        .await?;
    let page = invitee.wait_for_text("main", "").await?;
    assert!(
        !page.contains("You have no pending organization invitations."),
        "{page}"
    );

    // The verification link, opened in another browser (signed out): it
    // asks for the account, then verifies it.
    let link = server
        .mailed_link("nina@example.com")
        .ok_or("no verification mail for nina@example.com")?;
    assert!(link.contains("/verify-email?token="), "{link}");
    let elsewhere = Browser::start().await?;
    elsewhere.client.goto(&link).await?;
    elsewhere
        .wait_for_page_text("Sign in with the account you created to verify its e-mail address.")
        .await?;
    elsewhere.click("link", "Sign in").await?;
    elsewhere.fill("Email", "nina@example.com").await?;
    elsewhere.fill("Password", "nina-password").await?;
    elsewhere.click("button", "Sign in").await?;
    elsewhere
        .wait_for_page_text("Your e-mail address is verified.")
        .await?;
    elsewhere.close().await?;

    // Back in the first tab, the invitation can now be answered.
    invitee
        .client
        .goto(&format!("{}/invitations?id={invitation}", server.app))
        .await?;
    invitee.role("button", "Accept").await?;
    invitee
        .wait_for_text("table[aria-label='Invitations'] tbody tr", "Hooli")
        .await?;

    invitee.close().await?;
    Ok(())
}
