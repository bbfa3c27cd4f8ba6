//! Preset tests: the catalog's order and completeness, every preset against the facts looked up
//! for it, parameter substitution, and Apple's client secret.

use super::*;
use crate::provider::ClientAuth::{Basic, Post};
use crate::provider::{IssuerCheck, Pkce, ResponseMode};

#[test]
fn the_catalog_is_sorted_unique_and_every_preset_builds() {
    let ids: Vec<&str> = catalog().iter().map(|p| p.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "sorted by id, no duplicates");
    for preset in catalog() {
        let provider = preset.example().expect(preset.id);
        assert_eq!(provider.id, preset.id);
        assert_eq!(provider.name, preset.name);
        assert!(!provider.profile.id.is_empty(), "{}: account id", preset.id);
    }
}

#[test]
fn missing_and_malformed_parameters_are_config_errors() {
    let keycloak = preset("keycloak").expect("listed");
    assert!(matches!(
        keycloak.build(&[("domain", "sso.example.com")]),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        keycloak.build(&[("domain", "evil.test/x?"), ("realm", "a")]),
        Err(Error::Config(_))
    ));
}

/// What was looked up for one preset (parameterised presets with their example parameters).
struct Row {
    id: &'static str,
    authorization: &'static str,
    token: &'static str,
    pkce: Pkce,
    client_auth: crate::provider::ClientAuth,
    oidc: bool,
    profile: Option<&'static str>,
}

/// Builds a [`Row`] (positional, to keep the table one line per provider).
const fn row(
    id: &'static str,
    authorization: &'static str,
    token: &'static str,
    pkce: Pkce,
    client_auth: crate::provider::ClientAuth,
    oidc: bool,
    profile: Option<&'static str>,
) -> Row {
    Row {
        id,
        authorization,
        token,
        pkce,
        client_auth,
        oidc,
        profile,
    }
}

/// One row per preset: authorization endpoint, token endpoint, PKCE, client authentication,
/// OpenID Connect, profile endpoint (`None`: the ID token's claims).
const FACTS: &[Row] = &[
    row(
        "42",
        "https://api.intra.42.fr/oauth/authorize",
        "https://api.intra.42.fr/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://api.intra.42.fr/v2/me"),
    ),
    row(
        "amazon",
        "https://www.amazon.com/ap/oa",
        "https://api.amazon.com/auth/o2/token",
        Pkce::S256,
        Post,
        false,
        Some("https://api.amazon.com/user/profile"),
    ),
    row(
        "amazon-cognito",
        "https://id.example.com/oauth2/authorize",
        "https://id.example.com/oauth2/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "anilist",
        "https://anilist.co/api/v2/oauth/authorize",
        "https://anilist.co/api/v2/oauth/token",
        Pkce::None,
        Basic,
        false,
        Some("https://graphql.anilist.co/"),
    ),
    row(
        "apple",
        "https://appleid.apple.com/auth/authorize",
        "https://appleid.apple.com/auth/token",
        Pkce::None,
        Post,
        true,
        None,
    ),
    row(
        "atlassian",
        "https://auth.atlassian.com/authorize",
        "https://auth.atlassian.com/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://api.atlassian.com/me"),
    ),
    row(
        "auth0",
        "https://id.example.com/authorize",
        "https://id.example.com/oauth/token",
        Pkce::None,
        Basic,
        true,
        None,
    ),
    row(
        "authentik",
        "https://id.example.com/application/o/authorize/",
        "https://id.example.com/application/o/token/",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "autodesk",
        "https://developer.api.autodesk.com/authentication/v2/authorize",
        "https://developer.api.autodesk.com/authentication/v2/token",
        Pkce::S256,
        Basic,
        true,
        Some("https://api.userprofile.autodesk.com/userinfo"),
    ),
    row(
        "battle-net",
        "https://oauth.battle.net/authorize",
        "https://oauth.battle.net/token",
        Pkce::None,
        Post,
        false,
        Some("https://oauth.battle.net/userinfo"),
    ),
    row(
        "bitbucket",
        "https://bitbucket.org/site/oauth2/authorize",
        "https://bitbucket.org/site/oauth2/access_token",
        Pkce::None,
        Basic,
        false,
        Some("https://api.bitbucket.org/2.0/user"),
    ),
    row(
        "box",
        "https://account.box.com/api/oauth2/authorize",
        "https://api.box.com/oauth2/token",
        Pkce::None,
        Post,
        false,
        Some("https://api.box.com/2.0/users/me"),
    ),
    row(
        "bungie",
        "https://www.bungie.net/en/oauth/authorize",
        "https://www.bungie.net/platform/app/oauth/token",
        Pkce::None,
        Basic,
        false,
        Some("https://www.bungie.net/Platform/User/GetCurrentBungieNetUser"),
    ),
    row(
        "coinbase",
        "https://www.coinbase.com/oauth/authorize",
        "https://www.coinbase.com/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://api.coinbase.com/v2/user"),
    ),
    row(
        "discord",
        "https://discord.com/oauth2/authorize",
        "https://discord.com/api/oauth2/token",
        Pkce::None,
        Basic,
        false,
        Some("https://discord.com/api/users/@me"),
    ),
    row(
        "donation-alerts",
        "https://www.donationalerts.com/oauth/authorize",
        "https://www.donationalerts.com/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://www.donationalerts.com/api/v1/user/oauth"),
    ),
    row(
        "dribbble",
        "https://dribbble.com/oauth/authorize",
        "https://dribbble.com/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://api.dribbble.com/v2/user"),
    ),
    row(
        "dropbox",
        "https://www.dropbox.com/oauth2/authorize",
        "https://api.dropboxapi.com/oauth2/token",
        Pkce::None,
        Basic,
        false,
        Some("https://api.dropboxapi.com/2/users/get_current_account"),
    ),
    row(
        "epic-games",
        "https://www.epicgames.com/id/authorize",
        "https://api.epicgames.dev/epic/oauth/v2/token",
        Pkce::None,
        Basic,
        false,
        Some("https://api.epicgames.dev/epic/oauth/v2/userInfo"),
    ),
    row(
        "etsy",
        "https://www.etsy.com/oauth/connect",
        "https://api.etsy.com/v3/public/oauth/token",
        Pkce::S256,
        Post,
        false,
        Some("https://openapi.etsy.com/v3/application/users/me"),
    ),
    row(
        "facebook",
        "https://www.facebook.com/v16.0/dialog/oauth",
        "https://graph.facebook.com/v16.0/oauth/access_token",
        Pkce::None,
        Post,
        false,
        Some("https://graph.facebook.com/me"),
    ),
    row(
        "figma",
        "https://www.figma.com/oauth",
        "https://api.figma.com/v1/oauth/token",
        Pkce::None,
        Basic,
        false,
        Some("https://api.figma.com/v1/me"),
    ),
    row(
        "gitea",
        "https://id.example.com/login/oauth/authorize",
        "https://id.example.com/login/oauth/access_token",
        Pkce::S256,
        Basic,
        false,
        Some("https://id.example.com/api/v1/user"),
    ),
    row(
        "github",
        "https://github.com/login/oauth/authorize",
        "https://github.com/login/oauth/access_token",
        Pkce::S256,
        Basic,
        false,
        Some("https://api.github.com/user"),
    ),
    row(
        "gitlab",
        "https://gitlab.com/oauth/authorize",
        "https://gitlab.com/oauth/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "gitlab-self-managed",
        "https://id.example.com/oauth/authorize",
        "https://id.example.com/oauth/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "google",
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "hugging-face",
        "https://huggingface.co/oauth/authorize",
        "https://huggingface.co/oauth/token",
        Pkce::S256,
        Basic,
        true,
        Some("https://huggingface.co/oauth/userinfo"),
    ),
    row(
        "intuit",
        "https://appcenter.intuit.com/connect/oauth2",
        "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
        Pkce::None,
        Basic,
        true,
        Some("https://accounts.platform.intuit.com/v1/openid_connect/userinfo"),
    ),
    row(
        "kakao",
        "https://kauth.kakao.com/oauth/authorize",
        "https://kauth.kakao.com/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://kapi.kakao.com/v2/user/me"),
    ),
    row(
        "keycloak",
        "https://id.example.com/realms/example/protocol/openid-connect/auth",
        "https://id.example.com/realms/example/protocol/openid-connect/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "kick",
        "https://id.kick.com/oauth/authorize",
        "https://id.kick.com/oauth/token",
        Pkce::S256,
        Post,
        false,
        Some("https://api.kick.com/public/v1/users"),
    ),
    row(
        "lichess",
        "https://lichess.org/oauth",
        "https://lichess.org/api/token",
        Pkce::S256,
        Post,
        false,
        Some("https://lichess.org/api/account"),
    ),
    row(
        "line",
        "https://access.line.me/oauth2/v2.1/authorize",
        "https://api.line.me/oauth2/v2.1/token",
        Pkce::S256,
        Post,
        true,
        None,
    ),
    row(
        "linear",
        "https://linear.app/oauth/authorize",
        "https://api.linear.app/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://api.linear.app/graphql"),
    ),
    row(
        "linkedin",
        "https://www.linkedin.com/oauth/v2/authorization",
        "https://www.linkedin.com/oauth/v2/accessToken",
        Pkce::None,
        Post,
        true,
        None,
    ),
    row(
        "mastodon",
        "https://id.example.com/oauth/authorize",
        "https://id.example.com/oauth/token",
        Pkce::S256,
        Basic,
        false,
        Some("https://id.example.com/api/v1/accounts/verify_credentials"),
    ),
    row(
        "mercadolibre",
        "https://auth.mercadolibre.com/authorization",
        "https://api.mercadolibre.com/oauth/token",
        Pkce::S256,
        Post,
        false,
        Some("https://api.mercadolibre.com/users/me"),
    ),
    row(
        "mercadopago",
        "https://auth.mercadopago.com/authorization",
        "https://api.mercadopago.com/oauth/token",
        Pkce::S256,
        Post,
        false,
        Some("https://api.mercadopago.com/users/me"),
    ),
    row(
        "microsoft-entra-id",
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "myanimelist",
        "https://myanimelist.net/v1/oauth2/authorize",
        "https://myanimelist.net/v1/oauth2/token",
        Pkce::Plain,
        Basic,
        false,
        Some("https://api.myanimelist.net/v2/users/@me"),
    ),
    row(
        "naver",
        "https://nid.naver.com/oauth2.0/authorize",
        "https://nid.naver.com/oauth2.0/token",
        Pkce::None,
        Post,
        false,
        Some("https://openapi.naver.com/v1/nid/me"),
    ),
    row(
        "notion",
        "https://api.notion.com/v1/oauth/authorize",
        "https://api.notion.com/v1/oauth/token",
        Pkce::None,
        Basic,
        false,
        Some("https://api.notion.com/v1/users/me"),
    ),
    row(
        "okta",
        "https://id.example.com/oauth2/v1/authorize",
        "https://id.example.com/oauth2/v1/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "okta-custom",
        "https://id.example.com/oauth2/default/v1/authorize",
        "https://id.example.com/oauth2/default/v1/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "osu",
        "https://osu.ppy.sh/oauth/authorize",
        "https://osu.ppy.sh/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://osu.ppy.sh/api/v2/me"),
    ),
    row(
        "patreon",
        "https://www.patreon.com/oauth2/authorize",
        "https://www.patreon.com/api/oauth2/token",
        Pkce::None,
        Post,
        false,
        Some("https://www.patreon.com/api/oauth2/v2/identity"),
    ),
    row(
        "paypal",
        "https://www.paypal.com/signin/authorize",
        "https://api-m.paypal.com/v1/oauth2/token",
        Pkce::None,
        Basic,
        false,
        Some("https://api-m.paypal.com/v1/identity/oauth2/userinfo?schema=paypalv1.1"),
    ),
    row(
        "polar",
        "https://polar.sh/oauth2/authorize",
        "https://api.polar.sh/v1/oauth2/token",
        Pkce::S256,
        Post,
        false,
        Some("https://api.polar.sh/v1/oauth2/userinfo"),
    ),
    row(
        "reddit",
        "https://www.reddit.com/api/v1/authorize",
        "https://www.reddit.com/api/v1/access_token",
        Pkce::None,
        Basic,
        false,
        Some("https://oauth.reddit.com/api/v1/me"),
    ),
    row(
        "roblox",
        "https://apis.roblox.com/oauth/v1/authorize",
        "https://apis.roblox.com/oauth/v1/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "salesforce",
        "https://id.example.com/services/oauth2/authorize",
        "https://id.example.com/services/oauth2/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "shikimori",
        "https://shikimori.one/oauth/authorize",
        "https://shikimori.one/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://shikimori.one/api/users/whoami"),
    ),
    row(
        "slack",
        "https://slack.com/openid/connect/authorize",
        "https://slack.com/api/openid.connect.token",
        Pkce::None,
        Basic,
        true,
        None,
    ),
    row(
        "spotify",
        "https://accounts.spotify.com/authorize",
        "https://accounts.spotify.com/api/token",
        Pkce::None,
        Basic,
        false,
        Some("https://api.spotify.com/v1/me"),
    ),
    row(
        "startgg",
        "https://start.gg/oauth/authorize",
        "https://api.start.gg/oauth/access_token",
        Pkce::None,
        Post,
        false,
        Some("https://api.start.gg/gql/alpha"),
    ),
    row(
        "strava",
        "https://www.strava.com/oauth/authorize",
        "https://www.strava.com/api/v3/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://www.strava.com/api/v3/athlete"),
    ),
    row(
        "synology",
        "https://id.example.com/webman/sso/SSOOauth.cgi",
        "https://id.example.com/webman/sso/SSOAccessToken.cgi",
        Pkce::S256,
        Basic,
        false,
        Some("https://id.example.com/webman/sso/SSOUserInfo.cgi"),
    ),
    row(
        "tiktok",
        "https://www.tiktok.com/v2/auth/authorize",
        "https://open.tiktokapis.com/v2/oauth/token/",
        Pkce::S256,
        Post,
        false,
        Some("https://open.tiktokapis.com/v2/user/info/"),
    ),
    row(
        "tiltify",
        "https://v5api.tiltify.com/oauth/authorize",
        "https://v5api.tiltify.com/oauth/token",
        Pkce::None,
        Post,
        false,
        Some("https://v5api.tiltify.com/api/public/current-user"),
    ),
    row(
        "tumblr",
        "https://www.tumblr.com/oauth2/authorize",
        "https://api.tumblr.com/v2/oauth2/token",
        Pkce::None,
        Basic,
        false,
        Some("https://api.tumblr.com/v2/user/info"),
    ),
    row(
        "twitch",
        "https://id.twitch.tv/oauth2/authorize",
        "https://id.twitch.tv/oauth2/token",
        Pkce::None,
        Post,
        true,
        Some("https://api.twitch.tv/helix/users"),
    ),
    row(
        "twitter",
        "https://x.com/i/oauth2/authorize",
        "https://api.x.com/2/oauth2/token",
        Pkce::S256,
        Basic,
        false,
        Some("https://api.x.com/2/users/me"),
    ),
    row(
        "vk",
        "https://oauth.vk.com/authorize",
        "https://oauth.vk.com/access_token",
        Pkce::None,
        Post,
        false,
        Some("https://api.vk.com/method/users.get"),
    ),
    row(
        "withings",
        "https://account.withings.com/oauth2_user/authorize2",
        "https://wbsapi.withings.net/v2/oauth2",
        Pkce::None,
        Post,
        false,
        None,
    ),
    row(
        "workos",
        "https://api.workos.com/sso/authorize",
        "https://api.workos.com/sso/token",
        Pkce::None,
        Post,
        false,
        Some("https://api.workos.com/sso/profile"),
    ),
    row(
        "yahoo",
        "https://api.login.yahoo.com/oauth2/request_auth",
        "https://api.login.yahoo.com/oauth2/get_token",
        Pkce::None,
        Basic,
        true,
        None,
    ),
    row(
        "yahoo-japan",
        "https://auth.login.yahoo.co.jp/yconnect/v2/authorization",
        "https://auth.login.yahoo.co.jp/yconnect/v2/token",
        Pkce::S256,
        Basic,
        true,
        Some("https://userinfo.yahooapis.jp/yconnect/v2/attribute"),
    ),
    row(
        "yandex",
        "https://oauth.yandex.com/authorize",
        "https://oauth.yandex.com/token",
        Pkce::None,
        Basic,
        false,
        Some("https://login.yandex.ru/info"),
    ),
    row(
        "zitadel",
        "https://id.example.com/oauth/v2/authorize",
        "https://id.example.com/oauth/v2/token",
        Pkce::S256,
        Basic,
        true,
        None,
    ),
    row(
        "zoom",
        "https://zoom.us/oauth/authorize",
        "https://zoom.us/oauth/token",
        Pkce::S256,
        Basic,
        false,
        Some("https://api.zoom.us/v2/users/me"),
    ),
];

#[test]
fn every_preset_matches_its_facts_and_the_table_covers_the_catalog() {
    let table: Vec<&str> = FACTS.iter().map(|r| r.id).collect();
    let listed: Vec<&str> = catalog().iter().map(|p| p.id).collect();
    assert_eq!(table, listed, "one row per catalog entry, in catalog order");
    for row in FACTS {
        let provider = preset(row.id).expect(row.id).example().expect(row.id);
        assert_eq!(
            provider.authorization_endpoint.as_str(),
            row.authorization,
            "{}: authorization endpoint",
            row.id
        );
        assert_eq!(
            provider.token_endpoint.as_str(),
            row.token,
            "{}: token",
            row.id
        );
        assert_eq!(provider.pkce, row.pkce, "{}: PKCE", row.id);
        assert_eq!(
            provider.client_auth, row.client_auth,
            "{}: client auth",
            row.id
        );
        assert_eq!(provider.is_oidc(), row.oidc, "{}: OpenID Connect", row.id);
        assert_eq!(
            provider.profile.url.as_ref().map(url::Url::as_str),
            row.profile,
            "{}: profile endpoint",
            row.id
        );
        if provider.profile.url.is_none() && provider.is_oidc() {
            assert_eq!(provider.profile.id, "/sub", "{}: account id", row.id);
        }
        let hs256 = provider.oidc.as_ref().is_some_and(|o| o.allow_hs256);
        assert_eq!(hs256, row.id == "line", "{}: HS256 only for LINE", row.id);
        for url in [&provider.authorization_endpoint, &provider.token_endpoint] {
            assert_eq!(url.scheme(), "https", "{}: {url}", row.id);
        }
    }
}

#[test]
fn entra_multi_tenant_endpoints_use_the_tenant_template() {
    let provider = microsoft_entra_id("organizations").expect("valid");
    assert_eq!(
        provider.oidc.expect("oidc").issuer,
        IssuerCheck::TenantTemplate("https://login.microsoftonline.com/{tenantid}/v2.0".into())
    );
    assert!(
        provider
            .default_scopes
            .iter()
            .any(|s| s == "offline_access")
    );
}

#[test]
fn entra_single_tenant_checks_its_exact_issuer_and_refuses_domain_names() {
    let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let provider = preset("microsoft-entra-id")
        .expect("listed")
        .build(&[("tenant", tenant)])
        .expect("valid");
    assert_eq!(
        provider.token_endpoint.as_str(),
        format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token")
    );
    let oidc = provider.oidc.expect("oidc");
    assert_eq!(
        oidc.issuer,
        IssuerCheck::exact(format!("https://login.microsoftonline.com/{tenant}/v2.0"))
    );
    assert_eq!(
        oidc.jwks_uri.as_str(),
        format!("https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys")
    );
    for bad in ["contoso.onmicrosoft.com", "72f988bf-86f1-41af-91ab", ""] {
        assert!(
            matches!(microsoft_entra_id(bad), Err(Error::Config(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn parameters_land_in_endpoints_issuers_and_keys() {
    let cognito = amazon_cognito("auth.example.com", "eu-west-1", "eu-west-1_AbC").expect("ok");
    let oidc = cognito.oidc.expect("oidc");
    assert_eq!(
        oidc.issuer,
        IssuerCheck::exact("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC")
    );
    assert_eq!(
        oidc.jwks_uri.as_str(),
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json"
    );
    assert_eq!(
        cognito.revocation_endpoint.map(String::from).as_deref(),
        Some("https://auth.example.com/oauth2/revoke")
    );

    let auth0 = auth0("acme.eu.auth0.com").expect("ok");
    assert_eq!(
        auth0.oidc.expect("oidc").issuer,
        IssuerCheck::exact("https://acme.eu.auth0.com/")
    );

    let authentik = authentik("sso.example.com", "wiki").expect("ok");
    assert_eq!(
        authentik.oidc.expect("oidc").issuer,
        IssuerCheck::exact("https://sso.example.com/application/o/wiki/")
    );

    let custom = okta_custom("acme.okta.com", "default").expect("ok");
    assert_eq!(
        custom.oidc.expect("oidc").issuer,
        IssuerCheck::exact("https://acme.okta.com/oauth2/default")
    );
    let org = okta("acme.okta.com").expect("ok");
    assert_eq!(
        org.oidc.expect("oidc").issuer,
        IssuerCheck::exact("https://acme.okta.com")
    );

    let gitlab = gitlab_self_managed("git.example.org").expect("ok");
    assert_eq!(
        gitlab.oidc.expect("oidc").jwks_uri.as_str(),
        "https://git.example.org/oauth/discovery/keys"
    );

    let gitea = gitea("codeberg.org").expect("ok");
    assert_eq!(
        gitea
            .profile
            .email_list
            .map(|l| l.url.to_string())
            .as_deref(),
        Some("https://codeberg.org/api/v1/user/emails")
    );

    let bungie = preset("bungie")
        .expect("listed")
        .build(&[("api_key", "0123abcd")])
        .expect("ok");
    assert_eq!(
        bungie.profile.headers,
        vec![("X-API-Key".to_owned(), "0123abcd".to_owned())]
    );

    for (id, params) in [
        ("mastodon", vec![("domain", "mastodon.social/evil")]),
        ("salesforce", vec![("domain", "a@b")]),
        (
            "okta-custom",
            vec![
                ("domain", "acme.okta.com"),
                ("authorization_server", "../x"),
            ],
        ),
    ] {
        let built = preset(id).expect(id).build(&params);
        assert!(matches!(built, Err(Error::Config(_))), "{id}");
    }
}

#[test]
fn provider_quirks_are_in_the_data() {
    let tiktok = tiktok().expect("ok");
    assert_eq!(tiktok.client_id_param, "client_key");
    assert_eq!(tiktok.scope_separator, ",");

    let withings = withings().expect("ok");
    assert_eq!(
        withings.token_params,
        vec![("action".to_owned(), "requesttoken".to_owned())]
    );
    assert_eq!(withings.token_wrapper.as_deref(), Some("/body"));
    assert_eq!(withings.scope_separator, ",");
    assert_eq!(strava().expect("ok").scope_separator, ",");

    let figma = figma().expect("ok");
    assert!(figma.refresh);
    assert_eq!(
        figma.refresh_endpoint.map(String::from).as_deref(),
        Some("https://api.figma.com/v1/oauth/refresh")
    );

    let twitch = twitch().expect("ok");
    assert_eq!(
        twitch.profile.headers,
        vec![("Client-Id".to_owned(), "{client_id}".to_owned())]
    );

    let dropbox = dropbox().expect("ok");
    assert_eq!(dropbox.profile.method, http::Method::POST);
    assert!(
        dropbox
            .authorization_params
            .contains(&("token_access_type".to_owned(), "offline".to_owned()))
    );

    let atlassian = atlassian().expect("ok");
    for param in [("audience", "api.atlassian.com"), ("prompt", "consent")] {
        assert!(
            atlassian
                .authorization_params
                .contains(&(param.0.to_owned(), param.1.to_owned()))
        );
    }
    assert!(
        notion()
            .expect("ok")
            .authorization_params
            .contains(&("owner".to_owned(), "user".to_owned()))
    );

    let twitter = twitter().expect("ok");
    assert!(twitter.default_scopes.iter().any(|s| s == "offline.access"));
    assert_eq!(twitter.profile.id, "/data/id");

    let facebook = facebook().expect("ok");
    assert!(facebook.profile.query.iter().any(|(k, _)| k == "fields"));

    let apple = apple().expect("ok");
    assert_eq!(apple.response_mode, ResponseMode::FormPost);
    assert!(!apple.refresh);
    assert!(
        apple
            .authorization_params
            .contains(&("response_mode".to_owned(), "form_post".to_owned()))
    );

    let startgg = startgg().expect("ok");
    assert!(startgg.refresh_endpoint.is_some());
    assert!(startgg.token_params.iter().any(|(k, _)| k == "scope"));
}

#[test]
fn no_preset_trusts_an_email_without_a_documented_flag() {
    use crate::provider::EmailVerified;
    for preset in catalog() {
        let provider = preset.example().expect(preset.id);
        if provider.profile.email_verified == EmailVerified::Always {
            assert_eq!(preset.id, "twitch", "Always needs a documented guarantee");
        }
    }
    for id in ["microsoft-entra-id", "line", "facebook", "spotify", "zoom"] {
        let provider = preset(id).expect(id).example().expect(id);
        assert_eq!(
            provider.profile.email_verified,
            EmailVerified::Never,
            "{id}"
        );
    }
}

/// A P-256 key pair generated for this test only (`openssl genpkey -algorithm EC -pkeyopt
/// ec_paramgen_curve:P-256`). TEST-ONLY: not a real Apple key, never use it elsewhere.
const TEST_ONLY_P256_PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7JOd6fHBlG3g3Ye2
hxPrGf3IIaVC6bJ3+/p+n6z7e6yhRANCAASrqTCgnFK5KZ/92DBiGtwXwuC1kfRg
8Fh7aMzKWTGtEgMq/0ctp3hs4F57u26m1V3y1JKKJ/dSumedvIT04EYn
-----END PRIVATE KEY-----
";

/// The public half of [`TEST_ONLY_P256_PRIVATE_KEY`] (TEST-ONLY).
const TEST_ONLY_P256_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEq6kwoJxSuSmf/dgwYhrcF8LgtZH0
YPBYe2jMylkxrRIDKv9HLad4bOBee7tuptVd8tSSiif3UrpnnbyE9OBGJw==
-----END PUBLIC KEY-----
";

#[test]
fn apple_client_secret_is_an_es256_jwt_apple_can_verify() {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    let now = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid time");
    let secret = apple_client_secret(
        "TEAM123456",
        "KEY1234567",
        "com.example.web",
        TEST_ONLY_P256_PRIVATE_KEY.as_bytes(),
        now,
        time::Duration::minutes(10),
    )
    .expect("signed");

    let header = jsonwebtoken::decode_header(&secret).expect("header");
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(header.kid.as_deref(), Some("KEY1234567"));

    let key = DecodingKey::from_ec_pem(TEST_ONLY_P256_PUBLIC_KEY.as_bytes()).expect("public key");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&["https://appleid.apple.com"]);
    validation.set_issuer(&["TEAM123456"]);
    validation.validate_exp = false; // the fixed `now` is in the past
    let claims = jsonwebtoken::decode::<serde_json::Value>(&secret, &key, &validation)
        .expect("signature and claims verify")
        .claims;
    assert_eq!(claims["sub"], "com.example.web");
    assert_eq!(claims["iat"], 1_700_000_000);
    assert_eq!(claims["exp"], 1_700_000_600);
}

#[test]
fn apple_client_secret_refuses_long_lifetimes_and_bad_keys() {
    let now = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid time");
    let key = TEST_ONLY_P256_PRIVATE_KEY.as_bytes();
    assert!(apple_client_secret("T", "K", "C", key, now, time::Duration::days(180)).is_ok());
    for lifetime in [
        time::Duration::days(181),
        time::Duration::ZERO,
        time::Duration::seconds(-1),
    ] {
        assert!(
            matches!(
                apple_client_secret("T", "K", "C", key, now, lifetime),
                Err(Error::Config(_))
            ),
            "{lifetime}"
        );
    }
    assert!(matches!(
        apple_client_secret("T", "K", "C", b"not a key", now, time::Duration::minutes(5)),
        Err(Error::Config(_))
    ));
}
