//! Where toasts appear. Two live regions exist from the start (a region
//! added together with its message is not announced): `role="status"` for
//! outcomes, `role="alert"` for errors and warnings.

use leptos::prelude::*;

use crate::icons::{Icon, IconKind};
use crate::state::{use_toasts, Toast, ToastKind};

#[component]
pub fn Toaster() -> impl IntoView {
    let toasts = use_toasts();
    let of_kind = move |urgent: bool| {
        move || {
            toasts
                .list()
                .get()
                .into_iter()
                .filter(|t| t.kind.is_urgent() == urgent)
                .collect::<Vec<_>>()
        }
    };
    view! {
        <div class="toast-region">
            <div class="toast-stack" role="status" aria-live="polite">
                <For each=of_kind(false) key=|t| t.id let:toast>
                    <ToastView toast=toast />
                </For>
            </div>
            <div class="toast-stack" role="alert" aria-live="assertive">
                <For each=of_kind(true) key=|t| t.id let:toast>
                    <ToastView toast=toast />
                </For>
            </div>
        </div>
    }
}

#[component]
fn ToastView(toast: Toast) -> impl IntoView {
    let toasts = use_toasts();
    let (class, icon) = match toast.kind {
        ToastKind::Success => ("toast toast-success", IconKind::Check),
        ToastKind::Info => ("toast toast-info", IconKind::Inbox),
        ToastKind::Warning => ("toast toast-warning", IconKind::Alert),
        ToastKind::Error => ("toast toast-error", IconKind::Alert),
    };
    let id = toast.id;
    view! {
        <div class=class>
            <span class="toast-icon"><Icon kind=icon /></span>
            <p class="toast-message">{toast.message}</p>
            <button
                type="button"
                class="icon-button toast-close"
                aria-label="Dismiss notification"
                on:click=move |_| toasts.dismiss(id)
            >
                <Icon kind=IconKind::Close size=14 />
            </button>
        </div>
    }
}
