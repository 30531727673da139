//! SQL for venues. Organizer queries filter by the organization id from the caller's scope.

use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct VenueRow {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub postal_code: Option<String>,
    pub country: String,
    pub capacity: Option<i32>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// An object of amenity keys set to `true`.
    pub amenities: serde_json::Value,
}

/// A venue's columns as written by create and update.
pub struct VenueFields<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub city: &'a str,
    pub province: &'a str,
    pub postal_code: Option<&'a str>,
    pub country: &'a str,
    pub capacity: Option<i32>,
    pub contact_name: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    pub amenities: serde_json::Value,
}

pub async fn insert_venue(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    v: &VenueFields<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO venues (organization_id, name, address, city, province, postal_code, country, capacity,
                             contact_name, contact_email, contact_phone, amenities)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        organization_id,
        v.name,
        v.address,
        v.city,
        v.province,
        v.postal_code,
        v.country,
        v.capacity,
        v.contact_name,
        v.contact_email,
        v.contact_phone,
        v.amenities,
    )
    .fetch_one(db)
    .await
}

pub async fn update_venue(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    id: Uuid,
    v: &VenueFields<'_>,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE venues SET name = $3, address = $4, city = $5, province = $6, postal_code = $7, country = $8,
                capacity = $9, contact_name = $10, contact_email = $11, contact_phone = $12, amenities = $13
          WHERE organization_id = $1 AND id = $2",
        organization_id,
        id,
        v.name,
        v.address,
        v.city,
        v.province,
        v.postal_code,
        v.country,
        v.capacity,
        v.contact_name,
        v.contact_email,
        v.contact_phone,
        v.amenities,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// A query for venues: one column list, the condition after it.
macro_rules! select_venues {
    ($condition:literal, $($arg:expr),* $(,)?) => {
        sqlx::query_as!(
            VenueRow,
            "SELECT id, name, address, city, province, postal_code, country, capacity,
                    contact_name, contact_email, contact_phone, amenities
               FROM venues " + $condition,
            $($arg),*
        )
    };
}

/// The organization's venues with at least `min_capacity` seats and every amenity in `amenities`.
pub async fn venues(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    min_capacity: Option<i32>,
    amenities: &serde_json::Value,
) -> Result<Vec<VenueRow>, sqlx::Error> {
    select_venues!(
        "WHERE organization_id = $1 AND ($2::int IS NULL OR capacity >= $2) AND amenities @> $3 ORDER BY name, id",
        organization_id,
        min_capacity,
        amenities,
    )
    .fetch_all(db)
    .await
}

pub async fn venue(db: impl PgExecutor<'_>, organization_id: Uuid, id: Uuid) -> Result<Option<VenueRow>, sqlx::Error> {
    select_venues!("WHERE organization_id = $1 AND id = $2", organization_id, id).fetch_optional(db).await
}

/// A venue by id, whoever owns it (for public event pages).
pub async fn venue_by_id(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<VenueRow>, sqlx::Error> {
    select_venues!("WHERE id = $1", id).fetch_optional(db).await
}
