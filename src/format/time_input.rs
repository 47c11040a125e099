//! `<input type="datetime-local">` values (`2025-03-01T14:05`, the
//! browser's time zone) to and from UTC timestamps.

use chrono::{DateTime, Datelike, Local, NaiveDateTime, TimeZone, Timelike, Utc};

const FORMAT: &str = "%Y-%m-%dT%H:%M";

/// The input's value for `at`, in the browser's time zone. Written out by
/// hand: chrono's `format` machinery is 7 KB of wasm (3 KB gzip).
pub fn to_input(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&Local).naive_local();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        local.year(),
        local.month(),
        local.day(),
        local.hour(),
        local.minute()
    )
}

/// The instant an input's value names; `None` for an empty or malformed
/// value, or a local time that does not exist (a DST gap).
pub fn from_input(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let naive = NaiveDateTime::parse_from_str(value, FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|local| local.with_timezone(&Utc))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn round_trips_to_the_minute() {
        let at: DateTime<Utc> = "2025-03-01T14:05:00Z".parse().expect("timestamp");
        assert_eq!(from_input(&to_input(at)), Some(at));
        assert_eq!(from_input(""), None);
        assert_eq!(from_input("yesterday"), None);
        assert!(from_input("2025-03-01T14:05:30").is_some());
    }

    #[test]
    fn values_read_as_chrono_would_write_them() {
        for text in [
            "2025-03-01T14:05:00Z",
            "0999-01-09T00:00:59Z",
            "2024-12-31T23:59:00Z",
        ] {
            let at: DateTime<Utc> = text.parse().expect("timestamp");
            let expected = at.with_timezone(&Local).format(FORMAT).to_string();
            assert_eq!(to_input(at), expected);
        }
    }
}
