//! Venue operations as plain async functions. Every one takes the caller's
//! `OrganizationScope` and touches only that organization's venues.

use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::platform::error::{AppError, FieldErrors};
use crate::platform::text::{Email, Name, optional_text, parse_count, parse_phone};
use crate::venues::db::{self, VenueFields, VenueRow};
use crate::venues::{AMENITIES, MAX_CAPACITY, VenueView};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A venue form as typed.
#[derive(Debug, Clone, Default)]
pub struct VenueForm {
    pub name: String,
    pub address: String,
    pub city: Option<String>,
    pub province: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub capacity: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub amenities: Vec<String>,
}

struct ValidVenue {
    name: Name,
    address: String,
    city: String,
    province: String,
    postal_code: Option<String>,
    country: String,
    capacity: Option<i32>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    amenities: serde_json::Value,
}

impl ValidVenue {
    fn fields(&self) -> VenueFields<'_> {
        VenueFields {
            name: self.name.as_str(),
            address: &self.address,
            city: &self.city,
            province: &self.province,
            postal_code: self.postal_code.as_deref(),
            country: &self.country,
            capacity: self.capacity,
            contact_name: self.contact_name.as_deref(),
            contact_email: self.contact_email.as_deref(),
            contact_phone: self.contact_phone.as_deref(),
            amenities: self.amenities.clone(),
        }
    }
}

fn required_text(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    default: &str,
    what: &str,
    max: usize,
) -> String {
    let value = optional_text(value).unwrap_or(default);
    if value.is_empty() {
        errors.add(field, format!("Enter {what}."));
    } else if value.chars().count() > max {
        errors.add(field, format!("Use at most {max} characters."));
    }
    value.to_owned()
}

fn validate_venue(form: &VenueForm) -> Result<ValidVenue, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&form.name, "the venue's name"));
    let address = required_text(&mut errors, "address", Some(&form.address), "", "the street address", 240);
    let city = required_text(&mut errors, "city", form.city.as_deref(), "Toronto", "the city", 120);
    let province = required_text(&mut errors, "province", form.province.as_deref(), "ON", "the province", 60);
    let country = required_text(&mut errors, "country", form.country.as_deref(), "Canada", "the country", 60);
    let postal_code = optional_text(form.postal_code.as_deref()).map(|p| p.to_uppercase());
    if postal_code.as_ref().is_some_and(|p| p.chars().count() > 12) {
        errors.add("postal_code", "Enter a postal code like M5V 2T6.");
    }
    let capacity = match optional_text(form.capacity.as_deref()) {
        None => None,
        Some(c) => errors.check("capacity", parse_count(c, "capacity", 1, MAX_CAPACITY)),
    };
    let contact_email = match optional_text(form.contact_email.as_deref()) {
        None => None,
        Some(e) => errors.check("contact_email", Email::parse(e)).map(|e| e.as_str().to_owned()),
    };
    let contact_phone = errors.check("contact_phone", parse_phone(form.contact_phone.as_deref())).flatten();
    let contact_name = optional_text(form.contact_name.as_deref()).map(str::to_owned);
    let mut amenities = serde_json::Map::new();
    for key in &form.amenities {
        if AMENITIES.iter().any(|(k, _)| k == key) {
            amenities.insert(key.clone(), serde_json::Value::Bool(true));
        } else {
            errors.add("amenities", "Choose amenities from the list.");
        }
    }
    errors.into_result()?;
    Ok(ValidVenue {
        name: name.ok_or(AppError::Internal)?,
        address,
        city,
        province,
        postal_code,
        country,
        capacity,
        contact_name,
        contact_email,
        contact_phone,
        amenities: serde_json::Value::Object(amenities),
    })
}

pub fn venue_view(row: VenueRow) -> VenueView {
    let amenities = row
        .amenities
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| v.as_bool() == Some(true))
        .map(|(k, _)| k.clone())
        .collect();
    VenueView {
        id: row.id,
        name: row.name,
        address: row.address,
        city: row.city,
        province: row.province,
        postal_code: row.postal_code,
        country: row.country,
        capacity: row.capacity,
        contact_name: row.contact_name,
        contact_email: row.contact_email,
        contact_phone: row.contact_phone,
        amenities,
    }
}

#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id))]
pub async fn create_venue(pool: &PgPool, scope: &OrganizationScope, form: VenueForm) -> Result<Uuid, AppError> {
    create_venue_in(&mut *pool.acquire().await?, scope, form).await
}

/// `create_venue` on the caller's connection or transaction.
pub async fn create_venue_in(
    conn: &mut PgConnection,
    scope: &OrganizationScope,
    form: VenueForm,
) -> Result<Uuid, AppError> {
    scope.require(Role::Admin)?;
    let venue = validate_venue(&form)?;
    Ok(db::insert_venue(conn, scope.organization_id, &venue.fields()).await?)
}

#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %id))]
pub async fn update_venue(pool: &PgPool, scope: &OrganizationScope, id: Uuid, form: VenueForm) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let venue = validate_venue(&form)?;
    if db::update_venue(pool, scope.organization_id, id, &venue.fields()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn venue(pool: &PgPool, scope: &OrganizationScope, id: Uuid) -> Result<VenueView, AppError> {
    db::venue(pool, scope.organization_id, id).await?.map(venue_view).ok_or(AppError::NotFound)
}

/// The organization's venues, optionally only those with `min_capacity` seats and all of `amenities`.
pub async fn venues(
    pool: &PgPool,
    scope: &OrganizationScope,
    min_capacity: Option<i32>,
    amenities: &[String],
) -> Result<Vec<VenueView>, AppError> {
    let wanted: serde_json::Map<String, serde_json::Value> = amenities
        .iter()
        .filter(|a| AMENITIES.iter().any(|(k, _)| k == *a))
        .map(|a| (a.clone(), serde_json::Value::Bool(true)))
        .collect();
    let rows = db::venues(pool, scope.organization_id, min_capacity, &serde_json::Value::Object(wanted)).await?;
    Ok(rows.into_iter().map(venue_view).collect())
}
