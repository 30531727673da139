//! Event operations as plain async functions, used by the server functions
//! today and by the assistant later. Every organizer operation takes the caller's
//! `OrganizationScope` and touches only that organization's rows.

use crate::events::db::{self, EventFields, EventRow};
use crate::events::tiers::{cap_by_event, tier_view};
use crate::events::time::{self, timezone_or_default};
use crate::events::{Currency, EventEditor, EventStatus, EventSummary, EventType, Visibility, format_price};
use crate::organizations::access::OrganizationScope;
use crate::organizations::{Role, Slug, db as organizations_db};
use crate::platform::error::{AppError, FieldErrors, on_constraint};
use crate::platform::text::{Name, optional_text, parse_count};
use crate::venues::MAX_CAPACITY;
use crate::venues::db::{self as venues_db, VenueRow};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Where uploaded files are served from; the stored path is relative to the upload folder.
pub fn media_url(path: &str) -> String {
    format!("/media/{path}")
}

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
    /// An ISO 4217 code; when absent, a new event takes its organization's currency and an
    /// edited one keeps its own.
    pub currency: Option<String>,
    pub allow_registrations: bool,
    /// "Pay at the door or by invoice" is offered.
    pub offline_payments: bool,
    /// Days an unpaid offline order has to pay; 3 when blank.
    pub offline_payment_days: Option<String>,
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
    currency: Option<Currency>,
    allow_registrations: bool,
    offline_payments: bool,
    offline_payment_days: i32,
}

impl ValidEvent {
    fn fields<'a>(&'a self, currency: &'a str) -> EventFields<'a> {
        EventFields {
            venue_id: self.venue_id,
            name: self.name.as_str(),
            event_type: self.event_type,
            description: &self.description,
            start_at: self.start_at,
            end_at: self.end_at,
            capacity: self.capacity,
            visibility: self.visibility,
            currency,
            timezone: &self.timezone,
            allow_registrations: self.allow_registrations,
            offline_payments: self.offline_payments,
            offline_payment_days: self.offline_payment_days,
        }
    }
}

async fn validate_event(
    conn: &mut PgConnection,
    scope: &OrganizationScope,
    form: &EventForm,
) -> Result<ValidEvent, AppError> {
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
    let offline_payment_days = errors.check(
        "offline_payment_days",
        parse_count(optional_text(form.offline_payment_days.as_deref()).unwrap_or("3"), "payment days", 1, 60),
    );
    let visibility = Visibility::parse(&form.visibility);
    if visibility.is_none() {
        errors.add("visibility", "Choose who can see the event.");
    }
    let currency = match optional_text(form.currency.as_deref()) {
        Some(code) => errors.check("currency", Currency::parse(code)),
        None => None,
    };
    let venue_id = match optional_text(form.venue_id.as_deref()) {
        None => None,
        Some(raw) => match Uuid::parse_str(raw) {
            Ok(id) if venues_db::venue(&mut *conn, scope.organization_id, id).await?.is_some() => Some(id),
            _ => {
                errors.add("venue_id", "Choose one of your venues.");
                None
            }
        },
    };
    errors.into_result()?;
    match (name, event_type, start_at, end_at, capacity, visibility, offline_payment_days) {
        (
            Some(name),
            Some(event_type),
            Some(start_at),
            Some(end_at),
            Some(capacity),
            Some(visibility),
            Some(offline_payment_days),
        ) => Ok(ValidEvent {
            name,
            event_type,
            description,
            venue_id,
            start_at,
            end_at,
            timezone: timezone_name.to_owned(),
            capacity,
            visibility,
            currency,
            allow_registrations: form.allow_registrations,
            offline_payments: form.offline_payments,
            offline_payment_days,
        }),
        _ => Err(AppError::Internal),
    }
}

/// Creates a draft event with its settings. Returns its id.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id))]
pub async fn create_event(pool: &PgPool, scope: &OrganizationScope, form: EventForm) -> Result<Uuid, AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    let id = create_event_in(&mut tx, scope, form).await?;
    tx.commit().await?;
    tracing::info!(event_id = %id, organization_id = %scope.organization_id, "event created");
    Ok(id)
}

/// `create_event` inside the caller's transaction (the assistant applies a message's
/// changes all together or not at all).
pub async fn create_event_in(
    conn: &mut PgConnection,
    scope: &OrganizationScope,
    form: EventForm,
) -> Result<Uuid, AppError> {
    scope.require(Role::Admin)?;
    let event = validate_event(conn, scope, &form).await?;
    let currency = match event.currency {
        Some(currency) => currency,
        None => organization_currency(conn, scope).await?,
    };
    let id = Uuid::new_v4();
    let slug = Slug::for_name(event.name.as_str(), id);
    let fields = event.fields(currency.code());
    db::insert_event(conn, id, scope.organization_id, scope.user_id, slug.as_str(), &fields).await?;
    Ok(id)
}

/// The currency the organization prices in, CAD when it is not one EventOS offers.
async fn organization_currency(conn: &mut PgConnection, scope: &OrganizationScope) -> Result<Currency, AppError> {
    let organization =
        organizations_db::overview(&mut *conn, scope.organization_id, scope.role).await?.ok_or(AppError::NotFound)?;
    Ok(Currency::from_code(&organization.currency).unwrap_or(Currency::CAD))
}

/// Saves an event's details. Its capacity never drops below what is sold, and its currency
/// changes only while nothing has been sold, held or ordered.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %id))]
pub async fn update_event(pool: &PgPool, scope: &OrganizationScope, id: Uuid, form: EventForm) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    update_event_in(&mut tx, scope, id, form).await?;
    tx.commit().await?;
    Ok(())
}

/// `update_event` inside the caller's transaction.
pub async fn update_event_in(
    tx: &mut PgConnection,
    scope: &OrganizationScope,
    id: Uuid,
    form: EventForm,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let event = validate_event(tx, scope, &form).await?;
    let existing = db::event(&mut *tx, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    if i64::from(event.capacity) < existing.sold {
        return Err(AppError::field(
            "capacity",
            format!("{} tickets are already sold; capacity cannot be lower.", existing.sold),
        ));
    }
    // The settings row first, then tiers and the event: the order in which `tiers::add_tier`
    // (settings) and checkout (tiers, then the inventory) lock.
    let stored = db::lock_event_currency(&mut *tx, id).await?.ok_or(AppError::NotFound)?;
    let currency = match event.currency {
        Some(to) if to.code() != stored => {
            change_currency(&mut *tx, id, &stored, to).await?;
            to.code().to_owned()
        }
        _ => stored,
    };
    // Orders before the event row and its inventory (through the capacity trigger): the
    // order in which a payment locks them, so the two never wait on each other.
    if existing.timezone != event.timezone {
        let moved = db::redate_sales(&mut *tx, id, &event.timezone).await?;
        tracing::info!(moved, "sales moved to the days of the new time zone");
    }
    // A sale committed since the check above still cannot be undercut: the inventory's
    // CHECK refuses a capacity below what is taken.
    db::update_event(&mut *tx, scope.organization_id, id, &event.fields(&currency)).await.map_err(|e| {
        on_constraint(
            e,
            "event_inventory_taken_within_capacity",
            AppError::field("capacity", "More tickets are sold or held than that capacity."),
        )
    })?;
    Ok(())
}

/// Moves an event's prices from `from` to `to`, its settings row already locked: refused once
/// anything was sold, held or ordered (amounts were charged in the old currency). Tier prices
/// keep the numbers the organizer typed (25.00 CAD becomes 25 JPY), or the change is refused
/// when one cannot be written in the new currency.
async fn change_currency(tx: &mut PgConnection, id: Uuid, from: &str, to: Currency) -> Result<(), AppError> {
    if db::lock_tiers_and_has_sales(tx, id).await? {
        return Err(AppError::field(
            "currency",
            format!("Tickets have been sold in {from}; the currency can no longer change."),
        ));
    }
    let from_decimals = Currency::from_code(from).map_or(2, Currency::decimals);
    if from_decimals == to.decimals() {
        return Ok(());
    }
    let (from_scale, to_scale) = (10_i64.pow(from_decimals), 10_i64.pow(to.decimals()));
    if let Some((tier, price)) = db::tier_price_not_rescalable(tx, id, from_scale, to_scale).await? {
        return Err(AppError::field(
            "currency",
            format!(
                "The tier “{tier}” costs {}, which cannot be written in {}. Change its price first.",
                format_price(price, from),
                to.code()
            ),
        ));
    }
    db::rescale_tier_prices(tx, id, from_scale, to_scale).await.map_err(|e| {
        on_constraint(
            e,
            "ticket_tiers_price_not_negative",
            AppError::field("currency", format!("A tier's price would be above the highest price in {}.", to.code())),
        )
    })
}

pub async fn event_editor(pool: &PgPool, scope: &OrganizationScope, id: Uuid) -> Result<EventEditor, AppError> {
    event_editor_in(&mut *pool.acquire().await?, scope, id).await
}

/// The event for a change that depends on its status, locked until `tx` ends: a status
/// change made elsewhere (`change_status_in` locks the same row) waits for this change or
/// is seen by it, never slips between the check and the write. Locks in the order
/// `update_event_in` does (settings, then the event), so the two never wait on each other.
pub async fn event_for_change_in(
    tx: &mut PgConnection,
    scope: &OrganizationScope,
    id: Uuid,
) -> Result<EventEditor, AppError> {
    scope.require(Role::Admin)?;
    // Another organization's event is refused before anything of it is locked.
    db::event(&mut *tx, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    db::lock_event_currency(&mut *tx, id).await?.ok_or(AppError::NotFound)?;
    db::lock_event_status(&mut *tx, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    event_editor_in(tx, scope, id).await
}

/// `event_editor` on the caller's connection or transaction (seeing its own changes).
pub async fn event_editor_in(
    conn: &mut PgConnection,
    scope: &OrganizationScope,
    id: Uuid,
) -> Result<EventEditor, AppError> {
    let event = db::event(&mut *conn, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    let tz = timezone_or_default(&event.timezone);
    let now = Utc::now();
    let tiers = db::tiers(&mut *conn, id).await?.into_iter().map(|t| tier_view(t, &event.currency, tz, now)).collect();
    let venue_capacity = match event.venue_id {
        Some(venue_id) => venues_db::venue(&mut *conn, scope.organization_id, venue_id).await?.and_then(|v| v.capacity),
        None => None,
    };
    Ok(EventEditor {
        id: event.id,
        slug: event.slug,
        name: event.name,
        event_type: event.event_type,
        description: event.description,
        venue_id: event.venue_id,
        start_local: time::utc_to_local_input(event.start_at, tz),
        end_local: time::utc_to_local_input(event.end_at, tz),
        capacity: event.capacity,
        status: event.status,
        visibility: event.visibility,
        currency: event.currency,
        timezone: event.timezone,
        allow_registrations: event.allow_registrations,
        offline_payments: event.offline_payments,
        offline_payment_days: event.offline_payment_days,
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
        event_type: row.event_type,
        status: row.status,
        visibility: row.visibility,
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
    organization_events_in(&mut *pool.acquire().await?, scope).await
}

/// `organization_events` on the caller's connection or transaction (seeing its own changes).
pub async fn organization_events_in(
    conn: &mut PgConnection,
    scope: &OrganizationScope,
) -> Result<Vec<EventSummary>, AppError> {
    let rows = db::organization_events(&mut *conn, scope.organization_id).await?;
    let venues = venues_db::venues(&mut *conn, scope.organization_id, None, &serde_json::json!({})).await?;
    Ok(rows
        .iter()
        .map(|row| summary(row, row.venue_id.and_then(|id| venues.iter().find(|v| v.id == id)), None))
        .collect())
}

/// Moves an event to another status, checking the life cycle under a row lock so two
/// organizers cannot race each other into an invalid state.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %id, to = %to))]
pub async fn change_status(
    pool: &PgPool,
    scope: &OrganizationScope,
    id: Uuid,
    to: EventStatus,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    let current = change_status_in(&mut tx, scope, id, to).await?;
    tx.commit().await?;
    tracing::info!(event_id = %id, from = current.as_str(), to = to.as_str(), "event status changed");
    Ok(())
}

/// `change_status` inside the caller's transaction; returns the status it moved from.
pub async fn change_status_in(
    tx: &mut PgConnection,
    scope: &OrganizationScope,
    id: Uuid,
    to: EventStatus,
) -> Result<EventStatus, AppError> {
    scope.require(Role::Admin)?;
    let current = db::lock_event_status(&mut *tx, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    if to == EventStatus::Cancelled {
        // Cancelling closes the event's orders too: that is `orders::cancel_event`.
        return Err(AppError::Conflict("Use \"Cancel event\", which also cancels and refunds its orders.".into()));
    }
    let (taken, active_tiers) = db::taken_and_active_tiers(&mut *tx, id).await?;
    current.check_transition(to, taken, active_tiers).map_err(AppError::Conflict)?;
    db::set_status(&mut *tx, id, to).await?;
    Ok(current)
}

/// Copies an event (settings, tiers, venue) into a new draft named "Copy of …".
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %id))]
pub async fn duplicate_event(pool: &PgPool, scope: &OrganizationScope, id: Uuid) -> Result<Uuid, AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    let source = db::event(&mut *tx, scope.organization_id, id).await?.ok_or(AppError::NotFound)?;
    let new_id = Uuid::new_v4();
    let name: String = format!("Copy of {}", source.name).chars().take(160).collect();
    let slug = Slug::for_name(&name, new_id);
    db::copy_event(&mut tx, id, new_id, scope.user_id, &name, slug.as_str()).await?;
    db::copy_settings_and_tiers(&mut tx, id, new_id).await?;
    tx.commit().await?;
    Ok(new_id)
}

/// Stores a validated cover image for an event and points the event at it. The file is
/// written first; the database row only ever names a file that exists.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %event_id))]
pub async fn set_cover(
    pool: &PgPool,
    scope: &OrganizationScope,
    upload_dir: &std::path::Path,
    event_id: Uuid,
    bytes: &[u8],
    extension: &str,
    content_type: &str,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let relative = format!("covers/{event_id}-{}.{extension}", Uuid::new_v4().simple());
    let path = upload_dir.join(&relative);
    if let Some(folder) = path.parent() {
        tokio::fs::create_dir_all(folder)
            .await
            .map_err(|e| AppError::internal("creating the upload folder failed", e))?;
    }
    tokio::fs::write(&path, bytes).await.map_err(|e| AppError::internal("writing the cover image failed", e))?;
    let mut tx = scope.begin(pool).await?;
    db::insert_cover_media(&mut tx, event_id, &relative, content_type, bytes.len() as i64).await?;
    db::set_cover(&mut *tx, scope.organization_id, event_id, Some(&relative)).await?;
    tx.commit().await?;
    tracing::info!(%event_id, path = %relative, "cover image stored");
    Ok(())
}
