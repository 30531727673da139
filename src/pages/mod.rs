//! One module per route, grouped by audience.

pub mod account;
pub mod checkin;
pub mod dashboard;
pub mod lazy;
pub mod public;
