//! How orders are paid. Offline orders need nothing from here: they wait, as pending, for the
//! organizer to mark them paid. Card payments go through Stripe Checkout when it is
//! configured; a payment counts only when Stripe's signed webhook says so.

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod stripe;
