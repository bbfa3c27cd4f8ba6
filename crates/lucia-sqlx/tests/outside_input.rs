//! Ids from outside input that no stored row can have — a NUL character, which PostgreSQL's
//! `text` cannot hold — are lookups that miss, not store errors (which apps turn into 503s).
//! Found by the demo's hostile-input sweep (`examples/demo/tests/hostile_input.rs`): a revoke
//! form with `session_id=%00` answered 503 on PostgreSQL.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

mod common;

use common::{Device, Profile, migrator, service_url, tables};
use lucia::store::{SessionStore, UserStore};
use lucia::{KeyId, Lucia, NewKey, NewUser};
use lucia_sqlx::SqlxStore;

#[tokio::test]
async fn nul_characters_in_ids_are_misses_on_postgres() {
    let Some(url) = service_url("LUCIA_POSTGRES_URL", "nul_characters_in_ids_are_misses") else {
        return;
    };
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let tables = tables("lt_outside_pg");
    migrator(tables.clone(), "TEXT").run(&pool).await.unwrap();
    let store = SqlxStore::<sqlx::Postgres, Profile, Device>::with_tables(pool, tables).unwrap();
    let lucia = Lucia::new(store.clone());
    let email = format!("{}@example.com", lucia::generate_id().unwrap());
    let user = lucia
        .create_user(
            NewUser::new(Profile {
                email: email.clone(),
                name: None,
                admin: false,
            })
            .key(NewKey::new("email", &email).unwrap()),
        )
        .await
        .unwrap();
    let nul = format!("{}\0", user.id);
    assert_eq!(store.get_user(&nul).await.unwrap(), None);
    assert_eq!(store.get_user_keys(&nul).await.unwrap(), vec![]);
    assert_eq!(
        store
            .get_key(&KeyId::new("email", format!("{email}\0")).unwrap())
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.get_session("\0").await.unwrap(), None);
    assert_eq!(store.get_user_sessions(&nul).await.unwrap(), vec![]);
    store.delete_session("a\0b").await.unwrap();
    assert!(lucia.get_session("x\0y").await.unwrap().is_none());
    assert!(
        lucia
            .validate_session("a\0b.c\0d")
            .await
            .is_ok_and(|v| !v.is_valid())
    );
    assert!(matches!(
        lucia.use_key("email", &format!("{email}\0"), None).await,
        Err(lucia::Error::UnknownKey)
    ));
    // The real rows are still found.
    assert_eq!(store.get_user(&user.id).await.unwrap(), Some(user));
}
