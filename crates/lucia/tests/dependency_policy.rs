//! The core stays sans-IO: its dependency tree holds no runtime, HTTP framework, HTTP client
//! or SQL driver. Checked with `cargo tree` on the normal (non-dev) dependency graph, for the
//! default features and for every feature.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use std::process::Command;

const FORBIDDEN: &[&str] = &[
    "tokio",
    "async-std",
    "smol",
    "sqlx",
    "diesel",
    "axum",
    "actix-web",
    "actix-rt",
    "rocket",
    "hyper",
    "reqwest",
    "redis",
    "mongodb",
    "sea-orm",
];

fn tree(extra: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "lucia",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cargo tree prints UTF-8")
}

#[test]
fn core_has_no_runtime_framework_client_or_driver() {
    for features in [&[][..], &["--all-features"][..]] {
        let tree = tree(features);
        assert!(
            tree.lines().any(|line| line.starts_with("lucia ")),
            "the tree lists lucia itself:\n{tree}"
        );
        for line in tree.lines() {
            let name = line.split_whitespace().next().unwrap_or_default();
            assert!(
                !FORBIDDEN.contains(&name),
                "the core depends on {name} ({features:?}):\n{tree}"
            );
        }
    }
}
