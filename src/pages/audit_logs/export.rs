//! "Export": the log's current filtered view, every page of it, as a file
//! (CSV or JSON lines) from `GET /audit/organizations/{id}/export`, a
//! Roster extension offered when the backend's `/config` says
//! `auditExport`.
//!
//! The body is read as it arrives, through the same authenticated
//! transport as every request, counting rows against the server's
//! `X-Total-Count` for the progress bar; Cancel aborts the request. The
//! chunks stay in JavaScript memory and become one `Blob`, saved through an
//! object URL and an `<a download>`.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use leptos::prelude::*;
use roster_core::audit::ExportFormat;
use roster_core::audit_filter::AuditFilters;
use send_wrapper::SendWrapper;

use super::address::AuditAddress;
use crate::api::{self, ApiError};
use crate::components::{thousands, MenuButton, MenuItem};
use crate::dom;
use crate::icons::{Icon, IconKind};

/// Where an export is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ExportState {
    Idle,
    Running { rows: u64, total: Option<u64> },
    Done { rows: u64, file_name: String },
    Cancelled,
    Failed(String),
}

/// Counts the rows of an export as its bytes arrive: its lines, less the
/// CSV header; a line break inside a quoted CSV cell ends no row.
#[derive(Clone, Debug)]
pub struct RowCounter {
    csv: bool,
    quoted: bool,
    lines: u64,
    /// The last byte seen ends its line.
    at_line_end: bool,
}

impl RowCounter {
    pub fn new(format: ExportFormat) -> Self {
        RowCounter {
            csv: format == ExportFormat::Csv,
            quoted: false,
            lines: 0,
            at_line_end: true,
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            match byte {
                b'"' if self.csv => self.quoted = !self.quoted,
                b'\n' if !self.quoted => self.lines += 1,
                _ => {}
            }
        }
        if let Some(&last) = bytes.last() {
            self.at_line_end = last == b'\n';
        }
    }

    /// Rows complete so far.
    pub fn rows(&self) -> u64 {
        self.rows_of(self.lines)
    }

    /// Rows once the body has ended (the last line may lack its break).
    pub fn finished_rows(&self) -> u64 {
        self.rows_of(self.lines + u64::from(!self.at_line_end))
    }

    fn rows_of(&self, lines: u64) -> u64 {
        if self.csv {
            lines.saturating_sub(1)
        } else {
            lines
        }
    }
}

/// "12,345 of 1,000,000 rows", or "12,345 rows" without a total.
pub fn progress_text(rows: u64, total: Option<u64>) -> String {
    let count = |n: u64| thousands(usize::try_from(n).unwrap_or(usize::MAX));
    match total {
        Some(total) => format!("{} of {} rows", count(rows), count(total)),
        None if rows == 1 => "1 row".to_owned(),
        None => format!("{} rows", count(rows)),
    }
}

/// One export at a time of the page's view: its state, and how to cancel
/// it. Cancelled too when the page goes away.
#[derive(Clone, Copy)]
pub struct ExportJob {
    state: RwSignal<ExportState>,
    /// The running export's controller.
    controller: StoredValue<Arc<Mutex<Option<SendWrapper<web_sys::AbortController>>>>>,
}

impl ExportJob {
    pub fn new() -> Self {
        // Held outside the reactive arena too, so that the cleanup finds it
        // while the page is being disposed.
        let controller = Arc::new(Mutex::new(None));
        let held = Arc::clone(&controller);
        on_cleanup(move || abort(&held));
        ExportJob {
            state: RwSignal::new(ExportState::Idle),
            controller: StoredValue::new(controller),
        }
    }

    fn running(self) -> bool {
        matches!(self.state.get(), ExportState::Running { .. })
    }

    fn cancel(self) {
        self.controller.with_value(abort);
    }

    fn start(self, organization_id: String, format: ExportFormat, filters: AuditFilters) {
        if self
            .state
            .with_untracked(|s| matches!(s, ExportState::Running { .. }))
        {
            return;
        }
        let Ok(controller) = web_sys::AbortController::new() else {
            self.state.set(ExportState::Failed(
                "This browser cannot download exports".into(),
            ));
            return;
        };
        let signal = controller.signal();
        self.controller.with_value(|held| {
            if let Ok(mut held) = held.lock() {
                *held = Some(SendWrapper::new(controller));
            }
        });
        let state = self.state;
        state.set(ExportState::Running {
            rows: 0,
            total: None,
        });
        leptos::task::spawn_local(async move {
            let outcome = download(
                &organization_id,
                format,
                &filters,
                &signal,
                |rows, total| {
                    state.try_set(ExportState::Running { rows, total });
                },
            )
            .await;
            state.try_set(match outcome {
                Ok((rows, file_name)) => ExportState::Done { rows, file_name },
                Err(error) if error.is_aborted() => ExportState::Cancelled,
                Err(error) => ExportState::Failed(error.to_string()),
            });
        });
    }
}

fn abort(controller: &Arc<Mutex<Option<SendWrapper<web_sys::AbortController>>>>) {
    let held = controller.lock().ok().and_then(|mut held| held.take());
    if let Some(controller) = held {
        controller.abort();
    }
}

/// "Export": a menu of the formats; the export is of `address`'s filters,
/// every page of them.
#[component]
pub fn ExportMenu(
    job: ExportJob,
    organization_id: StoredValue<String>,
    #[prop(into)] address: Signal<AuditAddress>,
) -> impl IntoView {
    let running = Signal::derive(move || job.running());
    view! {
        <MenuButton
            trigger=|| view! { <Icon kind=IconKind::Download /> "Export" }
            trigger_class="btn btn-secondary export-trigger"
            menu_label="Export format"
        >
            {ExportFormat::ALL
                .into_iter()
                .map(|format| {
                    view! {
                        <MenuItem
                            disabled=running
                            on_select=Callback::new(move |_| {
                                let filters = address.with_untracked(|a| a.request_filters(Utc::now()));
                                job.start(organization_id.get_value(), format, filters);
                            })
                        >
                            {format.label()}
                        </MenuItem>
                    }
                })
                .collect_view()}
        </MenuButton>
    }
}

/// Progress while an export runs, with Cancel; then how it ended.
#[component]
pub fn ExportStatus(job: ExportJob) -> impl IntoView {
    let state = job.state;
    let dismiss = move |_| state.set(ExportState::Idle);
    move || {
        match state.get() {
        ExportState::Idle => ().into_any(),
        ExportState::Running { rows, total } => {
            let text = progress_text(rows, total);
            let percent = total
                .filter(|t| *t > 0)
                .map(|t| (rows.min(t) * 100 / t).to_string());
            let width = percent.as_ref().map(|p| format!("{p}%"));
            let indeterminate = percent.is_none();
            view! {
                <div class="export-status export-running">
                    <span class="export-text">"Exporting\u{2026} " {text.clone()}</span>
                    <div
                        class="export-bar"
                        role="progressbar"
                        aria-label="Export progress"
                        aria-valuemin="0"
                        aria-valuemax="100"
                        aria-valuenow=percent
                        aria-valuetext=text
                    >
                        <div
                            class="export-bar-fill"
                            class:indeterminate=indeterminate
                            style:width=width
                        ></div>
                    </div>
                    <button type="button" class="btn btn-secondary btn-small" on:click=move |_| job.cancel()>
                        "Cancel export"
                    </button>
                </div>
            }
            .into_any()
        }
        ExportState::Done { rows, file_name } => view! {
            <div class="export-status" role="status">
                <span class="export-text">
                    {format!("Exported {} to ", progress_text(rows, None))}
                    <span class="export-file">{file_name}</span>
                </span>
                <button type="button" class="btn btn-ghost btn-small" on:click=dismiss>"Dismiss"</button>
            </div>
        }
        .into_any(),
        ExportState::Cancelled => view! {
            <div class="export-status" role="status">
                <span class="export-text">"Export cancelled"</span>
                <button type="button" class="btn btn-ghost btn-small" on:click=dismiss>"Dismiss"</button>
            </div>
        }
        .into_any(),
        ExportState::Failed(message) => view! {
            <div class="export-status export-failed" role="alert">
                <span class="export-text">"Could not export the audit log: " {message}</span>
                <button type="button" class="btn btn-ghost btn-small" on:click=dismiss>"Dismiss"</button>
            </div>
        }
        .into_any(),
    }
    }
}

/// Downloads the export and saves it; `progress` hears of every chunk.
/// Returns the rows saved and the file's name.
async fn download(
    organization_id: &str,
    format: ExportFormat,
    filters: &AuditFilters,
    abort: &web_sys::AbortSignal,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<(u64, String), ApiError> {
    let streamed = api::audit::audit_export(organization_id, format, filters, abort).await?;
    let total = streamed.total;
    progress(0, total);
    let chunks = js_sys::Array::new();
    let mut counter = RowCounter::new(format);
    let mut bytes = Vec::new();
    api::transport::read_body(&streamed.response, |chunk| {
        bytes.resize(chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes);
        counter.feed(&bytes);
        chunks.push(&chunk);
        progress(counter.rows(), total);
    })
    .await?;
    let file_name = streamed
        .file_name
        .unwrap_or_else(|| format!("audit-log.{}", format.as_str()));
    dom::save_file(&chunks, format.content_type(), &file_name).map_err(|error| {
        ApiError::Network(format!("The browser did not save the file ({error:?})"))
    })?;
    Ok((counter.finished_rows(), file_name))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn count(format: ExportFormat, chunks: &[&str]) -> (u64, u64) {
        let mut counter = RowCounter::new(format);
        for chunk in chunks {
            counter.feed(chunk.as_bytes());
        }
        (counter.rows(), counter.finished_rows())
    }

    #[test]
    fn csv_rows_are_lines_after_the_header_outside_quotes() {
        let body = [
            "createdAt,action,metadata\r\n2026-03-01,cre",
            "ate,\"two\r\nlines\"\r\n2026-03-02,\"say \"\"hi\"\"\",x\r",
            "\n",
        ];
        assert_eq!(count(ExportFormat::Csv, &body), (2, 2));
        // An unterminated last row counts once the body has ended.
        assert_eq!(count(ExportFormat::Csv, &["a,b\r\n1,2\r\n3,4"]), (1, 2));
        assert_eq!(count(ExportFormat::Csv, &["a,b\r\n"]), (0, 0));
        assert_eq!(count(ExportFormat::Csv, &[]), (0, 0));
    }

    #[test]
    fn json_lines_are_rows_and_quotes_mean_nothing() {
        let body = ["{\"a\":\"x\\\"\"}\n{\"a\":", "\"y\"}\n"];
        assert_eq!(count(ExportFormat::Ndjson, &body), (2, 2));
        assert_eq!(count(ExportFormat::Ndjson, &["{}\n{}"]), (1, 2));
    }

    #[test]
    fn progress_reads_as_rows_of_the_total() {
        assert_eq!(
            progress_text(12_345, Some(1_000_000)),
            "12,345 of 1,000,000 rows"
        );
        assert_eq!(progress_text(1, None), "1 row");
        assert_eq!(progress_text(0, None), "0 rows");
    }
}
