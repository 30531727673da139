//! What the door keeps on the phone between visits: the copy it judges offline scans from,
//! and the scans waiting to be sent. Also the helpers the door needs from the browser:
//! a time limit on a request, the local clock, and the service worker that keeps the page
//! itself available offline. On the server these do nothing.

use crate::checkin::offline::{DoorCopy, QueuedScan};
use std::future::Future;
use uuid::Uuid;

/// One copy per person at a time (the event and list open now): a copy of 10,000 tickets
/// is about a megabyte, and the browser gives a site about five. Kept per person, so whoever
/// uses the phone next neither sees nor sends the previous person's door.
fn copy_key(user_id: Uuid) -> String {
    format!("eventos.door.copy.{user_id}")
}

fn queue_key(user_id: Uuid, event_id: Uuid) -> String {
    format!("eventos.door.queue.{user_id}.{event_id}")
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

#[cfg(feature = "hydrate")]
fn read<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    let text = storage()?.get_item(key).ok().flatten()?;
    match serde_json::from_str(&text) {
        Ok(value) => Some(value),
        Err(error) => {
            leptos::logging::warn!("the door's stored {key} could not be read: {error}");
            None
        }
    }
}

#[cfg(feature = "hydrate")]
fn write<T: serde::Serialize>(key: &str, value: &T) {
    let saved = serde_json::to_string(value)
        .map_err(|e| e.to_string())
        .and_then(|text| storage().ok_or("no storage".to_owned())?.set_item(key, &text).map_err(|e| format!("{e:?}")));
    if let Err(error) = saved {
        leptos::logging::warn!("the door could not keep {key} on this phone: {error}");
    }
}

/// The copy kept for this person, event and list, or an empty one.
pub fn load_copy(user_id: Uuid, event_id: Uuid, list_id: Uuid) -> DoorCopy {
    #[cfg(feature = "hydrate")]
    if let Some(mut copy) =
        read::<DoorCopy>(&copy_key(user_id)).filter(|c| c.event_id == event_id && c.list_id == list_id)
    {
        copy.index();
        return copy;
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = copy_key(user_id);
    DoorCopy::new(event_id, list_id)
}

pub fn save_copy(user_id: Uuid, copy: &DoorCopy) {
    #[cfg(feature = "hydrate")]
    write(&copy_key(user_id), copy);
    #[cfg(not(feature = "hydrate"))]
    let _ = (user_id, copy);
}

/// The scans of this event waiting to be sent, oldest first.
pub fn load_queue(user_id: Uuid, event_id: Uuid) -> Vec<QueuedScan> {
    #[cfg(feature = "hydrate")]
    if let Some(queue) = read(&queue_key(user_id, event_id)) {
        return queue;
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = queue_key(user_id, event_id);
    Vec::new()
}

pub fn save_queue(user_id: Uuid, event_id: Uuid, queue: &[QueuedScan]) {
    #[cfg(feature = "hydrate")]
    write(&queue_key(user_id, event_id), &queue);
    #[cfg(not(feature = "hydrate"))]
    let _ = (user_id, event_id, queue);
}

/// `future`'s output, or `None` when it took longer than `millis`.
pub async fn within<T>(millis: u64, future: impl Future<Output = T>) -> Option<T> {
    let (done, timed_out) = futures::channel::oneshot::channel::<()>();
    leptos::prelude::set_timeout(
        move || {
            let _ = done.send(());
        },
        std::time::Duration::from_millis(millis),
    );
    let future = std::pin::pin!(future);
    match futures::future::select(future, timed_out).await {
        futures::future::Either::Left((output, _)) => Some(output),
        futures::future::Either::Right(_) => None,
    }
}

/// Whether the browser believes it has a network at all.
pub fn browser_online() -> bool {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        return window.navigator().on_line();
    }
    true
}

/// "19:02" on the phone's clock.
pub fn local_clock() -> String {
    chrono::Local::now().format("%H:%M").to_string()
}

/// Registers the service worker that keeps the door's pages and code on the phone, so the
/// door opens again without the network, and hands it what this page loaded before it was
/// in charge.
pub fn register_service_worker() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        use web_sys::js_sys::{Array, Object, Reflect};

        let Some(window) = web_sys::window() else { return };
        let workers = window.navigator().service_worker();
        let options = web_sys::RegistrationOptions::new();
        options.set_scope("/checkin");
        let registration = workers.register_with_options("/door-sw.js", &options);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = JsFuture::from(registration).await {
                leptos::logging::warn!("the door cannot work offline on this browser: {error:?}");
                return;
            }
            let Ok(ready) = workers.ready() else { return };
            let Ok(ready) = JsFuture::from(ready).await else { return };
            let Some(worker) = ready.dyn_into::<web_sys::ServiceWorkerRegistration>().ok().and_then(|r| r.active())
            else {
                return;
            };
            let keep = Array::new();
            if let Ok(page) = window.location().href() {
                keep.push(&page.into());
            }
            if let Some(performance) = window.performance() {
                for entry in performance.get_entries_by_type("resource").iter() {
                    let name = Reflect::get(&entry, &"name".into()).ok().and_then(|n| n.as_string());
                    if let Some(name) = name.filter(|n| n.contains("/pkg/")) {
                        keep.push(&name.into());
                    }
                }
            }
            let message = Object::new();
            if Reflect::set(&message, &"keep".into(), &keep).is_ok() && worker.post_message(&message).is_err() {
                leptos::logging::warn!("the door's service worker did not take the page's files");
            }
        });
    }
}
