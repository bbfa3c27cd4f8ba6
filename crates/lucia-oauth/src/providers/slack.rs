//! Slack (Sign in with Slack, OpenID Connect).

use crate::error::Result;
use crate::provider::{Pkce, Profile, Provider};

/// Slack's Sign in with Slack. OpenID Connect (issuer `https://slack.com`) without PKCE or
/// refresh (per the facts file); basic client auth. `sub` is the Slack user id; Slack scopes
/// user ids to a workspace (the `https://slack.com/team_id` claim), and the model keys accounts
/// by `sub` alone. `email_verified` is Slack's flag.
pub fn slack() -> Result<Provider> {
    let mut profile = Profile::id_token();
    profile.username = None;
    Ok(Provider::oidc(
        "slack",
        "Slack",
        "https://slack.com",
        "https://slack.com/openid/connect/authorize",
        "https://slack.com/api/openid.connect.token",
        "https://slack.com/openid/connect/keys",
    )?
    .pkce(Pkce::None)
    .refreshable(false)
    .profile(profile))
}
