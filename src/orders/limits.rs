//! How often anonymous buyers may do what costs us or others: place orders, guess promo
//! codes, have tickets re-sent. Per client address and, where there is one, per e-mail.

use crate::platform::rate_limit::Limit;
use std::time::Duration;

const TEN_MINUTES: Duration = Duration::from_secs(10 * 60);
const FIFTEEN_MINUTES: Duration = Duration::from_secs(15 * 60);
const ONE_HOUR: Duration = Duration::from_secs(60 * 60);

/// Orders from one network address (an office behind one router buys many tickets).
pub const ORDERS_PER_ADDRESS: Limit = Limit { name: "orders-ip", max: 10, window: TEN_MINUTES };
/// Orders by one buyer e-mail: also caps the mail one address can make us send.
pub const ORDERS_PER_EMAIL: Limit = Limit { name: "orders-email", max: 10, window: ONE_HOUR };
/// Checkout summaries with a promo code from one address: guessing codes takes many.
pub const PROMO_TRIES_PER_ADDRESS: Limit = Limit { name: "promo-ip", max: 30, window: TEN_MINUTES };
/// "Find my tickets" requests.
pub const RESEND_PER_ADDRESS: Limit = Limit { name: "resend-ip", max: 20, window: FIFTEEN_MINUTES };
pub const RESEND_PER_EMAIL: Limit = Limit { name: "resend", max: 3, window: FIFTEEN_MINUTES };
