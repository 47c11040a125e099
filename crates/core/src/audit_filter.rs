//! The audit log's filters in Daytona's syntax (v0.205): `StringFilter`s on
//! eight columns, an `IntFilter` on `statusCode` and a `DateFilter` on
//! `createdAt`, with `from`/`to` as deprecated aliases of
//! `createdAt[gte]`/`createdAt[lte]`.
//!
//! Daytona's document gives no query style, and its clients differ, so the
//! server reads all of these (the SPA writes the second, repeated):
//! - a JSON object in the parameter, as Daytona's Python client sends it:
//!   `action={"in":["create","delete"]}`;
//! - brackets, NestJS style: `action[in]=create,delete`,
//!   `action[in]=create&action[in]=delete`, `action[in][]=create`;
//! - a bare value, meaning `eq` (Roster's earlier `action=`/`actorId=`).
//!
//! Anything else is refused with a message naming the parameter.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeDelta, Utc};
use serde_json::Value;

/// The most values one `in`/`notIn` list may hold (Daytona's limit).
pub const MAX_LIST_VALUES: usize = 100;

/// `eq`, `not`, `in`, `notIn` on a text column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct StringFilter {
    pub eq: Option<String>,
    pub not: Option<String>,
    /// `in`: the value is one of these.
    pub any_of: Option<Vec<String>>,
    /// `notIn`: the value is none of these.
    pub none_of: Option<Vec<String>>,
}

impl StringFilter {
    /// The filter as Daytona's JSON object, e.g. `{"in":["a","b"]}`.
    pub fn to_json(&self) -> Value {
        let mut object = serde_json::Map::new();
        if let Some(value) = &self.eq {
            object.insert("eq".into(), Value::from(value.as_str()));
        }
        if let Some(value) = &self.not {
            object.insert("not".into(), Value::from(value.as_str()));
        }
        if let Some(values) = &self.any_of {
            object.insert("in".into(), Value::from(values.clone()));
        }
        if let Some(values) = &self.none_of {
            object.insert("notIn".into(), Value::from(values.clone()));
        }
        Value::Object(object)
    }
}

/// `eq`, `not`, `in`, `notIn` and the four comparisons on a number column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IntFilter {
    pub eq: Option<i64>,
    pub not: Option<i64>,
    pub any_of: Option<Vec<i64>>,
    pub none_of: Option<Vec<i64>>,
    pub gte: Option<i64>,
    pub lte: Option<i64>,
    pub gt: Option<i64>,
    pub lt: Option<i64>,
}

/// The four comparisons on a timestamp column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DateFilter {
    pub gte: Option<DateTime<Utc>>,
    pub lte: Option<DateTime<Utc>>,
    pub gt: Option<DateTime<Utc>>,
    pub lt: Option<DateTime<Utc>>,
}

/// A text column of the log that can be filtered, by its parameter name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextColumn {
    Id,
    ActorId,
    ActorEmail,
    ActorApiKeyPrefix,
    ActorApiKeySuffix,
    Action,
    TargetType,
    TargetId,
}

impl TextColumn {
    pub const ALL: [TextColumn; 8] = [
        TextColumn::Id,
        TextColumn::ActorId,
        TextColumn::ActorEmail,
        TextColumn::ActorApiKeyPrefix,
        TextColumn::ActorApiKeySuffix,
        TextColumn::Action,
        TextColumn::TargetType,
        TextColumn::TargetId,
    ];

    /// The query parameter, e.g. `actorEmail`.
    pub const fn parameter(self) -> &'static str {
        match self {
            TextColumn::Id => "id",
            TextColumn::ActorId => "actorId",
            TextColumn::ActorEmail => "actorEmail",
            TextColumn::ActorApiKeyPrefix => "actorApiKeyPrefix",
            TextColumn::ActorApiKeySuffix => "actorApiKeySuffix",
            TextColumn::Action => "action",
            TextColumn::TargetType => "targetType",
            TextColumn::TargetId => "targetId",
        }
    }
}

/// Every filter of one request to the log; the default filters nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AuditFilters {
    text: [StringFilter; 8],
    pub status_code: IntFilter,
    pub created_at: DateFilter,
}

impl AuditFilters {
    pub fn text(&self, column: TextColumn) -> &StringFilter {
        &self.text[column as usize]
    }

    pub fn text_mut(&mut self, column: TextColumn) -> &mut StringFilter {
        &mut self.text[column as usize]
    }

    /// Every text column with its filter.
    pub fn texts(&self) -> impl Iterator<Item = (TextColumn, &StringFilter)> {
        TextColumn::ALL.into_iter().zip(self.text.iter())
    }

    pub fn is_empty(&self) -> bool {
        *self == AuditFilters::default()
    }

    /// Reads the filters out of a query string's pairs (already
    /// percent-decoded). Parameters that are not filters (`page`, `limit`,
    /// `nextToken`, `format`, …) are left to the caller. On failure, every
    /// problem found, each naming its parameter.
    pub fn from_query<'a, I>(pairs: I) -> Result<AuditFilters, Vec<String>>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut reader = Reader::default();
        for (key, value) in pairs {
            reader.read(key, value);
        }
        if reader.errors.is_empty() {
            Ok(reader.filters)
        } else {
            Err(reader.errors)
        }
    }

    /// The query string's pairs that [`AuditFilters::from_query`] reads
    /// back to these filters, in the bracket style (lists repeated), which
    /// Daytona's server also reads.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for (column, filter) in self.texts() {
            let name = column.parameter();
            let lists = filter.any_of.iter().chain(filter.none_of.iter()).flatten();
            if lists.into_iter().any(|value| value.contains(',')) {
                // `in=a,b` would split such a value: send the filter whole.
                pairs.push((name.to_owned(), filter.to_json().to_string()));
                continue;
            }
            let mut one = |op: &str, value: &str| {
                pairs.push((format!("{name}[{op}]"), value.to_owned()));
            };
            if let Some(value) = &filter.eq {
                one("eq", value);
            }
            if let Some(value) = &filter.not {
                one("not", value);
            }
            for value in filter.any_of.iter().flatten() {
                one("in", value);
            }
            for value in filter.none_of.iter().flatten() {
                one("notIn", value);
            }
        }
        let status = &self.status_code;
        let mut number = |op: &str, value: i64| {
            pairs.push((format!("statusCode[{op}]"), value.to_string()));
        };
        for (op, value) in [
            ("eq", status.eq),
            ("not", status.not),
            ("gte", status.gte),
            ("lte", status.lte),
            ("gt", status.gt),
            ("lt", status.lt),
        ] {
            if let Some(value) = value {
                number(op, value);
            }
        }
        for value in status.any_of.iter().flatten() {
            number("in", *value);
        }
        for value in status.none_of.iter().flatten() {
            number("notIn", *value);
        }
        let created = &self.created_at;
        for (op, value) in [
            ("gte", created.gte),
            ("lte", created.lte),
            ("gt", created.gt),
            ("lt", created.lt),
        ] {
            if let Some(at) = value {
                pairs.push((
                    format!("createdAt[{op}]"),
                    at.to_rfc3339_opts(SecondsFormat::Millis, true),
                ));
            }
        }
        pairs
    }
}

/// What the Audit Logs page offers as "Outcome": a range of status codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Below 400.
    Success,
    /// 400–499: refused (permission, validation, conflict).
    ClientError,
    /// 500 and above.
    ServerError,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Success, Outcome::ClientError, Outcome::ServerError];

    pub const fn label(self) -> &'static str {
        match self {
            Outcome::Success => "Success",
            Outcome::ClientError => "Client error",
            Outcome::ServerError => "Server error",
        }
    }

    /// A stable identifier for pickers, e.g. `"client_error"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::ClientError => "client_error",
            Outcome::ServerError => "server_error",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    pub fn filter(self) -> IntFilter {
        let (gte, lt) = match self {
            Outcome::Success => (None, Some(400)),
            Outcome::ClientError => (Some(400), Some(500)),
            Outcome::ServerError => (Some(500), None),
        };
        IntFilter {
            gte,
            lt,
            ..IntFilter::default()
        }
    }

    /// The outcome a status filter stands for, if it is exactly one.
    pub fn of(filter: &IntFilter) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.filter() == *filter)
    }

    /// Whether an entry with this status has this outcome.
    pub fn matches(self, status_code: u16) -> bool {
        match self {
            Outcome::Success => status_code < 400,
            Outcome::ClientError => (400..500).contains(&status_code),
            Outcome::ServerError => status_code >= 500,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

// ---------------------------------------------------------------------------
// Reading a query string

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Text(TextColumn),
    Status,
    Created,
    /// `from`/`to`, the deprecated aliases.
    Alias(Bound),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Start,
    End,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Not,
    In,
    NotIn,
    Gte,
    Lte,
    Gt,
    Lt,
}

impl Op {
    fn parse(text: &str) -> Option<Op> {
        Some(match text {
            "eq" => Op::Eq,
            "not" => Op::Not,
            "in" => Op::In,
            "notIn" => Op::NotIn,
            "gte" => Op::Gte,
            "lte" => Op::Lte,
            "gt" => Op::Gt,
            "lt" => Op::Lt,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Not => "not",
            Op::In => "in",
            Op::NotIn => "notIn",
            Op::Gte => "gte",
            Op::Lte => "lte",
            Op::Gt => "gt",
            Op::Lt => "lt",
        }
    }

    fn is_list(self) -> bool {
        matches!(self, Op::In | Op::NotIn)
    }
}

const TEXT_OPS: &[Op] = &[Op::Eq, Op::Not, Op::In, Op::NotIn];
const INT_OPS: &[Op] = &[
    Op::Eq,
    Op::Not,
    Op::In,
    Op::NotIn,
    Op::Gte,
    Op::Lte,
    Op::Gt,
    Op::Lt,
];
const DATE_OPS: &[Op] = &[Op::Gte, Op::Lte, Op::Gt, Op::Lt];

impl Field {
    fn parse(name: &str) -> Option<Field> {
        if let Some(column) = TextColumn::ALL.into_iter().find(|c| c.parameter() == name) {
            return Some(Field::Text(column));
        }
        Some(match name {
            "statusCode" => Field::Status,
            "createdAt" => Field::Created,
            "from" => Field::Alias(Bound::Start),
            "to" => Field::Alias(Bound::End),
            _ => return None,
        })
    }

    fn ops(self) -> &'static [Op] {
        match self {
            Field::Text(_) => TEXT_OPS,
            Field::Status => INT_OPS,
            Field::Created | Field::Alias(_) => DATE_OPS,
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Field::Text(_) => "StringFilter",
            Field::Status => "IntFilter",
            Field::Created | Field::Alias(_) => "DateFilter",
        }
    }
}

/// One value as sent: text from the query string, or a JSON value.
enum Given<'a> {
    Text(&'a str),
    Json(&'a Value),
}

#[derive(Default)]
struct Reader {
    filters: AuditFilters,
    errors: Vec<String>,
}

impl Reader {
    fn read(&mut self, key: &str, value: &str) {
        let (name, op) = match split_key(key) {
            Some(split) => split,
            None => {
                if let Some(name) = key.split('[').next().filter(|n| Field::parse(n).is_some()) {
                    self.errors.push(format!(
                        "{key} is not a filter; write {name}[operator]=value, e.g. {name}[eq]=…"
                    ));
                }
                return;
            }
        };
        let Some(field) = Field::parse(name) else {
            return; // not a filter: the caller's parameter, or unknown
        };
        match (field, op) {
            (Field::Alias(bound), None) => {
                // Deprecated `from`/`to`; a blank one is ignored as before.
                if value.trim().is_empty() {
                    return;
                }
                let op = match bound {
                    Bound::Start => Op::Gte,
                    Bound::End => Op::Lte,
                };
                self.set(field, name, op, Given::Text(value));
            }
            (Field::Alias(_), Some(_)) => self
                .errors
                .push(format!("{name} takes a date-time, not an operator ({key})")),
            (_, Some(op_text)) => {
                let Some(op) = Op::parse(op_text).filter(|op| field.ops().contains(op)) else {
                    self.errors.push(unknown_operator(field, name, op_text));
                    return;
                };
                if op.is_list() {
                    // Comma-separated, or repeated: both add to the list.
                    for part in value.split(',') {
                        self.set(field, name, op, Given::Text(part));
                    }
                } else {
                    self.set(field, name, op, Given::Text(value));
                }
            }
            (_, None) => {
                let trimmed = value.trim_start();
                if trimmed.starts_with('{') {
                    match serde_json::from_str::<Value>(value) {
                        Ok(Value::Object(object)) => {
                            for (op_text, given) in &object {
                                self.json_operator(field, name, op_text, given);
                            }
                        }
                        _ => self.errors.push(format!(
                            "{name} is not a valid JSON object (a {kind} such as {example})",
                            kind = field.kind(),
                            example = json_example(field, name),
                        )),
                    }
                } else if value.is_empty() {
                    // `action=` filters nothing, as Roster always read it.
                } else if field == Field::Created {
                    self.errors.push(
                        "createdAt needs an operator: createdAt[gte]=…, createdAt[lte]=…, \
                         createdAt[gt]=… or createdAt[lt]=…"
                            .to_owned(),
                    );
                } else {
                    self.set(field, name, Op::Eq, Given::Text(value));
                }
            }
        }
    }

    fn json_operator(&mut self, field: Field, name: &str, op_text: &str, given: &Value) {
        let Some(op) = Op::parse(op_text).filter(|op| field.ops().contains(op)) else {
            self.errors.push(unknown_operator(field, name, op_text));
            return;
        };
        match (op.is_list(), given) {
            (true, Value::Array(items)) => {
                if items.is_empty() {
                    self.list_mut(field, op);
                }
                for item in items {
                    self.set(field, name, op, Given::Json(item));
                }
            }
            (true, _) => self
                .errors
                .push(format!("{name}.{op_text} must be a list of values")),
            (false, Value::Array(_)) => self
                .errors
                .push(format!("{name}.{op_text} must be one value, not a list")),
            (false, value) => self.set(field, name, op, Given::Json(value)),
        }
    }

    /// Makes sure an `in`/`notIn` list exists (an empty JSON list matches
    /// nothing for `in` and everything for `notIn`).
    fn list_mut(&mut self, field: Field, op: Op) {
        match field {
            Field::Text(column) => {
                let filter = self.filters.text_mut(column);
                let list = if op == Op::In {
                    &mut filter.any_of
                } else {
                    &mut filter.none_of
                };
                list.get_or_insert_with(Vec::new);
            }
            Field::Status => {
                let filter = &mut self.filters.status_code;
                let list = if op == Op::In {
                    &mut filter.any_of
                } else {
                    &mut filter.none_of
                };
                list.get_or_insert_with(Vec::new);
            }
            Field::Created | Field::Alias(_) => {}
        }
    }

    fn set(&mut self, field: Field, name: &str, op: Op, given: Given<'_>) {
        let label = format!("{name}[{}]", op.name());
        let result = match field {
            Field::Text(column) => text_value(&label, given)
                .and_then(|value| put_text(self.filters.text_mut(column), &label, op, value)),
            Field::Status => int_value(&label, given)
                .and_then(|value| put_int(&mut self.filters.status_code, &label, op, value)),
            Field::Created | Field::Alias(_) => {
                let label = match field {
                    Field::Alias(_) => name.to_owned(),
                    _ => label,
                };
                date_value(&label, op, given)
                    .and_then(|at| put_date(&mut self.filters.created_at, &label, op, at))
            }
        };
        if let Err(message) = result {
            if !self.errors.contains(&message) {
                self.errors.push(message);
            }
        }
    }
}

/// `action[in]` → (`action`, `Some("in")`); `action` → (`action`, `None`);
/// `action[in][]` and `action[in][0]` (qs-style arrays) read as `action[in]`.
fn split_key(key: &str) -> Option<(&str, Option<&str>)> {
    let Some(open) = key.find('[') else {
        return Some((key, None));
    };
    let name = &key[..open];
    let rest = &key[open + 1..];
    let close = rest.find(']')?;
    let op = &rest[..close];
    let tail = &rest[close + 1..];
    let index_ok = tail.is_empty()
        || (tail.starts_with('[')
            && tail.ends_with(']')
            && tail[1..tail.len() - 1].bytes().all(|b| b.is_ascii_digit()));
    index_ok.then_some((name, Some(op)))
}

fn unknown_operator(field: Field, name: &str, op: &str) -> String {
    let ops: Vec<&str> = field.ops().iter().map(|op| op.name()).collect();
    format!(
        "{name} has no operator '{op}'; a {} takes {}",
        field.kind(),
        ops.join(", ")
    )
}

fn json_example(field: Field, name: &str) -> String {
    match field {
        Field::Status => format!("{name}={{\"gte\":400}}"),
        Field::Created | Field::Alias(_) => {
            format!("{name}={{\"gte\":\"2026-01-01T00:00:00Z\"}}")
        }
        Field::Text(_) => format!("{name}={{\"in\":[\"a\",\"b\"]}}"),
    }
}

fn text_value(label: &str, given: Given<'_>) -> Result<String, String> {
    match given {
        Given::Text(text) => Ok(text.to_owned()),
        Given::Json(Value::String(text)) => Ok(text.clone()),
        Given::Json(other) => Err(format!("{label} must be text (got {other})")),
    }
}

fn int_value(label: &str, given: Given<'_>) -> Result<i64, String> {
    let parsed = match given {
        Given::Text(text) => text.trim().parse::<i64>().ok(),
        Given::Json(Value::Number(number)) => number.as_i64(),
        Given::Json(Value::String(text)) => text.trim().parse::<i64>().ok(),
        Given::Json(_) => None,
    };
    parsed.ok_or_else(|| {
        let shown = match given {
            Given::Text(text) => format!("'{text}'"),
            Given::Json(value) => value.to_string(),
        };
        format!("{label} must be a whole number such as 404 (got {shown})")
    })
}

fn date_value(label: &str, op: Op, given: Given<'_>) -> Result<DateTime<Utc>, String> {
    let text = match given {
        Given::Text(text) => text,
        Given::Json(Value::String(text)) => text.as_str(),
        Given::Json(other) => {
            return Err(format!(
                "{label} must be an ISO-8601 date-time such as 2026-03-01T09:30:00Z (got {other})"
            ))
        }
    };
    // `lte` of a bare date means up to that day's end; `gt` after it.
    let end_of_day = matches!(op, Op::Lte | Op::Gt);
    parse_time(text, end_of_day).ok_or_else(|| {
        format!(
            "{label} must be an ISO-8601 date-time such as 2026-03-01T09:30:00Z (got '{}')",
            text.trim()
        )
    })
}

/// An ISO-8601 date-time, or a bare date: its first microsecond, or its
/// last with `end_of_day`. Besides RFC 3339 this reads what Python's
/// `datetime.isoformat`/`strftime` send through Daytona's clients: an
/// offset without a colon (`+0000`), and no offset at all (read as UTC).
pub fn parse_time(text: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    let text = text.trim();
    // An unencoded `+02:00` offset arrives as " 02:00".
    let repaired = text.replace(' ', "+");
    if let Ok(at) = DateTime::parse_from_rfc3339(&repaired) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(at) = DateTime::parse_from_str(&repaired, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(at) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(at.and_utc());
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let start = day.and_time(NaiveTime::MIN).and_utc();
    Some(if end_of_day {
        start + TimeDelta::days(1) - TimeDelta::microseconds(1)
    } else {
        start
    })
}

fn put_scalar<T: PartialEq>(slot: &mut Option<T>, label: &str, value: T) -> Result<(), String> {
    match slot {
        Some(existing) if *existing != value => {
            Err(format!("{label} is given twice with different values"))
        }
        _ => {
            *slot = Some(value);
            Ok(())
        }
    }
}

fn put_list<T>(list: &mut Option<Vec<T>>, label: &str, value: T) -> Result<(), String> {
    let list = list.get_or_insert_with(Vec::new);
    if list.len() >= MAX_LIST_VALUES {
        return Err(format!(
            "{label} has more than {MAX_LIST_VALUES} values; narrow the filter"
        ));
    }
    list.push(value);
    Ok(())
}

fn put_text(filter: &mut StringFilter, label: &str, op: Op, value: String) -> Result<(), String> {
    match op {
        Op::Eq => put_scalar(&mut filter.eq, label, value),
        Op::Not => put_scalar(&mut filter.not, label, value),
        Op::In => put_list(&mut filter.any_of, label, value),
        Op::NotIn => put_list(&mut filter.none_of, label, value),
        _ => unreachable!("checked against TEXT_OPS"),
    }
}

fn put_int(filter: &mut IntFilter, label: &str, op: Op, value: i64) -> Result<(), String> {
    match op {
        Op::Eq => put_scalar(&mut filter.eq, label, value),
        Op::Not => put_scalar(&mut filter.not, label, value),
        Op::In => put_list(&mut filter.any_of, label, value),
        Op::NotIn => put_list(&mut filter.none_of, label, value),
        Op::Gte => put_scalar(&mut filter.gte, label, value),
        Op::Lte => put_scalar(&mut filter.lte, label, value),
        Op::Gt => put_scalar(&mut filter.gt, label, value),
        Op::Lt => put_scalar(&mut filter.lt, label, value),
    }
}

fn put_date(
    filter: &mut DateFilter,
    label: &str,
    op: Op,
    value: DateTime<Utc>,
) -> Result<(), String> {
    match op {
        Op::Gte => put_scalar(&mut filter.gte, label, value),
        Op::Lte => put_scalar(&mut filter.lte, label, value),
        Op::Gt => put_scalar(&mut filter.gt, label, value),
        Op::Lt => put_scalar(&mut filter.lt, label, value),
        _ => unreachable!("checked against DATE_OPS"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(query: &[(&str, &str)]) -> Result<AuditFilters, Vec<String>> {
        AuditFilters::from_query(query.iter().copied())
    }

    fn actions(filters: &AuditFilters) -> Option<Vec<String>> {
        filters.text(TextColumn::Action).any_of.clone()
    }

    #[test]
    fn every_client_style_of_a_list_reads_the_same() {
        let want = Some(vec!["create".to_owned(), "delete".to_owned()]);
        let json = read(&[("action", r#"{"in": ["create", "delete"]}"#)]).unwrap();
        let commas = read(&[("action[in]", "create,delete")]).unwrap();
        let repeated = read(&[("action[in]", "create"), ("action[in]", "delete")]).unwrap();
        let qs = read(&[("action[in][]", "create"), ("action[in][1]", "delete")]).unwrap();
        for filters in [&json, &commas, &repeated, &qs] {
            assert_eq!(actions(filters), want);
        }
        assert_eq!(json, commas);
    }

    #[test]
    fn bare_values_mean_eq_and_blank_ones_nothing() {
        let filters = read(&[("actorId", "u1"), ("action", ""), ("page", "2")]).unwrap();
        assert_eq!(filters.text(TextColumn::ActorId).eq.as_deref(), Some("u1"));
        assert_eq!(*filters.text(TextColumn::Action), StringFilter::default());
        let status = read(&[("statusCode", "404")]).unwrap();
        assert_eq!(status.status_code.eq, Some(404));
    }

    #[test]
    fn numbers_and_dates_read_in_every_style() {
        let filters = read(&[
            ("statusCode", r#"{"gte": 400, "lt": 500}"#),
            ("createdAt[gte]", "2026-03-01T09:30:00+02:00"),
            ("createdAt", r#"{"lt": "2026-04-01"}"#),
        ])
        .unwrap();
        assert_eq!(filters.status_code, Outcome::ClientError.filter());
        assert_eq!(
            filters.created_at.gte,
            Some("2026-03-01T07:30:00Z".parse().unwrap())
        );
        assert_eq!(
            filters.created_at.lt,
            Some("2026-04-01T00:00:00Z".parse().unwrap())
        );
    }

    #[test]
    fn python_clients_times_read_too() {
        let at = |text: &str| parse_time(text, false);
        let expected = "2026-12-02T19:43:25.542181Z".parse().ok();
        assert_eq!(at("2026-12-02T19:43:25.542181+0000"), expected);
        assert_eq!(at("2026-12-02T20:43:25.542181+0100"), expected);
        assert_eq!(at("2026-12-02T19:43:25.542181"), expected);
        assert_eq!(at("2026-12-02T19:43:25.542181+00:00"), expected);
        assert_eq!(
            at("2026-12-02T19:43:25"),
            "2026-12-02T19:43:25Z".parse().ok()
        );
        assert_eq!(at("2026-12-02 19:43"), None);
        assert_eq!(at("tomorrow"), None);
    }

    #[test]
    fn from_and_to_are_aliases_with_whole_days() {
        let filters = read(&[("from", "2026-03-01"), ("to", "2026-03-31")]).unwrap();
        assert_eq!(
            filters.created_at.gte,
            Some("2026-03-01T00:00:00Z".parse().unwrap())
        );
        assert_eq!(
            filters.created_at.lte,
            Some("2026-03-31T23:59:59.999999Z".parse().unwrap())
        );
        // The alias and the filter it stands for agree, or are refused.
        let both = read(&[("from", "2026-03-01"), ("createdAt[gte]", "2026-03-01")]).unwrap();
        assert_eq!(both.created_at.gte, filters.created_at.gte);
        let clash = read(&[("from", "2026-03-01"), ("createdAt[gte]", "2026-03-02")]);
        assert!(clash.is_err());
    }

    #[test]
    fn anything_else_is_refused_with_a_message_naming_it() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("action[like]", "x")], "action has no operator 'like'"),
            (
                &[("action", r#"{"gte": "a"}"#)],
                "action has no operator 'gte'",
            ),
            (&[("action", "{oops")], "action is not a valid JSON object"),
            (&[("action", r#"{"in": "a"}"#)], "action.in must be a list"),
            (
                &[("action", r#"{"eq": ["a"]}"#)],
                "action.eq must be one value",
            ),
            (&[("action", r#"{"eq": 3}"#)], "action[eq] must be text"),
            (
                &[("statusCode[gte]", "1e308")],
                "statusCode[gte] must be a whole number",
            ),
            (
                &[("createdAt", "2026-01-01")],
                "createdAt needs an operator",
            ),
            (
                &[("createdAt[gte]", "yesterday")],
                "createdAt[gte] must be an ISO-8601 date-time",
            ),
            (&[("createdAt[in]", "x")], "createdAt has no operator 'in'"),
            (&[("from", "soon")], "from must be an ISO-8601 date-time"),
            (
                &[("action[eq]", "a"), ("action[eq]", "b")],
                "action[eq] is given twice",
            ),
            (&[("action[in", "a")], "action[in is not a filter"),
        ];
        for (query, expected) in cases {
            let errors = read(query).expect_err(expected);
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{query:?}: {errors:?} should mention {expected}"
            );
        }
    }

    #[test]
    fn lists_hold_at_most_a_hundred_values() {
        let hundred: Vec<String> = (0..100).map(|i| format!("a{i}")).collect();
        assert!(read(&[("action[in]", &hundred.join(","))]).is_ok());
        let more = format!("{},a100", hundred.join(","));
        let errors = read(&[("action[in]", &more)]).unwrap_err();
        assert_eq!(
            errors,
            ["action[in] has more than 100 values; narrow the filter"]
        );
    }

    #[test]
    fn to_query_reads_back_to_the_same_filters() {
        let mut filters = AuditFilters::default();
        filters.text_mut(TextColumn::Action).any_of = Some(vec!["create".into(), "a,b".into()]);
        filters.text_mut(TextColumn::TargetType).eq = Some("organization_user".into());
        filters.text_mut(TextColumn::ActorEmail).none_of = Some(vec!["x@example.com".into()]);
        filters.status_code = Outcome::ServerError.filter();
        filters.created_at.lte = Some("2026-03-31T23:59:59.999Z".parse().unwrap());
        let pairs = filters.to_query();
        // The list with a comma in a value goes whole, as JSON.
        assert!(pairs.contains(&("action".to_owned(), r#"{"in":["create","a,b"]}"#.to_owned())));
        let back =
            AuditFilters::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(back, filters);
        filters.text_mut(TextColumn::Action).any_of = Some(vec!["create".into()]);
        assert!(filters
            .to_query()
            .contains(&("action[in]".to_owned(), "create".to_owned())));
        assert!(AuditFilters::default().to_query().is_empty());
        assert!(AuditFilters::default().is_empty());
    }

    #[test]
    fn outcomes_are_status_ranges() {
        assert!(Outcome::Success.matches(201));
        assert!(!Outcome::Success.matches(403));
        assert!(Outcome::ClientError.matches(409));
        assert!(Outcome::ServerError.matches(503));
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::of(&outcome.filter()), Some(outcome));
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(Outcome::of(&IntFilter::default()), None);
    }
}
