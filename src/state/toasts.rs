//! Toasts: short outcome messages of mutations. Rendered by
//! [`crate::components::Toaster`]; errors carry the server's message.

use std::time::Duration;

use leptos::prelude::*;

use crate::api::{ApiError, ApiResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Info,
    /// Something the user must notice (e.g. their access changed).
    Warning,
    Error,
}

impl ToastKind {
    /// Errors and warnings interrupt (`role=alert`); the rest is polite.
    pub fn is_urgent(self) -> bool {
        matches!(self, ToastKind::Warning | ToastKind::Error)
    }

    fn lifetime(self) -> Option<Duration> {
        match self {
            ToastKind::Success | ToastKind::Info => Some(Duration::from_secs(6)),
            ToastKind::Warning => Some(Duration::from_secs(12)),
            // Errors stay until dismissed: the message may be needed.
            ToastKind::Error => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    pub message: String,
}

/// The toast queue (a context; see [`use_toasts`]).
#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Default for Toasts {
    fn default() -> Self {
        Self::new()
    }
}

impl Toasts {
    pub fn new() -> Self {
        Toasts {
            list: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(0),
        }
    }

    /// The toasts on screen, oldest first.
    pub fn list(&self) -> Signal<Vec<Toast>> {
        self.list.into()
    }

    /// Shows a toast. Work that ends after its queue's owner is gone (a
    /// component tested on its own, unmounted) shows nothing.
    pub fn push(&self, kind: ToastKind, message: impl Into<String>) {
        let message = message.into();
        // The same notice twice in a row says nothing new.
        let duplicate = self
            .list
            .try_with_untracked(|list| list.iter().any(|t| t.kind == kind && t.message == message));
        if duplicate != Some(false) {
            return;
        }
        let Some(id) = self.next_id.try_update_value(|next| {
            *next += 1;
            *next - 1
        }) else {
            return;
        };
        self.list
            .update(|list| list.push(Toast { id, kind, message }));
        if let Some(lifetime) = kind.lifetime() {
            let this = *self;
            set_timeout(move || this.dismiss(id), lifetime);
        }
    }

    pub fn success(&self, message: impl Into<String>) {
        self.push(ToastKind::Success, message);
    }

    pub fn info(&self, message: impl Into<String>) {
        self.push(ToastKind::Info, message);
    }

    pub fn warning(&self, message: impl Into<String>) {
        self.push(ToastKind::Warning, message);
    }

    /// The server's message; nothing for a request cancelled because its
    /// view went away.
    /// An error that is not an API answer (a chunk of the app that could
    /// not be downloaded).
    pub fn failure(&self, message: impl Into<String>) {
        self.push(ToastKind::Error, message);
    }

    pub fn error(&self, error: &ApiError) {
        if !error.is_aborted() {
            self.push(ToastKind::Error, error.to_string());
        }
    }

    /// The outcome of a mutation: `success` or the server's message.
    pub fn outcome<T>(&self, result: &ApiResult<T>, success: impl Into<String>) {
        match result {
            Ok(_) => self.success(success),
            Err(error) => self.error(error),
        }
    }

    pub fn dismiss(&self, id: u64) {
        // The queue may be gone with its owner (tests, sign-out).
        self.list.try_update(|list| list.retain(|t| t.id != id));
    }
}

/// The app's toast queue.
pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_else(|| {
        // Components rendered on their own (tests) get a private queue.
        let toasts = Toasts::new();
        provide_context(toasts);
        toasts
    })
}
