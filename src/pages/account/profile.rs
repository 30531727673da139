use crate::accounts::NewPassword;
use crate::accounts::api::{ChangePassword, UpdateProfile, get_profile};
use crate::components::auth::Auth;
use crate::components::form::{Field, FormAlert, PasswordField, action_error, bump_on_success, field_error};
use crate::components::guard::AccessProblem;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let saved = ServerAction::<UpdateProfile>::new();
    auth.refresh_after(saved);
    // Read again only after a save that worked: a refused one keeps what the person typed.
    let saves = RwSignal::new(0u32);
    bump_on_success(saved, saves);
    let loaded = Resource::new(move || saves.get(), |_| get_profile());
    let error = action_error(saved);
    let succeeded = move || matches!(saved.value().get(), Some(Ok(_)));
    view! {
        <Title text="Your profile" />
        <section class="card narrow">
            <h1>"Your profile"</h1>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading your profile…"</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                        Ok(current) => view! {
                            <ActionForm action=saved attr:novalidate=true>
                                <FormAlert error />
                                <p class="status" role="status">{move || succeeded().then_some("Your profile is saved.")}</p>
                                <p class="muted">"Signed in as " <strong>{current.email.clone()}</strong></p>
                                <Field label="Full name" name="full_name" autocomplete="name" required=true value=current.full_name.clone() error=field_error(error, "full_name") />
                                <Field label="Company" name="company" autocomplete="organization" value=current.company.clone().unwrap_or_default() error=field_error(error, "company") />
                                <Field label="Phone" name="phone" kind="tel" autocomplete="tel" value=current.phone.clone().unwrap_or_default() error=field_error(error, "phone") />
                                <Field
                                    label="Avatar URL"
                                    name="avatar_url"
                                    kind="url"
                                    hint="A link to a square picture of you, starting with https://."
                                    value=current.avatar_url.clone().unwrap_or_default()
                                    error=field_error(error, "avatar_url")
                                />
                                {current.avatar_url.clone().map(|url| view! { <img class="avatar" src=url alt="Your avatar" width="72" height="72" /> })}
                                <button type="submit" class="button" disabled=move || saved.pending().get()>
                                    {move || if saved.pending().get() { "Saving…" } else { "Save profile" }}
                                </button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <ChangePasswordForm />
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = action_error(change);
    let done = move || change.value().get().and_then(Result::ok);
    view! {
        <section class="card narrow">
            <h2>"Change your password"</h2>
            <ActionForm action=change attr:novalidate=true>
                <FormAlert error />
                <p class="status" role="status">{done}</p>
                <PasswordField label="Current password" name="current_password" autocomplete="current-password" error=field_error(error, "current_password") />
                <PasswordField label="New password" name="new_password" autocomplete="new-password" hint=NewPassword::HINT error=field_error(error, "new_password") />
                <button type="submit" class="button" disabled=move || change.pending().get()>
                    {move || if change.pending().get() { "Changing…" } else { "Change password" }}
                </button>
            </ActionForm>
        </section>
    }
}
