//! Background workers (the mail worker, the hold sweeper, the hourly purge) run under a
//! supervisor: a worker that panics is logged as an error and started again, so one bad
//! message or row never silences e-mail or the sweeper until the next restart.

use std::future::Future;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How long a crashed worker waits before it starts again.
const RESTART_DELAY: Duration = Duration::from_secs(1);

/// Runs the worker `start` makes, and starts it again whenever it panics. A worker that
/// returns normally is done.
pub fn supervise<F, Fut>(name: &'static str, start: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    supervise_with_delay(name, start, RESTART_DELAY)
}

fn supervise_with_delay<F, Fut>(name: &'static str, start: F, delay: Duration) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            match tokio::spawn(start()).await {
                Ok(()) => return,
                Err(error) if error.is_panic() => {
                    tracing::error!(worker = name, %error, "background worker panicked; starting it again");
                    tokio::time::sleep(delay).await;
                }
                Err(error) => {
                    tracing::error!(worker = name, %error, "background worker stopped");
                    return;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_worker_that_panics_is_started_again() {
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = runs.clone();
        let supervisor = supervise_with_delay(
            "test",
            move || {
                let counted = counted.clone();
                async move {
                    if counted.fetch_add(1, Ordering::SeqCst) < 2 {
                        panic!("a bad row");
                    }
                }
            },
            Duration::from_millis(1),
        );
        tokio::time::timeout(Duration::from_secs(5), supervisor).await.unwrap().unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 3, "two panics, then a clean run");
    }
}
