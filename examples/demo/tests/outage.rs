//! The demo under a steady load while its database (PostgreSQL), or its session store (Redis,
//! `--session-redis-url`), is stopped and started again with `scripts/services.sh`:
//!
//! - while the server is down, every request fails fast with 503 (the pool's acquire timeout
//!   is 3 s, Redis's response timeout 2–3 s), never another status, never a dropped
//!   connection, and the demo process stays up without a panic;
//! - afterwards it recovers on its own: the session cookies from before the outage work again;
//! - nothing is lost or half-written: every sign-up answered with success has its user, its
//!   key and a working session; a sign-up answered 503 left either a whole user or nothing.
//!
//! The demo runs as its own process (the `lucia-demo` binary), on 127.0.0.1 only; the load
//! is four clients, bounded in requests and time. Both outages are in one test, run one after
//! the other, because they stop shared servers (cargo runs test binaries one at a time, so no
//! other test sees the servers down). `scripts/services.sh` is called with this test's
//! environment: point `LUCIA_SERVICES_DIR`, `LUCIA_PG_PORT`, `LUCIA_REDIS_PORT` (and the URLs)
//! at a private instance to run it next to other people's tests.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use reqwest::{Client, redirect::Policy};
use tokio::process::{Child, Command};

const TEST: &str = "outages_under_load_fail_fast_and_recover";
const PASSWORD: &str = "correct horse battery";
/// Load: clients, and the bounds of each client's loop.
const CLIENTS: usize = 4;
const MAX_REQUESTS_PER_CLIENT: usize = 2_000;
const MAX_LOAD: Duration = Duration::from_secs(120);
/// Pause between one client's requests: a steady load, not a saturating one (2 shared cores).
const PACE: Duration = Duration::from_millis(25);
/// How long the server stays down.
const DOWNTIME: Duration = Duration::from_secs(10);
/// The slowest a 503 may be while the server is down (acquire/response timeout + margin).
const FAIL_FAST: Duration = Duration::from_secs(5);

fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The URL in `var`, or `None` after the skip rule (fails with `LUCIA_REQUIRE_SERVICES=1`).
fn service_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("LUCIA_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "{TEST}: {var} is not set and LUCIA_REQUIRE_SERVICES=1"
            );
            say(&format!(
                "SKIPPED: {TEST}: {var} is not set (run `eval \"$(scripts/services.sh up)\"`)"
            ));
            None
        }
    }
}

/// `scripts/services.sh ARGS` with this process's environment (so a private instance set up
/// through `LUCIA_SERVICES_DIR` and the port variables is the one stopped).
async fn services(args: &[&str]) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/services.sh");
    let status = Command::new("bash")
        .arg(&script)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .await
        .unwrap();
    assert!(status.success(), "scripts/services.sh {args:?} failed");
}

/// The demo binary on a free loopback port; its output goes to a log file.
struct Demo {
    child: Child,
    base: String,
    log: PathBuf,
    client: Client,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_file(&self.log);
    }
}

async fn start_demo(database_url: &str, session_redis_url: Option<&str>) -> Demo {
    // reqwest shares lucia-oauth's rustls without a bundled provider.
    lucia_oauth::http::install_crypto_provider();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::env::temp_dir().join(format!(
        "lucia-demo-outage-{}.log",
        lucia::generate_id().unwrap()
    ));
    let out = std::fs::File::create(&log).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_lucia-demo"));
    command
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .args(["--database-url", database_url])
        .env("RUST_BACKTRACE", "1")
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .kill_on_drop(true);
    // No OAuth providers from the caller's environment.
    for (name, _) in std::env::vars() {
        if name.starts_with("LUCIA_DEMO_") {
            command.env_remove(name);
        }
    }
    if let Some(url) = session_redis_url {
        command.args(["--session-redis-url", url]);
    }
    let child = command.spawn().unwrap();
    let demo = Demo {
        child,
        base: format!("http://127.0.0.1:{port}"),
        log,
        client: Client::builder()
            .redirect(Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap(),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(response) = demo.client.get(format!("{}/", demo.base)).send().await
            && response.status() == 200
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the demo did not start: {}",
            std::fs::read_to_string(&demo.log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    demo
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("auth_session=") && !v.contains("Max-Age=0"))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

async fn sign_up(client: &Client, base: &str, email: &str) -> Result<reqwest::Response, String> {
    client
        .post(format!("{base}/signup"))
        .header(ORIGIN, base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "email={}&password={}",
            email.replace('@', "%40"),
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .map_err(|e| format!("{e:?}"))
}

/// One request of the load.
#[derive(Debug)]
struct Record {
    what: &'static str,
    /// The address of a sign-up.
    email: Option<String>,
    /// The session cookie a successful sign-up set.
    cookie: Option<String>,
    /// The status, or the transport error.
    status: Result<u16, String>,
    started: Instant,
    took: Duration,
}

/// A bounded load loop: signed-in page views, and every tenth request a sign-up.
async fn client_loop(
    client: Client,
    base: String,
    cookie: String,
    tag: String,
    stop: Arc<AtomicBool>,
    records: Arc<Mutex<Vec<Record>>>,
) {
    let deadline = Instant::now() + MAX_LOAD;
    for i in 0..MAX_REQUESTS_PER_CLIENT {
        if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
            break;
        }
        let started = Instant::now();
        let record = if i % 10 == 9 {
            let email = format!("{tag}-{i}@example.com");
            let response = sign_up(&client, &base, &email).await;
            Record {
                what: "POST /signup",
                cookie: response.as_ref().ok().and_then(session_cookie),
                status: response.map(|r| r.status().as_u16()),
                email: Some(email),
                started,
                took: started.elapsed(),
            }
        } else {
            let path = if i % 2 == 0 {
                "/settings/sessions"
            } else {
                "/api/me"
            };
            let response = client
                .get(format!("{base}{path}"))
                .header(COOKIE, &cookie)
                .send()
                .await;
            Record {
                what: path,
                email: None,
                cookie: None,
                status: response
                    .map(|r| r.status().as_u16())
                    .map_err(|e| format!("{e:?}")),
                started,
                took: started.elapsed(),
            }
        };
        records.lock().unwrap().push(record);
        tokio::time::sleep(PACE).await;
    }
}

/// Counts `sql` (one `$1` text parameter) on PostgreSQL.
async fn count(pool: &sqlx::PgPool, sql: &str, param: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(param)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// One outage of `service` under load, with the demo on `database_url` (sessions in Redis
/// when `session_redis_url` is set).
async fn outage(service: &str, database_url: &str, session_redis_url: Option<&str>) {
    let mut demo = start_demo(database_url, session_redis_url).await;
    let tag = format!("outage-{service}-{}", lucia::generate_id().unwrap());

    // Signed-in users, one per client.
    let mut users = Vec::new();
    for n in 0..CLIENTS {
        let email = format!("{tag}-user{n}@example.com");
        let response = sign_up(&demo.client, &demo.base, &email).await.unwrap();
        assert_eq!(response.status(), 303, "sign-up of {email}");
        users.push((email, session_cookie(&response).unwrap()));
    }

    let stop = Arc::new(AtomicBool::new(false));
    let records = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(n, (_, cookie))| {
            tokio::spawn(client_loop(
                demo.client.clone(),
                demo.base.clone(),
                cookie.clone(),
                format!("{tag}-load{n}"),
                stop.clone(),
                records.clone(),
            ))
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(3)).await;
    let stopping = Instant::now();
    services(&["stop", service]).await;
    let down = Instant::now();
    say(&format!(
        "outage: {service} stopped ({:?}) under load",
        down - stopping
    ));
    tokio::time::sleep(DOWNTIME).await;
    let starting = Instant::now();
    services(&["start", service]).await;
    let started = Instant::now();
    say(&format!(
        "outage: {service} started again ({:?})",
        started - starting
    ));
    // Recovery: the first user's cookie from before the outage works again.
    let recovered = loop {
        let response = demo
            .client
            .get(format!("{}/api/me", demo.base))
            .header(COOKIE, &users[0].1)
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            break Instant::now();
        }
        assert_eq!(response.status(), 503, "while recovering");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no recovery within 30 s of the restart of {service}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    say(&format!(
        "outage: {service}: requests succeed again {:?} after the restart",
        recovered - started
    ));
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    let records = std::mem::take(&mut *records.lock().unwrap());

    // The process is up and did not panic.
    assert!(
        demo.child.try_wait().unwrap().is_none(),
        "the demo process exited"
    );
    let log = std::fs::read_to_string(&demo.log).unwrap();
    assert!(!log.contains("panicked"), "the demo panicked: {log}");

    // Statuses: only success or 503; no dropped connection.
    let mut during = Vec::new();
    for record in &records {
        let status = match &record.status {
            Ok(status) => *status,
            Err(err) => panic!("{}: transport error (server gone?): {err}", record.what),
        };
        assert!(
            matches!(status, 200 | 303 | 503),
            "{}: unexpected status {status}",
            record.what
        );
        let finished = record.started + record.took;
        if finished < stopping {
            assert_ne!(status, 503, "{} failed before the outage", record.what);
        }
        if record.started >= down && finished <= starting {
            during.push((record, status));
        }
        if record.started >= recovered + Duration::from_secs(1) {
            assert_ne!(status, 503, "{} failed after the recovery", record.what);
        }
    }
    assert!(
        during.len() >= 2 * CLIENTS,
        "too few requests while {service} was down: {}",
        during.len()
    );
    let slowest = during.iter().map(|(r, _)| r.took).max().unwrap();
    for (record, status) in &during {
        assert_eq!(*status, 503, "{} while {service} was down", record.what);
        assert!(
            record.took <= FAIL_FAST,
            "{} took {:?} to fail while {service} was down",
            record.what,
            record.took
        );
    }
    let ok = records
        .iter()
        .filter(|r| matches!(r.status, Ok(200 | 303)))
        .count();
    say(&format!(
        "outage: {service}: {} requests ({ok} succeeded), {} while down, all 503, slowest {slowest:?}",
        records.len(),
        during.len()
    ));

    // Sessions from before the outage still work, for the same users.
    for (email, cookie) in &users {
        let me: serde_json::Value = demo
            .client
            .get(format!("{}/api/me", demo.base))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["email"], email.as_str(), "the session survived");
    }

    // No lost or half-written sign-up.
    let pool = sqlx::PgPool::connect(database_url).await.unwrap();
    let (mut succeeded, mut failed_with_user) = (0, 0);
    for record in records.iter().filter(|r| r.email.is_some()) {
        let email = record.email.as_deref().unwrap();
        let users = count(
            &pool,
            "SELECT COUNT(*) FROM demo_users WHERE email = $1",
            email,
        )
        .await;
        let keys = count(
            &pool,
            "SELECT COUNT(*) FROM demo_keys WHERE user_id IN (SELECT id FROM demo_users WHERE email = $1) AND hashed_password LIKE '$argon2id$%'",
            email,
        )
        .await;
        assert_eq!(
            users, keys,
            "{email}: a user without its key, or the reverse"
        );
        if record.status == Ok(303) {
            succeeded += 1;
            assert_eq!(users, 1, "{email}: signed up (303) but no user row");
            let cookie = record.cookie.as_deref().unwrap();
            let me = demo
                .client
                .get(format!("{}/api/me", demo.base))
                .header(COOKIE, cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(me.status(), 200, "{email}: its session was lost");
        } else {
            failed_with_user += users;
        }
    }
    say(&format!(
        "outage: {service}: {succeeded} sign-ups succeeded and are intact; {failed_with_user} answered 503 after the user was stored (the account exists, sign-in works)"
    ));
    pool.close().await;
}

#[tokio::test]
async fn outages_under_load_fail_fast_and_recover() {
    let Some(postgres) = service_url("LUCIA_POSTGRES_URL") else {
        return;
    };
    outage("postgres", &postgres, None).await;
    if let Some(redis) = service_url("LUCIA_REDIS_URL") {
        outage("redis", &postgres, Some(&redis)).await;
    }
}
