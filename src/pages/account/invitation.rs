use crate::components::auth::Auth;
use crate::components::form::{Field, FormAlert, PasswordField, action_error, field_error};
use crate::components::guard::AccessProblem;
use crate::organizations::Role;
use crate::team::api::{AcceptInvitation, AcceptInvitationNewAccount, get_invitation};
use crate::team::{InvitationPreview, InvitationState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/invitations/{token}`: the link in an invitation e-mail. The invited person logs in (or
/// creates their account right here) and joins.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let invitation = Resource::new(token, get_invitation);
    view! {
        <Title text="Invitation" />
        <section class="auth-card">
            <Suspense fallback=|| view! { <p aria-busy="true">"Opening the invitation…"</p> }>
                {move || Suspend::new(async move {
                    match invitation.await {
                        Ok(preview) => view! { <Invitation preview token=token() /> }.into_any(),
                        Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Invitation(preview: InvitationPreview, token: String) -> impl IntoView {
    let what = match (&preview.event_name, preview.role) {
        (Some(event), _) => format!("check attendees in at {event}"),
        (None, Role::Admin) => "help run its events as an admin".to_owned(),
        (None, _) => "check attendees in at its events".to_owned(),
    };
    let heading = format!("Join {}", preview.organization_name);
    let intro = format!("{} invited {} to {what}.", preview.invited_by, preview.email);
    let body = match preview.state {
        InvitationState::Open => view! { <Accept preview token /> }.into_any(),
        InvitationState::Expired => view! { <p class="notice">"This invitation has expired. Ask the organizer to send a new one."</p> }.into_any(),
        InvitationState::Used => view! { <p class="notice">"This invitation was already used. " <a href="/login">"Log in"</a> " to reach your team."</p> }.into_any(),
        InvitationState::Revoked => view! { <p class="notice">"This invitation was withdrawn. Ask the organizer to send a new one."</p> }.into_any(),
    };
    view! {
        <h1>{heading}</h1>
        <p>{intro}</p>
        {body}
    }
}

#[component]
fn Accept(preview: InvitationPreview, token: String) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let accept = ServerAction::<AcceptInvitation>::new();
    let create = ServerAction::<AcceptInvitationNewAccount>::new();
    auth.refresh_after(accept);
    auth.refresh_after(create);
    let accept_error = action_error(accept);
    let create_error = action_error(create);
    let here = format!("/invitations/{token}");
    match preview.signed_in_as {
        Some(email) if email.eq_ignore_ascii_case(&preview.email) => view! {
            <ActionForm action=accept>
                <FormAlert error=accept_error />
                <input type="hidden" name="token" value=token />
                <button type="submit" class="button">"Accept and join"</button>
            </ActionForm>
        }
        .into_any(),
        Some(email) => view! {
            <p class="notice">
                {format!("You are logged in as {email}, but this invitation is for {}. Log out, then log in with that address.", preview.email)}
            </p>
        }
        .into_any(),
        None if preview.has_account => view! {
            <p><a class="button" href=format!("/login?next={here}")>"Log in to accept"</a></p>
        }
        .into_any(),
        None => view! {
            <p class="muted">"Create your account to accept. Already have one? " <a href=format!("/login?next={here}")>"Log in"</a></p>
            <ActionForm action=create attr:novalidate=true>
                <FormAlert error=create_error />
                <input type="hidden" name="token" value=token />
                <Field label="Full name" name="full_name" autocomplete="name" required=true error=field_error(create_error, "full_name") />
                <PasswordField label="Choose a password" name="password" autocomplete="new-password" hint="At least 12 characters." error=field_error(create_error, "password") />
                <button type="submit" class="button" disabled=move || create.pending().get()>"Create account and join"</button>
            </ActionForm>
        }
        .into_any(),
    }
}
