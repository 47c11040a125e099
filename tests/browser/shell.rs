use roster_browser_tests::{Browser, Server, TestResult};

#[tokio::test]
async fn the_shell_renders_the_server_version_and_a_not_found_page() -> TestResult {
    let server = Server::start(false).await?;
    let browser = Browser::start().await?;

    browser.client.goto(&server.url).await?;
    // Another process could hold a reused port: make sure this is Roster.
    assert_eq!(browser.client.title().await?, "Roster");
    let version = browser
        .wait_for_text(".server-version", env!("CARGO_PKG_VERSION"))
        .await?;
    assert_eq!(
        version,
        format!("Server version {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(
        browser
            .find("nav[aria-label='Sidebar']")
            .await?
            .is_displayed()
            .await?
    );

    // A client-side route the server does not know still gets the SPA,
    // which renders its own not-found page with a way back.
    browser
        .client
        .goto(&format!("{}/no/such/page", server.url))
        .await?;
    browser.wait_for_text("main h1", "Page not found").await?;
    let back = browser.find("main a").await?;
    assert_eq!(back.attr("href").await?.as_deref(), Some("/"));

    browser.close().await?;
    Ok(())
}
