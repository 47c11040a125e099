//! The Audit Logs page against the real server: a filtered view shared as
//! a link, pickers filled from the server's scenarios, and the export of
//! the filtered view, including when it fails.
//!
//! What a view should hold is asked of the API with the same filters, so
//! the tests hold whatever the demo's history is.

use reqwest::Method;
use roster_browser_tests::{Browser, Server, TestResult};
use roster_core::audit::{action_label, target_type_label, CSV_COLUMNS};
use serde_json::{json, Value};

use crate::actions::PASSWORD;

/// Signed in on an Audit Logs address, its heading shown.
async fn signed_in(server: &Server, email: &str, path: &str) -> TestResult<Browser> {
    let browser = crate::actions::signed_in(server, email, path).await?;
    browser.role("heading", "Audit Logs").await?;
    Ok(browser)
}

/// The entries the API lists for `query` (one page of up to 200).
async fn listed(
    server: &Server,
    token: &str,
    organization: &str,
    query: &str,
) -> TestResult<Vec<Value>> {
    let (status, page) = server
        .api(
            Method::GET,
            &format!("/audit/organizations/{organization}?limit=200&{query}"),
            Some(token),
            None,
        )
        .await?;
    assert_eq!(status, 200, "{page}");
    Ok(page["items"].as_array().cloned().unwrap_or_default())
}

fn target_ids(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["targetId"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The full target ids of the rows shown, in order.
async fn shown(browser: &Browser) -> TestResult<Vec<String>> {
    let ids = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.audit-table tbody tr')]
               .map((tr) => tr.querySelector('.audit-target-id')?.title ?? '');",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(ids)?)
}

async fn wait_for_rows(browser: &Browser, expected: &[String]) -> TestResult {
    browser
        .eventually(&format!("the rows of targets {expected:?}"), async || {
            let rows = shown(browser).await?;
            Ok(if rows == expected {
                Ok(())
            } else {
                Err(format!("{rows:?}"))
            })
        })
        .await
}

/// The text of the option chosen in the select labelled `label`, and the
/// texts of all its options.
async fn picker(browser: &Browser, label: &str) -> TestResult<(String, Vec<String>)> {
    let found = browser
        .client
        .execute(
            "const label = [...document.querySelectorAll('.audit-filters label')]
               .find((l) => l.textContent === arguments[0]);
             const select = label && document.getElementById(label.htmlFor);
             if (!select) return null;
             return [select.selectedOptions[0]?.textContent ?? '',
                     [...select.options].map((o) => o.textContent)];",
            vec![label.into()],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}

async fn wait_for_options(browser: &Browser, label: &str, expected: &[String]) -> TestResult {
    browser
        .eventually(
            &format!("the {label} picker listing {expected:?}"),
            async || {
                let (_, options) = picker(browser, label).await?;
                Ok(if options == expected {
                    Ok(())
                } else {
                    Err(format!("{options:?}"))
                })
            },
        )
        .await
}

async fn choose(browser: &Browser, label: &str, option: &str) -> TestResult {
    browser
        .role("combobox", label)
        .await?
        .select_by_label(option)
        .await?;
    Ok(())
}

/// The cells of a CSV text (RFC 4180), row by row.
pub(crate) fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// An owner opens a link to a filtered view: only its entries show, with
/// the pickers set; another outcome changes the address, in place.
#[tokio::test]
async fn a_shared_link_shows_its_view_and_the_address_follows_the_pickers() -> TestResult {
    let server = Server::start(true).await?;
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let acme = server.organization_named(&alice, "Acme Corp").await?;
    let refused = "action[in]=create&targetType[eq]=organization_invitation\
                   &statusCode[gte]=400&statusCode[lt]=500";
    let expected = target_ids(&listed(&server, &alice, &acme, refused).await?);
    assert!(!expected.is_empty(), "the demo has refused invitations");

    let owner = signed_in(
        &server,
        "alice@example.com",
        &format!("/org/{acme}/audit-logs?{refused}"),
    )
    .await?;
    wait_for_rows(&owner, &expected).await?;
    for (label, chosen) in [
        ("Target", "Invitation"),
        ("Action", "Create"),
        ("Outcome", "Client error"),
        ("User", "All users"),
    ] {
        assert_eq!(picker(&owner, label).await?.0, chosen, "{label}");
    }

    choose(&owner, "Outcome", "Success").await?;
    let succeeded = "action[in]=create&targetType[eq]=organization_invitation&statusCode[lt]=400";
    owner
        .wait_for_path(&format!("/org/{acme}/audit-logs?{succeeded}"))
        .await?;
    let expected = target_ids(&listed(&server, &alice, &acme, succeeded).await?);
    assert!(!expected.is_empty(), "the demo has sent invitations");
    wait_for_rows(&owner, &expected).await?;

    // The filters replaced the page's entry: Back leaves the page.
    owner.client.back().await?;
    let back = owner.wait_for_path("/org/").await?;
    assert!(!back.contains("audit-logs"), "Back went to {back}");
    owner.close().await?;
    Ok(())
}

/// The action and target pickers list what the server says it records,
/// and the filter bar fits a phone.
#[tokio::test]
async fn the_pickers_list_the_servers_scenarios() -> TestResult {
    let server = Server::start(true).await?;
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let acme = server.organization_named(&alice, "Acme Corp").await?;
    let (status, scenarios) = server
        .api(Method::GET, "/audit/scenarios", Some(&alice), None)
        .await?;
    assert_eq!(status, 200, "{scenarios}");
    let targets = scenarios["targets"].as_array().cloned().unwrap_or_default();
    let actions_of = |target: &Value| -> Vec<String> {
        target["actions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let mut every_action: Vec<String> = Vec::new();
    for action in targets.iter().flat_map(actions_of) {
        if !every_action.contains(&action) {
            every_action.push(action);
        }
    }
    let labelled = |first: &str, names: &[String], label: fn(&str) -> String| {
        std::iter::once(first.to_owned())
            .chain(names.iter().map(|n| label(n)))
            .collect::<Vec<_>>()
    };

    let owner = signed_in(
        &server,
        "alice@example.com",
        &format!("/org/{acme}/audit-logs"),
    )
    .await?;
    wait_for_options(
        &owner,
        "Action",
        &labelled("All actions", &every_action, action_label),
    )
    .await?;
    let target_types: Vec<String> = targets
        .iter()
        .filter_map(|t| t["targetType"].as_str())
        .map(str::to_owned)
        .collect();
    wait_for_options(
        &owner,
        "Target",
        &labelled("All targets", &target_types, target_type_label),
    )
    .await?;

    // One target: its actions only.
    let roles = targets
        .iter()
        .find(|t| t["targetType"] == "organization_role")
        .ok_or("no scenarios for assignments")?;
    choose(&owner, "Target", "Assignment").await?;
    owner
        .wait_for_path(&format!(
            "/org/{acme}/audit-logs?targetType[eq]=organization_role"
        ))
        .await?;
    wait_for_options(
        &owner,
        "Action",
        &labelled("All actions", &actions_of(roles), action_label),
    )
    .await?;

    // At phone width the filter bar wraps instead of overflowing.
    owner.client.set_window_size(390, 844).await?;
    owner
        .eventually("the filter bar within a phone's width", async || {
            let widths = owner
                .client
                .execute(
                    "const bar = document.querySelector('.audit-filters');
                     return [bar.scrollWidth, bar.clientWidth, document.documentElement.clientWidth];",
                    vec![],
                )
                .await?;
            let [scroll, client, page]: [u64; 3] = serde_json::from_value(widths)?;
            Ok(if scroll <= client && client <= page {
                Ok(())
            } else {
                Err(format!("filters {scroll} wide in {client}, page {page}"))
            })
        })
        .await?;
    owner.close().await?;
    Ok(())
}

/// Export CSV downloads exactly the filtered entries, and a value a
/// spreadsheet would run as a formula is neutralised.
#[tokio::test]
async fn export_csv_downloads_the_filtered_rows_with_formulas_neutralised() -> TestResult {
    let server = Server::start(true).await?;
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let acme = server.organization_named(&alice, "Acme Corp").await?;
    // A rename whose user agent, recorded in the log, is a formula.
    let formula = "=HYPERLINK(\"http://evil.example\",\"open\")";
    let renamed = reqwest::Client::new()
        .patch(format!("{}/api/organizations/{acme}", server.url))
        .bearer_auth(&alice)
        .header("User-Agent", formula)
        .json(&json!({ "name": "Acme Corp 2" }))
        .send()
        .await?;
    assert!(renamed.status().is_success(), "{}", renamed.status());

    let filters = "action[in]=update&targetType[eq]=organization";
    let entries = listed(&server, &alice, &acme, filters).await?;
    let ids: Vec<&str> = entries.iter().filter_map(|e| e["id"].as_str()).collect();
    let renaming = entries
        .iter()
        .find(|e| e["userAgent"] == formula)
        .and_then(|e| e["id"].as_str())
        .ok_or("the rename is not in the log")?;

    let owner = signed_in(
        &server,
        "alice@example.com",
        &format!("/org/{acme}/audit-logs?{filters}"),
    )
    .await?;
    wait_for_rows(&owner, &target_ids(&entries)).await?;
    owner.click("button", "Export").await?;
    owner.click("menuitem", "CSV").await?;
    owner
        .wait_for_text(
            ".export-status[role=status]",
            &format!("Exported {} rows to audit-log-", ids.len()),
        )
        .await?;
    let file = owner.downloaded("csv").await?;
    let text = std::fs::read_to_string(&file)?;
    let rows = csv_rows(&text);
    assert_eq!(rows[0], CSV_COLUMNS, "the header");
    let column = |name: &str| {
        CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap_or(usize::MAX)
    };
    let (id, user_agent) = (column("id"), column("userAgent"));
    let exported: Vec<&str> = rows[1..].iter().map(|r| r[id].as_str()).collect();
    assert_eq!(
        exported, ids,
        "the export holds exactly the filtered entries"
    );
    let row = rows[1..]
        .iter()
        .find(|r| r[id] == renaming)
        .ok_or("the rename is not exported")?;
    assert_eq!(row[user_agent], format!("'{formula}"));
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell a spreadsheet would run: {cell}"
            );
        }
    }
    owner.close().await?;
    Ok(())
}

/// An export that fails says why; the page goes on working.
#[tokio::test]
async fn a_failed_export_says_why_and_the_page_keeps_working() -> TestResult {
    let mut server = Server::start(true).await?;
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let acme = server.organization_named(&alice, "Acme Corp").await?;
    let entries = listed(&server, &alice, &acme, "").await?;
    let owner = signed_in(
        &server,
        "alice@example.com",
        &format!("/org/{acme}/audit-logs"),
    )
    .await?;
    wait_for_rows(&owner, &target_ids(&entries[..entries.len().min(50)])).await?;

    // Code the page downloads while the browser is idle may still be on
    // its way: with the server gone it cannot arrive, and the splitter's
    // loader logs that (the app waits for a click to try again).
    owner.expect_page_errors(&["__wasm_split.js", "TypeError: Failed to fetch"]);
    server.stop().await?;
    owner.click("button", "Export").await?;
    owner.click("menuitem", "JSON lines").await?;
    let said = owner
        .wait_for_text(
            ".export-status[role=alert]",
            "Could not export the audit log",
        )
        .await?;
    assert!(said.contains("Cannot reach"), "{said}");
    let violations = owner.axe_violations().await?;
    assert!(violations.is_empty(), "axe: {violations:#?}");

    // The filters still work, and the log says it cannot load.
    choose(&owner, "Outcome", "Server error").await?;
    owner
        .wait_for_path(&format!("/org/{acme}/audit-logs?statusCode[gte]=500"))
        .await?;
    owner
        .wait_for_page_text("Could not load the audit log")
        .await?;
    owner.click("button", "Dismiss").await?;
    owner
        .eventually("the export's message dismissed", async || {
            Ok(if owner.has_role("button", "Dismiss").await? {
                Err("still shown".to_owned())
            } else {
                Ok(())
            })
        })
        .await?;
    owner.close().await?;
    Ok(())
}

/// A member whose access was taken away meanwhile is refused the export:
/// the page says the access is missing rather than failing.
#[tokio::test]
async fn an_export_refused_for_lost_access_says_so() -> TestResult {
    let server = Server::start(true).await?;
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let acme = server.organization_named(&alice, "Acme Corp").await?;
    let auditor = signed_in(
        &server,
        "carol@example.com",
        &format!("/org/{acme}/audit-logs"),
    )
    .await?;
    auditor.role("button", "Export").await?;

    let carol = server.token("carol@example.com", PASSWORD).await?;
    let (_, me) = server
        .api(Method::GET, "/users/me", Some(&carol), None)
        .await?;
    let carol_id = me["id"].as_str().ok_or("no id")?;
    let (status, body) = server
        .api(
            Method::POST,
            &format!("/organizations/{acme}/users/{carol_id}/access"),
            Some(&alice),
            Some(json!({ "role": "member", "assignedRoleIds": [] })),
        )
        .await?;
    assert_eq!(status, 200, "{body}");

    auditor.click("button", "Export").await?;
    auditor.click("menuitem", "CSV").await?;
    auditor
        .wait_for_page_text("You don't have access to this page")
        .await?;
    auditor.close().await?;
    Ok(())
}
