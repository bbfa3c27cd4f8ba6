//! # lucia-oauth
//!
//! OAuth 2.0 and OpenID Connect sign-in for [lucia](lucia).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
pub mod provider;
pub mod providers;

pub use error::{Error, IdTokenError, ProviderError, Result};
pub use provider::Provider;
