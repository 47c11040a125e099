//! Invitations: the organization's side (owners invite, edit, cancel and
//! resend) and the invitee's side (list, open, accept, decline). The steps
//! are `services::invitations`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use roster_core::wire::{
    CreateOrganizationInvitation, OrganizationInvitation, UpdateOrganizationInvitation,
};
use serde::Deserialize;

use super::context::OrgContext;
use super::extract::{Json, RouteList};
use crate::audit::{AuditSlot, INVITATION};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::services::invitations::{self, InvitationMail, Invitee};
use crate::state::AppState;

pub fn routes(routes: &mut RouteList) {
    routes.add("/organizations/invitations", get(list_mine));
    routes.add("/organizations/invitations/count", get(count_mine));
    routes.add("/organizations/invitations/{invitationId}", get(get_mine));
    routes.add(
        "/organizations/invitations/{invitationId}/accept",
        post(accept),
    );
    routes.add(
        "/organizations/invitations/{invitationId}/decline",
        post(decline),
    );
    routes.add(
        "/organizations/{organizationId}/invitations",
        get(list).post(create),
    );
    routes.add(
        "/organizations/{organizationId}/invitations/{invitationId}",
        put(update),
    );
    routes.add(
        "/organizations/{organizationId}/invitations/{invitationId}/cancel",
        post(cancel),
    );
    routes.add(
        "/organizations/{organizationId}/invitations/{invitationId}/resend",
        post(resend),
    );
}

fn mail(state: &AppState) -> InvitationMail<'_> {
    InvitationMail {
        mailer: &state.mailer,
        public_url: state.settings.public_url(),
    }
}

fn invitee(user: &CurrentUser) -> Invitee<'_> {
    Invitee {
        user_id: &user.id,
        email: &user.email,
        email_verified: user.email_verified,
    }
}

// ---------------------------------------------------------------------------
// The organization's side

#[derive(Deserialize)]
struct ListQuery {
    include: Option<String>,
}

#[derive(Deserialize)]
struct InvitationPath {
    #[serde(rename = "invitationId")]
    invitation_id: String,
}

/// The organization's pending invitations, newest first (with
/// `?include=expired`, owners also see the expired ones).
async fn list(
    State(state): State<AppState>,
    ctx: OrgContext,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let include_expired = match query.include.as_deref() {
        None | Some("") => false,
        Some("expired") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Invalid query: include must be 'expired', not '{other}'"
            )))
        }
    };
    let list = invitations::serialized_list(
        &state.db,
        &state.lists,
        ctx.id(),
        &ctx.capabilities,
        include_expired,
    )
    .await?;
    // The first gzip of a large list takes a while: off the async workers.
    tokio::task::spawn_blocking(move || list.response(&headers))
        .await
        .map_err(ApiError::internal)
}

async fn create(
    State(state): State<AppState>,
    ctx: OrgContext,
    audit: AuditSlot,
    Json(body): Json<CreateOrganizationInvitation>,
) -> ApiResult<(StatusCode, Json<OrganizationInvitation>)> {
    let invitation = invitations::create(
        &state.db,
        &mail(&state),
        ctx.id(),
        &ctx.capabilities,
        &ctx.user.email,
        &body,
    )
    .await?;
    audit.set_target(INVITATION, &invitation.id);
    Ok((StatusCode::CREATED, Json(invitation)))
}

async fn update(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(path): Path<InvitationPath>,
    Json(body): Json<UpdateOrganizationInvitation>,
) -> ApiResult<Json<OrganizationInvitation>> {
    let updated = invitations::update(
        &state.db,
        ctx.id(),
        &ctx.capabilities,
        &path.invitation_id,
        &body,
    )
    .await?;
    Ok(Json(updated))
}

async fn cancel(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(path): Path<InvitationPath>,
) -> ApiResult<StatusCode> {
    invitations::cancel(
        &state.db,
        &state.settings.public_url(),
        ctx.id(),
        &ctx.capabilities,
        &path.invitation_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn resend(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(path): Path<InvitationPath>,
) -> ApiResult<Json<OrganizationInvitation>> {
    let renewed = invitations::resend(
        &state.db,
        &mail(&state),
        ctx.id(),
        &ctx.capabilities,
        &path.invitation_id,
    )
    .await?;
    Ok(Json(renewed))
}

// ---------------------------------------------------------------------------
// The invitee's side: the signed-in user whose verified e-mail matches the
// invitation's address, case-insensitively. Anyone else learns nothing
// about an invitation: it is "not found".

async fn list_mine(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<OrganizationInvitation>>> {
    Ok(Json(
        invitations::list_mine(&state.db, &invitee(&user)).await?,
    ))
}

async fn count_mine(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<i64>> {
    Ok(Json(
        invitations::count_mine(&state.db, &invitee(&user)).await?,
    ))
}

/// One invitation in any status, so the invitation dialog can say that it
/// expired or was already answered.
async fn get_mine(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<OrganizationInvitation>> {
    Ok(Json(
        invitations::get_mine(&state.db, &invitee(&user), &id).await?,
    ))
}

/// Accepting joins the organization and closes the invitation at once.
async fn accept(
    State(state): State<AppState>,
    user: CurrentUser,
    audit: AuditSlot,
    Path(id): Path<String>,
) -> ApiResult<Json<OrganizationInvitation>> {
    let accepted = invitations::accept(&state.db, &invitee(&user), &id, |organization_id| {
        audit.set_organization(organization_id)
    })
    .await?;
    Ok(Json(accepted))
}

async fn decline(
    State(state): State<AppState>,
    user: CurrentUser,
    audit: AuditSlot,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    invitations::decline(&state.db, &invitee(&user), &id, |organization_id| {
        audit.set_organization(organization_id)
    })
    .await?;
    Ok(StatusCode::OK)
}
