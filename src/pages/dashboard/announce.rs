//! `/dashboard/events/{id}/email`: write to the event's attendees (all, or one tier's),
//! see the message as they will and how many will get it, then send it.

use crate::announcements::api::{PreviewAnnouncement, SendAnnouncement, get_announcements};
use crate::announcements::{AnnouncementPreview, ComposeData, SentAnnouncement};
use crate::components::form::{Field, FormAlert, Select, TextArea, action_error, bump_on_success, field_error};
use crate::components::guard::AccessProblem;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EventEmailPage() -> impl IntoView {
    let params = use_params_map();
    let sent_count = RwSignal::new(0u32);
    let preview = ServerAction::<PreviewAnnouncement>::new();
    let send = ServerAction::<SendAnnouncement>::new();
    bump_on_success(send, sent_count);
    let data = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), sent_count.get()),
        |(id, _)| get_announcements(id),
    );
    view! {
        <Title text="E-mail attendees" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <Compose data preview send /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Compose(
    data: ComposeData,
    preview: ServerAction<PreviewAnnouncement>,
    send: ServerAction<SendAnnouncement>,
) -> impl IntoView {
    let ComposeData { event_id, event_name, tiers, sent } = data;
    let error = action_error(preview);
    let mut audiences = vec![(String::new(), "All attendees".to_owned())];
    audiences.extend(tiers.into_iter().map(|(id, name)| (id.to_string(), format!("{name} ticket holders"))));
    let shown = Signal::derive(move || preview.value().get().and_then(Result::ok));
    // The notice belongs to the preview it sent; a new preview brings a new card.
    let queued = Signal::derive(move || {
        let sent = send.value().get().and_then(Result::ok)?;
        (shown.get().map(|p| p.id) == Some(sent.id)).then_some(sent.recipients)
    });
    view! {
        <header class="page-header">
            <p class="eyebrow"><a href=format!("/dashboard/events/{event_id}")>{event_name}</a></p>
            <h1>"E-mail attendees"</h1>
            <p class="muted">"Each address gets the message once, however many tickets it holds. You see who it goes to before it is sent."</p>
        </header>
        <section class="card" aria-labelledby="compose-heading">
            <h2 id="compose-heading">"Message"</h2>
            <ActionForm action=preview attr:novalidate=true>
                <FormAlert error />
                <input type="hidden" name="event_id" value=event_id.to_string() />
                <Select label="To" name="tier_id" options=audiences error=field_error(error, "tier_id") />
                <Field label="Subject" name="subject" required=true error=field_error(error, "subject") />
                <TextArea label="Message" name="body" rows=8 error=field_error(error, "body") />
                <button type="submit" class="button button-secondary" data-testid="preview-message">"Preview"</button>
            </ActionForm>
        </section>
        {move || queued.get().map(|n| view! {
            <p class="notice" role="status" data-testid="message-queued">
                {format!("Sent to {n} {}: the messages are on their way.", if n == 1 { "person" } else { "people" })}
            </p>
        })}
        {move || shown.get().filter(|_| queued.get().is_none()).map(|p| view! { <PreviewCard preview=p send /> })}
        <Sent sent />
    }
}

#[component]
fn PreviewCard(preview: AnnouncementPreview, send: ServerAction<SendAnnouncement>) -> impl IntoView {
    let AnnouncementPreview { id, event_id, tier_id, body, audience, recipients, subject, text } = preview;
    let people = if recipients == 1 { "1 person".to_owned() } else { format!("{recipients} people") };
    view! {
        <section class="card" aria-labelledby="preview-heading" data-testid="message-preview">
            <h2 id="preview-heading">"Preview"</h2>
            <p><strong>"To: "</strong>{format!("{audience} — {people}")}</p>
            <p><strong>"Subject: "</strong>{subject.clone()}</p>
            <pre class="mail-preview">{text}</pre>
            {if recipients == 0 {
                view! { <p class="muted">"Nobody holds a ticket in this audience yet."</p> }.into_any()
            } else {
                view! {
                    <ActionForm action=send>
                        <FormAlert error=action_error(send) />
                        <input type="hidden" name="id" value=id.to_string() />
                        <input type="hidden" name="event_id" value=event_id.to_string() />
                        <input type="hidden" name="tier_id" value=tier_id.map(|t| t.to_string()).unwrap_or_default() />
                        <input type="hidden" name="subject" value=subject />
                        <input type="hidden" name="body" value=body />
                        <input type="hidden" name="expected" value=recipients.to_string() />
                        <button type="submit" class="button" data-testid="send-message" disabled=move || send.pending().get()>{format!("Send to {people}")}</button>
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Sent(sent: Vec<SentAnnouncement>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="sent-heading">
            <h2 id="sent-heading">"Sent"</h2>
            {if sent.is_empty() {
                view! { <p class="muted">"Nothing sent to attendees yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <thead><tr><th scope="col">"When"</th><th scope="col">"To"</th><th scope="col">"Subject"</th><th scope="col">"People"</th><th scope="col">"By"</th></tr></thead>
                            <tbody>
                                {sent.into_iter().map(|s| view! {
                                    <tr><td>{s.when}</td><td>{s.audience}</td><td>{s.subject}</td><td>{s.recipients}</td><td>{s.sent_by}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
