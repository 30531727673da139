//! `/healthz`: tells a load balancer or an operator whether this instance can serve.

use crate::platform::state::AppState;
use axum::{Json, extract::State, http::StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let probe = sqlx::query_scalar!(r#"SELECT 1 AS "one!""#).fetch_one(&state.pool);
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Ok(_)) => (StatusCode::OK, Json(json!({ "status": "ok", "database": "reachable" }))),
        Ok(Err(error)) => {
            tracing::error!(%error, "health check: database query failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "database": "unreachable" })))
        }
        Err(_) => {
            tracing::error!("health check: database did not answer within 2 s");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "database": "timeout" })))
        }
    }
}
