//! # lucia-bench
//!
//! Benchmarks of lucia (not published):
//!
//! - `benches/core.rs`: criterion micro-benchmarks of the core (token generation, validation on
//!   the memory store, a SQLite file, PostgreSQL and Redis, cookie/header parsing, the origin
//!   check, one Argon2id hash).
//! - `tests/round_trips.rs`: how many store calls one validation makes, counted with
//!   [`counting::CountingStore`].
//! - `src/bin/bench-server.rs`: one trivial protected route behind lucia-axum, axum-login +
//!   tower-sessions, or nothing, for `scripts/bench.sh` to load with `wrk`.
//!
//! See `BENCHMARKS.md` at the repository root for the method and the numbers.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod counting;
pub mod setup;
