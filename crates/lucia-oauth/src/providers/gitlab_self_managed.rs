//! Self-managed GitLab (OpenID Connect).

use crate::error::Result;
use crate::provider::Provider;

/// A self-managed GitLab at `https://{domain}` (no sub-path installs): the same OpenID Connect
/// shape as [`gitlab`](super::gitlab), issuer `https://{domain}`. Account ids are per instance,
/// hence a separate provider id from GitLab.com; use one preset per instance.
pub fn gitlab_self_managed(domain: &str) -> Result<Provider> {
    gitlab_at("gitlab-self-managed", "GitLab (self-managed)", domain)
}

/// GitLab's OpenID Connect endpoints at `https://{domain}`.
pub(super) fn gitlab_at(id: &str, name: &str, domain: &str) -> Result<Provider> {
    let base = format!("https://{domain}");
    Provider::oidc(
        id,
        name,
        &base,
        &format!("{base}/oauth/authorize"),
        &format!("{base}/oauth/token"),
        &format!("{base}/oauth/discovery/keys"),
    )?
    .revocation(&format!("{base}/oauth/revoke"))
}
