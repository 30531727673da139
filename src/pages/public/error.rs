use leptos::prelude::*;
use leptos_meta::Title;

/// The friendly face of the error boundary: what went wrong, in words a person can act on.
#[component]
pub fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let messages = move || errors.get().into_iter().map(|(_, error)| error.to_string()).collect::<Vec<_>>();
    view! {
        <Title text="Something went wrong" />
        <section class="notice" role="alert">
            <h1>"Something went wrong"</h1>
            <ul>{move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
            <p>"Please try again. If it keeps happening, contact the event organizer."</p>
            <p><a class="button" href="/">"Back to events"</a></p>
        </section>
    }
}
