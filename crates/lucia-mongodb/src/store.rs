//! [`MongoStore`]: users, keys and sessions in three MongoDB collections.

use std::future::IntoFuture;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use lucia::store::{AuthStore, SessionStore, StoreResult, UserStore};
use lucia::{Key, KeyId, Session, StoreError, User};
use mongodb::bson::{Bson, Document, doc};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::IndexOptions;
use mongodb::{ClientSession, Collection, Database, IndexModel};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use tokio::sync::OnceCell;

use crate::codec::{
    self, DUPLICATE_KEY_CODE, UserConflict, classify_user_conflict, field, key_doc_id,
};
use crate::error::MongoStoreError;

/// The collection-name prefix unless [`MongoStore::with_prefix`] sets another.
pub const DEFAULT_PREFIX: &str = "lucia_";
/// How long a round trip may take unless [`MongoStore::with_timeout`] sets another.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long after `expires_at` the TTL index removes a session, unless
/// [`MongoStore::with_session_ttl`] sets another: seven days.
pub const DEFAULT_TTL_GRACE: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Index names start with this; a unique attribute `email` gets `lucia_unique_email`.
pub(crate) const UNIQUE_INDEX_PREFIX: &str = "lucia_unique_";
const TTL_INDEX: &str = "lucia_expires_at_ttl";
const EXPIRY_INDEX: &str = "lucia_expires_at";
const USER_ID_INDEX: &str = "lucia_user_id";
/// How often `update_session_expiry` retries after a concurrent update of the session.
const EXPIRY_UPDATE_ATTEMPTS: usize = 8;
/// How often a transaction is retried after a `TransientTransactionError`.
const TRANSACTION_ATTEMPTS: usize = 3;

/// How `insert_user` makes a user and its first key appear together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Atomicity {
    /// Ask the server once (`hello`): a replica-set member (`setName`) or a `mongos`
    /// (`msg: "isdbgrid"`) supports multi-document transactions, so use
    /// [`Transactions`](Self::Transactions); anything else (a standalone `mongod`, a
    /// wire-compatible server that reports itself as standalone, like nx-27017) gets
    /// [`Compensation`](Self::Compensation).
    #[default]
    Auto,
    /// Insert the user and the key in one multi-document transaction (retried up to three
    /// times on `TransientTransactionError`). Needs a replica set or a sharded cluster; a
    /// standalone `mongod` refuses it.
    Transactions,
    /// No transaction: insert the key first (a taken key fails here, with nothing written),
    /// then the user; if the user insert fails (a taken id or unique attribute), delete the
    /// key again. Between the two writes, for a few milliseconds, the key is visible while its
    /// user is not (signing in with it then fails as for an unknown user). If the compensating
    /// delete fails too, the error is [`MongoStoreError::Compensation`] naming the key left
    /// behind.
    Compensation,
}

/// A [`lucia`] user store and session store on MongoDB (see the [crate docs](crate)).
///
/// `U` and `S` are the app's user and session attributes: any serde types (`()` for none).
/// Cloning is cheap (the driver's handles are reference-counted) and clones share the
/// detected [`Atomicity`].
pub struct MongoStore<U, S> {
    db: Database,
    prefix: String,
    unique: Vec<String>,
    atomicity: Atomicity,
    transactions: Arc<OnceCell<bool>>,
    ttl_grace: Option<Duration>,
    timeout: Duration,
    _attributes: PhantomData<fn() -> (U, S)>,
}

impl<U, S> Clone for MongoStore<U, S> {
    fn clone(&self) -> Self {
        Self {
            db: self.db.clone(),
            prefix: self.prefix.clone(),
            unique: self.unique.clone(),
            atomicity: self.atomicity,
            transactions: Arc::clone(&self.transactions),
            ttl_grace: self.ttl_grace,
            timeout: self.timeout,
            _attributes: PhantomData,
        }
    }
}

impl<U, S> std::fmt::Debug for MongoStore<U, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MongoStore")
            .field("database", &self.db.name())
            .field("prefix", &self.prefix)
            .field("unique", &self.unique)
            .field("atomicity", &self.atomicity)
            .field("transactions", &self.transactions.get())
            .field("ttl_grace", &self.ttl_grace)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The names of the three collections for a prefix.
fn names(prefix: &str) -> [String; 3] {
    [
        format!("{prefix}users"),
        format!("{prefix}keys"),
        format!("{prefix}sessions"),
    ]
}

impl<U, S> MongoStore<U, S> {
    /// A store on `db` with the defaults: collections `lucia_users`, `lucia_keys` and
    /// `lucia_sessions`, [`Atomicity::Auto`], a TTL index that removes sessions
    /// [`DEFAULT_TTL_GRACE`] after they expire, and [`DEFAULT_TIMEOUT`] per round trip.
    ///
    /// No I/O happens here; call [`init`](Self::init) once at start-up to create the indexes.
    pub fn new(db: Database) -> Self {
        Self {
            db,
            prefix: DEFAULT_PREFIX.to_owned(),
            unique: Vec::new(),
            atomicity: Atomicity::Auto,
            transactions: Arc::new(OnceCell::new()),
            ttl_grace: Some(DEFAULT_TTL_GRACE),
            timeout: DEFAULT_TIMEOUT,
            _attributes: PhantomData,
        }
    }

    /// Collection names start with `prefix` (`"auth_"` gives `auth_users`, `auth_keys`,
    /// `auth_sessions`).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Makes the user attribute `field` unique (a unique, sparse index on
    /// `attributes.<field>`, named `lucia_unique_<field>`; dots reach into sub-documents). A
    /// clash fails with [`StoreError::UniqueViolation`] whose `column` is `field`. Users
    /// without the field do not clash; two users whose field is `null` do (MongoDB's rule for
    /// sparse indexes).
    pub fn with_unique_attribute(mut self, field: impl Into<String>) -> Self {
        self.unique.push(field.into());
        self
    }

    /// How user and first key are created together (default [`Atomicity::Auto`]).
    pub fn with_atomicity(mut self, atomicity: Atomicity) -> Self {
        self.atomicity = atomicity;
        self.transactions = Arc::new(OnceCell::new());
        self
    }

    /// The TTL index on `expires_at` removes a session `grace` after it expired; `None`
    /// creates a plain index instead (expired sessions then stay until
    /// [`delete_expired_sessions`](SessionStore::delete_expired_sessions)). See the crate
    /// docs for why the default grace is long.
    pub fn with_session_ttl(mut self, grace: Option<Duration>) -> Self {
        self.ttl_grace = grace;
        self
    }

    /// Bounds each round trip to the server (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The database this store writes to.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The users, keys and sessions collections (raw documents), for your own queries.
    pub fn collections(&self) -> [Collection<Document>; 3] {
        names(&self.prefix).map(|name| self.db.collection(&name))
    }

    fn users(&self) -> Collection<Document> {
        self.db.collection(&format!("{}users", self.prefix))
    }
    fn keys(&self) -> Collection<Document> {
        self.db.collection(&format!("{}keys", self.prefix))
    }
    fn sessions(&self) -> Collection<Document> {
        self.db.collection(&format!("{}sessions", self.prefix))
    }

    /// Runs one round trip under the store's timeout.
    async fn step<T>(
        &self,
        operation: &'static str,
        fut: impl IntoFuture<Output = mongodb::error::Result<T>>,
    ) -> Result<T, MongoStoreError> {
        match tokio::time::timeout(self.timeout, fut.into_future()).await {
            Ok(result) => result.map_err(|err| MongoStoreError::driver(operation, err)),
            Err(_) => Err(MongoStoreError::Timeout {
                operation,
                after: self.timeout,
            }),
        }
    }

    /// Creates the collections and indexes (idempotent; run it at start-up) and, for
    /// [`Atomicity::Auto`], asks the server whether it supports transactions.
    ///
    /// Changing an index's options later (another TTL grace) makes MongoDB refuse the new
    /// definition (`IndexOptionsConflict`): drop the old index first, or `collMod` it.
    pub async fn init(&self) -> Result<(), MongoStoreError> {
        const OP: &str = "init";
        for name in names(&self.prefix) {
            match self.step(OP, self.db.create_collection(&name)).await {
                Ok(()) => {}
                // NamespaceExists.
                Err(MongoStoreError::Driver { source, .. })
                    if command_code(&source) == Some(48) => {}
                Err(err) => return Err(err),
            }
        }
        let by_user = |name: &str| {
            IndexModel::builder()
                .keys(doc! { field::USER_ID: 1 })
                .options(IndexOptions::builder().name(name.to_owned()).build())
                .build()
        };
        self.step(OP, self.keys().create_index(by_user(USER_ID_INDEX)))
            .await?;
        self.step(OP, self.sessions().create_index(by_user(USER_ID_INDEX)))
            .await?;
        let expiry = match self.ttl_grace {
            Some(grace) => IndexOptions::builder()
                .name(TTL_INDEX.to_owned())
                .expire_after(grace)
                .build(),
            None => IndexOptions::builder()
                .name(EXPIRY_INDEX.to_owned())
                .build(),
        };
        self.step(
            OP,
            self.sessions().create_index(
                IndexModel::builder()
                    .keys(doc! { field::EXPIRES_AT: 1 })
                    .options(expiry)
                    .build(),
            ),
        )
        .await?;
        for f in &self.unique {
            let index = IndexModel::builder()
                .keys(doc! { format!("{}.{f}", field::ATTRIBUTES): 1 })
                .options(
                    IndexOptions::builder()
                        .name(format!("{UNIQUE_INDEX_PREFIX}{f}"))
                        .unique(true)
                        .sparse(true)
                        .build(),
                )
                .build();
            self.step(OP, self.users().create_index(index)).await?;
        }
        self.uses_transactions().await?;
        Ok(())
    }

    /// Whether `insert_user` uses a transaction: the configured [`Atomicity`], with `Auto`
    /// resolved by asking the server once (`hello`).
    pub async fn uses_transactions(&self) -> Result<bool, MongoStoreError> {
        match self.atomicity {
            Atomicity::Transactions => Ok(true),
            Atomicity::Compensation => Ok(false),
            Atomicity::Auto => self
                .transactions
                .get_or_try_init(|| async {
                    let hello = self
                        .step(
                            "detect transactions",
                            self.db.run_command(doc! { "hello": 1 }),
                        )
                        .await?;
                    Ok(hello_supports_transactions(&hello))
                })
                .await
                .copied(),
        }
    }
}

/// Whether a `hello` answer describes a deployment with multi-document transactions: a
/// replica-set member or a `mongos`, with logical sessions.
pub(crate) fn hello_supports_transactions(hello: &Document) -> bool {
    let sessions = hello.contains_key("logicalSessionTimeoutMinutes");
    let replica_set = matches!(hello.get("setName"), Some(Bson::String(_)));
    let mongos = matches!(hello.get("msg"), Some(Bson::String(m)) if m == "isdbgrid");
    sessions && (replica_set || mongos)
}

/// The server's error code of a command error.
fn command_code(err: &mongodb::error::Error) -> Option<i32> {
    match err.kind.as_ref() {
        ErrorKind::Command(c) => Some(c.code),
        ErrorKind::Write(WriteFailure::WriteError(w)) => Some(w.code),
        _ => None,
    }
}

/// The message of a duplicate-key (11000) error, if `err` is one.
fn duplicate_message(err: &MongoStoreError) -> Option<&str> {
    let MongoStoreError::Driver { source, .. } = err else {
        return None;
    };
    match source.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(w)) if w.code == DUPLICATE_KEY_CODE => {
            Some(&w.message)
        }
        ErrorKind::Command(c) if c.code == DUPLICATE_KEY_CODE => Some(&c.message),
        ErrorKind::InsertMany(many) => many
            .write_errors
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|w| w.code == DUPLICATE_KEY_CODE)
            .map(|w| w.message.as_str()),
        _ => None,
    }
}

fn has_label(err: &StoreError, label: &str) -> bool {
    let StoreError::Backend(source) = err else {
        return false;
    };
    matches!(
        source.downcast_ref::<MongoStoreError>(),
        Some(MongoStoreError::Driver { source, .. }) if source.contains_label(label)
    )
}

fn corrupt(
    operation: &'static str,
    collection: &Collection<Document>,
    doc: &Document,
) -> impl FnOnce(String) -> MongoStoreError {
    let collection = collection.name().to_owned();
    let id = codec::doc_id(doc);
    move |reason| MongoStoreError::Corrupt {
        operation,
        collection,
        id,
        reason,
    }
}

impl<U: Serialize + DeserializeOwned, S> MongoStore<U, S> {
    /// Maps a failed write to the users collection: duplicates become the core's conflicts.
    fn user_write_error(&self, operation: &'static str, err: MongoStoreError) -> StoreError {
        match duplicate_message(&err).map(|m| (classify_user_conflict(m, &self.unique), m)) {
            Some((UserConflict::Id, _)) => StoreError::DuplicateUserId,
            Some((UserConflict::Attribute(column), _)) => StoreError::UniqueViolation { column },
            Some((UserConflict::Unrecognised, message)) => MongoStoreError::UnknownUniqueIndex {
                operation,
                message: message.to_owned(),
            }
            .into(),
            None => err.into(),
        }
    }

    fn key_write_error(err: MongoStoreError) -> StoreError {
        if duplicate_message(&err).is_some() {
            StoreError::DuplicateKey
        } else {
            err.into()
        }
    }

    async fn user_exists(&self, operation: &'static str, user_id: &str) -> StoreResult<bool> {
        let found = self
            .step(
                operation,
                self.users()
                    .find_one(doc! { field::ID: user_id })
                    .projection(doc! { field::ID: 1 }),
            )
            .await?;
        Ok(found.is_some())
    }

    async fn find_user(
        &self,
        operation: &'static str,
        user_id: &str,
    ) -> StoreResult<Option<User<U>>> {
        let users = self.users();
        let Some(doc) = self
            .step(operation, users.find_one(doc! { field::ID: user_id }))
            .await?
        else {
            return Ok(None);
        };
        let user = codec::user_from_doc(&doc).map_err(corrupt(operation, &users, &doc))?;
        Ok(Some(user))
    }

    async fn insert_user_in_transaction(
        &self,
        user_doc: Document,
        key_doc: Document,
    ) -> StoreResult<()> {
        const OP: &str = "insert_user";
        let mut session: ClientSession = self.step(OP, self.db.client().start_session()).await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.step(OP, session.start_transaction()).await?;
            let written = self
                .write_user_and_key(&mut session, &user_doc, &key_doc)
                .await;
            match written {
                Ok(()) => return self.commit(&mut session).await,
                Err(err) => {
                    // Best effort: the server aborts it by itself when the session ends.
                    let _ = self.step(OP, session.abort_transaction()).await;
                    if attempt < TRANSACTION_ATTEMPTS
                        && has_label(&err, mongodb::error::TRANSIENT_TRANSACTION_ERROR)
                    {
                        continue;
                    }
                    return Err(err);
                }
            }
        }
    }

    async fn write_user_and_key(
        &self,
        session: &mut ClientSession,
        user_doc: &Document,
        key_doc: &Document,
    ) -> StoreResult<()> {
        const OP: &str = "insert_user";
        self.step(OP, self.users().insert_one(user_doc).session(&mut *session))
            .await
            .map_err(|err| self.user_write_error(OP, err))?;
        self.step(OP, self.keys().insert_one(key_doc).session(&mut *session))
            .await
            .map_err(Self::key_write_error)?;
        Ok(())
    }

    async fn commit(&self, session: &mut ClientSession) -> StoreResult<()> {
        const OP: &str = "insert_user";
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.step(OP, session.commit_transaction()).await {
                Ok(()) => return Ok(()),
                Err(MongoStoreError::Driver { source, .. })
                    if attempt < TRANSACTION_ATTEMPTS
                        && source
                            .contains_label(mongodb::error::UNKNOWN_TRANSACTION_COMMIT_RESULT) => {}
                Err(err) => return Err(err.into()),
            }
        }
    }

    async fn insert_user_with_compensation(
        &self,
        user: &User<U>,
        key: &Key,
        user_doc: Document,
        key_doc: Document,
    ) -> StoreResult<()> {
        const OP: &str = "insert_user";
        self.step(OP, self.keys().insert_one(&key_doc))
            .await
            .map_err(Self::key_write_error)?;
        let Err(err) = self.step(OP, self.users().insert_one(&user_doc)).await else {
            return Ok(());
        };
        let cause = self.user_write_error(OP, err);
        let key_id = key_doc_id(&key.id);
        match self
            .step(
                OP,
                self.keys()
                    .delete_one(doc! { field::ID: &key_id, field::USER_ID: &user.id }),
            )
            .await
        {
            Ok(_) => Err(cause),
            Err(compensation) => Err(MongoStoreError::Compensation {
                operation: OP,
                key_id,
                cause: Box::new(cause),
                compensation: Box::new(compensation),
            }
            .into()),
        }
    }
}

impl<U, S> UserStore for MongoStore<U, S>
where
    U: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    S: Send + Sync + 'static,
{
    type UserAttributes = U;

    async fn get_user(&self, user_id: &str) -> StoreResult<Option<User<U>>> {
        self.find_user("get_user", user_id).await
    }

    async fn insert_user(&self, user: &User<U>, key: Option<&Key>) -> StoreResult<()> {
        const OP: &str = "insert_user";
        let user_doc = codec::user_to_doc(OP, user)?;
        let Some(key) = key else {
            return self
                .step(OP, self.users().insert_one(&user_doc))
                .await
                .map(drop)
                .map_err(|err| self.user_write_error(OP, err));
        };
        let key_doc = codec::key_to_doc(key);
        if self.uses_transactions().await? {
            self.insert_user_in_transaction(user_doc, key_doc).await
        } else {
            self.insert_user_with_compensation(user, key, user_doc, key_doc)
                .await
        }
    }

    async fn update_user_attributes(&self, user_id: &str, attributes: &U) -> StoreResult<bool> {
        const OP: &str = "update_user_attributes";
        let value = codec::encode_attributes(OP, attributes)?;
        let result = self
            .step(
                OP,
                self.users().update_one(
                    doc! { field::ID: user_id },
                    doc! { "$set": { field::ATTRIBUTES: value } },
                ),
            )
            .await
            .map_err(|err| self.user_write_error(OP, err))?;
        Ok(result.matched_count > 0)
    }

    /// Deletes the user, then its keys, then its sessions (in that order, so a key inserted
    /// concurrently either sees the user gone or is deleted with the others).
    async fn delete_user(&self, user_id: &str) -> StoreResult<()> {
        const OP: &str = "delete_user";
        self.step(OP, self.users().delete_one(doc! { field::ID: user_id }))
            .await?;
        self.step(
            OP,
            self.keys().delete_many(doc! { field::USER_ID: user_id }),
        )
        .await?;
        self.step(
            OP,
            self.sessions()
                .delete_many(doc! { field::USER_ID: user_id }),
        )
        .await?;
        Ok(())
    }

    async fn get_key(&self, key_id: &KeyId) -> StoreResult<Option<Key>> {
        const OP: &str = "get_key";
        let keys = self.keys();
        let Some(doc) = self
            .step(OP, keys.find_one(doc! { field::ID: key_doc_id(key_id) }))
            .await?
        else {
            return Ok(None);
        };
        let key = codec::key_from_doc(&doc).map_err(corrupt(OP, &keys, &doc))?;
        Ok(Some(key))
    }

    /// Checks that the user exists, inserts the key, then checks again: if the user was
    /// deleted meanwhile the key is deleted and the answer is [`StoreError::UnknownUser`]
    /// (`delete_user` deletes the user before its keys, so no key outlives its user).
    async fn insert_key(&self, key: &Key) -> StoreResult<()> {
        const OP: &str = "insert_key";
        if !self.user_exists(OP, &key.user_id).await? {
            return Err(StoreError::UnknownUser);
        }
        self.step(OP, self.keys().insert_one(codec::key_to_doc(key)))
            .await
            .map_err(Self::key_write_error)?;
        if self.user_exists(OP, &key.user_id).await? {
            return Ok(());
        }
        self.step(
            OP,
            self.keys()
                .delete_one(doc! { field::ID: key_doc_id(&key.id), field::USER_ID: &key.user_id }),
        )
        .await?;
        Err(StoreError::UnknownUser)
    }

    async fn update_key_password(
        &self,
        key_id: &KeyId,
        password_hash: Option<&str>,
    ) -> StoreResult<bool> {
        const OP: &str = "update_key_password";
        let hash = password_hash.map_or(Bson::Null, |h| Bson::String(h.to_owned()));
        let result = self
            .step(
                OP,
                self.keys().update_one(
                    doc! { field::ID: key_doc_id(key_id) },
                    doc! { "$set": { field::PASSWORD_HASH: hash } },
                ),
            )
            .await?;
        Ok(result.matched_count > 0)
    }

    async fn delete_key(&self, key_id: &KeyId) -> StoreResult<()> {
        self.step(
            "delete_key",
            self.keys()
                .delete_one(doc! { field::ID: key_doc_id(key_id) }),
        )
        .await?;
        Ok(())
    }

    async fn get_user_keys(&self, user_id: &str) -> StoreResult<Vec<Key>> {
        const OP: &str = "get_user_keys";
        let keys = self.keys();
        let docs: Vec<Document> = self
            .step(OP, async {
                keys.find(doc! { field::USER_ID: user_id })
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        docs.iter()
            .map(|doc| codec::key_from_doc(doc).map_err(|r| corrupt(OP, &keys, doc)(r).into()))
            .collect()
    }
}

impl<U, S> MongoStore<U, S>
where
    S: Serialize + DeserializeOwned,
{
    fn decode_session(
        operation: &'static str,
        sessions: &Collection<Document>,
        doc: &Document,
    ) -> StoreResult<Session<S>> {
        codec::session_from_doc(doc).map_err(|r| corrupt(operation, sessions, doc)(r).into())
    }
}

impl<U, S> SessionStore for MongoStore<U, S>
where
    U: Send + Sync + 'static,
    S: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    type SessionAttributes = S;

    async fn insert_session(&self, session: &Session<S>) -> StoreResult<()> {
        const OP: &str = "insert_session";
        let doc = codec::session_to_doc(OP, session)?;
        self.step(OP, self.sessions().insert_one(doc)).await?;
        Ok(())
    }

    async fn get_session(&self, session_id: &str) -> StoreResult<Option<Session<S>>> {
        const OP: &str = "get_session";
        let sessions = self.sessions();
        let Some(doc) = self
            .step(OP, sessions.find_one(doc! { field::ID: session_id }))
            .await?
        else {
            return Ok(None);
        };
        Self::decode_session(OP, &sessions, &doc).map(Some)
    }

    async fn get_user_sessions(&self, user_id: &str) -> StoreResult<Vec<Session<S>>> {
        const OP: &str = "get_user_sessions";
        let sessions = self.sessions();
        let docs: Vec<Document> = self
            .step(OP, async {
                sessions
                    .find(doc! { field::USER_ID: user_id })
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        docs.iter()
            .map(|doc| Self::decode_session(OP, &sessions, doc))
            .collect()
    }

    /// A compare-and-swap: reads the session, then replaces it (with the new expiry and the
    /// revision counted up) only if its revision is still the one read; retried on a
    /// conflicting concurrent update. Not a `$set`, because nx-27017 0.8.1 stores a date given
    /// to `$set` as a string (see the crate docs); a replaced document keeps its BSON dates on
    /// every server.
    async fn update_session_expiry(
        &self,
        session_id: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<bool> {
        const OP: &str = "update_session_expiry";
        let at = codec::to_bson_date(OP, expires_at)?;
        let sessions = self.sessions();
        for _ in 0..EXPIRY_UPDATE_ATTEMPTS {
            let Some(mut doc) = self
                .step(OP, sessions.find_one(doc! { field::ID: session_id }))
                .await?
            else {
                return Ok(false);
            };
            // Validate before writing, so a corrupt document is reported, not rewritten.
            let stored = Self::decode_session(OP, &sessions, &doc)?;
            // Forward only: a renewal computed earlier (a slower concurrent request) that
            // lands later must not move the expiry back.
            if stored.expires_at >= expires_at {
                return Ok(true);
            }
            let revision = doc.get(field::REVISION).cloned().unwrap_or(Bson::Null);
            let next = match &revision {
                Bson::Int64(r) => r.wrapping_add(1),
                Bson::Int32(r) => i64::from(*r).wrapping_add(1),
                _ => 1,
            };
            doc.insert(field::EXPIRES_AT, at);
            doc.insert(field::REVISION, next);
            let result = self
                .step(
                    OP,
                    sessions.replace_one(
                        doc! { field::ID: session_id, field::REVISION: revision },
                        doc,
                    ),
                )
                .await?;
            if result.matched_count > 0 {
                return Ok(true);
            }
        }
        Err(MongoStoreError::Contention {
            operation: OP,
            attempts: EXPIRY_UPDATE_ATTEMPTS,
        }
        .into())
    }

    async fn update_session_attributes(
        &self,
        session_id: &str,
        attributes: &S,
    ) -> StoreResult<bool> {
        const OP: &str = "update_session_attributes";
        let value = codec::encode_attributes(OP, attributes)?;
        let result = self
            .step(
                OP,
                self.sessions().update_one(
                    doc! { field::ID: session_id },
                    doc! {
                        "$set": { field::ATTRIBUTES: value },
                        "$inc": { field::REVISION: 1_i64 },
                    },
                ),
            )
            .await?;
        Ok(result.matched_count > 0)
    }

    async fn delete_session(&self, session_id: &str) -> StoreResult<()> {
        self.step(
            "delete_session",
            self.sessions().delete_one(doc! { field::ID: session_id }),
        )
        .await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<()> {
        self.step(
            "delete_user_sessions",
            self.sessions()
                .delete_many(doc! { field::USER_ID: user_id }),
        )
        .await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        const OP: &str = "delete_expired_sessions";
        let now = codec::to_bson_date(OP, now)?;
        let result = self
            .step(
                OP,
                self.sessions()
                    .delete_many(doc! { field::EXPIRES_AT: { "$lte": now } }),
            )
            .await?;
        Ok(result.deleted_count)
    }
}

impl<U, S> AuthStore for MongoStore<U, S>
where
    U: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    S: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    /// One round trip on MongoDB: the session `$lookup`s its user. (nx-27017 answers the
    /// `$lookup` with a JSON string instead of an array of documents; the store then reads the
    /// user with a second query.)
    async fn get_session_and_user(
        &self,
        session_id: &str,
    ) -> StoreResult<Option<(Session<S>, Option<User<U>>)>> {
        const OP: &str = "get_session_and_user";
        let sessions = self.sessions();
        let pipeline = [
            doc! { "$match": { field::ID: session_id } },
            doc! { "$limit": 1 },
            doc! { "$lookup": {
                "from": self.users().name(),
                "localField": field::USER_ID,
                "foreignField": field::ID,
                "as": LOOKUP_FIELD,
            } },
        ];
        let docs: Vec<Document> = self
            .step(OP, async {
                sessions.aggregate(pipeline).await?.try_collect().await
            })
            .await?;
        let Some(doc) = docs.first() else {
            return Ok(None);
        };
        let session = Self::decode_session(OP, &sessions, doc)?;
        let user = match looked_up_user(doc) {
            LookedUp::User(user_doc) => Some(
                codec::user_from_doc(user_doc)
                    .map_err(|r| corrupt(OP, &self.users(), user_doc)(r))?,
            ),
            LookedUp::None => None,
            LookedUp::Unusable => self.find_user(OP, &session.user_id).await?,
        };
        Ok(Some((session, user)))
    }
}

/// Where `get_session_and_user`'s `$lookup` puts the user.
const LOOKUP_FIELD: &str = "__lucia_user";

/// What the `$lookup` stage produced.
#[derive(Debug, PartialEq)]
pub(crate) enum LookedUp<'a> {
    /// The user's document.
    User(&'a Document),
    /// An empty array: the user does not exist.
    None,
    /// Anything else (nx-27017's JSON string): look the user up separately.
    Unusable,
}

pub(crate) fn looked_up_user(doc: &Document) -> LookedUp<'_> {
    match doc.get(LOOKUP_FIELD) {
        Some(Bson::Array(users)) => match users.first() {
            Some(Bson::Document(user)) => LookedUp::User(user),
            None => LookedUp::None,
            Some(_) => LookedUp::Unusable,
        },
        _ => LookedUp::Unusable,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn transactions_are_detected_from_hello() {
        let standalone = doc! { "isWritablePrimary": true, "logicalSessionTimeoutMinutes": 30, "maxWireVersion": 21 };
        assert!(!hello_supports_transactions(&standalone));
        let mut replica = standalone.clone();
        replica.insert("setName", "rs0");
        assert!(hello_supports_transactions(&replica));
        let mongos = doc! { "msg": "isdbgrid", "logicalSessionTimeoutMinutes": 30 };
        assert!(hello_supports_transactions(&mongos));
        // Without logical sessions, no transactions, whatever the topology.
        assert!(!hello_supports_transactions(
            &doc! { "setName": "rs0", "msg": "isdbgrid" }
        ));
        // What nx-27017 0.8.1 answers (captured): no setName, no msg.
        let nx = doc! {
            "ok": 1, "isWritablePrimary": true, "maxBsonObjectSize": 16_777_216,
            "maxMessageSizeBytes": 48_000_000, "maxWriteBatchSize": 100_000,
            "logicalSessionTimeoutMinutes": 30, "connectionId": 1,
            "minWireVersion": 17, "maxWireVersion": 25,
        };
        assert!(!hello_supports_transactions(&nx));
    }

    #[test]
    fn lookup_results_are_read_or_marked_unusable() {
        let user = doc! { "_id": "u1", "attributes": null };
        let found = doc! { "_id": "s1", LOOKUP_FIELD: [user.clone()] };
        assert_eq!(looked_up_user(&found), LookedUp::User(&user));
        let missing = doc! { "_id": "s1", LOOKUP_FIELD: [] };
        assert_eq!(looked_up_user(&missing), LookedUp::None);
        // nx-27017 0.8.1 (captured): the array arrives as a JSON string.
        let nx = doc! { "_id": "s1", LOOKUP_FIELD: r#"[{"_id":"u1","attributes":null}]"# };
        assert_eq!(looked_up_user(&nx), LookedUp::Unusable);
        assert_eq!(looked_up_user(&doc! { "_id": "s1" }), LookedUp::Unusable);
    }

    fn write_error(code: i32, message: &str) -> MongoStoreError {
        let err: mongodb::error::Error = ErrorKind::Write(WriteFailure::WriteError(
            mongodb::bson::from_document(doc! { "code": code, "errmsg": message }).unwrap(),
        ))
        .into();
        MongoStoreError::driver("test", err)
    }

    #[tokio::test]
    async fn duplicate_key_errors_become_the_cores_conflicts() {
        let store = MongoStore::<(), ()>::new(
            mongodb::Client::with_options(mongodb::options::ClientOptions::default())
                .unwrap()
                .database("unit"),
        )
        .with_unique_attribute("email");
        let err = |code, message| store.user_write_error("t", write_error(code, message));
        assert!(matches!(
            err(11000, "UNIQUE constraint failed: lucia_users._id"),
            StoreError::DuplicateUserId
        ));
        assert!(matches!(
            err(11000, "E11000 duplicate key error collection: a.lucia_users index: lucia_unique_email dup key: { attributes.email: \"x\" }"),
            StoreError::UniqueViolation { column } if column == "email"
        ));
        match err(
            11000,
            "E11000 duplicate key error collection: a.lucia_users index: theirs dup key: { x: 1 }",
        ) {
            StoreError::Backend(source) => assert!(matches!(
                source.downcast_ref::<MongoStoreError>(),
                Some(MongoStoreError::UnknownUniqueIndex { .. })
            )),
            other => panic!("{other:?}"),
        }
        // Other write errors stay backend errors, with the driver's error inside.
        match err(121, "Document failed validation") {
            StoreError::Backend(source) => assert!(matches!(
                source.downcast_ref::<MongoStoreError>(),
                Some(MongoStoreError::Driver { .. })
            )),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            MongoStore::<(), ()>::key_write_error(write_error(11000, "anything")),
            StoreError::DuplicateKey
        ));
        assert!(matches!(
            MongoStore::<(), ()>::key_write_error(write_error(2, "BadValue")),
            StoreError::Backend(_)
        ));
    }
}
