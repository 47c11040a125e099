//! dist/ served under a sub-path (product spec §4): the same build, with
//! the server's public URL at `/tools/roster`. Every address the app makes
//! (its files, links, navigations, redirects) stays under that path.

use roster_browser_tests::{Browser, Server, TestResult};

use crate::journeys::organization_id;

const PASSWORD: &str = "roster-demo";
const BASE: &str = "/tools/roster";

#[tokio::test]
async fn under_a_sub_path_every_address_the_app_makes_stays_under_it() -> TestResult {
    let server = Server::start_under(true, BASE).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;

    let browser = Browser::start().await?;
    // The site's root leads to the app, which asks for a sign-in there.
    browser.client.goto(&server.url).await?;
    browser.wait_for_path(&format!("{BASE}/sign-in")).await?;
    browser
        .sign_in(&server, "alice@example.com", PASSWORD)
        .await?;

    // A deep link loads as it is: files, routes and the page's data.
    browser
        .client
        .goto(&format!("{}/org/{acme}/members", server.app))
        .await?;
    browser.role("heading", "Members").await?;
    browser
        .wait_for_text(".members-table tbody", "bob@example.com")
        .await?;

    // The sidebar's links.
    browser.click("link", "Settings").await?;
    browser
        .wait_for_path(&format!("{BASE}/org/{acme}/settings"))
        .await?;
    browser.role("heading", "Settings").await?;

    // The switcher keeps the page, in the other organization.
    browser
        .find("button.org-switcher-trigger")
        .await?
        .click()
        .await?;
    browser.click("menuitemradio", "Personal").await?;
    let personal = browser.wait_for_path(&format!("{BASE}/org/")).await?;
    assert!(
        personal.ends_with("/settings") && !personal.contains(&acme),
        "the switcher led to {personal}"
    );

    // The user menu's link (a plain link, not the router's).
    browser
        .click("button", "Alice Anderson alice@example.com")
        .await?;
    browser.click("menuitem", "Invitations").await?;
    browser
        .wait_for_path(&format!("{BASE}/invitations"))
        .await?;
    browser.role("heading", "Invitations").await?;

    // "Skip to content" moves focus and stays on the page.
    browser
        .client
        .execute("document.querySelector('.skip-link').click();", vec![])
        .await?;
    let focused = browser
        .client
        .execute("return document.activeElement.id;", vec![])
        .await?;
    assert_eq!(focused, "main");
    assert_eq!(browser.path().await?, format!("{BASE}/invitations"));

    // Signing out leads to the sign-in page under the path.
    browser
        .click("button", "Alice Anderson alice@example.com")
        .await?;
    browser.click("menuitem", "Sign out").await?;
    browser.wait_for_path(&format!("{BASE}/sign-in")).await?;
    browser.role("button", "Sign in").await?;

    browser.close().await?;
    Ok(())
}
