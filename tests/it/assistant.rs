//! The assistant against PostgreSQL: an event created entirely by chatting, edits, every
//! public change waiting for a click that runs once, messages applied all or nothing, and
//! conversations closed to other organizations and to door staff.

use crate::shop::organizer;
use eventos::assistant::apply::Turn;
use eventos::assistant::draft::Draft;
use eventos::assistant::tools::{EventFields, TierArgs, TierChange, ToolCall};
use eventos::assistant::{ConversationView, db};
use eventos::assistant::{confirm, service, tasks};
use eventos::events::service as events;
use eventos::organizations::Role;
use eventos::organizations::access::OrganizationScope;
use eventos::platform::error::AppError;
use sqlx::PgPool;
use uuid::Uuid;

const SUMMIT: &str = "Create a conference called Toronto AI Summit on March 12, 2030, 9am–5pm at the Metro Toronto \
                      Convention Centre for 500 people, general admission $299, VIP $599";

async fn chat(pool: &PgPool, scope: &OrganizationScope, id: Uuid, text: &str) -> ConversationView {
    service::send(pool, scope, id, text).await.unwrap()
}

fn last_reply(view: &ConversationView) -> &str {
    &view.messages.last().expect("a reply").content
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test]
async fn an_organizer_creates_an_event_by_chatting_and_publishes_it_from_the_card(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();

    let first = chat(&pool, &scope, id, SUMMIT).await;
    let preview = &first.preview;
    let event_id = preview.event_id.expect("the draft event exists");
    assert_eq!(preview.name.as_deref(), Some("Toronto AI Summit"));
    assert_eq!(preview.when.as_deref(), Some("Tue 12 Mar 2030, 09:00–17:00 EDT (UTC−4)"));
    assert_eq!(preview.capacity, Some(500));
    assert!(!preview.timezone_is_default, "Toronto comes from the venue's name, not from a default");
    assert!(preview.currency_is_default, "a bare $ is the default currency, and the preview says so");
    let tiers: Vec<(&str, &str)> = preview.tiers.iter().map(|t| (t.name.as_str(), t.price.as_str())).collect();
    assert_eq!(tiers, [("General Admission", "$299.00 CAD"), ("VIP", "$599.00 CAD")]);
    let changes = &first.messages.last().unwrap().changes;
    assert!(changes.contains(&"Added tier VIP — $599.00 CAD".to_string()), "{changes:?}");
    assert!(last_reply(&first).contains("street address"), "a new venue asks for its address: {}", last_reply(&first));
    assert_eq!(first.title, "Toronto AI Summit");

    let venue = chat(&pool, &scope, id, "255 Front St W, Toronto").await;
    assert_eq!(venue.preview.venue.as_deref(), Some("Metro Toronto Convention Centre"));
    let again = service::start(&pool, &scope, None).await.unwrap();
    chat(&pool, &scope, again, "Workshop called Follow-up at the MTCC on March 20, 2030, 1-4pm, 20 seats, free").await;
    assert_eq!(count(&pool, "SELECT count(*) FROM venues").await, 1, "“MTCC” found the venue instead of a new one");

    let bigger = chat(&pool, &scope, id, "make it 600 people").await;
    assert_eq!(bigger.preview.capacity, Some(600));
    assert!(bigger.messages.last().unwrap().changes.contains(&"Changed capacity from 500 to 600".to_string()));

    let proposed = chat(&pool, &scope, id, "Looks good, publish it").await;
    let card = proposed.pending.last().expect("a confirmation card");
    assert_eq!((card.kind.as_str(), card.status.as_str()), ("publish", "pending"));
    let event = events::event_editor(&pool, &scope, event_id).await.unwrap();
    assert_eq!(event.status.as_str(), "draft", "nothing is public before the click");

    let confirmed = confirm::confirm(&pool, &scope, card.id).await.unwrap();
    assert_eq!(confirmed.pending.last().unwrap().status, "confirmed");
    assert_eq!(events::event_editor(&pool, &scope, event_id).await.unwrap().status.as_str(), "published");
    assert!(matches!(confirm::confirm(&pool, &scope, card.id).await, Err(AppError::Conflict(_))), "at most once");

    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM ai_actions WHERE conversation_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        actions,
        ["create_event_draft", "add_tier", "add_tier", "create_venue", "set_venue", "update_event", "publish"]
    );
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE event_id = $1 AND actor_id = $2")
        .bind(event_id)
        .bind(scope.user_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(audited >= 4, "the audit trail names the organizer for the assistant's changes ({audited})");
}

#[sqlx::test]
async fn a_published_event_is_only_changed_through_a_confirmation(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    chat(&pool, &scope, id, SUMMIT).await;
    let card = chat(&pool, &scope, id, "publish").await.pending.last().unwrap().id;
    confirm::confirm(&pool, &scope, card).await.unwrap();

    let proposed = chat(&pool, &scope, id, "make it 700 people").await;
    assert_eq!(proposed.preview.capacity, Some(500), "unchanged until confirmed");
    let card = proposed.pending.last().unwrap();
    assert_eq!(card.kind, "change_capacity");
    assert_eq!(card.diff, [("Capacity".to_string(), "500".to_string(), "700".to_string())]);
    let priced = chat(&pool, &scope, id, "VIP is now $650").await;
    let price_card = priced.pending.last().unwrap();
    assert_eq!(price_card.kind, "change_price");

    let done = confirm::confirm(&pool, &scope, card.id).await.unwrap();
    assert_eq!(done.preview.capacity, Some(700));
    confirm::dismiss(&pool, &scope, price_card.id).await.unwrap();
    assert!(matches!(confirm::confirm(&pool, &scope, price_card.id).await, Err(AppError::Conflict(_))));
    let vip = done.preview.tiers.iter().find(|t| t.name == "VIP").unwrap();
    assert_eq!(vip.price, "$599.00 CAD", "a dismissed price change never runs");
}

#[sqlx::test]
async fn a_pending_action_expires_after_fifteen_minutes(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    let event_id = chat(&pool, &scope, id, SUMMIT).await.preview.event_id.unwrap();
    let card = chat(&pool, &scope, id, "publish it").await.pending.last().unwrap().id;
    sqlx::query("UPDATE ai_pending_actions SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(card)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(service::view(&pool, &scope, id).await.unwrap().pending[0].status, "expired");
    assert!(matches!(confirm::confirm(&pool, &scope, card).await, Err(AppError::Conflict(_))));
    assert_eq!(events::event_editor(&pool, &scope, event_id).await.unwrap().status.as_str(), "draft");
}

#[sqlx::test]
async fn a_message_with_one_refused_call_changes_nothing_and_says_why(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    let event_id = chat(&pool, &scope, id, SUMMIT).await.preview.event_id.unwrap();

    let mut tx = scope.begin(&pool).await.unwrap();
    db::lock_conversation(&mut tx, id).await.unwrap();
    let draft = Draft::default().refreshed_from(&events::event_editor(&pool, &scope, event_id).await.unwrap(), None);
    let turn = Turn::new(scope, id, Some(event_id), draft);
    let calls = [
        ToolCall::UpdateEvent(EventFields { capacity: Some(650), ..EventFields::default() }),
        ToolCall::AddTier(TierArgs { name: "Student".into(), price_cents: 4900, capacity: Some(10) }),
        ToolCall::UpdateTier(TierChange {
            tier: "Gold".into(),
            new_name: None,
            price_cents: Some(100),
            capacity: None,
        }),
    ];
    let builtin = service::Answerer { provider: "builtin", prompt_tokens: 0, completion_tokens: 0 };
    service::apply_message(&pool, tx, turn, &calls, &[], "Toronto AI Summit", builtin).await.unwrap();

    let view = service::view(&pool, &scope, id).await.unwrap();
    assert!(last_reply(&view).contains("There is no tier called “Gold”"), "{}", last_reply(&view));
    assert!(last_reply(&view).contains("Nothing was changed"));
    assert_eq!(view.preview.capacity, Some(500));
    assert_eq!(view.preview.tiers.len(), 2, "the tier added by the same message is gone too");
}

#[sqlx::test]
async fn conversations_are_closed_to_other_organizations_and_to_door_staff(pool: PgPool) {
    let owner = organizer(&pool, "olivia@example.com").await;
    let stranger = organizer(&pool, "mallory@example.com").await;
    let id = service::start(&pool, &owner, None).await.unwrap();
    let card = {
        chat(&pool, &owner, id, SUMMIT).await;
        chat(&pool, &owner, id, "publish it").await.pending[0].id
    };
    assert!(matches!(service::view(&pool, &stranger, id).await, Err(AppError::NotFound)));
    assert!(matches!(service::send(&pool, &stranger, id, "make it 900 people").await, Err(AppError::NotFound)));
    assert!(matches!(confirm::confirm(&pool, &stranger, card).await, Err(AppError::NotFound)));
    let theirs = events::organization_events(&pool, &owner).await.unwrap()[0].id;
    assert!(matches!(service::start(&pool, &stranger, Some(theirs)).await, Err(AppError::NotFound)));

    let staff = OrganizationScope { role: Role::Staff, ..owner };
    assert!(matches!(service::start(&pool, &staff, None).await, Err(AppError::Forbidden)));
    assert!(matches!(service::send(&pool, &staff, id, "publish").await, Err(AppError::Forbidden)));
}

#[sqlx::test]
async fn the_assistant_asks_for_what_is_missing_and_builds_the_draft_over_several_messages(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    let first = chat(&pool, &scope, id, "I'm planning a networking mixer next month").await;
    assert!(first.preview.event_id.is_none());
    assert!(last_reply(&first).contains("Which day"), "{}", last_reply(&first));
    let named = chat(&pool, &scope, id, "call it Founders Mixer, on April 2, 2030 from 6 to 9pm").await;
    assert!(named.preview.event_id.is_none(), "no capacity yet: still a draft in the conversation");
    assert_eq!(named.preview.when.as_deref(), Some("Tue 2 Apr 2030, 18:00–21:00 EDT (UTC−4)"));
    let created = chat(&pool, &scope, id, "max 80 people, $25 general and $10 for students").await;
    assert!(created.preview.event_id.is_some());
    assert_eq!(created.preview.tiers.len(), 2);
    let tasks = chat(&pool, &scope, id, "generate the planning tasks").await;
    assert!(tasks.messages.last().unwrap().changes[0].starts_with("Added"), "{:?}", tasks.messages.last());
    assert!(count(&pool, "SELECT count(*) FROM ai_tasks WHERE category = 'catering'").await > 0);
}

#[sqlx::test]
async fn one_person_may_make_twenty_requests_of_the_assistant_a_minute(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    // Starting a conversation counts, like a message.
    let id = service::start(&pool, &scope, None).await.unwrap();
    for _ in 0..19 {
        service::send(&pool, &scope, id, "hello").await.unwrap();
    }
    assert!(matches!(service::send(&pool, &scope, id, "hello").await, Err(AppError::RateLimited { .. })));
    let empty = service::send(&pool, &scope, id, "   ").await;
    assert!(matches!(empty, Err(AppError::Validation(_))));
}

#[sqlx::test]
async fn a_confirmed_change_that_cannot_be_made_says_why_on_its_card(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    let event_id = chat(&pool, &scope, id, SUMMIT).await.preview.event_id.unwrap();
    let card = chat(&pool, &scope, id, "publish it").await.pending.last().unwrap().id;
    // Meanwhile the organizer takes every tier off sale in the editor.
    for tier in events::event_editor(&pool, &scope, event_id).await.unwrap().tiers {
        eventos::events::tiers::set_tier_active(&pool, &scope, tier.id, false).await.unwrap();
    }

    let view = confirm::confirm(&pool, &scope, card).await.unwrap();
    let failed = view.pending.last().unwrap();
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.outcome.as_deref(), Some("Add at least one active ticket tier before publishing."));
    assert!(last_reply(&view).contains("Add at least one active ticket tier"));
    assert_eq!(events::event_editor(&pool, &scope, event_id).await.unwrap().status.as_str(), "draft");
    assert!(matches!(confirm::confirm(&pool, &scope, card).await, Err(AppError::Conflict(_))));
}

#[sqlx::test]
async fn a_hand_edit_of_a_published_event_in_the_preview_becomes_a_card(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    chat(&pool, &scope, id, SUMMIT).await;
    let card = chat(&pool, &scope, id, "publish").await.pending.last().unwrap().id;
    confirm::confirm(&pool, &scope, card).await.unwrap();

    let fields = EventFields { name: Some("Renamed Summit".into()), ..EventFields::default() };
    let view = service::edit(&pool, &scope, id, ToolCall::UpdateEvent(fields)).await.unwrap();
    assert_eq!(view.preview.name.as_deref(), Some("Toronto AI Summit"), "unchanged until confirmed");
    let card = view.pending.last().unwrap();
    assert_eq!((card.kind.as_str(), card.status.as_str()), ("edit_event", "pending"));
    let done = confirm::confirm(&pool, &scope, card.id).await.unwrap();
    assert_eq!(done.preview.name.as_deref(), Some("Renamed Summit"));
    let another = service::start(&pool, &scope, None).await.unwrap();
    let refused = chat(&pool, &scope, another, "generate the planning tasks").await;
    assert!(last_reply(&refused).contains("There is no event yet"), "{}", last_reply(&refused));
}

#[sqlx::test]
async fn the_drafts_fields_are_edited_by_hand_and_the_assistant_works_from_the_edits(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    chat(&pool, &scope, id, SUMMIT).await;

    let fields = EventFields {
        event_type: Some("workshop".into()),
        timezone: Some("America/Vancouver".into()),
        currency: Some("JPY".into()),
        capacity: Some(450),
        ..EventFields::default()
    };
    let edited = service::edit(&pool, &scope, id, ToolCall::UpdateEvent(fields)).await.unwrap();
    let student = TierArgs { name: "Student".into(), price_cents: 4900, capacity: None };
    let edited_tier = service::edit(&pool, &scope, id, ToolCall::AddTier(student)).await.unwrap();
    let preview = &edited_tier.preview;
    assert_eq!(edited.preview.event_type.as_deref(), Some("Workshop"));
    assert_eq!((preview.timezone.as_str(), preview.timezone_is_default), ("America/Vancouver", false));
    assert_eq!((preview.currency.as_str(), preview.currency_is_default), ("JPY", false));
    let prices: Vec<(&str, &str)> = preview.tiers.iter().map(|t| (t.name.as_str(), t.price.as_str())).collect();
    assert_eq!(
        prices,
        [("General Admission", "¥299 JPY"), ("VIP", "¥599 JPY"), ("Student", "¥49 JPY")],
        "yen have no cents"
    );
    assert!(preview.when.as_deref().unwrap().contains("PDT (UTC−7)"), "{:?}", preview.when);
    let bad = service::edit(
        &pool,
        &scope,
        id,
        ToolCall::UpdateEvent(EventFields { timezone: Some("Mars/Base".into()), ..EventFields::default() }),
    );
    assert!(matches!(bad.await, Err(AppError::Validation(_))));

    let bigger = chat(&pool, &scope, id, "make it 460 people").await;
    assert!(bigger.messages.last().unwrap().changes.contains(&"Changed capacity from 450 to 460".to_string()));
}

#[sqlx::test]
async fn a_publish_from_the_dashboard_waits_for_an_assistant_edit_in_progress(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    let event_id = chat(&pool, &scope, id, SUMMIT).await.preview.event_id.unwrap();

    // The assistant's edit of the draft is applied, its transaction not yet committed.
    let mut edit = scope.begin(&pool).await.unwrap();
    db::lock_conversation(&mut edit, id).await.unwrap();
    let draft = Draft::default().refreshed_from(&events::event_editor(&pool, &scope, event_id).await.unwrap(), None);
    let mut turn = Turn::new(scope, id, Some(event_id), draft);
    let bigger = ToolCall::UpdateEvent(EventFields { capacity: Some(650), ..EventFields::default() });
    eventos::assistant::apply::apply(&mut edit, &mut turn, &bigger).await.unwrap();
    assert_eq!(turn.changes, ["Changed capacity from 500 to 650"], "applied directly: the event is a draft");
    let publish = tokio::spawn({
        let pool = pool.clone();
        async move { events::change_status(&pool, &scope, event_id, eventos::events::EventStatus::Published).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    assert!(!publish.is_finished(), "the publish waits for the edit's transaction");
    edit.commit().await.unwrap();
    publish.await.unwrap().unwrap();
    let event = events::event_editor(&pool, &scope, event_id).await.unwrap();
    assert_eq!((event.status.as_str(), event.capacity), ("published", 650));
}

#[sqlx::test]
async fn a_card_made_stale_by_a_later_change_is_refused_not_applied_over_it(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    chat(&pool, &scope, id, SUMMIT).await;
    let card = chat(&pool, &scope, id, "publish").await.pending.last().unwrap().id;
    confirm::confirm(&pool, &scope, card).await.unwrap();
    let first_price = chat(&pool, &scope, id, "VIP is now $650").await.pending.last().unwrap().id;
    let second_price = chat(&pool, &scope, id, "VIP is now $700").await.pending.last().unwrap().id;
    let first_size = chat(&pool, &scope, id, "make it 700 people").await.pending.last().unwrap().id;
    let second_size = chat(&pool, &scope, id, "make it 800 people").await.pending.last().unwrap().id;

    confirm::confirm(&pool, &scope, second_price).await.unwrap();
    confirm::confirm(&pool, &scope, second_size).await.unwrap();
    let view = confirm::confirm(&pool, &scope, first_price).await.unwrap();
    confirm::confirm(&pool, &scope, first_size).await.unwrap();

    let view_after = service::view(&pool, &scope, id).await.unwrap();
    for stale in [first_price, first_size] {
        let card = view_after.pending.iter().find(|c| c.id == stale).unwrap();
        assert_eq!(card.status, "failed");
        assert!(
            card.outcome.as_deref().unwrap().contains("was changed since this card was made"),
            "{:?}",
            card.outcome
        );
    }
    assert!(last_reply(&view).contains("ask the assistant again"));
    let vip = view_after.preview.tiers.iter().find(|t| t.name == "VIP").unwrap();
    assert_eq!(vip.price, "$700.00 CAD");
    assert_eq!(view_after.preview.capacity, Some(800));
}

#[sqlx::test]
async fn reading_calls_see_what_the_same_message_changed_before_it_is_saved(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    let mut tx = scope.begin(&pool).await.unwrap();
    db::lock_conversation(&mut tx, id).await.unwrap();
    let turn = Turn::new(scope, id, None, Draft::default());
    let fields = EventFields {
        name: Some("Data Basics".into()),
        start_local: Some("2030-03-03T13:00".into()),
        end_local: Some("2030-03-03T16:00".into()),
        capacity: Some(30),
        ..EventFields::default()
    };
    let calls = [
        ToolCall::CreateEventDraft(fields),
        ToolCall::SummariseSales(eventos::assistant::tools::Empty {}),
        ToolCall::ListEvents(eventos::assistant::tools::Empty {}),
    ];
    let builtin = service::Answerer { provider: "builtin", prompt_tokens: 0, completion_tokens: 0 };

    let reply = service::apply_message(&pool, tx, turn, &calls, &[], "New event", builtin).await.unwrap();

    assert!(reply.contains("Data Basics: 0 tickets sold (no tiers yet)"), "{reply}");
    assert!(reply.contains("Your events: Data Basics — Draft"), "{reply}");
}

#[sqlx::test]
async fn planning_tasks_are_moved_and_assigned_only_to_people_of_the_team(pool: PgPool) {
    let scope = organizer(&pool, "olivia@example.com").await;
    let stranger = organizer(&pool, "mallory@example.com").await;
    let id = service::start(&pool, &scope, None).await.unwrap();
    let event_id = chat(&pool, &scope, id, SUMMIT).await.preview.event_id.unwrap();
    chat(&pool, &scope, id, "generate the planning tasks").await;
    let board = tasks::task_board(&pool, &scope, event_id).await.unwrap();
    let task = board.tasks.first().expect("tasks were written");

    tasks::update_task(&pool, &scope, task.id, "Book the main hall", "in_progress", Some(scope.user_id)).await.unwrap();
    let outsider =
        tasks::update_task(&pool, &scope, task.id, "Book the main hall", "completed", Some(stranger.user_id)).await;
    let foreign = tasks::update_task(&pool, &stranger, task.id, "Mine now", "completed", None).await;

    let Err(AppError::Validation(fields)) = outsider else { panic!("{outsider:?}") };
    assert_eq!(fields.get("assignee_id"), Some("Assign the task to someone on your team."));
    assert!(matches!(foreign, Err(AppError::NotFound)));
    let board = tasks::task_board(&pool, &scope, event_id).await.unwrap();
    let task = board.tasks.iter().find(|t| t.id == task.id).unwrap();
    assert_eq!((task.title.as_str(), task.status.as_str()), ("Book the main hall", "in_progress"));
    assert_eq!(task.assignee_id, Some(scope.user_id));
    assert!(matches!(tasks::task_board(&pool, &stranger, event_id).await, Err(AppError::NotFound)));
}
