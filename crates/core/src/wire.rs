//! JSON bodies of the Daytona-compatible organization API and Roster's
//! extensions (see `docs/api.md`; Daytona's documents are in
//! `crates/server/openapi/`).
//!
//! Conventions, so that Roster's server satisfies the schema and the SPA
//! survives any backend that implements it:
//! - A field the schema requires is always serialized, as `null` when it has
//!   no value; an optional non-nullable field is omitted when absent.
//! - Responses are read leniently: where Daytona is known to leave a value
//!   `null` (or a newer backend may omit it), the field falls back to its
//!   default instead of failing the whole response. Ids and timestamps stay
//!   strict: without them a record is unusable.
//! - Permission strings of stored assignments stay strings, so an unknown
//!   permission from a newer backend does not hide the assignment.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::permission::{Permission, PermissionSet};
use crate::role::Role;

// ---------------------------------------------------------------------------
// Global assignments: Daytona's fixed ids, the same in every organization
// (what each grants is in `crate::assignment`).

pub const DEVELOPER_ID: &str = "00000000-0000-0000-0000-000000000001";
pub const SANDBOXES_ADMIN_ID: &str = "00000000-0000-0000-0000-000000000002";
pub const SNAPSHOTS_ADMIN_ID: &str = "00000000-0000-0000-0000-000000000003";
pub const REGISTRIES_ADMIN_ID: &str = "00000000-0000-0000-0000-000000000004";
pub const SUPER_ADMIN_ID: &str = "00000000-0000-0000-0000-000000000005";
pub const VOLUMES_ADMIN_ID: &str = "00000000-0000-0000-0000-000000000006";
pub const AUDITOR_ID: &str = "00000000-0000-0000-0000-000000000007";
pub const INFRASTRUCTURE_ADMIN_ID: &str = "00000000-0000-0000-0000-000000000008";

// ---------------------------------------------------------------------------
// Organizations

/// Default quotas of a new organization (Daytona's defaults).
pub const DEFAULT_MAX_CPU_PER_SANDBOX: f64 = 4.0;
pub const DEFAULT_MAX_MEMORY_PER_SANDBOX: f64 = 8.0;
pub const DEFAULT_MAX_DISK_PER_SANDBOX: f64 = 10.0;
pub const DEFAULT_SNAPSHOT_DEACTIVATION_TIMEOUT_MINUTES: f64 = 20160.0;
pub const DEFAULT_SUSPENSION_CLEANUP_GRACE_PERIOD_HOURS: f64 = 24.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub created_by: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub personal: bool,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub updated_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub suspended: bool,
    #[serde(default)]
    #[serde(deserialize_with = "crate::timestamp::optional")]
    pub suspended_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub suspension_reason: Option<String>,
    #[serde(default)]
    #[serde(deserialize_with = "crate::timestamp::optional")]
    pub suspended_until: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub suspension_cleanup_grace_period_hours: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub max_cpu_per_sandbox: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub max_memory_per_sandbox: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub max_disk_per_sandbox: f64,
    /// Roster stores no secrets: always 0 (Daytona v0.205).
    #[serde(default, deserialize_with = "null_as_default")]
    pub secret_quota: f64,
    /// Roster stores no secrets: always 0 (Daytona v0.205).
    #[serde(default, deserialize_with = "null_as_default")]
    pub max_secrets_per_sandbox: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub snapshot_deactivation_timeout_minutes: f64,
    /// Roster runs no sandboxes and so no queue: always `null` ("no
    /// default"; Daytona's 0.231 clients require the key).
    #[serde(default)]
    pub default_queue_timeout: Option<u32>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub sandbox_limited_network_egress: bool,
    /// Roster has no preview proxy: always false (Daytona v0.205).
    #[serde(default, deserialize_with = "null_as_default")]
    pub preview_warning_enabled: bool,
    /// Roster has no SSO identity providers per organization: always false
    /// (Daytona v0.205; sign-in through a company's provider is the
    /// server's `--oidc-issuer`, not a per-organization setting).
    #[serde(default, deserialize_with = "null_as_default")]
    pub sso_enabled: bool,
    /// Roster has no SCIM directory sync: always false (Daytona's 0.231
    /// clients).
    #[serde(default, deserialize_with = "null_as_default")]
    pub scim_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_region_id: Option<String>,
    #[serde(default)]
    pub authenticated_rate_limit: Option<f64>,
    #[serde(default)]
    pub sandbox_create_rate_limit: Option<f64>,
    #[serde(default)]
    pub sandbox_lifecycle_rate_limit: Option<f64>,
    /// Free-form; Roster sends `{}`.
    #[serde(default)]
    pub experimental_config: Value,
    #[serde(default)]
    pub otel_config: Option<OtelConfig>,
    #[serde(default)]
    pub authenticated_rate_limit_ttl_seconds: Option<f64>,
    #[serde(default)]
    pub sandbox_create_rate_limit_ttl_seconds: Option<f64>,
    #[serde(default)]
    pub sandbox_lifecycle_rate_limit_ttl_seconds: Option<f64>,
}

impl Organization {
    /// A new, unsuspended organization with the default quotas.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        created_by: impl Into<String>,
        personal: bool,
        created_at: DateTime<Utc>,
    ) -> Self {
        Organization {
            id: id.into(),
            name: name.into(),
            created_by: created_by.into(),
            personal,
            created_at,
            updated_at: created_at,
            suspended: false,
            suspended_at: None,
            suspension_reason: None,
            suspended_until: None,
            suspension_cleanup_grace_period_hours: DEFAULT_SUSPENSION_CLEANUP_GRACE_PERIOD_HOURS,
            max_cpu_per_sandbox: DEFAULT_MAX_CPU_PER_SANDBOX,
            max_memory_per_sandbox: DEFAULT_MAX_MEMORY_PER_SANDBOX,
            max_disk_per_sandbox: DEFAULT_MAX_DISK_PER_SANDBOX,
            secret_quota: 0.0,
            max_secrets_per_sandbox: 0.0,
            snapshot_deactivation_timeout_minutes: DEFAULT_SNAPSHOT_DEACTIVATION_TIMEOUT_MINUTES,
            default_queue_timeout: None,
            sandbox_limited_network_egress: false,
            preview_warning_enabled: false,
            sso_enabled: false,
            scim_enabled: false,
            default_region_id: None,
            authenticated_rate_limit: None,
            sandbox_create_rate_limit: None,
            sandbox_lifecycle_rate_limit: None,
            experimental_config: Value::Object(serde_json::Map::new()),
            otel_config: None,
            authenticated_rate_limit_ttl_seconds: None,
            sandbox_create_rate_limit_ttl_seconds: None,
            sandbox_lifecycle_rate_limit_ttl_seconds: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtelConfig {
    #[serde(default, deserialize_with = "null_as_default")]
    pub endpoint: String,
    #[serde(default)]
    pub headers: Option<BTreeMap<String, String>>,
}

/// `POST /organizations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrganization {
    pub name: String,
    /// Required by Daytona, optional for Roster (`docs/api.md`,
    /// "Organizations").
    #[serde(default)]
    pub default_region_id: Option<String>,
}

/// `PATCH /organizations/{id}` (Roster extension): rename.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganization {
    pub name: String,
}

/// `PATCH /organizations/{id}/default-region`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganizationDefaultRegion {
    pub default_region_id: String,
}

/// `POST /organizations/{id}/leave`; the body and `successorId` are a Roster
/// extension (a sole owner hands over in the same step).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaveOrganization {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor_id: Option<String>,
}

// ---------------------------------------------------------------------------
// Members and assignments

/// An assignment ("organization role" on the wire).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationRole {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
    /// Kept as strings: see the module documentation.
    #[serde(default, deserialize_with = "null_as_default")]
    pub permissions: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_global: bool,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub updated_at: DateTime<Utc>,
}

impl OrganizationRole {
    /// The permissions this version knows, unknown strings skipped.
    pub fn permission_set(&self) -> PermissionSet {
        Permission::parse_known(&self.permissions)
    }
}

/// A member of an organization, as listed by `GET /organizations/{id}/users`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationUser {
    pub user_id: String,
    pub organization_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: String,
    pub role: Role,
    #[serde(default, deserialize_with = "null_as_default")]
    pub assigned_roles: Vec<OrganizationRole>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub updated_at: DateTime<Utc>,
    /// When the member last used the API in this organization (a Roster
    /// extension, coarse: recorded at most once an hour). Absent when they
    /// never have, and from backends that do not record it (Daytona).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::timestamp::optional")]
    pub last_active_at: Option<DateTime<Utc>>,
}

impl OrganizationUser {
    /// What the members table sorts by by default, and so the order of the
    /// server's first page (`GET /organizations/{id}/users?limit=n`): the
    /// name, else the e-mail address, lower-cased. Ties keep the list's
    /// order (oldest member first).
    pub fn sort_name(&self) -> String {
        let name = self.name.trim();
        if name.is_empty() {
            self.email.to_lowercase()
        } else {
            name.to_lowercase()
        }
    }
}

/// The most members `GET /organizations/{id}/users?limit=n` returns (a
/// Roster extension: the first page of the members table, before all of
/// them).
pub const MEMBERS_FIRST_PAGE_MAX: usize = 100;

/// The header carrying the number of all members with a first page
/// (`X-Total-Count`, lower-cased as HTTP/2 sends it).
pub const TOTAL_COUNT_HEADER: &str = "x-total-count";

/// `POST /organizations/{id}/users/{userId}/access`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganizationMemberAccess {
    #[serde(default)]
    pub role: Role,
    #[serde(default = "default_assigned_role_ids")]
    pub assigned_role_ids: Vec<String>,
}

/// The most members one `POST /organizations/{id}/users/bulk` may name.
pub const BULK_MEMBERS_MAX: usize = 10_000;

/// The action of `POST /organizations/{id}/users/bulk` (a Roster
/// extension), tagged by `action`: `{"action": "changeRole", "role":
/// "owner"}`, `{"action": "addAssignment", "assignmentId": "…"}`,
/// `{"action": "removeAssignment", "assignmentId": "…"}`, `{"action":
/// "remove"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum BulkAction {
    /// Sets the role; promoted members drop their assignments (an owner
    /// holds every permission), demoted owners hold none.
    ChangeRole { role: Role },
    /// Gives the assignment to every selected member who lacks it.
    AddAssignment {
        #[serde(rename = "assignmentId")]
        assignment_id: String,
    },
    /// Takes the assignment from every selected member who holds it.
    RemoveAssignment {
        #[serde(rename = "assignmentId")]
        assignment_id: String,
    },
    /// Removes the selected members from the organization.
    Remove,
}

/// How a bulk request applies: member by member (the default), or all
/// members or none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BulkMode {
    /// Each member's change stands on its own: a refused or failed member
    /// leaves the others' changes in place.
    #[default]
    PerMember,
    /// Any refusal changes nothing (the answer lists the refusals).
    AllOrNothing,
}

/// `POST /organizations/{id}/users/bulk` (a Roster extension): the action
/// (flattened: `action` and its fields), the members and the mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkMembersRequest {
    #[serde(flatten)]
    pub action: BulkAction,
    pub user_ids: Vec<String>,
    #[serde(default)]
    pub mode: BulkMode,
}

/// What became of one member of a bulk request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BulkStatus {
    /// Changed as asked.
    Applied,
    /// Already as asked: nothing written.
    Unchanged,
    /// A rule forbids it (the message says which).
    Refused,
    /// The change could not be written (the server's fault).
    Failed,
}

/// One member's line of a bulk answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkMemberResult {
    pub user_id: String,
    pub status: BulkStatus,
    /// Why a member was refused, failed or left unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The member as they are now, after an applied role or assignment
    /// change (absent after a removal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<OrganizationUser>,
}

/// The answer of `POST /organizations/{id}/users/bulk`: one line per
/// requested member, in the request's order, and how many of each status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkMembersResponse {
    pub results: Vec<BulkMemberResult>,
    pub applied: usize,
    pub unchanged: usize,
    pub refused: usize,
    pub failed: usize,
}

impl BulkMembersResponse {
    /// The answer made of `results`, counted.
    pub fn new(results: Vec<BulkMemberResult>) -> Self {
        let count = |status| results.iter().filter(|r| r.status == status).count();
        BulkMembersResponse {
            applied: count(BulkStatus::Applied),
            unchanged: count(BulkStatus::Unchanged),
            refused: count(BulkStatus::Refused),
            failed: count(BulkStatus::Failed),
            results,
        }
    }
}

/// `POST /organizations/{id}/roles`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrganizationRole {
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
}

/// `PUT /organizations/{id}/roles/{roleId}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganizationRole {
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
}

// ---------------------------------------------------------------------------
// Invitations

/// The stored status; "expired" is derived from `expiresAt`
/// (see [`crate::invitation`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Declined,
    Cancelled,
}

impl InvitationStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Declined => "declined",
            InvitationStatus::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for InvitationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationInvitation {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: String,
    /// The inviter's e-mail.
    #[serde(default, deserialize_with = "null_as_default")]
    pub invited_by: String,
    pub organization_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub organization_name: String,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub expires_at: DateTime<Utc>,
    pub status: InvitationStatus,
    pub role: Role,
    #[serde(default, deserialize_with = "null_as_default")]
    pub assigned_roles: Vec<OrganizationRole>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub updated_at: DateTime<Utc>,
}

/// `POST /organizations/{id}/invitations`; defaults as in the schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrganizationInvitation {
    pub email: String,
    #[serde(default)]
    pub role: Role,
    #[serde(default = "default_assigned_role_ids")]
    pub assigned_role_ids: Vec<String>,
    /// Absent: the server applies the default validity (7 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::timestamp::optional")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// `PUT /organizations/{id}/invitations/{invitationId}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganizationInvitation {
    pub role: Role,
    pub assigned_role_ids: Vec<String>,
    /// Absent: the expiry is left as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::timestamp::optional")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The schema's default for `assignedRoleIds`: Developer.
pub fn default_assigned_role_ids() -> Vec<String> {
    vec![DEVELOPER_ID.to_owned()]
}

// ---------------------------------------------------------------------------
// Users and authentication

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub public_keys: Vec<UserPublicKey>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    /// Roster extension; Daytona does not send it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPublicKey {
    pub key: String,
    pub name: String,
}

/// `POST /auth/sign-up`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUp {
    pub email: String,
    pub password: String,
    pub name: String,
}

/// `POST /auth/sign-in`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// Answer to sign-in and sign-up.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthSession {
    pub token: String,
    pub user: User,
}

// Secrets stay out of logs: Debug never prints passwords or tokens.
impl fmt::Debug for SignUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignUp")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("name", &self.name)
            .finish()
    }
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl fmt::Debug for AuthSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSession")
            .field("token", &"<redacted>")
            .field("user", &self.user)
            .finish()
    }
}

/// `POST /auth/verify-email`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyEmail {
    pub token: String,
}

/// `GET /config`: what the SPA needs to know about its backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RosterConfig {
    pub version: String,
    /// How Roster's server signs people in: `"password"`, `"oidc"` or
    /// `"both"`; absent from other backends.
    #[serde(default)]
    pub auth: String,
    /// The OpenID provider, as Daytona's `DaytonaConfiguration.oidc`: the
    /// SPA then signs in there (authorization code with PKCE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcConfig>,
    #[serde(default)]
    pub dev: bool,
    /// Whether `GET /audit/organizations/{id}/export` exists (a Roster
    /// extension; absent, so false, on other backends).
    #[serde(default)]
    pub audit_export: bool,
    /// Listed on the sign-in page in dev mode only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demo_accounts: Vec<DemoAccount>,
}

/// Daytona's `OidcConfig`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub audience: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoAccount {
    pub email: String,
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub description: String,
}

// ---------------------------------------------------------------------------
// Regions and usage

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionType {
    Shared,
    Dedicated,
    Custom,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default)]
    pub organization_id: Option<String>,
    pub region_type: RegionType,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub proxy_url: Option<String>,
    #[serde(default)]
    pub ssh_gateway_url: Option<String>,
    #[serde(default)]
    pub snapshot_manager_url: Option<String>,
}

/// `GET /organizations/{id}/usage`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationUsageOverview {
    #[serde(default, deserialize_with = "null_as_default")]
    pub region_usage: Vec<RegionUsageOverview>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_snapshot_quota: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub current_snapshot_usage: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_volume_quota: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub current_volume_usage: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionUsageOverview {
    pub region_id: String,
    /// `SandboxClass` (`linux-vm`, `container`, …); kept as text.
    #[serde(default, deserialize_with = "null_as_default")]
    pub sandbox_class: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_cpu_quota: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub current_cpu_usage: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_memory_quota: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub current_memory_usage: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_disk_quota: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub current_disk_usage: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_gpu_quota: f64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub current_gpu_usage: f64,
    /// `GpuType` values (`H100`, …); kept as text.
    #[serde(default, deserialize_with = "null_as_default")]
    pub allowed_gpu_types: Vec<String>,
    #[serde(default)]
    pub max_cpu_per_sandbox: Option<f64>,
    #[serde(default)]
    pub max_memory_per_sandbox: Option<f64>,
    #[serde(default)]
    pub max_disk_per_sandbox: Option<f64>,
    #[serde(default)]
    pub max_disk_per_non_ephemeral_sandbox: Option<f64>,
    #[serde(default)]
    pub max_cpu_per_gpu_sandbox: Option<f64>,
    #[serde(default)]
    pub max_memory_per_gpu_sandbox: Option<f64>,
    #[serde(default)]
    pub max_disk_per_gpu_sandbox: Option<f64>,
    /// Daytona v0.205's names of the three maxima above, which v0.190
    /// clients still require: both are sent.
    #[serde(default)]
    pub max_cpu_per_gpu: Option<f64>,
    #[serde(default)]
    pub max_memory_per_gpu: Option<f64>,
    #[serde(default)]
    pub max_disk_per_gpu: Option<f64>,
}

// ---------------------------------------------------------------------------
// Audit log

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub actor_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub actor_email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_api_key_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_api_key_suffix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// A `number` in the schema; anything that is not an HTTP-sized
    /// integer reads as absent rather than failing the page.
    #[serde(
        default,
        deserialize_with = "status_code_from_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_code: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, Value>>,
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub created_at: DateTime<Utc>,
}

/// `GET /audit/scenarios`: the actions an audit log can hold, by the kind
/// of object they act on (Daytona v0.205).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditScenarios {
    #[serde(default, deserialize_with = "null_as_default")]
    pub targets: Vec<AuditTargetScenario>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditTargetScenario {
    pub target_type: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub actions: Vec<String>,
}

/// `GET /audit/organizations/{id}`, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginatedAuditLogs {
    #[serde(default, deserialize_with = "null_as_default")]
    pub items: Vec<AuditLog>,
    #[serde(default, deserialize_with = "count_from_number")]
    pub total: u64,
    #[serde(default, deserialize_with = "count_from_number")]
    pub page: u64,
    #[serde(default, deserialize_with = "count_from_number")]
    pub total_pages: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

// ---------------------------------------------------------------------------
// Errors

/// The error body of every failed request.
///
/// Read leniently: a proxy or an older backend may send only part of it,
/// and the SPA must still show whatever message there is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    #[serde(default, deserialize_with = "null_as_default")]
    pub path: String,
    /// ISO-8601; kept as text so an odd format never hides the message.
    #[serde(default, deserialize_with = "null_as_default")]
    pub timestamp: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub status_code: u16,
    /// The reason phrase, e.g. "Forbidden".
    #[serde(default, deserialize_with = "null_as_default")]
    pub error: String,
    /// One human-readable string; NestJS validation sends an array, which
    /// is joined with ", ".
    #[serde(default, deserialize_with = "message_text")]
    pub message: String,
}

impl ApiError {
    pub fn new(
        status_code: u16,
        path: impl Into<String>,
        message: impl Into<String>,
        timestamp: DateTime<Utc>,
    ) -> Self {
        ApiError {
            path: path.into(),
            timestamp: timestamp.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            status_code,
            error: reason_phrase(status_code).to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.error)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for ApiError {}

/// The HTTP reason phrase for the statuses the API uses.
pub fn reason_phrase(status_code: u16) -> &'static str {
    match status_code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ if (400..500).contains(&status_code) => "Client Error",
        _ if status_code >= 500 => "Server Error",
        _ => "Error",
    }
}

// ---------------------------------------------------------------------------
// Lenient readers

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

fn message_text<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Message {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<Message>::deserialize(deserializer)? {
        None => String::new(),
        Some(Message::One(text)) => text,
        Some(Message::Many(parts)) => parts.join(", "),
    })
}

fn status_code_from_number<'de, D>(deserializer: D) -> Result<Option<u16>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(Option::<f64>::deserialize(deserializer)?
        .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(n))
        .map(|n| n as u16))
}

fn count_from_number<'de, D>(deserializer: D) -> Result<u64, D::Error>
where
    D: Deserializer<'de>,
{
    // `as` saturates; negative and NaN become 0.
    Ok(Option::<f64>::deserialize(deserializer)?.map_or(0, |n| n.max(0.0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ts(text: &str) -> DateTime<Utc> {
        text.parse().expect("test timestamp")
    }

    /// Asserts that `value` serializes to an object carrying every key.
    fn assert_keys<T: Serialize>(value: &T, required: &[&str]) -> Value {
        let json = serde_json::to_value(value).expect("serializes");
        let object = json.as_object().expect("an object");
        for key in required {
            assert!(object.contains_key(*key), "missing required key {key}");
        }
        json
    }

    fn round_trip<T>(value: &T) -> T
    where
        T: Serialize + for<'de> Deserialize<'de>,
    {
        let text = serde_json::to_string(value).expect("serializes");
        serde_json::from_str(&text).expect("deserializes")
    }

    const ORGANIZATION_REQUIRED: &[&str] = &[
        "authenticatedRateLimit",
        "authenticatedRateLimitTtlSeconds",
        "createdAt",
        "createdBy",
        "experimentalConfig",
        "id",
        "maxCpuPerSandbox",
        "maxDiskPerSandbox",
        "maxMemoryPerSandbox",
        "name",
        "otelConfig",
        "personal",
        "sandboxCreateRateLimit",
        "sandboxCreateRateLimitTtlSeconds",
        "sandboxLifecycleRateLimit",
        "sandboxLifecycleRateLimitTtlSeconds",
        "sandboxLimitedNetworkEgress",
        "snapshotDeactivationTimeoutMinutes",
        "suspended",
        "suspendedAt",
        "suspendedUntil",
        "suspensionCleanupGracePeriodHours",
        "suspensionReason",
        "updatedAt",
    ];

    const ROLE_REQUIRED: &[&str] = &[
        "createdAt",
        "description",
        "id",
        "isGlobal",
        "name",
        "permissions",
        "updatedAt",
    ];

    #[test]
    fn organization_from_daytona_with_nulls() {
        let doc = json!({
            "id": "7c4ab52d-0d6b-4d5e-9b8e-2f1f0a1e6c11",
            "name": "Acme",
            "createdBy": "google-oauth2|1234",
            "personal": false,
            "createdAt": "2025-03-01T10:15:30.123Z",
            "updatedAt": "2025-03-02T08:00:00.000Z",
            "suspended": false,
            "suspendedAt": null,
            "suspensionReason": null,
            "suspendedUntil": null,
            "suspensionCleanupGracePeriodHours": 24,
            "maxCpuPerSandbox": 4,
            "maxMemoryPerSandbox": 8,
            "maxDiskPerSandbox": 10,
            "snapshotDeactivationTimeoutMinutes": 20160,
            "sandboxLimitedNetworkEgress": false,
            "defaultRegionId": "us",
            "authenticatedRateLimit": null,
            "sandboxCreateRateLimit": null,
            "sandboxLifecycleRateLimit": null,
            "experimentalConfig": null,
            "otelConfig": null,
            "authenticatedRateLimitTtlSeconds": null,
            "sandboxCreateRateLimitTtlSeconds": null,
            "sandboxLifecycleRateLimitTtlSeconds": null
        });
        let org: Organization = serde_json::from_value(doc).unwrap();
        assert_eq!(org.name, "Acme");
        assert!(!org.personal);
        assert_eq!(org.created_at, ts("2025-03-01T10:15:30.123Z"));
        assert_eq!(org.suspended_at, None);
        assert_eq!(org.otel_config, None);
        assert_eq!(org.max_memory_per_sandbox, 8.0);
        assert_eq!(org.default_region_id.as_deref(), Some("us"));
        assert_eq!(org.authenticated_rate_limit, None);

        let json = assert_keys(&org, ORGANIZATION_REQUIRED);
        assert_eq!(json["suspendedAt"], Value::Null);
        assert_eq!(json["otelConfig"], Value::Null);
        assert_eq!(round_trip(&org), org);
    }

    #[test]
    fn organization_from_yaml_example() {
        let doc = json!({
            "sandboxCreateRateLimit": 7.061401241503109,
            "sandboxLifecycleRateLimitTtlSeconds": 4.145608029883936,
            "createdAt": "2000-01-23T04:56:07+00:00",
            "sandboxLimitedNetworkEgress": true,
            "suspendedUntil": "2000-01-23T04:56:07+00:00",
            "snapshotDeactivationTimeoutMinutes": 5.637376656633329,
            "otelConfig": {"endpoint": "https://otel.example.com", "headers": {"x-api-key": "k"}},
            "authenticatedRateLimitTtlSeconds": 3.616076749251911,
            "id": "id",
            "experimentalConfig": {},
            "updatedAt": "2000-01-23T04:56:07+00:00",
            "defaultRegionId": "defaultRegionId",
            "sandboxCreateRateLimitTtlSeconds": 2.027123023002322,
            "suspensionReason": "suspensionReason",
            "sandboxLifecycleRateLimit": 9.301444243932576,
            "suspendedAt": "2000-01-23T04:56:07+00:00",
            "personal": true,
            "suspensionCleanupGracePeriodHours": 0.8008281904610115,
            "authenticatedRateLimit": 2.3021358869347655,
            "suspended": true,
            "maxCpuPerSandbox": 6.027456183070403,
            "maxDiskPerSandbox": 5.962133916683182,
            "createdBy": "createdBy",
            "name": "name",
            "maxMemoryPerSandbox": 1.4658129805029452
        });
        let org: Organization = serde_json::from_value(doc).unwrap();
        assert!(org.suspended && org.personal);
        assert_eq!(org.suspended_at, Some(ts("2000-01-23T04:56:07Z")));
        assert_eq!(org.suspension_reason.as_deref(), Some("suspensionReason"));
        assert_eq!(org.sandbox_create_rate_limit, Some(7.061401241503109));
        let otel = org.otel_config.as_ref().unwrap();
        assert_eq!(otel.endpoint, "https://otel.example.com");
        assert_eq!(
            otel.headers
                .as_ref()
                .unwrap()
                .get("x-api-key")
                .map(String::as_str),
            Some("k")
        );
        assert_keys(&org, ORGANIZATION_REQUIRED);
        assert_eq!(round_trip(&org), org);
    }

    #[test]
    fn new_organization_has_defaults_and_every_required_key() {
        let now = ts("2025-01-01T00:00:00Z");
        let org = Organization::new("o1", "Personal", "u1", true, now);
        let json = assert_keys(&org, ORGANIZATION_REQUIRED);
        assert_eq!(json["experimentalConfig"], json!({}));
        assert_eq!(json["snapshotDeactivationTimeoutMinutes"], json!(20160.0));
        assert_eq!(json["maxCpuPerSandbox"], json!(4.0));
        assert_eq!(json["suspensionReason"], Value::Null);
        assert!(json.get("defaultRegionId").is_none());
        assert_eq!(org.updated_at, now);
    }

    #[test]
    fn organization_role_and_user_from_daytona() {
        let doc = json!({
            "userId": "google-oauth2|1234",
            "organizationId": "7c4ab52d-0d6b-4d5e-9b8e-2f1f0a1e6c11",
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "role": "member",
            "assignedRoles": [{
                "id": "00000000-0000-0000-0000-000000000007",
                "name": "Auditor",
                "description": "Grants access to audit logs in the organization",
                "permissions": ["read:audit_logs", "read:gpu_quota"],
                "isGlobal": true,
                "createdAt": "2025-01-01T00:00:00.000Z",
                "updatedAt": "2025-01-01T00:00:00.000Z"
            }],
            "createdAt": "2025-02-01T12:00:00.000Z",
            "updatedAt": "2025-02-01T12:00:00.000Z"
        });
        let user: OrganizationUser = serde_json::from_value(doc).unwrap();
        assert_eq!(user.role, Role::Member);
        assert_eq!(user.email, "ada@example.com");
        let role = &user.assigned_roles[0];
        assert_eq!(role.name, "Auditor");
        assert!(role.is_global);
        // The unknown permission survives on the wire but not in the set.
        assert_eq!(role.permissions, ["read:audit_logs", "read:gpu_quota"]);
        assert_eq!(
            role.permission_set().into_iter().collect::<Vec<_>>(),
            [Permission::ReadAuditLogs]
        );
        assert_eq!(
            user.permission_set().into_iter().collect::<Vec<_>>(),
            [Permission::ReadAuditLogs]
        );

        let json = assert_keys(
            &user,
            &[
                "assignedRoles",
                "createdAt",
                "email",
                "name",
                "organizationId",
                "role",
                "updatedAt",
                "userId",
            ],
        );
        assert_eq!(json["role"], "member");
        assert_keys(role, ROLE_REQUIRED);
        assert_eq!(round_trip(&user), user);
        // Daytona sends no `lastActiveAt`; Roster leaves it out when never.
        assert_eq!(user.last_active_at, None);
    }

    #[test]
    fn last_active_at_is_an_optional_roster_extension() {
        let doc = json!({
            "userId": "u1",
            "organizationId": "o1",
            "name": "Ada",
            "email": "ada@example.com",
            "role": "owner",
            "assignedRoles": [],
            "createdAt": "2025-02-01T12:00:00.000Z",
            "updatedAt": "2025-02-01T12:00:00.000Z",
            "lastActiveAt": "2026-03-01T09:30:00.000Z"
        });
        let user: OrganizationUser = serde_json::from_value(doc.clone()).unwrap();
        assert_eq!(user.last_active_at, Some(ts("2026-03-01T09:30:00.000Z")));
        assert_eq!(round_trip(&user), user);
        let mut null = doc;
        null["lastActiveAt"] = Value::Null;
        let user: OrganizationUser = serde_json::from_value(null).unwrap();
        assert_eq!(user.last_active_at, None);
        assert!(serde_json::to_value(&user)
            .unwrap()
            .get("lastActiveAt")
            .is_none());
    }

    #[test]
    fn bulk_requests_and_answers() {
        let request: BulkMembersRequest = serde_json::from_value(json!({
            "action": "changeRole", "role": "owner", "userIds": ["a", "b"]
        }))
        .unwrap();
        assert_eq!(request.action, BulkAction::ChangeRole { role: Role::Owner });
        assert_eq!(request.user_ids, ["a", "b"]);
        assert_eq!(request.mode, BulkMode::PerMember);
        assert_eq!(round_trip(&request), request);

        let request = BulkMembersRequest {
            action: BulkAction::AddAssignment {
                assignment_id: AUDITOR_ID.into(),
            },
            user_ids: vec!["a".into()],
            mode: BulkMode::AllOrNothing,
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"action": "addAssignment", "assignmentId": AUDITOR_ID,
                   "userIds": ["a"], "mode": "allOrNothing"})
        );
        for (action, text) in [
            (
                BulkAction::RemoveAssignment {
                    assignment_id: "x".into(),
                },
                json!({"action": "removeAssignment", "assignmentId": "x"}),
            ),
            (BulkAction::Remove, json!({"action": "remove"})),
        ] {
            assert_eq!(serde_json::to_value(&action).unwrap(), text);
            assert_eq!(serde_json::from_value::<BulkAction>(text).unwrap(), action);
        }
        assert!(serde_json::from_value::<BulkMembersRequest>(
            json!({"action": "promote", "userIds": []})
        )
        .is_err());

        let answer = BulkMembersResponse::new(vec![
            BulkMemberResult {
                user_id: "a".into(),
                status: BulkStatus::Applied,
                message: None,
                member: None,
            },
            BulkMemberResult {
                user_id: "b".into(),
                status: BulkStatus::Refused,
                message: Some("You cannot update your own access".into()),
                member: None,
            },
        ]);
        assert_eq!((answer.applied, answer.refused, answer.failed), (1, 1, 0));
        let json = serde_json::to_value(&answer).unwrap();
        assert_eq!(
            json["results"][0],
            json!({"userId": "a", "status": "applied"})
        );
        assert_eq!(json["results"][1]["status"], "refused");
        assert_eq!(round_trip(&answer), answer);
    }

    #[test]
    fn organization_role_tolerates_null_description_and_permissions() {
        let role: OrganizationRole = serde_json::from_value(json!({
            "id": "r1",
            "name": "Custom",
            "description": null,
            "permissions": null,
            "isGlobal": false,
            "createdAt": "2025-01-01T00:00:00Z",
            "updatedAt": "2025-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(role.description, "");
        assert!(role.permissions.is_empty());
        let json = assert_keys(&role, ROLE_REQUIRED);
        assert_eq!(json["permissions"], json!([]));
    }

    #[test]
    fn member_with_unknown_role_is_rejected() {
        let err = serde_json::from_value::<OrganizationUser>(json!({
            "userId": "u", "organizationId": "o", "name": "n", "email": "e",
            "role": "admin", "assignedRoles": [],
            "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z"
        }))
        .unwrap_err();
        assert!(err.to_string().contains("Unknown role 'admin'"), "{err}");
    }

    #[test]
    fn invitation_round_trip() {
        let doc = json!({
            "id": "inv-1",
            "email": "bob@example.com",
            "invitedBy": "ada@example.com",
            "organizationId": "org-1",
            "organizationName": "Acme",
            "expiresAt": "2025-03-08T10:00:00.000Z",
            "status": "pending",
            "role": "owner",
            "assignedRoles": [],
            "createdAt": "2025-03-01T10:00:00.000Z",
            "updatedAt": "2025-03-01T10:00:00.000Z"
        });
        let inv: OrganizationInvitation = serde_json::from_value(doc).unwrap();
        assert_eq!(inv.status, InvitationStatus::Pending);
        assert_eq!(inv.role, Role::Owner);
        assert_eq!(inv.invited_by, "ada@example.com");
        assert_eq!(inv.organization_name, "Acme");
        assert_eq!(inv.expires_at, ts("2025-03-08T10:00:00Z"));
        let json = assert_keys(
            &inv,
            &[
                "assignedRoles",
                "createdAt",
                "email",
                "expiresAt",
                "id",
                "invitedBy",
                "organizationId",
                "organizationName",
                "role",
                "status",
                "updatedAt",
            ],
        );
        assert_eq!(json["status"], "pending");
        assert_eq!(round_trip(&inv), inv);

        for (text, status) in [
            ("accepted", InvitationStatus::Accepted),
            ("declined", InvitationStatus::Declined),
            ("cancelled", InvitationStatus::Cancelled),
        ] {
            assert_eq!(
                serde_json::from_value::<InvitationStatus>(json!(text)).unwrap(),
                status
            );
            assert_eq!(status.to_string(), text);
        }
        assert!(serde_json::from_value::<InvitationStatus>(json!("expired")).is_err());
    }

    #[test]
    fn create_invitation_applies_schema_defaults() {
        let body: CreateOrganizationInvitation =
            serde_json::from_value(json!({"email": "bob@example.com"})).unwrap();
        assert_eq!(body.role, Role::Member);
        assert_eq!(
            body.assigned_role_ids,
            ["00000000-0000-0000-0000-000000000001"]
        );
        assert_eq!(body.expires_at, None);
        let json = assert_keys(&body, &["assignedRoleIds", "email", "role"]);
        assert!(json.get("expiresAt").is_none());

        let full: CreateOrganizationInvitation = serde_json::from_value(json!({
            "email": "mail@example.com",
            "role": "owner",
            "assignedRoleIds": [],
            "expiresAt": "2021-12-31T23:59:59Z"
        }))
        .unwrap();
        assert_eq!(full.role, Role::Owner);
        assert!(full.assigned_role_ids.is_empty());
        assert_eq!(full.expires_at, Some(ts("2021-12-31T23:59:59Z")));
        assert_eq!(round_trip(&full), full);
    }

    #[test]
    fn update_invitation_and_member_access() {
        let update: UpdateOrganizationInvitation = serde_json::from_value(json!({
            "role": "member",
            "assignedRoleIds": ["00000000-0000-0000-0000-000000000007"]
        }))
        .unwrap();
        assert_eq!(update.role, Role::Member);
        assert_eq!(update.expires_at, None);
        assert_keys(&update, &["assignedRoleIds", "role"]);
        assert_eq!(round_trip(&update), update);
        // Unlike creation, an update names its role and assignments.
        assert!(
            serde_json::from_value::<UpdateOrganizationInvitation>(json!({"role": "member"}))
                .is_err()
        );

        let access: UpdateOrganizationMemberAccess =
            serde_json::from_value(json!({"role": "owner"})).unwrap();
        assert_eq!(access.role, Role::Owner);
        assert_eq!(
            access.assigned_role_ids,
            ["00000000-0000-0000-0000-000000000001"]
        );
        assert_keys(&access, &["assignedRoleIds", "role"]);
        assert_eq!(round_trip(&access), access);
    }

    #[test]
    fn role_requests_carry_typed_permissions() {
        let create: CreateOrganizationRole = serde_json::from_value(json!({
            "name": "Maintainer",
            "description": "Can manage all resources",
            "permissions": ["write:registries", "read:audit_logs"]
        }))
        .unwrap();
        assert_eq!(
            create.permissions,
            [Permission::WriteRegistries, Permission::ReadAuditLogs]
        );
        assert_keys(&create, &["description", "name", "permissions"]);
        assert_eq!(round_trip(&create), create);

        let err = serde_json::from_value::<UpdateOrganizationRole>(json!({
            "name": "x", "description": "", "permissions": ["write:billing"]
        }))
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("Unknown permission 'write:billing'"),
            "{err}"
        );
        let update = UpdateOrganizationRole {
            name: "Ops".into(),
            description: "Runs things".into(),
            permissions: vec![Permission::ReadRunners],
        };
        assert_keys(&update, &["description", "name", "permissions"]);
        assert_eq!(round_trip(&update), update);
    }

    #[test]
    fn organization_requests() {
        let create: CreateOrganization =
            serde_json::from_value(json!({"name": "My Organization"})).unwrap();
        assert_eq!(create.default_region_id, None);
        let json = assert_keys(&create, &["defaultRegionId", "name"]);
        assert_eq!(json["defaultRegionId"], Value::Null);
        let with_region: CreateOrganization =
            serde_json::from_value(json!({"name": "My Organization", "defaultRegionId": "us"}))
                .unwrap();
        assert_eq!(with_region.default_region_id.as_deref(), Some("us"));
        assert_eq!(round_trip(&with_region), with_region);

        let rename: UpdateOrganization = serde_json::from_value(json!({"name": "Acme"})).unwrap();
        assert_eq!(rename.name, "Acme");
        assert_eq!(round_trip(&rename), rename);

        let region: UpdateOrganizationDefaultRegion =
            serde_json::from_value(json!({"defaultRegionId": "eu"})).unwrap();
        assert_eq!(region.default_region_id, "eu");
        assert_keys(&region, &["defaultRegionId"]);
        assert_eq!(round_trip(&region), region);

        let leave: LeaveOrganization = serde_json::from_value(json!({})).unwrap();
        assert_eq!(leave, LeaveOrganization::default());
        assert_eq!(serde_json::to_value(&leave).unwrap(), json!({}));
        let hand_over: LeaveOrganization =
            serde_json::from_value(json!({"successorId": "u2"})).unwrap();
        assert_eq!(hand_over.successor_id.as_deref(), Some("u2"));
        assert_eq!(round_trip(&hand_over), hand_over);
    }

    #[test]
    fn user_from_daytona_and_roster() {
        let daytona: User = serde_json::from_value(json!({
            "id": "google-oauth2|1234",
            "name": "Ada",
            "email": "ada@example.com",
            "publicKeys": [{"key": "ssh-ed25519 AAAA", "name": "laptop"}],
            "createdAt": "2025-01-01T00:00:00.000Z"
        }))
        .unwrap();
        assert_eq!(daytona.email_verified, None);
        assert_eq!(daytona.public_keys[0].name, "laptop");
        let json = assert_keys(
            &daytona,
            &["createdAt", "email", "id", "name", "publicKeys"],
        );
        assert!(json.get("emailVerified").is_none());
        assert_eq!(round_trip(&daytona), daytona);

        let roster: User = serde_json::from_value(json!({
            "id": "u1", "name": "Bob", "email": "bob@example.com",
            "publicKeys": null, "createdAt": "2025-01-01T00:00:00Z", "emailVerified": false
        }))
        .unwrap();
        assert!(roster.public_keys.is_empty());
        assert_eq!(roster.email_verified, Some(false));
        let json = assert_keys(&roster, &["publicKeys", "emailVerified"]);
        assert_eq!(json["publicKeys"], json!([]));
        assert_eq!(round_trip(&roster), roster);

        let key = UserPublicKey {
            key: "k".into(),
            name: "n".into(),
        };
        assert_keys(&key, &["key", "name"]);
        assert_eq!(round_trip(&key), key);
    }

    #[test]
    fn auth_bodies() {
        let sign_up: SignUp = serde_json::from_value(
            json!({"email": "a@example.com", "password": "correct horse", "name": "A"}),
        )
        .unwrap();
        assert_eq!(sign_up.name, "A");
        assert_keys(&sign_up, &["email", "password", "name"]);
        assert_eq!(round_trip(&sign_up), sign_up);
        assert!(!format!("{sign_up:?}").contains("correct horse"));

        let sign_in: SignIn =
            serde_json::from_value(json!({"email": "a@example.com", "password": "pw123456"}))
                .unwrap();
        assert_keys(&sign_in, &["email", "password"]);
        assert_eq!(round_trip(&sign_in), sign_in);
        assert!(!format!("{sign_in:?}").contains("pw123456"));

        let session: AuthSession = serde_json::from_value(json!({
            "token": "secret-token",
            "user": {"id": "u1", "name": "A", "email": "a@example.com", "publicKeys": [],
                     "createdAt": "2025-01-01T00:00:00Z", "emailVerified": true}
        }))
        .unwrap();
        assert_eq!(session.user.email_verified, Some(true));
        assert_keys(&session, &["token", "user"]);
        assert_eq!(round_trip(&session), session);
        assert!(!format!("{session:?}").contains("secret-token"));

        let verify: VerifyEmail = serde_json::from_value(json!({"token": "t"})).unwrap();
        assert_eq!(verify.token, "t");
        assert_eq!(round_trip(&verify), verify);
    }

    #[test]
    fn roster_config() {
        let prod: RosterConfig =
            serde_json::from_value(json!({"version": "0.1.0", "auth": "password", "dev": false}))
                .unwrap();
        assert!(prod.demo_accounts.is_empty());
        let json = assert_keys(&prod, &["version", "auth", "dev"]);
        assert!(json.get("demoAccounts").is_none());

        let dev: RosterConfig = serde_json::from_value(json!({
            "version": "0.1.0", "auth": "password", "dev": true,
            "demoAccounts": [{"email": "owner@acme.test", "name": "Olivia Owner",
                              "password": "demo-password", "description": "Owner of Acme"}]
        }))
        .unwrap();
        assert!(dev.dev);
        assert_eq!(dev.demo_accounts[0].name, "Olivia Owner");
        assert_keys(
            &dev.demo_accounts[0],
            &["email", "name", "password", "description"],
        );
        assert_eq!(round_trip(&dev), dev);
    }

    #[test]
    fn region_round_trip() {
        let region: Region = serde_json::from_value(json!({
            "id": "us",
            "name": "us-east-1",
            "organizationId": null,
            "regionType": "shared",
            "createdAt": "2023-01-01T00:00:00Z",
            "updatedAt": "2023-01-01T00:00:00Z",
            "proxyUrl": "https://proxy.example.com",
            "sshGatewayUrl": null,
            "snapshotManagerUrl": null
        }))
        .unwrap();
        assert_eq!(region.region_type, RegionType::Shared);
        assert_eq!(
            region.proxy_url.as_deref(),
            Some("https://proxy.example.com")
        );
        assert_eq!(region.organization_id, None);
        assert_keys(
            &region,
            &["createdAt", "id", "name", "regionType", "updatedAt"],
        );
        assert_eq!(round_trip(&region), region);
        for (text, kind) in [
            ("dedicated", RegionType::Dedicated),
            ("custom", RegionType::Custom),
        ] {
            assert_eq!(
                serde_json::from_value::<RegionType>(json!(text)).unwrap(),
                kind
            );
        }
    }

    #[test]
    fn usage_overview_round_trip() {
        let usage: OrganizationUsageOverview = serde_json::from_value(json!({
            "totalSnapshotQuota": 100,
            "currentSnapshotUsage": 7,
            "totalVolumeQuota": 100,
            "currentVolumeUsage": 2,
            "regionUsage": [{
                "regionId": "us",
                "sandboxClass": "container",
                "totalCpuQuota": 10, "currentCpuUsage": 2,
                "totalMemoryQuota": 10, "currentMemoryUsage": 4,
                "totalDiskQuota": 30, "currentDiskUsage": 12,
                "totalGpuQuota": 0, "currentGpuUsage": 0,
                "allowedGpuTypes": ["H100", "RTX-PRO-6000"],
                "maxCpuPerSandbox": 4, "maxMemoryPerSandbox": 8, "maxDiskPerSandbox": 10,
                "maxDiskPerNonEphemeralSandbox": null, "maxCpuPerGpuSandbox": null,
                "maxMemoryPerGpuSandbox": null, "maxDiskPerGpuSandbox": null
            }]
        }))
        .unwrap();
        assert_eq!(usage.current_snapshot_usage, 7.0);
        let region = &usage.region_usage[0];
        assert_eq!(region.sandbox_class, "container");
        assert_eq!(region.allowed_gpu_types, ["H100", "RTX-PRO-6000"]);
        assert_eq!(region.max_cpu_per_sandbox, Some(4.0));
        assert_eq!(region.max_cpu_per_gpu_sandbox, None);
        assert_keys(
            &usage,
            &[
                "currentSnapshotUsage",
                "currentVolumeUsage",
                "regionUsage",
                "totalSnapshotQuota",
                "totalVolumeQuota",
            ],
        );
        let json = assert_keys(
            region,
            &[
                "currentCpuUsage",
                "currentDiskUsage",
                "currentGpuUsage",
                "currentMemoryUsage",
                "maxCpuPerGpuSandbox",
                "maxCpuPerSandbox",
                "maxDiskPerGpuSandbox",
                "maxDiskPerNonEphemeralSandbox",
                "maxDiskPerSandbox",
                "maxMemoryPerGpuSandbox",
                "maxMemoryPerSandbox",
                "regionId",
                "sandboxClass",
                "totalCpuQuota",
                "totalDiskQuota",
                "totalGpuQuota",
                "totalMemoryQuota",
            ],
        );
        assert_eq!(json["maxDiskPerGpuSandbox"], Value::Null);
        assert_eq!(round_trip(&usage), usage);
    }

    #[test]
    fn audit_logs_round_trip() {
        let page: PaginatedAuditLogs = serde_json::from_value(json!({
            "items": [{
                "id": "a1",
                "actorId": "u1",
                "actorEmail": "ada@example.com",
                "actorApiKeyPrefix": null,
                "actorApiKeySuffix": null,
                "organizationId": "org-1",
                "action": "update_access",
                "targetType": "organization_user",
                "targetId": "u2",
                "statusCode": 403,
                "errorMessage": "You cannot update your own access",
                "ipAddress": "127.0.0.1",
                "userAgent": "curl/8",
                "source": "api",
                "metadata": {"role": "owner", "assignedRoleIds": []},
                "createdAt": "2025-03-01T10:00:00.000Z"
            }, {
                "id": "a2",
                "actorId": "u1",
                "actorEmail": "ada@example.com",
                "action": "create",
                "statusCode": 0.8008281904610115,
                "createdAt": "2025-03-01T09:00:00Z"
            }],
            "total": 2,
            "page": 1,
            "totalPages": 1.0,
            "nextToken": null
        }))
        .unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(page.total_pages, 1);
        let first = &page.items[0];
        assert_eq!(first.status_code, Some(403));
        assert_eq!(first.actor_api_key_prefix, None);
        assert_eq!(first.metadata.as_ref().unwrap()["role"], "owner");
        // A non-integral status code is unusable, not fatal.
        assert_eq!(page.items[1].status_code, None);

        let json = assert_keys(&page, &["items", "page", "total", "totalPages"]);
        assert_eq!(json["total"], json!(2));
        assert_keys(
            first,
            &[
                "action",
                "actorEmail",
                "actorId",
                "createdAt",
                "id",
                "statusCode",
            ],
        );
        assert_eq!(round_trip(&page), page);
    }

    #[test]
    fn api_error_message_string_or_array() {
        let single: ApiError = serde_json::from_value(json!({
            "path": "/api/organizations/o1/leave",
            "timestamp": "2025-03-01T10:00:00.000Z",
            "statusCode": 403,
            "error": "Forbidden",
            "message": "Organization with ID o1 must have at least one owner"
        }))
        .unwrap();
        assert_eq!(single.status_code, 403);
        assert_eq!(
            single.to_string(),
            "Organization with ID o1 must have at least one owner"
        );

        let many: ApiError = serde_json::from_value(json!({
            "statusCode": 400,
            "error": "Bad Request",
            "message": ["name must be a string", "email must be an email"]
        }))
        .unwrap();
        assert_eq!(
            many.message,
            "name must be a string, email must be an email"
        );
        assert_eq!(many.path, "");

        let built = ApiError::new(
            409,
            "/api/organizations/o1/invitations",
            "Already a member",
            ts("2025-03-01T10:00:00Z"),
        );
        assert_eq!(built.error, "Conflict");
        assert_eq!(built.timestamp, "2025-03-01T10:00:00.000Z");
        let json = assert_keys(
            &built,
            &["path", "timestamp", "statusCode", "error", "message"],
        );
        assert_eq!(json["statusCode"], 409);
        assert_eq!(round_trip(&built), built);
    }
}
