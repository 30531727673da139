//! The organizer's dashboard, scoped to their organization.

pub mod home;
