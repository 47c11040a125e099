//! Every user action of product.md at least once, against the real server,
//! each followed by what the page shows without a reload. The journeys in
//! `journeys.rs` cover the rest: promote, demote, remove, leave with a
//! successor, rename, delete, accept, a refused access change.
//!
//! Each journey marks its document first and checks at the end that it is
//! the same one: nothing here was shown by loading the page again.

use reqwest::Method;
use roster_browser_tests::{Browser, Server, TestResult};
use serde_json::json;

use crate::journeys::{
    mark_the_document, member_id, organization_id, still_the_same_document, wait_until_page_lacks,
};

pub(crate) const PASSWORD: &str = "roster-demo";

pub(crate) async fn signed_in(server: &Server, email: &str, path: &str) -> TestResult<Browser> {
    let browser = Browser::start().await?;
    browser.sign_in(server, email, PASSWORD).await?;
    browser
        .client
        .goto(&format!("{}{path}", server.url))
        .await?;
    Ok(browser)
}

/// The text of the pending invitation row for `email` (empty when none).
async fn invitation_row(browser: &Browser, email: &str) -> TestResult<String> {
    let row = browser
        .client
        .execute(
            "const row = [...document.querySelectorAll('.pending-invitations tbody tr')]
               .find((tr) => tr.querySelector('.invitation-email')?.textContent === arguments[0]);
             return row ? row.textContent : '';",
            vec![email.into()],
        )
        .await?;
    Ok(row.as_str().unwrap_or_default().to_owned())
}

async fn wait_for_invitation_row(browser: &Browser, email: &str, showing: &str) -> TestResult {
    browser
        .eventually(
            &format!("the invitation to {email} showing {showing:?}"),
            async || {
                let row = invitation_row(browser, email).await?;
                Ok(if row.contains(showing) {
                    Ok(())
                } else {
                    Err(row)
                })
            },
        )
        .await
}

/// Waits for a toast saying `text`, then dismisses the toasts, as a user
/// would: they sit bottom right, over the rows' actions and dialogs' Save.
async fn toast(browser: &Browser, text: &str) -> TestResult {
    browser.wait_for_text(".toast-region", text).await?;
    browser
        .client
        .execute(
            "document.querySelectorAll('.toast-close').forEach((b) => b.click());",
            vec![],
        )
        .await?;
    browser
        .eventually("the toasts dismissed", async || {
            let left = browser
                .client
                .execute("return document.querySelectorAll('.toast').length;", vec![])
                .await?;
            Ok(if left == 0 {
                Ok(())
            } else {
                Err(left.to_string())
            })
        })
        .await
}

async fn wait_until_invitation_gone(browser: &Browser, email: &str) -> TestResult {
    browser
        .eventually(&format!("no invitation to {email}"), async || {
            let row = invitation_row(browser, email).await?;
            Ok(if row.is_empty() { Ok(()) } else { Err(row) })
        })
        .await
}

/// Create an organization, invite its first address, then several at
/// once; edit, cancel and invite again at once (the mail waits, the
/// invitation does not); resend the demo's pending invitation.
#[tokio::test]
async fn an_owner_creates_an_organization_and_manages_its_invitations() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;
    let owner = signed_in(
        &server,
        "alice@example.com",
        &format!("/org/{acme}/members"),
    )
    .await?;
    owner.role("heading", "Members").await?;
    mark_the_document(&owner).await?;

    // Create an organization from the switcher: it is selected at once.
    owner
        .find("button.org-switcher-trigger")
        .await?
        .click()
        .await?;
    owner.click("menuitem", "Create Organization").await?;
    owner.role("dialog", "Create Organization").await?;
    owner.fill("Name", "Hooli").await?;
    owner.click("button", "Create").await?;
    owner.wait_for_text(".org-switcher-name", "Hooli").await?;
    let hooli = organization_id(&server, "alice@example.com", "Hooli").await?;
    owner
        .wait_for_path(&format!("/org/{hooli}/members"))
        .await?;
    owner.wait_for_page_text("No pending invitations").await?;

    // The first invitation of an organization that has none.
    owner.click("button", "Invite Member").await?;
    owner.fill("Email addresses", "erin@example.com").await?;
    owner.click("button", "Send invitations").await?;
    toast(&owner, "1 invitation sent").await?;
    owner.click("button", "Done").await?;
    wait_for_invitation_row(&owner, "erin@example.com", "Developer").await?;

    // Several at once, one of them already invited (flagged, skipped).
    owner.click("button", "Invite Member").await?;
    owner
        .fill(
            "Email addresses",
            "frank@example.com, Grace@Example.com\nerin@example.com",
        )
        .await?;
    owner
        .wait_for_text("[aria-label='Addresses to invite']", "Already invited")
        .await?;
    owner.click("button", "Send invitations").await?;
    toast(&owner, "2 invitations sent").await?;
    owner.click("button", "Done").await?;
    wait_for_invitation_row(&owner, "frank@example.com", "Pending").await?;
    wait_for_invitation_row(&owner, "grace@example.com", "Pending").await?;

    // Edit: erin is to become an owner.
    owner
        .click("button", "Edit invitation for erin@example.com")
        .await?;
    owner.role("dialog", "Edit invitation").await?;
    owner
        .role("combobox", "Role")
        .await?
        .select_by_label("Owner")
        .await?;
    owner.click("button", "Save").await?;
    toast(&owner, "Invitation to erin@example.com updated").await?;
    wait_for_invitation_row(&owner, "erin@example.com", "Owner").await?;

    // Cancel, then invite the same address again at once (as on Daytona).
    owner
        .click("button", "Cancel invitation for frank@example.com")
        .await?;
    owner.role("alertdialog", "Cancel invitation").await?;
    owner.click("button", "Cancel invitation").await?;
    wait_until_invitation_gone(&owner, "frank@example.com").await?;
    owner.click("button", "Invite Member").await?;
    owner.fill("Email addresses", "frank@example.com").await?;
    owner.click("button", "Send invitations").await?;
    toast(&owner, "1 invitation sent").await?;
    owner.click("button", "Done").await?;
    wait_for_invitation_row(&owner, "frank@example.com", "Pending").await?;
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let (status, listed) = server
        .api(
            Method::GET,
            &format!("/organizations/{hooli}/invitations"),
            Some(&alice),
            None,
        )
        .await?;
    assert_eq!(status, 200);
    let emails: Vec<&str> = listed
        .as_array()
        .ok_or("not a list")?
        .iter()
        .filter_map(|i| i["email"].as_str())
        .collect();
    assert_eq!(emails.len(), 3, "erin, grace and frank again: {emails:?}");

    // Resend: the demo's invitation to dave, in Acme Corp.
    owner
        .find("button.org-switcher-trigger")
        .await?
        .click()
        .await?;
    owner.click("menuitemradio", "Acme Corp").await?;
    owner.wait_for_path(&format!("/org/{acme}/members")).await?;
    wait_for_invitation_row(&owner, "dave@example.com", "Pending").await?;
    owner
        .click("button", "Resend invitation to dave@example.com")
        .await?;
    toast(&owner, "Invitation to dave@example.com sent again").await?;
    // The mail went out (the log is the mailbox without SMTP).
    let link = server
        .mailed_link("dave@example.com")
        .ok_or("no mail to dave")?;
    assert!(link.contains("/invitations?id="), "{link}");

    assert!(
        still_the_same_document(&owner).await?,
        "the page was loaded again"
    );
    owner.close().await?;
    Ok(())
}

/// Create, edit and delete a custom assignment; give one to a member.
#[tokio::test]
async fn an_owner_defines_custom_assignments_and_changes_a_members_assignments() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;
    let owner = signed_in(&server, "alice@example.com", &format!("/org/{acme}/roles")).await?;
    owner.role("heading", "Assignments").await?;
    mark_the_document(&owner).await?;

    for (name, permission) in [
        ("Release managers", "Write registries"),
        ("Volume readers", "Read volumes"),
    ] {
        owner.click("button", "Create Assignment").await?;
        owner.role("dialog", "Create Assignment").await?;
        owner.fill("Name", name).await?;
        owner.click("checkbox", permission).await?;
        owner.click("button", "Save").await?;
        toast(
            &owner,
            &format!("Assignment \u{201c}{name}\u{201d} created"),
        )
        .await?;
        owner
            .wait_for_text("section[aria-labelledby='custom-assignments-title']", name)
            .await?;
    }

    // Edit: a description and one more permission.
    owner.click("button", "Edit Release managers").await?;
    owner.role("dialog", "Edit Assignment").await?;
    owner
        .role("textbox", "Description")
        .await?
        .send_keys("Publish releases")
        .await?;
    owner.click("checkbox", "Delete registries").await?;
    owner.click("button", "Save").await?;
    toast(
        &owner,
        "Assignment \u{201c}Release managers\u{201d} updated",
    )
    .await?;
    let table = owner
        .wait_for_text(
            "section[aria-labelledby='custom-assignments-title']",
            "Publish releases",
        )
        .await?;
    assert!(table.contains("Delete registries"), "{table}");

    // Delete the other one.
    owner.click("button", "Delete Volume readers").await?;
    owner.role("alertdialog", "Delete assignment").await?;
    owner.click("button", "Delete").await?;
    toast(&owner, "Assignment \u{201c}Volume readers\u{201d} deleted").await?;
    owner
        .eventually(
            "the custom assignments without Volume readers",
            async || {
                let custom = owner
                    .wait_for_text("section[aria-labelledby='custom-assignments-title']", "")
                    .await?;
                Ok(if custom.contains("Volume readers") {
                    Err(custom)
                } else {
                    Ok(())
                })
            },
        )
        .await?;

    // Give bob the remaining one, from his row on the members page.
    owner.click("link", "Members").await?;
    owner.role("heading", "Members").await?;
    owner
        .click("button", "Assignments for bob@example.com")
        .await?;
    owner.click("checkbox", "Release managers").await?;
    owner.click("button", "Save").await?;
    owner.role("dialog", "Change access").await?;
    owner
        .wait_for_text("[role='dialog']", "Write registries")
        .await?;
    owner.click("button", "Confirm").await?;
    toast(&owner, "Access of bob@example.com updated").await?;
    let alice = server.token("alice@example.com", PASSWORD).await?;
    let bob_id = member_id(&server, &alice, &acme, "bob@example.com").await?;
    owner
        .wait_for_text(&format!("tr[data-member='{bob_id}']"), "Release managers")
        .await?;

    assert!(
        still_the_same_document(&owner).await?,
        "the page was loaded again"
    );
    owner.close().await?;
    Ok(())
}

/// A member leaves; the owner finds it in the audit log with a filter and
/// switches the theme.
#[tokio::test]
async fn a_member_leaves_and_the_owner_filters_the_audit_log_and_switches_theme() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;

    let carol = signed_in(
        &server,
        "carol@example.com",
        &format!("/org/{acme}/settings"),
    )
    .await?;
    carol.role("heading", "Settings").await?;
    mark_the_document(&carol).await?;
    carol.click("button", "Leave Organization").await?;
    carol.role("alertdialog", "Leave Organization").await?;
    carol.click("button", "Leave").await?;
    toast(&carol, "You left \u{201c}Acme Corp\u{201d}").await?;
    let landed = carol.wait_for_path("/org/").await?;
    assert!(!landed.contains(&acme), "still in Acme Corp: {landed}");
    wait_until_page_lacks(&carol, "Acme Corp").await?;
    assert!(still_the_same_document(&carol).await?);
    carol.close().await?;

    let owner = signed_in(
        &server,
        "alice@example.com",
        &format!("/org/{acme}/audit-logs"),
    )
    .await?;
    owner.role("heading", "Audit Logs").await?;
    mark_the_document(&owner).await?;
    owner
        .wait_for_text(".audit-table tbody", "carol@example.com")
        .await?;
    owner
        .role("combobox", "Action")
        .await?
        .select_by_label("Leave")
        .await?;
    owner
        .eventually("only the leave in the audit log", async || {
            let rows = owner
                .client
                .execute(
                    "return [...document.querySelectorAll('.audit-table tbody tr')]
                       .map((tr) => tr.textContent);",
                    vec![],
                )
                .await?;
            let rows: Vec<String> = serde_json::from_value(rows)?;
            Ok(
                if rows.len() == 1
                    && rows[0].contains("carol@example.com")
                    && rows[0].contains("Leave")
                {
                    Ok(())
                } else {
                    Err(format!("{rows:?}"))
                },
            )
        })
        .await?;

    // Theme: dark, applied at once and remembered.
    owner
        .click("button", "Alice Anderson alice@example.com")
        .await?;
    owner.click("menuitemradio", "Dark").await?;
    owner
        .eventually("the dark theme", async || {
            let theme = owner
                .client
                .execute(
                    "return document.querySelector('.roster-app')?.dataset.theme;",
                    vec![],
                )
                .await?;
            Ok(if theme == "dark" {
                Ok(())
            } else {
                Err(theme.to_string())
            })
        })
        .await?;
    assert!(still_the_same_document(&owner).await?);
    owner.close().await?;
    Ok(())
}

/// dave declines the demo's invitation, and an unknown invitation link is
/// explained rather than failing.
#[tokio::test]
async fn an_invitee_declines_and_an_unknown_invitation_link_is_explained() -> TestResult {
    let server = Server::start(true).await?;
    let invitee = signed_in(&server, "dave@example.com", "/invitations").await?;
    invitee.role("heading", "Invitations").await?;
    mark_the_document(&invitee).await?;
    invitee
        .wait_for_text("table[aria-label='Invitations'] tbody", "Acme Corp")
        .await?;
    invitee.click("button", "Decline").await?;
    invitee.role("alertdialog", "Decline invitation").await?;
    invitee
        .role_within("[role='alertdialog']", "button", "Decline")
        .await?
        .click()
        .await?;
    toast(&invitee, "You declined the invitation to Acme Corp").await?;
    invitee
        .wait_for_page_text("You have no pending organization invitations.")
        .await?;
    // The badge of the user menu follows.
    wait_until_badge_gone(&invitee).await?;
    assert!(still_the_same_document(&invitee).await?);

    let dave = server.token("dave@example.com", PASSWORD).await?;
    let (_, count) = server
        .api(
            Method::GET,
            "/organizations/invitations/count",
            Some(&dave),
            None,
        )
        .await?;
    assert_eq!(count, json!(0));

    invitee
        .client
        .goto(&format!(
            "{}/invitations?id=00000000-0000-0000-0000-00000000dead",
            server.url
        ))
        .await?;
    invitee
        .wait_for_page_text(
            "This invitation does not exist, or it was sent to another e-mail address.",
        )
        .await?;
    invitee.role("dialog", "Organization invitation").await?;
    invitee.close().await?;
    Ok(())
}

async fn wait_until_badge_gone(browser: &Browser) -> TestResult {
    browser
        .eventually("no pending-invitation badge", async || {
            let badges = browser
                .client
                .execute(
                    "return document.querySelectorAll('.user-menu-trigger .count-badge').length;",
                    vec![],
                )
                .await?;
            Ok(if badges == 0 {
                Ok(())
            } else {
                Err(badges.to_string())
            })
        })
        .await
}
