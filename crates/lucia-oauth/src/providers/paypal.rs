//! PayPal (Log in with PayPal).

use crate::error::Result;
use crate::provider::{Profile, Provider};

/// The userinfo endpoint, in PayPal's own schema (the one with per-address flags).
const USERINFO: &str = "https://api-m.paypal.com/v1/identity/oauth2/userinfo?schema=paypalv1.1";

/// PayPal (live environment; rebase to `api-m.sandbox.paypal.com` and `www.sandbox.paypal.com`
/// for the sandbox). OAuth 2.0 without PKCE; basic client auth; refresh tokens. The account id
/// is `user_id` of the userinfo endpoint (schema `paypalv1.1`); the email is the primary,
/// `confirmed` entry of its `emails` list (read through the same endpoint).
pub fn paypal() -> Result<Provider> {
    let mut profile = Profile::endpoint(USERINFO, "/user_id")?.name("/name");
    profile.email_list = Some(super::email_list(
        USERINFO,
        "/emails",
        "value",
        Some("primary"),
        "confirmed",
    )?);
    Ok(Provider::oauth2(
        "paypal",
        "PayPal",
        "https://www.paypal.com/signin/authorize",
        "https://api-m.paypal.com/v1/oauth2/token",
    )?
    .scopes(&["openid", "email", "profile"])
    .refreshable(true)
    .profile(profile))
}
