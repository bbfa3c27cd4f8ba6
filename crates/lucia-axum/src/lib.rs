//! # lucia-axum
//!
//! lucia for axum and any tower-based stack: a [`LuciaLayer`] that reads the session cookie
//! or bearer token, checks the origin of non-safe requests, validates the session once per
//! request and keeps the cookie in step; extractors for the current user ([`Auth`],
//! [`PageAuth`], [`MaybeAuth`]); [`SessionControl`] to sign in and out from a handler; and
//! [`TokioOffload`] to hash passwords on tokio's blocking pool.
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{Router, routing::{get, post}};
//! use lucia::{Lucia, MemoryStore, origin::OriginCheck};
//! use lucia_axum::{Auth, AuthError, LuciaLayer, MaybeAuth, SessionControl, TokioOffload};
//!
//! type Store = MemoryStore<String, ()>;
//!
//! async fn home(MaybeAuth(auth): MaybeAuth<Store>) -> String {
//!     auth.map_or("anonymous".into(), |auth| auth.user.attributes)
//! }
//! async fn api_me(auth: Auth<Store>) -> String { auth.user.id }
//! async fn logout(control: SessionControl<Store>) -> Result<(), AuthError> { Ok(control.sign_out().await?) }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let lucia = Arc::new(Lucia::new(Store::new()).with_offload(TokioOffload::default()));
//! let app = Router::new()
//!     .route("/", get(home))
//!     .route("/api/me", get(api_me))
//!     .route("/logout", post(logout))
//!     .layer(LuciaLayer::new(lucia).origin_check(OriginCheck::builder().development(true).build()?));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! Status codes the layer answers by itself: **403** for a non-safe request that fails the
//! origin check, **503** (with `Retry-After`) when the store fails — a database outage never
//! looks like "signed out". Extractors answer **401** (`Auth`) or **303** to the login path
//! (`PageAuth`) for anonymous requests.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod extract;
mod layer;
mod offload;

pub use error::AuthError;
pub use extract::{Auth, MaybeAuth, PageAuth, SessionControl, VerifiedAuth};
pub use layer::{LuciaLayer, LuciaService};
pub use offload::TokioOffload;
