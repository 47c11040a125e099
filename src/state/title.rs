//! Document titles: "Members · Acme · Roster", "Invitations · Roster".

use leptos::prelude::*;

use super::current_org::CurrentOrganization;

pub const APP_NAME: &str = "Roster";

/// "`page` · Roster".
pub fn page_title(page: &str) -> String {
    format!("{page} · {APP_NAME}")
}

/// "`page` · `organization` · Roster".
pub fn org_page_title(page: &str, organization: &str) -> String {
    format!("{page} · {organization} · {APP_NAME}")
}

fn set_document_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

/// Sets the title of a page outside any organization while it is shown.
pub fn use_page_title(page: &'static str) {
    Effect::new(move |_| set_document_title(&page_title(page)));
}

/// Sets the title of a page of the current organization; follows renames.
pub fn use_org_page_title(page: &'static str) {
    let current = use_context::<CurrentOrganization>();
    Effect::new(move |_| {
        let title = match current.and_then(|c| c.name()) {
            Some(name) => org_page_title(page, &name),
            None => page_title(page),
        };
        set_document_title(&title);
    });
}
