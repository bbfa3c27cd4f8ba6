//! `docs/SECURITY.md` maps every security rule to the test that proves it. This test keeps the
//! map honest: every cited `path::function` names a file of the repository that defines that
//! function; a bare `function` cited after it in the same table row (the "same file"
//! shorthand) is defined in that same file (or is the shared behaviour table); and every cited
//! browser scenario (`scripts/browser/<file> "<name>"`) exists.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use std::path::{Path, PathBuf};

/// Functions that rows cite without a path: defined once, in the shared behaviour table.
const SHARED: (&str, &str) = ("crates/lucia-http-tests/src/lib.rs", "run_behaviour_table");

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Whether `source` defines a function called `name`.
fn defines(source: &str, name: &str) -> bool {
    ["(", "<"]
        .iter()
        .any(|next| source.contains(&format!("fn {name}{next}")))
}

fn is_function_name(span: &str) -> bool {
    span.contains('_')
        && span.starts_with(|c: char| c.is_ascii_lowercase())
        && span
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Every broken citation of the document, as a readable line each.
fn broken_citations(document: &str, read: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let mut broken = Vec::new();
    for line in document.lines() {
        let mut current: Option<(String, String)> = None;
        // Code spans are the odd pieces between backticks.
        for span in line.split('`').skip(1).step_by(2) {
            if let Some((path, name)) = span.split_once(".rs::") {
                let path = format!("{path}.rs");
                if path.contains('{') || name.contains('*') {
                    continue; // A pattern over several files, not a citation.
                }
                match read(&path) {
                    None => broken.push(format!("{path}: no such file ({span})")),
                    Some(source) if !defines(&source, name) => {
                        broken.push(format!("{path}: no fn {name}"));
                    }
                    Some(source) => current = Some((path, source)),
                }
            } else if let Some(scenario) = span
                .strip_prefix("scripts/browser/")
                .filter(|scenario| !scenario.starts_with('<'))
            {
                let (file, name) = scenario.split_once(" \"").unwrap_or((scenario, ""));
                let name = name.trim_end_matches('"');
                let found = read(&format!("scripts/browser/{file}"))
                    .is_some_and(|source| source.contains(&format!("scenario('{name}'")));
                if !found {
                    broken.push(format!("scripts/browser/{file}: no scenario {name:?}"));
                }
            } else if is_function_name(span)
                && span != SHARED.1
                && let Some((path, source)) = &current
                && !defines(source, span)
            {
                broken.push(format!("{path}: no fn {span} (same-file shorthand)"));
            }
        }
    }
    broken
}

#[test]
fn broken_citations_are_found() {
    let files = |path: &str| match path {
        "a/x.rs" => Some("#[test]\nfn real_test() {}\nasync fn other_test<T>() {}".to_owned()),
        "scripts/browser/b.test.mjs" => Some("scenario('signs in', async (s) => {})".to_owned()),
        _ => None,
    };
    let good = "| rule | `a/x.rs::real_test`, `other_test` (same file), `scripts/browser/b.test.mjs \"signs in\"` |\n\
                | rule | `run_behaviour_table` step 1, `a/x.rs::real_test`, `run_behaviour_table` |";
    assert_eq!(broken_citations(good, &files), Vec::<String>::new());
    let bad = "| `a/x.rs::renamed_test` | `b/y.rs::gone` | `a/x.rs::real_test`, `elsewhere_test` |\n\
               | `scripts/browser/b.test.mjs \"signs out\"` |";
    assert_eq!(
        broken_citations(bad, &files),
        vec![
            "a/x.rs: no fn renamed_test".to_owned(),
            "b/y.rs: no such file (b/y.rs::gone)".to_owned(),
            "a/x.rs: no fn elsewhere_test (same-file shorthand)".to_owned(),
            "scripts/browser/b.test.mjs: no scenario \"signs out\"".to_owned(),
        ]
    );
}

#[test]
fn every_test_cited_in_the_security_document_exists() {
    let root = repository();
    let document = std::fs::read_to_string(root.join("docs/SECURITY.md")).unwrap();
    assert!(
        document.matches(".rs::").count() >= 100,
        "the document cites its tests as path::function"
    );
    let read = |path: &str| std::fs::read_to_string(root.join(path)).ok();
    assert!(read(SHARED.0).is_some_and(|source| defines(&source, SHARED.1)));
    let broken = broken_citations(&document, &read);
    assert!(
        broken.is_empty(),
        "docs/SECURITY.md cites tests that do not exist:\n{}",
        broken.join("\n")
    );
}
