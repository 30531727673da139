//! How much anonymous buyers may do that costs us or others: take tickets, make us send
//! e-mail, guess promo codes, have tickets re-sent. Per client address and per e-mail;
//! tickets and recipients are counted, not requests, so one large order counts as large.

use crate::platform::rate_limit::Limit;
use std::time::Duration;

const TEN_MINUTES: Duration = Duration::from_secs(10 * 60);
const FIFTEEN_MINUTES: Duration = Duration::from_secs(15 * 60);
const ONE_HOUR: Duration = Duration::from_secs(60 * 60);

/// Tickets ordered from one network address (an office behind one router buys for many).
pub const TICKETS_PER_ADDRESS: Limit = Limit { name: "tickets-ip", max: 20, window: TEN_MINUTES };
/// Tickets ordered by one buyer e-mail.
pub const TICKETS_PER_EMAIL: Limit = Limit { name: "tickets-email", max: 20, window: ONE_HOUR };
/// Attendee addresses (other than the buyer's) one network address makes us e-mail.
pub const RECIPIENTS_PER_ADDRESS: Limit = Limit { name: "recipients-ip", max: 30, window: TEN_MINUTES };
/// Ticket e-mails one attendee address receives, whoever orders them.
pub const MAIL_PER_RECIPIENT: Limit = Limit { name: "recipient", max: 5, window: ONE_HOUR };
/// Checkout summaries with a promo code from one address: guessing codes takes many.
pub const PROMO_TRIES_PER_ADDRESS: Limit = Limit { name: "promo-ip", max: 30, window: TEN_MINUTES };
/// "Find my tickets" requests.
pub const RESEND_PER_ADDRESS: Limit = Limit { name: "resend-ip", max: 20, window: FIFTEEN_MINUTES };
pub const RESEND_PER_EMAIL: Limit = Limit { name: "resend", max: 3, window: FIFTEEN_MINUTES };
/// Unpaid tickets (pay at the door or by invoice) one buyer e-mail may hold for one event.
pub const UNPAID_TICKETS_PER_BUYER: i64 = 20;
