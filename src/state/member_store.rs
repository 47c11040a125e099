//! The member list as the table holds it: one signal per member, so that a
//! change to one member re-renders that member's row only, while search,
//! sorting and paging run in memory over the whole list (10,000 members
//! included).
//!
//! Views over the whole list follow one change counter, bumped when any
//! member changes, rather than the 10,000 member signals: subscribing a
//! memo to each of them again on every keystroke cost more than the search
//! itself. The list is sorted when the sort or the members change (not when
//! the one member that changed keeps their place); a keystroke only filters
//! the sorted list, and a keystroke that extends the query only filters the
//! previous matches.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use leptos::prelude::*;
use roster_core::wire::OrganizationUser;
use roster_core::Role;

use crate::state::use_current_organization;

/// One member, with what the table sorts by computed once, and what it
/// searches computed on the first search (or once the table is on screen,
/// [`MemberStore::prepare_search`]): 10,000 of them cost 20 ms that the
/// first rows need not wait for.
#[derive(Clone, Debug)]
pub struct MemberEntry {
    pub user: OrganizationUser,
    /// Lower-cased name, e-mail, role and assignment names.
    haystack: OnceLock<Arc<str>>,
    /// Lower-cased name, else e-mail.
    sort_name: String,
}

/// Entries are the member's data; the rest is computed from it.
impl PartialEq for MemberEntry {
    fn eq(&self, other: &Self) -> bool {
        self.user == other.user
    }
}

impl MemberEntry {
    pub fn new(user: OrganizationUser) -> Self {
        let sort_name = user.sort_name();
        MemberEntry {
            haystack: OnceLock::new(),
            sort_name,
            user,
        }
    }

    fn haystack(&self) -> &Arc<str> {
        self.haystack.get_or_init(|| {
            let user = &self.user;
            let mut haystack = format!("{}\n{}\n{}", user.name, user.email, user.role.label());
            for assignment in &user.assigned_roles {
                haystack.push('\n');
                haystack.push_str(&assignment.name);
            }
            Arc::from(haystack.to_lowercase())
        })
    }

    /// Every word of `query` (already lower-cased) appears in the name,
    /// e-mail, role or an assignment name.
    pub fn matches(&self, query: &str) -> bool {
        let haystack = self.haystack();
        query.split_whitespace().all(|word| haystack.contains(word))
    }

    /// Every one of `words` (lower-cased) appears in what search looks at.
    fn matches_words(&self, words: &[&str]) -> bool {
        let haystack = self.haystack();
        words.iter().all(|word| haystack.contains(word))
    }
}

/// A row of the table: the member's id and their signal.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberRow {
    pub key: Arc<str>,
    pub entry: ArcRwSignal<MemberEntry>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortColumn {
    Member,
    Role,
    Joined,
    LastActive,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub column: SortColumn,
    pub ascending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            column: SortColumn::Member,
            ascending: true,
        }
    }
}

impl Sort {
    /// A click on `column`'s header: the other direction on the sorted
    /// column, ascending on another one.
    pub fn toggled(self, column: SortColumn) -> Sort {
        if self.column == column {
            Sort {
                column,
                ascending: !self.ascending,
            }
        } else {
            Sort {
                column,
                ascending: true,
            }
        }
    }

    /// The header's `aria-sort`.
    pub fn aria_sort(self, column: SortColumn) -> &'static str {
        match (self.column == column, self.ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    }
}

/// The members of one organization, row by row (a `Copy` handle).
#[derive(Clone, Copy)]
pub struct MemberStore {
    rows: RwSignal<Vec<MemberRow>>,
    change: RwSignal<Change>,
    /// While the rows are only the first page of a large organization: how
    /// many members there are in all.
    first_page_of: RwSignal<Option<usize>>,
}

/// Counts changes to the members' data; names the member when one changed.
#[derive(Clone, Debug, Default, PartialEq)]
struct Change {
    generation: u64,
    member: Option<Arc<str>>,
}

/// Every member in one sort order, with each member's sort key, and what
/// search looks at in the same order (copied out of the members' signals
/// on the first search of this generation: a keystroke then reads plain
/// strings, not 10,000 signals).
#[derive(Clone, Debug)]
pub struct Sorted {
    sort: Sort,
    generation: u64,
    rows: Arc<Vec<MemberRow>>,
    keys: Arc<HashMap<Arc<str>, SortKey>>,
    haystacks: Arc<OnceLock<Vec<Arc<str>>>>,
}

impl Sorted {
    fn haystacks(&self) -> &[Arc<str>] {
        self.haystacks.get_or_init(|| haystacks_of(&self.rows))
    }
}

fn haystacks_of(rows: &[MemberRow]) -> Vec<Arc<str>> {
    rows.iter()
        .map(|row| row.entry.with_untracked(|e| e.haystack().clone()))
        .collect()
}

impl PartialEq for Sorted {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.rows, &other.rows)
    }
}

/// The members matching a query: positions in a sorted list.
#[derive(Clone, Debug)]
pub struct Matching {
    query: String,
    sorted: Arc<Vec<MemberRow>>,
    generation: u64,
    positions: Vec<u32>,
}

impl PartialEq for Matching {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.sorted, &other.sorted) && self.positions == other.positions
    }
}

impl Matching {
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// The matching rows `range` (of `0..len()`).
    pub fn rows(&self, range: std::ops::Range<usize>) -> Vec<MemberRow> {
        self.positions[range]
            .iter()
            .filter_map(|&i| self.sorted.get(i as usize).cloned())
            .collect()
    }
}

impl Default for MemberStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemberStore {
    pub fn new() -> Self {
        MemberStore {
            rows: RwSignal::new(Vec::new()),
            change: RwSignal::new(Change::default()),
            first_page_of: RwSignal::new(None),
        }
    }

    /// A store that follows the current organization's member list, and
    /// holds the first page of a large one while the rest load.
    pub fn of_current_organization() -> Self {
        let current = use_current_organization();
        let store = MemberStore::new();
        let follow = move || match current.members() {
            Some(Ok(list)) => {
                store.replace_all(&list);
                true
            }
            None => {
                if let Some(page) = current.first_page() {
                    store.show_first_page(&page.members, page.total);
                    // Once the first rows are on screen and the browser is
                    // idle: a large list arriving while the first rows were
                    // still being painted competed with them for the
                    // connection and the main thread.
                    crate::dom::after_paint(move || {
                        crate::dom::when_idle(move || current.first_page_painted());
                    });
                }
                false
            }
            Some(Err(_)) => false,
        };
        untrack(follow);
        Effect::new(move |_| {
            if follow() {
                crate::dom::after_paint(move || store.prepare_search());
            }
        });
        store
    }

    /// While the rows are only the first page of a large organization (the
    /// rest are loading): how many members there are in all.
    pub fn first_page_of(&self) -> Option<usize> {
        self.first_page_of.get()
    }

    /// Computes what search looks at for every member not searched yet
    /// (after the table is painted, before anyone types).
    pub fn prepare_search(&self) {
        self.rows.try_with_untracked(|rows| {
            for row in rows {
                row.entry.with_untracked(|e| {
                    e.haystack();
                });
            }
        });
    }

    /// Takes a freshly loaded list: members whose data did not change keep
    /// their signal untouched (their rows do not re-render), changed ones
    /// are updated in place, and the row list itself is replaced only when
    /// members came, went or moved.
    pub fn replace_all(&self, list: &[OrganizationUser]) {
        self.replace_rows(list);
        if self.first_page_of.with_untracked(Option::is_some) {
            self.first_page_of.set(None);
        }
    }

    /// Shows the first members of `total` while the rest load; taking the
    /// whole list later keeps their rows ([`MemberStore::replace_all`]).
    pub fn show_first_page(&self, list: &[OrganizationUser], total: usize) {
        self.replace_rows(list);
        if self.first_page_of.get_untracked() != Some(total) {
            self.first_page_of.set(Some(total));
        }
    }

    fn replace_rows(&self, list: &[OrganizationUser]) {
        // The common case: the same members in the same order (a change
        // saved, a reload with nobody new), where only the changed members'
        // signals are set. 10,000 members are compared in place, with no
        // lookup table and no second row list.
        let in_place = self.rows.with_untracked(|rows| {
            rows.len() == list.len()
                && rows
                    .iter()
                    .zip(list)
                    .all(|(row, user)| *row.key == *user.user_id)
        });
        if in_place {
            let changed: Vec<(MemberRow, OrganizationUser)> = self.rows.with_untracked(|rows| {
                rows.iter()
                    .zip(list)
                    .filter(|(row, user)| row.entry.with_untracked(|e| e.user != **user))
                    .map(|(row, user)| (row.clone(), user.clone()))
                    .collect()
            });
            let keys = changed.iter().map(|(row, _)| row.key.clone()).collect();
            for (row, user) in changed {
                row.entry.set(MemberEntry::new(user));
            }
            self.members_changed(keys);
            return;
        }
        let mut known: HashMap<Arc<str>, ArcRwSignal<MemberEntry>> =
            self.rows.with_untracked(|rows| {
                rows.iter()
                    .map(|row| (row.key.clone(), row.entry.clone()))
                    .collect()
            });
        let mut changed: Vec<Arc<str>> = Vec::new();
        let next: Vec<MemberRow> = list
            .iter()
            .map(|user| match known.remove_entry(user.user_id.as_str()) {
                Some((key, entry)) => {
                    if entry.with_untracked(|e| e.user != *user) {
                        entry.set(MemberEntry::new(user.clone()));
                        changed.push(key.clone());
                    }
                    MemberRow { key, entry }
                }
                None => MemberRow {
                    key: Arc::from(user.user_id.as_str()),
                    entry: ArcRwSignal::new(MemberEntry::new(user.clone())),
                },
            })
            .collect();
        let same_rows = self.rows.with_untracked(|rows| *rows == next);
        if !same_rows {
            self.rows.set(next);
            self.changed(None);
        } else {
            self.members_changed(changed);
        }
    }

    /// Counts a change of the members `keys` in rows that stayed as they
    /// were: as theirs when only one changed.
    fn members_changed(&self, mut keys: Vec<Arc<str>>) {
        if !keys.is_empty() {
            self.changed((keys.len() == 1).then(|| keys.swap_remove(0)));
        }
    }

    /// Counts a change; `member` when only that member changed.
    fn changed(&self, member: Option<Arc<str>>) {
        self.change.try_update(|change| {
            change.generation += 1;
            change.member = member;
        });
    }

    /// One member changed (after saving their access). Nothing happens
    /// when the page is gone by the time the answer comes.
    pub fn update(&self, user: OrganizationUser) {
        let row = self
            .rows
            .try_with_untracked(|rows| rows.iter().find(|row| *row.key == *user.user_id).cloned())
            .flatten();
        if let Some(MemberRow { key, entry }) = row {
            if entry.with_untracked(|e| e.user != user) {
                entry.set(MemberEntry::new(user));
                self.changed(Some(key));
            }
        }
    }

    /// A member left the list; nothing happens when the page is gone.
    pub fn remove(&self, user_id: &str) {
        if self
            .rows
            .try_update(|rows| rows.retain(|row| &*row.key != user_id))
            .is_some()
        {
            self.changed(None);
        }
    }

    /// Many members changed or left at once (a bulk change): one pass over
    /// the rows and one change counted, where a call of
    /// [`MemberStore::update`] or [`MemberStore::remove`] per member went
    /// over all the rows each time. Nothing happens when the page is gone.
    pub fn apply_many(&self, updated: Vec<OrganizationUser>, removed: &[String]) {
        let mut updated: HashMap<String, OrganizationUser> = updated
            .into_iter()
            .map(|user| (user.user_id.clone(), user))
            .collect();
        let mut changed = false;
        self.rows.try_with_untracked(|rows| {
            for row in rows {
                if let Some(user) = updated.remove(&*row.key) {
                    if row.entry.with_untracked(|e| e.user != user) {
                        row.entry.set(MemberEntry::new(user));
                        changed = true;
                    }
                }
            }
        });
        if !removed.is_empty() {
            let removed: std::collections::HashSet<&str> =
                removed.iter().map(String::as_str).collect();
            self.rows.try_maybe_update(|rows| {
                let before = rows.len();
                rows.retain(|row| !removed.contains(&*row.key));
                changed |= rows.len() != before;
                (rows.len() != before, ())
            });
        }
        if changed {
            self.changed(None);
        }
    }

    /// A member's current data.
    #[cfg(test)]
    pub fn get_untracked(&self, user_id: &str) -> Option<OrganizationUser> {
        self.rows.with_untracked(|rows| {
            rows.iter()
                .find(|row| &*row.key == user_id)
                .map(|row| row.entry.with_untracked(|e| e.user.clone()))
        })
    }

    /// How many members there are.
    pub fn len(&self) -> usize {
        self.rows.with(Vec::len)
    }

    /// Whether the backend says when members were last active
    /// (`lastActiveAt`, a Roster extension): some member has it.
    pub fn knows_last_active(&self) -> bool {
        // Follows every change of a member, not only members coming and going.
        self.change.track();
        self.rows.with(|rows| {
            rows.iter()
                .any(|r| r.entry.with_untracked(|e| e.user.last_active_at.is_some()))
        })
    }

    /// Every member's e-mail address (for the invitation dialog's
    /// duplicate check).
    pub fn emails_untracked(&self) -> Vec<String> {
        self.rows.with_untracked(|rows| {
            rows.iter()
                .map(|row| row.entry.with_untracked(|e| e.user.email.clone()))
                .collect()
        })
    }

    /// How many members match `query`, as the table's search reads it
    /// (everyone when it is blank); follows the list and every member's
    /// data.
    pub fn count_matching(&self, query: &str) -> usize {
        self.change.track();
        self.rows.track();
        untrack(|| self.for_each_matching(query, |_| ()))
    }

    /// Calls `f` with every member matching `query` (everyone when it is
    /// blank) in the list's order, the server's (by date joined); returns
    /// how many there were.
    pub fn for_each_matching(&self, query: &str, mut f: impl FnMut(&OrganizationUser)) -> usize {
        let query = query.trim().to_lowercase();
        let words: Vec<&str> = query.split_whitespace().collect();
        self.rows
            .try_with_untracked(|rows| {
                let mut count = 0;
                for row in rows {
                    row.entry.with_untracked(|e| {
                        if words.is_empty() || e.matches_words(&words) {
                            count += 1;
                            f(&e.user);
                        }
                    });
                }
                count
            })
            .unwrap_or(0)
    }

    /// Members other than `user_id` whose name or e-mail matches `query`
    /// and who are not owners, at most `limit` of them (the promotion
    /// shortcut).
    pub fn promotable(&self, user_id: &str, query: &str, limit: usize) -> Vec<OrganizationUser> {
        let query = query.trim().to_lowercase();
        self.change.track();
        self.rows.with(|rows| {
            rows.iter()
                .filter(|row| &*row.key != user_id)
                .filter_map(|row| {
                    row.entry.with_untracked(|e| {
                        (e.user.role == Role::Member && e.matches(&query)).then(|| e.user.clone())
                    })
                })
                .take(limit)
                .collect()
        })
    }

    /// Every member in `sort` order (ties keep the server's order); follows
    /// the list and every member's data. When the one member that changed
    /// since `previous` kept their sort key, `previous`'s order stands.
    pub fn sorted(&self, sort: Sort, previous: Option<&Sorted>) -> Sorted {
        let change = self.change.get();
        let rows_unchanged = |p: &Sorted| {
            let still = p.sort == sort && p.generation + 1 == change.generation;
            still
                && change.member.as_ref().is_some_and(|member| {
                    let now = self.rows.with_untracked(|rows| {
                        rows.iter()
                            .find(|row| row.key == *member)
                            .map(|row| row.entry.with_untracked(|e| sort_key(e, sort.column)))
                    });
                    now.is_some() && now.as_ref() == p.keys.get(member)
                })
        };
        if let Some(previous) = previous.filter(|p| rows_unchanged(p)) {
            self.rows.track();
            return Sorted {
                generation: change.generation,
                // The member that changed may read differently.
                haystacks: Arc::default(),
                ..previous.clone()
            };
        }
        let (rows, keys) = self.rows.with(|rows| sorted(rows, sort));
        Sorted {
            sort,
            generation: change.generation,
            rows: Arc::new(rows),
            keys: Arc::new(keys),
            haystacks: Arc::default(),
        }
    }

    /// The rows of `sorted` that match `query`; follows every member's
    /// data. When `previous` matched a prefix of `query` in the same list,
    /// only its matches can match.
    pub fn filter(&self, sorted: &Sorted, query: &str, previous: Option<&Matching>) -> Matching {
        let query = query.trim().to_lowercase();
        let generation = self.change.with(|c| c.generation);
        let rows = &sorted.rows;
        let words: Vec<&str> = query.split_whitespace().collect();
        // A list sorted before a member changed reads them as they are now.
        let fresh;
        let haystacks = if words.is_empty() {
            &[][..]
        } else if sorted.generation == generation {
            sorted.haystacks()
        } else {
            fresh = haystacks_of(rows);
            &fresh[..]
        };
        let matches = |i: &u32| {
            haystacks
                .get(*i as usize)
                .is_some_and(|haystack| words.iter().all(|word| haystack.contains(word)))
        };
        let positions = match previous {
            _ if query.is_empty() => (0..rows.len() as u32).collect(),
            Some(p)
                if Arc::ptr_eq(&p.sorted, rows)
                    && p.generation == generation
                    && !p.query.is_empty()
                    && query.starts_with(&p.query) =>
            {
                p.positions.iter().copied().filter(matches).collect()
            }
            _ => (0..rows.len() as u32).filter(matches).collect(),
        };
        Matching {
            query,
            sorted: rows.clone(),
            generation,
            positions,
        }
    }

    /// The members matching `query`, in `sort` order.
    #[cfg(all(test, not(target_arch = "wasm32")))]
    pub fn arrange(&self, query: &str, sort: Sort) -> Vec<MemberRow> {
        let matching = self.filter(&self.sorted(sort, None), query, None);
        matching.rows(0..matching.len())
    }
}

/// What a row sorts by in one column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Text(String),
    RoleThenName(Role, String),
    Time(i64, String),
}

fn sort_key(entry: &MemberEntry, column: SortColumn) -> SortKey {
    match column {
        SortColumn::Member => SortKey::Text(entry.sort_name.clone()),
        SortColumn::Role => SortKey::RoleThenName(entry.user.role, entry.sort_name.clone()),
        SortColumn::Joined => SortKey::Time(
            entry.user.created_at.timestamp_millis(),
            entry.sort_name.clone(),
        ),
        // Never active reads as longest ago.
        SortColumn::LastActive => SortKey::Time(
            entry
                .user
                .last_active_at
                .map_or(i64::MIN, |at| at.timestamp_millis()),
            entry.sort_name.clone(),
        ),
    }
}

/// Sorts, and returns each row's key; ties keep the server's order.
fn sorted(rows: &[MemberRow], sort: Sort) -> (Vec<MemberRow>, HashMap<Arc<str>, SortKey>) {
    let mut keyed: Vec<(SortKey, &MemberRow)> = rows
        .iter()
        .map(|row| (row.entry.with_untracked(|e| sort_key(e, sort.column)), row))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| if sort.ascending { a.cmp(b) } else { b.cmp(a) });
    let order = keyed.iter().map(|(_, row)| (*row).clone()).collect();
    let keys = keyed
        .into_iter()
        .map(|(key, row)| (row.key.clone(), key))
        .collect();
    (order, keys)
}

/// The rows per page the members table offers (25 by default).
pub const PAGE_SIZES: [usize; 4] = [10, 25, 50, 100];

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use roster_core::{global_assignment, AUDITOR_ID};

    fn member(id: &str, name: &str, role: Role, joined_day: u32) -> OrganizationUser {
        let at = format!("2025-03-{joined_day:02}T00:00:00Z")
            .parse()
            .expect("timestamp");
        OrganizationUser {
            user_id: id.into(),
            organization_id: "org".into(),
            name: name.into(),
            email: format!("{id}@example.com"),
            role,
            assigned_roles: Vec::new(),
            created_at: at,
            updated_at: at,
            last_active_at: None,
        }
    }

    fn keys(rows: &[MemberRow]) -> Vec<String> {
        rows.iter().map(|r| r.key.to_string()).collect()
    }

    #[test]
    fn search_covers_name_email_role_and_assignments() {
        let owner = Owner::new();
        owner.with(|| {
            let mut auditor = member("cy", "Cy Young", Role::Member, 3);
            auditor.assigned_roles = vec![global_assignment(AUDITOR_ID)
                .expect("auditor")
                .to_wire(auditor.created_at)];
            let store = MemberStore::new();
            store.replace_all(&[
                member("ada", "Ada Lovelace", Role::Owner, 2),
                member("bob", "", Role::Member, 1),
                auditor,
            ]);
            let sort = Sort::default();
            assert_eq!(keys(&store.arrange("", sort)), ["ada", "bob", "cy"]);
            assert_eq!(keys(&store.arrange("LOVE", sort)), ["ada"]);
            assert_eq!(keys(&store.arrange("bob@example", sort)), ["bob"]);
            assert_eq!(keys(&store.arrange("owner", sort)), ["ada"]);
            assert_eq!(keys(&store.arrange("auditor", sort)), ["cy"]);
            assert_eq!(keys(&store.arrange("cy auditor", sort)), ["cy"]);
            assert!(store.arrange("nobody", sort).is_empty());
        });
    }

    #[test]
    fn a_longer_query_filters_the_previous_matches_until_a_member_changes() {
        let owner = Owner::new();
        owner.with(|| {
            let store = MemberStore::new();
            store.replace_all(&[
                member("ada", "Ada Lovelace", Role::Owner, 2),
                member("adam", "Adam Smith", Role::Member, 3),
                member("bob", "Bob", Role::Member, 1),
            ]);
            let sorted = store.sorted(Sort::default(), None);
            let shown = |m: &Matching| keys(&m.rows(0..m.len()));
            let first = store.filter(&sorted, "ad", None);
            assert_eq!(shown(&first), ["ada", "adam"]);
            let longer = store.filter(&sorted, "adam", Some(&first));
            assert_eq!(shown(&longer), ["adam"]);
            assert_eq!(store.filter(&sorted, "adam", None), longer);

            // Bob now matches too: the previous matches are not enough.
            store.update(member("bob", "Adamant Bob", Role::Member, 1));
            let after = store.filter(&sorted, "adamant", Some(&longer));
            assert_eq!(shown(&after), ["bob"]);
            assert_eq!(store.filter(&sorted, "", Some(&after)).len(), 3);
        });
    }

    #[test]
    fn the_order_stands_while_the_changed_member_keeps_their_place() {
        let owner = Owner::new();
        owner.with(|| {
            let store = MemberStore::new();
            store.replace_all(&[
                member("a", "Ada", Role::Member, 1),
                member("b", "Bea", Role::Member, 2),
                member("c", "Cid", Role::Member, 3),
            ]);
            let by_name = Sort::default();
            let first = store.sorted(by_name, None);
            // A new role does not move anyone when sorting by name…
            store.update(member("b", "Bea", Role::Owner, 2));
            let same = store.sorted(by_name, Some(&first));
            assert!(Arc::ptr_eq(&same.rows, &first.rows));
            // …a new name does.
            store.update(member("b", "Zoe", Role::Owner, 2));
            let moved = store.sorted(by_name, Some(&same));
            assert_eq!(keys(&moved.rows), ["a", "c", "b"]);
            // Two changes at once, or a change of the list, sort again.
            store.update(member("a", "Ann", Role::Member, 1));
            store.update(member("c", "Cy", Role::Member, 3));
            assert!(!Arc::ptr_eq(
                &store.sorted(by_name, Some(&moved)).rows,
                &moved.rows
            ));
            let by_role = Sort::default().toggled(SortColumn::Role);
            let roles = store.sorted(by_role, None);
            store.update(member("a", "Ann", Role::Owner, 1));
            assert_eq!(
                keys(&store.sorted(by_role, Some(&roles)).rows),
                ["a", "b", "c"]
            );
        });
    }

    #[test]
    fn sorting_by_each_column_both_ways() {
        let owner = Owner::new();
        owner.with(|| {
            let store = MemberStore::new();
            store.replace_all(&[
                member("b", "Bea", Role::Member, 1),
                member("a", "al", Role::Member, 3),
                member("c", "Cid", Role::Owner, 2),
            ]);
            let by = |column, ascending| keys(&store.arrange("", Sort { column, ascending }));
            assert_eq!(by(SortColumn::Member, true), ["a", "b", "c"]);
            assert_eq!(by(SortColumn::Member, false), ["c", "b", "a"]);
            assert_eq!(by(SortColumn::Role, true), ["c", "a", "b"]);
            assert_eq!(by(SortColumn::Joined, true), ["b", "c", "a"]);
            assert_eq!(by(SortColumn::Joined, false), ["a", "c", "b"]);
            // Last active: never active reads as longest ago.
            let mut active = member("a", "al", Role::Member, 3);
            active.last_active_at = Some("2025-04-02T00:00:00Z".parse().unwrap());
            store.update(active);
            let mut earlier = member("c", "Cid", Role::Owner, 2);
            earlier.last_active_at = Some("2025-04-01T00:00:00Z".parse().unwrap());
            store.update(earlier);
            assert_eq!(by(SortColumn::LastActive, true), ["b", "c", "a"]);
            assert_eq!(by(SortColumn::LastActive, false), ["a", "c", "b"]);
            assert!(store.knows_last_active());
            let sort = Sort::default().toggled(SortColumn::Member);
            assert!(!sort.ascending);
            assert_eq!(sort.aria_sort(SortColumn::Member), "descending");
            assert_eq!(sort.aria_sort(SortColumn::Role), "none");
            assert_eq!(
                sort.toggled(SortColumn::Role).aria_sort(SortColumn::Role),
                "ascending"
            );
        });
    }

    #[test]
    fn reloading_keeps_the_signals_of_unchanged_members() {
        let owner = Owner::new();
        owner.with(|| {
            let store = MemberStore::new();
            let ada = member("ada", "Ada", Role::Owner, 1);
            let bob = member("bob", "Bob", Role::Member, 2);
            store.replace_all(&[ada.clone(), bob.clone()]);
            let before = store.rows.get_untracked();

            let mut promoted = bob.clone();
            promoted.role = Role::Owner;
            store.replace_all(&[ada.clone(), promoted.clone()]);
            let after = store.rows.get_untracked();
            assert_eq!(before, after, "same rows, same signals");
            assert_eq!(after[1].entry.get_untracked().user.role, Role::Owner);

            store.remove("ada");
            assert_eq!(keys(&store.rows.get_untracked()), ["bob"]);
            assert_eq!(store.get_untracked("bob"), Some(promoted));
            assert_eq!(
                store.promotable("ada", "", 5),
                Vec::<OrganizationUser>::new()
            );
        });
    }

    #[test]
    fn a_bulk_change_updates_and_removes_in_one_change() {
        let owner = Owner::new();
        owner.with(|| {
            let store = MemberStore::new();
            let list: Vec<_> = ["ada", "bob", "cy", "di"]
                .iter()
                .enumerate()
                .map(|(i, id)| member(id, id, Role::Member, i as u32 + 1))
                .collect();
            store.replace_all(&list);
            let signals = store.rows.get_untracked();
            let generation = store.change.get_untracked().generation;

            let promote = |m: &OrganizationUser| OrganizationUser {
                role: Role::Owner,
                ..m.clone()
            };
            // Cy is unknown to the store by then (left meanwhile): ignored.
            let gone = member("zed", "Zed", Role::Member, 9);
            store.apply_many(
                vec![promote(&list[0]), promote(&list[2]), promote(&gone)],
                &["bob".to_owned(), "nobody".to_owned()],
            );
            assert_eq!(keys(&store.rows.get_untracked()), ["ada", "cy", "di"]);
            assert_eq!(
                store.get_untracked("ada").map(|m| m.role),
                Some(Role::Owner)
            );
            assert_eq!(store.get_untracked("cy").map(|m| m.role), Some(Role::Owner));
            assert_eq!(store.get_untracked("di"), Some(list[3].clone()));
            let change = store.change.get_untracked();
            assert_eq!(change.generation, generation + 1, "one change for all");
            assert_eq!(change.member, None);
            assert_eq!(
                store.rows.get_untracked()[0],
                signals[0],
                "rows keep their signals"
            );

            // Nothing new: nothing counted.
            store.apply_many(vec![promote(&list[0])], &["bob".to_owned()]);
            assert_eq!(store.change.get_untracked().generation, generation + 1);
        });
    }

    #[test]
    fn a_list_in_the_same_order_changes_only_what_changed() {
        let owner = Owner::new();
        owner.with(|| {
            let store = MemberStore::new();
            let ada = member("ada", "Ada", Role::Owner, 1);
            let bob = member("bob", "Bob", Role::Member, 2);
            let cy = member("cy", "Cy", Role::Member, 3);
            store.replace_all(&[ada.clone(), bob.clone(), cy.clone()]);
            let rows = store.rows.get_untracked();
            let generation = store.change.get_untracked().generation;

            // The same list again: nothing is counted as changed.
            store.replace_all(&[ada.clone(), bob.clone(), cy.clone()]);
            assert_eq!(store.change.get_untracked().generation, generation);

            // One member changed: their signal, counted as theirs alone.
            let mut promoted = bob.clone();
            promoted.role = Role::Owner;
            store.replace_all(&[ada.clone(), promoted.clone(), cy.clone()]);
            let change = store.change.get_untracked();
            assert_eq!(change.generation, generation + 1);
            assert_eq!(change.member.as_deref(), Some("bob"));
            assert_eq!(store.rows.get_untracked(), rows, "same rows, same signals");
            assert_eq!(store.get_untracked("bob"), Some(promoted.clone()));
            assert_eq!(store.get_untracked("ada"), Some(ada.clone()));

            // Two changed: counted as a change of the list.
            let mut renamed = ada.clone();
            renamed.name = "Ada L.".into();
            let mut demoted = promoted.clone();
            demoted.role = Role::Member;
            store.replace_all(&[renamed.clone(), demoted.clone(), cy.clone()]);
            let change = store.change.get_untracked();
            assert_eq!(change.generation, generation + 2);
            assert_eq!(change.member, None);
            assert_eq!(store.get_untracked("ada"), Some(renamed.clone()));

            // Members that moved: a new row list, in the list's order.
            store.replace_all(&[cy.clone(), renamed.clone(), demoted.clone()]);
            assert_eq!(keys(&store.rows.get_untracked()), ["cy", "ada", "bob"]);
            assert_eq!(store.change.get_untracked().generation, generation + 3);
        });
    }
}
