//! [`SqlxStore`]: lucia's user, key and session tables on a sqlx pool.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use lucia::one_time::{StoredToken, TokenStore};
use lucia::store::{AuthStore, SessionStore, StoreResult, UserStore};
use lucia::two_factor::{TwoFactor, TwoFactorStore};
use lucia::{Key, KeyId, SecretHash, Session, StoreError, User};
use sqlx::{Database, Pool, Row};
use time::{Duration, OffsetDateTime};

use crate::columns::Columns;
use crate::error::{Violation, backend, decode_error, is_primary_key, unique_column, violation};
use crate::schema::{Dialect, Migrator, PURGE_BATCH, SESSION_BASE_COLUMNS, Statements, Tables};

mod sealed {
    pub trait Sealed {}
}

/// A database lucia-sqlx supports: [`sqlx::Sqlite`], [`sqlx::Postgres`], [`sqlx::MySql`].
pub trait Backend: Database + sealed::Sealed {
    /// The backend's SQL dialect.
    const DIALECT: Dialect;

    /// Applies the migrator's pending migrations.
    #[doc(hidden)]
    fn migrate(
        pool: &Pool<Self>,
        migrator: &Migrator,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
}

/// Users, keys and sessions in SQL tables, through a sqlx [`Pool`] the app owns.
///
/// `UA` and `SA` are the app's user and session attribute types; each is stored as real
/// columns described by [`Columns`]. Validation is one query (sessions `LEFT JOIN` users);
/// extending a session is one `UPDATE`. Every statement is prepared from static text built at
/// construction. The pool's own settings bound how long a statement waits for a connection
/// (`acquire_timeout`): keep it short so a database outage answers with an error quickly.
pub struct SqlxStore<DB: Database, UA, SA> {
    pool: Pool<DB>,
    sql: Arc<Statements>,
    tables: Tables,
    attributes: PhantomData<fn() -> (UA, SA)>,
}

impl<DB: Database, UA, SA> Clone for SqlxStore<DB, UA, SA> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            sql: Arc::clone(&self.sql),
            tables: self.tables.clone(),
            attributes: PhantomData,
        }
    }
}

impl<DB: Database, UA, SA> fmt::Debug for SqlxStore<DB, UA, SA> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlxStore")
            .field("database", &DB::NAME)
            .field("tables", &self.tables)
            .finish_non_exhaustive()
    }
}

impl<DB: Backend, UA: Columns<DB>, SA: Columns<DB>> SqlxStore<DB, UA, SA> {
    /// A store over `pool` with the default table names. Fails ([`lucia::Error::Config`]) only
    /// when an attribute column name is not a plain identifier.
    pub fn new(pool: Pool<DB>) -> lucia::Result<Self> {
        Self::with_tables(pool, Tables::default())
    }

    /// A store over `pool` with custom table names.
    pub fn with_tables(pool: Pool<DB>, tables: Tables) -> lucia::Result<Self> {
        let sql = Statements::new(DB::DIALECT, &tables, UA::COLUMNS, SA::COLUMNS)?;
        Ok(Self {
            pool,
            sql: Arc::new(sql),
            tables,
            attributes: PhantomData,
        })
    }

    /// The pool.
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    /// The table names.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The error for a failed user insert or update: the primary key, an attribute's unique
    /// column, or anything else.
    fn user_error(&self, err: sqlx::Error) -> StoreError {
        match violation(&err) {
            Violation::Unique(Some(name)) if is_primary_key(&name, self.tables.users()) => {
                StoreError::DuplicateUserId
            }
            Violation::Unique(Some(name)) => StoreError::UniqueViolation {
                column: unique_column(&name, self.tables.users(), UA::COLUMNS),
            },
            Violation::Unique(None) => StoreError::UniqueViolation {
                column: "unknown".into(),
            },
            Violation::ForeignKey | Violation::None => backend(err),
        }
    }
}

impl Migrator {
    /// Applies every pending migration on `pool`. Safe to call at every start-up.
    ///
    /// ```no_run
    /// # async fn run(pool: sqlx::PgPool) -> lucia::Result<()> {
    /// lucia_sqlx::Migrator::default().user_column("email TEXT NOT NULL UNIQUE").run(&pool).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run<DB: Backend>(&self, pool: &Pool<DB>) -> lucia::Result<()> {
        DB::migrate(pool, self)
            .await
            .map_err(|err| lucia::Error::Store(err.into()))
    }
}

fn key_error(err: sqlx::Error) -> StoreError {
    match violation(&err) {
        Violation::Unique(_) => StoreError::DuplicateKey,
        Violation::ForeignKey => StoreError::UnknownUser,
        Violation::None => backend(err),
    }
}

fn session_error(err: sqlx::Error) -> StoreError {
    match violation(&err) {
        Violation::ForeignKey => StoreError::UnknownUser,
        Violation::Unique(_) | Violation::None => backend(err),
    }
}

/// A time step as the signed 64-bit integer SQL stores (steps fit until the year 292 billion).
fn step_value(step: u64) -> StoreResult<i64> {
    i64::try_from(step)
        .map_err(|_| StoreError::backend(std::io::Error::other("time step out of range")))
}

fn parse_key_id(id: &str) -> sqlx::Result<KeyId> {
    KeyId::parse(id)
        .ok_or_else(|| decode_error(format!("stored key id {id:?} has no valid provider id")))
}

fn secret_hash(bytes: &[u8]) -> sqlx::Result<SecretHash> {
    SecretHash::from_slice(bytes).ok_or_else(|| decode_error("stored secret_hash is not 32 bytes"))
}

/// Whether `text` can never equal a stored id on `dialect`: PostgreSQL's `text` cannot hold a
/// NUL character, and a parameter with one is an error of the server ("invalid byte sequence
/// for encoding UTF8: 0x00"), not a miss. Lookups by such an id (which only outside input
/// carries, e.g. a form field) answer "not found" instead, like on the other backends.
fn unstorable(dialect: Dialect, text: &str) -> bool {
    dialect == Dialect::Postgres && text.contains('\0')
}

/// Implements the store traits for one backend. `$ts` converts timestamps to and from the
/// backend's natural type: `encode(OffsetDateTime)` and `decode(&Row, index)`.
macro_rules! impl_store {
    ($db:ty, $dialect:expr, $ts:ident) => {
        impl sealed::Sealed for $db {}

        impl Backend for $db {
            const DIALECT: Dialect = $dialect;

            async fn migrate(pool: &Pool<Self>, migrator: &Migrator) -> sqlx::Result<()> {
                sqlx::raw_sql(&migrator.create_migrations_table(Self::DIALECT))
                    .execute(pool)
                    .await?;
                let applied: Vec<i64> =
                    sqlx::query_scalar(&migrator.applied_versions(Self::DIALECT))
                        .fetch_all(pool)
                        .await?;
                let record = migrator.record_version(Self::DIALECT);
                for migration in migrator.migrations(Self::DIALECT) {
                    if applied.contains(&migration.version) {
                        continue;
                    }
                    // Every statement is idempotent (`IF NOT EXISTS`), and MySQL cannot roll
                    // DDL back anyway: a migration interrupted half-way is simply run again.
                    for statement in &migration.statements {
                        sqlx::raw_sql(statement).execute(pool).await?;
                    }
                    let recorded = sqlx::query(&record)
                        .bind(migration.version)
                        .bind(migration.description.as_str())
                        .bind($ts::encode(OffsetDateTime::now_utc()))
                        .execute(pool)
                        .await;
                    match recorded {
                        Ok(_) => {}
                        // Another process applied it at the same time.
                        Err(err) if matches!(violation(&err), Violation::Unique(_)) => {}
                        Err(err) => return Err(err),
                    }
                }
                Ok(())
            }
        }

        impl<UA: Columns<$db>, SA: Columns<$db>> SqlxStore<$db, UA, SA> {
            fn decode_session(row: &<$db as Database>::Row) -> sqlx::Result<Session<SA>> {
                let hash: Vec<u8> = row.try_get(2)?;
                let lifetime: Option<i64> = row.try_get(5)?;
                Ok(Session {
                    id: $ts::text(row, 0)?,
                    user_id: $ts::text(row, 1)?,
                    secret_hash: secret_hash(&hash)?,
                    created_at: $ts::decode(row, 3)?,
                    expires_at: $ts::decode(row, 4)?,
                    lifetime: lifetime.map(Duration::seconds),
                    fresh: false,
                    attributes: SA::decode(row, SESSION_BASE_COLUMNS)?,
                })
            }

            fn decode_key(row: &<$db as Database>::Row) -> sqlx::Result<Key> {
                let id = $ts::text(row, 0)?;
                Ok(Key {
                    id: parse_key_id(&id)?,
                    user_id: $ts::text(row, 1)?,
                    password_hash: row.try_get(2)?,
                })
            }

            fn decode_token(row: &<$db as Database>::Row) -> sqlx::Result<StoredToken> {
                let hash: Vec<u8> = row.try_get(4)?;
                let attempts: i64 = row.try_get(7)?;
                Ok(StoredToken {
                    id: $ts::text(row, 0)?,
                    user_id: $ts::text(row, 1)?,
                    purpose: $ts::text(row, 2)?,
                    email: row.try_get(3)?,
                    secret_hash: secret_hash(&hash)?,
                    created_at: $ts::decode(row, 5)?,
                    expires_at: $ts::decode(row, 6)?,
                    attempts: u32::try_from(attempts)
                        .map_err(|err| decode_error(err.to_string()))?,
                })
            }

            /// Finds and deletes one token atomically: `DELETE ... RETURNING` where the
            /// database has it, a locking read and a delete in one transaction on MySQL.
            async fn take(
                &self,
                returning: &str,
                locking: &str,
                args: &[&str],
                max_attempts: Option<u32>,
                hash: &SecretHash,
            ) -> StoreResult<Option<StoredToken>> {
                let bind = |statement| {
                    let mut query = sqlx::query(statement);
                    for arg in args {
                        query = query.bind(*arg);
                    }
                    query = query.bind(hash.as_bytes().as_slice());
                    if let Some(max) = max_attempts {
                        query = query.bind(i64::from(max));
                    }
                    query
                };
                if <$db as Backend>::DIALECT != Dialect::MySql {
                    let row = bind(returning)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend)?;
                    return row
                        .map(|row| Self::decode_token(&row))
                        .transpose()
                        .map_err(backend);
                }
                let mut tx = self.pool.begin().await.map_err(backend)?;
                let row = bind(locking)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
                let token = row
                    .map(|row| Self::decode_token(&row))
                    .transpose()
                    .map_err(backend)?;
                if let Some(token) = &token {
                    sqlx::query(&self.sql.delete_token)
                        .bind(token.id.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
                tx.commit().await.map_err(backend)?;
                Ok(token)
            }

            async fn exists(&self, statement: &str, id: &str) -> StoreResult<bool> {
                let row = sqlx::query(statement)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(row.is_some())
            }
        }

        impl<UA: Columns<$db>, SA: Columns<$db>> UserStore for SqlxStore<$db, UA, SA> {
            type UserAttributes = UA;

            async fn get_user(&self, user_id: &str) -> StoreResult<Option<User<UA>>> {
                if unstorable($dialect, user_id) {
                    return Ok(None);
                }
                let row = sqlx::query(&self.sql.get_user)
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?;
                row.map(|row| {
                    Ok(User {
                        id: $ts::text(&row, 0)?,
                        attributes: UA::decode(&row, 1)?,
                    })
                })
                .transpose()
                .map_err(backend)
            }

            async fn insert_user(&self, user: &User<UA>, key: Option<&Key>) -> StoreResult<()> {
                if key.is_some_and(|key| key.user_id != user.id) {
                    return Err(StoreError::UnknownUser);
                }
                let mut tx = self.pool.begin().await.map_err(backend)?;
                user.attributes
                    .bind(sqlx::query(&self.sql.insert_user).bind(user.id.as_str()))
                    .execute(&mut *tx)
                    .await
                    .map_err(|err| self.user_error(err))?;
                if let Some(key) = key {
                    let id = key.id.to_string();
                    sqlx::query(&self.sql.insert_key)
                        .bind(id.as_str())
                        .bind(key.user_id.as_str())
                        .bind(key.password_hash.as_deref())
                        .execute(&mut *tx)
                        .await
                        .map_err(key_error)?;
                }
                tx.commit().await.map_err(backend)
            }

            async fn update_user_attributes(
                &self,
                user_id: &str,
                attributes: &UA,
            ) -> StoreResult<bool> {
                if let Some(update) = &self.sql.update_user {
                    let done = attributes
                        .bind(sqlx::query(update))
                        .bind(user_id)
                        .execute(&self.pool)
                        .await
                        .map_err(|err| self.user_error(err))?;
                    if done.rows_affected() > 0 {
                        return Ok(true);
                    }
                }
                // Nothing changed: no such user, or (MySQL) the same values were written.
                self.exists(&self.sql.user_exists, user_id).await
            }

            async fn delete_user(&self, user_id: &str) -> StoreResult<()> {
                let mut tx = self.pool.begin().await.map_err(backend)?;
                for statement in [
                    &self.sql.delete_user_sessions,
                    &self.sql.delete_keys_of_user,
                    &self.sql.delete_user,
                ] {
                    sqlx::query(statement)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
                tx.commit().await.map_err(backend)
            }

            async fn get_key(&self, key_id: &KeyId) -> StoreResult<Option<Key>> {
                if unstorable($dialect, &key_id.to_string()) {
                    return Ok(None);
                }
                let id = key_id.to_string();
                let row = sqlx::query(&self.sql.get_key)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?;
                row.map(|row| Self::decode_key(&row))
                    .transpose()
                    .map_err(backend)
            }

            async fn insert_key(&self, key: &Key) -> StoreResult<()> {
                let id = key.id.to_string();
                sqlx::query(&self.sql.insert_key)
                    .bind(id.as_str())
                    .bind(key.user_id.as_str())
                    .bind(key.password_hash.as_deref())
                    .execute(&self.pool)
                    .await
                    .map_err(key_error)?;
                Ok(())
            }

            async fn update_key_password(
                &self,
                key_id: &KeyId,
                password_hash: Option<&str>,
            ) -> StoreResult<bool> {
                let id = key_id.to_string();
                let done = sqlx::query(&self.sql.update_key_password)
                    .bind(password_hash)
                    .bind(id.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                if done.rows_affected() > 0 {
                    return Ok(true);
                }
                self.exists(&self.sql.key_exists, &id).await
            }

            async fn delete_key(&self, key_id: &KeyId) -> StoreResult<()> {
                let id = key_id.to_string();
                sqlx::query(&self.sql.delete_key)
                    .bind(id.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(())
            }

            async fn get_user_keys(&self, user_id: &str) -> StoreResult<Vec<Key>> {
                if unstorable($dialect, user_id) {
                    return Ok(Vec::new());
                }
                let rows = sqlx::query(&self.sql.get_user_keys)
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend)?;
                rows.iter()
                    .map(Self::decode_key)
                    .collect::<sqlx::Result<_>>()
                    .map_err(backend)
            }
        }

        impl<UA: Columns<$db>, SA: Columns<$db>> SessionStore for SqlxStore<$db, UA, SA> {
            type SessionAttributes = SA;

            async fn insert_session(&self, session: &Session<SA>) -> StoreResult<()> {
                let query = sqlx::query(&self.sql.insert_session)
                    .bind(session.id.as_str())
                    .bind(session.user_id.as_str())
                    .bind(session.secret_hash.as_bytes().as_slice())
                    .bind($ts::encode(session.created_at))
                    .bind($ts::encode(session.expires_at))
                    .bind(session.lifetime.map(|lifetime| lifetime.whole_seconds()));
                session
                    .attributes
                    .bind(query)
                    .execute(&self.pool)
                    .await
                    .map_err(session_error)?;
                Ok(())
            }

            async fn get_session(&self, session_id: &str) -> StoreResult<Option<Session<SA>>> {
                if unstorable($dialect, session_id) {
                    return Ok(None);
                }
                let row = sqlx::query(&self.sql.get_session)
                    .bind(session_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?;
                row.map(|row| Self::decode_session(&row))
                    .transpose()
                    .map_err(backend)
            }

            async fn get_user_sessions(&self, user_id: &str) -> StoreResult<Vec<Session<SA>>> {
                if unstorable($dialect, user_id) {
                    return Ok(Vec::new());
                }
                let rows = sqlx::query(&self.sql.get_user_sessions)
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend)?;
                rows.iter()
                    .map(Self::decode_session)
                    .collect::<sqlx::Result<_>>()
                    .map_err(backend)
            }

            async fn update_session_expiry(
                &self,
                session_id: &str,
                expires_at: OffsetDateTime,
            ) -> StoreResult<bool> {
                let done = sqlx::query(&self.sql.update_session_expiry)
                    .bind($ts::encode(expires_at))
                    .bind(session_id)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                if done.rows_affected() > 0 {
                    return Ok(true);
                }
                self.exists(&self.sql.session_exists, session_id).await
            }

            async fn update_session_attributes(
                &self,
                session_id: &str,
                attributes: &SA,
            ) -> StoreResult<bool> {
                if let Some(update) = &self.sql.update_session_attributes {
                    let done = attributes
                        .bind(sqlx::query(update))
                        .bind(session_id)
                        .execute(&self.pool)
                        .await
                        .map_err(backend)?;
                    if done.rows_affected() > 0 {
                        return Ok(true);
                    }
                }
                self.exists(&self.sql.session_exists, session_id).await
            }

            async fn delete_session(&self, session_id: &str) -> StoreResult<()> {
                if unstorable($dialect, session_id) {
                    return Ok(());
                }
                sqlx::query(&self.sql.delete_session)
                    .bind(session_id)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(())
            }

            async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<()> {
                sqlx::query(&self.sql.delete_user_sessions)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(())
            }

            async fn delete_expired_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
                let mut total = 0;
                loop {
                    let done = sqlx::query(&self.sql.delete_expired_sessions)
                        .bind($ts::encode(now))
                        .execute(&self.pool)
                        .await
                        .map_err(backend)?;
                    total += done.rows_affected();
                    if done.rows_affected() < PURGE_BATCH {
                        return Ok(total);
                    }
                }
            }
        }

        impl<UA: Columns<$db>, SA: Columns<$db>> TokenStore for SqlxStore<$db, UA, SA> {
            async fn insert_token(&self, token: &StoredToken) -> StoreResult<()> {
                let mut tx = self.pool.begin().await.map_err(backend)?;
                sqlx::query(&self.sql.delete_user_purpose_tokens)
                    .bind(token.user_id.as_str())
                    .bind(token.purpose.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                sqlx::query(&self.sql.insert_token)
                    .bind(token.id.as_str())
                    .bind(token.user_id.as_str())
                    .bind(token.purpose.as_str())
                    .bind(token.email.as_deref())
                    .bind(token.secret_hash.as_bytes().as_slice())
                    .bind($ts::encode(token.created_at))
                    .bind($ts::encode(token.expires_at))
                    .bind(i64::from(token.attempts))
                    .execute(&mut *tx)
                    .await
                    .map_err(session_error)?;
                tx.commit().await.map_err(backend)
            }

            async fn take_token(
                &self,
                purpose: &str,
                secret_hash: &SecretHash,
            ) -> StoreResult<Option<StoredToken>> {
                self.take(
                    &self.sql.take_token,
                    &self.sql.select_token_for_update,
                    &[purpose],
                    None,
                    secret_hash,
                )
                .await
            }

            async fn take_user_token(
                &self,
                user_id: &str,
                purpose: &str,
                secret_hash: &SecretHash,
                max_attempts: u32,
            ) -> StoreResult<Option<StoredToken>> {
                self.take(
                    &self.sql.take_user_token,
                    &self.sql.select_user_token_for_update,
                    &[user_id, purpose],
                    Some(max_attempts),
                    secret_hash,
                )
                .await
            }

            async fn get_user_token(
                &self,
                user_id: &str,
                purpose: &str,
            ) -> StoreResult<Option<StoredToken>> {
                let row = sqlx::query(&self.sql.get_user_token)
                    .bind(user_id)
                    .bind(purpose)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?;
                row.map(|row| Self::decode_token(&row))
                    .transpose()
                    .map_err(backend)
            }

            async fn record_failed_attempt(&self, user_id: &str, purpose: &str) -> StoreResult<()> {
                sqlx::query(&self.sql.record_failed_attempt)
                    .bind(user_id)
                    .bind(purpose)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(())
            }

            async fn delete_user_tokens(
                &self,
                user_id: &str,
                purpose: Option<&str>,
            ) -> StoreResult<()> {
                let query = match purpose {
                    Some(purpose) => sqlx::query(&self.sql.delete_user_purpose_tokens)
                        .bind(user_id)
                        .bind(purpose),
                    None => sqlx::query(&self.sql.delete_tokens_of_user).bind(user_id),
                };
                query.execute(&self.pool).await.map_err(backend)?;
                Ok(())
            }

            async fn delete_expired_tokens(&self, now: OffsetDateTime) -> StoreResult<u64> {
                let done = sqlx::query(&self.sql.delete_expired_tokens)
                    .bind($ts::encode(now))
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(done.rows_affected())
            }
        }

        impl<UA: Columns<$db>, SA: Columns<$db>> TwoFactorStore for SqlxStore<$db, UA, SA> {
            async fn get_two_factor(&self, user_id: &str) -> StoreResult<Option<TwoFactor>> {
                let row = sqlx::query(&self.sql.get_two_factor)
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?;
                let decode = |row: &<$db as Database>::Row| -> sqlx::Result<TwoFactor> {
                    let step: Option<i64> = row.try_get(3)?;
                    Ok(TwoFactor {
                        user_id: $ts::text(row, 0)?,
                        secret: row.try_get(1)?,
                        enabled: row.try_get(2)?,
                        last_used_step: step
                            .map(u64::try_from)
                            .transpose()
                            .map_err(|err| decode_error(err.to_string()))?,
                        created_at: $ts::decode(row, 4)?,
                    })
                };
                row.as_ref().map(decode).transpose().map_err(backend)
            }

            async fn put_two_factor(&self, two_factor: &TwoFactor) -> StoreResult<()> {
                let step = two_factor.last_used_step.map(step_value).transpose()?;
                let mut tx = self.pool.begin().await.map_err(backend)?;
                sqlx::query(&self.sql.delete_two_factor)
                    .bind(two_factor.user_id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                sqlx::query(&self.sql.insert_two_factor)
                    .bind(two_factor.user_id.as_str())
                    .bind(two_factor.secret.as_slice())
                    .bind(two_factor.enabled)
                    .bind(step)
                    .bind($ts::encode(two_factor.created_at))
                    .execute(&mut *tx)
                    .await
                    .map_err(session_error)?;
                tx.commit().await.map_err(backend)
            }

            async fn enable_two_factor(&self, user_id: &str) -> StoreResult<bool> {
                let done = sqlx::query(&self.sql.enable_two_factor)
                    .bind(true)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                if done.rows_affected() > 0 {
                    return Ok(true);
                }
                self.exists(&self.sql.two_factor_exists, user_id).await
            }

            async fn use_step(&self, user_id: &str, step: u64) -> StoreResult<bool> {
                let step = step_value(step)?;
                let done = sqlx::query(&self.sql.use_step)
                    .bind(step)
                    .bind(user_id)
                    .bind(step)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn delete_two_factor(&self, user_id: &str) -> StoreResult<()> {
                let mut tx = self.pool.begin().await.map_err(backend)?;
                for statement in [&self.sql.delete_recovery_codes, &self.sql.delete_two_factor] {
                    sqlx::query(statement)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
                tx.commit().await.map_err(backend)
            }

            async fn replace_recovery_codes(
                &self,
                user_id: &str,
                hashes: &[SecretHash],
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await.map_err(backend)?;
                sqlx::query(&self.sql.delete_recovery_codes)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                for hash in hashes {
                    sqlx::query(&self.sql.insert_recovery_code)
                        .bind(user_id)
                        .bind(hash.as_bytes().as_slice())
                        .execute(&mut *tx)
                        .await
                        .map_err(session_error)?;
                }
                tx.commit().await.map_err(backend)
            }

            async fn take_recovery_code(
                &self,
                user_id: &str,
                hash: &SecretHash,
            ) -> StoreResult<bool> {
                let done = sqlx::query(&self.sql.take_recovery_code)
                    .bind(user_id)
                    .bind(hash.as_bytes().as_slice())
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn count_recovery_codes(&self, user_id: &str) -> StoreResult<u64> {
                let count: i64 = sqlx::query_scalar(&self.sql.count_recovery_codes)
                    .bind(user_id)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(u64::try_from(count).unwrap_or(0))
            }
        }

        impl<UA: Columns<$db>, SA: Columns<$db>> AuthStore for SqlxStore<$db, UA, SA> {
            async fn get_session_and_user(
                &self,
                session_id: &str,
            ) -> StoreResult<Option<(Session<SA>, Option<User<UA>>)>> {
                if unstorable($dialect, session_id) {
                    return Ok(None);
                }
                let row = sqlx::query(&self.sql.get_session_and_user)
                    .bind(session_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?;
                let Some(row) = row else { return Ok(None) };
                let decode = || -> sqlx::Result<_> {
                    let session = Self::decode_session(&row)?;
                    let user_index = SESSION_BASE_COLUMNS + SA::COLUMNS.len();
                    let user_id = $ts::optional_text(&row, user_index)?;
                    let user = match user_id {
                        Some(id) => Some(User {
                            id,
                            attributes: UA::decode(&row, user_index + 1)?,
                        }),
                        None => None,
                    };
                    Ok((session, user))
                };
                decode().map(Some).map_err(backend)
            }
        }
    };
}

/// Text columns that decode as `String` directly (everywhere but MySQL's binary collation).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
macro_rules! plain_text {
    ($row:ty) => {
        pub(super) fn text(row: &$row, index: usize) -> sqlx::Result<String> {
            row.try_get(index)
        }

        pub(super) fn optional_text(row: &$row, index: usize) -> sqlx::Result<Option<String>> {
            row.try_get(index)
        }
    };
}

#[cfg(feature = "sqlite")]
mod sqlite_ts {
    use super::*;

    /// SQLite has no timestamp type: whole Unix seconds in an `INTEGER` column.
    pub(super) fn encode(t: OffsetDateTime) -> i64 {
        t.unix_timestamp()
    }

    pub(super) fn decode(
        row: &sqlx::sqlite::SqliteRow,
        index: usize,
    ) -> sqlx::Result<OffsetDateTime> {
        let seconds: i64 = row.try_get(index)?;
        OffsetDateTime::from_unix_timestamp(seconds).map_err(|err| decode_error(err.to_string()))
    }

    plain_text!(sqlx::sqlite::SqliteRow);
}

#[cfg(feature = "postgres")]
mod postgres_ts {
    use super::*;

    /// `TIMESTAMPTZ`, exact to the microsecond (lucia's timestamps have whole seconds).
    pub(super) fn encode(t: OffsetDateTime) -> OffsetDateTime {
        t
    }

    pub(super) fn decode(
        row: &sqlx::postgres::PgRow,
        index: usize,
    ) -> sqlx::Result<OffsetDateTime> {
        row.try_get(index)
    }

    plain_text!(sqlx::postgres::PgRow);
}

#[cfg(feature = "mysql")]
mod mysql_ts {
    use super::*;
    use time::{PrimitiveDateTime, UtcOffset};

    /// `DATETIME` holding UTC (not `TIMESTAMP`, which ends in 2038 and converts time zones).
    pub(super) fn encode(t: OffsetDateTime) -> PrimitiveDateTime {
        let utc = t.to_offset(UtcOffset::UTC);
        PrimitiveDateTime::new(utc.date(), utc.time())
    }

    pub(super) fn decode(
        row: &sqlx::mysql::MySqlRow,
        index: usize,
    ) -> sqlx::Result<OffsetDateTime> {
        let t: PrimitiveDateTime = row.try_get(index)?;
        Ok(t.assume_utc())
    }

    /// Ids use the binary collation `utf8mb4_bin`, which sqlx reports as `VARBINARY`: read
    /// the bytes and check they are UTF-8.
    pub(super) fn text(row: &sqlx::mysql::MySqlRow, index: usize) -> sqlx::Result<String> {
        optional_text(row, index)?.ok_or_else(|| decode_error(format!("column {index} is NULL")))
    }

    pub(super) fn optional_text(
        row: &sqlx::mysql::MySqlRow,
        index: usize,
    ) -> sqlx::Result<Option<String>> {
        let bytes: Option<Vec<u8>> = row.try_get_unchecked(index)?;
        bytes
            .map(|bytes| String::from_utf8(bytes).map_err(|err| decode_error(err.to_string())))
            .transpose()
    }
}

#[cfg(feature = "sqlite")]
impl_store!(sqlx::Sqlite, Dialect::Sqlite, sqlite_ts);
#[cfg(feature = "postgres")]
impl_store!(sqlx::Postgres, Dialect::Postgres, postgres_ts);
#[cfg(feature = "mysql")]
impl_store!(sqlx::MySql, Dialect::MySql, mysql_ts);
