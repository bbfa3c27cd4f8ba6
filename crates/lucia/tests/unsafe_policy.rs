//! No crate of the workspace may contain `unsafe` code: every crate root (library, binaries,
//! examples, tests, benches of every workspace member, as listed by `cargo metadata`) starts
//! with `#![forbid(unsafe_code)]`, and every member inherits the workspace lints, which also
//! forbid `unsafe_code`. A new test file or binary without the attribute fails this test.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The attribute every crate root carries.
const ATTRIBUTE: &str = "#![forbid(unsafe_code)]";

/// `cargo metadata --no-deps` of the workspace this crate belongs to.
fn metadata() -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cargo metadata prints UTF-8")
}

/// Every string value of `key` in the JSON text (paths hold no quotes; `\\` is unescaped).
fn string_values(json: &str, key: &str) -> Vec<String> {
    let needle = format!("\"{key}\":\"");
    let mut values = Vec::new();
    let mut rest = json;
    while let Some(start) = rest.find(&needle) {
        rest = &rest[start + needle.len()..];
        let mut value = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => value.push(chars.next().unwrap()),
                c => value.push(c),
            }
        }
        values.push(value);
    }
    values
}

/// Whether the source's crate-level attributes forbid unsafe code: a line that is exactly the
/// attribute, before the first item (only comments, blank lines and inner attributes precede it).
fn forbids_unsafe(source: &str) -> bool {
    for line in source.lines().map(str::trim) {
        if line == ATTRIBUTE {
            return true;
        }
        let preamble = line.is_empty() || line.starts_with("//") || line.starts_with("#![");
        if !preamble {
            return false;
        }
    }
    false
}

#[test]
fn the_detector_tells_a_forbidding_root_from_others() {
    assert!(forbids_unsafe(
        "//! Docs.\n#![forbid(unsafe_code)]\n#![allow(clippy::unwrap_used)]\nfn main() {}\n"
    ));
    assert!(forbids_unsafe(
        "//! Docs.\n#![cfg(test)]\n\n#![forbid(unsafe_code)]\nmod a;\n"
    ));
    // Missing, weaker, commented out, or not at the crate level.
    assert!(!forbids_unsafe("//! Docs.\nfn main() {}\n"));
    assert!(!forbids_unsafe("#![deny(unsafe_code)]\nfn main() {}\n"));
    assert!(!forbids_unsafe(
        "// #![forbid(unsafe_code)]\nfn main() {}\n"
    ));
    assert!(!forbids_unsafe(
        "use std::io;\nmod inner {\n#![forbid(unsafe_code)]\n}\n"
    ));
}

#[test]
fn every_crate_root_of_the_workspace_forbids_unsafe_code() {
    let metadata = metadata();
    let roots: Vec<PathBuf> = string_values(&metadata, "src_path")
        .into_iter()
        .map(PathBuf::from)
        .collect();
    // The walk sees the whole workspace, not just this crate: its lib, a test of another
    // member, the demo's binary and a bench.
    for expected in [
        "crates/lucia/src/lib.rs",
        "crates/lucia-sqlx/src/lib.rs",
        "crates/lucia-axum/tests/behaviour.rs",
        "examples/demo/src/main.rs",
        "crates/lucia-bench/benches/core.rs",
    ] {
        assert!(
            roots.iter().any(|root| root.ends_with(expected)),
            "cargo metadata lists {expected}: {roots:#?}"
        );
    }
    let missing: Vec<&PathBuf> = roots
        .iter()
        .filter(|root| {
            let source = std::fs::read_to_string(root)
                .unwrap_or_else(|error| panic!("read {}: {error}", root.display()));
            !forbids_unsafe(&source)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "crate roots without `{ATTRIBUTE}` before their first item: {missing:#?}"
    );
}

#[test]
fn every_member_inherits_the_workspace_lints_which_forbid_unsafe_code() {
    let metadata = metadata();
    let workspace_root = string_values(&metadata, "workspace_root").pop().unwrap();
    let workspace = std::fs::read_to_string(Path::new(&workspace_root).join("Cargo.toml")).unwrap();
    let lints = workspace
        .split("[workspace.lints.rust]")
        .nth(1)
        .expect("the workspace manifest has [workspace.lints.rust]");
    let lints = lints.split("\n[").next().unwrap();
    assert!(
        lints
            .lines()
            .any(|line| line.replace(' ', "") == "unsafe_code=\"forbid\""),
        "[workspace.lints.rust] forbids unsafe_code:\n{lints}"
    );

    let manifests = string_values(&metadata, "manifest_path");
    assert!(manifests.len() >= 10, "workspace members: {manifests:#?}");
    for manifest in manifests {
        let text = std::fs::read_to_string(&manifest).unwrap();
        let section = text.split("\n[lints]").nth(1).map(|rest| {
            rest.split("\n[")
                .next()
                .unwrap()
                .lines()
                .any(|line| line.replace(' ', "") == "workspace=true")
        });
        assert_eq!(
            section,
            Some(true),
            "{manifest} has `[lints] workspace = true`"
        );
    }
}
