//! The audit log's filter bar: a date range (from/to, or a quick range that
//! follows the clock), the action, the target, the outcome, the user, and
//! auto-refresh.
//!
//! The bar shows the [`AuditAddress`] it is given and hands every change to
//! `on_change` as a new address; the page puts that in the URL, which is
//! where the filters live.

use std::sync::Arc;

use chrono::Utc;
use leptos::prelude::*;
use roster_core::audit::{action_label, target_type_label};
use roster_core::audit_filter::Outcome;
use roster_core::emails_equal;
use roster_core::wire::OrganizationUser;

use super::address::{AuditAddress, Choice, QuickRange};
use super::scenarios::Scenarios;
use crate::dom;
use crate::format::time_input;

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

/// The value of the option standing for a filter a picker cannot show.
const OTHER: &str = "(other)";

/// Above this many members the user filter is a text field (an e-mail
/// address) instead of a select.
const USER_SELECT_LIMIT: usize = 200;

#[component]
pub fn FilterBar(
    #[prop(into)] address: Signal<AuditAddress>,
    on_change: Callback<AuditAddress>,
    #[prop(into)] scenarios: Signal<Scenarios>,
    /// The organization's members (for the user filter).
    #[prop(into)]
    members: Signal<Option<Arc<Vec<OrganizationUser>>>>,
    auto_refresh: RwSignal<AutoRefresh>,
) -> impl IntoView {
    let from_id = dom::unique_id("audit-from");
    let to_id = dom::unique_id("audit-to");
    let refresh_id = dom::unique_id("audit-refresh");
    let change = move |next: AuditAddress| on_change.run(next);
    let bound = move |start: bool| {
        move || {
            address.with(|a| {
                let (from, to) = a.bounds(Utc::now());
                let at = if start { from } else { to };
                at.map(time_input::to_input).unwrap_or_default()
            })
        }
    };
    let set_bound = move |start: bool, value: String| {
        let at = time_input::from_input(&value);
        let now = Utc::now();
        change(address.with_untracked(|a| {
            if start {
                a.with_bounds(now, Some(at), None)
            } else {
                a.with_bounds(now, None, Some(at))
            }
        }));
    };

    let target = Signal::derive(move || address.with(AuditAddress::target_type));
    let action_options = Signal::derive(move || {
        let chosen = target.with(|t| match t {
            Choice::One(target) => Some(target.clone()),
            _ => None,
        });
        scenarios.with(|s| s.actions(chosen.as_deref()))
    });
    let choose_target = move |value: String| {
        let next = address.with_untracked(|a| {
            let mut next = a.with_target_type((!value.is_empty()).then(|| value.clone()));
            // An action never recorded on the new target would match nothing.
            if let Choice::One(action) = a.action() {
                if !value.is_empty() && !scenarios.with_untracked(|s| s.allows(&value, &action)) {
                    next = next.with_action(None);
                }
            }
            next
        });
        change(next);
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
                        prop:value=bound(true)
                        on:change=move |event| set_bound(true, event_target_value(&event))
                    />
                </div>
                <div class="field">
                    <label for=to_id.clone()>"To"</label>
                    <input
                        id=to_id
                        class="input"
                        type="datetime-local"
                        prop:value=bound(false)
                        on:change=move |event| set_bound(false, event_target_value(&event))
                    />
                </div>
                <div class="quick-ranges" role="group" aria-label="Quick ranges">
                    {QuickRange::ALL
                        .into_iter()
                        .map(|quick| {
                            let pressed = move || address.with(|a| a.range == Some(quick));
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-small"
                                    aria-pressed=move || if pressed() { "true" } else { "false" }
                                    on:click=move |_| change(address.with_untracked(|a| a.with_range(quick)))
                                >
                                    {quick.label()}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
            <div class="filter-row">
                <Picker
                    label="Target"
                    all="All targets"
                    chosen=target
                    options=Signal::derive(move || scenarios.with(Scenarios::target_types))
                    option_label=target_type_label
                    on_choose=Callback::new(choose_target)
                />
                <Picker
                    label="Action"
                    all="All actions"
                    chosen=Signal::derive(move || address.with(AuditAddress::action))
                    options=action_options
                    option_label=action_label
                    on_choose=Callback::new(move |value: String| {
                        change(address.with_untracked(|a| a.with_action((!value.is_empty()).then_some(value))));
                    })
                />
                <OutcomePicker address=address on_change=on_change />
                <UserFilter address=address on_change=on_change members=members />
                <div class="field">
                    <label for=refresh_id.clone()>"Auto-refresh"</label>
                    <select
                        id=refresh_id
                        class="input"
                        on:change=move |event| auto_refresh.set(AutoRefresh::parse(&event_target_value(&event)))
                    >
                        {AutoRefresh::ALL
                            .into_iter()
                            .map(|every| {
                                view! {
                                    <option value=every.value() prop:selected=move || auto_refresh.get() == every>
                                        {every.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <Show when=move || address.with(AuditAddress::filtered)>
                    <button
                        type="button"
                        class="btn btn-ghost btn-small clear-filters"
                        on:click=move |_| change(address.with_untracked(AuditAddress::cleared))
                    >
                        "Clear filters"
                    </button>
                </Show>
            </div>
        </div>
    }
}

/// A select of one value among `options` (wire names shown through
/// `option_label`): "all" first, the chosen value even when it is not
/// among the options (a link from a newer backend), and a filter it
/// cannot show as "Other".
#[component]
fn Picker(
    label: &'static str,
    all: &'static str,
    #[prop(into)] chosen: Signal<Choice<String>>,
    #[prop(into)] options: Signal<Vec<String>>,
    option_label: fn(&str) -> String,
    on_choose: Callback<String>,
) -> impl IntoView {
    let id = dom::unique_id("audit-picker");
    let listed = Memo::new(move |_| {
        let mut listed = options.get();
        if let Choice::One(value) = chosen.get() {
            if !listed.contains(&value) {
                listed.push(value);
            }
        }
        listed
    });
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                class="input"
                on:change=move |event| {
                    let value = event_target_value(&event);
                    if value != OTHER {
                        on_choose.run(value);
                    }
                }
            >
                <option value="" prop:selected=move || chosen.with(|c| *c == Choice::All)>{all}</option>
                <Show when=move || chosen.with(|c| *c == Choice::Other)>
                    <option value=OTHER selected>"Other (from the link)"</option>
                </Show>
                <For each=move || listed.get() key=|value| value.clone() let:value>
                    {
                        let text = option_label(&value);
                        let mine = value.clone();
                        view! {
                            <option
                                value=value
                                prop:selected=move || chosen.with(|c| matches!(c, Choice::One(v) if *v == mine))
                            >
                                {text}
                            </option>
                        }
                    }
                </For>
            </select>
        </div>
    }
}

/// Success, client error or server error: a range of status codes.
#[component]
fn OutcomePicker(
    address: Signal<AuditAddress>,
    on_change: Callback<AuditAddress>,
) -> impl IntoView {
    let id = dom::unique_id("audit-outcome");
    let chosen = Memo::new(move |_| address.with(AuditAddress::outcome));
    view! {
        <div class="field">
            <label for=id.clone()>"Outcome"</label>
            <select
                id=id
                class="input"
                on:change=move |event| {
                    let value = event_target_value(&event);
                    if value != OTHER {
                        let outcome = Outcome::parse(&value);
                        on_change.run(address.with_untracked(|a| a.with_outcome(outcome)));
                    }
                }
            >
                <option value="" prop:selected=move || chosen.get() == Choice::All>"All outcomes"</option>
                <Show when=move || chosen.get() == Choice::Other>
                    <option value=OTHER selected>"Other (from the link)"</option>
                </Show>
                {Outcome::ALL
                    .into_iter()
                    .map(|outcome| view! {
                        <option value=outcome.as_str() prop:selected=move || chosen.get() == Choice::One(outcome)>
                            {outcome.label()}
                        </option>
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A select of the members, or for large organizations a field taking an
/// e-mail address (matched case-insensitively against the members).
#[component]
fn UserFilter(
    address: Signal<AuditAddress>,
    on_change: Callback<AuditAddress>,
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
    let chosen = Memo::new(move |_| address.with(AuditAddress::actor_id));
    let choose = move |id: Option<String>| {
        on_change.run(address.with_untracked(|a| a.with_actor_id(id)));
    };
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
                        on:change=move |event| {
                            let value = event_target_value(&event);
                            if value != OTHER {
                                choose((!value.is_empty()).then_some(value));
                            }
                        }
                    >
                        <option value="" prop:selected=move || chosen.get() == Choice::All>"All users"</option>
                        <Show when=move || chosen.get() == Choice::Other>
                            <option value=OTHER selected>"Other (from the link)"</option>
                        </Show>
                        {move || {
                            sorted
                                .get()
                                .map(|list| {
                                    let listed = |id: &str| list.iter().any(|(_, known)| known == id);
                                    // Someone who has left still has entries.
                                    let former = match chosen.get() {
                                        Choice::One(id) if !listed(&id) => Some(id),
                                        _ => None,
                                    };
                                    list.iter()
                                        .map(|(email, id)| (email.clone(), id.clone()))
                                        .chain(former.map(|id| (id.clone(), id)))
                                        .map(|(text, id)| {
                                            let value = id.clone();
                                            view! {
                                                <option
                                                    value=value
                                                    prop:selected=move || chosen.with(|c| matches!(c, Choice::One(v) if *v == id))
                                                >
                                                    {text}
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
                    choose(None);
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
                    choose(Some(id));
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
    fn auto_refresh_reads_its_values() {
        assert_eq!(AutoRefresh::parse("30"), AutoRefresh::Seconds(30));
        assert_eq!(AutoRefresh::parse("off"), AutoRefresh::Off);
        assert_eq!(AutoRefresh::Seconds(60).label(), "1 min");
        for every in AutoRefresh::ALL {
            assert_eq!(AutoRefresh::parse(&every.value()), every);
        }
    }
}
