//! Pages of a list held in full by the browser: which rows the current page
//! shows ([`Paging`]), the "Showing 1–25 of 1,000" line, and the controls to
//! move between pages ([`Pagination`]).

use leptos::prelude::*;

use crate::components::Button;
use crate::dom;

pub const PAGE_SIZES: [usize; 3] = [25, 50, 100];
pub const DEFAULT_PAGE_SIZE: usize = 25;

/// The rows `start..end` of page `page` (from 0) out of `pages`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageWindow {
    pub page: usize,
    pub start: usize,
    pub end: usize,
    pub pages: usize,
}

impl PageWindow {
    /// A page past the end is the last page: a list that shrank never
    /// shows an empty page.
    pub fn of(total: usize, per_page: usize, page: usize) -> Self {
        let per_page = per_page.max(1);
        let pages = total.div_ceil(per_page).max(1);
        let page = page.min(pages - 1);
        let start = (page * per_page).min(total);
        let end = (start + per_page).min(total);
        PageWindow {
            page,
            start,
            end,
            pages,
        }
    }

    /// "Showing 26–50 of 1,000 invitations", or "3 invitations" when one
    /// page shows them all.
    pub fn status(self, total: usize, singular: &str, plural: &str) -> String {
        let noun = if total == 1 { singular } else { plural };
        if self.start == 0 && self.end == total {
            format!("{} {noun}", thousands(total))
        } else {
            format!(
                "Showing {}\u{2013}{} of {} {noun}",
                thousands(self.start + 1),
                thousands(self.end),
                thousands(total)
            )
        }
    }
}

/// "2,001".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The page a list of `total` rows is on, and its size.
#[derive(Clone, Copy)]
pub struct Paging {
    pub total: Signal<usize>,
    pub page: RwSignal<usize>,
    pub per_page: RwSignal<usize>,
    pub window: Memo<PageWindow>,
}

impl Paging {
    pub fn new(total: Signal<usize>) -> Self {
        let page = RwSignal::new(0usize);
        let per_page = RwSignal::new(DEFAULT_PAGE_SIZE);
        let window = Memo::new(move |_| PageWindow::of(total.get(), per_page.get(), page.get()));
        // The window already shows the last page when the list shrank past
        // the page; keep that page when it grows again.
        Effect::new(move |_| {
            let shown = window.get().page;
            if page.get_untracked() != shown {
                page.set(shown);
            }
        });
        Paging {
            total,
            page,
            per_page,
            window,
        }
    }
}

/// Rows per page, "Page 2 of 40", Previous page and Next page, in a
/// `<nav aria-label=label>`; nothing when no page size would split the
/// list.
#[component]
pub fn Pagination(
    paging: Paging,
    label: &'static str,
    /// The page sizes offered (default 25, 50, 100).
    #[prop(optional)]
    sizes: Option<&'static [usize]>,
) -> impl IntoView {
    let sizes = sizes.unwrap_or(&PAGE_SIZES);
    let Paging {
        total,
        page,
        per_page,
        window,
    } = paging;
    let per_page_id = dom::unique_id("per-page");
    let smallest = sizes.iter().copied().min().unwrap_or(DEFAULT_PAGE_SIZE);
    let splits = Memo::new(move |_| total.get() > smallest);
    view! {
        <Show when=move || splits.get()>
            <nav class="pagination" aria-label=label>
                <div class="field field-inline">
                    <label for=per_page_id.clone()>"Rows per page"</label>
                    <select
                        id=per_page_id.clone()
                        class="input"
                        on:change=move |event| {
                            if let Ok(size) = event_target_value(&event).parse::<usize>() {
                                // Keep the first visible row on screen.
                                let first = window.get_untracked().start;
                                per_page.set(size);
                                page.set(first / size.max(1));
                            }
                        }
                    >
                        {sizes
                            .iter()
                            .map(|size| {
                                let size = *size;
                                view! {
                                    <option value=size.to_string() prop:selected=move || per_page.get() == size>
                                        {size.to_string()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <span class="pagination-position">
                    {move || {
                        let window = window.get();
                        format!("Page {} of {}", thousands(window.page + 1), thousands(window.pages))
                    }}
                </span>
                <Button
                    small=true
                    disabled=Signal::derive(move || window.get().page == 0)
                    on_click=Callback::new(move |_| page.set(window.get_untracked().page.saturating_sub(1)))
                >
                    "Previous page"
                </Button>
                <Button
                    small=true
                    disabled=Signal::derive(move || {
                        let window = window.get();
                        window.page + 1 >= window.pages
                    })
                    on_click=Callback::new(move |_| page.set(window.get_untracked().page + 1))
                >
                    "Next page"
                </Button>
            </nav>
        </Show>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn a_page_past_the_end_is_the_last_page() {
        assert_eq!(
            PageWindow::of(60, 25, 2),
            PageWindow {
                page: 2,
                start: 50,
                end: 60,
                pages: 3
            }
        );
        assert_eq!(
            PageWindow::of(50, 25, 2),
            PageWindow {
                page: 1,
                start: 25,
                end: 50,
                pages: 2
            }
        );
        assert_eq!(
            PageWindow::of(0, 25, 3),
            PageWindow {
                page: 0,
                start: 0,
                end: 0,
                pages: 1
            }
        );
    }

    #[test]
    fn status_counts_the_rows_shown() {
        assert_eq!(
            PageWindow::of(1000, 25, 1).status(1000, "invitation", "invitations"),
            "Showing 26\u{2013}50 of 1,000 invitations"
        );
        assert_eq!(
            PageWindow::of(3, 25, 0).status(3, "invitation", "invitations"),
            "3 invitations"
        );
        assert_eq!(
            PageWindow::of(1, 25, 0).status(1, "invitation", "invitations"),
            "1 invitation"
        );
        assert_eq!(thousands(2001), "2,001");
        assert_eq!(thousands(100), "100");
    }
}
