//! CSV (RFC 4180) that a spreadsheet opens as text and never runs: every
//! export Roster writes (the audit log on the server; members and
//! invitations in the browser). Lines end with CRLF; no byte-order mark.
//!
//! The `push_*` functions append to one `String`, so a file of 10,000 rows
//! is written in one pass with no allocation per cell.

use std::fmt::Write;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};

/// What ends every line.
pub const LINE_END: &str = "\r\n";

/// A value starting with one of these is prefixed with `'` (OWASP's advice
/// against formula injection): a spreadsheet would otherwise run it.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A value with one of these is quoted.
const NEEDS_QUOTES: [char; 4] = [',', '"', '\n', '\r'];

/// Appends one cell holding `value`.
pub fn push_cell(out: &mut String, value: &str) {
    push_cell_of(out, std::iter::once(value));
}

/// Appends one cell holding `parts` joined by `separator` (a member's
/// assignment names), without building the joined text first.
pub fn push_joined_cell<'a, I>(out: &mut String, parts: I, separator: &str)
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let fragments = parts
        .into_iter()
        .enumerate()
        .flat_map(move |(i, part)| [if i == 0 { "" } else { separator }, part]);
    push_cell_of(out, fragments);
}

/// Appends one cell holding the concatenation of `fragments`; reads them
/// twice (whether to quote, then the text).
fn push_cell_of<'a>(out: &mut String, fragments: impl Iterator<Item = &'a str> + Clone) {
    let risky = fragments
        .clone()
        .find_map(|f| f.chars().next())
        .is_some_and(|first| FORMULA_STARTS.contains(&first));
    let quoted = fragments.clone().any(|f| f.contains(NEEDS_QUOTES));
    if quoted {
        out.push('"');
    }
    if risky {
        out.push('\'');
    }
    for fragment in fragments {
        if quoted {
            let mut pieces = fragment.split('"');
            if let Some(first) = pieces.next() {
                out.push_str(first);
            }
            for piece in pieces {
                out.push_str("\"\"");
                out.push_str(piece);
            }
        } else {
            out.push_str(fragment);
        }
    }
    if quoted {
        out.push('"');
    }
}

/// Appends one cell holding `at` in RFC 3339, UTC, to the millisecond
/// (`2026-03-01T09:30:00.000Z`, as the audit export writes `createdAt`),
/// without formatting machinery or a string of its own.
pub fn push_time(out: &mut String, at: DateTime<Utc>) {
    let (date, time) = (at.date_naive(), at.time());
    if !(0..=9999).contains(&date.year()) {
        // Not a four-digit year: chrono writes it (a sign, more digits).
        push_cell(out, &at.to_rfc3339_opts(SecondsFormat::Millis, true));
        return;
    }
    let millis = time.nanosecond() / 1_000_000 % 1000;
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        date.year(),
        date.month(),
        date.day(),
        time.hour(),
        time.minute(),
        time.second(),
    );
}

/// Appends a line of `cells`, ended by CRLF.
pub fn push_line<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell);
    }
    out.push_str(LINE_END);
}

/// One cell as its own string ([`push_cell`]).
pub fn csv_cell(value: &str) -> String {
    let mut cell = String::with_capacity(value.len() + 3);
    push_cell(&mut cell, value);
    cell
}

/// A line of cells as its own string ([`push_line`]).
pub fn csv_line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut line = String::new();
    push_line(&mut line, cells);
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_start_with_a_quote_mark() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("=1+2"), "'=1+2");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        // Only at the start.
        assert_eq!(csv_cell("a=b-c"), "a=b-c");
        assert_eq!(csv_cell("ada@example.com"), "ada@example.com");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("\""), "\"\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("two\r\nlines"), "\"two\r\nlines\"");
        assert_eq!(csv_cell("Zoë Ñandú"), "Zoë Ñandú");
    }

    #[test]
    fn lines_join_cells_with_commas_and_end_with_crlf() {
        assert_eq!(csv_line(["a", "=b", "c,d"]), "a,'=b,\"c,d\"\r\n");
        assert_eq!(csv_line(["", ""]), ",\r\n");
        assert_eq!(csv_line([]), "\r\n");
        let mut out = String::from("x\r\n");
        push_line(&mut out, ["1", "2"]);
        assert_eq!(out, "x\r\n1,2\r\n");
    }

    #[test]
    fn times_are_rfc_3339_utc_to_the_millisecond() {
        let time = |text: &str| {
            let mut out = String::new();
            push_time(&mut out, text.parse().expect("a timestamp"));
            out
        };
        assert_eq!(time("2026-03-01T09:30:00Z"), "2026-03-01T09:30:00.000Z");
        assert_eq!(
            time("2026-12-31T23:59:59.987654+02:00"),
            "2026-12-31T21:59:59.987Z"
        );
        let at: DateTime<Utc> = "2025-11-22T17:46:04.233895Z".parse().expect("a timestamp");
        assert_eq!(
            time("2025-11-22T17:46:04.233895Z"),
            at.to_rfc3339_opts(SecondsFormat::Millis, true)
        );
    }

    #[test]
    fn a_joined_cell_reads_as_its_joined_text() {
        let joined = |parts: &[&str]| {
            let mut out = String::new();
            push_joined_cell(&mut out, parts.iter().copied(), "; ");
            out
        };
        assert_eq!(joined(&[]), "");
        assert_eq!(joined(&["Developer"]), "Developer");
        assert_eq!(joined(&["Auditor", "Developer"]), "Auditor; Developer");
        // The first character of the whole text decides, and any part
        // with a comma or quote quotes the whole cell.
        assert_eq!(joined(&["=cmd", "Auditor"]), "'=cmd; Auditor");
        assert_eq!(joined(&["", "-x"]), "; -x");
        assert_eq!(joined(&["Auditor", "a,\"b\""]), "\"Auditor; a,\"\"b\"\"\"");
        for parts in [&["@a", "b,c"][..], &["x", "y\nz"], &["=1"]] {
            assert_eq!(joined(parts), csv_cell(&parts.join("; ")));
        }
    }
}
