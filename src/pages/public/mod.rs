//! Pages anyone can see, logged in or not.

pub mod checkout;
pub mod error;
pub mod event;
pub mod home;
pub mod not_found;
pub mod order;
pub mod ticket;
