//! lucia's core called from JavaScript through `wasm-bindgen`: the shape a Cloudflare Workers
//! (or Deno, or browser) app copies. An in-memory store keeps the example self-contained; a
//! real Worker implements lucia's store traits over its own storage (D1, KV, Durable
//! Objects) — on wasm the traits need no `Send`, so futures built on JavaScript promises fit.
//!
//! Build: `cargo build -p lucia-wasm-edge --target wasm32-unknown-unknown --release`, then
//! `wasm-bindgen --target web` (or `--target nodejs`) on the `.wasm` file. From JavaScript:
//!
//! ```js
//! const auth = new Auth();
//! await auth.sign_up("ada@example.com", "correct horse battery");
//! const token = await auth.sign_in("ada@example.com", "correct horse battery");
//! const user = await auth.validate(token); // the user id, or undefined
//! const cookie = await auth.session_cookie(token); // a Set-Cookie header value
//! ```
#![forbid(unsafe_code)]

use lucia::password::Argon2id;
use lucia::{Lucia, MemoryStore, NewKey, NewUser, SessionToken};
use wasm_bindgen::prelude::*;

/// Users with their email, sessions without attributes.
type Store = MemoryStore<String, ()>;

/// An authentication service for JavaScript.
#[wasm_bindgen]
pub struct Auth {
    lucia: Lucia<Store>,
}

fn js_error(err: lucia::Error) -> JsError {
    // One message for unknown accounts and wrong passwords.
    match err {
        lucia::Error::UnknownKey | lucia::Error::InvalidPassword => {
            JsError::new("Incorrect email or password")
        }
        other => JsError::new(&other.to_string()),
    }
}

#[wasm_bindgen]
impl Auth {
    /// A service with an empty in-memory store. `cheap_hashing` lowers Argon2id's cost for
    /// tests (never in production).
    #[wasm_bindgen(constructor)]
    pub fn new(cheap_hashing: Option<bool>) -> Auth {
        let lucia = Lucia::new(Store::new());
        let lucia = if cheap_hashing.unwrap_or(false) {
            lucia.with_hasher(Argon2id::insecure_for_tests())
        } else {
            lucia
        };
        Auth { lucia }
    }

    /// Creates a user with an email + password key; returns the user id.
    pub async fn sign_up(&self, email: String, password: String) -> Result<String, JsError> {
        let key = NewKey::new("email", &email)
            .map_err(js_error)?
            .password(password);
        let user = self
            .lucia
            .create_user(NewUser::new(email).key(key))
            .await
            .map_err(js_error)?;
        Ok(user.id)
    }

    /// Checks the password and starts a session; returns the session token.
    pub async fn sign_in(&self, email: String, password: String) -> Result<String, JsError> {
        let key = self
            .lucia
            .use_key("email", &email, Some(&password))
            .await
            .map_err(js_error)?;
        let (_, token) = self
            .lucia
            .create_session(&key.user_id, ())
            .await
            .map_err(js_error)?;
        Ok(token.expose_secret().to_owned())
    }

    /// The user id of a valid session token, or `undefined`.
    pub async fn validate(&self, token: String) -> Result<Option<String>, JsError> {
        let validation = self
            .lucia
            .validate_session(&token)
            .await
            .map_err(js_error)?;
        Ok(validation.valid().map(|valid| valid.user.id))
    }

    /// The `Set-Cookie` value for a valid session token (or the blank cookie).
    pub async fn session_cookie(&self, token: String) -> Result<String, JsError> {
        let validation = self
            .lucia
            .validate_session(&token)
            .await
            .map_err(js_error)?;
        Ok(match (validation.valid(), SessionToken::parse(&token)) {
            (Some(valid), Some(token)) => self
                .lucia
                .session_cookie(&valid.session, &token)
                .to_string(),
            _ => self.lucia.blank_session_cookie().to_string(),
        })
    }

    /// Ends a session.
    pub async fn sign_out(&self, token: String) -> Result<(), JsError> {
        if let Some(token) = SessionToken::parse(&token) {
            self.lucia
                .invalidate_session(token.id())
                .await
                .map_err(js_error)?;
        }
        Ok(())
    }
}
