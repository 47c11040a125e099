//! Views whose code downloads when first needed (issue 18;
//! docs/architecture.md "Code splitting").
//!
//! [`split_view!`](crate::components::split_view) declares a function that
//! builds a view and puts its code — and every function only it reaches —
//! into a wasm chunk of its own. Calling it downloads the chunk the first
//! time (later calls find it loaded); its `preload` twin only downloads, for
//! when the user shows intent (hover, focus, idle time). [`Lazy`] shows
//! such a view: a short loading state, the view, or, when the chunk cannot
//! be downloaded (offline, a deploy removed it), an error with "Retry" in
//! its place while the rest of the app keeps working.
//!
//! Only the release build is split (`cargo xtask dist`, trunk's hook, with
//! the `split` feature): in the wasm tests, which wasm-bindgen's runner
//! does not split, the same functions run directly.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;

use crate::components::ErrorState;
use crate::routes::OrgPage;
use crate::state::use_toasts;

/// A chunk could not be downloaded or instantiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkError;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// What [`split_view!`](crate::components::split_view) functions return.
pub type ChunkView = Result<AnyView, ChunkError>;

/// A boxed call of a split function.
pub type ChunkFuture = Pin<Box<dyn Future<Output = ChunkView>>>;

/// Declares `fn $name(args) -> ChunkView` (async) whose body goes into the
/// chunk `$chunk`, and `async fn $preload() -> Result<(), ChunkError>`,
/// which downloads that chunk. Functions naming the same chunk share it:
/// group what is needed together (the members page's dialogs and panels
/// are one chunk, `members_extras`). The splitter also makes a shared
/// chunk for each set of split functions that use the same code, so every
/// chunk name more means more small files to download.
macro_rules! split_view {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) in $chunk:ident, preload $preload:ident
        $body:block
    ) => {
        $(#[$meta])*
        #[cfg(feature = "split")]
        #[::leptos::wasm_split::wasm_split(
            $chunk,
            wasm_split_path = ::leptos::wasm_split,
            preload(#[allow(dead_code)] $preload),
            fallible
        )]
        $vis fn $name($($arg: $ty),*) -> $crate::components::ChunkView {
            ::std::result::Result::Ok(::leptos::prelude::IntoAny::into_any($body))
        }

        $(#[$meta])*
        #[cfg(not(feature = "split"))]
        $vis async fn $name($($arg: $ty),*) -> $crate::components::ChunkView {
            ::std::result::Result::Ok(::leptos::prelude::IntoAny::into_any($body))
        }

        /// Downloads the chunk (nothing to download in an unsplit build).
        #[cfg(not(feature = "split"))]
        #[allow(dead_code)]
        $vis async fn $preload() -> ::std::result::Result<(), ::leptos::wasm_split::SplitLoaderError> {
            ::std::result::Result::Ok(())
        }
    };
}
pub(crate) use split_view;

/// What [`Lazy`] and [`LazyDialog`] call: a split function with its
/// arguments (`loader(move || invite_dialog(open, sources))`).
pub fn loader<F>(call: impl Fn() -> F + 'static) -> Rc<dyn Fn() -> ChunkFuture>
where
    F: Future<Output = ChunkView> + 'static,
{
    Rc::new(move || Box::pin(call()) as ChunkFuture)
}

/// Starts downloading a chunk without waiting for it: on hover or focus of
/// what opens it, or when the browser is idle. A failure is forgotten (the
/// view retries when it is shown).
pub fn prefetch<F>(preload: fn() -> F)
where
    F: Future<Output = Result<(), leptos::wasm_split::SplitLoaderError>> + 'static,
{
    leptos::task::spawn_local(async move {
        let _ = preload().await;
    });
}

/// A page whose code may be downloaded ahead of a visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrefetchPage {
    Org(OrgPage),
    Invitations,
}

/// Downloads a page's chunk (the app provides it: the shell, which may
/// not import pages, asks for them by name). Without it, nothing happens.
#[derive(Clone, Copy)]
pub struct PagePrefetch(pub fn(PrefetchPage));

impl PagePrefetch {
    /// The app's, taken where a component is created (event handlers have
    /// no context to look in).
    pub fn get() -> Self {
        use_context::<PagePrefetch>().unwrap_or(PagePrefetch(|_| ()))
    }

    pub fn page(self, page: PrefetchPage) {
        (self.0)(page);
    }
}

/// A load that stops when its component is gone: the poll that would build
/// the view (the one after the download) answers `None` instead.
struct WhileAlive {
    alive: Arc<AtomicBool>,
    future: Pin<Box<ScopedFuture<ChunkFuture>>>,
}

impl Future for WhileAlive {
    type Output = Option<ChunkView>;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        if !self.alive.load(Ordering::Relaxed) {
            return Poll::Ready(None);
        }
        self.future.as_mut().poll(context).map(Some)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Loading,
    Ready,
    Failed,
}

/// Shows the view `load` builds once its chunk is there: at once when it
/// was prefetched, else `fallback` first (nothing by default; pages pass
/// their skeleton); an error with "Retry" when the chunk cannot be
/// downloaded.
#[component]
pub fn Lazy(
    /// Calls the split function (`Rc::new(|| Box::pin(page()))`).
    load: Rc<dyn Fn() -> ChunkFuture>,
    /// Shown while the chunk downloads.
    #[prop(optional, into)]
    fallback: ViewFn,
    /// What failed to download, for the error ("this page").
    #[prop(optional)]
    what: Option<&'static str>,
    /// Told instead of showing the error in place.
    #[prop(optional)]
    on_error: Option<Callback<()>>,
) -> impl IntoView {
    let phase = RwSignal::new(Phase::Loading);
    let built = StoredValue::new_local(None::<AnyView>);
    let load = StoredValue::new_local(load);
    let settle = move |outcome: ChunkView| match outcome {
        Ok(view) => {
            if built.try_update_value(|slot| *slot = Some(view)).is_some() {
                phase.try_set(Phase::Ready);
            }
        }
        Err(ChunkError) => match on_error {
            Some(on_error) => on_error.run(()),
            None => {
                phase.try_set(Phase::Failed);
            }
        },
    };
    // Gone (another page was opened while the chunk downloaded): the
    // view is not built, nothing is set.
    let alive = Arc::new(AtomicBool::new(true));
    on_cleanup({
        let alive = alive.clone();
        move || alive.store(false, Ordering::Relaxed)
    });
    let alive = StoredValue::new(alive);
    // Built under this component's owner, so the view finds its contexts
    // and goes with it; also when Retry (an event handler, which has no
    // owner of its own) tries again.
    // Weak: an owner that held itself would never be dropped, and the
    // page it owns would live on unseen (and keep acting: a verification
    // link sent twice).
    let owner = StoredValue::new(Owner::current().map(|owner| owner.downgrade()));
    let attempt = move || {
        let start = || ScopedFuture::new_untracked(load.with_value(|load| load()));
        let mut future = Box::pin(match owner.get_value().and_then(|weak| weak.upgrade()) {
            Some(owner) => owner.with(start),
            None => start(),
        });
        // A chunk already there answers on the first poll: no loading
        // state, no extra frame.
        let mut context = Context::from_waker(Waker::noop());
        match future.as_mut().poll(&mut context) {
            Poll::Ready(outcome) => settle(outcome),
            Poll::Pending => {
                phase.set(Phase::Loading);
                let alive = alive.get_value();
                leptos::task::spawn_local(async move {
                    if let Some(outcome) = (WhileAlive { alive, future }).await {
                        settle(outcome);
                    }
                });
            }
        }
    };
    attempt();
    let what = what.unwrap_or("this page");
    move || match phase.get() {
        Phase::Ready => built
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_else(|| ().into_any()),
        Phase::Failed => view! {
            <ErrorState
                title=format!("Could not download {what}")
                message="Check your connection, then try again. The rest of Roster keeps working."
                on_retry=Callback::new(move |()| attempt())
            />
        }
        .into_any(),
        Phase::Loading => fallback.run(),
    }
}

/// A dialog whose code downloads when it is first opened (or earlier, by
/// [`prefetch`] on intent): nothing is rendered until `open` is first true,
/// then `load`'s view stays (the dialog shows and hides itself). A chunk
/// that cannot be downloaded closes the dialog (`on_close`) with a toast;
/// opening it again tries again.
#[component]
pub fn LazyDialog(
    #[prop(into)] open: Signal<bool>,
    /// Calls the split function that builds the dialog.
    load: Rc<dyn Fn() -> ChunkFuture>,
    /// Closes the dialog: what its own close does.
    on_close: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let mounted = RwSignal::new(false);
    Effect::new(move |_| {
        if open.get() && !mounted.get_untracked() {
            mounted.set(true);
        }
    });
    let load = StoredValue::new_local(load);
    let failed = Callback::new(move |()| {
        mounted.set(false);
        on_close.run(());
        toasts
            .failure("Roster could not download this dialog. Check your connection and try again.");
    });
    move || {
        mounted.get().then(|| {
            view! { <Lazy load=load.get_value() on_error=failed /> }
        })
    }
}
