//! The door's lane: online camera scans wait here for a moment only if PostgreSQL is busy
//! with earlier ones, and are then judged together as one set (`batch::scan_set`).
//!
//! One worker takes scans from the queue: the first at once, together with whatever else is
//! already waiting, so a quiet door adds no wait and a busy one gets bigger sets. One set
//! at a time did best on two cores: 4,800 to 4,900 scans/s (p99 21 to 25 ms) against 3,200
//! to 3,500 with two or three workers, whose sets share the same cores and come out smaller.
//! The set also reads each scan's login session, so a scan asks nothing of the pool: a
//! session query per scan put up to 20 pool connections beside the set, on the same two
//! cores. Without them (and with the lane connected at start-up) the door went from 4,800 to
//! 5,500 scans/s with p99 19 to 31 ms, to 6,800 with p99 13 to 14 ms.
//! A set never waits on another server's: tickets locked elsewhere are skipped (`batch`).
//! A set that fails as a whole (a nonce another process records in the same instant, a lock
//! held too long, a lost connection ...) is judged again scan by scan by the caller, as if
//! the lane did not exist: a scan whose set did commit after all then finds its nonce
//! recorded and gets the set's answer.
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
use tokio::sync::{mpsc, oneshot};

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

/// The queue, shared by every request; the worker starts with the first scan.
#[derive(Clone)]
pub struct DoorLane {
    pool: PgPool,
    /// How long after log-in a session ends (`Config::session_lifetime`).
    session_lifetime: Duration,
    queue: Arc<OnceLock<mpsc::Sender<Queued>>>,
}

impl DoorLane {
    pub fn new(pool: PgPool, session_lifetime: Duration) -> Self {
        DoorLane { pool, session_lifetime, queue: Arc::new(OnceLock::new()) }
    }

    /// Starts the worker and its connection now rather than at the first scan.
    pub fn open(&self) {
        self.queue.get_or_init(|| start(&self.pool, self.session_lifetime));
    }

    /// Judges `scan` in the next set.
    pub async fn scan(&self, scan: SetScan) -> LaneAnswer {
        let queue = self.queue.get_or_init(|| start(&self.pool, self.session_lifetime));
        let (reply, answer) = oneshot::channel();
        if queue.try_send(Queued { scan, reply }).is_err() {
            return LaneAnswer::Alone;
        }
        // A worker that stopped dropped the reply: the scan is judged alone.
        answer.await.unwrap_or(LaneAnswer::Alone)
    }
}

fn start(pool: &PgPool, session_lifetime: Duration) -> mpsc::Sender<Queued> {
    let (sender, receiver) = mpsc::channel(MOST_WAITING);
    tokio::spawn(work(pool.clone(), session_lifetime, receiver));
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

async fn work(pool: PgPool, session_lifetime: Duration, mut queue: mpsc::Receiver<Queued>) {
    let mut connection = Connection::new(&pool);
    if let Err(error) = connection.get().await {
        tracing::warn!(%error, "the door's lane cannot connect yet; it tries again at the first scan");
    }
    loop {
        let Some(first) = queue.recv().await else { return };
        let mut waiting = vec![first];
        while waiting.len() < MOST_IN_A_SET {
            match queue.try_recv() {
                Ok(next) => waiting.push(next),
                Err(_) => break,
            }
        }
        // A retry sent while its first try still waits here: the first is judged in the set,
        // the retry alone after it, where it finds the first try's record.
        let mut nonces = HashSet::new();
        let (set, retries): (Vec<Queued>, Vec<Queued>) =
            waiting.into_iter().partition(|queued| nonces.insert(queued.scan.nonce));
        judge(&mut connection, set, session_lifetime).await;
        for retry in retries {
            let _ = retry.reply.send(LaneAnswer::Alone);
        }
    }
}

/// Judges one set and answers every scan in it.
async fn judge(connection: &mut Connection, set: Vec<Queued>, session_lifetime: Duration) {
    let scans: Vec<SetScan> = set.iter().map(|queued| queued.scan.clone()).collect();
    let judged = match connection.get().await {
        Ok(open) => match tokio::time::timeout(SET_TIMEOUT, batch::scan_set(open, &scans, session_lifetime)).await {
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
