//! Accounts: sign-up, password sign-in, sessions, e-mail verification, and
//! the accounts of the OpenID provider's users.

use crate::db::{begin_write, Db, Executor};
use chrono::Utc;
use roster_core::validate::{normalize_email, validate_sign_up, EMAIL_MAX_CHARS};
use roster_core::wire::{SignIn, SignUp};

use super::mail::{self, Mailer};
use crate::auth::oidc::Identity;
use crate::auth::password::{decoy_hash, hash_password, verify_password};
use crate::auth::session::{hash_token, new_token, SESSION_DAYS};
use crate::auth::throttle::{self, Attempt};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::store::limits;
use crate::store::users::{self, CreateOutcome, UserRow};

impl From<UserRow> for CurrentUser {
    fn from(row: UserRow) -> Self {
        CurrentUser {
            id: row.id,
            email: row.email,
            name: row.name,
            email_verified: row.email_verified,
            created_at: row.created_at,
        }
    }
}

/// Argon2 is deliberately slow and takes 19 MiB per hash: keep it off the
/// async workers, a few at a time (requests beyond wait their turn, so a
/// flood of sign-ins cannot exhaust memory).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);
    let turn = HASHING.acquire().await.map_err(ApiError::internal)?;
    // The hash holds the turn, not the request: a client that hangs up
    // does not free it while the hash still runs.
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        work()
    })
    .await
    .map_err(ApiError::internal)
}

/// Creates the account (with its personal organization) and its first
/// session; returns the user and the session's token. Unless `verified`
/// (dev mode), the address gets a verification mail, linking to
/// `public_url`.
pub async fn sign_up(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    verified: bool,
    body: SignUp,
) -> ApiResult<(CurrentUser, String)> {
    let (email, name) = validate_sign_up(&body.email, &body.name, &body.password)?;
    let password = body.password;
    let hash = blocking(move || hash_password(&password))
        .await?
        .map_err(ApiError::internal)?;

    let mut tx = begin_write(db).await?;
    let user = match users::create(&mut tx, &email, &name, Some(&hash), verified).await? {
        CreateOutcome::Created(user) => user,
        CreateOutcome::EmailTaken => {
            return Err(ApiError::conflict(
                "An account with this email already exists",
            ))
        }
    };
    if !verified {
        let (token, token_hash) = new_token();
        users::insert_email_verification(
            &mut *tx,
            &token_hash,
            &user.id,
            Utc::now() + chrono::Duration::days(2),
        )
        .await?;
        let link = format!("{public_url}/verify-email?token={token}");
        mail::send(
            mailer,
            &mut *tx,
            &mail::Message {
                to: user.email.clone(),
                subject: "Verify your email address for Roster".into(),
                body: format!(
                    "Hello {},\n\nConfirm your email address to accept organization invitations:\n{link}\n",
                    user.name
                ),
                link: Some(link),
            },
        )
        .await?;
    }
    let token = start_session(&mut *tx, &user.id).await?;
    tx.commit().await?;
    mailer.wake();
    Ok((user.into(), token))
}

/// The account whose password this is. Every attempt counts against the
/// address in the throttle until one succeeds; the throttle is kept in the
/// database, so it holds across every server instance on it.
pub async fn check_password(db: &Db, body: SignIn) -> ApiResult<CurrentUser> {
    let key = normalize_email(&body.email);
    // No account has a longer address (sign-up refuses it); nothing to check
    // or remember.
    if key.chars().count() > EMAIL_MAX_CHARS {
        return Err(ApiError::unauthorized("Invalid email or password"));
    }
    if let Err(seconds) = begin_attempt(db, &key).await? {
        let minutes = seconds.div_ceil(60);
        return Err(ApiError::too_many_requests(
            format!("Too many failed sign-in attempts; try again in {minutes} minute(s)"),
            seconds,
        ));
    }
    let user = users::find_by_email(db, &body.email).await?;
    let stored = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_string());
    let password = body.password;
    let matches = blocking(move || verify_password(&password, &stored)).await?;
    let user = match user {
        Some(user) if matches && user.password_hash.is_some() => user,
        // The attempt begun above stays counted.
        _ => return Err(ApiError::unauthorized("Invalid email or password")),
    };
    limits::clear_sign_in_attempts(db, &key).await?;
    Ok(user.into())
}

/// Records a sign-in attempt for the address, counted as failed until
/// [`check_password`] clears the address: parallel guesses (on any
/// instance) cannot all pass the check before the first failure is
/// recorded. `Err` is the seconds to wait.
async fn begin_attempt(db: &Db, email_normalized: &str) -> Result<Result<(), u64>, sqlx::Error> {
    /// Records of attempts that are over pruned per attempt.
    const PRUNE: i64 = 100;
    /// Each lost claim is a concurrent attempt's success; more in a row
    /// than this and the attempt is refused.
    const TRIES: usize = 4 * throttle::LIMIT;
    let now = Utc::now();
    let over_by = throttle::over_by(now);
    // Opportunistic: concurrent prunes may contend for the same rows.
    if let Err(error) = limits::prune_sign_in_attempts(db, over_by, PRUNE).await {
        tracing::warn!("pruning sign-in attempts: {error}");
    }
    for _ in 0..TRIES {
        let recorded: Vec<Attempt> = limits::sign_in_attempts(db, email_normalized)
            .await?
            .into_iter()
            .map(|(slot, at)| Attempt { slot, at })
            .collect();
        let slot = match throttle::begin(now, &recorded) {
            Ok(slot) => slot,
            Err(seconds) => return Ok(Err(seconds)),
        };
        if limits::claim_sign_in_slot(db, email_normalized, slot, now, over_by).await? {
            return Ok(Ok(()));
        }
    }
    Ok(Err(1))
}

/// Starts a session; returns the token to hand to the client.
pub async fn start_session(db: impl Executor<'_>, user_id: &str) -> Result<String, sqlx::Error> {
    let (token, hash) = new_token();
    let now = Utc::now();
    let expires_at = now + chrono::Duration::days(SESSION_DAYS);
    users::insert_session(db, &hash, user_id, now, expires_at).await?;
    Ok(token)
}

pub async fn end_session(db: impl Executor<'_>, token: &str) -> Result<(), sqlx::Error> {
    users::end_session(db, &hash_token(token)).await
}

/// The user of a live session token.
pub async fn session_user(
    db: impl Executor<'_>,
    token: &str,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let user = users::find_by_session(db, &hash_token(token), Utc::now()).await?;
    Ok(user.map(CurrentUser::from))
}

/// Verifies the signed-in account's address. The link alone is not
/// enough: whoever signed up with someone else's address could otherwise
/// get it verified by its owner clicking the mail, and then accept every
/// invitation sent to it.
pub async fn verify_email(db: &Db, user: &CurrentUser, token: &str) -> ApiResult<()> {
    let token_hash = hash_token(token.trim());
    let mut tx = begin_write(db).await?;
    let owner = users::email_verification_owner(&mut *tx, &token_hash, Utc::now()).await?;
    let user_id = match owner {
        None => {
            return Err(ApiError::bad_request(
                "This verification link is invalid or has expired",
            ))
        }
        Some(owner) if owner != user.id => {
            return Err(ApiError::forbidden(
                "This link verifies another account: sign in with the address it was sent to",
            ))
        }
        Some(owner) => owner,
    };
    users::complete_email_verification(&mut tx, &token_hash, &user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// The account of a provider's user: known by issuer and subject (their
/// e-mail address, its verification and name follow the provider), else an
/// account with the same verified address (the dev seed's demo users, a
/// password account moving to the provider), else a new one with its
/// personal organization.
pub async fn user_for_identity(db: &Db, identity: &Identity) -> Result<CurrentUser, ApiError> {
    let name = identity
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| {
            identity
                .email
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        });
    if let Some(user) = users::find_by_identity(db, &identity.issuer, &identity.subject).await? {
        let current = user.email == identity.email.trim()
            && user.email_verified == identity.email_verified
            && user.name == name;
        if current {
            return Ok(user.into());
        }
    }
    let mut tx = begin_write(db).await?;
    let user = match users::find_by_identity(&mut *tx, &identity.issuer, &identity.subject).await? {
        Some(user) => {
            let follows = users::update_from_provider(
                &mut *tx,
                &user.id,
                &identity.email,
                identity.email_verified,
                &name,
            )
            .await?;
            if !follows {
                tracing::warn!(
                    user = %user.id,
                    "the provider's e-mail address {} belongs to another account; kept {}",
                    identity.email,
                    user.email
                );
            }
            users::find_by_id(&mut *tx, &user.id).await?.unwrap_or(user)
        }
        None => match users::find_by_email(&mut *tx, &identity.email).await? {
            Some(existing) if identity.email_verified => {
                users::link_identity(&mut *tx, &identity.issuer, &identity.subject, &existing.id)
                    .await?;
                users::update_from_provider(&mut *tx, &existing.id, &identity.email, true, &name)
                    .await?;
                users::find_by_id(&mut *tx, &existing.id)
                    .await?
                    .unwrap_or(existing)
            }
            Some(_) => {
                return Err(ApiError::forbidden(
                    "An account with this e-mail address exists; verify the address at your identity provider to use it",
                ))
            }
            None => {
                let created = users::create(
                    &mut tx,
                    &identity.email,
                    &name,
                    None,
                    identity.email_verified,
                )
                .await?;
                let CreateOutcome::Created(user) = created else {
                    return Err(ApiError::conflict(
                        "An account with this e-mail address was created meanwhile; try again",
                    ));
                };
                users::link_identity(&mut *tx, &identity.issuer, &identity.subject, &user.id)
                    .await?;
                user
            }
        },
    };
    tx.commit().await?;
    Ok(user.into())
}
