//! The user menu at the bottom of the sidebar: who is signed in, their
//! invitations (with the pending count), the theme, and signing out.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::{
    MenuButton, MenuGroup, MenuItem, MenuItemRadio, MenuLink, MenuPlacement, MenuSeparator,
    PagePrefetch, PrefetchPage,
};
use crate::config;
use crate::dom;
use crate::format;
use crate::icons::{Icon, IconKind};
use crate::routes;
use crate::state::{
    self, use_pending_invitations, use_session, use_theme, use_toasts, ThemeChoice,
};

fn pending_text(count: u64) -> String {
    match count {
        1 => "1 pending invitation".to_owned(),
        n => format!("{n} pending invitations"),
    }
}

#[component]
pub fn UserMenu() -> impl IntoView {
    let session = use_session();
    let theme = use_theme();
    let pending = use_pending_invitations();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let prefetch_page = PagePrefetch::get();

    let name = move || session.user().map(|u| u.name).unwrap_or_default();
    let email = move || session.user().map(|u| u.email).unwrap_or_default();
    let count = move || pending.count().filter(|n| *n > 0);
    // Counts are drawn by CSS and described by this hidden text, so the
    // accessible names stay "Alice Anderson alice@example.com" and
    // "Invitations".
    let description_id = dom::unique_id("pending-invitations");
    let described_by = {
        let id = description_id.clone();
        Signal::derive(move || count().map(|_| id.clone()))
    };

    let sign_out = Callback::new(move |_| {
        let navigate = navigate.clone();
        // Leave the signed-in pages first so nothing asks for the session
        // while it ends.
        navigate(routes::SIGN_IN, Default::default());
        state::spawn_detached(async move {
            if let Err(error) = session.sign_out().await {
                toasts.error(&error);
            }
        });
    });

    view! {
        <span class="visually-hidden" id=description_id>{move || count().map(pending_text)}</span>
        <MenuButton
            trigger_class="user-menu-trigger"
            trigger_described_by=described_by
            menu_label="Account"
            placement=MenuPlacement::Above
            // The invitations page downloads while the user reads the menu.
            on_open=Callback::new(move |_| prefetch_page.page(PrefetchPage::Invitations))
            trigger=move || {
                view! {
                    <span class="avatar" aria-hidden="true" data-initial=move || format::initial(&name())></span>
                    <span class="user-menu-text">
                        <span class="user-menu-name">{name}</span>
                        " "
                        <span class="user-menu-email">{email}</span>
                    </span>
                    {move || count().map(|n| view! { <span class="count-badge" aria-hidden="true" data-count=n></span> })}
                    <Icon kind=IconKind::ChevronsUpDown size=14 />
                }
            }
        >
            <MenuLink href={config::href(routes::INVITATIONS)} {..} aria-describedby=described_by>
                <Icon kind=IconKind::Mail />
                <span class="menu-item-label">"Invitations"</span>
                {move || count().map(|n| view! { <span class="count-badge" aria-hidden="true" data-count=n></span> })}
            </MenuLink>
            <MenuSeparator />
            <MenuGroup label="Theme">
                {ThemeChoice::ALL
                    .into_iter()
                    .map(|choice| {
                        let icon = match choice {
                            ThemeChoice::Light => IconKind::Sun,
                            ThemeChoice::Dark => IconKind::Moon,
                            ThemeChoice::System => IconKind::Monitor,
                        };
                        view! {
                            <MenuItemRadio
                                checked=Signal::derive(move || theme.choice() == choice)
                                on_select=Callback::new(move |_| theme.set(choice))
                            >
                                <Icon kind=icon />
                                <span class="menu-item-label">{choice.label()}</span>
                                <span class="menu-item-check"><Icon kind=IconKind::Check /></span>
                            </MenuItemRadio>
                        }
                    })
                    .collect_view()}
            </MenuGroup>
            <MenuSeparator />
            // A host page's sign-in offers "Sign out" only when it says how.
            {(!crate::auth::page_wants_host() || crate::auth::host::can_sign_out()).then(|| view! {
                <MenuItem on_select=sign_out>
                    <Icon kind=IconKind::SignOut />
                    <span class="menu-item-label">"Sign out"</span>
                </MenuItem>
            })}
        </MenuButton>
    }
}
