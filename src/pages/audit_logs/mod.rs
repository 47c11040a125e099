//! `/org/:orgId/audit-logs`: the audit log (product.md §2.6), for owners and
//! members holding `read:audit_logs` (`Capabilities::read_audit_log`).
//!
//! The server filters and pages (a log may hold a million rows); this page
//! keeps the filters, the page and the auto-refresh timer.

mod filters;
pub mod time_input;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use roster_core::audit::{action_label, target_type_label};
use roster_core::wire::{AuditLog, PaginatedAuditLogs};
use roster_core::Capabilities;

use crate::api::{self, AuditQuery};
use crate::components::{
    Badge, BadgeVariant, Button, EmptyState, ErrorState, RequireAccess, SkeletonTable,
};
use crate::dom;
use crate::format;
use crate::icons::IconKind;
use crate::state::{use_current_organization, use_org_page_title};

use filters::{AutoRefresh, FilterBar, Filters};

const HEADERS: [&str; 5] = ["Time", "User", "Action", "Target", "Outcome"];
const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];
const DEFAULT_PAGE_SIZE: u32 = 50;

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
    let organization_id = StoredValue::new(current.id_untracked().unwrap_or_default());
    let filters = Filters::new();
    let page = filters.page;
    let limit = RwSignal::new(DEFAULT_PAGE_SIZE);

    let fetching = RwSignal::new(false);
    let logs = LocalResource::new(move || {
        let (from, to) = filters.range(Utc::now());
        let query = AuditQuery {
            page: Some(page.get()),
            limit: Some(limit.get()),
            from: from.map(|at| at.to_rfc3339()),
            to: to.map(|at| at.to_rfc3339()),
            next_token: None,
            action: Some(filters.action.get()),
            actor_id: Some(filters.actor_id.get()),
        };
        let organization_id = organization_id.get_value();
        async move {
            fetching.try_set(true);
            let result = api::audit_logs(&organization_id, &query).await;
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
            let every = filters.auto_refresh.get();
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

    let members = Signal::derive(move || current.members().and_then(Result::ok));
    let state = Memo::new(move |_| {
        logs.with(|r| {
            r.as_ref()
                .map(|r| r.as_ref().map(|_| ()).map_err(|e| e.message.clone()))
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
            <Pager data=data page=page limit=limit />
        }
        .into_any(),
    };

    view! {
        <header class="page-header">
            <h1>"Audit Logs"</h1>
            <div class="page-actions">
                <Button busy=fetching on_click=Callback::new(move |_| logs.refetch())>"Refresh"</Button>
            </div>
        </header>
        <FilterBar filters=filters members=members />
        {content}
        {move || {
            (state.get() == Some(Ok(())) && data.with(|d| d.as_ref().is_some_and(|d| d.items.is_empty())))
                .then(|| {
                    let description = if filters.any() {
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
    page: RwSignal<u32>,
    limit: RwSignal<u32>,
) -> impl IntoView {
    let limit_id = dom::unique_id("audit-limit");
    let total = move || data.with(|d| d.as_ref().map_or(0, |d| d.total));
    let pages = move || data.with(|d| d.as_ref().map_or(1, |d| d.total_pages.max(1)));
    view! {
        <nav class="pagination" aria-label="Audit log pages">
            <div class="field field-inline">
                <label for=limit_id.clone()>"Rows per page"</label>
                <select
                    id=limit_id
                    class="input"
                    on:change=move |event| {
                        if let Ok(size) = event_target_value(&event).parse::<u32>() {
                            limit.set(size);
                            page.set(1);
                        }
                    }
                >
                    {PAGE_SIZES
                        .into_iter()
                        .map(|size| view! {
                            <option value=size.to_string() prop:selected=move || limit.get() == size>{size.to_string()}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <span class="pagination-position" role="status">
                {move || {
                    let total = total();
                    let noun = if total == 1 { "entry" } else { "entries" };
                    format!("Page {} of {} \u{b7} {total} {noun}", page.get(), pages())
                }}
            </span>
            <Button
                small=true
                disabled=Signal::derive(move || page.get() <= 1)
                on_click=Callback::new(move |_| page.update(|p| *p = p.saturating_sub(1).max(1)))
            >
                "Previous page"
            </Button>
            <Button
                small=true
                disabled=Signal::derive(move || u64::from(page.get()) >= pages())
                on_click=Callback::new(move |_| page.update(|p| *p += 1))
            >
                "Next page"
            </Button>
        </nav>
    }
}
