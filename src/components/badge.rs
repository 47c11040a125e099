//! Small labels: counts, roles, statuses, "You".

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BadgeVariant {
    #[default]
    Neutral,
    Accent,
    Success,
    Warning,
    Danger,
}

impl BadgeVariant {
    fn class(self) -> &'static str {
        match self {
            BadgeVariant::Neutral => "badge",
            BadgeVariant::Accent => "badge badge-accent",
            BadgeVariant::Success => "badge badge-success",
            BadgeVariant::Warning => "badge badge-warning",
            BadgeVariant::Danger => "badge badge-danger",
        }
    }
}

/// An inline label. Extra attributes go on the `<span>`
/// (`<Badge {..} aria-label="3 pending invitations">`).
#[component]
pub fn Badge(#[prop(optional)] variant: BadgeVariant, children: Children) -> impl IntoView {
    view! { <span class=variant.class()>{children()}</span> }
}
