//! What a page shows when its data could not be loaded: a trip to the login page for
//! visitors, a clear message for everything else.

use crate::platform::error::AppError;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Gives the page being rendered the status `error` calls for, so a failed page is never
/// answered as a success (nor kept and shared as one by `server::page_cache`).
pub fn answer_failed(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status());
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

#[component]
pub fn AccessProblem(error: AppError) -> impl IntoView {
    let location = use_location();
    match error {
        AppError::Unauthorized => {
            let next = location.pathname.get_untracked();
            view! { <Redirect path=format!("/login?next={next}") /> }.into_any()
        }
        AppError::Forbidden => view! {
            <section class="notice">
                <h1>"This area is for organizers"</h1>
                <p>"Your account does not belong to an organization, or your role there does not allow this."</p>
                <p><a href="/">"Back to events"</a></p>
            </section>
        }
        .into_any(),
        other => {
            answer_failed(&other);
            view! {
            <section class="notice">
                <h1>"We could not load this page"</h1>
                <p>{other.to_string()}</p>
                <p><a href="">"Try again"</a></p>
            </section>
            }
            .into_any()
        }
    }
}
