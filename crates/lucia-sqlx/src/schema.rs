//! Table names, the SQL dialects, and every statement the stores run — built once, from
//! static names, never from input.

use lucia::Error;

/// The names of lucia's tables.
///
/// ```
/// let tables = lucia_sqlx::Tables::default();
/// assert_eq!((tables.users(), tables.keys(), tables.sessions()), ("users", "user_keys", "user_sessions"));
/// let custom = lucia_sqlx::Tables::new("accounts", "account_keys", "account_sessions")?;
/// assert!(lucia_sqlx::Tables::new("users; DROP TABLE x", "k", "s").is_err());
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    users: String,
    keys: String,
    sessions: String,
    tokens: String,
    two_factor: String,
    recovery_codes: String,
    migrations: String,
}

impl Default for Tables {
    fn default() -> Self {
        Self {
            users: "users".into(),
            keys: "user_keys".into(),
            sessions: "user_sessions".into(),
            tokens: "user_tokens".into(),
            two_factor: "user_two_factor".into(),
            recovery_codes: "user_recovery_codes".into(),
            migrations: "lucia_migrations".into(),
        }
    }
}

impl Tables {
    /// Custom table names: plain SQL identifiers (`[A-Za-z_][A-Za-z0-9_]*`, at most 48
    /// characters), [`Error::Config`] otherwise. The migrations table stays `lucia_migrations`
    /// unless set with [`Tables::migrations`].
    pub fn new(users: &str, keys: &str, sessions: &str) -> lucia::Result<Self> {
        for name in [users, keys, sessions] {
            check_identifier(name)?;
        }
        Ok(Self {
            users: users.into(),
            keys: keys.into(),
            sessions: sessions.into(),
            ..Self::default()
        })
    }

    /// Renames the one-time token table (`user_tokens` by default).
    pub fn tokens(mut self, name: &str) -> lucia::Result<Self> {
        check_identifier(name)?;
        self.tokens = name.into();
        Ok(self)
    }

    /// Renames the two-factor tables (`user_two_factor` and `user_recovery_codes` by default).
    pub fn two_factor(mut self, enrolments: &str, recovery_codes: &str) -> lucia::Result<Self> {
        check_identifier(enrolments)?;
        check_identifier(recovery_codes)?;
        self.two_factor = enrolments.into();
        self.recovery_codes = recovery_codes.into();
        Ok(self)
    }

    /// Renames the table that records applied migrations.
    pub fn migrations(mut self, name: &str) -> lucia::Result<Self> {
        check_identifier(name)?;
        self.migrations = name.into();
        Ok(self)
    }

    /// The user table.
    pub fn users(&self) -> &str {
        &self.users
    }

    /// The key table.
    pub fn keys(&self) -> &str {
        &self.keys
    }

    /// The session table.
    pub fn sessions(&self) -> &str {
        &self.sessions
    }

    /// The one-time token table.
    pub fn tokens_table(&self) -> &str {
        &self.tokens
    }

    /// The table recording applied migrations.
    pub fn migrations_table(&self) -> &str {
        &self.migrations
    }
}

pub(crate) fn check_identifier(name: &str) -> lucia::Result<()> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 48;
    if valid {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "{name:?} is not a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 48 characters)"
        )))
    }
}

/// The SQL dialect of a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite: `"quoted"` identifiers, `?` parameters, timestamps as integer Unix seconds.
    Sqlite,
    /// PostgreSQL: `"quoted"` identifiers, `$n` parameters, `TIMESTAMPTZ`.
    Postgres,
    /// MySQL and MariaDB: `` `quoted` `` identifiers, `?` parameters, `DATETIME` in UTC.
    MySql,
}

impl Dialect {
    fn quote(self, ident: &str) -> String {
        match self {
            Self::MySql => format!("`{ident}`"),
            Self::Sqlite | Self::Postgres => format!("\"{ident}\""),
        }
    }

    fn params(self, first: usize, count: usize) -> Vec<String> {
        (first..first + count)
            .map(|n| match self {
                Self::Postgres => format!("${n}"),
                Self::Sqlite | Self::MySql => "?".to_owned(),
            })
            .collect()
    }

    fn param(self, n: usize) -> String {
        self.params(n, 1).remove(0)
    }

    fn id_type(self, len: usize) -> String {
        match self {
            Self::MySql => format!("VARCHAR({len}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"),
            Self::Sqlite | Self::Postgres => "TEXT".into(),
        }
    }

    fn timestamp_type(self) -> &'static str {
        match self {
            Self::Sqlite => "INTEGER",
            Self::Postgres => "TIMESTAMPTZ",
            Self::MySql => "DATETIME",
        }
    }

    fn varbytes_type(self) -> &'static str {
        match self {
            Self::Sqlite => "BLOB",
            Self::Postgres => "BYTEA",
            Self::MySql => "VARBINARY(255)",
        }
    }

    fn bool_type(self) -> &'static str {
        "BOOLEAN"
    }

    fn bytes_type(self) -> &'static str {
        match self {
            Self::Sqlite => "BLOB",
            Self::Postgres => "BYTEA",
            Self::MySql => "BINARY(32)",
        }
    }
}

/// Columns every session row has before the app's attribute columns.
pub(crate) const SESSION_BASE_COLUMNS: usize = 6;
/// How many expired sessions one `DELETE` removes at most, so a purge never holds long locks.
pub(crate) const PURGE_BATCH: u64 = 5_000;

/// Every statement a store runs.
#[derive(Debug)]
pub(crate) struct Statements {
    pub get_user: String,
    pub insert_user: String,
    pub update_user: Option<String>,
    pub user_exists: String,
    pub delete_user: String,
    pub delete_keys_of_user: String,
    pub get_key: String,
    pub insert_key: String,
    pub update_key_password: String,
    pub key_exists: String,
    pub delete_key: String,
    pub get_user_keys: String,
    pub insert_session: String,
    pub get_session: String,
    pub get_user_sessions: String,
    pub update_session_expiry: String,
    pub update_session_attributes: Option<String>,
    pub session_exists: String,
    pub delete_session: String,
    pub delete_user_sessions: String,
    pub delete_expired_sessions: String,
    pub get_session_and_user: String,
    pub delete_tokens_of_user: String,
    pub delete_user_purpose_tokens: String,
    pub insert_token: String,
    pub take_token: String,
    pub take_user_token: String,
    pub select_token_for_update: String,
    pub select_user_token_for_update: String,
    pub delete_token: String,
    pub get_user_token: String,
    pub record_failed_attempt: String,
    pub delete_expired_tokens: String,
    pub get_two_factor: String,
    pub delete_two_factor: String,
    pub insert_two_factor: String,
    pub enable_two_factor: String,
    pub two_factor_exists: String,
    pub use_step: String,
    pub delete_recovery_codes: String,
    pub insert_recovery_code: String,
    pub take_recovery_code: String,
    pub count_recovery_codes: String,
}

impl Statements {
    pub(crate) fn new(
        dialect: Dialect,
        tables: &Tables,
        user_columns: &[&str],
        session_columns: &[&str],
    ) -> lucia::Result<Self> {
        for column in user_columns.iter().chain(session_columns) {
            check_identifier(column)?;
            if column.eq_ignore_ascii_case("id") {
                return Err(Error::Config(
                    "an attribute column cannot be named `id`".into(),
                ));
            }
        }
        let q = |ident: &str| dialect.quote(ident);
        let list = |cols: &[&str], prefix: &str| -> String {
            cols.iter().map(|c| format!(", {prefix}{}", q(c))).collect()
        };
        let assignments = |cols: &[&str]| -> Option<String> {
            (!cols.is_empty()).then(|| {
                cols.iter()
                    .enumerate()
                    .map(|(i, c)| format!("{} = {}", q(c), dialect.param(i + 1)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        };
        let (users, keys, sessions) = (q(&tables.users), q(&tables.keys), q(&tables.sessions));
        let p1 = dialect.param(1);
        let p2 = dialect.param(2);
        let n_user = user_columns.len();
        let n_session = session_columns.len();

        let user_cols = list(user_columns, "");
        let session_select = format!(
            "s.{id}, s.{user_id}, s.{hash}, s.{created}, s.{expires}, s.{lifetime}{attrs}",
            id = q("id"),
            user_id = q("user_id"),
            hash = q("secret_hash"),
            created = q("created_at"),
            expires = q("expires_at"),
            lifetime = q("lifetime_seconds"),
            attrs = list(session_columns, "s."),
        );
        let session_insert_cols = format!(
            "{}, {}, {}, {}, {}, {}{}",
            q("id"),
            q("user_id"),
            q("secret_hash"),
            q("created_at"),
            q("expires_at"),
            q("lifetime_seconds"),
            list(session_columns, "")
        );
        let key_cols = format!("{}, {}, {}", q("id"), q("user_id"), q("hashed_password"));
        let purge = match dialect {
            Dialect::Postgres => format!(
                "DELETE FROM {sessions} WHERE {id} IN (SELECT {id} FROM {sessions} WHERE {exp} <= $1 LIMIT {PURGE_BATCH})",
                id = q("id"),
                exp = q("expires_at"),
            ),
            Dialect::Sqlite => format!(
                "DELETE FROM {sessions} WHERE rowid IN (SELECT rowid FROM {sessions} WHERE {exp} <= ? LIMIT {PURGE_BATCH})",
                exp = q("expires_at"),
            ),
            Dialect::MySql => format!(
                "DELETE FROM {sessions} WHERE {exp} <= ? LIMIT {PURGE_BATCH}",
                exp = q("expires_at"),
            ),
        };

        let tokens = q(&tables.tokens);
        let token_cols = [
            "id",
            "user_id",
            "purpose",
            "email",
            "secret_hash",
            "created_at",
            "expires_at",
            "attempts",
        ]
        .map(q)
        .join(", ");
        let (uid, purpose, hash, attempts) =
            (q("user_id"), q("purpose"), q("secret_hash"), q("attempts"));
        let (p3, p4) = (dialect.param(3), dialect.param(4));
        let by_hash = format!("{purpose} = {p1} AND {hash} = {p2}");
        let by_user =
            format!("{uid} = {p1} AND {purpose} = {p2} AND {hash} = {p3} AND {attempts} < {p4}");
        let delete_tokens_of_user = format!("DELETE FROM {tokens} WHERE {uid} = {p1}");
        let delete_user_purpose_tokens =
            format!("DELETE FROM {tokens} WHERE {uid} = {p1} AND {purpose} = {p2}");
        let insert_token = format!(
            "INSERT INTO {tokens} ({token_cols}) VALUES ({})",
            dialect.params(1, 8).join(", ")
        );
        let take_token = format!("DELETE FROM {tokens} WHERE {by_hash} RETURNING {token_cols}");
        let take_user_token =
            format!("DELETE FROM {tokens} WHERE {by_user} RETURNING {token_cols}");
        let select_token_for_update =
            format!("SELECT {token_cols} FROM {tokens} WHERE {by_hash} FOR UPDATE");
        let select_user_token_for_update =
            format!("SELECT {token_cols} FROM {tokens} WHERE {by_user} FOR UPDATE");
        let delete_token = format!("DELETE FROM {tokens} WHERE {} = {p1}", q("id"));
        let get_user_token =
            format!("SELECT {token_cols} FROM {tokens} WHERE {uid} = {p1} AND {purpose} = {p2}");
        let record_failed_attempt = format!(
            "UPDATE {tokens} SET {attempts} = {attempts} + 1 WHERE {uid} = {p1} AND {purpose} = {p2}"
        );
        let delete_expired_tokens =
            format!("DELETE FROM {tokens} WHERE {} <= {p1}", q("expires_at"));

        let (tf, rc) = (q(&tables.two_factor), q(&tables.recovery_codes));
        let tf_cols = [
            "user_id",
            "secret",
            "enabled",
            "last_used_step",
            "created_at",
        ]
        .map(q)
        .join(", ");
        let step = q("last_used_step");
        let get_two_factor = format!("SELECT {tf_cols} FROM {tf} WHERE {uid} = {p1}");
        let delete_two_factor = format!("DELETE FROM {tf} WHERE {uid} = {p1}");
        let insert_two_factor = format!(
            "INSERT INTO {tf} ({tf_cols}) VALUES ({})",
            dialect.params(1, 5).join(", ")
        );
        let enable_two_factor =
            format!("UPDATE {tf} SET {} = {p1} WHERE {uid} = {p2}", q("enabled"));
        let two_factor_exists = format!("SELECT 1 FROM {tf} WHERE {uid} = {p1}");
        let use_step = format!(
            "UPDATE {tf} SET {step} = {p1} WHERE {uid} = {p2} AND ({step} IS NULL OR {step} < {p3})"
        );
        let delete_recovery_codes = format!("DELETE FROM {rc} WHERE {uid} = {p1}");
        let insert_recovery_code = format!(
            "INSERT INTO {rc} ({uid}, {}) VALUES ({p1}, {p2})",
            q("code_hash")
        );
        let take_recovery_code = format!(
            "DELETE FROM {rc} WHERE {uid} = {p1} AND {} = {p2}",
            q("code_hash")
        );
        let count_recovery_codes = format!("SELECT COUNT(*) FROM {rc} WHERE {uid} = {p1}");

        Ok(Self {
            get_two_factor,
            delete_two_factor,
            insert_two_factor,
            enable_two_factor,
            two_factor_exists,
            use_step,
            delete_recovery_codes,
            insert_recovery_code,
            take_recovery_code,
            count_recovery_codes,
            delete_tokens_of_user,
            delete_user_purpose_tokens,
            insert_token,
            take_token,
            take_user_token,
            select_token_for_update,
            select_user_token_for_update,
            delete_token,
            get_user_token,
            record_failed_attempt,
            delete_expired_tokens,
            get_user: format!(
                "SELECT {}{user_cols} FROM {users} WHERE {} = {p1}",
                q("id"),
                q("id")
            ),
            insert_user: format!(
                "INSERT INTO {users} ({}{user_cols}) VALUES ({})",
                q("id"),
                dialect.params(1, 1 + n_user).join(", ")
            ),
            update_user: assignments(user_columns).map(|set| {
                format!(
                    "UPDATE {users} SET {set} WHERE {} = {}",
                    q("id"),
                    dialect.param(n_user + 1)
                )
            }),
            user_exists: format!("SELECT 1 FROM {users} WHERE {} = {p1}", q("id")),
            delete_user: format!("DELETE FROM {users} WHERE {} = {p1}", q("id")),
            delete_keys_of_user: format!("DELETE FROM {keys} WHERE {} = {p1}", q("user_id")),
            get_key: format!("SELECT {key_cols} FROM {keys} WHERE {} = {p1}", q("id")),
            insert_key: format!(
                "INSERT INTO {keys} ({key_cols}) VALUES ({})",
                dialect.params(1, 3).join(", ")
            ),
            update_key_password: format!(
                "UPDATE {keys} SET {} = {p1} WHERE {} = {p2}",
                q("hashed_password"),
                q("id")
            ),
            key_exists: format!("SELECT 1 FROM {keys} WHERE {} = {p1}", q("id")),
            delete_key: format!("DELETE FROM {keys} WHERE {} = {p1}", q("id")),
            get_user_keys: format!(
                "SELECT {key_cols} FROM {keys} WHERE {} = {p1} ORDER BY {}",
                q("user_id"),
                q("id")
            ),
            insert_session: format!(
                "INSERT INTO {sessions} ({session_insert_cols}) VALUES ({})",
                dialect
                    .params(1, SESSION_BASE_COLUMNS + n_session)
                    .join(", ")
            ),
            get_session: format!(
                "SELECT {session_select} FROM {sessions} s WHERE s.{} = {p1}",
                q("id")
            ),
            get_user_sessions: format!(
                "SELECT {session_select} FROM {sessions} s WHERE s.{} = {p1} ORDER BY s.{}, s.{}",
                q("user_id"),
                q("created_at"),
                q("id")
            ),
            // Forward only, in the statement itself: of concurrent renewals computed with
            // clocks a second apart, a slower write of the earlier expiry must not win.
            update_session_expiry: format!(
                "UPDATE {sessions} SET {exp} = {greatest}({exp}, {p1}) WHERE {} = {p2}",
                q("id"),
                exp = q("expires_at"),
                greatest = match dialect {
                    Dialect::Sqlite => "MAX",
                    Dialect::Postgres | Dialect::MySql => "GREATEST",
                },
            ),
            update_session_attributes: assignments(session_columns).map(|set| {
                format!(
                    "UPDATE {sessions} SET {set} WHERE {} = {}",
                    q("id"),
                    dialect.param(n_session + 1)
                )
            }),
            session_exists: format!("SELECT 1 FROM {sessions} WHERE {} = {p1}", q("id")),
            delete_session: format!("DELETE FROM {sessions} WHERE {} = {p1}", q("id")),
            delete_user_sessions: format!("DELETE FROM {sessions} WHERE {} = {p1}", q("user_id")),
            delete_expired_sessions: purge,
            get_session_and_user: format!(
                "SELECT {session_select}, u.{}{} FROM {sessions} s LEFT JOIN {users} u ON u.{} = s.{} WHERE s.{} = {p1}",
                q("id"),
                list(user_columns, "u."),
                q("id"),
                q("user_id"),
                q("id"),
            ),
        })
    }
}

/// Creates lucia's tables (and your attribute columns) with one call, or prints the SQL to
/// copy into your own migrations.
///
/// Migrations are versioned: applied versions are recorded in the migrations table
/// (`lucia_migrations` by default) and never run twice. Version 1 creates the three tables
/// with their indexes and foreign keys. Your attribute columns are given as column
/// definitions in the dialect of your database; they are part of the `CREATE TABLE`
/// statements. Later changes to your own columns belong in your own migrations.
///
/// ```
/// use lucia_sqlx::{Dialect, Migrator};
///
/// let migrator = Migrator::new(Default::default())
///     .user_column("email TEXT NOT NULL UNIQUE")
///     .session_column("ip TEXT");
/// let sql = migrator.sql(Dialect::Postgres).join(";\n");
/// assert!(sql.contains(r#"CREATE TABLE IF NOT EXISTS "users" ("id" TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE)"#));
/// assert!(sql.contains(r#""secret_hash" BYTEA NOT NULL"#));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Migrator {
    tables: Tables,
    user_columns: Vec<String>,
    session_columns: Vec<String>,
    app: Vec<(i64, String, Vec<String>)>,
}

/// The first version number of app migrations ([`Migrator::app_migration`]); lucia's own stay
/// below it.
pub const FIRST_APP_MIGRATION: i64 = 1000;

/// One versioned migration.
pub(crate) struct Migration {
    pub version: i64,
    pub description: String,
    pub statements: Vec<String>,
}

impl Migrator {
    /// A migrator for these tables.
    pub fn new(tables: Tables) -> Self {
        Self {
            tables,
            ..Self::default()
        }
    }

    /// Adds an attribute column to the user table: a column definition in your database's
    /// dialect, e.g. `"email TEXT NOT NULL UNIQUE"`. This is trusted code, not input.
    pub fn user_column(mut self, definition: impl Into<String>) -> Self {
        self.user_columns.push(definition.into());
        self
    }

    /// Adds an attribute column to the session table, e.g. `"ip TEXT"`.
    pub fn session_column(mut self, definition: impl Into<String>) -> Self {
        self.session_columns.push(definition.into());
        self
    }

    /// Adds an app migration (your own columns changing later: `ALTER TABLE ...`), run once
    /// after lucia's, in version order, and recorded in the same table. Versions start at
    /// [`FIRST_APP_MIGRATION`] (1000); a smaller or repeated version is an
    /// [`Error::Config`](lucia::Error::Config). The statements are trusted code, in your
    /// database's dialect.
    ///
    /// ```
    /// let migrator = lucia_sqlx::Migrator::default()
    ///     .session_column("ip TEXT")
    ///     .app_migration(1000, "session device names", ["ALTER TABLE user_sessions ADD COLUMN device TEXT"])?;
    /// assert!(migrator.sql(lucia_sqlx::Dialect::Sqlite).last().unwrap().contains("ADD COLUMN device"));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn app_migration<I, T>(
        mut self,
        version: i64,
        description: impl Into<String>,
        statements: I,
    ) -> lucia::Result<Self>
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        if version < FIRST_APP_MIGRATION || self.app.iter().any(|(v, _, _)| *v == version) {
            return Err(Error::Config(format!(
                "app migration versions start at {FIRST_APP_MIGRATION} and are unique, got {version}"
            )));
        }
        self.app.push((
            version,
            description.into(),
            statements.into_iter().map(Into::into).collect(),
        ));
        self.app.sort_by_key(|(v, _, _)| *v);
        Ok(self)
    }

    /// The tables this migrator creates.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The statements of every migration, in order, for copying into your own migrations.
    pub fn sql(&self, dialect: Dialect) -> Vec<String> {
        self.migrations(dialect)
            .into_iter()
            .flat_map(|m| m.statements)
            .collect()
    }

    pub(crate) fn migrations(&self, dialect: Dialect) -> Vec<Migration> {
        let q = |ident: &str| dialect.quote(ident);
        let t = &self.tables;
        let extra = |cols: &[String]| -> String { cols.iter().map(|c| format!(", {c}")).collect() };
        let (users, keys, sessions) = (q(&t.users), q(&t.keys), q(&t.sessions));
        let fk = |table: &str, name: &str| match dialect {
            Dialect::MySql => format!(
                ", INDEX {} ({}), CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {users} ({}) ON DELETE CASCADE",
                q(&format!("{table}_user_id_idx")),
                q("user_id"),
                q(&format!("{table}_{name}_fk")),
                q("user_id"),
                q("id"),
            ),
            Dialect::Sqlite | Dialect::Postgres => String::new(),
        };
        let references = match dialect {
            Dialect::MySql => String::new(),
            Dialect::Sqlite | Dialect::Postgres => {
                format!(" REFERENCES {users} ({}) ON DELETE CASCADE", q("id"))
            }
        };
        let engine = match dialect {
            Dialect::MySql => " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
            Dialect::Sqlite | Dialect::Postgres => "",
        };
        let user_id = dialect.id_type(255);
        let mut statements = vec![
            format!(
                "CREATE TABLE IF NOT EXISTS {users} ({} {user_id} {}PRIMARY KEY{}){engine}",
                q("id"),
                if dialect == Dialect::MySql {
                    "NOT NULL "
                } else {
                    ""
                },
                extra(&self.user_columns)
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {keys} ({} {} NOT NULL PRIMARY KEY, {} {user_id} NOT NULL{references}, {} TEXT{}){engine}",
                q("id"),
                dialect.id_type(700),
                q("user_id"),
                q("hashed_password"),
                fk(&t.keys, "user"),
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {sessions} ({} {} NOT NULL PRIMARY KEY, {} {user_id} NOT NULL{references}, {} {} NOT NULL, {} {ts} NOT NULL, {} {ts} NOT NULL, {} BIGINT{}{}){engine}",
                q("id"),
                dialect.id_type(255),
                q("user_id"),
                q("secret_hash"),
                dialect.bytes_type(),
                q("created_at"),
                q("expires_at"),
                q("lifetime_seconds"),
                extra(&self.session_columns),
                match dialect {
                    // MySQL has no `CREATE INDEX IF NOT EXISTS`: declare it with the table.
                    Dialect::MySql => format!(
                        "{}, INDEX {} ({})",
                        fk(&t.sessions, "user"),
                        q(&format!("{}_expires_at_idx", t.sessions)),
                        q("expires_at")
                    ),
                    Dialect::Sqlite | Dialect::Postgres => String::new(),
                },
                ts = dialect.timestamp_type(),
            ),
        ];
        match dialect {
            Dialect::MySql => {}
            Dialect::Sqlite | Dialect::Postgres => {
                for (table, column) in [
                    (&t.keys, "user_id"),
                    (&t.sessions, "user_id"),
                    (&t.sessions, "expires_at"),
                ] {
                    statements.push(format!(
                        "CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                        q(&format!("{table}_{column}_idx")),
                        q(table),
                        q(column)
                    ));
                }
            }
        }
        vec![
            Migration {
                version: 1,
                description: "users, keys and sessions".into(),
                statements,
            },
            Migration {
                version: 2,
                description: "one-time tokens".into(),
                statements: self.token_table(dialect),
            },
            Migration {
                version: 3,
                description: "two-factor enrolments and recovery codes".into(),
                statements: self.two_factor_tables(dialect),
            },
        ]
        .into_iter()
        .chain(
            self.app
                .iter()
                .map(|(version, description, statements)| Migration {
                    version: *version,
                    description: description.clone(),
                    statements: statements.clone(),
                }),
        )
        .collect()
    }

    fn two_factor_tables(&self, dialect: Dialect) -> Vec<String> {
        let q = |ident: &str| dialect.quote(ident);
        let t = &self.tables;
        let (users, tf, rc) = (q(&t.users), q(&t.two_factor), q(&t.recovery_codes));
        let engine = match dialect {
            Dialect::MySql => " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
            Dialect::Sqlite | Dialect::Postgres => "",
        };
        let fk = |table: &str| {
            format!(
                "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {users} ({}) ON DELETE CASCADE",
                q(&format!("{table}_user_fk")),
                q("user_id"),
                q("id")
            )
        };
        vec![
            format!(
                "CREATE TABLE IF NOT EXISTS {tf} ({} {} NOT NULL PRIMARY KEY, {} {} NOT NULL, {} {} NOT NULL, {} BIGINT, {} {} NOT NULL, {}){engine}",
                q("user_id"),
                dialect.id_type(255),
                q("secret"),
                dialect.varbytes_type(),
                q("enabled"),
                dialect.bool_type(),
                q("last_used_step"),
                q("created_at"),
                dialect.timestamp_type(),
                fk(&t.two_factor),
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {rc} ({} {} NOT NULL, {} {} NOT NULL, PRIMARY KEY ({}, {}), {}){engine}",
                q("user_id"),
                dialect.id_type(255),
                q("code_hash"),
                dialect.bytes_type(),
                q("user_id"),
                q("code_hash"),
                fk(&t.recovery_codes),
            ),
        ]
    }

    fn token_table(&self, dialect: Dialect) -> Vec<String> {
        let q = |ident: &str| dialect.quote(ident);
        let t = &self.tables;
        let (users, tokens) = (q(&t.users), q(&t.tokens));
        let index = |suffix: &str| q(&format!("{}_{suffix}", t.tokens));
        let purpose_type = match dialect {
            Dialect::MySql => "VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            Dialect::Sqlite | Dialect::Postgres => "TEXT",
        };
        let columns = format!(
            "{} {} NOT NULL PRIMARY KEY, {} {} NOT NULL, {} {purpose_type} NOT NULL, {} TEXT, {} {} NOT NULL, {} {ts} NOT NULL, {} {ts} NOT NULL, {} BIGINT NOT NULL DEFAULT 0",
            q("id"),
            dialect.id_type(255),
            q("user_id"),
            dialect.id_type(255),
            q("purpose"),
            q("email"),
            q("secret_hash"),
            dialect.bytes_type(),
            q("created_at"),
            q("expires_at"),
            q("attempts"),
            ts = dialect.timestamp_type(),
        );
        match dialect {
            Dialect::MySql => vec![format!(
                "CREATE TABLE IF NOT EXISTS {tokens} ({columns}, UNIQUE KEY {} ({}, {}), INDEX {} ({}, {}), INDEX {} ({}), CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {users} ({}) ON DELETE CASCADE) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                index("user_purpose_idx"),
                q("user_id"),
                q("purpose"),
                index("hash_idx"),
                q("purpose"),
                q("secret_hash"),
                index("expires_at_idx"),
                q("expires_at"),
                index("user_fk"),
                q("user_id"),
                q("id"),
            )],
            Dialect::Sqlite | Dialect::Postgres => vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS {tokens} ({}, FOREIGN KEY ({}) REFERENCES {users} ({}) ON DELETE CASCADE)",
                    columns,
                    q("user_id"),
                    q("id")
                ),
                format!(
                    "CREATE UNIQUE INDEX IF NOT EXISTS {} ON {tokens} ({}, {})",
                    index("user_purpose_idx"),
                    q("user_id"),
                    q("purpose")
                ),
                format!(
                    "CREATE INDEX IF NOT EXISTS {} ON {tokens} ({}, {})",
                    index("hash_idx"),
                    q("purpose"),
                    q("secret_hash")
                ),
                format!(
                    "CREATE INDEX IF NOT EXISTS {} ON {tokens} ({})",
                    index("expires_at_idx"),
                    q("expires_at")
                ),
            ],
        }
    }

    pub(crate) fn create_migrations_table(&self, dialect: Dialect) -> String {
        let q = |ident: &str| dialect.quote(ident);
        let ts = match dialect {
            Dialect::Sqlite => "INTEGER",
            Dialect::Postgres => "TIMESTAMPTZ",
            Dialect::MySql => "DATETIME",
        };
        format!(
            "CREATE TABLE IF NOT EXISTS {} ({} BIGINT NOT NULL PRIMARY KEY, {} TEXT NOT NULL, {} {ts} NOT NULL)",
            q(&self.tables.migrations),
            q("version"),
            q("description"),
            q("applied_at"),
        )
    }

    pub(crate) fn applied_versions(&self, dialect: Dialect) -> String {
        format!(
            "SELECT {} FROM {}",
            dialect.quote("version"),
            dialect.quote(&self.tables.migrations)
        )
    }

    pub(crate) fn record_version(&self, dialect: Dialect) -> String {
        format!(
            "INSERT INTO {} ({}, {}, {}) VALUES ({})",
            dialect.quote(&self.tables.migrations),
            dialect.quote("version"),
            dialect.quote("description"),
            dialect.quote("applied_at"),
            dialect.params(1, 3).join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked() {
        assert!(Tables::new("users", "keys", "sessions").is_ok());
        for bad in [
            "",
            "1users",
            "us-ers",
            "users\"",
            "a b",
            "ü",
            &"x".repeat(49),
        ] {
            assert!(Tables::new(bad, "k", "s").is_err(), "{bad:?}");
        }
        assert!(Statements::new(Dialect::Postgres, &Tables::default(), &["id"], &[]).is_err());
        assert!(Statements::new(Dialect::Postgres, &Tables::default(), &["e mail"], &[]).is_err());
    }

    #[test]
    fn statements_are_parameterised_per_dialect() {
        let pg = Statements::new(
            Dialect::Postgres,
            &Tables::default(),
            &["email", "name"],
            &["ip"],
        )
        .unwrap();
        assert_eq!(
            pg.insert_user,
            r#"INSERT INTO "users" ("id", "email", "name") VALUES ($1, $2, $3)"#
        );
        assert_eq!(
            pg.update_user.as_deref(),
            Some(r#"UPDATE "users" SET "email" = $1, "name" = $2 WHERE "id" = $3"#)
        );
        assert!(
            pg.get_session_and_user
                .contains(r#"LEFT JOIN "users" u ON u."id" = s."user_id" WHERE s."id" = $1"#)
        );
        let my = Statements::new(Dialect::MySql, &Tables::default(), &[], &[]).unwrap();
        assert_eq!(my.update_user, None);
        assert_eq!(
            my.get_key,
            "SELECT `id`, `user_id`, `hashed_password` FROM `user_keys` WHERE `id` = ?"
        );
    }
}
