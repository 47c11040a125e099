use roster_browser_tests::{Browser, Server, TestResult};

#[tokio::test]
async fn a_signed_out_visitor_gets_sign_in_with_the_server_version_and_a_not_found_page(
) -> TestResult {
    let server = Server::start(false).await?;
    let browser = Browser::start().await?;

    browser.client.goto(&server.url).await?;
    // Another process could hold a reused port: make sure this is Roster.
    browser.wait_for_path("/sign-in").await?;
    assert!(browser.client.title().await?.ends_with("Roster"));
    let version = browser
        .wait_for_text(".server-version", env!("CARGO_PKG_VERSION"))
        .await?;
    assert_eq!(
        version,
        format!("Server version {}", env!("CARGO_PKG_VERSION"))
    );
    browser.role("textbox", "Email").await?;
    browser.role("button", "Sign in").await?;

    // A client-side route the server does not know still gets the SPA,
    // which renders its own not-found page with a way back.
    browser
        .client
        .goto(&format!("{}/no/such/page", server.url))
        .await?;
    browser.role("heading", "Page not found").await?;
    let back = browser.role("link", "Back to Roster").await?;
    assert_eq!(back.attr("href").await?.as_deref(), Some("/"));

    browser.close().await?;
    Ok(())
}
