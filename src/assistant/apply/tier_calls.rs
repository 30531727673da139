//! Tiers through the assistant: added, renamed, repriced or taken off sale on a draft, or
//! proposed as a card on a public event or a tier with sales.

use super::{Proposal, Turn, current_event, refusal};
use crate::assistant::draft::{DraftTier, hundredths_label, price_label, to_minor};
use crate::assistant::tools::{TierArgs, TierChange};
use crate::events::tiers::{self, TierForm};
use crate::events::{Currency, EventStatus, TierView};
use serde_json::json;
use sqlx::PgConnection;

fn tier_form(turn: &Turn, name: &str, price_cents: i64, capacity: i32) -> TierForm {
    let currency = Currency::from_code(turn.draft.currency_code()).unwrap_or(Currency::CAD);
    TierForm {
        name: name.to_string(),
        price: currency.amount(price_cents),
        capacity: capacity.to_string(),
        ..TierForm::default()
    }
}

pub(super) async fn add_tier(tx: &mut PgConnection, turn: &mut Turn, tier: &TierArgs) -> Result<(), String> {
    let minor = to_minor(tier.price_cents, turn.draft.currency_code())?;
    let label = price_label(minor, turn.draft.currency_code());
    let Some(event_id) = turn.event_id else {
        turn.draft.tiers.retain(|t| !t.name.eq_ignore_ascii_case(&tier.name));
        turn.draft.tiers.push(DraftTier { name: tier.name.clone(), price_cents: tier.price_cents, active: true });
        turn.changes.push(format!("Added tier {} — {label} (draft)", tier.name));
        return Ok(());
    };
    let event = current_event(tx, turn).await?;
    let capacity = tier.capacity.and_then(|c| i32::try_from(c).ok()).map_or(event.capacity, |c| c.min(event.capacity));
    if let Some(existing) = find_tier(&event.tiers, &tier.name) {
        let change = TierChange {
            tier: existing.name.clone(),
            new_name: None,
            price_cents: Some(tier.price_cents),
            capacity: None,
        };
        return update_tier(tx, turn, &change).await;
    }
    if event.status != EventStatus::Draft {
        turn.proposals.push(Proposal {
            kind: "edit_tier",
            event_id,
            arguments: json!({ "add": tier }),
            diff: vec![("New tier".into(), "—".into(), format!("{} — {label}", tier.name))],
            summary: format!("Put a new tier on sale for “{}”: {} at {label}.", event.name, tier.name),
        });
        return Ok(());
    }
    tiers::add_tier_in(tx, &turn.scope, event_id, tier_form(turn, &tier.name, minor, capacity))
        .await
        .map_err(refusal)?;
    turn.draft.tiers.push(DraftTier { name: tier.name.clone(), price_cents: tier.price_cents, active: true });
    turn.changed("add_tier", json!(tier), format!("Added tier {} — {label}", tier.name));
    Ok(())
}

fn find_tier<'a>(tiers: &'a [TierView], name: &str) -> Option<&'a TierView> {
    let wanted = name.trim().to_lowercase();
    tiers.iter().find(|t| t.name.to_lowercase() == wanted).or_else(|| {
        let mut near =
            tiers.iter().filter(|t| t.name.to_lowercase().contains(&wanted) || wanted.contains(&t.name.to_lowercase()));
        match (near.next(), near.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    })
}

/// (what, before, after) for each of a tier's values that a change would alter.
pub fn tier_diff(
    tier: &TierView,
    name: &str,
    price: i64,
    capacity: i32,
    currency: &str,
) -> Vec<(String, String, String)> {
    let mut diff = Vec::new();
    if name != tier.name {
        diff.push(("Tier name".into(), tier.name.clone(), name.to_owned()));
    }
    if price != tier.price_cents {
        diff.push((
            format!("{} price", tier.name),
            price_label(tier.price_cents, currency),
            price_label(price, currency),
        ));
    }
    if capacity != tier.capacity {
        diff.push((format!("{} capacity", tier.name), tier.capacity.to_string(), capacity.to_string()));
    }
    diff
}

pub(super) async fn update_tier(tx: &mut PgConnection, turn: &mut Turn, change: &TierChange) -> Result<(), String> {
    let Some(event_id) = turn.event_id else {
        let wanted = change.tier.to_lowercase();
        let currency = turn.draft.currency_code().to_string();
        let tier = turn
            .draft
            .tiers
            .iter_mut()
            .find(|t| t.name.to_lowercase() == wanted)
            .ok_or_else(|| no_tier(&change.tier))?;
        if let Some(name) = &change.new_name {
            turn.changes.push(format!("Renamed tier {} to {name} (draft)", tier.name));
            tier.name = name.clone();
        }
        if let Some(price) = change.price_cents {
            to_minor(price, &currency)?;
            tier.price_cents = price;
            turn.changes.push(format!("Set {} to {} (draft)", tier.name, hundredths_label(price, &currency)));
        }
        return Ok(());
    };
    let event = current_event(tx, turn).await?;
    let tier = find_tier(&event.tiers, &change.tier).ok_or_else(|| no_tier(&change.tier))?.clone();
    let name = change.new_name.clone().unwrap_or_else(|| tier.name.clone());
    let price = match change.price_cents {
        Some(hundredths) => to_minor(hundredths, &event.currency)?,
        None => tier.price_cents,
    };
    let capacity = change.capacity.and_then(|c| i32::try_from(c).ok()).map_or(tier.capacity, |c| c.min(event.capacity));
    let currency = event.currency.clone();
    if event.status != EventStatus::Draft || tier.sold > 0 {
        let diff = tier_diff(&tier, &name, price, capacity, &currency);
        if diff.is_empty() {
            return Ok(());
        }
        let kind = if price != tier.price_cents {
            "change_price"
        } else if capacity != tier.capacity {
            "change_capacity"
        } else {
            "edit_tier"
        };
        turn.proposals.push(Proposal {
            kind,
            event_id,
            arguments: json!({ "tier_id": tier.id, "name": name, "price_cents": price, "capacity": capacity }),
            summary: format!("Change tier {} of “{}” ({} sold so far).", tier.name, event.name, tier.sold),
            diff,
        });
        return Ok(());
    }
    let form = TierForm {
        description: Some(tier.description.clone()),
        sales_start_local: tier.sales_start_local.clone(),
        sales_end_local: tier.sales_end_local.clone(),
        min_per_order: Some(tier.min_per_order.to_string()),
        max_per_order: Some(tier.max_per_order.to_string()),
        ..tier_form(turn, &name, price, capacity)
    };
    tiers::update_tier_in(tx, &turn.scope, tier.id, form).await.map_err(refusal)?;
    if name != tier.name {
        turn.changed("update_tier", json!(change), format!("Renamed tier {} to {name}", tier.name));
    }
    if price != tier.price_cents {
        turn.changed(
            "update_tier",
            json!(change),
            format!(
                "Changed {name} from {} to {}",
                price_label(tier.price_cents, &currency),
                price_label(price, &currency)
            ),
        );
    }
    if capacity != tier.capacity {
        turn.changed(
            "update_tier",
            json!(change),
            format!("Changed {name}'s capacity from {} to {capacity}", tier.capacity),
        );
    }
    Ok(())
}

fn no_tier(name: &str) -> String {
    format!("There is no tier called “{name}”.")
}

pub(super) async fn deactivate_tier(tx: &mut PgConnection, turn: &mut Turn, name: &str) -> Result<(), String> {
    let Some(event_id) = turn.event_id else {
        let before = turn.draft.tiers.len();
        turn.draft.tiers.retain(|t| !t.name.eq_ignore_ascii_case(name));
        if before == turn.draft.tiers.len() {
            return Err(no_tier(name));
        }
        turn.changes.push(format!("Removed tier {name} (draft)"));
        return Ok(());
    };
    let event = current_event(tx, turn).await?;
    let tier = find_tier(&event.tiers, name).ok_or_else(|| no_tier(name))?.clone();
    if event.status != EventStatus::Draft {
        turn.proposals.push(Proposal {
            kind: "edit_tier",
            event_id,
            arguments: json!({ "deactivate": tier.id }),
            diff: vec![(format!("Tier {}", tier.name), "On sale".into(), "Off sale".into())],
            summary: format!("Take tier {} of “{}” off sale.", tier.name, event.name),
        });
        return Ok(());
    }
    tiers::set_tier_active_in(tx, &turn.scope, tier.id, false).await.map_err(refusal)?;
    turn.changed("deactivate_tier", json!({ "tier_id": tier.id }), format!("Deactivated tier {}", tier.name));
    Ok(())
}
