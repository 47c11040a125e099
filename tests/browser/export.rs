//! "Export CSV" on the members page of a large organization (Initech, the
//! demo's 2,000 generated members): everyone, then the matches of a
//! search, each file read back from the browser's downloads.

use roster_browser_tests::{Browser, Server, TestResult};

use crate::actions::{signed_in, PASSWORD};
use crate::audit::csv_rows;
use crate::journeys::organization_id;

const COLUMNS: [&str; 6] = [
    "Email",
    "Name",
    "Role",
    "Assignments",
    "Joined",
    "Last active",
];

/// "2,000".
fn thousands(n: usize) -> String {
    if n < 1000 {
        n.to_string()
    } else {
        format!("{},{:03}", n / 1000, n % 1000)
    }
}

/// Clicks the export button named `button`, waits for its toast and the
/// file; returns the file's name and rows (header included), and removes
/// it so that the next export is found.
async fn export(
    browser: &Browser,
    button: &str,
    toast: &str,
) -> TestResult<(String, Vec<Vec<String>>)> {
    browser.click("button", button).await?;
    browser
        .wait_for_text(".toast-stack[role=status]", toast)
        .await?;
    let file = browser.downloaded("csv").await?;
    let text = std::fs::read_to_string(&file)?;
    std::fs::remove_file(&file)?;
    assert!(text.ends_with("\r\n"), "lines end with CRLF");
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((name, csv_rows(&text)))
}

fn emails(rows: &[Vec<String>]) -> Vec<&str> {
    rows[1..].iter().map(|r| r[0].as_str()).collect()
}

#[tokio::test]
async fn an_owner_exports_every_member_then_the_matches_of_a_search() -> TestResult {
    let server = Server::start(true).await?;
    let initech = organization_id(&server, "alice@example.com", "Initech").await?;
    let token = server.token("alice@example.com", PASSWORD).await?;
    let members = server.members(&token, &initech).await?;
    let n = members.len();
    assert!(n >= 2000, "Initech is large: {n}");

    let owner = signed_in(
        &server,
        "alice@example.com",
        &format!("/org/{initech}/members"),
    )
    .await?;
    let everyone = format!("Export CSV ({} members)", thousands(n));
    owner.role("button", &everyone).await?;
    let (name, rows) = export(
        &owner,
        &everyone,
        &format!("Exported {} members to initech-members-", thousands(n)),
    )
    .await?;
    assert!(
        name.starts_with("initech-members-")
            && name.len() == "initech-members-2026-12-03.csv".len(),
        "{name}"
    );
    assert_eq!(rows[0], COLUMNS, "the header");
    let listed: Vec<&str> = members.iter().map(|m| m.email.as_str()).collect();
    assert_eq!(emails(&rows), listed, "every member, in the list's order");
    let alice = rows
        .iter()
        .find(|r| r[0] == "alice@example.com")
        .ok_or("alice is exported")?;
    let joined = members
        .iter()
        .find(|m| m.email == "alice@example.com")
        .map(|m| m.created_at)
        .ok_or("alice is listed")?;
    assert_eq!(alice[2], "Owner");
    assert_eq!(
        alice[4],
        joined.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    );
    // Last active as the server sends it (Alice's own moves as she uses
    // the API), empty for those who never were.
    let mut active = 0;
    for (row, member) in rows[1..].iter().zip(&members) {
        if member.email != "alice@example.com" {
            let expected = member
                .last_active_at
                .map(|at| at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
            assert_eq!(row[5], expected.clone().unwrap_or_default(), "{row:?}");
            active += usize::from(expected.is_some());
        }
    }
    assert!(active > 0 && active < n - 1, "some were active, some never");
    for row in &rows {
        assert_eq!(row.len(), COLUMNS.len(), "{row:?}");
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell a spreadsheet would run: {cell}"
            );
        }
    }

    // A search narrows the export to its matches (the table's search reads
    // name, e-mail, role and assignment names).
    let last = members.last().ok_or("Initech has members")?;
    let query = last
        .name
        .split_whitespace()
        .next()
        .unwrap_or(&last.email)
        .to_lowercase();
    let expected: Vec<&str> = members
        .iter()
        .filter(|m| {
            let mut haystack = format!("{}\n{}\n{}", m.name, m.email, m.role.label());
            for a in &m.assigned_roles {
                haystack.push('\n');
                haystack.push_str(&a.name);
            }
            haystack.to_lowercase().contains(&query)
        })
        .map(|m| m.email.as_str())
        .collect();
    assert!(
        !expected.is_empty() && expected.len() < n,
        "{query} matches some"
    );
    let search = owner.role("searchbox", "Search members").await?;
    search.send_keys(&query).await?;
    let matching = format!("Export CSV ({} matching)", thousands(expected.len()));
    owner.role("button", &matching).await?;
    let (_, rows) = export(
        &owner,
        &matching,
        &format!(
            "Exported {} to initech-members-",
            match expected.len() {
                1 => "1 member".to_owned(),
                k => format!("{} members", thousands(k)),
            }
        ),
    )
    .await?;
    assert_eq!(rows[0], COLUMNS);
    assert_eq!(emails(&rows), expected, "only the matches");
    owner.close().await?;
    Ok(())
}
