//! Provider presets: endpoints, scopes, PKCE, client authentication and profile fields of
//! well-known providers, so an app needs only a client id and secret (and, for hosted
//! identity services, a domain, tenant or realm).
//!
//! Each preset is a function (`providers::github()`), and the [`catalog`] lists them all with
//! the parameters they need, so an app can build any of them from configuration:
//!
//! ```
//! use lucia_oauth::providers;
//!
//! let github = providers::github()?;
//! assert_eq!(github.name, "GitHub");
//!
//! let preset = providers::preset("keycloak").expect("listed");
//! assert_eq!(preset.params, &["domain", "realm"]);
//! let keycloak = preset.build(&[("domain", "sso.example.com"), ("realm", "staff")])?;
//! assert_eq!(
//!     keycloak.authorization_endpoint.as_str(),
//!     "https://sso.example.com/realms/staff/protocol/openid-connect/auth"
//! );
//! # Ok::<(), lucia_oauth::Error>(())
//! ```
//!
//! Endpoints and quirks follow each provider's public documentation (cross-checked against
//! Arctic's provider list). Where a provider offers no "email verified" signal, its email is
//! never counted as verified ([`EmailVerified::Never`](crate::provider::EmailVerified)), so it
//! cannot be used to link accounts by email.

use crate::error::{Error, Result};
use crate::provider::{EmailList, Provider, parse_url};

/// A listed provider: its id, display name, the parameters it needs besides the client
/// credentials, and how to build it.
#[derive(Clone, Copy)]
pub struct Preset {
    /// Provider id, as in [`Provider::id`].
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Names of the parameters [`Preset::build`] needs (`domain`, `tenant`, `realm`, ...).
    pub params: &'static [&'static str],
    build: fn(&Params<'_>) -> Result<Provider>,
}

impl std::fmt::Debug for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Preset")
            .field("id", &self.id)
            .field("params", &self.params)
            .finish()
    }
}

impl Preset {
    /// Builds the provider from `(name, value)` parameters; a missing or malformed parameter is
    /// an [`Error::Config`].
    pub fn build(&self, params: &[(&str, &str)]) -> Result<Provider> {
        (self.build)(&Params {
            preset: self.id,
            values: params,
        })
    }

    /// Builds the provider with placeholder parameters (`example.com`, `common`, ...): for
    /// listings and tests, not for real sign-ins.
    pub fn example(&self) -> Result<Provider> {
        let values: Vec<(&str, &str)> = self
            .params
            .iter()
            .map(|name| (*name, example_value(name)))
            .collect();
        self.build(&values)
    }
}

/// A placeholder value for a parameter name.
pub(crate) fn example_value(name: &str) -> &'static str {
    match name {
        "tenant" => "common",
        "realm" => "example",
        "region" => "us-east-1",
        "user_pool_id" => "us-east-1_Example",
        "slug" => "example",
        "authorization_server" => "default",
        "api_key" => "example-api-key",
        _ => "id.example.com",
    }
}

/// The parameters handed to a preset builder.
pub(crate) struct Params<'a> {
    preset: &'static str,
    values: &'a [(&'a str, &'a str)],
}

impl Params<'_> {
    /// The value of `name`, checked to be a safe host or path segment.
    pub(crate) fn get(&self, name: &str) -> Result<&str> {
        let value = self
            .values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                Error::Config(format!(
                    "provider {} needs the parameter {name}",
                    self.preset
                ))
            })?;
        crate::provider::check_segment(name, value)?;
        Ok(value)
    }
}

/// A list endpoint of the user's addresses (see [`EmailList`]).
pub(crate) fn email_list(
    url: &str,
    list: &str,
    email: &str,
    primary: Option<&str>,
    verified: &str,
) -> Result<EmailList> {
    Ok(EmailList {
        url: parse_url(url)?,
        list: list.into(),
        email: email.into(),
        primary: primary.map(Into::into),
        verified: verified.into(),
    })
}

/// Every preset, sorted by id.
pub fn catalog() -> &'static [Preset] {
    CATALOG
}

/// The preset with this id.
pub fn preset(id: &str) -> Option<&'static Preset> {
    CATALOG.iter().find(|preset| preset.id == id)
}

/// Declares a catalog entry (a preset with or without parameters).
macro_rules! entry {
    ($id:literal, $name:literal, $build:path) => {
        Preset {
            id: $id,
            name: $name,
            params: &[],
            build: |_| $build(),
        }
    };
    ($id:literal, $name:literal, $build:path, [$($param:literal),+]) => {
        Preset {
            id: $id,
            name: $name,
            params: &[$($param),+],
            build: |p| $build($(p.get($param)?),+),
        }
    };
}

mod amazon;
mod amazon_cognito;
mod anilist;
mod apple;
mod atlassian;
mod auth0;
mod authentik;
mod autodesk;
mod battle_net;
mod bitbucket;
mod r#box;
mod bungie;
mod catalog;
mod coinbase;
mod discord;
mod donation_alerts;
mod dribbble;
mod dropbox;
mod epic_games;
mod etsy;
mod facebook;
mod figma;
mod forty_two;
mod gitea;
mod github;
mod gitlab;
mod gitlab_self_managed;
mod google;
mod hugging_face;
mod intuit;
mod kakao;
mod keycloak;
mod kick;
mod lichess;
mod line;
mod linear;
mod linkedin;
mod mastodon;
mod mercadolibre;
mod mercadopago;
mod microsoft_entra_id;
mod myanimelist;
mod naver;
mod notion;
mod okta;
mod okta_custom;
mod osu;
mod patreon;
mod paypal;
mod polar;
mod reddit;
mod roblox;
mod salesforce;
mod shikimori;
mod slack;
mod spotify;
mod startgg;
mod strava;
mod synology;
#[cfg(test)]
mod tests;
mod tiktok;
mod tiltify;
mod tumblr;
mod twitch;
mod twitter;
mod vk;
mod withings;
mod workos;
mod yahoo;
mod yahoo_japan;
mod yandex;
mod zitadel;
mod zoom;

pub use amazon::amazon;
pub use amazon_cognito::amazon_cognito;
pub use anilist::anilist;
pub use apple::apple;
pub use apple::apple_client_secret;
pub use atlassian::atlassian;
pub use auth0::auth0;
pub use authentik::authentik;
pub use autodesk::autodesk;
pub use battle_net::battle_net;
pub use bitbucket::bitbucket;
pub use r#box::r#box;
pub use bungie::bungie;
use catalog::CATALOG;
pub use coinbase::coinbase;
pub use discord::discord;
pub use donation_alerts::donation_alerts;
pub use dribbble::dribbble;
pub use dropbox::dropbox;
pub use epic_games::epic_games;
pub use etsy::etsy;
pub use facebook::facebook;
pub use figma::figma;
pub use forty_two::forty_two;
pub use gitea::gitea;
pub use github::github;
pub use gitlab::gitlab;
pub use gitlab_self_managed::gitlab_self_managed;
pub use google::google;
pub use hugging_face::hugging_face;
pub use intuit::intuit;
pub use kakao::kakao;
pub use keycloak::keycloak;
pub use kick::kick;
pub use lichess::lichess;
pub use line::line;
pub use linear::linear;
pub use linkedin::linkedin;
pub use mastodon::mastodon;
pub use mercadolibre::mercadolibre;
pub use mercadopago::mercadopago;
pub use microsoft_entra_id::microsoft_entra_id;
pub use myanimelist::myanimelist;
pub use naver::naver;
pub use notion::notion;
pub use okta::okta;
pub use okta_custom::okta_custom;
pub use osu::osu;
pub use patreon::patreon;
pub use paypal::paypal;
pub use polar::polar;
pub use reddit::reddit;
pub use roblox::roblox;
pub use salesforce::salesforce;
pub use shikimori::shikimori;
pub use slack::slack;
pub use spotify::spotify;
pub use startgg::startgg;
pub use strava::strava;
pub use synology::synology;
pub use tiktok::tiktok;
pub use tiltify::tiltify;
pub use tumblr::tumblr;
pub use twitch::twitch;
pub use twitter::twitter;
pub use vk::vk;
pub use withings::withings;
pub use workos::workos;
pub use yahoo::yahoo;
pub use yahoo_japan::yahoo_japan;
pub use yandex::yandex;
pub use zitadel::zitadel;
pub use zoom::zoom;
