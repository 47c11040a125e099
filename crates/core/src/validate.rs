//! Validation and normalisation of user input, shared by the SPA (per-field
//! feedback before sending) and the server (the authority).

use std::fmt;

use crate::permission::{Permission, PermissionSet};

/// A field that failed validation, with a message fit for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Several failures as one API message (`docs/api.md`, "Errors": joined
/// with ", ").
pub fn join_messages(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------
// E-mail

/// RFC 5321's limit on a forward path.
pub const EMAIL_MAX_CHARS: usize = 254;

/// Addresses are stored and compared trimmed and lower-cased, whole address
/// included: mail providers treat the local part case-insensitively in
/// practice, and invitations must match however the address was typed.
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

pub fn emails_equal(a: &str, b: &str) -> bool {
    normalize_email(a) == normalize_email(b)
}

/// Checks an address pragmatically (one `@`, a local part, a dotted domain,
/// no spaces) and returns it normalised.
pub fn validate_email(raw: &str) -> Result<String, ValidationError> {
    const FIELD: &str = "email";
    let email = normalize_email(raw);
    if email.is_empty() {
        return Err(ValidationError::new(FIELD, "Email address is required"));
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(ValidationError::new(
            FIELD,
            format!("Email address must be at most {EMAIL_MAX_CHARS} characters"),
        ));
    }
    if !is_plausible_email(&email) {
        return Err(ValidationError::new(
            FIELD,
            format!("'{}' is not a valid email address", raw.trim()),
        ));
    }
    Ok(email)
}

fn is_plausible_email(email: &str) -> bool {
    // Characters that only appear in quoted or display-name forms
    // ("Ada <ada@x.com>"), which an invitation never needs.
    const FORBIDDEN: &[char] = &['<', '>', '(', ')', '[', ']', '\\', ',', ';', ':', '"'];
    if email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || FORBIDDEN.contains(&c))
    {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-') && !l.contains('@'));
    local_ok && domain_ok
}

/// Splits a pasted list of addresses on commas, semicolons and whitespace
/// (including newlines), dropping empty entries. Entries are neither
/// validated nor de-duplicated, so each can be reported on its own row.
pub fn split_email_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

// ---------------------------------------------------------------------------
// Display names

/// Organization names (and other display names unless a caller needs
/// another limit).
pub const DISPLAY_NAME_MAX_CHARS: usize = 50;

/// A display name shown to other users: trimmed, non-empty, at most
/// [`DISPLAY_NAME_MAX_CHARS`] characters, no control characters (tab and
/// line breaks excepted), no HTML tags and no links. Names reach other
/// people's screens and e-mails, so markup and links there are phishing
/// material even though the SPA renders them as text.
///
/// `field` names the field in the message ("Name must not contain HTML
/// tags") and in [`ValidationError::field`].
pub fn validate_display_name(raw: &str, field: &str) -> Result<String, ValidationError> {
    validate_display_name_with_max(raw, field, DISPLAY_NAME_MAX_CHARS)
}

/// [`validate_display_name`] with another length limit.
pub fn validate_display_name_with_max(
    raw: &str,
    field: &str,
    max_chars: usize,
) -> Result<String, ValidationError> {
    let label = capitalized(field);
    let fail = |problem: &str| Err(ValidationError::new(field, format!("{label} {problem}")));
    let name = raw.trim();
    if name.is_empty() {
        return fail("is required");
    }
    if name
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return fail("must not contain control characters");
    }
    if name.chars().count() > max_chars {
        return fail(&format!("must be at most {max_chars} characters"));
    }
    if contains_html_tag(name) {
        return fail("must not contain HTML tags");
    }
    if contains_link(name) {
        return fail("must not contain links");
    }
    Ok(name.to_owned())
}

/// Assignment descriptions are shown in pickers and tables: short text.
pub const DESCRIPTION_MAX_CHARS: usize = 200;

/// An optional description (of a custom assignment): empty is fine, and
/// what there is must be as safe to show as a display name.
pub fn validate_description(raw: &str) -> Result<String, ValidationError> {
    if raw.trim().is_empty() {
        Ok(String::new())
    } else {
        validate_display_name_with_max(raw, "description", DESCRIPTION_MAX_CHARS)
    }
}

fn capitalized(field: &str) -> String {
    let mut chars = field.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `<` followed by a letter, `/` or `!` opens a tag, closing tag or comment;
/// "a < b" and "<3" stay allowed.
fn contains_html_tag(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '<' {
            if let Some(&next) = chars.peek() {
                if next.is_ascii_alphabetic() || next == '/' || next == '!' {
                    return true;
                }
            }
        }
    }
    false
}

/// Any `scheme://`, a `javascript:`/`vbscript:` or `data:…` URL, or a bare
/// `www.` host. Matches must start a word, so "Metadata: 2024" and
/// "Big data: team" pass.
fn contains_link(text: &str) -> bool {
    let lower = text.to_lowercase();
    let starts_word = |at: usize| {
        lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    };
    let char_after = |at: usize| lower[at..].chars().next();

    let scheme_separator = lower.match_indices("://").any(|(at, _)| {
        lower[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric())
    });
    let script = ["javascript:", "vbscript:"]
        .iter()
        .any(|scheme| lower.match_indices(scheme).any(|(at, _)| starts_word(at)));
    let data = lower.match_indices("data:").any(|(at, m)| {
        starts_word(at) && char_after(at + m.len()).is_some_and(|c| !c.is_whitespace())
    });
    let www = lower.match_indices("www.").any(|(at, m)| {
        starts_word(at) && char_after(at + m.len()).is_some_and(char::is_alphanumeric)
    });
    scheme_separator || script || data || www
}

// ---------------------------------------------------------------------------
// Passwords and permissions

pub const PASSWORD_MIN_CHARS: usize = 8;
/// Bounds the cost of hashing an attacker-supplied password.
pub const PASSWORD_MAX_CHARS: usize = 128;

pub fn validate_password(raw: &str) -> Result<(), ValidationError> {
    let length = raw.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(ValidationError::new(
            "password",
            format!("Password must be at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(ValidationError::new(
            "password",
            format!("Password must be at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    Ok(())
}

/// A new account, every field checked: the normalised e-mail and name, or
/// each failure (the API joins them into one message).
pub fn validate_sign_up(
    email: &str,
    name: &str,
    password: &str,
) -> Result<(String, String), Vec<ValidationError>> {
    match (
        validate_email(email),
        validate_display_name(name, "Name"),
        validate_password(password),
    ) {
        (Ok(email), Ok(name), Ok(())) => Ok((email, name)),
        (email, name, password) => Err([email.err(), name.err(), password.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

/// A custom assignment must grant something.
pub fn validate_permissions(permissions: &[Permission]) -> Result<PermissionSet, ValidationError> {
    if permissions.is_empty() {
        return Err(ValidationError::new(
            "permissions",
            "At least one permission is required",
        ));
    }
    Ok(permissions.iter().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_up_reports_every_bad_field_at_once() {
        assert_eq!(
            validate_sign_up(" Ada@Example.com ", " Ada ", "long enough"),
            Ok(("ada@example.com".to_owned(), "Ada".to_owned()))
        );
        let errors = validate_sign_up("not-an-email", "<b>Ada</b>", "short").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "Name", "password"]);
        let message = join_messages(&errors);
        assert_eq!(message.matches(", ").count(), 2, "{message}");
        assert!(message.contains("at least 8"), "{message}");
        assert_eq!(
            validate_sign_up("ada@example.com", "Ada", "short")
                .unwrap_err()
                .len(),
            1
        );
    }

    fn message(result: Result<impl fmt::Debug, ValidationError>) -> String {
        result.expect_err("should be rejected").message
    }

    #[test]
    fn normalizes_email() {
        assert_eq!(normalize_email("  Ada@Example.COM \n"), "ada@example.com");
        assert!(emails_equal("ADA@example.com", " ada@EXAMPLE.com"));
        assert!(!emails_equal("ada@example.com", "ada@example.org"));
    }

    #[test]
    fn accepts_plausible_emails_and_returns_them_normalised() {
        assert_eq!(
            validate_email("  Ada.Lovelace+roster@Example.co.uk "),
            Ok("ada.lovelace+roster@example.co.uk".to_owned())
        );
        assert_eq!(validate_email("a@b.c"), Ok("a@b.c".to_owned()));
        assert_eq!(
            validate_email("jörg@bücher.de"),
            Ok("jörg@bücher.de".to_owned())
        );
    }

    #[test]
    fn rejects_implausible_emails_with_the_input_in_the_message() {
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada@exa@mple.com",
            "ada lovelace@example.com",
            "ada@example..com",
            "ada@.example.com",
            "ada@example.com.",
            "ada@-example.com",
            ".ada@example.com",
            "ada..l@example.com",
            "Ada <ada@example.com>",
            "ada@example.com,bob@example.com",
        ] {
            assert_eq!(
                message(validate_email(bad)),
                format!("'{bad}' is not a valid email address"),
                "{bad}"
            );
        }
        assert_eq!(message(validate_email("   ")), "Email address is required");
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            message(validate_email(&long)),
            "Email address must be at most 254 characters"
        );
        assert_eq!(validate_email("x").unwrap_err().field, "email");
    }

    #[test]
    fn splits_pasted_lists() {
        assert_eq!(
            split_email_list(" a@x.com, b@x.com;c@x.com\nd@x.com\r\n\te@x.com ,, ;\n"),
            ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"]
        );
        assert!(split_email_list(" ,;\n ").is_empty());
        // Duplicates are kept: the dialog flags them per row.
        assert_eq!(split_email_list("a@x.com a@x.com"), ["a@x.com", "a@x.com"]);
    }

    #[test]
    fn display_name_accepts_ordinary_unicode_names() {
        for ok in [
            "Acme Corp",
            "Société Générale",
            "数据团队",
            "Acme\tCorp",
            "R&D <3",
            "a < b",
            "Big data: team",
            "Metadata:2024",
            "Awww.cute",
            "O'Brien & Sons",
        ] {
            assert_eq!(validate_display_name(ok, "Name"), Ok(ok.to_owned()), "{ok}");
        }
        assert_eq!(
            validate_display_name("  Acme Corp \n", "Name"),
            Ok("Acme Corp".to_owned())
        );
        let fifty = "数".repeat(50);
        assert_eq!(validate_display_name(&fifty, "Name"), Ok(fifty.clone()));
    }

    #[test]
    fn display_name_rejections_say_why() {
        let cases = [
            ("<b>x</b>", "Name must not contain HTML tags"),
            ("</script>", "Name must not contain HTML tags"),
            ("a<!-- b -->", "Name must not contain HTML tags"),
            ("http://x", "Name must not contain links"),
            ("Visit https://evil.example", "Name must not contain links"),
            ("ftp://files", "Name must not contain links"),
            ("www.x.com", "Name must not contain links"),
            ("Go to WWW.Example.com", "Name must not contain links"),
            ("javascript:alert(1)", "Name must not contain links"),
            ("JavaScript:alert(1)", "Name must not contain links"),
            ("data:text/html,hi", "Name must not contain links"),
            ("a\u{0007}b", "Name must not contain control characters"),
            ("a\u{0000}b", "Name must not contain control characters"),
            ("", "Name is required"),
            ("  \t\n ", "Name is required"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                message(validate_display_name(input, "Name")),
                expected,
                "{input:?}"
            );
        }
        assert_eq!(
            message(validate_display_name(&"a".repeat(51), "Name")),
            "Name must be at most 50 characters"
        );
    }

    #[test]
    fn display_name_field_is_kept_and_capitalised_in_the_message() {
        let err = validate_display_name("<i>", "name").unwrap_err();
        assert_eq!(err.field, "name");
        assert_eq!(err.message, "Name must not contain HTML tags");
        assert_eq!(
            message(validate_display_name_with_max("abcdef", "description", 5)),
            "Description must be at most 5 characters"
        );
        assert_eq!(
            validate_display_name_with_max("abcde", "description", 5),
            Ok("abcde".to_owned())
        );
    }

    #[test]
    fn descriptions_are_optional_short_and_safe() {
        assert_eq!(validate_description("  "), Ok(String::new()));
        assert_eq!(
            validate_description(" Reads the log "),
            Ok("Reads the log".to_owned())
        );
        assert_eq!(validate_description(&"d".repeat(200)), Ok("d".repeat(200)));
        assert_eq!(
            message(validate_description(&"d".repeat(201))),
            "Description must be at most 200 characters"
        );
        assert_eq!(
            message(validate_description("See https://evil.example")),
            "Description must not contain links"
        );
    }

    #[test]
    fn password_length_bounds() {
        assert_eq!(validate_password("12345678"), Ok(()));
        assert_eq!(validate_password(&"x".repeat(128)), Ok(()));
        assert_eq!(
            message(validate_password("1234567")),
            "Password must be at least 8 characters"
        );
        assert_eq!(
            message(validate_password(&"x".repeat(129))),
            "Password must be at most 128 characters"
        );
        // Characters, not bytes.
        assert_eq!(
            message(validate_password("ééééééé")),
            "Password must be at least 8 characters"
        );
    }

    #[test]
    fn permissions_must_not_be_empty() {
        assert_eq!(
            message(validate_permissions(&[])),
            "At least one permission is required"
        );
        let set = validate_permissions(&[Permission::ReadRunners, Permission::ReadRunners])
            .expect("valid");
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn joins_messages_for_the_api() {
        let errors = [
            ValidationError::new("name", "Name is required"),
            ValidationError::new("email", "Email address is required"),
        ];
        assert_eq!(
            join_messages(&errors),
            "Name is required, Email address is required"
        );
    }

    // proptest needs a random source that wasm32-unknown-unknown lacks; the
    // properties are target-independent, so they run natively.
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn normalize_email_is_idempotent(raw in any::<String>()) {
                let once = normalize_email(&raw);
                prop_assert_eq!(normalize_email(&once), once);
            }

            #[test]
            fn ascii_case_does_not_matter(raw in "[ -~]{0,40}") {
                prop_assert!(emails_equal(&raw, &raw.to_uppercase()));
                prop_assert!(emails_equal(&raw.to_lowercase(), &raw));
            }

            #[test]
            fn surrounding_whitespace_does_not_matter(
                raw in any::<String>(),
                before in "[ \t\r\n]{0,4}",
                after in "[ \t\r\n]{0,4}",
            ) {
                let padded = format!("{before}{raw}{after}");
                prop_assert_eq!(normalize_email(&padded), normalize_email(&raw));
                prop_assert!(emails_equal(&padded, &raw));
            }

            #[test]
            fn validated_emails_are_normalised(local in "[A-Za-z0-9._+-]{1,20}", domain in "[A-Za-z0-9]{1,10}\\.[A-Za-z]{2,6}") {
                let raw = format!(" {local}@{domain} ");
                if let Ok(email) = validate_email(&raw) {
                    prop_assert_eq!(normalize_email(&email), email.clone());
                    prop_assert!(emails_equal(&email, &raw));
                }
            }
        }
    }
}
