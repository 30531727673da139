//! Integration tests: one binary, so the crate is linked once (each test binary links it
//! again, which costs minutes on two cores). Each module is one area, tested against a real
//! PostgreSQL (`#[sqlx::test]` gives every test its own migrated database).

mod abuse;
mod accounts;
mod announcements;
mod architecture;
mod assistant;
mod assistant_model;
mod checkin;
mod checkout_pages;
mod common;
mod dashboard;
mod dashboard_figures;
mod demo;
mod door_lane;
mod door_lists;
mod door_offline;
mod event_cancellation;
mod event_pages;
mod events;
mod http;
mod money_paths;
mod orders;
mod races;
mod shop;
mod team;
