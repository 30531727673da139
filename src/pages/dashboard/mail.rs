use crate::components::guard::AccessProblem;
use crate::mail::api::{get_sent_mail, list_sent_mail};
use crate::mail::{SentMail, SentMailDetail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/dashboard/mail`: every e-mail EventOS sent or is trying to send for the organization.
#[component]
pub fn SentMailPage() -> impl IntoView {
    let mail = Resource::new(|| (), |_| list_sent_mail());
    view! {
        <Title text="Sent mail" />
        <header class="page-header">
            <p class="eyebrow"><a href="/dashboard">"Dashboard"</a></p>
            <h1>"Sent mail"</h1>
            <p class="muted">"Order confirmations, tickets and cancellations, newest first. Failed messages are retried with growing pauses."</p>
        </header>
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading mail…"</p> }>
            {move || Suspend::new(async move {
                match mail.await {
                    Ok(mail) if mail.is_empty() => view! { <p class="empty-state">"Nothing has been sent yet."</p> }.into_any(),
                    Ok(mail) => view! { <MailTable mail /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MailTable(mail: Vec<SentMail>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead><tr><th scope="col">"To"</th><th scope="col">"Subject"</th><th scope="col">"Status"</th><th scope="col">"When"</th></tr></thead>
                <tbody>
                    {mail.into_iter().map(|m| view! {
                        <tr>
                            <td>{m.recipient.clone()}</td>
                            <td><a href=format!("/dashboard/mail/{}", m.id)>{m.subject.clone().unwrap_or_else(|| m.kind.clone())}</a></td>
                            <td>{m.status.clone()} {(m.attempts > 1 || m.last_error.is_some()).then(|| format!(" · {} attempts", m.attempts))}</td>
                            <td>{m.when.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `/dashboard/mail/{id}`: one message as it was sent.
#[component]
pub fn SentMailDetailPage() -> impl IntoView {
    let params = use_params_map();
    let mail = Resource::new(move || params.read().get("id").unwrap_or_default(), get_sent_mail);
    view! {
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading the message…"</p> }>
            {move || Suspend::new(async move {
                match mail.await {
                    Ok(mail) => view! { <MailView mail /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MailView(mail: SentMailDetail) -> impl IntoView {
    let m = mail.summary;
    let subject = m.subject.clone().unwrap_or_else(|| format!("{} (not sent yet)", m.kind));
    let eml = (m.transport.as_deref() == Some("mailbox")).then(|| format!("/dashboard/mail/{}/message.eml", m.id));
    view! {
        <Title text=subject.clone() />
        <header class="page-header">
            <p class="eyebrow"><a href="/dashboard/mail">"Sent mail"</a></p>
            <h1>{subject}</h1>
        </header>
        <section class="card mail">
            <dl class="totals">
                <dt>"To"</dt><dd>{m.recipient.clone()}</dd>
                <dt>"Status"</dt><dd>{m.status.clone()} {m.transport.clone().map(|t| format!(" via {t}"))}</dd>
                <dt>"Queued"</dt><dd>{m.when.clone()}</dd>
                {m.last_error.clone().map(|e| view! { <dt>"Last error"</dt><dd class="field-error">{e}</dd> })}
            </dl>
            {mail.body_text.map(|body| view! { <pre class="mail-body">{body}</pre> })}
            {(!mail.attachments.is_empty()).then(|| view! {
                <h2>"Attachments"</h2>
                <ul>{mail.attachments.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
            })}
            {eml.map(|href| view! { <p><a class="button button-secondary" href=href>"Download the message (.eml)"</a></p> })}
        </section>
    }
}
