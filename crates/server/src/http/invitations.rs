//! Invitations: the organization's side (owners invite, edit, cancel and
//! resend) and the invitee's side (list, open, accept, decline).
//!
//! The invitee is the signed-in user whose verified e-mail matches the
//! invitation's address, case-insensitively. Anyone else learns nothing
//! about an invitation: it is "not found".

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use chrono::{DateTime, TimeDelta, Utc};
use roster_core::invitation::validate_expiry;
use roster_core::wire::{
    CreateOrganizationInvitation, InvitationStatus, OrganizationInvitation,
    UpdateOrganizationInvitation,
};
use roster_core::{default_expiry, normalize_email, validate_email, Refusal};
use serde::Deserialize;

use super::context::OrgContext;
use super::extract::{Json, RouteList};
use super::roles::checked_role_ids;
use crate::audit::{AuditSlot, INVITATION};
use crate::auth::CurrentUser;
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::list_cache::{List, SerializedList, MIN_CACHED_ITEMS};
use crate::services::mail;
use crate::state::AppState;
use crate::store::invitations::{self, InvitationRow, NewInvitation};
use crate::store::roles;

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

fn not_found() -> ApiError {
    ApiError::not_found("Invitation not found")
}

/// Why a closed invitation cannot be answered or edited.
fn closed(invitation: &InvitationRow, now: DateTime<Utc>) -> ApiError {
    let reason = invitation
        .state(now)
        .closed_reason()
        .unwrap_or("This invitation is no longer pending");
    ApiError::forbidden(reason)
}

fn refused(ctx: &OrgContext) -> impl Fn(Refusal) -> ApiError + '_ {
    move |refusal| ApiError::refused(refusal, ctx.id())
}

/// The invitation-mail cooldown's key: one mail per organization and
/// address per minute.
fn mail_key(organization_id: &str, email: &str) -> String {
    format!("{organization_id} {email}")
}

/// An explicit resend within the cooldown is refused; the caller's
/// transaction is rolled back then (the guard takes the start back unless
/// the mail was committed).
fn mail_cooldown<'a>(
    state: &'a AppState,
    organization_id: &str,
    email: &str,
) -> ApiResult<crate::cooldown::Started<'a>> {
    state
        .resends
        .start(&mail_key(organization_id, email))
        .map_err(|seconds| {
            ApiError::too_many_requests(
                format!("An invitation was sent to {email} less than a minute ago; try again in {seconds} seconds"),
                seconds,
            )
        })
}

fn checked_expiry(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> ApiResult<()> {
    match expires_at {
        Some(at) => Ok(validate_expiry(at, now)?),
        None => Ok(()),
    }
}

fn invitation_link(state: &AppState, invitation_id: &str) -> String {
    format!(
        "{}/invitations?id={invitation_id}",
        state.settings.public_url()
    )
}

fn invitation_message(state: &AppState, invitation: &InvitationRow) -> mail::Message {
    let link = invitation_link(state, &invitation.id);
    mail::Message {
        to: invitation.email.clone(),
        subject: format!(
            "You have been invited to join {} on Roster",
            invitation.organization_name
        ),
        body: format!(
            "Hello,\n\n{} invited you to join the organization {} on Roster as {}.\n\n\
             Open the invitation to accept or decline it:\n{link}\n\n\
             The invitation expires on {} (UTC). Sign in with {} to answer it.\n",
            invitation.invited_by,
            invitation.organization_name,
            invitation.role().label(),
            invitation.expires_at.format("%Y-%m-%d %H:%M"),
            invitation.email,
        ),
        link: Some(link),
    }
}

/// The invitation with this id in the context's organization.
async fn find_in(
    db: &mut sqlx::SqliteConnection,
    ctx: &OrgContext,
    id: &str,
) -> ApiResult<InvitationRow> {
    invitations::find(db, id)
        .await?
        .filter(|invitation| invitation.organization_id == ctx.id())
        .ok_or_else(not_found)
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

/// The organization's pending invitations, newest first. Large lists are
/// served from [`crate::list_cache`] while the organization's invitations
/// version stays the same and none of them has expired.
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
    if include_expired && !ctx.capabilities.is_owner() {
        return Err(ApiError::refused(Refusal::NotOwner, ctx.id()));
    }
    let now = Utc::now();
    let kind = List::Invitations { include_expired };
    // One read transaction: the version, invitations and custom assignments
    // from the same snapshot.
    let mut tx = state.db.begin().await?;
    let version = invitations::list_version(&mut *tx, ctx.id()).await?;
    let cached = version.and_then(|v| state.lists.get(&kind, ctx.id(), v, now));
    let list = match cached {
        Some(list) => list,
        None => {
            let rows = invitations::list_for_organization(&mut *tx, ctx.id(), include_expired, now)
                .await?;
            let custom = roles::custom_roles(&mut *tx, ctx.id()).await?;
            // Without expired invitations, the list is right until the first expires.
            let valid_until = if include_expired {
                None
            } else {
                rows.iter().map(|row| row.expires_at).min()
            };
            let wire: Vec<OrganizationInvitation> =
                rows.iter().map(|row| row.to_wire(&custom)).collect();
            let list = tokio::task::spawn_blocking(move || SerializedList::new(&wire))
                .await
                .map_err(ApiError::internal)?
                .map_err(ApiError::internal)?;
            let list = Arc::new(list);
            if let Some(version) = version.filter(|_| rows.len() >= MIN_CACHED_ITEMS) {
                state
                    .lists
                    .put(kind, ctx.id(), version, valid_until, list.clone());
            }
            list
        }
    };
    tx.commit().await?;
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
    ctx.capabilities.invite().map_err(refused(&ctx))?;
    let now = Utc::now();
    let email = match (
        validate_email(&body.email),
        body.expires_at
            .map_or(Ok(()), |at| validate_expiry(at, now)),
    ) {
        (Ok(email), Ok(())) => email,
        (email, expiry) => {
            return Err(Vec::from_iter(email.err().into_iter().chain(expiry.err())).into())
        }
    };

    let mut tx = begin_write(&state.db).await?;
    let custom = roles::custom_roles(&mut *tx, ctx.id()).await?;
    let role_ids = checked_role_ids(&body.assigned_role_ids, &custom)?;
    if invitations::is_member(&mut *tx, ctx.id(), &email).await? {
        return Err(ApiError::conflict(format!(
            "{email} is already a member of this organization"
        )));
    }
    let already_invited = || {
        ApiError::conflict(format!(
            "{email} already has a pending invitation to this organization"
        ))
    };
    if invitations::has_open_invitation(&mut *tx, ctx.id(), &email, now).await? {
        return Err(already_invited());
    }
    let new = NewInvitation {
        organization_id: ctx.id(),
        email: &email,
        role: body.role,
        assigned_role_ids: &role_ids,
        invited_by: &ctx.user.email,
        expires_at: body.expires_at.unwrap_or_else(|| default_expiry(now)),
    };
    let invitation = match invitations::create(&mut tx, &new, now).await {
        Ok(invitation) => invitation,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(already_invited()),
        Err(e) => return Err(e.into()),
    };
    // The cooldown protects the inbox, not the invitation: within it the
    // invitation exists at once and its mail waits in the outbox.
    let slot = state
        .resends
        .book(&mail_key(ctx.id(), &invitation.email_normalized));
    let message = invitation_message(&state, &invitation);
    if slot.wait.is_zero() {
        mail::send(&state.mailer, &mut *tx, &message).await?;
    } else {
        let until = now + TimeDelta::from_std(slot.wait).map_err(ApiError::internal)?;
        mail::hold(&mut *tx, &message, until).await?;
    }
    tx.commit().await?;
    slot.done();
    state.mailer.wake();
    audit.set_target(INVITATION, &invitation.id);
    Ok((StatusCode::CREATED, Json(invitation.to_wire(&custom))))
}

async fn update(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(path): Path<InvitationPath>,
    Json(body): Json<UpdateOrganizationInvitation>,
) -> ApiResult<Json<OrganizationInvitation>> {
    ctx.capabilities
        .manage_invitations()
        .map_err(refused(&ctx))?;
    let now = Utc::now();
    let mut tx = begin_write(&state.db).await?;
    let invitation = find_in(&mut tx, &ctx, &path.invitation_id).await?;
    if !invitation.state(now).is_open() {
        return Err(closed(&invitation, now));
    }
    checked_expiry(body.expires_at, now)?;
    let custom = roles::custom_roles(&mut *tx, ctx.id()).await?;
    let role_ids = checked_role_ids(&body.assigned_role_ids, &custom)?;
    if !invitations::update_open(
        &mut tx,
        &invitation.id,
        body.role,
        &role_ids,
        body.expires_at,
        now,
    )
    .await?
    {
        return Err(closed(&invitation, now));
    }
    let updated = find_in(&mut tx, &ctx, &invitation.id).await?;
    tx.commit().await?;
    Ok(Json(updated.to_wire(&custom)))
}

async fn cancel(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(path): Path<InvitationPath>,
) -> ApiResult<StatusCode> {
    ctx.capabilities
        .manage_invitations()
        .map_err(refused(&ctx))?;
    let now = Utc::now();
    let mut tx = begin_write(&state.db).await?;
    let invitation = find_in(&mut tx, &ctx, &path.invitation_id).await?;
    // An expired invitation is still pending: it can be cancelled.
    if !invitations::cancel(&mut tx, &invitation.id, now).await? {
        return Err(closed(&invitation, now));
    }
    // A mail still held by the cooldown would only carry a dead link.
    mail::withdraw(&mut *tx, &invitation_link(&state, &invitation.id)).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn resend(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(path): Path<InvitationPath>,
) -> ApiResult<Json<OrganizationInvitation>> {
    ctx.capabilities
        .manage_invitations()
        .map_err(refused(&ctx))?;
    let now = Utc::now();
    let mut tx = begin_write(&state.db).await?;
    let invitation = find_in(&mut tx, &ctx, &path.invitation_id).await?;
    // Expired pending invitations are renewed; answered ones are final.
    if !invitations::renew(&mut tx, &invitation.id, default_expiry(now), now).await? {
        return Err(closed(&invitation, now));
    }
    let mailing = mail_cooldown(&state, ctx.id(), &invitation.email_normalized)?;
    let renewed = find_in(&mut tx, &ctx, &invitation.id).await?;
    mail::send(
        &state.mailer,
        &mut *tx,
        &invitation_message(&state, &renewed),
    )
    .await?;
    let custom = roles::custom_roles(&mut *tx, ctx.id()).await?;
    tx.commit().await?;
    mailing.done();
    state.mailer.wake();
    Ok(Json(renewed.to_wire(&custom)))
}

// ---------------------------------------------------------------------------
// The invitee's side

fn require_verified(user: &CurrentUser) -> ApiResult<()> {
    if user.email_verified {
        Ok(())
    } else {
        Err(ApiError::forbidden("Please verify your email address"))
    }
}

/// The invitation if it is addressed to the caller; "not found" otherwise,
/// so nobody can probe other people's invitations.
async fn addressed_to(
    db: &mut sqlx::SqliteConnection,
    user: &CurrentUser,
    id: &str,
) -> ApiResult<InvitationRow> {
    invitations::find(db, id)
        .await?
        .filter(|invitation| invitation.email_normalized == normalize_email(&user.email))
        .ok_or_else(not_found)
}

async fn list_mine(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<OrganizationInvitation>>> {
    if !user.email_verified {
        return Ok(Json(Vec::new()));
    }
    let email = normalize_email(&user.email);
    let now = Utc::now();
    let rows = invitations::list_for_email(&state.db, &email, now).await?;
    let custom = invitations::custom_roles_for_email(&state.db, &email, now).await?;
    Ok(Json(rows.iter().map(|row| row.to_wire(&custom)).collect()))
}

async fn count_mine(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<i64>> {
    if !user.email_verified {
        return Ok(Json(0));
    }
    let count =
        invitations::count_for_email(&state.db, &normalize_email(&user.email), Utc::now()).await?;
    Ok(Json(count))
}

/// One invitation in any status, so the invitation dialog can say that it
/// expired or was already answered.
async fn get_mine(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<OrganizationInvitation>> {
    require_verified(&user)?;
    let mut conn = state.db.acquire().await?;
    let invitation = addressed_to(&mut conn, &user, &id).await?;
    let custom = roles::custom_roles(&mut *conn, &invitation.organization_id).await?;
    Ok(Json(invitation.to_wire(&custom)))
}

/// Accepting joins the organization and closes the invitation in one
/// transaction; the conditional status change lets only one of several
/// concurrent accepts through, and the membership key forbids a second
/// membership anyway.
async fn accept(
    State(state): State<AppState>,
    user: CurrentUser,
    audit: AuditSlot,
    Path(id): Path<String>,
) -> ApiResult<Json<OrganizationInvitation>> {
    require_verified(&user)?;
    let now = Utc::now();
    let mut tx = begin_write(&state.db).await?;
    let invitation = addressed_to(&mut tx, &user, &id).await?;
    audit.set_organization(&invitation.organization_id);
    if !invitations::answer(&mut tx, &invitation.id, InvitationStatus::Accepted, now).await? {
        return Err(closed(&invitation, now));
    }
    invitations::join(&mut tx, &invitation, &user.id, now).await?;
    let accepted = invitations::find(&mut *tx, &invitation.id)
        .await?
        .ok_or_else(not_found)?;
    let custom = roles::custom_roles(&mut *tx, &invitation.organization_id).await?;
    tx.commit().await?;
    Ok(Json(accepted.to_wire(&custom)))
}

async fn decline(
    State(state): State<AppState>,
    user: CurrentUser,
    audit: AuditSlot,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    require_verified(&user)?;
    let now = Utc::now();
    let mut tx = begin_write(&state.db).await?;
    let invitation = addressed_to(&mut tx, &user, &id).await?;
    audit.set_organization(&invitation.organization_id);
    if !invitations::answer(&mut tx, &invitation.id, InvitationStatus::Declined, now).await? {
        return Err(closed(&invitation, now));
    }
    tx.commit().await?;
    Ok(StatusCode::OK)
}
