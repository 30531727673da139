//! Who is logged in: one provider at the root of the app, read by the header and the pages.

use crate::accounts::CurrentUser;
use crate::accounts::api::{LogOut, get_current_user};
use crate::components::form::bump_on_success;
use crate::platform::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Who is logged in, provided once inside the router; the header and pages read it from context.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub log_out: ServerAction<LogOut>,
    changes: RwSignal<u32>,
    /// Bumped when notifications are marked read, so the header counts them again.
    inbox: RwSignal<u32>,
}

impl Auth {
    /// Made once, inside the router, by the app's layout.
    pub fn provide() -> Self {
        let log_out = ServerAction::<LogOut>::new();
        let changes = RwSignal::new(0);
        let user = Resource::new(move || (changes.get(), log_out.version().get()), |_| get_current_user());
        let auth = Auth { user, log_out, changes, inbox: RwSignal::new(0) };
        provide_context(auth);
        auth
    }

    /// Reloads who is logged in whenever `action` succeeds. Pages own their form actions
    /// (a failed plain form post hands its error only to actions made under the routes).
    pub fn refresh_after<S>(&self, action: ServerAction<S>)
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        bump_on_success(action, self.changes);
    }

    /// Has the header count unread notifications again whenever `action` succeeds.
    pub fn recount_inbox_after<S>(&self, action: ServerAction<S>)
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        bump_on_success(action, self.inbox);
    }

    /// Tracks the recounts `recount_inbox_after` asks for.
    pub fn track_inbox(&self) {
        self.inbox.track();
    }
}
