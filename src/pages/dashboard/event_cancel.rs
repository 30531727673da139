//! Cancelling an event from its workspace: what it will do, confirmed with a second click,
//! then its progress while the orders are closed in the background.

use crate::components::form::{FormAlert, action_error, bump_on_success};
use crate::orders::api::{CancelEvent, event_cancellation_impact, event_cancellation_progress};
use crate::orders::{CancellationImpact, CancellationProgress};
use leptos::prelude::*;
use std::time::Duration;

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "42 orders will be cancelled, $3,980.00 refunded, and 57 e-mails sent."
pub fn impact_sentence(impact: &CancellationImpact) -> String {
    if impact.orders == 0 {
        return "No one has ordered tickets yet, so no one is refunded or e-mailed.".into();
    }
    let (orders, emails) = (plural(impact.orders, "order", "orders"), plural(impact.emails, "e-mail", "e-mails"));
    if impact.refund_cents > 0 {
        format!("{orders} will be cancelled, {} refunded, and {emails} sent.", impact.refund)
    } else {
        format!("{orders} will be cancelled and {emails} sent; nothing was paid, so nothing is refunded.")
    }
}

/// The "Cancel event" button: opening it shows what cancelling will do.
#[component]
pub fn CancelEventControl(event_id: String, changes: RwSignal<u32>) -> impl IntoView {
    let cancel = ServerAction::<CancelEvent>::new();
    bump_on_success(cancel, changes);
    let error = action_error(cancel);
    let id = event_id.clone();
    let impact = Resource::new(move || changes.get(), move |_| event_cancellation_impact(id.clone()));
    view! {
        <details class="confirm">
            <summary class="button button-danger">"Cancel event"</summary>
            <FormAlert error />
            <Suspense fallback=|| view! { <p aria-busy="true">"Counting orders…"</p> }>
                {move || Suspend::new(async move {
                    match impact.await {
                        Ok(impact) => view! { <p data-testid="cancel-impact">{impact_sentence(&impact)}</p> }.into_any(),
                        Err(problem) => view! { <p class="field-error" role="alert">{problem.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <p>"Cancelling cannot be undone. The event page will say it is cancelled and tickets stop admitting at once."</p>
            <ActionForm action=cancel>
                <input type="hidden" name="event_id" value=event_id />
                <button type="submit" class="button button-danger">"Yes, cancel this event"</button>
            </ActionForm>
        </details>
    }
}

fn progress_sentence(p: &CancellationProgress) -> String {
    let mut sentence = format!("{} of {} closed.", p.orders_closed, plural(p.orders_total, "order", "orders"));
    if p.refunds_pending > 0 {
        sentence.push_str(&format!(" {} waiting for Stripe.", plural(p.refunds_pending, "refund", "refunds")));
    }
    if let Some(refunded) = &p.refunded_at_stripe {
        sentence.push_str(&format!(" Refunded at Stripe so far: {refunded}."));
    }
    sentence
}

/// Where a cancelled event's orders stand, refreshed every two seconds until all are done.
#[component]
pub fn CancellationProgressPanel(event_id: String) -> impl IntoView {
    let tick = RwSignal::new(0_u32);
    let progress = Resource::new(move || tick.get(), move |_| event_cancellation_progress(event_id.clone()));
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || tick.update(|t| *t += 1), Duration::from_secs(2)) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match progress.await {
                    Ok(Some(p)) => {
                        let done = p.finished && p.refunds_pending == 0;
                        view! {
                            <section class="card" aria-live="polite" data-testid="cancellation-progress">
                                <h2>{if done { "Cancellation complete" } else { "Cancelling this event…" }}</h2>
                                <progress max=p.orders_total.max(1) value=p.orders_closed></progress>
                                <p>{progress_sentence(&p)}</p>
                                {(p.refunds_failed > 0).then(|| view! {
                                    <p class="warning" role="alert">
                                        {plural(p.refunds_failed, "refund", "refunds")}
                                        " failed at Stripe. The orders are marked Needs attention."
                                    </p>
                                })}
                            </section>
                        }
                        .into_any()
                    }
                    Ok(None) => ().into_any(),
                    Err(problem) => view! { <p class="field-error" role="alert">{problem.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_orders_money_and_e_mails() {
        let impact = CancellationImpact { orders: 42, refund: "$3,980.00".into(), refund_cents: 398_000, emails: 57 };
        assert_eq!(impact_sentence(&impact), "42 orders will be cancelled, $3,980.00 refunded, and 57 e-mails sent.");
        let one = CancellationImpact { orders: 1, refund: "Free".into(), refund_cents: 0, emails: 1 };
        assert_eq!(
            impact_sentence(&one),
            "1 order will be cancelled and 1 e-mail sent; nothing was paid, so nothing is refunded."
        );
    }
}
