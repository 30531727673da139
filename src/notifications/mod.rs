//! In-app notifications for an organization's owners and admins: the first sale, half and
//! 90 % sold, sold out, an order that needs them, someone who joined the team. Database
//! triggers write them in the transaction of what they announce (migration 14), once per
//! person; each person reads and marks their own.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

text_enum!(
    /// What a notification announces.
    NotificationKind {
        FirstSale => "first_sale", "First sale";
        HalfSold => "half_sold", "Half sold";
        NinetySold => "ninety_sold", "90 % sold";
        SoldOut => "sold_out", "Sold out";
        OrderFlagged => "order_flagged", "Order needs attention";
        InvitationAccepted => "invitation_accepted", "Joined the team";
    }
);

/// How many notifications the page shows, newest first.
pub const SHOWN: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    /// The announcement in words.
    pub text: String,
    /// Where to act on it.
    pub link: String,
    /// "Nov 23, 14:05" in EventOS's default time zone.
    pub when: String,
    pub read: bool,
}

/// A person's notifications: the unread count and the newest ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<Notification>,
}

/// What a stored notification says: its kind, the event's name, and its detail (an order
/// number, a person's name).
pub fn words(kind: NotificationKind, event_name: Option<&str>, detail: &str) -> String {
    let event = event_name.unwrap_or("An event");
    match kind {
        NotificationKind::FirstSale => format!("First ticket sold for {event}"),
        NotificationKind::HalfSold => format!("{event} is half sold"),
        NotificationKind::NinetySold => format!("{event} is 90 % sold"),
        NotificationKind::SoldOut => format!("{event} is sold out"),
        NotificationKind::OrderFlagged => match event_name {
            Some(name) => format!("Order {detail} for {name} needs your attention"),
            None => format!("Order {detail} needs your attention"),
        },
        NotificationKind::InvitationAccepted => match event_name {
            Some(name) => format!("{detail} joined the door team for {name}"),
            None => format!("{detail} joined the team"),
        },
    }
}

/// Where a notification leads.
pub fn link(kind: NotificationKind, event_id: Option<Uuid>, order_id: Option<Uuid>) -> String {
    match (kind, event_id, order_id) {
        (NotificationKind::OrderFlagged, _, Some(order)) => format!("/dashboard/orders/{order}"),
        (NotificationKind::InvitationAccepted, _, _) => "/dashboard/team".to_owned(),
        (_, Some(event), _) => format!("/dashboard/events/{event}"),
        _ => "/dashboard".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_says_what_happened_and_to_which_event() {
        assert_eq!(words(NotificationKind::FirstSale, Some("Gala"), ""), "First ticket sold for Gala");
        assert_eq!(words(NotificationKind::SoldOut, Some("Gala"), ""), "Gala is sold out");
        assert_eq!(
            words(NotificationKind::OrderFlagged, Some("Gala"), "ORD-20261123-ABCDEFGH"),
            "Order ORD-20261123-ABCDEFGH for Gala needs your attention"
        );
        assert_eq!(words(NotificationKind::InvitationAccepted, None, "Sam Door"), "Sam Door joined the team");
        assert_eq!(
            words(NotificationKind::InvitationAccepted, Some("Gala"), "Sam Door"),
            "Sam Door joined the door team for Gala"
        );
    }

    #[test]
    fn a_flagged_order_leads_to_the_order_and_a_milestone_to_its_event() {
        let (event, order) = (Uuid::nil(), Uuid::max());
        assert_eq!(
            link(NotificationKind::OrderFlagged, Some(event), Some(order)),
            format!("/dashboard/orders/{order}")
        );
        assert_eq!(link(NotificationKind::HalfSold, Some(event), None), format!("/dashboard/events/{event}"));
        assert_eq!(link(NotificationKind::InvitationAccepted, Some(event), None), "/dashboard/team");
    }
}
