//! Reading a large JSON array a slice at a time, so that no task is long.
//!
//! `serde_json` reads a whole body in one call: 2,000 members took a third
//! of a second on a phone (Lighthouse's 4× slower CPU) during which the
//! page could not answer a tap. [`items`] finds where each element of the
//! array is (one quick pass over the bytes); [`read_list`] then decodes
//! them in order and hands the browser back its thread every few
//! milliseconds.

use std::ops::Range;

use serde::de::DeserializeOwned;

/// How long decoding runs before the browser gets its thread back.
const SLICE_MS: f64 = 8.0;

/// Where each element of the JSON array `json` is, or `None` when `json`
/// is not one array. Strings (with their escapes) and nested values are
/// skipped over; the elements themselves are not checked, their decoding
/// does that.
pub fn items(json: &[u8]) -> Option<Vec<Range<usize>>> {
    let mut at = skip_space(json, 0);
    if json.get(at) != Some(&b'[') {
        return None;
    }
    at = skip_space(json, at + 1);
    let mut items = Vec::new();
    if json.get(at) == Some(&b']') {
        return (skip_space(json, at + 1) == json.len()).then_some(items);
    }
    loop {
        let start = at;
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        loop {
            let &byte = json.get(at)?;
            if in_string {
                match byte {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else {
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b',' | b']' if depth == 0 => break,
                    _ => {}
                }
            }
            at += 1;
        }
        let mut end = at;
        while end > start && json[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        if end == start {
            return None;
        }
        items.push(start..end);
        if json[at] == b']' {
            return (skip_space(json, at + 1) == json.len()).then_some(items);
        }
        at = skip_space(json, at + 1);
    }
}

fn skip_space(json: &[u8], mut at: usize) -> usize {
    while json.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Decodes the JSON array `json` as `Vec<T>`, yielding to the browser
/// between slices of [`SLICE_MS`]. The error is `serde_json`'s, or says the
/// body is no array.
pub async fn read_list<T: DeserializeOwned>(json: &[u8]) -> Result<Vec<T>, String> {
    let Some(items) = items(json) else {
        // Not an array as this reads it: serde_json says what is wrong.
        return serde_json::from_slice(json).map_err(|e| e.to_string());
    };
    let mut list = Vec::with_capacity(items.len());
    let mut slice_start = now();
    for item in items {
        list.push(serde_json::from_slice(&json[item]).map_err(|e| e.to_string())?);
        if now() - slice_start >= SLICE_MS {
            gloo_timers::future::TimeoutFuture::new(0).await;
            slice_start = now();
        }
    }
    Ok(list)
}

fn now() -> f64 {
    js_sys::Date::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(json: &str) -> Option<Vec<&str>> {
        items(json.as_bytes()).map(|ranges| ranges.into_iter().map(|r| &json[r]).collect())
    }

    #[test]
    fn elements_are_found_whatever_they_hold() {
        assert_eq!(texts("[]"), Some(vec![]));
        assert_eq!(texts(" [ ] \n"), Some(vec![]));
        assert_eq!(texts("[1]"), Some(vec!["1"]));
        assert_eq!(
            texts(r#"[{"a":[1,{"b":"]"}]}, "x,\"y]", [ [] ] ,null]"#),
            Some(vec![
                r#"{"a":[1,{"b":"]"}]}"#,
                r#""x,\"y]""#,
                "[ [] ]",
                "null"
            ])
        );
        assert_eq!(
            texts(r#"["\\", "\\\""]"#),
            Some(vec![r#""\\""#, r#""\\\"""#])
        );
    }

    #[test]
    fn what_is_not_one_array_is_not_sliced() {
        for json in [
            "", "{}", "[", "[1", "[1,]", "[,1]", "[1] 2", "[\"open]", "null",
        ] {
            assert_eq!(texts(json), None, "{json:?}");
        }
    }
}
