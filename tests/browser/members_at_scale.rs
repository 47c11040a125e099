//! Managing a large organization's members (issue 19), as the owner of the
//! demo's Initech (2,000 members): on a phone, where the table becomes
//! cards, and with bulk actions.

use roster_browser_tests::{eventually, Browser, Server, TestResult};
use serde_json::Value;

use crate::journeys::wait_until_row_gone;

const PASSWORD: &str = "roster-demo";
const OWNER: &str = "alice@example.com";

/// An iPhone's viewport: 390 CSS pixels wide.
const PHONE_WIDTH: f64 = 390.0;

/// The members table's count line (src/pages/members/table.rs).
const MEMBER_COUNT: &str = ".members-table .table-count";

fn on_a_phone(browser: &Browser) -> TestResult {
    browser.cdp(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({
            "width": PHONE_WIDTH as u32,
            "height": 844,
            "deviceScaleFactor": 3,
            "mobile": true,
        }),
    )?;
    Ok(())
}

/// Initech's id and its first members in the table's order (the first
/// page, as the API gives it), read as the owner.
async fn initech(server: &Server) -> TestResult<(String, Vec<Value>)> {
    let token = server.token(OWNER, PASSWORD).await?;
    let id = server.organization_named(&token, "Initech").await?;
    let (status, page) = server
        .api(
            reqwest::Method::GET,
            &format!("/organizations/{id}/users?limit=25"),
            Some(&token),
            None,
        )
        .await?;
    assert_eq!(status, 200, "{page}");
    let members = page.as_array().cloned().ok_or("no member list")?;
    Ok((id, members))
}

/// The owner on Initech's members page with every member loaded.
async fn members_page(server: &Server, organization: &str, first: &str) -> TestResult<Browser> {
    let browser = Browser::start().await?;
    on_a_phone(&browser)?;
    browser.sign_in(server, OWNER, PASSWORD).await?;
    browser
        .client
        .goto(&format!("{}/org/{organization}/members", server.url))
        .await?;
    browser.wait_for_text(".members-table tbody", first).await?;
    eventually("every member loaded", async || {
        let count = browser.wait_for_text(MEMBER_COUNT, "").await?;
        Ok(if count.contains("loading the rest") {
            Err(count)
        } else {
            Ok(())
        })
    })
    .await?;
    Ok(browser)
}

/// Taps the element as a thumb would: scrolled to the middle of the
/// screen first (a toast may cover the bottom edge).
async fn tap(browser: &Browser, role: &str, name: &str) -> TestResult {
    let element = browser.role(role, name).await?;
    browser
        .client
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![serde_json::to_value(&element)?],
        )
        .await?;
    element.click().await?;
    Ok(())
}

/// Where an element is on screen: (left, right) in CSS pixels.
async fn horizontal_extent(browser: &Browser, role: &str, name: &str) -> TestResult<(f64, f64)> {
    let element = browser.role(role, name).await?;
    let rect = browser
        .client
        .execute(
            "const r = arguments[0].getBoundingClientRect(); return [r.left, r.right];",
            vec![serde_json::to_value(&element)?],
        )
        .await?;
    let left = rect[0].as_f64().ok_or("no left")?;
    let right = rect[1].as_f64().ok_or("no right")?;
    Ok((left, right))
}

/// Members of the role `member` that do not hold `without` (an
/// assignment's name), by e-mail and id.
fn plain_members(members: &[Value], without: &str) -> Vec<(String, String)> {
    members
        .iter()
        .filter(|m| m["role"] == "member")
        .filter(|m| {
            !m["assignedRoles"]
                .as_array()
                .is_some_and(|a| a.iter().any(|r| r["name"] == without))
        })
        .map(|m| {
            (
                m["email"].as_str().unwrap_or_default().to_owned(),
                m["userId"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn on_a_phone_every_member_action_is_reachable() -> TestResult {
    let server = Server::start(true).await?;
    let (initech, members) = initech(&server).await?;
    let candidates = plain_members(&members, "Auditor");
    let [(promoted, _), (audited, audited_id), (removed, removed_id), ..] = &candidates[..] else {
        return Err(format!("too few plain members on the first page: {candidates:?}").into());
    };
    let browser = members_page(&server, &initech, promoted).await?;

    // Nothing is cut off: the page does not scroll sideways, and each
    // card's controls are on screen.
    let page_width = browser
        .client
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await?
        .as_f64()
        .ok_or("no width")?;
    assert!(page_width <= PHONE_WIDTH, "the page is {page_width}px wide");
    for (role, name) in [
        ("combobox", format!("Role for {promoted}")),
        ("button", format!("Assignments for {audited}")),
        ("button", format!("Actions for {removed}")),
    ] {
        let (left, right) = horizontal_extent(&browser, role, &name).await?;
        assert!(
            left >= 0.0 && right <= PHONE_WIDTH,
            "{name} is at {left}..{right}"
        );
    }

    // A role change.
    let role = browser
        .role("combobox", &format!("Role for {promoted}"))
        .await?;
    role.select_by_label("Owner").await?;
    browser.role("dialog", "Change access").await?;
    browser.click("button", "Confirm").await?;
    let promoted_row = browser
        .role("combobox", &format!("Role for {promoted}"))
        .await?;
    eventually("the promotion shown", async || {
        let value = promoted_row.prop("value").await?;
        Ok(if value.as_deref() == Some("owner") {
            Ok(())
        } else {
            Err(format!("{value:?}"))
        })
    })
    .await?;

    // An assignment change.
    tap(&browser, "button", &format!("Assignments for {audited}")).await?;
    browser.click("checkbox", "Auditor").await?;
    browser.click("button", "Save").await?;
    browser.role("dialog", "Change access").await?;
    browser.click("button", "Confirm").await?;
    browser
        .wait_for_text(&format!("tr[data-member='{audited_id}']"), "Auditor")
        .await?;

    // A removal, from the card's actions menu.
    assert!(
        !browser
            .has_role("button", &format!("Remove {removed}"))
            .await?,
        "a card's actions are in its menu"
    );
    tap(&browser, "button", &format!("Actions for {removed}")).await?;
    browser
        .click("menuitem", "Remove from organization")
        .await?;
    browser.role("alertdialog", "Remove member").await?;
    browser.click("button", "Remove").await?;
    wait_until_row_gone(&browser, removed_id).await?;

    let violations = browser.axe_violations().await?;
    assert!(violations.is_empty(), "{violations:#?}");
    browser.check_page()?;
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn on_a_phone_an_owner_changes_many_members_at_once() -> TestResult {
    let server = Server::start(true).await?;
    let (initech, members) = initech(&server).await?;
    let picked: Vec<(String, String)> = plain_members(&members, "").into_iter().take(3).collect();
    assert_eq!(picked.len(), 3, "{members:?}");
    let browser = members_page(&server, &initech, &picked[0].0).await?;

    for (email, _) in &picked {
        browser
            .click("checkbox", &format!("Select {email}"))
            .await?;
    }
    browser
        .wait_for_text(".selection-bar", "3 selected")
        .await?;
    // The bar's actions are on screen on a phone too.
    for name in ["Change role", "Remove"] {
        let (left, right) = horizontal_extent(&browser, "button", name).await?;
        assert!(
            left >= 0.0 && right <= PHONE_WIDTH,
            "{name} is at {left}..{right}"
        );
    }

    // One confirmation, with what changes, then the outcome per member.
    browser.click("button", "Change role").await?;
    browser.click("menuitem", "Make owner").await?;
    browser
        .role("dialog", "Change role of 3 members to Owner")
        .await?;
    browser.wait_for_text("[role='dialog']", "Gains").await?;
    browser
        .role_within("[role='dialog']", "button", "Change role")
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("[role='dialog'] [role='status']", "Changed 3 members.")
        .await?;
    browser.click("button", "Close").await?;
    // The table shows the change in place, and the changed members leave
    // the selection.
    for (email, _) in &picked {
        let role = browser
            .role("combobox", &format!("Role for {email}"))
            .await?;
        eventually(&format!("{email} shown as an owner"), async || {
            let value = role.prop("value").await?;
            Ok(if value.as_deref() == Some("owner") {
                Ok(())
            } else {
                Err(format!("{value:?}"))
            })
        })
        .await?;
    }
    assert!(
        !browser.has_role("region", "Selected members").await?,
        "the selection bar stayed"
    );

    // Every matching member, at 2,000.
    tap(&browser, "checkbox", "Select all members on this page").await?;
    browser
        .wait_for_text(".selection-bar", "25 selected")
        .await?;
    let all = browser.find(".select-all-matching").await?;
    let label = all.text().await?;
    let total = label
        .trim_start_matches("Select all ")
        .trim_end_matches(" matching")
        .to_owned();
    assert!(total.len() >= 5, "{label}");
    all.click().await?;
    browser
        .wait_for_text(".selection-bar", &format!("{total} selected"))
        .await?;
    browser.click("button", "Clear selection").await?;
    eventually("the selection bar gone", async || {
        Ok(if browser.has_role("region", "Selected members").await? {
            Err("still there".to_owned())
        } else {
            Ok(())
        })
    })
    .await?;

    let violations = browser.axe_violations().await?;
    assert!(violations.is_empty(), "{violations:#?}");
    browser.check_page()?;
    browser.close().await?;
    Ok(())
}
