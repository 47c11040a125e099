//! The audit log's filters: a date range (from/to, or a quick range that
//! follows the clock), the action, the user, and auto-refresh.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use leptos::prelude::*;
use roster_core::audit::{action_label, ORGANIZATION_AUDIT_ACTIONS};
use roster_core::emails_equal;
use roster_core::wire::OrganizationUser;

use super::time_input;
use crate::dom;

/// "Last hour" … "Last 30 days": a range ending now, recomputed at every
/// refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuickRange {
    Hour,
    Day,
    Week,
    Month,
}

impl QuickRange {
    pub const ALL: [QuickRange; 4] = [
        QuickRange::Hour,
        QuickRange::Day,
        QuickRange::Week,
        QuickRange::Month,
    ];

    pub fn label(self) -> &'static str {
        match self {
            QuickRange::Hour => "Last hour",
            QuickRange::Day => "Last 24 hours",
            QuickRange::Week => "Last 7 days",
            QuickRange::Month => "Last 30 days",
        }
    }

    pub fn length(self) -> TimeDelta {
        match self {
            QuickRange::Hour => TimeDelta::hours(1),
            QuickRange::Day => TimeDelta::days(1),
            QuickRange::Week => TimeDelta::days(7),
            QuickRange::Month => TimeDelta::days(30),
        }
    }
}

/// How often the log reloads by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoRefresh {
    Off,
    Seconds(u32),
}

impl AutoRefresh {
    pub const ALL: [AutoRefresh; 4] = [
        AutoRefresh::Off,
        AutoRefresh::Seconds(10),
        AutoRefresh::Seconds(30),
        AutoRefresh::Seconds(60),
    ];

    pub fn label(self) -> &'static str {
        match self {
            AutoRefresh::Off => "Off",
            AutoRefresh::Seconds(10) => "10 s",
            AutoRefresh::Seconds(30) => "30 s",
            AutoRefresh::Seconds(_) => "1 min",
        }
    }

    fn value(self) -> String {
        match self {
            AutoRefresh::Off => "off".to_owned(),
            AutoRefresh::Seconds(s) => s.to_string(),
        }
    }

    fn parse(value: &str) -> AutoRefresh {
        value
            .parse()
            .map(AutoRefresh::Seconds)
            .unwrap_or(AutoRefresh::Off)
    }
}

/// Every filter, as signals (a `Copy` handle).
#[derive(Clone, Copy)]
pub struct Filters {
    /// `datetime-local` values; empty = open-ended.
    pub from: RwSignal<String>,
    pub to: RwSignal<String>,
    pub quick: RwSignal<Option<QuickRange>>,
    /// Empty = every action.
    pub action: RwSignal<String>,
    /// The actor's user id; empty = everyone.
    pub actor_id: RwSignal<String>,
    pub auto_refresh: RwSignal<AutoRefresh>,
    /// 1-based; back to 1 whenever a filter changes.
    pub page: RwSignal<u32>,
}

impl Filters {
    pub fn new() -> Self {
        Filters {
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            quick: RwSignal::new(None),
            action: RwSignal::new(String::new()),
            actor_id: RwSignal::new(String::new()),
            auto_refresh: RwSignal::new(AutoRefresh::Off),
            page: RwSignal::new(1),
        }
    }

    /// The range to ask for at `now`: a quick range ends now.
    pub fn range(&self, now: DateTime<Utc>) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        match self.quick.get() {
            Some(quick) => (Some(now - quick.length()), None),
            None => (
                self.from.with(|v| time_input::from_input(v)),
                self.to.with(|v| time_input::from_input(v)),
            ),
        }
    }

    /// Whether anything narrows the log.
    pub fn any(&self) -> bool {
        self.quick.with(Option::is_some)
            || !self.from.with(String::is_empty)
            || !self.to.with(String::is_empty)
            || !self.action.with(String::is_empty)
            || !self.actor_id.with(String::is_empty)
    }

    /// Sets one filter; the log starts again at its first page.
    pub fn set(&self, filter: RwSignal<String>, value: String) {
        filter.set(value);
        self.page.set(1);
    }

    fn choose_quick(&self, quick: QuickRange) {
        let now = Utc::now();
        self.page.set(1);
        self.quick.set(Some(quick));
        self.from.set(time_input::to_input(now - quick.length()));
        self.to.set(String::new());
    }

    fn clear(&self) {
        self.page.set(1);
        self.quick.set(None);
        self.from.set(String::new());
        self.to.set(String::new());
        self.action.set(String::new());
        self.actor_id.set(String::new());
    }
}

/// Above this many members the user filter is a text field (an e-mail
/// address) instead of a select.
const USER_SELECT_LIMIT: usize = 200;

#[component]
pub fn FilterBar(
    filters: Filters,
    /// The organization's members (for the user filter).
    #[prop(into)]
    members: Signal<Option<Arc<Vec<OrganizationUser>>>>,
) -> impl IntoView {
    let from_id = dom::unique_id("audit-from");
    let to_id = dom::unique_id("audit-to");
    let action_id = dom::unique_id("audit-action");
    let refresh_id = dom::unique_id("audit-refresh");
    let manual = move |signal: RwSignal<String>, value: String| {
        filters.quick.set(None);
        filters.set(signal, value);
    };
    view! {
        <div class="audit-filters" role="group" aria-label="Filters">
            <div class="filter-row">
                <div class="field">
                    <label for=from_id.clone()>"From"</label>
                    <input
                        id=from_id
                        class="input"
                        type="datetime-local"
                        prop:value=move || filters.from.get()
                        on:change=move |event| manual(filters.from, event_target_value(&event))
                    />
                </div>
                <div class="field">
                    <label for=to_id.clone()>"To"</label>
                    <input
                        id=to_id
                        class="input"
                        type="datetime-local"
                        prop:value=move || filters.to.get()
                        on:change=move |event| manual(filters.to, event_target_value(&event))
                    />
                </div>
                <div class="quick-ranges" role="group" aria-label="Quick ranges">
                    {QuickRange::ALL
                        .into_iter()
                        .map(|quick| {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-small"
                                    aria-pressed=move || if filters.quick.get() == Some(quick) { "true" } else { "false" }
                                    on:click=move |_| filters.choose_quick(quick)
                                >
                                    {quick.label()}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
            <div class="filter-row">
                <div class="field">
                    <label for=action_id.clone()>"Action"</label>
                    <select
                        id=action_id
                        class="input"
                        on:change=move |event| filters.set(filters.action, event_target_value(&event))
                    >
                        <option value="" prop:selected=move || filters.action.with(String::is_empty)>"All actions"</option>
                        {ORGANIZATION_AUDIT_ACTIONS
                            .into_iter()
                            .map(|action| {
                                view! {
                                    <option value=action prop:selected=move || filters.action.with(|a| a == action)>
                                        {action_label(action)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <UserFilter filters=filters members=members />
                <div class="field">
                    <label for=refresh_id.clone()>"Auto-refresh"</label>
                    <select
                        id=refresh_id
                        class="input"
                        on:change=move |event| filters.auto_refresh.set(AutoRefresh::parse(&event_target_value(&event)))
                    >
                        {AutoRefresh::ALL
                            .into_iter()
                            .map(|every| {
                                view! {
                                    <option value=every.value() prop:selected=move || filters.auto_refresh.get() == every>
                                        {every.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <Show when=move || filters.any()>
                    <button type="button" class="btn btn-ghost btn-small clear-filters" on:click=move |_| filters.clear()>
                        "Clear filters"
                    </button>
                </Show>
            </div>
        </div>
    }
}

/// A select of the members, or for large organizations a field taking an
/// e-mail address (matched case-insensitively against the members).
#[component]
fn UserFilter(
    filters: Filters,
    members: Signal<Option<Arc<Vec<OrganizationUser>>>>,
) -> impl IntoView {
    let field_id = dom::unique_id("audit-user");
    let hint_id = format!("{field_id}-hint");
    let sorted = Memo::new(move |_| {
        members.get().map(|list| {
            let mut list: Vec<(String, String)> = list
                .iter()
                .map(|m| (m.email.clone(), m.user_id.clone()))
                .collect();
            list.sort();
            Arc::new(list)
        })
    });
    let as_select =
        move || sorted.with(|s| s.as_ref().is_none_or(|s| s.len() <= USER_SELECT_LIMIT));
    let typed = RwSignal::new(String::new());
    let unknown = RwSignal::new(false);

    move || {
        let field_id = field_id.clone();
        let hint_id = hint_id.clone();
        if as_select() {
            view! {
                <div class="field">
                    <label for=field_id.clone()>"User"</label>
                    <select
                        id=field_id
                        class="input"
                        on:change=move |event| filters.set(filters.actor_id, event_target_value(&event))
                    >
                        <option value="" prop:selected=move || filters.actor_id.with(String::is_empty)>"All users"</option>
                        {move || {
                            sorted
                                .get()
                                .map(|list| {
                                    list.iter()
                                        .map(|(email, id)| {
                                            let id = id.clone();
                                            let value = id.clone();
                                            view! {
                                                <option value=value prop:selected=move || filters.actor_id.with(|a| *a == id)>
                                                    {email.clone()}
                                                </option>
                                            }
                                        })
                                        .collect_view()
                                })
                        }}
                    </select>
                </div>
            }
            .into_any()
        } else {
            let apply = move || {
                let text = typed.get_untracked();
                if text.trim().is_empty() {
                    unknown.set(false);
                    filters.set(filters.actor_id, String::new());
                    return;
                }
                let found = sorted.with_untracked(|s| {
                    s.as_ref().and_then(|list| {
                        list.iter()
                            .find(|(email, _)| emails_equal(email, &text))
                            .map(|(_, id)| id.clone())
                    })
                });
                unknown.set(found.is_none());
                if let Some(id) = found {
                    filters.set(filters.actor_id, id);
                }
            };
            let described = hint_id.clone();
            view! {
                <div class="field">
                    <label for=field_id.clone()>"User"</label>
                    <input
                        id=field_id
                        class="input"
                        type="email"
                        placeholder="E-mail address"
                        autocomplete="off"
                        aria-invalid=move || unknown.get().then_some("true")
                        aria-describedby=move || unknown.get().then(|| described.clone())
                        prop:value=move || typed.get()
                        on:input=move |event| typed.set(event_target_value(&event))
                        on:change=move |_| apply()
                        on:keydown=move |event: web_sys::KeyboardEvent| {
                            if event.key() == "Enter" {
                                event.prevent_default();
                                apply();
                            }
                        }
                    />
                    <Show when=move || unknown.get()>
                        <p class="field-error" id=hint_id.clone()>"No member has this e-mail address."</p>
                    </Show>
                </div>
            }
            .into_any()
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn quick_ranges_end_now_and_override_the_inputs() {
        let owner = Owner::new();
        owner.with(|| {
            let filters = Filters::new();
            let now: DateTime<Utc> = "2025-03-08T12:00:00Z".parse().expect("timestamp");
            assert_eq!(filters.range(now), (None, None));
            assert!(!filters.any());
            filters.quick.set(Some(QuickRange::Week));
            assert_eq!(
                filters.range(now),
                (
                    Some("2025-03-01T12:00:00Z".parse().expect("timestamp")),
                    None
                )
            );
            assert!(filters.any());
            filters.clear();
            assert!(!filters.any());
            assert_eq!(AutoRefresh::parse("30"), AutoRefresh::Seconds(30));
            assert_eq!(AutoRefresh::parse("off"), AutoRefresh::Off);
            assert_eq!(AutoRefresh::Seconds(60).label(), "1 min");
        });
    }
}
