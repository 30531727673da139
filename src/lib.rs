#![recursion_limit = "256"]
//! EventOS: event management and ticketing. One crate, built twice by cargo-leptos:
//! the server (`ssr`) and the browser bundle that hydrates its pages (`hydrate`).

/// A closed set of words stored as text in the database and sent in forms.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value stored in the database and sent in forms.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The word shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(value: &str) -> Option<Self> {
                match value.trim() { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

pub mod accounts;
pub mod app;
pub mod components;
pub mod error;
pub mod events;
pub mod mail;
pub mod orders;
pub mod organizations;
pub mod pages;
pub mod payments;

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
