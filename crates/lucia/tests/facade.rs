//! Behaviour of the `Lucia` facade over the memory store: what an app observes.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lucia::clock::ManualClock;
use lucia::password::{Argon2id, PasswordHasher, PasswordVerification};
use lucia::store::{SessionStore, Split, UserStore};
use lucia::time::{Duration, macros::datetime};
use lucia::{
    Error, InvalidReason, KeyId, Lucia, MemoryStore, NewKey, NewUser, SessionPolicy, Validation,
};

type Store = MemoryStore<String, String>;

fn setup() -> (Lucia<Store>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(datetime!(2030-01-01 12:00:00.750 UTC)));
    let lucia = Lucia::new(Store::new())
        .with_hasher(Argon2id::insecure_for_tests())
        .with_clock(Arc::clone(&clock));
    (lucia, clock)
}

async fn user_with_password(lucia: &Lucia<Store>, email: &str) -> lucia::User<String> {
    lucia
        .create_user(
            NewUser::new(email.to_owned()).key(
                NewKey::new("email", email)
                    .unwrap()
                    .password("correct horse battery"),
            ),
        )
        .await
        .unwrap()
}

#[pollster::test]
async fn sign_up_sign_in_validate_sign_out() {
    let (lucia, _) = setup();
    let user = user_with_password(&lucia, "ada@example.com").await;
    assert_eq!(user.id.len(), 24, "generated user ids carry 120 bits");
    let key = lucia
        .use_key("email", "ada@example.com", Some("correct horse battery"))
        .await
        .unwrap();
    assert_eq!(key.user_id, user.id);

    let (session, token) = lucia
        .create_session(&user.id, "Firefox".into())
        .await
        .unwrap();
    assert!(session.fresh, "a new session must be sent to the client");
    assert_eq!(token.id(), session.id);
    assert_eq!(
        session.created_at,
        datetime!(2030-01-01 12:00 UTC),
        "timestamps have whole seconds"
    );
    assert_eq!(session.expires_at, session.created_at + Duration::days(30));
    let stored = lucia
        .store()
        .get_session(&session.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.secret_hash,
        token.secret_hash(),
        "only the hash of the secret is stored"
    );
    assert!(!format!("{stored:?}").contains(token.secret()));

    let validated = lucia
        .validate_session(token.expose_secret())
        .await
        .unwrap()
        .valid()
        .unwrap();
    assert_eq!(validated.user, user);
    assert_eq!(validated.session.attributes, "Firefox");
    assert!(!validated.session.fresh);

    lucia.invalidate_session(&session.id).await.unwrap();
    assert_eq!(
        lucia.validate_session(token.expose_secret()).await.unwrap(),
        Validation::Invalid(InvalidReason::NotFound)
    );
}

#[pollster::test]
async fn bad_tokens_are_invalid_not_errors() {
    let (lucia, _) = setup();
    let user = user_with_password(&lucia, "ada@example.com").await;
    let (session, token) = lucia.create_session(&user.id, String::new()).await.unwrap();
    let long = "a".repeat(8192);
    for bad in ["", "nodot", "a.b.c", ".x", "x.", long.as_str()] {
        assert_eq!(
            lucia.validate_session(bad).await.unwrap(),
            Validation::Invalid(InvalidReason::Malformed),
            "{bad:?}"
        );
    }
    // Right id, wrong secret: invalid, and the session survives (the id alone deletes nothing).
    let forged = format!("{}.{}", token.id(), "a".repeat(24));
    assert_eq!(
        lucia.validate_session(&forged).await.unwrap(),
        Validation::Invalid(InvalidReason::SecretMismatch)
    );
    assert!(
        lucia
            .store()
            .get_session(&session.id)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        lucia
            .validate_session(token.expose_secret())
            .await
            .unwrap()
            .is_valid()
    );
    // Secrets are case-sensitive.
    let shouted = format!("{}.{}", token.id(), token.secret().to_uppercase());
    assert!(!lucia.validate_session(&shouted).await.unwrap().is_valid());
}

#[pollster::test]
async fn sliding_renewal_and_expiry_through_the_facade() {
    let (lucia, clock) = setup();
    let user = user_with_password(&lucia, "ada@example.com").await;
    let (session, token) = lucia.create_session(&user.id, String::new()).await.unwrap();

    // Exactly 15 days remain: not extended.
    clock.advance(Duration::days(15));
    let v = lucia
        .validate_session(token.expose_secret())
        .await
        .unwrap()
        .valid()
        .unwrap();
    assert!(!v.session.fresh);
    assert_eq!(v.session.expires_at, session.expires_at);

    // One second later: extended to now + 30 days, stored, and fresh.
    clock.advance(Duration::SECOND);
    let v = lucia
        .validate_session(token.expose_secret())
        .await
        .unwrap()
        .valid()
        .unwrap();
    assert!(v.session.fresh);
    assert_eq!(v.session.expires_at, lucia.now() + Duration::days(30));
    let stored = lucia
        .store()
        .get_session(&session.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.expires_at, v.session.expires_at);

    // Exactly at expiry: invalid and deleted.
    clock.set(stored.expires_at);
    assert_eq!(
        lucia.validate_session(token.expose_secret()).await.unwrap(),
        Validation::Invalid(InvalidReason::Expired)
    );
    assert!(
        lucia
            .store()
            .get_session(&session.id)
            .await
            .unwrap()
            .is_none()
    );
}

#[pollster::test]
async fn clock_going_backwards_does_not_break_sessions() {
    let (lucia, clock) = setup();
    let user = user_with_password(&lucia, "ada@example.com").await;
    let (session, token) = lucia.create_session(&user.id, String::new()).await.unwrap();
    clock.advance(-Duration::hours(3));
    let v = lucia
        .validate_session(token.expose_secret())
        .await
        .unwrap()
        .valid()
        .unwrap();
    assert!(!v.session.fresh);
    assert_eq!(v.session.expires_at, session.expires_at);
}

#[pollster::test]
async fn remember_me_and_absolute_lifetime() {
    let (lucia, clock) = setup();
    let lucia = lucia.with_session_policy(
        SessionPolicy::default()
            .absolute_lifetime(Some(Duration::days(90)))
            .unwrap(),
    );
    let user = user_with_password(&lucia, "ada@example.com").await;
    let (session, token) = lucia
        .create_session_with_lifetime(&user.id, String::new(), Duration::days(365))
        .await
        .unwrap();
    assert_eq!(session.lifetime, Some(Duration::days(365)));
    assert_eq!(
        session.expires_at,
        session.created_at + Duration::days(90),
        "the absolute cap wins"
    );
    clock.advance(Duration::days(89));
    assert!(
        lucia
            .validate_session(token.expose_secret())
            .await
            .unwrap()
            .is_valid()
    );
    clock.advance(Duration::days(1));
    assert!(
        !lucia
            .validate_session(token.expose_secret())
            .await
            .unwrap()
            .is_valid()
    );
    assert!(matches!(
        lucia
            .create_session_with_lifetime(&user.id, String::new(), Duration::ZERO)
            .await,
        Err(Error::Config(_))
    ));
}

#[pollster::test]
async fn sessions_of_deleted_users_are_invalid_and_removed() {
    let users = MemoryStore::<String, ()>::new();
    let sessions = MemoryStore::<(), String>::new();
    let lucia = Lucia::new(Split::new(users.clone(), sessions.clone()))
        .with_hasher(Argon2id::insecure_for_tests());
    let user = lucia
        .create_user(NewUser::new("ada".to_owned()))
        .await
        .unwrap();
    let (session, token) = lucia.create_session(&user.id, String::new()).await.unwrap();
    // The user disappears behind lucia's back (another service deleted the row).
    users.delete_user(&user.id).await.unwrap();
    assert_eq!(
        lucia.validate_session(token.expose_secret()).await.unwrap(),
        Validation::Invalid(InvalidReason::UserGone)
    );
    assert!(sessions.get_session(&session.id).await.unwrap().is_none());
}

#[pollster::test]
async fn delete_user_removes_keys_and_sessions() {
    let (lucia, _) = setup();
    let ada = user_with_password(&lucia, "ada@example.com").await;
    let bob = user_with_password(&lucia, "bob@example.com").await;
    let (_, ada_token) = lucia.create_session(&ada.id, String::new()).await.unwrap();
    let (_, bob_token) = lucia.create_session(&bob.id, String::new()).await.unwrap();
    lucia.delete_user(&ada.id).await.unwrap();
    assert_eq!(lucia.get_user(&ada.id).await.unwrap(), None);
    assert_eq!(
        lucia.get_key("email", "ada@example.com").await.unwrap(),
        None
    );
    assert!(
        lucia
            .store()
            .get_user_sessions(&ada.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !lucia
            .validate_session(ada_token.expose_secret())
            .await
            .unwrap()
            .is_valid()
    );
    assert!(
        lucia
            .validate_session(bob_token.expose_secret())
            .await
            .unwrap()
            .is_valid()
    );
    lucia.delete_user("no-such-user").await.unwrap();
}

#[pollster::test]
async fn key_errors_are_typed() {
    let (lucia, _) = setup();
    let user = user_with_password(&lucia, "ada@example.com").await;
    lucia
        .create_key(&user.id, NewKey::new("github", "1234").unwrap())
        .await
        .unwrap();

    assert!(matches!(
        lucia
            .use_key("email", "nobody@example.com", Some("whatever1"))
            .await,
        Err(Error::UnknownKey)
    ));
    assert!(matches!(
        lucia
            .use_key("email", "ada@example.com", Some("wrong password"))
            .await,
        Err(Error::InvalidPassword)
    ));
    assert!(matches!(
        lucia.use_key("email", "ada@example.com", None).await,
        Err(Error::InvalidPassword)
    ));
    assert!(matches!(
        lucia.use_key("github", "1234", Some("a password")).await,
        Err(Error::InvalidPassword)
    ));
    assert_eq!(
        lucia.use_key("github", "1234", None).await.unwrap().user_id,
        user.id
    );
    assert!(matches!(
        lucia.use_key("gh:evil", "1", None).await,
        Err(Error::InvalidProviderId(_))
    ));
    assert!(matches!(
        lucia.get_key("", "1").await,
        Err(Error::InvalidProviderId(_))
    ));
    assert!(matches!(
        lucia
            .create_key("no-such-user", NewKey::new("github", "99").unwrap())
            .await,
        Err(Error::UnknownUser)
    ));
    assert!(matches!(
        lucia
            .create_key(&user.id, NewKey::new("github", "1234").unwrap())
            .await,
        Err(Error::DuplicateKey)
    ));
    assert!(matches!(
        NewKey::new("a:b", "x"),
        Err(Error::InvalidProviderId(_))
    ));
    let mut keys: Vec<KeyId> = lucia
        .get_all_user_keys(&user.id)
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.id)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            KeyId::new("email", "ada@example.com").unwrap(),
            KeyId::new("github", "1234").unwrap()
        ]
    );
}

#[pollster::test]
async fn duplicate_key_on_create_user_leaves_nothing_behind() {
    let (lucia, _) = setup();
    user_with_password(&lucia, "ada@example.com").await;
    let result = lucia
        .create_user(
            NewUser::new("impostor".to_owned())
                .id("impostor-id")
                .key(NewKey::new("email", "ada@example.com").unwrap()),
        )
        .await;
    assert!(matches!(result, Err(Error::DuplicateKey)));
    assert_eq!(lucia.get_user("impostor-id").await.unwrap(), None);
    assert!(matches!(
        lucia.create_user(NewUser::new(String::new()).id("")).await,
        Err(Error::InvalidUserId(_))
    ));
}

#[pollster::test]
async fn password_updates_follow_the_policy() {
    let (lucia, _) = setup();
    user_with_password(&lucia, "ada@example.com").await;
    assert!(matches!(
        lucia
            .update_key_password("email", "ada@example.com", Some("short"))
            .await,
        Err(Error::PasswordPolicy(_))
    ));
    let huge = "x".repeat(257);
    assert!(matches!(
        lucia
            .update_key_password("email", "ada@example.com", Some(&huge))
            .await,
        Err(Error::PasswordPolicy(_))
    ));
    lucia
        .update_key_password("email", "ada@example.com", Some("new password 2"))
        .await
        .unwrap();
    assert!(
        lucia
            .use_key("email", "ada@example.com", Some("correct horse battery"))
            .await
            .is_err()
    );
    lucia
        .use_key("email", "ada@example.com", Some("new password 2"))
        .await
        .unwrap();
    lucia
        .update_key_password("email", "ada@example.com", None)
        .await
        .unwrap();
    lucia
        .use_key("email", "ada@example.com", None)
        .await
        .unwrap();
    assert!(matches!(
        lucia
            .update_key_password("email", "nobody@example.com", None)
            .await,
        Err(Error::UnknownKey)
    ));
    assert!(matches!(
        lucia
            .create_user(
                NewUser::new(String::new()).key(
                    NewKey::new("email", "c@example.com")
                        .unwrap()
                        .password("1234567")
                )
            )
            .await,
        Err(Error::PasswordPolicy(_))
    ));
}

/// Counts verifications and flags every hash as outdated.
#[derive(Clone, Default)]
struct Outdated {
    inner: Argon2id,
    verifications: Arc<AtomicUsize>,
}

impl PasswordHasher for Outdated {
    fn hash(&self, password: &str) -> lucia::Result<String> {
        self.inner.hash(password)
    }
    fn verify(&self, hash: &str, password: &str) -> lucia::Result<PasswordVerification> {
        self.verifications.fetch_add(1, Ordering::SeqCst);
        Ok(match self.inner.verify(hash, password)? {
            PasswordVerification::Valid { .. } => {
                PasswordVerification::Valid { needs_rehash: true }
            }
            invalid => invalid,
        })
    }
}

#[pollster::test]
async fn outdated_hashes_are_replaced_on_sign_in_and_unknown_accounts_cost_a_verification() {
    let hasher = Outdated {
        inner: Argon2id::insecure_for_tests(),
        ..Outdated::default()
    };
    let lucia = Lucia::new(Store::new()).with_hasher(hasher.clone());
    user_with_password(&lucia, "ada@example.com").await;
    let before = lucia
        .get_key("email", "ada@example.com")
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    let key = lucia
        .use_key("email", "ada@example.com", Some("correct horse battery"))
        .await
        .unwrap();
    assert_ne!(key.password_hash, before, "the hash was replaced");
    let stored = lucia
        .get_key("email", "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.password_hash, key.password_hash,
        "the new hash was stored"
    );

    let count = hasher.verifications.load(Ordering::SeqCst);
    assert!(matches!(
        lucia
            .use_key("email", "nobody@example.com", Some("guess"))
            .await,
        Err(Error::UnknownKey)
    ));
    assert_eq!(
        hasher.verifications.load(Ordering::SeqCst),
        count + 1,
        "unknown accounts still run one verification"
    );
}

#[pollster::test]
async fn session_listing_updates_and_purge() {
    let (lucia, clock) = setup();
    let user = user_with_password(&lucia, "ada@example.com").await;
    let (short, _) = lucia
        .create_session_with_lifetime(&user.id, "short".into(), Duration::hours(1))
        .await
        .unwrap();
    let (long, _) = lucia.create_session(&user.id, "long".into()).await.unwrap();
    lucia
        .update_session_attributes(&long.id, "renamed".into())
        .await
        .unwrap();
    assert!(matches!(
        lucia.update_session_attributes("nope", String::new()).await,
        Err(Error::UnknownSession)
    ));
    assert_eq!(
        lucia.get_all_user_sessions(&user.id).await.unwrap().len(),
        2
    );

    clock.advance(Duration::hours(2));
    let live = lucia.get_all_user_sessions(&user.id).await.unwrap();
    assert_eq!(live.len(), 1, "expired sessions are not listed");
    assert_eq!(live[0].attributes, "renamed");
    assert_eq!(
        lucia.get_session(&short.id).await.unwrap(),
        None,
        "get_session hides expired sessions"
    );
    assert_eq!(lucia.store().session_count(), 2, "reads delete nothing");
    assert_eq!(lucia.delete_expired_sessions().await.unwrap(), 1);
    assert_eq!(lucia.store().session_count(), 1);

    lucia.invalidate_all_user_sessions(&user.id).await.unwrap();
    assert!(
        lucia
            .get_all_user_sessions(&user.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[pollster::test]
async fn session_only_validation() {
    let (lucia, clock) = setup();
    let (session, token) = lucia
        .create_session("external-user", "agent".into())
        .await
        .unwrap();
    let v = lucia
        .validate_session_only(token.expose_secret())
        .await
        .unwrap()
        .valid()
        .unwrap();
    assert_eq!(v.id, session.id);
    assert_eq!(v.user_id, "external-user");
    clock.advance(Duration::days(31));
    assert_eq!(
        lucia
            .validate_session_only(token.expose_secret())
            .await
            .unwrap(),
        Validation::Invalid(InvalidReason::Expired)
    );
}

#[pollster::test]
async fn unique_attributes_come_back_as_typed_errors() {
    let lucia = Lucia::new(Store::new().unique("email", |email| Some(email.clone())));
    lucia
        .create_user(NewUser::new("ada@example.com".into()))
        .await
        .unwrap();
    let err = lucia
        .create_user(NewUser::new("ada@example.com".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UniqueViolation { ref column } if column == "email"),
        "{err:?}"
    );
}

mod one_time {
    use super::*;
    use lucia::one_time::Purpose;

    #[pollster::test]
    async fn codes_are_single_use_user_bound_capped_and_expire() {
        let (lucia, clock) = setup();
        let ada = user_with_password(&lucia, "ada@example.com").await;
        let bob = user_with_password(&lucia, "bob@example.com").await;
        let code = lucia
            .issue_code(
                &ada.id,
                Purpose::EMAIL_VERIFICATION,
                Some("ada@example.com"),
            )
            .await
            .unwrap();
        assert_eq!(code.expose_secret().len(), 8);
        assert!(
            !format!("{code:?}").contains(code.expose_secret()),
            "Debug hides the code"
        );

        // Bob cannot use Ada's code; lowercase and hyphens are fine.
        assert!(matches!(
            lucia
                .verify_code(&bob.id, Purpose::EMAIL_VERIFICATION, code.expose_secret())
                .await,
            Err(Error::InvalidToken)
        ));
        let typed = format!(
            "{}-{}",
            &code.expose_secret()[..4],
            &code.expose_secret()[4..]
        )
        .to_lowercase();
        let token = lucia
            .verify_code(&ada.id, Purpose::EMAIL_VERIFICATION, &typed)
            .await
            .unwrap();
        assert_eq!(token.email.as_deref(), Some("ada@example.com"));
        assert!(matches!(
            lucia
                .verify_code(&ada.id, Purpose::EMAIL_VERIFICATION, code.expose_secret())
                .await,
            Err(Error::InvalidToken)
        ));

        // Five wrong codes void the code, even the right one afterwards.
        let code = lucia
            .issue_code(&ada.id, Purpose::EMAIL_VERIFICATION, None)
            .await
            .unwrap();
        for _ in 0..4 {
            assert!(matches!(
                lucia
                    .verify_code(&ada.id, Purpose::EMAIL_VERIFICATION, "WRONG000")
                    .await,
                Err(Error::InvalidToken)
            ));
        }
        assert!(matches!(
            lucia
                .verify_code(&ada.id, Purpose::EMAIL_VERIFICATION, "WRONG000")
                .await,
            Err(Error::TooManyAttempts)
        ));
        assert!(
            lucia
                .verify_code(&ada.id, Purpose::EMAIL_VERIFICATION, code.expose_secret())
                .await
                .is_err()
        );

        // A new code voids the previous one; codes expire after 15 minutes.
        let old = lucia
            .issue_code(&ada.id, Purpose::EMAIL_VERIFICATION, None)
            .await
            .unwrap();
        let new = lucia
            .issue_code(&ada.id, Purpose::EMAIL_VERIFICATION, None)
            .await
            .unwrap();
        assert!(
            lucia
                .verify_code(&ada.id, Purpose::EMAIL_VERIFICATION, old.expose_secret())
                .await
                .is_err()
        );
        clock.advance(Duration::minutes(15));
        assert!(matches!(
            lucia
                .verify_code(&ada.id, Purpose::EMAIL_VERIFICATION, new.expose_secret())
                .await,
            Err(Error::TokenExpired)
        ));
    }

    #[pollster::test]
    async fn password_reset_flow() {
        let (lucia, clock) = setup();
        let ada = user_with_password(&lucia, "ada@example.com").await;
        let (_, session_token) = lucia.create_session(&ada.id, String::new()).await.unwrap();
        assert!(
            lucia
                .request_password_reset("nobody@example.com")
                .await
                .unwrap()
                .is_none()
        );
        let link = lucia
            .request_password_reset("ada@example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(link.expose_secret().len(), 32, "160 bits in base32");

        // Purposes do not mix.
        assert!(
            lucia
                .verify_token(Purpose::MAGIC_LINK, link.expose_secret())
                .await
                .is_err()
        );
        clock.advance(Duration::minutes(59));
        let user_id = lucia
            .reset_password(link.expose_secret(), "a brand new password")
            .await
            .unwrap();
        assert_eq!(user_id, ada.id);
        lucia
            .use_key("email", "ada@example.com", Some("a brand new password"))
            .await
            .unwrap();
        assert!(
            !lucia
                .validate_session(session_token.expose_secret())
                .await
                .unwrap()
                .is_valid(),
            "signed out everywhere"
        );
        assert!(
            matches!(
                lucia
                    .reset_password(link.expose_secret(), "another new password")
                    .await,
                Err(Error::InvalidToken)
            ),
            "single use"
        );

        let expired = lucia
            .request_password_reset("ada@example.com")
            .await
            .unwrap()
            .unwrap();
        clock.advance(Duration::hours(1));
        assert!(matches!(
            lucia
                .reset_password(expired.expose_secret(), "yet another password")
                .await,
            Err(Error::TokenExpired)
        ));
    }
}

/// Recovery codes: stored salted with the user id (the same code hashes differently for
/// two users), voided by regeneration, and codes stored unsalted by earlier versions still
/// work once. Disabling two-factor removes them.
#[pollster::test]
async fn recovery_codes_are_salted_regenerated_and_legacy_hashes_still_work() {
    use lucia::SecretHash;
    use lucia::otp::{KeyUri, Otp, hash_recovery_code, normalize_recovery_code};
    use lucia::two_factor::TwoFactorStore;

    let (lucia, clock) = setup();
    let user = user_with_password(&lucia, "ada@example.com").await;
    let uri = lucia
        .begin_two_factor(&user.id, "Example", "ada@example.com")
        .await
        .unwrap();
    let Otp::Totp(app) = KeyUri::parse(&uri.to_uri()).unwrap().into_otp() else {
        panic!("a TOTP key")
    };
    let first = lucia
        .confirm_two_factor(&user.id, &app.generate(lucia.now()))
        .await
        .unwrap();

    // Stored salted with the user id: neither the unsalted hash nor the hash under another
    // user id is in the store; the salted one is (taking it spends the code).
    let store = lucia.store();
    let unsalted = SecretHash::of(&normalize_recovery_code(&first[0]).unwrap());
    let foreign = hash_recovery_code("someone-else", &first[0]).unwrap();
    for absent in [&unsalted, &foreign] {
        assert!(!store.take_recovery_code(&user.id, absent).await.unwrap());
    }
    let salted = hash_recovery_code(&user.id, &first[0]).unwrap();
    assert!(store.take_recovery_code(&user.id, &salted).await.unwrap());
    assert!(lucia.use_recovery_code(&user.id, &first[0]).await.is_err());
    lucia.use_recovery_code(&user.id, &first[1]).await.unwrap();

    // Regeneration voids the whole previous batch.
    let second = lucia.regenerate_recovery_codes(&user.id).await.unwrap();
    assert_eq!(second.len(), 10);
    for old in &first {
        assert!(matches!(
            lucia.use_recovery_code(&user.id, old).await,
            Err(Error::InvalidToken)
        ));
    }
    lucia.use_recovery_code(&user.id, &second[0]).await.unwrap();
    assert!(lucia.use_recovery_code(&user.id, &second[0]).await.is_err());

    // A code stored the old way (unsalted) works, once.
    let legacy = "k3m9x-7pq2t";
    lucia
        .store()
        .replace_recovery_codes(
            &user.id,
            &[SecretHash::of(&normalize_recovery_code(legacy).unwrap())],
        )
        .await
        .unwrap();
    lucia.use_recovery_code(&user.id, legacy).await.unwrap();
    assert!(lucia.use_recovery_code(&user.id, legacy).await.is_err());

    // Disabling two-factor: codes no longer work, sign-in codes neither.
    let third = lucia.regenerate_recovery_codes(&user.id).await.unwrap();
    lucia.disable_two_factor(&user.id).await.unwrap();
    assert!(!lucia.two_factor_enabled(&user.id).await.unwrap());
    assert!(lucia.use_recovery_code(&user.id, &third[0]).await.is_err());
    clock.advance(Duration::seconds(60));
    assert!(matches!(
        lucia
            .verify_two_factor(&user.id, &app.generate(lucia.now()))
            .await,
        Err(Error::TwoFactorNotEnabled)
    ));
}
