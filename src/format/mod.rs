//! How dates, times and names are written on screen.

pub mod time_input;

use chrono::{DateTime, Datelike, Local, NaiveDateTime, Timelike, Utc};
use roster_core::wire::{OrganizationInvitation, OrganizationUser};

/// "Ada Lovelace (ada@example.com)", or the e-mail alone without a name.
pub fn member_label(member: &OrganizationUser) -> String {
    if member.name.trim().is_empty() {
        member.email.clone()
    } else {
        format!("{} ({})", member.name.trim(), member.email)
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An invitation's access: "Member · Developer, Auditor", or "Owner" (who
/// holds every permission).
pub fn role_and_assignments(invitation: &OrganizationInvitation) -> String {
    let role = invitation.role.label();
    if invitation.role.is_owner() || invitation.assigned_roles.is_empty() {
        return role.to_owned();
    }
    let names: Vec<&str> = invitation
        .assigned_roles
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    format!("{role} · {}", names.join(", "))
}

/// "Mar 1, 2025", in the browser's time zone.
pub fn date(at: DateTime<Utc>) -> String {
    day(&at.with_timezone(&Local).naive_local())
}

/// "Mar 1, 2025, 14:05", in the browser's time zone (for `title` tooltips
/// next to relative times).
pub fn date_time(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&Local).naive_local();
    format!("{}, {:02}:{:02}", day(&local), local.hour(), local.minute())
}

/// Written out by hand: a table row shows two of these, and chrono's
/// `format` reads its pattern again on every call.
fn day(local: &NaiveDateTime) -> String {
    format!(
        "{} {}, {}",
        MONTHS[local.month0() as usize],
        local.day(),
        local.year()
    )
}

/// "in 6 days", "3 hours ago", "just now".
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (at - now).num_seconds();
    let future = seconds > 0;
    let magnitude = seconds.unsigned_abs();
    if magnitude < 45 {
        return "just now".to_owned();
    }
    const UNITS: [(u64, &str); 5] = [
        (60 * 60 * 24 * 365, "year"),
        (60 * 60 * 24 * 30, "month"),
        (60 * 60 * 24, "day"),
        (60 * 60, "hour"),
        (60, "minute"),
    ];
    let (size, unit) = UNITS
        .iter()
        .copied()
        .find(|(size, _)| magnitude >= *size)
        .unwrap_or((60, "minute"));
    // Rounded to the nearest unit: 6 days 20 hours reads "in 7 days".
    let count = ((magnitude + size / 2) / size).max(1);
    let plural = if count == 1 { "" } else { "s" };
    if future {
        format!("in {count} {unit}{plural}")
    } else {
        format!("{count} {unit}{plural} ago")
    }
}

/// The initial shown in an organization's badge.
pub fn initial(name: &str) -> String {
    name.trim()
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".to_owned())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test timestamp")
    }

    #[test]
    fn dates_read_as_chrono_would_write_them() {
        for text in [
            "2025-03-01T00:00:00Z",
            "2024-12-31T23:59:59Z",
            "1999-07-04T09:05:00Z",
        ] {
            let at = at(text);
            let local = at.with_timezone(&Local);
            assert_eq!(date(at), local.format("%b %-d, %Y").to_string());
            assert_eq!(date_time(at), local.format("%b %-d, %Y, %H:%M").to_string());
        }
    }

    #[test]
    fn relative_times_round_to_the_nearest_unit() {
        let now = at("2025-03-01T12:00:00Z");
        assert_eq!(relative(at("2025-03-01T12:00:30Z"), now), "just now");
        assert_eq!(relative(at("2025-03-01T12:01:00Z"), now), "in 1 minute");
        assert_eq!(relative(at("2025-03-01T09:00:00Z"), now), "3 hours ago");
        assert_eq!(relative(at("2025-03-08T12:00:00Z"), now), "in 7 days");
        assert_eq!(relative(at("2025-03-08T08:00:00Z"), now), "in 7 days");
        assert_eq!(relative(at("2025-03-02T12:00:00Z"), now), "in 1 day");
        assert_eq!(relative(at("2024-03-01T12:00:00Z"), now), "1 year ago");
    }

    #[test]
    fn initials_are_upper_case_and_never_empty() {
        assert_eq!(initial("  acme"), "A");
        assert_eq!(initial("Ölwerk"), "Ö");
        assert_eq!(initial("数据团队"), "数");
        assert_eq!(initial(""), "?");
    }
}
