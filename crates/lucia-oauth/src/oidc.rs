//! OpenID Connect: discovery, the issuer's key set, and ID-token verification.
//!
//! An ID token is accepted only when all of these hold (OpenID Connect Core §3.1.3.7):
//!
//! - it is a compact JWS whose `alg` is on the allow-list: RS256/384/512, PS256/384/512,
//!   ES256, ES384 and EdDSA. `none` never is (a token claiming it is malformed); HS256 (signed with the client secret) only for a
//!   provider that declares it ([`Oidc::allow_hs256`](crate::provider::Oidc)).
//! - its signature verifies with the issuer's key for its `kid` (the JWKS is cached and
//!   fetched again, at most every 5 seconds, when a token names an unknown `kid`; the cache
//!   is refreshed after an hour in any case, so removed keys stop verifying);
//! - `iss` is the provider's issuer, `aud` contains the client id, and `azp`, when present or
//!   when there are several audiences, is the client id;
//! - `exp` has not passed and `iat` / `nbf` are not in the future, each with 60 seconds of
//!   leeway for clock skew;
//! - `nonce` equals the flow's nonce (compared in constant time) whenever the flow sent one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A JSON Web Key Set (RFC 7517 §5), as [`verify_with_keys`] takes it (jsonwebtoken's type).
pub use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::Deserialize;
use serde_json::Value;
use subtle::ConstantTimeEq;
use url::Url;

use crate::error::{Error, IdTokenError, Result};
use crate::http::{HttpClient, Request};
use crate::provider::{ClientAuth, IssuerCheck, Oidc, Pkce, Profile, Provider, parse_url};

/// Clock-skew leeway for `exp`, `iat` and `nbf`.
pub const LEEWAY: Duration = Duration::from_secs(60);

/// How long a fetched key set is trusted before it is fetched again.
const JWKS_MAX_AGE: Duration = Duration::from_secs(3600);

/// The shortest interval between two fetches triggered by unknown `kid`s, so a stream of
/// forged tokens cannot make the app hammer the issuer.
pub const JWKS_MIN_REFETCH: Duration = Duration::from_secs(5);

/// The fields of an OpenID Provider's configuration document (OpenID Connect Discovery 1.0
/// §3) that sign-in needs.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Discovery {
    /// The issuer identifier; must equal the URL the document was fetched for.
    pub issuer: String,
    /// The authorization endpoint.
    pub authorization_endpoint: String,
    /// The token endpoint.
    pub token_endpoint: String,
    /// The JWKS.
    pub jwks_uri: String,
    /// The userinfo endpoint.
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    /// The revocation endpoint (RFC 7009).
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// Client authentication methods of the token endpoint.
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// Grant types; refresh is assumed when `refresh_token` is listed.
    #[serde(default)]
    pub grant_types_supported: Option<Vec<String>>,
}

/// Fetches `{issuer}/.well-known/openid-configuration` and checks that it names `issuer`.
///
/// ```no_run
/// # async fn run() -> lucia_oauth::Result<()> {
/// let http = lucia_oauth::HttpClient::new()?;
/// let discovery = lucia_oauth::oidc::discover(&http, "https://id.example.com").await?;
/// let provider = lucia_oauth::oidc::provider("example", "Example ID", &discovery)?;
/// # Ok(()) }
/// ```
pub async fn discover(http: &HttpClient, issuer: &str) -> Result<Discovery> {
    let url = parse_url(&format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    ))?;
    let discovery: Discovery =
        get_document(http, "discovery", &url, "an OpenID Provider configuration").await?;
    // Discovery §4.3: the document must be about the issuer it was fetched for.
    if discovery.issuer != issuer {
        return Err(Error::UnexpectedResponse {
            endpoint: "discovery",
            status: 200,
            detail: format!(
                "the document's issuer {:?} is not {issuer:?}",
                discovery.issuer
            ),
        });
    }
    Ok(discovery)
}

/// GETs a JSON document of type `T` (`what` names it in the error when it is not one).
async fn get_document<T: serde::de::DeserializeOwned>(
    http: &HttpClient,
    endpoint: &'static str,
    url: &Url,
    what: &str,
) -> Result<T> {
    let json = http
        .send(Request::get(endpoint, url))
        .await?
        .resource_json()?;
    serde_json::from_value(json).map_err(|err| Error::UnexpectedResponse {
        endpoint,
        status: 200,
        detail: format!("not {what}: {err}"),
    })
}

/// A generic OpenID Connect provider from a discovery document: `openid email profile`
/// scopes, PKCE S256 (servers without PKCE ignore the unknown parameters, RFC 6749 §3.1),
/// `client_secret_basic` unless the server lists only `client_secret_post`, and the profile
/// from the verified ID token merged with the userinfo endpoint's claims.
pub fn provider(id: &str, name: &str, discovery: &Discovery) -> Result<Provider> {
    let mut provider = Provider::oidc(
        id,
        name,
        &discovery.issuer,
        &discovery.authorization_endpoint,
        &discovery.token_endpoint,
        &discovery.jwks_uri,
    )?
    .pkce(Pkce::S256);
    if let Some(url) = &discovery.revocation_endpoint {
        provider = provider.revocation(url)?;
    }
    if let Some(methods) = &discovery.token_endpoint_auth_methods_supported {
        let has = |m: &str| methods.iter().any(|x| x == m);
        if !has("client_secret_basic") && has("client_secret_post") {
            provider = provider.client_auth(ClientAuth::Post);
        }
    }
    if let Some(grants) = &discovery.grant_types_supported {
        provider = provider.refreshable(grants.iter().any(|g| g == "refresh_token"));
    }
    let mut profile = Profile::id_token();
    profile.url = discovery
        .userinfo_endpoint
        .as_deref()
        .map(parse_url)
        .transpose()?;
    Ok(provider.profile(profile))
}

/// The issuer's key set, cached.
#[derive(Debug)]
pub(crate) struct Jwks {
    uri: Url,
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    keys: Option<Arc<JwkSet>>,
    fetched: Option<Instant>,
}

impl Jwks {
    pub(crate) fn new(uri: Url) -> Self {
        Self {
            uri,
            cache: Mutex::new(Cache::default()),
        }
    }

    fn cached(&self) -> (Option<Arc<JwkSet>>, Option<Instant>) {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        (cache.keys.clone(), cache.fetched)
    }

    async fn fetch(&self, http: &HttpClient) -> Result<Arc<JwkSet>> {
        let set: JwkSet = get_document(http, "jwks", &self.uri, "a JWK Set").await?;
        let set = Arc::new(set);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.keys = Some(set.clone());
        cache.fetched = Some(Instant::now());
        Ok(set)
    }

    /// The key for a token's `kid` and `alg`, fetching the set when it is missing, stale, or
    /// lacks the key (rate-limited).
    async fn key(&self, http: &HttpClient, kid: Option<&str>, alg: Algorithm) -> Result<Jwk> {
        let (keys, fetched) = self.cached();
        let age = fetched.map(|at| at.elapsed());
        if let Some(keys) = keys.filter(|_| age.is_some_and(|age| age < JWKS_MAX_AGE)) {
            if let Some(key) = select(&keys, kid, alg) {
                return Ok(key.clone());
            }
            if age.is_some_and(|age| age < JWKS_MIN_REFETCH) {
                return Err(unknown_key(kid));
            }
        }
        let keys = self.fetch(http).await?;
        select(&keys, kid, alg)
            .cloned()
            .ok_or_else(|| unknown_key(kid))
    }
}

fn unknown_key(kid: Option<&str>) -> Error {
    Error::IdToken(IdTokenError::UnknownKey(kid.map(str::to_owned)))
}

/// The signing key with this `kid` (or, without a `kid`, the only key of the right type),
/// refusing keys marked for encryption or for another algorithm.
fn select<'a>(keys: &'a JwkSet, kid: Option<&str>, alg: Algorithm) -> Option<&'a Jwk> {
    let usable = |key: &&Jwk| {
        let use_ok = !matches!(
            key.common.public_key_use,
            Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
        );
        let alg_ok = key
            .common
            .key_algorithm
            .is_none_or(|a| key_algorithm_matches(a, alg));
        let type_ok = matches!(
            (&key.algorithm, alg),
            (
                AlgorithmParameters::RSA(_),
                Algorithm::RS256
                    | Algorithm::RS384
                    | Algorithm::RS512
                    | Algorithm::PS256
                    | Algorithm::PS384
                    | Algorithm::PS512
            ) | (
                AlgorithmParameters::EllipticCurve(_),
                Algorithm::ES256 | Algorithm::ES384
            ) | (AlgorithmParameters::OctetKeyPair(_), Algorithm::EdDSA)
        );
        use_ok && alg_ok && type_ok
    };
    match kid {
        Some(kid) => keys
            .keys
            .iter()
            .filter(usable)
            .find(|key| key.common.key_id.as_deref() == Some(kid)),
        None => {
            let mut candidates = keys.keys.iter().filter(usable);
            let only = candidates.next()?;
            candidates.next().is_none().then_some(only)
        }
    }
}

fn key_algorithm_matches(key: KeyAlgorithm, alg: Algorithm) -> bool {
    matches!(
        (key, alg),
        (KeyAlgorithm::RS256, Algorithm::RS256)
            | (KeyAlgorithm::RS384, Algorithm::RS384)
            | (KeyAlgorithm::RS512, Algorithm::RS512)
            | (KeyAlgorithm::PS256, Algorithm::PS256)
            | (KeyAlgorithm::PS384, Algorithm::PS384)
            | (KeyAlgorithm::PS512, Algorithm::PS512)
            | (KeyAlgorithm::ES256, Algorithm::ES256)
            | (KeyAlgorithm::ES384, Algorithm::ES384)
            | (KeyAlgorithm::EdDSA, Algorithm::EdDSA)
    )
}

/// What a verification needs besides the token.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    /// The provider's OpenID Connect settings (accepted issuers, whether HS256 is allowed).
    pub oidc: &'a Oidc,
    /// The client id, which `aud` must contain.
    pub client_id: &'a str,
    /// The client secret, the key of HS256 tokens (only when `oidc.allow_hs256`).
    pub client_secret: Option<&'a str>,
    /// The nonce the flow sent, which the token must carry.
    pub nonce: Option<&'a str>,
}

/// Verifies an ID token and returns its claims.
pub(crate) async fn verify(
    http: &HttpClient,
    jwks: &Jwks,
    token: &str,
    expect: Expect<'_>,
) -> Result<serde_json::Map<String, Value>> {
    let header = decode_header(token)?;
    let key = if uses_key_set(header.alg, &expect)? {
        jwk_key(&jwks.key(http, header.kid.as_deref(), header.alg).await?)?
    } else {
        secret_key(&expect)?
    };
    decode_and_check(token, &key, header.alg, &expect)
}

/// Verifies an ID token against a key set the caller already holds, without fetching
/// anything: every check of [`OAuthClient::verify_id_token`](crate::OAuthClient::verify_id_token)
/// (see the [module documentation](self)), with `keys` as the issuer's JWKS.
///
/// For tests, tools and fuzzing of ID tokens and JWKS documents. Any bytes of `token`, and any
/// key set (including one deserialised from an attacker's document), give claims or an
/// [`Error`], never a panic.
///
/// ```
/// use lucia_oauth::oidc::{Expect, verify_with_keys};
/// use lucia_oauth::provider::{IssuerCheck, Oidc};
/// use lucia_oauth::{Error, IdTokenError};
///
/// let oidc = Oidc {
///     issuer: IssuerCheck::exact("https://id.test"),
///     jwks_uri: "https://id.test/jwks".parse().expect("a URL"),
///     allow_hs256: false,
/// };
/// let expect = Expect { oidc: &oidc, client_id: "app", client_secret: None, nonce: None };
/// let keys: lucia_oauth::oidc::JwkSet = serde_json::from_str(r#"{"keys": []}"#)?;
/// let err = verify_with_keys("not a token", &keys, expect).unwrap_err();
/// assert!(matches!(err, Error::IdToken(IdTokenError::Malformed(_))));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn verify_with_keys(
    token: &str,
    keys: &JwkSet,
    expect: Expect<'_>,
) -> Result<serde_json::Map<String, Value>> {
    let header = decode_header(token)?;
    let key = if uses_key_set(header.alg, &expect)? {
        let kid = header.kid.as_deref();
        jwk_key(select(keys, kid, header.alg).ok_or_else(|| unknown_key(kid))?)?
    } else {
        secret_key(&expect)?
    };
    decode_and_check(token, &key, header.alg, &expect)
}

fn id_token_error(e: IdTokenError) -> Error {
    Error::IdToken(e)
}

/// The token's JOSE header, refusing `crit` extensions.
fn decode_header(token: &str) -> Result<jsonwebtoken::Header> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| id_token_error(IdTokenError::Malformed(e.to_string())))?;
    // RFC 7515 §4.1.11: extensions we do not understand make the token invalid.
    if header.crit.is_some() {
        return Err(id_token_error(IdTokenError::Malformed(
            "unsupported crit header".into(),
        )));
    }
    Ok(header)
}

/// Whether `alg` is verified with the issuer's key set (`true`) or the client secret
/// (`false`); an algorithm off the allow-list is an error.
fn uses_key_set(alg: Algorithm, expect: &Expect<'_>) -> Result<bool> {
    match alg {
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512
        | Algorithm::ES256
        | Algorithm::ES384
        | Algorithm::EdDSA => Ok(true),
        Algorithm::HS256 if expect.oidc.allow_hs256 => Ok(false),
        other => Err(id_token_error(IdTokenError::AlgorithmNotAllowed(format!(
            "{other:?}"
        )))),
    }
}

fn jwk_key(jwk: &Jwk) -> Result<DecodingKey> {
    let malformed = |why: String| id_token_error(IdTokenError::Malformed(why));
    // jsonwebtoken 10 slices an Ed25519 key to 32 bytes without checking its length, and
    // panics on a shorter `x` (found by the `jwks` fuzz target): check it here.
    if let AlgorithmParameters::OctetKeyPair(params) = &jwk.algorithm {
        let x = data_encoding::BASE64URL_NOPAD
            .decode(params.x.as_bytes())
            .map_err(|e| malformed(format!("Ed25519 key: {e}")))?;
        if params.curve != EllipticCurve::Ed25519 || x.len() != 32 {
            return Err(malformed("not a 32-byte Ed25519 public key".into()));
        }
    }
    DecodingKey::from_jwk(jwk).map_err(|e| malformed(e.to_string()))
}

fn secret_key(expect: &Expect<'_>) -> Result<DecodingKey> {
    let secret = expect
        .client_secret
        .ok_or_else(|| Error::Config("HS256 ID tokens need the client secret".into()))?;
    Ok(DecodingKey::from_secret(secret.as_bytes()))
}

/// Checks the signature with `key` and every claim.
fn decode_and_check(
    token: &str,
    key: &DecodingKey,
    alg: Algorithm,
    expect: &Expect<'_>,
) -> Result<serde_json::Map<String, Value>> {
    let fail = id_token_error;
    let mut validation = Validation::new(alg);
    validation.leeway = LEEWAY.as_secs();
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.set_audience(&[expect.client_id]);
    let data = jsonwebtoken::decode::<serde_json::Map<String, Value>>(token, key, &validation)
        .map_err(|err| {
            fail(match err.kind() {
                ErrorKind::InvalidSignature => IdTokenError::Signature,
                ErrorKind::ExpiredSignature => IdTokenError::Expired,
                ErrorKind::ImmatureSignature => IdTokenError::NotYetValid,
                ErrorKind::InvalidAudience => IdTokenError::Audience,
                ErrorKind::InvalidAlgorithm => {
                    IdTokenError::AlgorithmNotAllowed(format!("{alg:?}"))
                }
                ErrorKind::MissingRequiredClaim(claim) => {
                    IdTokenError::MissingClaim(match claim.as_str() {
                        "exp" => "exp",
                        "iss" => "iss",
                        "aud" => "aud",
                        _ => "sub",
                    })
                }
                _ => IdTokenError::Malformed(err.to_string()),
            })
        })?;
    let claims = data.claims;
    check_claims(
        &claims,
        expect,
        time::OffsetDateTime::now_utc().unix_timestamp(),
    )?;
    Ok(claims)
}

/// The checks jsonwebtoken does not do: issuer (with tenant templates), `azp`, `iat`, nonce.
fn check_claims(
    claims: &serde_json::Map<String, Value>,
    expect: &Expect<'_>,
    now: i64,
) -> Result<()> {
    let fail = |e| Err(Error::IdToken(e));
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let issuer_ok = match &expect.oidc.issuer {
        IssuerCheck::AnyOf(issuers) => issuers.iter().any(|i| i == iss),
        IssuerCheck::TenantTemplate(template) => claims
            .get("tid")
            .and_then(Value::as_str)
            .filter(|tid| crate::provider::check_segment("tid", tid).is_ok())
            .is_some_and(|tid| template.replace("{tenantid}", tid) == iss),
    };
    if !issuer_ok {
        return fail(IdTokenError::Issuer(iss.to_owned()));
    }
    let several_audiences = claims
        .get("aud")
        .and_then(Value::as_array)
        .is_some_and(|a| a.len() > 1);
    match claims.get("azp").and_then(Value::as_str) {
        Some(azp) if azp != expect.client_id => return fail(IdTokenError::Audience),
        None if several_audiences => return fail(IdTokenError::Audience),
        _ => {}
    }
    let Some(iat) = claims.get("iat").and_then(Value::as_i64) else {
        return fail(IdTokenError::MissingClaim("iat"));
    };
    if iat > now + LEEWAY.as_secs() as i64 {
        return fail(IdTokenError::NotYetValid);
    }
    if let Some(expected) = expect.nonce {
        let got = claims
            .get("nonce")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !bool::from(got.as_bytes().ct_eq(expected.as_bytes())) {
            return fail(IdTokenError::NonceMismatch);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn oidc(issuer: IssuerCheck) -> Oidc {
        Oidc {
            issuer,
            jwks_uri: parse_url("https://id.test/jwks").expect("valid"),
            allow_hs256: false,
        }
    }

    fn claims(value: Value) -> serde_json::Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object literal"),
        }
    }

    #[test]
    fn claim_checks_cover_issuer_tenant_azp_iat_and_nonce() {
        let exact = oidc(IssuerCheck::exact("https://id.test"));
        let expect = |oidc, nonce| Expect {
            oidc,
            client_id: "app",
            client_secret: None,
            nonce,
        };
        let ok = claims(json!({"iss": "https://id.test", "aud": "app", "iat": 1000, "nonce": "n"}));
        assert!(check_claims(&ok, &expect(&exact, Some("n")), 1000).is_ok());
        let err = |c, e: &Expect<'_>, now| match check_claims(&c, e, now) {
            Err(Error::IdToken(e)) => e,
            other => panic!("expected an ID token error, got {other:?}"),
        };
        assert_eq!(
            err(ok.clone(), &expect(&exact, Some("m")), 1000),
            IdTokenError::NonceMismatch
        );
        assert_eq!(
            err(ok.clone(), &expect(&exact, None), 900),
            IdTokenError::NotYetValid
        );
        let other_issuer = claims(json!({"iss": "https://evil.test", "iat": 1}));
        assert!(matches!(
            err(other_issuer, &expect(&exact, None), 1000),
            IdTokenError::Issuer(_)
        ));
        let two_audiences =
            claims(json!({"iss": "https://id.test", "aud": ["app", "x"], "iat": 1}));
        assert_eq!(
            err(two_audiences, &expect(&exact, None), 1000),
            IdTokenError::Audience
        );
        let other_azp = claims(json!({"iss": "https://id.test", "azp": "x", "iat": 1}));
        assert_eq!(
            err(other_azp, &expect(&exact, None), 1000),
            IdTokenError::Audience
        );
        let no_iat = claims(json!({"iss": "https://id.test"}));
        assert_eq!(
            err(no_iat, &expect(&exact, None), 1000),
            IdTokenError::MissingClaim("iat")
        );

        let tenant = oidc(IssuerCheck::TenantTemplate(
            "https://login.microsoftonline.com/{tenantid}/v2.0".into(),
        ));
        let entra = claims(json!({
            "iss": "https://login.microsoftonline.com/9188040d/v2.0", "tid": "9188040d", "iat": 1
        }));
        assert!(check_claims(&entra, &expect(&tenant, None), 1000).is_ok());
        let spoofed = claims(json!({
            "iss": "https://login.microsoftonline.com/9188040d/v2.0", "tid": "other", "iat": 1
        }));
        assert!(matches!(
            err(spoofed, &expect(&tenant, None), 1000),
            IdTokenError::Issuer(_)
        ));
    }

    #[test]
    fn key_selection_by_kid_type_and_use() {
        let set: JwkSet = serde_json::from_value(json!({"keys": [
            {"kty": "EC", "crv": "P-256", "kid": "ec", "use": "sig",
             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty": "EC", "crv": "P-256", "kid": "enc", "use": "enc",
             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
        ]}))
        .expect("a JWK Set");
        assert!(select(&set, Some("ec"), Algorithm::ES256).is_some());
        assert!(
            select(&set, Some("ec"), Algorithm::RS256).is_none(),
            "wrong key type"
        );
        assert!(
            select(&set, Some("enc"), Algorithm::ES256).is_none(),
            "encryption key"
        );
        assert!(select(&set, Some("nope"), Algorithm::ES256).is_none());
        assert_eq!(
            select(&set, None, Algorithm::ES256).and_then(|k| k.common.key_id.as_deref()),
            Some("ec"),
            "the only signing key of the right type"
        );
    }

    /// Regression (found by the `jwks` fuzz target): an Ed25519 key whose `x` is shorter than
    /// 32 bytes made jsonwebtoken panic while verifying an EdDSA token. Any key set from the
    /// issuer's JWKS URI gives a typed error instead.
    #[test]
    fn short_or_odd_ed25519_keys_are_malformed_not_a_panic() {
        let oidc = oidc(IssuerCheck::exact("https://id.test"));
        let expect = Expect {
            oidc: &oidc,
            client_id: "app",
            client_secret: None,
            nonce: None,
        };
        // {"alg":"EdDSA","kid":"ed"}.{"iss":"https://id.test"}.<64 zero bytes>
        let b64 = |s: &[u8]| data_encoding::BASE64URL_NOPAD.encode(s);
        let token = format!(
            "{}.{}.{}",
            b64(br#"{"alg":"EdDSA","kid":"ed"}"#),
            b64(br#"{"iss":"https://id.test"}"#),
            b64(&[0; 64])
        );
        for (crv, x) in [
            ("Ed25519", b64(&[7; 20])),
            ("Ed25519", b64(&[])),
            ("Ed25519", b64(&[7; 33])),
            ("Ed25519", "!!".to_owned()),
            ("P-256", b64(&[7; 32])),
        ] {
            let keys: JwkSet = serde_json::from_value(json!({"keys": [
                {"kty": "OKP", "kid": "ed", "crv": crv, "x": x}
            ]}))
            .expect("a key set");
            let err = verify_with_keys(&token, &keys, expect).expect_err("no valid key");
            assert!(
                matches!(err, Error::IdToken(IdTokenError::Malformed(_))),
                "{crv} {x}: {err:?}"
            );
        }
    }
}
