//! The three states of a data view in one place: skeleton while loading,
//! [`ErrorState`] with Retry on failure, the data otherwise.

use leptos::prelude::*;

use super::{ErrorState, SkeletonBlock};
use crate::api::ApiResult;

/// Renders `children` with the loaded value.
///
/// ```ignore
/// let invitations = LocalResource::new(api::invitations::my_invitations);
/// view! {
///     <Loaded
///         value=Signal::derive(move || invitations.get())
///         on_retry=Callback::new(move |_| invitations.refetch())
///         loading=|| view! { <SkeletonTable headers=vec!["Organization"] label="Invitations" /> }
///         let:list
///     >
///         <InvitationTable list=list />
///     </Loaded>
/// }
/// ```
///
/// The children are rendered again whenever `value` changes; keep UI state
/// (search text, page) in signals created outside them, and pass a `Memo`
/// when refetches often return the same data.
#[component]
pub fn Loaded<T, V, F>(
    /// `None` while loading.
    #[prop(into)]
    value: Signal<Option<ApiResult<T>>>,
    on_retry: Callback<()>,
    /// The placeholder while loading (default: a few skeleton lines).
    #[prop(optional, into)]
    loading: Option<ViewFn>,
    children: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let loading = loading.unwrap_or_else(|| ViewFn::from(|| view! { <SkeletonBlock /> }));
    move || match value.get() {
        None => loading.run(),
        Some(Err(error)) => {
            view! { <ErrorState message=error.to_string() on_retry=on_retry /> }.into_any()
        }
        Some(Ok(data)) => children(data).into_any(),
    }
}
