//! Outgoing mail: invitation and verification e-mails go through one mailer.
//!
//! [`send`] writes every message to the outbox table (dev mode and tests
//! read links from there). Call it inside the transaction of the change the
//! message reports, so the message exists exactly when the change does.
//! [`hold`] does the same for a message that must wait (the invitation-mail
//! cooldown): it stays in the outbox until its time comes.
//!
//! The outbox is a queue delivered by the [`Mailer`]'s background task:
//! without SMTP the log is the mailbox (a message due at once is logged as
//! it is written, a held one when its time comes); with
//! `--smtp-url smtp://user:pass@host:port` undelivered rows go through SMTP
//! after their transaction has committed, and the outcome is recorded on the
//! row (`sent_at`, `attempts`, `last_error`). A failed delivery never fails
//! the request that wrote the message and is retried with back-off; the
//! message stays in the outbox either way.
//!
//! SMTP is plain (no TLS; Roster is built without a TLS stack): use a relay
//! on the same host or network, e.g. a local Postfix or a mail catcher. The
//! user name and password are optional (AUTH PLAIN/LOGIN). The sender is
//! `roster@<host of --public-url>` unless the URL names one:
//! `smtp://host:25?from=Roster%20%3Croster%40example.com%3E`. A path segment
//! sets the EHLO name: `smtp://host:25/roster.example.com`.

use std::sync::Arc;
use std::time::Duration;

use crate::db::{Db, Executor};
use chrono::{DateTime, TimeDelta, Utc};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::Notify;

use crate::config::Settings;
use crate::store::outbox::{self, Queued};

#[derive(Clone, Debug)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The one link the message is about (invitation or verification).
    pub link: Option<String>,
}

/// Writes the message to the outbox, due at once. Without SMTP it is
/// delivered to the log right here; with SMTP the mailer delivers it once
/// the caller's transaction has committed (call [`Mailer::wake`] after the
/// commit to deliver it at once).
///
/// The log shows the link only when the log is the mailbox (no SMTP): a
/// verification link is as good as the account's e-mail, and logs are read
/// by more people than mailboxes.
pub async fn send(
    mailer: &Mailer,
    db: impl Executor<'_>,
    message: &Message,
) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    let delivered = mailer.smtp.is_none().then_some(now);
    outbox::insert(
        db,
        &message.to,
        &message.subject,
        &message.body,
        message.link.as_deref(),
        now,
        delivered,
    )
    .await?;
    let link = link_for_log(mailer.smtp.is_some(), message.link.as_deref());
    tracing::info!(to = %message.to, subject = %message.subject, link, "mail");
    Ok(())
}

/// Writes the message to the outbox, to be delivered at `until` and not
/// before (by SMTP or to the log, as [`send`] would).
pub async fn hold(
    db: impl Executor<'_>,
    message: &Message,
    until: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    outbox::insert_held(
        db,
        &message.to,
        &message.subject,
        &message.body,
        message.link.as_deref(),
        Utc::now(),
        until,
    )
    .await?;
    tracing::info!(
        to = %message.to,
        subject = %message.subject,
        until = %until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "mail held"
    );
    Ok(())
}

/// Withdraws the undelivered messages about `link` (an invitation that was
/// cancelled while its mail was held): they stay in the outbox, marked,
/// and are never delivered.
pub async fn withdraw(db: impl Executor<'_>, link: &str) -> Result<u64, sqlx::Error> {
    outbox::withdraw(db, link, MAX_ATTEMPTS).await
}

/// The link as the log shows it: in full only when the log is the mailbox.
fn link_for_log(smtp: bool, link: Option<&str>) -> &str {
    match (smtp, link) {
        (false, Some(link)) => link,
        (true, Some(_)) => "[sent by SMTP]",
        (_, None) => "",
    }
}

/// Deliveries tried per message before giving up.
const MAX_ATTEMPTS: i64 = 5;
/// Messages older than this are not sent any more: their links (e-mail
/// verification, invitations) are stale or about to be, and a database that
/// ran without SMTP must not flood the relay when SMTP is switched on.
const STALE_AFTER: TimeDelta = TimeDelta::days(1);
/// How long a delivery in progress keeps its row from other deliverers
/// (those of other instances too). A batch stops sending once half of it
/// is gone, so a message is never sent after its lease ran out: one
/// message's worst case (each SMTP step's timeout) fits in the other half.
const LEASE: TimeDelta = TimeDelta::minutes(10);
/// Without a wake-up, the outbox is checked this often (messages written by
/// callers that do not wake the mailer, held messages and retries).
const POLL: Duration = Duration::from_secs(10);
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
const BATCH: i64 = 20;

/// The configured `--smtp-url` cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid --smtp-url: {0}")]
pub struct SmtpUrlError(String);

/// Delivers the outbox: through SMTP when configured, otherwise to the log
/// (where only held messages are still undelivered).
#[derive(Clone, Default)]
pub struct Mailer {
    smtp: Option<Arc<Smtp>>,
    wake: Arc<Notify>,
}

struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Why a delivery failed; permanent failures are not retried.
struct Failure {
    permanent: bool,
    message: String,
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> Result<Self, SmtpUrlError> {
        let Some(url) = settings.smtp_url.as_deref() else {
            return Ok(Mailer::default());
        };
        let url = url::Url::parse(url).map_err(|e| SmtpUrlError(e.to_string()))?;
        let from = match url.query_pairs().find(|(key, _)| key == "from") {
            Some((_, from)) => from
                .parse::<Mailbox>()
                .map_err(|e| SmtpUrlError(format!("from={from}: {e}")))?,
            None => default_sender(&settings.public_url()),
        };
        let transport = smtp_transport(&url)?;
        Ok(Mailer {
            smtp: Some(Arc::new(Smtp { transport, from })),
            wake: Arc::default(),
        })
    }

    pub fn delivers_by_smtp(&self) -> bool {
        self.smtp.is_some()
    }

    /// Asks the delivery task to look at the outbox now (call it after the
    /// commit of a transaction that sent mail).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Starts delivering in the background.
    pub fn start(&self, db: Db) -> tokio::task::JoinHandle<()> {
        let mailer = self.clone();
        tokio::spawn(async move {
            loop {
                loop {
                    match mailer.deliver_due(&db).await {
                        Ok(claimed) if claimed == BATCH as usize => continue,
                        Ok(_) => break,
                        Err(error) => {
                            tracing::error!("cannot read the outbox: {error}");
                            break;
                        }
                    }
                }
                tokio::select! {
                    () = mailer.wake.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        })
    }

    /// Delivers the messages that are due; returns how many it tried.
    pub async fn deliver_due(&self, db: &Db) -> Result<usize, sqlx::Error> {
        let now = Utc::now();
        let due =
            outbox::claim_due(db, now, now + LEASE, MAX_ATTEMPTS, now - STALE_AFTER, BATCH).await?;
        let claimed = due.len();
        for message in due {
            // Left for the next claim (this deliverer's or another's)
            // rather than risk sending it after its lease ran out.
            if Utc::now() - now > LEASE / 2 {
                break;
            }
            let outcome = match &self.smtp {
                Some(smtp) => smtp.deliver(&message).await,
                None => {
                    let link = link_for_log(false, message.link.as_deref());
                    tracing::info!(to = %message.recipient, subject = %message.subject, link, "mail");
                    Ok(())
                }
            };
            record(db, &message, outcome, Utc::now()).await?;
        }
        Ok(claimed)
    }
}

impl Smtp {
    async fn deliver(&self, message: &Queued) -> Result<(), Failure> {
        let permanent = |message: String| Failure {
            permanent: true,
            message,
        };
        let to: Mailbox = message
            .recipient
            .parse()
            .map_err(|e| permanent(format!("invalid recipient: {e}")))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.as_str())
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| permanent(e.to_string()))?;
        self.transport
            .send(email)
            .await
            .map(drop)
            .map_err(|e| Failure {
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }
}

async fn record(
    db: &Db,
    message: &Queued,
    outcome: Result<(), Failure>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    match outcome {
        Ok(()) => {
            tracing::debug!(to = %message.recipient, subject = %message.subject, "mail delivered");
            outbox::mark_sent(db, message.id, now).await?;
        }
        Err(failure) => {
            let gives_up = failure.permanent || message.attempts >= MAX_ATTEMPTS;
            tracing::warn!(
                to = %message.recipient,
                subject = %message.subject,
                attempt = message.attempts,
                "mail not delivered{}: {}",
                if gives_up { " (giving up)" } else { "" },
                failure.message
            );
            outbox::mark_failed(
                db,
                message.id,
                &failure.message,
                now + retry_delay(message.attempts),
                gives_up,
                MAX_ATTEMPTS,
            )
            .await?;
        }
    }
    Ok(())
}

/// 1, 2, 4, 8 … minutes after the first, second, third … attempt.
fn retry_delay(attempts: i64) -> TimeDelta {
    let exponent = u32::try_from(attempts.clamp(1, 10) - 1).unwrap_or(0);
    TimeDelta::minutes(1 << exponent)
}

/// A plain SMTP transport for `smtp://[user[:password]@]host[:port][/ehlo-name]`.
fn smtp_transport(url: &url::Url) -> Result<AsyncSmtpTransport<Tokio1Executor>, SmtpUrlError> {
    if url.scheme() != "smtp" || url.query_pairs().any(|(key, _)| key == "tls") {
        return Err(SmtpUrlError(
            "only plain smtp:// is supported (Roster is built without TLS)".into(),
        ));
    }
    let host = url
        .host_str()
        .filter(|host| !host.is_empty())
        .ok_or_else(|| SmtpUrlError("the URL names no host".into()))?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(url.port().unwrap_or(25))
        .timeout(Some(SMTP_TIMEOUT));
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .map(|text| text.into_owned())
            .map_err(|_| SmtpUrlError("the user name or password is not valid UTF-8".into()))
    };
    if !url.username().is_empty() || url.password().is_some() {
        builder = builder.credentials(Credentials::new(
            decode(url.username())?,
            decode(url.password().unwrap_or_default())?,
        ));
    }
    let hello_name = url.path().trim_matches('/');
    if !hello_name.is_empty() {
        builder = builder.hello_name(ClientId::Domain(hello_name.to_string()));
    }
    Ok(builder.build())
}

/// `Roster <roster@host>` for the domain of the public URL (`localhost`
/// when it has none).
fn default_sender(public_url: &str) -> Mailbox {
    let domain = url::Url::parse(public_url)
        .ok()
        .and_then(|u| match u.host() {
            Some(url::Host::Domain(domain)) => Some(domain.to_string()),
            _ => None,
        });
    let address = domain
        .and_then(|domain| Address::new("roster", domain).ok())
        .unwrap_or_else(|| Address::new_dangerous("roster", "localhost"));
    Mailbox::new(Some("Roster".to_string()), address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_shows_a_link_only_when_it_is_the_mailbox() {
        let link = "http://roster.test/verify-email?token=secret";
        assert_eq!(link_for_log(false, Some(link)), link);
        assert_eq!(link_for_log(true, Some(link)), "[sent by SMTP]");
        assert_eq!(link_for_log(true, None), "");
    }

    #[test]
    fn retries_back_off_exponentially() {
        assert_eq!(retry_delay(1), TimeDelta::minutes(1));
        assert_eq!(retry_delay(2), TimeDelta::minutes(2));
        assert_eq!(retry_delay(4), TimeDelta::minutes(8));
        assert_eq!(retry_delay(0), TimeDelta::minutes(1));
    }

    #[test]
    fn sender_defaults_to_the_public_host() {
        assert_eq!(
            default_sender("https://roster.example.com").to_string(),
            "Roster <roster@roster.example.com>"
        );
        assert_eq!(
            default_sender("http://127.0.0.1:8080").email.to_string(),
            "roster@localhost"
        );
        assert_eq!(
            default_sender("not a url").email.to_string(),
            "roster@localhost"
        );
    }
}
