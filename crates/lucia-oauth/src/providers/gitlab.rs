//! GitLab.com (OpenID Connect).

use crate::error::Result;
use crate::provider::Provider;

/// GitLab.com. GitLab is an OpenID Connect provider (issuer `https://gitlab.com`): the ID
/// token's `sub` is the numeric user id and `email_verified` its flag. PKCE S256 (GitLab
/// supports it, though Arctic does not send it), refresh tokens, revocation. For a self-managed
/// instance use [`gitlab_self_managed`](super::gitlab_self_managed).
pub fn gitlab() -> Result<Provider> {
    super::gitlab_self_managed::gitlab_at("gitlab", "GitLab", "gitlab.com")
}
