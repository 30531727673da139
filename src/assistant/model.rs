//! The configured model: any OpenAI-compatible chat-completions API with tool calling
//! (hosted models, llama.cpp, Ollama, vLLM). It is asked with the conversation, the draft
//! and the tools; it answers with tool calls read into the same `ToolCall`s the built-in
//! assistant makes. Replies are streamed (server-sent events), with a plain JSON answer
//! accepted too; 429 and 5xx are retried with backoff. The model never writes anything:
//! its calls go through `apply` like every other.

use crate::assistant::stream::{Progress, ReplyEvent};
use crate::assistant::tools::{TOOL_NAMES, ToolCall};
use crate::platform::config::AiConfig;
use serde_json::{Value, json};
use std::time::Duration;

/// What the model answered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelReply {
    /// Each call read, or why it was refused.
    pub calls: Vec<Result<ToolCall, String>>,
    /// The calls as the model sent them (name, arguments), for the record.
    pub raw_calls: Vec<(String, String)>,
    pub text: String,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
}

/// Why the model gave no answer: the built-in assistant answers instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

const ATTEMPTS: u32 = 3;

/// Asks the model, retrying a busy or failing API twice (after 0.5 s and 1 s, or its
/// Retry-After up to 5 s). Its words go to `progress` as they arrive.
pub async fn ask(
    http: &reqwest::Client,
    config: &AiConfig,
    messages: Vec<Value>,
    progress: &Progress,
) -> Result<ModelReply, Unavailable> {
    let body = json!({
        "model": config.model,
        "messages": messages,
        "tools": tool_schemas(),
        "tool_choice": "auto",
        "stream": true,
        "stream_options": { "include_usage": true },
        "temperature": 0,
    });
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            progress.say(ReplyEvent::Restart);
            tokio::time::sleep(backoff(attempt, &last)).await;
        }
        let mut request =
            http.post(format!("{}/chat/completions", config.base_url)).timeout(config.timeout).json(&body);
        if let Some(key) = &config.api_key {
            request = request.bearer_auth(key);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                last = format!("the model could not be reached: {error}");
                tracing::warn!(attempt, %error, "the assistant's model could not be reached");
                continue;
            }
        };
        let status = response.status();
        if status.as_u16() == 429 || status.is_server_error() {
            let retry_after =
                response.headers().get("retry-after").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            last = format!("retry-after:{retry_after}");
            tracing::warn!(attempt, status = status.as_u16(), "the assistant's model is busy or failing");
            continue;
        }
        if !status.is_success() {
            tracing::error!(status = status.as_u16(), "the assistant's model refused the request");
            return Err(Unavailable(format!("the model answered {status}")));
        }
        let streamed = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let read = if streamed {
            read_stream(response, config.timeout, progress).await
        } else {
            read_json(response, progress).await
        };
        match read {
            Ok(reply) => return Ok(reply),
            Err(reason) => {
                tracing::warn!(attempt, %reason, "the assistant's model answer was cut short");
                last = reason;
            }
        }
    }
    Err(Unavailable(if last.starts_with("retry-after:") { "the model stayed busy".into() } else { last }))
}

fn backoff(attempt: u32, last: &str) -> Duration {
    let asked = last.strip_prefix("retry-after:").and_then(|s| s.trim().parse::<u64>().ok());
    match asked {
        Some(seconds) => Duration::from_secs(seconds.min(5)),
        None => Duration::from_millis(500 * u64::from(attempt)),
    }
}

/// One tool call as it arrives, its arguments possibly in pieces.
#[derive(Default)]
struct PartialCall {
    name: String,
    arguments: String,
}

/// Reads `data: {...}` events until `data: [DONE]`, joining content and tool-call pieces.
async fn read_stream(
    mut response: reqwest::Response,
    timeout: Duration,
    progress: &Progress,
) -> Result<ModelReply, String> {
    // Bytes until a line is whole: a character may be split between two chunks.
    let mut buffer: Vec<u8> = Vec::new();
    let mut text = String::new();
    let mut calls: Vec<PartialCall> = Vec::new();
    let mut usage = (0, 0);
    loop {
        let chunk = tokio::time::timeout(timeout, response.chunk())
            .await
            .map_err(|_| "the model stopped answering".to_string())?
            .map_err(|e| format!("the model's answer broke off: {e}"))?;
        let Some(chunk) = chunk else { break };
        buffer.extend_from_slice(&chunk);
        while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
            let bytes: Vec<u8> = buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&bytes).trim().to_owned();
            let Some(data) = line.strip_prefix("data:").map(str::trim) else { continue };
            if data == "[DONE]" {
                return Ok(finish(text, calls, usage));
            }
            let Ok(event) = serde_json::from_str::<Value>(data) else { continue };
            if let Some(u) = event.get("usage").filter(|u| !u.is_null()) {
                usage = tokens(u);
            }
            let Some(delta) = event.pointer("/choices/0/delta") else { continue };
            if let Some(piece) = delta.get("content").and_then(Value::as_str).filter(|p| !p.is_empty()) {
                text.push_str(piece);
                progress.say(ReplyEvent::Text { text: piece.to_owned() });
            }
            for piece in delta.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
                let index = piece.get("index").and_then(Value::as_u64).unwrap_or(calls.len() as u64) as usize;
                if index >= 32 {
                    continue;
                }
                while calls.len() <= index {
                    calls.push(PartialCall::default());
                }
                if let Some(name) = piece.pointer("/function/name").and_then(Value::as_str) {
                    calls[index].name.push_str(name);
                }
                if let Some(arguments) = piece.pointer("/function/arguments").and_then(Value::as_str) {
                    calls[index].arguments.push_str(arguments);
                }
            }
        }
    }
    Ok(finish(text, calls, usage))
}

async fn read_json(response: reqwest::Response, progress: &Progress) -> Result<ModelReply, String> {
    let answer: Value = response.json().await.map_err(|e| format!("the model's answer is not JSON: {e}"))?;
    let message = answer.pointer("/choices/0/message").cloned().unwrap_or_default();
    let text = message.get("content").and_then(Value::as_str).unwrap_or_default().to_owned();
    if !text.is_empty() {
        progress.say(ReplyEvent::Text { text: text.clone() });
    }
    let calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|call| PartialCall {
            name: call.pointer("/function/name").and_then(Value::as_str).unwrap_or_default().to_owned(),
            arguments: call.pointer("/function/arguments").and_then(Value::as_str).unwrap_or_default().to_owned(),
        })
        .collect();
    Ok(finish(text, calls, answer.get("usage").map(tokens).unwrap_or_default()))
}

fn tokens(usage: &Value) -> (i64, i64) {
    let get = |key: &str| usage.get(key).and_then(Value::as_i64).unwrap_or(0).max(0);
    (get("prompt_tokens"), get("completion_tokens"))
}

fn finish(text: String, calls: Vec<PartialCall>, usage: (i64, i64)) -> ModelReply {
    ModelReply {
        calls: calls.iter().map(|c| ToolCall::from_model(&c.name, &c.arguments)).collect(),
        raw_calls: calls.into_iter().map(|c| (c.name, c.arguments)).collect(),
        text: text.trim().chars().take(4_000).collect(),
        prompt_tokens: usage.0,
        completion_tokens: usage.1,
    }
}

/// The instructions the model works under. The organizer's local time (with its offset) lets
/// it read "next Friday"; the draft tells it what is already known.
pub fn system_prompt(now_local: &str, draft: &Value) -> String {
    format!(
        "You are the event assistant of EventOS, a ticketing platform for corporate event planners. \
         The organizer's current local time is {now_local}. Defaults: time zone America/Toronto, currency CAD.\n\
         The event this conversation is about, as far as it is known (JSON): {draft}\n\
         Rules:\n\
         - Change things only through the tools. You can create and edit draft events and read data; publishing, \
           cancelling and changes to public events are proposals the organizer confirms in the product.\n\
         - Never invent a date, time, time zone, venue, price, currency or capacity. Take them from the organizer's \
           words; when one is missing or could be read two ways (\"next Friday\" late on a Thursday, \"at 8\", \
           \"around 500\", a bare $ for a venue outside Canada), ask one short question that batches everything \
           you need, and make no call for that value.\n\
         - Times are local to the event: YYYY-MM-DDTHH:MM. Prices are in cents (hundredths of the currency unit).\n\
         - Answer briefly in plain text after your tool calls."
    )
}

/// The tools, as JSON Schema for the API.
pub fn tool_schemas() -> Value {
    let event = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "name": { "type": "string", "maxLength": 160 },
            "event_type": { "type": "string", "enum": ["conference", "seminar", "workshop", "networking", "other"] },
            "start_local": { "type": "string", "description": "YYYY-MM-DDTHH:MM, local to the event" },
            "end_local": { "type": "string", "description": "YYYY-MM-DDTHH:MM, local to the event" },
            "date": { "type": "string", "description": "YYYY-MM-DD, when only the day is known or changes" },
            "end_date": { "type": "string" },
            "start_time": { "type": "string", "description": "HH:MM" },
            "end_time": { "type": "string", "description": "HH:MM" },
            "timezone": { "type": "string", "description": "IANA, e.g. America/Toronto" },
            "capacity": { "type": "integer", "minimum": 1 },
            "currency": { "type": "string", "description": "ISO 4217, e.g. CAD" }
        }
    });
    let empty = json!({ "type": "object", "additionalProperties": false, "properties": {} });
    let tier = json!({
        "type": "object", "additionalProperties": false, "required": ["name", "price_cents"],
        "properties": {
            "name": { "type": "string" }, "price_cents": { "type": "integer", "minimum": 0 },
            "capacity": { "type": "integer", "minimum": 1 }
        }
    });
    let schemas: Vec<(&str, &str, Value)> = vec![
        ("create_event_draft", "Start a new draft event from what the organizer said.", event.clone()),
        ("update_event", "Change fields of the conversation's event or draft.", event),
        (
            "find_or_create_venue",
            "Use one of the organization's venues by name or initials, or add it with its street address.",
            json!({ "type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                "name": { "type": "string" }, "address": { "type": "string" }, "city": { "type": "string" } } }),
        ),
        ("add_tier", "Add a ticket tier.", tier),
        (
            "update_tier",
            "Rename a tier or change its price or capacity.",
            json!({ "type": "object", "additionalProperties": false, "required": ["tier"], "properties": {
                "tier": { "type": "string", "description": "the tier's current name" },
                "new_name": { "type": "string" }, "price_cents": { "type": "integer", "minimum": 0 },
                "capacity": { "type": "integer", "minimum": 1 } } }),
        ),
        (
            "deactivate_tier",
            "Take a tier off sale.",
            json!({ "type": "object", "additionalProperties": false, "required": ["tier"], "properties": { "tier": { "type": "string" } } }),
        ),
        ("generate_planning_tasks", "Write the event's planning checklist.", empty.clone()),
        ("draft_description", "Write a first description of the event.", empty.clone()),
        ("summarise_sales", "Summarise the event's sales.", empty.clone()),
        ("list_events", "List the organization's events.", empty.clone()),
        ("propose_publish", "Propose publishing the event (the organizer confirms).", empty),
        (
            "propose_cancel",
            "Propose cancelling the event (the organizer confirms).",
            json!({ "type": "object", "additionalProperties": false, "properties": { "reason": { "type": "string" } } }),
        ),
    ];
    debug_assert_eq!(schemas.len(), TOOL_NAMES.len());
    Value::Array(
        schemas
            .into_iter()
            .map(|(name, description, parameters)| {
                json!({ "type": "function", "function": { "name": name, "description": description, "parameters": parameters } })
            })
            .collect(),
    )
}
