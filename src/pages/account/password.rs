//! Forgotten passwords: asking for a reset link, and choosing a new password through it.

use crate::accounts::NewPassword;
use crate::accounts::api::{ForgotPassword, ResetPassword};
use crate::components::auth::Auth;
use crate::components::form::{Field, FormAlert, PasswordField, action_error, field_error};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

/// `/forgot-password`: the address to send a reset link to.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let ask = ServerAction::<ForgotPassword>::new();
    let error = action_error(ask);
    let sent = move || ask.value().get().and_then(Result::ok);
    view! {
        <Title text="Forgot your password" />
        <section class="auth-card">
            <h1>"Forgot your password?"</h1>
            <p class="muted">"Enter the e-mail address of your account and we will send you a link to choose a new password."</p>
            <ActionForm action=ask attr:novalidate=true>
                <FormAlert error />
                <p class="status" role="status">{sent}</p>
                <Field label="Email" name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email") />
                <button type="submit" class="button" disabled=move || ask.pending().get()>
                    {move || if ask.pending().get() { "Sending…" } else { "Send the link" }}
                </button>
            </ActionForm>
            <p class="switch"><a href="/login">"Back to log in"</a></p>
        </section>
    }
}

/// `/reset-password/{token}`: the new password, through a link from the e-mail.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let reset = ServerAction::<ResetPassword>::new();
    auth.refresh_after(reset);
    let error = action_error(reset);
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    view! {
        <Title text="Choose a new password" />
        // The link is the key to the account: keep it out of search engines and referrers.
        <Meta name="robots" content="noindex" />
        <Meta name="referrer" content="no-referrer" />
        <section class="auth-card">
            <h1>"Choose a new password"</h1>
            <ActionForm action=reset attr:novalidate=true>
                <FormAlert error />
                {move || error.get().and_then(|e| e.field_message("form")).map(|_| view! {
                    <p><a href="/forgot-password">"Ask for a new link"</a></p>
                })}
                <input type="hidden" name="token" value=token />
                <PasswordField
                    label="New password"
                    name="password"
                    autocomplete="new-password"
                    hint=NewPassword::HINT
                    error=field_error(error, "password")
                />
                <button type="submit" class="button" disabled=move || reset.pending().get()>
                    {move || if reset.pending().get() { "Saving…" } else { "Save and log in" }}
                </button>
            </ActionForm>
        </section>
    }
}
