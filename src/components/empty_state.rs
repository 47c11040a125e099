//! What a data view shows when there is nothing to list.

use leptos::prelude::*;

use crate::icons::{Icon, IconKind};

/// A centred message with an optional icon, description and action
/// (children, e.g. a button).
#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(optional, into)] description: Option<String>,
    #[prop(optional)] icon: Option<IconKind>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            {icon.map(|kind| view! { <span class="empty-state-icon"><Icon kind=kind size=20 /></span> })}
            <p class="empty-state-title">{title}</p>
            {description.map(|d| view! { <p class="empty-state-description">{d}</p> })}
            {children.map(|c| view! { <div class="empty-state-actions">{c()}</div> })}
        </div>
    }
}
