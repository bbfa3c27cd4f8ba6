//! One-time tokens and codes: "a secret sent to the user, checked later".
//!
//! One mechanism serves email verification, password reset, magic-link sign-in and email
//! change. Every token is:
//!
//! - **purpose-scoped** ([`Purpose`]) and **bound to a user** (and to the email address it
//!   was sent to, when there is one);
//! - **stored only as a hash** (`SHA-256`), so a database leak yields no usable token;
//! - **single use**: consumed by one atomic store operation, so of two concurrent uses exactly
//!   one succeeds;
//! - **short-lived**: 1 hour for links ([`Lucia::issue_token`]), 15 minutes for codes
//!   ([`Lucia::issue_code`]) by default ([`OneTimePolicy`]);
//! - **the only one of its purpose**: issuing a new one voids the user's previous one.
//!
//! Two shapes:
//!
//! - **Links** carry 160 random bits (32 base32 characters) and are looked up by their hash
//!   alone — put them in the URL *path* and send `Referrer-Policy: no-referrer`.
//! - **Codes** are for people to type: 8 characters from an unambiguous alphabet (or 8
//!   digits). Short codes are guessable, so they are only accepted together with the user
//!   they were issued to, and only until [`OneTimePolicy::max_attempts`] wrong tries (5 by
//!   default) void them. Throttle issuance and attempts per user as well (see
//!   `lucia::throttle`).
//!
//! ```
//! use lucia::{Lucia, MemoryStore, NewUser, one_time::Purpose};
//!
//! # pollster::block_on(async {
//! let lucia = Lucia::new(MemoryStore::<String, ()>::new());
//! let user = lucia.create_user(NewUser::new("ada@example.com".to_owned())).await?;
//!
//! // Email verification: mail the code, then check what the user typed.
//! let code = lucia.issue_code(&user.id, Purpose::EMAIL_VERIFICATION, Some("ada@example.com")).await?;
//! let token = lucia.verify_code(&user.id, Purpose::EMAIL_VERIFICATION, code.expose_secret()).await?;
//! assert_eq!(token.email.as_deref(), Some("ada@example.com"));
//! // Single use:
//! assert!(lucia.verify_code(&user.id, Purpose::EMAIL_VERIFICATION, code.expose_secret()).await.is_err());
//! # Ok::<(), lucia::Error>(()) }).unwrap();
//! ```
//!
//! Password reset, end to end:
//!
//! ```
//! use lucia::{Lucia, MemoryStore, NewKey, NewUser};
//!
//! # pollster::block_on(async {
//! let lucia = Lucia::new(MemoryStore::<String, ()>::new())
//!     .with_hasher(lucia::password::Argon2id::insecure_for_tests());
//! let key = NewKey::new("email", "ada@example.com")?.password("forgotten password 1");
//! let user = lucia.create_user(NewUser::new("ada@example.com".to_owned()).key(key)).await?;
//! let (_, old_session) = lucia.create_session(&user.id, ()).await?;
//!
//! // 1. "Forgot password": the same answer whether or not the address is registered.
//! if let Some(link) = lucia.request_password_reset("ada@example.com").await? {
//!     // Mail `https://app.example/reset-password/{link.expose_secret()}` (token in the path,
//!     // page served with `Referrer-Policy: no-referrer`).
//!     // 2. The user follows the link and picks a new password:
//!     let user_id = lucia.reset_password(link.expose_secret(), "a new strong passphrase").await?;
//!     assert_eq!(user_id, user.id);
//! }
//! // 3. Every session was signed out; the new password works.
//! assert!(!lucia.validate_session(old_session.expose_secret()).await?.is_valid());
//! lucia.use_key("email", "ada@example.com", Some("a new strong passphrase")).await?;
//! # Ok::<(), lucia::Error>(()) }).unwrap();
//! ```

use std::borrow::Cow;
use std::fmt;
use std::future::Future;

use data_encoding::BASE32_NOPAD;
use time::{Duration, OffsetDateTime};

use crate::auth::Lucia;
use crate::error::{Error, Result};
use crate::store::{MaybeSend, MaybeSync, SessionStore, StoreResult, UserStore};
use crate::token::{SecretHash, generate_id};

/// What a token is for. Tokens of one purpose never verify for another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Purpose(Cow<'static, str>);

impl Purpose {
    /// Verifying an email address.
    pub const EMAIL_VERIFICATION: Purpose = Purpose(Cow::Borrowed("email_verification"));
    /// Resetting a forgotten password.
    pub const PASSWORD_RESET: Purpose = Purpose(Cow::Borrowed("password_reset"));
    /// Signing in with a link sent by email.
    pub const MAGIC_LINK: Purpose = Purpose(Cow::Borrowed("magic_link"));
    /// Confirming a new email address.
    pub const EMAIL_CHANGE: Purpose = Purpose(Cow::Borrowed("email_change"));

    /// An app-defined purpose (1 to 64 characters of `a-z 0-9 _`).
    ///
    /// ```
    /// assert!(lucia::one_time::Purpose::custom("delete_account").is_ok());
    /// assert!(lucia::one_time::Purpose::custom("Delete Account").is_err());
    /// ```
    pub fn custom(name: &'static str) -> Result<Self> {
        let valid = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(Self(Cow::Borrowed(name)))
        } else {
            Err(Error::Config(format!(
                "invalid token purpose {name:?}: use 1 to 64 of a-z 0-9 _"
            )))
        }
    }

    /// The purpose's name, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored one-time token: everything but the secret, which is kept only as a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// A random id for the row.
    pub id: String,
    /// The user it was issued to.
    pub user_id: String,
    /// Its purpose (see [`Purpose::as_str`]).
    pub purpose: String,
    /// The email address it was sent to, if any.
    pub email: Option<String>,
    /// `SHA-256` of the secret.
    pub secret_hash: SecretHash,
    /// When it was issued (whole seconds).
    pub created_at: OffsetDateTime,
    /// When it stops being valid (whole seconds).
    pub expires_at: OffsetDateTime,
    /// Wrong codes tried against it so far.
    pub attempts: u32,
}

/// Stores one-time tokens. Implemented by [`MemoryStore`](crate::MemoryStore) and the SQL
/// stores; checked by the conformance suite.
///
/// Contract: `insert_token` replaces the user's token of the same purpose in one atomic step;
/// the `take_*` methods find **and delete** a token in one atomic step, so of concurrent calls
/// exactly one gets it; `take_user_token` only takes a token with fewer than `max_attempts`
/// recorded wrong attempts.
pub trait TokenStore: MaybeSend + MaybeSync {
    /// Stores `token`, deleting the user's other tokens of the same purpose atomically.
    fn insert_token(
        &self,
        token: &StoredToken,
    ) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Deletes and returns the token of `purpose` whose secret hashes to `secret_hash`.
    fn take_token(
        &self,
        purpose: &str,
        secret_hash: &SecretHash,
    ) -> impl Future<Output = StoreResult<Option<StoredToken>>> + MaybeSend;

    /// Deletes and returns the user's token of `purpose` if its secret hashes to
    /// `secret_hash` and it has fewer than `max_attempts` wrong attempts.
    fn take_user_token(
        &self,
        user_id: &str,
        purpose: &str,
        secret_hash: &SecretHash,
        max_attempts: u32,
    ) -> impl Future<Output = StoreResult<Option<StoredToken>>> + MaybeSend;

    /// The user's token of `purpose`, if any (not consumed).
    fn get_user_token(
        &self,
        user_id: &str,
        purpose: &str,
    ) -> impl Future<Output = StoreResult<Option<StoredToken>>> + MaybeSend;

    /// Adds one wrong attempt to the user's token of `purpose` (atomically; silent if none).
    fn record_failed_attempt(
        &self,
        user_id: &str,
        purpose: &str,
    ) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Deletes the user's tokens: of one purpose, or (`None`) all of them.
    fn delete_user_tokens(
        &self,
        user_id: &str,
        purpose: Option<&str>,
    ) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Deletes tokens with `expires_at <= now`; returns how many.
    fn delete_expired_tokens(
        &self,
        now: OffsetDateTime,
    ) -> impl Future<Output = StoreResult<u64>> + MaybeSend;
}

/// Lifetimes and limits of one-time tokens.
///
/// ```
/// use lucia::one_time::{CodeAlphabet, OneTimePolicy};
/// let policy = OneTimePolicy { code_alphabet: CodeAlphabet::Digits, ..OneTimePolicy::default() };
/// assert_eq!(policy.max_attempts, 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneTimePolicy {
    /// How long a link token is valid (1 hour).
    pub token_lifetime: Duration,
    /// How long a code is valid (15 minutes).
    pub code_lifetime: Duration,
    /// Wrong codes after which a code is void (5).
    pub max_attempts: u32,
    /// The characters codes are made of.
    pub code_alphabet: CodeAlphabet,
}

impl Default for OneTimePolicy {
    fn default() -> Self {
        Self {
            token_lifetime: Duration::HOUR,
            code_lifetime: Duration::minutes(15),
            max_attempts: 5,
            code_alphabet: CodeAlphabet::Unambiguous,
        }
    }
}

/// The characters of an 8-character code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeAlphabet {
    /// `A-Z` and `2-9` without `I`, `O`, `0`, `1`: 32 symbols, 40 bits per code. Codes are
    /// compared after uppercasing and dropping spaces and hyphens.
    Unambiguous,
    /// `0-9`: 26.6 bits per code.
    Digits,
}

const UNAMBIGUOUS: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LENGTH: usize = 8;

impl CodeAlphabet {
    fn generate(self) -> Result<String> {
        let symbols: &[u8] = match self {
            Self::Unambiguous => UNAMBIGUOUS,
            Self::Digits => b"0123456789",
        };
        let mut code = String::with_capacity(CODE_LENGTH);
        // Rejection sampling: bytes at or above the largest multiple of the alphabet's size
        // are drawn again, so every symbol is equally likely.
        let limit = 256 - 256 % symbols.len();
        while code.len() < CODE_LENGTH {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes).map_err(Error::Random)?;
            for byte in bytes {
                if usize::from(byte) < limit && code.len() < CODE_LENGTH {
                    code.push(char::from(symbols[usize::from(byte) % symbols.len()]));
                }
            }
        }
        Ok(code)
    }

    /// What the user typed, in the form that was hashed.
    fn normalize(self, input: &str) -> String {
        let kept = input.chars().filter(|c| !matches!(c, ' ' | '-' | '\t'));
        match self {
            Self::Unambiguous => kept.map(|c| c.to_ascii_uppercase()).collect(),
            Self::Digits => kept.collect(),
        }
    }
}

/// A freshly issued token or code: the secret to send to the user (never stored) and the
/// stored record. `Debug` hides the secret.
#[derive(Clone)]
pub struct Issued {
    secret: String,
    /// The stored record.
    pub token: StoredToken,
}

impl Issued {
    /// The secret to put in the email (the link's path, or the code).
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued")
            .field("secret", &"<redacted>")
            .field("token", &self.token)
            .finish()
    }
}

impl<S: TokenStore> Lucia<S> {
    async fn issue(
        &self,
        user_id: &str,
        purpose: &Purpose,
        email: Option<&str>,
        secret: String,
        lifetime: Duration,
    ) -> Result<Issued> {
        let now = self.now();
        let token = StoredToken {
            id: generate_id()?,
            user_id: user_id.to_owned(),
            purpose: purpose.as_str().to_owned(),
            email: email.map(str::to_owned),
            secret_hash: SecretHash::of(&secret),
            created_at: now,
            expires_at: now + lifetime,
            attempts: 0,
        };
        self.store().insert_token(&token).await?;
        Ok(Issued { secret, token })
    }

    /// Issues a link token (160 bits) for `user_id`, voiding their previous one of this
    /// purpose. Send [`Issued::expose_secret`] in a link's path.
    pub async fn issue_token(
        &self,
        user_id: &str,
        purpose: Purpose,
        email: Option<&str>,
    ) -> Result<Issued> {
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).map_err(Error::Random)?;
        let mut secret = BASE32_NOPAD.encode(&bytes);
        secret.make_ascii_lowercase();
        let lifetime = self.one_time_policy().token_lifetime;
        self.issue(user_id, &purpose, email, secret, lifetime).await
    }

    /// Issues an 8-character code for `user_id`, voiding their previous one of this purpose.
    pub async fn issue_code(
        &self,
        user_id: &str,
        purpose: Purpose,
        email: Option<&str>,
    ) -> Result<Issued> {
        let policy = self.one_time_policy();
        let code = policy.code_alphabet.generate()?;
        self.issue(user_id, &purpose, email, code, policy.code_lifetime)
            .await
    }

    /// Consumes a link token: [`Error::InvalidToken`] when unknown or used,
    /// [`Error::TokenExpired`] when expired (it is consumed either way).
    pub async fn verify_token(&self, purpose: Purpose, token: &str) -> Result<StoredToken> {
        if token.is_empty() || token.len() > 128 {
            return Err(Error::InvalidToken);
        }
        let hash = SecretHash::of(token);
        let stored = self
            .store()
            .take_token(purpose.as_str(), &hash)
            .await?
            .ok_or(Error::InvalidToken)?;
        self.unexpired(stored)
    }

    /// Consumes the user's code of `purpose` if `code` matches. A wrong code counts as an
    /// attempt; after [`OneTimePolicy::max_attempts`] the code is void
    /// ([`Error::TooManyAttempts`]).
    pub async fn verify_code(
        &self,
        user_id: &str,
        purpose: Purpose,
        code: &str,
    ) -> Result<StoredToken> {
        let policy = self.one_time_policy();
        let normalized = policy.code_alphabet.normalize(code);
        if normalized.is_empty() || normalized.len() > 64 {
            return Err(Error::InvalidToken);
        }
        let hash = SecretHash::of(&normalized);
        let store = self.store();
        if let Some(stored) = store
            .take_user_token(user_id, purpose.as_str(), &hash, policy.max_attempts)
            .await?
        {
            return self.unexpired(stored);
        }
        store
            .record_failed_attempt(user_id, purpose.as_str())
            .await?;
        match store.get_user_token(user_id, purpose.as_str()).await? {
            Some(stored) if stored.attempts >= policy.max_attempts => {
                store
                    .delete_user_tokens(user_id, Some(purpose.as_str()))
                    .await?;
                Err(Error::TooManyAttempts)
            }
            _ => Err(Error::InvalidToken),
        }
    }

    fn unexpired(&self, stored: StoredToken) -> Result<StoredToken> {
        if self.now() >= stored.expires_at {
            return Err(Error::TokenExpired);
        }
        Ok(stored)
    }

    /// Email verification, step 1: issues an 8-character code bound to the user and to
    /// `email`, voiding the previous one. Mail it to `email`; throttle resends per user.
    pub async fn issue_email_verification(&self, user_id: &str, email: &str) -> Result<Issued> {
        self.issue_code(user_id, Purpose::EMAIL_VERIFICATION, Some(email))
            .await
    }

    /// Email verification, step 2: consumes the code if it matches and was sent to `email`
    /// (the user's current address). On `Ok`, set your app's verified flag; The Copenhagen
    /// Book also suggests ending the user's other sessions, as privileges changed.
    ///
    /// ```
    /// # use lucia::{Lucia, MemoryStore, NewUser};
    /// # pollster::block_on(async {
    /// # let lucia = Lucia::new(MemoryStore::<String, ()>::new());
    /// # let user = lucia.create_user(NewUser::new("ada@example.com".to_owned())).await?;
    /// let code = lucia.issue_email_verification(&user.id, "ada@example.com").await?;
    /// // ... the user changed their address before typing the code:
    /// assert!(lucia.verify_email(&user.id, "new@example.com", code.expose_secret()).await.is_err());
    /// # Ok::<(), lucia::Error>(()) }).unwrap();
    /// ```
    pub async fn verify_email(&self, user_id: &str, email: &str, code: &str) -> Result<()> {
        let token = self
            .verify_code(user_id, Purpose::EMAIL_VERIFICATION, code)
            .await?;
        if token.email.as_deref() != Some(email) {
            return Err(Error::InvalidToken);
        }
        Ok(())
    }

    /// Voids every one-time token of the user.
    pub async fn invalidate_user_tokens(&self, user_id: &str) -> Result<()> {
        Ok(self.store().delete_user_tokens(user_id, None).await?)
    }

    /// Deletes expired one-time tokens; returns how many.
    pub async fn delete_expired_tokens(&self) -> Result<u64> {
        Ok(self.store().delete_expired_tokens(self.now()).await?)
    }
}

impl<S: TokenStore + UserStore + SessionStore> Lucia<S> {
    /// Starts a password reset for the account with this email key: issues a reset link
    /// token, or returns `None` when there is no such account.
    ///
    /// Answer the visitor the same way in both cases ("if the address is registered, we sent
    /// a link"), and send the mail off the request path, so neither the response nor its
    /// timing tells who has an account.
    pub async fn request_password_reset(&self, email: &str) -> Result<Option<Issued>> {
        let Some(key) = self.get_key("email", email).await? else {
            return Ok(None);
        };
        self.issue_token(&key.user_id, Purpose::PASSWORD_RESET, Some(email))
            .await
            .map(Some)
    }

    /// Completes a password reset: consumes the token, sets the new password on the email
    /// key it was sent to (checked against the password policy), and signs the user out
    /// everywhere and voids their other tokens. Returns the user's id.
    ///
    /// The token is consumed before the password is checked: a weak password needs a new
    /// link. Check the policy with [`PasswordPolicy::check`](crate::password::PasswordPolicy::check)
    /// first to spare users that. Users with a second factor must prove it before their
    /// password changes (The Copenhagen Book): use [`Lucia::redeem_password_reset`] and
    /// [`Lucia::complete_password_reset`] with the check in between.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<String> {
        let reset = self.redeem_password_reset(token).await?;
        self.complete_password_reset(&reset, new_password).await?;
        Ok(reset.user_id)
    }

    /// The first half of [`Lucia::reset_password`]: consumes the link token and says whose
    /// reset it is, changing nothing else. Check the user's second factor (if any) next,
    /// then call [`Lucia::complete_password_reset`]; when the check fails, the link is spent:
    /// [`Lucia::issue_token`] a new one for [`PasswordReset::user_id`] and
    /// [`PasswordReset::email`] (throttle those attempts like any second-factor attempt).
    ///
    /// ```
    /// use lucia::{Lucia, MemoryStore, NewKey, NewUser};
    /// # pollster::block_on(async {
    /// let lucia = Lucia::new(MemoryStore::<(), ()>::new());
    /// lucia.create_user(NewUser::new(()).key(NewKey::new("email", "ada@example.com")?.password("correct horse battery"))).await?;
    /// let link = lucia.request_password_reset("ada@example.com").await?.expect("an account");
    /// let reset = lucia.redeem_password_reset(link.expose_secret()).await?;
    /// // … check the second factor of reset.user_id here …
    /// lucia.complete_password_reset(&reset, "a new strong passphrase").await?;
    /// assert!(lucia.use_key("email", "ada@example.com", Some("a new strong passphrase")).await.is_ok());
    /// # Ok::<(), lucia::Error>(()) }).unwrap();
    /// ```
    pub async fn redeem_password_reset(&self, token: &str) -> Result<PasswordReset> {
        let stored = self.verify_token(Purpose::PASSWORD_RESET, token).await?;
        let email = stored.email.ok_or(Error::InvalidToken)?;
        Ok(PasswordReset {
            user_id: stored.user_id,
            email,
        })
    }

    /// The second half of [`Lucia::reset_password`]: sets the new password on the reset's
    /// email key (checked against the password policy), signs the user out everywhere and
    /// voids their other one-time tokens.
    pub async fn complete_password_reset(
        &self,
        reset: &PasswordReset,
        new_password: &str,
    ) -> Result<()> {
        self.update_key_password("email", &reset.email, Some(new_password))
            .await?;
        self.invalidate_all_user_sessions(&reset.user_id).await?;
        self.invalidate_user_tokens(&reset.user_id).await?;
        Ok(())
    }
}

/// A redeemed password-reset link ([`Lucia::redeem_password_reset`]): whose it is and the
/// address it was sent to. The link itself is spent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    /// The user whose password is being reset.
    pub user_id: String,
    /// The email key the link was sent to (the one whose password changes).
    pub email: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn codes_use_their_alphabet_uniformly() {
        let mut counts = [0usize; 32];
        for _ in 0..2000 {
            let code = CodeAlphabet::Unambiguous.generate().unwrap();
            assert_eq!(code.len(), 8);
            for b in code.bytes() {
                let index = UNAMBIGUOUS
                    .iter()
                    .position(|&s| s == b)
                    .expect("in the alphabet");
                counts[index] += 1;
            }
        }
        // 16 000 symbols over 32: 500 expected each; a biased generator falls far outside.
        assert!(
            counts.iter().all(|&n| (380..=620).contains(&n)),
            "{counts:?}"
        );
        let digits = CodeAlphabet::Digits.generate().unwrap();
        assert!(digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(
            CodeAlphabet::Unambiguous.normalize("abcd-ef 23"),
            "ABCDEF23"
        );
        assert_eq!(CodeAlphabet::Digits.normalize("1234 5678"), "12345678");
    }
}
