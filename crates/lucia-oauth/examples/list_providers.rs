//! Lists every provider preset, one per line, tab-separated: id, display name, `pkce` or
//! `no-pkce`, `oidc` or `oauth2`.
//!
//! ```sh
//! cargo run -q -p lucia-oauth --example list_providers
//! ```
#![forbid(unsafe_code)]

use std::io::Write;

use lucia_oauth::provider::Pkce;
use lucia_oauth::providers;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut out = std::io::stdout().lock();
    for preset in providers::catalog() {
        // Parameterised presets (a tenant, a domain) are built with placeholders: their PKCE
        // and OIDC facts do not depend on the values.
        let provider = preset.example()?;
        let pkce = match provider.pkce {
            Pkce::None => "no-pkce",
            Pkce::S256 | Pkce::Plain => "pkce",
        };
        let kind = if provider.is_oidc() { "oidc" } else { "oauth2" };
        let line = writeln!(out, "{}\t{}\t{pkce}\t{kind}", preset.id, preset.name);
        // A closed pipe (`| head`) ends the listing quietly.
        match line {
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
    Ok(())
}
