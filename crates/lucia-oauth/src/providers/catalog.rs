//! The list of presets, sorted by id.

use super::Preset;

/// Every preset, sorted by id (a unit test checks the order).
pub(super) const CATALOG: &[Preset] = &[
    entry!("github", "GitHub", super::github),
    entry!("google", "Google", super::google),
    entry!("keycloak", "Keycloak", super::keycloak, ["domain", "realm"]),
];
