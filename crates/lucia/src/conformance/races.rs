//! The race suite: [`RACERS`] concurrent calls of one operation, run in parallel on real
//! threads, against a store and the core's flows on top of it.
//!
//! The conformance suite's own concurrency checks poll 20 store calls from one task; these
//! races drive whole [`Lucia`] operations from [`RACERS`] tasks spawned on a multi-threaded
//! executor (or OS threads), released together by a gate, so the store sees them in
//! parallel:
//!
//! - [`sign_ups`]: sign-ups with one email key → exactly one user, every other sign-up fails
//!   with [`Error::DuplicateKey`] (not a store or "database busy" error), nothing
//!   half-written;
//! - [`password_reset`], [`recovery_code`], [`totp_code`]: uses of one reset token, one
//!   recovery code, one TOTP code → exactly one success, every other use
//!   [`Error::InvalidToken`];
//! - [`session_extension`]: validations of one session past its renewal threshold, by
//!   instances whose clocks are up to three seconds apart, with an attribute update in the
//!   middle → still one session, every validation valid, the stored expiry the latest one
//!   any validation reported and never seen moving back, the attribute update not lost;
//! - [`invalidation`]: "sign out everywhere" racing logins → every session whose login
//!   finished before the invalidation started is gone, every session whose login started
//!   after it finished is valid.
//!
//! **What [`invalidation`] does not promise.** A `create_session` that is in flight while
//! `invalidate_all_user_sessions` runs may insert its session after the delete, and that
//! session survives: stores delete the sessions that exist, and nothing marks a user's
//! sessions void "from now on". The suite measures it (PostgreSQL and SQLite keep a few of
//! the overlapping logins' sessions in most runs) and checks only what holds: every session
//! whose login *returned* before the invalidation *started* is gone, every session whose login
//! started after it returned is valid. For a sign-in the window is the whole sign-in, from
//! reading the key's password hash through the Argon2 check to the insert, so a sign-in with
//! the old password that overlaps a password reset can keep its session. Until the core has
//! a per-user session generation, applications that need a hard cut re-read the key after
//! creating the session and end that session if the password hash changed, or invalidate
//! again once in-flight sign-ins are over.
//!
//! [`run_races`] runs them all; every race uses fresh random ids and cleans up, so it can
//! run repeatedly against a persistent database. The executor comes in through [`Spawn`]:
//! implement it with your runtime's spawn (tokio below), or use [`Threads`] (one OS thread
//! per task) for stores whose futures need no runtime, like the memory store.
//!
//! ```ignore
//! struct Tokio;
//! impl lucia::conformance::races::Spawn for Tokio {
//!     fn spawn<T: Send + 'static>(&self, task: Task<T>) -> Task<T> {
//!         let handle = tokio::spawn(task);
//!         Box::pin(async move { handle.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())) })
//!     }
//! }
//!
//! #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
//! async fn races() {
//!     lucia::conformance::races::run_races(MyStore::connect(URL).await.unwrap(), &Tokio).await;
//! }
//! ```
//!
//! The module is not built for `wasm32`, whose executors are single-threaded.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration as StdDuration, Instant};

use time::{Duration, OffsetDateTime};

use super::{Fixture, id, join_all, now, seed};
use crate::clock::ManualClock;
use crate::error::Error;
use crate::one_time::TokenStore;
use crate::otp::{Secret, Totp};
use crate::password::Argon2id;
use crate::store::{AuthStore, UserStore};
use crate::two_factor::TwoFactorStore;
use crate::user::{NewKey, NewUser};
use crate::{Lucia, Validation};

/// How many tasks each race runs at once.
pub const RACERS: usize = 100;

/// A boxed task: what [`Spawn::spawn`] runs, and what it returns to await the result.
pub type Task<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Runs the races' tasks in parallel: your runtime's spawn.
pub trait Spawn: Send + Sync {
    /// Starts `task` (on another worker thread, for real parallelism) and returns a future
    /// that resolves to its output. A task that panics must make the returned future panic,
    /// so that a failed assertion inside a race fails the test.
    fn spawn<T: Send + 'static>(&self, task: Task<T>) -> Task<T>;
}

/// A [`Spawn`] that runs every task on its own OS thread (blocking on it there). For stores
/// whose futures need no runtime (the memory store); stores on tokio need tokio's spawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Threads;

struct Slot<T> {
    output: Mutex<(Option<std::thread::Result<T>>, Option<Waker>)>,
}

impl Spawn for Threads {
    fn spawn<T: Send + 'static>(&self, task: Task<T>) -> Task<T> {
        let slot = Arc::new(Slot {
            output: Mutex::new((None, None)),
        });
        let filled = Arc::clone(&slot);
        std::thread::spawn(move || {
            let output =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pollster::block_on(task)));
            let mut guard = filled
                .output
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            guard.0 = Some(output);
            if let Some(waker) = guard.1.take() {
                waker.wake();
            }
        });
        Box::pin(std::future::poll_fn(move |cx| {
            let mut guard = slot
                .output
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match guard.0.take() {
                Some(Ok(output)) => Poll::Ready(output),
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => {
                    guard.1 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }))
    }
}

/// Holds every racer until [`Gate::open`], so that they start together.
#[derive(Clone, Default)]
struct Gate(Arc<GateState>);

#[derive(Default)]
struct GateState {
    open: AtomicBool,
    waiting: Mutex<Vec<Waker>>,
}

impl Gate {
    fn open(&self) {
        self.0.open.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(
            &mut *self
                .0
                .waiting
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        wakers.into_iter().for_each(Waker::wake);
    }

    async fn wait(&self) {
        std::future::poll_fn(|cx| {
            if self.0.open.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            let mut waiting = self
                .0
                .waiting
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            // Checked again under the lock, so an `open` in between cannot be missed.
            if self.0.open.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            waiting.push(cx.waker().clone());
            Poll::Pending
        })
        .await;
    }
}

/// Gives the executor back once (a runtime-agnostic `yield_now`).
async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

/// Spawns one task per item, all held by a gate, opens the gate and collects the outputs in
/// order.
async fn race<R, I, F, T>(runtime: &R, items: I, make: impl Fn(I::Item) -> F) -> Vec<T>
where
    R: Spawn,
    I: IntoIterator,
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let gate = Gate::default();
    let tasks: Vec<Task<T>> = items
        .into_iter()
        .map(|item| {
            let gate = gate.clone();
            let future = make(item);
            runtime.spawn(Box::pin(async move {
                gate.wait().await;
                future.await
            }))
        })
        .collect();
    gate.open();
    join_all(tasks).await
}

/// How one race went: for the logs and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaceOutcome {
    /// Which race.
    pub race: &'static str,
    /// How many tasks raced.
    pub racers: usize,
    /// How many succeeded (for single-use races: 1).
    pub winners: usize,
    /// How long the race took, setup and checks included.
    pub elapsed: StdDuration,
    /// Anything else worth reporting.
    pub note: String,
}

impl std::fmt::Display for RaceOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} racers, {} won, {:?}",
            self.race, self.racers, self.winners, self.elapsed
        )?;
        if !self.note.is_empty() {
            write!(f, " ({})", self.note)?;
        }
        Ok(())
    }
}

fn lucia<S>(store: S) -> Lucia<S> {
    Lucia::new(store).with_hasher(Argon2id::insecure_for_tests())
}

fn unexpected(race: &str, err: &Error) -> ! {
    panic!("{race}: unexpected error (a store failure or a busy database under load?): {err:?}")
}

/// Runs every race against a store of users, sessions, tokens and two-factor state, and
/// returns how each went.
pub async fn run_races<S, R>(store: S, runtime: &R) -> Vec<RaceOutcome>
where
    S: AuthStore + TokenStore + TwoFactorStore + Clone + 'static,
    S::UserAttributes: Fixture,
    S::SessionAttributes: Fixture,
    R: Spawn,
{
    vec![
        sign_ups(store.clone(), runtime).await,
        password_reset(store.clone(), runtime).await,
        recovery_code(store.clone(), runtime).await,
        totp_code(store.clone(), runtime).await,
        session_extension(store.clone(), runtime).await,
        invalidation(store, runtime).await,
    ]
}

/// [`RACERS`] sign-ups with one email key (each with its own attributes and user id): exactly
/// one succeeds, every other fails with [`Error::DuplicateKey`], and exactly one of the user
/// ids exists afterwards, with exactly one key.
pub async fn sign_ups<S, R>(store: S, runtime: &R) -> RaceOutcome
where
    S: UserStore + Clone + 'static,
    S::UserAttributes: Fixture,
    R: Spawn,
{
    const RACE: &str = "sign_ups";
    let started = Instant::now();
    let lucia = Arc::new(lucia(store));
    let email = format!("{}@example.com", id("race"));
    let ids: Vec<String> = (0..RACERS).map(|_| id("u")).collect();
    let results = race(runtime, ids.clone(), |user_id| {
        let lucia = Arc::clone(&lucia);
        let new = NewUser::new(S::UserAttributes::fixture(seed()))
            .id(user_id)
            .key(
                NewKey::new("email", &email)
                    .expect("valid key")
                    .password("correct horse battery"),
            );
        async move { lucia.create_user(new).await.map(|user| user.id) }
    })
    .await;
    let mut winners = Vec::new();
    for result in results {
        match result {
            Ok(user_id) => winners.push(user_id),
            Err(Error::DuplicateKey) => {}
            Err(err) => unexpected(RACE, &err),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "{RACE}: of {RACERS} concurrent sign-ups with one email exactly one succeeds"
    );
    let winner = &winners[0];
    let key = lucia
        .get_key("email", &email)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err))
        .expect("the winner's key exists");
    assert_eq!(
        &key.user_id, winner,
        "{RACE}: the key belongs to the winner"
    );
    let mut existing = Vec::new();
    for user_id in &ids {
        if lucia
            .get_user(user_id)
            .await
            .unwrap_or_else(|err| unexpected(RACE, &err))
            .is_some()
        {
            existing.push(user_id.clone());
        }
    }
    assert_eq!(
        existing,
        vec![winner.clone()],
        "{RACE}: exactly one user exists afterwards (losers leave nothing half-written)"
    );
    let keys = lucia
        .get_all_user_keys(winner)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err));
    assert_eq!(keys.len(), 1, "{RACE}: the winner has exactly one key");
    lucia
        .store()
        .delete_user(winner)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err.into()));
    RaceOutcome {
        race: RACE,
        racers: RACERS,
        winners: 1,
        elapsed: started.elapsed(),
        note: format!("{} DuplicateKey", RACERS - 1),
    }
}

/// [`RACERS`] password resets with one reset link, each with its own new password: exactly
/// one succeeds, every other gets [`Error::InvalidToken`]; afterwards exactly the winner's
/// password signs in and the session from before the reset is gone.
pub async fn password_reset<S, R>(store: S, runtime: &R) -> RaceOutcome
where
    S: AuthStore + TokenStore + Clone + 'static,
    S::UserAttributes: Fixture,
    S::SessionAttributes: Fixture,
    R: Spawn,
{
    const RACE: &str = "password_reset";
    let started = Instant::now();
    let lucia = Arc::new(lucia(store));
    let email = format!("{}@example.com", id("reset"));
    let user = lucia
        .create_user(
            NewUser::new(S::UserAttributes::fixture(seed())).key(
                NewKey::new("email", &email)
                    .expect("valid key")
                    .password("the old password 1"),
            ),
        )
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err));
    let (_, before) = lucia
        .create_session(&user.id, S::SessionAttributes::fixture(seed()))
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err));
    let link = lucia
        .request_password_reset(&email)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err))
        .expect("the account exists");
    let secret = link.expose_secret().to_owned();
    let results = race(runtime, 0..RACERS, |n| {
        let lucia = Arc::clone(&lucia);
        let secret = secret.clone();
        async move {
            let password = format!("new password number {n}");
            (
                password.clone(),
                lucia.reset_password(&secret, &password).await,
            )
        }
    })
    .await;
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for (password, result) in results {
        match result {
            Ok(user_id) => {
                assert_eq!(user_id, user.id, "{RACE}: the reset names its user");
                winners.push(password);
            }
            Err(Error::InvalidToken) => losers.push(password),
            Err(err) => unexpected(RACE, &err),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "{RACE}: of {RACERS} concurrent uses of one reset link exactly one succeeds"
    );
    lucia
        .use_key("email", &email, Some(&winners[0]))
        .await
        .unwrap_or_else(|err| panic!("{RACE}: the winner's password must sign in: {err:?}"));
    for password in ["the old password 1", losers[0].as_str()] {
        assert!(
            matches!(
                lucia.use_key("email", &email, Some(password)).await,
                Err(Error::InvalidPassword)
            ),
            "{RACE}: only the winner's password signs in, not {password:?}"
        );
    }
    assert!(
        !lucia
            .validate_session(before.expose_secret())
            .await
            .unwrap_or_else(|err| unexpected(RACE, &err))
            .is_valid(),
        "{RACE}: the reset signed the user out everywhere"
    );
    lucia
        .delete_user(&user.id)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err));
    RaceOutcome {
        race: RACE,
        racers: RACERS,
        winners: 1,
        elapsed: started.elapsed(),
        note: format!("{} InvalidToken", losers.len()),
    }
}

/// A user with confirmed two-factor authentication: its id, its recovery codes, its
/// authenticator and the clock the `Lucia` runs on.
async fn enrolled<S>(
    lucia: &Lucia<S>,
    clock: &ManualClock,
    race: &str,
) -> (String, Vec<String>, Totp)
where
    S: UserStore + TwoFactorStore,
    S::UserAttributes: Fixture,
{
    let user = lucia
        .create_user(NewUser::new(S::UserAttributes::fixture(seed())))
        .await
        .unwrap_or_else(|err| unexpected(race, &err));
    lucia
        .begin_two_factor(&user.id, "Race", "racer@example.com")
        .await
        .unwrap_or_else(|err| unexpected(race, &err));
    let stored = lucia
        .store()
        .get_two_factor(&user.id)
        .await
        .unwrap_or_else(|err| unexpected(race, &err.into()))
        .expect("enrolment stored");
    let totp = Totp::new(Secret::from_bytes(&stored.secret).expect("a valid stored secret"));
    let codes = lucia
        .confirm_two_factor(&user.id, &totp.generate(clock_now(clock)))
        .await
        .unwrap_or_else(|err| unexpected(race, &err));
    (user.id, codes, totp)
}

fn clock_now(clock: &ManualClock) -> OffsetDateTime {
    crate::clock::Clock::now(clock)
}

/// [`RACERS`] uses of one recovery code: exactly one succeeds, every other gets
/// [`Error::InvalidToken`], and one code fewer is left.
pub async fn recovery_code<S, R>(store: S, runtime: &R) -> RaceOutcome
where
    S: UserStore + TwoFactorStore + Clone + 'static,
    S::UserAttributes: Fixture,
    R: Spawn,
{
    const RACE: &str = "recovery_code";
    let started = Instant::now();
    let clock = Arc::new(ManualClock::new(now()));
    let lucia = Arc::new(lucia(store).with_clock(Arc::clone(&clock)));
    let (user_id, codes, _) = enrolled(&lucia, &clock, RACE).await;
    let before = lucia
        .store()
        .count_recovery_codes(&user_id)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err.into()));
    let results = race(runtime, 0..RACERS, |_| {
        let lucia = Arc::clone(&lucia);
        let (user_id, code) = (user_id.clone(), codes[0].clone());
        async move { lucia.use_recovery_code(&user_id, &code).await }
    })
    .await;
    let winners = single_winner(RACE, "recovery code", results);
    let after = lucia
        .store()
        .count_recovery_codes(&user_id)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err.into()));
    assert_eq!(after + 1, before, "{RACE}: exactly one code was used up");
    lucia
        .use_recovery_code(&user_id, &codes[1])
        .await
        .unwrap_or_else(|err| panic!("{RACE}: the other codes still work: {err:?}"));
    single_use_outcome(&lucia, RACE, &user_id, winners, started).await
}

/// [`RACERS`] sign-in verifications of one TOTP code (the replay guard): exactly one
/// succeeds, every other gets [`Error::InvalidToken`]; the next time step's code works.
pub async fn totp_code<S, R>(store: S, runtime: &R) -> RaceOutcome
where
    S: UserStore + TwoFactorStore + Clone + 'static,
    S::UserAttributes: Fixture,
    R: Spawn,
{
    const RACE: &str = "totp_code";
    let started = Instant::now();
    let clock = Arc::new(ManualClock::new(now()));
    let lucia = Arc::new(lucia(store).with_clock(Arc::clone(&clock)));
    let (user_id, _, totp) = enrolled(&lucia, &clock, RACE).await;
    // The confirmation used this step's code: sign in with the next one.
    clock.advance(Duration::seconds(30));
    let code = totp.generate(clock_now(&clock));
    let results = race(runtime, 0..RACERS, |_| {
        let lucia = Arc::clone(&lucia);
        let (user_id, code) = (user_id.clone(), code.clone());
        async move { lucia.verify_two_factor(&user_id, &code).await }
    })
    .await;
    let winners = single_winner(RACE, "TOTP code", results);
    clock.advance(Duration::seconds(30));
    lucia
        .verify_two_factor(&user_id, &totp.generate(clock_now(&clock)))
        .await
        .unwrap_or_else(|err| panic!("{RACE}: the next step's code works: {err:?}"));
    single_use_outcome(&lucia, RACE, &user_id, winners, started).await
}

/// Deletes a single-use race's user and reports it: `winners` of [`RACERS`], the others
/// refused with `InvalidToken`.
async fn single_use_outcome<S: UserStore>(
    lucia: &Lucia<S>,
    race: &'static str,
    user_id: &str,
    winners: usize,
    started: Instant,
) -> RaceOutcome {
    lucia
        .store()
        .delete_user(user_id)
        .await
        .unwrap_or_else(|err| unexpected(race, &err.into()));
    RaceOutcome {
        race,
        racers: RACERS,
        winners,
        elapsed: started.elapsed(),
        note: format!("{} InvalidToken", RACERS - winners),
    }
}

fn single_winner(race: &str, what: &str, results: Vec<Result<(), Error>>) -> usize {
    let mut winners = 0;
    for result in results {
        match result {
            Ok(()) => winners += 1,
            Err(Error::InvalidToken) => {}
            Err(err) => unexpected(race, &err),
        }
    }
    assert_eq!(
        winners, 1,
        "{race}: of {RACERS} concurrent uses of one {what} exactly one succeeds"
    );
    winners
}

/// How far apart the racing instances' clocks are, in seconds (0 to 3).
const CLOCK_SPREAD: i64 = 4;

/// [`RACERS`] validations of one session 16 days into its 30-day life (past the renewal
/// threshold), by `Lucia` instances whose clocks are 0 to 3 seconds apart (requests served
/// by different machines), with one attribute update and one reader among them.
///
/// Afterwards the user still has exactly that one session; every validation was valid; the
/// stored expiry is the latest expiry any validation reported (so every renewed cookie's
/// expiry is one the store holds, or earlier); the reader never saw the expiry move back;
/// and the attribute update was not lost to a concurrent renewal.
pub async fn session_extension<S, R>(store: S, runtime: &R) -> RaceOutcome
where
    S: AuthStore + Clone + 'static,
    S::UserAttributes: Fixture,
    S::SessionAttributes: Fixture,
    R: Spawn,
{
    const RACE: &str = "session_extension";
    let started = Instant::now();
    let t0 = now();
    let setup = lucia(store.clone()).with_clock(ManualClock::new(t0));
    let user = setup
        .create_user(NewUser::new(S::UserAttributes::fixture(seed())))
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err));
    let (session, token) = setup
        .create_session(&user.id, S::SessionAttributes::fixture(seed()))
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err));
    let token = token.expose_secret().to_owned();
    let due = t0 + Duration::days(16);
    let instances: Vec<Arc<Lucia<S>>> = (0..CLOCK_SPREAD)
        .map(|offset| {
            Arc::new(
                lucia(store.clone()).with_clock(ManualClock::new(due + Duration::seconds(offset))),
            )
        })
        .collect();
    let new_attributes = S::SessionAttributes::fixture(seed());
    let done = Arc::new(AtomicUsize::new(0));

    enum Racer<A> {
        Validate(usize),
        UpdateAttributes(A),
        Read,
    }
    enum Outcome {
        Validated(Option<OffsetDateTime>),
        Updated,
        Read(Vec<OffsetDateTime>),
    }
    let racers = (0..RACERS)
        .map(Racer::Validate)
        .chain([Racer::UpdateAttributes(new_attributes.clone()), Racer::Read]);
    let results = race(runtime, racers, |racer| {
        let instances = instances.clone();
        let (store, token, session_id) = (store.clone(), token.clone(), session.id.clone());
        let done = Arc::clone(&done);
        async move {
            match racer {
                Racer::Validate(n) => {
                    let lucia = &instances[n % instances.len()];
                    let validated = lucia
                        .validate_session(&token)
                        .await
                        .unwrap_or_else(|err| unexpected(RACE, &err));
                    done.fetch_add(1, Ordering::SeqCst);
                    let Validation::Valid(valid) = validated else {
                        panic!("{RACE}: every concurrent validation is valid, got {validated:?}")
                    };
                    Outcome::Validated(valid.session.fresh.then_some(valid.session.expires_at))
                }
                Racer::UpdateAttributes(attributes) => {
                    instances[0]
                        .update_session_attributes(&session_id, attributes)
                        .await
                        .unwrap_or_else(|err| unexpected(RACE, &err));
                    Outcome::Updated
                }
                Racer::Read => {
                    // Bounded: at most 2 000 reads, until every validation is done.
                    let mut seen = Vec::new();
                    for _ in 0..2_000 {
                        let stored = store
                            .get_session(&session_id)
                            .await
                            .unwrap_or_else(|err| unexpected(RACE, &err.into()))
                            .unwrap_or_else(|| panic!("{RACE}: the session disappeared"));
                        seen.push(stored.expires_at);
                        if done.load(Ordering::SeqCst) == RACERS {
                            break;
                        }
                        yield_now().await;
                    }
                    Outcome::Read(seen)
                }
            }
        }
    })
    .await;

    let mut reported = Vec::new();
    let mut seen = Vec::new();
    for outcome in results {
        match outcome {
            Outcome::Validated(Some(expires_at)) => reported.push(expires_at),
            Outcome::Read(expiries) => seen = expiries,
            Outcome::Validated(None) | Outcome::Updated => {}
        }
    }
    let latest = *reported
        .iter()
        .max()
        .unwrap_or_else(|| panic!("{RACE}: a validation past the threshold extends"));
    let sessions = store
        .get_user_sessions(&user.id)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err.into()));
    assert_eq!(
        sessions.len(),
        1,
        "{RACE}: concurrent validations leave exactly one session"
    );
    let stored = &sessions[0];
    assert_eq!(stored.id, session.id);
    assert_eq!(
        stored.expires_at, latest,
        "{RACE}: the stored expiry is the latest one any validation reported (a later write of an earlier expiry moved it back)"
    );
    assert!(
        seen.windows(2).all(|pair| pair[0] <= pair[1]),
        "{RACE}: a reader saw the stored expiry move back: {seen:?}"
    );
    assert_eq!(
        stored.attributes, new_attributes,
        "{RACE}: an attribute update racing renewals is not lost"
    );
    let distinct: BTreeSet<_> = reported.iter().collect();
    setup
        .delete_user(&user.id)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err));
    RaceOutcome {
        race: RACE,
        racers: RACERS,
        winners: RACERS,
        elapsed: started.elapsed(),
        note: format!(
            "{} renewals reported {} distinct expiries; {} reads",
            reported.len(),
            distinct.len(),
            seen.len()
        ),
    }
}

/// "Sign out everywhere" racing logins: 10 sessions from before, then [`RACERS`] logins
/// (`create_session`) of which the second half starts only after the invalidation returned,
/// and one `invalidate_all_user_sessions` that starts once a quarter of the first half is
/// done.
///
/// Checked: every session from before, and every session whose login returned before the
/// invalidation started, no longer validates; every session whose login started after the
/// invalidation returned validates. Logins that overlapped the invalidation may keep their
/// session (see the [module docs](self)): the outcome reports how many did.
pub async fn invalidation<S, R>(store: S, runtime: &R) -> RaceOutcome
where
    S: AuthStore + Clone + 'static,
    S::UserAttributes: Fixture,
    S::SessionAttributes: Fixture,
    R: Spawn,
{
    const RACE: &str = "invalidation";
    let started = Instant::now();
    let lucia = Arc::new(lucia(store));
    let user = lucia
        .create_user(NewUser::new(S::UserAttributes::fixture(seed())))
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err));
    let mut before = Vec::new();
    for _ in 0..10 {
        let (_, token) = lucia
            .create_session(&user.id, S::SessionAttributes::fixture(seed()))
            .await
            .unwrap_or_else(|err| unexpected(RACE, &err));
        before.push(token);
    }
    // A logical clock: every start and end of a login or of the invalidation takes a tick.
    let ticks = Arc::new(AtomicU64::new(0));
    let logins_done = Arc::new(AtomicUsize::new(0));
    let after_gate = Gate::default();
    let half = RACERS / 2;

    enum Racer {
        Login { late: bool },
        Invalidate,
    }
    enum Outcome {
        Login {
            token: crate::SessionToken,
            start: u64,
            end: u64,
        },
        Invalidated {
            start: u64,
            end: u64,
        },
    }
    let racers = (0..RACERS)
        .map(|n| Racer::Login { late: n >= half })
        .chain([Racer::Invalidate]);
    let results = race(runtime, racers, |racer| {
        let lucia = Arc::clone(&lucia);
        let (ticks, logins_done, after_gate) = (
            Arc::clone(&ticks),
            Arc::clone(&logins_done),
            after_gate.clone(),
        );
        let user_id = user.id.clone();
        async move {
            match racer {
                Racer::Login { late } => {
                    if late {
                        after_gate.wait().await;
                    }
                    let start = ticks.fetch_add(1, Ordering::SeqCst);
                    let (_, token) = lucia
                        .create_session(&user_id, S::SessionAttributes::fixture(seed()))
                        .await
                        .unwrap_or_else(|err| unexpected(RACE, &err));
                    let end = ticks.fetch_add(1, Ordering::SeqCst);
                    logins_done.fetch_add(1, Ordering::SeqCst);
                    Outcome::Login { token, start, end }
                }
                Racer::Invalidate => {
                    // Bounded wait (10 s) for a quarter of the early logins to finish.
                    let waiting = Instant::now();
                    while logins_done.load(Ordering::SeqCst) < half / 4
                        && waiting.elapsed() < StdDuration::from_secs(10)
                    {
                        yield_now().await;
                    }
                    let start = ticks.fetch_add(1, Ordering::SeqCst);
                    let result = lucia.invalidate_all_user_sessions(&user_id).await;
                    let end = ticks.fetch_add(1, Ordering::SeqCst);
                    after_gate.open();
                    result.unwrap_or_else(|err| unexpected(RACE, &err));
                    Outcome::Invalidated { start, end }
                }
            }
        }
    })
    .await;

    let mut logins = Vec::new();
    let mut window = None;
    for outcome in results {
        match outcome {
            Outcome::Login { token, start, end } => logins.push((token, start, end)),
            Outcome::Invalidated { start, end } => window = Some((start, end)),
        }
    }
    let (inv_start, inv_end) = window.expect("the invalidation ran");
    for token in &before {
        let validation = lucia
            .validate_session(token.expose_secret())
            .await
            .unwrap_or_else(|err| unexpected(RACE, &err));
        assert!(
            !validation.is_valid(),
            "{RACE}: a session from before the invalidation survived it"
        );
    }
    let (mut finished_before, mut started_after, mut straddled, mut straddled_survived) =
        (0, 0, 0, 0);
    let mut valid_ids = BTreeSet::new();
    for (token, start, end) in &logins {
        let valid = lucia
            .validate_session(token.expose_secret())
            .await
            .unwrap_or_else(|err| unexpected(RACE, &err))
            .is_valid();
        if valid {
            valid_ids.insert(token.id().to_owned());
        }
        if *end < inv_start {
            finished_before += 1;
            assert!(
                !valid,
                "{RACE}: a session whose login returned before the invalidation started survived it"
            );
        } else if *start > inv_end {
            started_after += 1;
            assert!(
                valid,
                "{RACE}: a session whose login started after the invalidation returned is valid"
            );
        } else {
            straddled += 1;
            straddled_survived += usize::from(valid);
        }
    }
    let listed: BTreeSet<String> = lucia
        .get_all_user_sessions(&user.id)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err))
        .into_iter()
        .map(|session| session.id)
        .collect();
    assert_eq!(
        listed, valid_ids,
        "{RACE}: the user's session list is exactly the sessions that still validate"
    );
    lucia
        .delete_user(&user.id)
        .await
        .unwrap_or_else(|err| unexpected(RACE, &err));
    RaceOutcome {
        race: RACE,
        racers: RACERS + 1,
        winners: valid_ids.len(),
        elapsed: started.elapsed(),
        note: format!(
            "{finished_before} logins before (all gone), {started_after} after (all valid), \
             {straddled} overlapping ({straddled_survived} kept their session)"
        ),
    }
}
