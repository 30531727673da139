//! The assistant's SQL: conversations, messages, wizard states, applied actions, pending
//! actions and planning tasks. Every read of a conversation is keyed by its user and
//! organization as well as its id.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

pub struct ConversationRow {
    pub id: Uuid,
    pub title: String,
    pub event_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

pub async fn insert_conversation(
    db: impl PgExecutor<'_>,
    id: Uuid,
    organization_id: Uuid,
    user_id: Uuid,
    title: &str,
    event_id: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO chat_conversations (id, organization_id, user_id, title, event_id) VALUES ($1, $2, $3, $4, $5)",
        id,
        organization_id,
        user_id,
        title,
        event_id,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The person's conversations in the organization, newest first.
pub async fn conversations(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<Vec<ConversationRow>, sqlx::Error> {
    sqlx::query_as!(
        ConversationRow,
        "SELECT id, title, event_id, updated_at FROM chat_conversations
          WHERE organization_id = $1 AND user_id = $2 ORDER BY updated_at DESC, id LIMIT 50",
        organization_id,
        user_id,
    )
    .fetch_all(db)
    .await
}

/// One of the person's conversations; locked when `lock` (one message at a time).
pub async fn conversation(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    sqlx::query_as!(
        ConversationRow,
        "SELECT id, title, event_id, updated_at FROM chat_conversations
          WHERE organization_id = $1 AND user_id = $2 AND id = $3",
        organization_id,
        user_id,
        id,
    )
    .fetch_optional(db)
    .await
}

/// Locks the conversation so two messages of it are applied one after the other.
pub async fn lock_conversation(tx: &mut PgConnection, id: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT event_id FROM chat_conversations WHERE id = $1 FOR NO KEY UPDATE", id)
        .fetch_optional(tx)
        .await
        .map(Option::flatten)
}

pub async fn set_conversation_event(db: impl PgExecutor<'_>, id: Uuid, event_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE chat_conversations SET event_id = $2, updated_at = now() WHERE id = $1", id, event_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_title(db: impl PgExecutor<'_>, id: Uuid, title: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE chat_conversations SET title = $2 WHERE id = $1", id, title).execute(db).await?;
    Ok(())
}

/// Marks the conversation as just used and adds a reply's token usage.
pub async fn touch_conversation(
    db: impl PgExecutor<'_>,
    id: Uuid,
    prompt_tokens: i64,
    completion_tokens: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE chat_conversations SET updated_at = now(), prompt_tokens = prompt_tokens + $2,
                completion_tokens = completion_tokens + $3 WHERE id = $1",
        id,
        prompt_tokens,
        completion_tokens,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub struct NewMessage<'a> {
    pub conversation_id: Uuid,
    pub role: &'a str,
    pub content: &'a str,
    pub tool_calls: Option<serde_json::Value>,
    pub changes: &'a [String],
    pub provider: Option<&'a str>,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
}

pub async fn insert_message(db: impl PgExecutor<'_>, m: &NewMessage<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO chat_messages (conversation_id, role, content, tool_calls, changes, provider, prompt_tokens,
                                    completion_tokens)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        m.conversation_id,
        m.role,
        m.content,
        m.tool_calls,
        serde_json::json!(m.changes),
        m.provider,
        m.prompt_tokens,
        m.completion_tokens,
    )
    .fetch_one(db)
    .await
}

pub struct MessageRow {
    pub id: i64,
    pub role: String,
    pub content: String,
    pub changes: serde_json::Value,
}

/// The conversation's user and assistant messages, oldest first (the last 200).
pub async fn messages(db: impl PgExecutor<'_>, conversation_id: Uuid) -> Result<Vec<MessageRow>, sqlx::Error> {
    let mut rows = sqlx::query_as!(
        MessageRow,
        "SELECT id, role, content, changes FROM chat_messages
          WHERE conversation_id = $1 AND role IN ('user', 'assistant') ORDER BY id DESC LIMIT 200",
        conversation_id,
    )
    .fetch_all(db)
    .await?;
    rows.reverse();
    Ok(rows)
}

/// The wizard's form data; `{}` when the conversation has none yet.
pub async fn wizard_data(db: impl PgExecutor<'_>, conversation_id: Uuid) -> Result<serde_json::Value, sqlx::Error> {
    Ok(sqlx::query_scalar!("SELECT form_data FROM wizard_states WHERE conversation_id = $1", conversation_id)
        .fetch_optional(db)
        .await?
        .unwrap_or_else(|| serde_json::json!({})))
}

pub async fn save_wizard(
    db: impl PgExecutor<'_>,
    conversation_id: Uuid,
    stage: &str,
    form_data: &serde_json::Value,
    completed: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO wizard_states (conversation_id, stage, form_data, completed_stages) VALUES ($1, $2, $3, $4)
         ON CONFLICT (conversation_id) DO UPDATE
            SET stage = $2, form_data = $3, completed_stages = $4, updated_at = now()",
        conversation_id,
        stage,
        form_data,
        completed,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub struct NewAction<'a> {
    pub organization_id: Uuid,
    pub conversation_id: Uuid,
    pub event_id: Option<Uuid>,
    pub performed_by: Uuid,
    pub action: &'a str,
    pub details: &'a serde_json::Value,
}

pub async fn insert_action(db: impl PgExecutor<'_>, a: &NewAction<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO ai_actions (organization_id, conversation_id, event_id, performed_by, action, details)
         VALUES ($1, $2, $3, $4, $5, $6)",
        a.organization_id,
        a.conversation_id,
        a.event_id,
        a.performed_by,
        a.action,
        a.details,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub struct NewPending<'a> {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub conversation_id: Uuid,
    pub event_id: Uuid,
    pub requested_by: Uuid,
    pub kind: &'a str,
    pub arguments: &'a serde_json::Value,
    pub diff: &'a serde_json::Value,
    pub summary: &'a str,
}

/// Stores a proposal that expires in 15 minutes.
pub async fn insert_pending(db: impl PgExecutor<'_>, p: &NewPending<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO ai_pending_actions (id, organization_id, conversation_id, event_id, requested_by, kind,
                                         arguments, after, summary, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + interval '15 minutes')",
        p.id,
        p.organization_id,
        p.conversation_id,
        p.event_id,
        p.requested_by,
        p.kind,
        p.arguments,
        p.diff,
        p.summary,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub struct PendingRow {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub event_id: Uuid,
    pub kind: String,
    pub arguments: serde_json::Value,
    /// The diff shown on the card, as `[[what, before, after], …]`.
    pub after: serde_json::Value,
    pub summary: String,
    pub status: String,
    pub expired: bool,
    pub outcome: Option<String>,
}

pub async fn pending_of(db: impl PgExecutor<'_>, conversation_id: Uuid) -> Result<Vec<PendingRow>, sqlx::Error> {
    sqlx::query_as!(
        PendingRow,
        r#"SELECT id, conversation_id, event_id, kind, arguments, after, summary, status,
                  expires_at <= now() AS "expired!", outcome
             FROM ai_pending_actions WHERE conversation_id = $1 ORDER BY created_at, id"#,
        conversation_id,
    )
    .fetch_all(db)
    .await
}

/// Locks a pending action of the organization requested by this person.
pub async fn lock_pending(
    tx: &mut PgConnection,
    organization_id: Uuid,
    requested_by: Uuid,
    id: Uuid,
) -> Result<Option<PendingRow>, sqlx::Error> {
    sqlx::query_as!(
        PendingRow,
        r#"SELECT id, conversation_id, event_id, kind, arguments, after, summary, status,
                  expires_at <= now() AS "expired!", outcome
             FROM ai_pending_actions WHERE id = $1 AND organization_id = $2 AND requested_by = $3
              FOR NO KEY UPDATE"#,
        id,
        organization_id,
        requested_by,
    )
    .fetch_optional(tx)
    .await
}

/// Records the decision on a pending action (only while it is pending).
pub async fn decide_pending(
    db: impl PgExecutor<'_>,
    id: Uuid,
    status: &str,
    decided_by: Uuid,
    outcome: &str,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query!(
        "UPDATE ai_pending_actions SET status = $2, decided_by = $3, decided_at = now(), outcome = $4
          WHERE id = $1 AND status = 'pending'",
        id,
        status,
        decided_by,
        outcome,
    )
    .execute(db)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// A confirmed action that failed afterwards says so.
pub async fn pending_failed(
    db: impl PgExecutor<'_>,
    id: Uuid,
    decided_by: Uuid,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE ai_pending_actions SET status = 'failed', outcome = $3,
                decided_at = coalesce(decided_at, now()), decided_by = coalesce(decided_by, $2)
          WHERE id = $1",
        id,
        decided_by,
        outcome,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn task_count(db: impl PgExecutor<'_>, event_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM ai_tasks WHERE event_id = $1"#, event_id)
        .fetch_one(db)
        .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_task(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    event_id: Uuid,
    title: &str,
    category: &str,
    priority: &str,
    due_on: NaiveDate,
    position: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO ai_tasks (id, organization_id, event_id, title, category, priority, due_on, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        Uuid::new_v4(),
        organization_id,
        event_id,
        title,
        category,
        priority,
        due_on,
        position,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub struct TaskRow {
    pub id: Uuid,
    pub title: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub due_on: Option<NaiveDate>,
    pub assignee_id: Option<Uuid>,
    pub assignee: Option<String>,
}

/// The event's tasks in board order: by due day, then as generated.
pub async fn tasks(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    event_id: Uuid,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as!(
        TaskRow,
        r#"SELECT t.id, t.title, t.category, t.priority, t.status, t.due_on, t.assignee_id,
                  u.full_name AS "assignee?"
             FROM ai_tasks t LEFT JOIN users u ON u.id = t.assignee_id
            WHERE t.organization_id = $1 AND t.event_id = $2
            ORDER BY t.due_on NULLS LAST, t.position, t.id"#,
        organization_id,
        event_id,
    )
    .fetch_all(db)
    .await
}

/// Edits a task of the organization; the assignee must be one of its members. Returns
/// whether a task was changed.
pub async fn update_task(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    id: Uuid,
    title: &str,
    status: &str,
    assignee_id: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query!(
        "UPDATE ai_tasks SET title = $3, status = $4, assignee_id = $5, updated_at = now()
          WHERE id = $1 AND organization_id = $2
            AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM organization_members m
                                              WHERE m.organization_id = $2 AND m.user_id = $5))",
        id,
        organization_id,
        title,
        status,
        assignee_id,
    )
    .execute(db)
    .await?;
    Ok(changed.rows_affected() == 1)
}
