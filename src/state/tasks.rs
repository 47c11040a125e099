//! Work that outlives the view that started it.

use std::future::Future;

use leptos::prelude::*;

/// Runs `task` under an owner of its own, cleaned up when it ends: the
/// requests it makes are not cancelled with the view that started it, and
/// leave nothing registered on that view's owner.
pub fn spawn_detached(task: impl Future<Output = ()> + 'static) {
    let owner = Owner::new();
    let scoped = owner.with(|| ScopedFuture::new_untracked(task));
    leptos::task::spawn_local(async move {
        scoped.await;
        owner.cleanup();
    });
}
