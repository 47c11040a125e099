//! The OpenAPI contract: real responses of every documented operation,
//! obtained by driving the API as owner, member and invitee, are validated
//! against the served document, whose schemas are Daytona's current
//! reference ones (v0.205.1) except for the listed corrections, and against
//! the v0.190 baseline that older clients were made from. Every error an
//! operation answers must be documented too. A small validator covers the
//! part of OpenAPI 3.0 that the documents use.

use std::collections::BTreeSet;

use crate::common::{personal_organization, Response, TestApp};
use axum::http::{Method, StatusCode};
use chrono::DateTime;
use roster_core::{AUDITOR_ID, DEVELOPER_ID};
use roster_server::http::access::{Who, ROUTES};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// The validator

/// Keywords that describe rather than constrain.
const ANNOTATIONS: &[&str] = &[
    "description",
    "example",
    "default",
    "x-enum-varnames",
    "title",
    "deprecated",
];
const CHECKED: &[&str] = &[
    "$ref",
    "type",
    "nullable",
    "allOf",
    "enum",
    "format",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
];

struct Validator<'a> {
    document: &'a Value,
    /// Whether a property that an object's schema does not list is an
    /// error: Roster's own document must name everything Roster sends
    /// (Daytona's v0.190 document, naturally, does not).
    complete: bool,
}

impl Validator<'_> {
    /// Every way `value` breaks `schema`, each prefixed with its JSON path.
    fn errors(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(schema, value, "$", &mut errors);
        errors
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(keywords) = schema.as_object() else {
            errors.push(format!("{at}: the schema is not an object: {schema}"));
            return;
        };
        for keyword in keywords.keys() {
            if !CHECKED.contains(&keyword.as_str()) && !ANNOTATIONS.contains(&keyword.as_str()) {
                errors.push(format!("{at}: the validator does not support '{keyword}'"));
            }
        }
        if let Some(reference) = schema.get("$ref") {
            match self.resolve(reference) {
                Some(target) => self.check(target, value, at, errors),
                None => errors.push(format!("{at}: unresolvable $ref {reference}")),
            }
            return; // siblings of $ref are ignored in OpenAPI 3.0
        }
        if value.is_null() {
            let constrained = ["type", "allOf", "enum", "properties", "items"]
                .iter()
                .any(|k| schema.get(*k).is_some());
            if constrained && schema.get("nullable") != Some(&Value::Bool(true)) {
                errors.push(format!("{at}: null is not allowed"));
            }
            return;
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.check(part, value, at, errors);
            }
        }
        if let Some(kind) = schema.get("type").and_then(Value::as_str) {
            if !has_type(value, kind) {
                errors.push(format!("{at}: expected {kind}, got {}", type_of(value)));
                return;
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                errors.push(format!(
                    "{at}: {value} is not one of {}",
                    Value::from(allowed.clone())
                ));
            }
        }
        self.check_bounds(schema, value, at, errors);
        if schema.get("format").and_then(Value::as_str) == Some("date-time") {
            if let Some(text) = value.as_str() {
                if DateTime::parse_from_rfc3339(text).is_err() {
                    errors.push(format!("{at}: '{text}' is not an RFC 3339 date-time"));
                }
            }
        }
        if let Some(object) = value.as_object() {
            let properties = schema.get("properties").and_then(Value::as_object);
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = name.as_str() {
                    if !object.contains_key(name) {
                        errors.push(format!("{at}.{name}: required property missing"));
                    }
                }
            }
            for (name, item) in object {
                let item_at = format!("{at}.{name}");
                match (
                    properties.and_then(|p| p.get(name)),
                    schema.get("additionalProperties"),
                ) {
                    (Some(property), _) => self.check(property, item, &item_at, errors),
                    (None, Some(Value::Bool(false))) => {
                        errors.push(format!("{item_at}: property not allowed"))
                    }
                    (None, Some(extra @ Value::Object(_))) => {
                        self.check(extra, item, &item_at, errors)
                    }
                    (None, _) if self.complete && properties.is_some() => {
                        errors.push(format!("{item_at}: sent but not documented"))
                    }
                    (None, _) => {}
                }
            }
        }
        if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
            for (index, item) in values.iter().enumerate() {
                self.check(items, item, &format!("{at}[{index}]"), errors);
            }
        }
    }

    /// Lengths (in characters), numeric ranges and list sizes.
    fn check_bounds(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let bound = |keyword: &str| schema.get(keyword).and_then(Value::as_f64);
        let size = match value {
            Value::String(text) => Some((text.chars().count() as f64, "characters")),
            Value::Array(items) => Some((items.len() as f64, "items")),
            _ => None,
        };
        let (min_size, max_size) = match value {
            Value::String(_) => (bound("minLength"), bound("maxLength")),
            _ => (bound("minItems"), bound("maxItems")),
        };
        if let Some((size, unit)) = size {
            if min_size.is_some_and(|min| size < min) {
                errors.push(format!(
                    "{at}: fewer than {} {unit}",
                    min_size.unwrap_or_default()
                ));
            }
            if max_size.is_some_and(|max| size > max) {
                errors.push(format!(
                    "{at}: more than {} {unit}",
                    max_size.unwrap_or_default()
                ));
            }
        }
        if let Some(number) = value.as_f64() {
            if bound("minimum").is_some_and(|min| number < min) {
                errors.push(format!("{at}: {value} is below the minimum"));
            }
            if bound("maximum").is_some_and(|max| number > max) {
                errors.push(format!("{at}: {value} is above the maximum"));
            }
        }
    }

    fn resolve(&self, reference: &Value) -> Option<&Value> {
        let pointer = reference.as_str()?.strip_prefix('#')?;
        self.document.pointer(pointer)
    }
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => false,
    }
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn reference() -> Value {
    roster_server::http::openapi::reference().unwrap()
}

fn baseline() -> Value {
    roster_server::http::openapi::baseline().unwrap()
}

#[test]
fn validator_rejects_missing_fields_wrong_types_and_bad_values() {
    let document = baseline();
    let validator = Validator {
        document: &document,
        complete: false,
    };
    let assignment = json!({"$ref": "#/components/schemas/OrganizationRole"});
    let good = json!({
        "id": "r1", "name": "Maintainer", "description": "", "permissions": ["write:registries"],
        "isGlobal": false, "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00.123Z"
    });
    assert_eq!(validator.errors(&assignment, &good), Vec::<String>::new());

    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("isGlobal");
    assert_eq!(
        validator.errors(&assignment, &missing),
        ["$.isGlobal: required property missing"]
    );

    let mut wrong = good.clone();
    wrong["isGlobal"] = json!("no");
    wrong["permissions"] = json!(["write:registries", "write:billing"]);
    wrong["createdAt"] = json!("yesterday");
    wrong["name"] = Value::Null;
    assert_eq!(
        validator.errors(&assignment, &wrong),
        [
            "$.createdAt: 'yesterday' is not an RFC 3339 date-time",
            "$.isGlobal: expected boolean, got string",
            "$.name: null is not allowed",
            "$.permissions[1]: \"write:billing\" is not one of [\"write:registries\",\"delete:registries\",\
             \"write:snapshots\",\"delete:snapshots\",\"write:sandboxes\",\"delete:sandboxes\",\
             \"read:volumes\",\"write:volumes\",\"delete:volumes\",\"write:regions\",\
             \"delete:regions\",\"read:runners\",\"write:runners\",\"delete:runners\",\
             \"read:audit_logs\"]",
        ]
    );

    // Through arrays, allOf and nullable.
    let users =
        json!({"type": "array", "items": {"$ref": "#/components/schemas/OrganizationUser"}});
    let user = json!({
        "userId": "u", "organizationId": "o", "name": "n", "email": "e", "role": "admin",
        "assignedRoles": [good, missing], "createdAt": "2025-01-01T00:00:00Z",
        "updatedAt": "2025-01-01T00:00:00Z"
    });
    assert_eq!(
        validator.errors(&users, &json!([user])),
        [
            "$[0].assignedRoles[1].isGlobal: required property missing",
            "$[0].role: \"admin\" is not one of [\"owner\",\"member\"]",
        ]
    );
    let region = json!({"$ref": "#/components/schemas/Region"});
    let mut shared = json!({"id": "us", "name": "us", "regionType": "shared", "organizationId": null,
                            "createdAt": "x", "updatedAt": "x"});
    assert_eq!(validator.errors(&region, &shared), Vec::<String>::new());
    shared["regionType"] = json!("moon");
    assert_eq!(
        validator.errors(&region, &shared),
        ["$.regionType: \"moon\" is not one of [\"shared\",\"dedicated\",\"custom\"]"]
    );
    let count = json!({"type": "number"});
    assert_eq!(
        validator.errors(&count, &json!("3")),
        ["$: expected number, got string"]
    );
    let strict = json!({"type": "object", "properties": {"a": {"type": "string"}},
                        "additionalProperties": false});
    assert_eq!(
        validator.errors(&strict, &json!({"a": "x", "b": 1})),
        ["$.b: property not allowed"]
    );
    let typed_map = json!({"type": "object", "additionalProperties": {"type": "string"}});
    assert_eq!(
        validator.errors(&typed_map, &json!({"k": 1})),
        ["$.k: expected string, got number"]
    );
    let bounded = json!({"type": "object", "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 3},
        "page": {"type": "integer", "minimum": 1, "maximum": 9},
        "ids": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2}
    }});
    assert_eq!(
        validator.errors(&bounded, &json!({"name": "äöü", "page": 9, "ids": ["a"]})),
        Vec::<String>::new()
    );
    assert_eq!(
        validator.errors(&bounded, &json!({"name": "", "page": 0, "ids": []})),
        [
            "$.ids: fewer than 1 items",
            "$.name: fewer than 1 characters",
            "$.page: 0 is below the minimum",
        ]
    );
    assert_eq!(
        validator.errors(
            &bounded,
            &json!({"name": "abcd", "page": 10, "ids": ["a", "b", "c"]})
        ),
        [
            "$.ids: more than 2 items",
            "$.name: more than 3 characters",
            "$.page: 10 is above the maximum",
        ]
    );
    let unsupported = json!({"oneOf": []});
    assert_eq!(
        validator.errors(&unsupported, &json!(1)),
        ["$: the validator does not support 'oneOf'"]
    );
}

// ---------------------------------------------------------------------------
// The served document

/// JSON pointers where `served` differs from `reference`: changed values,
/// and added or removed members (arrays count as single values; below five
/// levels, a change counts as one of its fifth-level ancestor, such as
/// `/components/schemas/X/properties/y`).
fn differences(reference: &Value, served: &Value, at: &str, out: &mut Vec<String>) {
    const DEPTH: usize = 5;
    let deepest = at.matches('/').count() == DEPTH;
    match (reference, served) {
        (Value::Object(a), Value::Object(b)) if !deepest => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => differences(x, y, &here, out),
                    (None, Some(_)) => out.push(format!("+{here}")),
                    (Some(_), None) => out.push(format!("-{here}")),
                    (None, None) => {}
                }
            }
        }
        (a, b) if a != b => out.push(format!("~{at}")),
        _ => {}
    }
}

/// Whether a difference is one that a rule of `http/openapi.rs` makes for every
/// operation (error answers, security) or that follows from Roster serving
/// less than Daytona's excerpt: each is checked by a test of its own.
fn made_by_a_rule(change: &str) -> bool {
    let pointer = &change[1..];
    let parts: Vec<&str> = pointer.split('/').collect();
    let is_error_answer = parts.len() == 6
        && parts[1] == "paths"
        && parts[4] == "responses"
        && (parts[5].starts_with('4') || parts[5].starts_with('5'));
    let is_security = parts.len() == 5 && parts[1] == "paths" && parts[4] == "security";
    let unserved = change.starts_with('-')
        && roster_server::http::openapi::NOT_SERVED
            .iter()
            .any(|path| pointer == format!("/paths/{}", path.replace('/', "~1")));
    let pruned = change.starts_with('-') && parts.len() == 4 && parts[2] == "schemas";
    is_error_answer || is_security || unserved || pruned
}

#[tokio::test]
async fn served_document_is_the_reference_plus_listed_changes() {
    let app = TestApp::new().await;
    let response = app
        .request(Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers["content-type"], "application/json");
    let served = response.body;
    assert_eq!(served["openapi"], "3.0.0");
    assert_eq!(served["servers"], json!([{"url": "/api"}]));

    let mut changes = Vec::new();
    differences(&reference(), &served, "", &mut changes);
    changes.retain(|change| !made_by_a_rule(change));
    assert_eq!(
        changes,
        [
            "+/components/schemas/ApiError",
            "~/components/schemas/AuditTargetScenario/properties/actions",
            "~/components/schemas/AuditTargetScenario/properties/targetType",
            "+/components/schemas/AuthSession",
            "+/components/schemas/BulkMemberResult",
            "+/components/schemas/BulkMembersRefused",
            "+/components/schemas/BulkMembersRequest",
            "+/components/schemas/BulkMembersResponse",
            "~/components/schemas/CreateOrganization/properties/defaultRegionId",
            "~/components/schemas/CreateOrganization/properties/name",
            "~/components/schemas/CreateOrganization/required",
            "~/components/schemas/CreateOrganizationInvitation/properties/assignedRoleIds",
            "~/components/schemas/CreateOrganizationInvitation/properties/email",
            "~/components/schemas/CreateOrganizationInvitation/properties/expiresAt",
            "~/components/schemas/CreateOrganizationInvitation/required",
            "~/components/schemas/CreateOrganizationRole/properties/description",
            "~/components/schemas/CreateOrganizationRole/properties/name",
            "~/components/schemas/CreateOrganizationRole/properties/permissions",
            "+/components/schemas/DateFilter/additionalProperties",
            "+/components/schemas/DemoAccount",
            "+/components/schemas/IntFilter/additionalProperties",
            "~/components/schemas/IntFilter/properties/eq",
            "~/components/schemas/IntFilter/properties/gt",
            "~/components/schemas/IntFilter/properties/gte",
            "~/components/schemas/IntFilter/properties/in",
            "~/components/schemas/IntFilter/properties/lt",
            "~/components/schemas/IntFilter/properties/lte",
            "~/components/schemas/IntFilter/properties/not",
            "~/components/schemas/IntFilter/properties/notIn",
            "+/components/schemas/LeaveOrganization",
            "+/components/schemas/Organization/properties/defaultQueueTimeout",
            "~/components/schemas/Organization/properties/maxSecretsPerSandbox",
            "~/components/schemas/Organization/properties/previewWarningEnabled",
            "+/components/schemas/Organization/properties/scimEnabled",
            "~/components/schemas/Organization/properties/secretQuota",
            "~/components/schemas/Organization/properties/ssoEnabled",
            "~/components/schemas/Organization/properties/suspendedAt",
            "~/components/schemas/Organization/properties/suspendedUntil",
            "~/components/schemas/Organization/properties/suspensionReason",
            "~/components/schemas/Organization/required",
            "+/components/schemas/OrganizationUser/properties/lastActiveAt",
            "+/components/schemas/RegionUsageOverview/properties/maxCpuPerGpuSandbox",
            "+/components/schemas/RegionUsageOverview/properties/maxDiskPerGpuSandbox",
            "+/components/schemas/RegionUsageOverview/properties/maxMemoryPerGpuSandbox",
            "+/components/schemas/RosterConfig",
            "+/components/schemas/SignIn",
            "+/components/schemas/SignUp",
            "+/components/schemas/StringFilter/additionalProperties",
            "~/components/schemas/StringFilter/properties/in",
            "~/components/schemas/StringFilter/properties/notIn",
            "+/components/schemas/UpdateOrganization",
            "~/components/schemas/UpdateOrganizationDefaultRegion/properties/defaultRegionId",
            "~/components/schemas/UpdateOrganizationInvitation/properties/assignedRoleIds",
            "~/components/schemas/UpdateOrganizationInvitation/properties/expiresAt",
            "~/components/schemas/UpdateOrganizationMemberAccess/properties/assignedRoleIds",
            "~/components/schemas/UpdateOrganizationMemberAccess/required",
            "~/components/schemas/UpdateOrganizationRole/properties/description",
            "~/components/schemas/UpdateOrganizationRole/properties/name",
            "~/components/schemas/UpdateOrganizationRole/properties/permissions",
            "+/components/schemas/VerifyEmail",
            "-/components/securitySchemes/bearer/bearerFormat",
            "~/components/securitySchemes/bearer/description",
            "+/components/securitySchemes/cookie",
            "-/components/securitySchemes/oauth2",
            "-/info/contact",
            "~/info/description",
            "-/info/license",
            "~/info/title",
            "~/info/version",
            "~/paths/~1audit~1organizations~1{organizationId}/get/parameters",
            "+/paths/~1audit~1organizations~1{organizationId}~1export",
            "+/paths/~1auth~1sign-in",
            "+/paths/~1auth~1sign-out",
            "+/paths/~1auth~1sign-up",
            "+/paths/~1auth~1verify-email",
            "~/paths/~1config/get/responses/200",
            "+/paths/~1health",
            "+/paths/~1openapi.json",
            "+/paths/~1organizations~1invitations~1{invitationId}",
            "+/paths/~1organizations~1{organizationId}/patch",
            "~/paths/~1organizations~1{organizationId}~1invitations/get/parameters",
            "~/paths/~1organizations~1{organizationId}~1invitations/get/responses/200",
            "+/paths/~1organizations~1{organizationId}~1invitations/get/responses/304",
            "+/paths/~1organizations~1{organizationId}~1invitations~1{invitationId}~1resend",
            "+/paths/~1organizations~1{organizationId}~1leave/post/requestBody",
            "~/paths/~1organizations~1{organizationId}~1users/get/parameters",
            "~/paths/~1organizations~1{organizationId}~1users/get/responses/200",
            "+/paths/~1organizations~1{organizationId}~1users/get/responses/304",
            "+/paths/~1organizations~1{organizationId}~1users~1bulk",
            "+/servers",
        ]
    );
}

/// Every route of the access table is documented, and every documented
/// operation is a route: the document is the API's surface.
#[test]
fn document_lists_exactly_the_routes() {
    let document = roster_server::http::openapi::document().unwrap();
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(
        documented.difference(&routed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "documented but not routed"
    );
    assert_eq!(
        routed.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routed but not documented"
    );
}

// ---------------------------------------------------------------------------
// Real responses

/// The v0.190 baseline with the corrections that hold for Daytona's own
/// server as much as for Roster's: the suspension fields are `null` on an
/// unsuspended organization, and permissions added since (the global Super
/// Admin holds all 21) reach old clients, which read them as plain strings.
fn corrected_baseline() -> Value {
    let mut baseline = baseline();
    let schemas = &mut baseline["components"]["schemas"];
    for (schema, property) in roster_server::http::openapi::NULLABLE_CORRECTIONS {
        schemas[schema]["properties"][property]["nullable"] = json!(true);
    }
    let permissions: Vec<&str> = roster_core::Permission::ALL
        .iter()
        .map(|p| p.as_str())
        .collect();
    for schema in [
        "OrganizationRole",
        "CreateOrganizationRole",
        "UpdateOrganizationRole",
    ] {
        schemas[schema]["properties"]["permissions"]["items"]["enum"] = json!(permissions);
    }
    baseline
}

/// Checks responses against the served document (every status, its body
/// and its content type) and against the v0.190 baseline (the success
/// answers of the operations it has), and remembers which operations were
/// seen.
struct Contract {
    document: Value,
    baseline: Value,
    seen: BTreeSet<(String, String)>,
    failures: Vec<String>,
}

impl Contract {
    fn new(document: Value) -> Contract {
        Contract {
            document,
            baseline: corrected_baseline(),
            seen: BTreeSet::new(),
            failures: Vec::new(),
        }
    }

    fn check(&mut self, method: Method, template: &str, response: &Response) {
        self.seen.insert((method.to_string(), template.to_string()));
        let operation = format!("{method} {template}");
        let failures = Self::failures_against(
            &self.document,
            true,
            &operation,
            &method,
            template,
            response,
        );
        self.failures.extend(failures);
        let old = &self.baseline["paths"][template][method.as_str().to_lowercase()];
        // Roster's /config describes Roster, not a Daytona deployment.
        let own_answer = template == "/config";
        if response.status.is_success() && old.is_object() && !own_answer {
            let failures = Self::failures_against(
                &self.baseline,
                false,
                &format!("{operation} (v0.190)"),
                &method,
                template,
                response,
            );
            self.failures.extend(failures);
        }
    }

    fn failures_against(
        document: &Value,
        complete: bool,
        operation: &str,
        method: &Method,
        template: &str,
        response: &Response,
    ) -> Vec<String> {
        let documented = &document["paths"][template][method.as_str().to_lowercase()];
        if documented.is_null() {
            return vec![format!("{operation}: not in the document")];
        }
        let status = response.status.as_str();
        let Some(answer) = documented["responses"].get(status) else {
            return vec![format!(
                "{operation}: status {status} is not documented ({:?})",
                response.body
            )];
        };
        let media_type = response
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_string());
        match (&answer["content"], media_type) {
            (Value::Object(content), Some(media_type)) => match content.get(&media_type) {
                Some(described) => {
                    let validator = Validator { document, complete };
                    validator
                        .errors(&described["schema"], &response.body)
                        .into_iter()
                        .map(|error| format!("{operation}: {status}: {error}"))
                        .collect()
                }
                None => vec![format!(
                    "{operation}: {status} is documented without {media_type}"
                )],
            },
            (Value::Object(_), None) => {
                vec![format!("{operation}: {status} has no content type")]
            }
            _ if response.body.is_null() => Vec::new(),
            _ => vec![format!(
                "{operation}: {status} documents no body, got {}",
                response.body
            )],
        }
    }
}

const ORG: &str = "/organizations/{organizationId}";

#[tokio::test]
async fn real_responses_match_the_document() {
    let app = TestApp::new().await;
    let served = app
        .request(Method::GET, "/api/openapi.json", None, None)
        .await;
    let mut contract = Contract::new(served.body.clone());
    contract.check(Method::GET, "/openapi.json", &served);
    let health = app.request(Method::GET, "/api/health", None, None).await;
    contract.check(Method::GET, "/health", &health);
    let config = app.request(Method::GET, "/api/config", None, None).await;
    contract.check(Method::GET, "/config", &config);
    let regions = app
        .request(Method::GET, "/api/shared-regions", None, None)
        .await;
    contract.check(Method::GET, "/shared-regions", &regions);

    // Accounts: sign-up, sign-in, e-mail verification, the current user.
    let signed_up = app
        .request(
            Method::POST,
            "/api/auth/sign-up",
            None,
            Some(json!({"email": "dora@example.com", "password": "password123", "name": "Dora"})),
        )
        .await;
    contract.check(Method::POST, "/auth/sign-up", &signed_up);
    let link = app.last_link("dora@example.com").await.unwrap_or_default();
    let token = link
        .rsplit_once("token=")
        .map(|(_, t)| t.to_string())
        .unwrap_or_default();
    let verified = app
        .request(
            Method::POST,
            "/api/auth/verify-email",
            signed_up.body["token"].as_str(),
            Some(json!({"token": token})),
        )
        .await;
    contract.check(Method::POST, "/auth/verify-email", &verified);
    let signed_in = app
        .request(
            Method::POST,
            "/api/auth/sign-in",
            None,
            Some(json!({"email": "dora@example.com", "password": "password123"})),
        )
        .await;
    contract.check(Method::POST, "/auth/sign-in", &signed_in);
    let dora = signed_in.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let me = app.get("/api/users/me", &dora).await;
    contract.check(Method::GET, "/users/me", &me);
    let signed_out = app.post("/api/auth/sign-out", &dora, json!({})).await;
    contract.check(Method::POST, "/auth/sign-out", &signed_out);

    let owner = app.account("ada@example.com").await;
    let member = app.account("bob@example.com").await;
    let invitee = app.account("carol@example.com").await;

    // Organizations.
    let created = app
        .post("/api/organizations", &owner.token, json!({"name": "Acme"}))
        .await;
    contract.check(Method::POST, "/organizations", &created);
    let org = created.body["id"].as_str().unwrap().to_string();
    let at = |path: &str| format!("/api/organizations/{org}{path}");
    contract.check(
        Method::GET,
        "/organizations",
        &app.get("/api/organizations", &owner.token).await,
    );
    contract.check(Method::GET, ORG, &app.get(&at(""), &owner.token).await);
    let renamed = app
        .patch(&at(""), &owner.token, json!({"name": "Acme Corp"}))
        .await;
    contract.check(Method::PATCH, ORG, &renamed);
    let usage = app.get(&at("/usage"), &owner.token).await;
    contract.check(Method::GET, &format!("{ORG}/usage"), &usage);
    let region = app
        .patch(
            &at("/default-region"),
            &owner.token,
            json!({"defaultRegionId": "eu"}),
        )
        .await;
    contract.check(Method::PATCH, &format!("{ORG}/default-region"), &region);
    contract.check(Method::GET, ORG, &app.get(&at(""), &owner.token).await);

    // Assignments ("roles" on the wire).
    let assignment = app
        .post(
            &at("/roles"),
            &owner.token,
            json!({"name": "Maintainer", "description": "Registries",
                   "permissions": ["write:registries", "delete:registries"]}),
        )
        .await;
    contract.check(Method::POST, &format!("{ORG}/roles"), &assignment);
    let assignment_id = assignment.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let updated = app
        .put(
            &at(&format!("/roles/{assignment_id}")),
            &owner.token,
            json!({"name": "Maintainer", "description": "Registries and logs",
                   "permissions": ["write:registries", "read:audit_logs"]}),
        )
        .await;
    contract.check(Method::PUT, &format!("{ORG}/roles/{{roleId}}"), &updated);

    // Members.
    app.add_member(&org, &member, "member", &[AUDITOR_ID, &assignment_id])
        .await;
    contract.check(
        Method::GET,
        &format!("{ORG}/roles"),
        &app.get(&at("/roles"), &member.token).await,
    );
    contract.check(
        Method::GET,
        &format!("{ORG}/users"),
        &app.get(&at("/users"), &member.token).await,
    );
    let access = app
        .post(
            &at(&format!("/users/{}/access", member.id)),
            &owner.token,
            json!({"role": "member", "assignedRoleIds": [DEVELOPER_ID, AUDITOR_ID, assignment_id]}),
        )
        .await;
    contract.check(
        Method::POST,
        &format!("{ORG}/users/{{userId}}/access"),
        &access,
    );
    for mode in ["perMember", "allOrNothing"] {
        let bulk = app
            .post(
                &at("/users/bulk"),
                &owner.token,
                json!({"action": "addAssignment", "assignmentId": AUDITOR_ID, "mode": mode,
                       "userIds": [member.id, owner.id]}),
            )
            .await;
        contract.check(Method::POST, &format!("{ORG}/users/bulk"), &bulk);
    }

    // Invitations, from the organization's side and the invitee's.
    let invitation = app
        .post(
            &at("/invitations"),
            &owner.token,
            json!({"email": "Carol@Example.com", "role": "member", "assignedRoleIds": [assignment_id]}),
        )
        .await;
    contract.check(Method::POST, &format!("{ORG}/invitations"), &invitation);
    let invitation_id = invitation.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let invitation_at = at(&format!("/invitations/{invitation_id}"));
    let changed = app
        .put(
            &invitation_at,
            &owner.token,
            json!({"role": "member", "assignedRoleIds": [DEVELOPER_ID, assignment_id]}),
        )
        .await;
    contract.check(
        Method::PUT,
        &format!("{ORG}/invitations/{{invitationId}}"),
        &changed,
    );
    // A minute after the invitation's mail (one a minute per address).
    app.forget_mail_cooldowns().await;
    let resent = app
        .post(&format!("{invitation_at}/resend"), &owner.token, json!({}))
        .await;
    contract.check(
        Method::POST,
        &format!("{ORG}/invitations/{{invitationId}}/resend"),
        &resent,
    );
    for (token, query) in [(&member.token, ""), (&owner.token, "?include=expired")] {
        let listed = app.get(&at(&format!("/invitations{query}")), token).await;
        contract.check(Method::GET, &format!("{ORG}/invitations"), &listed);
    }
    let mine = app
        .get("/api/organizations/invitations", &invitee.token)
        .await;
    contract.check(Method::GET, "/organizations/invitations", &mine);
    let count = app
        .get("/api/organizations/invitations/count", &invitee.token)
        .await;
    contract.check(Method::GET, "/organizations/invitations/count", &count);
    let one = app
        .get(
            &format!("/api/organizations/invitations/{invitation_id}"),
            &invitee.token,
        )
        .await;
    contract.check(
        Method::GET,
        "/organizations/invitations/{invitationId}",
        &one,
    );
    let accepted = app
        .post(
            &format!("/api/organizations/invitations/{invitation_id}/accept"),
            &invitee.token,
            json!({}),
        )
        .await;
    contract.check(
        Method::POST,
        "/organizations/invitations/{invitationId}/accept",
        &accepted,
    );

    let second = app
        .post(
            &at("/invitations"),
            &owner.token,
            json!({"email": "dora@example.com"}),
        )
        .await;
    let second_id = second.body["id"].as_str().unwrap_or_default().to_string();
    let dora_again = app
        .request(
            Method::POST,
            "/api/auth/sign-in",
            None,
            Some(json!({"email": "dora@example.com", "password": "password123"})),
        )
        .await;
    let dora = dora_again.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let declined = app
        .post(
            &format!("/api/organizations/invitations/{second_id}/decline"),
            &dora,
            json!({}),
        )
        .await;
    contract.check(
        Method::POST,
        "/organizations/invitations/{invitationId}/decline",
        &declined,
    );
    let third = app
        .post(
            &at("/invitations"),
            &owner.token,
            json!({"email": "erin@example.com"}),
        )
        .await;
    let third_id = third.body["id"].as_str().unwrap_or_default().to_string();
    let cancelled = app
        .post(
            &at(&format!("/invitations/{third_id}/cancel")),
            &owner.token,
            json!({}),
        )
        .await;
    contract.check(
        Method::POST,
        &format!("{ORG}/invitations/{{invitationId}}/cancel"),
        &cancelled,
    );

    // The audit log, by page and by cursor, as owner and as an auditor.
    for (token, query) in [
        (&owner.token, "?limit=2"),
        (&member.token, "?page=2&limit=3&action=create"),
    ] {
        let log = app
            .get(&format!("/api/audit/organizations/{org}{query}"), token)
            .await;
        contract.check(Method::GET, "/audit/organizations/{organizationId}", &log);
        if let Some(next) = log.body["nextToken"].as_str() {
            let more = app
                .get(
                    &format!("/api/audit/organizations/{org}?limit=2&nextToken={next}"),
                    token,
                )
                .await;
            contract.check(Method::GET, "/audit/organizations/{organizationId}", &more);
        }
    }

    // Daytona's filters (both styles), the scenarios, and the export.
    for query in [
        "action[in]=create,update&statusCode[gte]=200&createdAt[gte]=2020-01-01",
        "action=%7B%22in%22%3A%5B%22create%22%5D%7D&statusCode=%7B%22lt%22%3A300%7D",
    ] {
        let log = app
            .get(
                &format!("/api/audit/organizations/{org}?{query}"),
                &owner.token,
            )
            .await;
        assert_eq!(log.status, StatusCode::OK, "{query}: {:?}", log.body);
        contract.check(Method::GET, "/audit/organizations/{organizationId}", &log);
    }
    let scenarios = app.get("/api/audit/scenarios", &owner.token).await;
    contract.check(Method::GET, "/audit/scenarios", &scenarios);
    for format in ["csv", "ndjson"] {
        let export = app
            .get(
                &format!("/api/audit/organizations/{org}/export?format={format}&action[eq]=create"),
                &owner.token,
            )
            .await;
        assert_eq!(export.status, StatusCode::OK, "{format}: {:?}", export.body);
        contract.check(
            Method::GET,
            "/audit/organizations/{organizationId}/export",
            &export,
        );
    }

    // Leaving, removing, deleting.
    let removed_assignment = app
        .post(
            &at(&format!("/users/{}/access", member.id)),
            &owner.token,
            json!({"role": "member", "assignedRoleIds": []}),
        )
        .await;
    contract.check(
        Method::POST,
        &format!("{ORG}/users/{{userId}}/access"),
        &removed_assignment,
    );
    sqlx::query("DELETE FROM member_assignments WHERE assignment_id = $1")
        .bind(&assignment_id)
        .execute(&app.state.db)
        .await
        .unwrap();
    let deleted_assignment = app
        .delete(&at(&format!("/roles/{assignment_id}")), &owner.token)
        .await;
    contract.check(
        Method::DELETE,
        &format!("{ORG}/roles/{{roleId}}"),
        &deleted_assignment,
    );
    let left = app.post(&at("/leave"), &invitee.token, json!({})).await;
    contract.check(Method::POST, &format!("{ORG}/leave"), &left);
    let removed = app
        .delete(&at(&format!("/users/{}", member.id)), &owner.token)
        .await;
    contract.check(Method::DELETE, &format!("{ORG}/users/{{userId}}"), &removed);
    let deleted = app.delete(&at(""), &owner.token).await;
    contract.check(Method::DELETE, ORG, &deleted);
    let personal = personal_organization(&app, &owner).await;
    contract.check(
        Method::GET,
        ORG,
        &app.get(&format!("/api/organizations/{personal}"), &owner.token)
            .await,
    );

    let documented: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let unexercised: Vec<_> = documented.difference(&contract.seen).collect();
    assert!(
        unexercised.is_empty(),
        "operations without a checked response: {unexercised:?}"
    );
    assert!(
        contract.failures.is_empty(),
        "responses that break the document:\n{}",
        contract.failures.join("\n")
    );
}

/// A route's path with its parameters filled in.
fn concrete(template: &str, organization: &str) -> String {
    let path = template
        .replace("{organizationId}", organization)
        .replace("{userId}", "no-such-user")
        .replace("{invitationId}", "no-such-invitation")
        .replace("{roleId}", "no-such-role");
    format!("/api{path}")
}

async fn raw(
    app: &TestApp,
    method: &Method,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: String,
) -> Response {
    let mut request = axum::http::Request::builder()
        .method(method.clone())
        .uri(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    app.send(request.body(axum::body::Body::from(body)).unwrap())
        .await
}

/// The errors operations share, for every route of the access table: no
/// session (401), a stranger to the organization (403), a body larger than
/// 64 KiB (413), malformed JSON (400) and a body not sent as JSON (415).
/// Each must be documented for its operation, with the error schema.
#[tokio::test]
async fn every_operation_documents_the_errors_it_shares() {
    let app = TestApp::new().await;
    let document = roster_server::http::openapi::document().unwrap().clone();
    let mut contract = Contract::new(document.clone());
    let owner = app.account("ada@example.com").await;
    let stranger = app.account("eve@example.com").await;
    let org = app.organization(&owner, "Acme").await;
    let too_large = format!("{{\"name\": \"{}\"}}", "x".repeat(70 * 1024));
    let mut seen = BTreeSet::new();
    for route in ROUTES {
        let method = &route.method;
        let path = concrete(route.path, &org);
        let scoped = route.path.contains("{organizationId}");
        let unsafe_method = !matches!(*method, Method::GET | Method::HEAD);
        let takes_json = document["paths"][route.path][method.as_str().to_lowercase()]
            ["requestBody"]["required"]
            == true;
        let mut answers = Vec::new();
        if route.who != Who::Anyone {
            answers.push(raw(&app, method, &path, None, None, String::new()).await);
        }
        if scoped {
            let token = Some(stranger.token.as_str());
            answers.push(raw(&app, method, &path, token, None, String::new()).await);
        }
        if unsafe_method {
            let json = Some("application/json");
            answers.push(raw(&app, method, &path, None, json, too_large.clone()).await);
        }
        if takes_json {
            let token = Some(owner.token.as_str());
            let json = Some("application/json");
            answers.push(raw(&app, method, &path, token, json, "{".into()).await);
            answers.push(raw(&app, method, &path, token, None, "{}".into()).await);
        }
        for answer in answers {
            let status = answer.status;
            assert!(
                status.is_client_error(),
                "{method} {path}: {status} {:?}",
                answer.body
            );
            seen.insert(answer.status.as_u16());
            contract.check(method.clone(), route.path, &answer);
        }
    }
    assert_eq!(seen, BTreeSet::from([400, 401, 403, 413, 415]));
    assert!(
        contract.failures.is_empty(),
        "undocumented errors:\n{}",
        contract.failures.join("\n")
    );
}
