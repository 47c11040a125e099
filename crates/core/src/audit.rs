//! The audit log's vocabulary: the actions and target types an
//! organization's log records (Daytona's names), and how they read on
//! screen.

/// The actions recorded in an organization's audit log, in the order the
/// action filter lists them. Reads are not recorded.
pub const ORGANIZATION_AUDIT_ACTIONS: [&str; 11] = [
    "create",
    "update",
    "delete",
    "update_access",
    // A bulk request's own row (Roster); each member it changed has an
    // `update_access` or `delete` row of its own.
    "bulk_update",
    "leave",
    "accept",
    "decline",
    "cancel",
    "resend",
    "set_default_region",
];

/// An audit export's number of rows is in the same header as the members'
/// first page's number of members.
pub use crate::wire::TOTAL_COUNT_HEADER;

/// The formats of `GET /audit/organizations/{id}/export` (Roster).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    Csv,
    Ndjson,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 2] = [ExportFormat::Csv, ExportFormat::Ndjson];

    /// The `format` parameter's value and the file's extension.
    pub const fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Ndjson => "ndjson",
        }
    }

    pub const fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Ndjson => "application/x-ndjson",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV",
            ExportFormat::Ndjson => "JSON lines",
        }
    }

    pub fn parse(text: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// The columns of an audit export in CSV, in order.
pub const CSV_COLUMNS: [&str; 13] = [
    "createdAt",
    "actorEmail",
    "actorId",
    "action",
    "targetType",
    "targetId",
    "statusCode",
    "errorMessage",
    "ipAddress",
    "userAgent",
    "source",
    "id",
    "metadata",
];

/// The audit export writes its CSV like every export (`crate::csv`).
pub use crate::csv::{csv_cell, csv_line};

/// The kinds of object an organization's log records actions on, for a
/// backend that does not list its scenarios (`GET /audit/scenarios`).
pub const ORGANIZATION_AUDIT_TARGET_TYPES: [&str; 4] = [
    "organization",
    "organization_user",
    "organization_invitation",
    "organization_role",
];

/// "update_access" → "Update access"; unknown actions (a newer backend)
/// read the same way.
pub fn action_label(action: &str) -> String {
    match action {
        "set_default_region" => "Set default region".to_owned(),
        "update_access" => "Update access".to_owned(),
        "bulk_update" => "Bulk update".to_owned(),
        other => humanize(other),
    }
}

/// The kind of object an entry acts on, e.g. "organization_user" →
/// "Member".
pub fn target_type_label(target_type: &str) -> String {
    match target_type {
        "organization" => "Organization".to_owned(),
        "organization_user" => "Member".to_owned(),
        "organization_invitation" => "Invitation".to_owned(),
        "organization_role" => "Assignment".to_owned(),
        "user" => "User".to_owned(),
        "region" => "Region".to_owned(),
        other => humanize(other),
    }
}

fn humanize(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_as_text() {
        assert_eq!(action_label("update_access"), "Update access");
        assert_eq!(action_label("create"), "Create");
        assert_eq!(action_label("set_default_region"), "Set default region");
        assert_eq!(action_label("regenerate_key_pair"), "Regenerate key pair");
        assert_eq!(action_label(""), "");
        let mut unique = ORGANIZATION_AUDIT_ACTIONS.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ORGANIZATION_AUDIT_ACTIONS.len());
    }

    #[test]
    fn export_formats_read_back() {
        for format in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(format.as_str()), Some(format));
        }
    }

    #[test]
    fn target_types_read_as_text() {
        assert_eq!(target_type_label("organization_user"), "Member");
        assert_eq!(target_type_label("organization_role"), "Assignment");
        assert_eq!(target_type_label("organization_invitation"), "Invitation");
        assert_eq!(target_type_label("api_key"), "Api key");
    }
}
