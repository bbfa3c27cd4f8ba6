//! A tiny "browser" that signs a test user in at the loopback OpenID Connect provider of
//! `scripts/services.sh` (`scripts/oidc/server.mjs`) and hands back the redirect to the app.
//!
//! Include it from a test file with
//!
//! ```ignore
//! #[path = "support/oidc_login.rs"]
//! mod oidc_login;
//! ```
//!
//! Then, in a test:
//!
//! ```ignore
//! let Some(issuer) = oidc_login::issuer_or_skip("my_test") else { return };
//! let url = /* the authorization URL your client built for oidc_login::CLIENT_ID ... */;
//! let callback = oidc_login::authorize(&url, oidc_login::ALICE, oidc_login::ALICE_PASSWORD).await?;
//! // callback is e.g. http://127.0.0.1:53081/callback?code=...&state=...&iss=...
//! ```
//!
//! `authorize` keeps cookies, follows redirects by hand and stops at the first redirect that
//! leaves the provider's origin (scheme, host and port of the authorization URL): that is the
//! redirect to the app's `redirect_uri`, which is returned and never fetched. On the way it
//! fills in the provider's login form (fields `login` and `password`) and submits any other
//! form it meets (a consent page; the test provider grants consent by itself). Only
//! `response_mode=query` (the default for `code`) ends in such a redirect.
#![allow(dead_code)]

use std::time::Duration;

use reqwest::header::LOCATION;
use url::Url;

/// The environment variable `scripts/services.sh env` sets to the provider's issuer.
pub const ISSUER_VAR: &str = "LUCIA_OIDC_ISSUER";

/// Confidential client, `client_secret_basic`, RS256 ID tokens.
pub const CLIENT_ID: &str = "lucia-test";
/// Confidential client, `client_secret_post`, RS256 ID tokens.
pub const CLIENT_ID_POST: &str = "lucia-test-post";
/// Public client (`token_endpoint_auth_method` `none`), RS256 ID tokens.
pub const CLIENT_ID_PUBLIC: &str = "lucia-test-public";
/// Confidential client, `client_secret_basic`, ES256 ID tokens.
pub const CLIENT_ID_ES256: &str = "lucia-test-es256";
/// Confidential client, `client_secret_basic`, EdDSA (Ed25519) ID tokens.
pub const CLIENT_ID_EDDSA: &str = "lucia-test-eddsa";
/// The secret of every confidential client.
pub const CLIENT_SECRET: &str = "lucia-test-secret";
/// A redirect URI every client has registered (nothing listens there).
pub const REDIRECT_URI: &str = "http://127.0.0.1:53081/callback";

/// Login of the user with a verified email (`alice@example.com`, name "Alice Example").
pub const ALICE: &str = "alice";
/// Alice's password.
pub const ALICE_PASSWORD: &str = "alice-password";
/// Alice's `sub`.
pub const ALICE_SUB: &str = "alice-0001";
/// Login of the user whose email (`bob@example.com`) is not verified; he has no `name`.
pub const BOB: &str = "bob";
/// Bob's password.
pub const BOB_PASSWORD: &str = "bob-password";
/// Bob's `sub`.
pub const BOB_SUB: &str = "bob-0002";

/// Most redirects and forms `authorize` goes through before it gives up.
const MAX_STEPS: usize = 20;

/// The issuer in `LUCIA_OIDC_ISSUER` (without a trailing slash), if set.
pub fn issuer() -> Option<String> {
    std::env::var(ISSUER_VAR)
        .ok()
        .map(|v| v.trim().trim_end_matches('/').to_owned())
        .filter(|v| !v.is_empty())
}

/// The issuer, or `None` after a loud `SKIPPED` line when `LUCIA_OIDC_ISSUER` is unset. With
/// `LUCIA_REQUIRE_SERVICES=1` a missing issuer fails the test instead.
pub fn issuer_or_skip(test: &str) -> Option<String> {
    if let Some(issuer) = issuer() {
        return Some(issuer);
    }
    if std::env::var("LUCIA_REQUIRE_SERVICES").as_deref() == Ok("1") {
        panic!(
            "{test}: {ISSUER_VAR} is not set and LUCIA_REQUIRE_SERVICES=1 (start it with scripts/services.sh up)"
        );
    }
    announce(&format!(
        "SKIPPED: {test}: {ISSUER_VAR} is not set (run `eval \"$(scripts/services.sh up)\"` to test against a real provider)"
    ));
    None
}

/// Prints past the test harness's output capture, so the line shows in CI logs even when the
/// test passes.
pub fn announce(line: &str) {
    use std::io::Write;
    // `eprintln!` is captured by the test harness; a direct write to the stderr handle is not.
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Installs ring as the process's rustls provider (reqwest is built with
/// `rustls-no-provider`); later calls are no-ops.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A plain client for the test's own requests to the provider (discovery, token, ...):
/// redirects are not followed, no cookies.
pub fn http_client() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("reqwest client builds")
}

/// The browser: keeps cookies, does not follow redirects by itself.
fn browser() -> Result<reqwest::Client, String> {
    install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Opens `authorization_url`, signs in as `login` with `password` and returns the URL the
/// provider finally redirects to (the app's `redirect_uri` with `code` and `state`, or with
/// `error`), without fetching it.
///
/// `Err` when the provider does not get there: wrong credentials (the login form comes back;
/// the message starts with `login rejected:`), an error page (e.g. an unregistered
/// `redirect_uri` or an unknown client, which providers must not redirect), or a page it does
/// not understand.
pub async fn authorize(
    authorization_url: &str,
    login: &str,
    password: &str,
) -> Result<Url, String> {
    run(authorization_url, Action::Login { login, password }).await
}

/// Opens `authorization_url` and presses "Cancel" on the login page: the provider then
/// redirects to the app with `error=access_denied`, and that URL is returned.
pub async fn deny(authorization_url: &str) -> Result<Url, String> {
    run(authorization_url, Action::Cancel).await
}

#[derive(Clone, Copy)]
enum Action<'a> {
    Login { login: &'a str, password: &'a str },
    Cancel,
}

async fn run(authorization_url: &str, action: Action<'_>) -> Result<Url, String> {
    let client = browser()?;
    let start = Url::parse(authorization_url)
        .map_err(|e| format!("bad authorization URL {authorization_url:?}: {e}"))?;
    let provider = start.origin();
    let mut request = client.get(start.clone());
    let mut current = start;
    let mut logins = 0;
    for _ in 0..MAX_STEPS {
        let response = request
            .send()
            .await
            .map_err(|e| format!("request to {current} failed: {e}"))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("{status} from {current} without a usable Location"))?;
            let next = current
                .join(location)
                .map_err(|e| format!("bad Location {location:?} from {current}: {e}"))?;
            if next.origin() != provider {
                return Ok(next);
            }
            request = client.get(next.clone());
            current = next;
            continue;
        }
        let body = response
            .text()
            .await
            .map_err(|e| format!("cannot read the page at {current}: {e}"))?;
        let forms = parse_forms(&body);
        let login_form = forms.iter().find(|f| f.has_input("password"));
        let form = match action {
            Action::Login { login, password } => match login_form {
                Some(_) if logins > 0 => {
                    return Err(format!("login rejected: {status}: {}", page_text(&body)));
                }
                Some(form) => {
                    logins += 1;
                    let mut fields = form.fields();
                    set(&mut fields, "login", login);
                    set(&mut fields, "password", password);
                    Some((form, fields))
                }
                // Any other form (consent): submit it as it is.
                None => forms.first().map(|f| (f, f.fields())),
            },
            Action::Cancel => forms
                .iter()
                .find(|f| f.action.ends_with("/abort"))
                .map(|f| (f, f.fields())),
        };
        let Some((form, fields)) = form else {
            return Err(format!(
                "{status} at {current}, no form to submit: {}",
                page_text(&body)
            ));
        };
        let target = current
            .join(&form.action)
            .map_err(|e| format!("bad form action {:?} at {current}: {e}", form.action))?;
        request = if form.method.eq_ignore_ascii_case("post") {
            client.post(target.clone()).form(&fields)
        } else {
            let mut url = target.clone();
            url.query_pairs_mut().extend_pairs(&fields);
            client.get(url)
        };
        current = target;
    }
    Err(format!(
        "gave up after {MAX_STEPS} redirects and forms (last at {current})"
    ))
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(n, _)| n != name);
    fields.push((name.to_owned(), value.to_owned()));
}

/// An HTML form, as far as this driver cares.
#[derive(Debug)]
struct Form {
    action: String,
    method: String,
    /// `(name, value, type)` of each `<input>` with a name.
    inputs: Vec<(String, String, String)>,
}

impl Form {
    fn has_input(&self, name: &str) -> bool {
        self.inputs.iter().any(|(n, _, _)| n == name)
    }

    /// What a browser would submit untouched (no buttons, unchecked boxes count as checked).
    fn fields(&self) -> Vec<(String, String)> {
        self.inputs
            .iter()
            .filter(|(_, _, ty)| !matches!(ty.as_str(), "submit" | "button" | "image" | "reset"))
            .map(|(n, v, _)| (n.clone(), v.clone()))
            .collect()
    }
}

/// The forms of a page; good enough for the test provider's (and most simple) markup.
fn parse_forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut forms = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<form").map(|i| at + i) {
        let end = lower[start..]
            .find("</form")
            .map_or(html.len(), |i| start + i);
        let tag_end = lower[start..end].find('>').map_or(end, |i| start + i);
        let tag = &html[start..tag_end];
        let mut inputs = Vec::new();
        let mut i = tag_end;
        while let Some(s) = lower[i..end].find("<input").map(|k| i + k) {
            let e = lower[s..end].find('>').map_or(end, |k| s + k);
            let input = &html[s..e];
            if let Some(name) = attr(input, "name") {
                let value = attr(input, "value").unwrap_or_default();
                let ty = attr(input, "type")
                    .unwrap_or_else(|| "text".to_owned())
                    .to_ascii_lowercase();
                inputs.push((name, value, ty));
            }
            i = e;
        }
        forms.push(Form {
            action: attr(tag, "action").unwrap_or_default(),
            method: attr(tag, "method").unwrap_or_else(|| "get".to_owned()),
            inputs,
        });
        at = end.max(start + 1);
    }
    forms
}

/// The value of attribute `name` in the start tag `tag` (quoted or not), entities decoded.
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name).map(|i| from + i) {
        from = i + name.len();
        let before_ok = i > 0 && bytes[i - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - rest.len() + 1;
        let value = tag[value_start..].trim_start();
        let raw = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
            _ => value
                .split(|c: char| c.is_ascii_whitespace() || c == '>')
                .next()
                .unwrap_or_default(),
        };
        return Some(decode_entities(raw));
    }
    None
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The visible text of a page, squeezed, for error messages.
fn page_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = decode_entities(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    match text.char_indices().nth(400) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text,
    }
}
