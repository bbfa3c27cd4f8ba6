//! # lucia
//!
//! Sessions, users and keys for Rust web applications: the API of the TypeScript library
//! Lucia (v2), with its final session design, typed and sans-IO.
//!
//! - **Users** carry app-defined, typed attributes. **Keys** are the ways to sign in as a user:
//!   `("email", "ada@example.com")` with a password hash, `("github", "1234")` without.
//! - **Sessions** are identified by a token `<id>.<secret>` held by the client in a cookie
//!   (or an `Authorization: Bearer` header).
//! - **Stores** ([`store`]) keep users, keys and sessions: [`MemoryStore`] here, SQL and Redis
//!   stores in their own crates. They hold data, never policy.
//! - **Integrations** for web frameworks live in their own crates too; this crate has no
//!   runtime, HTTP framework, HTTP client or database driver. It speaks `http` types at most.
//!
//! ```
//! use lucia::{Lucia, MemoryStore, NewKey, NewUser};
//!
//! # pollster::block_on(async {
//! let lucia = Lucia::new(MemoryStore::<String, ()>::new())
//!     .with_hasher(lucia::password::Argon2id::insecure_for_tests()); // fast, for this example
//! lucia
//!     .create_user(
//!         NewUser::new("Ada".to_owned())
//!             .key(NewKey::new("email", "ada@example.com")?.password("correct horse battery")),
//!     )
//!     .await?;
//! let key = lucia.use_key("email", "ada@example.com", Some("correct horse battery")).await?;
//! let (session, token) = lucia.create_session(&key.user_id, ()).await?;
//! assert!(lucia.validate_session(token.expose_secret()).await?.is_valid());
//! lucia.invalidate_session(&session.id).await?;
//! assert!(!lucia.validate_session(token.expose_secret()).await?.is_valid());
//! # Ok::<(), lucia::Error>(()) }).unwrap();
//! ```
//!
//! ## Security model
//!
//! **What is stored.** For a session, its id, its user id, timestamps, attributes and
//! `SHA-256(secret)` — never the secret. Ids and secrets are 120 bits each from the operating
//! system's CSPRNG. For a password, an Argon2id PHC string (m = 19 MiB, t = 2, p = 1, OWASP's
//! parameters) of the NFKC-normalised password.
//!
//! **What a database leak exposes.** The users, their attributes and the session metadata —
//! but no usable session: a token needs the secret, and SHA-256 of 120 random bits cannot be
//! inverted. Passwords must still be cracked one by one against Argon2id. Stored hashes in
//! older formats (Lucia's scrypt, bcrypt) are upgraded on each user's next sign-in.
//!
//! **What validation guarantees.** The secret is compared to the stored hash in constant time,
//! so response timing does not leak it; the id alone (which may appear in logs: [`SessionToken`]
//! prints only the id) lets nobody use or delete a session. Expired sessions, and sessions of
//! deleted users, are deleted when presented. A store failure is an [`Error`], never an
//! anonymous request. Signing in with an unknown account takes as long as with a wrong
//! password (a dummy hash is verified), so timing does not reveal which accounts exist.
//!
//! **What the origin check protects.** Cookies are sent with cross-site requests, so a form on
//! another site could post to yours with your user's session (CSRF). [`origin`] rejects
//! non-safe requests (POST, PUT, PATCH, DELETE, ...) whose `Sec-Fetch-Site`/`Origin` headers
//! do not show they come from your own origin (or an allowed one). It relies on GET requests
//! never changing state, and it does not protect against an attacker who controls an allowed
//! origin (or any subdomain you allow) or who can run script on your own pages (XSS).
//!
//! ## WebAssembly
//!
//! The core builds for `wasm32-unknown-unknown` (browsers, Cloudflare Workers, Deno) with no
//! feature to turn on: on that target it takes randomness from `crypto.getRandomValues` and
//! the time from `Date.now()` (getrandom's `wasm_js` backend, which also needs
//! `--cfg getrandom_backend="wasm_js"`; this repository sets it in `.cargo/config.toml`, your
//! project needs the same line). Store futures need not be `Send` there ([`store::MaybeSend`]),
//! so stores built on JavaScript promises qualify. Argon2id at the default parameters works
//! and costs about 0.1 s per hash in Node.js 20 on one core here; the `Inline` offload runs it
//! on the calling thread, which is what a single-threaded runtime can do.
//! `bash scripts/wasm-test.sh` runs the crate's unit tests (all features), the conformance
//! suites and a sign-in flow in Node.js; in the unit tests `#[test]` is `wasm_bindgen_test` on
//! that target, and only what spawns threads stays native-only.
//!
//! ## Features
//!
//! - `conformance`: the [`conformance`] suite store authors run against their stores.
//! - `qr`: QR codes (SVG and PNG) of the [`otp`] key URIs that authenticator apps scan.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
pub mod clock;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod cookie;
mod error;
pub mod headers;
mod memory;
pub mod offload;
pub mod one_time;
pub mod origin;
pub mod otp;
pub mod password;
pub mod request;
pub mod session;
pub mod store;
pub mod throttle;
mod token;
pub mod two_factor;
mod user;

pub use auth::{InvalidReason, Lucia, Validated, Validation};
pub use error::{BoxError, Error, Result, StoreError};
pub use memory::MemoryStore;
pub use session::{Session, SessionPolicy};
pub use token::{SecretHash, SessionToken, generate_id};
pub use user::{KEY_ID_SEPARATOR, Key, KeyId, NewKey, NewUser, User};

pub use time;

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
