//! The ground floor: what every domain stands on and which knows no domain. The error type,
//! validated text people type, and on the server the configuration, the application state,
//! the session, server-function replies, rate limits and mail delivery.
//!
//! Nothing in here may import a domain module (`accounts`, `events`, `orders`, …), the
//! pages or the server's start-up code.

#[cfg(feature = "ssr")]
pub mod client;
pub mod error;
pub mod text;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod mailer;
#[cfg(feature = "ssr")]
pub mod page_views;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
pub mod reply;
#[cfg(feature = "ssr")]
pub mod secrets;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod session_store;
#[cfg(feature = "ssr")]
pub mod state;
