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
use crate::provider::Provider;

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

mod catalog;
mod github;
mod google;
mod keycloak;

use catalog::CATALOG;
pub use github::github;
pub use google::google;
pub use keycloak::keycloak;

#[cfg(test)]
mod tests {
    use super::*;

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
}
