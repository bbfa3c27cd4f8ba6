//! What a provider is: its endpoints, how it wants clients to authenticate, whether it speaks
//! PKCE and OpenID Connect, and where the user's stable id and email are found.
//!
//! A [`Provider`] is plain data. The presets in [`crate::providers`] build one per provider;
//! an app can build its own for anything not listed, or adjust a preset with the builder
//! methods (other scopes, an extra authorization parameter, endpoints rebased onto a test
//! server with [`Provider::rebase`]).

use url::Url;

use crate::error::{Error, Result};

/// How the client proves its identity at the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `Authorization: Basic base64(client_id:client_secret)` (`client_secret_basic`).
    Basic,
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Post,
}

/// Which PKCE method (RFC 7636) the provider gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pkce {
    /// None: the provider does not support PKCE.
    None,
    /// `S256`: a 256-bit verifier, its SHA-256 as the challenge.
    S256,
    /// `plain`: the verifier itself as the challenge. Only for providers that support nothing
    /// better (MyAnimeList); it still binds the code to the flow cookie.
    Plain,
}

/// How the provider sends the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// A redirect with `code` and `state` in the query (the default).
    Query,
    /// A cross-site `POST` with `code` and `state` in a form body (Apple when scopes are
    /// requested). The flow cookie must then be `SameSite=None; Secure`, or the browser would not
    /// send it with the POST.
    FormPost,
}

/// Which `iss` values an ID token may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssuerCheck {
    /// One of these exact values (Google uses two spellings).
    AnyOf(Vec<String>),
    /// Microsoft Entra ID's multi-tenant endpoints (`common`, `organizations`, `consumers`): the
    /// issuer is this template with `{tenantid}` replaced by the token's own `tid` claim.
    TenantTemplate(String),
}

impl IssuerCheck {
    /// Exactly this issuer.
    pub fn exact(issuer: impl Into<String>) -> Self {
        Self::AnyOf(vec![issuer.into()])
    }
}

/// OpenID Connect facts of a provider: where its keys are and what its tokens say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oidc {
    /// The accepted `iss` values.
    pub issuer: IssuerCheck,
    /// The issuer's JSON Web Key Set.
    pub jwks_uri: Url,
    /// Whether the provider signs ID tokens with HS256 and the client secret (LINE does); off by
    /// default, since anyone with the secret could then mint tokens.
    pub allow_hs256: bool,
}

/// Whether a provider's email address is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailVerified {
    /// A boolean (or `"true"`/`"false"` string) at this JSON pointer of the profile.
    At(String),
    /// The provider only ever returns verified addresses (its documentation says so).
    Always,
    /// The provider gives no such guarantee: the address is never counted as verified.
    Never,
}

/// A second endpoint listing the user's addresses, for providers whose profile lacks a verified
/// email (GitHub's `/user/emails`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailList {
    /// The endpoint, called with the access token.
    pub url: Url,
    /// JSON pointer of the array within the response ("" for a top-level array).
    pub list: String,
    /// Field of each entry holding the address.
    pub email: String,
    /// Field of each entry marking the primary address, if the provider has one.
    pub primary: Option<String>,
    /// Field of each entry marking it verified.
    pub verified: String,
}

/// How the access token is presented to the profile endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPlacement {
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1).
    Bearer,
    /// `?access_token=<token>` in the query (a few older APIs).
    Query,
}

/// Where the user's profile comes from and where its fields are.
///
/// Fields are JSON pointers (RFC 6901) into the profile document: `/id`, `/data/0/email`.
/// Without a profile `url`, the profile is the verified ID token's claims for OpenID Connect
/// providers (`/sub`, `/email`, `/email_verified`), and the token response for plain OAuth 2.0
/// ones (Withings sends the user id there and has no profile endpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The profile endpoint, or `None` to use the ID token's claims (or the token response).
    pub url: Option<Url>,
    /// `GET` (most) or `POST` (Dropbox).
    pub method: http::Method,
    /// How the access token is sent.
    pub token: TokenPlacement,
    /// Extra headers; `{client_id}` in a value is replaced by the client id (Twitch's
    /// `Client-Id`).
    pub headers: Vec<(String, String)>,
    /// Extra query parameters (Facebook's `fields`).
    pub query: Vec<(String, String)>,
    /// The stable account id: never the email, which can change.
    pub id: String,
    /// The email address, if offered.
    pub email: Option<String>,
    /// Whether that address is verified.
    pub email_verified: EmailVerified,
    /// A list endpoint to find the primary verified address.
    pub email_list: Option<EmailList>,
    /// A display name.
    pub name: Option<String>,
    /// A handle or login.
    pub username: Option<String>,
    /// A picture URL.
    pub avatar: Option<String>,
}

impl Profile {
    /// The profile is the ID token's standard claims.
    pub fn id_token() -> Self {
        Self {
            url: None,
            method: http::Method::GET,
            token: TokenPlacement::Bearer,
            headers: Vec::new(),
            query: Vec::new(),
            id: "/sub".into(),
            email: Some("/email".into()),
            email_verified: EmailVerified::At("/email_verified".into()),
            email_list: None,
            name: Some("/name".into()),
            username: Some("/preferred_username".into()),
            avatar: Some("/picture".into()),
        }
    }

    /// A profile endpoint whose account id is at `id`, with nothing else known yet.
    pub fn endpoint(url: &str, id: &str) -> Result<Self> {
        Ok(Self {
            url: Some(parse_url(url)?),
            id: id.into(),
            email: None,
            email_verified: EmailVerified::Never,
            name: None,
            username: None,
            avatar: None,
            ..Self::id_token()
        })
    }

    /// Sets the email pointer and how it counts as verified.
    pub fn email(mut self, pointer: &str, verified: EmailVerified) -> Self {
        self.email = Some(pointer.into());
        self.email_verified = verified;
        self
    }

    /// Sets the display-name pointer.
    pub fn name(mut self, pointer: &str) -> Self {
        self.name = Some(pointer.into());
        self
    }

    /// Sets the username pointer.
    pub fn username(mut self, pointer: &str) -> Self {
        self.username = Some(pointer.into());
        self
    }

    /// Sets the picture pointer.
    pub fn avatar(mut self, pointer: &str) -> Self {
        self.avatar = Some(pointer.into());
        self
    }

    /// Adds a header to the profile request.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds a query parameter to the profile request.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }
}

/// One OAuth 2.0 / OpenID Connect provider.
///
/// ```
/// use lucia_oauth::provider::{ClientAuth, Pkce, Profile, Provider};
///
/// let acme = Provider::oauth2(
///     "acme",
///     "Acme",
///     "https://id.acme.test/authorize",
///     "https://id.acme.test/token",
/// )?
/// .scopes(&["read:user"])
/// .pkce(Pkce::S256)
/// .client_auth(ClientAuth::Post)
/// .profile(Profile::endpoint("https://api.acme.test/me", "/id")?.name("/name"));
/// assert!(!acme.is_oidc());
/// # Ok::<(), lucia_oauth::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// Stable lowercase id, also the lucia key's provider id: `github`, `google`.
    pub id: String,
    /// Display name: `GitHub`.
    pub name: String,
    /// The authorization endpoint.
    pub authorization_endpoint: Url,
    /// The token endpoint.
    pub token_endpoint: Url,
    /// A separate endpoint for refresh requests (Figma), if not the token endpoint.
    pub refresh_endpoint: Option<Url>,
    /// The revocation endpoint (RFC 7009), if the provider has one.
    pub revocation_endpoint: Option<Url>,
    /// Extra form parameters of every token request (Withings' `action=requesttoken`).
    pub token_params: Vec<(String, String)>,
    /// JSON pointer of the token response within the token endpoint's answer, for providers
    /// that wrap it (Withings: `/body`); `None` for the standard top-level object.
    pub token_wrapper: Option<String>,
    /// Whether refresh tokens can be redeemed.
    pub refresh: bool,
    /// Scopes requested when the app asks for none.
    pub default_scopes: Vec<String>,
    /// How scopes are joined (a space per RFC 6749; a comma for TikTok, Strava, ...).
    pub scope_separator: &'static str,
    /// PKCE method.
    pub pkce: Pkce,
    /// Client authentication at the token endpoint.
    pub client_auth: ClientAuth,
    /// The name of the client id parameter (`client_id`, TikTok's `client_key`).
    pub client_id_param: &'static str,
    /// Extra parameters of the authorization URL (`access_type=offline`, `response_mode`).
    pub authorization_params: Vec<(String, String)>,
    /// How the callback arrives.
    pub response_mode: ResponseMode,
    /// OpenID Connect facts; `Some` means ID tokens are verified.
    pub oidc: Option<Oidc>,
    /// Where the account id and email come from.
    pub profile: Profile,
}

impl Provider {
    /// A plain OAuth 2.0 provider with client-secret-basic, no PKCE, no scopes, and a profile
    /// to be set with [`Provider::profile`].
    pub fn oauth2(id: &str, name: &str, authorization: &str, token: &str) -> Result<Self> {
        if id.is_empty() || id.contains(lucia::KEY_ID_SEPARATOR) {
            return Err(Error::Config(format!(
                "provider id {id:?} must be non-empty without ':'"
            )));
        }
        Ok(Self {
            id: id.into(),
            name: name.into(),
            authorization_endpoint: parse_url(authorization)?,
            token_endpoint: parse_url(token)?,
            refresh_endpoint: None,
            revocation_endpoint: None,
            token_params: Vec::new(),
            token_wrapper: None,
            refresh: false,
            default_scopes: Vec::new(),
            scope_separator: " ",
            pkce: Pkce::None,
            client_auth: ClientAuth::Basic,
            client_id_param: "client_id",
            authorization_params: Vec::new(),
            response_mode: ResponseMode::Query,
            oidc: None,
            profile: Profile::id_token(),
        })
    }

    /// An OpenID Connect provider: `openid email profile` scopes, PKCE S256, refresh, and the
    /// profile from the verified ID token.
    pub fn oidc(
        id: &str,
        name: &str,
        issuer: &str,
        authorization: &str,
        token: &str,
        jwks: &str,
    ) -> Result<Self> {
        let mut provider = Self::oauth2(id, name, authorization, token)?;
        provider.oidc = Some(Oidc {
            issuer: IssuerCheck::exact(issuer),
            jwks_uri: parse_url(jwks)?,
            allow_hs256: false,
        });
        provider.pkce = Pkce::S256;
        provider.refresh = true;
        provider.default_scopes = vec!["openid".into(), "email".into(), "profile".into()];
        Ok(provider)
    }

    /// Whether ID tokens are verified for this provider.
    pub fn is_oidc(&self) -> bool {
        self.oidc.is_some()
    }

    /// Replaces the default scopes.
    pub fn scopes(mut self, scopes: &[&str]) -> Self {
        self.default_scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Sets the scope separator.
    pub fn scope_separator(mut self, separator: &'static str) -> Self {
        self.scope_separator = separator;
        self
    }

    /// Sets the PKCE method.
    pub fn pkce(mut self, pkce: Pkce) -> Self {
        self.pkce = pkce;
        self
    }

    /// Sets the client authentication.
    pub fn client_auth(mut self, auth: ClientAuth) -> Self {
        self.client_auth = auth;
        self
    }

    /// Sets the name of the client id parameter.
    pub fn client_id_param(mut self, name: &'static str) -> Self {
        self.client_id_param = name;
        self
    }

    /// Sets the revocation endpoint.
    pub fn revocation(mut self, url: &str) -> Result<Self> {
        self.revocation_endpoint = Some(parse_url(url)?);
        Ok(self)
    }

    /// Sets a separate refresh endpoint (and declares refresh supported).
    pub fn refresh_endpoint(mut self, url: &str) -> Result<Self> {
        self.refresh_endpoint = Some(parse_url(url)?);
        self.refresh = true;
        Ok(self)
    }

    /// Adds a form parameter to every token request.
    pub fn token_param(mut self, name: &str, value: &str) -> Self {
        self.token_params.push((name.into(), value.into()));
        self
    }

    /// Sets where the token response sits within the token endpoint's answer.
    pub fn token_wrapper(mut self, pointer: &str) -> Self {
        self.token_wrapper = Some(pointer.into());
        self
    }

    /// Declares whether refresh tokens can be redeemed.
    pub fn refreshable(mut self, refresh: bool) -> Self {
        self.refresh = refresh;
        self
    }

    /// Adds a parameter to the authorization URL.
    pub fn authorization_param(mut self, name: &str, value: &str) -> Self {
        self.authorization_params.push((name.into(), value.into()));
        self
    }

    /// Sets the response mode (and the matching `response_mode` parameter for form posts).
    pub fn response_mode(mut self, mode: ResponseMode) -> Self {
        if mode == ResponseMode::FormPost {
            self.authorization_params
                .push(("response_mode".into(), "form_post".into()));
        }
        self.response_mode = mode;
        self
    }

    /// Sets the accepted issuers of ID tokens (OIDC providers only).
    pub fn issuer_check(mut self, check: IssuerCheck) -> Self {
        if let Some(oidc) = &mut self.oidc {
            oidc.issuer = check;
        }
        self
    }

    /// Sets where the profile comes from.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Points every endpoint whose URL starts with `from` at `to` instead (a test server, a
    /// proxy): `https://github.com/login/oauth/token` with `from = "https://github.com"` and
    /// `to = "http://127.0.0.1:9000"` becomes `http://127.0.0.1:9000/login/oauth/token`.
    pub fn rebase(mut self, from: &str, to: &str) -> Result<Self> {
        let rebase = |url: &mut Url| -> Result<()> {
            if let Some(rest) = url.as_str().strip_prefix(from) {
                *url = parse_url(&format!("{to}{rest}"))?;
            }
            Ok(())
        };
        rebase(&mut self.authorization_endpoint)?;
        rebase(&mut self.token_endpoint)?;
        for url in [&mut self.refresh_endpoint, &mut self.revocation_endpoint]
            .into_iter()
            .flatten()
        {
            rebase(url)?;
        }
        if let Some(oidc) = &mut self.oidc {
            rebase(&mut oidc.jwks_uri)?;
        }
        if let Some(url) = &mut self.profile.url {
            rebase(url)?;
        }
        if let Some(list) = &mut self.profile.email_list {
            rebase(&mut list.url)?;
        }
        Ok(self)
    }
}

/// Parses an absolute URL, as a configuration error when it is not one.
pub(crate) fn parse_url(url: &str) -> Result<Url> {
    Url::parse(url).map_err(|err| Error::Config(format!("invalid URL {url:?}: {err}")))
}

/// Checks a configuration value that goes into a URL's host or path (a tenant, a domain, a
/// realm): non-empty, no characters that would change the URL's structure.
pub(crate) fn check_segment(what: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "{what} {value:?} must be letters, digits, '-', '.' or '_'"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebase_moves_every_endpoint_with_the_prefix() {
        let provider = Provider::oidc(
            "x",
            "X",
            "https://id.x.test",
            "https://id.x.test/auth",
            "https://id.x.test/token",
            "https://id.x.test/jwks",
        )
        .and_then(|p| p.revocation("https://id.x.test/revoke"))
        .and_then(|p| p.rebase("https://id.x.test", "http://127.0.0.1:1"));
        let provider = provider.expect("valid");
        assert_eq!(provider.token_endpoint.as_str(), "http://127.0.0.1:1/token");
        assert_eq!(
            provider.oidc.map(|o| o.jwks_uri.to_string()).as_deref(),
            Some("http://127.0.0.1:1/jwks")
        );
        assert_eq!(
            provider
                .revocation_endpoint
                .map(|u| u.to_string())
                .as_deref(),
            Some("http://127.0.0.1:1/revoke")
        );
    }

    #[test]
    fn ids_with_the_key_separator_and_bad_urls_are_config_errors() {
        assert!(matches!(
            Provider::oauth2("a:b", "A", "https://a.test", "https://a.test"),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Provider::oauth2("a", "A", "not a url", "https://a.test"),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn segments_refuse_url_structure() {
        assert!(check_segment("tenant", "contoso.onmicrosoft.com").is_ok());
        for bad in ["", "a/b", "a?b", "a#b", "a@b", "a b", "a:1"] {
            assert!(check_segment("tenant", bad).is_err(), "{bad:?}");
        }
    }
}
