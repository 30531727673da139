//! What the door's parts share, and the way an attempt is judged: by the server while the
//! network answers within two seconds, otherwise by the phone's own copy, queued, and sent
//! when the network is back.

use crate::checkin::api::{admit_ticket, get_door_copy, get_door_counts, scan_ticket, undo_checkin, upload_door_scans};
use crate::checkin::offline::{DoorCopy, MAX_UPLOAD, QueuedScan};
use crate::checkin::{AttendeeHit, DoorCounts, ScanOutcome, TicketCode, Tone, Verdict};
use crate::pages::checkin::feedback::announce;
use crate::pages::checkin::store::{browser_online, load_copy, load_queue, local_clock, save_copy, save_queue, within};
use crate::platform::error::AppError;
use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

/// A request slower than this counts as no network: the door judges from its copy.
const PATIENCE_MS: u64 = 2000;
/// Longest wait for the copy or an upload, so a hung request never stops the heartbeat.
const REQUEST_LIMIT_MS: u64 = 15_000;
/// How often the copy asks the server for what changed.
const COPY_EVERY_MS: f64 = 15_000.0;
/// Most tickets the search tab lists from the phone's copy.
const SEARCH_HERE_LIMIT: usize = 25;

/// One attempt as made, kept so "Try again" resends it with the same nonce.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt {
    Code { code: String, nonce: Uuid, time: chrono::DateTime<Utc> },
    Ticket { ticket_id: Uuid, nonce: Uuid, collect: bool },
    Undo { checkin_id: Uuid, nonce: Uuid },
}

/// What the verdict area shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    Verdict {
        verdict: Verdict,
        offline: bool,
    },
    /// The request failed; the attempt may be sent again unchanged.
    Failed {
        message: String,
        retry: Option<Attempt>,
    },
}

/// The phone's offline side as the page shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Offline {
    /// The server answered the last request in time.
    pub online: bool,
    /// Tickets in the phone's copy; `None` until it has one.
    pub copied: Option<usize>,
    pub waiting: usize,
    /// Offline scans sent since the page opened, and the conflicts among them.
    pub synced: usize,
    pub conflicts: usize,
    /// Scans the server could not take at all (the list is gone, the door no longer ours).
    pub refused: usize,
}

#[derive(Clone, Copy)]
pub struct DoorState {
    pub event_id: Uuid,
    user_id: Uuid,
    pub list_id: RwSignal<Uuid>,
    pub device: RwSignal<String>,
    pub shown: RwSignal<Option<Shown>>,
    pub busy: RwSignal<bool>,
    pub counts: RwSignal<Option<DoorCounts>>,
    pub code_input: NodeRef<leptos::html::Input>,
    pub offline: RwSignal<Offline>,
    copy: StoredValue<DoorCopy>,
    queue: StoredValue<Vec<QueuedScan>>,
    /// The copy changed since it was last kept on the phone.
    copy_unsaved: StoredValue<bool>,
    copy_asked_at: StoredValue<f64>,
    ticking: StoredValue<bool>,
}

fn clock_ms() -> f64 {
    Utc::now().timestamp_millis() as f64
}

impl DoorState {
    pub fn new(user_id: Uuid, event_id: Uuid, list_id: Uuid) -> DoorState {
        DoorState {
            event_id,
            user_id,
            list_id: RwSignal::new(list_id),
            device: RwSignal::new(String::new()),
            shown: RwSignal::new(None),
            busy: RwSignal::new(false),
            counts: RwSignal::new(None),
            code_input: NodeRef::new(),
            offline: RwSignal::new(Offline { online: true, ..Offline::default() }),
            copy: StoredValue::new(DoorCopy::new(event_id, list_id)),
            queue: StoredValue::new(Vec::new()),
            copy_unsaved: StoredValue::new(false),
            copy_asked_at: StoredValue::new(f64::MIN),
            ticking: StoredValue::new(false),
        }
    }

    /// Takes up what this phone kept from earlier visits (browser only).
    pub fn restore(self) {
        let list_id = self.list_id.get_untracked();
        let copy = load_copy(self.user_id, self.event_id, list_id);
        let copied = (!copy.is_empty()).then(|| copy.len());
        self.copy.set_value(copy);
        self.queue.set_value(load_queue(self.user_id, self.event_id));
        let waiting = self.queue.with_value(Vec::len);
        self.offline.update(|o| {
            o.copied = copied;
            o.waiting = waiting;
        });
    }

    /// Another entrance was chosen: its copy replaces this one.
    pub fn switch_list(self, list_id: Uuid) {
        self.list_id.set(list_id);
        self.shown.set(None);
        self.copy.set_value(load_copy(self.user_id, self.event_id, list_id));
        self.copy_asked_at.set_value(f64::MIN);
        self.offline.update(|o| o.copied = None);
        self.tick();
    }

    pub fn send(self, attempt: Attempt) {
        if !self.is_online() {
            self.went_offline();
            self.judge_here(attempt);
            return;
        }
        self.busy.set(true);
        spawn_local(async move {
            let answer = within(PATIENCE_MS, self.ask(attempt.clone())).await;
            self.busy.set(false);
            match answer {
                None | Some(Err(AppError::Transport(_))) => {
                    self.went_offline();
                    self.judge_here(attempt);
                }
                Some(result) => {
                    if let Ok(verdict) = &result {
                        self.learn(verdict);
                    }
                    self.show(result, attempt);
                    self.tick();
                }
            }
            self.focus_code();
        });
    }

    async fn ask(self, attempt: Attempt) -> Result<Verdict, AppError> {
        let (event_id, list_id) = (self.event_id.to_string(), self.list_id.get_untracked().to_string());
        let device = Some(self.device.get_untracked());
        match attempt {
            Attempt::Code { code, nonce, time } => {
                scan_ticket(event_id, list_id, code, nonce.to_string(), device, Some(time.to_rfc3339()), None).await
            }
            Attempt::Ticket { ticket_id, nonce, collect } => {
                admit_ticket(event_id, list_id, ticket_id.to_string(), nonce.to_string(), device, Some(collect)).await
            }
            Attempt::Undo { checkin_id, nonce } => {
                undo_checkin(event_id, checkin_id.to_string(), nonce.to_string(), device).await
            }
        }
    }

    fn focus_code(self) {
        if let Some(input) = self.code_input.get_untracked() {
            let _ = input.focus();
        }
    }

    /// Keeps the copy in step with what the server just answered.
    fn learn(self, verdict: &Verdict) {
        let Some(ticket_id) = verdict.ticket_id else { return };
        match verdict.outcome {
            ScanOutcome::Admitted => {
                let how = format!("at {} on this phone", local_clock());
                self.copy.update_value(|copy| copy.admitted(ticket_id, how));
            }
            ScanOutcome::Undone => self.copy.update_value(|copy| copy.undone(ticket_id)),
            _ => return,
        }
        self.copy_unsaved.set_value(true);
    }

    fn show(self, result: Result<Verdict, AppError>, attempt: Attempt) {
        let shown = match result {
            Ok(verdict) => {
                announce(verdict.outcome.tone());
                Shown::Verdict { verdict, offline: false }
            }
            Err(error) => {
                announce(Tone::Stop);
                let message = error.field_message("code").unwrap_or_else(|| error.to_string());
                let retry =
                    matches!(error, AppError::Transport(_) | AppError::Internal | AppError::Busy).then_some(attempt);
                Shown::Failed { message, retry }
            }
        };
        self.shown.set(Some(shown));
    }

    /// The search tab without the network: the phone's copy, by name or ticket number.
    pub fn search_here(self, query: &str) -> Vec<AttendeeHit> {
        self.copy.with_value(|copy| {
            copy.search(query, SEARCH_HERE_LIMIT)
                .into_iter()
                .map(|t| AttendeeHit {
                    ticket_id: t.id,
                    attendee_name: t.who.clone(),
                    email: String::new(),
                    tier: String::new(),
                    ticket_number: t.number.clone(),
                    order_number: String::new(),
                    state: match (&t.admitted, t.standing) {
                        (Some(how), _) => format!("Checked in {how}"),
                        (None, ScanOutcome::Admitted) => "Valid".to_owned(),
                        (None, standing) => standing.label().to_owned(),
                    },
                    admitted: t.admitted.is_some(),
                })
                .collect()
        })
    }

    pub fn is_online(self) -> bool {
        self.offline.get_untracked().online && browser_online()
    }

    fn went_offline(self) {
        self.offline.update(|o| o.online = false);
    }

    /// Judges an attempt from the phone's copy and queues it for the server.
    fn judge_here(self, attempt: Attempt) {
        let now = Utc::now();
        let (target, nonce, collect, time) = match &attempt {
            Attempt::Code { code, nonce, time } => match TicketCode::parse(code) {
                Ok(parsed) => (Ok((parsed, code.clone())), *nonce, false, *time),
                Err(message) => {
                    announce(Tone::Stop);
                    self.shown.set(Some(Shown::Failed { message, retry: None }));
                    return;
                }
            },
            Attempt::Ticket { ticket_id, nonce, collect } => (Err(*ticket_id), *nonce, *collect, now),
            Attempt::Undo { .. } => {
                announce(Tone::Stop);
                let message = "Undo needs the network. Try again when the phone is back online.".to_owned();
                self.shown.set(Some(Shown::Failed { message, retry: Some(attempt) }));
                return;
            }
        };
        let verdict = self.copy.with_value(|copy| {
            let ticket = match &target {
                Ok((code, _)) => copy.find(code),
                Err(id) => copy.find_id(*id),
            };
            copy.judge(ticket, collect, now)
        });
        if let (ScanOutcome::Admitted, Some(ticket_id)) = (verdict.outcome, verdict.ticket_id) {
            let how = format!("at {} on this phone, offline", local_clock());
            self.copy.update_value(|copy| copy.admitted(ticket_id, how));
            self.copy_unsaved.set_value(true);
        }
        let queued = QueuedScan {
            list_id: self.list_id.get_untracked(),
            // A ticket picked in search is named even when the copy does not know it.
            ticket_id: verdict.ticket_id.or(target.as_ref().err().copied()),
            code: match (&target, verdict.ticket_id) {
                (Ok((_, typed)), None) => Some(typed.clone()),
                _ => None,
            },
            nonce,
            client_time: time,
            shown: verdict.outcome,
            collect,
            device: self.device.get_untracked(),
        };
        // A retried attempt is queued once.
        self.queue.update_value(|queue| {
            if !queue.iter().any(|q| q.nonce == nonce) {
                queue.push(queued);
            }
        });
        self.queue_changed();
        announce(verdict.outcome.tone());
        self.shown.set(Some(Shown::Verdict { verdict, offline: true }));
    }

    fn queue_changed(self) {
        let waiting = self.queue.with_value(|queue| {
            save_queue(self.user_id, self.event_id, queue);
            queue.len()
        });
        self.offline.update(|o| o.waiting = waiting);
    }

    /// The door's heartbeat: the counter, then waiting scans, then the copy. Its answers
    /// also tell whether the network is back.
    pub fn tick(self) {
        if self.ticking.get_value() {
            return;
        }
        self.ticking.set_value(true);
        spawn_local(async move {
            let online = browser_online() && self.refresh_counts().await;
            self.offline.update(|o| o.online = online);
            // Only a copy with nothing waiting is refreshed: the server's answer for a ticket
            // must not wipe out an admission this phone made and has not sent yet.
            if online && self.upload().await && self.queue.with_value(Vec::is_empty) {
                self.refresh_copy().await;
            }
            if self.copy_unsaved.get_value() {
                self.copy_unsaved.set_value(false);
                self.copy.with_value(|copy| save_copy(self.user_id, copy));
            }
            self.ticking.set_value(false);
        });
    }

    /// `false` when the server could not be reached in time.
    async fn refresh_counts(self) -> bool {
        let (event_id, list_id) = (self.event_id.to_string(), self.list_id.get_untracked().to_string());
        match within(PATIENCE_MS, get_door_counts(event_id, list_id)).await {
            Some(Ok(counts)) => {
                self.counts.set(Some(counts));
                true
            }
            None | Some(Err(AppError::Transport(_))) => false,
            Some(Err(error)) => {
                leptos::logging::warn!("the door counter could not be read: {error}");
                true
            }
        }
    }

    /// Sends waiting scans, oldest first; `false` when the network failed on the way.
    async fn upload(self) -> bool {
        let batch: Vec<QueuedScan> = self.queue.with_value(|q| q.iter().take(MAX_UPLOAD).cloned().collect());
        if batch.is_empty() {
            return true;
        }
        match within(REQUEST_LIMIT_MS, upload_door_scans(self.event_id.to_string(), batch)).await {
            None => {
                leptos::logging::warn!("waiting scans took too long to send; they stay queued");
                self.went_offline();
                false
            }
            Some(Ok(answers)) => {
                let conflicts = answers.iter().filter(|a| a.conflict).count();
                let refused = answers.iter().filter(|a| a.refused.is_some()).count();
                for answer in answers.iter().filter(|a| a.refused.is_some()) {
                    leptos::logging::error!("the server refused a waiting scan: {:?}", answer.refused);
                }
                self.queue.update_value(|queue| queue.retain(|q| !answers.iter().any(|a| a.nonce == q.nonce)));
                self.queue_changed();
                self.offline.update(|o| {
                    o.synced += answers.len() - refused;
                    o.conflicts += conflicts;
                    o.refused += refused;
                });
                // What the server made of them comes back with the next copy.
                self.copy_asked_at.set_value(f64::MIN);
                true
            }
            Some(Err(AppError::Transport(error))) => {
                leptos::logging::warn!("waiting scans could not be sent: {error}");
                self.went_offline();
                false
            }
            Some(Err(error)) => {
                // Kept, and tried again on the next tick; the organizer sees them once sent.
                leptos::logging::error!("the server refused the waiting scans: {error}");
                false
            }
        }
    }

    async fn refresh_copy(self) {
        if clock_ms() - self.copy_asked_at.get_value() < COPY_EVERY_MS {
            return;
        }
        self.copy_asked_at.set_value(clock_ms());
        let list_id = self.list_id.get_untracked();
        let since = self.copy.with_value(|c| (c.list_id == list_id && !c.cursor.is_empty()).then(|| c.cursor.clone()));
        let asked = get_door_copy(self.event_id.to_string(), list_id.to_string(), since);
        match within(REQUEST_LIMIT_MS, asked).await {
            // Scanned offline while the copy was on its way: its answer could forget those
            // admissions; the next tick asks again once they are sent.
            Some(Ok(_)) if !self.queue.with_value(Vec::is_empty) => self.copy_asked_at.set_value(f64::MIN),
            Some(Ok(changes)) if changes.list_id == self.list_id.get_untracked() => {
                let copied = self.copy.try_update_value(|copy| {
                    copy.apply(changes);
                    copy.len()
                });
                self.offline.update(|o| o.copied = copied);
                self.copy_unsaved.set_value(true);
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                self.copy_asked_at.set_value(f64::MIN);
                leptos::logging::warn!("the door's offline copy could not be refreshed: {error}");
            }
            None => {
                self.copy_asked_at.set_value(f64::MIN);
                leptos::logging::warn!("the door's offline copy took too long to arrive");
            }
        }
    }
}
