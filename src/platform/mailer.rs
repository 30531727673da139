//! Delivering a rendered message: over SMTP, or into the mailbox folder.

use crate::platform::config::Config;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

/// An SMTP server that does not answer within this is given up on for this attempt, so a
/// batch of ten always ends well inside the outbox's claim lease.
pub const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Mailbox(PathBuf),
}

/// Sends messages; cheap to clone. `wake` lets a request tell the worker new mail is waiting.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    pub from: Mailbox,
    pub public_url: String,
    wake: Arc<Notify>,
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("SMTP_URL is not a usable SMTP address: {e}"))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => Transport::Mailbox(config.mailbox_dir.clone()),
        };
        let from = config.mail_from.parse().map_err(|e| format!("MAIL_FROM is not an e-mail address: {e}"))?;
        Ok(Mailer { transport, from, public_url: config.public_url.clone(), wake: Arc::new(Notify::new()) })
    }

    /// `smtp` or `mailbox`, as recorded on each sent message.
    pub fn transport_name(&self) -> &'static str {
        match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::Mailbox(_) => "mailbox",
        }
    }

    /// Where mailbox messages are written, when that is the transport.
    pub fn mailbox_dir(&self) -> Option<&PathBuf> {
        match &self.transport {
            Transport::Mailbox(dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    pub async fn deliver(&self, id: Uuid, message: &Message) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message.clone()).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Mailbox(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let path = dir.join(format!("{id}.eml"));
                // Write then rename, so a reader never sees half a message.
                let partial = dir.join(format!(".{id}.eml.partial"));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
                tokio::fs::rename(&partial, &path).await.map_err(|e| format!("cannot write {}: {e}", path.display()))
            }
        }
    }

    /// Tells the worker that mail is waiting.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }
}
