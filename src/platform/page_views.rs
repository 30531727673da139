//! Event page views and checkout openings, counted per event per hour without cookies or a
//! tracker. A view is an increment in memory; a worker writes what was counted in one
//! statement every few seconds (and at shutdown), so no page request ever waits on a write.

use chrono::{DateTime, Timelike, Utc};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// How often counts are written.
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// What was seen of one event in one hour.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub views: i32,
    pub checkouts: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visit {
    EventPage,
    CheckoutOpened,
}

/// What was seen, per event and hour.
type Tally = HashMap<(Uuid, DateTime<Utc>), Seen>;

/// Counts not yet written, shared by every request.
#[derive(Clone, Default)]
pub struct PageViews {
    counts: Arc<Mutex<Tally>>,
}

/// Agents that announce themselves as programs: crawlers, link previews, HTTP libraries and
/// audit tools. People's browsers never carry these words.
const NOT_PEOPLE: &[&str] = &[
    "bot",
    "headless",
    "crawl",
    "spider",
    "slurp",
    "curl",
    "wget",
    "python",
    "go-http-client",
    "java/",
    "okhttp",
    "httpclient",
    "libwww",
    "facebookexternalhit",
    "embedly",
    "preview",
    "lighthouse",
    "pagespeed",
    "monitor",
    "uptime",
];

/// Whether a request with this User-Agent header is likely a person's browser.
pub fn is_person(user_agent: Option<&str>) -> bool {
    let Some(agent) = user_agent.map(str::trim).filter(|agent| !agent.is_empty()) else { return false };
    let agent = agent.to_ascii_lowercase();
    !NOT_PEOPLE.iter().any(|word| agent.contains(word))
}

fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_minute(0).and_then(|t| t.with_second(0)).and_then(|t| t.with_nanosecond(0)).unwrap_or(at)
}

impl PageViews {
    /// Counts a visit of `event_id` now, unless the agent is a program.
    pub fn record(&self, event_id: Uuid, visit: Visit, user_agent: Option<&str>) {
        if is_person(user_agent) {
            self.add(event_id, hour_of(Utc::now()), visit);
        }
    }

    /// The User-Agent of the request being served, for `record`.
    pub fn user_agent_of_request() -> Option<String> {
        let parts = leptos::prelude::use_context::<http::request::Parts>()?;
        parts.headers.get(http::header::USER_AGENT)?.to_str().ok().map(str::to_owned)
    }

    fn add(&self, event_id: Uuid, hour: DateTime<Utc>, visit: Visit) {
        let mut counts = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let seen = counts.entry((event_id, hour)).or_default();
        match visit {
            Visit::EventPage => seen.views = seen.views.saturating_add(1),
            Visit::CheckoutOpened => seen.checkouts = seen.checkouts.saturating_add(1),
        }
    }

    fn take(&self) -> Tally {
        std::mem::take(&mut *self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    fn put_back(&self, counts: Tally) {
        let mut held = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (key, seen) in counts {
            let entry = held.entry(key).or_default();
            entry.views = entry.views.saturating_add(seen.views);
            entry.checkouts = entry.checkouts.saturating_add(seen.checkouts);
        }
    }

    /// Writes what was counted since the last flush, in one statement. On failure the counts
    /// are kept for the next try.
    pub async fn flush(&self, pool: &PgPool) -> Result<usize, sqlx::Error> {
        let counts = self.take();
        if counts.is_empty() {
            return Ok(0);
        }
        // In key order, so two servers writing the same rows lock them in the same order.
        let mut keys: Vec<_> = counts.keys().copied().collect();
        keys.sort();
        let (mut events, mut hours, mut views, mut checkouts) = (vec![], vec![], vec![], vec![]);
        for (event_id, hour) in keys {
            let seen = counts[&(event_id, hour)];
            events.push(event_id);
            hours.push(hour);
            views.push(seen.views);
            checkouts.push(seen.checkouts);
        }
        // Events deleted since they were viewed are skipped, not an error for the rest.
        let written = sqlx::query!(
            "INSERT INTO page_views AS p (event_id, hour, views, checkouts)
             SELECT c.event_id, c.hour, c.views, c.checkouts
               FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::int[]) AS c (event_id, hour, views, checkouts)
               JOIN events e ON e.id = c.event_id
             ON CONFLICT (event_id, hour)
             DO UPDATE SET views = p.views + EXCLUDED.views, checkouts = p.checkouts + EXCLUDED.checkouts",
            &events,
            &hours,
            &views,
            &checkouts,
        )
        .execute(pool)
        .await;
        match written {
            Ok(done) => Ok(done.rows_affected() as usize),
            Err(error) => {
                self.put_back(counts);
                Err(error)
            }
        }
    }

    /// Writes the counts every `FLUSH_EVERY` until `stopped`, then once more.
    pub async fn run_writer(self, pool: PgPool, mut stopped: tokio::sync::watch::Receiver<bool>) {
        let mut every = tokio::time::interval(FLUSH_EVERY);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = stopped.changed() => break,
            }
            if let Err(error) = self.flush(&pool).await {
                tracing::error!(%error, "writing page views failed; they are kept for the next try");
            }
        }
        if let Err(error) = self.flush(&pool).await {
            tracing::error!(%error, "writing page views at shutdown failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_people_and_programs_are_not() {
        let chrome =
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
        let safari =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1";
        assert!(is_person(Some(chrome)));
        assert!(is_person(Some(safari)));
        for program in [
            "Googlebot/2.1 (+http://www.google.com/bot.html)",
            "curl/8.5.0",
            "python-requests/2.31",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "facebookexternalhit/1.1",
            "Mozilla/5.0 Chrome-Lighthouse",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0 Safari/537.36",
            "",
            "   ",
        ] {
            assert!(!is_person(Some(program)), "{program} counted as a person");
        }
        assert!(!is_person(None));
    }

    #[test]
    fn views_of_one_event_in_one_hour_add_up_in_one_row() {
        let views = PageViews::default();
        let event = Uuid::new_v4();
        let hour = hour_of(Utc::now());
        views.add(event, hour, Visit::EventPage);
        views.add(event, hour, Visit::EventPage);
        views.add(event, hour, Visit::CheckoutOpened);
        views.add(Uuid::new_v4(), hour, Visit::EventPage);
        let counts = views.take();
        assert_eq!(counts.len(), 2);
        assert_eq!(counts[&(event, hour)], Seen { views: 2, checkouts: 1 });
        assert!(views.take().is_empty(), "taking empties the tally");
    }

    #[test]
    fn an_hour_starts_on_the_hour() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T14:37:12.5Z").unwrap().with_timezone(&Utc);
        assert_eq!(hour_of(at).to_rfc3339(), "2026-11-23T14:00:00+00:00");
    }
}
