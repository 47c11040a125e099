//! The bench's reference for a cold load: the members page's first 25 rows
//! by the barest app on Roster's stack (Leptos CSR with its router, gloo-net,
//! serde and the shared wire types, built with the SPA's profile and
//! stylesheets). It reads what the page shows (the user, the organizations,
//! the first page of members) when it starts, and renders them in the
//! table's markup; nothing else. Its size and cold load tell how much of the
//! SPA's own figures is the stack's cost, and how much is Roster's.

use chrono::{Datelike, Local};
use gloo_net::http::Request;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_params_map;
use leptos_router::path;
use roster_core::wire::{Organization, OrganizationUser, User};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

async fn read<T: serde::de::DeserializeOwned>(path: String) -> Result<T, String> {
    let response = Request::get(&format!("/api{path}"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("{path}: HTTP {}", response.status()));
    }
    response.json().await.map_err(|e| e.to_string())
}

fn row(member: OrganizationUser) -> impl IntoView {
    let joined = member.created_at.with_timezone(&Local);
    let joined = format!(
        "{} {}, {}",
        MONTHS[joined.month0() as usize],
        joined.day(),
        joined.year()
    );
    let assignments: Vec<String> = member
        .assigned_roles
        .iter()
        .map(|a| a.name.clone())
        .collect();
    view! {
        <tr data-member=member.user_id>
            <td class="member-cell">
                <div class="member-identity">
                    <span class="member-name">{member.name}</span>
                    <span class="member-email">{member.email.clone()}</span>
                </div>
            </td>
            <td>
                <select class="input input-compact" aria-label=format!("Role for {}", member.email)>
                    <option value="owner" selected=member.role.is_owner()>"Owner"</option>
                    <option value="member" selected=!member.role.is_owner()>"Member"</option>
                </select>
            </td>
            <td>{assignments.join(", ")}</td>
            <td><time>{joined}</time></td>
            <td class="actions-column"><button class="btn btn-ghost btn-small" type="button">"Remove"</button></td>
        </tr>
    }
}

#[component]
fn MembersPage() -> impl IntoView {
    let params = use_params_map();
    let organization_id = move || params.read().get("id").unwrap_or_default();
    let me = LocalResource::new(|| read::<User>("/users/me".into()));
    let organizations = LocalResource::new(|| read::<Vec<Organization>>("/organizations".into()));
    let members = LocalResource::new(move || {
        read::<Vec<OrganizationUser>>(format!(
            "/organizations/{}/users?limit=25",
            organization_id()
        ))
    });
    let title = move || {
        let organizations = organizations.get()?.ok()?;
        let id = organization_id();
        organizations
            .into_iter()
            .find(|o| o.id == id)
            .map(|o| o.name)
    };
    view! {
        <header class="topbar">
            <h1>{title}</h1>
            <span>{move || me.get().and_then(Result::ok).map(|user| user.email)}</span>
        </header>
        <div class="members-table">
            <Suspense fallback=|| view! { <p>"Loading members…"</p> }>
                {move || members.get().map(|answer| match answer {
                    Err(error) => view! { <p role="alert">{error}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Member"</th>
                                        <th scope="col">"Role"</th>
                                        <th scope="col">"Assignments"</th>
                                        <th scope="col">"Joined"</th>
                                        <th scope="col" class="actions-column">"Actions"</th>
                                    </tr>
                                </thead>
                                <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                            </table>
                        </div>
                    }
                    .into_any(),
                })}
            </Suspense>
        </div>
    }
}

fn main() {
    leptos::mount::mount_to_body(|| {
        view! {
            <Router>
                <main class="main">
                    <Routes fallback=|| "Open /org/{id}/members">
                        <Route path=path!("/org/:id/members") view=MembersPage />
                    </Routes>
                </main>
            </Router>
        }
    });
}
