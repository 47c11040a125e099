//! Invitations: the organization's side (owners invite, edit, cancel and
//! resend) and the invitee's side (list, open, accept, decline).
//!
//! The invitee is the signed-in user whose verified e-mail matches the
//! invitation's address, case-insensitively. Anyone else learns nothing
//! about an invitation: it is "not found".

use std::sync::Arc;

use crate::db::{begin_read, begin_write, Conn, Db};
use chrono::{DateTime, TimeDelta, Utc};
use roster_core::invitation::validate_expiry;
use roster_core::protocol;
use roster_core::wire::{
    CreateOrganizationInvitation, InvitationStatus, OrganizationInvitation,
    UpdateOrganizationInvitation,
};
use roster_core::{default_expiry, normalize_email, validate_email, Capabilities, Refusal};

use super::assignments::checked_assignment_ids;
use crate::cooldown::{Booking, Cooldown};
use crate::error::{ApiError, ApiResult};
use crate::list_cache::{List, ListCache, SerializedList, MIN_CACHED_ITEMS};
use crate::services::mail::{self, Mailer};
use crate::store::assignments;
use crate::store::invitations::{self, InvitationRow, NewInvitation};
use crate::store::limits;

/// What sending an invitation's mail takes.
pub struct InvitationMail<'a> {
    pub mailer: &'a Mailer,
    /// The public URL the invitation link starts with.
    pub public_url: String,
}

/// The signed-in user on the invitee's side.
pub struct Invitee<'a> {
    pub user_id: &'a str,
    pub email: &'a str,
    pub email_verified: bool,
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

fn refused(organization_id: &str) -> impl Fn(Refusal) -> ApiError + '_ {
    move |refusal| ApiError::refused(refusal, organization_id)
}

/// One invitation mail per organization and address per minute (the
/// cooldown's slots are kept in the database, for every server instance).
const MAIL_COOLDOWN: Cooldown = Cooldown::new(TimeDelta::minutes(1));

/// Cooldown keys whose period is over pruned per booking.
const MAIL_SLOTS_PRUNED: i64 = 100;

/// The invitation-mail cooldown's key: one mail per organization and
/// address per minute.
fn mail_key(organization_id: &str, email: &str) -> String {
    format!("{organization_id} {email}")
}

/// When the key is free again, pruning a few keys that are over first.
async fn mail_slot(
    tx: &mut Conn,
    key: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<DateTime<Utc>>> {
    limits::prune_mail_slots(&mut *tx, now, MAIL_SLOTS_PRUNED).await?;
    Ok(limits::mail_slot(&mut *tx, key).await?)
}

/// Starts an explicit resend's mail in the caller's write transaction, or
/// refuses it within the cooldown. The start is written in that
/// transaction: when the resend fails or is abandoned, it is rolled back
/// with it and takes nothing.
async fn mail_cooldown(tx: &mut Conn, organization_id: &str, email: &str) -> ApiResult<()> {
    let key = mail_key(organization_id, email);
    let now = Utc::now();
    let free_at = mail_slot(tx, &key, now).await?;
    match MAIL_COOLDOWN.start(now, free_at) {
        Ok(free_at) => Ok(limits::set_mail_slot(&mut *tx, &key, free_at).await?),
        Err(seconds) => Err(ApiError::too_many_requests(
            format!("An invitation was sent to {email} less than a minute ago; try again in {seconds} seconds"),
            seconds,
        )),
    }
}

/// Books the next free slot for a new invitation's mail in the caller's
/// write transaction (rolled back with it, as [`mail_cooldown`]); `now`
/// is the booking's time.
async fn book_mail(
    tx: &mut Conn,
    organization_id: &str,
    email: &str,
    now: DateTime<Utc>,
) -> ApiResult<Booking> {
    let key = mail_key(organization_id, email);
    let free_at = mail_slot(tx, &key, now).await?;
    let booking = MAIL_COOLDOWN.book(now, free_at);
    limits::set_mail_slot(&mut *tx, &key, booking.free_at).await?;
    Ok(booking)
}

fn checked_expiry(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> ApiResult<()> {
    match expires_at {
        Some(at) => Ok(validate_expiry(at, now)?),
        None => Ok(()),
    }
}

fn invitation_link(public_url: &str, invitation_id: &str) -> String {
    format!("{public_url}/invitations?id={invitation_id}")
}

fn invitation_message(public_url: &str, invitation: &InvitationRow) -> mail::Message {
    let link = invitation_link(public_url, &invitation.id);
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

/// The invitation with this id in the organization.
async fn find_in(db: &mut Conn, organization_id: &str, id: &str) -> ApiResult<InvitationRow> {
    invitations::find(db, id)
        .await?
        .filter(|invitation| invitation.organization_id == organization_id)
        .ok_or_else(not_found)
}

// ---------------------------------------------------------------------------
// The organization's side

/// The organization's pending invitations, newest first, serialized. Large
/// lists are served from [`crate::list_cache`] while the organization's
/// invitations version stays the same and none of them has expired.
/// Expired ones are listed too on request, to owners only.
pub async fn serialized_list(
    db: &Db,
    lists: &ListCache,
    organization_id: &str,
    capabilities: &Capabilities,
    include_expired: bool,
) -> ApiResult<Arc<SerializedList>> {
    if include_expired && !capabilities.is_owner() {
        return Err(ApiError::refused(Refusal::NotOwner, organization_id));
    }
    let now = Utc::now();
    let kind = List::Invitations { include_expired };
    // One read transaction: the version, invitations and custom assignments
    // from the same snapshot.
    let mut tx = begin_read(db).await?;
    let version = invitations::list_version(&mut *tx, organization_id).await?;
    let cached = version.and_then(|v| lists.get(&kind, organization_id, v, now));
    let list = match cached {
        Some(list) => list,
        None => {
            let rows =
                invitations::list_for_organization(&mut *tx, organization_id, include_expired, now)
                    .await?;
            let custom = assignments::custom_assignments(&mut *tx, organization_id).await?;
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
                lists.put(kind, organization_id, version, valid_until, list.clone());
            }
            list
        }
    };
    tx.commit().await?;
    Ok(list)
}

/// Invites an address, and mails the invitee (or holds the mail while the
/// address's cooldown runs). `invited_by` is the caller's e-mail.
pub async fn create(
    db: &Db,
    mail: &InvitationMail<'_>,
    organization_id: &str,
    capabilities: &Capabilities,
    invited_by: &str,
    body: &CreateOrganizationInvitation,
) -> ApiResult<OrganizationInvitation> {
    capabilities.invite().map_err(refused(organization_id))?;
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

    let mut tx = begin_write(db).await?;
    let custom = assignments::custom_assignments(&mut *tx, organization_id).await?;
    let assignment_ids = checked_assignment_ids(&body.assigned_role_ids, &custom)?;
    if invitations::is_member(&mut *tx, organization_id, &email).await? {
        return Err(ApiError::conflict(format!(
            "{email} is already a member of this organization"
        )));
    }
    let already_invited = || {
        ApiError::conflict(format!(
            "{email} already has a pending invitation to this organization"
        ))
    };
    if invitations::has_open_invitation(&mut *tx, organization_id, &email, now).await? {
        return Err(already_invited());
    }
    let new = NewInvitation {
        organization_id,
        email: &email,
        role: body.role,
        assignment_ids: &assignment_ids,
        invited_by,
        expires_at: body.expires_at.unwrap_or_else(|| default_expiry(now)),
    };
    let invitation = match invitations::create(&mut tx, &new, now).await {
        Ok(invitation) => invitation,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(already_invited()),
        Err(e) => return Err(e.into()),
    };
    // The cooldown protects the inbox, not the invitation: within it the
    // invitation exists at once and its mail waits in the outbox.
    let booked_at = Utc::now();
    let slot = book_mail(
        &mut tx,
        organization_id,
        &invitation.email_normalized,
        booked_at,
    )
    .await?;
    let message = invitation_message(&mail.public_url, &invitation);
    if slot.is_now(booked_at) {
        mail::send(mail.mailer, &mut *tx, &message).await?;
    } else {
        mail::hold(&mut *tx, &message, slot.at).await?;
    }
    tx.commit().await?;
    mail.mailer.wake();
    Ok(invitation.to_wire(&custom))
}

/// Changes what an open invitation grants, and optionally its expiry.
pub async fn update(
    db: &Db,
    organization_id: &str,
    capabilities: &Capabilities,
    invitation_id: &str,
    body: &UpdateOrganizationInvitation,
) -> ApiResult<OrganizationInvitation> {
    capabilities
        .manage_invitations()
        .map_err(refused(organization_id))?;
    let now = Utc::now();
    let mut tx = begin_write(db).await?;
    let invitation = find_in(&mut tx, organization_id, invitation_id).await?;
    if !invitation.state(now).is_open() {
        return Err(closed(&invitation, now));
    }
    checked_expiry(body.expires_at, now)?;
    let custom = assignments::custom_assignments(&mut *tx, organization_id).await?;
    let assignment_ids = checked_assignment_ids(&body.assigned_role_ids, &custom)?;
    if !invitations::update_open(
        &mut tx,
        &invitation.id,
        body.role,
        &assignment_ids,
        body.expires_at,
        now,
    )
    .await?
    {
        return Err(closed(&invitation, now));
    }
    let updated = find_in(&mut tx, organization_id, &invitation.id).await?;
    tx.commit().await?;
    Ok(updated.to_wire(&custom))
}

/// Cancels a pending invitation (expired or not) and withdraws its mail if
/// the cooldown still holds it. `public_url` is the invitation link's start.
pub async fn cancel(
    db: &Db,
    public_url: &str,
    organization_id: &str,
    capabilities: &Capabilities,
    invitation_id: &str,
) -> ApiResult<()> {
    capabilities
        .manage_invitations()
        .map_err(refused(organization_id))?;
    let now = Utc::now();
    let mut tx = begin_write(db).await?;
    let invitation = find_in(&mut tx, organization_id, invitation_id).await?;
    // An expired invitation is still pending: it can be cancelled.
    if !invitations::cancel(&mut tx, &invitation.id, now).await? {
        return Err(closed(&invitation, now));
    }
    // A mail still held by the cooldown would only carry a dead link.
    mail::withdraw(&mut *tx, &invitation_link(public_url, &invitation.id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Renews a pending invitation and mails it again, at most once a minute
/// per address.
pub async fn resend(
    db: &Db,
    mail: &InvitationMail<'_>,
    organization_id: &str,
    capabilities: &Capabilities,
    invitation_id: &str,
) -> ApiResult<OrganizationInvitation> {
    capabilities
        .manage_invitations()
        .map_err(refused(organization_id))?;
    let now = Utc::now();
    let mut tx = begin_write(db).await?;
    let invitation = find_in(&mut tx, organization_id, invitation_id).await?;
    // Expired pending invitations are renewed; answered ones are final.
    if !invitations::renew(&mut tx, &invitation.id, default_expiry(now), now).await? {
        return Err(closed(&invitation, now));
    }
    mail_cooldown(&mut tx, organization_id, &invitation.email_normalized).await?;
    let renewed = find_in(&mut tx, organization_id, &invitation.id).await?;
    mail::send(
        mail.mailer,
        &mut *tx,
        &invitation_message(&mail.public_url, &renewed),
    )
    .await?;
    let custom = assignments::custom_assignments(&mut *tx, organization_id).await?;
    tx.commit().await?;
    mail.mailer.wake();
    Ok(renewed.to_wire(&custom))
}

// ---------------------------------------------------------------------------
// The invitee's side

fn require_verified(invitee: &Invitee<'_>) -> ApiResult<()> {
    if invitee.email_verified {
        Ok(())
    } else {
        Err(ApiError::forbidden(protocol::EMAIL_NOT_VERIFIED))
    }
}

/// The invitation if it is addressed to the invitee; "not found" otherwise,
/// so nobody can probe other people's invitations.
async fn addressed_to(db: &mut Conn, invitee: &Invitee<'_>, id: &str) -> ApiResult<InvitationRow> {
    invitations::find(db, id)
        .await?
        .filter(|invitation| invitation.email_normalized == normalize_email(invitee.email))
        .ok_or_else(not_found)
}

/// The invitee's pending, unexpired invitations; none before the address
/// is verified.
pub async fn list_mine(db: &Db, invitee: &Invitee<'_>) -> ApiResult<Vec<OrganizationInvitation>> {
    if !invitee.email_verified {
        return Ok(Vec::new());
    }
    let email = normalize_email(invitee.email);
    let now = Utc::now();
    let rows = invitations::list_for_email(db, &email, now).await?;
    let custom = invitations::custom_assignments_for_email(db, &email, now).await?;
    Ok(rows.iter().map(|row| row.to_wire(&custom)).collect())
}

/// How many invitations [`list_mine`] would list.
pub async fn count_mine(db: &Db, invitee: &Invitee<'_>) -> ApiResult<i64> {
    if !invitee.email_verified {
        return Ok(0);
    }
    let count =
        invitations::count_for_email(db, &normalize_email(invitee.email), Utc::now()).await?;
    Ok(count)
}

/// One invitation in any status, so the invitation dialog can say that it
/// expired or was already answered.
pub async fn get_mine(
    db: &Db,
    invitee: &Invitee<'_>,
    id: &str,
) -> ApiResult<OrganizationInvitation> {
    require_verified(invitee)?;
    let mut conn = db.acquire().await?;
    let invitation = addressed_to(&mut conn, invitee, id).await?;
    let custom = assignments::custom_assignments(&mut *conn, &invitation.organization_id).await?;
    Ok(invitation.to_wire(&custom))
}

/// Accepting joins the organization and closes the invitation in one
/// transaction; the conditional status change lets only one of several
/// concurrent accepts through, and the membership key forbids a second
/// membership anyway.
///
/// `located` is told the invitation's organization as soon as it is known,
/// before the answer can be refused (for the audit log).
pub async fn accept(
    db: &Db,
    invitee: &Invitee<'_>,
    id: &str,
    located: impl FnOnce(&str),
) -> ApiResult<OrganizationInvitation> {
    require_verified(invitee)?;
    let now = Utc::now();
    let mut tx = begin_write(db).await?;
    let invitation = addressed_to(&mut tx, invitee, id).await?;
    located(&invitation.organization_id);
    if !invitations::answer(&mut tx, &invitation.id, InvitationStatus::Accepted, now).await? {
        return Err(closed(&invitation, now));
    }
    invitations::join(&mut tx, &invitation, invitee.user_id, now).await?;
    let accepted = invitations::find(&mut *tx, &invitation.id)
        .await?
        .ok_or_else(not_found)?;
    let custom = assignments::custom_assignments(&mut *tx, &invitation.organization_id).await?;
    tx.commit().await?;
    Ok(accepted.to_wire(&custom))
}

/// Declines an open invitation; `located` as for [`accept`].
pub async fn decline(
    db: &Db,
    invitee: &Invitee<'_>,
    id: &str,
    located: impl FnOnce(&str),
) -> ApiResult<()> {
    require_verified(invitee)?;
    let now = Utc::now();
    let mut tx = begin_write(db).await?;
    let invitation = addressed_to(&mut tx, invitee, id).await?;
    located(&invitation.organization_id);
    if !invitations::answer(&mut tx, &invitation.id, InvitationStatus::Declined, now).await? {
        return Err(closed(&invitation, now));
    }
    tx.commit().await?;
    Ok(())
}
