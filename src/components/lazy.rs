//! Views whose code downloads when first needed (issue 18;
//! docs/architecture.md "Code splitting").
//!
//! [`split_view!`](crate::components::split_view) declares a function that
//! builds a view and puts its code — and every function only it reaches —
//! into a wasm chunk of its own. Calling it downloads the chunk the first
//! time (later calls find it loaded); its `preload` twin only loads it, for
//! when the user shows intent (hover, focus); [`download_when_idle`] only
//! fills the browser's cache with its files, when nobody waits. [`Lazy`] shows
//! such a view: a short loading state, the view, or, when the chunk cannot
//! be downloaded (offline, a deploy removed it), an error with "Retry" in
//! its place while the rest of the app keeps working.
//!
//! Only the release build is split (`cargo xtask dist`, trunk's hook, with
//! the `split` feature): in the wasm tests, which wasm-bindgen's runner
//! does not split, the same functions run directly.

use std::cell::RefCell;
use std::collections::VecDeque;
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
        $crate::components::split_fn! {
            $(#[$meta])*
            $vis fn $name($($arg: $ty),*) -> ::leptos::prelude::AnyView, in $chunk, preload $preload {
                ::leptos::prelude::IntoAny::into_any($body)
            }
        }
    };
}
pub(crate) use split_view;

/// Declares `fn $name(args) -> Result<$out, ChunkError>` (async) whose
/// body goes into the chunk `$chunk`, as [`split_view!`] does for a view:
/// rarely needed work that returns data (an export's file), and its
/// `preload` twin.
macro_rules! split_fn {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty, in $chunk:ident, preload $preload:ident
        $body:block
    ) => {
        // The chunk is one [`Chunk`] names (its idle-time download).
        const _: $crate::components::Chunk = $crate::components::Chunk::$chunk;

        $(#[$meta])*
        #[cfg(feature = "split")]
        #[::leptos::wasm_split::wasm_split(
            $chunk,
            wasm_split_path = ::leptos::wasm_split,
            preload(#[allow(dead_code)] $preload),
            fallible
        )]
        $vis fn $name($($arg: $ty),*) -> ::std::result::Result<$out, $crate::components::ChunkError> {
            ::std::result::Result::Ok($body)
        }

        $(#[$meta])*
        #[cfg(not(feature = "split"))]
        $vis async fn $name($($arg: $ty),*) -> ::std::result::Result<$out, $crate::components::ChunkError> {
            ::std::result::Result::Ok($body)
        }

        /// Downloads the chunk (nothing to download in an unsplit build).
        #[cfg(not(feature = "split"))]
        #[allow(dead_code)]
        $vis async fn $preload() -> ::std::result::Result<(), ::leptos::wasm_split::SplitLoaderError> {
            ::std::result::Result::Ok(())
        }
    };
}
pub(crate) use split_fn;

/// What [`Lazy`] and [`LazyDialog`] call: a split function with its
/// arguments (`loader(move || invite_dialog(open, sources))`).
pub fn loader<F>(call: impl Fn() -> F + 'static) -> Rc<dyn Fn() -> ChunkFuture>
where
    F: Future<Output = ChunkView> + 'static,
{
    Rc::new(move || Box::pin(call()) as ChunkFuture)
}

/// A chunk's download, started ahead of need; a failure is forgotten (the
/// view retries when it is shown).
pub type Prefetching = Pin<Box<dyn Future<Output = ()>>>;

/// The download of `preload`'s chunk, to start or to queue.
pub fn preloading<F>(preload: fn() -> F) -> Prefetching
where
    F: Future<Output = Result<(), leptos::wasm_split::SplitLoaderError>> + 'static,
{
    Box::pin(async move {
        let _ = preload().await;
    })
}

/// Starts downloading a chunk without waiting for it: on hover or focus of
/// what opens it.
pub fn prefetch<F>(preload: fn() -> F)
where
    F: Future<Output = Result<(), leptos::wasm_split::SplitLoaderError>> + 'static,
{
    leptos::task::spawn_local(preloading(preload));
}

/// Declares [`Chunk`]: one variant per chunk name, and the name itself.
macro_rules! chunks {
    ($($name:ident),* $(,)?) => {
        /// The chunks, by the names their `split_fn!`s give them.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Chunk {
            $($name),*
        }

        impl Chunk {
            fn name(self) -> &'static str {
                match self {
                    $(Chunk::$name => stringify!($name)),*
                }
            }
        }
    };
}

chunks!(
    assignments,
    audit_logs,
    auth,
    invitations,
    members_extras,
    not_found,
    settings,
    shell_extras,
);

/// What the build writes into index.html (`<script type="application/json"
/// id="roster-chunks">`, xtask/src/spa.rs): the directory of the wasm and
/// the files each chunk's download fetches, the chunk's own and the ones
/// it shares with others.
#[derive(serde::Deserialize)]
struct ChunkFiles {
    dir: String,
    chunks: std::collections::HashMap<String, Vec<String>>,
}

impl ChunkFiles {
    fn read() -> Option<ChunkFiles> {
        let document = web_sys::window()?.document()?;
        let text = document
            .get_element_by_id("roster-chunks")?
            .text_content()?;
        serde_json::from_str(&text).ok()
    }

    /// The addresses of `chunk`'s files; none in a build without chunks.
    fn urls(&self, chunk: Chunk) -> Vec<String> {
        let Some(base) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.base_uri().ok().flatten())
        else {
            return Vec::new();
        };
        self.chunks
            .get(chunk.name())
            .into_iter()
            .flatten()
            .filter_map(|file| {
                web_sys::Url::new_with_base(&format!("./{}/{file}.wasm", self.dir), &base).ok()
            })
            .map(|url| url.href())
            .collect()
    }
}

thread_local! {
    /// The files queued for an idle-time download (each once).
    static QUEUED_FILES: RefCell<std::collections::HashSet<String>> = RefCell::default();
}

/// Downloads the files of `chunk` into the browser's cache when it is idle,
/// one file per idle period (a file shared with a chunk queued before is
/// not downloaded again): a later visit or dialog then waits for no
/// download, and the first page's time stays free of the work of loading
/// code nobody asked for yet (starting a chunk's twenty requests and
/// instantiating its modules at once was a long task on a phone). Intent
/// (hover, focus) loads the chunk itself ([`prefetch`]), from the cache.
pub fn download_when_idle(chunk: Chunk) {
    // Which files, worked out when idle too: reading the list is work the
    // first page need not wait for.
    prefetch_when_idle(move || {
        let urls = ChunkFiles::read().map(|files| files.urls(chunk));
        for url in urls.into_iter().flatten() {
            if QUEUED_FILES.with_borrow_mut(|queued| queued.insert(url.clone())) {
                prefetch_when_idle(move || {
                    Box::pin(async move { crate::dom::download(&url).await })
                });
            }
        }
        Box::pin(async {})
    });
}

type IdleDownload = Box<dyn FnOnce() -> Prefetching>;

thread_local! {
    /// Downloads waiting for idle time, and whether they are being worked
    /// through.
    static IDLE_DOWNLOADS: RefCell<(VecDeque<IdleDownload>, bool)> =
        const { RefCell::new((VecDeque::new(), false)) };
}

/// Runs `download` when the browser is idle, after the ones queued before
/// it, one at a time ([`download_when_idle`] queues one file each): starting
/// many downloads at once was one long task (a quarter of a second on a
/// phone) right when the first page had just been shown. Nothing is queued
/// when the user asked the browser to save data or the connection is very
/// slow: then only intent (hover, focus) downloads ahead.
pub fn prefetch_when_idle(download: impl FnOnce() -> Prefetching + 'static) {
    if crate::dom::data_is_precious() {
        return;
    }
    let start = IDLE_DOWNLOADS.with_borrow_mut(|(queue, running)| {
        queue.push_back(Box::new(download));
        !std::mem::replace(running, true)
    });
    if start {
        leptos::task::spawn_local(async {
            loop {
                crate::dom::idle().await;
                let Some(next) = IDLE_DOWNLOADS.with_borrow_mut(|(queue, running)| {
                    let next = queue.pop_front();
                    *running = next.is_some();
                    next
                }) else {
                    return;
                };
                next().await;
            }
        });
    }
}

/// A page whose code may be downloaded ahead of a visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrefetchPage {
    Org(OrgPage),
    Invitations,
}

/// Loads a page's chunk, or names it (the app provides both: the shell,
/// which may not import pages, asks for them by name). Without it, nothing
/// happens.
#[derive(Clone, Copy)]
pub struct PagePrefetch {
    /// Loads the page's chunk.
    pub load: fn(PrefetchPage) -> Prefetching,
    /// The page's chunk; `None` for a page in the main module.
    pub chunk: fn(PrefetchPage) -> Option<Chunk>,
}

impl PagePrefetch {
    /// The app's, taken where a component is created (event handlers have
    /// no context to look in).
    pub fn get() -> Self {
        use_context::<PagePrefetch>().unwrap_or(PagePrefetch {
            load: |_| Box::pin(async {}),
            chunk: |_| None,
        })
    }

    /// Now (the user shows intent).
    pub fn page(self, page: PrefetchPage) {
        leptos::task::spawn_local((self.load)(page));
    }

    /// Its files, when the browser is idle ([`download_when_idle`]).
    pub fn page_when_idle(self, page: PrefetchPage) {
        if let Some(chunk) = (self.chunk)(page) {
            download_when_idle(chunk);
        }
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

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use roster_test_macros::page_test;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test_configure;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Downloads queued for idle time start one after the other, each once
    /// the one before has ended: never all in one task.
    #[page_test]
    async fn idle_downloads_run_one_at_a_time_in_order() {
        // Mounting starts the executor, as the app's start does.
        let fixture = crate::testing::browser::Fixture::new();
        let _mounted = fixture.mount(|| ());
        let log = Rc::new(RefCell::new(Vec::<String>::new()));
        for name in ["settings", "assignments", "audit logs"] {
            let log = log.clone();
            prefetch_when_idle(move || {
                Box::pin(async move {
                    log.borrow_mut().push(format!("start {name}"));
                    gloo_timers::future::TimeoutFuture::new(20).await;
                    log.borrow_mut().push(format!("end {name}"));
                })
            });
        }
        assert!(log.borrow().is_empty(), "nothing starts before idle time");
        for _ in 0..200 {
            if log.borrow().len() == 6 {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(20).await;
        }
        assert_eq!(
            *log.borrow(),
            [
                "start settings",
                "end settings",
                "start assignments",
                "end assignments",
                "start audit logs",
                "end audit logs"
            ]
        );
        // The queue is worked through again when more arrive later.
        let again = log.clone();
        prefetch_when_idle(move || {
            Box::pin(async move {
                again.borrow_mut().push("start invitations".to_owned());
            })
        });
        for _ in 0..200 {
            if log.borrow().len() == 7 {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(20).await;
        }
        assert_eq!(log.borrow().last().unwrap(), "start invitations");
    }

    /// The paths of the files requested so far whose path starts with `dir`.
    fn requested(dir: &str) -> Vec<String> {
        let performance =
            js_sys::Reflect::get(&web_sys::window().unwrap(), &"performance".into()).unwrap();
        let entries: js_sys::Array = js_sys::Reflect::get(&performance, &"getEntriesByType".into())
            .unwrap()
            .unchecked_into::<js_sys::Function>()
            .call1(&performance, &"resource".into())
            .unwrap()
            .unchecked_into();
        entries
            .iter()
            .filter_map(|e| js_sys::Reflect::get(&e, &"name".into()).ok()?.as_string())
            .filter_map(|url| web_sys::Url::new(&url).ok().map(|u| u.pathname()))
            .filter(|path| path.starts_with(dir))
            .collect()
    }

    /// The files each chunk needs, as the build lists them in index.html,
    /// download when the browser is idle, once each even when two chunks
    /// share one.
    #[page_test]
    async fn a_chunks_files_download_once_each_when_idle() {
        let fixture = crate::testing::browser::Fixture::new();
        let _mounted = fixture.mount(|| ());
        let document = web_sys::window().unwrap().document().unwrap();
        let dir = format!("wasm-test-{}", js_sys::Math::random().to_bits());
        let list = document.create_element("script").unwrap();
        list.set_attribute("type", "application/json").unwrap();
        list.set_id("roster-chunks");
        list.set_text_content(Some(&format!(
            r#"{{"dir":"{dir}","chunks":{{"settings":["split_settings","chunk_1","chunk_2"],"audit_logs":["split_audit_logs","chunk_2"]}}}}"#
        )));
        document.head().unwrap().append_child(&list).unwrap();

        download_when_idle(Chunk::settings);
        download_when_idle(Chunk::audit_logs);
        download_when_idle(Chunk::settings);
        let prefix = format!("/{dir}/");
        assert!(
            requested(&prefix).is_empty(),
            "nothing is requested before idle time"
        );
        for _ in 0..200 {
            if requested(&prefix).len() >= 4 {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(20).await;
        }
        // A little longer: a file requested twice would show by now.
        gloo_timers::future::TimeoutFuture::new(200).await;
        list.remove();
        let files: Vec<String> = requested(&prefix)
            .iter()
            .map(|path| path.trim_start_matches(&prefix).to_owned())
            .collect();
        assert_eq!(
            files,
            [
                "split_settings.wasm",
                "chunk_1.wasm",
                "chunk_2.wasm",
                "split_audit_logs.wasm"
            ]
        );
    }
}
