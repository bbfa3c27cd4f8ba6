//! The demo's HTML: small, server-rendered, works without JavaScript.

use std::fmt::Write;

use crate::model::Account;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Who is looking at a page, for its header.
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    /// Nobody is signed in.
    Anonymous,
    /// A session waiting for the second factor: it can only continue or log out.
    Pending,
    /// A signed-in user.
    User(&'a Account),
}

/// A whole page: `body` must already be escaped HTML. Signed-in users with an unverified
/// address see a banner on every page.
pub fn layout(title: &str, viewer: Viewer<'_>, body: &str) -> String {
    const LOG_OUT: &str = r#"<form method="post" action="/logout" class="inline"><button type="submit">Log out</button></form>"#;
    let nav = match viewer {
        Viewer::User(account) => format!(
            r#"<span class="who">{}</span> <a href="/settings">Settings</a> <a href="/settings/sessions">Sessions</a> {LOG_OUT}"#,
            escape(&account.email)
        ),
        Viewer::Pending => LOG_OUT.to_owned(),
        Viewer::Anonymous => {
            r#"<a href="/login">Log in</a> <a href="/signup">Sign up</a>"#.to_owned()
        }
    };
    let banner = match viewer {
        Viewer::User(account) if !account.email_verified => {
            r#"<p class="banner" role="status">Please verify your email address: <a href="/verify-email">enter the code we mailed you</a>.</p>"#
        }
        _ => "",
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · lucia demo</title>
<link rel="stylesheet" href="/style.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<header><a href="/" class="brand">lucia demo</a><nav>{nav}</nav></header>
<main>
{banner}
<h1>{title}</h1>
{body}
</main>
<footer>A demo of <a href="https://github.com/lucia-rs/lucia">lucia for Rust</a>: sessions, keys and passwords done right.</footer>
</body>
</html>
"#,
        title = escape(title),
    )
}

/// The sign-up or log-in form, with an optional error message and the email typed so far.
/// `providers` is the OAuth buttons' HTML (may be empty); the log-in form has "remember me".
pub fn credentials_form(
    action: &str,
    button: &str,
    error: Option<&str>,
    email: &str,
    providers: &str,
) -> String {
    let mut body = String::new();
    if let Some(error) = error {
        let _ = write!(
            body,
            r#"<p class="error" role="alert">{}</p>"#,
            escape(error)
        );
    }
    let autocomplete = if action == "/signup" {
        "new-password"
    } else {
        "current-password"
    };
    let _ = write!(
        body,
        r#"<form method="post" action="{action}" class="card">
<label>Email <input type="email" name="email" value="{email}" required autocomplete="email" maxlength="255"></label>
<label>Password <input type="password" name="password" required minlength="8" maxlength="256" autocomplete="{autocomplete}"></label>
{remember}<button type="submit">{button}</button>
</form>{providers}"#,
        email = escape(email),
        remember = if action == "/login" {
            r#"<label class="check"><input type="checkbox" name="remember" value="on"> Remember me for 30 days</label>
"#
        } else {
            ""
        },
    );
    if action == "/signup" {
        body.push_str(r#"<p>Already have an account? <a href="/login">Log in</a>.</p>"#);
    } else {
        body.push_str(r#"<p>New here? <a href="/signup">Sign up</a>. Forgot your password? <a href="/forgot-password">Reset it</a>.</p>"#);
    }
    body
}

/// The stylesheet.
pub const STYLE: &str = r#"
:root { --fg: #1d2330; --muted: #5b6475; --accent: #4b3fd1; --bg: #f6f7fb; --card: #fff; --err: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; justify-content: space-between; align-items: center; padding: .75rem 1.5rem; background: var(--card); border-bottom: 1px solid #e3e6ef; }
header nav { display: flex; gap: 1rem; align-items: center; }
.brand { font-weight: 700; color: var(--accent); text-decoration: none; }
main { max-width: 44rem; margin: 2rem auto; padding: 0 1.5rem; }
footer { text-align: center; color: var(--muted); font-size: .85rem; padding: 2rem; }
a { color: var(--accent); }
.card { background: var(--card); border: 1px solid #e3e6ef; border-radius: 10px; padding: 1.5rem; display: grid; gap: 1rem; max-width: 26rem; }
label { display: grid; gap: .25rem; font-weight: 600; }
input { font: inherit; padding: .5rem .6rem; border: 1px solid #c9cedb; border-radius: 6px; }
button { font: inherit; padding: .45rem 1rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #e8e6fb; color: var(--accent); }
form.inline { display: inline; }
.error { color: var(--err); background: #fdecea; border-radius: 6px; padding: .5rem .75rem; }
.who { color: var(--muted); }
table { width: 100%; border-collapse: collapse; background: var(--card); }
th, td { text-align: left; padding: .5rem; border-bottom: 1px solid #e3e6ef; vertical-align: top; }
.current { font-weight: 700; color: var(--accent); }
.qr svg { width: 14rem; height: 14rem; background: #fff; }
.recovery { columns: 2; font-size: 1.1rem; }
.banner { background: #fff4d6; border: 1px solid #f0d58a; border-radius: 6px; padding: .5rem .75rem; }
.providers { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; }
a.button { display: inline-block; padding: .45rem 1rem; border-radius: 6px; background: #e8e6fb; color: var(--accent); text-decoration: none; }
label.check { display: flex; gap: .5rem; align-items: center; font-weight: 400; }
.notice { background: #e7f5ec; border-radius: 6px; padding: .5rem .75rem; }
.mail h2 { font-size: 1.05rem; margin: 0; }
"#;

/// The favicon (a padlock), so browsers do not log a 404 for it.
pub const FAVICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="3" y="7" width="10" height="8" rx="1.5" fill="#4b3fd1"/><path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="#4b3fd1" stroke-width="1.6"/></svg>"##;
