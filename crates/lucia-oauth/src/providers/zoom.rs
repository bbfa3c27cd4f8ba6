//! Zoom.

use crate::error::Result;
use crate::provider::{EmailVerified, Pkce, Profile, Provider};

/// Zoom. OAuth 2.0 with PKCE S256, basic client auth, refresh tokens and revocation; scopes are
/// configured on the app, so none are requested by default. The account id is `id` of
/// `GET https://api.zoom.us/v2/users/me`. Its `verified` field is an integer (1/0), which the
/// profile model's boolean flag cannot read, so the email is never counted as verified.
pub fn zoom() -> Result<Provider> {
    Provider::oauth2(
        "zoom",
        "Zoom",
        "https://zoom.us/oauth/authorize",
        "https://zoom.us/oauth/token",
    )?
    .pkce(Pkce::S256)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.zoom.us/v2/users/me", "/id")?
            .email("/email", EmailVerified::Never)
            .name("/display_name")
            .avatar("/pic_url"),
    )
    .revocation("https://zoom.us/oauth/revoke")
}
