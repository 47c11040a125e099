//! The server's own OpenAPI 3.0 document, served at `/api/openapi.json`.
//!
//! It is Daytona's organization excerpt (the contract this server
//! implements, kept in `openapi/` beside this crate) with Roster's
//! additions: the `/api` prefix, the password sign-in, the extension paths
//! and parameters of api.md, and the few schema corrections where Roster
//! answers what Daytona's own server answers rather than what its document
//! says. Building it from the reference keeps the two from drifting apart.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

/// Daytona's document, as published (an excerpt).
pub const REFERENCE_YAML: &str = include_str!("../openapi/daytona-openapi-organizations.yaml");

/// The reference document as JSON.
pub fn reference() -> Result<Value, String> {
    serde_norway::from_str(REFERENCE_YAML)
        .map_err(|e| format!("the reference OpenAPI document does not parse: {e}"))
}

/// The served document, built once.
pub fn document() -> Result<&'static Value, String> {
    static DOCUMENT: OnceLock<Result<Value, String>> = OnceLock::new();
    DOCUMENT
        .get_or_init(|| reference().map(with_roster_additions))
        .as_ref()
        .map_err(Clone::clone)
}

/// Schema fields Roster always sends as `null` when they have no value,
/// which Daytona's document marks required but not nullable (Daytona's
/// server sends `null` there too).
const NULLABLE_CORRECTIONS: &[(&str, &str)] = &[
    ("Organization", "suspendedAt"),
    ("Organization", "suspensionReason"),
    ("Organization", "suspendedUntil"),
];

fn with_roster_additions(mut doc: Value) -> Value {
    doc["info"] = json!({
        "title": "Roster API",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "Daytona's organization API as implemented by Roster's reference server, \
            plus Roster's extensions (password authentication, rename, resend, leave with a \
            successor, expired invitations, audit filters, the members' first page). Errors have the body \
            `ApiError`. Authenticate with `Authorization: Bearer <token>` (the token of \
            sign-in or sign-up) or the `roster_session` cookie."
    });
    doc["servers"] = json!([{ "url": "/api" }]);

    let schemas = &mut doc["components"]["schemas"];
    for (schema, property) in NULLABLE_CORRECTIONS {
        schemas[schema]["properties"][property]["nullable"] = json!(true);
    }
    // The default region is optional in Roster (api.md); it can be set later.
    schemas["CreateOrganization"]["required"] = json!(["name"]);
    schemas["User"]["properties"]["emailVerified"] = json!({
        "description": "Whether the user proved their e-mail address (Roster)",
        "type": "boolean"
    });
    merge(schemas, roster_schemas());

    doc["components"]["securitySchemes"]["cookie"] = json!({
        "type": "apiKey",
        "in": "cookie",
        "name": "roster_session",
        "description": "The session cookie set by sign-in and sign-up"
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
            "schema": { "type": "integer", "minimum": 1, "maximum": 100 }
        }),
    );
    users["responses"]["200"]["headers"] = json!({
        "X-Total-Count": {
            "description": "With `limit`: how many members there are in all (Roster)",
            "schema": { "type": "integer" }
        }
    });
    let audit = &mut paths["/audit/organizations/{organizationId}"]["get"]["parameters"];
    push(
        audit,
        query_parameter("action", "Only entries with this action (Roster)"),
    );
    push(
        audit,
        query_parameter("actorId", "Only entries by this user (Roster)"),
    );
    merge(paths, roster_paths());
    doc
}

fn roster_paths() -> Value {
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
            "security": [{ "bearer": [] }, { "cookie": [] }],
            "responses": { "204": { "description": "Signed out" } }
        }},
        "/auth/verify-email": { "post": {
            "operationId": "verifyEmail",
            "summary": "Prove the signed-in account's e-mail address with the token of its verification link",
            "tags": ["auth"],
            "security": [{ "bearer": [] }, { "cookie": [] }],
            "requestBody": body("VerifyEmail"),
            "responses": { "204": { "description": "E-mail address verified" } }
        }},
        "/organizations/{organizationId}": { "patch": {
            "operationId": "renameOrganization",
            "summary": "Rename an organization (Roster)",
            "tags": ["organizations"],
            "parameters": [organization_id.clone()],
            "security": [{ "bearer": [] }, { "cookie": [] }],
            "requestBody": body("UpdateOrganization"),
            "responses": ok("200", "Organization renamed", schema_ref("Organization"))
        }},
        "/organizations/{organizationId}/invitations/{invitationId}/resend": { "post": {
            "operationId": "resendOrganizationInvitation",
            "summary": "Send a pending invitation again and renew its expiry (Roster)",
            "tags": ["organizations"],
            "parameters": [organization_id, invitation_id],
            "security": [{ "bearer": [] }, { "cookie": [] }],
            "responses": {
                "200": ok("200", "Invitation sent again", schema_ref("OrganizationInvitation"))["200"],
                "429": {
                    "description": "An invitation was mailed to this address less than a minute ago (Retry-After says when to try again)"
                }
            }
        }},
        "/organizations/invitations/{invitationId}": { "get": {
            "operationId": "getOrganizationInvitationForAuthenticatedUser",
            "summary": "One invitation addressed to the authenticated user (Roster)",
            "tags": ["organizations"],
            "parameters": [invitation_id.clone()],
            "security": [{ "bearer": [] }, { "cookie": [] }],
            "responses": ok("200", "The invitation", schema_ref("OrganizationInvitation"))
        }}
    })
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
                "demoAccounts": { "type": "array", "items": schema_ref("DemoAccount") }
            },
            "required": ["version", "auth", "dev"]
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
                "email": { "type": "string" },
                "password": { "type": "string", "minLength": 8, "maxLength": 128 },
                "name": { "type": "string" }
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
            "properties": { "token": { "type": "string" } },
            "required": ["token"]
        },
        "UpdateOrganization": {
            "type": "object",
            "properties": { "name": { "type": "string" } },
            "required": ["name"]
        },
        "LeaveOrganization": {
            "type": "object",
            "properties": {
                "successorId": {
                    "type": "string",
                    "description": "A sole owner names the member who becomes owner"
                }
            }
        }
    })
}

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

fn query_parameter(name: &str, description: &str) -> Value {
    json!({
        "name": name,
        "in": "query",
        "required": false,
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
    fn reference_parses_and_document_builds() {
        let reference = reference().unwrap();
        assert_eq!(reference["openapi"], "3.0.0");
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
    }
}
