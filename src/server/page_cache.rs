//! Public pages rendered once a second, not once a visitor. During a rush thousands of
//! anonymous visitors ask for the same event page; rendering it is most of what the server
//! spends on them (measured with `perf`: Leptos' render and its allocations, not the
//! database). A page rendered for a visitor without a session is kept for [`FRESH_FOR`] and
//! served again to other such visitors, each with a fresh CSP nonce, so what the page shows
//! is at most that much older than the data it was rendered from. Checkout never reads it.

use crate::platform::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use std::time::Duration;

/// How long a rendered page is served again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// Pages larger than this are sent but not kept (ours weigh 10-30 KB).
const MAX_PAGE_BYTES: usize = 256 * 1024;

/// A rendered page as it left Leptos: the headers it set and its body.
#[derive(Clone)]
struct Rendered {
    headers: HeaderMap,
    body: String,
    /// The nonce its scripts and its policy carry, replaced for every visitor.
    nonce: String,
}

/// Public pages whose HTML is the same for every visitor without a session.
fn is_shared_page(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    // `/events/{slug}`, not the checkout or the calendar file below it.
    path.strip_prefix("/events/").is_some_and(|slug| !slug.is_empty() && !slug.contains('/'))
}

/// Whether the request carries a session id, as the sessions layer read it from the cookie
/// (any other reading could disagree with it about a cookie it accepts). Without that layer
/// nothing is shared.
fn has_session(request: &Request) -> bool {
    request.extensions().get::<tower_sessions::Session>().is_none_or(|session| session.id().is_some())
}

/// The nonce a page's policy names; a short one could also match other text in the page.
fn nonce_in(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    (len >= 16).then(|| &policy[start..start + len])
}

pub async fn serve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // A query string (a search, a tracking tag) or an escaped path is rendered each time:
    // keys a script could vary at will would only push the pages everyone reads out of the
    // cache.
    let uri = request.uri();
    if request.method() != Method::GET
        || uri.query().is_some()
        || uri.path().contains('%')
        || !is_shared_page(uri.path())
        || has_session(&request)
    {
        return next.run(request).await;
    }
    let key = format!("page {}", uri.path());
    let rendered = state.recent.get_or_load(key, FRESH_FOR, || render(request, next)).await;
    match rendered {
        Ok(page) => with_fresh_nonce(page),
        Err(response) => response,
    }
}

/// Renders the page; `Err` carries a response that must not be shared (an error, a cookie,
/// anything but HTML), which is returned as it is.
async fn render(request: Request, next: Next) -> Result<Rendered, Response> {
    let response = next.run(request).await;
    let shareable = response.status() == StatusCode::OK
        && !response.headers().contains_key(SET_COOKIE)
        && response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/html"));
    let nonce = response
        .headers()
        .get(CONTENT_SECURITY_POLICY)
        .and_then(|value| value.to_str().ok())
        .and_then(nonce_in)
        .map(str::to_owned);
    let (Some(nonce), true) = (nonce, shareable) else {
        return Err(response);
    };
    let (mut parts, body) = response.into_parts();
    // The body is sent again with another nonce, which may change its length.
    parts.headers.remove(CONTENT_LENGTH);
    // Our own render, not the visitor's upload: read whole, however long.
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "reading a rendered page failed");
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    };
    // Pages are UTF-8 HTML; anything else, or too big to keep, is sent as it came.
    let body = match String::from_utf8(body.into()) {
        Ok(body) if body.len() <= MAX_PAGE_BYTES => body,
        Ok(body) => return Err(Response::from_parts(parts, Body::from(body))),
        Err(error) => return Err(Response::from_parts(parts, Body::from(error.into_bytes()))),
    };
    Ok(Rendered { headers: parts.headers, body, nonce })
}

/// The page with every occurrence of its nonce replaced by a new one: a nonce an earlier
/// visitor has seen must not let a script run for the next.
fn with_fresh_nonce(page: Rendered) -> Response {
    let nonce = crate::platform::secrets::random_token(16);
    let mut response = Response::new(Body::from(page.body.replace(&page.nonce, &nonce)));
    *response.headers_mut() = page.headers;
    if let Some(policy) = response.headers().get(CONTENT_SECURITY_POLICY).and_then(|value| value.to_str().ok())
        && let Ok(value) = HeaderValue::from_str(&policy.replace(&page.nonce, &nonce))
    {
        response.headers_mut().insert(CONTENT_SECURITY_POLICY, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_home_page_and_event_pages_are_shared() {
        assert!(is_shared_page("/"));
        assert!(is_shared_page("/events/summit-1a2b"));
        assert!(!is_shared_page("/events/summit-1a2b/checkout"));
        assert!(!is_shared_page("/events/"));
        assert!(!is_shared_page("/dashboard"));
        assert!(!is_shared_page("/orders/secret"));
    }

    #[tokio::test]
    async fn every_occurrence_of_the_nonce_is_replaced_and_nothing_else() {
        let old = "n0nce-n0nce-n0nce-1";
        let mut headers = HeaderMap::new();
        headers
            .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("script-src 'self' 'nonce-n0nce-n0nce-n0nce-1'"));
        let body = format!("<script nonce=\"{old}\">x</script><p>n0nce</p><script nonce=\"{old}\">");
        let response = with_fresh_nonce(Rendered { headers, body, nonce: old.to_owned() });
        let policy = response.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        let fresh = nonce_in(&policy).expect("the policy names a nonce");
        assert_ne!(fresh, old);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert_eq!(body, format!("<script nonce=\"{fresh}\">x</script><p>n0nce</p><script nonce=\"{fresh}\">"));
        assert_eq!(
            nonce_in("script-src 'self' 'nonce-abcdefghijklmnop12' 'wasm-unsafe-eval'"),
            Some("abcdefghijklmnop12")
        );
        assert_eq!(nonce_in("script-src 'self' 'nonce-short'"), None, "a short nonce could match other text");
    }
}
