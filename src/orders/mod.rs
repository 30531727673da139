//! Checkout, orders, attendees, tickets and promo codes: the wire types, and the pricing
//! rules that need no database.

pub mod api;
#[cfg(feature = "ssr")]
pub mod cancel_event;
#[cfg(feature = "ssr")]
pub mod checkout;
#[cfg(feature = "ssr")]
pub mod codes;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod emails;
#[cfg(feature = "ssr")]
pub mod inventory;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod manage;
#[cfg(feature = "ssr")]
pub mod payment;
#[cfg(feature = "ssr")]
pub mod pricing;
#[cfg(feature = "ssr")]
pub mod promos;
#[cfg(feature = "ssr")]
pub mod qr;
#[cfg(feature = "ssr")]
pub mod refunds;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod webhook;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most tickets one order may hold, whatever the tiers allow.
pub const MAX_TICKETS_PER_ORDER: i32 = 100;

text_enum!(
    /// Where an order is in its life.
    OrderStatus {
        Pending => "pending", "Awaiting payment";
        Paid => "paid", "Paid";
        Cancelled => "cancelled", "Cancelled";
        Refunded => "refunded", "Refunded";
        Expired => "expired", "Expired";
    }
);

text_enum!(
    /// Whether a ticket admits its holder.
    TicketStatus {
        Reserved => "reserved", "Awaiting payment";
        Active => "active", "Valid";
        Used => "used", "Checked in";
        Cancelled => "cancelled", "Cancelled";
        Refunded => "refunded", "Refunded";
    }
);

text_enum!(
    /// How an order is paid.
    PaymentMethod {
        Free => "free", "Free";
        Offline => "offline", "Pay at the door or by invoice";
        Stripe => "stripe", "Card (Stripe)";
    }
);

text_enum!(
    /// How a promo code discounts.
    DiscountKind {
        Percent => "percent", "Percent off";
        Fixed => "fixed", "Amount off";
    }
);

/// One tier and how many of it, as chosen on the event page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub tier_id: Uuid,
    pub quantity: i32,
}

/// Reads `tier:quantity,tier:quantity` (the checkout URL's `tickets` parameter).
/// Zero quantities are dropped; anything unreadable is refused with a message.
pub fn parse_selection(input: &str) -> Result<Vec<Selection>, String> {
    let mut selections: Vec<Selection> = Vec::new();
    for part in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (tier, quantity) = part.split_once(':').ok_or("Choose your tickets on the event page.")?;
        let tier_id = Uuid::parse_str(tier.trim()).map_err(|_| "That ticket type does not exist.")?;
        let quantity: i64 = quantity.trim().parse().map_err(|_| "Enter the number of tickets as a whole number.")?;
        if quantity < 0 {
            return Err("The number of tickets cannot be negative.".into());
        }
        if quantity > i64::from(MAX_TICKETS_PER_ORDER) {
            return Err(format!("One order can hold at most {MAX_TICKETS_PER_ORDER} tickets."));
        }
        if quantity == 0 {
            continue;
        }
        match selections.iter_mut().find(|s| s.tier_id == tier_id) {
            Some(existing) => existing.quantity += quantity as i32,
            None => selections.push(Selection { tier_id, quantity: quantity as i32 }),
        }
    }
    if selections.is_empty() {
        return Err("Choose at least one ticket.".into());
    }
    let total: i32 = selections.iter().map(|s| s.quantity).sum();
    if total > MAX_TICKETS_PER_ORDER {
        return Err(format!("One order can hold at most {MAX_TICKETS_PER_ORDER} tickets."));
    }
    Ok(selections)
}

/// Writes a selection back into its URL form.
pub fn format_selection(selections: &[Selection]) -> String {
    selections.iter().map(|s| format!("{}:{}", s.tier_id, s.quantity)).collect::<Vec<_>>().join(",")
}

/// A line of an order being priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub tier_id: Uuid,
    pub unit_price_cents: i64,
    pub quantity: i32,
    pub discount_cents: i64,
}

impl PricedLine {
    pub fn gross_cents(&self) -> i64 {
        self.unit_price_cents * i64::from(self.quantity)
    }

    /// What each ticket of the line costs after the line's discount; the cents that do not
    /// divide evenly go to the first tickets, so the prices add up to the line's total.
    pub fn ticket_prices(&self) -> Vec<i64> {
        let quantity = i64::from(self.quantity.max(1));
        let share = self.discount_cents / quantity;
        let extra = self.discount_cents % quantity;
        (0..quantity).map(|i| self.unit_price_cents - share - i64::from(i < extra)).collect()
    }
}

/// A promo code's effect, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discount {
    pub kind: DiscountKind,
    /// Percent (1-100) or cents.
    pub value: i64,
    /// Only this tier's tickets are discounted, when set.
    pub tier_id: Option<Uuid>,
}

/// Spreads a discount over the lines it applies to and returns the total discount. A fixed
/// amount never exceeds what the eligible lines cost; its cents are split in proportion to
/// each line's cost, remainders to the earliest lines.
pub fn apply_discount(lines: &mut [PricedLine], discount: &Discount) -> i64 {
    let eligible = |line: &PricedLine| discount.tier_id.is_none_or(|tier| tier == line.tier_id);
    for line in lines.iter_mut() {
        line.discount_cents = 0;
    }
    match discount.kind {
        DiscountKind::Percent => {
            let percent = discount.value.clamp(0, 100);
            for line in lines.iter_mut().filter(|l| eligible(l)) {
                line.discount_cents = line.gross_cents() * percent / 100;
            }
        }
        DiscountKind::Fixed => {
            let eligible_total: i64 = lines.iter().filter(|l| eligible(l)).map(PricedLine::gross_cents).sum();
            let amount = discount.value.clamp(0, eligible_total);
            if eligible_total > 0 {
                let mut given = 0;
                for line in lines.iter_mut().filter(|l| eligible(l)) {
                    line.discount_cents = amount * line.gross_cents() / eligible_total;
                    given += line.discount_cents;
                }
                for line in lines.iter_mut().filter(|l| eligible(l)) {
                    if given == amount {
                        break;
                    }
                    if line.discount_cents < line.gross_cents() {
                        line.discount_cents += 1;
                        given += 1;
                    }
                }
            }
        }
    }
    lines.iter().map(|l| l.discount_cents).sum()
}

/// One line of the checkout summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    pub tier_id: Uuid,
    pub tier_name: String,
    pub quantity: i32,
    pub unit_price: String,
    pub line_total: String,
}

/// The buyer's details as the checkout form starts with them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerPrefill {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// What the checkout page shows before the order is placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutQuote {
    pub event_id: Uuid,
    pub event_slug: String,
    pub event_name: String,
    pub when: String,
    pub venue: Option<String>,
    pub currency: String,
    /// The selection in URL form, carried by the order form.
    pub selection: String,
    pub lines: Vec<QuoteLine>,
    pub ticket_count: i32,
    pub subtotal: String,
    pub discount: Option<String>,
    pub total: String,
    pub total_cents: i64,
    pub promo_code: Option<String>,
    /// Why the entered promo code does not apply, if it does not.
    pub promo_problem: Option<String>,
    pub payment_methods: Vec<PaymentMethod>,
    pub hold_minutes: i64,
    pub buyer: BuyerPrefill,
}

/// A ticket as its holder sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketView {
    pub id: Uuid,
    pub ticket_number: String,
    pub tier_name: String,
    pub attendee_name: String,
    pub attendee_email: String,
    pub status: TicketStatus,
    pub price: String,
    /// The QR code as an SVG document, present while the ticket can admit someone.
    pub qr_svg: Option<String>,
    /// "Unpaid — $95.00 due at the door" while its order is an unpaid reservation, so an
    /// unpaid ticket never looks like a paid one.
    pub unpaid: Option<String>,
}

/// One ticket as its attendee sees it through the ticket's own link: the event and the
/// ticket, nothing of the order that bought it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPage {
    pub event_name: String,
    pub event_slug: String,
    pub when: String,
    pub venue: Option<String>,
    pub ticket: TicketView,
}

/// What an unpaid reservation's ticket says wherever it is shown.
pub fn unpaid_note(price: &str) -> String {
    format!("Unpaid — {price} due at the door")
}

/// An order as its buyer sees it: the confirmation page, "my tickets", the e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub order_number: String,
    pub status: OrderStatus,
    pub payment_method: PaymentMethod,
    pub buyer_name: String,
    pub buyer_email: String,
    pub event_name: String,
    pub event_slug: String,
    pub when: String,
    pub venue: Option<String>,
    pub subtotal: String,
    pub discount: Option<String>,
    pub total: String,
    pub refunded: Option<String>,
    pub placed: String,
    /// When an unpaid card order's hold ends, in the event's time zone.
    pub hold_ends: Option<String>,
    /// When an unpaid reservation (pay at the door or by invoice) must be paid by.
    pub payment_due: Option<String>,
    pub tickets: Vec<TicketView>,
}

/// One row of an organizer's order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRowView {
    pub id: Uuid,
    pub order_number: String,
    pub buyer_name: String,
    pub buyer_email: String,
    pub status: OrderStatus,
    pub payment_method: PaymentMethod,
    pub tickets: i64,
    pub total: String,
    pub placed: String,
    pub attention: Option<String>,
}

/// What cancelling an event would do, shown before the organizer confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationImpact {
    pub orders: i64,
    /// Money paid and not yet refunded, formatted in the event's currency.
    pub refund: String,
    pub refund_cents: i64,
    pub emails: i64,
}

/// How far an event's cancellation has come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationProgress {
    pub orders_total: i64,
    pub orders_closed: i64,
    /// What the organizer confirmed would be refunded, when anything was paid.
    pub refund_total: Option<String>,
    /// Refunded at Stripe so far, once anything is.
    pub refunded_at_stripe: Option<String>,
    pub refunds_pending: i64,
    pub refunds_failed: i64,
    pub finished: bool,
}

/// An event's orders, filtered, for the organizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventOrders {
    pub event_id: Uuid,
    pub event_name: String,
    pub orders: Vec<OrderRowView>,
    pub sold: i64,
    pub capacity: i32,
}

/// A ticket line in the organizer's order detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminTicket {
    pub id: Uuid,
    pub ticket_number: String,
    pub tier_name: String,
    pub attendee_name: String,
    pub attendee_email: String,
    pub status: TicketStatus,
    pub price: String,
    pub price_cents: i64,
    pub checked_in: bool,
}

/// The organizer's view of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_name: String,
    pub order_number: String,
    pub status: OrderStatus,
    pub payment_method: PaymentMethod,
    pub payment_reference: Option<String>,
    pub buyer_name: String,
    pub buyer_email: String,
    pub buyer_phone: Option<String>,
    pub promo_code: Option<String>,
    pub subtotal: String,
    pub discount: Option<String>,
    pub total: String,
    pub total_cents: i64,
    pub refunded: Option<String>,
    /// Each refund and where it stands at the payment provider.
    pub refunds: Vec<String>,
    pub placed: String,
    pub paid: Option<String>,
    pub attention: Option<String>,
    /// An unpaid reservation's deadline, as words and as a `datetime-local` value.
    pub payment_due: Option<String>,
    pub payment_due_local: Option<String>,
    pub tickets: Vec<AdminTicket>,
}

/// A promo code as the organizer manages it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromoView {
    pub id: Uuid,
    pub code: String,
    pub discount: String,
    pub tier_name: Option<String>,
    pub used: i32,
    pub max_uses: Option<i32>,
    pub window: Option<String>,
    pub is_active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(tier: u128, price: i64, quantity: i32) -> PricedLine {
        PricedLine { tier_id: Uuid::from_u128(tier), unit_price_cents: price, quantity, discount_cents: 0 }
    }

    #[test]
    fn a_selection_reads_tiers_and_quantities_and_drops_zeros() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let parsed = parse_selection(&format!("{a}:2, {b}:0,{a}:1")).unwrap();
        assert_eq!(parsed, vec![Selection { tier_id: a, quantity: 3 }]);
        assert_eq!(format_selection(&parsed), format!("{a}:3"));
    }

    #[test]
    fn negative_huge_and_empty_selections_are_refused() {
        let a = Uuid::from_u128(1);
        assert!(parse_selection(&format!("{a}:-1")).unwrap_err().contains("negative"));
        assert!(parse_selection(&format!("{a}:101")).unwrap_err().contains("at most 100"));
        assert!(parse_selection(&format!("{a}:99999999999999999999")).is_err());
        assert!(parse_selection(&format!("{a}:0")).unwrap_err().contains("at least one"));
        assert!(parse_selection("not-a-tier:1").unwrap_err().contains("does not exist"));
        assert!(parse_selection("").is_err());
    }

    #[test]
    fn a_percent_discount_applies_to_its_tier_only() {
        let mut lines = vec![line(1, 10_000, 2), line(2, 5_000, 1)];
        let total = apply_discount(
            &mut lines,
            &Discount { kind: DiscountKind::Percent, value: 25, tier_id: Some(Uuid::from_u128(1)) },
        );
        assert_eq!(total, 5_000);
        assert_eq!(lines[1].discount_cents, 0);
    }

    #[test]
    fn a_fixed_discount_never_exceeds_the_order_and_splits_exactly() {
        let mut lines = vec![line(1, 1_000, 1), line(2, 2_000, 1)];
        let total = apply_discount(&mut lines, &Discount { kind: DiscountKind::Fixed, value: 1_000, tier_id: None });
        assert_eq!(total, 1_000);
        assert_eq!(lines.iter().map(|l| l.discount_cents).sum::<i64>(), 1_000);
        let total = apply_discount(&mut lines, &Discount { kind: DiscountKind::Fixed, value: 50_000, tier_id: None });
        assert_eq!(total, 3_000);
    }

    #[test]
    fn ticket_prices_add_up_to_the_discounted_line() {
        let mut l = line(1, 1_000, 3);
        l.discount_cents = 100;
        let prices = l.ticket_prices();
        assert_eq!(prices, vec![966, 967, 967]);
        assert_eq!(prices.iter().sum::<i64>(), 2_900);
    }
}
