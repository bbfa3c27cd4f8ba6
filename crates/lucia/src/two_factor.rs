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

use std::fmt;
use std::future::Future;

use time::OffsetDateTime;

use crate::store::{MaybeSend, MaybeSync, StoreResult};
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
