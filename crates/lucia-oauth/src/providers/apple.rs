//! Sign in with Apple (OpenID Connect) and its JWT client secret.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};
use crate::provider::{ClientAuth, Pkce, Profile, Provider, ResponseMode};

/// The longest lifetime Apple accepts for a client secret (six months; 180 days here).
const MAX_SECRET_LIFETIME: Duration = Duration::days(180);

/// Sign in with Apple. OpenID Connect (issuer `https://appleid.apple.com`); the ID token's `sub`
/// is the account id (stable per team) and `email_verified` its flag (Apple sends it as a
/// string or a boolean; relay addresses `@privaterelay.appleid.com` are verified too).
/// Requesting the `name` and `email` scopes forces `response_mode=form_post`, so the callback is
/// a cross-site POST. Credentials go in the form body; the client secret is not static but an
/// ES256 JWT, see [`apple_client_secret`]. No PKCE and no refresh (per the facts file). The
/// user's name is only ever sent once, in the first callback's `user` form field, not in the ID
/// token, so no name pointer is set.
pub fn apple() -> Result<Provider> {
    let mut profile = Profile::id_token();
    profile.name = None;
    profile.username = None;
    profile.avatar = None;
    Ok(Provider::oidc(
        "apple",
        "Apple",
        "https://appleid.apple.com",
        "https://appleid.apple.com/auth/authorize",
        "https://appleid.apple.com/auth/token",
        "https://appleid.apple.com/auth/keys",
    )?
    .scopes(&["name", "email"])
    .pkce(Pkce::None)
    .refreshable(false)
    .client_auth(ClientAuth::Post)
    .response_mode(ResponseMode::FormPost)
    .profile(profile))
}

/// The claims of Apple's client secret.
#[derive(serde::Serialize)]
struct SecretClaims<'a> {
    iss: &'a str,
    iat: i64,
    exp: i64,
    aud: &'static str,
    sub: &'a str,
}

/// Builds Sign in with Apple's client secret: an ES256 JWT signed with the team's private key
/// (`private_key_pem`, the PKCS#8 `.p8` file Apple issues), with header `kid` = `key_id` and
/// claims `iss` = `team_id`, `iat` = `now`, `exp` = `now + lifetime`,
/// `aud` = `https://appleid.apple.com` and `sub` = `client_id` (the Services ID).
///
/// Apple refuses secrets valid for more than six months; a `lifetime` that is not positive or
/// is over 180 days, or a key that is not an EC P-256 PEM, is an [`Error::Config`]. Build a
/// fresh secret well before the old one expires (or per token request, with a lifetime of
/// minutes).
pub fn apple_client_secret(
    team_id: &str,
    key_id: &str,
    client_id: &str,
    private_key_pem: &[u8],
    now: OffsetDateTime,
    lifetime: Duration,
) -> Result<String> {
    if lifetime <= Duration::ZERO || lifetime > MAX_SECRET_LIFETIME {
        return Err(Error::Config(format!(
            "Apple client secret lifetime {lifetime} must be positive and at most 180 days"
        )));
    }
    let key = EncodingKey::from_ec_pem(private_key_pem)
        .map_err(|err| Error::Config(format!("Apple private key: {err}")))?;
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(key_id.to_owned());
    let iat = now.unix_timestamp();
    let claims = SecretClaims {
        iss: team_id,
        iat,
        exp: iat + lifetime.whole_seconds(),
        aud: "https://appleid.apple.com",
        sub: client_id,
    };
    jsonwebtoken::encode(&header, &claims, &key)
        .map_err(|err| Error::Config(format!("Apple client secret: {err}")))
}
