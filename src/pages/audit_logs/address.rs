//! The Audit Logs page's address: every filter, the page and the page size
//! live in the query string, so a filtered view can be shared as a link
//! and survives a reload.
//!
//! - Filters are written as the API reads them (Daytona's syntax, bracket
//!   style): `action[in]=update_access&targetType[eq]=organization_user&
//!   statusCode[gte]=400&statusCode[lt]=500&createdAt[gte]=…`, and sent to
//!   the server as they are, so any filter a link carries applies, even one
//!   the pickers cannot show.
//! - A quick range ("Last 24 hours") is `range=24h` (`1h`, `24h`, `7d`,
//!   `30d`): a timestamp would freeze it at the moment the link was made.
//!   It replaces any `createdAt` filter.
//! - `page` (from 1) and `limit` (a page size the page offers) are left out
//!   at their defaults. Auto-refresh is no part of the view: it stays out.
//! - Reading is lenient: a parameter that does not read (an unknown
//!   operator, a bad date, a page of "abc") is ignored and the rest applies.

use chrono::{DateTime, TimeDelta, Utc};
use roster_core::audit_filter::{
    AuditFilters, DateFilter, IntFilter, Outcome, StringFilter, TextColumn,
};

/// The page sizes offered, and the default one.
pub const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// "Last hour" … "Last 30 days": a range ending now, recomputed at every
/// refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuickRange {
    Hour,
    Day,
    Week,
    Month,
}

impl QuickRange {
    pub const ALL: [QuickRange; 4] = [
        QuickRange::Hour,
        QuickRange::Day,
        QuickRange::Week,
        QuickRange::Month,
    ];

    pub fn label(self) -> &'static str {
        match self {
            QuickRange::Hour => "Last hour",
            QuickRange::Day => "Last 24 hours",
            QuickRange::Week => "Last 7 days",
            QuickRange::Month => "Last 30 days",
        }
    }

    pub fn length(self) -> TimeDelta {
        match self {
            QuickRange::Hour => TimeDelta::hours(1),
            QuickRange::Day => TimeDelta::days(1),
            QuickRange::Week => TimeDelta::days(7),
            QuickRange::Month => TimeDelta::days(30),
        }
    }

    /// The value of `range=`.
    pub fn param(self) -> &'static str {
        match self {
            QuickRange::Hour => "1h",
            QuickRange::Day => "24h",
            QuickRange::Week => "7d",
            QuickRange::Month => "30d",
        }
    }

    pub fn parse(text: &str) -> Option<QuickRange> {
        QuickRange::ALL.into_iter().find(|q| q.param() == text)
    }
}

/// What a picker of one value shows for a filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice<T> {
    /// The filter is off.
    All,
    One(T),
    /// A filter the picker cannot show (several values, `not`, …), from a
    /// link: it applies, and the picker says so.
    Other,
}

/// One view of the log: what the address says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditAddress {
    /// As the address gives them; with a quick range, without `createdAt`.
    pub filters: AuditFilters,
    pub range: Option<QuickRange>,
    /// 1-based.
    pub page: u32,
    pub limit: u32,
}

impl Default for AuditAddress {
    fn default() -> Self {
        AuditAddress {
            filters: AuditFilters::default(),
            range: None,
            page: 1,
            limit: DEFAULT_PAGE_SIZE,
        }
    }
}

impl AuditAddress {
    /// Reads a query string (`a=1&b=2`, with or without its `?`); what
    /// does not read is ignored.
    pub fn from_search(search: &str) -> AuditAddress {
        let pairs = query_pairs(search);
        let mut address = AuditAddress::default();
        let mut filter_pairs: Vec<(&str, &str)> = Vec::new();
        for (key, value) in &pairs {
            match key.as_str() {
                "page" => {
                    if let Some(page) = value.trim().parse().ok().filter(|p| *p >= 1) {
                        address.page = page;
                    }
                }
                "limit" => {
                    if let Some(limit) =
                        value.trim().parse().ok().filter(|l| PAGE_SIZES.contains(l))
                    {
                        address.limit = limit;
                    }
                }
                "range" => address.range = QuickRange::parse(value.trim()),
                _ => {
                    // Kept only if the filters still read with it: a bad
                    // value, or one clashing with an earlier, is dropped.
                    filter_pairs.push((key.as_str(), value.as_str()));
                    if AuditFilters::from_query(filter_pairs.iter().copied()).is_err() {
                        filter_pairs.pop();
                    }
                }
            }
        }
        address.filters = AuditFilters::from_query(filter_pairs).unwrap_or_default();
        if address.range.is_some() {
            address.filters.created_at = DateFilter::default();
        }
        address
    }

    /// The query string (without `?`) that reads back to this address.
    pub fn to_search(&self) -> String {
        let mut pairs = self.filters.to_query();
        if let Some(range) = self.range {
            pairs.retain(|(key, _)| !key.starts_with("createdAt"));
            pairs.push(("range".to_owned(), range.param().to_owned()));
        }
        if self.page != 1 {
            pairs.push(("page".to_owned(), self.page.to_string()));
        }
        if self.limit != DEFAULT_PAGE_SIZE {
            pairs.push(("limit".to_owned(), self.limit.to_string()));
        }
        pairs
            .iter()
            .map(|(key, value)| format!("{}={}", escape(key), escape(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The filters to ask the server for at `now`: a quick range ends now.
    pub fn request_filters(&self, now: DateTime<Utc>) -> AuditFilters {
        let mut filters = self.filters.clone();
        if let Some(range) = self.range {
            filters.created_at = DateFilter {
                gte: Some(now - range.length()),
                ..DateFilter::default()
            };
        }
        filters
    }

    /// Whether anything narrows the log.
    pub fn filtered(&self) -> bool {
        self.range.is_some() || !self.filters.is_empty()
    }

    pub fn action(&self) -> Choice<String> {
        single(self.filters.text(TextColumn::Action))
    }

    pub fn target_type(&self) -> Choice<String> {
        single(self.filters.text(TextColumn::TargetType))
    }

    pub fn actor_id(&self) -> Choice<String> {
        single(self.filters.text(TextColumn::ActorId))
    }

    pub fn outcome(&self) -> Choice<Outcome> {
        let status = &self.filters.status_code;
        if *status == IntFilter::default() {
            Choice::All
        } else {
            Outcome::of(status).map_or(Choice::Other, Choice::One)
        }
    }

    /// The start and end of the range shown in From/To, at `now`.
    pub fn bounds(&self, now: DateTime<Utc>) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        match self.range {
            Some(range) => (Some(now - range.length()), None),
            None => {
                let created = &self.filters.created_at;
                (created.gte.or(created.gt), created.lte.or(created.lt))
            }
        }
    }

    // Every change of the view starts again at its first page.

    pub fn with_action(&self, action: Option<String>) -> AuditAddress {
        self.with_text(
            TextColumn::Action,
            action.map(|a| StringFilter {
                any_of: Some(vec![a]),
                ..StringFilter::default()
            }),
        )
    }

    pub fn with_target_type(&self, target_type: Option<String>) -> AuditAddress {
        self.with_text(TextColumn::TargetType, target_type.map(equal_to))
    }

    pub fn with_actor_id(&self, actor_id: Option<String>) -> AuditAddress {
        self.with_text(TextColumn::ActorId, actor_id.map(equal_to))
    }

    pub fn with_outcome(&self, outcome: Option<Outcome>) -> AuditAddress {
        let mut next = self.first_page();
        next.filters.status_code = outcome.map(Outcome::filter).unwrap_or_default();
        next
    }

    pub fn with_range(&self, range: QuickRange) -> AuditAddress {
        let mut next = self.first_page();
        next.range = Some(range);
        next.filters.created_at = DateFilter::default();
        next
    }

    /// From and To as typed; a quick range becomes the instants it stood
    /// for at `now`, so that changing one end keeps the other.
    pub fn with_bounds(
        &self,
        now: DateTime<Utc>,
        from: Option<Option<DateTime<Utc>>>,
        to: Option<Option<DateTime<Utc>>>,
    ) -> AuditAddress {
        let (start, end) = self.bounds(now);
        let mut next = self.first_page();
        next.range = None;
        next.filters.created_at = DateFilter {
            gte: from.unwrap_or(start),
            lte: to.unwrap_or(end),
            ..DateFilter::default()
        };
        next
    }

    pub fn with_page(&self, page: u32) -> AuditAddress {
        AuditAddress {
            page: page.max(1),
            ..self.clone()
        }
    }

    pub fn with_limit(&self, limit: u32) -> AuditAddress {
        AuditAddress {
            limit,
            ..self.first_page()
        }
    }

    /// Every filter off; the page size stays.
    pub fn cleared(&self) -> AuditAddress {
        AuditAddress {
            limit: self.limit,
            ..AuditAddress::default()
        }
    }

    fn first_page(&self) -> AuditAddress {
        self.with_page(1)
    }

    fn with_text(&self, column: TextColumn, filter: Option<StringFilter>) -> AuditAddress {
        let mut next = self.first_page();
        *next.filters.text_mut(column) = filter.unwrap_or_default();
        next
    }
}

fn equal_to(value: String) -> StringFilter {
    StringFilter {
        eq: Some(value),
        ..StringFilter::default()
    }
}

/// A text filter as one value: `eq`, or an `in` of one.
fn single(filter: &StringFilter) -> Choice<String> {
    match filter {
        StringFilter {
            eq: None,
            not: None,
            any_of: None,
            none_of: None,
        } => Choice::All,
        StringFilter {
            eq: Some(value),
            not: None,
            any_of: None,
            none_of: None,
        } => Choice::One(value.clone()),
        StringFilter {
            eq: None,
            not: None,
            any_of: Some(values),
            none_of: None,
        } if values.len() == 1 => Choice::One(values[0].clone()),
        _ => Choice::Other,
    }
}

/// The pairs of a query string, decoded as a browser's form decoding does
/// (`+` is a space).
pub fn query_pairs(search: &str) -> Vec<(String, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            let decode = |text: &str| crate::routes::decode(&text.replace('+', " "));
            (decode(key), decode(value))
        })
        .collect()
}

/// Escapes a query string's key or value, keeping what reads well in an
/// address bar and means nothing to a query string (`[`, `]`, `:`, `@`,
/// `,`).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'['
            | b']'
            | b':'
            | b'@'
            | b',' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("a timestamp")
    }

    #[test]
    fn a_shared_link_reads_into_the_pickers() {
        let address = AuditAddress::from_search(
            "?action[in]=update_access&statusCode[gte]=400&statusCode[lt]=500\
             &targetType[eq]=organization_user&page=2",
        );
        assert_eq!(address.action(), Choice::One("update_access".to_owned()));
        assert_eq!(
            address.target_type(),
            Choice::One("organization_user".to_owned())
        );
        assert_eq!(address.outcome(), Choice::One(Outcome::ClientError));
        assert_eq!(address.actor_id(), Choice::All);
        assert_eq!(address.page, 2);
        assert_eq!(address.limit, DEFAULT_PAGE_SIZE);
        assert!(address.filtered());
        // And back: the same view, in the order the filters are written.
        assert_eq!(
            address.to_search(),
            "action[in]=update_access&targetType[eq]=organization_user\
             &statusCode[gte]=400&statusCode[lt]=500&page=2"
        );
        assert_eq!(AuditAddress::from_search(&address.to_search()), address);
    }

    #[test]
    fn every_change_round_trips_through_the_address() {
        let now = at("2026-03-08T12:00:00Z");
        let start = AuditAddress::default().with_page(3);
        let changed = [
            start.with_action(Some("leave".into())),
            start.with_target_type(Some("organization_role".into())),
            start.with_actor_id(Some("u 1+2@x".into())),
            start.with_outcome(Some(Outcome::ServerError)),
            start.with_range(QuickRange::Week),
            start.with_bounds(now, Some(Some(at("2026-03-01T09:30:00Z"))), None),
            start.with_limit(200),
        ];
        for address in changed {
            assert_eq!(address.page, 1, "{address:?}");
            let back = AuditAddress::from_search(&address.to_search());
            assert_eq!(back, address, "{}", address.to_search());
        }
        assert_eq!(AuditAddress::default().to_search(), "");
        assert_eq!(start.with_page(3).to_search(), "page=3");
    }

    #[test]
    fn a_quick_range_is_kept_as_such_and_ends_now() {
        let now = at("2026-03-08T12:00:00Z");
        let address = AuditAddress::from_search("range=7d&createdAt[gte]=2026-01-01");
        assert_eq!(address.range, Some(QuickRange::Week));
        assert_eq!(address.filters.created_at, DateFilter::default());
        assert_eq!(address.to_search(), "range=7d");
        assert_eq!(
            address.request_filters(now).created_at.gte,
            Some(at("2026-03-01T12:00:00Z"))
        );
        assert_eq!(
            address.bounds(now),
            (Some(at("2026-03-01T12:00:00Z")), None)
        );
        // Typing an end keeps the start the range had.
        let typed = address.with_bounds(now, None, Some(Some(at("2026-03-05T00:00:00Z"))));
        assert_eq!(typed.range, None);
        assert_eq!(
            typed.to_search(),
            "createdAt[gte]=2026-03-01T12:00:00.000Z&createdAt[lte]=2026-03-05T00:00:00.000Z"
        );
        assert_eq!(
            typed.with_bounds(now, Some(None), None).bounds(now),
            (None, Some(at("2026-03-05T00:00:00Z")))
        );
    }

    #[test]
    fn what_does_not_read_is_ignored_and_the_rest_applies() {
        let address = AuditAddress::from_search(
            "action[like]=x&statusCode[gte]=abc&createdAt[gte]=yesterday\
             &targetType[eq]=organization&page=0&limit=7&range=forever\
             &action[eq]=a&action[eq]=b&utm_source=mail&%zz=1&statusCode[lt]=500",
        );
        let mut expected = AuditFilters::default();
        expected.text_mut(TextColumn::TargetType).eq = Some("organization".into());
        expected.text_mut(TextColumn::Action).eq = Some("a".into());
        expected.status_code.lt = Some(500);
        assert_eq!(
            address,
            AuditAddress {
                filters: expected,
                ..AuditAddress::default()
            }
        );
        assert_eq!(address.outcome(), Choice::Other);
        assert_eq!(address.action(), Choice::One("a".to_owned()));
        // Deprecated aliases read as the filters they stand for.
        let old = AuditAddress::from_search("from=2026-03-01&actorId=u1");
        assert_eq!(old.filters.created_at.gte, Some(at("2026-03-01T00:00:00Z")));
        assert_eq!(old.actor_id(), Choice::One("u1".to_owned()));
    }

    #[test]
    fn filters_a_picker_cannot_show_are_kept() {
        let address = AuditAddress::from_search(
            "action[in]=create,delete&actorId[not]=u1&statusCode[eq]=404",
        );
        assert_eq!(address.action(), Choice::Other);
        assert_eq!(address.actor_id(), Choice::Other);
        assert_eq!(address.outcome(), Choice::Other);
        assert_eq!(AuditAddress::from_search(&address.to_search()), address);
        // Choosing in a picker replaces its filter whole.
        let chosen = address.with_action(Some("leave".into()));
        assert_eq!(chosen.action(), Choice::One("leave".to_owned()));
        assert_eq!(chosen.with_action(None).action(), Choice::All);
        let cleared = address.with_limit(25).cleared();
        assert!(!cleared.filtered());
        assert_eq!(cleared.limit, 25);
    }

    #[test]
    fn values_are_escaped_and_read_back() {
        assert_eq!(
            query_pairs("?a=x+y&b=%2B1&c&=d"),
            [
                ("a".to_owned(), "x y".to_owned()),
                ("b".to_owned(), "+1".to_owned()),
                ("c".to_owned(), String::new()),
                (String::new(), "d".to_owned()),
            ]
        );
        assert_eq!(escape("a+b c&d=e#f%"), "a%2Bb%20c%26d%3De%23f%25");
        assert_eq!(escape("x@y.com:[in],"), "x@y.com:[in],");
    }
}
