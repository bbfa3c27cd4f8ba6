//! SQLite, PostgreSQL and MySQL/MariaDB stores for lucia (stub docs; see below).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod columns;
mod error;
mod schema;
mod store;

pub use columns::{Columns, Query};
pub use schema::{Dialect, Migrator, Tables};
pub use store::{Backend, SqlxStore};
