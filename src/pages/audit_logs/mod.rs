//! `/org/:orgId/audit-logs`: the audit log (product.md §2.6), for owners and
//! members holding `read:audit_logs` (`Capabilities::read_audit_log`).
//!
//! The server filters and pages (a log may hold a million rows). The
//! filters and the page live in the address ([`address`]), so a filtered
//! view is a link; the page keeps only the auto-refresh timer. The action
//! and target pickers list the backend's scenarios ([`scenarios`]), and
//! "Export" downloads the filtered view where the backend offers it
//! ([`export`]).

mod address;
mod export;
mod filters;
mod scenarios;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use roster_core::audit::{action_label, target_type_label};
use roster_core::wire::{AuditLog, OrganizationUser, PaginatedAuditLogs};
use roster_core::Capabilities;

use crate::api;
use crate::api::audit::AuditQuery;
use crate::components::{
    Badge, BadgeVariant, Button, EmptyState, ErrorState, RequireAccess, SkeletonTable,
};
use crate::dom;
use crate::format;
use crate::icons::IconKind;
use crate::state::{use_current_organization, use_org_page_title};

use address::{AuditAddress, PAGE_SIZES};
use export::{ExportJob, ExportMenu, ExportStatus};
use filters::{AutoRefresh, FilterBar};
use scenarios::Scenarios;

const HEADERS: [&str; 5] = ["Time", "User", "Action", "Target", "Outcome"];

crate::components::split_view! {
    /// The page, downloaded when first shown.
    pub fn page() in audit_logs, preload preload_page {
        view! { <AuditLogsPage /> }
    }
}

#[component]
pub fn AuditLogsPage() -> impl IntoView {
    use_org_page_title("Audit Logs");
    view! {
        <RequireAccess check=Capabilities::read_audit_log>
            <AuditLogView />
        </RequireAccess>
    }
}

#[component]
fn AuditLogView() -> impl IntoView {
    let current = use_current_organization();
    let organization_id = current.id_untracked().unwrap_or_default();
    let members = Signal::derive(move || current.members().and_then(Result::ok));
    view! { <AuditLog organization_id=organization_id members=members /> }
}

/// The log of one organization, its view read from and written to the
/// address.
#[component]
fn AuditLog(
    organization_id: String,
    /// The organization's members (for the user filter).
    #[prop(into)]
    members: Signal<Option<Arc<Vec<OrganizationUser>>>>,
) -> impl IntoView {
    let organization_id = StoredValue::new(organization_id);
    let location = use_location();
    let navigate = use_navigate();
    let address = Memo::new(move |_| location.search.with(|s| AuditAddress::from_search(s)));
    // Filtering replaces the entry in the history: Back leaves the page
    // rather than stepping through every filter tried.
    let show = Callback::new(move |next: AuditAddress| {
        let path = location.pathname.get_untracked();
        let search = next.to_search();
        let target = if search.is_empty() {
            crate::config::app_path(&path).to_owned()
        } else {
            format!("{}?{search}", crate::config::app_path(&path))
        };
        navigate(
            &target,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    });
    let auto_refresh = RwSignal::new(AutoRefresh::Off);

    // Without the backend's scenarios (an older backend, or none reached)
    // the pickers offer what this version knows, without an error. The
    // export shows where the backend's `/config` says it has one.
    let scenarios = LocalResource::new(|| async {
        api::audit::audit_scenarios()
            .await
            .map_or_else(|_| Scenarios::known(), Scenarios::from_backend)
    });
    let scenarios = Signal::derive(move || scenarios.get().unwrap_or_else(Scenarios::known));
    let export_offered = LocalResource::new(|| async {
        api::session::config()
            .await
            .is_ok_and(|config| config.audit_export)
    });

    let export = ExportJob::new();

    let fetching = RwSignal::new(false);
    let logs = LocalResource::new(move || {
        let view = address.get();
        let query = AuditQuery {
            page: Some(view.page),
            limit: Some(view.limit),
            next_token: None,
            filters: view.request_filters(Utc::now()),
        };
        let organization_id = organization_id.get_value();
        async move {
            fetching.try_set(true);
            let result = api::audit::audit_logs(&organization_id, &query).await;
            fetching.try_set(false);
            result
        }
    });

    // Auto-refresh: one timer at a time, cleared when the choice changes
    // and when the page goes away. The handle is held outside the reactive
    // arena, so the cleanup finds it even while the page is being disposed.
    let timer = Arc::new(Mutex::new(None::<IntervalHandle>));
    let clear_timer = {
        let timer = Arc::clone(&timer);
        move || {
            let handle = timer.lock().ok().and_then(|mut held| held.take());
            if let Some(handle) = handle {
                handle.clear();
            }
        }
    };
    Effect::new({
        let clear_timer = clear_timer.clone();
        move |_| {
            let every = auto_refresh.get();
            clear_timer();
            if let AutoRefresh::Seconds(seconds) = every {
                let handle = set_interval_with_handle(
                    move || {
                        if fetching.try_get_untracked() == Some(false) {
                            logs.refetch();
                        }
                    },
                    Duration::from_secs(u64::from(seconds)),
                );
                if let (Ok(handle), Ok(mut held)) = (handle, timer.lock()) {
                    *held = Some(handle);
                }
            }
        }
    });
    on_cleanup(clear_timer);

    let state = Memo::new(move |_| {
        logs.with(|r| {
            r.as_ref()
                .map(|r| r.as_ref().map(|_| ()).map_err(|e| e.to_string()))
        })
    });
    let data = Memo::new(move |_| logs.with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).cloned()));

    let content = move || match state.get() {
        None => {
            view! { <SkeletonTable headers=HEADERS.to_vec() rows=8 label="Audit log" /> }.into_any()
        }
        Some(Err(message)) => view! {
            <ErrorState
                title="Could not load the audit log"
                message=message
                on_retry=Callback::new(move |_| logs.refetch())
            />
        }
        .into_any(),
        Some(Ok(())) => view! {
            <AuditTable data=data fetching=fetching.into() />
            <Pager data=data address=address on_change=show />
        }
        .into_any(),
    };

    view! {
        <header class="page-header">
            <h1>"Audit Logs"</h1>
            <div class="page-actions">
                <Show when=move || export_offered.get() == Some(true)>
                    <ExportMenu job=export organization_id=organization_id address=address />
                </Show>
                <Button busy=fetching on_click=Callback::new(move |_| logs.refetch())>"Refresh"</Button>
            </div>
        </header>
        <ExportStatus job=export />
        <FilterBar
            address=address
            on_change=show
            scenarios=scenarios
            members=members
            auto_refresh=auto_refresh
        />
        {content}
        {move || {
            (state.get() == Some(Ok(())) && data.with(|d| d.as_ref().is_some_and(|d| d.items.is_empty())))
                .then(|| {
                    let description = if address.with(AuditAddress::filtered) {
                        "Nothing matches these filters."
                    } else {
                        "Changes to this organization will be recorded here."
                    };
                    view! { <EmptyState title="No audit log entries" description=description icon=IconKind::List /> }
                })
        }}
    }
}

#[component]
fn AuditTable(data: Memo<Option<PaginatedAuditLogs>>, fetching: Signal<bool>) -> impl IntoView {
    let items = move || data.with(|d| d.as_ref().map(|d| d.items.clone()).unwrap_or_default());
    view! {
        <Show when=move || data.with(|d| d.as_ref().is_some_and(|d| !d.items.is_empty()))>
            <div class="table-wrap" aria-busy=move || if fetching.get() { "true" } else { "false" }>
                <table class="table audit-table">
                    <caption class="visually-hidden">"Audit log"</caption>
                    <thead>
                        <tr>{HEADERS.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody>
                        {move || {
                            let now = Utc::now();
                            items()
                                .into_iter()
                                .map(|entry| view! { <AuditRow entry=entry now=now /> })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

#[component]
fn AuditRow(entry: AuditLog, now: DateTime<Utc>) -> impl IntoView {
    let at = entry.created_at;
    let user = if !entry.actor_email.is_empty() {
        entry.actor_email.clone()
    } else if let Some(prefix) = &entry.actor_api_key_prefix {
        format!("API key {prefix}\u{2026}")
    } else if !entry.actor_id.is_empty() {
        entry.actor_id.clone()
    } else {
        "System".to_owned()
    };
    let target = entry
        .target_type
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|kind| {
            let id = entry.target_id.clone().unwrap_or_default();
            let short: String = id.chars().take(8).collect();
            let shortened = short.len() < id.len();
            view! {
                <span class="audit-target-type">{target_type_label(kind)}</span>
                {(!id.is_empty()).then(|| view! {
                    " "
                    <code class="audit-target-id" title=id.clone()>
                        {if shortened { format!("{short}\u{2026}") } else { id.clone() }}
                    </code>
                })}
            }
        });
    let outcome = entry.status_code.map(|code| {
        let variant = match code {
            200..=299 => BadgeVariant::Success,
            400..=499 => BadgeVariant::Warning,
            _ => BadgeVariant::Danger,
        };
        view! { <Badge variant=variant>{code.to_string()}</Badge> }
    });
    view! {
        <tr>
            <td class="audit-time">
                <time datetime=at.to_rfc3339() title=format::date_time(at)>{format::relative(at, now)}</time>
            </td>
            <td class="audit-user">{user}</td>
            <td>{action_label(&entry.action)}</td>
            <td class="audit-target">{target}</td>
            <td class="audit-outcome">
                {outcome}
                {entry.error_message.clone().filter(|m| !m.is_empty()).map(|m| view! { " " <span class="audit-error">{m}</span> })}
            </td>
        </tr>
    }
}

#[component]
fn Pager(
    data: Memo<Option<PaginatedAuditLogs>>,
    address: Memo<AuditAddress>,
    on_change: Callback<AuditAddress>,
) -> impl IntoView {
    let limit_id = dom::unique_id("audit-limit");
    let page = move || address.with(|a| a.page);
    let total = move || data.with(|d| d.as_ref().map_or(0, |d| d.total));
    let pages = move || data.with(|d| d.as_ref().map_or(1, |d| d.total_pages.max(1)));
    let go = move |page: u32| on_change.run(address.with_untracked(|a| a.with_page(page)));
    view! {
        <nav class="pagination" aria-label="Audit log pages">
            <div class="field field-inline">
                <label for=limit_id.clone()>"Rows per page"</label>
                <select
                    id=limit_id
                    class="input"
                    on:change=move |event| {
                        if let Ok(size) = event_target_value(&event).parse::<u32>() {
                            on_change.run(address.with_untracked(|a| a.with_limit(size)));
                        }
                    }
                >
                    {PAGE_SIZES
                        .into_iter()
                        .map(|size| view! {
                            <option value=size.to_string() prop:selected=move || address.with(|a| a.limit == size)>{size.to_string()}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <span class="pagination-position" role="status">
                {move || {
                    let total = total();
                    let noun = if total == 1 { "entry" } else { "entries" };
                    format!("Page {} of {} \u{b7} {total} {noun}", page(), pages())
                }}
            </span>
            <Button
                small=true
                disabled=Signal::derive(move || page() <= 1)
                on_click=Callback::new(move |_| go(address.with_untracked(|a| a.page).saturating_sub(1).max(1)))
            >
                "Previous page"
            </Button>
            <Button
                small=true
                disabled=Signal::derive(move || u64::from(page()) >= pages())
                on_click=Callback::new(move |_| go(address.with_untracked(|a| a.page).saturating_add(1)))
            >
                "Next page"
            </Button>
        </nav>
    }
}

/// The page against a backend played by `window.fetch`, at an address the
/// test sets, inside a router as in the app.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use crate::testing::fixtures::fire;
    use leptos_router::components::{Route, Router, Routes};
    use leptos_router::path;
    use roster_core::audit::ORGANIZATION_AUDIT_ACTIONS;
    use roster_test_macros::page_test;
    use serde_json::json;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test_configure;
    use web_sys::HtmlSelectElement;

    wasm_bindgen_test_configure!(run_in_browser);

    /// A backend answering paths ending with each route's suffix with its
    /// status and body (status 0: the network fails); anything else is
    /// NestJS's 404. Returns a function that restores fetch. The paths and
    /// queries asked are in `window.rosterRequests`.
    fn backend(routes: serde_json::Value) -> js_sys::Function {
        let install = js_sys::Function::new_with_args(
            "routes",
            r#"
            const real = window.fetch;
            window.rosterRequests = [];
            window.fetch = async (input) => {
              const url = new URL(typeof input === "string" ? input : input.url, location.href);
              window.rosterRequests.push(url.pathname + url.search);
              const json = { "content-type": "application/json" };
              for (const [suffix, status, body] of JSON.parse(routes)) {
                if (url.pathname.endsWith(suffix)) {
                  if (status === 0) throw new TypeError("Failed to fetch");
                  return new Response(JSON.stringify(body), { status, headers: json });
                }
              }
              return new Response(
                JSON.stringify({ statusCode: 404, message: "Cannot GET " + url.pathname, error: "Not Found" }),
                { status: 404, headers: json });
            };
            return () => { window.fetch = real; };
            "#,
        );
        install
            .call1(&JsValue::NULL, &JsValue::from_str(&routes.to_string()))
            .expect("install the backend")
            .unchecked_into()
    }

    /// The paths and queries asked (gloo ends a query with `&`).
    fn requests() -> Vec<String> {
        let list = js_sys::Reflect::get(&window(), &JsValue::from_str("rosterRequests"))
            .expect("the requests");
        js_sys::Array::from(&list)
            .iter()
            .filter_map(|v| v.as_string())
            .map(|r| r.trim_end_matches('&').to_owned())
            .collect()
    }

    fn log_page(actions: &[&str]) -> serde_json::Value {
        let items: Vec<_> = actions
            .iter()
            .enumerate()
            .map(|(n, action)| {
                json!({
                    "id": format!("e{n}"),
                    "actorId": "u1",
                    "actorEmail": "ada@example.com",
                    "action": action,
                    "targetType": "organization_user",
                    "targetId": "u2",
                    "statusCode": 403,
                    "createdAt": "2026-03-01T09:30:00Z",
                })
            })
            .collect();
        json!({ "items": items, "total": items.len(), "page": 1, "totalPages": 1 })
    }

    /// Shows the log of `o1` at `search`; the previous address comes back
    /// when the returned guard goes.
    struct AtAddress(String);

    impl AtAddress {
        fn new(search: &str) -> Self {
            let location = window().location();
            let before = location.href().expect("the address");
            let history = window().history().expect("history");
            history
                .replace_state_with_url(
                    &JsValue::NULL,
                    "",
                    Some(&format!("/org/o1/audit-logs{search}")),
                )
                .expect("set the address");
            AtAddress(before)
        }
    }

    impl Drop for AtAddress {
        fn drop(&mut self) {
            if let Ok(history) = window().history() {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&self.0));
            }
        }
    }

    fn mount(fixture: &Fixture) -> leptos::mount::UnmountHandle<impl Mountable> {
        fixture.mount(|| {
            view! {
                <Router>
                    <Routes fallback=|| "not found">
                        <Route
                            path=path!("/org/:orgId/audit-logs")
                            view=|| view! { <AuditLog organization_id="o1".to_owned() members=Signal::derive(|| None) /> }
                        />
                    </Routes>
                </Router>
            }
        })
    }

    /// The select labelled `label`.
    fn select(fixture: &Fixture, label: &str) -> HtmlSelectElement {
        let label = fixture
            .find_all("label")
            .into_iter()
            .find(|l| l.text_content().as_deref() == Some(label))
            .unwrap_or_else(|| panic!("no label {label}"));
        let id = label.get_attribute("for").expect("a labelled control");
        fixture.find(&format!("#{id}")).unchecked_into()
    }

    fn option_texts(select: &HtmlSelectElement) -> Vec<String> {
        crate::dom::query_all(select, "option")
            .iter()
            .map(|o| o.text_content().unwrap_or_default())
            .collect()
    }

    async fn until(what: &str, check: impl Fn() -> bool) {
        for _ in 0..100 {
            if check() {
                return;
            }
            settle().await;
        }
        panic!("never saw {what}");
    }

    fn search() -> String {
        window().location().search().expect("the query")
    }

    #[page_test]
    async fn a_shared_link_sets_the_pickers_and_the_address_follows_them() {
        let _address = AtAddress::new(
            "?action[in]=update_access&statusCode[gte]=400&statusCode[lt]=500\
             &targetType[eq]=organization_user&page=2&bogus[op]=1&createdAt[gte]=soon",
        );
        let restore = backend(json!([
            ["/config", 200, { "version": "test", "auditExport": true }],
            ["/audit/scenarios", 200, { "targets": [
                { "targetType": "organization", "actions": ["update", "delete"] },
                { "targetType": "organization_user", "actions": ["update_access", "delete", "leave"] },
            ] }],
            ["/audit/organizations/o1", 200, log_page(&["update_access"])],
        ]));
        let fixture = Fixture::new();
        let history_length = window().history().and_then(|h| h.length()).unwrap_or(0);
        let _handle = mount(&fixture);
        until("the entries", || fixture.exists(".audit-table tbody tr")).await;
        until("the scenarios", || {
            option_texts(&select(&fixture, "Target")).len() == 3
        })
        .await;

        assert_eq!(select(&fixture, "Target").value(), "organization_user");
        assert_eq!(select(&fixture, "Action").value(), "update_access");
        assert_eq!(select(&fixture, "Outcome").value(), "client_error");
        assert_eq!(select(&fixture, "User").value(), "");
        // The member's actions only, labelled.
        assert_eq!(
            option_texts(&select(&fixture, "Action")),
            ["All actions", "Update access", "Delete", "Leave"]
        );
        assert_eq!(
            option_texts(&select(&fixture, "Target")),
            ["All targets", "Organization", "Member"]
        );
        // The server is asked for that view (the bad parameters left out).
        let asked = requests();
        let log = asked
            .iter()
            .find(|r| r.starts_with("/api/audit/organizations/o1?"))
            .expect("the log was asked for");
        assert_eq!(
            log,
            "/api/audit/organizations/o1?page=2&limit=50\
             &action%5Bin%5D=update_access&targetType%5Beq%5D=organization_user\
             &statusCode%5Bgte%5D=400&statusCode%5Blt%5D=500"
        );
        assert!(
            fixture.exists(".export-trigger"),
            "the backend offers exports"
        );

        // Another outcome: the address follows, back at the first page.
        let outcome = select(&fixture, "Outcome");
        outcome.set_value("server_error");
        fire(&outcome, "change");
        until("the address", || search().contains("statusCode[gte]=500")).await;
        assert_eq!(
            search(),
            "?action[in]=update_access&targetType[eq]=organization_user&statusCode[gte]=500"
        );
        until("the log asked again", || {
            requests().iter().any(|r| {
                r == "/api/audit/organizations/o1?page=1&limit=50\
                      &action%5Bin%5D=update_access&targetType%5Beq%5D=organization_user\
                      &statusCode%5Bgte%5D=500"
            })
        })
        .await;
        // Another target whose actions do not include the chosen one.
        let target = select(&fixture, "Target");
        target.set_value("organization");
        fire(&target, "change");
        until("the target in the address", || {
            search().contains("targetType[eq]=organization&")
        })
        .await;
        assert_eq!(search(), "?targetType[eq]=organization&statusCode[gte]=500");
        until("all actions chosen", || {
            select(&fixture, "Action").value().is_empty()
        })
        .await;
        assert_eq!(
            option_texts(&select(&fixture, "Action")),
            ["All actions", "Update", "Delete"]
        );
        // Filtering replaced the history entry rather than adding ones.
        assert_eq!(
            window().history().and_then(|h| h.length()).unwrap_or(0),
            history_length
        );
        // Clearing empties the address.
        fixture.find(".clear-filters").click();
        until("no filters in the address", || search().is_empty()).await;
        restore.call0(&JsValue::NULL).expect("restore fetch");
    }

    #[page_test]
    async fn without_scenarios_the_pickers_offer_what_roster_knows_silently() {
        let known_actions: Vec<String> = ORGANIZATION_AUDIT_ACTIONS
            .iter()
            .map(|a| action_label(a))
            .collect();
        // A backend without the endpoint (404), then one that cannot be
        // reached for it: the same pickers, no error, no export.
        for scenarios in [
            json!(["/nowhere", 404, {}]),
            json!(["/audit/scenarios", 0, {}]),
        ] {
            let _address = AtAddress::new("?action[in]=leave&statusCode[eq]=404");
            let restore = backend(json!([
                scenarios,
                ["/config", 200, { "version": "daytona" }],
                ["/audit/organizations/o1", 200, log_page(&["leave"])],
            ]));
            let fixture = Fixture::new();
            let _handle = mount(&fixture);
            until("the entries", || fixture.exists(".audit-table tbody tr")).await;
            until("the scenarios asked", || {
                requests().iter().any(|r| r == "/api/audit/scenarios")
            })
            .await;
            settle().await;
            let actions = option_texts(&select(&fixture, "Action"));
            assert_eq!(actions[0], "All actions");
            assert_eq!(actions[1..], known_actions[..]);
            assert_eq!(select(&fixture, "Action").value(), "leave");
            // A filter the Outcome picker cannot show applies, and is said.
            let outcome = select(&fixture, "Outcome");
            assert_eq!(
                outcome
                    .selected_options()
                    .item(0)
                    .and_then(|o| o.text_content()),
                Some("Other (from the link)".to_owned())
            );
            assert!(requests()
                .iter()
                .any(|r| r.ends_with("action%5Bin%5D=leave&statusCode%5Beq%5D=404")));
            assert_eq!(
                option_texts(&select(&fixture, "Target")),
                [
                    "All targets",
                    "Organization",
                    "Member",
                    "Invitation",
                    "Assignment"
                ]
            );
            assert!(!fixture.exists("[role=alert]"), "an error was shown");
            assert!(!fixture.exists(".error-state"), "an error was shown");
            assert!(
                !fixture.exists(".export-trigger"),
                "no export without the backend's"
            );
            restore.call0(&JsValue::NULL).expect("restore fetch");
        }
    }

    /// An export whose first two rows arrive at once and the last two when
    /// `window.rosterExportRelease()` is called; `window.rosterExportAborted`
    /// tells whether it was cancelled, `window.rosterExportAsked` what was
    /// asked. Saving is recorded, not done: `window.rosterSaved` holds the
    /// file's name and text.
    fn slow_export() -> js_sys::Function {
        let install = js_sys::Function::new_no_args(
            r#"
            const fetch = window.fetch;
            const createObjectURL = URL.createObjectURL;
            const click = HTMLAnchorElement.prototype.click;
            window.rosterExportAborted = false;
            window.rosterSaved = null;
            let saving = null;
            URL.createObjectURL = (blob) => { saving = blob.text(); return "blob:saved"; };
            HTMLAnchorElement.prototype.click = function () {
              const name = this.download;
              saving.then((text) => { window.rosterSaved = [name, text]; });
            };
            window.fetch = async (input, init) => {
              const url = new URL(typeof input === "string" ? input : input.url, location.href);
              if (!url.pathname.endsWith("/export")) return fetch(input, init);
              window.rosterExportAsked = url.pathname + url.search;
              const signal = input.signal;
              const bytes = (text) => new TextEncoder().encode(text);
              const released = new Promise((resolve) => { window.rosterExportRelease = resolve; });
              const body = new ReadableStream({
                start(controller) {
                  signal.addEventListener("abort", () => {
                    window.rosterExportAborted = true;
                    controller.error(new DOMException("The user aborted a request.", "AbortError"));
                  });
                  controller.enqueue(bytes("createdAt,action\r\n2026-03-01,create\r\n2026-03-02,\"a\r\nb\"\r\n"));
                  released.then(() => {
                    if (signal.aborted) return;
                    controller.enqueue(bytes("2026-03-03,leave\r\n2026-03-04,'=1+1\r\n"));
                    controller.close();
                  });
                },
              });
              return new Response(body, { status: 200, headers: {
                "content-type": "text/csv; charset=utf-8",
                "x-total-count": "4",
                "content-disposition": 'attachment; filename="audit-log-o1.csv"',
              } });
            };
            return () => {
              window.fetch = fetch;
              URL.createObjectURL = createObjectURL;
              HTMLAnchorElement.prototype.click = click;
            };
            "#,
        );
        install
            .call0(&JsValue::NULL)
            .expect("install the export")
            .unchecked_into()
    }

    fn global(name: &str) -> JsValue {
        js_sys::Reflect::get(&window(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    async fn export_csv(fixture: &Fixture) {
        fixture.find(".export-trigger").click();
        settle().await;
        fixture
            .find_all("[role=menuitem]")
            .into_iter()
            .find(|item| item.text_content().as_deref() == Some("CSV"))
            .expect("a CSV item")
            .click();
        until("the export running", || fixture.exists(".export-running")).await;
    }

    #[page_test]
    async fn an_export_shows_its_progress_and_can_be_cancelled_or_saved() {
        let _address = AtAddress::new("?outcome=ignored&statusCode[gte]=500");
        let restore = backend(json!([
            ["/config", 200, { "version": "test", "auditExport": true }],
            ["/audit/organizations/o1", 200, log_page(&["update"])],
        ]));
        let restore_export = slow_export();
        let fixture = Fixture::new();
        let _handle = mount(&fixture);
        until("the export offered", || fixture.exists(".export-trigger")).await;

        // Two of four rows (a line break in a quoted cell ends no row).
        export_csv(&fixture).await;
        until("two rows counted", || {
            fixture
                .find(".export-running")
                .text_content()
                .is_some_and(|t| t.contains("Exporting\u{2026} 2 of 4 rows"))
        })
        .await;
        let bar = fixture.find("[role=progressbar]");
        assert_eq!(bar.get_attribute("aria-valuenow").as_deref(), Some("50"));
        assert_eq!(
            bar.get_attribute("aria-valuetext").as_deref(),
            Some("2 of 4 rows")
        );
        fixture
            .find_all(".export-running button")
            .into_iter()
            .find(|b| b.text_content().as_deref() == Some("Cancel export"))
            .expect("Cancel")
            .click();
        until("the export cancelled", || {
            fixture
                .container
                .text_content()
                .is_some_and(|t| t.contains("Export cancelled"))
        })
        .await;
        assert_eq!(global("rosterExportAborted").as_bool(), Some(true));
        assert!(global("rosterSaved").is_null(), "nothing is saved");

        // Again, to the end: the file holds the body as it came.
        export_csv(&fixture).await;
        until("two rows counted", || {
            fixture.exists("[role=progressbar][aria-valuenow='50']")
        })
        .await;
        js_sys::Reflect::get(&window(), &JsValue::from_str("rosterExportRelease"))
            .expect("the release")
            .unchecked_into::<js_sys::Function>()
            .call0(&JsValue::NULL)
            .expect("release the rest");
        until("the export saved", || !global("rosterSaved").is_null()).await;
        let saved: Vec<String> = js_sys::Array::from(&global("rosterSaved"))
            .iter()
            .filter_map(|v| v.as_string())
            .collect();
        assert_eq!(
            saved,
            [
                "audit-log-o1.csv",
                "createdAt,action\r\n2026-03-01,create\r\n2026-03-02,\"a\r\nb\"\r\n\
                 2026-03-03,leave\r\n2026-03-04,'=1+1\r\n"
            ]
        );
        until("the outcome said", || {
            fixture
                .find(".export-status")
                .text_content()
                .is_some_and(|t| t.contains("Exported 4 rows to audit-log-o1.csv"))
        })
        .await;
        // The export asked for the page's filters, without its pages.
        assert_eq!(
            global("rosterExportAsked")
                .as_string()
                .map(|asked| asked.trim_end_matches('&').to_owned())
                .as_deref(),
            Some("/api/audit/organizations/o1/export?format=csv&statusCode%5Bgte%5D=500")
        );
        restore_export.call0(&JsValue::NULL).expect("restore");
        restore.call0(&JsValue::NULL).expect("restore fetch");
    }
}
