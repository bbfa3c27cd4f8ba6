//! The HTTP client every provider request goes through: rustls (no OpenSSL), bounded
//! timeouts, no redirects, bounded response bodies.

use std::time::Duration;

use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::Value;
use url::Url;

use crate::error::{Error, ProviderError, Result};

/// The largest response body read from a provider (1 MiB): a hostile or broken endpoint
/// cannot make the app buffer without limit.
pub const MAX_BODY: usize = 1 << 20;

/// The `User-Agent` of every request (GitHub refuses requests without one).
pub const USER_AGENT: &str = concat!("lucia-oauth/", env!("CARGO_PKG_VERSION"));

/// Installs rustls' `ring` provider as the process default, unless one is installed already.
///
/// reqwest (built here without a bundled provider) panics when it builds a client with no
/// process default; [`HttpClient::new`] calls this first. Apps (and tests) that build their
/// own reqwest clients in the same process can call it too.
pub fn install_crypto_provider() {
    // Fails harmlessly when the app installed another provider: that one is kept.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An HTTP client for provider requests.
///
/// [`HttpClient::new`] gives a 5-second connect timeout, a 15-second total timeout per
/// request, no redirects (token and key endpoints never need them, and following one could
/// leak credentials) and rustls with the `ring` provider, installed as the process default if
/// the app installed none. Clone it freely: clones share one connection pool.
///
/// ```
/// use std::time::Duration;
/// let http = lucia_oauth::HttpClient::new()?;
/// let strict = lucia_oauth::HttpClient::with_timeouts(Duration::from_secs(2), Duration::from_secs(5))?;
/// # Ok::<(), lucia_oauth::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
}

impl HttpClient {
    /// The default client (5 s to connect, 15 s per request).
    pub fn new() -> Result<Self> {
        Self::with_timeouts(Duration::from_secs(5), Duration::from_secs(15))
    }

    /// A client with these timeouts.
    pub fn with_timeouts(connect: Duration, total: Duration) -> Result<Self> {
        install_crypto_provider();
        let inner = reqwest::Client::builder()
            .connect_timeout(connect)
            .timeout(total)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .build()
            .map_err(|err| Error::Config(format!("cannot build the HTTP client: {err}")))?;
        Ok(Self { inner })
    }

    /// Wraps a client the app built; its timeouts and redirect policy are the app's
    /// responsibility (set both).
    pub fn from_reqwest(inner: reqwest::Client) -> Self {
        Self { inner }
    }

    /// Sends a request and reads its (bounded) body.
    pub(crate) async fn send(&self, request: Request<'_>) -> Result<Response> {
        let endpoint = request.endpoint;
        let transport = |source| Error::Http { endpoint, source };
        let mut builder = self
            .inner
            .request(request.method, request.url.clone())
            .headers(request.headers)
            .header(header::ACCEPT, "application/json");
        if let Some((user, password)) = request.basic_encoded {
            builder = builder.basic_auth(user, Some(password));
        }
        if let Some(token) = request.bearer {
            builder = builder.bearer_auth(token);
        }
        if let Some(form) = request.form {
            builder = builder
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form);
        }
        let mut response = builder.send().await.map_err(transport)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(Error::UnexpectedResponse {
                    endpoint,
                    status: status.as_u16(),
                    detail: format!("body larger than {MAX_BODY} bytes"),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            endpoint,
            status,
            body,
        })
    }
}

/// One request to a provider.
pub(crate) struct Request<'a> {
    pub endpoint: &'static str,
    pub method: Method,
    pub url: &'a Url,
    pub headers: HeaderMap,
    pub form: Option<String>,
    /// HTTP Basic credentials, already form-encoded.
    pub basic_encoded: Option<(String, String)>,
    pub bearer: Option<&'a str>,
}

impl<'a> Request<'a> {
    pub(crate) fn get(endpoint: &'static str, url: &'a Url) -> Self {
        Self {
            endpoint,
            method: Method::GET,
            url,
            headers: HeaderMap::new(),
            form: None,
            basic_encoded: None,
            bearer: None,
        }
    }

    pub(crate) fn post_form(endpoint: &'static str, url: &'a Url, form: String) -> Self {
        Self {
            method: Method::POST,
            form: Some(form),
            ..Self::get(endpoint, url)
        }
    }

    /// Adds a header; a value that is not a valid header value is a configuration error.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Result<Self> {
        let name = header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("invalid header name {name:?}")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::Config(format!("invalid value for header {name}")))?;
        self.headers.append(name, value);
        Ok(self)
    }
}

/// A provider's answer: status and body.
pub(crate) struct Response {
    pub endpoint: &'static str,
    pub status: StatusCode,
    pub body: Vec<u8>,
}

impl Response {
    fn unexpected(&self, detail: impl Into<String>) -> Error {
        Error::UnexpectedResponse {
            endpoint: self.endpoint,
            status: self.status.as_u16(),
            detail: format!("{}; body starts {:?}", detail.into(), self.body_start()),
        }
    }

    fn body_start(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        text.chars().take(200).collect()
    }

    /// The body as JSON when the status is a success; an OAuth error body (RFC 6749 §5.2, also
    /// when sent with status 200, as GitHub does) becomes [`Error::Provider`]; anything else
    /// is [`Error::UnexpectedResponse`].
    pub(crate) fn oauth_json(self) -> Result<Value> {
        let json: Option<Value> = serde_json::from_slice(&self.body).ok();
        if let Some(error) = json.as_ref().and_then(provider_error) {
            return Err(Error::Provider(error));
        }
        match json {
            Some(value) if self.status.is_success() => Ok(value),
            Some(_) => Err(self.unexpected("error status without an OAuth error body")),
            None if self.status.is_success() => Err(self.unexpected("not JSON")),
            None => Err(self.unexpected("error status")),
        }
    }

    /// The body as JSON for a resource endpoint (profile, JWKS, discovery): only a success
    /// status with a JSON body is accepted.
    pub(crate) fn resource_json(self) -> Result<Value> {
        if !self.status.is_success() {
            return Err(self.unexpected("error status"));
        }
        serde_json::from_slice(&self.body)
            .map_err(|err| self.unexpected(format!("not JSON: {err}")))
    }

    /// Success with any body (revocation answers 200 with an empty body); an error status is
    /// a provider error when it carries one.
    pub(crate) fn ok(self) -> Result<()> {
        if self.status.is_success() {
            return Ok(());
        }
        let json: Option<Value> = serde_json::from_slice(&self.body).ok();
        match json.as_ref().and_then(provider_error) {
            Some(error) => Err(Error::Provider(error)),
            None => Err(self.unexpected("error status")),
        }
    }
}

/// An OAuth error object: `error` must be a string.
fn provider_error(json: &Value) -> Option<ProviderError> {
    json.get("error")?.as_str()?;
    serde_json::from_value(json.clone()).ok()
}

/// Encodes form parameters (`application/x-www-form-urlencoded`).
pub(crate) fn form<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}
