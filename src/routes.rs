//! The SPA's addresses, built and read in one place.

/// A page inside an organization (`/org/:orgId/<page>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgPage {
    Members,
    /// The custom permission sets; its address keeps Daytona's name
    /// (`/org/:orgId/roles`).
    Assignments,
    AuditLogs,
    Settings,
}

impl OrgPage {
    pub const ALL: [OrgPage; 4] = [
        OrgPage::Members,
        OrgPage::Assignments,
        OrgPage::AuditLogs,
        OrgPage::Settings,
    ];

    pub const fn segment(self) -> &'static str {
        match self {
            OrgPage::Members => "members",
            OrgPage::Assignments => "roles",
            OrgPage::AuditLogs => "audit-logs",
            OrgPage::Settings => "settings",
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            OrgPage::Members => "Members",
            OrgPage::Assignments => "Assignments",
            OrgPage::AuditLogs => "Audit Logs",
            OrgPage::Settings => "Settings",
        }
    }
}

pub const SIGN_IN: &str = "/sign-in";
pub const SIGN_UP: &str = "/sign-up";
pub const VERIFY_EMAIL: &str = "/verify-email";
pub const INVITATIONS: &str = "/invitations";

/// `/org/{id}/{page}`.
pub fn org_page(organization_id: &str, page: OrgPage) -> String {
    format!("/org/{}/{}", encode(organization_id), page.segment())
}

/// The organization named by an SPA path (`/org/:orgId/…`).
pub fn organization_in_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/org/")?;
    let id = rest.split(['/', '?', '#']).next()?;
    (!id.is_empty()).then(|| decode(id))
}

/// The organization page an SPA path shows (`/org/:orgId/<page>…`).
pub fn org_page_in_path(path: &str) -> Option<OrgPage> {
    let (_, page) = path.strip_prefix("/org/")?.split_once('/')?;
    let segment = page.split(['/', '?', '#']).next()?;
    OrgPage::ALL.into_iter().find(|p| p.segment() == segment)
}

/// The same page in another organization; pages outside an organization
/// lead to its members.
pub fn switch_organization(current_path: &str, organization_id: &str) -> String {
    let page = current_path
        .strip_prefix("/org/")
        .and_then(|rest| rest.split_once('/'))
        .map(|(_, page)| page.split(['?', '#']).next().unwrap_or_default())
        .filter(|page| !page.is_empty())
        .unwrap_or(OrgPage::Members.segment());
    // Only the page's first segment: sub-pages name things of the old one.
    let page = page.split('/').next().unwrap_or(page);
    format!("/org/{}/{page}", encode(organization_id))
}

/// The pages that sign in or up: never a place to go back to afterwards.
/// (`/verify-email` is: its link needs the account signed in.)
pub fn is_sign_in_or_up(path: &str) -> bool {
    [SIGN_IN, SIGN_UP]
        .iter()
        .any(|page| path == *page || path.starts_with(&format!("{page}?")))
}

/// `/sign-in?next=<path>` (no `next` for the root or the sign-in pages).
pub fn sign_in_with_next(current: &str) -> String {
    if current.is_empty() || current == "/" || is_sign_in_or_up(current) {
        SIGN_IN.to_owned()
    } else {
        format!("{SIGN_IN}?next={}", encode(current))
    }
}

/// A `next` parameter that is safe to follow: a path on this site, never
/// another origin (`//evil.example`, `https://…`, `/\evil`).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    // Browsers drop tabs and newlines inside a URL and read '\' as '/', so
    // "/\t/evil.example" would become "//evil.example": refuse both anywhere.
    // Dot segments ("/./", "/%2e%2e/") are resolved by the browser, so
    // "/.//evil.example" would become "//evil.example" too.
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let dot_segment = path
        .split('/')
        .any(|segment| matches!(decode(segment).as_str(), "." | ".."));
    let same_site = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains(|c: char| c == '\\' || c.is_control())
        && !dot_segment;
    (same_site && !is_sign_in_or_up(next)).then(|| next.to_owned())
}

/// The path an app is served under, from a base URL or path: "" at a
/// site's root, "/roster" for `https://host/roster/` (no trailing slash).
pub fn base_path_of(base: &str) -> String {
    let path = match base.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |start| &rest[start..]),
        None => base,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_matches('/');
    if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    }
}

/// A browser path as the app's routes see it: `/roster/org/o1` under the
/// base path `/roster` is `/org/o1`. A path outside the base is kept.
pub fn within_base<'a>(base: &str, browser_path: &'a str) -> &'a str {
    if base.is_empty() {
        return browser_path;
    }
    match browser_path.strip_prefix(base) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => browser_path,
    }
}

/// Percent-encodes an URL component (RFC 3986 unreserved characters kept).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Reverses [`encode`]; malformed escapes are kept as they are.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| value.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| value.to_owned())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_base_path_is_the_path_of_the_base_url_without_its_last_slash() {
        assert_eq!(base_path_of("/"), "");
        assert_eq!(base_path_of(""), "");
        assert_eq!(base_path_of("http://127.0.0.1:8080/"), "");
        assert_eq!(base_path_of("http://127.0.0.1:8080"), "");
        assert_eq!(
            base_path_of("https://portal.example/tools/roster/"),
            "/tools/roster"
        );
        assert_eq!(
            base_path_of("https://portal.example/roster?x=1#y"),
            "/roster"
        );
        assert_eq!(base_path_of("/roster/"), "/roster");
        assert_eq!(base_path_of("roster"), "/roster");
    }

    #[test]
    fn routes_see_browser_paths_without_the_base_path() {
        assert_eq!(within_base("", "/org/o1/members"), "/org/o1/members");
        assert_eq!(
            within_base("/roster", "/roster/org/o1/members"),
            "/org/o1/members"
        );
        assert_eq!(within_base("/roster", "/roster"), "/");
        assert_eq!(within_base("/roster", "/roster/"), "/");
        // Only whole segments: /rosters is not under /roster.
        assert_eq!(within_base("/roster", "/rosters/x"), "/rosters/x");
        assert_eq!(within_base("/roster", "/elsewhere"), "/elsewhere");
        assert_eq!(
            organization_in_path(within_base("/a/b", "/a/b/org/o%201/roles")).as_deref(),
            Some("o 1")
        );
    }

    #[test]
    fn organization_pages_round_trip() {
        let path = org_page("a b/c", OrgPage::AuditLogs);
        assert_eq!(path, "/org/a%20b%2Fc/audit-logs");
        assert_eq!(organization_in_path(&path).as_deref(), Some("a b/c"));
        assert_eq!(organization_in_path("/org/o1").as_deref(), Some("o1"));
        assert_eq!(organization_in_path("/org/").as_deref(), None);
        assert_eq!(organization_in_path("/invitations"), None);
    }

    #[test]
    fn switching_keeps_the_page() {
        assert_eq!(
            switch_organization("/org/o1/settings", "o2"),
            "/org/o2/settings"
        );
        assert_eq!(
            switch_organization("/org/o1/roles/x?y=1", "o2"),
            "/org/o2/roles"
        );
        assert_eq!(switch_organization("/org/o1", "o2"), "/org/o2/members");
        assert_eq!(org_page_in_path("/org/o1/members"), Some(OrgPage::Members));
        assert_eq!(
            org_page_in_path("/org/o1/audit-logs?page=2"),
            Some(OrgPage::AuditLogs)
        );
        assert_eq!(
            org_page_in_path("/org/o1/roles/r1"),
            Some(OrgPage::Assignments)
        );
        assert_eq!(org_page_in_path("/org/o1"), None);
        assert_eq!(org_page_in_path("/org/o1/nothing"), None);
        assert_eq!(org_page_in_path("/invitations"), None);
        assert_eq!(switch_organization("/invitations", "o2"), "/org/o2/members");
    }

    #[test]
    fn next_is_kept_on_the_site() {
        assert_eq!(
            sign_in_with_next("/org/o1/members"),
            "/sign-in?next=%2Forg%2Fo1%2Fmembers"
        );
        assert_eq!(sign_in_with_next("/"), "/sign-in");
        assert_eq!(sign_in_with_next("/sign-in?next=x"), "/sign-in");
        assert_eq!(
            safe_next(Some("/org/o1/members")).as_deref(),
            Some("/org/o1/members")
        );
        assert_eq!(
            safe_next(Some("/invitations?id=1")).as_deref(),
            Some("/invitations?id=1")
        );
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/org/\\\\evil.example",
            "/.//evil.example",
            "/%2e//evil.example",
            "/org/../..//evil.example",
            "evil",
            "/sign-in",
        ] {
            assert_eq!(safe_next(Some(evil)), None, "{evil}");
        }
        // The verification link needs the account signed in: back to it.
        assert_eq!(
            sign_in_with_next("/verify-email?token=t1"),
            "/sign-in?next=%2Fverify-email%3Ftoken%3Dt1"
        );
        assert_eq!(
            safe_next(Some("/verify-email?token=t1")).as_deref(),
            Some("/verify-email?token=t1")
        );
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn encoding_round_trips_unicode() {
        assert_eq!(encode("Ä&?"), "%C3%84%26%3F");
        assert_eq!(decode("%C3%84%26%3F"), "Ä&?");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
    }
}
