//! Demo data: a ready-to-use organizer login and organization, so a fresh install has
//! something to look at, with weeks of sales behind it (`seed_history`). Safe to run again:
//! it updates what exists instead of duplicating.

use crate::accounts::password;
use crate::checkin::service::{Attempt, Target};
use crate::checkin::{self, TicketCode};
use crate::events::EventStatus;
use crate::events::service::{self as events, EventForm};
use crate::events::tiers::{self, TierForm};
use crate::orders::checkout::{self, CheckoutForm};
use crate::orders::db as orders_db;
use crate::orders::service::Payments;
use crate::organizations::{self, Role, access::OrganizationScope};
use crate::platform::error::AppError;
use crate::platform::text::{Email, Name};
use crate::tools::seed_history::{self as history, NO_SALES, Sales, Seeded};
use crate::venues::service::{self as venues, VenueForm};
use chrono::{Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

pub const DEMO_EMAIL: &str = "demo@eventos.dev";
pub const DEMO_PASSWORD: &str = "eventos-demo";
/// Door staff of the demo organization (same password).
pub const DEMO_STAFF_EMAIL: &str = "door@eventos.dev";
const DEMO_STAFF_NAME: &str = "Sam Door";
const DEMO_NAME: &str = "Dana Organizer";
const DEMO_ORGANIZATION: &str = "Northern Lights Events";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub email: &'static str,
    pub password: &'static str,
    pub organization_id: Uuid,
}

/// Seeds only when the database has no users yet (a fresh install).
pub async fn seed_if_empty(pool: &PgPool) -> Result<Option<DemoLogin>, AppError> {
    if crate::accounts::db::count_users(pool).await? > 0 {
        return Ok(None);
    }
    seed(pool).await.map(Some)
}

/// Creates or refreshes the demo organizer (resetting its password) and its organization.
pub async fn seed(pool: &PgPool) -> Result<DemoLogin, AppError> {
    let email = Email::parse(DEMO_EMAIL).map_err(|e| AppError::internal("demo email", e))?;
    let name = Name::parse(DEMO_NAME, "a name").map_err(|e| AppError::internal("demo name", e))?;
    let organization =
        Name::parse(DEMO_ORGANIZATION, "a name").map_err(|e| AppError::internal("demo organization", e))?;
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;

    let mut tx = pool.begin().await?;
    let user_id: Uuid = sqlx::query_scalar!(
        "INSERT INTO users (email, password_hash, full_name, company, phone, email_confirmed_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT ON CONSTRAINT users_email_key DO UPDATE SET password_hash = EXCLUDED.password_hash
         RETURNING id",
        email.as_str(),
        hash,
        name.as_str(),
        DEMO_ORGANIZATION,
        "416-555-0142",
    )
    .fetch_one(&mut *tx)
    .await?;
    let organization_id = match organizations::db::primary_membership(&mut *tx, user_id).await? {
        Some(access) => access.organization_id,
        None => organizations::db::create_with_owner(&mut tx, &organization, user_id).await?,
    };
    tx.commit().await?;
    let scope = OrganizationScope { user_id, organization_id, role: Role::Owner };
    if let Some((venue_ids, staff_id)) = seed_events(pool, &scope, &hash).await? {
        seed_door(pool, &scope, staff_id, venue_ids.get(2).copied()).await?;
    }
    tracing::info!(%user_id, %organization_id, "demo data ready");
    Ok(DemoLogin { email: DEMO_EMAIL, password: DEMO_PASSWORD, organization_id })
}

struct DemoVenue {
    name: &'static str,
    address: &'static str,
    postal_code: &'static str,
    capacity: i32,
    amenities: &'static [&'static str],
}

const VENUES: [DemoVenue; 5] = [
    DemoVenue {
        name: "Metro Toronto Convention Centre",
        address: "255 Front St W",
        postal_code: "M5V 2W6",
        capacity: 5000,
        amenities: &["wifi", "parking", "accessible", "av", "catering", "transit"],
    },
    DemoVenue {
        name: "The Carlu",
        address: "444 Yonge St, 7th Floor",
        postal_code: "M5B 2H4",
        capacity: 900,
        amenities: &["wifi", "accessible", "av", "catering", "transit"],
    },
    DemoVenue {
        name: "MaRS Discovery District",
        address: "101 College St",
        postal_code: "M5G 1L7",
        capacity: 600,
        amenities: &["wifi", "accessible", "av", "transit"],
    },
    DemoVenue {
        name: "Design Exchange",
        address: "234 Bay St",
        postal_code: "M5K 1B2",
        capacity: 700,
        amenities: &["wifi", "accessible", "catering", "transit"],
    },
    DemoVenue {
        name: "King West Studio Loft",
        address: "505 King St W, Suite 300",
        postal_code: "M5V 1K4",
        capacity: 40,
        amenities: &["wifi", "av"],
    },
];

struct DemoTier {
    name: &'static str,
    price: &'static str,
    capacity: i32,
    max_per_order: i32,
    description: &'static str,
}

struct DemoEvent {
    name: &'static str,
    event_type: &'static str,
    venue: usize,
    days_from_now: i64,
    start: &'static str,
    end: &'static str,
    capacity: i32,
    visibility: &'static str,
    /// The organizer takes "pay at the door or by invoice" for this one (the demo has no
    /// card payments, so every paid event does).
    pays_at_door: bool,
    status: EventStatus,
    description: &'static str,
    tiers: &'static [DemoTier],
    /// Its sales so far.
    sales: Sales,
}

const EVENTS: [DemoEvent; 6] = [
    DemoEvent {
        name: "AI & ML Summit 2027",
        event_type: "conference",
        venue: 0,
        days_from_now: 60,
        start: "09:00",
        end: "17:30",
        capacity: 800,
        visibility: "public",
        pays_at_door: true,
        status: EventStatus::Published,
        description: "A full day of talks and hands-on sessions on applied machine learning for enterprise teams: model evaluation, retrieval-augmented generation, governance and cost.\n\nSpeakers from Toronto's AI labs and the teams shipping AI features at Canadian banks, retailers and insurers. Lunch and an evening reception included.",
        tiers: &[
            DemoTier {
                name: "Early Bird",
                price: "199",
                capacity: 200,
                max_per_order: 5,
                description: "Full-day pass at the launch price.",
            },
            DemoTier {
                name: "General Admission",
                price: "349",
                capacity: 500,
                max_per_order: 10,
                description: "Full-day pass, lunch and reception.",
            },
            DemoTier {
                name: "VIP",
                price: "799",
                capacity: 100,
                max_per_order: 4,
                description: "Reserved seating and the speakers' dinner.",
            },
        ],
        sales: Sales {
            orders: 40,
            over_days: 28,
            unpaid: 2,
            refunded: 0,
            promo: Some(("TEAM15", "15")),
            checked_in_percent: 0,
        },
    },
    DemoEvent {
        name: "Toronto Tech Founders Networking Night",
        event_type: "networking",
        venue: 1,
        days_from_now: 14,
        start: "18:00",
        end: "21:30",
        capacity: 300,
        visibility: "public",
        pays_at_door: true,
        status: EventStatus::Published,
        description: "Meet founders, operators and investors from across the city over drinks and light food, with a skyline view from the Carlu.\n\nShort lightning pitches at 19:00.",
        tiers: &[
            DemoTier {
                name: "Standard",
                price: "35",
                capacity: 250,
                max_per_order: 4,
                description: "Entry, two drink tickets and food.",
            },
            DemoTier {
                name: "Founder Circle",
                price: "95",
                capacity: 50,
                max_per_order: 2,
                description: "Adds the pre-event founders' roundtable.",
            },
        ],
        sales: Sales { orders: 45, over_days: 21, unpaid: 1, refunded: 1, promo: None, checked_in_percent: 0 },
    },
    DemoEvent {
        name: "Cloud Cost Control Seminar",
        event_type: "seminar",
        venue: 2,
        days_from_now: 21,
        start: "13:00",
        end: "16:00",
        capacity: 150,
        visibility: "public",
        pays_at_door: true,
        status: EventStatus::Published,
        description: "How finance and engineering teams cut cloud bills without slowing delivery: tagging, budgets, commitments and the habits that keep savings.",
        tiers: &[DemoTier {
            name: "Free registration",
            price: "0",
            capacity: 150,
            max_per_order: 2,
            description: "Seats are limited; register to attend.",
        }],
        sales: Sales { orders: 25, over_days: 18, unpaid: 0, refunded: 0, promo: None, checked_in_percent: 0 },
    },
    DemoEvent {
        name: "Hands-on Rust for Backend Teams",
        event_type: "workshop",
        venue: 4,
        days_from_now: 35,
        start: "09:30",
        end: "16:30",
        capacity: 20,
        visibility: "public",
        pays_at_door: false,
        status: EventStatus::Published,
        description: "A small-group workshop: build and deploy a production-grade HTTP service in Rust with a real database. Bring a laptop with Rust installed.",
        tiers: &[DemoTier {
            name: "Workshop seat",
            price: "149",
            capacity: 20,
            max_per_order: 2,
            description: "Includes lunch and course material.",
        }],
        sales: NO_SALES,
    },
    DemoEvent {
        name: "Product Leadership Breakfast",
        event_type: "seminar",
        venue: 3,
        days_from_now: -30,
        start: "07:30",
        end: "09:30",
        capacity: 120,
        visibility: "public",
        pays_at_door: true,
        status: EventStatus::Completed,
        description: "A morning conversation with product leaders on roadmaps that survive contact with sales.",
        tiers: &[DemoTier {
            name: "General",
            price: "45",
            capacity: 120,
            max_per_order: 4,
            description: "Breakfast included.",
        }],
        sales: Sales { orders: 45, over_days: 24, unpaid: 0, refunded: 1, promo: None, checked_in_percent: 85 },
    },
    DemoEvent {
        name: "Customer Advisory Board 2027",
        event_type: "other",
        venue: 2,
        days_from_now: 90,
        start: "10:00",
        end: "15:00",
        capacity: 40,
        visibility: "private",
        pays_at_door: false,
        status: EventStatus::Draft,
        description: "Invitation-only session with our top customers. Agenda to follow.",
        tiers: &[DemoTier { name: "Invited guest", price: "0", capacity: 40, max_per_order: 1, description: "" }],
        sales: NO_SALES,
    },
];

/// Creates the door staff login, the demo venues and the events through the same operations
/// organizers use, once, each event with its sales so far; returns the venues and the staff
/// member, or `None` when the organization had events already (a removed staff member
/// stays removed).
async fn seed_events(
    pool: &PgPool,
    scope: &OrganizationScope,
    password_hash: &str,
) -> Result<Option<(Vec<Uuid>, Uuid)>, AppError> {
    let existing: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM events WHERE organization_id = $1"#,
        scope.organization_id
    )
    .fetch_one(pool)
    .await?;
    if existing > 0 {
        return Ok(None);
    }
    let staff_id = demo_staff(pool, scope, password_hash).await?;
    let mut venue_ids = Vec::new();
    for v in &VENUES {
        let form = VenueForm {
            name: v.name.into(),
            address: v.address.into(),
            postal_code: Some(v.postal_code.into()),
            capacity: Some(v.capacity.to_string()),
            contact_name: Some("Events Office".into()),
            amenities: v.amenities.iter().map(|a| a.to_string()).collect(),
            ..Default::default()
        };
        venue_ids.push(venues::create_venue(pool, scope, form).await?);
    }
    let tz = chrono_tz::America::Toronto;
    let today = Utc::now().with_timezone(&tz).date_naive();
    for (serial, e) in EVENTS.iter().enumerate() {
        // An event that is over sold its tickets while it was still ahead: it is made a few
        // days from now, sold, checked in, then moved back to its date.
        let moved = if e.days_from_now < 0 { 5 - e.days_from_now } else { 0 };
        let day = (today + Duration::days(e.days_from_now + moved)).format("%Y-%m-%d");
        let form = EventForm {
            name: e.name.into(),
            event_type: e.event_type.into(),
            description: e.description.into(),
            venue_id: Some(venue_ids[e.venue].to_string()),
            start_local: format!("{day}T{}", e.start),
            end_local: format!("{day}T{}", e.end),
            timezone: None,
            capacity: e.capacity.to_string(),
            visibility: e.visibility.into(),
            currency: None,
            allow_registrations: true,
            offline_payments: e.pays_at_door,
            offline_payment_days: None,
        };
        let audit_before = history::last_audit_entry(pool, scope.organization_id).await?;
        let event_id = events::create_event(pool, scope, form).await?;
        let mut tier_ids = Vec::new();
        for t in e.tiers {
            let tier = TierForm {
                name: t.name.into(),
                description: Some(t.description.into()),
                price: t.price.into(),
                capacity: t.capacity.to_string(),
                max_per_order: Some(t.max_per_order.to_string()),
                ..Default::default()
            };
            tier_ids.push((tiers::add_tier(pool, scope, event_id, tier).await?, t.max_per_order));
        }
        if e.status == EventStatus::Draft {
            continue;
        }
        events::change_status(pool, scope, event_id, EventStatus::Published).await?;
        let event = crate::events::db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?;
        let sales_end = if moved > 0 { event.start_at - Duration::days(moved + 2) } else { Utc::now() };
        let seeded = Seeded { event_id, slug: event.slug, tiers: tier_ids, sales_end };
        let sold = history::sell(pool, scope, &seeded, &e.sales, serial as u64).await?;
        let doors =
            if moved > 0 { history::move_back(pool, event_id, moved, audit_before).await? } else { event.start_at };
        if e.sales.checked_in_percent > 0 {
            history::check_in(pool, staff_id, event_id, &sold, e.sales.checked_in_percent, doors).await?;
        }
        if e.sales.orders > 0 {
            let opened = sales_end - Duration::days(e.sales.over_days);
            history::date_setup(pool, event_id, audit_before, opened).await?;
            history::page_views(pool, event_id, opened, sales_end).await?;
        }
        if e.status == EventStatus::Completed {
            events::change_status(pool, scope, event_id, EventStatus::Live).await?;
            events::change_status(pool, scope, event_id, EventStatus::Completed).await?;
        }
    }
    Ok(Some((venue_ids, staff_id)))
}

const FIRST_NAMES: [&str; 10] = ["Amara", "Ben", "Chloé", "Dev", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jonah"];
const LAST_NAMES: [&str; 4] = ["Okafor", "Tremblay", "Gagnon", "Patel"];

/// The door staff login of the demo organization.
async fn demo_staff(pool: &PgPool, scope: &OrganizationScope, password_hash: &str) -> Result<Uuid, AppError> {
    let staff_id: Uuid = sqlx::query_scalar!(
        "INSERT INTO users (email, password_hash, full_name, email_confirmed_at) VALUES ($1, $2, $3, now())
         ON CONFLICT ON CONSTRAINT users_email_key DO UPDATE SET password_hash = EXCLUDED.password_hash
         RETURNING id",
        DEMO_STAFF_EMAIL,
        password_hash,
        DEMO_STAFF_NAME,
    )
    .fetch_one(pool)
    .await?;
    let mut tx = pool.begin().await?;
    crate::team::db::join(&mut tx, scope.organization_id, staff_id, Role::Staff).await?;
    tx.commit().await?;
    Ok(staff_id)
}

/// An event happening now, with tickets sold (a few unpaid, to be paid at the door) and
/// some attendees already in, so the door page has something to do.
async fn seed_door(
    pool: &PgPool,
    scope: &OrganizationScope,
    staff_id: Uuid,
    venue_id: Option<Uuid>,
) -> Result<(), AppError> {
    let tz = chrono_tz::America::Toronto;
    // Doors open within the hour; check-in starts before the event does.
    let start = (Utc::now() + Duration::hours(1)).with_timezone(&tz);
    let end = start + Duration::hours(4);
    let form = EventForm {
        name: "Toronto Product Meetup".into(),
        event_type: "networking".into(),
        description: "Product people from across the city: lightning talks, then drinks. Doors open soon.".into(),
        start_local: start.format("%Y-%m-%dT%H:00").to_string(),
        end_local: end.format("%Y-%m-%dT%H:00").to_string(),
        venue_id: venue_id.map(|v| v.to_string()),
        capacity: "120".into(),
        visibility: "public".into(),
        allow_registrations: true,
        offline_payments: true,
        ..Default::default()
    };
    let event_id = events::create_event(pool, scope, form).await?;
    let free = TierForm { name: "General".into(), price: "0".into(), capacity: "100".into(), ..Default::default() };
    let free = tiers::add_tier(pool, scope, event_id, free).await?;
    let door =
        TierForm { name: "Pay at the door".into(), price: "20".into(), capacity: "20".into(), ..Default::default() };
    let door = tiers::add_tier(pool, scope, event_id, door).await?;
    events::change_status(pool, scope, event_id, EventStatus::Published).await?;
    let slug = crate::events::db::event(pool, scope.organization_id, event_id).await?.ok_or(AppError::NotFound)?.slug;

    let payments = Payments::without_cards();
    let mut secrets = Vec::new();
    for (order, last) in LAST_NAMES.iter().enumerate() {
        let (tier, method) = if order == 3 { (door, Some("offline".to_owned())) } else { (free, None) };
        let names: Vec<String> = FIRST_NAMES.iter().map(|first| format!("{first} {last}")).collect();
        let form = CheckoutForm {
            slug: slug.clone(),
            selection: format!("{tier}:{}", names.len()),
            buyer_name: names[0].clone(),
            buyer_email: format!("{}@example.com", last.to_lowercase()),
            payment_method: method,
            attendee_names: names,
            ..Default::default()
        };
        let placed = checkout::place_order(pool, &payments, form, None).await?;
        if tier == door {
            // The organizer takes the money at the door rather than before the event starts.
            let pay_by = end.format("%Y-%m-%dT%H:00").to_string();
            crate::orders::manage::extend_payment_deadline(pool, scope, placed.order_id, &pay_by).await?;
        }
        if tier == free {
            secrets.extend(orders_db::tickets_of(pool, &[placed.order_id]).await?.into_iter().map(|t| t.qr_secret));
        }
    }
    let list_id = checkin::manage::lists(pool, event_id).await?.first().map(|l| l.id).ok_or(AppError::Internal)?;
    for secret in secrets.iter().step_by(2).take(12) {
        let attempt = Attempt {
            list_id,
            target: Target::Code(TicketCode::Secret(secret.clone())),
            nonce: Uuid::new_v4(),
            device: "Door 1".into(),
            client_time: None,
            collect: false,
            offline: None,
        };
        checkin::service::scan(pool, staff_id, event_id, attempt).await?;
    }
    tracing::info!(%event_id, "demo door ready");
    Ok(())
}
