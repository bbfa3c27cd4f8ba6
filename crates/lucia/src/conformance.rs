//! The store conformance suite: one set of behaviours every store must show.
//!
//! It covers every behaviour of Lucia's own adapter test suites (v2 and v3) and more: exact
//! round trips of every field (timestamps included), `None`/empty for unknown ids, duplicate
//! keys and user ids leaving nothing half-written, keys for unknown users, unique attribute
//! violations, deletes touching only their target and silent on unknown ids, updates of
//! user attributes, key passwords, session attributes and session expiry, per-user listings,
//! the session-with-user lookup, the expired-session purge, and session stores that hold no
//! users (orphan user ids). [`run_auth_store`] finishes with a full [`Lucia`] flow through
//! the store (sign-up, sign-in, validation, renewal, expiry, deletion). [`run_token_store`]
//! checks one-time token storage: single use under concurrency, attempt caps, replacement;
//! [`run_two_factor_store`] two-factor state: the replay guard and single-use recovery codes.
//!
//! Enable the `conformance` feature in your store's dev-dependencies and run it in three
//! lines (any async runtime; the example is not compiled here because it names your store and
//! runtime):
//!
//! ```ignore
//! #[tokio::test]
//! async fn conformance() {
//!     lucia::conformance::run_auth_store(&MyStore::connect(URL).await.unwrap()).await;
//! }
//! ```
//!
//! The suite needs attribute types it can make up values for ([`Fixture`]). Map
//! [`TestUser`] and [`TestSession`] to your store's columns (as in the memory store's own
//! test below), or implement [`Fixture`] for your own types. Every run uses fresh random ids,
//! so it can run repeatedly against a persistent database, and concurrently with other runs.
//! Failures panic with a message naming the broken behaviour.
//!
//! ```
//! # pollster::block_on(async {
//! use lucia::conformance::{TestSession, TestUser, run_auth_store, run_session_store};
//! let store = lucia::MemoryStore::<TestUser, TestSession>::new().unique("email", |u| Some(u.email.clone()));
//! run_auth_store(&store).await;
//! run_session_store(&lucia::MemoryStore::<(), TestSession>::new()).await;
//! # });
//! ```

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;
use std::task::Poll;

use time::{Duration, OffsetDateTime};

use crate::clock::{Clock, ManualClock, SystemClock};
use crate::error::{Error, StoreError};
use crate::one_time::{StoredToken, TokenStore};
use crate::password::Argon2id;
use crate::session::{Session, SessionPolicy};
use crate::store::{AuthStore, MaybeSend, MaybeSync, SessionStore, UserStore};
use crate::throttle::{Limit, Op, RetryAfter, ThrottleBackend};
use crate::token::{SecretHash, generate_id};
use crate::two_factor::{TwoFactor, TwoFactorStore};
use crate::user::{Key, KeyId, NewKey, NewUser, User};
use crate::{InvalidReason, Lucia, Validation};

/// Attribute types the suite can make up values for.
pub trait Fixture: Clone + PartialEq + Debug + MaybeSend + MaybeSync + 'static {
    /// A value derived from `seed`; different seeds give values that differ in every unique
    /// attribute.
    fn fixture(seed: u64) -> Self;

    /// A value that differs from `self` in its non-unique attributes but repeats a unique
    /// one, with that attribute's column name; `None` when the type has no unique attribute.
    fn conflicting(&self) -> Option<(Self, &'static str)> {
        None
    }
}

impl Fixture for () {
    fn fixture(_: u64) -> Self {}
}

/// User attributes for the suite: a unique email, an optional name, a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestUser {
    /// Unique across users (a unique column named `email`).
    pub email: String,
    /// Sometimes `None`, to test nullable columns.
    pub name: Option<String>,
    /// A boolean column.
    pub admin: bool,
}

impl Fixture for TestUser {
    fn fixture(seed: u64) -> Self {
        Self {
            email: format!("user-{seed}@example.com"),
            name: seed
                .is_multiple_of(2)
                .then(|| format!("Ada «{seed}» Lovelace")),
            admin: seed.is_multiple_of(3),
        }
    }

    fn conflicting(&self) -> Option<(Self, &'static str)> {
        Some((
            Self {
                email: self.email.clone(),
                name: Some("Someone Else".into()),
                admin: !self.admin,
            },
            "email",
        ))
    }
}

/// Session attributes for the suite: an optional IP address and a user agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSession {
    /// Sometimes `None`, to test nullable columns.
    pub ip: Option<String>,
    /// Always set.
    pub user_agent: String,
}

impl Fixture for TestSession {
    fn fixture(seed: u64) -> Self {
        Self {
            ip: (seed % 2 == 1).then(|| format!("192.0.2.{}", seed % 250)),
            user_agent: format!("Mozilla/5.0 (suite {seed}) 'quoted' \"double\""),
        }
    }
}

fn seed() -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS random number generator works");
    u64::from_le_bytes(bytes) >> 12
}

fn id(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        generate_id().expect("the OS random number generator works")
    )
}

fn now() -> OffsetDateTime {
    let now = SystemClock.now();
    now.replace_nanosecond(0).unwrap_or(now)
}

fn key(provider: &str, provider_user_id: &str, user_id: &str, password_hash: Option<&str>) -> Key {
    Key {
        id: KeyId::new(provider, provider_user_id).expect("valid provider id"),
        user_id: user_id.to_owned(),
        password_hash: password_hash.map(str::to_owned),
    }
}

fn session<A: Fixture>(
    user_id: &str,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Session<A> {
    Session {
        id: id("s"),
        user_id: user_id.to_owned(),
        secret_hash: SecretHash::of(&id("secret")),
        created_at,
        expires_at,
        lifetime: None,
        fresh: false,
        attributes: A::fixture(seed()),
    }
}

fn user<A: Fixture>() -> User<A> {
    User {
        id: id("u"),
        attributes: A::fixture(seed()),
    }
}

macro_rules! ok {
    ($what:expr, $fut:expr) => {
        match $fut.await {
            Ok(value) => value,
            Err(err) => panic!("{}: unexpected store error: {err:?}", $what),
        }
    };
}

/// Runs every user-store behaviour against `store`.
pub async fn run_user_store<S>(store: &S)
where
    S: UserStore,
    S::UserAttributes: Fixture,
{
    user_round_trip(store).await;
    duplicates_leave_nothing_behind(store).await;
    keys(store).await;
    user_updates_and_deletes(store).await;
    unique_attributes(store).await;
}

async fn user_round_trip<S: UserStore>(store: &S)
where
    S::UserAttributes: Fixture,
{
    assert_eq!(
        ok!("get_user(unknown)", store.get_user(&id("nobody"))),
        None,
        "unknown user must be None"
    );
    let plain = user::<S::UserAttributes>();
    ok!("insert_user without key", store.insert_user(&plain, None));
    assert_eq!(
        ok!("get_user", store.get_user(&plain.id)),
        Some(plain.clone()),
        "user round trip"
    );
    assert!(ok!("get_user_keys", store.get_user_keys(&plain.id)).is_empty());

    let with_key = user::<S::UserAttributes>();
    let k = key(
        "email",
        &format!("{}@example.com", with_key.id),
        &with_key.id,
        Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
    );
    ok!(
        "insert_user with key",
        store.insert_user(&with_key, Some(&k))
    );
    assert_eq!(
        ok!("get_user", store.get_user(&with_key.id)),
        Some(with_key.clone())
    );
    assert_eq!(
        ok!("get_key", store.get_key(&k.id)),
        Some(k.clone()),
        "key round trip"
    );
    assert_eq!(
        ok!("get_user_keys", store.get_user_keys(&with_key.id)),
        vec![k]
    );
}

async fn duplicates_leave_nothing_behind<S: UserStore>(store: &S)
where
    S::UserAttributes: Fixture,
{
    let first = user::<S::UserAttributes>();
    let k = key("email", &format!("dup-{}", first.id), &first.id, None);
    ok!("insert_user", store.insert_user(&first, Some(&k)));

    // Same key, new user: DuplicateKey and the new user must not exist.
    let second = user::<S::UserAttributes>();
    let k2 = Key {
        user_id: second.id.clone(),
        ..k.clone()
    };
    match store.insert_user(&second, Some(&k2)).await {
        Err(StoreError::DuplicateKey) => {}
        other => panic!("insert_user with a taken key must fail with DuplicateKey, got {other:?}"),
    }
    assert_eq!(
        ok!("get_user", store.get_user(&second.id)),
        None,
        "a failed insert_user must leave no user behind"
    );
    assert_eq!(
        ok!("get_key", store.get_key(&k.id)),
        Some(k.clone()),
        "the original key must be untouched"
    );
    assert_eq!(
        ok!("get_user", store.get_user(&first.id)),
        Some(first.clone())
    );

    // Same user id, new key: DuplicateUserId and the new key must not exist.
    let mut clash = user::<S::UserAttributes>();
    clash.id = first.id.clone();
    let k3 = key("email", &format!("clash-{}", first.id), &first.id, None);
    match store.insert_user(&clash, Some(&k3)).await {
        Err(StoreError::DuplicateUserId) => {}
        other => {
            panic!("insert_user with a taken id must fail with DuplicateUserId, got {other:?}")
        }
    }
    assert_eq!(
        ok!("get_key", store.get_key(&k3.id)),
        None,
        "a failed insert_user must leave no key behind"
    );
    assert_eq!(
        ok!("get_user", store.get_user(&first.id)),
        Some(first),
        "the original user must be untouched"
    );
}

async fn keys<S: UserStore>(store: &S)
where
    S::UserAttributes: Fixture,
{
    let owner = user::<S::UserAttributes>();
    let other = user::<S::UserAttributes>();
    ok!("insert_user", store.insert_user(&owner, None));
    ok!("insert_user", store.insert_user(&other, None));

    // Unknown user.
    let orphan = key("github", &id("gh"), &id("nobody"), None);
    match store.insert_key(&orphan).await {
        Err(StoreError::UnknownUser) => {}
        other => panic!("insert_key for an unknown user must fail with UnknownUser, got {other:?}"),
    }
    assert_eq!(ok!("get_key", store.get_key(&orphan.id)), None);

    // Passwordless key, odd provider user ids, case sensitivity.
    let tag = id("k");
    let github = key(
        "github",
        &format!("{tag}:with:colons ünïcödé"),
        &owner.id,
        None,
    );
    let lower = key(
        "email",
        &format!("{tag}@example.com"),
        &owner.id,
        Some("hash-lower"),
    );
    let upper = key(
        "email",
        &format!("{}@EXAMPLE.com", tag.to_uppercase()),
        &owner.id,
        Some("hash-upper"),
    );
    let theirs = key(
        "email",
        &format!("{tag}-other@example.com"),
        &other.id,
        Some("hash-other"),
    );
    for k in [&github, &lower, &upper, &theirs] {
        ok!("insert_key", store.insert_key(k));
    }
    assert_eq!(
        ok!("get_key", store.get_key(&github.id)),
        Some(github.clone()),
        "passwordless key round trip"
    );
    assert_eq!(
        ok!("get_key", store.get_key(&upper.id)),
        Some(upper.clone()),
        "provider user ids are case-sensitive"
    );
    assert_eq!(
        ok!("get_key", store.get_key(&lower.id)),
        Some(lower.clone()),
        "provider user ids are case-sensitive"
    );
    match store
        .insert_key(&Key {
            user_id: other.id.clone(),
            ..lower.clone()
        })
        .await
    {
        Err(StoreError::DuplicateKey) => {}
        other => panic!("insert_key with a taken key must fail with DuplicateKey, got {other:?}"),
    }
    assert_eq!(
        ok!("get_key", store.get_key(&lower.id)),
        Some(lower.clone())
    );

    let mut listed = ok!("get_user_keys", store.get_user_keys(&owner.id));
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = vec![github.clone(), lower.clone(), upper.clone()];
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        listed, expected,
        "get_user_keys must return exactly the user's keys"
    );
    assert!(ok!("get_user_keys(unknown)", store.get_user_keys(&id("nobody"))).is_empty());

    // Password updates.
    assert!(ok!(
        "update_key_password",
        store.update_key_password(&lower.id, Some("hash-new"))
    ));
    assert_eq!(
        ok!("get_key", store.get_key(&lower.id)).and_then(|k| k.password_hash),
        Some("hash-new".to_owned())
    );
    assert!(ok!(
        "update_key_password(None)",
        store.update_key_password(&lower.id, None)
    ));
    assert_eq!(
        ok!("get_key", store.get_key(&lower.id)).map(|k| k.password_hash),
        Some(None),
        "None removes the password"
    );
    assert_eq!(
        ok!("get_key", store.get_key(&upper.id)).and_then(|k| k.password_hash),
        Some("hash-upper".to_owned()),
        "update_key_password must touch only its key"
    );
    let unknown = KeyId::new("email", id("nobody")).expect("valid");
    assert!(!ok!(
        "update_key_password(unknown)",
        store.update_key_password(&unknown, Some("x"))
    ));
    assert_eq!(
        ok!("get_key", store.get_key(&unknown)),
        None,
        "updating an unknown key must not create it"
    );

    // Deletes.
    ok!("delete_key", store.delete_key(&lower.id));
    assert_eq!(ok!("get_key", store.get_key(&lower.id)), None);
    assert_eq!(
        ok!("get_key", store.get_key(&upper.id)),
        Some(upper.clone()),
        "delete_key must touch only its key"
    );
    assert_eq!(
        ok!("get_key", store.get_key(&theirs.id)),
        Some(theirs.clone())
    );
    ok!("delete_key(unknown)", store.delete_key(&unknown));
}

async fn user_updates_and_deletes<S: UserStore>(store: &S)
where
    S::UserAttributes: Fixture,
{
    let a = user::<S::UserAttributes>();
    let b = user::<S::UserAttributes>();
    let ka = key("email", &format!("{}@example.com", a.id), &a.id, Some("ha"));
    let kb = key("email", &format!("{}@example.com", b.id), &b.id, Some("hb"));
    ok!("insert_user", store.insert_user(&a, Some(&ka)));
    ok!("insert_user", store.insert_user(&b, Some(&kb)));

    let updated = S::UserAttributes::fixture(seed());
    assert!(ok!(
        "update_user_attributes",
        store.update_user_attributes(&a.id, &updated)
    ));
    let expected = User {
        id: a.id.clone(),
        attributes: updated.clone(),
    };
    assert_eq!(
        ok!("get_user", store.get_user(&a.id)),
        Some(expected.clone()),
        "updated attributes round trip"
    );
    assert_eq!(
        ok!("get_user", store.get_user(&b.id)),
        Some(b.clone()),
        "update must touch only its user"
    );
    let nobody = id("nobody");
    assert!(!ok!(
        "update_user_attributes(unknown)",
        store.update_user_attributes(&nobody, &updated)
    ));
    assert_eq!(
        ok!("get_user", store.get_user(&nobody)),
        None,
        "updating an unknown user must not create it"
    );

    ok!("delete_user", store.delete_user(&a.id));
    assert_eq!(ok!("get_user", store.get_user(&a.id)), None);
    assert_eq!(
        ok!("get_key", store.get_key(&ka.id)),
        None,
        "delete_user must delete the user's keys"
    );
    assert_eq!(
        ok!("get_user", store.get_user(&b.id)),
        Some(b.clone()),
        "delete_user must touch only its user"
    );
    assert_eq!(ok!("get_key", store.get_key(&kb.id)), Some(kb));
    ok!("delete_user(unknown)", store.delete_user(&nobody));
}

async fn unique_attributes<S: UserStore>(store: &S)
where
    S::UserAttributes: Fixture,
{
    let first = user::<S::UserAttributes>();
    let Some((conflicting, column)) = first.attributes.conflicting() else {
        return;
    };
    ok!("insert_user", store.insert_user(&first, None));
    let second = User {
        id: id("u"),
        attributes: conflicting.clone(),
    };
    let k = key(
        "email",
        &format!("{}@example.com", second.id),
        &second.id,
        None,
    );
    match store.insert_user(&second, Some(&k)).await {
        Err(StoreError::UniqueViolation { column: got }) if got == column => {}
        other => panic!(
            "a unique {column:?} clash must fail with UniqueViolation {{ column: {column:?} }}, got {other:?}"
        ),
    }
    assert_eq!(
        ok!("get_user", store.get_user(&second.id)),
        None,
        "nothing half-written after a unique violation"
    );
    assert_eq!(
        ok!("get_key", store.get_key(&k.id)),
        None,
        "nothing half-written after a unique violation"
    );

    let third = user::<S::UserAttributes>();
    ok!("insert_user", store.insert_user(&third, None));
    match store.update_user_attributes(&third.id, &conflicting).await {
        Err(StoreError::UniqueViolation { column: got }) if got == column => {}
        other => {
            panic!("an update clashing on {column:?} must fail with UniqueViolation, got {other:?}")
        }
    }
    assert_eq!(
        ok!("get_user", store.get_user(&third.id)),
        Some(third),
        "a failed update must change nothing"
    );
}

/// Runs every session-store behaviour against a store that holds no users: sessions refer to
/// user ids that exist nowhere.
pub async fn run_session_store<S>(store: &S)
where
    S: SessionStore,
    S::SessionAttributes: Fixture,
{
    let users = [id("orphan"), id("orphan")];
    session_behaviours(store, &users).await;
}

async fn session_behaviours<S>(store: &S, users: &[String; 2])
where
    S: SessionStore,
    S::SessionAttributes: Fixture,
{
    let [u1, u2] = users;
    let now = now();
    assert_eq!(
        ok!("get_session(unknown)", store.get_session(&id("nobody"))),
        None
    );

    // Round trips, with and without a per-session lifetime, near and far expiries.
    let plain = session::<S::SessionAttributes>(u1, now, now + Duration::days(30));
    let mut remembered =
        session::<S::SessionAttributes>(u1, now - Duration::days(3), now + Duration::days(362));
    remembered.lifetime = Some(Duration::days(365));
    let far = session::<S::SessionAttributes>(
        u2,
        now,
        OffsetDateTime::new_utc(
            time::Date::from_calendar_date(2099, time::Month::December, 31).expect("valid date"),
            time::Time::from_hms(23, 59, 59).expect("valid time"),
        ),
    );
    let mut fresh = session::<S::SessionAttributes>(u2, now, now + Duration::hours(1));
    fresh.fresh = true;
    for s in [&plain, &remembered, &far, &fresh] {
        ok!("insert_session", store.insert_session(s));
    }
    for s in [&plain, &remembered, &far] {
        assert_eq!(
            ok!("get_session", store.get_session(&s.id)),
            Some(s.clone()),
            "session round trip (every field)"
        );
    }
    let stored_fresh = ok!("get_session", store.get_session(&fresh.id));
    assert_eq!(
        stored_fresh,
        Some(Session {
            fresh: false,
            ..fresh.clone()
        }),
        "`fresh` is not stored"
    );

    // Listing.
    let mut listed = ok!("get_user_sessions", store.get_user_sessions(u1));
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = vec![plain.clone(), remembered.clone()];
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        listed, expected,
        "get_user_sessions must return exactly the user's sessions"
    );
    assert!(
        ok!(
            "get_user_sessions(unknown)",
            store.get_user_sessions(&id("nobody"))
        )
        .is_empty()
    );

    // Updates.
    let later = now + Duration::days(45);
    assert!(ok!(
        "update_session_expiry",
        store.update_session_expiry(&plain.id, later)
    ));
    let attrs = S::SessionAttributes::fixture(seed());
    assert!(ok!(
        "update_session_attributes",
        store.update_session_attributes(&plain.id, &attrs)
    ));
    let updated = Session {
        expires_at: later,
        attributes: attrs.clone(),
        ..plain.clone()
    };
    assert_eq!(
        ok!("get_session", store.get_session(&plain.id)),
        Some(updated.clone()),
        "updated session round trip"
    );
    assert_eq!(
        ok!("get_session", store.get_session(&remembered.id)),
        Some(remembered.clone()),
        "updates touch only their session"
    );
    // Forward only: an extension computed earlier (a slower concurrent request) that lands
    // later must not move the expiry back.
    assert!(
        ok!(
            "update_session_expiry(earlier)",
            store.update_session_expiry(&plain.id, later - Duration::days(1))
        ),
        "update_session_expiry to an earlier time still reports an existing session"
    );
    assert_eq!(
        ok!("get_session", store.get_session(&plain.id)),
        Some(updated.clone()),
        "update_session_expiry never moves an expiry back"
    );
    let nobody = id("nobody");
    assert!(!ok!(
        "update_session_expiry(unknown)",
        store.update_session_expiry(&nobody, later)
    ));
    assert!(!ok!(
        "update_session_attributes(unknown)",
        store.update_session_attributes(&nobody, &attrs)
    ));
    assert_eq!(
        ok!("get_session", store.get_session(&nobody)),
        None,
        "updating an unknown session must not create it"
    );

    // Deletes.
    ok!("delete_session", store.delete_session(&plain.id));
    assert_eq!(ok!("get_session", store.get_session(&plain.id)), None);
    assert_eq!(
        ok!("get_session", store.get_session(&remembered.id)),
        Some(remembered.clone()),
        "delete_session touches only its session"
    );
    ok!("delete_session(unknown)", store.delete_session(&nobody));
    ok!("delete_user_sessions", store.delete_user_sessions(u2));
    assert_eq!(ok!("get_session", store.get_session(&far.id)), None);
    assert_eq!(ok!("get_session", store.get_session(&fresh.id)), None);
    assert_eq!(
        ok!("get_session", store.get_session(&remembered.id)),
        Some(remembered.clone()),
        "delete_user_sessions touches only its user"
    );
    ok!(
        "delete_user_sessions(unknown)",
        store.delete_user_sessions(&nobody)
    );

    // Expired purge: `expires_at <= now` goes, the rest stays.
    let expired =
        session::<S::SessionAttributes>(u1, now - Duration::days(31), now - Duration::days(1));
    let at_boundary = session::<S::SessionAttributes>(u2, now - Duration::days(30), now);
    let live = session::<S::SessionAttributes>(u2, now, now + Duration::SECOND);
    for s in [&expired, &at_boundary, &live] {
        ok!("insert_session", store.insert_session(s));
    }
    let purged = ok!(
        "delete_expired_sessions",
        store.delete_expired_sessions(now)
    );
    assert_eq!(
        ok!("get_session", store.get_session(&expired.id)),
        None,
        "expired session must be purged"
    );
    assert_eq!(
        ok!("get_session", store.get_session(&at_boundary.id)),
        None,
        "a session expiring exactly now is expired"
    );
    assert_eq!(
        ok!("get_session", store.get_session(&live.id)),
        Some(live.clone()),
        "live sessions survive the purge"
    );
    assert!(
        purged >= 2,
        "delete_expired_sessions must count what it deleted (got {purged}, expected at least 2)"
    );
    assert_eq!(
        ok!("get_session", store.get_session(&remembered.id)),
        Some(remembered),
        "live sessions survive the purge"
    );
    ok!("cleanup", store.delete_user_sessions(u1));
    ok!("cleanup", store.delete_user_sessions(u2));
}

/// Runs every user-store and session-store behaviour, the session-with-user lookup, and a
/// full [`Lucia`] flow against a store that holds both users and sessions.
pub async fn run_auth_store<S>(store: &S)
where
    S: AuthStore,
    S::UserAttributes: Fixture,
    S::SessionAttributes: Fixture,
{
    run_user_store(store).await;

    let (u1, u2) = (user::<S::UserAttributes>(), user::<S::UserAttributes>());
    ok!("insert_user", store.insert_user(&u1, None));
    ok!("insert_user", store.insert_user(&u2, None));
    session_behaviours(store, &[u1.id.clone(), u2.id.clone()]).await;

    // Session with its user.
    let now = now();
    let s = session::<S::SessionAttributes>(&u1.id, now, now + Duration::days(30));
    ok!("insert_session", store.insert_session(&s));
    assert_eq!(
        ok!("get_session_and_user", store.get_session_and_user(&s.id)),
        Some((s.clone(), Some(u1.clone()))),
        "session-with-user round trip"
    );
    assert_eq!(
        ok!(
            "get_session_and_user(unknown)",
            store.get_session_and_user(&id("nobody"))
        ),
        None
    );

    // A session for a user that does not exist: refused (foreign key) or kept as an orphan.
    let orphan = session::<S::SessionAttributes>(&id("nobody"), now, now + Duration::days(1));
    match store.insert_session(&orphan).await {
        Ok(()) => assert_eq!(
            ok!(
                "get_session_and_user",
                store.get_session_and_user(&orphan.id)
            ),
            Some((orphan.clone(), None)),
            "an orphan session comes back without a user"
        ),
        Err(StoreError::UnknownUser) => {}
        Err(other) => panic!(
            "a session for an unknown user must be accepted or fail with UnknownUser, got {other:?}"
        ),
    }

    // Deleting a user who still has sessions works (sessions go too, or are left orphaned).
    ok!("delete_user with sessions", store.delete_user(&u1.id));
    match ok!("get_session_and_user", store.get_session_and_user(&s.id)) {
        None | Some((_, None)) => {}
        Some((_, Some(user))) => {
            panic!("a deleted user must not come back with its session: {user:?}")
        }
    }
    ok!("cleanup", store.delete_user_sessions(&u1.id));
    ok!("cleanup", store.delete_user(&u2.id));
    ok!("cleanup", store.delete_session(&orphan.id));

    lucia_flow(store).await;
}

/// A whole sign-up → sign-in → validate → renew → expire → delete flow through [`Lucia`].
async fn lucia_flow<S>(store: &S)
where
    S: AuthStore,
    S::UserAttributes: Fixture,
    S::SessionAttributes: Fixture,
{
    let clock = Arc::new(ManualClock::new(now()));
    let lucia = Lucia::new(store)
        .with_hasher(Argon2id::insecure_for_tests())
        .with_clock(Arc::clone(&clock))
        .with_session_policy(SessionPolicy::default());
    let email = format!("{}@example.com", id("flow"));
    let attrs = S::UserAttributes::fixture(seed());
    let new = NewUser::new(attrs.clone()).key(
        NewKey::new("email", &email)
            .expect("valid")
            .password("correct horse battery"),
    );
    let user = ok!("create_user", lucia.create_user(new));
    assert_eq!(
        ok!("get_user", lucia.get_user(&user.id)),
        Some(user.clone())
    );

    let again = NewUser::new(S::UserAttributes::fixture(seed())).key(
        NewKey::new("email", &email)
            .expect("valid")
            .password("another password"),
    );
    assert!(
        matches!(lucia.create_user(again).await, Err(Error::DuplicateKey)),
        "duplicate key through Lucia"
    );

    assert!(matches!(
        lucia.use_key("email", &email, Some("wrong password")).await,
        Err(Error::InvalidPassword)
    ));
    let k = ok!(
        "use_key",
        lucia.use_key("email", &email, Some("correct horse battery"))
    );
    assert_eq!(k.user_id, user.id);

    let (session, token) = ok!(
        "create_session",
        lucia.create_session(&user.id, S::SessionAttributes::fixture(seed()))
    );
    let valid = ok!(
        "validate_session",
        lucia.validate_session(token.expose_secret())
    );
    let Validation::Valid(v) = valid else {
        panic!("a new session must validate: {valid:?}")
    };
    assert_eq!(v.user, user);
    assert!(!v.session.fresh, "a new session needs no renewal");

    // 16 days later: less than half of 30 days remains, so it is extended (fresh) and stored.
    clock.advance(Duration::days(16));
    let renewed = ok!(
        "validate_session",
        lucia.validate_session(token.expose_secret())
    )
    .valid()
    .expect("valid after 16 days");
    assert!(renewed.session.fresh, "renewal marks the session fresh");
    assert_eq!(renewed.session.expires_at, lucia.now() + Duration::days(30));
    let stored = ok!("get_session", store.get_session(&session.id)).expect("stored");
    assert_eq!(
        stored.expires_at, renewed.session.expires_at,
        "renewal is stored"
    );

    // Past expiry: invalid, and deleted.
    clock.advance(Duration::days(31));
    assert_eq!(
        ok!(
            "validate_session",
            lucia.validate_session(token.expose_secret())
        ),
        Validation::Invalid(InvalidReason::Expired)
    );
    assert_eq!(
        ok!("get_session", store.get_session(&session.id)),
        None,
        "expired sessions are deleted on validation"
    );

    let (_, token) = ok!(
        "create_session",
        lucia.create_session(&user.id, S::SessionAttributes::fixture(seed()))
    );
    ok!("delete_user", lucia.delete_user(&user.id));
    assert!(
        !ok!(
            "validate_session",
            lucia.validate_session(token.expose_secret())
        )
        .is_valid()
    );
    assert_eq!(ok!("get_key", lucia.get_key("email", &email)), None);
}

fn stored_token(
    user_id: &str,
    purpose: &str,
    secret: &str,
    expires_at: OffsetDateTime,
) -> StoredToken {
    StoredToken {
        id: id("t"),
        user_id: user_id.to_owned(),
        purpose: purpose.to_owned(),
        email: Some(format!("{user_id}@example.com")),
        secret_hash: SecretHash::of(secret),
        created_at: now(),
        expires_at,
        attempts: 0,
    }
}

/// Polls every future at once (no runtime needed), so a store sees truly concurrent calls.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// Runs every one-time token behaviour: round trip, purpose scoping, replacement of the
/// previous token, atomic single use under concurrency, the attempt cap, deletes and the
/// expired purge. Tokens belong to users, so the suite creates them through the user store.
pub async fn run_token_store<S>(store: &S)
where
    S: TokenStore + UserStore,
    S::UserAttributes: Fixture,
{
    let (ada, bob) = (user::<S::UserAttributes>(), user::<S::UserAttributes>());
    ok!("insert_user", store.insert_user(&ada, None));
    ok!("insert_user", store.insert_user(&bob, None));
    let later = now() + Duration::hours(1);
    let purpose = "email_verification";

    // Round trip and purpose scoping.
    let token = stored_token(&ada.id, purpose, "secret-1", later);
    ok!("insert_token", store.insert_token(&token));
    assert_eq!(
        ok!("get_user_token", store.get_user_token(&ada.id, purpose)),
        Some(token.clone()),
        "token round trip"
    );
    assert_eq!(
        ok!(
            "get_user_token",
            store.get_user_token(&ada.id, "password_reset")
        ),
        None
    );
    assert_eq!(
        ok!(
            "take_token",
            store.take_token("password_reset", &token.secret_hash)
        ),
        None,
        "purposes are separate"
    );
    assert_eq!(
        ok!(
            "take_token",
            store.take_token(purpose, &SecretHash::of("wrong"))
        ),
        None
    );
    assert_eq!(
        ok!("take_token", store.take_token(purpose, &token.secret_hash)),
        Some(token.clone()),
        "take returns the token"
    );
    assert_eq!(
        ok!("take_token", store.take_token(purpose, &token.secret_hash)),
        None,
        "single use"
    );
    assert_eq!(
        ok!("get_user_token", store.get_user_token(&ada.id, purpose)),
        None,
        "take deletes"
    );

    // A new token replaces the user's previous one of the same purpose only.
    let first = stored_token(&ada.id, purpose, "first", later);
    let other_purpose = stored_token(&ada.id, "password_reset", "reset", later);
    let bobs = stored_token(&bob.id, purpose, "bobs", later);
    for t in [&first, &other_purpose, &bobs] {
        ok!("insert_token", store.insert_token(t));
    }
    let second = stored_token(&ada.id, purpose, "second", later);
    ok!("insert_token", store.insert_token(&second));
    assert_eq!(
        ok!("take_token", store.take_token(purpose, &first.secret_hash)),
        None,
        "the previous token is void"
    );
    assert_eq!(
        ok!("get_user_token", store.get_user_token(&ada.id, purpose)),
        Some(second.clone())
    );
    assert_eq!(
        ok!(
            "get_user_token",
            store.get_user_token(&ada.id, "password_reset")
        ),
        Some(other_purpose.clone())
    );
    assert_eq!(
        ok!("get_user_token", store.get_user_token(&bob.id, purpose)),
        Some(bobs.clone())
    );

    // Codes: bound to their user, capped by wrong attempts.
    assert_eq!(
        ok!(
            "take_user_token",
            store.take_user_token(&bob.id, purpose, &second.secret_hash, 5)
        ),
        None,
        "another user's code"
    );
    for _ in 0..3 {
        ok!(
            "record_failed_attempt",
            store.record_failed_attempt(&ada.id, purpose)
        );
    }
    ok!(
        "record_failed_attempt(unknown)",
        store.record_failed_attempt(&id("nobody"), purpose)
    );
    let attempts =
        ok!("get_user_token", store.get_user_token(&ada.id, purpose)).map(|t| t.attempts);
    assert_eq!(attempts, Some(3), "wrong attempts are counted");
    assert_eq!(
        ok!("get_user_token", store.get_user_token(&bob.id, purpose)).map(|t| t.attempts),
        Some(0)
    );
    assert_eq!(
        ok!(
            "take_user_token",
            store.take_user_token(&ada.id, purpose, &second.secret_hash, 3)
        ),
        None,
        "a code at its attempt cap cannot be taken"
    );
    let taken = ok!(
        "take_user_token",
        store.take_user_token(&ada.id, purpose, &second.secret_hash, 4)
    );
    assert_eq!(
        taken.map(|t| t.id),
        Some(second.id.clone()),
        "below the cap the right code is taken"
    );

    // Deletes.
    let third = stored_token(&ada.id, purpose, "third", later);
    ok!("insert_token", store.insert_token(&third));
    ok!(
        "delete_user_tokens(purpose)",
        store.delete_user_tokens(&ada.id, Some(purpose))
    );
    assert_eq!(
        ok!("get_user_token", store.get_user_token(&ada.id, purpose)),
        None
    );
    assert_eq!(
        ok!(
            "get_user_token",
            store.get_user_token(&ada.id, "password_reset")
        ),
        Some(other_purpose.clone())
    );
    ok!(
        "delete_user_tokens(all)",
        store.delete_user_tokens(&ada.id, None)
    );
    assert_eq!(
        ok!(
            "get_user_token",
            store.get_user_token(&ada.id, "password_reset")
        ),
        None
    );
    assert_eq!(
        ok!("get_user_token", store.get_user_token(&bob.id, purpose)),
        Some(bobs.clone()),
        "other users untouched"
    );

    // Expired purge: `expires_at <= now` goes.
    let now = now();
    let expired = stored_token(&ada.id, "magic_link", "old", now - Duration::minutes(1));
    let boundary = stored_token(&ada.id, "email_change", "edge", now);
    for t in [&expired, &boundary] {
        ok!("insert_token", store.insert_token(t));
    }
    let purged = ok!("delete_expired_tokens", store.delete_expired_tokens(now));
    assert_eq!(
        ok!(
            "get_user_token",
            store.get_user_token(&ada.id, "magic_link")
        ),
        None,
        "expired tokens are purged"
    );
    assert_eq!(
        ok!(
            "get_user_token",
            store.get_user_token(&ada.id, "email_change")
        ),
        None,
        "a token expiring now is expired"
    );
    assert!(
        purged >= 2,
        "delete_expired_tokens counts what it deleted (got {purged})"
    );
    assert_eq!(
        ok!("get_user_token", store.get_user_token(&bob.id, purpose)),
        Some(bobs.clone()),
        "live tokens survive"
    );

    // Concurrent uses of one token: exactly one wins.
    let race = stored_token(&ada.id, "password_reset", "race", later);
    ok!("insert_token", store.insert_token(&race));
    let takers: Vec<_> = (0..20)
        .map(|_| store.take_token("password_reset", &race.secret_hash))
        .collect();
    let winners = join_all(takers)
        .await
        .into_iter()
        .map(|r| r.unwrap_or_else(|err| panic!("concurrent take_token: {err:?}")))
        .filter(Option::is_some)
        .count();
    assert_eq!(
        winners, 1,
        "of 20 concurrent take_token calls exactly one gets the token"
    );
    let code = stored_token(&ada.id, purpose, "code", later);
    ok!("insert_token", store.insert_token(&code));
    let takers: Vec<_> = (0..20)
        .map(|_| store.take_user_token(&ada.id, purpose, &code.secret_hash, 5))
        .collect();
    let winners = join_all(takers)
        .await
        .into_iter()
        .map(|r| r.unwrap_or_else(|err| panic!("concurrent take_user_token: {err:?}")))
        .filter(Option::is_some)
        .count();
    assert_eq!(
        winners, 1,
        "of 20 concurrent take_user_token calls exactly one gets the code"
    );

    // Concurrent wrong attempts are all counted (atomic increments).
    let counted = stored_token(&ada.id, "magic_link", "counted", later);
    ok!("insert_token", store.insert_token(&counted));
    let failures: Vec<_> = (0..10)
        .map(|_| store.record_failed_attempt(&ada.id, "magic_link"))
        .collect();
    for result in join_all(failures).await {
        result.unwrap_or_else(|err| panic!("concurrent record_failed_attempt: {err:?}"));
    }
    assert_eq!(
        ok!(
            "get_user_token",
            store.get_user_token(&ada.id, "magic_link")
        )
        .map(|t| t.attempts),
        Some(10),
        "10 concurrent wrong attempts count 10"
    );

    // Deleting a user deletes their tokens.
    ok!(
        "insert_token",
        store.insert_token(&stored_token(&bob.id, "magic_link", "bye", later))
    );
    ok!("delete_user", store.delete_user(&bob.id));
    assert_eq!(
        ok!("get_user_token", store.get_user_token(&bob.id, purpose)),
        None,
        "delete_user deletes tokens"
    );
    assert_eq!(
        ok!(
            "get_user_token",
            store.get_user_token(&bob.id, "magic_link")
        ),
        None
    );
    ok!("cleanup", store.delete_user(&ada.id));
}

/// Runs every two-factor storage behaviour: round trip, enabling, the replay guard (also
/// under concurrency), recovery codes (single use under concurrency), deletes.
pub async fn run_two_factor_store<S>(store: &S)
where
    S: TwoFactorStore + UserStore,
    S::UserAttributes: Fixture,
{
    let (ada, bob) = (user::<S::UserAttributes>(), user::<S::UserAttributes>());
    ok!("insert_user", store.insert_user(&ada, None));
    ok!("insert_user", store.insert_user(&bob, None));
    assert_eq!(
        ok!("get_two_factor(none)", store.get_two_factor(&ada.id)),
        None
    );
    let record = TwoFactor {
        user_id: ada.id.clone(),
        secret: (0u8..20).collect(),
        enabled: false,
        last_used_step: None,
        created_at: now(),
    };
    ok!("put_two_factor", store.put_two_factor(&record));
    assert_eq!(
        ok!("get_two_factor", store.get_two_factor(&ada.id)),
        Some(record.clone()),
        "two-factor round trip"
    );
    match store
        .put_two_factor(&TwoFactor {
            user_id: id("nobody"),
            ..record.clone()
        })
        .await
    {
        Err(StoreError::UnknownUser) => {}
        other => {
            panic!("put_two_factor for an unknown user must fail with UnknownUser, got {other:?}")
        }
    }
    assert!(ok!("enable_two_factor", store.enable_two_factor(&ada.id)));
    assert!(!ok!(
        "enable_two_factor(none)",
        store.enable_two_factor(&bob.id)
    ));
    assert!(ok!("get_two_factor", store.get_two_factor(&ada.id)).is_some_and(|t| t.enabled));

    // The replay guard: only later steps are accepted; steps beyond u32 round-trip.
    assert!(ok!("use_step", store.use_step(&ada.id, 5_000_000_000)));
    assert!(
        !ok!("use_step(same)", store.use_step(&ada.id, 5_000_000_000)),
        "a step is used once"
    );
    assert!(
        !ok!("use_step(earlier)", store.use_step(&ada.id, 4_999_999_999)),
        "earlier steps are refused"
    );
    assert!(!ok!("use_step(no enrolment)", store.use_step(&bob.id, 1)));
    assert_eq!(
        ok!("get_two_factor", store.get_two_factor(&ada.id)).and_then(|t| t.last_used_step),
        Some(5_000_000_000)
    );
    let racers: Vec<_> = (0..20)
        .map(|_| store.use_step(&ada.id, 5_000_000_001))
        .collect();
    let winners = join_all(racers)
        .await
        .into_iter()
        .map(|r| r.unwrap_or_else(|err| panic!("concurrent use_step: {err:?}")))
        .filter(|won| *won)
        .count();
    assert_eq!(
        winners, 1,
        "of 20 concurrent uses of one step exactly one wins"
    );

    // Re-enrolling replaces the record (disabled again, guard reset).
    ok!("put_two_factor", store.put_two_factor(&record));
    assert_eq!(
        ok!("get_two_factor", store.get_two_factor(&ada.id)),
        Some(record.clone())
    );

    // Recovery codes.
    let codes: Vec<SecretHash> = (0..10)
        .map(|n| SecretHash::of(&format!("code-{n}")))
        .collect();
    ok!(
        "replace_recovery_codes",
        store.replace_recovery_codes(&ada.id, &codes)
    );
    ok!(
        "replace_recovery_codes",
        store.replace_recovery_codes(&bob.id, &codes[..2])
    );
    assert_eq!(
        ok!("count_recovery_codes", store.count_recovery_codes(&ada.id)),
        10
    );
    assert!(ok!(
        "take_recovery_code",
        store.take_recovery_code(&ada.id, &codes[0])
    ));
    assert!(
        !ok!(
            "take_recovery_code(again)",
            store.take_recovery_code(&ada.id, &codes[0])
        ),
        "single use"
    );
    assert!(!ok!(
        "take_recovery_code(wrong)",
        store.take_recovery_code(&ada.id, &SecretHash::of("nope"))
    ));
    assert_eq!(
        ok!("count_recovery_codes", store.count_recovery_codes(&ada.id)),
        9
    );
    assert_eq!(
        ok!("count_recovery_codes", store.count_recovery_codes(&bob.id)),
        2,
        "per user"
    );
    let racers: Vec<_> = (0..20)
        .map(|_| store.take_recovery_code(&ada.id, &codes[1]))
        .collect();
    let winners = join_all(racers)
        .await
        .into_iter()
        .map(|r| r.unwrap_or_else(|err| panic!("concurrent take_recovery_code: {err:?}")))
        .filter(|won| *won)
        .count();
    assert_eq!(
        winners, 1,
        "of 20 concurrent uses of one recovery code exactly one wins"
    );
    ok!(
        "replace_recovery_codes",
        store.replace_recovery_codes(&ada.id, &codes[5..7])
    );
    assert_eq!(
        ok!("count_recovery_codes", store.count_recovery_codes(&ada.id)),
        2,
        "replace drops the old codes"
    );
    assert!(!ok!(
        "take_recovery_code(replaced)",
        store.take_recovery_code(&ada.id, &codes[2])
    ));

    // Deletes.
    ok!("delete_two_factor", store.delete_two_factor(&ada.id));
    assert_eq!(ok!("get_two_factor", store.get_two_factor(&ada.id)), None);
    assert_eq!(
        ok!("count_recovery_codes", store.count_recovery_codes(&ada.id)),
        0,
        "codes go with the enrolment"
    );
    assert_eq!(
        ok!("count_recovery_codes", store.count_recovery_codes(&bob.id)),
        2,
        "other users untouched"
    );
    ok!("delete_user", store.delete_user(&bob.id));
    assert_eq!(
        ok!("count_recovery_codes", store.count_recovery_codes(&bob.id)),
        0,
        "delete_user deletes codes"
    );
    ok!("cleanup", store.delete_user(&ada.id));
}

/// Runs every throttle-backend behaviour: bucket draining with the exact wait, refill,
/// checks that count nothing, back-off doubling, reset, separate keys, and — concurrently —
/// exactly `capacity` allowed of many simultaneous attempts on one key.
pub async fn run_throttle_backend<B: ThrottleBackend>(backend: &B) {
    let base = now();
    let bucket = Limit::TokenBucket {
        capacity: 3,
        refill: Duration::seconds(10),
    };
    let key = id("throttle");
    let other = id("throttle");
    for n in 0..3 {
        assert_eq!(
            ok!("check", backend.apply(&key, &bucket, Op::Check, base)),
            Ok(()),
            "check {n}"
        );
        assert_eq!(
            ok!("hit", backend.apply(&key, &bucket, Op::Hit, base)),
            Ok(()),
            "hit {n} within capacity"
        );
    }
    assert_eq!(
        ok!("hit", backend.apply(&key, &bucket, Op::Hit, base)),
        Err(RetryAfter(Duration::seconds(10))),
        "over capacity: wait one refill"
    );
    assert_eq!(
        ok!(
            "check",
            backend.apply(&key, &bucket, Op::Check, base + Duration::seconds(4))
        ),
        Err(RetryAfter(Duration::seconds(6))),
        "the wait shrinks as time passes"
    );
    assert_eq!(
        ok!(
            "hit(other key)",
            backend.apply(&other, &bucket, Op::Hit, base)
        ),
        Ok(()),
        "keys are separate"
    );
    assert_eq!(
        ok!(
            "hit",
            backend.apply(&key, &bucket, Op::Hit, base + Duration::seconds(10))
        ),
        Ok(()),
        "one attempt back after a refill"
    );
    ok!("reset", backend.reset(&key));
    for _ in 0..3 {
        assert_eq!(
            ok!(
                "hit after reset",
                backend.apply(&key, &bucket, Op::Hit, base)
            ),
            Ok(())
        );
    }

    let backoff = Limit::Backoff {
        free: 1,
        base: Duration::seconds(2),
        max: Duration::seconds(5),
    };
    let key = id("backoff");
    let mut at = base;
    let mut waits = Vec::new();
    for _ in 0..4 {
        assert_eq!(
            ok!("backoff hit", backend.apply(&key, &backoff, Op::Hit, at)),
            Ok(())
        );
        if let Err(retry) = ok!(
            "backoff check",
            backend.apply(&key, &backoff, Op::Check, at)
        ) {
            waits.push(retry.0.whole_seconds());
            at += retry.0;
        }
    }
    assert_eq!(
        waits,
        vec![2, 4, 5],
        "back-off doubles from the first wait and stops at its cap"
    );
    ok!("reset", backend.reset(&key));
    assert_eq!(
        ok!(
            "check after reset",
            backend.apply(&key, &backoff, Op::Check, at)
        ),
        Ok(())
    );

    let key = id("race");
    let racers: Vec<_> = (0..20)
        .map(|_| backend.apply(&key, &bucket, Op::Hit, base))
        .collect();
    let allowed = join_all(racers)
        .await
        .into_iter()
        .map(|r| r.unwrap_or_else(|err| panic!("concurrent hit: {err:?}")))
        .filter(Result::is_ok)
        .count();
    assert_eq!(
        allowed, 3,
        "of 20 concurrent attempts exactly the capacity is allowed"
    );
}

#[cfg(not(target_arch = "wasm32"))]
pub mod races;
