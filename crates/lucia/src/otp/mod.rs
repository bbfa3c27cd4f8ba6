//! Two-factor authentication: TOTP and HOTP codes, `otpauth://` key URIs, QR codes and
//! recovery codes.
//!
//! - [`Totp`] (RFC 6238) and [`Hotp`] (RFC 4226): HMAC-SHA-1/256/512, 6 to 8 digits, 30-second
//!   steps and a ±1 step window by default. [`Totp::verify`] returns the time step that
//!   matched; store it and pass it back, and each code is accepted once.
//! - [`Secret`]: 160 bits from the operating system's CSPRNG; base32 in and out; `Debug`
//!   redacts it.
//! - [`KeyUri`]: the `otpauth://` URI authenticator apps scan, generated and parsed (hostile
//!   input gets a typed [`OtpUriError`], never a panic); with the `qr` feature, as an SVG or
//!   PNG QR code.
//! - [`generate_recovery_codes`]: single-use codes like `k3m9x-7pq2t` (50 bits each) for when
//!   the phone is lost; store only [`hash_recovery_code`] of each.
//!
//! Like the rest of this crate, nothing here does I/O: the caller passes the time (from its
//! [`Clock`](crate::clock::Clock)) and stores the secret, the last used step and the recovery
//! code hashes.
//!
//! ## Choices made for you
//!
//! - **Codes as typed.** ASCII spaces and hyphens are ignored anywhere in a code (apps show
//!   `123 456`; people paste ` 123456 `); what remains must be exactly the configured number of
//!   ASCII digits. Anything else (letters, other whitespace, non-ASCII digits, a 6-digit code
//!   for an 8-digit authenticator) is refused.
//! - **Constant time.** The expected and given codes are compared with `subtle`, and every step
//!   of the window is computed and compared without stopping at the first match.
//! - **Replay.** Steps at or before `last_used_step` are refused, so a code that worked once
//!   fails for the rest of its window, and so does any older code. Update the stored step
//!   atomically (a conditional `UPDATE`), or two simultaneous logins could both pass.
//! - **Secrets** are 16 to 128 bytes: RFC 4226's minimum is 128 bits, so 80-bit secrets from
//!   older systems are refused. They are zeroed in memory when dropped.
//! - **Limits.** Digits 6–8, periods 1–3600 s, skew ≤ 10 steps, HOTP look-ahead ≤ 100; bad
//!   parameters are [`Error::Config`](crate::Error::Config). Times before 1970 count as step 0.
//! - **Throttling** is yours to do: after 5 failed codes in a row, refuse further attempts for
//!   15 minutes or more and tell the user (a 6-digit code falls to about 1 in 333,333 guesses
//!   with a ±1 window).
//!
//! ## Enrolment, sign-in, recovery
//!
//! ```
//! use lucia::SecretHash;
//! use lucia::otp::{self, KeyUri, Secret, Totp};
//! use time::{Duration, macros::datetime};
//!
//! /// What the app keeps per user, in its own table.
//! #[derive(Default)]
//! struct TwoFactor {
//!     secret: Vec<u8>, // encrypted at rest if you can
//!     confirmed: bool,
//!     last_used_step: Option<u64>,
//!     recovery_codes: Vec<SecretHash>,
//! }
//!
//! // 1. Enrolment: a new secret, shown once as a QR code (and the URI as a fallback link).
//! let secret = Secret::generate()?;
//! let uri = KeyUri::totp(Totp::new(secret.clone()), "ACME", "ada@example.com")?;
//! let link: String = uri.to_uri();
//! assert!(link.starts_with("otpauth://totp/ACME:ada%40example.com?secret="));
//! #[cfg(feature = "qr")]
//! let svg: String = uri.to_qr_svg()?; // or uri.to_qr_png(8)? for an <img>
//! let mut record = TwoFactor { secret: secret.expose_bytes().to_vec(), ..Default::default() };
//!
//! // 2. Confirmation: the user types the code their app shows. Only now is 2FA switched on.
//! let now = datetime!(2030-01-01 12:00:00 UTC); // clock.now()
//! let totp = Totp::new(Secret::from_bytes(&record.secret)?);
//! let typed = totp.generate(now); // in real life: from the form
//! let step = totp.verify(&typed, now, None).expect("the code the app shows is valid");
//! record.confirmed = true;
//! record.last_used_step = Some(step);
//!
//! // Recovery codes, shown once next to the confirmation; only their hashes are kept.
//! let codes = otp::generate_recovery_codes(10)?;
//! record.recovery_codes = codes.iter().filter_map(|code| otp::hash_recovery_code("user-1", code)).collect();
//!
//! // 3. Sign-in, after the password: the next code, then the same code again (replayed).
//! let later = now + Duration::seconds(45);
//! let typed = totp.generate(later);
//! match totp.verify(&typed, later, record.last_used_step) {
//!     Some(step) => record.last_used_step = Some(step), // then create the session
//!     None => panic!("count the failure; block after 5 in a row"),
//! }
//! assert_eq!(totp.verify(&typed, later, record.last_used_step), None);
//!
//! // 4. Lost phone: a recovery code instead, typed sloppily, used once.
//! let typed = codes[3].to_uppercase().replace('-', " ");
//! let hash = otp::hash_recovery_code("user-1", &typed).expect("looks like a recovery code");
//! // In a database: DELETE ... WHERE user_id = $1 AND hash = $2, and check a row was deleted.
//! let index = record.recovery_codes.iter().position(|stored| *stored == hash);
//! assert!(index.is_some());
//! record.recovery_codes.swap_remove(index.unwrap_or_default());
//! assert!(!record.recovery_codes.contains(&hash));
//! # Ok::<(), lucia::Error>(())
//! ```

mod hotp;
#[cfg(feature = "qr")]
mod qr;
mod recovery;
mod secret;
mod totp;
mod uri;

pub use hotp::{
    Algorithm, DEFAULT_DIGITS, DEFAULT_LOOK_AHEAD, Hotp, MAX_DIGITS, MAX_LOOK_AHEAD, MIN_DIGITS,
    UnknownAlgorithm,
};
#[cfg(feature = "qr")]
pub use qr::{MAX_PNG_MODULE_PX, QUIET_ZONE, SVG_MODULE_PX};
pub(crate) use recovery::legacy_hash_recovery_code;
pub use recovery::{
    MAX_RECOVERY_CODES, RECOVERY_CODE_ALPHABET, RECOVERY_CODE_LEN, generate_recovery_codes,
    hash_recovery_code, normalize_recovery_code,
};
pub use secret::{MAX_SECRET_BYTES, MIN_SECRET_BYTES, SECRET_BYTES, Secret, SecretError};
pub use totp::{DEFAULT_PERIOD, DEFAULT_SKEW, MAX_PERIOD, MAX_SKEW, Totp};
pub use uri::{KeyUri, MAX_NAME_LEN, MAX_URI_LEN, Otp, OtpUriError};
