use crate::components::guard::answer_failed;
use crate::platform::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any address no route matches, with a real 404 status.
#[component]
pub fn NotFound() -> impl IntoView {
    answer_failed(&AppError::NotFound);
    view! {
        <Title text="Page not found" />
        <section class="notice">
            <h1>"Page not found"</h1>
            <p>"The page you asked for does not exist or has moved."</p>
            <p><a class="button" href="/">"Browse events"</a></p>
        </section>
    }
}
