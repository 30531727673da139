//! An event's currency: chosen by the organizer, kept on every save, used for tier prices
//! and shown with its symbol; fixed once anything is sold.

use super::{event_form, organizer, published_event, sell, tier_form};
use eventos::events::EventStatus;
use eventos::events::service::{self, EventForm};
use eventos::events::tiers;
use sqlx::PgPool;
use uuid::Uuid;

fn event_in(name: &str, currency: &str) -> EventForm {
    EventForm { currency: Some(currency.into()), ..event_form(name) }
}

async fn stored_currency(pool: &PgPool, event_id: Uuid) -> String {
    sqlx::query_scalar("SELECT currency FROM event_settings WHERE event_id = $1")
        .bind(event_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn stored_prices(pool: &PgPool, event_id: Uuid) -> Vec<i64> {
    sqlx::query_scalar("SELECT price_cents FROM ticket_tiers WHERE event_id = $1 ORDER BY sort_order")
        .bind(event_id)
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn an_event_keeps_the_currency_the_organizer_chose(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;

    let id = service::create_event(&pool, &scope, event_in("Berlin Summit", " eur ")).await.unwrap();
    service::update_event(&pool, &scope, id, event_in("Berlin Summit 2031", "EUR")).await.unwrap();
    service::update_event(&pool, &scope, id, event_form("Berlin Summit, renamed")).await.unwrap();

    let editor = service::event_editor(&pool, &scope, id).await.unwrap();
    assert_eq!(editor.currency, "EUR");
    assert_eq!(stored_currency(&pool, id).await, "EUR", "saving without a currency keeps the event's");
}

#[sqlx::test]
async fn a_new_event_takes_its_organizations_currency_unless_the_organizer_chooses_another(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let default = service::create_event(&pool, &scope, event_form("Toronto")).await.unwrap();
    sqlx::query("UPDATE organizations SET currency = 'USD' WHERE id = $1")
        .bind(scope.organization_id)
        .execute(&pool)
        .await
        .unwrap();

    let inherited = service::create_event(&pool, &scope, event_form("Boston")).await.unwrap();
    let chosen = service::create_event(&pool, &scope, event_in("London", "GBP")).await.unwrap();

    assert_eq!(stored_currency(&pool, default).await, "CAD");
    assert_eq!(stored_currency(&pool, inherited).await, "USD");
    assert_eq!(stored_currency(&pool, chosen).await, "GBP");
}

#[sqlx::test]
async fn a_currency_outside_the_list_is_refused_with_a_field_message(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let id = service::create_event(&pool, &scope, event_form("Summit")).await.unwrap();

    let created = service::create_event(&pool, &scope, event_in("Other", "XYZ")).await.unwrap_err();
    let updated = service::update_event(&pool, &scope, id, event_in("Summit", "dollars")).await.unwrap_err();

    for error in [created, updated] {
        assert_eq!(error.field_message("currency").as_deref(), Some("Choose a currency from the list."));
    }
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(&pool).await.unwrap();
    assert_eq!(events, 1);
    assert_eq!(stored_currency(&pool, id).await, "CAD");
}

#[sqlx::test]
async fn tier_prices_of_a_yen_event_are_stored_in_whole_yen_and_read_with_the_yen_sign(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let id = service::create_event(&pool, &scope, event_in("Tokyo Summit", "JPY")).await.unwrap();

    let general = tiers::add_tier(&pool, &scope, id, tier_form("General", "¥2,500", "50")).await.unwrap();
    let refused = tiers::add_tier(&pool, &scope, id, tier_form("Student", "12.5", "50")).await.unwrap_err();
    tiers::add_tier(&pool, &scope, id, tier_form("Patron", "12000", "5")).await.unwrap();
    service::change_status(&pool, &scope, id, EventStatus::Published).await.unwrap();
    sell(&pool, id, general, 2).await;

    assert_eq!(
        refused.field_message("price").as_deref(),
        Some("Prices in JPY have no decimals; enter a whole amount like 2500.")
    );
    assert_eq!(stored_prices(&pool, id).await, [2500, 12000]);
    let editor = service::event_editor(&pool, &scope, id).await.unwrap();
    let prices: Vec<_> = editor.tiers.iter().map(|t| t.price.as_str()).collect();
    assert_eq!(prices, ["¥2,500", "¥12,000"]);
    let (currency, total): (String, i64) =
        sqlx::query_as("SELECT currency, total_cents FROM orders WHERE event_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((currency.as_str(), total), ("JPY", 5000), "two tickets at ¥2,500");
}

#[sqlx::test]
async fn a_tier_price_is_edited_in_the_events_currency(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let id = service::create_event(&pool, &scope, event_in("Kuwait Forum", "KWD")).await.unwrap();
    let tier = tiers::add_tier(&pool, &scope, id, tier_form("General", "1.250", "50")).await.unwrap();

    tiers::update_tier(&pool, &scope, tier, tier_form("General", "KWD 2.5", "50")).await.unwrap();

    assert_eq!(stored_prices(&pool, id).await, [2500]);
    assert_eq!(service::event_editor(&pool, &scope, id).await.unwrap().tiers[0].price, "KWD 2.500");
}

#[sqlx::test]
async fn the_public_event_page_and_listing_show_prices_with_the_events_currency_symbol(pool: PgPool) {
    let app = crate::common::app(pool.clone()).await;
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let id = service::create_event(&pool, &scope, event_in("Tokyo Summit", "JPY")).await.unwrap();
    tiers::add_tier(&pool, &scope, id, tier_form("General", "2500", "50")).await.unwrap();
    service::change_status(&pool, &scope, id, EventStatus::Published).await.unwrap();
    let slug: String =
        sqlx::query_scalar("SELECT slug FROM events WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();

    let page = crate::common::get(&app, &format!("/events/{slug}"), None).await;
    let listing = crate::common::get(&app, "/", None).await;

    assert_eq!(page.status, axum::http::StatusCode::OK);
    assert!(page.body.contains("¥2,500"), "the tier's price reads in yen");
    assert!(!page.body.contains("$2,500") && !page.body.contains("$25.00"));
    assert!(page.body.contains(r#""price":"2500""#), "structured data has no decimals for yen");
    assert!(page.body.contains(r#""priceCurrency":"JPY""#));
    assert!(listing.body.contains("From ¥2,500"));
}

#[sqlx::test]
async fn the_currency_cannot_change_once_an_order_exists(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let (id, tier) = published_event(&pool, &scope, "Summit").await;
    sell(&pool, id, tier, 1).await;

    let refused = service::update_event(&pool, &scope, id, event_in("Summit", "EUR")).await.unwrap_err();
    service::update_event(&pool, &scope, id, event_in("Summit renamed", "CAD")).await.unwrap();

    assert_eq!(
        refused.field_message("currency").as_deref(),
        Some("Tickets have been sold in CAD; the currency can no longer change.")
    );
    assert_eq!(stored_currency(&pool, id).await, "CAD");
    assert_eq!(stored_prices(&pool, id).await, [2500]);
    assert_eq!(service::event_editor(&pool, &scope, id).await.unwrap().name, "Summit renamed");
}

#[sqlx::test]
async fn changing_the_currency_before_any_sale_keeps_the_prices_the_organizer_typed(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let id = service::create_event(&pool, &scope, event_form("Summit")).await.unwrap();
    tiers::add_tier(&pool, &scope, id, tier_form("General", "25", "50")).await.unwrap();
    tiers::add_tier(&pool, &scope, id, tier_form("Free", "0", "50")).await.unwrap();

    service::update_event(&pool, &scope, id, event_in("Summit", "EUR")).await.unwrap();
    assert_eq!(stored_prices(&pool, id).await, [2500, 0], "cents stay cents");
    service::update_event(&pool, &scope, id, event_in("Summit", "JPY")).await.unwrap();
    assert_eq!(stored_prices(&pool, id).await, [25, 0]);
    service::update_event(&pool, &scope, id, event_in("Summit", "KWD")).await.unwrap();
    assert_eq!(stored_prices(&pool, id).await, [25_000, 0]);

    let editor = service::event_editor(&pool, &scope, id).await.unwrap();
    assert_eq!((editor.currency.as_str(), editor.tiers[0].price.as_str()), ("KWD", "KWD 25.000"));
}

#[sqlx::test]
async fn a_currency_that_cannot_write_a_tiers_price_is_refused(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let id = service::create_event(&pool, &scope, event_form("Summit")).await.unwrap();
    tiers::add_tier(&pool, &scope, id, tier_form("Early bird", "25.50", "50")).await.unwrap();

    let refused = service::update_event(&pool, &scope, id, event_in("Summit", "JPY")).await.unwrap_err();

    assert_eq!(
        refused.field_message("currency").as_deref(),
        Some("The tier “Early bird” costs $25.50, which cannot be written in JPY. Change its price first.")
    );
    assert_eq!((stored_currency(&pool, id).await, stored_prices(&pool, id).await), ("CAD".to_owned(), vec![2550]));
}

#[sqlx::test]
async fn the_event_form_offers_currencies_starting_from_the_organizations_and_shows_the_saved_one(pool: PgPool) {
    let app = crate::common::app(pool.clone()).await;
    let owner = crate::common::sign_up(&app, &pool, "o@example.com", Some("Org")).await;
    sqlx::query("UPDATE organizations SET currency = 'USD'").execute(&pool).await.unwrap();
    let form = [
        ("name", "Paris Summit"),
        ("event_type", "conference"),
        ("start_local", "2031-01-01T09:00"),
        ("end_local", "2031-01-01T10:00"),
        ("capacity", "10"),
        ("visibility", "public"),
        ("currency", "EUR"),
    ];

    let new_form = crate::common::get(&app, "/dashboard/events/new", Some(&owner)).await;
    let saved = crate::common::call(&app, "save_event", &form, Some(&owner)).await;
    let id: Uuid = sqlx::query_scalar("SELECT id FROM events").fetch_one(&pool).await.unwrap();
    let editor = crate::common::get(&app, &format!("/dashboard/events/{id}/edit"), Some(&owner)).await;

    assert!(new_form.body.contains(r#"<label for="field-currency">Currency</label>"#), "{}", new_form.body);
    assert!(new_form.body.contains(r#"<option value="USD" selected>USD — US dollar (US$)</option>"#));
    assert!(saved.status.is_success() || saved.status.is_redirection(), "{}", saved.body);
    assert_eq!(stored_currency(&pool, id).await, "EUR");
    assert!(editor.body.contains(r#"<option value="EUR" selected>EUR — Euro (€)</option>"#), "{}", editor.body);
    assert!(editor.body.contains("Price (EUR)"), "the tier form asks for euros");
}
