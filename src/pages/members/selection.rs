//! The members picked for a bulk action (issue 19): a set of member ids
//! that the table's checkboxes, "select all on this page", "select all N
//! matching" and the selection bar share. Picking every one of 10,000
//! matching members is one set of 10,000 keys, built at once.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Selection(RwSignal<HashSet<Arc<str>>>);

impl Default for Selection {
    fn default() -> Self {
        Self::new()
    }
}

impl Selection {
    pub fn new() -> Self {
        Selection(RwSignal::new(HashSet::new()))
    }

    pub fn contains(&self, key: &str) -> bool {
        self.0.with(|s| s.contains(key))
    }

    pub fn len(&self) -> usize {
        self.0.with(HashSet::len)
    }

    pub fn is_empty(&self) -> bool {
        self.0.with(HashSet::is_empty)
    }

    /// Whether every one of `keys` is picked (and there is one).
    pub fn has_all<'a>(&self, mut keys: impl Iterator<Item = &'a Arc<str>>) -> bool {
        self.0.with(|s| {
            let mut any = false;
            let all = keys.all(|k| {
                any = true;
                s.contains(k)
            });
            any && all
        })
    }

    /// Whether some of `keys` are picked.
    pub fn has_any<'a>(&self, mut keys: impl Iterator<Item = &'a Arc<str>>) -> bool {
        self.0.with(|s| keys.any(|k| s.contains(k)))
    }

    pub fn set(&self, key: Arc<str>, picked: bool) {
        self.0.update(|s| {
            if picked {
                s.insert(key);
            } else {
                s.remove(&key);
            }
        });
    }

    /// Picks (or unpicks) every one of `keys`, in one change.
    pub fn set_all(&self, keys: impl IntoIterator<Item = Arc<str>>, picked: bool) {
        self.0.update(|s| {
            if picked {
                s.extend(keys);
            } else {
                for key in keys {
                    s.remove(&key);
                }
            }
        });
    }

    /// Unpicks `ids` (members changed or gone).
    pub fn drop_ids(&self, ids: &[String]) {
        if ids.is_empty() {
            return;
        }
        self.0.update(|s| {
            for id in ids {
                s.remove(id.as_str());
            }
        });
    }

    pub fn clear(&self) {
        if !self.0.with_untracked(HashSet::is_empty) {
            self.0.set(HashSet::new());
        }
    }

    /// The picked ids, in no particular order.
    pub fn ids_untracked(&self) -> Vec<String> {
        self.0
            .with_untracked(|s| s.iter().map(|k| k.to_string()).collect())
    }
}
