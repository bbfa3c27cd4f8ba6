//! Preset tests: the catalog's order and completeness, every preset against the facts looked up
//! for it, parameter substitution, and Apple's client secret.

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
