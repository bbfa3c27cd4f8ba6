//! `otpauth://` key URIs (the format of Google Authenticator, understood by every app).

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::hotp::{Algorithm, Hotp, MAX_DIGITS, MIN_DIGITS};
use super::secret::{Secret, SecretError};
use super::totp::{MAX_PERIOD, Totp};
use crate::error::{Error, Result};

/// The longest key URI [`KeyUri::parse`] accepts, in bytes.
pub const MAX_URI_LEN: usize = 4096;
/// The longest issuer or account name, in bytes.
pub const MAX_NAME_LEN: usize = 255;

/// Everything but RFC 3986's unreserved characters is percent-encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The authenticator a key URI describes.
///
/// ```
/// use lucia::otp::{KeyUri, Otp};
/// let uri = KeyUri::parse(
///     "otpauth://hotp/ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=7",
/// )?;
/// match uri.into_otp() {
///     Otp::Hotp { hotp, counter } => assert_eq!(hotp.generate(counter), "162583"),
///     Otp::Totp(_) => unreachable!(),
/// }
/// # Ok::<(), lucia::otp::OtpUriError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Otp {
    /// A time-based authenticator.
    Totp(Totp),
    /// A counter-based authenticator and its initial counter.
    Hotp {
        /// The authenticator.
        hotp: Hotp,
        /// The counter of the first code.
        counter: u64,
    },
}

/// An `otpauth://` key URI: what an authenticator app scans (as a QR code) to enrol a secret.
///
/// The format is Google Authenticator's:
/// `otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30`,
/// or `otpauth://hotp/...&counter=N`. [`KeyUri::to_uri`] always writes the issuer both as the
/// label prefix and as the `issuer` parameter, and the algorithm, digits and period (or
/// counter) even at their defaults; the issuer and account are percent-encoded (everything but
/// `A-Z a-z 0-9 - . _ ~`), the secret is unpadded base32.
///
/// The URI contains the secret: show it (or its QR code) to the user once, never log it.
/// `Debug` redacts the secret; there is no `Display`.
///
/// ```
/// use lucia::otp::{KeyUri, Otp, Secret, Totp};
/// let totp = Totp::new(Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?);
/// let uri = KeyUri::totp(totp.clone(), "ACME Co", "ada@example.com")?;
/// assert_eq!(
///     uri.to_uri(),
///     "otpauth://totp/ACME%20Co:ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
///      &issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"
/// );
/// let parsed = KeyUri::parse(&uri.to_uri())?;
/// assert_eq!(parsed, uri);
/// assert_eq!(parsed.otp(), &Otp::Totp(totp));
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUri {
    otp: Otp,
    issuer: Option<String>,
    account: String,
}

impl KeyUri {
    /// The key URI of a TOTP authenticator for `account` (the user's email or name, shown in
    /// the app) at `issuer` (your service's name).
    ///
    /// Both must be 1 to 255 bytes without `:`, control characters, or leading or trailing
    /// whitespace; otherwise the answer is an [`Error::Config`].
    ///
    /// ```
    /// use lucia::otp::{KeyUri, Secret, Totp};
    /// let totp = Totp::new(Secret::generate()?);
    /// assert!(KeyUri::totp(totp.clone(), "ACME", "ada@example.com").is_ok());
    /// assert!(KeyUri::totp(totp.clone(), "ACME", "ada:lovelace").is_err());
    /// assert!(KeyUri::totp(totp, "", "ada").is_err());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn totp(totp: Totp, issuer: &str, account: &str) -> Result<Self> {
        Self::new(Otp::Totp(totp), issuer, account)
    }

    /// The key URI of an HOTP authenticator whose first code is that of `counter`; `issuer`
    /// and `account` as in [`KeyUri::totp`].
    ///
    /// ```
    /// use lucia::otp::{Hotp, KeyUri, Secret};
    /// let hotp = Hotp::new(Secret::generate()?);
    /// let uri = KeyUri::hotp(hotp, 0, "ACME", "ada")?;
    /// assert!(uri.to_uri().starts_with("otpauth://hotp/ACME:ada?secret="));
    /// assert!(uri.to_uri().ends_with("&counter=0"));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn hotp(hotp: Hotp, counter: u64, issuer: &str, account: &str) -> Result<Self> {
        Self::new(Otp::Hotp { hotp, counter }, issuer, account)
    }

    fn new(otp: Otp, issuer: &str, account: &str) -> Result<Self> {
        check_name("issuer", issuer)?;
        check_name("account", account)?;
        Ok(Self {
            otp,
            issuer: Some(issuer.to_owned()),
            account: account.to_owned(),
        })
    }

    /// Parses a key URI, for example one exported by another system.
    ///
    /// Accepted: the `otpauth` scheme and the `totp`/`hotp` types in any case; a label
    /// `ACCOUNT` or `ISSUER:ACCOUNT` (the colon literal or `%3A`; spaces before the account
    /// are dropped); parameters in any order, unknown ones (`image`, ...) ignored, a fragment
    /// ignored, `+` in parameter values read as a space; `algorithm` in any case; a secret as
    /// [`Secret::from_base32`] accepts it. Missing parameters take their defaults (SHA1, 6
    /// digits, 30 s), except `secret` and, for HOTP, `counter`, which are required.
    ///
    /// Refused, with a typed [`OtpUriError`] and never a panic: more than 4096 bytes, control
    /// characters, bad percent-encoding or UTF-8, a missing or empty account, a colon in the
    /// account, an issuer prefix that differs from the `issuer` parameter, a repeated
    /// parameter, a `period` for HOTP or a `counter` for TOTP, and out-of-range values
    /// (digits other than 6–8, a period of 0 or over 3600 s, numbers beyond `u64`).
    ///
    /// The result has the default skew window (TOTP) or look-ahead (HOTP): those are the
    /// server's choice, not part of the URI.
    ///
    /// ```
    /// use lucia::otp::{KeyUri, Otp, OtpUriError};
    /// let uri = KeyUri::parse(
    ///     "otpauth://totp/ACME:ada?secret=gezdgnbvgy3tqojqgezdgnbvgy3tqojq&digits=8",
    /// )?;
    /// assert_eq!(uri.issuer(), Some("ACME"));
    /// assert_eq!(uri.account(), "ada");
    /// let Otp::Totp(totp) = uri.otp() else { unreachable!() };
    /// assert_eq!(totp.digits(), 8);
    ///
    /// assert_eq!(
    ///     KeyUri::parse("otpauth://totp/ACME:ada?digits=6"),
    ///     Err(OtpUriError::MissingSecret)
    /// );
    /// # Ok::<(), OtpUriError>(())
    /// ```
    pub fn parse(uri: &str) -> Result<Self, OtpUriError> {
        if uri.len() > MAX_URI_LEN {
            return Err(OtpUriError::TooLong);
        }
        if uri.chars().any(char::is_control) {
            return Err(OtpUriError::MalformedEncoding);
        }
        let uri = uri
            .split_once('#')
            .map_or(uri, |(before, _fragment)| before);
        let (scheme, rest) = uri.split_once("://").ok_or(OtpUriError::NotOtpauth)?;
        if !scheme.eq_ignore_ascii_case("otpauth") {
            return Err(OtpUriError::NotOtpauth);
        }
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (kind, label) = path.split_once('/').unwrap_or((path, ""));
        let is_totp = if kind.eq_ignore_ascii_case("totp") {
            true
        } else if kind.eq_ignore_ascii_case("hotp") {
            false
        } else {
            return Err(OtpUriError::UnknownType);
        };

        let label = decode(label, false)?;
        let (label_issuer, account) = match label.split_once(':') {
            Some((issuer, account)) => (Some(issuer), account),
            None => (None, label.as_str()),
        };
        let account = account.trim_start_matches(' ');
        if account.contains(':') {
            return Err(OtpUriError::ColonInAccount);
        }
        if account.is_empty() {
            return Err(OtpUriError::MissingAccount);
        }
        if label_issuer == Some("") {
            return Err(OtpUriError::InvalidLabel);
        }

        let params = Params::parse(query)?;
        let parameter_issuer = match params.issuer {
            Some(raw) => Some(decode(raw, true)?).filter(|issuer| !issuer.is_empty()),
            None => None,
        };
        if parameter_issuer
            .as_deref()
            .is_some_and(|issuer| issuer.contains(':'))
        {
            return Err(OtpUriError::InvalidIssuer);
        }
        let issuer = match (label_issuer, parameter_issuer) {
            (Some(label), Some(parameter)) if label != parameter => {
                return Err(OtpUriError::IssuerMismatch {
                    label: label.to_owned(),
                    parameter,
                });
            }
            (_, Some(parameter)) => Some(parameter),
            (Some(label), None) => Some(label.to_owned()),
            (None, None) => None,
        };
        if issuer
            .as_deref()
            .is_some_and(|issuer| issuer.len() > MAX_NAME_LEN)
            || account.len() > MAX_NAME_LEN
        {
            return Err(OtpUriError::InvalidLabel);
        }

        let secret = params.secret.ok_or(OtpUriError::MissingSecret)?;
        let secret = Secret::from_base32(&decode(secret, false)?).map_err(OtpUriError::Secret)?;
        let algorithm = match params.algorithm {
            Some(raw) => decode(raw, true)?
                .parse::<Algorithm>()
                .map_err(|_| OtpUriError::UnknownAlgorithm)?,
            None => Algorithm::Sha1,
        };
        let digits = match params.digits {
            Some(raw) => parse_number(raw)
                .and_then(|digits| u32::try_from(digits).ok())
                .filter(|digits| (MIN_DIGITS..=MAX_DIGITS).contains(digits))
                .ok_or(OtpUriError::InvalidDigits)?,
            None => super::hotp::DEFAULT_DIGITS,
        };

        let otp = if is_totp {
            if params.counter.is_some() {
                return Err(OtpUriError::UnexpectedParameter("counter"));
            }
            let period = match params.period {
                Some(raw) => parse_number(raw)
                    .filter(|period| (1..=MAX_PERIOD).contains(period))
                    .ok_or(OtpUriError::InvalidPeriod)?,
                None => super::totp::DEFAULT_PERIOD,
            };
            let totp = Totp::new(secret)
                .with_algorithm(algorithm)
                .with_digits(digits)
                .map_err(|_| OtpUriError::InvalidDigits)?
                .with_period(period)
                .map_err(|_| OtpUriError::InvalidPeriod)?;
            Otp::Totp(totp)
        } else {
            if params.period.is_some() {
                return Err(OtpUriError::UnexpectedParameter("period"));
            }
            let counter = params.counter.ok_or(OtpUriError::MissingCounter)?;
            let counter = parse_number(counter).ok_or(OtpUriError::InvalidCounter)?;
            let hotp = Hotp::new(secret)
                .with_algorithm(algorithm)
                .with_digits(digits)
                .map_err(|_| OtpUriError::InvalidDigits)?;
            Otp::Hotp { hotp, counter }
        };
        Ok(Self {
            otp,
            issuer,
            account: account.to_owned(),
        })
    }

    /// The URI, to show as a QR code (or as a link on a phone). It contains the secret.
    ///
    /// ```
    /// use lucia::otp::{KeyUri, Secret, Totp};
    /// let uri = KeyUri::totp(Totp::new(Secret::generate()?), "ACME", "ada")?;
    /// assert!(uri.to_uri().starts_with("otpauth://totp/ACME:ada?secret="));
    /// assert!(uri.to_uri().ends_with("&issuer=ACME&algorithm=SHA1&digits=6&period=30"));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn to_uri(&self) -> String {
        let enc = |text: &str| utf8_percent_encode(text, COMPONENT).to_string();
        let (kind, secret) = match &self.otp {
            Otp::Totp(totp) => ("totp", totp.secret()),
            Otp::Hotp { hotp, .. } => ("hotp", hotp.secret()),
        };
        let mut uri = format!("otpauth://{kind}/");
        if let Some(issuer) = &self.issuer {
            uri.push_str(&enc(issuer));
            uri.push(':');
        }
        uri.push_str(&enc(&self.account));
        uri.push_str("?secret=");
        uri.push_str(&secret.expose_base32());
        if let Some(issuer) = &self.issuer {
            uri.push_str("&issuer=");
            uri.push_str(&enc(issuer));
        }
        match &self.otp {
            Otp::Totp(totp) => uri.push_str(&format!(
                "&algorithm={}&digits={}&period={}",
                totp.algorithm(),
                totp.digits(),
                totp.period()
            )),
            Otp::Hotp { hotp, counter } => uri.push_str(&format!(
                "&algorithm={}&digits={}&counter={counter}",
                hotp.algorithm(),
                hotp.digits()
            )),
        }
        uri
    }

    /// The authenticator.
    ///
    /// ```
    /// use lucia::otp::{KeyUri, Otp, Secret, Totp};
    /// let totp = Totp::new(Secret::generate()?);
    /// let uri = KeyUri::totp(totp.clone(), "ACME", "ada")?;
    /// assert_eq!(uri.otp(), &Otp::Totp(totp));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn otp(&self) -> &Otp {
        &self.otp
    }

    /// The authenticator, by value.
    ///
    /// ```
    /// use lucia::otp::{KeyUri, Otp, Secret, Totp};
    /// let uri = KeyUri::totp(Totp::new(Secret::generate()?), "ACME", "ada")?;
    /// assert!(matches!(uri.into_otp(), Otp::Totp(_)));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn into_otp(self) -> Otp {
        self.otp
    }

    /// The issuer (your service), if the URI names one. [`KeyUri::totp`] and
    /// [`KeyUri::hotp`] always set it; a parsed URI may lack it.
    ///
    /// ```
    /// use lucia::otp::KeyUri;
    /// let uri = KeyUri::parse("otpauth://totp/ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
    /// assert_eq!(uri.issuer(), None);
    /// let uri = KeyUri::parse("otpauth://totp/ACME:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
    /// assert_eq!(uri.issuer(), Some("ACME"));
    /// # Ok::<(), lucia::otp::OtpUriError>(())
    /// ```
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account name (the user's email or name, as shown in the app).
    ///
    /// ```
    /// use lucia::otp::KeyUri;
    /// let uri = KeyUri::parse("otpauth://totp/ACME:%20ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
    /// assert_eq!(uri.account(), "ada@example.com");
    /// # Ok::<(), lucia::otp::OtpUriError>(())
    /// ```
    pub fn account(&self) -> &str {
        &self.account
    }
}

/// Why a key URI was refused by [`KeyUri::parse`]. Its message never contains the secret.
///
/// It converts into [`Error::Config`] with `?`.
///
/// ```
/// use lucia::otp::{KeyUri, OtpUriError};
/// let err = KeyUri::parse("https://example.com").unwrap_err();
/// assert_eq!(err, OtpUriError::NotOtpauth);
/// let err: lucia::Error = err.into();
/// assert!(matches!(err, lucia::Error::Config(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OtpUriError {
    /// The URI is longer than 4096 bytes.
    #[error("the key URI is longer than {MAX_URI_LEN} bytes")]
    TooLong,
    /// The URI does not start with `otpauth://`.
    #[error("not an otpauth:// key URI")]
    NotOtpauth,
    /// The type is neither `totp` nor `hotp`.
    #[error("the key URI's type is neither totp nor hotp")]
    UnknownType,
    /// Control characters, a `%` not followed by two hex digits, or invalid UTF-8.
    #[error("the key URI is not properly encoded")]
    MalformedEncoding,
    /// The label has no account name.
    #[error("the key URI has no account name")]
    MissingAccount,
    /// The account name contains a colon (the label has more than one).
    #[error("the key URI's account name contains a colon")]
    ColonInAccount,
    /// The label's issuer prefix is empty, or a name is longer than 255 bytes.
    #[error("the key URI's label is invalid")]
    InvalidLabel,
    /// The `issuer` parameter contains a colon.
    #[error("the key URI's issuer contains a colon")]
    InvalidIssuer,
    /// The label's issuer prefix differs from the `issuer` parameter.
    #[error("the key URI's label names issuer {label:?} but its issuer parameter is {parameter:?}")]
    IssuerMismatch {
        /// The issuer prefix of the label.
        label: String,
        /// The `issuer` parameter.
        parameter: String,
    },
    /// There is no `secret` parameter.
    #[error("the key URI has no secret")]
    MissingSecret,
    /// The secret is not valid base32 or has a bad length.
    #[error("the key URI's secret is invalid: {0}")]
    Secret(SecretError),
    /// The `algorithm` is not SHA1, SHA256 or SHA512.
    #[error("the key URI's algorithm is not SHA1, SHA256 or SHA512")]
    UnknownAlgorithm,
    /// `digits` is not a number from 6 to 8.
    #[error("the key URI's digits must be {MIN_DIGITS} to {MAX_DIGITS}")]
    InvalidDigits,
    /// `period` is not a number from 1 to 3600.
    #[error("the key URI's period must be 1 to {MAX_PERIOD} seconds")]
    InvalidPeriod,
    /// An HOTP key URI has no `counter` parameter.
    #[error("the HOTP key URI has no counter")]
    MissingCounter,
    /// `counter` is not a number that fits 64 bits.
    #[error("the key URI's counter is not a 64-bit number")]
    InvalidCounter,
    /// A parameter appears more than once.
    #[error("the key URI repeats the parameter {0:?}")]
    DuplicateParameter(&'static str),
    /// A parameter that does not belong to this type (`period` for HOTP, `counter` for TOTP).
    #[error("the key URI has a {0:?} parameter, which its type does not use")]
    UnexpectedParameter(&'static str),
}

impl From<OtpUriError> for Error {
    fn from(err: OtpUriError) -> Self {
        Error::Config(format!("invalid key URI: {err}"))
    }
}

/// The raw (still percent-encoded) values of the parameters we know.
#[derive(Default)]
struct Params<'a> {
    secret: Option<&'a str>,
    issuer: Option<&'a str>,
    algorithm: Option<&'a str>,
    digits: Option<&'a str>,
    period: Option<&'a str>,
    counter: Option<&'a str>,
}

impl<'a> Params<'a> {
    fn parse(query: &'a str) -> Result<Self, OtpUriError> {
        let mut params = Self::default();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (name, slot) = match key {
                "secret" => ("secret", &mut params.secret),
                "issuer" => ("issuer", &mut params.issuer),
                "algorithm" => ("algorithm", &mut params.algorithm),
                "digits" => ("digits", &mut params.digits),
                "period" => ("period", &mut params.period),
                "counter" => ("counter", &mut params.counter),
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(OtpUriError::DuplicateParameter(name));
            }
        }
        Ok(params)
    }
}

/// Percent-decodes a URI component strictly: every `%` must start a `%XX` escape, and the
/// result must be UTF-8 without control characters. In query values `+` means a space.
fn decode(raw: &str, plus_is_space: bool) -> Result<String, OtpUriError> {
    let escapes_valid = raw.split('%').skip(1).all(|after| {
        after
            .as_bytes()
            .get(..2)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !escapes_valid {
        return Err(OtpUriError::MalformedEncoding);
    }
    let raw: Cow<'_, str> = if plus_is_space {
        Cow::Owned(raw.replace('+', " "))
    } else {
        Cow::Borrowed(raw)
    };
    let decoded = percent_decode_str(&raw)
        .decode_utf8()
        .map_err(|_| OtpUriError::MalformedEncoding)?;
    if decoded.chars().any(char::is_control) {
        return Err(OtpUriError::MalformedEncoding);
    }
    Ok(decoded.into_owned())
}

/// A decimal number of at most 20 ASCII digits that fits `u64` (no sign, no spaces).
fn parse_number(raw: &str) -> Option<u64> {
    if raw.is_empty() || raw.len() > 20 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

/// Checks an issuer or account name for a key URI we generate.
fn check_name(what: &str, name: &str) -> Result<()> {
    let problem = if name.is_empty() {
        "must not be empty"
    } else if name.len() > MAX_NAME_LEN {
        "must be at most 255 bytes"
    } else if name.contains(':') {
        "must not contain ':'"
    } else if name.chars().any(char::is_control) {
        "must not contain control characters"
    } else if name.trim() != name {
        "must not start or end with whitespace"
    } else {
        return Ok(());
    };
    Err(Error::Config(format!("a key URI's {what} {problem}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn totp() -> Totp {
        Totp::new(Secret::from_base32(SECRET).unwrap())
    }

    fn parse_err(uri: &str) -> OtpUriError {
        KeyUri::parse(uri).expect_err(uri)
    }

    #[test]
    fn generates_the_documented_format() {
        let uri = KeyUri::totp(totp(), "ACME Co", "john.doe@email.com").unwrap();
        assert_eq!(
            uri.to_uri(),
            format!(
                "otpauth://totp/ACME%20Co:john.doe%40email.com?secret={SECRET}&issuer=ACME%20Co\
                 &algorithm=SHA1&digits=6&period=30"
            )
        );
        let hotp = Hotp::new(Secret::from_base32(SECRET).unwrap())
            .with_algorithm(Algorithm::Sha512)
            .with_digits(8)
            .unwrap();
        let uri = KeyUri::hotp(hotp, 42, "ACME", "ada").unwrap();
        assert_eq!(
            uri.to_uri(),
            format!(
                "otpauth://hotp/ACME:ada?secret={SECRET}&issuer=ACME&algorithm=SHA512&digits=8\
                 &counter=42"
            )
        );
    }

    #[test]
    fn round_trips() {
        let names = [
            ("ACME", "ada"),
            ("ACME Co", "john.doe@email.com"),
            ("A&B=C?D#E", "x/y%z+w"),
            ("Zoë Ltd.", "名前 user"),
            ("a+b", "100% sure"),
            ("~-._", "~-._"),
        ];
        for (issuer, account) in names {
            for digits in 6..=8 {
                for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
                    let totp = Totp::new(Secret::generate().unwrap())
                        .with_algorithm(algorithm)
                        .with_digits(digits)
                        .unwrap()
                        .with_period(60)
                        .unwrap();
                    let uri = KeyUri::totp(totp, issuer, account).unwrap();
                    assert_eq!(
                        KeyUri::parse(&uri.to_uri()).unwrap(),
                        uri,
                        "{}",
                        uri.to_uri()
                    );
                    let hotp = Hotp::new(Secret::generate_with_len(64).unwrap())
                        .with_algorithm(algorithm)
                        .with_digits(digits)
                        .unwrap();
                    let uri = KeyUri::hotp(hotp, u64::MAX, issuer, account).unwrap();
                    assert_eq!(
                        KeyUri::parse(&uri.to_uri()).unwrap(),
                        uri,
                        "{}",
                        uri.to_uri()
                    );
                }
            }
        }
        // The longest names still make a parsable URI.
        let long = "%".repeat(MAX_NAME_LEN);
        let uri = KeyUri::totp(totp(), &long, &long).unwrap();
        assert!(uri.to_uri().len() <= MAX_URI_LEN);
        assert_eq!(KeyUri::parse(&uri.to_uri()).unwrap(), uri);
    }

    #[test]
    fn parses_what_other_generators_write() {
        let base = format!("secret={SECRET}");
        let parse = |uri: String| KeyUri::parse(&uri).unwrap();
        // Defaults, no issuer anywhere.
        let uri = parse(format!("otpauth://totp/ada?{base}"));
        assert_eq!((uri.issuer(), uri.account()), (None, "ada"));
        assert_eq!(uri.otp(), &Otp::Totp(totp()));
        // Issuer only as a parameter, or only as the label prefix; encoded colon; spaces.
        for label in [
            "ACME:ada",
            "ACME%3Aada",
            "ACME%3aada",
            "ACME:%20ada",
            "ACME:  ada",
        ] {
            let uri = parse(format!("otpauth://totp/{label}?{base}"));
            assert_eq!(
                (uri.issuer(), uri.account()),
                (Some("ACME"), "ada"),
                "{label}"
            );
        }
        let uri = parse(format!("otpauth://totp/ada?{base}&issuer=ACME"));
        assert_eq!((uri.issuer(), uri.account()), (Some("ACME"), "ada"));
        // '+' in a parameter is a space (form encoding), in the label it stays.
        let uri = parse(format!(
            "otpauth://totp/ACME%20Co:a+b?{base}&issuer=ACME+Co"
        ));
        assert_eq!((uri.issuer(), uri.account()), (Some("ACME Co"), "a+b"));
        // Case, order, padding, unknown parameters, fragments, an empty issuer parameter.
        let padded = data_encoding::BASE32.encode(b"foobarfoobarfoobar");
        assert!(padded.ends_with("==="));
        let uri = parse(format!(
            "OTPAUTH://TOTP/ACME:ada?image=https%3A%2F%2Fx&period=30&issuer=&algorithm=sha1\
             &secret={}&&digits=6#frag",
            padded.to_lowercase().replace('=', "%3D")
        ));
        assert_eq!(uri.issuer(), Some("ACME"));
        let Otp::Totp(parsed) = uri.otp() else {
            panic!("not TOTP")
        };
        assert_eq!(parsed.secret().expose_bytes(), b"foobarfoobarfoobar");
        // The Google Authenticator wiki's HOTP example, with a 160-bit secret.
        let uri = parse(format!("otpauth://hotp/ada?{base}&counter=0"));
        assert!(matches!(uri.otp(), Otp::Hotp { counter: 0, .. }));
    }

    #[test]
    fn hostile_uris_get_typed_errors() {
        use OtpUriError as E;
        let s = format!("secret={SECRET}");
        let cases: Vec<(String, OtpUriError)> = vec![
            (String::new(), E::NotOtpauth),
            ("otpauth:/totp/a?x".into(), E::NotOtpauth),
            (format!("https://totp/a?{s}"), E::NotOtpauth),
            (format!("otpauth://motp/a?{s}"), E::UnknownType),
            (format!("otpauth://?{s}"), E::UnknownType),
            (format!("otpauth://totp?{s}"), E::MissingAccount),
            (format!("otpauth://totp/?{s}"), E::MissingAccount),
            (format!("otpauth://totp/ACME:?{s}"), E::MissingAccount),
            (format!("otpauth://totp/ACME:%20?{s}"), E::MissingAccount),
            (format!("otpauth://totp/:ada?{s}"), E::InvalidLabel),
            (format!("otpauth://totp/ACME:ada:x?{s}"), E::ColonInAccount),
            (
                format!("otpauth://totp/ACME:ada%3Ax?{s}"),
                E::ColonInAccount,
            ),
            (format!("otpauth://totp/a%zz?{s}"), E::MalformedEncoding),
            (format!("otpauth://totp/a%4?{s}"), E::MalformedEncoding),
            (format!("otpauth://totp/a%?{s}"), E::MalformedEncoding),
            (format!("otpauth://totp/a%FF?{s}"), E::MalformedEncoding),
            (format!("otpauth://totp/a%00?{s}"), E::MalformedEncoding),
            (format!("otpauth://totp/a\n?{s}"), E::MalformedEncoding),
            (
                format!("otpauth://totp/a?{s}&issuer=%0A"),
                E::MalformedEncoding,
            ),
            (format!("otpauth://totp/a?{s}&issuer=A:B"), E::InvalidIssuer),
            (
                format!("otpauth://totp/ACME:ada?{s}&issuer=Evil"),
                E::IssuerMismatch {
                    label: "ACME".into(),
                    parameter: "Evil".into(),
                },
            ),
            ("otpauth://totp/ada".into(), E::MissingSecret),
            ("otpauth://totp/ada?issuer=ACME".into(), E::MissingSecret),
            ("otpauth://totp/ada?Secret=X".into(), E::MissingSecret),
            (
                "otpauth://totp/ada?secret=".into(),
                E::Secret(SecretError::TooShort(0)),
            ),
            (
                "otpauth://totp/ada?secret=JBSWY3DPEHPK3PXP".into(),
                E::Secret(SecretError::TooShort(10)),
            ),
            (
                "otpauth://totp/ada?secret=1234!".into(),
                E::Secret(SecretError::Base32),
            ),
            (
                format!("otpauth://totp/ada?secret={SECRET}0"),
                E::Secret(SecretError::Base32),
            ),
            (
                format!("otpauth://totp/ada?{s}&{s}"),
                E::DuplicateParameter("secret"),
            ),
            (
                format!("otpauth://totp/ada?{s}&digits=6&digits=6"),
                E::DuplicateParameter("digits"),
            ),
            (
                format!("otpauth://totp/ada?{s}&algorithm=MD5"),
                E::UnknownAlgorithm,
            ),
            (
                format!("otpauth://totp/ada?{s}&algorithm=SHA-1"),
                E::UnknownAlgorithm,
            ),
            (
                format!("otpauth://totp/ada?{s}&algorithm="),
                E::UnknownAlgorithm,
            ),
            (format!("otpauth://totp/ada?{s}&digits=5"), E::InvalidDigits),
            (format!("otpauth://totp/ada?{s}&digits=9"), E::InvalidDigits),
            (format!("otpauth://totp/ada?{s}&digits="), E::InvalidDigits),
            (
                format!("otpauth://totp/ada?{s}&digits=+6"),
                E::InvalidDigits,
            ),
            (
                format!("otpauth://totp/ada?{s}&digits=-6"),
                E::InvalidDigits,
            ),
            (
                format!("otpauth://totp/ada?{s}&digits=4294967302"),
                E::InvalidDigits,
            ),
            (
                format!("otpauth://totp/ada?{s}&digits=99999999999999999999999"),
                E::InvalidDigits,
            ),
            (format!("otpauth://totp/ada?{s}&period=0"), E::InvalidPeriod),
            (
                format!("otpauth://totp/ada?{s}&period=3601"),
                E::InvalidPeriod,
            ),
            (
                format!("otpauth://totp/ada?{s}&period=18446744073709551616"),
                E::InvalidPeriod,
            ),
            (
                format!("otpauth://totp/ada?{s}&period=3%30"),
                E::InvalidPeriod,
            ),
            (
                format!("otpauth://totp/ada?{s}&counter=1"),
                E::UnexpectedParameter("counter"),
            ),
            (
                format!("otpauth://hotp/ada?{s}&period=30"),
                E::UnexpectedParameter("period"),
            ),
            (format!("otpauth://hotp/ada?{s}"), E::MissingCounter),
            (
                format!("otpauth://hotp/ada?{s}&counter="),
                E::InvalidCounter,
            ),
            (
                format!("otpauth://hotp/ada?{s}&counter=18446744073709551616"),
                E::InvalidCounter,
            ),
            (
                format!("otpauth://hotp/ada?{s}&counter=0x10"),
                E::InvalidCounter,
            ),
            (
                format!("otpauth://totp/{}?{s}", "a".repeat(MAX_URI_LEN)),
                E::TooLong,
            ),
            (
                format!("otpauth://totp/{}?{s}", "a".repeat(MAX_NAME_LEN + 1)),
                E::InvalidLabel,
            ),
        ];
        for (uri, expected) in cases {
            assert_eq!(parse_err(&uri), expected, "{uri:?}");
        }
        // The largest counter fits.
        let max = format!("otpauth://hotp/ada?{s}&counter=18446744073709551615");
        assert!(matches!(
            KeyUri::parse(&max).unwrap().otp(),
            Otp::Hotp {
                counter: u64::MAX,
                ..
            }
        ));
    }

    #[test]
    fn errors_never_contain_the_secret() {
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ!";
        let err = parse_err(&format!("otpauth://totp/ada?secret={secret}"));
        assert!(!err.to_string().contains("GEZDGNBV"));
        assert!(!format!("{err:?}").contains("GEZDGNBV"));
        let uri = KeyUri::totp(totp(), "ACME", "ada").unwrap();
        assert!(!format!("{uri:?}").contains(SECRET));
    }

    #[test]
    fn mutated_uris_never_panic() {
        let valid = KeyUri::hotp(
            Hotp::new(Secret::from_base32(SECRET).unwrap()),
            7,
            "ACME Co",
            "ada@example.com",
        )
        .unwrap()
        .to_uri();
        let alphabet = b"%:/?&=#+ 0123456789AZaz\x00\xc3\xa9";
        // A small deterministic generator: no test randomness that could flake.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % bound as u64).unwrap()
        };
        let mut parsed = 0;
        for _ in 0..20_000 {
            let mut bytes = valid.clone().into_bytes();
            for _ in 0..1 + next(4) {
                let at = next(bytes.len());
                match next(3) {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, alphabet[next(alphabet.len())]),
                    _ => bytes[at] = alphabet[next(alphabet.len())],
                }
            }
            if let Ok(text) = String::from_utf8(bytes)
                && let Ok(uri) = KeyUri::parse(&text)
            {
                parsed += 1;
                // Whatever parses also round-trips.
                assert_eq!(KeyUri::parse(&uri.to_uri()).unwrap(), uri, "{text:?}");
            }
        }
        assert!(parsed > 0);
    }

    #[test]
    fn generation_checks_names() {
        for bad in [
            "",
            " ada",
            "ada ",
            "a:b",
            "a\nb",
            "a\u{7f}b",
            &"x".repeat(256),
        ] {
            assert!(
                matches!(KeyUri::totp(totp(), "ACME", bad), Err(Error::Config(_))),
                "{bad:?}"
            );
            assert!(
                matches!(KeyUri::totp(totp(), bad, "ada"), Err(Error::Config(_))),
                "{bad:?}"
            );
        }
        assert!(KeyUri::totp(totp(), "ACME", &"x".repeat(255)).is_ok());
    }
}
