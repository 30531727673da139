//! Messages to attendees: a preview that counts who gets it, each address once through the
//! outbox, the audit trail, and everything that must be refused.

use crate::checkin::door;
use crate::common::app_with;
use crate::shop::{count, offline, order_form, organizer};
use eventos::announcements::service::{self, Compose};
use eventos::orders::checkout;
use eventos::platform::error::AppError;
use sqlx::PgPool;
use uuid::Uuid;

async fn event_id(pool: &PgPool, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM events WHERE slug = $1").bind(slug).fetch_one(pool).await.unwrap()
}

fn message(event_id: Uuid, tier_id: Option<Uuid>) -> Compose<'static> {
    Compose { event_id, tier_id, subject: "Parking update", body: "Use the east lot.\nDoors open at 8." }
}

#[sqlx::test]
async fn attendees_are_emailed_once_per_address_after_a_preview_that_counts_them(pool: PgPool) {
    let mailbox = std::env::temp_dir().join(format!("eventos-announce-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&mailbox).unwrap();
    let (_, state) = app_with(pool.clone(), &[("MAILBOX_DIR", mailbox.to_str().unwrap())]).await;
    let door = door(&pool).await;
    let event = event_id(&pool, &door.slug).await;
    let (general, vip) = (door.tiers[0], door.tiers[1]);
    // Ada holds three tickets, and one more under her address spelled in capitals; Bob one,
    // unpaid (pay at the door); a cancelled order's holder is no attendee.
    for (tier, quantity, buyer) in
        [(general, 3, "ada@example.com"), (vip, 1, "ADA@example.com"), (vip, 1, "bob@example.com")]
    {
        checkout::place_order(&pool, &offline(), order_form(&door.slug, tier, quantity, buyer), None).await.unwrap();
    }
    let cancelled =
        checkout::place_order(&pool, &offline(), order_form(&door.slug, general, 1, "cy@example.com"), None)
            .await
            .unwrap();
    sqlx::query("UPDATE orders SET status = 'cancelled' WHERE id = $1")
        .bind(cancelled.order_id)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE tickets SET status = 'cancelled' WHERE order_id = $1")
        .bind(cancelled.order_id)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM outbox").execute(&pool).await.unwrap();

    let everyone = service::preview(&pool, &door.organizer, &message(event, None)).await.unwrap();
    let vips = service::preview(&pool, &door.organizer, &message(event, Some(vip))).await.unwrap();
    assert_eq!((everyone.audience.as_str(), everyone.recipients), ("All attendees", 2));
    assert_eq!((vips.audience.as_str(), vips.recipients), ("VIP ticket holders", 2));
    assert!(everyone.text.starts_with("Use the east lot.\nDoors open at 8.\n\n— Org of olivia@example.com"));
    assert!(everyone.text.contains("you hold a ticket to Toronto Tech Summit"));
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox").await, 0, "a preview sends nothing");

    let sent = service::send(&pool, &door.organizer, everyone.id, &message(event, None), 2).await.unwrap();
    let again = service::send(&pool, &door.organizer, everyone.id, &message(event, None), 2).await;

    assert_eq!(sent.recipients, 2);
    assert!(matches!(again, Err(AppError::Conflict(ref m)) if m == "This message was already sent."), "{again:?}");
    let recipients: Vec<String> =
        sqlx::query_scalar("SELECT lower(recipient) FROM outbox WHERE kind = 'announcement' ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(recipients, ["ada@example.com", "bob@example.com"]);
    eventos::mail::outbox::send_all_due(&pool, &state.mailer, &eventos::server::mail::AllMail).await.unwrap();
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body_text FROM outbox WHERE status = 'sent'").fetch_all(&pool).await.unwrap();
    assert_eq!(bodies.len(), 2);
    assert!(bodies.iter().all(|b| b.contains("Use the east lot.")), "{bodies:?}");
    let activity: String =
        sqlx::query_scalar("SELECT after::text FROM audit_logs WHERE subject = 'announcement' AND actor_id = $1")
            .bind(door.organizer.user_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(activity.contains("All attendees") && activity.contains("\"recipients\": 2"), "{activity}");
    let page = service::compose_data(&pool, &door.organizer, event).await.unwrap();
    assert_eq!(page.sent.len(), 1);
    assert_eq!((page.sent[0].subject.as_str(), page.sent[0].recipients), ("Parking update", 2));
    let _ = std::fs::remove_dir_all(mailbox);
}

#[sqlx::test]
async fn a_send_whose_audience_changed_since_the_preview_is_refused(pool: PgPool) {
    let door = door(&pool).await;
    let event = event_id(&pool, &door.slug).await;
    checkout::place_order(&pool, &offline(), order_form(&door.slug, door.tiers[0], 1, "ada@example.com"), None)
        .await
        .unwrap();
    let seen = service::preview(&pool, &door.organizer, &message(event, None)).await.unwrap().recipients;
    checkout::place_order(&pool, &offline(), order_form(&door.slug, door.tiers[0], 1, "bob@example.com"), None)
        .await
        .unwrap();
    sqlx::query("DELETE FROM outbox").execute(&pool).await.unwrap();

    let refused = service::send(&pool, &door.organizer, Uuid::new_v4(), &message(event, None), seen).await;

    let Err(AppError::Conflict(reason)) = refused else { panic!("{refused:?}") };
    assert!(reason.contains("it is now 2 people"), "{reason}");
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM announcements").await, 0);
}

#[sqlx::test]
async fn bad_messages_foreign_tiers_other_organizations_and_a_sixth_send_in_a_day_write_nothing(pool: PgPool) {
    let door = door(&pool).await;
    let event = event_id(&pool, &door.slug).await;
    let stranger = organizer(&pool, "mallory@example.com").await;
    checkout::place_order(&pool, &offline(), order_form(&door.slug, door.tiers[0], 1, "ada@example.com"), None)
        .await
        .unwrap();
    sqlx::query("DELETE FROM outbox").execute(&pool).await.unwrap();
    let with = |subject: &'static str, body: &'static str| Compose { event_id: event, tier_id: None, subject, body };

    let empty = service::send(&pool, &door.organizer, Uuid::new_v4(), &with("  ", ""), 1).await;
    let header_injection =
        service::send(&pool, &door.organizer, Uuid::new_v4(), &with("Hi\r\nBcc: all@example.com", "x"), 1).await;
    let foreign_tier =
        service::send(&pool, &door.organizer, Uuid::new_v4(), &message(event, Some(Uuid::new_v4())), 1).await;
    let other_organization = service::send(&pool, &stranger, Uuid::new_v4(), &message(event, None), 1).await;
    let nobody = service::send(&pool, &door.organizer, Uuid::new_v4(), &message(event, Some(door.tiers[1])), 0).await;

    let Err(AppError::Validation(fields)) = empty else { panic!("{empty:?}") };
    assert_eq!(fields.get("subject"), Some("Give the message a subject."));
    assert_eq!(fields.get("body"), Some("Write the message."));
    assert!(matches!(header_injection, Err(AppError::Validation(f)) if f.get("subject").is_some()));
    assert!(matches!(foreign_tier, Err(AppError::Validation(f)) if f.get("tier_id").is_some()));
    assert!(matches!(other_organization, Err(AppError::NotFound)));
    assert!(matches!(nobody, Err(AppError::Validation(f)) if f.get("tier_id").is_some()));
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox").await, 0);

    for _ in 0..5 {
        service::send(&pool, &door.organizer, Uuid::new_v4(), &message(event, None), 1).await.unwrap();
    }
    let sixth = service::send(&pool, &door.organizer, Uuid::new_v4(), &message(event, None), 1).await;
    assert!(matches!(sixth, Err(AppError::RateLimited { .. })), "{sixth:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM announcements").await, 5);
}
