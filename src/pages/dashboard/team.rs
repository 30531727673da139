use crate::components::form::{Field, FormAlert, Select, action_error, bump_on_success, field_error};
use crate::components::guard::AccessProblem;
use crate::organizations::Role;
use crate::team::api::{ChangeMemberRole, InviteMember, RemoveDoorStaff, RemoveMember, RevokeInvitation, get_team};
use crate::team::{INVITABLE_ROLES, TeamView};
use leptos::prelude::*;
use leptos_meta::Title;

/// The actions of the team page, shared by its tables.
#[derive(Clone, Copy)]
struct TeamActions {
    change_role: ServerAction<ChangeMemberRole>,
    remove: ServerAction<RemoveMember>,
    remove_door: ServerAction<RemoveDoorStaff>,
    revoke: ServerAction<RevokeInvitation>,
}

/// `/dashboard/team`: members and their roles, door staff of single events, and invitations.
#[component]
pub fn TeamPage() -> impl IntoView {
    let changes = RwSignal::new(0u32);
    let invite = ServerAction::<InviteMember>::new();
    let actions = TeamActions {
        change_role: ServerAction::new(),
        remove: ServerAction::new(),
        remove_door: ServerAction::new(),
        revoke: ServerAction::new(),
    };
    bump_on_success(invite, changes);
    bump_on_success(actions.change_role, changes);
    bump_on_success(actions.remove, changes);
    bump_on_success(actions.remove_door, changes);
    bump_on_success(actions.revoke, changes);
    let team = Resource::new(move || changes.get(), |_| get_team());
    let problem = Signal::derive(move || {
        [
            action_error(actions.change_role).get(),
            action_error(actions.remove).get(),
            action_error(actions.remove_door).get(),
            action_error(actions.revoke).get(),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    view! {
        <Title text="Team" />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading your team…"</p> }>
            {move || Suspend::new(async move {
                match team.await {
                    Ok(team) => view! {
                        <header class="page-header">
                            <p class="eyebrow"><a href="/dashboard">{team.organization_name.clone()}</a></p>
                            <h1>"Team"</h1>
                        </header>
                        <FormAlert error=problem />
                        <Members team=team.clone() actions />
                        <InviteForm team=team.clone() invite />
                        <Invitations team=team.clone() actions />
                        <DoorStaff team actions />
                    }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Members(team: TeamView, actions: TeamActions) -> impl IntoView {
    let owner = team.my_role == Role::Owner;
    view! {
        <section class="card" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>
                        {team.members.into_iter().map(|m| {
                            let user_id = m.user_id.to_string();
                            let remove_id = user_id.clone();
                            let may_change = owner || m.role != Role::Owner;
                            let choices: Vec<Role> = if owner { Role::ALL.to_vec() } else { INVITABLE_ROLES.to_vec() };
                            view! {
                                <tr>
                                    <td>{m.name.clone()} {m.is_me.then_some(" (you)")}<div class="muted small">{m.email.clone()}</div></td>
                                    <td>
                                        {if may_change {
                                            view! {
                                                <ActionForm action=actions.change_role attr:class="inline-form">
                                                    <input type="hidden" name="user_id" value=user_id.clone() />
                                                    <label class="visually-hidden" for=format!("role-{user_id}")>{format!("Role of {}", m.name)}</label>
                                                    <select id=format!("role-{user_id}") name="role">
                                                        {choices.into_iter().map(|r| view! { <option value=r.as_str() selected=r == m.role>{r.label()}</option> }).collect_view()}
                                                    </select>
                                                    <button type="submit" class="button button-secondary button-small">"Change"</button>
                                                </ActionForm>
                                            }.into_any()
                                        } else {
                                            view! { <span>{m.role.label()}</span> }.into_any()
                                        }}
                                    </td>
                                    <td>
                                        {may_change.then(|| view! {
                                            <ActionForm action=actions.remove>
                                                <input type="hidden" name="user_id" value=remove_id />
                                                <button type="submit" class="button button-secondary button-small">{if m.is_me { "Leave" } else { "Remove" }}</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn InviteForm(team: TeamView, invite: ServerAction<InviteMember>) -> impl IntoView {
    let error = action_error(invite);
    let roles = INVITABLE_ROLES.iter().rev().map(|r| (r.as_str().to_owned(), r.label().to_owned())).collect::<Vec<_>>();
    let mut events = vec![(String::new(), "The whole organization".to_owned())];
    events.extend(team.events.into_iter().map(|e| (e.id.to_string(), format!("Only the door of {}", e.name))));
    let sent = move || matches!(invite.value().get(), Some(Ok(()))).then_some("Invitation sent.");
    view! {
        <section class="card" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite someone"</h2>
            <ActionForm action=invite attr:novalidate=true>
                <FormAlert error />
                <p class="muted" role="status">{sent}</p>
                <div class="grid-2">
                    <Field label="Email" name="email" kind="email" id_prefix="invite" required=true error=field_error(error, "email") />
                    <Select label="Role" name="role" id_prefix="invite" options=roles error=field_error(error, "role") />
                    <Select label="Access" name="event_id" id_prefix="invite" options=events hint="Door staff of one event see only its check-in." error=field_error(error, "event_id") />
                </div>
                <button type="submit" class="button" disabled=move || invite.pending().get()>"Send invitation"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Invitations(team: TeamView, actions: TeamActions) -> impl IntoView {
    (!team.invitations.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="invitations-heading">
                <h2 id="invitations-heading">"Invitations"</h2>
                <ul class="plain-list">
                    {team.invitations.into_iter().map(|i| view! {
                        <li class="with-actions">
                            <span>
                                {i.email.clone()} " · " {i.role.label()}
                                {i.event_name.clone().map(|e| format!(" · door of {e}"))}
                                <span class="muted small">" · " {i.state.clone()}</span>
                            </span>
                            <ActionForm action=actions.revoke>
                                <input type="hidden" name="invitation_id" value=i.id.to_string() />
                                <button type="submit" class="button button-secondary button-small">"Withdraw"</button>
                            </ActionForm>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn DoorStaff(team: TeamView, actions: TeamActions) -> impl IntoView {
    (!team.door_staff.is_empty()).then(|| view! {
        <section class="card" aria-labelledby="door-heading">
            <h2 id="door-heading">"Door staff of one event"</h2>
            <ul class="plain-list">
                {team.door_staff.into_iter().map(|s| view! {
                    <li class="with-actions">
                        <span>{s.name.clone()} <span class="muted small">" · " {s.email.clone()} " · " {s.event_name.clone()}</span></span>
                        <ActionForm action=actions.remove_door>
                            <input type="hidden" name="event_id" value=s.event_id.to_string() />
                            <input type="hidden" name="user_id" value=s.user_id.to_string() />
                            <button type="submit" class="button button-secondary button-small">"Remove"</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    })
}
