//! Promo codes of an event: creating them, listing them with their use, switching them on
//! and off. Using one at checkout is `pricing` and `inventory`'s work.

use crate::events::db as events_db;
use crate::events::time::{self, timezone_or_default};
use crate::events::{Currency, format_price};
use crate::orders::db;
use crate::orders::service::normalize_code;
use crate::orders::{DiscountKind, PromoView};
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::platform::error::{AppError, FieldErrors, on_constraint};
use crate::platform::text::{optional_text, parse_count};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// A promo code form as typed.
#[derive(Debug, Clone, Default)]
pub struct PromoForm {
    pub code: String,
    pub discount_kind: String,
    pub amount: String,
    pub tier_id: Option<String>,
    pub max_uses: Option<String>,
    pub valid_from_local: Option<String>,
    pub valid_until_local: Option<String>,
}

#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %event_id))]
pub async fn create_promo(
    pool: &PgPool,
    scope: &OrganizationScope,
    event_id: Uuid,
    form: PromoForm,
) -> Result<Uuid, AppError> {
    scope.require(Role::Admin)?;
    let event = events_db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let tz = timezone_or_default(&event.timezone);
    let tiers = events_db::tiers(pool, event_id).await?;
    let mut errors = FieldErrors::new();
    let code = normalize_code(&form.code);
    if !(3..=32).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        errors.add("code", "Use 3 to 32 letters, digits, dashes or underscores, like EARLYBIRD.");
    }
    let kind = DiscountKind::parse(&form.discount_kind);
    let value = match kind {
        Some(DiscountKind::Percent) => {
            errors.check("amount", parse_count(&form.amount, "percentage", 1, 100).map(i64::from))
        }
        Some(DiscountKind::Fixed) => {
            match Currency::from_code(&event.currency).unwrap_or(Currency::CAD).parse_price(&form.amount) {
                Ok(0) => {
                    errors.add("amount", "The amount off must be more than zero.");
                    None
                }
                parsed => errors.check("amount", parsed),
            }
        }
        None => {
            errors.add("discount_kind", "Choose percent off or amount off.");
            None
        }
    };
    let tier_id = match optional_text(form.tier_id.as_deref()) {
        None => None,
        Some(raw) => match Uuid::parse_str(raw).ok().filter(|id| tiers.iter().any(|t| t.id == *id)) {
            Some(id) => Some(id),
            None => {
                errors.add("tier_id", "Choose a ticket tier of this event.");
                None
            }
        },
    };
    let max_uses = match optional_text(form.max_uses.as_deref()) {
        None => None,
        Some(raw) => errors.check("max_uses", parse_count(raw, "usage limit", 1, 1_000_000)),
    };
    let valid_from = optional_text(form.valid_from_local.as_deref())
        .and_then(|s| errors.check("valid_from_local", time::local_to_utc(s, tz)));
    let valid_until = optional_text(form.valid_until_local.as_deref())
        .and_then(|s| errors.check("valid_until_local", time::local_to_utc(s, tz)));
    if let (Some(from), Some(until)) = (valid_from, valid_until)
        && until <= from
    {
        errors.add("valid_until_local", "The code must stop working after it starts.");
    }
    errors.into_result()?;
    let (Some(kind), Some(value)) = (kind, value) else { return Err(AppError::Internal) };
    let mut tx = scope.begin(pool).await?;
    let fields = db::PromoFields {
        tier_id,
        code: &code,
        discount_kind: kind,
        discount_value: value,
        max_uses,
        valid_from,
        valid_until,
    };
    let id = db::insert_promo(&mut tx, event_id, &fields).await.map_err(|e| {
        on_constraint(
            e,
            "promo_codes_event_code_key",
            AppError::field("code", "This event already has a promo code with that name."),
        )
    })?;
    tx.commit().await?;
    Ok(id)
}

pub async fn promos(pool: &PgPool, scope: &OrganizationScope, event_id: Uuid) -> Result<Vec<PromoView>, AppError> {
    let event = events_db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
    let tz = timezone_or_default(&event.timezone);
    let day = |at: DateTime<Utc>| time::format_day(at, tz);
    Ok(db::promos_of_event(pool, event_id)
        .await?
        .into_iter()
        .map(|p| PromoView {
            id: p.id,
            discount: match p.discount_kind {
                DiscountKind::Percent => format!("{}% off", p.discount_value),
                DiscountKind::Fixed => format!("{} off", format_price(p.discount_value, &event.currency)),
            },
            code: p.code,
            tier_name: p.tier_name,
            used: p.used,
            max_uses: p.max_uses,
            window: match (p.valid_from, p.valid_until) {
                (None, None) => None,
                (Some(from), None) => Some(format!("from {}", day(from))),
                (None, Some(until)) => Some(format!("until {}", day(until))),
                (Some(from), Some(until)) => Some(format!("{} – {}", day(from), day(until))),
            },
            is_active: p.is_active,
        })
        .collect())
}

#[tracing::instrument(skip_all, fields(organization_id = %scope.organization_id, %promo_id, active))]
pub async fn set_promo_active(
    pool: &PgPool,
    scope: &OrganizationScope,
    promo_id: Uuid,
    active: bool,
) -> Result<Uuid, AppError> {
    scope.require(Role::Admin)?;
    let mut tx = scope.begin(pool).await?;
    let event_id =
        db::set_promo_active(&mut *tx, scope.organization_id, promo_id, active).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(event_id)
}
