//! A portal embeds Roster: its page, on its own origin, mounts the built
//! app into its own element and hands out access tokens from its own
//! sign-in (`window.rosterHost`); the API is on another origin and answers
//! with CORS. Roster shows no sign-in page of its own.

use roster_browser_tests::oidc::{Provider, ProviderOptions, ProviderUser};
use roster_browser_tests::{Browser, Server, TestResult};

const HEAD: &str = include_str!("../embed/portal-head.html");
const BODY: &str = include_str!("../embed/portal-body.html");

fn portal_page(index: &str) -> String {
    index
        .replacen("<head>", &format!("<head>\n{HEAD}"), 1)
        .replacen("<body></body>", BODY, 1)
}

#[tokio::test]
async fn a_portal_mounts_roster_with_its_own_tokens_against_an_api_elsewhere() -> TestResult {
    let keys = tempfile::tempdir()?;
    let provider = Provider::start(ProviderOptions::new(
        vec![ProviderUser::alice()],
        &keys.path().join("keys.json"),
    ))
    .await?;
    let portal = Server::start_serving_page(portal_page).await?;
    let api = Server::start_with_oidc(&provider, false, &[&portal.url]).await?;
    assert_ne!(portal.url, api.url);
    let token = provider.sign_in("alice").await?.access_token;
    let acme = api.organization_named(&token, "Acme Corp").await?;

    let browser = Browser::start().await?;
    let mut address = url::Url::parse(&format!("{}/org/{acme}/members", portal.url))?;
    address
        .query_pairs_mut()
        .append_pair("api", &format!("{}/api", api.url))
        .append_pair("token", &token);
    browser.client.goto(address.as_str()).await?;

    // Mounted into the portal's element, next to the portal's own header.
    browser
        .wait_for_text("#roster .members-table tbody", "bob@example.com")
        .await?;
    browser
        .wait_for_text(".portal-header", "Acme Portal")
        .await?;
    assert!(!browser.has_role("button", "Sign in").await?);
    let asked = browser
        .client
        .execute("return window.__portal.tokenRequests;", vec![])
        .await?;
    assert!(asked.as_u64().is_some_and(|n| n >= 3), "asked {asked}");

    // "Sign out" is the portal's.
    browser
        .click("button", "Alice Anderson alice@example.com")
        .await?;
    browser.click("menuitem", "Sign out").await?;
    browser
        .wait_for_text("#portal-status", "Signed out of the portal")
        .await?;

    browser.close().await?;
    Ok(())
}

/// A backend that cannot be reached is named by its address.
#[tokio::test]
async fn an_unreachable_backend_is_named_by_its_address() -> TestResult {
    let dead = format!("http://127.0.0.1:{}/api", roster_browser_tests::free_port());
    let page_api = dead.clone();
    let site = Server::start_serving_page(move |index| {
        index.replacen(
            r#"<meta name="roster-api-base" content="/api" />"#,
            &format!(r#"<meta name="roster-api-base" content="{page_api}" />"#),
            1,
        )
    })
    .await?;
    let browser = Browser::start().await?;
    browser.client.goto(&format!("{}/", site.url)).await?;
    let shown = browser
        .wait_for_text("[role='alert']", &format!("Cannot reach {dead}"))
        .await?;
    assert!(!shown.contains("Roster"), "{shown}");
    browser.close().await?;
    Ok(())
}
