//! `/org/:orgId/audit-logs`: the audit log (product.md §2.6), for owners and
//! members holding `read:audit_logs`.
//!
//! Placeholder: the gate is in place (`Capabilities::read_audit_log`); the
//! page builds on `api::audit_logs(org, &AuditQuery { … })`.

pub mod time_input;

use leptos::prelude::*;
use roster_core::Capabilities;

use crate::components::RequireAccess;
use crate::state::use_org_page_title;

#[component]
pub fn AuditLogsPage() -> impl IntoView {
    use_org_page_title("Audit Logs");
    view! {
        <RequireAccess check=Capabilities::read_audit_log>
            <header class="page-header">
                <h1>"Audit Logs"</h1>
            </header>
        </RequireAccess>
    }
}
