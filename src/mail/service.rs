//! The sent mail page's reads: what went out, to whom, and how it went.

use crate::mail::db::{self, MailRow};
use crate::mail::{SentMail, SentMailDetail};
use crate::organizations::access::OrganizationScope;
use crate::platform::error::AppError;
use sqlx::PgPool;
use uuid::Uuid;

/// How many messages the page lists.
const LISTED: i64 = 200;

fn summary(row: &MailRow) -> SentMail {
    SentMail {
        id: row.id,
        kind: row.kind.label().to_owned(),
        recipient: row.recipient.clone(),
        subject: row.subject.clone(),
        status: row.status.as_str().to_owned(),
        attempts: row.attempts,
        last_error: row.last_error.clone(),
        transport: row.transport.clone(),
        when: row.created_at.with_timezone(&chrono_tz::America::Toronto).format("%b %-d, %-I:%M:%S %p").to_string(),
    }
}

pub async fn sent_mail(pool: &PgPool, scope: &OrganizationScope) -> Result<Vec<SentMail>, AppError> {
    Ok(db::sent_mail(pool, scope.organization_id, LISTED).await?.iter().map(summary).collect())
}

/// One message of the organization's, or `NotFound`.
pub async fn message(pool: &PgPool, scope: &OrganizationScope, id: Uuid) -> Result<SentMailDetail, AppError> {
    let row = db::mail_of_organization(pool, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    Ok(SentMailDetail {
        summary: summary(&row),
        body_text: row.body_text.clone(),
        attachments: serde_json::from_value(row.attachments.clone()).unwrap_or_default(),
    })
}
