//! The organizer's dashboard, scoped to their organization.

pub mod announce;
pub mod assistant;
pub mod attendees;
pub mod checkin;
pub mod event_cancel;
pub mod event_editor;
pub mod event_sales;
pub mod event_status;
pub mod events;
pub mod home;
pub mod mail;
pub mod notifications;
pub mod orders;
pub mod overview;
pub mod promos;
pub mod tasks;
pub mod team;
pub mod venues;
