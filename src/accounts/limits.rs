//! How often one account or one network address may try a password, sign up or ask for a
//! reset link.

use crate::platform::rate_limit::{Limit, Throttle};
use std::time::Duration;

const FIFTEEN_MINUTES: Duration = Duration::from_secs(15 * 60);

/// Wrong passwords for one account: five are free, then each blocks the account's log-in
/// twice as long as the last, from 30 seconds up to 15 minutes. A correct one clears them.
pub const LOGIN_PER_ACCOUNT: Throttle = Throttle {
    name: "login",
    free: 5,
    window: FIFTEEN_MINUTES,
    first_block: Duration::from_secs(30),
    longest_block: FIFTEEN_MINUTES,
};

/// Wrong passwords from one network address, whatever the account (guessing across many).
pub const LOGIN_PER_ADDRESS: Throttle = Throttle {
    name: "login-ip",
    free: 30,
    window: FIFTEEN_MINUTES,
    first_block: Duration::from_secs(60),
    longest_block: FIFTEEN_MINUTES,
};

pub const SIGN_UPS_PER_ADDRESS: Limit = Limit { name: "signup-ip", max: 10, window: Duration::from_secs(60 * 60) };

pub const RESETS_PER_EMAIL: Limit = Limit { name: "reset", max: 3, window: FIFTEEN_MINUTES };
pub const RESETS_PER_ADDRESS: Limit = Limit { name: "reset-ip", max: 20, window: FIFTEEN_MINUTES };
