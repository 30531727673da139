use crate::components::auth::Auth;
use crate::components::form::{FormAlert, action_error, bump_on_success};
use crate::components::guard::AccessProblem;
use crate::notifications::api::{MarkNotificationsRead, get_inbox};
use crate::notifications::{Inbox, Notification};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/dashboard/notifications`: the caller's notifications, newest first, to read and mark.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let changes = RwSignal::new(0u32);
    let mark = ServerAction::<MarkNotificationsRead>::new();
    bump_on_success(mark, changes);
    expect_context::<Auth>().recount_inbox_after(mark);
    let inbox = Resource::new(move || changes.get(), |_| get_inbox());
    view! {
        <Title text="Notifications" />
        <header class="page-header">
            <p class="eyebrow"><a href="/dashboard">"Dashboard"</a></p>
            <h1>"Notifications"</h1>
            <p class="muted">"Sales milestones, orders that need you and people who joined the team."</p>
        </header>
        <FormAlert error=action_error(mark) />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading notifications…"</p> }>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok(inbox) => view! { <InboxList inbox mark /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InboxList(inbox: Inbox, mark: ServerAction<MarkNotificationsRead>) -> impl IntoView {
    if inbox.items.is_empty() {
        return view! { <p class="empty-state">"No notifications yet. The first sale of an event will be announced here."</p> }
            .into_any();
    }
    view! {
        <p class="with-actions">
            <span>{match inbox.unread { 0 => "All read".to_owned(), 1 => "1 unread".to_owned(), n => format!("{n} unread") }}</span>
            {(inbox.unread > 0).then(|| view! {
                <ActionForm action=mark attr:class="inline-form">
                    <button type="submit" class="button button-secondary button-small">"Mark all read"</button>
                </ActionForm>
            })}
        </p>
        <ul class="notification-list">
            {inbox.items.into_iter().map(|item| view! { <NotificationItem item mark /> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn NotificationItem(item: Notification, mark: ServerAction<MarkNotificationsRead>) -> impl IntoView {
    let Notification { id, kind, text, link, when, read } = item;
    view! {
        <li class="notification" class:unread=!read>
            <span class="badge">{kind.label()}</span>
            " "
            <a href=link>{text}</a>
            " "
            <span class="muted">{when}</span>
            {(!read).then(|| view! {
                <ActionForm action=mark attr:class="inline-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <button type="submit" class="button button-secondary button-small">"Mark read"</button>
                </ActionForm>
            })}
        </li>
    }
}
