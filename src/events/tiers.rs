//! Ticket tiers of an event: adding, editing, switching on and off, ordering, and how each
//! one reads to buyers.

use crate::events::db::{self, EventPricing, TierFields, TierRow};
use crate::events::time::{self, timezone_or_default};
use crate::events::{Currency, TierView, format_price};
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::platform::error::{AppError, FieldErrors, on_constraint};
use crate::platform::text::{Name, optional_text, parse_count};
use crate::venues::MAX_CAPACITY;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub(crate) fn tier_view(row: TierRow, currency: &str, tz: Tz, now: DateTime<Utc>) -> TierView {
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
pub(crate) fn cap_by_event(mut tiers: Vec<TierView>, event_available: i64) -> Vec<TierView> {
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

/// Validates a tier form in the time zone and currency of its event.
fn validate_tier(form: &TierForm, pricing: &EventPricing) -> Result<ValidTier, AppError> {
    let tz = timezone_or_default(&pricing.timezone);
    let currency = Currency::from_code(&pricing.currency)
        .ok_or_else(|| AppError::internal("an event's currency is not one EventOS offers", &pricing.currency))?;
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(&form.name, "the tier's name"));
    let description = optional_text(form.description.as_deref()).unwrap_or_default().to_owned();
    if description.chars().count() > 2000 {
        errors.add("description", "Keep the description under 2,000 characters.");
    }
    let price_cents = errors.check("price", currency.parse_price(&form.price));
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

#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %event_id))]
pub async fn add_tier(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
    form: TierForm,
) -> Result<Uuid, AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    let id = add_tier_in(&mut tx, scope, event_id, form).await?;
    tx.commit().await?;
    Ok(id)
}

/// `add_tier` inside the caller's transaction.
pub async fn add_tier_in(
    tx: &mut PgConnection,
    scope: &OrganizationScope,
    event_id: Uuid,
    form: TierForm,
) -> Result<Uuid, AppError> {
    scope.require(Role::Admin)?;
    let pricing = db::lock_event_pricing(&mut *tx, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let tier = validate_tier(&form, &pricing)?;
    Ok(db::insert_tier(&mut *tx, event_id, &tier.fields(), true).await?)
}

/// Edits a tier. Its capacity can never drop below what is sold or held.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %tier_id))]
pub async fn update_tier(
    pool: &PgPool,
    scope: &OrganizationScope,
    tier_id: Uuid,
    form: TierForm,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    update_tier_in(&mut tx, scope, tier_id, form).await?;
    tx.commit().await?;
    Ok(())
}

/// Locks a tier of the organization until `tx` ends, for a change decided on what is read
/// after it (after `service::event_for_change_in`, in that order).
pub async fn lock_tier_in(tx: &mut PgConnection, scope: &OrganizationScope, tier_id: Uuid) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    db::lock_tier(&mut *tx, scope.organization_id, tier_id).await?.ok_or(AppError::NotFound)?;
    Ok(())
}

/// `update_tier` inside the caller's transaction.
pub async fn update_tier_in(
    tx: &mut PgConnection,
    scope: &OrganizationScope,
    tier_id: Uuid,
    form: TierForm,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let locked = db::lock_tier(&mut *tx, scope.organization_id, tier_id).await?.ok_or(AppError::NotFound)?;
    let pricing = db::event_pricing(&mut *tx, locked.event_id).await?.ok_or(AppError::NotFound)?;
    let tier = validate_tier(&form, &pricing)?;
    let taken = locked.taken;
    if i64::from(tier.capacity) < taken {
        return Err(AppError::field(
            "capacity",
            format!("{taken} tickets are already sold or held; capacity cannot be lower."),
        ));
    }
    db::update_tier(&mut *tx, tier_id, &tier.fields()).await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %tier_id, active))]
pub async fn set_tier_active(
    pool: &PgPool,
    scope: &OrganizationScope,
    tier_id: Uuid,
    active: bool,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    set_tier_active_in(&mut tx, scope, tier_id, active).await?;
    tx.commit().await?;
    Ok(())
}

/// `set_tier_active` inside the caller's transaction.
pub async fn set_tier_active_in(
    tx: &mut PgConnection,
    scope: &OrganizationScope,
    tier_id: Uuid,
    active: bool,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    db::lock_tier(&mut *tx, scope.organization_id, tier_id).await?.ok_or(AppError::NotFound)?;
    db::set_tier_active(&mut *tx, tier_id, active).await?;
    Ok(())
}

/// Deletes a tier that has never sold; one with sales can only be deactivated.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %tier_id))]
pub async fn delete_tier(pool: &PgPool, scope: &OrganizationScope, tier_id: Uuid) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    db::lock_tier(&mut tx, scope.organization_id, tier_id).await?.ok_or(AppError::NotFound)?;
    let has_tickets =
        || AppError::Conflict("This tier has tickets, so it cannot be deleted. Deactivate it instead.".into());
    // Checked first, under the tier's lock: deleting a tier with orders would cascade into
    // order rows while holding the tier, against the lock order (ARCHITECTURE.md). The
    // constraint trigger stays as the backstop.
    if db::tier_has_orders(&mut tx, tier_id).await? {
        return Err(has_tickets());
    }
    db::delete_tier(&mut tx, tier_id)
        .await
        .map_err(|e| on_constraint(e, "ticket_tiers_without_orders", has_tickets()))?;
    tx.commit().await?;
    Ok(())
}

/// Moves a tier one place up (`-1`) or down (`1`) in its event's list.
#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %tier_id))]
pub async fn move_tier(pool: &PgPool, scope: &OrganizationScope, tier_id: Uuid, step: i32) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    let event_id = db::lock_tier(&mut tx, scope.organization_id, tier_id).await?.ok_or(AppError::NotFound)?.event_id;
    let mut order = db::tier_ids_in_order(&mut tx, event_id).await?;
    let position = order.iter().position(|id| *id == tier_id).ok_or(AppError::NotFound)?;
    let target = position as i64 + i64::from(step.signum());
    if (0..order.len() as i64).contains(&target) {
        order.swap(position, target as usize);
        db::reorder_tiers(&mut tx, event_id, &order).await?;
    }
    tx.commit().await?;
    Ok(())
}
