//! Large member lists, serialized once and reused.
//!
//! Listing 10,000 members means 10,000 rows handed across sqlx's worker
//! thread and a 6 MB JSON document; building that on every request made the
//! member list the slowest call of the API. An organization's
//! `members_version` changes, by trigger, in the same transaction as
//! anything the list shows (migration 0004), so a list serialized at one
//! version is exactly the list at that version: it is served again until
//! the version moves, whoever wrote to the database. The gzip form is made
//! on the first request that accepts it, once per version, instead of
//! compressing 6 MB per request.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use flate2::write::GzEncoder;
use flate2::Compression;
use roster_core::wire::OrganizationUser;

/// Smaller lists cost less to build than to keep.
pub const MIN_CACHED_MEMBERS: usize = 200;
/// The most serialized bytes kept, over all organizations.
const MAX_CACHED_BYTES: usize = 64 * 1024 * 1024;

/// One organization's list at one version.
pub struct SerializedList {
    json: Bytes,
    gzip: OnceLock<Bytes>,
}

impl SerializedList {
    pub fn new(members: &[OrganizationUser]) -> Result<Self, serde_json::Error> {
        Ok(SerializedList {
            json: Bytes::from(serde_json::to_vec(members)?),
            gzip: OnceLock::new(),
        })
    }

    fn gzip(&self) -> std::io::Result<Bytes> {
        if let Some(gzip) = self.gzip.get() {
            return Ok(gzip.clone());
        }
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(&self.json)?;
        let gzip = Bytes::from(encoder.finish()?);
        Ok(self.gzip.get_or_init(|| gzip).clone())
    }

    /// The list as JSON, gzip-encoded when the request accepts it (the
    /// compression layer leaves an encoded body alone). Compressing the
    /// first time blocks, so call this from a blocking task.
    pub fn response(&self, request: &HeaderMap) -> Response {
        let json = HeaderValue::from_static("application/json");
        let vary = [(header::VARY, HeaderValue::from_static("accept-encoding"))];
        if accepts_gzip(request) {
            match self.gzip() {
                Ok(gzip) => {
                    return (
                        [
                            (header::CONTENT_TYPE, json),
                            (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
                        ],
                        vary,
                        gzip,
                    )
                        .into_response();
                }
                Err(error) => tracing::warn!("cannot gzip a member list: {error}"),
            }
        }
        ([(header::CONTENT_TYPE, json)], vary, self.json.clone()).into_response()
    }

    fn size(&self) -> usize {
        self.json.len() + self.gzip.get().map_or(0, Bytes::len)
    }
}

/// Whether `Accept-Encoding` lists gzip with a non-zero quality.
fn accepts_gzip(request: &HeaderMap) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

struct Entry {
    version: i64,
    list: Arc<SerializedList>,
    last_used: u64,
}

/// The cache, shared by every request (in `AppState`).
#[derive(Default)]
pub struct MemberLists {
    entries: Mutex<(HashMap<String, Entry>, u64)>,
}

impl MemberLists {
    /// The organization's list if it was serialized at `version`.
    pub fn get(&self, organization_id: &str, version: i64) -> Option<Arc<SerializedList>> {
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (entries, clock) = &mut *guard;
        *clock += 1;
        let entry = entries.get_mut(organization_id)?;
        if entry.version != version {
            return None;
        }
        entry.last_used = *clock;
        Some(entry.list.clone())
    }

    /// Keeps `list` as the organization's list at `version`, dropping the
    /// least recently used lists beyond the size limit.
    pub fn put(&self, organization_id: &str, version: i64, list: Arc<SerializedList>) {
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (entries, clock) = &mut *guard;
        *clock += 1;
        if entries
            .get(organization_id)
            .is_some_and(|e| e.version > version)
        {
            return; // a newer list is already kept
        }
        entries.insert(
            organization_id.to_string(),
            Entry {
                version,
                list,
                last_used: *clock,
            },
        );
        while entries.values().map(|e| e.list.size()).sum::<usize>() > MAX_CACHED_BYTES
            && entries.len() > 1
        {
            let oldest = entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(id, _)| id.clone());
            if let Some(id) = oldest {
                entries.remove(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_used_only_when_accepted() {
        let accepts = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            accepts_gzip(&headers)
        };
        assert!(accepts("gzip, deflate, br, zstd"));
        assert!(accepts("br;q=1.0, GZIP;q=0.5"));
        assert!(!accepts("br"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn a_list_is_reused_at_its_version_only() {
        let lists = MemberLists::default();
        let list = Arc::new(SerializedList::new(&[]).unwrap());
        lists.put("org", 3, list);
        assert!(lists.get("org", 3).is_some());
        assert!(lists.get("org", 4).is_none());
        assert!(lists.get("other", 3).is_none());
        // A slower request that read an older version does not replace it.
        lists.put("org", 2, Arc::new(SerializedList::new(&[]).unwrap()));
        assert!(lists.get("org", 3).is_some());
    }
}
