//! What every response says about how browsers may treat it, and which requests are refused
//! before any handler runs.
//!
//! - A Content-Security-Policy on every page: scripts only from this site and the inline
//!   scripts carrying the response's nonce (the shell's and Leptos' hydration; never
//!   `unsafe-inline`), no framing.
//! - `nosniff`, `X-Frame-Options: DENY`, a referrer policy (`no-referrer` on pages whose URL
//!   is a secret), HSTS when the site is served over HTTPS, and `no-store` on everything
//!   that is not a static file (pages and server functions can carry private data).
//! - Writes (`POST`, …) from another site are refused: a form or script elsewhere cannot act
//!   with a visitor's session. Stripe's webhook is exempt (it is signed, and has no Origin).

use crate::platform::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, VARY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use http::{HeaderValue, Method, StatusCode};

/// The policy for a page whose scripts carry `nonce` (`None`: no inline script may run).
pub fn content_security_policy(nonce: Option<&str>, form_targets: &str) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data: https:; font-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'{form_targets}; \
         frame-ancestors 'none'"
    )
}

/// Other sites a form may lead to: Stripe's checkout, when card payments are on.
pub fn form_targets(state: &AppState) -> String {
    match &state.config.stripe {
        Some(stripe) if stripe.api_base != "https://api.stripe.com" => {
            format!(" https://checkout.stripe.com {}", stripe.api_base)
        }
        Some(_) => " https://checkout.stripe.com".to_owned(),
        None => String::new(),
    }
}

/// Called while Leptos renders a page: the policy names this page's nonce.
pub fn policy_for_page(state: &AppState) {
    use leptos::prelude::use_context;
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(value) = HeaderValue::from_str(&content_security_policy(Some(&nonce), &form_targets(state)))
    {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// Paths whose address is a secret (an order's or a ticket's link, a reset link): never
/// sent on as a referrer, and never written to logs.
fn secret_path(path: &str) -> bool {
    (path.starts_with("/orders/") && path != "/orders/lookup")
        || path.starts_with("/tickets/")
        || path.starts_with("/reset-password/")
        || path.starts_with("/confirm-email/")
}

/// The path as logs may show it: the secret part of a secret link replaced.
pub fn loggable_path(path: &str) -> String {
    if !secret_path(path) {
        return path.to_owned();
    }
    let mut parts: Vec<&str> = path.splitn(4, '/').collect();
    if parts.len() >= 3 {
        parts[2] = "[redacted]";
    }
    parts.join("/")
}

fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path.starts_with("/media/") || path == "/favicon.svg" || path == "/favicon.ico"
}

/// Whether a file name carries cargo-leptos' content hash: `name.<22 base64url chars>.ext`.
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    // Neither the first part (the name) nor the last (the extension) is the hash.
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|part| part.len() == 22 && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}

/// The loader of lazily loaded WASM chunks names the chunks' hashed files, but cargo-leptos
/// can keep its hash when only the chunks changed (cargo-leptos issue 658): a browser must
/// check it on every load, or it would ask for chunks a new build no longer has.
fn is_split_loader(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|name| name.starts_with("__wasm_split"))
}

/// The origin (`scheme://host[:port]`) of a URL.
fn origin_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let end = rest.find('/').map(|i| i + url.len() - rest.len()).unwrap_or(url.len());
    Some(&url[..end])
}

/// Whether a write may go ahead: no `Origin` (not a browser, or a same-origin navigation
/// of an older browser), or the site's own origin.
fn same_site_write(request: &Request, public_url: &str) -> bool {
    if request.uri().path().starts_with("/webhooks/") {
        return true;
    }
    let fetch_site = request.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site == Some("cross-site") {
        return false;
    }
    let Some(origin) = request.headers().get(http::header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    // A page that sends no referrer (the reset page) posts its plain form with `Origin: null`;
    // the browser's own Sec-Fetch-Site still says where it came from.
    if origin == "null" {
        return fetch_site == Some("same-origin");
    }
    let host = request.headers().get(http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let own = origin_of(public_url);
    Some(origin) == own || origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host)
}

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes && !same_site_write(&request, &state.config.public_url) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site write");
        return (StatusCode::FORBIDDEN, "Requests from other sites are not accepted.").into_response();
    }
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let referrer = if secret_path(&path) { "no-referrer" } else { "strict-origin-when-cross-origin" };
    headers.insert(REFERRER_POLICY, HeaderValue::from_static(referrer));
    if state.config.cookie_secure {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if !is_static(&path) {
        // A stream keeps its `no-transform`, which tells the compression layer to let it be.
        let streamed =
            headers.get(CACHE_CONTROL).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("no-transform"));
        let cache = if streamed { "no-store, no-transform" } else { "no-store" };
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    } else if path.starts_with("/pkg/") && (status.is_success() || status == StatusCode::NOT_MODIFIED) {
        // Served precompressed when the browser accepts it; a hashed name never changes.
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        let cache = if is_content_hashed(&path) && !is_split_loader(&path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        // Pages Leptos rendered carry their own policy with the nonce; anything else may
        // run no inline script at all.
        let policy = content_security_policy(None, &form_targets(&state));
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert(CONTENT_SECURITY_POLICY, value);
        }
    }
    response.map(Body::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_hashed_files_are_cached_for_a_year() {
        assert!(is_content_hashed("/pkg/eventos.TdPHL0In_mZm3PsdGQlKKw.wasm"));
        assert!(is_content_hashed("/pkg/eventos.TdPHL0In_mZm3PsdGQlKKw.css"));
        assert!(!is_content_hashed("/pkg/eventos.wasm"));
        assert!(!is_content_hashed("/pkg/eventos.css"));
        assert!(!is_content_hashed("/pkg/TdPHL0In_mZm3PsdGQlKKw.js"));
        assert!(is_split_loader("/pkg/__wasm_split.h4F0g0QpiT5XFYvvrmugWg.js"));
        assert!(!is_split_loader("/pkg/chunk_22.Py_Cu1nAflPNEx24KHyJRw.wasm"));
    }

    #[test]
    fn secret_links_are_redacted_in_logs_and_other_paths_are_not() {
        assert_eq!(loggable_path("/orders/abc123secret"), "/orders/[redacted]");
        assert_eq!(loggable_path("/orders/abc123secret/extra"), "/orders/[redacted]/extra");
        assert_eq!(loggable_path("/tickets/xyz"), "/tickets/[redacted]");
        assert_eq!(loggable_path("/orders/lookup"), "/orders/lookup");
        assert_eq!(loggable_path("/events/summit-1a2b"), "/events/summit-1a2b");
    }

    #[test]
    fn the_page_policy_allows_only_the_nonce_for_inline_scripts() {
        let policy = content_security_policy(Some("n0nce"), "");
        assert!(policy.contains("script-src 'self' 'nonce-n0nce'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(origin_of("http://127.0.0.1:3000/x/y"), Some("http://127.0.0.1:3000"));
        assert_eq!(origin_of("https://tickets.example.com"), Some("https://tickets.example.com"));
    }
}
