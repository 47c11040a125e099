//! The audit log's vocabulary: the actions and target types an
//! organization's log records (Daytona's names), and how they read on
//! screen.

/// The actions recorded in an organization's audit log, in the order the
/// action filter lists them. Reads are not recorded.
pub const ORGANIZATION_AUDIT_ACTIONS: [&str; 10] = [
    "create",
    "update",
    "delete",
    "update_access",
    "leave",
    "accept",
    "decline",
    "cancel",
    "resend",
    "set_default_region",
];

/// "update_access" → "Update access"; unknown actions (a newer backend)
/// read the same way.
pub fn action_label(action: &str) -> String {
    match action {
        "set_default_region" => "Set default region".to_owned(),
        "update_access" => "Update access".to_owned(),
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
    fn target_types_read_as_text() {
        assert_eq!(target_type_label("organization_user"), "Member");
        assert_eq!(target_type_label("organization_role"), "Assignment");
        assert_eq!(target_type_label("organization_invitation"), "Invitation");
        assert_eq!(target_type_label("api_key"), "Api key");
    }
}
