//! Criterion micro-benchmarks of the lucia core.
//!
//! `cargo bench -p lucia-bench --bench core` (add `-- --test` for a one-pass smoke run).
//! PostgreSQL and Redis groups run when `LUCIA_POSTGRES_URL` / `LUCIA_REDIS_URL` are set.
#![forbid(unsafe_code)]
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use http::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN};
use http::{HeaderMap, HeaderValue, Method};
use lucia::origin::OriginCheck;
use lucia::password::{Argon2id, PasswordHasher};
use lucia::store::{AuthStore, Split};
use lucia::{Lucia, MemoryStore, NewUser, SecretHash, SessionToken};
use lucia_bench::setup;
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A user with one session; returns the token.
fn session<S>(rt: &Runtime, lucia: &Lucia<S>) -> String
where
    S: AuthStore<UserAttributes = (), SessionAttributes = ()>,
{
    rt.block_on(async {
        let user = lucia.create_user(NewUser::new(())).await.unwrap();
        let (_, token) = lucia.create_session(&user.id, ()).await.unwrap();
        assert!(
            lucia
                .validate_session(token.expose_secret())
                .await
                .unwrap()
                .is_valid()
        );
        token.expose_secret().to_owned()
    })
}

fn bench_validation<S>(c: &mut Criterion, name: &str, rt: &Runtime, lucia: &Lucia<S>)
where
    S: AuthStore<UserAttributes = (), SessionAttributes = ()>,
{
    let token = session(rt, lucia);
    c.bench_function(name, |b| {
        b.to_async(rt).iter(|| async {
            let validation = lucia.validate_session(black_box(&token)).await.unwrap();
            assert!(validation.is_valid());
            validation
        });
    });
}

fn tokens(c: &mut Criterion) {
    c.bench_function("token/generate", |b| {
        b.iter(|| SessionToken::generate().unwrap())
    });
    let token = SessionToken::generate().unwrap();
    c.bench_function("token/parse", |b| {
        b.iter(|| SessionToken::parse(black_box(token.expose_secret())).unwrap())
    });
    let hash = token.secret_hash();
    c.bench_function("token/sha256_and_compare", |b| {
        b.iter(|| black_box(&hash).matches(black_box(token.secret())))
    });
    c.bench_function("token/sha256", |b| {
        b.iter(|| SecretHash::of(black_box(token.secret())))
    });
}

fn validation(c: &mut Criterion) {
    let rt = runtime();
    let memory = Lucia::new(MemoryStore::<(), ()>::new());
    bench_validation(c, "validate/memory", &rt, &memory);

    let dir = std::env::temp_dir().join(setup::unique("lucia-bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = rt.block_on(async {
        let pool = setup::sqlite_pool(&dir.join("bench.db"), 4).await.unwrap();
        Lucia::new(setup::sqlite_store(pool, "bench").await.unwrap())
    });
    bench_validation(c, "validate/sqlite_file", &rt, &sqlite);
    // The floor under it: one primary-key SELECT through the same sqlx pool, no lucia.
    let (pool, sql) = (
        sqlite.store().pool().clone(),
        floor_sql(sqlite.store().tables().sessions(), "?"),
    );
    let id = session(&rt, &sqlite).split('.').next().unwrap().to_owned();
    c.bench_function("floor/sqlx_sqlite_pk_select", |b| {
        b.to_async(&rt).iter(|| async {
            let row: Option<(String,)> = sqlx::query_as(&sql)
                .bind(&id)
                .fetch_optional(&pool)
                .await
                .unwrap();
            assert!(row.is_some());
        });
    });
    drop(sqlite);
    std::fs::remove_dir_all(&dir).ok();

    if let Some(url) = setup::service_url("LUCIA_POSTGRES_URL", "validate/postgres") {
        let postgres = rt.block_on(async {
            let pool = setup::postgres_pool(&url, 4).await.unwrap();
            Lucia::new(setup::postgres_store(pool, "bench_core").await.unwrap())
        });
        bench_validation(c, "validate/postgres", &rt, &postgres);
        let (pool, sql) = (
            postgres.store().pool().clone(),
            floor_sql(postgres.store().tables().sessions(), "$1"),
        );
        let id = session(&rt, &postgres)
            .split('.')
            .next()
            .unwrap()
            .to_owned();
        c.bench_function("floor/sqlx_postgres_pk_select", |b| {
            b.to_async(&rt).iter(|| async {
                let row: Option<(String,)> = sqlx::query_as(&sql)
                    .bind(&id)
                    .fetch_optional(&pool)
                    .await
                    .unwrap();
                assert!(row.is_some());
            });
        });
    }
    if let Some(url) = setup::service_url("LUCIA_REDIS_URL", "validate/redis") {
        let redis = rt.block_on(async {
            let sessions = setup::redis_store(&url, &setup::unique("lucia-bench"))
                .await
                .unwrap();
            Lucia::new(Split::new(MemoryStore::<(), ()>::new(), sessions))
        });
        bench_validation(c, "validate/redis", &rt, &redis);
    }
}

/// `SELECT id FROM <sessions> WHERE id = <param>`.
fn floor_sql(table: &str, param: &str) -> String {
    format!("SELECT id FROM \"{table}\" WHERE id = {param}")
}

fn request_parsing(c: &mut Criterion) {
    let rt = runtime();
    let lucia = Lucia::new(MemoryStore::<(), ()>::new());
    let token = session(&rt, &lucia);
    // A realistic Cookie header: the session cookie among others.
    let mut cookies = HeaderMap::new();
    let header =
        format!("theme=dark; _ga=GA1.2.1234567890.1234567890; auth_session={token}; lang=en");
    cookies.insert(COOKIE, HeaderValue::from_str(&header).unwrap());
    c.bench_function("parse/session_cookie", |b| {
        b.iter(|| lucia.read_session_cookie(black_box(&cookies)).unwrap())
    });
    let mut bearer = HeaderMap::new();
    bearer.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    c.bench_function("parse/bearer_header", |b| {
        b.iter(|| lucia::headers::read_bearer_token(black_box(&bearer)).unwrap())
    });

    // What the axum layer runs per request, on the memory store: cookie, origin, validation.
    let policy = lucia::request::RequestPolicy::default();
    c.bench_function("request/authenticate_get_memory", |b| {
        b.to_async(&rt).iter(|| async {
            let auth = lucia
                .authenticate_request(
                    &policy,
                    &Method::GET,
                    Some("localhost:3000"),
                    black_box(&cookies),
                )
                .await
                .unwrap();
            assert!(auth.validated.is_some());
            auth
        });
    });

    let check = OriginCheck::builder().development(true).build().unwrap();
    let mut post = HeaderMap::new();
    post.insert(HOST, HeaderValue::from_static("localhost:3000"));
    post.insert(ORIGIN, HeaderValue::from_static("http://localhost:3000"));
    c.bench_function("origin/same_origin_post", |b| {
        b.iter(|| {
            check
                .check(black_box(&Method::POST), black_box(&post))
                .unwrap()
        })
    });
    let mut cross = post.clone();
    cross.insert(ORIGIN, HeaderValue::from_static("https://evil.example"));
    c.bench_function("origin/cross_origin_post_rejected", |b| {
        b.iter(|| {
            check
                .check(black_box(&Method::POST), black_box(&cross))
                .unwrap_err()
        })
    });
}

fn password(c: &mut Criterion) {
    // One Argon2id hash at the default (OWASP) parameters: m = 19 MiB, t = 2, p = 1.
    let hasher = Argon2id::default();
    let mut group = c.benchmark_group("password");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("argon2id_hash_default_params", |b| {
        b.iter(|| {
            hasher
                .hash(black_box("correct horse battery staple"))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, tokens, validation, request_parsing, password);
criterion_main!(benches);
