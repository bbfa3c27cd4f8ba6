//! # lucia-oauth
//!
//! OAuth 2.0 and OpenID Connect sign-in for [lucia]: an [`OAuthClient`] per provider, 60+
//! [provider presets](providers), PKCE, ID tokens verified against the issuer's keys, the flow
//! cookie and callback checks ([`callback`]), and provider accounts as lucia keys
//! ([`linking`]).
//!
//! ```no_run
//! use lucia_oauth::{OAuthClient, callback::{Callback, Flow}, providers};
//!
//! # async fn run(headers: http::HeaderMap, query: &str) -> lucia_oauth::Result<()> {
//! let google = OAuthClient::new(providers::google()?, "client-id", "https://app.test/login/google/callback")?
//!     .client_secret("client-secret");
//!
//! // GET /login/google: redirect to the provider with the flow cookie.
//! let request = google.authorization_url(&[])?;
//! let set_cookie = request.flow.cookie(true).to_string();
//! let location = request.url.to_string();
//!
//! // GET /login/google/callback?code=...&state=...
//! let flow = Flow::from_headers(&headers)?;
//! let sign_in = google.finish(&flow, &Callback::parse(query)).await?;
//! println!("{} signed in; verified email: {:?}", sign_in.account.account_id, sign_in.account.verified_email());
//! # Ok(()) }
//! ```
//!
//! ## Choices
//!
//! - Every request has bounded timeouts (5 s to connect, 15 s in all), follows no redirects
//!   and reads at most 1 MiB ([`HttpClient`]); TLS is rustls with `ring`.
//! - `state` and `nonce` are 256-bit values from the OS CSPRNG; PKCE is S256 wherever the
//!   provider accepts it (`plain` only for MyAnimeList, which has nothing better).
//! - ID tokens are verified, never just decoded: see [`oidc`] for the checks.
//! - An email address counts as verified only when the provider says so
//!   ([`ProviderAccount::verified_email`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod account;
pub mod callback;
mod client;
mod error;
pub mod http;
pub mod linking;
pub mod oidc;
pub mod pkce;
pub mod provider;
pub mod providers;
mod token;

pub use account::ProviderAccount;
pub use client::{AuthorizationRequest, OAuthClient, SignIn};
pub use error::{Error, IdTokenError, ProviderError, Result};
pub use http::HttpClient;
pub use lucia;
pub use provider::Provider;
pub use token::TokenSet;
