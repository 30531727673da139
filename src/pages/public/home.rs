use crate::app::Auth;
use leptos::prelude::*;
use leptos_meta::Title;

/// The front door: what EventOS does, and the way in for organizers and attendees.
#[component]
pub fn HomePage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    view! {
        <Title text="Events in Toronto" />
        <section class="hero">
            <h1>"Events people remember, run without the spreadsheet chaos"</h1>
            <p class="lead">
                "EventOS is where Toronto's corporate event planners run their events, and where their guests get their tickets."
            </p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match auth.user.await.ok().flatten() {
                        Some(user) if user.is_organizer() => view! {
                            <p class="actions"><a class="button" href="/dashboard">"Go to your dashboard"</a></p>
                        }.into_any(),
                        Some(user) => view! {
                            <p class="actions">"Welcome back, " {user.full_name} "."</p>
                        }.into_any(),
                        None => view! {
                            <p class="actions">
                                <a class="button" href="/signup">"Start organizing"</a>
                                <a class="button button-secondary" href="/login">"Log in"</a>
                            </p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
