//! `/org/:orgId/roles`: custom assignments (product.md §2.5), owners only.
//!
//! Placeholder: the gate is in place (`Capabilities::manage_custom_assignments`);
//! the page builds on `api::{list_roles, create_role, update_role, delete_role}`.

use leptos::prelude::*;
use roster_core::Capabilities;

use crate::components::RequireAccess;
use crate::state::use_org_page_title;

#[component]
pub fn RolesPage() -> impl IntoView {
    use_org_page_title("Assignments");
    view! {
        <RequireAccess check=Capabilities::manage_custom_assignments>
            <header class="page-header">
                <h1>"Assignments"</h1>
            </header>
        </RequireAccess>
    }
}
