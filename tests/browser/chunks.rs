//! The app's code in chunks (issue 18, docs/architecture.md "Code
//! splitting"): pages other than Members and the dialogs download their
//! code when first needed. A chunk that cannot be downloaded never kills
//! the app, and a deep link straight into a page in a chunk works.

use roster_browser_tests::{eventually, Browser, Server, TestResult};

use crate::journeys::organization_id;

const PASSWORD: &str = "roster-demo";

/// Keeps `chunk` from downloading (as offline, or after a deploy removed
/// it) until [`Browser::block_urls`] lets everything through again. The
/// splitter's loader logs the failed download (`console.error`): expected.
fn block_chunk(browser: &Browser, chunk: &str) -> TestResult {
    browser.expect_page_errors(&["__wasm_split.js", "TypeError: Failed to fetch"]);
    browser.block_urls(&[&format!("*{chunk}*")])
}

/// Alice on Acme Corp's members page, `chunk` kept from downloading from
/// the start (the idle-time prefetch fails too).
async fn on_members_without(chunk: &str) -> TestResult<(Server, Browser)> {
    on_members(Some(chunk)).await
}

/// Alice on Acme Corp's members page, `blocked` (a chunk) kept from
/// downloading from the start.
async fn on_members(blocked: Option<&str>) -> TestResult<(Server, Browser)> {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;
    let browser = Browser::start().await?;
    if let Some(chunk) = blocked {
        block_chunk(&browser, chunk)?;
    }
    browser.client.goto(&server.url).await?;
    browser
        .sign_in(&server, "alice@example.com", PASSWORD)
        .await?;
    browser
        .client
        .goto(&format!("{}/org/{acme}/members", server.url))
        .await?;
    browser
        .wait_for_text(".members-table tbody", "bob@example.com")
        .await?;
    Ok((server, browser))
}

#[tokio::test]
async fn a_page_whose_code_cannot_be_downloaded_offers_retry_and_the_rest_keeps_working(
) -> TestResult {
    let (_server, browser) = on_members_without("split_audit_logs.wasm").await?;

    browser.click("link", "Audit Logs").await?;
    browser
        .wait_for_text("main [role=alert]", "Could not download this page")
        .await?;
    assert!(browser.has_role("button", "Retry").await?);
    assert!(
        !browser.has_role("heading", "Audit Logs").await?,
        "the audit log showed without its code"
    );

    // Everything else works: another page, and back.
    browser.click("link", "Members").await?;
    browser
        .wait_for_text(".members-table tbody", "bob@example.com")
        .await?;
    browser.click("link", "Settings").await?;
    browser.role("heading", "Settings").await?;
    browser.click("link", "Audit Logs").await?;
    browser.click("button", "Retry").await?;
    browser.find(".error-state").await?;

    // The connection is back: Retry brings the page.
    browser.block_urls(&[])?;
    browser.click("button", "Retry").await?;
    browser.role("heading", "Audit Logs").await?;
    browser.check_page()?;
    browser.close().await
}

#[tokio::test]
async fn a_dialog_whose_code_cannot_be_downloaded_closes_with_a_message() -> TestResult {
    let (_server, browser) = on_members_without("split_members_extras.wasm").await?;

    browser.click("button", "Invite Member").await?;
    browser
        .wait_for_page_text("Roster could not download this dialog")
        .await?;
    assert!(!browser.has_role("dialog", "Invite Member").await?);

    // Opening it again once the connection is back tries again.
    browser.block_urls(&[])?;
    browser.click("button", "Invite Member").await?;
    browser.role("dialog", "Invite Member").await?;
    browser.check_page()?;
    browser.close().await
}

#[tokio::test]
async fn deep_links_into_pages_in_chunks_load_cold_and_on_reload() -> TestResult {
    let server = Server::start(true).await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;
    let browser = Browser::start().await?;
    browser.client.goto(&server.url).await?;
    browser
        .sign_in(&server, "alice@example.com", PASSWORD)
        .await?;

    for (path, heading) in [
        (format!("/org/{acme}/audit-logs"), "Audit Logs"),
        (format!("/org/{acme}/roles"), "Assignments"),
        (format!("/org/{acme}/settings"), "Settings"),
        ("/invitations".to_owned(), "Invitations"),
    ] {
        // Cold: a new document at that address, nothing of the app loaded.
        browser
            .client
            .goto(&format!("{}{path}", server.url))
            .await?;
        browser.role("heading", heading).await?;
        // And again after a reload.
        browser.client.refresh().await?;
        browser.role("heading", heading).await?;
        assert_eq!(browser.path().await?, path);
    }

    // An invitation's e-mailed link, for its invitee signed in (the demo's
    // Dave has one to Acme Corp).
    browser.check_page()?;
    browser.close().await?;
    let browser = Browser::start().await?;
    browser.client.goto(&server.url).await?;
    browser
        .sign_in(&server, "dave@example.com", PASSWORD)
        .await?;
    let invitations = browser
        .client
        .execute(
            "return fetch('/api/organizations/invitations', {credentials: 'include'})\
             .then(r => r.json())",
            vec![],
        )
        .await?;
    if let Some(id) = invitations
        .as_array()
        .and_then(|list| list.first())
        .and_then(|i| i["id"].as_str())
    {
        let path = format!("/invitations?id={id}");
        browser
            .client
            .goto(&format!("{}{path}", server.url))
            .await?;
        browser.role("dialog", "Organization invitation").await?;
        browser.client.refresh().await?;
        browser.role("dialog", "Organization invitation").await?;
    } else {
        return Err(format!("the demo has no invitation for alice: {invitations}").into());
    }

    // The unknown address's page is in a chunk too.
    browser
        .client
        .goto(&format!("{}/no/such/page", server.url))
        .await?;
    eventually("the not-found page", async || {
        Ok(if browser.has_role("heading", "Page not found").await? {
            Ok(())
        } else {
            Err("not shown".to_owned())
        })
    })
    .await?;
    browser.check_page()?;
    browser.close().await
}

#[tokio::test]
async fn idle_time_downloads_the_other_pages_so_opening_one_downloads_nothing() -> TestResult {
    let (_server, browser) = on_members(None).await?;

    // The files of the Audit Logs page's chunk, as the build listed them in
    // index.html, arrive while nobody clicks.
    let missing = "const list = JSON.parse(document.getElementById('roster-chunks').textContent);\
         const received = new Set(performance.getEntriesByType('resource')\
           .filter(e => e.responseEnd > 0).map(e => new URL(e.name).pathname.split('/').pop()));\
         return list.chunks.audit_logs.map(f => f + '.wasm').filter(f => !received.has(f));";
    eventually("the audit log's code downloaded while idle", async || {
        let missing = browser.client.execute(missing, vec![]).await?;
        Ok(match missing.as_array() {
            Some(files) if files.is_empty() => Ok(()),
            _ => Err(format!("not yet downloaded: {missing}")),
        })
    })
    .await?;

    let clicked: f64 = serde_json::from_value(
        browser
            .client
            .execute("return performance.now();", vec![])
            .await?,
    )?;
    browser.click("link", "Audit Logs").await?;
    browser.role("heading", "Audit Logs").await?;
    // The page's code was fetched (its modules instantiated) but from the
    // browser's cache: nothing came over the network.
    let fetched = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource')\
               .filter(e => /\\/(split|chunk)_[^/]*\\.wasm$/.test(new URL(e.name).pathname)\
                 && e.startTime >= arguments[0])\
               .map(e => e.transferSize);",
            vec![clicked.into()],
        )
        .await?;
    let sizes: Vec<u64> = serde_json::from_value(fetched.clone())?;
    assert!(
        !sizes.is_empty(),
        "opening Audit Logs fetched none of its code: {fetched}"
    );
    assert!(
        sizes.iter().all(|size| *size == 0),
        "opening Audit Logs downloaded its code again: {fetched}"
    );
    browser.check_page()?;
    browser.close().await
}
