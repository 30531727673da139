//! The door's lane: online camera scans wait here for a moment only if PostgreSQL is busy
//! with earlier ones, and are then judged together as one set (`batch::scan_set`).
//!
//! A few workers take scans from one queue. A worker that is free takes the first scan at
//! once, together with whatever else is already waiting, so a quiet door adds no wait and a
//! busy one gets bigger sets. A set that fails as a whole (a nonce another process records
//! in the same instant, a deadlock with a refund ...) writes nothing, and each of its scans
//! is then judged on its own by the caller, as if the lane did not exist.
//!
//! Each worker keeps its own connection, outside the pool, on which every set is planned
//! for the tables as they are now (`plan_cache_mode`). A plan cached when the door opened
//! saw empty admission and scan tables and hashed them whole on every later set: at 40,000
//! scans that halved the door's throughput (perf: a third of PostgreSQL's time hashing).
//! Planning costs about a millisecond per set, shared by its scans. A connection of its own
//! also skips the pool's check on every return.

use crate::checkin::batch::{self, SetAnswer, SetScan};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection as _, PgConnection, PgPool};
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot};

/// Sets run side by side: enough to keep both of PostgreSQL's cores busy while the server
/// reads the last answers.
const WORKERS: usize = 3;

/// The most scans in one set; more wait for the next.
const MOST_IN_A_SET: usize = 64;

/// What the lane says about one scan.
pub enum LaneAnswer {
    Set(Box<SetAnswer>),
    /// Judge it on its own: its set failed, its nonce was already in the set, or the lane
    /// is not running.
    Alone,
}

struct Queued {
    scan: SetScan,
    reply: oneshot::Sender<LaneAnswer>,
}

/// The queue, shared by every request; workers start with the first scan.
#[derive(Clone)]
pub struct DoorLane {
    pool: PgPool,
    queue: Arc<OnceLock<mpsc::UnboundedSender<Queued>>>,
}

impl DoorLane {
    pub fn new(pool: PgPool) -> Self {
        DoorLane { pool, queue: Arc::new(OnceLock::new()) }
    }

    /// Judges `scan` in the next set.
    pub async fn scan(&self, scan: SetScan) -> LaneAnswer {
        let queue = self.queue.get_or_init(|| start(&self.pool));
        let (reply, answer) = oneshot::channel();
        if queue.send(Queued { scan, reply }).is_err() {
            return LaneAnswer::Alone;
        }
        // A worker that stopped dropped the reply: the scan is judged alone.
        answer.await.unwrap_or(LaneAnswer::Alone)
    }
}

fn start(pool: &PgPool) -> mpsc::UnboundedSender<Queued> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let receiver = Arc::new(Mutex::new(receiver));
    for _ in 0..WORKERS {
        tokio::spawn(work(pool.clone(), receiver.clone()));
    }
    sender
}

/// How long a worker waits for PostgreSQL to accept its connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A worker's own connection, opened when first needed and again after any failure.
struct Connection {
    options: PgConnectOptions,
    open: Option<PgConnection>,
}

impl Connection {
    fn new(pool: &PgPool) -> Self {
        let options = pool.connect_options().as_ref().clone().options([("plan_cache_mode", "force_custom_plan")]);
        Connection { options, open: None }
    }

    async fn get(&mut self) -> Result<&mut PgConnection, sqlx::Error> {
        if self.open.is_none() {
            let connecting = PgConnection::connect_with(&self.options);
            let connected = tokio::time::timeout(CONNECT_TIMEOUT, connecting).await.map_err(|_| {
                sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, "connecting to PostgreSQL timed out"))
            })??;
            self.open = Some(connected);
        }
        self.open.as_mut().ok_or(sqlx::Error::PoolClosed)
    }
}

async fn work(pool: PgPool, queue: Arc<Mutex<mpsc::UnboundedReceiver<Queued>>>) {
    let mut connection = Connection::new(&pool);
    loop {
        let set = {
            let mut queue = queue.lock().await;
            let Some(first) = queue.recv().await else { return };
            let mut set = vec![first];
            while set.len() < MOST_IN_A_SET {
                match queue.try_recv() {
                    Ok(next) => set.push(next),
                    Err(_) => break,
                }
            }
            set
        };
        judge(&mut connection, set).await;
    }
}

/// Judges one set and answers every scan in it.
async fn judge(connection: &mut Connection, set: Vec<Queued>) {
    // A retry sent while its first try still waits here: the first is judged in the set, the
    // retry alone after it, where it finds the first's record.
    let mut nonces = HashSet::new();
    let (set, retries): (Vec<Queued>, Vec<Queued>) = set.into_iter().partition(|q| nonces.insert(q.scan.nonce));
    let scans: Vec<SetScan> = set.iter().map(|q| q.scan.clone()).collect();
    let judged = match connection.get().await {
        Ok(open) => batch::scan_set(open, &scans).await,
        Err(error) => Err(error),
    };
    match judged {
        Ok(answers) => {
            for (queued, answer) in set.into_iter().zip(answers) {
                let _ = queued.reply.send(LaneAnswer::Set(Box::new(answer)));
            }
        }
        Err(error) => {
            tracing::warn!(%error, scans = scans.len(), "a set of door scans failed; judging each alone");
            // Whatever went wrong, the next set starts on a fresh connection.
            connection.open = None;
            for queued in set {
                let _ = queued.reply.send(LaneAnswer::Alone);
            }
        }
    }
    for retry in retries {
        let _ = retry.reply.send(LaneAnswer::Alone);
    }
}
