//! The top of the house, imported by nobody: start-up, the router and its layers, the
//! background workers and the health check.

pub mod health;
pub mod mail;
pub mod page_cache;
pub mod security;
pub mod startup;
pub mod workers;
