//! Payment providers. Offline orders need nothing from here: they wait, as pending, for the
//! organizer to mark them paid. Card payments go through Stripe Checkout when it is
//! configured; a payment counts only when Stripe's signed webhook says so. This domain knows
//! the providers (their APIs, signatures and events), not orders: `orders` acts on what they
//! report.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod stripe;
