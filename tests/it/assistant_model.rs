//! The assistant with a model behind an OpenAI-compatible API, here a local stand-in
//! scripted with what models answer: tool calls, streamed pieces, malformed JSON, a busy
//! API, silence, an attempt to confirm through an argument, a date read differently.

use crate::shop::organizer;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use eventos::assistant::ConversationView;
use eventos::assistant::service::{self, Assistant};
use eventos::organizations::access::OrganizationScope;
use eventos::platform::config::AiConfig;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// One scripted answer of the stand-in model.
#[derive(Clone)]
enum Answer {
    Json(Value),
    /// Server-sent events, each a `data:` line.
    Stream(Vec<Value>),
    Status(u16),
    /// Says nothing for this long.
    Silence(Duration),
    /// The body in these pieces, each sent on its own, cut anywhere (even inside a character).
    Pieces(Vec<Vec<u8>>),
    /// Server-sent events: the first ones at once, the rest when the gate opens.
    Paced(Vec<Value>, Arc<tokio::sync::Notify>, Vec<Value>),
}

struct FakeModel {
    base_url: String,
    requests: Arc<Mutex<Vec<Value>>>,
}

impl FakeModel {
    async fn start(script: Vec<Answer>) -> Self {
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let requests: Arc<Mutex<Vec<Value>>> = Arc::default();
        let seen = requests.clone();
        let handler = move |body: String| {
            let (script, seen) = (script.clone(), seen.clone());
            async move {
                seen.lock().unwrap().push(serde_json::from_str(&body).unwrap_or(Value::Null));
                let next = script.lock().unwrap().pop_front().unwrap_or(Answer::Status(500));
                answer(next).await
            }
        };
        let app = Router::new().route("/v1/chat/completions", post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeModel { base_url, requests }
    }

    fn assistant(&self) -> Assistant {
        Assistant::Model {
            http: reqwest::Client::new(),
            config: AiConfig {
                base_url: self.base_url.clone(),
                api_key: Some("test-key".into()),
                model: "fake-model".into(),
                timeout: Duration::from_millis(800),
            },
        }
    }

    fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

async fn answer(answer: Answer) -> Response {
    match answer {
        Answer::Json(body) => (StatusCode::OK, axum::Json(body)).into_response(),
        Answer::Stream(events) => {
            let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
            body.push_str("data: [DONE]\n\n");
            (StatusCode::OK, [("content-type", "text/event-stream")], body).into_response()
        }
        Answer::Status(code) => (StatusCode::from_u16(code).unwrap(), "busy").into_response(),
        Answer::Pieces(pieces) => {
            let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Result<Vec<u8>, std::io::Error>>();
            tokio::spawn(async move {
                for piece in pieces {
                    let _ = sender.send(Ok(piece));
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
            });
            let body = axum::body::Body::from_stream(futures::stream::poll_fn(move |cx| receiver.poll_recv(cx)));
            (StatusCode::OK, [("content-type", "text/event-stream")], body).into_response()
        }
        Answer::Paced(first, gate, rest) => {
            let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Result<String, std::io::Error>>();
            tokio::spawn(async move {
                for event in first {
                    let _ = sender.send(Ok(format!("data: {event}\n\n")));
                }
                gate.notified().await;
                for event in rest {
                    let _ = sender.send(Ok(format!("data: {event}\n\n")));
                }
                let _ = sender.send(Ok("data: [DONE]\n\n".into()));
            });
            let body = axum::body::Body::from_stream(futures::stream::poll_fn(move |cx| receiver.poll_recv(cx)));
            (StatusCode::OK, [("content-type", "text/event-stream")], body).into_response()
        }
        Answer::Silence(wait) => {
            tokio::time::sleep(wait).await;
            (StatusCode::OK, axum::Json(json!({}))).into_response()
        }
    }
}

fn call(name: &str, arguments: &str) -> Value {
    json!({ "id": format!("call_{name}"), "type": "function", "function": { "name": name, "arguments": arguments } })
}

/// A chat completion with these tool calls and words.
fn completion(calls: Vec<Value>, text: &str) -> Answer {
    Answer::Json(json!({
        "choices": [{ "message": { "role": "assistant", "content": text, "tool_calls": calls } }],
        "usage": { "prompt_tokens": 420, "completion_tokens": 37 }
    }))
}

const SUMMIT: &str = "Create a conference called Toronto AI Summit on March 12, 2030, 9am–5pm for 500 people, \
                      general admission $299, VIP $599";

fn summit_calls() -> Vec<Value> {
    vec![
        call(
            "create_event_draft",
            r#"{"name":"Toronto AI Summit","event_type":"conference","start_local":"2030-03-12T09:00","end_local":"2030-03-12T17:00","capacity":500}"#,
        ),
        call("add_tier", r#"{"name":"General Admission","price_cents":29900}"#),
        call("add_tier", r#"{"name":"VIP","price_cents":59900}"#),
    ]
}

async fn conversation(pool: &PgPool) -> (OrganizationScope, Uuid) {
    let scope = organizer(pool, "olivia@example.com").await;
    let id = service::start(pool, &scope, None).await.unwrap();
    (scope, id)
}

fn last_reply(view: &ConversationView) -> &str {
    &view.messages.last().unwrap().content
}

async fn events_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(pool).await.unwrap()
}

#[sqlx::test]
async fn the_models_tool_calls_build_the_draft_through_the_same_code_and_its_tokens_are_counted(pool: PgPool) {
    let model = FakeModel::start(vec![completion(summit_calls(), "Your draft is ready.")]).await;
    let (scope, id) = conversation(&pool).await;

    let view = service::send_with(&pool, &model.assistant(), &scope, id, SUMMIT).await.unwrap();

    assert!(view.preview.event_id.is_some());
    assert_eq!(view.preview.tiers.len(), 2);
    assert!(view.messages.last().unwrap().changes.contains(&"Added tier VIP — $599.00 CAD".to_string()));
    assert!(last_reply(&view).ends_with("Your draft is ready."));
    let (prompt, completion): (i64, i64) =
        sqlx::query_as("SELECT prompt_tokens, completion_tokens FROM chat_conversations WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((prompt, completion), (420, 37));
    let request = model.requests.lock().unwrap()[0].clone();
    assert_eq!(request["model"], "fake-model");
    assert_eq!(request["tools"].as_array().unwrap().len(), 12);
    let system = request["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("(UTC-05:00)") || system.contains("(UTC-04:00)"),
        "the organizer's time with its offset: {system}"
    );
}

#[sqlx::test]
async fn streamed_pieces_are_joined_before_anything_is_applied(pool: PgPool) {
    let delta = |d: Value| json!({ "choices": [{ "delta": d }] });
    let model = FakeModel::start(vec![Answer::Stream(vec![
        delta(json!({ "content": "Setting " })),
        delta(json!({ "tool_calls": [{ "index": 0, "function": { "name": "create_event_draft", "arguments": "{\"name\":\"Toronto AI Summit\"," } }] })),
        delta(json!({ "tool_calls": [{ "index": 0, "function": { "arguments": "\"start_local\":\"2030-03-12T09:00\",\"end_local\":\"2030-03-12T17:00\",\"capacity\":500}" } }] })),
        delta(json!({ "tool_calls": [{ "index": 1, "function": { "name": "add_tier", "arguments": "{\"name\":\"VIP\",\"price_cents\":59900}" } }] })),
        delta(json!({ "content": "it up." })),
        json!({ "choices": [], "usage": { "prompt_tokens": 100, "completion_tokens": 20 } }),
    ])])
    .await;
    let (scope, id) = conversation(&pool).await;

    let view = service::send_with(&pool, &model.assistant(), &scope, id, SUMMIT).await.unwrap();

    assert_eq!(view.preview.capacity, Some(500));
    assert_eq!(view.preview.tiers.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["VIP"]);
    assert!(last_reply(&view).ends_with("Setting it up."));
}

#[sqlx::test]
async fn malformed_unknown_foreign_or_self_confirming_calls_are_refused_and_change_nothing(pool: PgPool) {
    let model = FakeModel::start(vec![
        completion(vec![call("create_event_draft", r#"{"name": "Toronto AI Summit", "capacity": 5"#)], ""),
        completion(vec![call("drop_all_events", "{}")], ""),
        completion(
            vec![call("update_event", r#"{"event_id": "00000000-0000-0000-0000-000000000001", "capacity": 9}"#)],
            "",
        ),
        completion(vec![call("propose_publish", r#"{"confirmed": true}"#)], ""),
        completion(vec![call("add_tier", r#"{"name": "VIP", "price_cents": -100}"#)], ""),
    ])
    .await;
    let (scope, id) = conversation(&pool).await;
    let mut replies = Vec::new();
    for _ in 0..5 {
        let view = service::send_with(&pool, &model.assistant(), &scope, id, "Create the summit").await.unwrap();
        replies.push(last_reply(&view).to_string());
    }
    assert!(replies[0].contains("not valid JSON"), "{}", replies[0]);
    assert!(replies[1].contains("does not exist"), "{}", replies[1]);
    assert!(replies[2].contains("unknown field"), "another event cannot be named: {}", replies[2]);
    assert!(replies[3].contains("unknown field"), "no argument confirms anything: {}", replies[3]);
    assert!(replies[4].contains("price"), "{}", replies[4]);
    assert!(replies.iter().all(|r| r.contains("Nothing was changed")));
    assert_eq!(events_count(&pool).await, 0);
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM ai_pending_actions").fetch_one(&pool).await.unwrap();
    assert_eq!(pending, 0);
}

#[sqlx::test]
async fn a_busy_model_is_asked_again_and_its_answer_is_used(pool: PgPool) {
    let model = FakeModel::start(vec![Answer::Status(429), completion(summit_calls(), "")]).await;
    let (scope, id) = conversation(&pool).await;

    let view = service::send_with(&pool, &model.assistant(), &scope, id, SUMMIT).await.unwrap();

    assert_eq!(model.request_count(), 2);
    assert!(view.preview.event_id.is_some());
}

#[sqlx::test]
async fn a_model_that_does_not_answer_in_time_leaves_the_message_to_the_builtin_assistant(pool: PgPool) {
    let silent = Answer::Silence(Duration::from_secs(3));
    let model = FakeModel::start(vec![silent.clone(), silent.clone(), silent]).await;
    let (scope, id) = conversation(&pool).await;

    let view = service::send_with(&pool, &model.assistant(), &scope, id, SUMMIT).await.unwrap();

    assert_eq!(model.request_count(), 3, "asked three times before giving up");
    assert_eq!(view.preview.name.as_deref(), Some("Toronto AI Summit"), "the built-in assistant read it");
    let provider: String = sqlx::query_scalar(
        "SELECT provider FROM chat_messages WHERE conversation_id = $1 AND role = 'assistant' ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(provider, "builtin");
}

#[sqlx::test]
async fn a_date_the_model_reads_differently_from_the_parser_is_asked_about_not_applied(pool: PgPool) {
    let calls = vec![call(
        "create_event_draft",
        r#"{"name":"Toronto AI Summit","start_local":"2030-03-13T09:00","end_local":"2030-03-13T17:00","capacity":500}"#,
    )];
    let model = FakeModel::start(vec![completion(calls, "")]).await;
    let (scope, id) = conversation(&pool).await;

    let view = service::send_with(&pool, &model.assistant(), &scope, id, SUMMIT).await.unwrap();

    assert_eq!(last_reply(&view), "Just to be sure: is it on Tuesday, March 12, 2030 or on Wednesday, March 13, 2030?");
    assert_eq!(events_count(&pool).await, 0);
    assert!(view.preview.name.is_none());
}

/// The application with the stand-in model configured, an organizer's cookie and a conversation.
async fn streaming_app(pool: &PgPool, model: &FakeModel) -> (axum::Router, String, Uuid) {
    let (app, _) = crate::common::app_with(
        pool.clone(),
        &[("EVENTOS_AI_BASE_URL", &model.base_url), ("EVENTOS_AI_MODEL", "fake-model")],
    )
    .await;
    let cookie = crate::common::sign_up(&app, pool, "olivia@example.com", Some("Olivia Events")).await;
    crate::common::call(&app, "start_conversation", &[], Some(&cookie)).await;
    let id = sqlx::query_scalar("SELECT id FROM chat_conversations").fetch_one(pool).await.unwrap();
    (app, cookie, id)
}

/// Posts a message to the streaming endpoint the way the page does, asking for compression.
async fn stream_request(app: &axum::Router, cookie: &str, id: Uuid, message: &str) -> axum::response::Response {
    use axum::http::{Request, header};
    let body = serde_urlencoded::to_string([("id", id.to_string().as_str()), ("message", message)]).unwrap();
    let request = Request::post("/api/stream_assistant_reply")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .header(header::COOKIE, cookie)
        .body(axum::body::Body::from(body))
        .unwrap();
    tower::ServiceExt::oneshot(app.clone(), request).await.unwrap()
}

/// Reads the stream until `until` holds of the events read so far (or it ends).
async fn read_events(
    body: &mut axum::body::BodyDataStream,
    lines: &mut eventos::assistant::stream::Lines,
    events: &mut Vec<eventos::assistant::stream::ReplyEvent>,
    until: impl Fn(&[eventos::assistant::stream::ReplyEvent]) -> bool,
) {
    use futures::StreamExt;
    while !until(events) {
        let next = tokio::time::timeout(Duration::from_secs(5), body.next()).await.expect("the stream goes on");
        let Some(chunk) = next else { return };
        events.extend(lines.push(std::str::from_utf8(&chunk.unwrap()).expect("every chunk is whole text")));
    }
}

fn paced_summit(gate: &Arc<tokio::sync::Notify>) -> Answer {
    let delta = |d: Value| json!({ "choices": [{ "delta": d }] });
    Answer::Paced(
        vec![delta(json!({ "content": "Setting up " }))],
        gate.clone(),
        vec![
            delta(json!({ "content": "your summit." })),
            delta(json!({ "tool_calls": [{ "index": 0, "function": { "name": "create_event_draft", "arguments":
                "{\"name\":\"Toronto AI Summit\",\"start_local\":\"2030-03-12T09:00\",\"end_local\":\"2030-03-12T17:00\",\"capacity\":500}" } }] })),
        ],
    )
}

#[sqlx::test]
async fn the_reply_reaches_the_page_while_the_model_is_still_writing_and_is_saved_whole(pool: PgPool) {
    use eventos::assistant::stream::{Lines, ReplyEvent};
    let gate = Arc::new(tokio::sync::Notify::new());
    let model = FakeModel::start(vec![paced_summit(&gate)]).await;
    let (app, cookie, id) = streaming_app(&pool, &model).await;

    let response = stream_request(&app, &cookie, id, SUMMIT).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers().get("content-encoding"), None, "an encoder would hold the pieces back");
    let mut body = response.into_body().into_data_stream();
    let (mut lines, mut events) = (Lines::default(), Vec::new());
    read_events(&mut body, &mut lines, &mut events, |e| e.iter().any(|e| matches!(e, ReplyEvent::Text { .. }))).await;

    assert_eq!(events, [ReplyEvent::Typing, ReplyEvent::Text { text: "Setting up ".into() }]);
    assert_eq!(events_count(&pool).await, 0, "the first words arrive before the model has finished");
    gate.notify_one();
    read_events(&mut body, &mut lines, &mut events, |_| false).await;
    assert_eq!(events[2], ReplyEvent::Text { text: "your summit.".into() });
    assert_eq!(events.last(), Some(&ReplyEvent::Done));
    assert_eq!(events_count(&pool).await, 1);
    let saved: String =
        sqlx::query_scalar("SELECT content FROM chat_messages WHERE conversation_id = $1 AND role = 'assistant'")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(saved.ends_with("Setting up your summit."), "{saved}");
}

#[sqlx::test]
async fn a_reply_is_produced_and_saved_even_when_the_page_leaves_mid_stream(pool: PgPool) {
    use eventos::assistant::stream::{Lines, ReplyEvent};
    let gate = Arc::new(tokio::sync::Notify::new());
    let model = FakeModel::start(vec![paced_summit(&gate)]).await;
    let (app, cookie, id) = streaming_app(&pool, &model).await;

    let response = stream_request(&app, &cookie, id, SUMMIT).await;
    let mut body = response.into_body().into_data_stream();
    let (mut lines, mut events) = (Lines::default(), Vec::new());
    read_events(&mut body, &mut lines, &mut events, |e| e.iter().any(|e| matches!(e, ReplyEvent::Text { .. }))).await;
    drop(body);
    gate.notify_one();

    let mut replies = 0i64;
    for _ in 0..50 {
        replies =
            sqlx::query_scalar("SELECT count(*) FROM chat_messages WHERE conversation_id = $1 AND role = 'assistant'")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        if replies == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(replies, 1);
    assert_eq!(events_count(&pool).await, 1);
}

#[sqlx::test]
async fn a_refused_message_is_an_error_before_any_stream_and_saves_nothing(pool: PgPool) {
    let model = FakeModel::start(vec![]).await;
    let (app, cookie, id) = streaming_app(&pool, &model).await;

    let empty = stream_request(&app, &cookie, id, "   ").await;
    let stranger = stream_request(&app, &cookie, Uuid::new_v4(), SUMMIT).await;

    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
    let messages: i64 = sqlx::query_scalar("SELECT count(*) FROM chat_messages").fetch_one(&pool).await.unwrap();
    assert_eq!(messages, 0);
    assert_eq!(model.request_count(), 0);
}

#[sqlx::test]
async fn a_character_cut_between_two_pieces_of_the_stream_arrives_whole(pool: PgPool) {
    let delta = |d: Value| format!("data: {}\n\n", json!({ "choices": [{ "delta": d }] }));
    let arguments = r#"{"name":"Café Crème Summit","start_local":"2030-03-12T09:00","end_local":"2030-03-12T17:00","capacity":500}"#;
    let body = delta(json!({ "content": "Voilà — " }))
        + &delta(
            json!({ "tool_calls": [{ "index": 0, "function": { "name": "create_event_draft", "arguments": arguments } }] }),
        )
        + "data: [DONE]\n\n";
    // Cut inside "à" and inside "é": two bytes each, one on each side of a cut.
    let bytes = body.into_bytes();
    let cut_a = bytes.windows(2).position(|w| w == "à".as_bytes()).unwrap() + 1;
    let cut_e = bytes.windows(2).position(|w| w == "é".as_bytes()).unwrap() + 1;
    let pieces = vec![bytes[..cut_a].to_vec(), bytes[cut_a..cut_e].to_vec(), bytes[cut_e..].to_vec()];
    let model = FakeModel::start(vec![Answer::Pieces(pieces)]).await;
    let (scope, id) = conversation(&pool).await;

    let view = service::send_with(&pool, &model.assistant(), &scope, id, "Create the Café Crème Summit").await.unwrap();

    assert_eq!(view.preview.name.as_deref(), Some("Café Crème Summit"));
    assert!(last_reply(&view).contains("Voilà —"), "{}", last_reply(&view));
    assert!(!last_reply(&view).contains('\u{FFFD}'));
}
