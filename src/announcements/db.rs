//! SQL of announcements: the audience (each address once), the record, and the messages
//! queued in the same transaction.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// How many different addresses the audience has.
pub async fn audience_size(db: impl PgExecutor<'_>, event_id: Uuid, tier_id: Option<Uuid>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        // Attendees hold a ticket that is issued (paid, or reserved to pay at the door), not
        // cancelled or refunded, and not a checkout's hold; `enqueue_for_audience` agrees.
        r#"SELECT count(DISTINCT lower(a.email)) AS "count!"
             FROM tickets k
             JOIN attendees a ON a.id = k.attendee_id
             JOIN orders o ON o.id = k.order_id
            WHERE k.event_id = $1 AND ($2::uuid IS NULL OR k.tier_id = $2)
              AND k.status IN ('active', 'used') AND o.status IN ('paid', 'pending')"#,
        event_id,
        tier_id
    )
    .fetch_one(db)
    .await
}

pub struct NewAnnouncement<'a> {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub event_id: Uuid,
    pub tier_id: Option<Uuid>,
    pub audience: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub recipients: i32,
    pub sent_by: Uuid,
}

/// Records the announcement; false when one with its id exists (the same preview sent twice).
pub async fn insert(conn: &mut PgConnection, new: &NewAnnouncement<'_>) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO announcements (id, organization_id, event_id, tier_id, audience, subject, body, recipients, sent_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO NOTHING",
        new.id,
        new.organization_id,
        new.event_id,
        new.tier_id,
        new.audience,
        new.subject,
        new.body,
        new.recipients,
        new.sent_by,
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Queues one message per address of the audience (the first spelling of each) and returns
/// how many were queued.
pub async fn enqueue_for_audience(
    conn: &mut PgConnection,
    event_id: Uuid,
    tier_id: Option<Uuid>,
    organization_id: Uuid,
    announcement_id: Uuid,
) -> Result<u64, sqlx::Error> {
    let queued = sqlx::query!(
        "INSERT INTO outbox (organization_id, kind, recipient, payload)
         SELECT $3, 'announcement', recipient, jsonb_build_object('announcement_id', $4::uuid)
           FROM (SELECT DISTINCT ON (lower(a.email)) a.email AS recipient
                   FROM tickets k
                   JOIN attendees a ON a.id = k.attendee_id
                   JOIN orders o ON o.id = k.order_id
                  WHERE k.event_id = $1 AND ($2::uuid IS NULL OR k.tier_id = $2)
                    AND k.status IN ('active', 'used') AND o.status IN ('paid', 'pending')
                  ORDER BY lower(a.email), k.id) AS audience",
        event_id,
        tier_id,
        organization_id,
        announcement_id,
    )
    .execute(conn)
    .await?;
    Ok(queued.rows_affected())
}

pub struct SentRow {
    pub created_at: DateTime<Utc>,
    pub audience: String,
    pub subject: String,
    pub recipients: i32,
    pub sent_by: Option<String>,
}

pub async fn sent(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<SentRow>, sqlx::Error> {
    sqlx::query_as!(
        SentRow,
        r#"SELECT n.created_at, n.audience, n.subject, n.recipients, u.full_name AS "sent_by?"
             FROM announcements n LEFT JOIN users u ON u.id = n.sent_by
            WHERE n.event_id = $1
            ORDER BY n.created_at DESC
            LIMIT 50"#,
        event_id,
    )
    .fetch_all(db)
    .await
}

pub struct MailRow {
    pub subject: String,
    pub body: String,
    pub event_name: String,
    pub organization_name: String,
}

/// What an announcement's message is made of, when it is sent.
pub async fn for_mail(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<MailRow>, sqlx::Error> {
    sqlx::query_as!(
        MailRow,
        r#"SELECT n.subject, n.body, e.name AS event_name, g.name AS organization_name
             FROM announcements n
             JOIN events e ON e.id = n.event_id
             JOIN organizations g ON g.id = n.organization_id
            WHERE n.id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await
}
