//! What the public sees of events: the listing of upcoming events and an event's page, and
//! who may see a draft or private event.

use crate::events::db::{self, ListingQuery};
use crate::events::service::media_url;
use crate::events::tiers::{cap_by_event, tier_view};
use crate::events::time::{self, timezone_or_default};
use crate::events::{
    EventFilters, EventPage, EventStatus, EventSummary, EventType, PublicEvent, TierView, Visibility, format_price,
};
use crate::platform::error::AppError;
use crate::platform::text::optional_text;
use crate::venues::db as venues_db;
use crate::venues::service::venue_view;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

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
        event_type,
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
                event_type: r.event_type,
                status: r.status,
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

/// How old a public page's event data may be: availability shown lags sales by at most
/// this; checkout always reads the database.
pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether `viewer` may see `event`: drafts and private events only within the organization.
pub async fn may_view(
    pool: &PgPool,
    organization_id: Uuid,
    status: EventStatus,
    visibility: Visibility,
    viewer: Option<Uuid>,
) -> Result<bool, AppError> {
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
    if !may_view(pool, event.organization_id, event.status, event.visibility, viewer).await? {
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
        Some(id) => venues_db::venue_by_id(pool, id).await?.map(|v| venue_view(v).into()),
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
        event_type: event.event_type,
        status: event.status,
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
