//! The audit log: a page of it, the actions it records, and the export of
//! every row a filter selects, read as it arrives.

use gloo_net::http::Method;
use roster_core::audit::{ExportFormat, TOTAL_COUNT_HEADER};
use roster_core::audit_filter::AuditFilters;
use roster_core::wire;

use super::error::network_error;
use super::transport::{
    attachment_file_name, failure, get, query_string, send_authorized, Body, Outgoing,
};
use super::{encode, ApiResult};

/// Query of `GET /audit/organizations/{id}`; `None` fields are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// 1-based.
    pub page: Option<u32>,
    /// 1–200; the server's default is 100.
    pub limit: Option<u32>,
    /// Cursor pagination; takes precedence over `page`.
    pub next_token: Option<String>,
    /// In Daytona's syntax, written in the bracket style
    /// (`action[in]=…&statusCode[gte]=400`).
    pub filters: AuditFilters,
}

impl AuditQuery {
    /// `?page=…&limit=…&action[in]=…`, or empty.
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(String, String)> = [
            ("page", self.page.map(|p| p.to_string())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("nextToken", self.next_token.clone()),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.map(|v| (key.to_owned(), v)))
        .collect();
        pairs.extend(self.filters.to_query());
        query_string(&pairs)
    }
}

/// `GET /audit/organizations/{id}`, newest first.
pub async fn audit_logs(
    organization_id: &str,
    query: &AuditQuery,
) -> ApiResult<wire::PaginatedAuditLogs> {
    get(&format!(
        "/audit/organizations/{}{}",
        encode(organization_id),
        query.to_query_string()
    ))
    .await
}

/// `GET /audit/scenarios`: the actions an audit log records, by target
/// type (Daytona v0.205; absent from older backends).
pub async fn audit_scenarios() -> ApiResult<wire::AuditScenarios> {
    get("/audit/scenarios").await
}

/// The path of `GET /audit/organizations/{id}/export` (Roster): the rows
/// `filters` select, every page of them.
pub fn audit_export_path(
    organization_id: &str,
    format: ExportFormat,
    filters: &AuditFilters,
) -> String {
    let mut pairs = vec![("format".to_owned(), format.as_str().to_owned())];
    pairs.extend(filters.to_query());
    format!(
        "/audit/organizations/{}/export{}",
        encode(organization_id),
        query_string(&pairs)
    )
}

/// An answer whose body is read as it arrives.
pub struct Streamed {
    /// The body, once: [`web_sys::Response::body`].
    pub response: web_sys::Response,
    /// `X-Total-Count`: how many rows the body holds.
    pub total: Option<u64>,
    /// The file name of `Content-Disposition`, when the server gives one.
    pub file_name: Option<String>,
}

/// `GET /audit/organizations/{id}/export` (Roster), authenticated as every
/// other request; `abort` cancels it, the reading of the body included.
/// A failure is the server's message, as for any request.
pub async fn audit_export(
    organization_id: &str,
    format: ExportFormat,
    filters: &AuditFilters,
    abort: &web_sys::AbortSignal,
) -> ApiResult<Streamed> {
    let path = audit_export_path(organization_id, format, filters);
    let mode = crate::auth::ready().await;
    let outgoing = Outgoing {
        accept: format.content_type(),
        abort: Some(abort),
        ..Outgoing::new(Method::GET, &path, Body::None)
    };
    let response = send_authorized(&outgoing, Some(&mode)).await?;
    let status = response.status();
    if !(200..300).contains(&status) {
        let body = response.binary().await.map_err(network_error)?;
        return Err(failure(&Method::GET, &path, status, &body));
    }
    let headers = response.headers();
    let total = headers
        .get(TOTAL_COUNT_HEADER)
        .and_then(|t| t.trim().parse().ok());
    let file_name = headers
        .get("content-disposition")
        .and_then(|value| attachment_file_name(&value));
    Ok(Streamed {
        response: response.into(),
        total,
        file_name,
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use roster_core::audit::ExportFormat;
    use roster_core::audit_filter::{Outcome, TextColumn};

    #[test]
    fn audit_query_sends_the_filters_in_brackets_and_escapes_values() {
        assert_eq!(AuditQuery::default().to_query_string(), "");
        let mut filters = AuditFilters::default();
        filters.text_mut(TextColumn::Action).any_of = Some(vec!["update_access".into()]);
        filters.text_mut(TextColumn::ActorEmail).eq = Some("a+b@example.com".into());
        filters.status_code = Outcome::ClientError.filter();
        filters.created_at.gte = Some("2025-03-01T00:00:00Z".parse().expect("timestamp"));
        let query = AuditQuery {
            page: Some(2),
            limit: Some(50),
            filters,
            ..AuditQuery::default()
        };
        assert_eq!(
            query.to_query_string(),
            "?page=2&limit=50\
             &actorEmail%5Beq%5D=a%2Bb%40example.com\
             &action%5Bin%5D=update_access\
             &statusCode%5Bgte%5D=400&statusCode%5Blt%5D=500\
             &createdAt%5Bgte%5D=2025-03-01T00%3A00%3A00.000Z"
        );
    }

    #[test]
    fn an_export_asks_for_the_same_filters_without_pages() {
        let mut filters = AuditFilters::default();
        filters.text_mut(TextColumn::TargetType).eq = Some("organization_user".into());
        assert_eq!(
            audit_export_path("o 1", ExportFormat::Ndjson, &filters),
            "/audit/organizations/o%201/export?format=ndjson&targetType%5Beq%5D=organization_user"
        );
        assert_eq!(
            audit_export_path("o1", ExportFormat::Csv, &AuditFilters::default()),
            "/audit/organizations/o1/export?format=csv"
        );
    }
}
