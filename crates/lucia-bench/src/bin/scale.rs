//! `scale [--sizes 10000,1000000] [--backends sqlite,postgres] [--samples N]`: validation
//! latency with many stored sessions, and `delete_expired_sessions` over them.
//!
//! For each backend and size N: fresh tables, one user, one live session (the one validated)
//! and N - 1 bulk-inserted sessions of the same user that have already expired (random ids,
//! so the primary-key index is as deep and as scattered as with real tokens). It then times
//! `samples` sequential validations of the live session (median, p99), and then one
//! `delete_expired_sessions` that removes the N - 1 expired rows in the store's batches, while
//! another task keeps validating the live session: the slowest of those validations shows
//! whether the purge holds locks that block readers. PostgreSQL needs `LUCIA_POSTGRES_URL`.
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use lucia::store::AuthStore;
use lucia::{Lucia, NewUser};
use lucia_bench::setup::{self, SetupError};

struct Latencies {
    median: Duration,
    p99: Duration,
    max: Duration,
    count: usize,
}

fn summarise(mut samples: Vec<Duration>) -> Latencies {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    Latencies {
        median: at(0.5),
        p99: at(0.99),
        max: *samples.last().unwrap_or(&Duration::ZERO),
        count: samples.len(),
    }
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

async fn validate_many<S>(
    lucia: &Lucia<S>,
    token: &str,
    samples: usize,
) -> Result<Latencies, SetupError>
where
    S: AuthStore<UserAttributes = (), SessionAttributes = ()>,
{
    for _ in 0..samples / 10 {
        let _ = lucia.validate_session(token).await?; // warm-up: caches, prepared statements
    }
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        let valid = lucia.validate_session(token).await?.is_valid();
        times.push(start.elapsed());
        assert!(valid, "the live session must stay valid");
    }
    Ok(summarise(times))
}

/// Bulk-inserts `n` expired sessions of `user_id` with one statement.
async fn bulk_sqlite(
    pool: &sqlx::SqlitePool,
    table: &str,
    user_id: &str,
    n: u64,
) -> Result<(), SetupError> {
    let expired = time::OffsetDateTime::now_utc().unix_timestamp() - 86_400;
    let sql = format!(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?1) \
         INSERT INTO \"{table}\" (id, user_id, secret_hash, created_at, expires_at, lifetime_seconds) \
         SELECT lower(hex(randomblob(15))), ?2, randomblob(32), ?3 - 2592000, ?3, NULL FROM c"
    );
    sqlx::query(&sql)
        .bind(n as i64)
        .bind(user_id)
        .bind(expired)
        .execute(pool)
        .await?;
    Ok(())
}

async fn bulk_postgres(
    pool: &sqlx::PgPool,
    table: &str,
    user_id: &str,
    n: u64,
) -> Result<(), SetupError> {
    let sql = format!(
        "INSERT INTO \"{table}\" (id, user_id, secret_hash, created_at, expires_at, lifetime_seconds) \
         SELECT md5(random()::text || x::text), $2, decode(md5(x::text) || md5(random()::text), 'hex'), \
                now() - interval '31 days', now() - interval '1 day', NULL \
         FROM generate_series(1, $1) AS x"
    );
    sqlx::query(&sql)
        .bind(n as i64)
        .bind(user_id)
        .execute(pool)
        .await?;
    sqlx::query(&format!("ANALYZE \"{table}\""))
        .execute(pool)
        .await?;
    Ok(())
}

async fn measure<S>(
    backend: &str,
    n: u64,
    lucia: Lucia<S>,
    samples: usize,
    bulk: impl AsyncFnOnce(&str, u64) -> Result<(), SetupError>,
) -> Result<(), SetupError>
where
    S: AuthStore<UserAttributes = (), SessionAttributes = ()> + Clone + Send + Sync + 'static,
{
    let user = lucia.create_user(NewUser::new(())).await?;
    let (_, token) = lucia.create_session(&user.id, ()).await?;
    let token = token.expose_secret().to_owned();
    let start = Instant::now();
    bulk(&user.id, n - 1).await?;
    let insert = start.elapsed();
    let alone = validate_many(&lucia, &token, samples).await?;

    // The purge, with validations running next to it.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let reader = {
        let (lucia, token) = (lucia.clone(), token.clone());
        tokio::spawn(async move {
            let mut times = Vec::new();
            while !*stop_rx.borrow() {
                let start = Instant::now();
                let ok = lucia.validate_session(&token).await.map(|v| v.is_valid());
                times.push(start.elapsed());
                assert!(
                    matches!(ok, Ok(true)),
                    "validation during the purge: {ok:?}"
                );
            }
            summarise(times)
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let start = Instant::now();
    let deleted = lucia.store().delete_expired_sessions(lucia.now()).await?;
    let purge = start.elapsed();
    stop_tx.send(true)?;
    let during = reader.await?;
    assert_eq!(
        deleted,
        n - 1,
        "the purge removes exactly the expired sessions"
    );
    println!(
        "{backend}\t{n}\t{:.1}\t{:.1}\t{:.1}\t{:.2}\t{deleted}\t{:.1}\t{:.1}\t{:.1}\t{}",
        insert.as_secs_f64(),
        us(alone.median),
        us(alone.p99),
        purge.as_secs_f64(),
        us(during.median),
        us(during.p99),
        us(during.max),
        during.count,
    );
    let _ = alone.max;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), SetupError> {
    let mut sizes = vec![10_000u64, 1_000_000];
    let mut backends = vec!["sqlite".to_owned(), "postgres".to_owned()];
    let mut samples = 5_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or("missing value")?;
        match arg.as_str() {
            "--sizes" => sizes = value.split(',').map(str::parse).collect::<Result<_, _>>()?,
            "--backends" => backends = value.split(',').map(str::to_owned).collect(),
            "--samples" => samples = value.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    println!(
        "backend\tsessions\tinsert_s\tvalidate_p50_us\tvalidate_p99_us\tpurge_s\tpurged\tduring_purge_p50_us\tduring_purge_p99_us\tduring_purge_max_us\tvalidations_during_purge"
    );
    for backend in &backends {
        for &n in &sizes {
            match backend.as_str() {
                "sqlite" => {
                    let dir = std::env::temp_dir().join(setup::unique("lucia-scale"));
                    std::fs::create_dir_all(&dir)?;
                    let pool = setup::sqlite_pool(&dir.join("scale.db"), 4).await?;
                    let store = setup::sqlite_store(pool.clone(), "scale").await?;
                    let table = store.tables().sessions().to_owned();
                    let lucia = Lucia::new(store);
                    measure("sqlite", n, lucia, samples, async |user: &str, k| {
                        bulk_sqlite(&pool, &table, user, k).await
                    })
                    .await?;
                    pool.close().await;
                    std::fs::remove_dir_all(&dir).ok();
                }
                "postgres" => {
                    let Some(url) = setup::service_url("LUCIA_POSTGRES_URL", "scale on PostgreSQL")
                    else {
                        continue;
                    };
                    let pool = setup::postgres_pool(&url, 4).await?;
                    let prefix = setup::unique("bench_scale");
                    let store = setup::postgres_store(pool.clone(), &prefix).await?;
                    let table = store.tables().sessions().to_owned();
                    let lucia = Lucia::new(store);
                    measure("postgres", n, lucia, samples, async |user: &str, k| {
                        bulk_postgres(&pool, &table, user, k).await
                    })
                    .await?;
                    for t in [
                        "recovery_codes",
                        "two_factor",
                        "tokens",
                        "sessions",
                        "keys",
                        "users",
                        "migrations",
                    ] {
                        sqlx::query(&format!("DROP TABLE IF EXISTS \"{prefix}_{t}\" CASCADE"))
                            .execute(&pool)
                            .await?;
                    }
                }
                other => return Err(format!("unknown backend {other}").into()),
            }
        }
    }
    Ok(())
}
