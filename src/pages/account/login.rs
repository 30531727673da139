use crate::accounts::api::LogIn;
use crate::components::auth::Auth;
use crate::components::form::{Field, FormAlert, PasswordField, action_error, field_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LogInPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let log_in = ServerAction::<LogIn>::new();
    auth.refresh_after(log_in);
    let error = action_error(log_in);
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Log in" />
        <section class="auth-card">
            <h1>"Log in"</h1>
            <ActionForm action=log_in attr:novalidate=true>
                <FormAlert error />
                <input type="hidden" name="next" value=next />
                <Field label="Email" name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email") />
                <PasswordField label="Password" name="password" autocomplete="current-password" error=field_error(error, "password") />
                <button type="submit" class="button" disabled=move || log_in.pending().get()>
                    {move || if log_in.pending().get() { "Logging in…" } else { "Log in" }}
                </button>
            </ActionForm>
            <p class="switch"><a href="/forgot-password">"Forgot your password?"</a></p>
            <p class="switch">"New to EventOS? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}
