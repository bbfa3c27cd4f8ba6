//! Two-factor authentication state: a user's TOTP secret, its replay guard, and recovery
//! codes — stored through [`TwoFactorStore`].
//!
//! The flow (with the `otp` module for the codes themselves):
//!
//! 1. **Enrol**: generate a 160-bit secret, store it *disabled*
//!    ([`TwoFactorStore::put_two_factor`]), show it once (key URI / QR code).
//! 2. **Confirm**: the user types a code; when it verifies, [`TwoFactorStore::use_step`]
//!    records its time step and [`TwoFactorStore::enable_two_factor`] turns it on. Only then
//!    does it count. Generate recovery codes and store their hashes
//!    ([`TwoFactorStore::replace_recovery_codes`]); show them once.
//! 3. **Sign in**: after the password, the session is "two-factor pending" (an attribute of
//!    your session type); a verified code whose step is accepted by
//!    [`TwoFactorStore::use_step`] — which refuses a step already used, so a code works
//!    once — or a recovery code taken by [`TwoFactorStore::take_recovery_code`] marks it
//!    verified. Throttle code entry per user.
//! 4. **Disable**: [`TwoFactorStore::delete_two_factor`] (after re-checking the password).
//!
//! [`Lucia`] wraps these steps: [`Lucia::begin_two_factor`], [`Lucia::confirm_two_factor`],
//! [`Lucia::verify_two_factor`], [`Lucia::use_recovery_code`],
//! [`Lucia::regenerate_recovery_codes`], [`Lucia::disable_two_factor`]. Codes are TOTP
//! (SHA-1, 6 digits, 30 s, ±1 step): what every authenticator app speaks.
//!
//! ```
//! use std::sync::Arc;
//! use lucia::{Lucia, MemoryStore, NewUser, clock::ManualClock, otp::{KeyUri, Otp}};
//! use time::{Duration, OffsetDateTime};
//!
//! # pollster::block_on(async {
//! let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
//! let lucia = Lucia::new(MemoryStore::<String, ()>::new()).with_clock(Arc::clone(&clock));
//! let user = lucia.create_user(NewUser::new("ada@example.com".to_owned())).await?;
//!
//! // Enrol: show the key URI as a QR code; nothing counts until a code confirms it.
//! let uri = lucia.begin_two_factor(&user.id, "Example", "ada@example.com").await?;
//! // (The user's authenticator app reads the URI.)
//! let Otp::Totp(app) = KeyUri::parse(&uri.to_uri()).map_err(lucia::Error::from)?.into_otp() else { panic!() };
//! let recovery = lucia.confirm_two_factor(&user.id, &app.generate(lucia.now())).await?;
//! assert_eq!(recovery.len(), 10);
//!
//! // At sign-in, a code works once: the same code again is a replay.
//! clock.advance(Duration::seconds(30));
//! let code = app.generate(lucia.now());
//! lucia.verify_two_factor(&user.id, &code).await?;
//! assert!(lucia.verify_two_factor(&user.id, &code).await.is_err());
//!
//! // A recovery code works once too.
//! lucia.use_recovery_code(&user.id, &recovery[0]).await?;
//! assert!(lucia.use_recovery_code(&user.id, &recovery[0]).await.is_err());
//! # Ok::<(), lucia::Error>(()) }).unwrap();
//! ```

use std::fmt;
use std::future::Future;

use time::OffsetDateTime;

use crate::auth::Lucia;
use crate::error::{Error, Result};
use crate::otp::legacy_hash_recovery_code;
use crate::otp::{KeyUri, Secret, Totp, generate_recovery_codes, hash_recovery_code};
use crate::store::{MaybeSend, MaybeSync, SessionStore, StoreResult};
use crate::token::SecretHash;

/// A user's TOTP enrolment. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TwoFactor {
    /// The user.
    pub user_id: String,
    /// The raw TOTP secret (20 bytes for 160 bits). Encrypt it at rest in your store if your
    /// threat model includes database leaks: unlike passwords it must stay readable.
    pub secret: Vec<u8>,
    /// Whether enrolment was confirmed with a valid code.
    pub enabled: bool,
    /// The last time step a code was accepted for (replay protection).
    pub last_used_step: Option<u64>,
    /// When the secret was created (whole seconds).
    pub created_at: OffsetDateTime,
}

impl fmt::Debug for TwoFactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwoFactor")
            .field("user_id", &self.user_id)
            .field("secret", &"<redacted>")
            .field("enabled", &self.enabled)
            .field("last_used_step", &self.last_used_step)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// Stores two-factor state. Implemented by [`MemoryStore`](crate::MemoryStore) and the SQL
/// stores; checked by the conformance suite.
///
/// Contract: `use_step` and `take_recovery_code` are atomic, so of concurrent calls with the
/// same step or code exactly one succeeds; deleting the user deletes everything here.
pub trait TwoFactorStore: MaybeSend + MaybeSync {
    /// The user's enrolment, if any.
    fn get_two_factor(
        &self,
        user_id: &str,
    ) -> impl Future<Output = StoreResult<Option<TwoFactor>>> + MaybeSend;

    /// Stores an enrolment, replacing the user's previous one (and its state).
    fn put_two_factor(
        &self,
        two_factor: &TwoFactor,
    ) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Marks the enrolment confirmed. `false` when the user has none.
    fn enable_two_factor(
        &self,
        user_id: &str,
    ) -> impl Future<Output = StoreResult<bool>> + MaybeSend;

    /// Records `step` as used if it is later than the last used one; `false` (a replay, or no
    /// enrolment) otherwise.
    fn use_step(
        &self,
        user_id: &str,
        step: u64,
    ) -> impl Future<Output = StoreResult<bool>> + MaybeSend;

    /// Deletes the enrolment and the recovery codes.
    fn delete_two_factor(&self, user_id: &str)
    -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Replaces the user's recovery codes with these hashes.
    fn replace_recovery_codes(
        &self,
        user_id: &str,
        hashes: &[SecretHash],
    ) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Deletes the recovery code with this hash; `true` if it existed (single use).
    fn take_recovery_code(
        &self,
        user_id: &str,
        hash: &SecretHash,
    ) -> impl Future<Output = StoreResult<bool>> + MaybeSend;

    /// How many recovery codes the user has left.
    fn count_recovery_codes(
        &self,
        user_id: &str,
    ) -> impl Future<Output = StoreResult<u64>> + MaybeSend;
}

/// How many recovery codes a confirmation or regeneration issues.
pub const RECOVERY_CODES: usize = 10;

impl<S: TwoFactorStore> Lucia<S> {
    /// Starts enrolment: a new 160-bit secret, stored disabled (replacing any previous
    /// enrolment). Show the returned key URI once, as a QR code or text.
    pub async fn begin_two_factor(
        &self,
        user_id: &str,
        issuer: &str,
        account: &str,
    ) -> Result<KeyUri> {
        let secret = Secret::generate()?;
        self.store()
            .put_two_factor(&TwoFactor {
                user_id: user_id.to_owned(),
                secret: secret.expose_bytes().to_vec(),
                enabled: false,
                last_used_step: None,
                created_at: self.now(),
            })
            .await?;
        KeyUri::totp(Totp::new(secret), issuer, account)
    }

    /// Confirms enrolment with a code from the user's app, enables two-factor and returns
    /// fresh recovery codes to show once.
    pub async fn confirm_two_factor(&self, user_id: &str, code: &str) -> Result<Vec<String>> {
        self.check_code(user_id, code, false).await?;
        if !self.store().enable_two_factor(user_id).await? {
            return Err(Error::TwoFactorNotEnabled);
        }
        self.regenerate_recovery_codes(user_id).await
    }

    /// Verifies a code at sign-in. A code (time step) is accepted once: a replay is
    /// [`Error::InvalidToken`]. Throttle calls per user (see `lucia::throttle`).
    pub async fn verify_two_factor(&self, user_id: &str, code: &str) -> Result<()> {
        self.check_code(user_id, code, true).await
    }

    async fn check_code(&self, user_id: &str, code: &str, must_be_enabled: bool) -> Result<()> {
        let store = self.store();
        let two_factor = store
            .get_two_factor(user_id)
            .await?
            .ok_or(Error::TwoFactorNotEnabled)?;
        if must_be_enabled && !two_factor.enabled {
            return Err(Error::TwoFactorNotEnabled);
        }
        let secret = Secret::from_bytes(&two_factor.secret).map_err(Error::from)?;
        let step = Totp::new(secret)
            .verify(code, self.now(), two_factor.last_used_step)
            .ok_or(Error::InvalidToken)?;
        // Atomic: of two concurrent uses of one code, one wins.
        if !store.use_step(user_id, step).await? {
            return Err(Error::InvalidToken);
        }
        Ok(())
    }

    /// Signs in with a recovery code instead of a TOTP code; each code works once.
    pub async fn use_recovery_code(&self, user_id: &str, code: &str) -> Result<()> {
        let hash = hash_recovery_code(user_id, code).ok_or(Error::InvalidToken)?;
        let store = self.store();
        if store.take_recovery_code(user_id, &hash).await? {
            return Ok(());
        }
        // Codes stored unsalted by earlier versions (one more lookup, on misses only).
        match legacy_hash_recovery_code(code) {
            Some(legacy) if store.take_recovery_code(user_id, &legacy).await? => Ok(()),
            _ => Err(Error::InvalidToken),
        }
    }

    /// Replaces the user's recovery codes with [`RECOVERY_CODES`] new ones (shown once).
    pub async fn regenerate_recovery_codes(&self, user_id: &str) -> Result<Vec<String>> {
        let codes = generate_recovery_codes(RECOVERY_CODES)?;
        let hashes: Vec<SecretHash> = codes
            .iter()
            .filter_map(|code| hash_recovery_code(user_id, code))
            .collect();
        self.store()
            .replace_recovery_codes(user_id, &hashes)
            .await?;
        Ok(codes)
    }

    /// Whether the user has confirmed two-factor authentication.
    pub async fn two_factor_enabled(&self, user_id: &str) -> Result<bool> {
        Ok(self
            .store()
            .get_two_factor(user_id)
            .await?
            .is_some_and(|t| t.enabled))
    }

    /// Turns two-factor authentication off (re-check the password first).
    pub async fn disable_two_factor(&self, user_id: &str) -> Result<()> {
        Ok(self.store().delete_two_factor(user_id).await?)
    }
}

/// Session attributes that record whether the session passed the second factor.
///
/// After the password, create the session with the flag off ("pending"); after
/// [`Lucia::verify_two_factor`] or [`Lucia::use_recovery_code`], call
/// [`Lucia::mark_two_factor_verified`]. Pages that need the second factor check
/// [`TwoFactorSession::two_factor_verified`].
pub trait TwoFactorSession {
    /// Whether the second factor was verified in this session.
    fn two_factor_verified(&self) -> bool;
    /// Sets the flag.
    fn set_two_factor_verified(&mut self, verified: bool);
}

impl<S> Lucia<S>
where
    S: SessionStore,
    S::SessionAttributes: TwoFactorSession,
{
    /// Marks a session as having passed the second factor (stores its attributes).
    pub async fn mark_two_factor_verified(
        &self,
        session: &mut crate::Session<S::SessionAttributes>,
    ) -> Result<()> {
        session.attributes.set_two_factor_verified(true);
        self.update_session_attributes(&session.id, session.attributes.clone())
            .await
    }
}
