//! Users and their keys.
//!
//! A **key** is one way to sign in as a user (Lucia v2's model): a
//! `(provider_id, provider_user_id)` pair such as `("email", "ada@example.com")` or
//! `("github", "1234")`, optionally holding a password hash. A user may have many keys.

use std::fmt;

use crate::error::{Error, Result};

/// The character that joins a provider id and a provider user id into a key id.
pub const KEY_ID_SEPARATOR: char = ':';

/// A user: an id and the app's own attributes.
///
/// ```
/// let user = lucia::User { id: "u1".to_owned(), attributes: "ada@example.com".to_owned() };
/// assert_eq!(user.id, "u1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User<A> {
    /// The user id.
    pub id: String,
    /// App-defined attributes (email, name, ...), typically real columns of the user table.
    pub attributes: A,
}

/// Identifies a key: a provider id (without `:`) and the user's id at that provider.
///
/// ```
/// use lucia::{Error, KeyId};
/// let key = KeyId::new("email", "ada@example.com")?;
/// assert_eq!(key.to_string(), "email:ada@example.com");
/// assert!(matches!(KeyId::new("e:mail", "x"), Err(Error::InvalidProviderId(_))));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId {
    provider_id: String,
    provider_user_id: String,
}

impl KeyId {
    /// Builds a key id. The provider id must be non-empty and free of `:`
    /// ([`Error::InvalidProviderId`] otherwise); the provider user id may hold any text.
    pub fn new(
        provider_id: impl Into<String>,
        provider_user_id: impl Into<String>,
    ) -> Result<Self> {
        let provider_id = provider_id.into();
        if provider_id.is_empty() || provider_id.contains(KEY_ID_SEPARATOR) {
            return Err(Error::InvalidProviderId(provider_id));
        }
        Ok(Self {
            provider_id,
            provider_user_id: provider_user_id.into(),
        })
    }

    /// Parses `provider_id:provider_user_id` (splitting at the first `:`).
    ///
    /// ```
    /// let key = lucia::KeyId::parse("github:1234").expect("valid");
    /// assert_eq!((key.provider_id(), key.provider_user_id()), ("github", "1234"));
    /// assert!(lucia::KeyId::parse("no-separator").is_none());
    /// ```
    pub fn parse(id: &str) -> Option<Self> {
        let (provider, user) = id.split_once(KEY_ID_SEPARATOR)?;
        Self::new(provider, user).ok()
    }

    /// The provider id (`"email"`, `"github"`, ...).
    pub fn provider_id(&self) -> &str {
        &self.provider_id
    }

    /// The user's id at the provider.
    pub fn provider_user_id(&self) -> &str {
        &self.provider_user_id
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{KEY_ID_SEPARATOR}{}",
            self.provider_id, self.provider_user_id
        )
    }
}

/// A stored key: its id, its user and an optional password hash (a PHC string).
///
/// `Debug` does not print the hash.
///
/// ```
/// let key = lucia::Key {
///     id: lucia::KeyId::new("email", "ada@example.com")?,
///     user_id: "u1".into(),
///     password_hash: Some("$argon2id$...".into()),
/// };
/// assert!(!format!("{key:?}").contains("argon2id"));
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    /// The key id.
    pub id: KeyId,
    /// The user the key signs in as.
    pub user_id: String,
    /// The password hash, for password keys.
    pub password_hash: Option<String>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A key to create: an id and, for password keys, the plain password (hashed before storing).
///
/// `Debug` does not print the password.
///
/// ```
/// let key = lucia::NewKey::new("email", "ada@example.com")?.password("correct horse battery");
/// assert!(!format!("{key:?}").contains("horse"));
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Clone)]
pub struct NewKey {
    pub(crate) id: KeyId,
    pub(crate) password: Option<String>,
}

impl NewKey {
    /// A passwordless key (an OAuth account, say). Fails on an invalid provider id.
    pub fn new(
        provider_id: impl Into<String>,
        provider_user_id: impl Into<String>,
    ) -> Result<Self> {
        Ok(Self {
            id: KeyId::new(provider_id, provider_user_id)?,
            password: None,
        })
    }

    /// Adds a password to the key.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// The key id.
    pub fn id(&self) -> &KeyId {
        &self.id
    }
}

impl fmt::Debug for NewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewKey")
            .field("id", &self.id)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A user to create: attributes, and optionally a chosen id and a first key.
///
/// ```
/// use lucia::{NewKey, NewUser};
/// let user = NewUser::new("ada@example.com".to_owned())
///     .key(NewKey::new("email", "ada@example.com")?.password("correct horse battery"));
/// assert!(user.chosen_id().is_none());
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct NewUser<A> {
    pub(crate) id: Option<String>,
    pub(crate) key: Option<NewKey>,
    pub(crate) attributes: A,
}

impl<A> NewUser<A> {
    /// A user with these attributes, a generated id and no key.
    pub fn new(attributes: A) -> Self {
        Self {
            id: None,
            key: None,
            attributes,
        }
    }

    /// Uses `id` instead of a generated one (1 to 255 bytes).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Creates this key together with the user, atomically.
    pub fn key(mut self, key: NewKey) -> Self {
        self.key = Some(key);
        self
    }

    /// The id chosen with [`NewUser::id`], if any.
    pub fn chosen_id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// Checks an app-chosen user id: 1 to 255 bytes, no control characters.
pub(crate) fn check_user_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 255 || id.chars().any(char::is_control) {
        return Err(Error::InvalidUserId(id.to_owned()));
    }
    Ok(())
}
