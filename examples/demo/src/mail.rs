//! Mail for the demo: a development mailbox kept in memory and shown at `GET /dev/mailbox`.
//!
//! Development only: anyone who can open the demo can read it. (Real delivery over SMTP is a
//! later addition.)

use std::sync::Mutex;

use time::OffsetDateTime;

/// One message.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The recipient.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// When it was sent.
    pub sent_at: OffsetDateTime,
}

/// The development mailbox.
#[derive(Debug, Default)]
pub struct DevMailbox {
    messages: Mutex<Vec<Mail>>,
}

impl DevMailbox {
    /// "Sends" a message: keeps it for the mailbox page (the latest 100).
    pub fn send(&self, to: &str, subject: &str, body: String) {
        let mut messages = self
            .messages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        messages.push(Mail {
            to: to.to_owned(),
            subject: subject.to_owned(),
            body,
            sent_at: OffsetDateTime::now_utc(),
        });
        if messages.len() > 100 {
            messages.remove(0);
        }
    }

    /// The messages, newest first.
    pub fn messages(&self) -> Vec<Mail> {
        let messages = self
            .messages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        messages.iter().rev().cloned().collect()
    }
}

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::app::{App, format_time, html};
use crate::pages::escape;

/// Development only: the mails the demo "sent", newest first.
pub(crate) async fn mailbox(State(app): State<Arc<App>>) -> Response {
    let mut body = String::from(
        r#"<p class="error">Development mailbox: every mail the demo sends is shown here, to anyone.</p>"#,
    );
    for mail in app.mailbox.messages() {
        let linked: String = escape(&mail.body)
            .split_whitespace()
            .map(|word| {
                if word.starts_with("http://") || word.starts_with("https://") {
                    format!(r#"<a href="{word}">{word}</a>"#)
                } else {
                    word.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        body.push_str(&format!(
            r#"<article class="card"><p><strong>{}</strong> to {} · {}</p><p>{linked}</p></article>"#,
            escape(&mail.subject),
            escape(&mail.to),
            format_time(mail.sent_at),
        ));
    }
    html(StatusCode::OK, "Mailbox", None, &body)
}
