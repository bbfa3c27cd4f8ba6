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
