//! A WAI-ARIA menu button (<https://www.w3.org/WAI/ARIA/apg/patterns/menu-button/>).
//!
//! - The trigger has `aria-haspopup="menu"`, `aria-expanded` and
//!   `aria-controls`; Enter, Space or a click opens the menu with focus on
//!   its first item (or on the filter field of the header, if any),
//!   ArrowDown / ArrowUp open it on the first / last item.
//! - In the menu: ArrowDown / ArrowUp move (wrapping), Home / End jump,
//!   Enter / Space activate, a letter moves to the next item starting with
//!   it, Escape closes and returns focus to the trigger, Tab closes.
//! - Activating an item closes the menu and returns focus to the trigger
//!   (so a dialog the item opens returns focus there too).
//! - A click outside closes it.
//! - The items are built when the menu first opens, then kept: a closed
//!   menu (the switcher's hundred organizations) costs nothing when the
//!   page starts.
//!
//! Items are the `role="menuitem…"` elements inside, so any markup works;
//! [`MenuItem`], [`MenuItemRadio`], [`MenuLink`], [`MenuSeparator`] and
//! [`MenuGroup`] render the usual ones.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

use crate::dom;

const ITEM_SELECTOR: &str =
    "[role=\"menuitem\"], [role=\"menuitemradio\"], [role=\"menuitemcheckbox\"]";
/// Marks the header's input that receives focus when the menu opens.
pub const MENU_FILTER_ATTRIBUTE: &str = "data-menu-filter";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MenuPlacement {
    #[default]
    Below,
    /// Opens upwards (a menu at the bottom of the sidebar).
    Above,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Initial {
    First,
    Last,
}

#[component]
pub fn MenuButton(
    /// The trigger's content.
    #[prop(into)]
    trigger: ViewFn,
    /// The trigger's accessible name, for a trigger without text (an
    /// icon); otherwise the trigger's text is its name.
    #[prop(optional, into)]
    trigger_label: Option<Signal<String>>,
    /// Id of an element describing the trigger (`aria-describedby`), e.g.
    /// a visually hidden count.
    #[prop(optional, into)]
    trigger_described_by: Option<Signal<Option<String>>>,
    #[prop(optional, into)] trigger_class: String,
    /// The menu's accessible name (default: the trigger's).
    #[prop(optional, into)]
    menu_label: Option<String>,
    #[prop(optional)] placement: MenuPlacement,
    /// Shown above the items inside the popup (e.g. a filter field marked
    /// with [`MENU_FILTER_ATTRIBUTE`]).
    #[prop(optional, into)]
    header: Option<ViewFn>,
    /// Called whenever the menu opens.
    #[prop(optional, into)]
    on_open: Option<Callback<()>>,
    /// The items.
    children: Children,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let root_ref = NodeRef::<html::Div>::new();
    let trigger_ref = NodeRef::<html::Button>::new();
    let popup_ref = NodeRef::<html::Div>::new();
    let menu_ref = NodeRef::<html::Div>::new();
    let trigger_id = dom::unique_id("menu-trigger");
    let menu_id = dom::unique_id("menu");

    let items = move || -> Vec<HtmlElement> {
        menu_ref
            .get_untracked()
            .map(|menu| {
                dom::query_all(&menu, ITEM_SELECTOR)
                    .into_iter()
                    .filter(dom::is_visible)
                    .collect()
            })
            .unwrap_or_default()
    };
    let filter_field = move || -> Option<HtmlElement> {
        let popup = popup_ref.get_untracked()?;
        dom::query_all(&popup, &format!("[{MENU_FILTER_ATTRIBUTE}]"))
            .into_iter()
            .find(dom::is_visible)
    };

    // Built in place on the first opening (effects would build them after
    // this event handler, too late to move focus to them), under this
    // component's owner, so they live and go with the menu.
    let unbuilt = StoredValue::new_local(Some((children, Owner::current())));
    let built = StoredValue::new_local(None::<<AnyView as Render>::State>);
    let build_items = move || {
        let Some(menu) = menu_ref.get_untracked() else {
            return;
        };
        let Some((children, owner)) = unbuilt.try_update_value(Option::take).flatten() else {
            return;
        };
        let build = move || {
            let mut items = children().build();
            items.mount(&menu, None);
            items
        };
        let items = match owner {
            Some(owner) => owner.with(build),
            None => build(),
        };
        built.set_value(Some(items));
    };

    // Shown and hidden imperatively as well as reactively, so that focus
    // can move into the menu in the same event handler.
    let show = move |visible: bool| {
        if visible {
            build_items();
        }
        open.set(visible);
        if let Some(popup) = popup_ref.get_untracked() {
            popup.set_hidden(!visible);
        }
    };
    let open_menu = move |initial: Initial| {
        if !open.get_untracked() {
            if let Some(on_open) = on_open {
                on_open.run(());
            }
        }
        show(true);
        let target = match initial {
            Initial::First => filter_field().or_else(|| items().into_iter().next()),
            Initial::Last => items().into_iter().last(),
        };
        if let Some(target) = target {
            dom::focus(&target);
        }
    };
    let close_menu = move |return_focus: bool| {
        if !open.get_untracked() {
            return;
        }
        if return_focus {
            if let Some(trigger) = trigger_ref.get_untracked() {
                dom::focus(&trigger);
            }
        }
        show(false);
    };

    let on_trigger_click = move |_| {
        if open.get_untracked() {
            close_menu(true);
        } else {
            open_menu(Initial::First);
        }
    };
    let on_trigger_keydown = move |event: KeyboardEvent| match event.key().as_str() {
        "ArrowDown" => {
            event.prevent_default();
            open_menu(Initial::First);
        }
        "ArrowUp" => {
            event.prevent_default();
            open_menu(Initial::Last);
        }
        _ => {}
    };

    let on_popup_keydown = move |event: KeyboardEvent| {
        let Some(target) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlElement>().ok())
        else {
            return;
        };
        let in_field = target.tag_name().eq_ignore_ascii_case("input");
        let items = items();
        if items.is_empty() && !matches!(event.key().as_str(), "Escape" | "Tab") {
            return;
        }
        let count = items.len();
        let index = items
            .iter()
            .position(|item| item.is_same_node(Some(&target)));
        let focus_at = |i: usize| {
            if let Some(item) = items.get(i) {
                dom::focus(item);
            }
        };
        match event.key().as_str() {
            "ArrowDown" => {
                event.prevent_default();
                focus_at(index.map_or(0, |i| (i + 1) % count));
            }
            "ArrowUp" => {
                event.prevent_default();
                focus_at(index.map_or(count - 1, |i| (i + count - 1) % count));
            }
            "Home" if !in_field => {
                event.prevent_default();
                focus_at(0);
            }
            "End" if !in_field => {
                event.prevent_default();
                focus_at(count - 1);
            }
            "Escape" => {
                event.prevent_default();
                // A dialog around the menu stays open.
                event.stop_propagation();
                close_menu(true);
            }
            // Focus goes back to the trigger first, so the browser's own Tab
            // handling continues from there.
            "Tab" => close_menu(true),
            "Enter" | " " if index.is_some() => {
                event.prevent_default();
                if let Some(item) = index.and_then(|i| items.get(i)) {
                    item.click();
                }
            }
            "Enter" if in_field => {
                // The filter's first match.
                event.prevent_default();
                if let Some(item) = items.first() {
                    item.click();
                }
            }
            key if !in_field
                && key.chars().count() == 1
                && !event.ctrl_key()
                && !event.meta_key()
                && !event.alt_key() =>
            {
                let typed = key.to_lowercase();
                let start = index.map_or(0, |i| i + 1);
                let next = (0..count)
                    .map(|offset| (start + offset) % count)
                    .find(|&i| {
                        items[i]
                            .text_content()
                            .is_some_and(|text| text.trim().to_lowercase().starts_with(&typed))
                    });
                if let Some(i) = next {
                    event.prevent_default();
                    focus_at(i);
                }
            }
            _ => {}
        }
    };

    // Activating an item (click, Enter, Space) closes the menu.
    let on_menu_click = move |event: web_sys::MouseEvent| {
        let item = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest(ITEM_SELECTOR).ok().flatten());
        if let Some(item) = item {
            if item.get_attribute("aria-disabled").as_deref() != Some("true") {
                close_menu(true);
            }
        }
    };

    let outside = window_event_listener(ev::pointerdown, move |event| {
        if !open.get_untracked() {
            return;
        }
        let target = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = root_ref
            .get_untracked()
            .is_some_and(|root| root.contains(target.as_ref()));
        if !inside {
            close_menu(false);
        }
    });
    on_cleanup(move || outside.remove());

    let labelled_by = menu_label.is_none().then(|| trigger_id.clone());
    let controls = menu_id.clone();
    let popup_class = match placement {
        MenuPlacement::Below => "menu-popup menu-below",
        MenuPlacement::Above => "menu-popup menu-above",
    };
    view! {
        <div class="menu-button" node_ref=root_ref>
            <button
                type="button"
                class=trigger_class
                id=trigger_id
                node_ref=trigger_ref
                aria-haspopup="menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls=controls
                aria-label=move || trigger_label.map(|l| l.get())
                aria-describedby=move || trigger_described_by.and_then(|d| d.get())
                on:click=on_trigger_click
                on:keydown=on_trigger_keydown
            >
                {trigger.run()}
            </button>
            <div
                class=popup_class
                node_ref=popup_ref
                hidden=move || !open.get()
                on:keydown=on_popup_keydown
            >
                {header.map(|header| header.run())}
                <div
                    role="menu"
                    id=menu_id
                    class="menu"
                    node_ref=menu_ref
                    aria-labelledby=labelled_by
                    aria-label=menu_label
                    on:click=on_menu_click
                ></div>
            </div>
        </div>
    }
}

/// An action in a menu.
#[component]
pub fn MenuItem(
    #[prop(into)] on_select: Callback<()>,
    #[prop(optional, into)] disabled: Signal<bool>,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            type="button"
            role="menuitem"
            class="menu-item"
            tabindex="-1"
            aria-disabled=move || disabled.get().then_some("true")
            on:click=move |_| {
                if !disabled.get_untracked() {
                    on_select.run(());
                }
            }
        >
            {children()}
        </button>
    }
}

/// One choice of a set (`aria-checked` marks the chosen one).
#[component]
pub fn MenuItemRadio(
    #[prop(into)] checked: Signal<bool>,
    #[prop(into)] on_select: Callback<()>,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            type="button"
            role="menuitemradio"
            class="menu-item"
            tabindex="-1"
            aria-checked=move || if checked.get() { "true" } else { "false" }
            on:click=move |_| on_select.run(())
        >
            {children()}
        </button>
    }
}

/// A menu item that navigates (the router handles the link).
#[component]
pub fn MenuLink(#[prop(into)] href: String, children: Children) -> impl IntoView {
    view! {
        <a role="menuitem" class="menu-item" tabindex="-1" href=href>
            {children()}
        </a>
    }
}

#[component]
pub fn MenuSeparator() -> impl IntoView {
    view! { <div role="separator" class="menu-separator"></div> }
}

/// Items that belong together (e.g. the theme choices), with a visible label.
#[component]
pub fn MenuGroup(#[prop(into)] label: String, children: Children) -> impl IntoView {
    let id = dom::unique_id("menu-group");
    let labelled_by = id.clone();
    view! {
        <div role="group" class="menu-group" aria-labelledby=labelled_by>
            <div class="menu-group-label" id=id aria-hidden="true">{label}</div>
            {children()}
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::testing::browser::*;
    use roster_test_macros::page_test;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    #[page_test]
    async fn trigger_declares_the_menu_and_arrow_keys_open_it() {
        let fixture = Fixture::new();
        let chosen = RwSignal::new(None::<&'static str>);
        let _handle = fixture.mount(move || {
            view! {
                <MenuButton trigger=|| "Fruit">
                    <MenuItem on_select=move |_| chosen.set(Some("Apple"))>"Apple"</MenuItem>
                    <MenuItem on_select=move |_| chosen.set(Some("Banana"))>"Banana"</MenuItem>
                    <MenuItem on_select=move |_| chosen.set(Some("Cherry"))>"Cherry"</MenuItem>
                </MenuButton>
            }
        });
        settle().await;
        let trigger = fixture.find("[aria-haspopup=\"menu\"]");
        assert_eq!(
            trigger.get_attribute("aria-expanded").as_deref(),
            Some("false")
        );
        let menu = fixture.find("[role=\"menu\"]");
        assert_eq!(trigger.get_attribute("aria-controls"), Some(menu.id()));
        assert!(!dom::is_visible(&menu));

        press(&trigger, "ArrowUp");
        settle().await;
        assert_eq!(
            trigger.get_attribute("aria-expanded").as_deref(),
            Some("true")
        );
        assert_eq!(focused_text(), "Cherry");
        press(&fixture.focused(), "Escape");
        settle().await;
        assert!(is_focused(&trigger));

        press(&trigger, "ArrowDown");
        settle().await;
        assert_eq!(focused_text(), "Apple");
    }

    #[page_test]
    async fn arrows_home_end_move_focus_escape_returns_it_enter_selects() {
        let fixture = Fixture::new();
        let chosen = RwSignal::new(None::<&'static str>);
        let _handle = fixture.mount(move || {
            view! {
                <MenuButton trigger=|| "Fruit">
                    <MenuItem on_select=move |_| chosen.set(Some("Apple"))>"Apple"</MenuItem>
                    <MenuItem on_select=move |_| chosen.set(Some("Banana"))>"Banana"</MenuItem>
                    <MenuItem on_select=move |_| chosen.set(Some("Cherry"))>"Cherry"</MenuItem>
                </MenuButton>
            }
        });
        settle().await;
        let trigger = fixture.find("[aria-haspopup=\"menu\"]");
        trigger.click();
        settle().await;
        assert_eq!(focused_text(), "Apple");

        press(&fixture.focused(), "ArrowDown");
        assert_eq!(focused_text(), "Banana");
        press(&fixture.focused(), "End");
        assert_eq!(focused_text(), "Cherry");
        press(&fixture.focused(), "ArrowDown");
        assert_eq!(focused_text(), "Apple", "wraps to the first");
        press(&fixture.focused(), "ArrowUp");
        assert_eq!(focused_text(), "Cherry", "wraps to the last");
        press(&fixture.focused(), "Home");
        assert_eq!(focused_text(), "Apple");
        press(&fixture.focused(), "b");
        assert_eq!(focused_text(), "Banana", "type-ahead");

        press(&fixture.focused(), "Enter");
        settle().await;
        assert_eq!(chosen.get_untracked(), Some("Banana"));
        assert_eq!(
            trigger.get_attribute("aria-expanded").as_deref(),
            Some("false")
        );
        assert!(is_focused(&trigger), "focus returns to the trigger");

        trigger.click();
        settle().await;
        press(&fixture.focused(), "Escape");
        settle().await;
        assert_eq!(
            trigger.get_attribute("aria-expanded").as_deref(),
            Some("false")
        );
        assert!(is_focused(&trigger));
        assert_eq!(
            chosen.get_untracked(),
            Some("Banana"),
            "Escape selects nothing"
        );
    }

    #[page_test]
    async fn items_are_built_on_the_first_opening_then_kept_and_live() {
        let fixture = Fixture::new();
        let label = RwSignal::new("Apple");
        let shown = RwSignal::new(true);
        let label_runs = StoredValue::new(0);
        let _handle = fixture.mount(move || {
            view! {
                <Show when=move || shown.get()>
                    <MenuButton trigger=|| "Fruit">
                        <MenuItem on_select=|_| ()>
                            {move || {
                                label_runs.update_value(|n| *n += 1);
                                label.get()
                            }}
                        </MenuItem>
                    </MenuButton>
                </Show>
            }
        });
        settle().await;
        assert!(
            !fixture.exists("[role=\"menuitem\"]"),
            "a menu never opened has no items yet"
        );
        assert_eq!(label_runs.get_value(), 0);

        let trigger = fixture.find("[aria-haspopup=\"menu\"]");
        trigger.click();
        assert_eq!(focused_text(), "Apple", "focus moves in at once");
        let item = fixture.find("[role=\"menuitem\"]");
        label.set("Banana");
        settle().await;
        assert_eq!(
            item.text_content().as_deref(),
            Some("Banana"),
            "still reactive"
        );

        press(&fixture.focused(), "Escape");
        settle().await;
        trigger.click();
        settle().await;
        assert_eq!(fixture.find_all("[role=\"menuitem\"]").len(), 1);
        assert!(
            fixture
                .find("[role=\"menuitem\"]")
                .is_same_node(Some(&item)),
            "kept, not built again"
        );

        shown.set(false);
        settle().await;
        assert!(!fixture.exists("[role=\"menuitem\"]"));
        let runs = label_runs.get_value();
        label.set("Cherry");
        settle().await;
        assert_eq!(
            label_runs.get_value(),
            runs,
            "the items' effects go with the menu"
        );
    }

    #[page_test]
    async fn a_click_outside_closes_the_menu() {
        let fixture = Fixture::new();
        let _handle = fixture.mount(move || {
            view! {
                <div>
                    <MenuButton trigger=|| "Fruit">
                        <MenuItem on_select=|_| ()>"Apple"</MenuItem>
                    </MenuButton>
                    <p id="outside">"Elsewhere"</p>
                </div>
            }
        });
        settle().await;
        let trigger = fixture.find("[aria-haspopup=\"menu\"]");
        trigger.click();
        settle().await;
        assert_eq!(
            trigger.get_attribute("aria-expanded").as_deref(),
            Some("true")
        );
        pointer_down(&fixture.find("#outside"));
        settle().await;
        assert_eq!(
            trigger.get_attribute("aria-expanded").as_deref(),
            Some("false")
        );
    }
}
