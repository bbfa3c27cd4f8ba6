//! The provider account a sign-in yields, read from the profile with the provider's JSON
//! pointers.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::provider::{EmailList, EmailVerified, Profile};

/// Who signed in at the provider.
///
/// `account_id` is the provider's stable user id (never the email, which can change hands);
/// together with `provider_id` it is the lucia key (`github:12345`).
///
/// ```
/// let account = lucia_oauth::ProviderAccount {
///     provider_id: "github".into(),
///     account_id: "12345".into(),
///     email: Some("ada@example.com".into()),
///     email_verified: false,
///     name: None,
///     username: Some("ada".into()),
///     avatar: None,
///     profile: serde_json::Value::Null,
/// };
/// // An unverified address is never offered for linking or sign-up by email.
/// assert_eq!(account.verified_email(), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderAccount {
    /// The provider id (`github`), the key's provider id.
    pub provider_id: String,
    /// The provider's stable user id, the key's provider user id.
    pub account_id: String,
    /// The email address the provider gave, verified or not.
    pub email: Option<String>,
    /// Whether the provider says it verified that address. Providers that give no signal
    /// count as unverified.
    pub email_verified: bool,
    /// Display name.
    pub name: Option<String>,
    /// Handle or login.
    pub username: Option<String>,
    /// Picture URL.
    pub avatar: Option<String>,
    /// The profile document (the verified ID token's claims merged with userinfo for OpenID
    /// Connect), for anything else the app needs.
    pub profile: Value,
}

impl ProviderAccount {
    /// The email address, only if the provider verified it: the one to use for finding or
    /// creating a user by email.
    pub fn verified_email(&self) -> Option<&str> {
        self.email.as_deref().filter(|_| self.email_verified)
    }

    /// Reads an account from a profile document.
    pub(crate) fn from_profile(provider_id: &str, profile: &Profile, doc: Value) -> Result<Self> {
        let account_id = scalar(&doc, &profile.id)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::MissingAccountId(profile.id.clone()))?;
        let field = |pointer: &Option<String>| {
            pointer
                .as_deref()
                .and_then(|p| scalar(&doc, p))
                .filter(|s| !s.is_empty())
        };
        let email = field(&profile.email);
        let email_verified = email.is_some()
            && match &profile.email_verified {
                EmailVerified::At(pointer) => doc.pointer(pointer).is_some_and(truthy),
                EmailVerified::Always => true,
                EmailVerified::Never => false,
            };
        Ok(Self {
            provider_id: provider_id.to_owned(),
            account_id,
            email,
            email_verified,
            name: field(&profile.name),
            username: field(&profile.username),
            avatar: field(&profile.avatar),
            profile: doc,
        })
    }

    /// Takes the email from a list endpoint's answer: the primary verified address, else the
    /// first verified one. Unverified entries are ignored.
    pub(crate) fn apply_email_list(&mut self, list: &EmailList, doc: &Value) {
        let entries = match doc.pointer(&list.list) {
            Some(Value::Array(entries)) => entries.as_slice(),
            _ => &[],
        };
        let verified = |e: &&Value| e.get(&list.verified).is_some_and(truthy);
        let primary = |e: &&Value| {
            list.primary
                .as_deref()
                .is_some_and(|p| e.get(p).is_some_and(truthy))
        };
        let chosen = entries
            .iter()
            .filter(verified)
            .find(primary)
            .or_else(|| entries.iter().find(verified));
        if let Some(email) = chosen
            .and_then(|e| e.get(&list.email))
            .and_then(Value::as_str)
        {
            self.email = Some(email.to_owned());
            self.email_verified = true;
        }
    }
}

/// A string or number at a pointer, as a string (ids are numbers at GitHub, strings at Google).
fn scalar(doc: &Value, pointer: &str) -> Option<String> {
    match doc.pointer(pointer)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `true` or `"true"` (some providers send booleans as strings).
fn truthy(value: &Value) -> bool {
    matches!(value, Value::Bool(true)) || value.as_str() == Some("true")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::parse_url;
    use serde_json::json;

    #[test]
    fn fields_are_read_by_pointer_and_emails_count_only_when_verified() {
        let profile = Profile::id_token();
        let doc =
            json!({"sub": 42, "email": "a@example.com", "email_verified": "true", "name": "A"});
        let account = ProviderAccount::from_profile("x", &profile, doc).expect("valid");
        assert_eq!(account.account_id, "42");
        assert_eq!(account.verified_email(), Some("a@example.com"));
        assert_eq!(account.name.as_deref(), Some("A"));

        let doc = json!({"sub": "s", "email": "a@example.com", "email_verified": false});
        let account = ProviderAccount::from_profile("x", &profile, doc).expect("valid");
        assert_eq!(account.email.as_deref(), Some("a@example.com"));
        assert_eq!(account.verified_email(), None);

        let never = Profile::id_token().email("/email", EmailVerified::Never);
        let doc = json!({"sub": "s", "email": "a@example.com", "email_verified": true});
        let account = ProviderAccount::from_profile("x", &never, doc).expect("valid");
        assert_eq!(account.verified_email(), None);

        assert!(matches!(
            ProviderAccount::from_profile("x", &profile, json!({"sub": ""})),
            Err(Error::MissingAccountId(_))
        ));
        assert!(matches!(
            ProviderAccount::from_profile("x", &profile, json!({"sub": {"nested": 1}})),
            Err(Error::MissingAccountId(_))
        ));
    }

    #[test]
    fn the_email_list_yields_the_primary_verified_address() {
        let list = EmailList {
            url: parse_url("https://api.test/emails").expect("valid"),
            list: String::new(),
            email: "email".into(),
            primary: Some("primary".into()),
            verified: "verified".into(),
        };
        let mut account =
            ProviderAccount::from_profile("x", &Profile::id_token(), json!({"sub": "1"}))
                .expect("valid");
        account.apply_email_list(
            &list,
            &json!([
                {"email": "unverified-primary@x.test", "primary": true, "verified": false},
                {"email": "other@x.test", "primary": false, "verified": true},
            ]),
        );
        assert_eq!(account.verified_email(), Some("other@x.test"));
        account.apply_email_list(
            &list,
            &json!([
                {"email": "other@x.test", "primary": false, "verified": true},
                {"email": "main@x.test", "primary": true, "verified": true},
            ]),
        );
        assert_eq!(account.verified_email(), Some("main@x.test"));
    }
}
