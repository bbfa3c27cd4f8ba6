//! The OAuth 2.0 / OpenID Connect client for one provider.

use std::sync::Arc;

use serde_json::Value;
use time::OffsetDateTime;
use url::Url;

use crate::account::ProviderAccount;
use crate::callback::{Callback, Flow};
use crate::error::{Error, Result};
use crate::http::{HttpClient, Request, form};
use crate::oidc::{self, Jwks};
use crate::pkce;
use crate::provider::{ClientAuth, Pkce, Provider, ResponseMode, TokenPlacement};
use crate::token::TokenSet;

/// A client registered with one provider: the provider's facts, the client's credentials
/// and redirect URI, an HTTP client, and (for OpenID Connect) the issuer's cached key set.
///
/// ```
/// use lucia_oauth::{OAuthClient, providers};
///
/// let github = OAuthClient::new(providers::github()?, "client-id", "https://app.test/login/github/callback")?
///     .client_secret("client-secret");
/// let request = github.authorization_url(&[])?;
/// assert!(request.url.as_str().starts_with("https://github.com/login/oauth/authorize?"));
/// // Send the user to `request.url` with `request.flow.cookie(true)` set; at the callback,
/// // `github.finish(&flow, &callback).await` checks the state and signs the user in.
/// # Ok::<(), lucia_oauth::Error>(())
/// ```
#[derive(Clone)]
pub struct OAuthClient {
    provider: Arc<Provider>,
    client_id: String,
    client_secret: Option<String>,
    redirect_uri: Url,
    http: HttpClient,
    jwks: Option<Arc<Jwks>>,
}

/// `Debug` shows the provider and client id, never the secret.
impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("provider", &self.provider.id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("redirect_uri", &self.redirect_uri.as_str())
            .finish_non_exhaustive()
    }
}

/// Where to send the user, and the flow to remember in a cookie until the callback.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    /// The provider's authorization URL with every parameter.
    pub url: Url,
    /// The flow: set [`Flow::cookie`] on the redirect response.
    pub flow: Flow,
}

/// The outcome of a successful callback.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// The tokens (keep the refresh token if the app calls the provider's API later).
    pub tokens: TokenSet,
    /// Who signed in.
    pub account: ProviderAccount,
}

impl OAuthClient {
    /// A client for `provider` with this client id and redirect URI (which must be registered
    /// at the provider exactly). Without [`OAuthClient::client_secret`] it is a public client
    /// (PKCE only).
    pub fn new(provider: Provider, client_id: &str, redirect_uri: &str) -> Result<Self> {
        if client_id.is_empty() {
            return Err(Error::Config("the client id is empty".into()));
        }
        let redirect_uri = crate::provider::parse_url(redirect_uri)?;
        let jwks = provider
            .oidc
            .as_ref()
            .map(|oidc| Arc::new(Jwks::new(oidc.jwks_uri.clone())));
        Ok(Self {
            provider: Arc::new(provider),
            client_id: client_id.to_owned(),
            client_secret: None,
            redirect_uri,
            http: HttpClient::new()?,
            jwks,
        })
    }

    /// Sets the client secret (a confidential client).
    pub fn client_secret(mut self, secret: &str) -> Self {
        self.client_secret = Some(secret.to_owned());
        self
    }

    /// Uses this HTTP client (shared pools, other timeouts).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = http;
        self
    }

    /// The provider.
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The authorization URL for these scopes (the provider's defaults when empty), with a
    /// fresh 256-bit `state`, a PKCE S256 challenge when the provider takes one, and a nonce
    /// for OpenID Connect.
    pub fn authorization_url(&self, scopes: &[&str]) -> Result<AuthorizationRequest> {
        let provider = &*self.provider;
        let state = pkce::random_string(32)?;
        let code_verifier = match provider.pkce {
            Pkce::None => None,
            Pkce::S256 | Pkce::Plain => Some(pkce::code_verifier()?),
        };
        let nonce = match provider.oidc {
            Some(_) => Some(pkce::random_string(32)?),
            None => None,
        };
        let scope = if scopes.is_empty() {
            provider.default_scopes.join(provider.scope_separator)
        } else {
            scopes.join(provider.scope_separator)
        };
        let mut url = provider.authorization_endpoint.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair(provider.client_id_param, &self.client_id)
                .append_pair("redirect_uri", self.redirect_uri.as_str())
                .append_pair("state", &state);
            if !scope.is_empty() {
                query.append_pair("scope", &scope);
            }
            if let Some(verifier) = &code_verifier {
                let challenge = pkce::code_challenge(verifier, provider.pkce);
                if let (Some(challenge), Some(method)) =
                    (challenge, pkce::method_name(provider.pkce))
                {
                    query
                        .append_pair("code_challenge", &challenge)
                        .append_pair("code_challenge_method", method);
                }
            }
            if let Some(nonce) = &nonce {
                query.append_pair("nonce", nonce);
            }
            for (name, value) in &provider.authorization_params {
                query.append_pair(name, value);
            }
        }
        Ok(AuthorizationRequest {
            url,
            flow: Flow {
                provider_id: provider.id.clone(),
                state,
                code_verifier,
                nonce,
                started_at: OffsetDateTime::now_utc().unix_timestamp(),
                form_post: provider.response_mode == ResponseMode::FormPost,
            },
        })
    }

    /// Checks the callback against the flow (see [`Flow::check`]; and an `iss` parameter,
    /// RFC 9207, must name the provider's issuer), redeems the code, verifies the ID token
    /// (OpenID Connect) and reads the account: everything a callback handler needs.
    pub async fn finish(&self, flow: &Flow, callback: &Callback) -> Result<SignIn> {
        let code = flow.check(&self.provider.id, callback, OffsetDateTime::now_utc())?;
        if let (Some(iss), Some(oidc)) = (&callback.iss, &self.provider.oidc)
            && let crate::provider::IssuerCheck::AnyOf(issuers) = &oidc.issuer
            && !issuers.contains(iss)
        {
            return Err(Error::IssuerMismatch(iss.clone()));
        }
        let tokens = self
            .exchange_code(code, flow.code_verifier.as_deref())
            .await?;
        let account = self.fetch_account(&tokens, flow.nonce.as_deref()).await?;
        Ok(SignIn { tokens, account })
    }

    /// Redeems an authorization code (RFC 6749 §4.1.3) with the flow's PKCE verifier.
    pub async fn exchange_code(&self, code: &str, code_verifier: Option<&str>) -> Result<TokenSet> {
        let mut params = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.redirect_uri.as_str()),
        ];
        if let Some(verifier) = code_verifier {
            params.push(("code_verifier", verifier));
        }
        self.token_request(&self.provider.token_endpoint, params)
            .await
    }

    /// Redeems a refresh token (RFC 6749 §6). When the provider issues no new refresh token,
    /// the returned set keeps the one given (it stays valid).
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenSet> {
        if !self.provider.refresh {
            return Err(self.unsupported("refresh tokens"));
        }
        let endpoint = self
            .provider
            .refresh_endpoint
            .as_ref()
            .unwrap_or(&self.provider.token_endpoint);
        let params = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        let mut tokens = self.token_request(endpoint, params).await?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.to_owned());
        }
        Ok(tokens)
    }

    /// Revokes an access or refresh token (RFC 7009).
    pub async fn revoke(&self, token: &str) -> Result<()> {
        let endpoint = self
            .provider
            .revocation_endpoint
            .as_ref()
            .ok_or_else(|| self.unsupported("token revocation"))?;
        let request = self.authenticated("revocation", endpoint, vec![("token", token)]);
        self.http.send(request).await?.ok()
    }

    /// Verifies an ID token (see [`crate::oidc`] for every check) and returns its claims.
    pub async fn verify_id_token(
        &self,
        id_token: &str,
        nonce: Option<&str>,
    ) -> Result<serde_json::Map<String, Value>> {
        let (Some(oidc), Some(jwks)) = (&self.provider.oidc, &self.jwks) else {
            return Err(self.unsupported("OpenID Connect"));
        };
        let expect = oidc::Expect {
            oidc,
            client_id: &self.client_id,
            client_secret: self.client_secret.as_deref(),
            nonce,
        };
        oidc::verify(&self.http, jwks, id_token, expect).await
    }

    /// Who signed in: for OpenID Connect, the verified ID token's claims (merged with the
    /// profile endpoint's, when the provider has one, after checking both name the same
    /// `sub`); otherwise the profile endpoint (or, without one, the token response), and the
    /// email list where the provider needs one for a verified address.
    pub async fn fetch_account(
        &self,
        tokens: &TokenSet,
        nonce: Option<&str>,
    ) -> Result<ProviderAccount> {
        let provider = &*self.provider;
        let doc = if provider.oidc.is_some() {
            let id_token = tokens
                .id_token
                .as_deref()
                .ok_or_else(|| Error::UnexpectedResponse {
                    endpoint: "token",
                    status: 200,
                    detail: "no id_token in the token response".into(),
                })?;
            let mut claims = self.verify_id_token(id_token, nonce).await?;
            if let Some(url) = &provider.profile.url {
                let info = self.get_profile(url, &tokens.access_token).await?;
                if let Value::Object(info) = info {
                    if info
                        .get("sub")
                        .is_some_and(|sub| Some(sub) != claims.get("sub"))
                    {
                        return Err(Error::UnexpectedResponse {
                            endpoint: "userinfo",
                            status: 200,
                            detail: "userinfo sub differs from the ID token's".into(),
                        });
                    }
                    // The ID token's claims win where both have one.
                    for (name, value) in info {
                        claims.entry(name).or_insert(value);
                    }
                }
            }
            Value::Object(claims)
        } else {
            match &provider.profile.url {
                Some(url) => self.get_profile(url, &tokens.access_token).await?,
                None => tokens.raw.clone(),
            }
        };
        let mut account = ProviderAccount::from_profile(&provider.id, &provider.profile, doc)?;
        if let Some(list) = &provider.profile.email_list
            && !account.email_verified
        {
            let doc = self.get_profile(&list.url, &tokens.access_token).await?;
            account.apply_email_list(list, &doc);
        }
        Ok(account)
    }

    async fn get_profile(&self, url: &Url, access_token: &str) -> Result<Value> {
        let profile = &self.provider.profile;
        let mut url = url.clone();
        if !profile.query.is_empty() || profile.token == TokenPlacement::Query {
            let mut query = url.query_pairs_mut();
            for (name, value) in &profile.query {
                query.append_pair(name, value);
            }
            if profile.token == TokenPlacement::Query {
                query.append_pair("access_token", access_token);
            }
        }
        let mut request = Request::get("userinfo", &url);
        request.method = profile.method.clone();
        if profile.token == TokenPlacement::Bearer {
            request.bearer = Some(access_token);
        }
        for (name, value) in &profile.headers {
            request = request.header(name, &value.replace("{client_id}", &self.client_id))?;
        }
        self.http.send(request).await?.resource_json()
    }

    /// A token-endpoint request with the provider's client authentication and extra
    /// parameters.
    async fn token_request(&self, endpoint: &Url, params: Vec<(&str, &str)>) -> Result<TokenSet> {
        let mut params = params;
        for (name, value) in &self.provider.token_params {
            params.push((name, value));
        }
        let request = self.authenticated("token", endpoint, params);
        let json = self.http.send(request).await?.oauth_json()?;
        let json = match &self.provider.token_wrapper {
            Some(pointer) => {
                json.pointer(pointer)
                    .cloned()
                    .ok_or_else(|| Error::UnexpectedResponse {
                        endpoint: "token",
                        status: 200,
                        detail: format!("no token response at {pointer}"),
                    })?
            }
            None => json,
        };
        TokenSet::from_json(json, OffsetDateTime::now_utc())
    }

    /// A form POST authenticated as the provider wants: HTTP Basic (RFC 6749 §2.3.1, with the
    /// credentials form-encoded first), the credentials in the body, or only the client id
    /// for a public client.
    fn authenticated<'a>(
        &'a self,
        endpoint: &'static str,
        url: &'a Url,
        mut params: Vec<(&'a str, &'a str)>,
    ) -> Request<'a> {
        let id_param = self.provider.client_id_param;
        match (&self.client_secret, self.provider.client_auth) {
            (Some(secret), ClientAuth::Basic) => {
                let mut request = Request::post_form(endpoint, url, form(params));
                request.basic_encoded = Some((encode(&self.client_id), encode(secret)));
                request
            }
            (Some(secret), ClientAuth::Post) => {
                params.push((id_param, &self.client_id));
                params.push(("client_secret", secret));
                Request::post_form(endpoint, url, form(params))
            }
            (None, _) => {
                params.push((id_param, &self.client_id));
                Request::post_form(endpoint, url, form(params))
            }
        }
    }

    fn unsupported(&self, operation: &'static str) -> Error {
        Error::Unsupported {
            provider: self.provider.id.clone(),
            operation,
        }
    }
}

/// `application/x-www-form-urlencoded` encoding of one credential (RFC 6749 §2.3.1).
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
