//! Origin checks: cross-site request forgery (CSRF) protection for requests authenticated by
//! the session cookie.
//!
//! # What it protects against
//!
//! A browser attaches cookies to requests that *other* sites make it send: a hidden form that
//! posts to your `/account/delete`, a `fetch(..., { credentials: "include" })`. The session
//! cookie's `SameSite=Lax` default already stops most cross-site `POST`s in modern browsers,
//! but not requests from a sibling subdomain (same *site*, different *origin*), not browsers
//! that predate or disable `SameSite`, and not a cookie configured `SameSite=None`.
//! [`OriginCheck::check`] closes those gaps: every request whose method is not safe must prove,
//! through headers the browser sets and page scripts cannot forge, that it comes from your own
//! origin (or one you allowed).
//!
//! The rules, in order:
//!
//! 1. `GET`, `HEAD`, `OPTIONS` and `TRACE` always pass: they must not change state. Every
//!    other method, including unknown extension methods, is checked.
//! 2. `Sec-Fetch-Site: same-origin` (set by the browser itself) passes.
//! 3. Otherwise an `Origin` header is required: missing is [`OriginError::MissingOrigin`],
//!    `Origin: null` (sandboxed iframes, `file:` pages, cross-origin redirects, privacy modes)
//!    is [`OriginError::NullOrigin`], anything that is not `scheme://host[:port]` is
//!    [`OriginError::MalformedOrigin`].
//! 4. An origin listed with [`OriginCheckBuilder::allow_origin`] passes.
//! 5. The request's own origin is computed: the configured scheme (`https`, or `http` in
//!    [development mode](OriginCheckBuilder::development)) and the host and port of the `Host`
//!    header (or, with [`OriginCheck::check_request`], of the request target's authority, which
//!    is where HTTP/2 puts it). It passes if `Origin` equals it: scheme and host compared
//!    case-insensitively, a single trailing dot on the host ignored, default ports normalised
//!    (`https://a.com` equals `https://a.com:443`), IPv6 addresses compared as addresses.
//! 6. If subdomains are allowed ([`OriginCheckBuilder::allow_subdomains_of`],
//!    [`OriginCheckBuilder::allow_same_site_subdomains`]), an origin with the request's scheme
//!    and port whose host is the parent domain or ends with `.` + the parent domain passes.
//!    Parents are checked against the public suffix list, so a public suffix (`com`, `co.uk`,
//!    `github.io`) is never a parent: `https://evil.co.uk` is never a subdomain of
//!    `app.co.uk`. IP addresses never have subdomains.
//! 7. Anything else is [`OriginError::Mismatch`].
//!
//! # What it does not protect against
//!
//! - **State changes on safe methods.** A `GET` that deletes something is forgeable by an
//!   `<img>` tag; keep safe methods safe.
//! - **Non-browser clients.** `curl` can send any `Origin` and `Host` it likes. CSRF is an
//!   attack through a victim's browser; a client that holds the victim's token needs no
//!   forgery. Requests authenticated by `Authorization: Bearer` are not exposed to CSRF (a
//!   browser never attaches that header by itself) and need no origin check; requests without
//!   an `Origin` header (old browsers, some privacy tools, API clients using cookies) are
//!   rejected, which fails closed.
//! - **Script on a trusted origin.** Cross-site scripting on your origin, on an allowed origin
//!   or on an allowed subdomain (including a subdomain taken over through a dangling DNS
//!   record) defeats the check; allow as little as you can.
//! - **Reading responses.** This is not CORS: it neither sets nor checks
//!   `Access-Control-*` headers. Clickjacking needs `frame-ancestors`/`X-Frame-Options`.
//!
//! # Proxies
//!
//! The scheme is configuration, never read from the request: behind a proxy that terminates
//! TLS, the application itself sees plain HTTP but the browser's `Origin` is `https://...`, so
//! keep the default (`https`) in production. `X-Forwarded-Host`, `Forwarded` and
//! `X-Forwarded-Proto` are ignored, as they are only trustworthy when a proxy you control
//! overwrites them. A proxy that rewrites `Host` to an internal name makes every request
//! mismatch: list the public origin with [`OriginCheckBuilder::allow_origin`] instead. The
//! `Host` header is a sound thing to compare with, because a victim's browser always sends the
//! real one; an attacker who forges it from their own client gains nothing (see above).
//!
//! # Hosts
//!
//! Hosts are ASCII: internationalised names are compared in their punycode (`xn--`) form, as
//! browsers send them. IPv6 literals are written in brackets (`[::1]:8080`); zone identifiers
//! are not supported. Header values that are not visible ASCII, and repeated `Origin` or `Host`
//! headers, are malformed, never a panic.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use http::header::{HOST, ORIGIN};
use http::{HeaderMap, HeaderName, Method, Request};

use crate::error::{Error, Result};

/// `Sec-Fetch-Site`, a fetch metadata request header set by browsers.
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Why a request failed the origin check.
///
/// ```
/// use lucia::origin::OriginError;
/// assert_eq!(OriginError::MissingOrigin.to_string(), "missing Origin header");
/// let err: lucia::Error = OriginError::NullOrigin.into();
/// assert!(matches!(err, lucia::Error::ForbiddenOrigin(OriginError::NullOrigin)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OriginError {
    /// A non-safe request carried no `Origin` header (and no `Sec-Fetch-Site: same-origin`).
    #[error("missing Origin header")]
    MissingOrigin,
    /// The `Origin` header was `null`: an opaque origin (a sandboxed iframe, a `file:` page, a
    /// request redirected across origins, ...), which can never be trusted.
    #[error("Origin header is \"null\"")]
    NullOrigin,
    /// The `Origin` header was repeated, not visible ASCII, or not `scheme://host[:port]`.
    #[error("malformed Origin header")]
    MalformedOrigin,
    /// The request had no `Host` header (and no authority in its target).
    #[error("missing Host header")]
    MissingHost,
    /// The `Host` header was repeated, not visible ASCII, or not `host[:port]`.
    #[error("malformed Host header")]
    MalformedHost,
    /// The `Origin` is well formed but neither the request's own origin nor an allowed one.
    #[error("origin {origin:?} does not match the request's origin {expected:?}")]
    Mismatch {
        /// The request's `Origin`, normalised (lowercase, default port omitted).
        origin: String,
        /// The request's own origin, as computed from the configured scheme and the host.
        expected: String,
    },
}

/// CSRF protection: checks that a state-changing request comes from an allowed origin.
///
/// Built with [`OriginCheck::builder`]; [`OriginCheck::default`] expects `https` and allows
/// only the request's own origin. See the [module documentation](self) for the exact rules and
/// their limits.
///
/// ```
/// use http::{HeaderMap, HeaderValue, Method};
/// use lucia::origin::{OriginCheck, OriginError};
///
/// let check = OriginCheck::default();
/// let mut headers = HeaderMap::new();
/// headers.insert("host", HeaderValue::from_static("example.com"));
/// assert_eq!(check.check(&Method::GET, &headers), Ok(()));
/// assert_eq!(check.check(&Method::POST, &headers), Err(OriginError::MissingOrigin));
///
/// headers.insert("origin", HeaderValue::from_static("https://example.com"));
/// assert_eq!(check.check(&Method::POST, &headers), Ok(()));
///
/// headers.insert("origin", HeaderValue::from_static("https://evil.example"));
/// assert!(matches!(
///     check.check(&Method::POST, &headers),
///     Err(OriginError::Mismatch { .. })
/// ));
/// ```
#[derive(Clone, Debug)]
pub struct OriginCheck {
    scheme: &'static str,
    allowed_origins: Vec<Origin>,
    subdomain_parents: Vec<String>,
    same_site_subdomains: bool,
}

impl Default for OriginCheck {
    fn default() -> Self {
        Self {
            scheme: "https",
            allowed_origins: Vec::new(),
            subdomain_parents: Vec::new(),
            same_site_subdomains: false,
        }
    }
}

impl OriginCheck {
    /// Starts the configuration of an origin check.
    ///
    /// ```
    /// use lucia::origin::OriginCheck;
    /// let check = OriginCheck::builder()
    ///     .allow_origin("https://admin.example.com")
    ///     .allow_subdomains_of("example.com")
    ///     .build()?;
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn builder() -> OriginCheckBuilder {
        OriginCheckBuilder::default()
    }

    /// The scheme the request's own origin is assumed to have: `"https"`, or `"http"` in
    /// development mode.
    ///
    /// ```
    /// use lucia::origin::OriginCheck;
    /// assert_eq!(OriginCheck::default().scheme(), "https");
    /// let dev = OriginCheck::builder().development(true).build()?;
    /// assert_eq!(dev.scheme(), "http");
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// Checks a request, taking its host from the `Host` header.
    ///
    /// HTTP/2 requests carry their host in the `:authority` pseudo-header, which servers such
    /// as hyper put in the request URI rather than in a `Host` header; when you have the whole
    /// [`http::Request`], prefer [`OriginCheck::check_request`].
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, Method};
    /// use lucia::origin::OriginCheck;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("host", HeaderValue::from_static("example.com"));
    /// headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
    /// assert!(OriginCheck::default().check(&Method::DELETE, &headers).is_ok());
    /// ```
    pub fn check(&self, method: &Method, headers: &HeaderMap) -> Result<(), OriginError> {
        self.check_inner(method, headers, None)
    }

    /// Checks a request, taking its host from the authority of the request target if it has
    /// one (HTTP/2's `:authority`, HTTP/1.1's absolute-form), else from the `Host` header.
    ///
    /// ```
    /// use http::Request;
    /// use lucia::origin::OriginCheck;
    ///
    /// let request = Request::post("https://example.com/logout")
    ///     .header("origin", "https://example.com")
    ///     .body(())
    ///     .expect("a valid request");
    /// assert!(OriginCheck::default().check_request(&request).is_ok());
    /// ```
    pub fn check_request<B>(&self, request: &Request<B>) -> Result<(), OriginError> {
        let authority = request.uri().authority().map(|a| a.as_str());
        self.check_inner(request.method(), request.headers(), authority)
    }

    /// Checks a request given as parts, with the authority of its target if it has one
    /// (what [`OriginCheck::check_request`] does, for frameworks without `http::Request`).
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, Method};
    /// let mut headers = HeaderMap::new();
    /// headers.insert("origin", HeaderValue::from_static("https://example.com"));
    /// let check = lucia::origin::OriginCheck::default();
    /// assert!(check.check_parts(&Method::POST, Some("example.com"), &headers).is_ok());
    /// assert!(check.check_parts(&Method::POST, Some("other.com"), &headers).is_err());
    /// ```
    pub fn check_parts(
        &self,
        method: &Method,
        authority: Option<&str>,
        headers: &HeaderMap,
    ) -> Result<(), OriginError> {
        self.check_inner(method, headers, authority)
    }

    fn check_inner(
        &self,
        method: &Method,
        headers: &HeaderMap,
        authority: Option<&str>,
    ) -> Result<(), OriginError> {
        if is_safe(method) {
            return Ok(());
        }
        if single_header(headers, &SEC_FETCH_SITE) == Some(Ok(b"same-origin".as_slice())) {
            return Ok(());
        }
        let origin = match single_header(headers, &ORIGIN) {
            None => return Err(OriginError::MissingOrigin),
            Some(Err(())) => return Err(OriginError::MalformedOrigin),
            Some(Ok(value)) => value,
        };
        let origin = std::str::from_utf8(origin).map_err(|_| OriginError::MalformedOrigin)?;
        if origin == "null" {
            return Err(OriginError::NullOrigin);
        }
        let origin = Origin::parse(origin).ok_or(OriginError::MalformedOrigin)?;
        if self.allowed_origins.contains(&origin) {
            return Ok(());
        }

        let host = match authority {
            Some(authority) => authority,
            None => match single_header(headers, &HOST) {
                None => return Err(OriginError::MissingHost),
                Some(Err(())) => return Err(OriginError::MalformedHost),
                Some(Ok(host)) => {
                    std::str::from_utf8(host).map_err(|_| OriginError::MalformedHost)?
                }
            },
        };
        let (host, port) = split_host_port(host).ok_or(OriginError::MalformedHost)?;
        let expected = Origin {
            scheme: self.scheme.to_owned(),
            host,
            port: port.or_else(|| default_port(self.scheme)),
        };
        if origin == expected || self.is_allowed_subdomain(&origin, &expected) {
            return Ok(());
        }
        Err(OriginError::Mismatch {
            origin: origin.to_string(),
            expected: expected.to_string(),
        })
    }

    fn is_allowed_subdomain(&self, origin: &Origin, expected: &Origin) -> bool {
        if origin.scheme != expected.scheme || origin.port != expected.port {
            return false;
        }
        let Host::Domain(host) = &origin.host else {
            return false;
        };
        let is_under = |parent: &str| {
            host == parent
                || host
                    .strip_suffix(parent)
                    .is_some_and(|prefix| prefix.ends_with('.'))
        };
        if self.subdomain_parents.iter().any(|parent| is_under(parent)) {
            return true;
        }
        if self.same_site_subdomains
            && let Host::Domain(request_host) = &expected.host
            && let Some(site) = registrable_domain(request_host)
        {
            return is_under(site);
        }
        false
    }
}

/// Configures an [`OriginCheck`]; every value is validated by [`OriginCheckBuilder::build`].
///
/// ```
/// use lucia::origin::OriginCheck;
/// let err = OriginCheck::builder().allow_subdomains_of("co.uk").build().unwrap_err();
/// assert!(matches!(err, lucia::Error::Config(_)));
/// ```
#[derive(Clone, Debug, Default)]
pub struct OriginCheckBuilder {
    development: bool,
    allowed_origins: Vec<String>,
    subdomain_parents: Vec<String>,
    same_site_subdomains: bool,
}

impl OriginCheckBuilder {
    /// Development mode: the request's own origin is `http://...` instead of `https://...`.
    ///
    /// Leave it off in production even if a proxy terminates TLS in front of the application:
    /// what matters is the scheme the browser sees.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, Method};
    /// use lucia::origin::OriginCheck;
    ///
    /// let check = OriginCheck::builder().development(true).build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("host", HeaderValue::from_static("localhost:3000"));
    /// headers.insert("origin", HeaderValue::from_static("http://localhost:3000"));
    /// assert!(check.check(&Method::POST, &headers).is_ok());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn development(mut self, development: bool) -> Self {
        self.development = development;
        self
    }

    /// Also accepts requests whose `Origin` is exactly `origin`, whatever their `Host`.
    ///
    /// `origin` must be `scheme://host` or `scheme://host:port`, with no path, no trailing
    /// slash, no credentials; otherwise [`build`](Self::build) fails with
    /// [`Error::Config`]. Scheme and host are case-insensitive and a default port may be
    /// written or omitted. May be called several times.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, Method};
    /// use lucia::origin::OriginCheck;
    ///
    /// let check = OriginCheck::builder().allow_origin("https://admin.example.com").build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("host", HeaderValue::from_static("api.example.com"));
    /// headers.insert("origin", HeaderValue::from_static("https://admin.example.com:443"));
    /// assert!(check.check(&Method::PUT, &headers).is_ok());
    ///
    /// assert!(OriginCheck::builder().allow_origin("https://example.com/").build().is_err());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push(origin.into());
        self
    }

    /// Also accepts origins whose host is `parent` or a subdomain of it, with the same scheme
    /// and port as the request.
    ///
    /// `parent` is a bare host name (no scheme, no port). It must be a registrable domain or
    /// below one according to the public suffix list: `example.com` and `app.example.co.uk`
    /// are fine, `com`, `co.uk` or `github.io` are an [`Error::Config`] from
    /// [`build`](Self::build), as are IP addresses and single-label names such as `localhost`
    /// (use [`allow_origin`](Self::allow_origin) for those). May be called several times.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, Method};
    /// use lucia::origin::OriginCheck;
    ///
    /// let check = OriginCheck::builder().allow_subdomains_of("app.co.uk").build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("host", HeaderValue::from_static("api.app.co.uk"));
    /// headers.insert("origin", HeaderValue::from_static("https://www.app.co.uk"));
    /// assert!(check.check(&Method::POST, &headers).is_ok());
    /// headers.insert("origin", HeaderValue::from_static("https://evil.co.uk"));
    /// assert!(check.check(&Method::POST, &headers).is_err());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn allow_subdomains_of(mut self, parent: impl Into<String>) -> Self {
        self.subdomain_parents.push(parent.into());
        self
    }

    /// Also accepts origins on any host under the request host's registrable domain (its
    /// "eTLD+1", from the public suffix list), with the same scheme and port as the request.
    ///
    /// A request to `api.example.co.uk` then accepts `https://www.example.co.uk` and
    /// `https://example.co.uk`, but never `https://other.co.uk`. Requests to an IP address or
    /// to a host without a registrable domain (`localhost`, a public suffix) get no subdomain
    /// allowance. Prefer [`allow_subdomains_of`](Self::allow_subdomains_of), which does not
    /// depend on the `Host` header.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, Method};
    /// use lucia::origin::OriginCheck;
    ///
    /// let check = OriginCheck::builder().allow_same_site_subdomains(true).build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("host", HeaderValue::from_static("api.example.com"));
    /// headers.insert("origin", HeaderValue::from_static("https://www.example.com"));
    /// assert!(check.check(&Method::POST, &headers).is_ok());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn allow_same_site_subdomains(mut self, allow: bool) -> Self {
        self.same_site_subdomains = allow;
        self
    }

    /// Validates the configuration.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the first allowed origin or parent domain that is invalid.
    ///
    /// ```
    /// use lucia::origin::OriginCheck;
    /// assert!(OriginCheck::builder().allow_origin("example.com").build().is_err());
    /// assert!(OriginCheck::builder().allow_subdomains_of("com").build().is_err());
    /// assert!(OriginCheck::builder().allow_origin("http://localhost:8080").build().is_ok());
    /// ```
    pub fn build(self) -> Result<OriginCheck> {
        let allowed_origins = self
            .allowed_origins
            .iter()
            .map(|raw| {
                Origin::parse(raw).ok_or_else(|| {
                    Error::Config(format!(
                        "allowed origin {raw:?} is not of the form scheme://host[:port] \
                         (no path, no trailing slash)"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let subdomain_parents = self
            .subdomain_parents
            .iter()
            .map(|raw| parent_domain(raw))
            .collect::<Result<Vec<_>>>()?;
        Ok(OriginCheck {
            scheme: if self.development { "http" } else { "https" },
            allowed_origins,
            subdomain_parents,
            same_site_subdomains: self.same_site_subdomains,
        })
    }
}

fn parent_domain(raw: &str) -> Result<String> {
    let invalid = |why: &str| Error::Config(format!("subdomain parent {raw:?} {why}"));
    let host = match Host::parse(raw) {
        Some(Host::Domain(host)) => host,
        Some(_) => return Err(invalid("is an IP address, which has no subdomains")),
        None => {
            return Err(invalid(
                "is not a host name (write it without scheme or port)",
            ));
        }
    };
    if registrable_domain(&host).is_none() {
        return Err(invalid(
            "is a public suffix or has no registrable domain; \
             list the exact origins with allow_origin instead",
        ));
    }
    Ok(host)
}

/// The registrable domain ("eTLD+1") of a normalised host name, per the public suffix list.
pub(crate) fn registrable_domain(host: &str) -> Option<&str> {
    psl::domain_str(host)
}

fn is_safe(method: &Method) -> bool {
    [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE].contains(method)
}

/// The value of a header that must occur at most once: `None` if absent, `Err` if repeated.
fn single_header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<Result<&'a [u8], ()>> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    Some(match values.next() {
        None => Ok(first.as_bytes()),
        Some(_) => Err(()),
    })
}

/// A host: a normalised (lowercase, no trailing dot) DNS name or an IP address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Host {
    Domain(String),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

impl Host {
    /// Parses a host without port: `[v6]`, an IPv4 address, or a DNS name. `None` if invalid.
    pub(crate) fn parse(input: &str) -> Option<Host> {
        if let Some(v6) = input.strip_prefix('[') {
            return v6.strip_suffix(']')?.parse().ok().map(Host::V6);
        }
        let input = input.strip_suffix('.').unwrap_or(input);
        if let Ok(v4) = input.parse() {
            return Some(Host::V4(v4));
        }
        let valid_label = |label: &str| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        ((1..=253).contains(&input.len()) && input.split('.').all(valid_label))
            .then(|| Host::Domain(input.to_ascii_lowercase()))
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(name) => f.write_str(name),
            Host::V4(ip) => write!(f, "{ip}"),
            Host::V6(ip) => write!(f, "[{ip}]"),
        }
    }
}

/// Splits `host[:port]`; an empty port (`host:`) means the default one.
fn split_host_port(input: &str) -> Option<(Host, Option<u16>)> {
    let (host, port) = if input.starts_with('[') {
        let close = input.find(']')?;
        let (host, rest) = input.split_at(close + 1);
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match input.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (input, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(port) if port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()) => {
            Some(port.parse().ok()?)
        }
        Some(_) => return None,
    };
    Some((Host::parse(host)?, port))
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

/// A parsed origin: lowercase scheme, host, and effective port (explicit or the scheme's
/// default).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: Host,
    port: Option<u16>,
}

impl Origin {
    /// Parses `scheme://host[:port]`; `None` if anything else is there.
    fn parse(input: &str) -> Option<Origin> {
        let (scheme, rest) = input.split_once("://")?;
        let mut chars = scheme.bytes();
        let valid_scheme = chars.next().is_some_and(|b| b.is_ascii_alphabetic())
            && chars.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !valid_scheme {
            return None;
        }
        let scheme = scheme.to_ascii_lowercase();
        let (host, port) = split_host_port(rest)?;
        let port = port.or_else(|| default_port(&scheme));
        Some(Origin { scheme, host, port })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        match self.port {
            Some(port) if Some(port) != default_port(&self.scheme) => write!(f, ":{port}"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use super::*;
    use http::HeaderValue;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const POST: Method = Method::POST;

    fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        headers
    }

    fn check_with(check: &OriginCheck, host: &str, origin: &str) -> Result<(), OriginError> {
        check.check(
            &POST,
            &headers(&[("host", host.as_bytes()), ("origin", origin.as_bytes())]),
        )
    }

    fn check(host: &str, origin: &str) -> Result<(), OriginError> {
        check_with(&OriginCheck::default(), host, origin)
    }

    fn is_mismatch(result: Result<(), OriginError>) -> bool {
        matches!(result, Err(OriginError::Mismatch { .. }))
    }

    #[test]
    fn same_origin_passes() {
        assert_eq!(check("example.com", "https://example.com"), Ok(()));
        assert_eq!(
            check("example.com:8443", "https://example.com:8443"),
            Ok(())
        );
        assert_eq!(check("127.0.0.1:8443", "https://127.0.0.1:8443"), Ok(()));
    }

    #[test]
    fn default_ports_are_normalised() {
        assert_eq!(check("example.com", "https://example.com:443"), Ok(()));
        assert_eq!(check("example.com:443", "https://example.com"), Ok(()));
        assert_eq!(check("example.com:", "https://example.com"), Ok(()));
        // An empty port means the default one, as in URL parsing.
        assert_eq!(check("example.com", "https://example.com:"), Ok(()));
        assert!(is_mismatch(check("example.com:80", "https://example.com")));
        let dev = OriginCheck::builder().development(true).build().unwrap();
        assert_eq!(
            check_with(&dev, "example.com", "http://example.com:80"),
            Ok(())
        );
        assert!(is_mismatch(check_with(
            &dev,
            "example.com:443",
            "http://example.com"
        )));
    }

    #[test]
    fn other_port_is_a_mismatch() {
        assert_eq!(
            check("example.com:8080", "https://example.com:8081"),
            Err(OriginError::Mismatch {
                origin: "https://example.com:8081".into(),
                expected: "https://example.com:8080".into(),
            })
        );
        assert!(is_mismatch(check(
            "example.com",
            "https://example.com:8443"
        )));
    }

    #[test]
    fn scheme_must_match_configuration() {
        assert!(is_mismatch(check("example.com", "http://example.com")));
        let dev = OriginCheck::builder().development(true).build().unwrap();
        assert!(is_mismatch(check_with(
            &dev,
            "example.com",
            "https://example.com"
        )));
        assert_eq!(
            check_with(&dev, "localhost:3000", "http://localhost:3000"),
            Ok(())
        );
        assert!(is_mismatch(check("example.com", "wss://example.com")));
    }

    #[test]
    fn case_and_trailing_dots_are_normalised() {
        assert_eq!(check("EXAMPLE.com", "HTTPS://Example.COM"), Ok(()));
        assert_eq!(check("example.com.", "https://example.com"), Ok(()));
        assert_eq!(check("example.com", "https://example.com."), Ok(()));
        assert_eq!(
            check("example.com.:443", "https://example.com.:443"),
            Ok(())
        );
        assert_eq!(
            check("xn--bcher-kva.example", "https://xn--bcher-kva.example"),
            Ok(())
        );
        assert_eq!(
            check("example.com..", "https://example.com"),
            Err(OriginError::MalformedHost)
        );
        assert_eq!(
            check("example.com", "https://example.com.."),
            Err(OriginError::MalformedOrigin)
        );
    }

    #[test]
    fn ipv6_hosts() {
        assert_eq!(check("[::1]:8080", "https://[::1]:8080"), Ok(()));
        assert_eq!(check("[::1]", "https://[0:0:0:0:0:0:0:1]:443"), Ok(()));
        assert_eq!(check("[2001:DB8::1]", "https://[2001:db8::1]"), Ok(()));
        assert!(is_mismatch(check("[::1]:8080", "https://[::1]:8081")));
        assert!(is_mismatch(check("[::1]:8080", "https://[::2]:8080")));
        assert_eq!(
            check("::1", "https://[::1]"),
            Err(OriginError::MalformedHost)
        );
        assert_eq!(
            check("[::1", "https://[::1]"),
            Err(OriginError::MalformedHost)
        );
        assert_eq!(
            check("[::1]x", "https://[::1]"),
            Err(OriginError::MalformedHost)
        );
        assert_eq!(
            check("[fe80::1%eth0]", "https://[::1]"),
            Err(OriginError::MalformedHost)
        );
        assert_eq!(
            check("[::1]", "https://::1"),
            Err(OriginError::MalformedOrigin)
        );
        assert_eq!(
            check("[::1]", "https://[::1]/"),
            Err(OriginError::MalformedOrigin)
        );
        assert_eq!(
            check("[::1]", "https://[1.2.3.4]"),
            Err(OriginError::MalformedOrigin)
        );
    }

    #[test]
    fn missing_origin_on_unsafe_methods() {
        let only_host = headers(&[("host", b"example.com")]);
        let check = OriginCheck::default();
        for method in [
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::CONNECT,
            Method::from_bytes(b"PROPFIND").unwrap(),
        ] {
            assert_eq!(
                check.check(&method, &only_host),
                Err(OriginError::MissingOrigin)
            );
        }
    }

    #[test]
    fn safe_methods_always_pass() {
        let hostile = headers(&[("origin", b"https://evil.example"), ("host", b"\xff")]);
        let check = OriginCheck::default();
        for method in [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE] {
            assert_eq!(check.check(&method, &hostile), Ok(()));
            assert_eq!(check.check(&method, &HeaderMap::new()), Ok(()));
        }
    }

    #[test]
    fn null_and_malformed_origins() {
        assert_eq!(check("example.com", "null"), Err(OriginError::NullOrigin));
        for origin in [
            "",
            "Null",
            "example.com",
            "https://",
            "https:///",
            "https://example.com/",
            "https://example.com/path",
            "https://example.com?x",
            "https://example.com#x",
            "https://user@example.com",
            "https://user:pw@example.com",
            "https://example.com:99999",
            "https://example.com:-1",
            "https://example.com:+443",
            "https://example.com:443:443",
            "https://exa mple.com",
            "https://*.example.com",
            "1https://example.com",
            "://example.com",
            "https//example.com",
        ] {
            let result = check("example.com", origin);
            assert_eq!(result, Err(OriginError::MalformedOrigin), "{origin:?}");
        }
        let long = format!("https://{}.com", "a".repeat(8 * 1024));
        assert_eq!(
            check("example.com", &long),
            Err(OriginError::MalformedOrigin)
        );
    }

    #[test]
    fn non_ascii_and_repeated_headers_are_rejected() {
        let check = OriginCheck::default();
        let bad_origin = headers(&[("host", b"example.com"), ("origin", b"https://\xff.com")]);
        assert_eq!(
            check.check(&POST, &bad_origin),
            Err(OriginError::MalformedOrigin)
        );
        let utf8_origin = headers(&[
            ("host", b"example.com"),
            ("origin", "https://b\u{fc}cher.example".as_bytes()),
        ]);
        assert_eq!(
            check.check(&POST, &utf8_origin),
            Err(OriginError::MalformedOrigin)
        );
        let bad_host = headers(&[("host", b"\xffexample.com"), ("origin", b"https://a.com")]);
        assert_eq!(
            check.check(&POST, &bad_host),
            Err(OriginError::MalformedHost)
        );
        let two_origins = headers(&[
            ("host", b"example.com"),
            ("origin", b"https://example.com"),
            ("origin", b"https://example.com"),
        ]);
        assert_eq!(
            check.check(&POST, &two_origins),
            Err(OriginError::MalformedOrigin)
        );
        let two_hosts = headers(&[
            ("host", b"example.com"),
            ("host", b"example.com"),
            ("origin", b"https://example.com"),
        ]);
        assert_eq!(
            check.check(&POST, &two_hosts),
            Err(OriginError::MalformedHost)
        );
    }

    #[test]
    fn missing_or_malformed_host() {
        let no_host = headers(&[("origin", b"https://example.com")]);
        assert_eq!(
            OriginCheck::default().check(&POST, &no_host),
            Err(OriginError::MissingHost)
        );
        for host in [
            "",
            ":443",
            "user@example.com",
            "example.com/path",
            "example.com:https",
            "example.com:1:2",
            "exa mple.com",
            ".",
            ".example.com",
        ] {
            let result = check(host, "https://example.com");
            assert_eq!(result, Err(OriginError::MalformedHost), "{host:?}");
        }
    }

    #[test]
    fn sec_fetch_site() {
        let check = OriginCheck::default();
        let same_origin = headers(&[("sec-fetch-site", b"same-origin")]);
        assert_eq!(check.check(&POST, &same_origin), Ok(()));
        for site in [
            b"same-site".as_slice(),
            b"cross-site",
            b"none",
            b"SAME-ORIGIN",
        ] {
            let no_origin = headers(&[("host", b"example.com"), ("sec-fetch-site", site)]);
            assert_eq!(
                check.check(&POST, &no_origin),
                Err(OriginError::MissingOrigin)
            );
            let evil = headers(&[
                ("host", b"example.com"),
                ("sec-fetch-site", site),
                ("origin", b"https://evil.example"),
            ]);
            assert!(is_mismatch(check.check(&POST, &evil)));
            let good = headers(&[
                ("host", b"example.com"),
                ("sec-fetch-site", site),
                ("origin", b"https://example.com"),
            ]);
            assert_eq!(check.check(&POST, &good), Ok(()));
        }
        let repeated = headers(&[
            ("sec-fetch-site", b"same-origin"),
            ("sec-fetch-site", b"same-origin"),
        ]);
        assert_eq!(
            check.check(&POST, &repeated),
            Err(OriginError::MissingOrigin)
        );
    }

    #[test]
    fn allowed_extra_origins() {
        let check = OriginCheck::builder()
            .allow_origin("https://Admin.Example.com:443")
            .allow_origin("http://localhost:5173")
            .allow_origin("https://[::1]:8443")
            .allow_origin("chrome-extension://abcdefghijklmnop")
            .build()
            .unwrap();
        let host = "api.example.com";
        assert_eq!(
            check_with(&check, host, "https://admin.example.com"),
            Ok(())
        );
        assert_eq!(check_with(&check, host, "http://localhost:5173"), Ok(()));
        assert_eq!(check_with(&check, host, "https://[::1]:8443"), Ok(()));
        assert_eq!(
            check_with(&check, host, "chrome-extension://abcdefghijklmnop"),
            Ok(())
        );
        assert!(is_mismatch(check_with(
            &check,
            host,
            "http://admin.example.com"
        )));
        assert!(is_mismatch(check_with(
            &check,
            host,
            "http://localhost:5174"
        )));
        assert!(is_mismatch(check_with(
            &check,
            host,
            "https://x.admin.example.com"
        )));
        // An allowed origin needs no Host header.
        let no_host = headers(&[("origin", b"https://admin.example.com")]);
        assert_eq!(check.check(&POST, &no_host), Ok(()));
    }

    #[test]
    fn garbage_allowed_origins_are_config_errors() {
        for origin in [
            "",
            "*",
            "example.com",
            "https://",
            "https://example.com/",
            "https://example.com/app",
            "https://user@example.com",
            "https://example.com:70000",
            "https://*.example.com",
            "null",
        ] {
            let result = OriginCheck::builder().allow_origin(origin).build();
            assert!(matches!(result, Err(Error::Config(_))), "{origin:?}");
        }
    }

    #[test]
    fn subdomains_of_a_parent() {
        let check = OriginCheck::builder()
            .allow_subdomains_of("Example.com.")
            .build()
            .unwrap();
        let host = "api.example.com";
        assert_eq!(check_with(&check, host, "https://example.com"), Ok(()));
        assert_eq!(check_with(&check, host, "https://www.example.com"), Ok(()));
        assert_eq!(check_with(&check, host, "https://a.b.EXAMPLE.com"), Ok(()));
        assert_eq!(
            check_with(&check, host, "https://www.example.com:443"),
            Ok(())
        );
        // Scheme and port must be the request's.
        assert!(is_mismatch(check_with(
            &check,
            host,
            "http://www.example.com"
        )));
        assert!(is_mismatch(check_with(
            &check,
            host,
            "https://www.example.com:8443"
        )));
        // Suffix tricks.
        assert!(is_mismatch(check_with(
            &check,
            host,
            "https://evilexample.com"
        )));
        assert!(is_mismatch(check_with(
            &check,
            host,
            "https://example.com.evil.com"
        )));
        assert!(is_mismatch(check_with(&check, host, "https://com")));
        assert!(is_mismatch(check_with(&check, host, "https://1.2.3.4")));
    }

    #[test]
    fn public_suffix_trap() {
        let check = OriginCheck::builder()
            .allow_subdomains_of("app.co.uk")
            .build()
            .unwrap();
        assert!(is_mismatch(check_with(
            &check,
            "app.co.uk",
            "https://evil.co.uk"
        )));
        assert!(is_mismatch(check_with(
            &check,
            "app.co.uk",
            "https://co.uk"
        )));
        assert_eq!(
            check_with(&check, "app.co.uk", "https://www.app.co.uk"),
            Ok(())
        );

        let same_site = OriginCheck::builder()
            .allow_same_site_subdomains(true)
            .build()
            .unwrap();
        assert!(is_mismatch(check_with(
            &same_site,
            "app.co.uk",
            "https://evil.co.uk"
        )));
        assert!(is_mismatch(check_with(
            &same_site,
            "api.app.co.uk",
            "https://evil.co.uk"
        )));
        assert_eq!(
            check_with(&same_site, "api.app.co.uk", "https://app.co.uk"),
            Ok(())
        );
        assert_eq!(
            check_with(&same_site, "api.app.co.uk", "https://www.app.co.uk"),
            Ok(())
        );
        // Private-section suffixes count too: github.io users are separate sites.
        assert!(is_mismatch(check_with(
            &same_site,
            "alice.github.io",
            "https://mallory.github.io"
        )));
    }

    #[test]
    fn same_site_subdomains_need_a_registrable_request_host() {
        let check = OriginCheck::builder()
            .allow_same_site_subdomains(true)
            .build()
            .unwrap();
        assert!(is_mismatch(check_with(&check, "127.0.0.1", "https://0.1")));
        assert!(is_mismatch(check_with(
            &check,
            "localhost",
            "https://a.localhost"
        )));
        assert!(is_mismatch(check_with(&check, "co.uk", "https://a.co.uk")));
        assert!(is_mismatch(check_with(&check, "[::1]", "https://[::2]")));
        assert!(is_mismatch(check_with(
            &check,
            "api.example.com",
            "https://example.org"
        )));
    }

    #[test]
    fn public_suffixes_and_ips_are_not_parents() {
        for parent in [
            "com",
            "co.uk",
            "uk",
            "github.io",
            "localhost",
            "127.0.0.1",
            "[::1]",
            "",
            ".",
            "https://example.com",
            "example.com:443",
            "*.example.com",
            "example..com",
            "xn--p1ai",
        ] {
            let result = OriginCheck::builder().allow_subdomains_of(parent).build();
            assert!(matches!(result, Err(Error::Config(_))), "{parent:?}");
        }
        for parent in [
            "example.com",
            "app.co.uk",
            "alice.github.io",
            "corp.internal",
            "xn--d1acufc.xn--p1ai",
        ] {
            assert!(
                OriginCheck::builder()
                    .allow_subdomains_of(parent)
                    .build()
                    .is_ok()
            );
        }
    }

    #[test]
    fn check_request_prefers_the_target_authority() {
        let check = OriginCheck::default();
        // HTTP/2 style: authority in the URI, no Host header.
        let request = Request::post("https://example.com:8443/x")
            .header("origin", "https://example.com:8443")
            .body(())
            .unwrap();
        assert_eq!(check.check_request(&request), Ok(()));
        // HTTP/1.1 origin-form: host from the header.
        let request = Request::post("/x")
            .header("host", "example.com")
            .header("origin", "https://example.com")
            .body(())
            .unwrap();
        assert_eq!(check.check_request(&request), Ok(()));
        let request = Request::post("/x")
            .header("origin", "https://example.com")
            .body(())
            .unwrap();
        assert_eq!(check.check_request(&request), Err(OriginError::MissingHost));
        let request = Request::get("/x").body(()).unwrap();
        assert_eq!(check.check_request(&request), Ok(()));
    }

    #[test]
    fn mismatch_reports_normalised_origins() {
        let err = check("API.example.com:443", "HTTPS://Evil.example:443").unwrap_err();
        assert_eq!(
            err,
            OriginError::Mismatch {
                origin: "https://evil.example".into(),
                expected: "https://api.example.com".into(),
            }
        );
        assert_eq!(
            err.to_string(),
            "origin \"https://evil.example\" does not match the request's origin \
             \"https://api.example.com\""
        );
        let err = check("[::1]:8080", "https://[::2]").unwrap_err();
        assert_eq!(
            err,
            OriginError::Mismatch {
                origin: "https://[::2]".into(),
                expected: "https://[::1]:8080".into(),
            }
        );
    }
}
