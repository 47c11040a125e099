//! axe-core finds no violations on any screen, in the light and dark themes.

use roster_browser_tests::{Browser, Server, TestResult};

/// Every screen a user can reach, as (path, something it shows when ready).
fn screens(acme: &str) -> Vec<(String, &'static str)> {
    vec![
        (format!("/org/{acme}/members"), "Pending invitations"),
        (format!("/org/{acme}/roles"), "Developer"),
        (format!("/org/{acme}/audit-logs"), "Audit"),
        (format!("/org/{acme}/settings"), "Danger"),
        ("/invitations".to_string(), "Invitations"),
        (
            "/verify-email?token=unknown".to_string(),
            "This verification link cannot be used.",
        ),
        ("/no/such/page".to_string(), "Page not found"),
    ]
}

#[tokio::test]
async fn no_axe_violations_on_any_screen_in_either_theme() -> TestResult {
    let server = Server::start(true).await?;
    let browser = Browser::start().await?;
    let mut failures = Vec::new();

    for theme in ["light", "dark"] {
        // Signed-out screens first.
        browser
            .client
            .goto(&format!("{}/sign-in", server.url))
            .await?;
        browser
            .client
            .execute(
                "localStorage.setItem('roster.theme', arguments[0]);",
                vec![theme.into()],
            )
            .await?;
        for (path, ready) in [
            ("/sign-in", "Sign in"),
            ("/sign-up", "Sign up"),
            (
                "/verify-email?token=unknown",
                "Sign in with the account you created",
            ),
        ] {
            browser
                .client
                .goto(&format!("{}{path}", server.url))
                .await?;
            browser.wait_for_page_text(ready).await?;
            for violation in browser.axe_violations().await? {
                failures.push(format!("[{theme}] {path}: {violation}"));
            }
        }

        browser
            .sign_in(&server, "alice@example.com", "roster-demo")
            .await?;
        let token = server.token("alice@example.com", "roster-demo").await?;
        let acme = server.organization_named(&token, "Acme Corp").await?;
        for (path, ready) in screens(&acme) {
            browser
                .client
                .goto(&format!("{}{path}", server.url))
                .await?;
            browser.wait_for_page_text(ready).await?;
            let applied = browser
                .client
                .execute(
                    "return document.querySelector('.roster-app')?.dataset.theme;",
                    vec![],
                )
                .await?;
            assert_eq!(applied.as_str(), Some(theme), "theme on {path}");
            for violation in browser.axe_violations().await? {
                failures.push(format!("[{theme}] {path}: {violation}"));
            }
        }
        // Open menus and dialogs are screens too.
        browser
            .client
            .goto(&format!("{}/org/{acme}/members", server.url))
            .await?;
        browser.click("button", "Invite Member").await?;
        browser.role("dialog", "Invite Member").await?;
        for violation in browser.axe_violations().await? {
            failures.push(format!("[{theme}] invite dialog: {violation}"));
        }
        // Sign out for the next theme's signed-out screens.
        browser.client.delete_all_cookies().await?;
    }
    browser.close().await?;
    assert!(
        failures.is_empty(),
        "axe violations:\n{}",
        failures.join("\n")
    );
    Ok(())
}
