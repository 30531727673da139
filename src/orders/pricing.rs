//! The checkout summary: whether an event sells to this viewer now, which tiers and
//! quantities are allowed, and what a selection costs with a promo code applied.

use crate::accounts::db as accounts_db;
use crate::events::public::may_view;
use crate::events::time::{format_range, timezone_or_default};
use crate::events::{EventStatus, format_price};
use crate::orders::db::{self, PromoRow, SaleEvent, SaleTier};
use crate::orders::service::{Payments, normalize_code};
use crate::orders::{
    BuyerPrefill, CheckoutQuote, Discount, PricedLine, QuoteLine, Selection, apply_discount, format_selection,
    parse_selection,
};
use crate::platform::error::AppError;
use crate::platform::text::optional_text;
use crate::venues::db::{self as venues_db, VenueRow};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// An event that can sell tickets to this viewer right now, or why not.
pub(crate) async fn sellable_event(pool: &PgPool, slug: &str, viewer: Option<Uuid>) -> Result<SaleEvent, AppError> {
    let event = db::sale_event(pool, slug.trim()).await?.ok_or(AppError::NotFound)?;
    if !may_view(pool, event.organization_id, event.status, event.visibility, viewer).await? {
        return Err(AppError::NotFound);
    }
    let status = event.status;
    if !matches!(status, EventStatus::Published | EventStatus::Live) {
        return Err(AppError::Conflict(match status {
            EventStatus::Cancelled => "This event was cancelled, so tickets are no longer sold.".into(),
            EventStatus::Completed => "This event is over.".into(),
            _ => "Tickets for this event are not on sale yet.".into(),
        }));
    }
    if event.end_at <= Utc::now() {
        return Err(AppError::Conflict("This event is over.".into()));
    }
    if !event.allow_registrations {
        return Err(AppError::Conflict("The organizer has closed registration for this event.".into()));
    }
    Ok(event)
}

/// Checks each chosen tier against the event and its rules; the messages go to the
/// `tickets` field of the form.
pub(crate) fn check_selection(selection: &[Selection], tiers: &[SaleTier], now: DateTime<Utc>) -> Result<(), AppError> {
    for choice in selection {
        let Some(tier) = tiers.iter().find(|t| t.id == choice.tier_id) else {
            return Err(AppError::field("tickets", "One of the chosen ticket types is not part of this event."));
        };
        let name = &tier.name;
        if !tier.is_active {
            return Err(AppError::field("tickets", format!("“{name}” tickets are not on sale.")));
        }
        if tier.sales_start_at.is_some_and(|s| s > now) {
            return Err(AppError::field("tickets", format!("Sales of “{name}” tickets have not started yet.")));
        }
        if tier.sales_end_at.is_some_and(|e| e <= now) {
            return Err(AppError::field("tickets", format!("Sales of “{name}” tickets have ended.")));
        }
        if choice.quantity < tier.min_per_order {
            return Err(AppError::field(
                "tickets",
                format!("Buy at least {} “{name}” tickets per order.", tier.min_per_order),
            ));
        }
        if choice.quantity > tier.max_per_order {
            return Err(AppError::field(
                "tickets",
                format!("Buy at most {} “{name}” tickets per order.", tier.max_per_order),
            ));
        }
    }
    Ok(())
}

pub(crate) fn priced_lines(selection: &[Selection], tiers: &[SaleTier]) -> Vec<PricedLine> {
    selection
        .iter()
        .filter_map(|s| {
            tiers.iter().find(|t| t.id == s.tier_id).map(|t| PricedLine {
                tier_id: t.id,
                unit_price_cents: t.price_cents,
                quantity: s.quantity,
                discount_cents: 0,
            })
        })
        .collect()
}

/// Whether a promo code can discount this selection now; the message says why not.
fn check_promo(promo: &PromoRow, selection: &[Selection], now: DateTime<Utc>) -> Result<Discount, String> {
    if !promo.is_active || promo.valid_until.is_some_and(|u| u <= now) {
        return Err("This promo code has expired.".into());
    }
    if promo.valid_from.is_some_and(|f| f > now) {
        return Err("This promo code is not valid yet.".into());
    }
    if promo.max_uses.is_some_and(|max| promo.used >= max) {
        return Err("This promo code has been used up.".into());
    }
    if let Some(tier) = promo.tier_id
        && !selection.iter().any(|s| s.tier_id == tier)
    {
        return Err(format!(
            "This promo code applies to “{}” tickets only.",
            promo.tier_name.as_deref().unwrap_or("other")
        ));
    }
    Ok(Discount { kind: promo.discount_kind, value: promo.discount_value, tier_id: promo.tier_id })
}

pub(crate) async fn find_promo(
    pool: &PgPool,
    event_id: Uuid,
    code: &str,
    selection: &[Selection],
    now: DateTime<Utc>,
) -> Result<(PromoRow, Discount), String> {
    let code = normalize_code(code);
    let promo = match db::promo_by_code(pool, event_id, &code).await {
        Ok(Some(promo)) => promo,
        Ok(None) => return Err("We do not know this promo code for this event.".into()),
        Err(error) => {
            tracing::error!(%error, "cannot read promo code");
            return Err("We could not check this promo code. Please try again.".into());
        }
    };
    let discount = check_promo(&promo, selection, now)?;
    Ok((promo, discount))
}

fn venue_line(venue: Option<&VenueRow>) -> Option<String> {
    venue.map(|v| format!("{}, {}, {}", v.name, v.address, v.city))
}

/// The checkout summary for a selection, with the promo code applied when it is valid.
pub async fn quote(
    pool: &PgPool,
    payments: &Payments,
    slug: &str,
    selection: &str,
    promo_code: Option<&str>,
    viewer: Option<Uuid>,
) -> Result<CheckoutQuote, AppError> {
    let selection = parse_selection(selection).map_err(|m| AppError::field("tickets", m))?;
    let event = sellable_event(pool, slug, viewer).await?;
    let tiers = db::sale_tiers(pool, event.id).await?;
    let now = Utc::now();
    check_selection(&selection, &tiers, now)?;
    let mut lines = priced_lines(&selection, &tiers);
    let subtotal: i64 = lines.iter().map(PricedLine::gross_cents).sum();
    let (discount, promo_problem, promo_code) = match optional_text(promo_code) {
        None => (0, None, None),
        Some(code) => match find_promo(pool, event.id, code, &selection, now).await {
            Ok((promo, discount)) => (apply_discount(&mut lines, &discount), None, Some(promo.code)),
            Err(problem) => (0, Some(problem), Some(normalize_code(code))),
        },
    };
    let total = subtotal - discount;
    let venue = match event.venue_id {
        Some(id) => venues_db::venue_by_id(pool, id).await?,
        None => None,
    };
    let buyer = match viewer {
        Some(user_id) => accounts_db::user_by_id(pool, user_id)
            .await?
            .map(|u| BuyerPrefill { name: u.full_name, email: u.email, phone: u.phone.unwrap_or_default() })
            .unwrap_or_default(),
        None => BuyerPrefill::default(),
    };
    let tz = timezone_or_default(&event.timezone);
    Ok(CheckoutQuote {
        event_id: event.id,
        event_slug: event.slug.clone(),
        event_name: event.name.clone(),
        when: format_range(event.start_at, event.end_at, tz),
        venue: venue_line(venue.as_ref()),
        currency: event.currency.clone(),
        selection: format_selection(&selection),
        lines: lines
            .iter()
            .map(|l| QuoteLine {
                tier_id: l.tier_id,
                tier_name: tiers.iter().find(|t| t.id == l.tier_id).map(|t| t.name.clone()).unwrap_or_default(),
                quantity: l.quantity,
                unit_price: format_price(l.unit_price_cents, &event.currency),
                line_total: format_price(l.gross_cents(), &event.currency),
            })
            .collect(),
        ticket_count: selection.iter().map(|s| s.quantity).sum(),
        subtotal: format_price(subtotal, &event.currency),
        discount: (discount > 0).then(|| format!("−{}", format_price(discount, &event.currency))),
        total: format_price(total, &event.currency),
        total_cents: total,
        promo_code,
        promo_problem,
        payment_methods: payments.methods_for(total, &event, now),
        hold_minutes: (payments.hold.as_secs() / 60) as i64,
        buyer,
    })
}
