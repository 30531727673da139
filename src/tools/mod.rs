//! Commands of the binary that are not the web server: the demo data and its past weeks of
//! sales (`eventos seed`, also loaded into an empty database by `serve` when `SEED_DEMO` is on) and the checkout load
//! test (`eventos bench`), the door load test (`eventos bench checkin`), the dashboard at
//! an organization's size (`eventos bench dashboard`) and the built-in
//! assistant's reading of messages (`eventos assistant eval`). They use the domains like any
//! other caller.

pub mod assistant_eval;
pub mod bench;
pub mod bench_checkin;
pub mod bench_dashboard;
pub mod seed;
mod seed_history;
