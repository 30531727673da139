-- The AI assistant: conversations and their messages, the draft each conversation builds,
-- every change the assistant applied, the changes that wait for the organizer's click, and
-- planning tasks.

CREATE TABLE chat_conversations (
    id                uuid PRIMARY KEY,
    organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title             text NOT NULL,
    -- The event the conversation is about (created by it, or opened from the event's page).
    event_id          uuid REFERENCES events (id) ON DELETE SET NULL,
    prompt_tokens     bigint NOT NULL DEFAULT 0,
    completion_tokens bigint NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chat_conversations_title_length CHECK (char_length(title) BETWEEN 1 AND 120),
    CONSTRAINT chat_conversations_tokens CHECK (prompt_tokens >= 0 AND completion_tokens >= 0)
);
CREATE INDEX chat_conversations_user_idx ON chat_conversations (user_id, organization_id, updated_at DESC);
CREATE INDEX chat_conversations_event_idx ON chat_conversations (event_id);
CREATE INDEX chat_conversations_organization_idx ON chat_conversations (organization_id);

CREATE TABLE chat_messages (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id   uuid NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    role              text NOT NULL,
    content           text NOT NULL,
    -- The tool calls the assistant made for this message, as applied (or refused).
    tool_calls        jsonb,
    -- What the message changed, in words ("Added tier VIP — $599.00 CAD").
    changes           jsonb NOT NULL DEFAULT '[]',
    -- Which assistant answered: 'builtin' or the configured model's name.
    provider          text,
    prompt_tokens     integer,
    completion_tokens integer,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chat_messages_role_known CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    CONSTRAINT chat_messages_content_length CHECK (char_length(content) <= 8000)
);
CREATE INDEX chat_messages_conversation_idx ON chat_messages (conversation_id, id);

-- Where the conversation's event stands: the stage, what is known before the event exists
-- (form_data), and the stages done.
CREATE TABLE wizard_states (
    conversation_id  uuid PRIMARY KEY REFERENCES chat_conversations (id) ON DELETE CASCADE,
    stage            text NOT NULL DEFAULT 'basics',
    form_data        jsonb NOT NULL DEFAULT '{}',
    completed_stages text[] NOT NULL DEFAULT '{}',
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT wizard_states_stage_known CHECK (stage IN ('basics', 'venue', 'tickets', 'review', 'published'))
);

-- Every change the assistant applied, in the transaction that applied it.
CREATE TABLE ai_actions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    conversation_id uuid REFERENCES chat_conversations (id) ON DELETE SET NULL,
    event_id        uuid REFERENCES events (id) ON DELETE SET NULL,
    performed_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    action          text NOT NULL,
    details         jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ai_actions_conversation_idx ON ai_actions (conversation_id, id);
CREATE INDEX ai_actions_event_idx ON ai_actions (event_id, id);
CREATE INDEX ai_actions_organization_idx ON ai_actions (organization_id, id);

-- A public or irreversible change the assistant proposed. It runs only when the organizer
-- confirms it (status pending → confirmed, once), never after expires_at.
CREATE TABLE ai_pending_actions (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    requested_by    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    arguments       jsonb NOT NULL DEFAULT '{}',
    before          jsonb NOT NULL DEFAULT '{}',
    after           jsonb NOT NULL DEFAULT '{}',
    summary         text NOT NULL,
    status          text NOT NULL DEFAULT 'pending',
    expires_at      timestamptz NOT NULL,
    decided_at      timestamptz,
    decided_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    outcome         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ai_pending_actions_kind_known CHECK (kind IN ('publish', 'cancel', 'change_price', 'change_capacity',
                                                               'edit_event', 'edit_tier')),
    CONSTRAINT ai_pending_actions_status_known CHECK (status IN ('pending', 'confirmed', 'dismissed', 'expired', 'failed')),
    CONSTRAINT ai_pending_actions_decided CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX ai_pending_actions_conversation_idx ON ai_pending_actions (conversation_id, created_at);
CREATE INDEX ai_pending_actions_event_idx ON ai_pending_actions (event_id);
CREATE INDEX ai_pending_actions_organization_idx ON ai_pending_actions (organization_id);

-- An event's planning checklist, generated by the assistant and worked by the team.
CREATE TABLE ai_tasks (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    title           text NOT NULL,
    category        text NOT NULL,
    priority        text NOT NULL DEFAULT 'medium',
    status          text NOT NULL DEFAULT 'pending',
    due_on          date,
    assignee_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    position        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ai_tasks_title_length CHECK (char_length(btrim(title)) BETWEEN 1 AND 200),
    CONSTRAINT ai_tasks_category_known CHECK (category IN ('venue', 'marketing', 'operations', 'catering', 'tech', 'post_event')),
    CONSTRAINT ai_tasks_priority_known CHECK (priority IN ('low', 'medium', 'high')),
    CONSTRAINT ai_tasks_status_known CHECK (status IN ('pending', 'in_progress', 'completed'))
);
CREATE INDEX ai_tasks_event_idx ON ai_tasks (event_id, status, position);
CREATE INDEX ai_tasks_organization_idx ON ai_tasks (organization_id);
CREATE INDEX ai_tasks_assignee_idx ON ai_tasks (assignee_id);
