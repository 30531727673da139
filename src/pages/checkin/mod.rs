//! Pages for door staff: the events they may check people in at, and the door itself.

mod camera;
pub mod door;
pub mod events;
mod feedback;
mod state;
mod store;
