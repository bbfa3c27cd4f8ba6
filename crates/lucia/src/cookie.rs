//! The session cookie: how it is named, which attributes it carries, and how it is read back.
//!
//! [`SessionCookie`] is configuration, validated once by [`SessionCookieBuilder::build`]; it
//! then builds the `Set-Cookie` values for a session ([`SessionCookie::session_cookie`]) and for
//! signing out ([`SessionCookie::blank_cookie`]), and finds the token in a request
//! ([`SessionCookie::read`]).
//!
//! # Defaults and choices
//!
//! - Name `auth_session`, optionally prefixed `__Host-` or `__Secure-` ([`CookiePrefix`]).
//! - Always `HttpOnly` (page scripts cannot read the token) and `Path=/` (the token is valid
//!   for the whole application, and `__Host-` requires it).
//! - `SameSite=Lax` unless configured otherwise. `SameSite=None` always adds `Secure`, even in
//!   development mode, because browsers drop `SameSite=None` cookies without it (and treat
//!   `http://localhost` as a secure context, so development still works there).
//! - `Secure` unless development mode is on ([`SessionCookieBuilder::development`] or
//!   [`SessionCookieBuilder::secure`]`(false)`). Behind a proxy that terminates TLS, keep
//!   `Secure`: what matters is the scheme the browser sees.
//! - No `Domain` unless configured: a host-only cookie is not sent to sibling subdomains, which
//!   is the safe default. A configured `Domain` is checked against the public suffix list,
//!   since browsers ignore a cookie whose `Domain` is a public suffix.
//! - Invalid combinations are an [`Error::Config`] from
//!   [`build`](SessionCookieBuilder::build), never a panic: `__Host-` with a `Domain` or in
//!   development mode, `__Secure-` in development mode, a name that is not an RFC 6265 token.
//! - `Max-Age` and `Expires` are capped at 400 days ([`MAX_COOKIE_LIFETIME`]), the limit of
//!   RFC 6265bis that browsers enforce anyway. A session that lives longer needs its cookie set
//!   again (on session extension, say) before then.
//!
//! # Reading and duplicate cookies
//!
//! A request may carry several cookies with the session cookie's name: one set for
//! `Path=/` and one for a longer path, or one set by a sibling subdomain through `Domain`
//! ("cookie tossing"). Browsers send them ordered by path length, then creation time, and
//! say nothing about which is whose. [`SessionCookie::read`] returns the **first occurrence
//! whose value parses as a [`SessionToken`]**: junk values never hide a real token, but an
//! attacker who can set cookies for your domain can still shadow it. The `__Host-` prefix
//! closes that hole (such a cookie can only be set by the exact host, with `Path=/`); use it
//! if you do not need a `Domain`. Parsing rules are those of
//! [`headers::cookie_values`](crate::headers::cookie_values).

use ::cookie::Expiration;
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};
use crate::headers::cookie_values;
use crate::origin::{Host, registrable_domain};
use crate::token::SessionToken;

pub use ::cookie::{Cookie, SameSite};

/// The default name of the session cookie, before any prefix.
pub const DEFAULT_COOKIE_NAME: &str = "auth_session";

/// The longest `Max-Age` (and furthest `Expires`) a session cookie gets: 400 days, the cap of
/// RFC 6265bis.
///
/// ```
/// assert_eq!(lucia::cookie::MAX_COOKIE_LIFETIME, time::Duration::days(400));
/// ```
pub const MAX_COOKIE_LIFETIME: Duration = Duration::days(400);

/// A cookie name prefix that browsers enforce.
///
/// ```
/// use lucia::cookie::{CookiePrefix, SessionCookie};
/// let cookie = SessionCookie::builder().prefix(CookiePrefix::Host).build()?;
/// assert_eq!(cookie.name(), "__Host-auth_session");
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CookiePrefix {
    /// No prefix.
    #[default]
    None,
    /// `__Secure-`: the browser only accepts the cookie with `Secure`, from a secure origin.
    Secure,
    /// `__Host-`: as `__Secure-`, and also only with `Path=/` and without `Domain`, so only
    /// the exact host can set it. The strongest protection against cookie tossing.
    Host,
}

impl CookiePrefix {
    /// The prefix as written before the cookie name.
    ///
    /// ```
    /// use lucia::cookie::CookiePrefix;
    /// assert_eq!(CookiePrefix::Host.as_str(), "__Host-");
    /// assert_eq!(CookiePrefix::None.as_str(), "");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            CookiePrefix::None => "",
            CookiePrefix::Secure => "__Secure-",
            CookiePrefix::Host => "__Host-",
        }
    }
}

/// The session cookie's configuration: name, attributes, and how to read it back.
///
/// Built with [`SessionCookie::builder`]; [`SessionCookie::default`] is `auth_session`,
/// `HttpOnly; SameSite=Lax; Secure; Path=/`. See the [module documentation](self).
///
/// ```
/// use lucia::{SessionToken, cookie::SessionCookie};
/// use time::{Duration, OffsetDateTime};
///
/// let config = SessionCookie::default();
/// let token = SessionToken::parse("abc.def").expect("a token");
/// let now = OffsetDateTime::UNIX_EPOCH;
/// let cookie = config.session_cookie(&token, now + Duration::days(30), now);
/// assert_eq!(
///     cookie.to_string(),
///     "auth_session=abc.def; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=2592000; \
///      Expires=Sat, 31 Jan 1970 00:00:00 GMT"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct SessionCookie {
    name: String,
    prefix: CookiePrefix,
    same_site: SameSite,
    secure: bool,
    domain: Option<String>,
}

impl Default for SessionCookie {
    fn default() -> Self {
        Self {
            name: DEFAULT_COOKIE_NAME.to_owned(),
            prefix: CookiePrefix::None,
            same_site: SameSite::Lax,
            secure: true,
            domain: None,
        }
    }
}

impl SessionCookie {
    /// Starts the configuration of a session cookie, from the defaults.
    ///
    /// ```
    /// use lucia::cookie::{SameSite, SessionCookie};
    /// let cookie = SessionCookie::builder()
    ///     .name("sid")
    ///     .same_site(SameSite::Strict)
    ///     .domain("example.com")
    ///     .build()?;
    /// assert_eq!(cookie.name(), "sid");
    /// assert_eq!(cookie.domain(), Some("example.com"));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn builder() -> SessionCookieBuilder {
        SessionCookieBuilder::default()
    }

    /// The cookie's full name, prefix included.
    ///
    /// ```
    /// assert_eq!(lucia::cookie::SessionCookie::default().name(), "auth_session");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name prefix.
    ///
    /// ```
    /// use lucia::cookie::{CookiePrefix, SessionCookie};
    /// assert_eq!(SessionCookie::default().prefix(), CookiePrefix::None);
    /// ```
    pub fn prefix(&self) -> CookiePrefix {
        self.prefix
    }

    /// The `SameSite` attribute.
    ///
    /// ```
    /// use lucia::cookie::{SameSite, SessionCookie};
    /// assert_eq!(SessionCookie::default().same_site(), SameSite::Lax);
    /// ```
    pub fn same_site(&self) -> SameSite {
        self.same_site
    }

    /// Whether the cookie carries `Secure` (always true with `SameSite=None`).
    ///
    /// ```
    /// use lucia::cookie::SessionCookie;
    /// assert!(SessionCookie::default().is_secure());
    /// assert!(!SessionCookie::builder().development(true).build()?.is_secure());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// The `Domain` attribute, normalised (lowercase, no leading dot), if any.
    ///
    /// ```
    /// use lucia::cookie::SessionCookie;
    /// assert_eq!(SessionCookie::default().domain(), None);
    /// let cookie = SessionCookie::builder().domain(".Example.com").build()?;
    /// assert_eq!(cookie.domain(), Some("example.com"));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }

    /// The `Set-Cookie` value that hands `token` to the client until `expires_at`.
    ///
    /// `Max-Age` is `expires_at - now` in whole seconds and `Expires` is `now + Max-Age`, both
    /// clamped between `now` and `now +` [`MAX_COOKIE_LIFETIME`]: an `expires_at` in the past
    /// gives `Max-Age=0` (the browser drops the cookie). Both attributes are sent because
    /// `Max-Age` is immune to a skewed client clock and `Expires` is understood by very old
    /// clients. `now` is a parameter so that this stays free of clocks (and testable).
    ///
    /// ```
    /// use lucia::{SessionToken, cookie::SessionCookie};
    /// use time::{Duration, OffsetDateTime};
    ///
    /// let token = SessionToken::parse("abc.def").expect("a token");
    /// let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a valid time");
    /// let cookie = SessionCookie::default().session_cookie(&token, now + Duration::hours(1), now);
    /// assert_eq!(cookie.value(), "abc.def");
    /// assert_eq!(cookie.max_age(), Some(Duration::hours(1)));
    /// assert_eq!(cookie.expires_datetime(), Some(now + Duration::hours(1)));
    /// ```
    pub fn session_cookie(
        &self,
        token: &SessionToken,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Cookie<'static> {
        let lifetime = expires_at - now;
        let max_age = Duration::seconds(
            lifetime
                .whole_seconds()
                .clamp(0, MAX_COOKIE_LIFETIME.whole_seconds()),
        );
        let expires = now.checked_add(max_age).unwrap_or(expires_at);
        self.cookie(token.expose_secret().to_owned(), max_age, expires)
    }

    /// The `Set-Cookie` value that removes the session cookie: empty value, `Max-Age=0`,
    /// `Expires` in 1970, and the same name, path, domain and attributes as
    /// [`session_cookie`](Self::session_cookie), so the browser replaces (and drops) exactly
    /// that cookie.
    ///
    /// ```
    /// use lucia::cookie::SessionCookie;
    /// assert_eq!(
    ///     SessionCookie::default().blank_cookie().to_string(),
    ///     "auth_session=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0; \
    ///      Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    /// );
    /// ```
    pub fn blank_cookie(&self) -> Cookie<'static> {
        self.cookie(String::new(), Duration::ZERO, OffsetDateTime::UNIX_EPOCH)
    }

    /// Finds the session token in the request's `Cookie` header(s).
    ///
    /// Returns the first cookie with this [`name`](Self::name) whose value
    /// [parses as a token](SessionToken::parse), or `None`. Never panics; see the
    /// [module documentation](self) on duplicates and
    /// [`headers::cookie_values`](crate::headers::cookie_values) on parsing.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// use lucia::cookie::SessionCookie;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("theme=dark; auth_session=abc.def"));
    /// let token = SessionCookie::default().read(&headers).expect("a token");
    /// assert_eq!(token.expose_secret(), "abc.def");
    /// ```
    pub fn read(&self, headers: &http::HeaderMap) -> Option<SessionToken> {
        cookie_values(headers, &self.name).find_map(SessionToken::parse)
    }

    fn cookie(&self, value: String, max_age: Duration, expires: OffsetDateTime) -> Cookie<'static> {
        let mut cookie = Cookie::new(self.name.clone(), value);
        cookie.set_http_only(true);
        cookie.set_same_site(self.same_site);
        cookie.set_secure(self.secure);
        cookie.set_path("/");
        if let Some(domain) = &self.domain {
            cookie.set_domain(domain.clone());
        }
        cookie.set_max_age(max_age);
        cookie.set_expires(Expiration::DateTime(expires));
        cookie
    }
}

/// Configures a [`SessionCookie`]; every value is validated by [`SessionCookieBuilder::build`].
///
/// ```
/// use lucia::cookie::{CookiePrefix, SessionCookie};
/// let err = SessionCookie::builder()
///     .prefix(CookiePrefix::Host)
///     .domain("example.com")
///     .build()
///     .unwrap_err();
/// assert!(matches!(err, lucia::Error::Config(_)));
/// ```
#[derive(Clone, Debug)]
pub struct SessionCookieBuilder {
    name: String,
    prefix: CookiePrefix,
    same_site: SameSite,
    secure: bool,
    domain: Option<String>,
}

impl Default for SessionCookieBuilder {
    fn default() -> Self {
        let defaults = SessionCookie::default();
        Self {
            name: defaults.name,
            prefix: defaults.prefix,
            same_site: defaults.same_site,
            secure: defaults.secure,
            domain: defaults.domain,
        }
    }
}

impl SessionCookieBuilder {
    /// The cookie name, without prefix (default `auth_session`).
    ///
    /// It must be a non-empty RFC 6265 token (letters, digits and ``!#$%&'*+-.^_`|~``) and must
    /// not start with `__Host-` or `__Secure-`: use [`prefix`](Self::prefix) for those.
    ///
    /// ```
    /// use lucia::cookie::SessionCookie;
    /// assert_eq!(SessionCookie::builder().name("sid").build()?.name(), "sid");
    /// assert!(SessionCookie::builder().name("my session").build().is_err());
    /// assert!(SessionCookie::builder().name("__Host-sid").build().is_err());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The name prefix (default none).
    ///
    /// ```
    /// use lucia::cookie::{CookiePrefix, SessionCookie};
    /// let cookie = SessionCookie::builder().prefix(CookiePrefix::Secure).build()?;
    /// assert_eq!(cookie.name(), "__Secure-auth_session");
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn prefix(mut self, prefix: CookiePrefix) -> Self {
        self.prefix = prefix;
        self
    }

    /// The `SameSite` attribute (default `Lax`). `None` implies `Secure`.
    ///
    /// ```
    /// use lucia::cookie::{SameSite, SessionCookie};
    /// let cookie = SessionCookie::builder()
    ///     .same_site(SameSite::None)
    ///     .development(true)
    ///     .build()?;
    /// assert!(cookie.is_secure());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = same_site;
        self
    }

    /// Whether the cookie carries `Secure` (default `true`). The opposite of
    /// [`development`](Self::development); the last call wins.
    ///
    /// ```
    /// use lucia::cookie::SessionCookie;
    /// assert!(!SessionCookie::builder().secure(false).build()?.is_secure());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Development mode: no `Secure` attribute, so the cookie works over plain
    /// `http://` (default off). The opposite of [`secure`](Self::secure); the last call wins.
    ///
    /// ```
    /// use lucia::cookie::SessionCookie;
    /// let cookie = SessionCookie::builder().development(true).build()?;
    /// assert!(!cookie.blank_cookie().to_string().contains("Secure"));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn development(mut self, development: bool) -> Self {
        self.secure = !development;
        self
    }

    /// The `Domain` attribute: the cookie is then also sent to every subdomain of `domain`
    /// (default none: host-only).
    ///
    /// A leading dot is ignored and the name is lowercased. [`build`](Self::build) rejects
    /// IP addresses, invalid host names and public suffixes (`com`, `co.uk`, `github.io`, and
    /// single-label names such as `localhost`), which browsers would refuse.
    ///
    /// ```
    /// use lucia::cookie::SessionCookie;
    /// assert!(SessionCookie::builder().domain("example.co.uk").build().is_ok());
    /// assert!(SessionCookie::builder().domain("co.uk").build().is_err());
    /// ```
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Validates the configuration.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if the name is not a valid cookie name or carries a prefix itself, if
    /// the domain is invalid, if `__Host-` is combined with a domain or with development mode,
    /// or if `__Secure-` is combined with development mode.
    ///
    /// ```
    /// use lucia::cookie::{CookiePrefix, SessionCookie};
    /// let err = SessionCookie::builder()
    ///     .prefix(CookiePrefix::Host)
    ///     .development(true)
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("__Host-"));
    /// ```
    pub fn build(self) -> Result<SessionCookie> {
        let config = |message: String| Err(Error::Config(message));
        let name = &self.name;
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return config(format!(
                "cookie name {name:?} is not a valid cookie name (an RFC 6265 token)"
            ));
        }
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("__host-") || lower.starts_with("__secure-") {
            return config(format!(
                "cookie name {name:?} carries a prefix; set it with .prefix(CookiePrefix::...) \
                 so that its requirements are checked"
            ));
        }
        let domain = match &self.domain {
            None => None,
            Some(raw) => Some(cookie_domain(raw)?),
        };
        let prefix = self.prefix.as_str();
        match self.prefix {
            CookiePrefix::Host if domain.is_some() => {
                return config(format!("a {prefix} cookie cannot have a Domain"));
            }
            CookiePrefix::Host | CookiePrefix::Secure if !self.secure => {
                return config(format!(
                    "a {prefix} cookie must be Secure, so it cannot be used in development mode"
                ));
            }
            _ => {}
        }
        Ok(SessionCookie {
            name: format!("{prefix}{name}"),
            prefix: self.prefix,
            same_site: self.same_site,
            secure: self.secure || self.same_site == SameSite::None,
            domain,
        })
    }
}

/// `tchar` of RFC 9110 §5.6.2, the characters of a cookie name.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn cookie_domain(raw: &str) -> Result<String> {
    let invalid = |why: &str| Error::Config(format!("cookie domain {raw:?} {why}"));
    let trimmed = raw.strip_prefix('.').unwrap_or(raw);
    match Host::parse(trimmed) {
        Some(Host::Domain(domain)) if registrable_domain(&domain).is_some() => Ok(domain),
        Some(Host::Domain(_)) => Err(invalid(
            "is a public suffix (or a single label), which browsers refuse as a Domain",
        )),
        Some(_) => Err(invalid(
            "is an IP address; omit the Domain for a host-only cookie",
        )),
        None => Err(invalid("is not a valid host name")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use super::*;
    use http::header::COOKIE;
    use http::{HeaderMap, HeaderValue};
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn token(s: &str) -> SessionToken {
        SessionToken::parse(s).unwrap()
    }

    fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    fn cookies(values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(COOKIE, HeaderValue::from_bytes(value).unwrap());
        }
        headers
    }

    fn read(config: &SessionCookie, values: &[&[u8]]) -> Option<String> {
        config
            .read(&cookies(values))
            .map(|t| t.expose_secret().to_owned())
    }

    #[test]
    fn default_attributes() {
        let config = SessionCookie::default();
        let now = at(1_700_000_000);
        let set = config
            .session_cookie(&token("id.secret"), now + Duration::hours(1), now)
            .to_string();
        assert_eq!(
            set,
            "auth_session=id.secret; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=3600; \
             Expires=Tue, 14 Nov 2023 23:13:20 GMT"
        );
        assert_eq!(config.name(), "auth_session");
        assert_eq!(
            format!("{:?}", SessionCookie::builder().build().unwrap()),
            format!("{config:?}")
        );
    }

    #[test]
    fn configured_attributes() {
        let config = SessionCookie::builder()
            .name("sid")
            .same_site(SameSite::Strict)
            .domain(".EXAMPLE.com")
            .prefix(CookiePrefix::Secure)
            .build()
            .unwrap();
        let set = config
            .session_cookie(&token("a.b"), at(100), at(40))
            .to_string();
        assert_eq!(
            set,
            "__Secure-sid=a.b; HttpOnly; SameSite=Strict; Secure; Path=/; Domain=example.com; \
             Max-Age=60; Expires=Thu, 01 Jan 1970 00:01:40 GMT"
        );
        assert_eq!(config.name(), "__Secure-sid");
    }

    #[test]
    fn host_prefix() {
        let config = SessionCookie::builder()
            .prefix(CookiePrefix::Host)
            .build()
            .unwrap();
        assert_eq!(config.name(), "__Host-auth_session");
        let set = config
            .session_cookie(&token("a.b"), at(10), at(0))
            .to_string();
        assert!(set.starts_with("__Host-auth_session=a.b; "), "{set}");
        assert!(set.contains("; Secure"));
        assert!(set.contains("; Path=/"));
        assert!(!set.contains("Domain"));
    }

    #[test]
    fn host_prefix_conflicts_are_config_errors() {
        let with_domain = SessionCookie::builder()
            .prefix(CookiePrefix::Host)
            .domain("example.com")
            .build();
        assert!(matches!(with_domain, Err(Error::Config(_))));
        for insecure in [
            SessionCookie::builder().development(true),
            SessionCookie::builder().secure(false),
            // SameSite=None forces Secure, but the explicit development mode is still a conflict.
            SessionCookie::builder()
                .development(true)
                .same_site(SameSite::None),
        ] {
            for prefix in [CookiePrefix::Host, CookiePrefix::Secure] {
                let result = insecure.clone().prefix(prefix).build();
                assert!(matches!(result, Err(Error::Config(_))), "{prefix:?}");
            }
        }
        // Order of calls does not matter, and the last of secure/development wins.
        let ok = SessionCookie::builder()
            .development(true)
            .prefix(CookiePrefix::Host)
            .secure(true)
            .build();
        assert!(ok.is_ok());
    }

    #[test]
    fn development_mode_drops_secure() {
        let config = SessionCookie::builder().development(true).build().unwrap();
        let set = config
            .session_cookie(&token("a.b"), at(10), at(0))
            .to_string();
        assert!(!set.contains("Secure"), "{set}");
        assert!(set.contains("; HttpOnly"));
        assert!(set.contains("; SameSite=Lax"));
        let blank = config.blank_cookie().to_string();
        assert!(!blank.contains("Secure"), "{blank}");
    }

    #[test]
    fn same_site_none_forces_secure() {
        let config = SessionCookie::builder()
            .secure(false)
            .same_site(SameSite::None)
            .build()
            .unwrap();
        assert!(config.is_secure());
        let set = config
            .session_cookie(&token("a.b"), at(10), at(0))
            .to_string();
        assert!(set.contains("; SameSite=None; Secure"), "{set}");
    }

    #[test]
    fn max_age_is_clamped() {
        let config = SessionCookie::default();
        let now = at(1_000_000);
        let t = token("a.b");

        let past = config.session_cookie(&t, now - Duration::days(1), now);
        assert_eq!(past.max_age(), Some(Duration::ZERO));
        assert_eq!(past.expires_datetime(), Some(now));
        assert!(past.to_string().contains("; Max-Age=0;"));

        let far = config.session_cookie(&t, now + Duration::days(10_000), now);
        assert_eq!(far.max_age(), Some(MAX_COOKIE_LIFETIME));
        assert_eq!(far.expires_datetime(), Some(now + MAX_COOKIE_LIFETIME));
        assert!(far.to_string().contains("; Max-Age=34560000;"));

        let exact = config.session_cookie(&t, now + MAX_COOKIE_LIFETIME, now);
        assert_eq!(exact.max_age(), Some(MAX_COOKIE_LIFETIME));

        // Sub-second remainders round down, and Expires agrees with Max-Age.
        let fraction = config.session_cookie(&t, now + Duration::milliseconds(1_999), now);
        assert_eq!(fraction.max_age(), Some(Duration::seconds(1)));
        assert_eq!(
            fraction.expires_datetime(),
            Some(now + Duration::seconds(1))
        );

        // Extreme inputs do not panic.
        let _ = config.session_cookie(&t, OffsetDateTime::UNIX_EPOCH, at(253_402_300_799));
        let _ = config
            .session_cookie(&t, at(253_402_300_799), at(253_402_300_000))
            .to_string();
        let _ = config.session_cookie(&t, at(253_402_300_799), OffsetDateTime::UNIX_EPOCH);
    }

    #[test]
    fn expires_is_written_in_gmt() {
        let now = at(0).to_offset(time::UtcOffset::from_hms(5, 30, 0).unwrap());
        let set = SessionCookie::default()
            .session_cookie(&token("a.b"), now + Duration::hours(1), now)
            .to_string();
        assert!(
            set.ends_with("; Expires=Thu, 01 Jan 1970 01:00:00 GMT"),
            "{set}"
        );
    }

    #[test]
    fn blank_cookie_replaces_the_session_cookie() {
        let config = SessionCookie::builder()
            .name("sid")
            .domain("example.com")
            .same_site(SameSite::Strict)
            .build()
            .unwrap();
        assert_eq!(
            config.blank_cookie().to_string(),
            "sid=; HttpOnly; SameSite=Strict; Secure; Path=/; Domain=example.com; Max-Age=0; \
             Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        );
        let host = SessionCookie::builder()
            .prefix(CookiePrefix::Host)
            .build()
            .unwrap();
        assert!(
            host.blank_cookie()
                .to_string()
                .starts_with("__Host-auth_session=; HttpOnly;")
        );
    }

    #[test]
    fn invalid_names_and_domains_are_config_errors() {
        for name in [
            "",
            "a b",
            "a;b",
            "a=b",
            "a,b",
            "\"a\"",
            "caf\u{e9}",
            "__Host-x",
            "__secure-x",
        ] {
            let result = SessionCookie::builder().name(name).build();
            assert!(matches!(result, Err(Error::Config(_))), "{name:?}");
        }
        for domain in [
            "",
            ".",
            "com",
            "co.uk",
            ".co.uk",
            "github.io",
            "localhost",
            "127.0.0.1",
            "[::1]",
            "example.com:443",
            "https://example.com",
            "exa mple.com",
            "example.com; Secure",
            "..example.com",
        ] {
            let result = SessionCookie::builder().domain(domain).build();
            assert!(matches!(result, Err(Error::Config(_))), "{domain:?}");
        }
        for domain in [
            "example.com",
            "app.co.uk",
            "alice.github.io",
            "a.b.example.com.",
        ] {
            assert!(
                SessionCookie::builder().domain(domain).build().is_ok(),
                "{domain:?}"
            );
        }
    }

    #[test]
    fn reads_the_token() {
        let config = SessionCookie::default();
        assert_eq!(
            read(&config, &[b"auth_session=abc.def"]).as_deref(),
            Some("abc.def")
        );
        assert_eq!(
            read(&config, &[b"a=1;  auth_session = abc.def ; b=2"]).as_deref(),
            Some("abc.def")
        );
        assert_eq!(
            read(&config, &[b"auth_session=\"abc.def\""]).as_deref(),
            Some("abc.def")
        );
        let host = SessionCookie::builder()
            .prefix(CookiePrefix::Host)
            .build()
            .unwrap();
        assert_eq!(
            read(
                &host,
                &[b"auth_session=plain.x; __Host-auth_session=host.y"]
            )
            .as_deref(),
            Some("host.y")
        );
        assert_eq!(read(&host, &[b"auth_session=plain.x"]), None);
    }

    #[test]
    fn round_trips_a_generated_token() {
        let config = SessionCookie::default();
        let t = SessionToken::generate().unwrap();
        let set = config.session_cookie(&t, at(10), at(0));
        let header = set.stripped().to_string();
        assert_eq!(config.read(&cookies(&[header.as_bytes()])), Some(t));
    }

    #[test]
    fn hostile_cookie_headers_read_as_none() {
        let config = SessionCookie::default();
        let big = format!("auth_session={}.x", "a".repeat(8 * 1024));
        let big_secret = format!("auth_session=a.{}", "b".repeat(8 * 1024));
        let cases: &[&[u8]] = &[
            b"",
            b";",
            b"auth_session",
            b"auth_session=",
            b"auth_session=\"\"",
            b"auth_session=abcdef",
            b"auth_session=a.b.c",
            b"auth_session=a..b",
            b"auth_session=.b",
            b"auth_session=a.",
            b"auth_session=a.b=",
            b"auth_session=a.b=c",
            b"auth_session=a b.c",
            b"auth_session=a.\xff",
            b"auth_session=\xc3\xa9.b",
            b"AUTH_SESSION=a.b",
            b"xauth_session=a.b",
            b"=auth_session=a.b",
            b"auth_session a.b",
            big.as_bytes(),
            big_secret.as_bytes(),
        ];
        for case in cases {
            assert_eq!(
                read(&config, &[case]),
                None,
                "{:?}",
                String::from_utf8_lossy(case)
            );
        }
        assert_eq!(read(&config, &[]), None);
        assert_eq!(read(&config, cases), None);
    }

    #[test]
    fn first_parsable_duplicate_wins() {
        let config = SessionCookie::default();
        assert_eq!(
            read(&config, &[b"auth_session=first.x; auth_session=second.y"]).as_deref(),
            Some("first.x")
        );
        assert_eq!(
            read(
                &config,
                &[b"auth_session=junk; auth_session=; auth_session=good.z"]
            )
            .as_deref(),
            Some("good.z")
        );
        assert_eq!(
            read(
                &config,
                &[
                    b"auth_session=junk",
                    b"other=1",
                    b"auth_session=second.header"
                ]
            )
            .as_deref(),
            Some("second.header")
        );
        let big = format!("auth_session={}", "x".repeat(8 * 1024));
        assert_eq!(
            read(
                &config,
                &[big.as_bytes(), b"auth_session=\xff", b"auth_session=ok.ok"]
            )
            .as_deref(),
            Some("ok.ok")
        );
    }

    #[test]
    fn invalid_utf8_elsewhere_does_not_hide_the_token() {
        let config = SessionCookie::default();
        assert_eq!(
            read(&config, &[b"tracker=\xff\xfe\xfd; auth_session=abc.def"]).as_deref(),
            Some("abc.def")
        );
        assert_eq!(
            read(&config, &[b"\xff", b"auth_session=abc.def"]).as_deref(),
            Some("abc.def")
        );
    }
}
