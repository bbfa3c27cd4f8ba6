//! Microsoft Entra ID (Azure AD; OpenID Connect, v2.0 endpoints).

use crate::error::{Error, Result};
use crate::provider::{EmailVerified, IssuerCheck, Profile, Provider};

/// The multi-tenant pseudo-tenants, whose ID tokens carry the user's own tenant as issuer.
const MULTI_TENANT: [&str; 3] = ["common", "organizations", "consumers"];

/// Microsoft Entra ID for `tenant`: a tenant id (GUID), or `common`, `organizations` or
/// `consumers`. OpenID Connect with PKCE S256, basic client auth, refresh tokens with the
/// `offline_access` scope (included).
///
/// Issuer: for a tenant id, exactly `https://login.microsoftonline.com/{tenant}/v2.0`; for the
/// multi-tenant endpoints, that template with the token's own `tid` claim
/// ([`IssuerCheck::TenantTemplate`]). A tenant given as a domain name
/// (`contoso.onmicrosoft.com`) is refused: its tokens' issuer holds the GUID, which cannot be
/// derived from the name. `sub` is the account id (pairwise per application, stable). Entra's
/// `email` claim is unverified and user-editable in many tenants, so it is never counted as
/// verified.
pub fn microsoft_entra_id(tenant: &str) -> Result<Provider> {
    let multi = MULTI_TENANT.contains(&tenant);
    if !multi && !is_guid(tenant) {
        return Err(Error::Config(format!(
            "Entra tenant {tenant:?} must be a tenant id (GUID), common, organizations or consumers"
        )));
    }
    let base = format!("https://login.microsoftonline.com/{tenant}");
    let mut profile = Profile::id_token();
    profile.email_verified = EmailVerified::Never;
    profile.avatar = None;
    let provider = Provider::oidc(
        "microsoft-entra-id",
        "Microsoft Entra ID",
        &format!("{base}/v2.0"),
        &format!("{base}/oauth2/v2.0/authorize"),
        &format!("{base}/oauth2/v2.0/token"),
        &format!("{base}/discovery/v2.0/keys"),
    )?
    .scopes(&["openid", "email", "profile", "offline_access"])
    .profile(profile);
    Ok(if multi {
        provider.issuer_check(IssuerCheck::TenantTemplate(
            "https://login.microsoftonline.com/{tenantid}/v2.0".into(),
        ))
    } else {
        provider
    })
}

/// Whether `value` is a GUID in its 8-4-4-4-12 hex form.
fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}
