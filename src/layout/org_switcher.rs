//! The organization switcher: a menu button listing the personal
//! organization first, then collaborative ones by name, the current one
//! checked, a filter field when there are many, and "Create Organization".

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use roster_core::wire::Organization;

use crate::components::{
    loader, prefetch, Lazy, MenuButton, MenuItem, MenuItemRadio, MenuSeparator,
};
use crate::config;
use crate::format;
use crate::icons::{Icon, IconKind};
use crate::routes;
use crate::state::{sorted_for_switcher, use_current_organization, use_organizations, Loadable};

/// More organizations than this and the menu gets a filter field.
pub const FILTER_THRESHOLD: usize = 8;

/// The switcher itself, fed by its caller (so it can be tested alone).
#[component]
pub fn OrgSwitcher(
    #[prop(into)] organizations: Signal<Vec<Organization>>,
    #[prop(into)] current_id: Signal<Option<String>>,
    #[prop(into)] on_select: Callback<String>,
    #[prop(into)] on_create: Callback<()>,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let sorted = Memo::new(move |_| sorted_for_switcher(organizations.get()));
    let current = Memo::new(move |_| {
        let id = current_id.get();
        sorted.with(|list| list.iter().find(|o| Some(&o.id) == id.as_ref()).cloned())
    });
    let current_name = move || {
        current.with(|c| {
            c.as_ref()
                .map(|o| o.name.clone())
                .unwrap_or_else(|| "Choose an organization".to_owned())
        })
    };
    let filtered = Memo::new(move |_| {
        let needle = filter.get().trim().to_lowercase();
        sorted
            .get()
            .into_iter()
            .filter(|o| needle.is_empty() || o.name.to_lowercase().contains(&needle))
            .collect::<Vec<_>>()
    });
    let many = move || sorted.with(|list| list.len() > FILTER_THRESHOLD);

    let header = move || {
        view! {
            <Show when=many>
                <div class="menu-filter">
                    <Icon kind=IconKind::Search size=14 />
                    <input
                        type="text"
                        class="menu-filter-input"
                        aria-label="Filter organizations"
                        placeholder="Filter organizations…"
                        autocomplete="off"
                        data-menu-filter=""
                        prop:value=move || filter.get()
                        on:input=move |event| filter.set(event_target_value(&event))
                    />
                </div>
            </Show>
        }
    };

    view! {
        <MenuButton
            trigger_class="org-switcher-trigger"
            menu_label="Organizations"
            on_open=Callback::new(move |_| filter.set(String::new()))
            header=header
            trigger=move || {
                view! {
                    // The initial is drawn by CSS: the trigger's text (and so
                    // its accessible name) is the organization's name alone.
                    <span
                        class="org-initial"
                        aria-hidden="true"
                        data-initial=move || format::initial(&current_name())
                    ></span>
                    <span class="org-switcher-name">{current_name}</span>
                    <Icon kind=IconKind::ChevronsUpDown size=14 />
                }
            }
        >
            // The items download on intent (hover or focus on the trigger,
            // idle time): built in place when the menu first opens.
            <Lazy
                load=loader(move || switcher_items(filtered, current_id, on_select, on_create))
                what="the organizations"
                fallback=|| view! { <p class="menu-empty" role="status">"Loading…"</p> }
            />
        </MenuButton>
    }
}

crate::components::split_view! {
    /// The switcher's items: every organization, "No organization matches",
    /// "Create Organization".
    fn switcher_items(
        filtered: Memo<Vec<Organization>>,
        current_id: Signal<Option<String>>,
        on_select: Callback<String>,
        on_create: Callback<()>,
    ) in shell_extras, preload preload_switcher_items {
        view! {
                <For each=move || filtered.get() key=|o| o.id.clone() let:organization>
                    {
                        let id = organization.id.clone();
                        let checked_id = id.clone();
                        let icon = if organization.personal { IconKind::Person } else { IconKind::Building };
                        view! {
                            <MenuItemRadio
                                checked=Signal::derive(move || current_id.get().as_deref() == Some(checked_id.as_str()))
                                on_select=Callback::new(move |_| on_select.run(id.clone()))
                            >
                                <Icon kind=icon />
                                <span class="menu-item-label">{organization.name.clone()}</span>
                                <span class="menu-item-check"><Icon kind=IconKind::Check /></span>
                            </MenuItemRadio>
                        }
                    }
                </For>
                <Show when=move || filtered.with(Vec::is_empty)>
                    <p class="menu-empty">"No organization matches"</p>
                </Show>
                <MenuSeparator />
                <MenuItem on_select=Callback::new(move |_| on_create.run(()))>
                    <Icon kind=IconKind::Plus />
                    <span class="menu-item-label">"Create Organization"</span>
                </MenuItem>
        }
    }
}

/// Downloads the switcher's items ahead of its first opening.
pub fn prefetch_switcher() {
    prefetch(preload_switcher_items);
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Loading,
    Ready,
    Failed(String),
}

/// The switcher wired to the app state: choosing an organization shows the
/// same page in it.
#[component]
pub fn CurrentOrgSwitcher(on_create: Callback<()>) -> impl IntoView {
    let organizations = use_organizations();
    let current = use_current_organization();
    let navigate = use_navigate();
    let location = use_location();
    let phase = Memo::new(move |_| match organizations.state() {
        Loadable::Loading => Phase::Loading,
        Loadable::Ready(_) => Phase::Ready,
        Loadable::Failed(error) => Phase::Failed(error.to_string()),
    });
    let select = Callback::new(move |id: String| {
        let path = location.pathname.get_untracked();
        navigate(
            &routes::switch_organization(config::app_path(&path), &id),
            Default::default(),
        );
    });
    move || {
        match phase.get() {
        Phase::Loading => view! {
            <div class="org-switcher-trigger is-loading" aria-hidden="true">
                <span class="skeleton org-initial"></span>
                <span class="skeleton" style="width: 60%"></span>
            </div>
        }
        .into_any(),
        Phase::Failed(message) => view! {
            <div class="org-switcher-error" role="alert">
                <p>{message}</p>
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| organizations.retry()>
                    "Retry"
                </button>
            </div>
        }
        .into_any(),
        Phase::Ready => view! {
            <OrgSwitcher
                organizations=Signal::derive(move || organizations.list().unwrap_or_default())
                current_id=Signal::derive(move || current.id())
                on_select=select
                on_create=on_create
            />
        }
        .into_any(),
    }
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    fn org(id: &str, name: &str, personal: bool) -> Organization {
        let created = "2025-03-01T00:00:00Z".parse().expect("timestamp");
        Organization::new(id, name, "u1", personal, created)
    }

    struct Mounted {
        fixture: Fixture,
        selected: RwSignal<Option<String>>,
        created: RwSignal<u32>,
        _handle: Box<dyn std::any::Any>,
    }

    fn mount(list: Vec<Organization>, current: &str) -> Mounted {
        let fixture = Fixture::new();
        let selected = RwSignal::new(None::<String>);
        let created = RwSignal::new(0);
        let current = current.to_owned();
        let handle = fixture.mount(move || {
            view! {
                <OrgSwitcher
                    organizations=list
                    current_id=Some(current)
                    on_select=Callback::new(move |id| selected.set(Some(id)))
                    on_create=Callback::new(move |_| created.update(|n| *n += 1))
                />
            }
        });
        Mounted {
            fixture,
            selected,
            created,
            _handle: Box::new(handle),
        }
    }

    fn three() -> Vec<Organization> {
        vec![
            org("z", "Zeta Labs", false),
            org("a", "acme", false),
            org("p", "Personal", true),
        ]
    }

    #[page_test]
    async fn lists_personal_first_then_by_name_with_the_current_one_checked() {
        let m = mount(three(), "z");
        settle().await;
        let trigger = m.fixture.find(".org-switcher-trigger");
        // The name is the trigger's text; the initial is drawn by CSS.
        assert_eq!(trigger.text_content().as_deref(), Some("Zeta Labs"));
        assert_eq!(
            m.fixture
                .find(".org-initial")
                .get_attribute("data-initial")
                .as_deref(),
            Some("Z")
        );
        assert_eq!(
            trigger.get_attribute("aria-haspopup").as_deref(),
            Some("menu")
        );
        trigger.click();
        settle().await;
        let items: Vec<(String, Option<String>)> = m
            .fixture
            .find_all("[role=\"menuitemradio\"]")
            .iter()
            .map(|i| {
                (
                    i.text_content().unwrap_or_default(),
                    i.get_attribute("aria-checked"),
                )
            })
            .collect();
        assert_eq!(
            items,
            [
                ("Personal".to_owned(), Some("false".to_owned())),
                ("acme".to_owned(), Some("false".to_owned())),
                ("Zeta Labs".to_owned(), Some("true".to_owned())),
            ]
        );
        let last = m.fixture.find_all("[role=\"menuitem\"]");
        assert_eq!(last.len(), 1);
        assert_eq!(
            last[0].text_content().as_deref(),
            Some("Create Organization")
        );
        assert!(
            !m.fixture.exists("[data-menu-filter]"),
            "no filter for a few"
        );
    }

    #[page_test]
    async fn keyboard_moves_escape_returns_focus_enter_selects() {
        let m = mount(three(), "p");
        settle().await;
        let trigger = m.fixture.find(".org-switcher-trigger");
        trigger.focus().unwrap();
        press(&trigger, "ArrowDown");
        settle().await;
        assert_eq!(
            trigger.get_attribute("aria-expanded").as_deref(),
            Some("true")
        );
        assert_eq!(focused_text(), "Personal");
        press(&m.fixture.focused(), "ArrowDown");
        assert_eq!(focused_text(), "acme");
        press(&m.fixture.focused(), "End");
        assert_eq!(focused_text(), "Create Organization");
        press(&m.fixture.focused(), "ArrowUp");
        assert_eq!(focused_text(), "Zeta Labs");
        press(&m.fixture.focused(), "Home");
        assert_eq!(focused_text(), "Personal");

        press(&m.fixture.focused(), "Escape");
        settle().await;
        assert_eq!(
            trigger.get_attribute("aria-expanded").as_deref(),
            Some("false")
        );
        assert!(is_focused(&trigger), "Escape returns focus to the trigger");
        assert_eq!(m.selected.get_untracked(), None);

        press(&trigger, "ArrowUp");
        settle().await;
        assert_eq!(focused_text(), "Create Organization");
        press(&m.fixture.focused(), "ArrowUp");
        press(&m.fixture.focused(), "Enter");
        settle().await;
        assert_eq!(m.selected.get_untracked().as_deref(), Some("z"));
        assert!(is_focused(&trigger));

        press(&trigger, "ArrowUp");
        settle().await;
        press(&m.fixture.focused(), "Enter");
        settle().await;
        assert_eq!(m.created.get_untracked(), 1, "Create Organization");
    }

    #[page_test]
    async fn many_organizations_get_a_filter_field() {
        let mut list: Vec<Organization> = (1..=9)
            .map(|i| org(&format!("o{i}"), &format!("Team {i}"), false))
            .collect();
        list.push(org("p", "Personal", true));
        let m = mount(list, "p");
        settle().await;
        let trigger = m.fixture.find(".org-switcher-trigger");
        trigger.click();
        settle().await;
        let field = m.fixture.focused();
        assert!(
            field.has_attribute("data-menu-filter"),
            "focus starts in the filter"
        );
        type_into(&field, "team 7");
        settle().await;
        let visible: Vec<String> = m
            .fixture
            .find_all("[role=\"menuitemradio\"]")
            .iter()
            .filter_map(|i| i.text_content())
            .collect();
        assert_eq!(visible, ["Team 7"]);
        press(&field, "ArrowDown");
        assert_eq!(focused_text(), "Team 7");
        press(&m.fixture.focused(), "Enter");
        settle().await;
        assert_eq!(m.selected.get_untracked().as_deref(), Some("o7"));
    }
}
