//! Large lists of an organization (its members, its invitations),
//! serialized once and reused.
//!
//! Listing 10,000 members means 10,000 rows handed across sqlx's worker
//! thread and a 6 MB JSON document; building that on every request made the
//! big lists the slowest calls of the API. An organization's
//! `members_version` and `invitations_version` change, by trigger, in the
//! same transaction as anything the list shows (migrations 0004 and 0005),
//! so a list serialized at one version is exactly the list at that version:
//! it is served again until the version moves, whoever wrote to the
//! database (or, for a list that leaves out expired invitations, until the
//! first of them expires). The gzip form is made on the first request that
//! accepts it, once per version, instead of compressing megabytes per
//! request.
//!
//! Every list carries a validator (a weak `ETag` from its bytes) and
//! `Cache-Control: private, no-cache`: a client that sends the tag back in
//! `If-None-Match` while the list is the same gets `304 Not Modified` and
//! no body; no shared cache keeps it. The SPA does so when it checks a list
//! again (on window focus), so 10,000 unchanged members are neither sent
//! nor read again. The access gate runs first, so a 304 tells nothing to
//! someone who may not read the list.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Smaller lists cost less to build than to keep.
pub const MIN_CACHED_ITEMS: usize = 200;
/// The most serialized bytes kept, over all organizations.
const MAX_CACHED_BYTES: usize = 64 * 1024 * 1024;
/// How long after a change a kept list is built again, at least (see
/// [`ListCache::schedule_rebuild`]).
pub const REBUILD_DELAY: Duration = Duration::from_millis(250);
/// Under a stream of changes, a list is rebuilt at most once per this many
/// times its last rebuild took: background rebuilds take at most a fifth of
/// a core per list and instance, however many instances each rebuild their
/// own copy, and the changes themselves keep the rest.
const REBUILD_SPACING: u32 = 4;

/// Which list of an organization.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum List {
    Members,
    Invitations { include_expired: bool },
}

/// One list at one version, as JSON.
pub struct SerializedList {
    json: Bytes,
    /// Where each item is in `json`, in the list's order.
    items: Vec<Range<usize>>,
    /// The items' positions in display order, when it differs from the
    /// list's (see [`SerializedList::first`]).
    display_order: Option<Vec<u32>>,
    gzip: OnceLock<Bytes>,
    etag: OnceLock<HeaderValue>,
}

impl SerializedList {
    /// `items` as a JSON array (the same bytes as `serde_json::to_vec`).
    pub fn new<T: Serialize>(items: &[T]) -> Result<Self, serde_json::Error> {
        let mut json = Vec::with_capacity(items.len() * 256 + 2);
        let mut ranges = Vec::with_capacity(items.len());
        json.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                json.push(b',');
            }
            let start = json.len();
            serde_json::to_writer(&mut json, item)?;
            ranges.push(start..json.len());
        }
        json.push(b']');
        Ok(SerializedList {
            json: Bytes::from(json),
            items: ranges,
            display_order: None,
            gzip: OnceLock::new(),
            etag: OnceLock::new(),
        })
    }

    /// `items` as [`SerializedList::new`], whose first page
    /// ([`SerializedList::first`]) is in the order of `key` (ties keep the
    /// list's order).
    pub fn with_display_order<T: Serialize, K: Ord>(
        items: &[T],
        key: impl Fn(&T) -> K,
    ) -> Result<Self, serde_json::Error> {
        let mut list = SerializedList::new(items)?;
        let mut keyed: Vec<(K, u32)> = items.iter().zip(0..).map(|(t, i)| (key(t), i)).collect();
        keyed.sort();
        list.display_order = Some(keyed.into_iter().map(|(_, i)| i).collect());
        Ok(list)
    }

    /// How many items the list has.
    pub fn item_count(&self) -> usize {
        self.items.len()
    }

    /// The first `n` items in display order, as a JSON array: copied out
    /// of the serialized list, not serialized again.
    pub fn first(&self, n: usize) -> Bytes {
        let positions: Box<dyn Iterator<Item = usize>> = match &self.display_order {
            Some(order) => Box::new(order.iter().map(|&i| i as usize)),
            None => Box::new(0..self.items.len()),
        };
        let mut json = Vec::new();
        json.push(b'[');
        for (k, position) in positions.take(n).enumerate() {
            if k > 0 {
                json.push(b',');
            }
            json.extend_from_slice(&self.json[self.items[position].clone()]);
        }
        json.push(b']');
        Bytes::from(json)
    }

    /// Compresses the list and computes its validator now (a background
    /// rebuild), so that its first reader does not.
    pub fn warm_gzip(&self) {
        self.etag();
        if let Err(error) = self.gzip() {
            tracing::warn!("cannot gzip a list: {error}");
        }
    }

    /// The list's weak validator: the same bytes, the same tag, whichever
    /// encoding carries them.
    pub fn etag(&self) -> HeaderValue {
        self.etag
            .get_or_init(|| {
                let digest = Sha256::digest(&self.json);
                let tag = format!("W/\"{}\"", hex::encode(&digest[..16]));
                HeaderValue::from_str(&tag).expect("hex is a valid header value")
            })
            .clone()
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
        let etag = self.etag();
        let headers = [
            (header::VARY, HeaderValue::from_static("accept-encoding")),
            (header::ETAG, etag.clone()),
            // The browser may keep it and must ask again; nothing shared
            // (a proxy) may keep one member's view of an organization.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            ),
        ];
        if none_match(request, &etag) {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        if accepts_gzip(request) {
            match self.gzip() {
                Ok(gzip) => {
                    return (
                        [
                            (header::CONTENT_TYPE, json),
                            (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
                        ],
                        headers,
                        gzip,
                    )
                        .into_response();
                }
                Err(error) => tracing::warn!("cannot gzip a list: {error}"),
            }
        }
        ([(header::CONTENT_TYPE, json)], headers, self.json.clone()).into_response()
    }

    fn size(&self) -> usize {
        let index = self.items.len() * std::mem::size_of::<Range<usize>>()
            + self.display_order.as_ref().map_or(0, |o| o.len() * 4);
        self.json.len() + self.gzip.get().map_or(0, Bytes::len) + index
    }
}

/// Whether `If-None-Match` names `etag` (weak comparison, RFC 9110
/// 13.1.2), or is `*`.
fn none_match(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(etag.to_str().unwrap_or_default());
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
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
    /// When the list stops being right whatever the version (the first
    /// expiry of a list without expired invitations).
    valid_until: Option<DateTime<Utc>>,
    list: Arc<SerializedList>,
    last_used: u64,
}

type Key = (List, String);

/// The cache, shared by every request (in `AppState`).
#[derive(Default)]
pub struct ListCache {
    entries: Mutex<(HashMap<Key, Entry>, u64)>,
    /// Lists whose rebuild is scheduled and has not started.
    rebuilds: Mutex<HashSet<Key>>,
    /// How long each list's last background rebuild took.
    rebuild_took: Mutex<HashMap<Key, Duration>>,
}

impl ListCache {
    /// The organization's list if it was serialized at `version` and is
    /// still right at `now`.
    pub fn get(
        &self,
        list: &List,
        organization_id: &str,
        version: i64,
        now: DateTime<Utc>,
    ) -> Option<Arc<SerializedList>> {
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (entries, clock) = &mut *guard;
        *clock += 1;
        let entry = entries.get_mut(&(list.clone(), organization_id.to_string()))?;
        if entry.version != version || entry.valid_until.is_some_and(|until| now >= until) {
            return None;
        }
        entry.last_used = *clock;
        Some(entry.list.clone())
    }

    /// Whether some version of the organization's list is kept (it is a
    /// large one).
    pub fn holds(&self, list: &List, organization_id: &str) -> bool {
        let guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .0
            .contains_key(&(list.clone(), organization_id.to_string()))
    }

    /// Schedules building a kept list again after a change: `rebuild` runs
    /// [`REBUILD_DELAY`] later (or four times as long as its last rebuild
    /// took, if longer), once for however many changes come in the
    /// meantime (an owner going down the list, a script). Building 10,000
    /// members takes a core for a fifth of a second; the wait also leaves
    /// the change's own answer, and the client showing it, that time. A
    /// reader in between builds the list itself, as without a cache.
    /// Returns whether a rebuild was scheduled (false for a list that is
    /// not kept, or one already due).
    pub fn schedule_rebuild<F>(
        self: &Arc<Self>,
        list: &List,
        organization_id: &str,
        rebuild: F,
    ) -> bool
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        if !self.holds(list, organization_id) {
            return false;
        }
        let key = (list.clone(), organization_id.to_string());
        if !self.lock_rebuilds().insert(key.clone()) {
            return false;
        }
        let delay = self
            .lock_rebuild_took()
            .get(&key)
            .map_or(REBUILD_DELAY, |took| {
                (*took * REBUILD_SPACING).max(REBUILD_DELAY)
            });
        let cache = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            // A change from here on schedules the next rebuild.
            cache.lock_rebuilds().remove(&key);
            let started = tokio::time::Instant::now();
            rebuild.await;
            cache.lock_rebuild_took().insert(key, started.elapsed());
        });
        true
    }

    fn lock_rebuild_took(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Duration>> {
        self.rebuild_took.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_rebuilds(&self) -> std::sync::MutexGuard<'_, HashSet<Key>> {
        self.rebuilds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `serialized` as the organization's list at `version`, dropping
    /// the least recently used lists beyond the size limit.
    pub fn put(
        &self,
        list: List,
        organization_id: &str,
        version: i64,
        valid_until: Option<DateTime<Utc>>,
        serialized: Arc<SerializedList>,
    ) {
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (entries, clock) = &mut *guard;
        *clock += 1;
        let key = (list, organization_id.to_string());
        if entries.get(&key).is_some_and(|e| e.version > version) {
            return; // a newer list is already kept
        }
        entries.insert(
            key,
            Entry {
                version,
                valid_until,
                list: serialized,
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
    use std::sync::atomic::{AtomicU64, Ordering};

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
    fn a_first_page_is_copied_out_of_the_list_in_display_order() {
        let words = ["pear", "Apple", "fig", "apple", "kiwi"];
        let plain = SerializedList::new(&words).unwrap();
        assert_eq!(plain.json, serde_json::to_vec(&words).unwrap());
        assert_eq!(&plain.first(2)[..], br#"["pear","Apple"]"#);
        assert_eq!(&plain.first(0)[..], b"[]");

        let sorted = SerializedList::with_display_order(&words, |w| w.to_lowercase()).unwrap();
        // The whole list keeps its order; ties ("Apple", "apple") keep it too.
        assert_eq!(sorted.json, plain.json);
        assert_eq!(sorted.item_count(), 5);
        assert_eq!(&sorted.first(3)[..], br#"["Apple","apple","fig"]"#);
        assert_eq!(
            serde_json::from_slice::<Vec<String>>(&sorted.first(100)).unwrap(),
            ["Apple", "apple", "fig", "kiwi", "pear"]
        );
        assert_eq!(
            &SerializedList::new::<u8>(&[]).unwrap().first(25)[..],
            b"[]"
        );
    }

    #[test]
    fn if_none_match_is_compared_weakly_and_may_name_several_tags() {
        let list = SerializedList::new(&[1, 2, 3]).unwrap();
        let etag = list.etag();
        let tag = etag.to_str().unwrap();
        assert!(tag.starts_with("W/\"") && tag.ends_with('"'), "{tag}");
        assert_eq!(SerializedList::new(&[1, 2, 3]).unwrap().etag(), etag);
        assert_ne!(SerializedList::new(&[1, 2, 4]).unwrap().etag(), etag);

        let asking = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
            headers
        };
        let strong = tag.trim_start_matches("W/");
        for matching in [
            tag.to_owned(),
            strong.to_owned(),
            format!("W/\"x\", {tag}"),
            "*".into(),
        ] {
            let response = list.response(&asking(&matching));
            assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{matching}");
            assert_eq!(response.headers()[header::ETAG], etag);
        }
        let response = list.response(&asking("W/\"other\""));
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::ETAG], etag);
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "private, no-cache"
        );
        assert_eq!(list.response(&HeaderMap::new()).status(), StatusCode::OK);
    }

    #[test]
    fn a_list_is_reused_at_its_version_and_until_it_expires_only() {
        let cache = ListCache::default();
        let empty = || Arc::new(SerializedList::new::<u8>(&[]).unwrap());
        let now = Utc::now();
        let members = List::Members;
        cache.put(members.clone(), "org", 3, None, empty());
        assert!(cache.get(&members, "org", 3, now).is_some());
        assert!(cache.get(&members, "org", 4, now).is_none());
        assert!(cache.get(&members, "other", 3, now).is_none());
        let invitations = List::Invitations {
            include_expired: false,
        };
        assert!(cache.get(&invitations, "org", 3, now).is_none());
        // A slower request that read an older version does not replace it.
        cache.put(members.clone(), "org", 2, None, empty());
        assert!(cache.get(&members, "org", 3, now).is_some());

        let expiry = now + chrono::TimeDelta::hours(1);
        cache.put(invitations.clone(), "org", 7, Some(expiry), empty());
        assert!(cache.get(&invitations, "org", 7, now).is_some());
        assert!(cache.get(&invitations, "org", 7, expiry).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn changes_in_quick_succession_share_one_rebuild_of_a_kept_list() {
        let cache = Arc::new(ListCache::default());
        let rebuilt = Arc::new(AtomicU64::new(0));
        let rebuild = || {
            let rebuilt = rebuilt.clone();
            async move {
                rebuilt.fetch_add(1, Ordering::SeqCst);
            }
        };
        let members = List::Members;
        assert!(
            !cache.schedule_rebuild(&members, "org", rebuild()),
            "a list that is not kept is not rebuilt"
        );

        cache.put(
            members.clone(),
            "org",
            1,
            None,
            Arc::new(SerializedList::new::<u8>(&[]).unwrap()),
        );
        assert!(cache.schedule_rebuild(&members, "org", rebuild()));
        for _ in 0..4 {
            assert!(!cache.schedule_rebuild(&members, "org", rebuild()));
        }
        tokio::time::sleep(REBUILD_DELAY / 2).await;
        assert_eq!(rebuilt.load(Ordering::SeqCst), 0, "not before the delay");
        tokio::time::sleep(REBUILD_DELAY).await;
        assert_eq!(
            rebuilt.load(Ordering::SeqCst),
            1,
            "five changes, one rebuild"
        );

        // A change after the rebuild started schedules the next one.
        assert!(cache.schedule_rebuild(&members, "org", rebuild()));
        tokio::time::sleep(REBUILD_DELAY * 2).await;
        assert_eq!(rebuilt.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn slow_rebuilds_are_spaced_so_changes_keep_most_of_a_core() {
        let cache = Arc::new(ListCache::default());
        let rebuilt = Arc::new(AtomicU64::new(0));
        // A list that takes a second to build (on the paused clock).
        let rebuild = || {
            let rebuilt = rebuilt.clone();
            async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                rebuilt.fetch_add(1, Ordering::SeqCst);
            }
        };
        let members = List::Members;
        cache.put(
            members.clone(),
            "org",
            1,
            None,
            Arc::new(SerializedList::new::<u8>(&[]).unwrap()),
        );
        assert!(cache.schedule_rebuild(&members, "org", rebuild()));
        tokio::time::sleep(REBUILD_DELAY + Duration::from_millis(1100)).await;
        assert_eq!(rebuilt.load(Ordering::SeqCst), 1);

        // The next change waits four times the last rebuild, not 250 ms.
        assert!(cache.schedule_rebuild(&members, "org", rebuild()));
        tokio::time::sleep(Duration::from_millis(3900)).await;
        assert_eq!(rebuilt.load(Ordering::SeqCst), 1, "not before 4 s");
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(rebuilt.load(Ordering::SeqCst), 2);
    }
}
