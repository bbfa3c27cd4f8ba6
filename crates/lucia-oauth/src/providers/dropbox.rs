//! Dropbox.

use crate::error::Result;
use crate::provider::{EmailVerified, Profile, Provider};

/// Dropbox. OAuth 2.0 without PKCE (per the facts file); basic client auth; refresh tokens only
/// with `token_access_type=offline`; revocation at `https://api.dropboxapi.com/2/auth/token/revoke`.
/// The profile is `POST https://api.dropboxapi.com/2/users/get_current_account` (an RPC call
/// without arguments, scope `account_info.read`): `account_id` is the account id and
/// `email_verified` the email's flag. Dropbox also offers OpenID Connect; it is not used here.
pub fn dropbox() -> Result<Provider> {
    let mut profile = Profile::endpoint(
        "https://api.dropboxapi.com/2/users/get_current_account",
        "/account_id",
    )?
    .email("/email", EmailVerified::At("/email_verified".into()))
    .name("/name/display_name")
    .avatar("/profile_photo_url");
    profile.method = http::Method::POST;
    Provider::oauth2(
        "dropbox",
        "Dropbox",
        "https://www.dropbox.com/oauth2/authorize",
        "https://api.dropboxapi.com/oauth2/token",
    )?
    .scopes(&["account_info.read"])
    .refreshable(true)
    .authorization_param("token_access_type", "offline")
    .profile(profile)
    .revocation("https://api.dropboxapi.com/2/auth/token/revoke")
}
