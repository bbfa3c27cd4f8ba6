//! # lucia-actix
//!
//! lucia for actix-web: a middleware ([`LuciaMiddleware`]) that reads the session cookie or
//! bearer token, checks the origin of non-safe requests, validates the session once per
//! request and keeps the cookie in step; extractors for the current user ([`Auth`],
//! [`PageAuth`], [`MaybeAuth`]); [`SessionControl`] to sign in and out from a handler; and
//! [`ActixOffload`] to hash passwords on the blocking pool. The rules themselves live in the
//! core ([`lucia::request`]); this crate only translates.
//!
//! ```no_run
//! use std::sync::Arc;
//! use actix_web::{App, HttpServer, web};
//! use lucia::{Lucia, MemoryStore, origin::OriginCheck};
//! use lucia_actix::{ActixOffload, Auth, LuciaMiddleware, MaybeAuth};
//!
//! type Store = MemoryStore<String, ()>;
//!
//! async fn home(MaybeAuth(auth): MaybeAuth<Store>) -> String {
//!     auth.map_or("anonymous".into(), |auth| auth.user.attributes)
//! }
//! async fn me(auth: Auth<Store>) -> String { auth.user.id }
//!
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     let lucia = Arc::new(Lucia::new(Store::new()).with_offload(ActixOffload::default()));
//!     let origin = OriginCheck::builder().development(true).build().expect("valid");
//!     let middleware = LuciaMiddleware::new(lucia).origin_check(origin);
//!     HttpServer::new(move || {
//!         App::new()
//!             .wrap(middleware.clone())
//!             .route("/", web::get().to(home))
//!             .route("/me", web::get().to(me))
//!     })
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await
//! }
//! ```
//!
//! Status codes the middleware answers by itself: **403** for a non-safe request that fails
//! the origin check, **503** (with `Retry-After`) when the store fails. Extractors answer
//! **401** (`Auth`, JSON `{"error":"unauthorized"}`) or **303** to the login path
//! (`PageAuth`) for anonymous requests.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod extract;
mod middleware;
mod offload;

pub use extract::{Auth, MaybeAuth, PageAuth, SessionControl, VerifiedAuth};
pub use middleware::{LuciaMiddleware, LuciaService};
pub use offload::ActixOffload;
