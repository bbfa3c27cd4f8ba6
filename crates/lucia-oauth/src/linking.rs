//! Provider accounts as lucia keys: a provider account is the key
//! `{provider id}:{provider's user id}` (`github:12345`), without a password.
//!
//! Three things happen at a callback, and each is one call:
//!
//! - [`existing_user`]: the account is already a key → sign that user in;
//! - [`create_user`]: it is not, and nobody is signed in → a new user with this key;
//! - [`link`]: someone is signed in → add the key to their user (settings → "connect GitHub").
//!
//! Email is **not** an identity here: the key is the provider's stable id, so an account whose
//! address changes keeps its user, and a provider account is never merged into a user because
//! the addresses look alike. An app that wants "sign in with Google finds my password account"
//! must look its user up by [`ProviderAccount::verified_email`] — which is `None` unless the
//! provider said it verified the address — and should still ask the user to confirm (by
//! signing in with the password, say) before calling [`link`]: a provider's verification is
//! only as good as the provider.
//!
//! ```
//! use lucia::{Lucia, MemoryStore};
//! use lucia_oauth::{ProviderAccount, linking};
//!
//! # pollster::block_on(async {
//! let lucia = Lucia::new(MemoryStore::<String, ()>::new());
//! let account = ProviderAccount {
//!     provider_id: "github".into(), account_id: "12345".into(),
//!     email: Some("ada@example.com".into()), email_verified: true,
//!     name: None, username: Some("ada".into()), avatar: None, profile: serde_json::Value::Null,
//! };
//! assert!(linking::existing_user(&lucia, &account).await?.is_none());
//! let user = linking::create_user(&lucia, &account, "ada".to_owned()).await?;
//! let again = linking::existing_user(&lucia, &account).await?.expect("linked");
//! assert_eq!(again.id, user.id);
//! # Ok::<(), lucia_oauth::Error>(()) }).unwrap();
//! ```

use lucia::store::UserStore;
use lucia::{Key, Lucia, NewKey, NewUser, User};

use crate::account::ProviderAccount;
use crate::error::{Error, Result};

/// The key id of a provider account.
pub fn key(account: &ProviderAccount) -> Result<NewKey> {
    Ok(NewKey::new(&account.provider_id, &account.account_id)?)
}

/// The user this provider account is a key of, if any.
pub async fn existing_user<S: UserStore>(
    lucia: &Lucia<S>,
    account: &ProviderAccount,
) -> Result<Option<User<S::UserAttributes>>> {
    let Some(key) = lucia
        .get_key(&account.provider_id, &account.account_id)
        .await?
    else {
        return Ok(None);
    };
    Ok(lucia.get_user(&key.user_id).await?)
}

/// Creates a user whose first key is this provider account. [`Error::AlreadyLinked`] when the
/// account is a key already (another request won the race; sign that user in instead).
pub async fn create_user<S: UserStore>(
    lucia: &Lucia<S>,
    account: &ProviderAccount,
    attributes: S::UserAttributes,
) -> Result<User<S::UserAttributes>> {
    lucia
        .create_user(NewUser::new(attributes).key(key(account)?))
        .await
        .map_err(already_linked)
}

/// Adds this provider account as a key of the signed-in user `user_id`.
/// [`Error::AlreadyLinked`] when it is a key already (of this user or another: an account
/// belongs to one user; unlink it there first).
pub async fn link<S: UserStore>(
    lucia: &Lucia<S>,
    user_id: &str,
    account: &ProviderAccount,
) -> Result<Key> {
    lucia
        .create_key(user_id, key(account)?)
        .await
        .map_err(already_linked)
}

fn already_linked(err: lucia::Error) -> Error {
    match err {
        lucia::Error::DuplicateKey => Error::AlreadyLinked,
        other => Error::Lucia(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lucia::MemoryStore;

    fn account(id: &str) -> ProviderAccount {
        ProviderAccount {
            provider_id: "github".into(),
            account_id: id.into(),
            email: None,
            email_verified: false,
            name: None,
            username: None,
            avatar: None,
            profile: serde_json::Value::Null,
        }
    }

    #[pollster::test]
    async fn create_find_link_and_refuse_a_second_owner() {
        let lucia = Lucia::new(MemoryStore::<String, ()>::new());
        let ada = create_user(&lucia, &account("1"), "ada".into())
            .await
            .expect("created");
        assert!(matches!(
            create_user(&lucia, &account("1"), "mallory".into()).await,
            Err(Error::AlreadyLinked)
        ));
        let bob = lucia
            .create_user(NewUser::new("bob".to_owned()))
            .await
            .expect("created");
        assert!(matches!(
            link(&lucia, &bob.id, &account("1")).await,
            Err(Error::AlreadyLinked)
        ));
        link(&lucia, &bob.id, &account("2")).await.expect("linked");
        let found = existing_user(&lucia, &account("2"))
            .await
            .expect("store ok")
            .expect("linked");
        assert_eq!(found.id, bob.id);
        assert_eq!(
            existing_user(&lucia, &account("1"))
                .await
                .expect("store ok")
                .map(|u| u.id),
            Some(ada.id)
        );
        assert!(matches!(
            link(&lucia, "no-such-user", &account("3")).await,
            Err(Error::Lucia(lucia::Error::UnknownUser))
        ));
    }
}
