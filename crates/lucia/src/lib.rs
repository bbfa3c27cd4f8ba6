//! lucia: sessions, users and keys for Rust web applications.
#![forbid(unsafe_code)]

pub mod cookie;
mod error;
pub mod headers;
pub mod origin;
pub mod password;
mod token;

pub use error::{BoxError, Error, Result, StoreError};
pub use token::{SecretHash, SessionToken, generate_id};
