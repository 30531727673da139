//! The team that runs an organization: members and their roles, invitations by e-mail
//! (to the organization, or to work the door of one event), and the rules that keep an
//! organization from losing its last owner.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod emails;
#[cfg(feature = "ssr")]
pub mod service;

use crate::organizations::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

/// The organization settings page: who is on the team and who is invited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub organization_name: String,
    /// The caller's own role, which decides the actions shown.
    pub my_role: Role,
    pub members: Vec<MemberView>,
    pub door_staff: Vec<DoorStaffView>,
    pub invitations: Vec<InvitationView>,
    /// Events an invitation may be limited to.
    pub events: Vec<EventChoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub is_me: bool,
}

/// Someone who works the door of one event only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorStaffView {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub event_id: Uuid,
    pub event_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub event_name: Option<String>,
    /// "Expires Nov 30" or "Expired".
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventChoice {
    pub id: Uuid,
    pub name: String,
}

/// Whether an invitation link can still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationState {
    Open,
    Expired,
    Used,
    Revoked,
}

/// What the invitation page shows to whoever opens the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub organization_name: String,
    pub role: Role,
    /// Set for door staff of one event.
    pub event_name: Option<String>,
    pub email: String,
    pub invited_by: String,
    pub state: InvitationState,
    /// Whether the invited address already has an account (log in) or not (sign up here).
    pub has_account: bool,
    /// The e-mail of the logged-in visitor, if any.
    pub signed_in_as: Option<String>,
}

/// The roles an invitation may give: owners are made by promoting a member.
pub const INVITABLE_ROLES: [Role; 2] = [Role::Staff, Role::Admin];
