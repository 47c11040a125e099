//! The server's own OpenAPI 3.0 document, served at `/api/openapi.json`.
//!
//! It is Daytona's current organization excerpt (v0.205.1, kept in
//! `openapi/` beside this crate) cut to the paths Roster serves, with
//! Roster's additions: the `/api` prefix, the password sign-in, the
//! extension paths and parameters of `docs/api.md`, the few schema
//! corrections where Roster answers what Daytona's own server answers
//! rather than what its document says, and what Daytona's document leaves
//! out: every error status each operation can answer and every constraint
//! the server enforces on what it is sent. Building it from the reference
//! keeps the two from drifting apart.
//!
//! The older v0.190 excerpt (`openapi/daytona-openapi-organizations.yaml`)
//! stays as the compatibility baseline: the tests validate real answers
//! against it too.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use roster_core::audit_filter::MAX_LIST_VALUES;
use roster_core::validate::{
    DESCRIPTION_MAX_CHARS, DISPLAY_NAME_MAX_CHARS, EMAIL_MAX_CHARS, PASSWORD_MAX_CHARS,
    PASSWORD_MIN_CHARS,
};
use roster_core::wire::{BULK_MEMBERS_MAX, MEMBERS_FIRST_PAGE_MAX};
use roster_core::Permission;
use serde_json::{json, Map, Value};

use super::access::{Who, ROUTES};

/// Daytona's current document (v0.205.1), as published (an excerpt).
pub const REFERENCE_JSON: &str =
    include_str!("../../openapi/daytona-openapi-v0.205.1-organizations.json");

/// Daytona's v0.190 document (an excerpt): what older clients were made
/// from.
pub const BASELINE_YAML: &str = include_str!("../../openapi/daytona-openapi-organizations.yaml");

/// The current reference document.
pub fn reference() -> Result<Value, String> {
    serde_json::from_str(REFERENCE_JSON)
        .map_err(|e| format!("the reference OpenAPI document does not parse: {e}"))
}

/// The v0.190 baseline as JSON.
pub fn baseline() -> Result<Value, String> {
    serde_norway::from_str(BASELINE_YAML)
        .map_err(|e| format!("the baseline OpenAPI document does not parse: {e}"))
}

/// The served document, built once.
pub fn document() -> Result<&'static Value, String> {
    static DOCUMENT: OnceLock<Result<Value, String>> = OnceLock::new();
    DOCUMENT
        .get_or_init(|| reference().map(with_roster_additions))
        .as_ref()
        .map_err(Clone::clone)
}

/// Paths of Daytona's excerpt that Roster does not serve: SSO identity
/// providers and the links they propose.
pub const NOT_SERVED: &[&str] = &[
    "/organizations/{organizationId}/identity-providers",
    "/organizations/{organizationId}/identity-providers/{id}",
    "/organizations/{organizationId}/identity-providers/test-connection",
    "/users/me/pending-sso-links",
    "/users/me/pending-sso-links/{id}/confirm",
    "/users/me/pending-sso-links/{id}",
];

/// Schema fields Roster always sends as `null` when they have no value,
/// which Daytona's document marks required but not nullable (Daytona's
/// server sends `null` there too). The same holds for the baseline.
pub const NULLABLE_CORRECTIONS: &[(&str, &str)] = &[
    ("Organization", "suspendedAt"),
    ("Organization", "suspensionReason"),
    ("Organization", "suspendedUntil"),
];

/// The page number past which `(page - 1) × limit` rows cannot be skipped
/// at the largest limit (the offset is a signed 64-bit number).
pub const AUDIT_PAGE_MAX: u64 = (i64::MAX as u64) / AUDIT_LIMIT_MAX + 1;
const AUDIT_LIMIT_MAX: u64 = 200;
const AUDIT_LIMIT_DEFAULT: u64 = 100;

fn with_roster_additions(mut doc: Value) -> Value {
    doc["info"] = json!({
        "title": "Roster API",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "Daytona's organization API (v0.205.1) as implemented by Roster's reference \
            server, plus Roster's extensions (password authentication, rename, resend, leave with \
            a successor, expired invitations, the members' first page, the audit export). Every \
            error has the body `ApiError`; each operation lists the statuses it can answer. \
            Authenticate with `Authorization: Bearer <token>` (the token of sign-in or sign-up, \
            or an access token of the configured OpenID provider) or the `roster_session` cookie."
    });
    doc["servers"] = json!([{ "url": "/api" }]);
    if let Some(paths) = doc["paths"].as_object_mut() {
        for path in NOT_SERVED {
            paths.remove(*path);
        }
    }

    let schemas = &mut doc["components"]["schemas"];
    correct_schemas(schemas);
    constrain_request_bodies(schemas);
    merge(schemas, roster_schemas());

    doc["components"]["securitySchemes"] = json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A session token of sign-in or sign-up, or an access token of the \
                OpenID provider the server trusts (`--oidc-issuer`)"
        },
        "cookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": "roster_session",
            "description": "The session cookie set by sign-in and sign-up"
        }
    });

    let paths = &mut doc["paths"];
    // Roster's /config describes Roster, not a Daytona deployment.
    paths["/config"]["get"]["responses"] = ok(
        "200",
        "What the SPA needs to know about this backend",
        schema_ref("RosterConfig"),
    );
    paths["/organizations/{organizationId}/leave"]["post"]["requestBody"] = json!({
        "required": false,
        "content": { "application/json": { "schema": schema_ref("LeaveOrganization") } }
    });
    push(
        &mut paths["/organizations/{organizationId}/invitations"]["get"]["parameters"],
        json!({
            "name": "include",
            "in": "query",
            "required": false,
            "description": "`expired` also lists expired pending invitations (owners only), \
                so they can be resent",
            "schema": { "type": "string", "enum": ["expired"] }
        }),
    );
    let users = &mut paths["/organizations/{organizationId}/users"]["get"];
    push(
        &mut users["parameters"],
        json!({
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Only the first `limit` members in the members table's default \
                order (by name, else e-mail, case-insensitively; ties oldest first), with the \
                number of all members in `X-Total-Count` (Roster)",
            "schema": { "type": "integer", "minimum": 1, "maximum": MEMBERS_FIRST_PAGE_MAX }
        }),
    );
    users["responses"]["200"]["headers"] = json!({
        "X-Total-Count": {
            "description": "With `limit`: how many members there are in all (Roster)",
            "schema": { "type": "integer" }
        },
        "X-Roster-Membership": {
            "description": "With `limit`, when not every member is sent: the caller's own \
                role, permissions and the organization's owner count, as \
                `role=member; owners=2; permissions=read:audit_logs,write:sandboxes` (an \
                owner's permissions, all of them, are not listed) (Roster)",
            "schema": { "type": "string" }
        },
        "ETag": etag_header()
    });
    paths["/organizations/{organizationId}/invitations"]["get"]["responses"]["200"]["headers"] =
        json!({ "ETag": etag_header() });
    let log = &mut paths["/audit/organizations/{organizationId}"]["get"];
    constrain_audit_parameters(log);
    let log_parameters = log["parameters"].clone();
    merge(paths, roster_paths(&log_parameters));
    for path in [
        "/organizations/{organizationId}/users",
        "/organizations/{organizationId}/invitations",
    ] {
        paths[path]["get"]["responses"]["304"] = json!({
            "description": "Not modified: `If-None-Match` names the list's current `ETag` (Roster)"
        });
    }
    // Daytona leaves the scenarios' response open to its own names;
    // Roster's actions and target types are its own.
    if let Some(scenario) = doc["components"]["schemas"]["AuditTargetScenario"].as_object_mut() {
        let properties = &mut scenario["properties"];
        properties["targetType"] = json!({
            "type": "string",
            "description": "The type of object the actions act on (Roster's names, such as \
                `organization_invitation`)"
        });
        properties["actions"]["items"] = json!({ "type": "string" });
        properties["actions"]["description"] = json!(
            "The actions recorded against this target type (Roster's names, such as `create`, \
             `update_access`, `leave`, `resend`), sorted"
        );
    }

    document_access(&mut doc);
    let bulk = &mut doc["paths"]["/organizations/{organizationId}/users/bulk"]["post"];
    bulk["responses"]["409"]["content"]["application/json"]["schema"] =
        schema_ref("BulkMembersRefused");
    bulk["responses"]["413"]["description"] = json!("The body is larger than 640 KiB");
    prune_schemas(&mut doc);
    doc
}

// ---------------------------------------------------------------------------
// Schemas

fn correct_schemas(schemas: &mut Value) {
    schemas["OrganizationUser"]["properties"]["lastActiveAt"] = json!({
        "type": "string",
        "format": "date-time",
        "description": "When the member last used the API in this organization, to the hour \
            (absent: never) (Roster)"
    });
    for (schema, property) in NULLABLE_CORRECTIONS {
        schemas[schema]["properties"][property]["nullable"] = json!(true);
    }
    // v0.190's names of the GPU maxima, still sent for its clients.
    for (old, new) in [
        ("maxCpuPerGpuSandbox", "maxCpuPerGpu"),
        ("maxMemoryPerGpuSandbox", "maxMemoryPerGpu"),
        ("maxDiskPerGpuSandbox", "maxDiskPerGpu"),
    ] {
        schemas["RegionUsageOverview"]["properties"][old] = json!({
            "type": "number",
            "nullable": true,
            "deprecated": true,
            "description": format!("Daytona v0.190's name of `{new}`, sent with it (Roster)")
        });
    }
    // Fields of Daytona's 0.231 clients (after v0.205.1) that Roster sends.
    let organization = &mut schemas["Organization"];
    organization["properties"]["scimEnabled"] = json!({
        "type": "boolean",
        "description": "Whether this organization may use SCIM directory sync (Roster has none: \
            always false)"
    });
    organization["properties"]["defaultQueueTimeout"] = json!({
        "type": "integer",
        "nullable": true,
        "description": "Default minutes to wait for a runner before sandbox creation is \
            cancelled (Roster runs no sandboxes: always null)"
    });
    push(&mut organization["required"], json!("scimEnabled"));
    push(&mut organization["required"], json!("defaultQueueTimeout"));
    for (name, why) in [
        ("secretQuota", "Roster stores no secrets: always 0"),
        ("maxSecretsPerSandbox", "Roster stores no secrets: always 0"),
        (
            "previewWarningEnabled",
            "Roster has no preview proxy: always false",
        ),
        (
            "ssoEnabled",
            "Roster has no per-organization identity providers: always false",
        ),
    ] {
        let property = &mut organization["properties"][name];
        let described = property["description"].as_str().unwrap_or_default();
        property["description"] = json!(format!("{described} ({why})"));
    }
}

/// The rules `roster_core::validate` applies to text other people see
/// (display names, descriptions) as lookaheads of a pattern: no control
/// characters but tab and line breaks, no HTML tags, no links. They may
/// refuse a little more than the server does (a link-like word right after
/// a non-ASCII letter), never less.
fn safe_text_lookaheads() -> String {
    const CONTROL: &str = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F";
    // The start of a word, for the schemes and `www.`.
    const WORD_START: &str = "(?:^|[^A-Za-z0-9])";
    [
        format!(r"(?![\s\S]*[{CONTROL}])"),
        r"(?![\s\S]*<[A-Za-z/!])".to_string(),
        // The server looks at the lower case: the Kelvin sign is a `k` there.
        r"(?![\s\S]*[A-Za-z0-9\u212A]://)".to_string(),
        format!(r"(?![\s\S]*{WORD_START}(?:[Jj][Aa][Vv][Aa]|[Vv][Bb])[Ss][Cc][Rr][Ii][Pp][Tt]:)"),
        format!(r"(?![\s\S]*{WORD_START}[Dd][Aa][Tt][Aa]:[^ \t\n\r])"),
        format!(r"(?![\s\S]*{WORD_START}[Ww][Ww][Ww]\.[^\s!-/:-@\[-`{{-~])"),
    ]
    .concat()
}

const SAFE_TEXT_RULES: &str = "no control characters other than tab and line breaks, no HTML \
    tags (`<` followed by a letter, `/` or `!`) and no links (`scheme://`, `javascript:`, \
    `vbscript:`, `data:…`, `www.…`)";

fn display_name(what: &str) -> Value {
    json!({
        "type": "string",
        "minLength": 1,
        "maxLength": DISPLAY_NAME_MAX_CHARS,
        "pattern": format!(r"^{}[\s\S]*\S[\s\S]*$", safe_text_lookaheads()),
        "description": format!(
            "{what}: trimmed, at least one character that is not a space and at most \
             {DISPLAY_NAME_MAX_CHARS}; {SAFE_TEXT_RULES}"
        )
    })
}

/// An address as `roster_core::validate::validate_email` accepts it:
/// one `@`, a local part of dot-separated atoms, a domain of at least two
/// dot-separated labels that neither start nor end with `-`; no spaces,
/// control characters or `<>()[]\,;:"` (and no `İ`, whose lower case is
/// two characters).
fn email_address(what: &str) -> Value {
    const NOT_IN_ADDRESS: &str = r#"\s<>()\[\]\\,;:"@\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u0130"#;
    let atom = format!("[^{NOT_IN_ADDRESS}.]+");
    let label = format!("[^{NOT_IN_ADDRESS}.-](?:[^{NOT_IN_ADDRESS}.]*[^{NOT_IN_ADDRESS}.-])?");
    json!({
        "type": "string",
        "maxLength": EMAIL_MAX_CHARS,
        "pattern": format!(r"^{atom}(?:\.{atom})*@{label}(?:\.{label})+$"),
        "description": format!(
            "{what}: trimmed and lower-cased by the server; at most {EMAIL_MAX_CHARS} characters",
        ),
        "example": "mail@example.com"
    })
}

fn permission_list() -> Value {
    json!({
        "type": "array",
        "minItems": 1,
        "description": "The permissions the assignment grants: at least one",
        "items": {
            "type": "string",
            "enum": Permission::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>()
        }
    })
}

fn shared_region_id() -> Value {
    json!({
        "type": "string",
        "enum": crate::regions::shared_regions().into_iter().map(|r| r.id).collect::<Vec<_>>(),
        "description": "One of the shared regions (`GET /shared-regions`)",
        "example": "us"
    })
}

/// What the server checks in the bodies it is sent, and which fields it
/// fills in when they are left out.
fn constrain_request_bodies(schemas: &mut Value) {
    let organization = &mut schemas["CreateOrganization"];
    organization["properties"]["name"] = display_name("The organization's name");
    organization["properties"]["defaultRegionId"] = shared_region_id();
    // The default region is optional in Roster (`docs/api.md`,
    // "Organizations"); it can be set later.
    organization["required"] = json!(["name"]);
    schemas["UpdateOrganizationDefaultRegion"]["properties"]["defaultRegionId"] =
        shared_region_id();

    for schema in ["CreateOrganizationRole", "UpdateOrganizationRole"] {
        let assignment = &mut schemas[schema]["properties"];
        assignment["name"] = display_name("The assignment's name, unique in the organization");
        assignment["description"] = json!({
            "type": "string",
            "maxLength": DESCRIPTION_MAX_CHARS,
            "pattern": format!(r"^(?:\s*|{}[\s\S]*\S[\s\S]*)$", safe_text_lookaheads()),
            "description": format!(
                "May be blank; otherwise trimmed, at most {DESCRIPTION_MAX_CHARS} characters, \
                 {SAFE_TEXT_RULES}"
            )
        });
        assignment["permissions"] = permission_list();
    }

    let invitation = &mut schemas["CreateOrganizationInvitation"];
    invitation["properties"]["email"] = email_address("The invitee's e-mail address");
    // Role and assignments have defaults (the schema's own): only the
    // address is needed.
    invitation["required"] = json!(["email"]);
    for schema in [
        "CreateOrganizationInvitation",
        "UpdateOrganizationInvitation",
    ] {
        let expiry = &mut schemas[schema]["properties"]["expiresAt"];
        expiry["description"] = json!(
            "When the invitation expires: in the future (default on creation: 7 days from now)"
        );
        expiry["example"] = json!("2099-12-31T23:59:59Z");
        schemas[schema]["properties"]["assignedRoleIds"]["description"] = json!(
            "Ids of the organization's assignments (global or its own); an unknown id is \
             refused with 400 \"One or more role IDs are invalid\""
        );
    }
    let access = &mut schemas["UpdateOrganizationMemberAccess"];
    access["required"] = json!([]);
    access["properties"]["assignedRoleIds"]["description"] = json!(
        "Ids of the organization's assignments (global or its own); an unknown id is refused \
         with 400 \"One or more role IDs are invalid\". Owners hold every permission and keep \
         none."
    );

    // Daytona's filters, as Roster reads them: whole numbers for status
    // codes, at most 100 values in a list, no other operators.
    for filter in ["StringFilter", "IntFilter", "DateFilter"] {
        schemas[filter]["additionalProperties"] = json!(false);
    }
    if let Some(properties) = schemas["IntFilter"]["properties"].as_object_mut() {
        for (_, property) in properties.iter_mut() {
            let whole = json!({
                "type": "integer",
                "minimum": i64::MIN,
                "maximum": i64::MAX
            });
            if property["type"] == "array" {
                property["items"] = whole;
            } else {
                let description = property["description"].clone();
                *property = whole;
                property["description"] = description;
            }
        }
    }
    for filter in ["StringFilter", "IntFilter"] {
        for list in ["in", "notIn"] {
            schemas[filter]["properties"][list]["maxItems"] = json!(MAX_LIST_VALUES);
        }
    }
}

fn etag_header() -> Value {
    json!({
        "description": "A weak validator of the list: send it back in `If-None-Match` (Roster)",
        "schema": { "type": "string" }
    })
}

/// Page numbers and limits are whole numbers in Roster (Daytona's document
/// says `number`); the filters travel as `name[operator]=value`.
fn constrain_audit_parameters(operation: &mut Value) {
    let Some(parameters) = operation["parameters"].as_array_mut() else {
        return;
    };
    for parameter in parameters.iter_mut() {
        let is_filter = parameter["schema"]["$ref"]
            .as_str()
            .is_some_and(|r| r.ends_with("Filter"));
        match parameter["name"].as_str().unwrap_or_default() {
            "page" => {
                parameter["schema"] = json!({
                    "type": "integer",
                    "minimum": 1,
                    "maximum": AUDIT_PAGE_MAX,
                    "default": 1
                });
            }
            "limit" => {
                parameter["schema"] = json!({
                    "type": "integer",
                    "minimum": 1,
                    "maximum": AUDIT_LIMIT_MAX,
                    "default": AUDIT_LIMIT_DEFAULT
                });
            }
            "from" | "to" => {
                let description = parameter["description"].as_str().unwrap_or_default();
                parameter["description"] = json!(format!(
                    "{description} A bare date (`2026-03-01`) means its first (`from`) or last \
                     (`to`) instant, UTC. Given with `createdAt`, the two must agree."
                ));
            }
            "nextToken" => {
                parameter["description"] = json!(
                    "The `nextToken` of the previous page: continues after its last entry, \
                     whatever `page` says. Any other value is refused (400)."
                );
            }
            _ if is_filter => {
                parameter["style"] = json!("deepObject");
                parameter["explode"] = json!(true);
                let description = parameter["description"].as_str().unwrap_or_default();
                parameter["description"] = json!(format!(
                    "{description} As `name[operator]=value` (lists repeated, or separated by \
                     commas); Roster also reads the filter as one JSON object \
                     (`name={{\"in\":[\"a\",\"b\"]}}`, as Daytona's Python client sends it), \
                     and a bare `name=value` as `eq`."
                ));
            }
            _ => {}
        }
    }
}

fn roster_schemas() -> Value {
    json!({
        "ApiError": {
            "type": "object",
            "properties": {
                "path": { "type": "string" },
                "timestamp": { "type": "string", "format": "date-time" },
                "statusCode": { "type": "number" },
                "error": { "type": "string", "description": "The HTTP reason phrase" },
                "message": { "type": "string", "description": "What went wrong, for people" }
            },
            "required": ["path", "timestamp", "statusCode", "error", "message"]
        },
        "RosterConfig": {
            "type": "object",
            "properties": {
                "version": { "type": "string" },
                "auth": { "type": "string", "enum": ["password", "oidc", "both"] },
                "oidc": schema_ref("OidcConfig"),
                "dev": { "type": "boolean" },
                "auditExport": {
                    "type": "boolean",
                    "description": "Whether GET /audit/organizations/{organizationId}/export exists"
                },
                "demoAccounts": { "type": "array", "items": schema_ref("DemoAccount") }
            },
            "required": ["version", "auth", "dev", "auditExport"]
        },
        "DemoAccount": {
            "type": "object",
            "properties": {
                "email": { "type": "string" },
                "name": { "type": "string" },
                "password": { "type": "string" },
                "description": { "type": "string" }
            },
            "required": ["email", "name", "password"]
        },
        "SignUp": {
            "type": "object",
            "properties": {
                "email": email_address("The account's e-mail address"),
                "password": {
                    "type": "string",
                    "minLength": PASSWORD_MIN_CHARS,
                    "maxLength": PASSWORD_MAX_CHARS
                },
                "name": display_name("The user's name")
            },
            "required": ["email", "password", "name"]
        },
        "SignIn": {
            "type": "object",
            "properties": {
                "email": { "type": "string" },
                "password": { "type": "string" }
            },
            "required": ["email", "password"]
        },
        "AuthSession": {
            "type": "object",
            "properties": {
                "token": { "type": "string", "description": "Send as `Authorization: Bearer`" },
                "user": schema_ref("User")
            },
            "required": ["token", "user"]
        },
        "VerifyEmail": {
            "type": "object",
            "properties": {
                "token": {
                    "type": "string",
                    "description": "The token of the verification link mailed to the account"
                }
            },
            "required": ["token"]
        },
        "UpdateOrganization": {
            "type": "object",
            "properties": { "name": display_name("The organization's new name") },
            "required": ["name"]
        },
        "BulkMembersRequest": bulk_request_schema(),
        "BulkMemberResult": {
            "type": "object",
            "properties": {
                "userId": { "type": "string" },
                "status": {
                    "type": "string",
                    "enum": ["applied", "unchanged", "refused", "failed"],
                    "description": "`applied`: changed; `unchanged`: already so, nothing \
                        written; `refused`: a rule forbids it (`message` says which); \
                        `failed`: the change could not be written"
                },
                "message": { "type": "string" },
                "member": schema_ref("OrganizationUser")
            },
            "required": ["userId", "status"]
        },
        "BulkMembersResponse": {
            "type": "object",
            "properties": {
                "results": {
                    "type": "array",
                    "items": schema_ref("BulkMemberResult"),
                    "description": "One per requested member, in the request's order"
                },
                "applied": { "type": "integer" },
                "unchanged": { "type": "integer" },
                "refused": { "type": "integer" },
                "failed": { "type": "integer" }
            },
            "required": ["results", "applied", "unchanged", "refused", "failed"]
        },
        "BulkMembersRefused": {
            "type": "object",
            "description": "`ApiError`, with the refused members",
            "properties": {
                "path": { "type": "string" },
                "timestamp": { "type": "string", "format": "date-time" },
                "statusCode": { "type": "number" },
                "error": { "type": "string", "description": "The HTTP reason phrase" },
                "message": { "type": "string", "description": "What went wrong, for people" },
                "results": {
                    "type": "array",
                    "items": schema_ref("BulkMemberResult"),
                    "description": "The refused members"
                }
            },
            "required": ["path", "timestamp", "statusCode", "error", "message", "results"]
        },
        "LeaveOrganization": {
            "type": "object",
            "properties": {
                "successorId": {
                    "type": "string",
                    "description": "A sole owner names the member who becomes owner; someone \
                        who is not a member is refused (400)"
                }
            }
        }
    })
}

/// `BulkMembersRequest`: one object per action, told apart by `action`.
fn bulk_request_schema() -> Value {
    let variant = |action: &str, fields: Value, required: &[&str]| {
        let mut properties = json!({
            "action": { "type": "string", "enum": [action] },
            "userIds": {
                "type": "array",
                "items": { "type": "string" },
                "minItems": 1,
                "maxItems": BULK_MEMBERS_MAX,
                "uniqueItems": true,
                "description": "The members to act on (ids that are not members are refused \
                    one by one)"
            },
            "mode": {
                "type": "string",
                "enum": ["perMember", "allOrNothing"],
                "default": "perMember",
                "description": "`perMember`: each member's change stands on its own; \
                    `allOrNothing`: any refusal changes nothing (409)"
            }
        });
        merge(&mut properties, fields);
        let mut all_required = vec!["action", "userIds"];
        all_required.extend_from_slice(required);
        json!({ "type": "object", "properties": properties, "required": all_required })
    };
    let assignment = json!({
        "assignmentId": { "type": "string", "description": "A global or custom assignment's id" }
    });
    json!({
        "description": "One action on many members (Roster)",
        "oneOf": [
            variant(
                "changeRole",
                json!({ "role": { "type": "string", "enum": ["owner", "member"] } }),
                &["role"],
            ),
            variant("addAssignment", assignment.clone(), &["assignmentId"]),
            variant("removeAssignment", assignment, &["assignmentId"]),
            variant("remove", json!({}), &[]),
        ]
    })
}

// ---------------------------------------------------------------------------
// Roster's paths

/// `log_parameters`: those of `getOrganizationAuditLogs`, whose filters the
/// export takes.
fn roster_paths(log_parameters: &Value) -> Value {
    let organization_id = path_parameter("organizationId", "Organization ID");
    let invitation_id = path_parameter("invitationId", "Invitation ID");
    json!({
        "/health": { "get": {
            "operationId": "health",
            "summary": "Liveness check",
            "tags": ["roster"],
            "responses": ok("200", "The server is up", json!({
                "type": "object",
                "properties": { "status": { "type": "string" } },
                "required": ["status"]
            }))
        }},
        "/openapi.json": { "get": {
            "operationId": "openApiDocument",
            "summary": "This document",
            "tags": ["roster"],
            "responses": ok("200", "The OpenAPI document", json!({ "type": "object" }))
        }},
        "/auth/sign-up": { "post": {
            "operationId": "signUp",
            "summary": "Create an account and its personal organization",
            "tags": ["auth"],
            "requestBody": body("SignUp"),
            "responses": ok("201", "Signed up and signed in", schema_ref("AuthSession"))
        }},
        "/auth/sign-in": { "post": {
            "operationId": "signIn",
            "summary": "Sign in with e-mail and password",
            "tags": ["auth"],
            "requestBody": body("SignIn"),
            "responses": ok("200", "Signed in", schema_ref("AuthSession"))
        }},
        "/auth/sign-out": { "post": {
            "operationId": "signOut",
            "summary": "Revoke the current session",
            "tags": ["auth"],
            "responses": { "204": { "description": "Signed out" } }
        }},
        "/auth/verify-email": { "post": {
            "operationId": "verifyEmail",
            "summary": "Prove the signed-in account's e-mail address with the token of its verification link",
            "tags": ["auth"],
            "requestBody": body("VerifyEmail"),
            "responses": { "204": { "description": "E-mail address verified" } }
        }},
        "/organizations/{organizationId}": { "patch": {
            "operationId": "renameOrganization",
            "summary": "Rename an organization (Roster)",
            "tags": ["organizations"],
            "parameters": [organization_id.clone()],
            "requestBody": body("UpdateOrganization"),
            "responses": ok("200", "Organization renamed", schema_ref("Organization"))
        }},
        "/organizations/{organizationId}/invitations/{invitationId}/resend": { "post": {
            "operationId": "resendOrganizationInvitation",
            "summary": "Send a pending invitation again and renew its expiry (Roster)",
            "tags": ["organizations"],
            "parameters": [organization_id.clone(), invitation_id.clone()],
            "responses": ok("200", "Invitation sent again", schema_ref("OrganizationInvitation"))
        }},
        "/organizations/{organizationId}/users/bulk": { "post": {
            "operationId": "bulkUpdateOrganizationMembers",
            "summary": "Apply one action to many members (Roster)",
            "description": "Change the role of, add or remove an assignment of, or remove up \
                to 10,000 members, with the rules of the single-member operations. \
                `perMember` (the default) applies each member's change on its own; \
                `allOrNothing` changes nothing when any member is refused (409). One audit \
                row per member changed.",
            "tags": ["organizations"],
            "parameters": [organization_id.clone()],
            "requestBody": body("BulkMembersRequest"),
            "responses": ok("200", "What became of each member", schema_ref("BulkMembersResponse"))
        }},
        "/organizations/invitations/{invitationId}": { "get": {
            "operationId": "getOrganizationInvitationForAuthenticatedUser",
            "summary": "One invitation addressed to the authenticated user, in any status (Roster)",
            "tags": ["organizations"],
            "parameters": [invitation_id],
            "responses": ok("200", "The invitation", schema_ref("OrganizationInvitation"))
        }},
        "/audit/organizations/{organizationId}/export": { "get": {
            "operationId": "exportOrganizationAuditLogs",
            "summary": "The filtered audit log as one file, newest first (Roster)",
            "description": "Takes the filters of `getOrganizationAuditLogs` (no paging): the \
                entries that match when the export starts, streamed as they are read.",
            "tags": ["audit"],
            "parameters": export_parameters(organization_id, log_parameters),
            "responses": {
                "200": {
                    "description": "The entries, as CSV (a header line, then one line per entry; \
                        cells that a spreadsheet would read as a formula are quoted) or as \
                        newline-delimited JSON (one `AuditLog` per line)",
                    "headers": {
                        "X-Total-Count": {
                            "description": "How many entries the file holds",
                            "schema": { "type": "integer" }
                        },
                        "Content-Disposition": {
                            "description": "`attachment` with a file name",
                            "schema": { "type": "string" }
                        }
                    },
                    "content": {
                        "text/csv": { "schema": { "type": "string" } },
                        "application/x-ndjson": { "schema": { "type": "string" } }
                    }
                }
            }
        }}
    })
}

/// The export's parameters: the format and the log's filters.
fn export_parameters(organization_id: Value, log_parameters: &Value) -> Value {
    let mut parameters = vec![
        organization_id,
        json!({
            "name": "format",
            "in": "query",
            "required": false,
            "description": "The file's format",
            "schema": { "type": "string", "enum": ["csv", "ndjson"], "default": "csv" }
        }),
    ];
    parameters.extend(
        log_parameters
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| {
                p["in"] == "query"
                    && !matches!(p["name"].as_str(), Some("page" | "limit" | "nextToken"))
            })
            .cloned(),
    );
    Value::Array(parameters)
}

// ---------------------------------------------------------------------------
// Who may call an operation, and every status it can answer

/// Statuses, each with why it is answered.
type Answers = &'static [(u16, &'static str)];

/// The answers an operation's handler can give besides those every
/// operation of its kind shares (see [`error_statuses`]).
const REFUSALS: &[(&str, &str, Answers)] = &[
    (
        "GET",
        "/openapi.json",
        &[(500, "The document could not be built")],
    ),
    (
        "POST",
        "/auth/sign-up",
        &[
            (
                400,
                "An e-mail address, name or password the server refuses",
            ),
            (404, "Passwords are off (`--auth oidc`)"),
            (409, "An account with this e-mail address exists"),
            (500, "An unexpected failure"),
        ],
    ),
    (
        "POST",
        "/auth/sign-in",
        &[
            (
                401,
                "Wrong e-mail address or password (the same answer for both)",
            ),
            (404, "Passwords are off (`--auth oidc`)"),
            (
                429,
                "Too many failed attempts for this address (five in fifteen minutes); \
                 `Retry-After` says when to try again",
            ),
            (500, "An unexpected failure"),
        ],
    ),
    (
        "POST",
        "/auth/sign-out",
        &[(404, "Passwords are off (`--auth oidc`)")],
    ),
    (
        "POST",
        "/auth/verify-email",
        &[
            (400, "The link is invalid or has expired"),
            (
                403,
                "The link verifies another account than the signed-in one",
            ),
            (404, "Passwords are off (`--auth oidc`)"),
        ],
    ),
    (
        "POST",
        "/organizations",
        &[(
            403,
            "The caller already created the most organizations a user may (10)",
        )],
    ),
    (
        "GET",
        "/organizations/invitations/{invitationId}",
        &[
            (403, "The caller's e-mail address is not verified"),
            (404, "No such invitation addressed to the caller"),
        ],
    ),
    (
        "POST",
        "/organizations/invitations/{invitationId}/accept",
        &[
            (
                403,
                "The caller's e-mail address is not verified, or the invitation expired or was \
                 already answered or cancelled",
            ),
            (404, "No such invitation addressed to the caller"),
        ],
    ),
    (
        "POST",
        "/organizations/invitations/{invitationId}/decline",
        &[
            (
                403,
                "The caller's e-mail address is not verified, or the invitation expired or was \
                 already answered or cancelled",
            ),
            (404, "No such invitation addressed to the caller"),
        ],
    ),
    (
        "PATCH",
        "/organizations/{organizationId}",
        &[(403, "A personal organization cannot be renamed")],
    ),
    (
        "DELETE",
        "/organizations/{organizationId}",
        &[(403, "A personal organization cannot be deleted")],
    ),
    (
        "POST",
        "/organizations/{organizationId}/leave",
        &[
            (400, "The successor is not a member"),
            (
                403,
                "The last owner cannot leave (without a successor), a personal organization \
                 cannot be left, only a sole owner names a successor",
            ),
        ],
    ),
    (
        "PATCH",
        "/organizations/{organizationId}/default-region",
        &[(409, "The organization already has a default region")],
    ),
    (
        "POST",
        "/organizations/{organizationId}/users/{userId}/access",
        &[
            (400, "One or more role IDs are invalid"),
            (
                403,
                "One's own access, the last owner's role, or a personal organization",
            ),
            (404, "No such member"),
        ],
    ),
    (
        "POST",
        "/organizations/{organizationId}/users/bulk",
        &[
            (
                400,
                "No user ids, an id listed twice, more than 10,000, or an unknown assignment id",
            ),
            (
                403,
                "A personal organization (its members cannot be changed or removed)",
            ),
            (
                409,
                "`allOrNothing`: some members are refused; nothing changed (`results` lists them)",
            ),
        ],
    ),
    (
        "DELETE",
        "/organizations/{organizationId}/users/{userId}",
        &[
            (
                403,
                "The last owner, or a member of a personal organization",
            ),
            (404, "No such member"),
        ],
    ),
    (
        "GET",
        "/organizations/{organizationId}/invitations",
        &[(403, "`include=expired` is for owners")],
    ),
    (
        "POST",
        "/organizations/{organizationId}/invitations",
        &[
            (
                400,
                "An invalid e-mail address, an expiry in the past, or an unknown role ID",
            ),
            (403, "A personal organization has no invitations"),
            (
                409,
                "The address is a member already, or has a pending invitation",
            ),
        ],
    ),
    (
        "PUT",
        "/organizations/{organizationId}/invitations/{invitationId}",
        &[
            (400, "An expiry in the past, or an unknown role ID"),
            (403, "The invitation expired or is no longer pending"),
            (404, "No such invitation in this organization"),
        ],
    ),
    (
        "POST",
        "/organizations/{organizationId}/invitations/{invitationId}/cancel",
        &[
            (403, "The invitation is no longer pending"),
            (404, "No such invitation in this organization"),
        ],
    ),
    (
        "POST",
        "/organizations/{organizationId}/invitations/{invitationId}/resend",
        &[
            (403, "The invitation was answered or cancelled"),
            (404, "No such invitation in this organization"),
            (
                429,
                "An invitation was mailed to this address less than a minute ago; \
                 `Retry-After` says when to try again",
            ),
        ],
    ),
    (
        "POST",
        "/organizations/{organizationId}/roles",
        &[
            (403, "A personal organization has no custom assignments"),
            (409, "An assignment of this name exists"),
        ],
    ),
    (
        "PUT",
        "/organizations/{organizationId}/roles/{roleId}",
        &[
            (
                404,
                "No such custom assignment in this organization (global ones never change)",
            ),
            (409, "Another assignment has this name"),
        ],
    ),
    (
        "DELETE",
        "/organizations/{organizationId}/roles/{roleId}",
        &[
            (
                404,
                "No such custom assignment in this organization (global ones never change)",
            ),
            (
                409,
                "Members hold the assignment, or pending invitations offer it (the message \
                 names them)",
            ),
        ],
    ),
    (
        "GET",
        "/audit/organizations/{organizationId}",
        &[(
            400,
            "A filter, page, limit or nextToken the server cannot read (the message names it)",
        )],
    ),
    (
        "GET",
        "/audit/organizations/{organizationId}/export",
        &[(
            400,
            "A format or filter the server cannot read, or paging parameters",
        )],
    ),
];

/// Every error status of an operation: those its kind shares by the
/// access table and its inputs, and its own refusals.
fn error_statuses(
    method: &str,
    path: &str,
    operation: &Value,
    who: Who,
) -> BTreeMap<u16, Vec<String>> {
    let mut statuses: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    let mut add = |status: u16, why: &str| statuses.entry(status).or_default().push(why.into());
    let unsafe_method = !matches!(method, "GET" | "HEAD" | "OPTIONS");
    let has_parameters = operation["parameters"]
        .as_array()
        .is_some_and(|p| !p.is_empty());
    let json_body = operation["requestBody"].is_object();
    if has_parameters || json_body {
        add(400, "Malformed input (the message says which)");
    }
    if who != Who::Anyone {
        add(
            401,
            "Not signed in, or the session or access token is not valid",
        );
    }
    match who {
        Who::Member | Who::Owner | Who::Permission(_) => add(
            403,
            "\"Invalid authentication context\" (not a member, or no such organization) or \
             \"Access denied\" (the caller's role or assignments do not allow it)",
        ),
        Who::User if unsafe_method => add(
            403,
            "Cross-site request refused (a session cookie sent by another site)",
        ),
        _ => {}
    }
    if unsafe_method {
        add(413, "The body is larger than 64 KiB");
    }
    if json_body && operation["requestBody"]["required"] == true {
        add(415, "The body is not sent as `application/json`");
    }
    if who != Who::Anyone {
        add(
            500,
            "An unexpected failure (the cause is in the server's log)",
        );
        add(
            503,
            "The OpenID provider (`--oidc-issuer`) cannot be reached to check an access token",
        );
    }
    for (_, _, refusals) in REFUSALS
        .iter()
        .filter(|(m, p, _)| *m == method && *p == path)
    {
        for (status, why) in refusals.iter() {
            add(*status, why);
        }
    }
    statuses
}

/// Each operation's security and error answers, from the access table.
fn document_access(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let method = method.to_uppercase();
            let Some(route) = ROUTES
                .iter()
                .find(|r| r.method.as_str() == method && r.path == path.as_str())
            else {
                continue; // not routed: the tests report it
            };
            operation["security"] = if route.who == Who::Anyone {
                json!([])
            } else {
                json!([{ "bearer": [] }, { "cookie": [] }])
            };
            for (status, reasons) in error_statuses(&method, path, operation, route.who) {
                let mut answer = json!({
                    "description": reasons.join("; "),
                    "content": { "application/json": { "schema": schema_ref("ApiError") } }
                });
                if status == 429 {
                    answer["headers"] = json!({
                        "Retry-After": {
                            "description": "Seconds until trying again makes sense",
                            "schema": { "type": "integer" }
                        }
                    });
                }
                operation["responses"][status.to_string()] = answer;
            }
        }
    }
}

/// Drops the schemas no served operation uses (Daytona's identity
/// providers, its configuration, …).
fn prune_schemas(doc: &mut Value) {
    let mut used = BTreeSet::new();
    let mut pending = vec![doc["paths"].clone()];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    if used.insert(name.to_string()) {
                        pending.push(doc["components"]["schemas"][name].clone());
                    }
                }
                pending.extend(map.into_values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        schemas.retain(|name, _| used.contains(name));
    }
}

// ---------------------------------------------------------------------------
// Building blocks

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn body(schema: &str) -> Value {
    json!({
        "required": true,
        "content": { "application/json": { "schema": schema_ref(schema) } }
    })
}

fn ok(status: &str, description: &str, schema: Value) -> Value {
    json!({
        status: {
            "description": description,
            "content": { "application/json": { "schema": schema } }
        }
    })
}

fn path_parameter(name: &str, description: &str) -> Value {
    json!({
        "name": name,
        "in": "path",
        "required": true,
        "description": description,
        "schema": { "type": "string" }
    })
}

fn push(list: &mut Value, item: Value) {
    match list {
        Value::Array(items) => items.push(item),
        other => *other = Value::Array(vec![item]),
    }
}

/// Adds `extra`'s members to `target` one level deep, so a new method joins
/// a path the reference already has.
fn merge(target: &mut Value, extra: Value) {
    let Value::Object(extra) = extra else { return };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    for (key, value) in extra {
        match (&mut target[&key], value) {
            (Value::Object(existing), Value::Object(more)) => existing.extend(more),
            (slot, value) => *slot = value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_and_document_builds() {
        assert_eq!(reference().unwrap()["openapi"], "3.0.0");
        assert_eq!(baseline().unwrap()["openapi"], "3.0.0");
        let doc = document().unwrap();
        assert_eq!(doc["servers"][0]["url"], "/api");
        // Extensions join existing paths without replacing their methods.
        let organization = &doc["paths"]["/organizations/{organizationId}"];
        assert!(organization["get"].is_object());
        assert!(organization["delete"].is_object());
        assert!(organization["patch"].is_object());
        assert_eq!(
            doc["components"]["schemas"]["Organization"]["properties"]["suspendedAt"]["nullable"],
            true
        );
        for path in NOT_SERVED {
            assert!(doc["paths"].get(*path).is_none(), "{path}");
        }
        assert!(doc["components"]["schemas"]
            .get("IdentityProvider")
            .is_none());
    }

    #[test]
    fn every_refusal_names_an_operation_of_the_document() {
        let doc = document().unwrap();
        for (method, path, _) in REFUSALS {
            assert!(
                doc["paths"][path][method.to_lowercase()].is_object(),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn the_permission_enum_is_the_domain_s() {
        let doc = document().unwrap();
        let listed = &doc["components"]["schemas"]["OrganizationRole"]["properties"]["permissions"]
            ["items"]["enum"];
        let ours: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(listed, &json!(ours));
    }

    #[test]
    fn the_largest_page_skips_what_a_signed_64_bit_offset_holds() {
        let skipped = (AUDIT_PAGE_MAX - 1).checked_mul(AUDIT_LIMIT_MAX);
        assert!(skipped.is_some_and(|rows| rows <= i64::MAX as u64));
        assert!(AUDIT_PAGE_MAX * AUDIT_LIMIT_MAX > i64::MAX as u64);
    }
}
