//! Events, tiers, venues and their visibility, against a real PostgreSQL.

use eventos::accounts::service::{self as accounts, SignUpForm};
use eventos::events::public;
use eventos::events::service::{self, EventForm};
use eventos::events::tiers;
use eventos::events::tiers::TierForm;
use eventos::events::{EventFilters, EventStatus};
use eventos::orders::checkout::{self, CheckoutForm};
use eventos::orders::service::Payments;
use eventos::organizations::Role;
use eventos::organizations::access::{OrganizationScope, scope_for};
use eventos::platform::error::AppError;
use eventos::venues::service as venues;
use eventos::venues::service::VenueForm;
use sqlx::PgPool;
use uuid::Uuid;

mod currency;

async fn organizer(pool: &PgPool, email: &str, organization: &str) -> OrganizationScope {
    let form = SignUpForm {
        full_name: "Olivia Organizer".into(),
        email: email.into(),
        password: "a-long-enough-password".into(),
        organization_name: Some(organization.into()),
        organizer: true,
    };
    let signed_up = accounts::sign_up(pool, form).await.unwrap();
    scope_for(pool, signed_up.user_id, None, Role::Owner).await.unwrap()
}

fn event_form(name: &str) -> EventForm {
    EventForm {
        name: name.into(),
        event_type: "conference".into(),
        description: "Talks about applied machine learning.".into(),
        venue_id: None,
        start_local: "2031-03-04T09:00".into(),
        end_local: "2031-03-04T17:00".into(),
        timezone: None,
        capacity: "100".into(),
        visibility: "public".into(),
        currency: None,
        allow_registrations: true,
        offline_payments: true,
        offline_payment_days: None,
    }
}

fn tier_form(name: &str, price: &str, capacity: &str) -> TierForm {
    TierForm { name: name.into(), price: price.into(), capacity: capacity.into(), ..Default::default() }
}

/// Sells `count` tickets through checkout (pay at the door), as a buyer would.
async fn sell(pool: &PgPool, event_id: Uuid, tier_id: Uuid, count: usize) {
    let slug: String =
        sqlx::query_scalar("SELECT slug FROM events WHERE id = $1").bind(event_id).fetch_one(pool).await.unwrap();
    let payments =
        Payments { stripe: None, hold: std::time::Duration::from_secs(900), public_url: "http://test".into() };
    let form = CheckoutForm {
        slug,
        selection: format!("{tier_id}:{count}"),
        buyer_name: "Bea Buyer".into(),
        buyer_email: "bea@example.com".into(),
        attendee_names: vec!["Guest".into(); count],
        payment_method: Some("offline".into()),
        ..Default::default()
    };
    checkout::place_order(pool, &payments, form, None).await.unwrap();
}

async fn published_event(pool: &PgPool, scope: &OrganizationScope, name: &str) -> (Uuid, Uuid) {
    let event_id = service::create_event(pool, scope, event_form(name)).await.unwrap();
    let tier_id = tiers::add_tier(pool, scope, event_id, tier_form("General", "25", "50")).await.unwrap();
    service::change_status(pool, scope, event_id, EventStatus::Published).await.unwrap();
    (event_id, tier_id)
}

#[sqlx::test]
async fn a_new_event_is_a_draft_with_a_readable_unique_slug_and_toronto_settings(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;

    let id = service::create_event(&pool, &scope, event_form("AI & ML Summit 2027")).await.unwrap();

    let editor = service::event_editor(&pool, &scope, id).await.unwrap();
    assert_eq!(editor.slug, format!("ai-and-ml-summit-2027-{}", &id.simple().to_string()[..8]));
    assert_eq!(editor.status, EventStatus::Draft);
    assert_eq!((editor.currency.as_str(), editor.timezone.as_str()), ("CAD", "America/Toronto"));
    assert_eq!(editor.start_local, "2031-03-04T09:00");
}

#[sqlx::test]
async fn an_event_that_ends_before_it_starts_is_refused_with_field_messages(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let form = EventForm {
        end_local: "2031-03-04T08:00".into(),
        capacity: "-3".into(),
        event_type: "rave".into(),
        ..event_form("X")
    };

    let error = service::create_event(&pool, &scope, form).await.unwrap_err();

    assert_eq!(error.field_message("end_local").as_deref(), Some("The event must end after it starts."));
    assert!(error.field_message("capacity").is_some());
    assert!(error.field_message("event_type").is_some());
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test]
async fn publishing_requires_an_active_tier(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let id = service::create_event(&pool, &scope, event_form("Summit")).await.unwrap();

    let refused = service::change_status(&pool, &scope, id, EventStatus::Published).await.unwrap_err();
    assert_eq!(refused, AppError::Conflict("Add at least one active ticket tier before publishing.".into()));

    let tier = tiers::add_tier(&pool, &scope, id, tier_form("General", "25", "50")).await.unwrap();
    tiers::set_tier_active(&pool, &scope, tier, false).await.unwrap();
    assert!(service::change_status(&pool, &scope, id, EventStatus::Published).await.is_err());
    tiers::set_tier_active(&pool, &scope, tier, true).await.unwrap();
    service::change_status(&pool, &scope, id, EventStatus::Published).await.unwrap();
    assert_eq!(service::event_editor(&pool, &scope, id).await.unwrap().status, EventStatus::Published);
}

#[sqlx::test]
async fn a_published_event_with_sales_cannot_go_back_to_draft_and_a_completed_one_cannot_be_cancelled(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let (id, tier) = published_event(&pool, &scope, "Summit").await;
    sell(&pool, id, tier, 1).await;

    assert!(service::change_status(&pool, &scope, id, EventStatus::Draft).await.is_err());
    service::change_status(&pool, &scope, id, EventStatus::Live).await.unwrap();
    service::change_status(&pool, &scope, id, EventStatus::Completed).await.unwrap();
    assert!(service::change_status(&pool, &scope, id, EventStatus::Cancelled).await.is_err());
}

#[sqlx::test]
async fn statistics_read_zero_before_any_sale_and_follow_the_tickets(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let (id, tier) = published_event(&pool, &scope, "Summit").await;

    let editor = service::event_editor(&pool, &scope, id).await.unwrap();
    assert_eq!((editor.sold, editor.tiers[0].sold, editor.tiers[0].available), (0, 0, 50));

    sell(&pool, id, tier, 3).await;
    let (order, ticket): (Uuid, Uuid) =
        sqlx::query_as("SELECT order_id, id FROM tickets LIMIT 1").fetch_one(&pool).await.unwrap();
    let payments =
        Payments { stripe: None, hold: std::time::Duration::from_secs(900), public_url: "http://test".into() };
    eventos::orders::manage::cancel_ticket(&pool, &payments, &scope, order, ticket).await.unwrap();

    let editor = service::event_editor(&pool, &scope, id).await.unwrap();
    assert_eq!((editor.sold, editor.tiers[0].sold, editor.tiers[0].available), (2, 2, 48));
}

#[sqlx::test]
async fn tier_availability_is_capped_by_the_event_wide_capacity(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let form = EventForm { capacity: "10".into(), ..event_form("Small") };
    let id = service::create_event(&pool, &scope, form).await.unwrap();
    let a = tiers::add_tier(&pool, &scope, id, tier_form("A", "0", "8")).await.unwrap();
    tiers::add_tier(&pool, &scope, id, tier_form("B", "10", "8")).await.unwrap();
    service::change_status(&pool, &scope, id, EventStatus::Published).await.unwrap();
    sell(&pool, id, a, 6).await;

    let editor = service::event_editor(&pool, &scope, id).await.unwrap();

    assert_eq!(editor.tiers[0].available, 2);
    assert_eq!(editor.tiers[1].available, 4, "only 4 seats remain event-wide");
}

#[sqlx::test]
async fn a_tier_with_sales_cannot_be_deleted_or_shrunk_below_what_it_sold(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let (id, tier) = published_event(&pool, &scope, "Summit").await;
    sell(&pool, id, tier, 5).await;

    let shrink = tiers::update_tier(&pool, &scope, tier, tier_form("General", "25", "4")).await.unwrap_err();
    assert_eq!(
        shrink.field_message("capacity").as_deref(),
        Some("5 tickets are already sold or held; capacity cannot be lower.")
    );
    let delete = tiers::delete_tier(&pool, &scope, tier).await.unwrap_err();
    assert!(matches!(delete, AppError::Conflict(_)));
    tiers::set_tier_active(&pool, &scope, tier, false).await.unwrap();
    tiers::update_tier(&pool, &scope, tier, tier_form("General", "30", "5")).await.unwrap();

    let unsold = tiers::add_tier(&pool, &scope, id, tier_form("Spare", "1", "5")).await.unwrap();
    tiers::delete_tier(&pool, &scope, unsold).await.unwrap();
    assert_eq!(service::event_editor(&pool, &scope, id).await.unwrap().tiers.len(), 1);
}

#[sqlx::test]
async fn bad_tier_input_is_explained_and_writes_nothing(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let id = service::create_event(&pool, &scope, event_form("Summit")).await.unwrap();
    let form = TierForm {
        sales_start_local: Some("2031-02-01T09:00".into()),
        sales_end_local: Some("2031-01-01T09:00".into()),
        min_per_order: Some("5".into()),
        max_per_order: Some("2".into()),
        ..tier_form("", "-10", "0")
    };

    let error = tiers::add_tier(&pool, &scope, id, form).await.unwrap_err();

    for field in ["name", "price", "capacity", "sales_end_local", "max_per_order"] {
        assert!(error.field_message(field).is_some(), "{field}: {error:?}");
    }
    assert!(error.field_message("price").unwrap().contains("negative"));
    assert!(service::event_editor(&pool, &scope, id).await.unwrap().tiers.is_empty());
}

#[sqlx::test]
async fn tiers_can_be_reordered(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let id = service::create_event(&pool, &scope, event_form("Summit")).await.unwrap();
    tiers::add_tier(&pool, &scope, id, tier_form("First", "1", "5")).await.unwrap();
    let second = tiers::add_tier(&pool, &scope, id, tier_form("Second", "1", "5")).await.unwrap();

    tiers::move_tier(&pool, &scope, second, -1).await.unwrap();

    let names: Vec<_> =
        service::event_editor(&pool, &scope, id).await.unwrap().tiers.into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["Second", "First"]);
}

#[sqlx::test]
async fn an_organizer_of_another_organization_can_neither_read_nor_edit_an_event(pool: PgPool) {
    let owner = organizer(&pool, "owner@example.com", "Owner Org").await;
    let other = organizer(&pool, "other@example.com", "Other Org").await;
    let (id, tier) = published_event(&pool, &owner, "Summit").await;

    assert_eq!(service::event_editor(&pool, &other, id).await.unwrap_err(), AppError::NotFound);
    assert_eq!(service::update_event(&pool, &other, id, event_form("Hijacked")).await.unwrap_err(), AppError::NotFound);
    assert_eq!(
        service::change_status(&pool, &other, id, EventStatus::Cancelled).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(tiers::add_tier(&pool, &other, id, tier_form("Free", "0", "5")).await.unwrap_err(), AppError::NotFound);
    assert_eq!(
        tiers::update_tier(&pool, &other, tier, tier_form("Free", "0", "5")).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(tiers::delete_tier(&pool, &other, tier).await.unwrap_err(), AppError::NotFound);
    assert_eq!(service::duplicate_event(&pool, &other, id).await.unwrap_err(), AppError::NotFound);
    assert!(service::organization_events(&pool, &other).await.unwrap().is_empty());
    assert_eq!(service::event_editor(&pool, &owner, id).await.unwrap().name, "Summit");
}

#[sqlx::test]
async fn staff_members_cannot_edit_events(pool: PgPool) {
    let owner = organizer(&pool, "owner@example.com", "Org").await;
    let (id, _) = published_event(&pool, &owner, "Summit").await;
    let staff = OrganizationScope { role: Role::Staff, ..owner };

    assert_eq!(service::update_event(&pool, &staff, id, event_form("Renamed")).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(
        service::change_status(&pool, &staff, id, EventStatus::Cancelled).await.unwrap_err(),
        AppError::Forbidden
    );
}

#[sqlx::test]
async fn a_venue_of_another_organization_cannot_be_used(pool: PgPool) {
    let owner = organizer(&pool, "owner@example.com", "Org").await;
    let other = organizer(&pool, "other@example.com", "Other").await;
    let venue = VenueForm { name: "Hall".into(), address: "1 Main St".into(), ..Default::default() };
    let venue_id = venues::create_venue(&pool, &other, venue).await.unwrap();

    let form = EventForm { venue_id: Some(venue_id.to_string()), ..event_form("Summit") };
    let error = service::create_event(&pool, &owner, form).await.unwrap_err();

    assert_eq!(error.field_message("venue_id").as_deref(), Some("Choose one of your venues."));
}

#[sqlx::test]
async fn venues_can_be_filtered_by_capacity_and_amenities(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    for (name, capacity, amenities) in
        [("Big", "500", vec!["wifi", "parking"]), ("Small", "40", vec!["wifi"]), ("Bare", "900", vec![])]
    {
        let form = VenueForm {
            name: name.into(),
            address: "1 Main St".into(),
            capacity: Some(capacity.into()),
            amenities: amenities.into_iter().map(String::from).collect(),
            ..Default::default()
        };
        venues::create_venue(&pool, &scope, form).await.unwrap();
    }

    let names = |venues: Vec<eventos::venues::VenueView>| venues.into_iter().map(|v| v.name).collect::<Vec<_>>();
    assert_eq!(names(venues::venues(&pool, &scope, Some(100), &[]).await.unwrap()), ["Bare", "Big"]);
    assert_eq!(names(venues::venues(&pool, &scope, None, &["wifi".into()]).await.unwrap()), ["Big", "Small"]);
    assert_eq!(
        names(venues::venues(&pool, &scope, Some(100), &["wifi".into(), "parking".into()]).await.unwrap()),
        ["Big"]
    );
    let bad = VenueForm {
        name: "X".into(),
        address: "".into(),
        capacity: Some("0".into()),
        amenities: vec!["pool".into()],
        ..Default::default()
    };
    let error = venues::create_venue(&pool, &scope, bad).await.unwrap_err();
    for field in ["address", "capacity", "amenities"] {
        assert!(error.field_message(field).is_some(), "{field}");
    }
}

#[sqlx::test]
async fn private_events_are_not_found_outside_the_organization_and_unlisted_ones_are_never_listed(pool: PgPool) {
    let owner = organizer(&pool, "owner@example.com", "Org").await;
    let outsider = organizer(&pool, "other@example.com", "Other").await;
    let (public, _) = published_event(&pool, &owner, "Public Summit").await;
    let (private, _) = published_event(&pool, &owner, "Private Board").await;
    let (unlisted, _) = published_event(&pool, &owner, "Unlisted Meetup").await;
    let draft = service::create_event(&pool, &owner, event_form("Draft Idea")).await.unwrap();
    for (id, visibility) in [(private, "private"), (unlisted, "unlisted")] {
        service::update_event(
            &pool,
            &owner,
            id,
            EventForm {
                visibility: visibility.into(),
                ..event_form(if visibility == "private" { "Private Board" } else { "Unlisted Meetup" })
            },
        )
        .await
        .unwrap();
    }
    let slug = |id: Uuid| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT slug FROM events WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };

    assert_eq!(public::public_event(&pool, &slug(private).await, None).await.unwrap_err(), AppError::NotFound);
    assert_eq!(
        public::public_event(&pool, &slug(private).await, Some(outsider.user_id)).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        public::public_event(&pool, &slug(private).await, Some(owner.user_id)).await.unwrap().name,
        "Private Board"
    );
    assert_eq!(public::public_event(&pool, &slug(draft).await, None).await.unwrap_err(), AppError::NotFound);
    assert_eq!(public::public_event(&pool, &slug(unlisted).await, None).await.unwrap().name, "Unlisted Meetup");
    assert_eq!(public::public_event(&pool, "no-such-event", None).await.unwrap_err(), AppError::NotFound);

    let listed = public::public_events(&pool, &EventFilters::default()).await.unwrap();
    let ids: Vec<_> = listed.events.iter().map(|e| e.id).collect();
    assert_eq!(ids, [public]);
}

#[sqlx::test]
async fn the_public_listing_searches_filters_and_pages(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    for i in 0..14 {
        let name = if i == 3 { "Rust Workshop".to_owned() } else { format!("Leadership Seminar {i}") };
        let form = EventForm {
            event_type: if i == 3 { "workshop".into() } else { "seminar".into() },
            start_local: format!("2031-04-{:02}T09:00", i + 1),
            end_local: format!("2031-04-{:02}T17:00", i + 1),
            ..event_form(&name)
        };
        let id = service::create_event(&pool, &scope, form).await.unwrap();
        tiers::add_tier(&pool, &scope, id, tier_form("General", "10", "10")).await.unwrap();
        service::change_status(&pool, &scope, id, EventStatus::Published).await.unwrap();
    }

    let first = public::public_events(&pool, &EventFilters::default()).await.unwrap();
    assert_eq!((first.total, first.events.len(), first.page_count()), (14, 12, 2));
    assert_eq!(first.events[0].name, "Leadership Seminar 0", "soonest first");
    let second = public::public_events(&pool, &EventFilters { page: Some(2), ..Default::default() }).await.unwrap();
    assert_eq!(second.events.len(), 2);

    let search =
        public::public_events(&pool, &EventFilters { q: Some("rust".into()), ..Default::default() }).await.unwrap();
    assert_eq!(search.events.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["Rust Workshop"]);
    let by_type =
        public::public_events(&pool, &EventFilters { event_type: Some("workshop".into()), ..Default::default() })
            .await
            .unwrap();
    assert_eq!(by_type.total, 1);
    let by_date = EventFilters { from: Some("2031-04-02".into()), to: Some("2031-04-03".into()), ..Default::default() };
    assert_eq!(public::public_events(&pool, &by_date).await.unwrap().total, 2);
    let nonsense = EventFilters {
        from: Some("yesterday".into()),
        page: Some(-4),
        q: Some("'; drop table events; --".into()),
        ..Default::default()
    };
    assert_eq!(public::public_events(&pool, &nonsense).await.unwrap().total, 0);
}

#[sqlx::test]
async fn duplicating_an_event_copies_settings_tiers_and_venue_into_a_new_draft(pool: PgPool) {
    let scope = organizer(&pool, "o@example.com", "Org").await;
    let venue = VenueForm { name: "Hall".into(), address: "1 Main St".into(), ..Default::default() };
    let venue_id = venues::create_venue(&pool, &scope, venue).await.unwrap();
    let id = service::create_event(
        &pool,
        &scope,
        EventForm { venue_id: Some(venue_id.to_string()), ..event_form("Summit") },
    )
    .await
    .unwrap();
    tiers::add_tier(&pool, &scope, id, tier_form("Early", "10", "5")).await.unwrap();
    tiers::add_tier(&pool, &scope, id, tier_form("Late", "20", "5")).await.unwrap();
    service::change_status(&pool, &scope, id, EventStatus::Published).await.unwrap();

    let copy = service::duplicate_event(&pool, &scope, id).await.unwrap();

    let copied = service::event_editor(&pool, &scope, copy).await.unwrap();
    assert_eq!(copied.name, "Copy of Summit");
    assert_eq!(copied.status, EventStatus::Draft);
    assert_eq!(copied.venue_id, Some(venue_id));
    assert_eq!(copied.tiers.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Early", "Late"]);
    assert_ne!(copied.slug, service::event_editor(&pool, &scope, id).await.unwrap().slug);
}

#[sqlx::test]
async fn the_demo_seed_creates_toronto_events_with_tiers(pool: PgPool) {
    eventos::tools::seed::seed(&pool).await.unwrap();
    eventos::tools::seed::seed(&pool).await.unwrap();

    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(&pool).await.unwrap();
    assert_eq!(events, 7, "seeding twice does not duplicate events");
    let listed = public::public_events(&pool, &EventFilters::default()).await.unwrap();
    assert_eq!(listed.total, 5, "five upcoming public events, one of them opening its doors today");
    assert!(listed.events.iter().all(|e| e.city.as_deref() == Some("Toronto")));
}
