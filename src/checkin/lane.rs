//! The door's lane: online camera scans wait here for a moment only if PostgreSQL is busy
//! with earlier ones, and are then judged together as one set (`batch::scan_set`).
//!
//! A worker takes scans from its queue: the first at once, together with whatever else is
//! already waiting, so a quiet door adds no wait and a busy one gets bigger sets. No set ever waits on another: tickets locked elsewhere are
//! skipped (`batch`), and a nonce already in a set (a phone's retry) is kept out of the
//! others. A set that fails as a whole (a nonce another process records in the same
//! instant, a lock held too long, a lost connection ...) is judged again scan by
//! scan by the caller, as if the lane did not exist: a scan whose set did commit after all
//! then finds its nonce recorded and gets the set's answer.
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
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// One set at a time. On two cores one worker judged 4,800 to 4,900 scans/s (p99 21 to
/// 25 ms) against 3,200 to 3,500 with two or three: sets side by side share the same cores
/// and come out smaller. Scans are routed by ticket, so with more workers two sets would
/// still never hold the same ticket.
const WORKERS: usize = 1;

/// The most scans in one set; more wait for the next.
const MOST_IN_A_SET: usize = 64;

/// Scans waiting beyond this many are judged alone at once.
const MOST_WAITING: usize = 4096;

/// A set that has not finished by then is given up (its connection closed) and its scans
/// judged alone, well before the request's own timeout and the phone's offline switch.
const SET_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a set waits for a row another transaction holds (the nonce of a retry sent to
/// another server) before it fails and its scans are judged alone.
const LOCK_TIMEOUT: &str = "500ms";

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
    queues: Arc<OnceLock<Vec<mpsc::Sender<Queued>>>>,
}

impl DoorLane {
    pub fn new(pool: PgPool) -> Self {
        DoorLane { pool, queues: Arc::new(OnceLock::new()) }
    }

    /// Judges `scan` in the next set.
    pub async fn scan(&self, scan: SetScan) -> LaneAnswer {
        let queues = self.queues.get_or_init(|| start(&self.pool));
        // Every scan of one ticket goes to the same worker: two sets never hold the same
        // ticket at once, so neither has to leave it to be judged alone (`batch`).
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        scan.secret.hash(&mut hasher);
        let Some(queue) = queues.get(hasher.finish() as usize % queues.len().max(1)) else {
            return LaneAnswer::Alone;
        };
        let (reply, answer) = oneshot::channel();
        if queue.try_send(Queued { scan, reply }).is_err() {
            return LaneAnswer::Alone;
        }
        // A worker that stopped dropped the reply: the scan is judged alone.
        answer.await.unwrap_or(LaneAnswer::Alone)
    }
}

fn start(pool: &PgPool) -> Vec<mpsc::Sender<Queued>> {
    let in_flight = InFlight::default();
    (0..WORKERS)
        .map(|_| {
            let (sender, receiver) = mpsc::channel(MOST_WAITING);
            tokio::spawn(work(pool.clone(), receiver, in_flight.clone()));
            sender
        })
        .collect()
}

/// The nonces of the scans being judged in sets right now, across workers.
#[derive(Clone, Default)]
struct InFlight(Arc<std::sync::Mutex<HashSet<Uuid>>>);

impl InFlight {
    /// Splits `set` into the scans this set may judge and those to judge alone after it: a
    /// retry sent while its first try is still being judged, here or in another set. Alone,
    /// it finds the first try's record.
    fn claim(&self, set: Vec<Queued>) -> (Vec<Queued>, Vec<Queued>) {
        let mut judging = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        set.into_iter().partition(|queued| judging.insert(queued.scan.nonce))
    }

    fn release(&self, scans: &[SetScan]) {
        let mut judging = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for scan in scans {
            judging.remove(&scan.nonce);
        }
    }
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
        let options = pool
            .connect_options()
            .as_ref()
            .clone()
            .application_name("eventos door lane")
            .options([("plan_cache_mode", "force_custom_plan"), ("lock_timeout", LOCK_TIMEOUT)]);
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

async fn work(pool: PgPool, mut queue: mpsc::Receiver<Queued>, in_flight: InFlight) {
    let mut connection = Connection::new(&pool);
    loop {
        let set = {
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
        let (set, retries) = in_flight.claim(set);
        let scans: Vec<SetScan> = set.iter().map(|queued| queued.scan.clone()).collect();
        judge(&mut connection, set, &scans).await;
        in_flight.release(&scans);
        for retry in retries {
            let _ = retry.reply.send(LaneAnswer::Alone);
        }
    }
}

/// Judges one set and answers every scan in it.
async fn judge(connection: &mut Connection, set: Vec<Queued>, scans: &[SetScan]) {
    let judged = match connection.get().await {
        Ok(open) => match tokio::time::timeout(SET_TIMEOUT, batch::scan_set(open, scans)).await {
            Ok(judged) => judged,
            Err(_) => Err(sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, "the set took too long"))),
        },
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
            // Whatever went wrong (the statement may even still be running), the next set
            // starts on a fresh connection.
            connection.open = None;
            for queued in set {
                let _ = queued.reply.send(LaneAnswer::Alone);
            }
        }
    }
}
