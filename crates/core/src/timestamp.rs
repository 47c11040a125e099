//! Reading RFC 3339 timestamps from JSON, fast.
//!
//! A 10,000-member list carries some 36,000 timestamps; chrono's general
//! parser (format items, then a `Parsed` to resolve) took a third of the
//! time of reading the list. Timestamps as servers write them
//! (`2025-01-01T00:00:00Z`, `2025-11-22T17:46:04.233895+00:00`) are read
//! here digit by digit; anything else goes to chrono, so what is accepted
//! and what it means are exactly chrono's.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use serde::de::{self, Deserializer, Visitor};

/// `text` as a UTC instant, as `text.parse::<DateTime<FixedOffset>>()`
/// reads it.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    parse_common(text.as_bytes()).or_else(|| {
        text.parse::<DateTime<FixedOffset>>()
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the `T` and `Z` in either
/// case; `None` for anything else (including leap seconds), which chrono
/// then reads.
fn parse_common(b: &[u8]) -> Option<DateTime<Utc>> {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in b.get(range)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let at = |i: usize, expected: u8| b.get(i).is_some_and(|c| c.eq_ignore_ascii_case(&expected));
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let year = digits(0..4)?;
    let date = NaiveDate::from_ymd_opt(year as i32, digits(5..7)?, digits(8..10)?)?;
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);

    let mut i = 19;
    let mut nanos = 0u32;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..9 {
            nanos *= 10;
        }
    }
    let offset_seconds = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && at(i + 3, b':') => {
            let (h, m) = (digits(i + 1..i + 3)?, digits(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = (h * 3600 + m * 60) as i64;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    // Leap seconds (60) and anything out of range: chrono decides.
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let local = NaiveDateTime::new(date, time);
    let utc = local.checked_sub_signed(TimeDelta::seconds(offset_seconds))?;
    Some(DateTime::from_naive_utc_and_offset(utc, Utc))
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an RFC 3339 timestamp")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        parse(text).ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
    }
}

/// `#[serde(deserialize_with = "timestamp::deserialize")]` on a
/// `DateTime<Utc>`.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(TimestampVisitor)
}

/// `#[serde(default, deserialize_with = "timestamp::optional")]` on an
/// `Option<DateTime<Utc>>` (`null` reads as `None`).
pub fn optional<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    struct OptionalVisitor;

    impl<'de> Visitor<'de> for OptionalVisitor {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an RFC 3339 timestamp or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            deserialize(d).map(Some)
        }
    }

    deserializer.deserialize_option(OptionalVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_reads(text: &str) -> Option<DateTime<Utc>> {
        text.parse::<DateTime<FixedOffset>>()
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn common_forms_read_as_chrono_reads_them() {
        for text in [
            "2025-01-01T00:00:00Z",
            "2025-11-22T17:46:04.233895Z",
            "2025-11-22T17:46:04.233895+00:00",
            "2025-11-22T17:46:04.2+02:30",
            "2025-11-22t17:46:04z",
            "2024-02-29T23:59:59.999999999-11:59",
            "1970-01-01T00:00:00.123456789123Z",
            "2025-12-31T23:30:00-01:00",
        ] {
            assert_eq!(parse_common(text.as_bytes()), chrono_reads(text), "{text}");
            assert!(
                parse_common(text.as_bytes()).is_some(),
                "{text} takes the fast path"
            );
        }
    }

    #[test]
    fn other_forms_are_left_to_chrono() {
        for text in [
            "2025-01-01 00:00:00Z",
            "2015-06-30T23:59:60Z",
            "2025-02-30T00:00:00Z",
            "2025-01-01T00:00:00",
            "2025-01-01T00:00:00.Z",
            "2025-01-01T00:00:00+0100",
            "2025-01-01T24:00:00Z",
            "2025-01-01T00:00:00+24:00",
            "2025-1-01T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_common(text.as_bytes()), None, "{text}");
            assert_eq!(parse(text), chrono_reads(text), "{text}");
        }
        assert!(
            parse("2015-06-30T23:59:60Z").is_some(),
            "chrono reads leap seconds"
        );
        assert!(
            parse("2025-01-01 00:00:00Z").is_some(),
            "and a space for the T"
        );
        assert!(parse("yesterday").is_none());
    }

    #[test]
    fn json_fields_read_through_serde() {
        #[derive(serde::Deserialize)]
        struct Row {
            #[serde(deserialize_with = "deserialize")]
            at: DateTime<Utc>,
            #[serde(default, deserialize_with = "optional")]
            until: Option<DateTime<Utc>>,
        }
        let row: Row =
            serde_json::from_str(r#"{"at":"2025-01-01T01:00:00+01:00","until":null}"#).unwrap();
        assert_eq!(row.at, chrono_reads("2025-01-01T00:00:00Z").unwrap());
        assert_eq!(row.until, None);
        let row: Row = serde_json::from_str(r#"{"at":"2025-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(row.until, None);
        let row: Row =
            serde_json::from_str(r#"{"at":"2025-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"}"#)
                .unwrap();
        assert_eq!(row.until, chrono_reads("2026-01-01T00:00:00Z"));
        let error = serde_json::from_str::<Row>(r#"{"at":"soon"}"#)
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("RFC 3339"), "{error}");
        assert!(serde_json::from_str::<Row>(r#"{"at":12}"#).is_err());
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Any well-formed timestamp reads exactly as chrono reads it.
            #[test]
            fn agrees_with_chrono(
                year in 0i32..=9999, month in 1u32..=12, day in 1u32..=31,
                hour in 0u32..=23, minute in 0u32..=59, second in 0u32..=59,
                fraction in proptest::option::of("[0-9]{1,12}"),
                offset in proptest::option::of((any::<bool>(), 0u32..=23, 0u32..=59)),
                lower in any::<bool>(),
            ) {
                let mut text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
                if let Some(fraction) = fraction {
                    text.push('.');
                    text.push_str(&fraction);
                }
                match offset {
                    None => text.push('Z'),
                    Some((negative, h, m)) => {
                        text.push_str(&format!("{}{h:02}:{m:02}", if negative { '-' } else { '+' }))
                    }
                }
                if lower {
                    text = text.to_lowercase();
                }
                prop_assert_eq!(parse(&text), chrono_reads(&text), "{}", text);
            }

            /// Arbitrary text never panics and never disagrees with chrono.
            #[test]
            fn arbitrary_text(text in "[0-9TZtz:.+\\- ]{0,40}") {
                prop_assert_eq!(parse(&text), chrono_reads(&text));
            }
        }
    }
}
