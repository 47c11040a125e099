//! Texts and header names the server and the SPA must agree on, written
//! once: the server answers with them and the SPA recognises answers by
//! them. A change to one side only would silently break the other (the SPA
//! would stop telling an access gate's 403 from a business rule's).
//!
//! `X-Total-Count` is [`crate::wire::TOTAL_COUNT_HEADER`].

/// The access gate's message when the caller lacks the role or permission
/// the endpoint needs (`docs/api.md`, "Who may call"); also the reason
/// phrase of a 403 without a message of its own.
pub const ACCESS_DENIED: &str = "Access denied";

/// The access gate's message when the caller is not a member of the
/// organization the path names, or there is no such organization.
pub const INVALID_AUTHENTICATION_CONTEXT: &str = "Invalid authentication context";

/// The messages of the API's access gate: the caller is no longer a member,
/// or lacks the role or permission. Other 403s are business rules (last
/// owner, personal organization…) whose own message is enough.
pub const ACCESS_GATE_MESSAGES: [&str; 2] = [ACCESS_DENIED, INVALID_AUTHENTICATION_CONTEXT];

/// Whether a 403's message is the access gate's (compared as Daytona's
/// gateway may capitalise it: without regard to ASCII case).
pub fn is_access_gate_message(message: &str) -> bool {
    ACCESS_GATE_MESSAGES
        .iter()
        .any(|gate| gate.eq_ignore_ascii_case(message))
}

/// The 403 of an invitation shown to a user whose e-mail address is not
/// verified yet; the SPA then explains how to verify it.
pub const EMAIL_NOT_VERIFIED: &str = "Please verify your email address";

/// The message of a 401: no session, or one that ended.
pub const UNAUTHORIZED: &str = "Unauthorized";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_is_told_from_business_rules() {
        assert!(is_access_gate_message("Access denied"));
        assert!(is_access_gate_message("access DENIED"));
        assert!(is_access_gate_message("Invalid authentication context"));
        assert!(!is_access_gate_message(EMAIL_NOT_VERIFIED));
        assert!(!is_access_gate_message(
            "The organization's last owner cannot leave"
        ));
    }
}
