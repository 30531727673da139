#![recursion_limit = "256"]
//! EventOS: event management and ticketing. One crate, built twice by cargo-leptos:
//! the server (`ssr`) and the browser bundle that hydrates its pages (`hydrate`).

pub mod accounts;
pub mod app;
pub mod components;
pub mod error;
pub mod events;
pub mod organizations;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
