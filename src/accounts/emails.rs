//! The e-mails about a person's own account: a password reset link, and the note to an
//! address's owner that someone tried to sign up with it.

use crate::mail::MailKind;
use crate::mail::compose::{self, Draft, LinkMessage, link_message};
use crate::mail::db::OutboxRow;
use crate::mail::outbox::{Render, RenderFuture, Rendered};
use crate::platform::mailer::Mailer;
use sqlx::PgPool;

/// The renderer of account messages.
pub struct AccountMail;

impl Render for AccountMail {
    fn render<'a>(&'a self, _pool: &'a PgPool, mailer: &'a Mailer, row: &'a OutboxRow) -> RenderFuture<'a> {
        Box::pin(async move { render(mailer, row) })
    }
}

fn render(mailer: &Mailer, row: &OutboxRow) -> Result<Rendered, String> {
    let forgot_url = format!("{}/forgot-password", mailer.public_url);
    let (subject, lines, link, kept_text) = match row.kind {
        MailKind::PasswordReset => {
            let token = row.payload.get("token").and_then(|t| t.as_str()).ok_or("reset message without a token")?;
            let reset_url = format!("{}/reset-password/{token}", mailer.public_url);
            let lines = [
                "Someone (we hope you) asked to reset the password of your EventOS account.",
                "The link below works once, for one hour. Using it logs you out everywhere else.",
                "If you did not ask for this, ignore this message: your password stays as it is.",
            ];
            ("Reset your EventOS password".to_owned(), lines, (reset_url, "Choose a new password"), false)
        }
        MailKind::ConfirmEmail => {
            let token = row.payload.get("token").and_then(|t| t.as_str()).ok_or("confirmation without a token")?;
            let confirm_url = format!("{}/confirm-email/{token}", mailer.public_url);
            let lines = [
                "Welcome to EventOS. One step is left: confirm that this e-mail address is yours.",
                "The link below works once, for 24 hours, and logs you in.",
                "If you did not sign up, ignore this message: the account stays closed.",
            ];
            ("Confirm your EventOS account".to_owned(), lines, (confirm_url, "Confirm my address"), false)
        }
        MailKind::SignupAttempt => {
            let lines = [
                "Someone just tried to sign up for EventOS with this e-mail address, which already has an account.",
                "If it was you, log in with your password, or reset it if you forgot it.",
                "If it was not you, you need not do anything: nothing was changed.",
            ];
            ("Someone tried to sign up with your address".to_owned(), lines, (forgot_url, "Reset your password"), true)
        }
        other => return Err(format!("{other} is not an account message")),
    };
    let (url, label) = link;
    let LinkMessage { text, html, recorded: body_text } = link_message(&lines, &url, label, kept_text);
    let draft = Draft { subject: subject.clone(), text, html, images: Vec::new(), files: Vec::new() };
    let message = compose::build(mailer, row, draft)?;
    Ok(Rendered { message, subject, body_text, attachments: Vec::new() })
}
