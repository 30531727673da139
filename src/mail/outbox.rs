//! The transactional outbox. Changes that owe someone an e-mail insert a row in their own
//! transaction (`mail::db::enqueue`), so the message exists exactly when the change does. The
//! worker claims a few due rows at a time in one short statement (`FOR UPDATE SKIP LOCKED`,
//! then a lease: several workers or app instances never take the same row), and for each one
//! renders it through the domain that owns its kind, sends it with no transaction open, and
//! marks it sent in its own statement. A crash between a send and its mark resends only
//! that message, after the lease, with the same Message-ID; a crash before a send loses
//! nothing either.

use crate::mail::db::{self, Delivered, OutboxRow};
use crate::platform::mailer::Mailer;
use lettre::Message;
use sqlx::PgPool;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// After this many failed attempts a message is marked failed and logged as an error.
pub const MAX_ATTEMPTS: i32 = 8;
/// Messages claimed at once: what a crash leaves waiting for the lease to end.
const BATCH: i64 = 10;
/// How long a claim keeps other workers away: longer than a batch can take (SMTP gives up
/// on a message after `platform::mailer::SMTP_TIMEOUT`, 15 s).
const LEASE_SECS: f64 = 180.0;
/// The worker gathers messages for this long before each batch: mail goes out a moment
/// later, in fewer and larger batches, and a ticket rush keeps the CPU for buyers.
const SETTLE: Duration = Duration::from_millis(250);

/// A message ready to send, and what the sent mail page keeps of it.
pub struct Rendered {
    pub message: Message,
    pub subject: String,
    pub body_text: String,
    pub attachments: Vec<String>,
}

pub type RenderFuture<'a> = Pin<Box<dyn Future<Output = Result<Rendered, String>> + Send + 'a>>;

/// Turns an outbox row into a message, from the data as it is when the mail is sent. The
/// domain that owes a kind of message implements it; start-up hands it to the worker.
pub trait Render: Send + Sync {
    fn render<'a>(&'a self, pool: &'a PgPool, mailer: &'a Mailer, row: &'a OutboxRow) -> RenderFuture<'a>;
}

/// The id a message is about, from its payload.
pub fn payload_id(row: &OutboxRow, key: &str) -> Result<Uuid, String> {
    row.payload
        .get(key)
        .and_then(|v| v.as_str())
        .and_then(|v| Uuid::parse_str(v).ok())
        .ok_or_else(|| format!("outbox row has no {key}"))
}

/// Seconds to wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … capped at 1 hour.
pub fn backoff(attempts: i32) -> i64 {
    (30_i64 << attempts.clamp(0, 7)).min(3600)
}

/// Sends one batch of due messages; returns how many were handled (sent or failed).
pub async fn send_due(pool: &PgPool, mailer: &Mailer, renderer: &dyn Render) -> Result<usize, sqlx::Error> {
    let stuck = db::give_up_stuck(pool, MAX_ATTEMPTS).await?;
    if stuck > 0 {
        tracing::error!(messages = stuck, "e-mails failed for good: the sender stopped while sending them");
    }
    let due = db::claim_due(pool, BATCH, LEASE_SECS).await?;
    for row in &due {
        send_one(pool, mailer, renderer, row).await?;
    }
    Ok(due.len())
}

async fn send_one(pool: &PgPool, mailer: &Mailer, renderer: &dyn Render, row: &OutboxRow) -> Result<(), sqlx::Error> {
    let outcome = match renderer.render(pool, mailer, row).await {
        Ok(rendered) => mailer.deliver(row.id, &rendered.message).await.map(|()| rendered),
        Err(error) => Err(error),
    };
    match outcome {
        Ok(rendered) => {
            let delivered = Delivered {
                subject: &rendered.subject,
                body_text: &rendered.body_text,
                attachments: serde_json::json!(rendered.attachments),
                transport: mailer.transport_name(),
            };
            db::mark_sent(pool, row.id, &delivered).await?;
            tracing::info!(outbox_id = %row.id, kind = %row.kind, transport = mailer.transport_name(), "e-mail sent");
        }
        Err(error) => {
            // The claim counted this attempt.
            let attempts = row.attempts;
            let give_up = attempts >= MAX_ATTEMPTS;
            db::mark_failed(pool, row.id, attempts, &error, give_up, backoff(attempts) as f64).await?;
            if give_up {
                tracing::error!(outbox_id = %row.id, %error, attempts, "e-mail failed for good");
            } else {
                tracing::warn!(outbox_id = %row.id, %error, attempts, "e-mail failed; will retry");
            }
        }
    }
    Ok(())
}

/// Sends until nothing is due (tests and the worker use it).
pub async fn send_all_due(pool: &PgPool, mailer: &Mailer, renderer: &dyn Render) -> Result<usize, sqlx::Error> {
    let mut total = 0;
    loop {
        let handled = send_due(pool, mailer, renderer).await?;
        total += handled;
        if handled < BATCH as usize {
            return Ok(total);
        }
    }
}

/// Drains the outbox until `stop` turns true: shortly after it is woken, else every few
/// seconds; a backlog is worked through batch by batch with a pause in between. A stop
/// lets the batch being sent finish and takes no new one.
pub async fn run_worker(pool: PgPool, mailer: Mailer, renderer: Arc<dyn Render>, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            tracing::info!("e-mail worker stopped");
            return;
        }
        match send_due(&pool, &mailer, renderer.as_ref()).await {
            Ok(handled) if handled == BATCH as usize => {
                tokio::time::sleep(SETTLE).await;
                continue;
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "e-mail worker could not read the outbox"),
        }
        tokio::select! {
            () = mailer.woken() => tokio::time::sleep(SETTLE).await,
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_back_off_and_stop_growing_at_an_hour() {
        assert_eq!(backoff(0), 30);
        assert_eq!(backoff(1), 60);
        assert_eq!(backoff(3), 240);
        assert_eq!(backoff(20), 3600);
    }
}
