//! An audit entry in words: "changed tier VIP: price $599.00 → $649.00, capacity 100 → 120".
//! The trigger stores the audited columns before and after (migration 14); this names them
//! and writes their values the way the organizer typed them.

use crate::events::money::format_money;
use serde_json::Value;

/// What a subject is called in a sentence.
fn subject_word(subject: &str) -> &'static str {
    match subject {
        "event" => "the event",
        "event_settings" => "the event's settings",
        "tier" => "tier",
        "promo_code" => "promo code",
        "checkin_list" => "check-in list",
        "event_staff" => "door staff",
        "member" => "team member",
        "invitation" => "the invitation of",
        "order" => "order",
        _ => "record",
    }
}

/// A column's name for people.
fn field_word(field: &str) -> String {
    match field {
        "price_cents" => "price".into(),
        "refunded_cents" => "refunded".into(),
        "start_at" => "start".into(),
        "end_at" => "end".into(),
        "sales_start_at" => "sales start".into(),
        "sales_end_at" => "sales end".into(),
        "is_active" => "on sale".into(),
        "min_per_order" => "minimum per order".into(),
        "max_per_order" => "maximum per order".into(),
        "venue_id" => "venue".into(),
        "event_type" => "type".into(),
        "opens_at" => "opens".into(),
        "closes_at" => "closes".into(),
        "all_tiers" => "all tiers".into(),
        "offline_payments" => "pay at the door".into(),
        "offline_payment_days" => "days to pay".into(),
        "allow_registrations" => "registrations".into(),
        "discount_value" => "discount".into(),
        "discount_kind" => "discount kind".into(),
        "max_uses" => "maximum uses".into(),
        "valid_from" => "valid from".into(),
        "valid_until" => "valid until".into(),
        "accepted_at" => "accepted".into(),
        "revoked_at" => "withdrawn".into(),
        other => other.replace('_', " "),
    }
}

/// A stored value in words; money in `currency`.
fn value_words(field: &str, value: &Value, currency: &str) -> String {
    match value {
        Value::Null => "none".into(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(n) if field.ends_with("_cents") => {
            n.as_i64().map_or_else(|| n.to_string(), |c| format_money(c, currency))
        }
        Value::Number(n) => n.to_string(),
        // Timestamps as the trigger wrote them: "2031-03-04T14:00:00+00:00" reads as its date and time.
        Value::String(s) if field.ends_with("_at") || field.starts_with("valid_") => {
            s.get(..16).map_or_else(|| s.clone(), |t| format!("{} UTC", t.replace('T', " ")))
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The changes of one entry: "price $25.00 → $30.00, capacity 10 → 8".
fn changes(before: &Value, after: &Value, currency: &str) -> String {
    let empty = serde_json::Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .map(|field| {
            let was = before.get(field).map(|v| value_words(field, v, currency));
            let now = after.get(field).map(|v| value_words(field, v, currency));
            match (was, now) {
                (Some(was), Some(now)) => format!("{} {was} → {now}", field_word(field)),
                (None, Some(now)) => format!("{} {now}", field_word(field)),
                (Some(was), None) => format!("{} was {was}", field_word(field)),
                (None, None) => field_word(field),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One audit entry as a sentence without its subject's doer: "changed tier VIP: price …".
pub fn describe(subject: &str, label: &str, action: &str, before: &Value, after: &Value, currency: &str) -> String {
    if subject == "announcement" {
        let audience = after.get("audience").and_then(Value::as_str).unwrap_or("attendees");
        let count = after.get("recipients").and_then(Value::as_i64).unwrap_or(0);
        let people = if count == 1 { "1 person".to_owned() } else { format!("{count} people") };
        return format!("e-mailed {} ({people}): “{}”", audience.to_lowercase(), label.trim());
    }
    let verb = match action {
        "insert" => "added",
        "delete" => "removed",
        _ => "changed",
    };
    let what = match (subject_word(subject), label.trim()) {
        (word, "") => word.to_owned(),
        (word, label) => format!("{word} {label}"),
    };
    // An addition lists what it was made with; a removal, what it had. Door staff are named
    // by their label; the user id stored with them says nothing more.
    let detail = match (action, subject) {
        ("delete", _) | (_, "event_staff") => String::new(),
        _ => changes(before, after, currency),
    };
    if detail.is_empty() { format!("{verb} {what}") } else { format!("{verb} {what}: {detail}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn door_staff_added_to_an_event_read_by_name_without_their_id() {
        let id = json!({"user_id": "6f1c1f9e-0000-4000-8000-000000000001"});
        assert_eq!(describe("event_staff", "Sam Door", "insert", &json!({}), &id, "CAD"), "added door staff Sam Door");
        assert_eq!(
            describe("event_staff", "Sam Door", "delete", &id, &json!({}), "CAD"),
            "removed door staff Sam Door"
        );
    }

    #[test]
    fn a_price_and_capacity_change_reads_as_before_and_after_in_the_events_currency() {
        let text = describe(
            "tier",
            "VIP",
            "update",
            &json!({"price_cents": 59900, "capacity": 100}),
            &json!({"price_cents": 64900, "capacity": 120}),
            "CAD",
        );
        assert_eq!(text, "changed tier VIP: capacity 100 → 120, price $599.00 → $649.00");
    }

    #[test]
    fn a_status_change_a_refund_and_a_removal_read_plainly() {
        assert_eq!(
            describe("event", "Gala", "update", &json!({"status": "draft"}), &json!({"status": "published"}), "CAD"),
            "changed the event Gala: status draft → published"
        );
        assert_eq!(
            describe(
                "order",
                "ORD-1",
                "update",
                &json!({"refunded_cents": 0}),
                &json!({"refunded_cents": 2500}),
                "CAD"
            ),
            "changed order ORD-1: refunded $0.00 → $25.00"
        );
        assert_eq!(
            describe("tier", "Early bird", "delete", &json!({"price_cents": 100}), &json!({}), "CAD"),
            "removed tier Early bird"
        );
        assert_eq!(
            describe("tier", "Early bird", "insert", &json!({}), &json!({"is_active": true}), "CAD"),
            "added tier Early bird: on sale yes"
        );
    }

    #[test]
    fn times_read_as_dates_and_times_in_utc() {
        let text = describe(
            "tier",
            "VIP",
            "update",
            &json!({"sales_end_at": null}),
            &json!({"sales_end_at": "2031-03-04T14:00:00+00:00"}),
            "CAD",
        );
        assert_eq!(text, "changed tier VIP: sales end none → 2031-03-04 14:00 UTC");
    }
}
