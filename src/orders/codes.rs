//! Order and ticket numbers people read, and the secrets nobody should guess.
//! Every random part comes from the operating system's CSPRNG, never from ids or clocks.

use crate::platform::secrets::random_token;
use chrono::{DateTime, Utc};
use rand::Rng;
use rand::rngs::OsRng;

/// Letters and digits without the ones people confuse (0/O, 1/I).
const READABLE: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

fn readable(length: usize) -> String {
    let mut rng = OsRng;
    (0..length).map(|_| READABLE[rng.gen_range(0..READABLE.len())] as char).collect()
}

/// `ORD-20261122-7KQ2M9XD`: the day it was placed and 40 random bits.
pub fn order_number(now: DateTime<Utc>) -> String {
    format!("ORD-{}-{}", now.format("%Y%m%d"), readable(8))
}

/// `TKT-7KQ2M9XD-261122`: 40 random bits and the day it was issued.
pub fn ticket_number(now: DateTime<Utc>) -> String {
    format!("TKT-{}-{}", readable(8), now.format("%y%m%d"))
}

/// What a ticket's QR code carries: 160 random bits.
pub fn qr_secret() -> String {
    random_token(20)
}

/// The secret part of an order's URL: 256 random bits.
pub fn access_token() -> String {
    random_token(32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn numbers_follow_their_published_formats() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let order = order_number(now);
        assert!(order.starts_with("ORD-20261122-") && order.len() == 21, "{order}");
        let ticket = ticket_number(now);
        assert!(ticket.starts_with("TKT-") && ticket.ends_with("-261122") && ticket.len() == 19, "{ticket}");
    }

    #[test]
    fn secrets_carry_enough_randomness_and_differ_every_time() {
        let a = qr_secret();
        assert!(a.len() >= 22, "{a}");
        assert_ne!(a, qr_secret());
        assert!(access_token().len() >= 43);
    }
}
