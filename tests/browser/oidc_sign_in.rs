//! The SPA against a backend that names an OpenID provider: the user signs
//! in on the provider's own login page (panva's oidc-provider) and lands
//! on the page they asked for; the API is called with bearer tokens that
//! are renewed while the page stays open; a reload keeps the session;
//! signing out ends it at the provider.

use std::time::Duration;

use fantoccini::Locator;
use roster_browser_tests::oidc::{
    Provider, ProviderOptions, ProviderUser, AUDIENCE, TEST_REDIRECT,
};
use roster_browser_tests::{free_port, Browser, Server, TestResult};

/// The provider's login and consent pages, filled in as a user would.
async fn sign_in_at_the_provider(browser: &Browser, login: &str) -> TestResult {
    browser
        .find("input[name='login']")
        .await?
        .send_keys(login)
        .await?;
    browser
        .client
        .find(Locator::Css("input[name='password']"))
        .await?
        .send_keys("any password")
        .await?;
    browser
        .client
        .find(Locator::Css("button[type='submit']"))
        .await?
        .click()
        .await?;
    // Consent to the client's scopes.
    browser
        .eventually("the consent page", async || {
            let text = browser.wait_for_text("body", "").await?;
            Ok(
                if text.contains("Continue") || !browser.path().await?.starts_with("/interaction") {
                    Ok(())
                } else {
                    Err(text)
                },
            )
        })
        .await?;
    if browser.path().await?.starts_with("/interaction") {
        browser
            .client
            .find(Locator::Css("button[type='submit']"))
            .await?
            .click()
            .await?;
    }
    Ok(())
}

/// Waits until the browser shows a page of the provider.
async fn wait_for_the_provider(browser: &Browser, port: u16, what: &str) -> TestResult {
    browser
        .eventually(what, async || {
            let url = browser.client.current_url().await?;
            Ok(if url.port() == Some(port) {
                Ok(())
            } else {
                Err(url.to_string())
            })
        })
        .await
}

async fn refresh_token(browser: &Browser) -> TestResult<Option<String>> {
    let token = browser
        .client
        .execute(
            "return sessionStorage.getItem('roster.oidc.refresh');",
            vec![],
        )
        .await?;
    Ok(token.as_str().map(str::to_owned))
}

#[tokio::test]
async fn a_user_signs_in_at_the_provider_and_lands_on_the_deep_link() -> TestResult {
    let provider_port = free_port();
    let issuer = format!("http://127.0.0.1:{provider_port}");
    let server = Server::start_trusting(&issuer, AUDIENCE, false, &[]).await?;
    let keys = tempfile::tempdir()?;
    let provider = Provider::start(ProviderOptions {
        port: Some(provider_port),
        redirect_uris: vec![format!("{}/", server.app), TEST_REDIRECT.to_owned()],
        // Renewed 10 s in, well before it expires.
        access_token_ttl: 20,
        ..ProviderOptions::new(vec![ProviderUser::alice()], &keys.path().join("keys.json"))
    })
    .await?;
    let token = provider.sign_in("alice").await?.access_token;
    let acme = server.organization_named(&token, "Acme Corp").await?;
    let members = format!("/org/{acme}/members");

    let browser = Browser::start().await?;
    browser
        .client
        .goto(&format!("{}{members}", server.app))
        .await?;
    // Straight to the provider's own login page.
    wait_for_the_provider(&browser, provider_port, "the provider's login page").await?;
    sign_in_at_the_provider(&browser, "alice").await?;

    // Back on the page asked for, without the code in the address bar.
    browser.wait_for_path(&members).await?;
    assert_eq!(browser.path().await?, members);
    browser
        .wait_for_text(".members-table tbody", "bob@example.com")
        .await?;
    browser
        .wait_for_text(".user-menu-trigger", "alice@example.com")
        .await?;
    // The access token is in memory only: nothing like a JWT in
    // localStorage, and sessionStorage holds the refresh and ID tokens.
    let stored = browser
        .client
        .execute(
            "const jwt = /^[\\w-]+\\.[\\w-]+\\.[\\w-]*$/;
             return {
               local: Object.keys(localStorage).filter((k) => jwt.test(localStorage.getItem(k))),
               session: Object.keys(sessionStorage).sort(),
             };",
            vec![],
        )
        .await?;
    assert_eq!(
        stored,
        serde_json::json!({"local": [], "session": ["roster.oidc.id-token", "roster.oidc.refresh"]}),
    );

    // The token is renewed while the page stays open (the refresh token
    // rotates with it), and the page keeps working.
    let first = refresh_token(&browser)
        .await?
        .ok_or("no refresh token kept")?;
    tokio::time::sleep(Duration::from_secs(12)).await;
    let renewed = refresh_token(&browser).await?;
    assert!(
        renewed.as_deref().is_some_and(|r| r != first),
        "not renewed: {renewed:?}"
    );
    browser.refocus_window().await?;
    browser
        .wait_for_text(".members-table tbody", "carol@example.com")
        .await?;

    // A reload keeps the session: no login page, and no request the page
    // sent without its token first (each once, answered 200).
    browser.client.refresh().await?;
    browser
        .wait_for_text(".members-table tbody", "bob@example.com")
        .await?;
    assert_eq!(browser.path().await?, members);
    let reads = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource')
               .filter((e) => /\\/api\\/(users\\/me|organizations)$/.test(new URL(e.name).pathname))
               .map((e) => [new URL(e.name).pathname, e.responseStatus]);",
            vec![],
        )
        .await?;
    assert_eq!(
        reads,
        serde_json::json!([["/api/users/me", 200], ["/api/organizations", 200]]),
    );

    // Signing out ends the session at the provider.
    browser
        .click("button", "Alice Anderson alice@example.com")
        .await?;
    browser.click("menuitem", "Sign out").await?;
    wait_for_the_provider(&browser, provider_port, "the provider's sign-out page").await?;
    // oidc-provider asks to confirm.
    if let Ok(yes) = browser
        .client
        .find(Locator::Css("button[autofocus], button[type='submit']"))
        .await
    {
        yes.click().await?;
    }
    browser.role("button", "Continue to sign in").await?;
    assert_eq!(refresh_token(&browser).await?, None);
    browser.click("button", "Continue to sign in").await?;
    // The provider asks for the login again.
    browser.find("input[name='login']").await?;

    browser.close().await?;
    drop(provider);
    Ok(())
}
