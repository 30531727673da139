//! Form fields that show their own error next to them, and a form-level alert.

use crate::platform::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The error of the last run of a server action, if it failed.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// Counts the successful runs of `action` into `counter`, so resources keyed on it reload.
pub fn bump_on_success<S>(action: ServerAction<S>, counter: RwSignal<u32>)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            counter.update(|n| *n += 1);
        }
    });
}

/// The message for one field out of an action's error.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field_message(field)))
}

/// The element id of a form field: unique on the page as long as prefixes are.
fn field_id(prefix: Option<&str>, name: &str) -> String {
    match prefix {
        Some(prefix) => format!("{prefix}-{name}"),
        None => format!("field-{name}"),
    }
}

/// The `aria-describedby` of an input: its hint and, while there is one, its error.
fn described_by(
    has_hint: bool,
    id: &str,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + use<> {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(hint_id.clone());
        }
        if error.get().is_some() {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// The hint and the error under a field, with the ids its input's `aria-describedby` names.
#[component]
fn FieldNotes(id: String, hint: Option<&'static str>, error: Signal<Option<String>>) -> impl IntoView {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    view! {
        {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
        {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
    }
}

/// A labelled input with its hint and error, wired up for screen readers.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    name: &'static str,
    /// Distinguishes fields of the same name when one page has several such forms.
    #[prop(optional, into)]
    id_prefix: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = field_id(id_prefix.as_deref(), name);
    let id_for_notes = id.clone();
    let described_by = described_by(hint.is_some(), &id, error);
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id.clone() class:required=required>{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                required=required
                aria-required=required.then_some("true")
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            <FieldNotes id=id_for_notes hint error />
        </div>
    }
}

/// A password input with a show/hide button that appears once the page is interactive.
#[component]
pub fn PasswordField(
    label: &'static str,
    name: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let visible = RwSignal::new(false);
    let id = format!("field-{name}");
    let id_for_notes = id.clone();
    let described_by = described_by(hint.is_some(), &id, error);
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id.clone() class="required">{label}</label>
            <div class="password-input">
                <input
                    id=id
                    name=name
                    type=move || if visible.get() { "text" } else { "password" }
                    autocomplete=autocomplete
                    required=true
                    aria-required="true"
                    aria-invalid=move || error.get().is_some().then_some("true")
                    aria-describedby=described_by
                />
                <button
                    type="button"
                    class="reveal"
                    aria-pressed=move || if visible.get() { "true" } else { "false" }
                    on:click=move |_| visible.update(|v| *v = !*v)
                >
                    {move || if visible.get() { "Hide password" } else { "Show password" }}
                </button>
            </div>
            <FieldNotes id=id_for_notes hint error />
        </div>
    }
}

/// The message for errors that belong to the whole form rather than one field.
#[component]
pub fn FormAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || match error.get()? {
        AppError::Validation(fields) => {
            fields.get("form").map(str::to_owned).or_else(|| Some(AppError::Validation(fields).to_string()))
        }
        other => Some(other.to_string()),
    };
    view! {
        <div class="form-alert" role="alert" aria-live="assertive">
            {move || message().map(|m| view! { <p>{m}</p> })}
        </div>
    }
}

/// A labelled multi-line text input.
#[component]
pub fn TextArea(
    label: &'static str,
    name: &'static str,
    /// Distinguishes fields of the same name when one page has several such forms.
    #[prop(optional, into)]
    id_prefix: Option<String>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 6)] rows: u32,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = field_id(id_prefix.as_deref(), name);
    let id_for_notes = id.clone();
    let described_by = described_by(hint.is_some(), &id, error);
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            >
                {value}
            </textarea>
            <FieldNotes id=id_for_notes hint error />
        </div>
    }
}

/// A labelled drop-down of `(value, label)` options.
#[component]
pub fn Select(
    label: &'static str,
    name: &'static str,
    /// Distinguishes fields of the same name when one page has several such forms.
    #[prop(optional, into)]
    id_prefix: Option<String>,
    options: Vec<(String, String)>,
    #[prop(optional, into)] selected: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = field_id(id_prefix.as_deref(), name);
    let id_for_notes = id.clone();
    let described_by = described_by(hint.is_some(), &id, error);
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-invalid=move || error.get().is_some().then_some("true") aria-describedby=described_by>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is_selected = selected.as_deref() == Some(value.as_str());
                        view! { <option value=value selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            <FieldNotes id=id_for_notes hint error />
        </div>
    }
}
