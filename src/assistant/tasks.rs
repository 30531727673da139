//! Planning tasks and descriptions the assistant writes from what it knows of an event:
//! its kind, its size and how far away it is. Deterministic, so the same event always gets
//! the same checklist. The event's board of them: moved, renamed and assigned by the team.

use crate::assistant::draft::{Draft, hundredths_label};
use crate::assistant::{TaskBoard, TaskStatus, TaskView, category_label, db};
use crate::events::service as events;
use crate::events::{EventEditor, EventType};
use crate::organizations::Role;
use crate::organizations::access::OrganizationScope;
use crate::platform::error::AppError;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// One task of the checklist: category, priority, title, and days before the event it is due
/// (negative: after it).
struct Template {
    category: &'static str,
    priority: &'static str,
    title: &'static str,
    days_before: i64,
}

const fn task(category: &'static str, priority: &'static str, title: &'static str, days_before: i64) -> Template {
    Template { category, priority, title, days_before }
}

const EVERY_EVENT: &[Template] = &[
    task("venue", "high", "Confirm the venue booking and get the contract signed", 60),
    task("venue", "medium", "Walk through the venue: entrances, accessibility, room layout", 21),
    task("marketing", "high", "Publish the event page and announce it", 45),
    task("marketing", "medium", "Send a reminder e-mail to registered attendees", 3),
    task("operations", "high", "Set up door check-in: lists, staff and their phones", 7),
    task("operations", "medium", "Print signage and name badges", 5),
    task("tech", "medium", "Test the audio-visual setup and Wi-Fi at the venue", 2),
    task("post_event", "medium", "Send a thank-you e-mail with a feedback survey", -1),
    task("post_event", "low", "Review sales, attendance and feedback with the team", -7),
];

const CONFERENCE: &[Template] = &[
    task("marketing", "high", "Confirm keynote speakers and publish the agenda", 50),
    task("operations", "medium", "Recruit and brief volunteers", 14),
    task("tech", "high", "Arrange recording or live streaming of the main stage", 14),
];

const WORKSHOP: &[Template] = &[
    task("operations", "high", "Prepare workshop materials and handouts", 10),
    task("tech", "medium", "Send attendees the software to install beforehand", 5),
];

const SEMINAR: &[Template] = &[task("marketing", "medium", "Confirm the speaker's bio, photo and slides", 14)];

const NETWORKING: &[Template] = &[task("operations", "medium", "Plan name tags and an ice-breaker", 7)];

/// Food for an event that runs through a meal or has more than a handful of people.
const CATERING: &[Template] = &[
    task("catering", "high", "Book catering and collect dietary needs", 21),
    task("catering", "medium", "Confirm final headcount with the caterer", 4),
];

/// Adds the checklist to the event's board and returns how many tasks it added. Tasks due
/// before today are due today.
pub async fn generate(
    tx: &mut PgConnection,
    scope: &OrganizationScope,
    event: &EventEditor,
) -> Result<usize, AppError> {
    let start = NaiveDateTime::parse_from_str(&event.start_local, "%Y-%m-%dT%H:%M")
        .map_err(|e| AppError::internal("an event's start does not read back", e))?;
    let today =
        chrono::Utc::now().with_timezone(&crate::events::time::timezone_or_default(&event.timezone)).date_naive();
    let kind = match event.event_type {
        EventType::Conference => CONFERENCE,
        EventType::Workshop => WORKSHOP,
        EventType::Seminar => SEMINAR,
        EventType::Networking => NETWORKING,
        EventType::Other => &[],
    };
    let catering = if event.capacity >= 20 { CATERING } else { &[] };
    let mut position = db::task_count(&mut *tx, event.id).await? as i32;
    let mut added = 0;
    for template in EVERY_EVENT.iter().chain(kind).chain(catering) {
        let due = due_on(start.date(), template.days_before, today);
        let priority = if event.capacity >= 500 && template.priority == "medium" { "high" } else { template.priority };
        position += 1;
        db::insert_task(
            &mut *tx,
            scope.organization_id,
            event.id,
            template.title,
            template.category,
            priority,
            due,
            position,
        )
        .await?;
        added += 1;
    }
    Ok(added)
}

fn due_on(event_day: NaiveDate, days_before: i64, today: NaiveDate) -> NaiveDate {
    (event_day - Duration::days(days_before)).max(today)
}

/// A first description from the draft's facts, for the organizer to edit.
pub fn description(draft: &Draft) -> String {
    let name = draft.name.clone().unwrap_or_else(|| "This event".into());
    let kind = draft.event_type.map_or("event".to_string(), |k| k.label().to_lowercase());
    let mut lines =
        vec![format!("Join us for {name}, a {kind} for people who want to learn, meet and get things done.")];
    if let Some(when) = draft.when() {
        lines.push(format!("When: {when}."));
    }
    if let Some(venue) = &draft.venue {
        lines.push(format!("Where: {venue}."));
    }
    if let Some(capacity) = draft.capacity {
        lines.push(format!("Space is limited to {capacity} people."));
    }
    let tiers: Vec<String> = draft
        .tiers
        .iter()
        .filter(|t| t.active)
        .map(|t| format!("{} ({})", t.name, hundredths_label(t.price_cents, draft.currency_code())))
        .collect();
    if !tiers.is_empty() {
        lines.push(format!("Tickets: {}.", tiers.join(", ")));
    }
    lines.join("\n\n")
}

/// The event's planning board.
pub async fn task_board(pool: &PgPool, scope: &OrganizationScope, event_id: Uuid) -> Result<TaskBoard, AppError> {
    scope.require(Role::Admin)?;
    let event = events::event_editor(pool, scope, event_id).await?;
    let tasks = db::tasks(pool, scope.organization_id, event_id)
        .await?
        .into_iter()
        .map(|t| TaskView {
            id: t.id,
            title: t.title,
            category: category_label(&t.category).to_string(),
            priority: t.priority,
            status: TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Pending),
            due: t.due_on.map(|d| d.format("%b %-d, %Y").to_string()).unwrap_or_default(),
            assignee_id: t.assignee_id,
            assignee: t.assignee,
        })
        .collect();
    let members =
        crate::team::db::members(pool, scope.organization_id).await?.into_iter().map(|m| (m.user_id, m.name)).collect();
    Ok(TaskBoard { event_id, event_name: event.name, tasks, members })
}

/// Moves, renames or assigns a task. Bad input writes nothing.
pub async fn update_task(
    pool: &PgPool,
    scope: &OrganizationScope,
    task_id: Uuid,
    title: &str,
    status: &str,
    assignee: Option<Uuid>,
) -> Result<(), AppError> {
    scope.require(Role::Admin)?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::field("title", "A task needs a title of at most 200 characters."));
    }
    let status = TaskStatus::parse(status).ok_or_else(|| AppError::field("status", "Choose a column for the task."))?;
    if let Some(assignee) = assignee
        && !crate::team::db::members(pool, scope.organization_id).await?.iter().any(|m| m.user_id == assignee)
    {
        return Err(AppError::field("assignee_id", "Assign the task to someone on your team."));
    }
    if db::update_task(pool, scope.organization_id, task_id, title, status.as_str(), assignee).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_is_due_so_many_days_before_the_event_but_never_before_today() {
        let event = NaiveDate::from_ymd_opt(2027, 3, 12).unwrap();
        let today = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        assert_eq!(due_on(event, 7, today), NaiveDate::from_ymd_opt(2027, 3, 5).unwrap());
        assert_eq!(due_on(event, 60, today), today);
        assert_eq!(due_on(event, -1, today), NaiveDate::from_ymd_opt(2027, 3, 13).unwrap());
    }
}
