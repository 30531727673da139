//! SQL of the payments domain: the provider events already handled.

use sqlx::PgConnection;

/// Records a provider's webhook event; `false` when it was handled before.
pub async fn record_payment_event(
    conn: &mut PgConnection,
    provider: &str,
    event_id: &str,
    event_type: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO payment_events (provider, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        provider,
        event_id,
        event_type,
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
