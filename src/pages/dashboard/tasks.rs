//! `/dashboard/events/{id}/tasks`: the event's planning board. The assistant writes the
//! checklist; the team moves tasks from "To do" to "Done", renames and assigns them.

use crate::assistant::api::{StartConversation, UpdateTask, get_task_board};
use crate::assistant::{TaskBoard, TaskStatus, TaskView};
use crate::components::form::{FormAlert, action_error, bump_on_success};
use crate::components::guard::AccessProblem;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

#[component]
pub fn TaskBoardPage() -> impl IntoView {
    let params = use_params_map();
    let version = RwSignal::new(0u32);
    let update = ServerAction::<UpdateTask>::new();
    let ask = ServerAction::<StartConversation>::new();
    bump_on_success(update, version);
    let board = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), version.get()),
        |(id, _)| get_task_board(id),
    );
    view! {
        <Title text="Planning tasks" />
        <FormAlert error=action_error(update) />
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(board) => view! { <Board board update ask /> }.into_any(),
                    Err(problem) => view! { <AccessProblem error=problem /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Board(board: TaskBoard, update: ServerAction<UpdateTask>, ask: ServerAction<StartConversation>) -> impl IntoView {
    let TaskBoard { event_id, event_name, tasks, members } = board;
    let empty = tasks.is_empty();
    view! {
        <header class="page-header">
            <p class="eyebrow"><a href=format!("/dashboard/events/{event_id}")>{event_name}</a></p>
            <h1>"Planning tasks"</h1>
        </header>
        {empty.then(|| view! {
            <div class="empty-state">
                <p>"No tasks yet. Ask the assistant to “generate the planning tasks”: it writes a checklist from the event's kind, size and date."</p>
                <ActionForm action=ask attr:class="inline-form">
                    <input type="hidden" name="event_id" value=event_id.to_string() />
                    <button type="submit" class="button">"Ask the assistant"</button>
                </ActionForm>
            </div>
        })}
        <div class="task-board" data-testid="task-board">
            {TaskStatus::ALL.iter().map(|status| {
                let column: Vec<TaskView> = tasks.iter().filter(|t| t.status == *status).cloned().collect();
                let members = members.clone();
                view! {
                    <section class="task-column" aria-label=status.label()>
                        <h2>{status.label()} " " <span class="muted">{column.len()}</span></h2>
                        <ol>
                            {column.into_iter().map(|task| view! { <Task task members=members.clone() update /> }).collect_view()}
                        </ol>
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Task(task: TaskView, members: Vec<(Uuid, String)>, update: ServerAction<UpdateTask>) -> impl IntoView {
    let id = task.id.to_string();
    let title_id = format!("task-{id}-title");
    let status_id = format!("task-{id}-status");
    let assignee_id = format!("task-{id}-assignee");
    view! {
        <li class="task" data-testid="task">
            <strong>{task.title.clone()}</strong>
            <p class="muted">
                <span class="badge">{task.category}</span> " " {format!("{} priority · due {}", task.priority, task.due)}
                {task.assignee.map(|name| format!(" · {name}"))}
            </p>
            <ActionForm action=update>
                <input type="hidden" name="task_id" value=id />
                <label for=title_id.clone() class="visually-hidden">"Title"</label>
                <input id=title_id name="title" value=task.title maxlength="200" />
                <label for=status_id.clone() class="visually-hidden">"Column"</label>
                <select id=status_id name="status">
                    {TaskStatus::ALL.iter().map(|s| view! {
                        <option value=s.as_str() selected=*s == task.status>{s.label()}</option>
                    }).collect_view()}
                </select>
                <label for=assignee_id.clone() class="visually-hidden">"Assigned to"</label>
                <select id=assignee_id name="assignee_id">
                    <option value="" selected=task.assignee_id.is_none()>"Nobody"</option>
                    {members.into_iter().map(|(user_id, name)| view! {
                        <option value=user_id.to_string() selected=task.assignee_id == Some(user_id)>{name}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="button button-secondary button-small">"Save"</button>
            </ActionForm>
        </li>
    }
}
