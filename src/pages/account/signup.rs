use crate::accounts::NewPassword;
use crate::accounts::api::SignUp;
use crate::components::auth::Auth;
use crate::components::form::{Field, FormAlert, PasswordField, action_error, field_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let sign_up = ServerAction::<SignUp>::new();
    auth.refresh_after(sign_up);
    let error = action_error(sign_up);
    let organizer = RwSignal::new(true);
    let query = use_query_map();
    let check_inbox = move || query.read().get("check").as_deref() == Some("inbox");
    view! {
        <Title text="Create your account" />
        <section class="auth-card">
            <h1>"Create your account"</h1>
            {move || check_inbox().then(|| view! {
                <p class="notice notice-info" role="status">"Check your inbox: we sent a message to that address. Follow its link to finish."</p>
            })}
            <ActionForm action=sign_up attr:novalidate=true>
                <FormAlert error />
                <Field label="Full name" name="full_name" autocomplete="name" required=true error=field_error(error, "full_name") />
                <Field label="Email" name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email") />
                <PasswordField
                    label="Password"
                    name="password"
                    autocomplete="new-password"
                    hint=NewPassword::HINT
                    error=field_error(error, "password")
                />
                <div class="field checkbox">
                    <input
                        id="field-organizer"
                        type="checkbox"
                        name="organizer"
                        value="on"
                        prop:checked=move || organizer.get()
                        checked=true
                        on:change=move |ev| organizer.set(event_target_checked(&ev))
                    />
                    <label for="field-organizer">"I organize events (creates your organization)"</label>
                </div>
                <div class="organizer-fields" class:hidden=move || !organizer.get()>
                    <Field
                        label="Organization name"
                        name="organization_name"
                        autocomplete="organization"
                        hint="Your company or team, as attendees will see it."
                        error=field_error(error, "organization_name")
                    />
                </div>
                <button type="submit" class="button" disabled=move || sign_up.pending().get()>
                    {move || if sign_up.pending().get() { "Creating your account…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="switch">"Already have an account? " <a href="/login">"Log in"</a></p>
        </section>
    }
}
