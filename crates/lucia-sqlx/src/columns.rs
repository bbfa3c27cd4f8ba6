//! How the app describes its attribute columns.
//!
//! User and session attributes are **real columns** of the user and session tables — a
//! unique, indexed `email`, a nullable `display_name`, an `ip` — so SQL can index, constrain
//! and query them. The app tells the store which columns there are and how to bind and read
//! them by implementing [`Columns`] for its attribute type, once per database it uses:
//!
//! ```
//! # #[cfg(feature = "postgres")] {
//! use lucia_sqlx::{Columns, Query};
//! use sqlx::{Postgres, Row, postgres::PgRow};
//!
//! #[derive(Clone, Debug, PartialEq)]
//! struct Profile {
//!     email: String,
//!     display_name: Option<String>,
//! }
//!
//! impl Columns<Postgres> for Profile {
//!     const COLUMNS: &'static [&'static str] = &["email", "display_name"];
//!
//!     fn bind<'q>(&'q self, query: Query<'q, Postgres>) -> Query<'q, Postgres> {
//!         query.bind(&self.email).bind(&self.display_name)
//!     }
//!
//!     fn decode(row: &PgRow, first: usize) -> sqlx::Result<Self> {
//!         Ok(Self { email: row.try_get(first)?, display_name: row.try_get(first + 1)? })
//!     }
//! }
//! # }
//! ```
//!
//! Why a trait rather than `FromRow` plus hooks: the store builds every statement once, at
//! construction, from these static names (never from input), binds values positionally and
//! reads them positionally from joined rows where a user's and a session's columns sit side
//! by side — so the same three small functions serve inserts, updates, selects and the
//! validation join. Columns are bound and read in the order of `COLUMNS`.
//!
//! `()` implements `Columns` with no columns, for apps without attributes.

use sqlx::Database;

/// A query whose arguments are being bound.
pub type Query<'q, DB> = sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>;

/// Attribute columns of the user table or the session table.
pub trait Columns<DB: Database>: Sized + Clone + Send + Sync + Unpin + 'static {
    /// The column names, in the order [`Columns::bind`] binds and [`Columns::decode`] reads
    /// them. Plain SQL identifiers (`[A-Za-z_][A-Za-z0-9_]*`), never `id`.
    const COLUMNS: &'static [&'static str];

    /// Binds this value's columns, in [`Columns::COLUMNS`] order.
    fn bind<'q>(&'q self, query: Query<'q, DB>) -> Query<'q, DB>;

    /// Reads the columns from `row`, the first one at index `first`.
    fn decode(row: &DB::Row, first: usize) -> sqlx::Result<Self>;
}

macro_rules! unit_columns {
    ($($db:ty),*) => {$(
        impl Columns<$db> for () {
            const COLUMNS: &'static [&'static str] = &[];
            fn bind<'q>(&'q self, query: Query<'q, $db>) -> Query<'q, $db> {
                query
            }
            fn decode(_: &<$db as Database>::Row, _: usize) -> sqlx::Result<Self> {
                Ok(())
            }
        }
    )*};
}

#[cfg(feature = "sqlite")]
unit_columns!(sqlx::Sqlite);
#[cfg(feature = "postgres")]
unit_columns!(sqlx::Postgres);
#[cfg(feature = "mysql")]
unit_columns!(sqlx::MySql);
