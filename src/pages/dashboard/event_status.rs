//! The status buttons of an event (publish, mark live, cancel…), offering only the steps
//! valid from where it is now; on its dashboard and in its editor.

use crate::components::form::{FormAlert, action_error, bump_on_success};
use crate::events::EventStatus;
use crate::events::api::ChangeEventStatus;
use crate::pages::dashboard::event_cancel::CancelEventControl;
use leptos::prelude::*;

fn status_verb(status: EventStatus) -> &'static str {
    match status {
        EventStatus::Published => "Publish",
        EventStatus::Live => "Mark as live",
        EventStatus::Completed => "Mark as completed",
        EventStatus::Draft => "Back to draft",
        EventStatus::Cancelled => "Cancel event",
    }
}

#[component]
pub fn StatusControls(event_id: String, status: EventStatus, changes: RwSignal<u32>) -> impl IntoView {
    let change = ServerAction::<ChangeEventStatus>::new();
    bump_on_success(change, changes);
    let error = action_error(change);
    let steps = status.next_steps();
    view! {
        <section class="status-controls" aria-label="Status">
            <FormAlert error />
            {(!steps.is_empty()).then(|| view! {
                <div class="actions">
                    {steps
                        .iter()
                        .map(|next| {
                            let event_id = event_id.clone();
                            // Cancelling closes every order too: it shows what it will do first.
                            if *next == EventStatus::Cancelled {
                                return view! { <CancelEventControl event_id changes /> }.into_any();
                            }
                            view! {
                                <ActionForm action=change>
                                    <input type="hidden" name="event_id" value=event_id />
                                    <input type="hidden" name="status" value=next.as_str() />
                                    <button type="submit" class="button">{status_verb(*next)}</button>
                                </ActionForm>
                            }
                            .into_any()
                        })
                        .collect_view()}
                </div>
            })}
        </section>
    }
}
