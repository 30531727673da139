//! The AI event assistant: organizers create and manage events by chatting. The built-in
//! assistant reads messages with a deterministic parser (`parser`) that never guesses.

#[cfg(feature = "ssr")]
pub mod parser;
