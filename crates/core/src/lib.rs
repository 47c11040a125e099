//! Roster's domain, shared by the server (which authorizes with it) and the
//! SPA (which decides what to show and enable with it): wire types, roles,
//! assignments, permissions, capabilities and validation.
//!
//! Pure Rust without I/O; builds for native targets and wasm32.

pub mod assignment;
pub mod audit;
pub mod audit_filter;
pub mod bulk;
pub mod capabilities;
pub mod csv;
pub mod invitation;
pub mod membership_header;
pub mod permission;
pub mod protocol;
pub mod role;
pub mod timestamp;
pub mod validate;
pub mod wire;

/// The brief's name for a global assignment.
pub use assignment::GlobalAssignment as Assignment;
pub use assignment::{
    assignment_name_taken, global_assignment, global_assignments_wire, is_global_assignment_id,
    permissions_of, GlobalAssignment, GLOBAL_ASSIGNMENTS, VIEWER_DESCRIPTION, VIEWER_NAME,
};
pub use capabilities::{
    access_diff, effective_permissions, last_owner_message, AccessDiff, Capabilities, Membership,
    OrgAction, Refusal, Target,
};
pub use invitation::{
    default_expiry, review_invitees, InvitationState, Invitee, InviteeStatus,
    INVITATION_VALIDITY_DAYS,
};
pub use permission::{Permission, PermissionGroup, PermissionSet, UnknownPermission};
pub use role::{Role, UnknownRole};
pub use validate::{
    emails_equal, normalize_email, split_email_list, validate_display_name, validate_email,
    validate_password, ValidationError,
};
pub use wire::{
    AUDITOR_ID, DEVELOPER_ID, INFRASTRUCTURE_ADMIN_ID, REGISTRIES_ADMIN_ID, SANDBOXES_ADMIN_ID,
    SNAPSHOTS_ADMIN_ID, SUPER_ADMIN_ID, VOLUMES_ADMIN_ID,
};

/// The name of the organization created with every account.
pub const PERSONAL_ORGANIZATION_NAME: &str = "Personal";

/// How many organizations one user may create (`docs/api.md`, "Business
/// rules").
pub const MAX_CREATED_ORGANIZATIONS_PER_USER: usize = 10;
