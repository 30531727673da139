//! Writing to attendees: checked, previewed with its count, sent once per address.

use crate::announcements::db::{self, NewAnnouncement};
use crate::announcements::{AnnouncementPreview, ComposeData, MAX_BODY, MAX_SUBJECT, SentAnnouncement, SentResult};
use crate::events::EventEditor;
use crate::events::service as events;
use crate::events::time::timezone_or_default;
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::platform::error::{AppError, FieldErrors};
use crate::platform::rate_limit::{self, Limit};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// Messages one event may send its attendees a day: enough for updates, too few to spam.
pub const SEND_LIMIT: Limit = Limit { name: "announcement", max: 5, window: Duration::from_secs(24 * 3600) };
/// Recipients one organization may write to a day, over all its events: attendee addresses
/// are typed by buyers, so an organization cannot turn its events into a mailing list.
pub const RECIPIENT_LIMIT: Limit =
    Limit { name: "announcement_recipients", max: 5_000, window: Duration::from_secs(24 * 3600) };

/// A message as the organizer wrote it.
pub struct Compose<'a> {
    pub event_id: Uuid,
    pub tier_id: Option<Uuid>,
    pub subject: &'a str,
    pub body: &'a str,
}

pub async fn compose_data(pool: &PgPool, scope: &OrganizationScope, event_id: Uuid) -> Result<ComposeData, AppError> {
    scope.require(Role::Admin)?;
    let event = events::event_editor(pool, scope, event_id).await?;
    let zone = timezone_or_default(&event.timezone);
    let sent = db::sent(pool, event_id)
        .await?
        .into_iter()
        .map(|row| SentAnnouncement {
            when: row.created_at.with_timezone(&zone).format("%b %-d, %Y %H:%M").to_string(),
            audience: row.audience,
            subject: row.subject,
            recipients: row.recipients,
            sent_by: row.sent_by.unwrap_or_else(|| "a former member".into()),
        })
        .collect();
    Ok(ComposeData {
        event_id,
        event_name: event.name,
        tiers: event.tiers.into_iter().map(|t| (t.id, t.name)).collect(),
        sent,
    })
}

/// The message as attendees will read it and how many will; writes nothing.
pub async fn preview(
    pool: &PgPool,
    scope: &OrganizationScope,
    message: &Compose<'_>,
) -> Result<AnnouncementPreview, AppError> {
    scope.require(Role::Admin)?;
    let (subject, body) = checked(message)?;
    let event = events::event_editor(pool, scope, message.event_id).await?;
    let audience = audience(&event, message.tier_id)?;
    let recipients = db::audience_size(pool, message.event_id, message.tier_id).await?;
    let organization = crate::team::db::organization_name(pool, scope.organization_id).await?;
    Ok(AnnouncementPreview {
        id: Uuid::new_v4(),
        event_id: message.event_id,
        tier_id: message.tier_id,
        body: body.to_owned(),
        audience,
        recipients,
        subject: subject.to_owned(),
        text: crate::announcements::emails::text(body, &event.name, &organization),
    })
}

/// Sends the message to each address of its audience once, under the `id` its preview
/// gave (a second send of one preview is refused). `expected` is the count the organizer
/// saw in the preview: a different audience now is refused, not sent.
pub async fn send(
    pool: &PgPool,
    scope: &OrganizationScope,
    id: Uuid,
    message: &Compose<'_>,
    expected: i64,
) -> Result<SentResult, AppError> {
    scope.require(Role::Admin)?;
    let (subject, body) = checked(message)?;
    let event = events::event_editor(pool, scope, message.event_id).await?;
    let audience = audience(&event, message.tier_id)?;
    if expected < 1 {
        return Err(AppError::field("tier_id", "Nobody holds a ticket in this audience yet."));
    }
    // Counted before the transaction, so it never waits on a second connection.
    rate_limit::hit(pool, SEND_LIMIT, &message.event_id.to_string()).await?;
    let recipients = i32::try_from(expected).unwrap_or(i32::MAX);
    rate_limit::hit_n(pool, RECIPIENT_LIMIT, &scope.organization_id.to_string(), recipients).await?;
    let mut tx = scope.begin(pool).await?;
    crate::platform::audit::acting(&mut tx, scope.user_id).await?;
    let new = NewAnnouncement {
        id,
        organization_id: scope.organization_id,
        event_id: message.event_id,
        tier_id: message.tier_id,
        audience: &audience,
        subject,
        body,
        recipients,
        sent_by: scope.user_id,
    };
    if !db::insert(&mut tx, &new).await? {
        return Err(AppError::Conflict("This message was already sent.".into()));
    }
    // The messages queued are the count: one statement, one snapshot of the audience.
    let queued =
        db::enqueue_for_audience(&mut tx, message.event_id, message.tier_id, scope.organization_id, id).await?;
    let queued = i64::try_from(queued).unwrap_or(i64::MAX);
    if queued != expected {
        tx.rollback().await?;
        return Err(AppError::Conflict(format!(
            "The audience changed since the preview: it is now {queued} people. Look at the preview again."
        )));
    }
    tx.commit().await?;
    tracing::info!(announcement_id = %id, event_id = %message.event_id, queued, "attendees were e-mailed");
    Ok(SentResult { id, recipients: queued })
}

/// The subject and message, trimmed, or why they cannot be sent.
fn checked<'a>(message: &Compose<'a>) -> Result<(&'a str, &'a str), AppError> {
    let subject = message.subject.trim();
    let body = message.body.trim();
    let mut problems = FieldErrors::new();
    if subject.is_empty() {
        problems.add("subject", "Give the message a subject.");
    } else if subject.chars().count() > MAX_SUBJECT || subject.contains(['\r', '\n']) {
        problems.add("subject", format!("Keep the subject to one line of at most {MAX_SUBJECT} characters."));
    }
    if body.is_empty() {
        problems.add("body", "Write the message.");
    } else if body.chars().count() > MAX_BODY {
        problems.add("body", format!("Keep the message under {MAX_BODY} characters."));
    }
    problems.into_result()?;
    Ok((subject, body))
}

/// Who the message goes to, in words; a tier of another event is refused.
fn audience(event: &EventEditor, tier_id: Option<Uuid>) -> Result<String, AppError> {
    match tier_id {
        None => Ok("All attendees".into()),
        Some(id) => event
            .tiers
            .iter()
            .find(|t| t.id == id)
            .map(|t| format!("{} ticket holders", t.name))
            .ok_or_else(|| AppError::field("tier_id", "Choose one of this event's tiers.")),
    }
}
