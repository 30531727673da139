//! SQL of promo codes.

use crate::orders::DiscountKind;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct PromoRow {
    pub id: Uuid,
    pub event_id: Uuid,
    pub tier_id: Option<Uuid>,
    pub code: String,
    pub discount_kind: DiscountKind,
    pub discount_value: i64,
    pub max_uses: Option<i32>,
    pub used: i32,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub is_active: bool,
    pub tier_name: Option<String>,
}

/// A query for promo codes with the name of the tier they apply to.
macro_rules! select_promos {
    ($condition:literal, $($arg:expr),* $(,)?) => {
        sqlx::query_as!(
            PromoRow,
            r#"SELECT p.id, p.event_id, p.tier_id, p.code, p.discount_kind AS "discount_kind: DiscountKind",
                      p.discount_value, p.max_uses, p.used, p.valid_from, p.valid_until, p.is_active,
                      t.name AS "tier_name?"
                 FROM promo_codes p LEFT JOIN ticket_tiers t ON t.id = p.tier_id "# + $condition,
            $($arg),*
        )
    };
}

pub async fn promo_by_code(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
    code: &str,
) -> Result<Option<PromoRow>, sqlx::Error> {
    select_promos!("WHERE p.event_id = $1 AND p.code = $2", event_id, code).fetch_optional(db).await
}

pub async fn promos_of_event(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<Vec<PromoRow>, sqlx::Error> {
    select_promos!("WHERE p.event_id = $1 ORDER BY p.created_at", event_id).fetch_all(db).await
}

/// A promo code's columns as the organizer writes them.
pub struct PromoFields<'a> {
    pub tier_id: Option<Uuid>,
    pub code: &'a str,
    pub discount_kind: DiscountKind,
    pub discount_value: i64,
    pub max_uses: Option<i32>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

pub async fn insert_promo(conn: &mut PgConnection, event_id: Uuid, f: &PromoFields<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO promo_codes (event_id, tier_id, code, discount_kind, discount_value, max_uses, valid_from, valid_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        event_id,
        f.tier_id,
        f.code,
        f.discount_kind.as_str(),
        f.discount_value,
        f.max_uses,
        f.valid_from,
        f.valid_until,
    )
    .fetch_one(conn)
    .await
}

/// Switches a promo code of one of the organization's events on or off.
pub async fn set_promo_active(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    promo_id: Uuid,
    active: bool,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE promo_codes p SET is_active = $3 FROM events e
          WHERE e.id = p.event_id AND e.organization_id = $1 AND p.id = $2 RETURNING p.event_id",
        organization_id,
        promo_id,
        active,
    )
    .fetch_optional(db)
    .await
}
