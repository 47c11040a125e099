//! A crash is never silent: a Rust panic replaces the app with a message
//! and "Reload" (src/crash.rs), and a page that throws fails its test.

use roster_browser_tests::{eventually, Browser, Server, TestResult};

use crate::journeys::organization_id;

#[tokio::test]
async fn a_panic_replaces_the_app_with_a_message_details_and_reload() -> TestResult {
    let server = Server::start_with_test_hooks("panic").await?;
    let acme = organization_id(&server, "alice@example.com", "Acme Corp").await?;
    let browser = Browser::start().await?;
    browser
        .sign_in(&server, "alice@example.com", "roster-demo")
        .await?;
    let members = format!("{}/org/{acme}/members", server.url);
    browser.client.goto(&members).await?;
    browser.role("heading", "Members").await?;

    browser
        .client
        .execute(
            "setTimeout(() => window.dispatchEvent(new Event('roster-test-panic')), 0);",
            vec![],
        )
        .await?;
    // The harness's own waits stop at a panic: this test expects one.
    eventually("the crash message", async || {
        let alert = browser
            .client
            .execute(
                "return document.querySelector('[role=alert]')?.textContent ?? '';",
                vec![],
            )
            .await?;
        let alert = alert.as_str().unwrap_or_default().to_owned();
        Ok(if alert.contains("Something went wrong") {
            Ok(())
        } else {
            Err(alert)
        })
    })
    .await?;
    // The harness saw the panic and its message.
    let errors = browser.take_page_errors()?;
    assert!(
        errors
            .iter()
            .any(|e| e.contains("panicked at") && e.contains("a panic asked for by the page")),
        "{errors:#?}"
    );
    browser.role("heading", "Something went wrong").await?;
    // The app is gone, not painted over: no sidebar, no table.
    assert!(!browser.has_role("heading", "Members").await?);
    assert!(!browser.has_role("navigation", "Sidebar").await?);
    let details = browser
        .client
        .execute(
            "const d = document.querySelector('details');
             return d ? [d.querySelector('summary').textContent, d.textContent] : null;",
            vec![],
        )
        .await?;
    assert_eq!(details[0], "Details", "{details}");
    assert!(
        details[1]
            .as_str()
            .is_some_and(|text| text.contains("a panic asked for by the page")),
        "{details}"
    );
    let focused = browser
        .client
        .execute("return document.activeElement.textContent;", vec![])
        .await?;
    assert_eq!(focused, "Reload", "Reload has the focus");
    let violations = browser.axe_violations().await?;
    assert!(violations.is_empty(), "{violations:#?}");

    browser.click("button", "Reload").await?;
    browser.role("heading", "Members").await?;
    browser
        .wait_for_text(".members-table tbody", "bob@example.com")
        .await?;
    assert!(!browser.has_role("heading", "Something went wrong").await?);

    browser.close().await?;
    Ok(())
}

/// The check every browser test gets from the harness: an uncaught error
/// or unhandled rejection of the page fails the test, with its message.
#[tokio::test]
async fn a_test_whose_page_threw_fails_with_what_it_threw() -> TestResult {
    let server = Server::start(false).await?;
    let browser = Browser::start().await?;
    browser.client.goto(&server.url).await?;
    browser.role("button", "Sign in").await?;
    browser.check_page()?;

    browser
        .client
        .execute(
            "setTimeout(() => { throw new Error('thrown by the page'); }, 0);
             Promise.reject(new Error('rejected by the page'));",
            vec![],
        )
        .await?;
    eventually("both errors in the browser's log", async || {
        let seen = browser.page_errors()?.join("\n");
        Ok(
            if seen.contains("thrown by the page") && seen.contains("rejected by the page") {
                Ok(())
            } else {
                Err(seen)
            },
        )
    })
    .await?;
    let failure = browser
        .check_page()
        .err()
        .ok_or("the harness did not fail on the page's errors")?
        .to_string();
    assert!(failure.contains("thrown by the page"), "{failure}");
    assert!(failure.contains("rejected by the page"), "{failure}");
    // Reported once: closing does not fail again.
    browser.close().await?;
    Ok(())
}
