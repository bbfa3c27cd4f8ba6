//! Mail for the demo: a development mailbox kept in memory and shown at `GET /dev/mailbox`
//! (the default), and real delivery over SMTP with lettre (`--smtp-url`). Both can be on; with
//! neither, mails are dropped with a line on stderr.
//!
//! The mailbox is development only: anyone who can open the demo can read it. Turn it off
//! with `--no-dev-mailbox` whenever the demo is reachable by others.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use time::OffsetDateTime;

use crate::app::{App, format_time, html};
use crate::pages::escape;

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

/// Why a mail could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL or the sender address is not usable.
    #[error("invalid mail configuration: {0}")]
    Config(String),
    /// The recipient is not a valid address.
    #[error("invalid recipient address")]
    Recipient,
    /// The SMTP server refused the mail or could not be reached.
    #[error("SMTP delivery failed: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

/// Where the demo's mails go.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let mailer = lucia_demo::mail::Mailer::new(true, None, "demo@localhost").unwrap();
/// mailer.send("ada@example.com", "Hello", "Hi Ada".into()).await.unwrap();
/// assert_eq!(mailer.dev_mailbox().unwrap().messages()[0].subject, "Hello");
/// # });
/// ```
#[derive(Clone)]
pub struct Mailer {
    dev: Option<Arc<DevMailbox>>,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("dev_mailbox", &self.dev.is_some())
            .field("smtp", &self.smtp.is_some())
            .finish()
    }
}

impl Mailer {
    /// A mailer with the development mailbox (or not) and SMTP delivery to `smtp_url` (or
    /// not): `smtp://host:port` (plain, for a local relay), `smtp://host:port?tls=required`
    /// (STARTTLS) or `smtps://host` (implicit TLS), with optional `user:password@`.
    pub fn new(dev_mailbox: bool, smtp_url: Option<&str>, from: &str) -> Result<Self, MailError> {
        let from = from
            .parse()
            .map_err(|_| MailError::Config(format!("invalid sender address {from:?}")))?;
        let smtp = smtp_url
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map(|builder| {
                        builder
                            .timeout(Some(std::time::Duration::from_secs(10)))
                            .build()
                    })
                    .map_err(|err| MailError::Config(format!("invalid SMTP URL: {err}")))
            })
            .transpose()?;
        Ok(Self {
            dev: dev_mailbox.then(Arc::default),
            smtp,
            from,
        })
    }

    /// The development mailbox, when on.
    pub fn dev_mailbox(&self) -> Option<&DevMailbox> {
        self.dev.as_deref()
    }

    /// Sends a plain-text mail (to the mailbox and over SMTP, as configured).
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        if let Some(smtp) = &self.smtp {
            let message = Message::builder()
                .from(self.from.clone())
                .to(to.parse().map_err(|_| MailError::Recipient)?)
                .subject(subject)
                .body(body.clone())
                .map_err(|err| MailError::Config(err.to_string()))?;
            smtp.send(message).await?;
        }
        match &self.dev {
            Some(dev) => dev.send(to, subject, body),
            None if self.smtp.is_none() => {
                eprintln!("lucia-demo: no mailer configured; dropped a mail to {to}: {subject}");
            }
            None => {}
        }
        Ok(())
    }
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

/// Development only: the mails the demo sent, newest first, links clickable; 404 when the
/// mailbox is off.
pub(crate) async fn mailbox<S: crate::DemoStore>(
    State(app): State<Arc<App>>,
    control: lucia_axum::SessionControl<S>,
) -> Response {
    let viewer = crate::app::viewer(control.current());
    let Some(dev) = app.mailer.dev_mailbox() else {
        return html(
            StatusCode::NOT_FOUND,
            "Not found",
            viewer,
            "<p>The development mailbox is off.</p>",
        );
    };
    let mut body = String::from(
        r#"<p class="error">Development mailbox: every mail the demo sends is shown here, to anyone. Run the demo with <code>--no-dev-mailbox</code> to turn it off.</p>"#,
    );
    let messages = dev.messages();
    if messages.is_empty() {
        body.push_str("<p>No mail yet.</p>");
    }
    for mail in messages {
        let text: String = escape(&mail.body)
            .lines()
            .map(|line| {
                line.split(' ')
                    .map(|word| {
                        if word.starts_with("http://") || word.starts_with("https://") {
                            format!(r#"<a href="{word}">{word}</a>"#)
                        } else {
                            word.to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("<br>");
        body.push_str(&format!(
            r#"<article class="card mail"><h2>{}</h2><p>To {} · {}</p><p>{text}</p></article>"#,
            escape(&mail.subject),
            escape(&mail.to),
            format_time(mail.sent_at),
        ));
    }
    html(StatusCode::OK, "Mailbox", viewer, &body)
}
