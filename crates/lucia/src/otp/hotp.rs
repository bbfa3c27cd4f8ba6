//! HOTP (RFC 4226): the HMAC, the dynamic truncation, and the code comparison TOTP shares.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroizing;

use super::secret::Secret;
use crate::error::{Error, Result};

/// The fewest digits a code may have (RFC 4226 requires at least 6).
pub const MIN_DIGITS: u32 = 6;
/// The most digits a code may have (31 bits of truncated HMAC hold 9, but apps show at most 8).
pub const MAX_DIGITS: u32 = 8;
/// The default number of digits, which every authenticator app supports.
pub const DEFAULT_DIGITS: u32 = 6;
/// The largest HOTP look-ahead window [`Hotp::with_look_ahead`] accepts.
pub const MAX_LOOK_AHEAD: u64 = 100;
/// The default HOTP look-ahead window: codes up to 5 counters ahead of the expected one.
pub const DEFAULT_LOOK_AHEAD: u64 = 5;

/// The HMAC hash function of an HOTP/TOTP authenticator.
///
/// SHA-1 is the default and the only one every authenticator app supports; HMAC-SHA-1 is not
/// weakened by SHA-1's collisions. Names parse case-insensitively and print as in key URIs.
///
/// ```
/// use lucia::otp::Algorithm;
/// assert_eq!(Algorithm::default(), Algorithm::Sha1);
/// assert_eq!("sha256".parse::<Algorithm>(), Ok(Algorithm::Sha256));
/// assert_eq!(Algorithm::Sha512.to_string(), "SHA512");
/// assert!("MD5".parse::<Algorithm>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// HMAC-SHA-1 (RFC 4226, and RFC 6238's default).
    #[default]
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl Algorithm {
    /// The name used in key URIs: `SHA1`, `SHA256` or `SHA512`.
    ///
    /// ```
    /// assert_eq!(lucia::otp::Algorithm::Sha256.as_str(), "SHA256");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }

    fn mac(self, key: &[u8], message: &[u8]) -> Zeroizing<Vec<u8>> {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8]) -> Zeroizing<Vec<u8>> {
            let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key)
                .expect("HMAC accepts keys of any length");
            mac.update(message);
            Zeroizing::new(mac.finalize().into_bytes().to_vec())
        }
        match self {
            Algorithm::Sha1 => run::<Hmac<sha1::Sha1>>(key, message),
            Algorithm::Sha256 => run::<Hmac<sha2::Sha256>>(key, message),
            Algorithm::Sha512 => run::<Hmac<sha2::Sha512>>(key, message),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown [`Algorithm`] name.
///
/// ```
/// use lucia::otp::{Algorithm, UnknownAlgorithm};
/// assert_eq!("SHA-1".parse::<Algorithm>(), Err(UnknownAlgorithm));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown OTP algorithm: expected SHA1, SHA256 or SHA512")]
pub struct UnknownAlgorithm;

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    fn from_str(name: &str) -> Result<Self, UnknownAlgorithm> {
        [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512]
            .into_iter()
            .find(|algorithm| algorithm.as_str().eq_ignore_ascii_case(name))
            .ok_or(UnknownAlgorithm)
    }
}

/// Checks a number of digits: 6 to 8.
pub(crate) fn check_digits(digits: u32) -> Result<u32> {
    if (MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
        Ok(digits)
    } else {
        Err(Error::Config(format!(
            "an OTP code must have {MIN_DIGITS} to {MAX_DIGITS} digits, not {digits}"
        )))
    }
}

/// RFC 4226 §5.3: HMAC of the big-endian counter, dynamic truncation, modulo 10^digits,
/// zero-padded.
pub(crate) fn code_at(secret: &Secret, algorithm: Algorithm, digits: u32, counter: u64) -> String {
    let mac = algorithm.mac(secret.expose_bytes(), &counter.to_be_bytes());
    // Every MAC is at least 20 bytes and the offset at most 15: the four bytes exist.
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    let value = binary % 10u32.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// The longest code input looked at; anything longer is refused before any work.
const MAX_CODE_INPUT: usize = 64;

/// Normalises a code as typed: ASCII spaces and hyphens anywhere are dropped (apps show
/// `123 456`, people type `123-456` and paste ` 123456 `); what remains must be exactly
/// `digits` ASCII digits.
pub(crate) fn normalize_code(input: &str, digits: u32) -> Option<Zeroizing<Vec<u8>>> {
    if input.len() > MAX_CODE_INPUT {
        return None;
    }
    let code: Zeroizing<Vec<u8>> =
        Zeroizing::new(input.bytes().filter(|&b| b != b' ' && b != b'-').collect());
    (code.len() == digits as usize && code.iter().all(u8::is_ascii_digit)).then_some(code)
}

/// Compares a normalised code to an expected one in constant time (the length is public).
pub(crate) fn codes_match(expected: &str, given: &[u8]) -> Choice {
    expected.as_bytes().ct_eq(given)
}

/// Returns the last counter in `candidates` whose code equals `code` and that `accept`s,
/// computing and comparing every candidate's code in constant time, without stopping early.
pub(crate) fn find_match(
    secret: &Secret,
    algorithm: Algorithm,
    digits: u32,
    code: &[u8],
    candidates: impl Iterator<Item = u64>,
    accept: impl Fn(u64) -> bool,
) -> Option<u64> {
    let mut matched = None;
    for counter in candidates {
        let expected = Zeroizing::new(code_at(secret, algorithm, digits, counter));
        let ok = codes_match(&expected, code) & Choice::from(u8::from(accept(counter)));
        if bool::from(ok) {
            matched = Some(counter);
        }
    }
    matched
}

/// An HOTP authenticator (RFC 4226): codes from a secret and a counter that moves on with
/// every code used.
///
/// Defaults: HMAC-SHA-1, 6 digits, a look-ahead window of 5 counters. The server stores the
/// next expected counter with the secret; [`Hotp::verify`] returns the counter that matched,
/// and the caller stores that counter plus one, so each code works once. Prefer [`Totp`] unless
/// you deal with hardware tokens that count button presses.
///
/// [`Totp`]: super::Totp
///
/// ```
/// use lucia::otp::{Hotp, Secret};
/// let hotp = Hotp::new(Secret::from_bytes(b"12345678901234567890")?);
/// assert_eq!(hotp.generate(0), "755224"); // RFC 4226, appendix D
///
/// let mut next_counter = 0;
/// let matched = hotp.verify("287082", next_counter).expect("counter 1 is in the window");
/// assert_eq!(matched, 1);
/// next_counter = matched + 1;
/// assert_eq!(hotp.verify("287082", next_counter), None); // used codes are refused
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotp {
    secret: Secret,
    algorithm: Algorithm,
    digits: u32,
    look_ahead: u64,
}

impl Hotp {
    /// An HOTP authenticator with HMAC-SHA-1, 6 digits and a look-ahead window of 5.
    ///
    /// ```
    /// use lucia::otp::{Algorithm, Hotp, Secret};
    /// let hotp = Hotp::new(Secret::generate()?);
    /// assert_eq!((hotp.algorithm(), hotp.digits(), hotp.look_ahead()), (Algorithm::Sha1, 6, 5));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn new(secret: Secret) -> Self {
        Self {
            secret,
            algorithm: Algorithm::Sha1,
            digits: DEFAULT_DIGITS,
            look_ahead: DEFAULT_LOOK_AHEAD,
        }
    }

    /// Uses another HMAC hash function.
    ///
    /// ```
    /// use lucia::otp::{Algorithm, Hotp, Secret};
    /// let hotp = Hotp::new(Secret::generate()?).with_algorithm(Algorithm::Sha256);
    /// assert_eq!(hotp.algorithm(), Algorithm::Sha256);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Uses codes of `digits` digits: 6, 7 or 8; anything else is an [`Error::Config`].
    ///
    /// ```
    /// use lucia::otp::{Hotp, Secret};
    /// let hotp = Hotp::new(Secret::generate()?).with_digits(8)?;
    /// assert_eq!(hotp.generate(0).len(), 8);
    /// assert!(Hotp::new(Secret::generate()?).with_digits(5).is_err());
    /// assert!(Hotp::new(Secret::generate()?).with_digits(9).is_err());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn with_digits(mut self, digits: u32) -> Result<Self> {
        self.digits = check_digits(digits)?;
        Ok(self)
    }

    /// Accepts codes up to `look_ahead` counters past the expected one (0 to 100), for tokens
    /// whose button was pressed without the code being used. Each extra counter accepted makes
    /// guessing a code easier, so keep it small.
    ///
    /// ```
    /// use lucia::otp::{Hotp, Secret};
    /// let hotp = Hotp::new(Secret::from_bytes(b"12345678901234567890")?).with_look_ahead(0)?;
    /// assert_eq!(hotp.verify("287082", 0), None); // counter 1, one ahead
    /// assert_eq!(hotp.verify("287082", 1), Some(1));
    /// assert!(hotp.with_look_ahead(101).is_err());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn with_look_ahead(mut self, look_ahead: u64) -> Result<Self> {
        if look_ahead > MAX_LOOK_AHEAD {
            return Err(Error::Config(format!(
                "the HOTP look-ahead window must be at most {MAX_LOOK_AHEAD}, not {look_ahead}"
            )));
        }
        self.look_ahead = look_ahead;
        Ok(self)
    }

    /// The shared secret.
    ///
    /// ```
    /// use lucia::otp::{Hotp, Secret};
    /// let secret = Secret::generate()?;
    /// assert_eq!(Hotp::new(secret.clone()).secret(), &secret);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The HMAC hash function.
    ///
    /// ```
    /// use lucia::otp::{Algorithm, Hotp, Secret};
    /// let hotp = Hotp::new(Secret::generate()?).with_algorithm(Algorithm::Sha512);
    /// assert_eq!(hotp.algorithm(), Algorithm::Sha512);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The number of digits of a code.
    ///
    /// ```
    /// use lucia::otp::{Hotp, Secret};
    /// assert_eq!(Hotp::new(Secret::generate()?).with_digits(7)?.digits(), 7);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn digits(&self) -> u32 {
        self.digits
    }

    /// The look-ahead window.
    ///
    /// ```
    /// use lucia::otp::{Hotp, Secret};
    /// assert_eq!(Hotp::new(Secret::generate()?).with_look_ahead(10)?.look_ahead(), 10);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn look_ahead(&self) -> u64 {
        self.look_ahead
    }

    /// The code for `counter`, zero-padded to the number of digits.
    ///
    /// ```
    /// use lucia::otp::{Hotp, Secret};
    /// let hotp = Hotp::new(Secret::from_bytes(b"12345678901234567890")?);
    /// assert_eq!(hotp.generate(9), "520489");
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn generate(&self, counter: u64) -> String {
        code_at(&self.secret, self.algorithm, self.digits, counter)
    }

    /// Checks a code against the counters `next_counter ..= next_counter + look_ahead` and
    /// returns the one that matched; store that counter plus one as the next expected counter.
    ///
    /// The code may contain ASCII spaces and hyphens (`755 224`, `755-224`), which are ignored;
    /// the rest must be exactly [`digits`](Hotp::digits) ASCII digits, or the answer is `None`.
    /// Every candidate's code is computed and compared in constant time. If two counters in the
    /// window share the code, the later one is returned, so neither can be used again.
    ///
    /// ```
    /// use lucia::otp::{Hotp, Secret};
    /// let hotp = Hotp::new(Secret::from_bytes(b"12345678901234567890")?);
    /// assert_eq!(hotp.verify("162 583", 3), Some(7));
    /// assert_eq!(hotp.verify("162583", 8), None); // already used
    /// assert_eq!(hotp.verify("16258", 3), None); // too short
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn verify(&self, code: &str, next_counter: u64) -> Option<u64> {
        let code = normalize_code(code, self.digits)?;
        let last = next_counter.saturating_add(self.look_ahead);
        find_match(
            &self.secret,
            self.algorithm,
            self.digits,
            &code,
            next_counter..=last,
            |_| true,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn rfc_hotp() -> Hotp {
        Hotp::new(Secret::from_bytes(b"12345678901234567890").unwrap())
    }

    #[test]
    fn rfc4226_appendix_d_vectors() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        let hotp = rfc_hotp();
        for (counter, code) in (0u64..).zip(expected) {
            assert_eq!(hotp.generate(counter), code, "counter {counter}");
            assert_eq!(
                hotp.clone()
                    .with_look_ahead(0)
                    .unwrap()
                    .verify(code, counter),
                Some(counter)
            );
        }
    }

    #[test]
    fn rfc4226_intermediate_hmac_and_truncation() {
        // Appendix D lists HMAC-SHA-1(key, counter 0) and the truncated value for counter 0.
        let mac = Algorithm::Sha1.mac(b"12345678901234567890", &0u64.to_be_bytes());
        assert_eq!(
            data_encoding::HEXLOWER.encode(&mac),
            "cc93cf18508d94934c64b65d8ba7667fb7cde4b0"
        );
        let hotp = rfc_hotp().with_digits(8).unwrap();
        // Truncated decimal 1284755224 → 8 digits.
        assert_eq!(hotp.generate(0), "84755224");
    }

    #[test]
    fn digits_out_of_range_are_config_errors() {
        for digits in [0, 1, 5, 9, 10, u32::MAX] {
            assert!(matches!(
                rfc_hotp().with_digits(digits),
                Err(Error::Config(_))
            ));
        }
        for digits in 6..=8 {
            assert_eq!(
                rfc_hotp().with_digits(digits).unwrap().generate(0).len(),
                digits as usize
            );
        }
    }

    #[test]
    fn look_ahead_window_edges() {
        let hotp = rfc_hotp().with_look_ahead(3).unwrap();
        // Code for counter 5 ("254676"): found from counters 2..=5, not from 1 or 6.
        assert_eq!(hotp.verify("254676", 1), None);
        for next in 2..=5 {
            assert_eq!(hotp.verify("254676", next), Some(5));
        }
        assert_eq!(hotp.verify("254676", 6), None);
        // No overflow at the top of the counter range.
        let code = hotp.generate(u64::MAX);
        assert_eq!(hotp.verify(&code, u64::MAX), Some(u64::MAX));
        assert_eq!(hotp.verify(&code, u64::MAX - 3), Some(u64::MAX));
        assert!(rfc_hotp().with_look_ahead(MAX_LOOK_AHEAD).is_ok());
        assert!(rfc_hotp().with_look_ahead(MAX_LOOK_AHEAD + 1).is_err());
    }

    #[test]
    fn code_normalisation() {
        let n = |s: &str| normalize_code(s, 6).map(|c| String::from_utf8(c.to_vec()).unwrap());
        assert_eq!(n("755224").as_deref(), Some("755224"));
        assert_eq!(n("755 224").as_deref(), Some("755224"));
        assert_eq!(n(" 755-224 ").as_deref(), Some("755224"));
        for bad in [
            "",
            "75522",
            "7552245",
            "75522a",
            "755\t224",
            "755_224",
            "+755224",
            "７５５２２４",
            "٧٥٥٢٢٤",
            "755224\n",
            "0x7552",
        ] {
            assert_eq!(n(bad), None, "{bad:?}");
        }
        assert_eq!(n(&format!("{}755224", " ".repeat(100))), None);
    }

    #[test]
    fn constant_time_compare_path() {
        // The comparison is `subtle`'s: equal only for identical bytes of identical length.
        assert!(bool::from(codes_match("755224", b"755224")));
        assert!(!bool::from(codes_match("755224", b"755225")));
        assert!(!bool::from(codes_match("755224", b"155224")));
        assert!(!bool::from(codes_match("755224", b"75522")));
        assert!(!bool::from(codes_match("755224", b"")));
        // find_match looks at every candidate (no early exit) and keeps the last match.
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let seen = std::cell::RefCell::new(Vec::new());
        let code = code_at(&secret, Algorithm::Sha1, 6, 1);
        let matched = find_match(&secret, Algorithm::Sha1, 6, code.as_bytes(), 0..=9, |c| {
            seen.borrow_mut().push(c);
            true
        });
        assert_eq!(matched, Some(1));
        assert_eq!(*seen.borrow(), (0..=9).collect::<Vec<_>>());
        // A refused match is no match; the last accepted match wins.
        assert_eq!(
            find_match(&secret, Algorithm::Sha1, 6, code.as_bytes(), 0..=9, |c| c
                != 1),
            None
        );
    }

    #[test]
    fn algorithm_names() {
        for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
            assert_eq!(algorithm.to_string().parse(), Ok(algorithm));
            assert_eq!(algorithm.as_str().to_lowercase().parse(), Ok(algorithm));
        }
        for bad in ["", "SHA", "SHA-1", "sha384", "MD5", "SHA1 "] {
            assert_eq!(bad.parse::<Algorithm>(), Err(UnknownAlgorithm), "{bad:?}");
        }
    }
}
