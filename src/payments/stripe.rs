//! Stripe Checkout over its HTTPS API, and verification of its webhooks.

use crate::platform::config::StripeConfig;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// Webhooks older or newer than this are refused, so a captured one cannot be replayed later.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

#[derive(Clone)]
pub struct Stripe {
    client: reqwest::Client,
    config: StripeConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    #[error("Stripe could not be reached: {0}")]
    Unreachable(String),
    #[error("Stripe refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
}

/// What the order page needs to send the buyer to Stripe.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
}

/// How a Checkout Session ended when we closed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionClosed {
    /// Nobody can pay through it any more.
    Expired,
    /// The buyer paid before it could be closed.
    Paid,
}

#[derive(Debug, Deserialize)]
struct SessionStatus {
    status: Option<String>,
}

/// One Checkout payment to ask for.
pub struct CheckoutRequest<'a> {
    pub order_id: String,
    pub order_number: &'a str,
    pub description: String,
    pub currency: &'a str,
    pub amount_cents: i64,
    pub buyer_email: &'a str,
    pub success_url: String,
    pub cancel_url: String,
    /// Seconds since the epoch; Stripe wants 30 minutes to 24 hours ahead.
    pub expires_at: i64,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    message: String,
}

/// A webhook event, reduced to what EventOS acts on.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: WebhookData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WebhookData {
    pub object: StripeObject,
}

/// The object an event is about: a Checkout Session, a Charge or a Dispute. Each kind
/// fills the fields it has.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StripeObject {
    pub id: String,
    /// Session: `paid` once the money is in.
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// Session: what the buyer paid.
    #[serde(default)]
    pub amount_total: Option<i64>,
    /// Charge: what was charged; Dispute: what is disputed.
    #[serde(default)]
    pub amount: Option<i64>,
    /// Charge: everything refunded so far, wherever it was refunded.
    #[serde(default)]
    pub amount_refunded: Option<i64>,
    /// Lower-case ISO 4217, as Stripe writes it.
    #[serde(default)]
    pub currency: Option<String>,
    /// Session: the order id EventOS gave it.
    #[serde(default)]
    pub client_reference_id: Option<String>,
    /// Dispute: why the card holder disputes it.
    #[serde(default)]
    pub reason: Option<String>,
    /// Dispute: `won`, `lost`, `warning_closed`, … once closed.
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("missing or malformed Stripe-Signature header")]
    Malformed,
    #[error("timestamp outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

impl Stripe {
    /// A client for the configured account over the application's shared HTTP client.
    pub fn new(client: reqwest::Client, config: StripeConfig) -> Self {
        Stripe { client, config }
    }

    async fn post(&self, path: &str, idempotency_key: &str, form: &[(String, String)]) -> Result<String, StripeError> {
        let response = self
            .client
            .post(format!("{}{path}", self.config.api_base))
            .bearer_auth(&self.config.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .form(form)
            .send()
            .await
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| StripeError::Unreachable(e.to_string()))?;
        if status.is_success() {
            Ok(body)
        } else {
            let message =
                serde_json::from_str::<ErrorBody>(&body).map(|b| b.error.message).unwrap_or_else(|_| body.clone());
            Err(StripeError::Refused { status: status.as_u16(), message })
        }
    }

    /// Creates a Checkout Session for the whole order as one line, so discounts need no mapping.
    pub async fn create_checkout_session(&self, request: &CheckoutRequest<'_>) -> Result<CheckoutSession, StripeError> {
        let form: Vec<(String, String)> = [
            ("mode", "payment".to_owned()),
            ("success_url", request.success_url.clone()),
            ("cancel_url", request.cancel_url.clone()),
            ("client_reference_id", request.order_id.clone()),
            ("customer_email", request.buyer_email.to_owned()),
            ("expires_at", request.expires_at.to_string()),
            ("metadata[order_id]", request.order_id.clone()),
            ("metadata[order_number]", request.order_number.to_owned()),
            ("line_items[0][quantity]", "1".to_owned()),
            ("line_items[0][price_data][currency]", request.currency.to_lowercase()),
            ("line_items[0][price_data][unit_amount]", request.amount_cents.to_string()),
            ("line_items[0][price_data][product_data][name]", request.description.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let body = self.post("/v1/checkout/sessions", &format!("checkout-{}", request.order_id), &form).await?;
        serde_json::from_str(&body).map_err(|e| StripeError::Unreachable(format!("unreadable session: {e}")))
    }

    /// Closes a Checkout Session so its buyer can no longer pay: expired at Stripe, or found
    /// already paid (the payment is on its way by webhook) or already expired.
    pub async fn close_checkout_session(&self, session_id: &str) -> Result<SessionClosed, StripeError> {
        let path = format!("/v1/checkout/sessions/{session_id}");
        match self.post(&format!("{path}/expire"), &format!("expire-{session_id}"), &[]).await {
            Ok(_) => Ok(SessionClosed::Expired),
            // Stripe refuses to expire a session that is no longer open: ask what it is.
            Err(StripeError::Refused { status, .. }) if status < 500 => {
                let response = self
                    .client
                    .get(format!("{}{path}", self.config.api_base))
                    .bearer_auth(&self.config.secret_key)
                    .send()
                    .await
                    .map_err(|e| StripeError::Unreachable(e.to_string()))?;
                let status = response.status().as_u16();
                let body = response.text().await.map_err(|e| StripeError::Unreachable(e.to_string()))?;
                let session: SessionStatus = serde_json::from_str(&body)
                    .map_err(|_| StripeError::Refused { status, message: format!("unreadable session: {body}") })?;
                match session.status.as_deref() {
                    Some("complete") => Ok(SessionClosed::Paid),
                    Some("expired") => Ok(SessionClosed::Expired),
                    other => Err(StripeError::Refused { status, message: format!("session is {other:?}") }),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// Refunds `amount_cents` of a payment and returns Stripe's refund id. The key makes a
    /// retried refund a no-op at Stripe.
    pub async fn refund(
        &self,
        payment_intent: &str,
        amount_cents: i64,
        idempotency_key: &str,
    ) -> Result<String, StripeError> {
        let form = vec![
            ("payment_intent".to_owned(), payment_intent.to_owned()),
            ("amount".to_owned(), amount_cents.to_string()),
        ];
        let body = self.post("/v1/refunds", idempotency_key, &form).await?;
        #[derive(Deserialize)]
        struct Refund {
            id: String,
        }
        serde_json::from_str::<Refund>(&body)
            .map(|r| r.id)
            .map_err(|e| StripeError::Unreachable(format!("unreadable refund: {e}")))
    }

    /// Checks a webhook's `Stripe-Signature` and reads its event.
    pub fn verify_webhook(&self, payload: &[u8], header: &str, now: i64) -> Result<WebhookEvent, SignatureError> {
        verify_signature(&self.config.webhook_secret, payload, header, now)?;
        serde_json::from_slice(payload).map_err(|_| SignatureError::Malformed)
    }
}

/// Verifies `t=…,v1=…` against HMAC-SHA256(secret, "{t}.{payload}") within the tolerance.
pub fn verify_signature(secret: &str, payload: &[u8], header: &str, now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(value.to_owned()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > SIGNATURE_TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    for signature in signatures {
        let Some(expected) = decode_hex(&signature) else { continue };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| SignatureError::Malformed)?;
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        // Constant-time comparison.
        if mac.verify_slice(&expected).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

/// The header value Stripe would send for `payload` at `timestamp` (used by tests and tools).
pub fn sign(secret: &str, payload: &[u8], timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

fn decode_hex(input: &str) -> Option<Vec<u8>> {
    if !input.len().is_multiple_of(2) {
        return None;
    }
    (0..input.len()).step_by(2).map(|i| u8::from_str_radix(input.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_matches_an_independently_computed_known_answer() {
        // HMAC-SHA256 of "1700000000." + payload under the secret, computed outside this code
        // (Python's hmac module), so signing and verifying cannot share one mistake.
        let payload = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
        let header = sign("whsec_test_known_answer", payload, 1_700_000_000);
        assert_eq!(header, "t=1700000000,v1=b6d58b2a6ae9621aa7e99db5d5ea82b1e116e254cac2eaac6f312501260e991e");
        assert!(verify_signature("whsec_test_known_answer", payload, &header, 1_700_000_100).is_ok());
        assert!(verify_signature("whsec_other", payload, &header, 1_700_000_100).is_err());
    }

    #[test]
    fn a_correctly_signed_payload_verifies() {
        let header = sign("whsec_test", b"{}", 1_000);
        assert_eq!(verify_signature("whsec_test", b"{}", &header, 1_010), Ok(()));
    }

    #[test]
    fn a_tampered_payload_or_wrong_secret_is_refused() {
        let header = sign("whsec_test", b"{\"a\":1}", 1_000);
        assert_eq!(verify_signature("whsec_test", b"{\"a\":2}", &header, 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify_signature("whsec_other", b"{\"a\":1}", &header, 1_000), Err(SignatureError::Mismatch));
    }

    #[test]
    fn an_old_signature_is_refused_even_when_it_matches() {
        let header = sign("whsec_test", b"{}", 1_000);
        assert_eq!(verify_signature("whsec_test", b"{}", &header, 1_000 + 301), Err(SignatureError::Stale));
    }

    #[test]
    fn a_malformed_header_is_refused() {
        assert_eq!(verify_signature("s", b"{}", "v1=abcd", 0), Err(SignatureError::Malformed));
        assert_eq!(verify_signature("s", b"{}", "t=5", 5), Err(SignatureError::Malformed));
        assert_eq!(verify_signature("s", b"{}", "t=5,v1=zz", 5), Err(SignatureError::Mismatch));
    }
}
