//! TOTP (RFC 6238): HOTP with the number of time steps since the Unix epoch as the counter.

use time::OffsetDateTime;

use super::hotp::{Algorithm, DEFAULT_DIGITS, check_digits, code_at, find_match, normalize_code};
use super::secret::Secret;
use crate::error::{Error, Result};

/// The default time step: 30 seconds, RFC 6238's recommendation and what every app uses.
pub const DEFAULT_PERIOD: u64 = 30;
/// The longest time step accepted: one hour.
pub const MAX_PERIOD: u64 = 3600;
/// The default skew window: one step either side of the current one.
pub const DEFAULT_SKEW: u64 = 1;
/// The widest skew window accepted: 10 steps either side.
pub const MAX_SKEW: u64 = 10;

/// A TOTP authenticator (RFC 6238), as in Google Authenticator, 1Password, Aegis and the like.
///
/// Defaults: HMAC-SHA-1, 6 digits, 30-second steps counted from the Unix epoch, and a skew
/// window of ±1 step for clocks that disagree and users who type slowly. Time is always given
/// by the caller (from a [`Clock`](crate::clock::Clock)); nothing here reads the system clock.
///
/// [`Totp::verify`] returns the time step that matched. Store it with the user and pass it back
/// as `last_used_step` next time: codes of that step and of earlier ones are then refused, so a
/// code that was seen once (over a shoulder, by a phishing proxy) cannot be used again.
///
/// ```
/// use lucia::otp::{Secret, Totp};
/// use time::macros::datetime;
///
/// let totp = Totp::new(Secret::generate()?);
/// let now = datetime!(2030-01-01 12:00:10 UTC);
/// let code = totp.generate(now); // what the user's app shows
///
/// let step = totp.verify(&code, now, None).expect("a fresh code is valid");
/// assert_eq!(step, totp.step(now));
/// // Stored as the user's last used step, it makes the same code useless:
/// assert_eq!(totp.verify(&code, now, Some(step)), None);
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totp {
    secret: Secret,
    algorithm: Algorithm,
    digits: u32,
    period: u64,
    skew: u64,
}

impl Totp {
    /// A TOTP authenticator with HMAC-SHA-1, 6 digits, 30-second steps and a ±1 step window.
    ///
    /// ```
    /// use lucia::otp::{Algorithm, Secret, Totp};
    /// let totp = Totp::new(Secret::generate()?);
    /// assert_eq!(
    ///     (totp.algorithm(), totp.digits(), totp.period(), totp.skew()),
    ///     (Algorithm::Sha1, 6, 30, 1)
    /// );
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn new(secret: Secret) -> Self {
        Self {
            secret,
            algorithm: Algorithm::Sha1,
            digits: DEFAULT_DIGITS,
            period: DEFAULT_PERIOD,
            skew: DEFAULT_SKEW,
        }
    }

    /// Uses another HMAC hash function. Many authenticator apps ignore this setting and use
    /// SHA-1 anyway; keep the default unless you control the apps.
    ///
    /// ```
    /// use lucia::otp::{Algorithm, Secret, Totp};
    /// let totp = Totp::new(Secret::generate_with_len(32)?).with_algorithm(Algorithm::Sha256);
    /// assert_eq!(totp.algorithm(), Algorithm::Sha256);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Uses codes of `digits` digits: 6, 7 or 8; anything else is an [`Error::Config`].
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// let totp = Totp::new(Secret::generate()?).with_digits(8)?;
    /// assert_eq!(totp.digits(), 8);
    /// assert!(Totp::new(Secret::generate()?).with_digits(10).is_err());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn with_digits(mut self, digits: u32) -> Result<Self> {
        self.digits = check_digits(digits)?;
        Ok(self)
    }

    /// Uses time steps of `seconds` seconds (1 to 3600); anything else is an [`Error::Config`].
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// let totp = Totp::new(Secret::generate()?).with_period(60)?;
    /// assert_eq!(totp.period(), 60);
    /// assert!(Totp::new(Secret::generate()?).with_period(0).is_err());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn with_period(mut self, seconds: u64) -> Result<Self> {
        if !(1..=MAX_PERIOD).contains(&seconds) {
            return Err(Error::Config(format!(
                "a TOTP period must be 1 to {MAX_PERIOD} seconds, not {seconds}"
            )));
        }
        self.period = seconds;
        Ok(self)
    }

    /// Accepts codes from `steps` time steps before and after the current one (0 to 10);
    /// anything else is an [`Error::Config`]. Each step accepted makes guessing easier: the
    /// default, 1, is what RFC 6238 recommends.
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// let totp = Totp::new(Secret::generate()?).with_skew(0)?;
    /// assert_eq!(totp.skew(), 0);
    /// assert!(Totp::new(Secret::generate()?).with_skew(11).is_err());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn with_skew(mut self, steps: u64) -> Result<Self> {
        if steps > MAX_SKEW {
            return Err(Error::Config(format!(
                "a TOTP skew window must be at most {MAX_SKEW} steps, not {steps}"
            )));
        }
        self.skew = steps;
        Ok(self)
    }

    /// The shared secret.
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// let secret = Secret::generate()?;
    /// assert_eq!(Totp::new(secret.clone()).secret(), &secret);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The HMAC hash function.
    ///
    /// ```
    /// use lucia::otp::{Algorithm, Secret, Totp};
    /// let totp = Totp::new(Secret::generate()?).with_algorithm(Algorithm::Sha256);
    /// assert_eq!(totp.algorithm(), Algorithm::Sha256);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The number of digits of a code.
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// assert_eq!(Totp::new(Secret::generate()?).with_digits(8)?.digits(), 8);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn digits(&self) -> u32 {
        self.digits
    }

    /// The length of a time step, in seconds.
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// assert_eq!(Totp::new(Secret::generate()?).period(), 30);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn period(&self) -> u64 {
        self.period
    }

    /// The skew window, in steps either side of the current one.
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// assert_eq!(Totp::new(Secret::generate()?).with_skew(2)?.skew(), 2);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn skew(&self) -> u64 {
        self.skew
    }

    /// The time step `now` falls in: whole periods since the Unix epoch (T0 = 0). Times
    /// before 1970 count as step 0.
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// use time::macros::datetime;
    /// let totp = Totp::new(Secret::generate()?);
    /// assert_eq!(totp.step(datetime!(1970-01-01 0:00:59 UTC)), 1);
    /// assert_eq!(totp.step(datetime!(1969-12-31 0:00 UTC)), 0);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn step(&self, now: OffsetDateTime) -> u64 {
        u64::try_from(now.unix_timestamp()).unwrap_or(0) / self.period
    }

    /// The code at `now`, zero-padded to the number of digits.
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// use time::macros::datetime;
    /// let totp = Totp::new(Secret::from_bytes(b"12345678901234567890")?).with_digits(8)?;
    /// assert_eq!(totp.generate(datetime!(2009-02-13 23:31:30 UTC)), "89005924"); // RFC 6238
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn generate(&self, now: OffsetDateTime) -> String {
        self.generate_for_step(self.step(now))
    }

    /// The code of time step `step`.
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// use time::macros::datetime;
    /// let totp = Totp::new(Secret::generate()?);
    /// let now = datetime!(2030-01-01 0:00 UTC);
    /// assert_eq!(totp.generate_for_step(totp.step(now)), totp.generate(now));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn generate_for_step(&self, step: u64) -> String {
        code_at(&self.secret, self.algorithm, self.digits, step)
    }

    /// Checks a code at `now` and returns the time step it belongs to, or `None`.
    ///
    /// Accepted: the codes of the steps from `step(now) - skew` to `step(now) + skew`, except
    /// steps at or before `last_used_step`. Pass the step this function returned at the user's
    /// last successful verification (store it with the secret, and update it atomically, for
    /// instance with a conditional `UPDATE ... WHERE last_step < $new`): a code is then
    /// accepted at most once, and so is any code older than it. Pass `None` when no code was
    /// used yet (at enrolment).
    ///
    /// The code may contain ASCII spaces and hyphens, which are ignored (apps show
    /// `123 456`); what remains must be exactly [`digits`](Totp::digits) ASCII digits. Every
    /// step in the window is computed and compared in constant time. If two steps in the window
    /// share the code, the later one is returned.
    ///
    /// Throttling is the caller's job: after 5 failures in a row, block verification for
    /// 15 minutes or more and tell the user.
    ///
    /// ```
    /// use lucia::otp::{Secret, Totp};
    /// use time::{Duration, macros::datetime};
    ///
    /// let totp = Totp::new(Secret::generate()?);
    /// let now = datetime!(2030-01-01 0:00 UTC);
    /// let code = totp.generate(now);
    /// // A code is good for one step either side (±30 s by default) ...
    /// assert!(totp.verify(&code, now + Duration::seconds(30), None).is_some());
    /// assert!(totp.verify(&code, now + Duration::seconds(60), None).is_none());
    /// // ... and only once.
    /// let step = totp.verify(&code, now, None).expect("valid");
    /// assert_eq!(totp.verify(&code, now, Some(step)), None);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn verify(
        &self,
        code: &str,
        now: OffsetDateTime,
        last_used_step: Option<u64>,
    ) -> Option<u64> {
        let code = normalize_code(code, self.digits)?;
        let current = self.step(now);
        let window = current.saturating_sub(self.skew)..=current.saturating_add(self.skew);
        find_match(
            &self.secret,
            self.algorithm,
            self.digits,
            &code,
            window,
            |step| last_used_step.is_none_or(|last| step > last),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    /// RFC 6238 appendix B: the seed is "12345678901234567890" repeated to the hash's size.
    fn rfc_totp(algorithm: Algorithm) -> Totp {
        let len = match algorithm {
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        };
        let seed: Vec<u8> = b"1234567890".iter().copied().cycle().take(len).collect();
        Totp::new(Secret::from_bytes(&seed).unwrap())
            .with_algorithm(algorithm)
            .with_digits(8)
            .unwrap()
    }

    #[test]
    fn rfc6238_appendix_b_all_vectors() {
        let table: [(i64, u64, [&str; 3]); 6] = [
            (59, 0x1, ["94287082", "46119246", "90693936"]),
            (1111111109, 0x23523EC, ["07081804", "68084774", "25091201"]),
            (1111111111, 0x23523ED, ["14050471", "67062674", "99943326"]),
            (1234567890, 0x273EF07, ["89005924", "91819424", "93441116"]),
            (2000000000, 0x3F940AA, ["69279037", "90698825", "38618901"]),
            (
                20000000000,
                0x27BC86AA,
                ["65353130", "77737706", "47863826"],
            ),
        ];
        let algorithms = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512];
        let mut checked = 0;
        for (time, step, codes) in table {
            for (algorithm, code) in algorithms.into_iter().zip(codes) {
                let totp = rfc_totp(algorithm);
                assert_eq!(totp.step(at(time)), step);
                assert_eq!(totp.generate(at(time)), code, "T={time} {algorithm}");
                assert_eq!(totp.verify(code, at(time), None), Some(step));
                checked += 1;
            }
        }
        assert_eq!(checked, 18);
    }

    #[test]
    fn skew_window_edges() {
        let totp = Totp::new(Secret::generate().unwrap());
        let step = 1_000_000u64;
        let code = totp.generate_for_step(step);
        let start = i64::try_from(step * 30).unwrap();
        // The code's own step: its first and last second.
        assert_eq!(totp.verify(&code, at(start), None), Some(step));
        assert_eq!(totp.verify(&code, at(start + 29), None), Some(step));
        // One step later (the user typed slowly) and one earlier (a clock ahead): accepted.
        assert_eq!(totp.verify(&code, at(start + 30), None), Some(step));
        assert_eq!(totp.verify(&code, at(start + 59), None), Some(step));
        assert_eq!(totp.verify(&code, at(start - 30), None), Some(step));
        // Two steps away: refused.
        assert_eq!(totp.verify(&code, at(start + 60), None), None);
        assert_eq!(totp.verify(&code, at(start - 31), None), None);

        let strict = totp.clone().with_skew(0).unwrap();
        assert_eq!(strict.verify(&code, at(start + 29), None), Some(step));
        assert_eq!(strict.verify(&code, at(start + 30), None), None);
        assert_eq!(strict.verify(&code, at(start - 1), None), None);

        let wide = totp.with_skew(MAX_SKEW).unwrap();
        let ten = i64::try_from(MAX_SKEW * 30).unwrap();
        assert_eq!(wide.verify(&code, at(start + ten + 29), None), Some(step));
        assert_eq!(wide.verify(&code, at(start + ten + 30), None), None);
        assert_eq!(wide.verify(&code, at(start - ten), None), Some(step));
        assert_eq!(wide.verify(&code, at(start - ten - 1), None), None);
    }

    #[test]
    fn replayed_codes_are_refused() {
        let totp = Totp::new(Secret::generate().unwrap());
        let now = at(1_900_000_000);
        let step = totp.step(now);
        let code = totp.generate(now);
        let used = totp.verify(&code, now, None).unwrap();
        assert_eq!(used, step);
        // Throughout the code's window, the same code is refused once its step was used.
        for later in [0, 1, 15, 29, 30, 45, 59] {
            assert_eq!(
                totp.verify(&code, now + time::Duration::seconds(later), Some(used)),
                None
            );
        }
        // An older code still inside the window is refused too ...
        let previous = totp.generate_for_step(step - 1);
        assert_eq!(totp.verify(&previous, now, Some(used)), None);
        assert_eq!(totp.verify(&previous, now, None), Some(step - 1));
        // ... while the next step's code is accepted.
        let next = totp.generate_for_step(step + 1);
        assert_eq!(totp.verify(&next, now, Some(used)), Some(step + 1));
        assert_eq!(totp.verify(&next, now, Some(step + 1)), None);
    }

    #[test]
    fn wrong_length_and_non_digit_codes_are_refused() {
        let totp = Totp::new(Secret::generate().unwrap());
        let now = at(1_900_000_000);
        let code = totp.generate(now);
        assert_eq!(code.len(), 6);
        assert!(totp.verify(&code, now, None).is_some());
        assert!(
            totp.verify(&format!("{} {}", &code[..3], &code[3..]), now, None)
                .is_some()
        );
        assert!(
            totp.verify(&format!("{}-{}", &code[..3], &code[3..]), now, None)
                .is_some()
        );
        for bad in [
            String::new(),
            code[..5].to_owned(),
            format!("{code}0"),
            format!("0{code}"),
            format!("{}a", &code[..5]),
            format!("{code}\n"),
            format!("\t{code}"),
            code.replace(|_: char| true, "\u{ff10}"),
        ] {
            assert_eq!(totp.verify(&bad, now, None), None, "{bad:?}");
        }
        // An 8-digit authenticator refuses 6-digit codes, and the other way round.
        let eight = totp.clone().with_digits(8).unwrap();
        assert_eq!(eight.verify(&code, now, None), None);
        assert_eq!(totp.verify(&eight.generate(now), now, None), None);
    }

    #[test]
    fn configuration_limits() {
        let totp = Totp::new(Secret::generate().unwrap());
        assert_eq!(
            (totp.algorithm(), totp.digits(), totp.period(), totp.skew()),
            (Algorithm::Sha1, 6, 30, 1)
        );
        assert!(matches!(totp.clone().with_period(0), Err(Error::Config(_))));
        assert!(totp.clone().with_period(MAX_PERIOD + 1).is_err());
        assert!(totp.clone().with_period(u64::MAX).is_err());
        assert!(totp.clone().with_period(1).is_ok());
        assert!(totp.clone().with_period(MAX_PERIOD).is_ok());
        assert!(totp.clone().with_skew(MAX_SKEW + 1).is_err());
        assert!(totp.clone().with_digits(5).is_err());
        assert!(totp.with_digits(9).is_err());
    }

    #[test]
    fn extreme_times_do_not_panic() {
        let totp = Totp::new(Secret::generate().unwrap())
            .with_period(1)
            .unwrap();
        for now in [
            OffsetDateTime::UNIX_EPOCH,
            at(-1),
            time::macros::datetime!(-9999-01-01 0:00 UTC),
            time::macros::datetime!(9999-12-31 23:59:59 UTC),
        ] {
            let code = totp.generate(now);
            assert!(totp.verify(&code, now, None).is_some());
            assert!(totp.verify(&code, now, Some(u64::MAX)).is_none());
        }
        // Before 1970 everything is step 0, so step 0's code verifies.
        assert_eq!(
            totp.verify(&totp.generate_for_step(0), at(-100), None),
            Some(0)
        );
    }

    #[test]
    fn step_with_custom_period() {
        let totp = Totp::new(Secret::generate().unwrap())
            .with_period(60)
            .unwrap();
        assert_eq!(totp.step(at(59)), 0);
        assert_eq!(totp.step(at(60)), 1);
        assert_eq!(totp.generate(at(60)), totp.generate(at(119)));
    }
}
