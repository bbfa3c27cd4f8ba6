//! # lucia-rocket
//!
//! lucia for Rocket: a fairing ([`LuciaFairing`]) that reads the session cookie or bearer
//! token, checks the origin of non-safe requests, validates the session once per request and
//! keeps the cookie in step; request guards for the current user ([`Auth`], [`PageAuth`],
//! [`MaybeAuth`]); [`SessionControl`] to sign in and out from a handler; and
//! [`RocketOffload`] to hash passwords on the blocking pool. The rules live in the core
//! ([`lucia::request`]); this crate only translates.
//!
//! ```no_run
//! use std::sync::Arc;
//! use lucia::{Lucia, MemoryStore};
//! use lucia_rocket::{Auth, LuciaFairing, MaybeAuth, RocketOffload};
//! use rocket::{get, routes};
//!
//! type Store = MemoryStore<String, ()>;
//!
//! #[get("/")]
//! fn home(auth: MaybeAuth<Store>) -> String {
//!     auth.0.map_or("anonymous".into(), |auth| auth.user.attributes)
//! }
//!
//! #[get("/me")]
//! fn me(auth: Auth<Store>) -> String { auth.user.id }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     let lucia = Arc::new(Lucia::new(Store::new()).with_offload(RocketOffload::default()));
//!     rocket::build().attach(LuciaFairing::new(lucia)).mount("/", routes![home, me])
//! }
//! ```
//!
//! **How requests are refused.** A Rocket fairing cannot answer a request itself, so when the
//! origin check fails (403) or the store is down (503), the fairing re-routes the request to
//! an internal route under `/__lucia/` that answers the status: **no handler of the app runs**
//! for a refused request, guarded or not. Guards answer **401** (`Auth`, with a JSON body
//! `{"error":"unauthorized"}`) or **303** to the login path (`PageAuth`): the fairing fills
//! in the body or the `Location` header on the way out, so no catcher needs registering.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod fairing;
mod guards;
mod offload;

pub use fairing::LuciaFairing;
pub use guards::{Auth, MaybeAuth, PageAuth, SessionControl, VerifiedAuth};
pub use offload::RocketOffload;
