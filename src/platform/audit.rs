//! Who the audit trail names. `audit_logs` is written by triggers in the transaction of each
//! change (migration 14); they read the person from this transaction-local setting, so a
//! change made without it is put down to EventOS itself (a webhook, an expired hold).

use sqlx::PgConnection;
use uuid::Uuid;

/// Names `user_id` as the one making this transaction's changes. It lasts until the
/// transaction ends (`set_config(…, true)`), so a pooled connection never carries it over.
pub async fn acting(tx: &mut PgConnection, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT set_config('eventos.actor', $1, true) AS "set!""#, user_id.to_string())
        .fetch_one(tx)
        .await?;
    Ok(())
}
