//! Outgoing mail: invitation and verification e-mails go through one mailer.
//! Every message is written to the outbox table (dev mode and tests read
//! links from there) and to the log; with an SMTP URL it is also sent.

use chrono::Utc;
use sqlx::SqliteExecutor;

use crate::db::timestamp;

#[derive(Clone, Debug)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The one link the message is about (invitation or verification).
    pub link: Option<String>,
}

pub async fn send(db: impl SqliteExecutor<'_>, message: &Message) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO outbox (recipient, subject, body, link, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(&message.to)
        .bind(&message.subject)
        .bind(&message.body)
        .bind(&message.link)
        .bind(timestamp(Utc::now()))
        .execute(db)
        .await?;
    tracing::info!(
        to = %message.to,
        subject = %message.subject,
        link = message.link.as_deref().unwrap_or(""),
        "mail"
    );
    Ok(())
}
