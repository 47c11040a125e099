//! Reusable, accessible building blocks, and what more than one page or
//! the layout shares. The building blocks fetch no data: pages pass them
//! what to show. The shared dialogs ([`CreateOrganizationDialog`],
//! `LeaveDialog`) act through the API and the state, as a page would;
//! no page imports another page's.
//!
//! | Component | Use |
//! |---|---|
//! | [`Button`] | every action; `busy` shows progress (`aria-busy`) and ignores clicks |
//! | [`Badge`] | counts, roles, statuses |
//! | [`MenuButton`] + [`MenuItem`], [`MenuItemRadio`], [`MenuLink`], [`MenuGroup`], [`MenuSeparator`] | WAI-ARIA menu button |
//! | [`Dialog`] | modal dialog: focus in, trapped, Escape, focus back |
//! | [`ConfirmDialog`] | "are you sure?", optionally with a typed confirmation |
//! | [`Toaster`] | renders the toasts of `state::Toasts` (once, in the app) |
//! | [`SkeletonTable`], [`SkeletonRows`], [`SkeletonBlock`] | loading placeholders |
//! | [`EmptyState`] | nothing to list |
//! | [`ErrorState`] | loading failed: the server's message and Retry |
//! | [`Lazy`], [`LazyDialog`], `split_view!`, `split_fn!`, [`prefetch`], [`download_when_idle`] | code downloaded when first needed (wasm chunks) |
//! | [`Loaded`] | the three states of a data view in one component |
//! | [`Pagination`] + [`Paging`] | pages of a list the browser holds in full |
//! | [`AccessRequired`], [`RequireAccess`] | pages the user may not see |
//! | `MemberChooser` | one member out of thousands (a new owner, a successor) |
//! | [`CreateOrganizationDialog`] | "Create Organization" (switcher, members page) |
//! | `LeaveDialog` | leaving the current organization (members table, settings) |

mod access_required;
mod badge;
mod button;
mod confirm_dialog;
mod create_organization;
mod dialog;
mod empty_state;
mod error_state;
mod lazy;
mod leave_dialog;
mod loaded;
mod member_chooser;
mod menu_button;
mod pagination;
mod skeleton;
mod toaster;

pub use access_required::{AccessRequired, RequireAccess};
pub use badge::{Badge, BadgeVariant};
pub use button::{spinner_shown, Button, ButtonVariant, SPINNER_DELAY};
pub use confirm_dialog::ConfirmDialog;
pub use create_organization::{
    create_organization_dialog, preload_create_organization, CreateOrganizationDialog,
};
pub use dialog::Dialog;
pub use empty_state::EmptyState;
pub use error_state::ErrorState;
pub use lazy::{
    download_when_idle, loader, prefetch, prefetch_when_idle, preloading, Chunk, ChunkError,
    ChunkFuture, ChunkView, Lazy, LazyDialog, PagePrefetch, PrefetchPage, Prefetching,
};
pub(crate) use lazy::{split_fn, split_view};
pub(crate) use leave_dialog::{leave_dialog, LeaveDialog};
pub use loaded::Loaded;
pub(crate) use member_chooser::MemberChooser;
pub use menu_button::{
    MenuButton, MenuGroup, MenuItem, MenuItemRadio, MenuLink, MenuPlacement, MenuSeparator,
    MENU_FILTER_ATTRIBUTE,
};
pub use pagination::{thousands, PageWindow, Pagination, Paging};
pub use skeleton::{SkeletonBlock, SkeletonRows, SkeletonTable};
pub use toaster::Toaster;
