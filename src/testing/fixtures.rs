//! Data the tests are written against: members, invitations, and the
//! events a user's editing fires.

use roster_core::wire::OrganizationUser;
use roster_core::Role;
use wasm_bindgen::JsCast;

/// Invitation `n` ("i007" to invitee007@example.com, to Acme), sent `n`
/// minutes before invitation 0 (the server lists the newest first);
/// pending, open for a week, in the future.
pub fn invitation(n: i64) -> roster_core::wire::OrganizationInvitation {
    let first: chrono::DateTime<chrono::Utc> = "2099-01-01T00:00:00Z".parse().expect("a timestamp");
    let sent = first - chrono::TimeDelta::minutes(n);
    roster_core::wire::OrganizationInvitation {
        id: format!("i{n:03}"),
        email: format!("invitee{n:03}@example.com"),
        invited_by: "owner@example.com".into(),
        organization_id: "org".into(),
        organization_name: "Acme".into(),
        expires_at: sent + chrono::TimeDelta::days(7),
        status: roster_core::wire::InvitationStatus::Pending,
        role: Role::Member,
        assigned_roles: Vec::new(),
        created_at: sent,
        updated_at: sent,
    }
}

/// Member `n` ("Member 007", member007@example.com) with `role`, joined
/// `n` days after the epoch.
pub fn member(n: usize, role: Role) -> OrganizationUser {
    let at = chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::days(n as i64);
    OrganizationUser {
        user_id: format!("u{n:03}"),
        organization_id: "org".into(),
        name: format!("Member {n:03}"),
        email: format!("member{n:03}@example.com"),
        role,
        assigned_roles: Vec::new(),
        created_at: at,
        updated_at: at,
        last_active_at: None,
    }
}

/// Dispatches a bubbling `kind` event (`input`, `change`) on `target`,
/// as the browser does when the user edits a field.
pub fn fire(target: &impl JsCast, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).expect("an event");
    target
        .unchecked_ref::<web_sys::EventTarget>()
        .dispatch_event(&event)
        .expect("dispatch");
}
