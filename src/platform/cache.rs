//! A small in-process cache of recent answers, for public reads that many visitors ask for
//! at once (an event page during a rush). Entries live a short, fixed time, so what a page
//! shows is at most that old; anything that must be exact (checkout) reads the database.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries kept at most; past it the cache starts over (a burst of distinct keys, e.g.
/// crawled searches, cannot grow memory without bound).
const MAX_ENTRIES: usize = 2_000;

type Entry = (Instant, Arc<dyn Any + Send + Sync>);

/// Cheap to clone; all clones share the entries.
#[derive(Clone, Default)]
pub struct RecentAnswers {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl RecentAnswers {
    /// The answer for `key` if one younger than `ttl` is kept, else what `load` returns
    /// (kept when it is `Ok`).
    pub async fn get_or_load<T, E, F, Fut>(&self, key: String, ttl: Duration, load: F) -> Result<T, E>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(hit) = self.fresh::<T>(&key, ttl) {
            return Ok(hit);
        }
        let value = load().await?;
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), Arc::new(value.clone())));
        Ok(value)
    }

    fn fresh<T: Clone + 'static>(&self, key: &str, ttl: Duration) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (at, value) = entries.get(key)?;
        if at.elapsed() > ttl {
            return None;
        }
        value.downcast_ref::<T>().cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_is_reused_while_fresh_and_loaded_again_after() {
        let cache = RecentAnswers::default();
        let load = |n: u32| move || async move { Ok::<u32, ()>(n) };
        assert_eq!(cache.get_or_load("k".into(), Duration::from_millis(50), load(1)).await, Ok(1));
        assert_eq!(cache.get_or_load("k".into(), Duration::from_millis(50), load(2)).await, Ok(1));
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(cache.get_or_load("k".into(), Duration::from_millis(50), load(3)).await, Ok(3));
    }

    #[tokio::test]
    async fn a_failed_load_is_not_kept() {
        let cache = RecentAnswers::default();
        let failed: Result<u32, &str> =
            cache.get_or_load("k".into(), Duration::from_secs(1), || async { Err("down") }).await;
        assert_eq!(failed, Err("down"));
        assert_eq!(cache.get_or_load("k".into(), Duration::from_secs(1), || async { Ok::<u32, &str>(7) }).await, Ok(7));
    }
}
