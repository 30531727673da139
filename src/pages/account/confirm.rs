use crate::accounts::api::ConfirmEmail;
use crate::components::auth::Auth;
use crate::components::form::{FormAlert, action_error};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

/// `/confirm-email/{token}`: the last step of signing up. A button, not the visit itself,
/// confirms: mail scanners that open links must not use up the person's link.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let confirm = ServerAction::<ConfirmEmail>::new();
    auth.refresh_after(confirm);
    let error = action_error(confirm);
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    view! {
        <Title text="Confirm your address" />
        <Meta name="robots" content="noindex" />
        <Meta name="referrer" content="no-referrer" />
        <section class="auth-card">
            <h1>"Confirm your address"</h1>
            <p class="muted">"One click and your EventOS account is ready."</p>
            <ActionForm action=confirm>
                <FormAlert error />
                <input type="hidden" name="token" value=token />
                <button type="submit" class="button" disabled=move || confirm.pending().get()>
                    {move || if confirm.pending().get() { "Confirming…" } else { "Confirm and log in" }}
                </button>
            </ActionForm>
        </section>
    }
}
