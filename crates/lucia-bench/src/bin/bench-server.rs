//! `bench-server <variant> <port> [--db-dir DIR]`: one trivial protected route, `GET /protected`,
//! behind the authentication of `<variant>`, for `scripts/bench.sh` to load with `wrk`.
//!
//! Variants: `none` (no authentication: the ceiling), `lucia-memory`, `login-memory`,
//! `lucia-sqlite`, `login-sqlite`, `lucia-postgres`, `login-postgres`, `lucia-redis`,
//! `login-redis` (`lucia-*`: lucia-axum; `login-*`: axum-login + tower-sessions on the matching
//! tower-sessions store). PostgreSQL and Redis URLs come from `LUCIA_POSTGRES_URL` and
//! `LUCIA_REDIS_URL`.
//!
//! At startup the server creates a user, signs it in through its own `GET /login` (over
//! loopback, like a client would) and prints `COOKIE <name>=<value>` and then `READY` on
//! stdout. Routes: `/protected` (200 with the user id, 401 without a valid session), `/login`,
//! `/cheap` (no authentication, for the executor check) and, for lucia variants,
//! `/password-login` (a real Argon2id password check at the default parameters, offloaded to
//! tokio's blocking pool with `TokioOffload`).
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_login::{AuthManagerLayerBuilder, AuthSession, AuthUser, AuthnBackend, UserId};
use lucia::store::{AuthStore, Split};
use lucia::{Lucia, MemoryStore, NewKey, NewUser};
use lucia_axum::{Auth, AuthError, LuciaLayer, SessionControl, TokioOffload};
use lucia_bench::setup::{self, SetupError};
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, SqlitePool};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower_sessions::{SessionManagerLayer, SessionStore};

/// Connections in each SQL pool (lucia's and tower-sessions').
const POOL_SIZE: u32 = 8;
/// The bench user's sign-in key and password (for `/password-login`).
const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "correct horse battery staple";

#[tokio::main]
async fn main() -> Result<(), SetupError> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench-server <variant> <port> [--db-dir DIR]";
    let variant = args.next().ok_or(usage)?;
    let port: u16 = args.next().ok_or(usage)?.parse()?;
    let mut db_dir = std::env::temp_dir();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--db-dir" => db_dir = PathBuf::from(args.next().ok_or(usage)?),
            other => return Err(format!("unknown argument {other}; {usage}").into()),
        }
    }
    std::fs::create_dir_all(&db_dir)?;
    let sqlite_path = db_dir.join(format!("bench-{variant}-{port}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", sqlite_path.display()));
    }
    let env = |var: &str| std::env::var(var).map_err(|_| format!("{variant} needs {var}"));

    let app = match variant.as_str() {
        "none" => Router::new()
            .route("/protected", get(|| async { "ok" }))
            .route("/login", get(|| async { "ok" })),
        "lucia-memory" => lucia_app(MemoryStore::<(), ()>::new()).await?,
        "lucia-sqlite" => {
            let pool = setup::sqlite_pool(&sqlite_path, POOL_SIZE).await?;
            lucia_app(setup::sqlite_store(pool, "bench").await?).await?
        }
        "lucia-postgres" => {
            let pool = setup::postgres_pool(&env("LUCIA_POSTGRES_URL")?, POOL_SIZE).await?;
            lucia_app(setup::postgres_store(pool, "bench_http").await?).await?
        }
        "lucia-redis" => {
            let sessions =
                setup::redis_store(&env("LUCIA_REDIS_URL")?, &setup::unique("lucia-bench")).await?;
            lucia_app(Split::new(MemoryStore::<(), ()>::new(), sessions)).await?
        }
        "login-memory" => {
            let backend = Backend::memory();
            login_app(backend, tower_sessions::MemoryStore::default())
        }
        "login-sqlite" => {
            let pool = setup::sqlite_pool(&sqlite_path, POOL_SIZE).await?;
            let store = tower_sessions_sqlx_store::SqliteStore::new(pool.clone());
            store.migrate().await?;
            login_app(Backend::sqlite(pool).await?, store)
        }
        "login-postgres" => {
            let pool = setup::postgres_pool(&env("LUCIA_POSTGRES_URL")?, POOL_SIZE).await?;
            let store = tower_sessions_sqlx_store::PostgresStore::new(pool.clone())
                .with_schema_name("bench_tower_sessions")?;
            store.migrate().await?;
            login_app(Backend::postgres(pool).await?, store)
        }
        "login-redis" => {
            use tower_sessions_redis_store::fred::prelude::{ClientLike, Config, Pool};
            let config = Config::from_url(&env("LUCIA_REDIS_URL")?)?;
            // Six connections, as in tower-sessions-redis-store's own example.
            let pool = Pool::new(config, None, None, None, 6)?;
            let _connection = pool.connect();
            pool.wait_for_connect().await?;
            login_app(
                Backend::memory(),
                tower_sessions_redis_store::RedisStore::new(pool),
            )
        }
        other => return Err(format!("unknown variant {other}").into()),
    };
    let app = app.route("/cheap", get(|| async { "cheap" }));

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let cookie = sign_in_over_http(port).await?;
    println!("COOKIE {cookie}");
    println!("READY");
    server.await??;
    Ok(())
}

/// `GET /login` on our own port, over loopback; returns the `Set-Cookie`'s `name=value`.
async fn sign_in_over_http(port: u16) -> Result<String, SetupError> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let request =
        format!("GET /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    if !response.starts_with("HTTP/1.1 200") {
        return Err(format!("sign-in failed: {response}").into());
    }
    let cookie = response
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().unwrap_or("").to_owned())
        })
        .unwrap_or_default(); // `none` sets no cookie
    Ok(cookie)
}

// ---- lucia-axum ----

async fn lucia_app<S>(store: S) -> Result<Router, SetupError>
where
    S: AuthStore<UserAttributes = (), SessionAttributes = ()> + Send + Sync + 'static,
{
    let lucia = Arc::new(Lucia::new(store).with_offload(TokioOffload::default()));
    // The key's password is hashed with Argon2id at the default parameters (for /password-login).
    let key_value = format!("{}-{EMAIL}", setup::unique("bench"));
    let key = NewKey::new("email", key_value.clone())?.password(PASSWORD);
    let user = lucia.create_user(NewUser::new(()).key(key)).await?;
    let user_id = user.id;
    Ok(Router::new()
        .route(
            "/protected",
            get(|auth: Auth<S>| async move { auth.user.id }),
        )
        .route(
            "/login",
            get(move |control: SessionControl<S>| async move {
                control.sign_in(&user_id, ()).await?;
                Ok::<_, AuthError>("ok")
            }),
        )
        .route(
            "/password-login",
            get(move |control: SessionControl<S>| async move {
                // A full password sign-in: Argon2id verification on the blocking pool.
                let key = control
                    .lucia()
                    .use_key("email", &key_value, Some(PASSWORD))
                    .await?;
                Ok::<_, AuthError>(key.user_id)
            }),
        )
        .layer(LuciaLayer::new(lucia)))
}

// ---- axum-login + tower-sessions ----

/// The user of the axum-login variants.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct BenchUser {
    id: String,
    auth_hash: Vec<u8>,
}

impl AuthUser for BenchUser {
    type Id = String;

    fn id(&self) -> String {
        self.id.clone()
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

/// axum-login's user backend: a map in memory, or a `login_users` table in the same database
/// as the sessions (as lucia keeps its users next to its sessions).
#[derive(Clone, Debug)]
enum Backend {
    Memory(Arc<HashMap<String, BenchUser>>),
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

const BENCH_USER_ID: &str = "bench-user";

fn bench_user() -> BenchUser {
    BenchUser {
        id: BENCH_USER_ID.to_owned(),
        auth_hash: b"bench-user-auth-hash-0123456789ab".to_vec(),
    }
}

impl Backend {
    fn memory() -> Self {
        let user = bench_user();
        Self::Memory(Arc::new(HashMap::from([(user.id.clone(), user)])))
    }

    async fn sqlite(pool: SqlitePool) -> Result<Self, SetupError> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS login_users (id TEXT PRIMARY KEY, auth_hash BLOB NOT NULL)",
        )
        .execute(&pool)
        .await?;
        let user = bench_user();
        sqlx::query("INSERT OR REPLACE INTO login_users (id, auth_hash) VALUES (?, ?)")
            .bind(&user.id)
            .bind(&user.auth_hash)
            .execute(&pool)
            .await?;
        Ok(Self::Sqlite(pool))
    }

    async fn postgres(pool: PgPool) -> Result<Self, SetupError> {
        sqlx::query("CREATE TABLE IF NOT EXISTS bench_login_users (id TEXT PRIMARY KEY, auth_hash BYTEA NOT NULL)")
            .execute(&pool)
            .await?;
        let user = bench_user();
        sqlx::query("INSERT INTO bench_login_users (id, auth_hash) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET auth_hash = EXCLUDED.auth_hash")
            .bind(&user.id)
            .bind(&user.auth_hash)
            .execute(&pool)
            .await?;
        Ok(Self::Postgres(pool))
    }
}

impl AuthnBackend for Backend {
    type User = BenchUser;
    type Credentials = String;
    type Error = sqlx::Error;

    async fn authenticate(&self, user_id: String) -> Result<Option<BenchUser>, sqlx::Error> {
        self.get_user(&user_id).await
    }

    async fn get_user(&self, user_id: &UserId<Self>) -> Result<Option<BenchUser>, sqlx::Error> {
        let row: Option<(String, Vec<u8>)> = match self {
            Self::Memory(users) => return Ok(users.get(user_id).cloned()),
            Self::Sqlite(pool) => {
                sqlx::query_as("SELECT id, auth_hash FROM login_users WHERE id = ?")
                    .bind(user_id)
                    .fetch_optional(pool)
                    .await?
            }
            Self::Postgres(pool) => {
                sqlx::query_as("SELECT id, auth_hash FROM bench_login_users WHERE id = $1")
                    .bind(user_id)
                    .fetch_optional(pool)
                    .await?
            }
        };
        Ok(row.map(|(id, auth_hash)| BenchUser { id, auth_hash }))
    }
}

async fn login_protected(auth: AuthSession<Backend>) -> Response {
    match auth.user {
        Some(user) => user.id.into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn login_login(mut auth: AuthSession<Backend>) -> Response {
    let user = match auth.authenticate(BENCH_USER_ID.to_owned()).await {
        Ok(Some(user)) => user,
        _ => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    match auth.login(&user).await {
        Ok(()) => "ok".into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn login_app<St: SessionStore + Clone>(backend: Backend, store: St) -> Router {
    // tower-sessions' defaults: a session cookie (no expiry, so no write per request).
    let sessions = SessionManagerLayer::new(store).with_secure(false);
    let auth = AuthManagerLayerBuilder::new(backend, sessions).build();
    Router::new()
        .route("/protected", get(login_protected))
        .route("/login", get(login_login))
        .layer(auth)
}
