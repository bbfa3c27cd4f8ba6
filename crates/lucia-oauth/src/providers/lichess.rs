//! Lichess.

use crate::error::Result;
use crate::provider::{ClientAuth, Pkce, Profile, Provider};

/// Lichess. OAuth 2.0 with mandatory PKCE S256 and no client registration (any client id, no
/// secret: the client id goes in the form body); no refresh tokens. The account id is `id` of
/// `GET https://lichess.org/api/account`: the lowercased username, which Lichess never lets
/// change (only its letter case), so it is the stable id. The email needs a separate endpoint
/// (`/api/account/email`, scope `email:read`) without a verification flag, so none is read.
pub fn lichess() -> Result<Provider> {
    Ok(Provider::oauth2(
        "lichess",
        "Lichess",
        "https://lichess.org/oauth",
        "https://lichess.org/api/token",
    )?
    .pkce(Pkce::S256)
    .client_auth(ClientAuth::Post)
    .profile(Profile::endpoint("https://lichess.org/api/account", "/id")?.username("/username")))
}
