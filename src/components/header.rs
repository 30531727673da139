//! The site header: brand, and navigation that follows who is logged in.

use crate::accounts::CurrentUser;
use crate::components::auth::Auth;
use crate::notifications::api::count_unread_notifications;
use crate::organizations::Role;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let menu_open = RwSignal::new(false);
    let location = use_location();
    // A new page closes the mobile menu.
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });

    view! {
        <header class="site-header">
            <a class="brand" href="/">"EventOS"</a>
            <button
                type="button"
                class="nav-toggle"
                aria-controls="site-nav"
                aria-expanded=move || if menu_open.get() { "true" } else { "false" }
                on:click=move |_| menu_open.update(|open| *open = !*open)
            >
                "Menu"
            </button>
            // Following a link in the open phone menu folds it (the effect above does not see
            // every client-side navigation).
            <nav
                id="site-nav"
                aria-label="Main"
                class:open=move || menu_open.get()
                on:click=move |event| {
                    let on_link = event_target::<leptos::web_sys::Element>(&event).closest("a").ok().flatten().is_some();
                    if on_link {
                        menu_open.set(false);
                    }
                }
            >
                <Transition fallback=|| view! { <NavLinks user=None /> }>
                    {move || Suspend::new(async move {
                        let user = auth.user.await.ok().flatten();
                        view! { <NavLinks user /> }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

/// "Notifications", with the unread count. The count is asked from the browser after each
/// page opens (an effect), so the server's HTML and the hydrated page never differ.
#[component]
fn NotificationsLink() -> impl IntoView {
    let location = use_location();
    let auth = expect_context::<Auth>();
    let unread = RwSignal::new(0_i64);
    Effect::new(move |_| {
        location.pathname.track();
        auth.track_inbox();
        leptos::task::spawn_local(async move {
            if let Ok(count) = count_unread_notifications().await {
                unread.set(count);
            }
        });
    });
    view! {
        <A href="/dashboard/notifications">
            "Notifications"
            {move || (unread.get() > 0).then(|| view! {
                " "
                <span class="count-badge">
                    {unread.get().min(99)}
                    <span class="visually-hidden">" unread"</span>
                </span>
            })}
        </A>
    }
}

#[component]
fn NavLinks(user: Option<CurrentUser>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    match user {
        None => view! {
            <ul class="nav-links">
                <li><A href="/">"Events"</A></li>
                <li><A href="/orders/lookup">"Find my tickets"</A></li>
                <li><A href="/login">"Log in"</A></li>
                <li><A href="/signup" attr:class="button button-small">"Sign up"</A></li>
            </ul>
        }
        .into_any(),
        Some(user) => {
            let organization = user.organization.clone();
            view! {
                <ul class="nav-links">
                    {organization.as_ref().map(|_| view! { <li><A href="/dashboard">"Dashboard"</A></li> })}
                    {organization.as_ref().filter(|org| org.role.allows(Role::Admin)).map(|_| view! { <li><NotificationsLink /></li> })}
                    <li><A href="/">"Events"</A></li>
                    <li><A href="/account/tickets">"My tickets"</A></li>
                    <li><A href="/account/profile">"Profile"</A></li>
                    <li class="nav-user">
                        <span class="user-name">{user.full_name.clone()}</span>
                        {organization.map(|org| view! {
                            <span class="org-badge">{org.organization_name} " · " {org.role.label()}</span>
                        })}
                    </li>
                    <li>
                        <ActionForm action=auth.log_out>
                            <button type="submit" class="link-button">"Log out"</button>
                        </ActionForm>
                    </li>
                </ul>
            }
            .into_any()
        }
    }
}
