//! Sessions and the policy that decides when they expire and when they are extended.

use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};
use crate::token::SecretHash;

/// A session, as stored (plus the `fresh` flag, which is not).
///
/// The client holds the matching [`SessionToken`](crate::SessionToken); the store holds only
/// [`SecretHash`] of its secret. Timestamps have whole-second precision, so every store can
/// round-trip them exactly.
///
/// ```
/// # use lucia::{Session, SecretHash};
/// # use time::macros::datetime;
/// let session = Session {
///     id: "sid".into(),
///     user_id: "uid".into(),
///     secret_hash: SecretHash::of("secret"),
///     created_at: datetime!(2030-01-01 0:00 UTC),
///     expires_at: datetime!(2030-01-31 0:00 UTC),
///     lifetime: None,
///     fresh: false,
///     attributes: (),
/// };
/// assert_eq!(session.user_id, "uid");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session<A> {
    /// The session id: the part of the token before the dot.
    pub id: String,
    /// The user this session belongs to.
    pub user_id: String,
    /// `SHA-256` of the token's secret.
    pub secret_hash: SecretHash,
    /// When the session was created (whole seconds, UTC).
    pub created_at: OffsetDateTime,
    /// When the session expires (whole seconds, UTC); moved forward by sliding renewal.
    pub expires_at: OffsetDateTime,
    /// This session's own sliding lifetime ("remember me"), or `None` for the policy's default.
    /// Stores keep it as whole seconds.
    pub lifetime: Option<Duration>,
    /// `true` when this session was just created or extended, so the cookie must be set again.
    /// Not stored: stores always return `false`.
    pub fresh: bool,
    /// App-defined session attributes (IP address, user agent, ...).
    pub attributes: A,
}

/// When sessions expire and when they are extended.
///
/// The default is Lucia's: a 30-day sliding lifetime, extended when less than half of it
/// remains, and no absolute cap.
///
/// ```
/// use lucia::SessionPolicy;
/// use time::Duration;
///
/// let policy = SessionPolicy::default()
///     .lifetime(Duration::days(14))?
///     .renew_when_remaining_below(0.25)?
///     .absolute_lifetime(Some(Duration::days(90)))?;
/// assert_eq!(policy.default_lifetime(), Duration::days(14));
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionPolicy {
    lifetime: Duration,
    renew_fraction: f64,
    absolute_lifetime: Option<Duration>,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            lifetime: Duration::days(30),
            renew_fraction: 0.5,
            absolute_lifetime: None,
        }
    }
}

/// What validation should do with a stored session at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The session is past its expiry (or its absolute lifetime): delete it.
    Expired,
    /// The session is valid and needs no write.
    Valid,
    /// The session is valid and its expiry moves to the given time.
    Extend(OffsetDateTime),
}

impl SessionPolicy {
    /// Sets the default sliding lifetime (at least one second, whole seconds).
    pub fn lifetime(mut self, lifetime: Duration) -> Result<Self> {
        self.lifetime = checked_lifetime(lifetime)?;
        Ok(self)
    }

    /// Extends a session when less than `fraction` of its lifetime remains (`0.5` by default).
    /// `0.0` turns sliding renewal off; `1.0` extends on every validation. Must be within
    /// `0.0..=1.0`.
    pub fn renew_when_remaining_below(mut self, fraction: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&fraction) {
            return Err(Error::Config(format!(
                "renewal fraction must be within 0.0..=1.0, got {fraction}"
            )));
        }
        self.renew_fraction = fraction;
        Ok(self)
    }

    /// Caps every session at `created_at + absolute`, however often it is extended.
    pub fn absolute_lifetime(mut self, absolute: Option<Duration>) -> Result<Self> {
        self.absolute_lifetime = absolute.map(checked_lifetime).transpose()?;
        Ok(self)
    }

    /// The default sliding lifetime.
    pub fn default_lifetime(&self) -> Duration {
        self.lifetime
    }

    /// The absolute cap, if any.
    pub fn absolute(&self) -> Option<Duration> {
        self.absolute_lifetime
    }

    /// The expiry of a session created at `now` with an optional per-session lifetime.
    pub fn initial_expiry(
        &self,
        now: OffsetDateTime,
        lifetime: Option<Duration>,
    ) -> OffsetDateTime {
        self.capped(now, now + lifetime.unwrap_or(self.lifetime))
    }

    /// Decides what to do with `session` at time `now`.
    ///
    /// - Expired when `now >= expires_at`, or `now >= created_at + absolute lifetime`.
    /// - Extended when strictly less than `fraction × lifetime` remains; the new expiry is
    ///   `now + lifetime`, capped by the absolute lifetime, and only if that moves it forward.
    /// - A clock that went backwards (`now` before `created_at`) is tolerated: the session stays
    ///   valid and is not extended.
    ///
    /// ```
    /// use lucia::{SessionPolicy, session::Verdict};
    /// use time::{Duration, macros::datetime};
    ///
    /// let policy = SessionPolicy::default();
    /// let created = datetime!(2030-01-01 0:00 UTC);
    /// let expires = created + Duration::days(30);
    /// assert_eq!(policy.verdict(created, expires, None, created + Duration::days(1)), Verdict::Valid);
    /// assert_eq!(policy.verdict(created, expires, None, expires), Verdict::Expired);
    /// let later = created + Duration::days(20);
    /// assert_eq!(policy.verdict(created, expires, None, later), Verdict::Extend(later + Duration::days(30)));
    /// ```
    pub fn verdict(
        &self,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
        lifetime: Option<Duration>,
        now: OffsetDateTime,
    ) -> Verdict {
        let absolute_end = self.absolute_lifetime.map(|abs| created_at + abs);
        if now >= expires_at || absolute_end.is_some_and(|end| now >= end) {
            return Verdict::Expired;
        }
        let lifetime = lifetime.unwrap_or(self.lifetime);
        let remaining = expires_at - now;
        if remaining >= lifetime * self.renew_fraction {
            return Verdict::Valid;
        }
        let renewed = self.capped(created_at, now + lifetime);
        if renewed > expires_at {
            Verdict::Extend(renewed)
        } else {
            Verdict::Valid
        }
    }

    fn capped(&self, created_at: OffsetDateTime, expires_at: OffsetDateTime) -> OffsetDateTime {
        match self.absolute_lifetime {
            Some(abs) => expires_at.min(created_at + abs),
            None => expires_at,
        }
    }
}

fn checked_lifetime(lifetime: Duration) -> Result<Duration> {
    if lifetime < Duration::SECOND {
        return Err(Error::Config(format!(
            "a session lifetime must be at least one second, got {lifetime}"
        )));
    }
    Ok(Duration::seconds(lifetime.whole_seconds()))
}

/// Checks a per-session lifetime given to [`Lucia::create_session_with_lifetime`](crate::Lucia::create_session_with_lifetime).
pub(crate) fn session_lifetime(lifetime: Duration) -> Result<Duration> {
    checked_lifetime(lifetime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const T0: OffsetDateTime = datetime!(2030-01-01 0:00 UTC);

    fn policy() -> SessionPolicy {
        SessionPolicy::default()
    }

    #[test]
    fn exactly_at_expiry_is_expired_one_second_before_is_not() {
        let expires = T0 + Duration::days(30);
        assert_eq!(
            policy().verdict(T0, expires, None, expires),
            Verdict::Expired
        );
        assert_eq!(
            policy().verdict(T0, expires, None, expires + Duration::SECOND),
            Verdict::Expired
        );
        assert!(matches!(
            policy().verdict(T0, expires, None, expires - Duration::SECOND),
            Verdict::Extend(_)
        ));
    }

    #[test]
    fn exactly_at_the_threshold_is_not_extended_one_second_later_is() {
        let expires = T0 + Duration::days(30);
        let at_threshold = expires - Duration::days(15);
        assert_eq!(
            policy().verdict(T0, expires, None, at_threshold),
            Verdict::Valid
        );
        let past = at_threshold + Duration::SECOND;
        assert_eq!(
            policy().verdict(T0, expires, None, past),
            Verdict::Extend(past + Duration::days(30))
        );
    }

    #[test]
    fn clock_skew_backwards_keeps_the_session_valid_and_unextended() {
        let expires = T0 + Duration::days(30);
        let before_creation = T0 - Duration::hours(2);
        assert_eq!(
            policy().verdict(T0, expires, None, before_creation),
            Verdict::Valid
        );
        let long_before = T0 - Duration::days(400);
        assert_eq!(
            policy().verdict(T0, expires, None, long_before),
            Verdict::Valid
        );
    }

    #[test]
    fn per_session_lifetime_drives_expiry_and_renewal() {
        let year = Duration::days(365);
        let expires = policy().initial_expiry(T0, Some(year));
        assert_eq!(expires, T0 + year);
        // 200 days in: 165 left, more than half a year → no renewal.
        assert_eq!(
            policy().verdict(T0, expires, Some(year), T0 + Duration::days(150)),
            Verdict::Valid
        );
        let late = T0 + Duration::days(200);
        assert_eq!(
            policy().verdict(T0, expires, Some(year), late),
            Verdict::Extend(late + year)
        );
    }

    #[test]
    fn absolute_lifetime_caps_renewal_and_expires_the_session() {
        let policy = policy()
            .absolute_lifetime(Some(Duration::days(40)))
            .unwrap();
        let expires = policy.initial_expiry(T0, None);
        assert_eq!(expires, T0 + Duration::days(30));
        let day20 = T0 + Duration::days(20);
        assert_eq!(
            policy.verdict(T0, expires, None, day20),
            Verdict::Extend(T0 + Duration::days(40))
        );
        let capped = T0 + Duration::days(40);
        let day35 = T0 + Duration::days(35);
        assert_eq!(policy.verdict(T0, capped, None, day35), Verdict::Valid);
        assert_eq!(policy.verdict(T0, capped, None, capped), Verdict::Expired);
        // A session stored before the cap was configured still dies at the cap.
        let far = T0 + Duration::days(100);
        assert_eq!(policy.verdict(T0, far, None, capped), Verdict::Expired);
    }

    #[test]
    fn renewal_fraction_bounds() {
        let never = policy().renew_when_remaining_below(0.0).unwrap();
        let expires = T0 + Duration::days(30);
        assert_eq!(
            never.verdict(T0, expires, None, expires - Duration::SECOND),
            Verdict::Valid
        );
        let always = policy().renew_when_remaining_below(1.0).unwrap();
        let now = T0 + Duration::SECOND;
        assert_eq!(
            always.verdict(T0, expires, None, now),
            Verdict::Extend(now + Duration::days(30))
        );
        assert!(matches!(
            policy().renew_when_remaining_below(1.5),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            policy().renew_when_remaining_below(f64::NAN),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            policy().lifetime(Duration::ZERO),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            policy().absolute_lifetime(Some(Duration::seconds(-5))),
            Err(Error::Config(_))
        ));
    }
}
