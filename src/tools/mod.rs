//! Commands of the binary that are not the web server: the demo data (`eventos seed`, also
//! loaded into an empty database by `serve` when `SEED_DEMO` is on) and the checkout load
//! test (`eventos bench`) and the door load test (`eventos bench checkin`). They use the domains like any other caller.

pub mod bench;
pub mod bench_checkin;
pub mod seed;
