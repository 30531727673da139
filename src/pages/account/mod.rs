//! Signing up, logging in and the user's own profile.

pub mod confirm;
pub mod invitation;
pub mod login;
pub mod password;
pub mod profile;
pub mod signup;
pub mod tickets;
