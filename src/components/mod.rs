//! Reusable UI pieces shared by pages of every audience.

pub mod auth;
pub mod chart;
pub mod form;
pub mod guard;
pub mod header;
pub mod order;
