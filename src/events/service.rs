//! Event, tier and venue operations as plain async functions, used by the server functions
//! today and by the assistant later. Every organizer operation takes the caller's
//! `OrganizationScope` and touches only that organization's rows.

use crate::accounts::{Email, Name, optional_text, parse_phone};
use crate::error::{AppError, FieldErrors, violated_constraint};
use crate::events::db::{self, EventFields, EventRow, ListingQuery, TierFields, TierRow, VenueFields, VenueRow};
use crate::events::time::{self, timezone_or_default};
use crate::events::{
    AMENITIES, EventEditor, EventFilters, EventPage, EventStatus, EventSummary, EventType, PublicEvent, TierView,
    VenueView, Visibility, format_price, parse_count, parse_price,
};
use crate::organizations::access::OrganizationScope;
use crate::organizations::{Role, Slug};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

pub const MAX_CAPACITY: i32 = 1_000_000;

fn require_role(scope: &OrganizationScope, role: Role) -> Result<(), AppError> {
    if scope.role.allows(role) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Where uploaded files are served from; the stored path is relative to the upload folder.
pub fn media_url(path: &str) -> String {
    format!("/media/{path}")
}

// ----- Venues -----

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

fn venue_view(row: VenueRow) -> VenueView {
    let amenities = row.amenities.0.iter().filter(|(_, v)| v.as_bool() == Some(true)).map(|(k, _)| k.clone()).collect();
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

pub async fn create_venue(pool: &PgPool, scope: &OrganizationScope, form: VenueForm) -> Result<Uuid, AppError> {
    require_role(scope, Role::Admin)?;
    let venue = validate_venue(&form)?;
    Ok(db::insert_venue(pool, scope.organization_id, &venue.fields()).await?)
}

pub async fn update_venue(pool: &PgPool, scope: &OrganizationScope, id: Uuid, form: VenueForm) -> Result<(), AppError> {
    require_role(scope, Role::Admin)?;
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

// ----- Events -----

/// An event form as typed.
#[derive(Debug, Clone, Default)]
pub struct EventForm {
    pub name: String,
    pub event_type: String,
    pub description: String,
    pub venue_id: Option<String>,
    pub start_local: String,
    pub end_local: String,
    pub timezone: Option<String>,
    pub capacity: String,
    pub visibility: String,
    pub allow_registrations: bool,
}

struct ValidEvent {
    name: Name,
    event_type: EventType,
    description: String,
    venue_id: Option<Uuid>,
    start_at: DateTime<Utc>,
    end_at: DateTime<Utc>,
    timezone: String,
    capacity: i32,
    visibility: Visibility,
    allow_registrations: bool,
}

impl ValidEvent {
    fn fields(&self) -> EventFields<'_> {
        EventFields {
            venue_id: self.venue_id,
            name: self.name.as_str(),
            event_type: self.event_type.as_str(),
            description: &self.description,
            start_at: self.start_at,
            end_at: self.end_at,
            capacity: self.capacity,
            visibility: self.visibility.as_str(),
            currency: "CAD",
            timezone: &self.timezone,
            allow_registrations: self.allow_registrations,
        }
    }
}

async fn validate_event(pool: &PgPool, scope: &OrganizationScope, form: &EventForm) -> Result<ValidEvent, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&form.name, "the event's name"));
    let event_type = EventType::parse(&form.event_type);
    if event_type.is_none() {
        errors.add("event_type", "Choose the kind of event.");
    }
    let description = form.description.trim().to_owned();
    if description.chars().count() > 20_000 {
        errors.add("description", "Keep the description under 20,000 characters.");
    }
    let timezone_name = optional_text(form.timezone.as_deref()).unwrap_or(time::DEFAULT_TIMEZONE);
    let tz = errors.check("timezone", time::parse_timezone(timezone_name));
    let (start_at, end_at) = match tz {
        Some(tz) => (
            errors.check("start_local", time::local_to_utc(&form.start_local, tz)),
            errors.check("end_local", time::local_to_utc(&form.end_local, tz)),
        ),
        None => (None, None),
    };
    if let (Some(start), Some(end)) = (start_at, end_at)
        && end <= start
    {
        errors.add("end_local", "The event must end after it starts.");
    }
    let capacity = errors.check("capacity", parse_count(&form.capacity, "capacity", 1, MAX_CAPACITY));
    let visibility = Visibility::parse(&form.visibility);
    if visibility.is_none() {
        errors.add("visibility", "Choose who can see the event.");
    }
    let venue_id = match optional_text(form.venue_id.as_deref()) {
        None => None,
        Some(raw) => match Uuid::parse_str(raw) {
            Ok(id) if db::venue(pool, scope.organization_id, id).await?.is_some() => Some(id),
            _ => {
                errors.add("venue_id", "Choose one of your venues.");
                None
            }
        },
    };
    errors.into_result()?;
    match (name, event_type, start_at, end_at, capacity, visibility) {
        (Some(name), Some(event_type), Some(start_at), Some(end_at), Some(capacity), Some(visibility)) => {
            Ok(ValidEvent {
                name,
                event_type,
                description,
                venue_id,
                start_at,
                end_at,
                timezone: timezone_name.to_owned(),
                capacity,
                visibility,
                allow_registrations: form.allow_registrations,
            })
        }
        _ => Err(AppError::Internal),
    }
}

/// Creates a draft event with its settings. Returns its id.
pub async fn create_event(pool: &PgPool, scope: &OrganizationScope, form: EventForm) -> Result<Uuid, AppError> {
    require_role(scope, Role::Admin)?;
    let event = validate_event(pool, scope, &form).await?;
    let id = Uuid::new_v4();
    let slug = Slug::for_name(event.name.as_str(), id);
    let mut tx = pool.begin().await?;
    db::insert_event(&mut tx, id, scope.organization_id, scope.user_id, slug.as_str(), &event.fields()).await?;
    tx.commit().await?;
    tracing::info!(event_id = %id, organization_id = %scope.organization_id, "event created");
    Ok(id)
}

pub async fn update_event(pool: &PgPool, scope: &OrganizationScope, id: Uuid, form: EventForm) -> Result<(), AppError> {
    require_role(scope, Role::Admin)?;
    let event = validate_event(pool, scope, &form).await?;
    let mut tx = pool.begin().await?;
    let existing = db::event(&mut *tx, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    if i64::from(event.capacity) < existing.sold {
        return Err(AppError::field(
            "capacity",
            format!("{} tickets are already sold; capacity cannot be lower.", existing.sold),
        ));
    }
    // A sale committed since the check above still cannot be undercut: the inventory's
    // CHECK refuses a capacity below what is taken.
    match db::update_event(&mut tx, scope.organization_id, id, &event.fields()).await {
        Err(e) if violated_constraint(&e) == Some("event_inventory_taken_within_capacity") => {
            return Err(AppError::field("capacity", "More tickets are sold or held than that capacity."));
        }
        other => other?,
    };
    tx.commit().await?;
    Ok(())
}

fn tier_view(row: TierRow, currency: &str, tz: Tz, now: DateTime<Utc>) -> TierView {
    let not_yet = row.sales_start_at.filter(|s| *s > now);
    let ended = row.sales_end_at.is_some_and(|e| e <= now);
    let (availability, on_sale) = if !row.is_active {
        ("Not on sale".to_owned(), false)
    } else if let Some(start) = not_yet {
        (format!("Sales open {}", time::format_day(start, tz)), false)
    } else if ended {
        ("Sales ended".to_owned(), false)
    } else if row.available == 0 {
        ("Sold out".to_owned(), false)
    } else {
        (format!("{} left", row.available), true)
    };
    TierView {
        id: row.id,
        price: format_price(row.price_cents, currency),
        name: row.name,
        description: row.description,
        price_cents: row.price_cents,
        capacity: row.capacity,
        sold: row.sold,
        available: row.available,
        sales_start_local: row.sales_start_at.map(|t| time::utc_to_local_input(t, tz)),
        sales_end_local: row.sales_end_at.map(|t| time::utc_to_local_input(t, tz)),
        min_per_order: row.min_per_order,
        max_per_order: row.max_per_order,
        is_active: row.is_active,
        sort_order: row.sort_order,
        availability,
        on_sale,
    }
}

/// Caps each tier's availability by what is left of the event-wide capacity.
fn cap_by_event(mut tiers: Vec<TierView>, event_available: i64) -> Vec<TierView> {
    for tier in &mut tiers {
        if tier.on_sale && tier.available > event_available {
            tier.available = event_available;
            if event_available == 0 {
                tier.availability = "Sold out".into();
                tier.on_sale = false;
            } else {
                tier.availability = format!("{event_available} left");
            }
        }
    }
    tiers
}

pub async fn event_editor(pool: &PgPool, scope: &OrganizationScope, id: Uuid) -> Result<EventEditor, AppError> {
    let event = db::event(pool, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    let tz = timezone_or_default(&event.timezone);
    let now = Utc::now();
    let tiers = db::tiers(pool, id).await?.into_iter().map(|t| tier_view(t, &event.currency, tz, now)).collect();
    let venue_capacity = match event.venue_id {
        Some(venue_id) => db::venue(pool, scope.organization_id, venue_id).await?.and_then(|v| v.capacity),
        None => None,
    };
    Ok(EventEditor {
        id: event.id,
        slug: event.slug,
        name: event.name,
        event_type: EventType::parse(&event.event_type).unwrap_or(EventType::Other),
        description: event.description,
        venue_id: event.venue_id,
        start_local: time::utc_to_local_input(event.start_at, tz),
        end_local: time::utc_to_local_input(event.end_at, tz),
        capacity: event.capacity,
        status: EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft),
        visibility: Visibility::parse(&event.visibility).unwrap_or(Visibility::Private),
        currency: event.currency,
        timezone: event.timezone,
        allow_registrations: event.allow_registrations,
        cover_url: event.cover_image_path.as_deref().map(media_url),
        sold: event.sold,
        tiers: cap_by_event(tiers, event.available),
        venue_capacity,
    })
}

fn summary(row: &EventRow, venue: Option<&VenueRow>, price_from: Option<i64>) -> EventSummary {
    let tz = timezone_or_default(&row.timezone);
    EventSummary {
        id: row.id,
        slug: row.slug.clone(),
        name: row.name.clone(),
        event_type: EventType::parse(&row.event_type).unwrap_or(EventType::Other),
        status: EventStatus::parse(&row.status).unwrap_or(EventStatus::Draft),
        visibility: Visibility::parse(&row.visibility).unwrap_or(Visibility::Private),
        when: time::format_range(row.start_at, row.end_at, tz),
        venue_name: venue.map(|v| v.name.clone()),
        city: venue.map(|v| v.city.clone()),
        capacity: row.capacity,
        sold: row.sold,
        cover_url: row.cover_image_path.as_deref().map(media_url),
        price_from: price_from.map(|c| format_price(c, &row.currency)),
    }
}

/// The organization's events, latest first.
pub async fn organization_events(pool: &PgPool, scope: &OrganizationScope) -> Result<Vec<EventSummary>, AppError> {
    let rows = db::organization_events(pool, scope.organization_id).await?;
    let venues = db::venues(pool, scope.organization_id, None, &serde_json::json!({})).await?;
    Ok(rows
        .iter()
        .map(|row| summary(row, row.venue_id.and_then(|id| venues.iter().find(|v| v.id == id)), None))
        .collect())
}

/// Moves an event to another status, checking the life cycle under a row lock so two
/// organizers cannot race each other into an invalid state.
pub async fn change_status(
    pool: &PgPool,
    scope: &OrganizationScope,
    id: Uuid,
    to: EventStatus,
) -> Result<(), AppError> {
    require_role(scope, Role::Admin)?;
    let mut tx = pool.begin().await?;
    let current = db::lock_event_status(&mut tx, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    let current = EventStatus::parse(&current).ok_or(AppError::Internal)?;
    let (sold, active_tiers) = db::sold_and_active_tiers(&mut tx, id).await?;
    current.check_transition(to, sold, active_tiers).map_err(AppError::Conflict)?;
    db::set_status(&mut tx, id, to.as_str()).await?;
    tx.commit().await?;
    tracing::info!(event_id = %id, from = current.as_str(), to = to.as_str(), "event status changed");
    Ok(())
}

/// Copies an event (settings, tiers, venue) into a new draft named "Copy of …".
pub async fn duplicate_event(pool: &PgPool, scope: &OrganizationScope, id: Uuid) -> Result<Uuid, AppError> {
    require_role(scope, Role::Admin)?;
    let mut tx = pool.begin().await?;
    let source = db::event(&mut *tx, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    let new_id = Uuid::new_v4();
    let name: String = format!("Copy of {}", source.name).chars().take(160).collect();
    let slug = Slug::for_name(&name, new_id);
    sqlx::query(
        "INSERT INTO events (id, organization_id, organizer_id, venue_id, name, slug, event_type, description,
                             start_at, end_at, capacity, visibility, cover_image_path)
         SELECT $2, organization_id, $3, venue_id, $4, $5, event_type, description, start_at, end_at, capacity,
                visibility, cover_image_path
           FROM events WHERE id = $1",
    )
    .bind(id)
    .bind(new_id)
    .bind(scope.user_id)
    .bind(&name)
    .bind(slug.as_str())
    .execute(&mut *tx)
    .await?;
    db::copy_settings_and_tiers(&mut tx, id, new_id).await?;
    tx.commit().await?;
    Ok(new_id)
}

/// Stores a validated cover image for an event and points the event at it. The file is
/// written first; the database row only ever names a file that exists.
pub async fn set_cover(
    pool: &PgPool,
    scope: &OrganizationScope,
    upload_dir: &std::path::Path,
    event_id: Uuid,
    bytes: &[u8],
    extension: &str,
    content_type: &str,
) -> Result<(), AppError> {
    require_role(scope, Role::Admin)?;
    db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let relative = format!("covers/{event_id}-{}.{extension}", Uuid::new_v4().simple());
    let path = upload_dir.join(&relative);
    if let Some(folder) = path.parent() {
        tokio::fs::create_dir_all(folder)
            .await
            .map_err(|e| AppError::internal("creating the upload folder failed", e))?;
    }
    tokio::fs::write(&path, bytes).await.map_err(|e| AppError::internal("writing the cover image failed", e))?;
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO event_media (event_id, kind, storage_path, content_type, byte_size, caption, display_order)
         VALUES ($1, 'image', $2, $3, $4, 'Cover image', 0)",
    )
    .bind(event_id)
    .bind(&relative)
    .bind(content_type)
    .bind(bytes.len() as i64)
    .execute(&mut *tx)
    .await?;
    db::set_cover(&mut *tx, scope.organization_id, event_id, Some(&relative)).await?;
    tx.commit().await?;
    tracing::info!(%event_id, path = %relative, "cover image stored");
    Ok(())
}

// ----- Tiers -----

/// A tier form as typed.
#[derive(Debug, Clone, Default)]
pub struct TierForm {
    pub name: String,
    pub description: Option<String>,
    pub price: String,
    pub capacity: String,
    pub sales_start_local: Option<String>,
    pub sales_end_local: Option<String>,
    pub min_per_order: Option<String>,
    pub max_per_order: Option<String>,
}

struct ValidTier {
    name: Name,
    description: String,
    price_cents: i64,
    capacity: i32,
    sales_start_at: Option<DateTime<Utc>>,
    sales_end_at: Option<DateTime<Utc>>,
    min_per_order: i32,
    max_per_order: i32,
}

impl ValidTier {
    fn fields(&self) -> TierFields<'_> {
        TierFields {
            name: self.name.as_str(),
            description: &self.description,
            price_cents: self.price_cents,
            capacity: self.capacity,
            sales_start_at: self.sales_start_at,
            sales_end_at: self.sales_end_at,
            min_per_order: self.min_per_order,
            max_per_order: self.max_per_order,
        }
    }
}

fn validate_tier(form: &TierForm, tz: Tz) -> Result<ValidTier, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&form.name, "the tier's name"));
    let description = optional_text(form.description.as_deref()).unwrap_or_default().to_owned();
    if description.chars().count() > 2000 {
        errors.add("description", "Keep the description under 2,000 characters.");
    }
    let price_cents = errors.check("price", parse_price(&form.price));
    let capacity = errors.check("capacity", parse_count(&form.capacity, "capacity", 1, MAX_CAPACITY));
    let sales_start_at = match optional_text(form.sales_start_local.as_deref()) {
        None => None,
        Some(s) => errors.check("sales_start_local", time::local_to_utc(s, tz)),
    };
    let sales_end_at = match optional_text(form.sales_end_local.as_deref()) {
        None => None,
        Some(s) => errors.check("sales_end_local", time::local_to_utc(s, tz)),
    };
    if let (Some(start), Some(end)) = (sales_start_at, sales_end_at)
        && end <= start
    {
        errors.add("sales_end_local", "Sales must end after they start.");
    }
    let min = errors.check(
        "min_per_order",
        parse_count(optional_text(form.min_per_order.as_deref()).unwrap_or("1"), "minimum per order", 1, 100),
    );
    let max = errors.check(
        "max_per_order",
        parse_count(optional_text(form.max_per_order.as_deref()).unwrap_or("10"), "maximum per order", 1, 100),
    );
    if let (Some(min), Some(max)) = (min, max)
        && max < min
    {
        errors.add("max_per_order", "The maximum per order cannot be below the minimum.");
    }
    errors.into_result()?;
    match (name, price_cents, capacity, min, max) {
        (Some(name), Some(price_cents), Some(capacity), Some(min_per_order), Some(max_per_order)) => Ok(ValidTier {
            name,
            description,
            price_cents,
            capacity,
            sales_start_at,
            sales_end_at,
            min_per_order,
            max_per_order,
        }),
        _ => Err(AppError::Internal),
    }
}

async fn event_timezone(pool: &PgPool, scope: &OrganizationScope, event_id: Uuid) -> Result<Tz, AppError> {
    let event = db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    Ok(timezone_or_default(&event.timezone))
}

pub async fn add_tier(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
    form: TierForm,
) -> Result<Uuid, AppError> {
    require_role(scope, Role::Admin)?;
    let tz = event_timezone(pool, scope, event_id).await?;
    let tier = validate_tier(&form, tz)?;
    let mut tx = pool.begin().await?;
    let id = db::insert_tier(&mut tx, event_id, &tier.fields(), true).await?;
    tx.commit().await?;
    Ok(id)
}

/// Edits a tier. Its capacity can never drop below what is sold or held.
pub async fn update_tier(
    pool: &PgPool,
    scope: &OrganizationScope,
    tier_id: Uuid,
    form: TierForm,
) -> Result<(), AppError> {
    require_role(scope, Role::Admin)?;
    let mut tx = pool.begin().await?;
    let (event_id, taken) = db::lock_tier(&mut tx, scope.organization_id, tier_id).await?.ok_or(AppError::NotFound)?;
    let tz = event_timezone(pool, scope, event_id).await?;
    let tier = validate_tier(&form, tz)?;
    if i64::from(tier.capacity) < taken {
        return Err(AppError::field(
            "capacity",
            format!("{taken} tickets are already sold or held; capacity cannot be lower."),
        ));
    }
    db::update_tier(&mut tx, tier_id, &tier.fields()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_tier_active(
    pool: &PgPool,
    scope: &OrganizationScope,
    tier_id: Uuid,
    active: bool,
) -> Result<(), AppError> {
    require_role(scope, Role::Admin)?;
    let mut tx = pool.begin().await?;
    db::lock_tier(&mut tx, scope.organization_id, tier_id).await?.ok_or(AppError::NotFound)?;
    db::set_tier_active(&mut tx, tier_id, active).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a tier that has never sold; one with sales can only be deactivated.
pub async fn delete_tier(pool: &PgPool, scope: &OrganizationScope, tier_id: Uuid) -> Result<(), AppError> {
    require_role(scope, Role::Admin)?;
    let mut tx = pool.begin().await?;
    db::lock_tier(&mut tx, scope.organization_id, tier_id).await?.ok_or(AppError::NotFound)?;
    match db::delete_tier(&mut tx, tier_id).await {
        Ok(()) => {}
        Err(e) if matches!(violated_constraint(&e), Some("order_items_tier_id_fkey")) => {
            return Err(AppError::Conflict(
                "This tier has tickets, so it cannot be deleted. Deactivate it instead.".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(())
}

/// Moves a tier one place up (`-1`) or down (`1`) in its event's list.
pub async fn move_tier(pool: &PgPool, scope: &OrganizationScope, tier_id: Uuid, step: i32) -> Result<(), AppError> {
    require_role(scope, Role::Admin)?;
    let mut tx = pool.begin().await?;
    let (event_id, _) = db::lock_tier(&mut tx, scope.organization_id, tier_id).await?.ok_or(AppError::NotFound)?;
    let mut order: Vec<Uuid> = db::tiers(&mut *tx, event_id).await?.into_iter().map(|t| t.id).collect();
    let position = order.iter().position(|id| *id == tier_id).ok_or(AppError::NotFound)?;
    let target = position as i64 + i64::from(step.signum());
    if (0..order.len() as i64).contains(&target) {
        order.swap(position, target as usize);
        db::reorder_tiers(&mut tx, event_id, &order).await?;
    }
    tx.commit().await?;
    Ok(())
}

// ----- Public side -----

fn parse_day(input: Option<&str>, tz: Tz, end_of_day: bool) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(optional_text(input)?, "%Y-%m-%d").ok()?;
    let day = if end_of_day { day.succ_opt()? } else { day };
    tz.from_local_datetime(&day.and_hms_opt(0, 0, 0)?).earliest().map(|t| t.with_timezone(&Utc))
}

/// A page of upcoming public events. Unparseable filters are ignored rather than refused,
/// since they come from shared URLs.
pub async fn public_events(pool: &PgPool, filters: &EventFilters) -> Result<EventPage, AppError> {
    let toronto = chrono_tz::America::Toronto;
    let page = filters.page.unwrap_or(1).clamp(1, 10_000);
    let text = optional_text(filters.q.as_deref()).map(|t| t.chars().take(200).collect::<String>());
    let event_type = optional_text(filters.event_type.as_deref()).and_then(EventType::parse);
    let query = ListingQuery {
        text: text.as_deref(),
        event_type: event_type.map(EventType::as_str),
        city: optional_text(filters.city.as_deref()),
        from: parse_day(filters.from.as_deref(), toronto, false),
        to: parse_day(filters.to.as_deref(), toronto, true),
        limit: EventFilters::PAGE_SIZE,
        offset: (page - 1) * EventFilters::PAGE_SIZE,
    };
    let rows = db::public_listing(pool, &query).await?;
    let total = rows.first().map(|r| r.total).unwrap_or(0);
    let events = rows
        .into_iter()
        .map(|r| {
            let tz = timezone_or_default(&r.timezone);
            EventSummary {
                id: r.id,
                when: time::format_range(r.start_at, r.end_at, tz),
                slug: r.slug,
                name: r.name,
                event_type: EventType::parse(&r.event_type).unwrap_or(EventType::Other),
                status: EventStatus::parse(&r.status).unwrap_or(EventStatus::Published),
                visibility: Visibility::Public,
                venue_name: r.venue_name,
                city: r.city,
                capacity: r.capacity,
                sold: r.sold,
                cover_url: r.cover_image_path.as_deref().map(media_url),
                price_from: r.min_price_cents.map(|c| format_price(c, &r.currency)),
            }
        })
        .collect();
    Ok(EventPage { events, page, total, cities: db::public_cities(pool).await? })
}

/// Whether `viewer` may see `event`: drafts and private events only within the organization.
pub async fn may_view(
    pool: &PgPool,
    organization_id: Uuid,
    status: &str,
    visibility: &str,
    viewer: Option<Uuid>,
) -> Result<bool, AppError> {
    let status = EventStatus::parse(status).unwrap_or(EventStatus::Draft);
    let visibility = Visibility::parse(visibility).unwrap_or(Visibility::Private);
    if status.is_visible_to_public() && visibility != Visibility::Private {
        return Ok(true);
    }
    match viewer {
        Some(user_id) => Ok(crate::organizations::db::role_of(pool, organization_id, user_id).await?.is_some()),
        None => Ok(false),
    }
}

/// The public page of an event. Anything the viewer may not see is `NotFound`, so its
/// existence is not revealed.
pub async fn public_event(pool: &PgPool, slug: &str, viewer: Option<Uuid>) -> Result<PublicEvent, AppError> {
    let event = db::event_by_slug(pool, slug.trim()).await?.ok_or(AppError::NotFound)?;
    if !may_view(pool, event.organization_id, &event.status, &event.visibility, viewer).await? {
        return Err(AppError::NotFound);
    }
    let tz = timezone_or_default(&event.timezone);
    let now = Utc::now();
    let tiers: Vec<TierView> = db::tiers(pool, event.id)
        .await?
        .into_iter()
        .filter(|t| t.is_active)
        .map(|t| tier_view(t, &event.currency, tz, now))
        .collect();
    let venue = match event.venue_id {
        Some(id) => db::venue_by_id(pool, id).await?.map(venue_view),
        None => None,
    };
    let organizer_name = event.organization_name.clone();
    Ok(PublicEvent {
        id: event.id,
        when: time::format_range(event.start_at, event.end_at, tz),
        start_iso: event.start_at.with_timezone(&tz).to_rfc3339(),
        end_iso: event.end_at.with_timezone(&tz).to_rfc3339(),
        slug: event.slug,
        name: event.name,
        event_type: EventType::parse(&event.event_type).unwrap_or(EventType::Other),
        status: EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft),
        description: event.description,
        timezone: event.timezone,
        currency: event.currency,
        organizer_name,
        venue,
        cover_url: event.cover_image_path.as_deref().map(media_url),
        tiers: cap_by_event(tiers, event.available),
        available: event.available,
    })
}
