//! Loading placeholders. Each says "Loading…" to screen readers once.

use leptos::prelude::*;

/// `rows` placeholder rows of `columns` cells, for a `<tbody>`.
#[component]
pub fn SkeletonRows(
    #[prop(default = 5)] rows: usize,
    #[prop(default = 4)] columns: usize,
) -> impl IntoView {
    (0..rows)
        .map(|row| {
            view! {
                <tr class="skeleton-row" aria-hidden="true">
                    {(0..columns)
                        .map(|column| {
                            // Varying widths read as text rather than bars.
                            let width = 40 + ((row * 7 + column * 13) % 45);
                            view! {
                                <td>
                                    <span class="skeleton" style=format!("width: {width}%")></span>
                                </td>
                            }
                        })
                        .collect_view()}
                </tr>
            }
        })
        .collect_view()
}

/// A table of placeholder rows under real column headers.
#[component]
pub fn SkeletonTable(
    /// Column headers (their count sets the number of columns).
    headers: Vec<&'static str>,
    #[prop(default = 5)] rows: usize,
    /// Accessible name of the table.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let columns = headers.len().max(1);
    view! {
        <div class="table-wrap" aria-busy="true">
            <span class="visually-hidden" role="status">"Loading…"</span>
            <table class="table" aria-label=label>
                <thead>
                    <tr>
                        {headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <SkeletonRows rows=rows columns=columns />
                </tbody>
            </table>
        </div>
    }
}

/// A few placeholder lines, for anything that is not a table.
#[component]
pub fn SkeletonBlock(#[prop(default = 3)] lines: usize) -> impl IntoView {
    view! {
        <div class="skeleton-block" aria-busy="true">
            <span class="visually-hidden" role="status">"Loading…"</span>
            {(0..lines)
                .map(|i| {
                    let width = 90 - (i * 17) % 50;
                    view! {
                        <span class="skeleton" aria-hidden="true" style=format!("width: {width}%")></span>
                    }
                })
                .collect_view()}
        </div>
    }
}
