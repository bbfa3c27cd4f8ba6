//! The shared behaviour table over real HTTP, on a real Rocket server.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use lucia::Lucia;
use lucia::origin::OriginCheck;
use lucia_http_tests::{
    Down, Store, TestApp, TwoFactorStore, assert_outage_is_503, run_behaviour_table,
    run_two_factor_table,
};
use lucia_rocket::{
    Auth, LuciaFairing, MaybeAuth, PageAuth, RocketOffload, SessionControl, VerifiedAuth,
};
use rocket::fairing::AdHoc;
use rocket::form::Form;
use rocket::http::Status;
use rocket::{Build, FromForm, Rocket, get, post, routes};

#[derive(FromForm)]
struct Credentials {
    email: String,
    password: String,
}

#[post("/login", data = "<form>")]
async fn login(control: SessionControl<Store>, form: Form<Credentials>) -> (Status, String) {
    match control
        .lucia()
        .use_key("email", &form.email, Some(&form.password))
        .await
    {
        Ok(key) => match control.sign_in(&key.user_id, ()).await {
            Ok((_, token)) => (Status::Ok, token.expose_secret().to_owned()),
            Err(_) => (Status::ServiceUnavailable, String::new()),
        },
        Err(_) => (Status::BadRequest, "Incorrect email or password".into()),
    }
}

#[post("/logout")]
async fn logout(control: SessionControl<Store>) -> Status {
    match control.sign_out().await {
        Ok(()) => Status::Ok,
        Err(_) => Status::ServiceUnavailable,
    }
}

#[get("/me")]
fn me(auth: Auth<Store>) -> String {
    auth.user.id
}

#[get("/page")]
fn page(auth: PageAuth<Store>) -> String {
    format!("hello {}", auth.0.user.attributes)
}

#[get("/whoami")]
fn whoami(auth: MaybeAuth<Store>) -> String {
    auth.0
        .map_or_else(|| "anonymous".to_owned(), |auth| auth.user.id)
}

#[post("/action")]
fn action() -> &'static str {
    "done"
}

#[get("/whoami")]
fn whoami_down(auth: MaybeAuth<Down>) -> &'static str {
    if auth.0.is_some() {
        "someone"
    } else {
        "anonymous"
    }
}

/// Launches `rocket` on a free loopback port and returns its base URL once it listens.
async fn launch(rocket: Rocket<Build>) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let figment = rocket::Config::figment()
        .merge(("address", "127.0.0.1"))
        .merge(("port", port))
        .merge(("log_level", "off"));
    let (ready, listening) = rocket::tokio::sync::oneshot::channel();
    let rocket = rocket
        .configure(figment)
        .attach(AdHoc::on_liftoff("ready", move |_| {
            Box::pin(async move {
                let _ = ready.send(());
            })
        }));
    rocket::tokio::spawn(async move { rocket.launch().await });
    listening.await.unwrap();
    format!("http://127.0.0.1:{port}")
}

#[rocket::async_test]
async fn rocket_passes_the_behaviour_table() {
    let app = TestApp::new().await;
    let lucia = Arc::new(app.lucia.clone().with_offload(RocketOffload::default()));
    let fairing = LuciaFairing::new(lucia)
        .origin_check(OriginCheck::builder().development(true).build().unwrap());
    let base = launch(
        rocket::build()
            .attach(fairing)
            .mount("/", routes![login, logout, me, page, whoami, action]),
    )
    .await;
    run_behaviour_table("rocket", &base, &app).await;
}

#[rocket::async_test]
async fn a_failing_store_is_503_not_anonymous() {
    let base = launch(
        rocket::build()
            .attach(LuciaFairing::new(Arc::new(Lucia::new(Down))))
            .mount("/", routes![whoami_down]),
    )
    .await;
    assert_outage_is_503("rocket", &base).await;
}

#[get("/secret")]
fn secret(auth: VerifiedAuth<TwoFactorStore>) -> String {
    auth.0.user.id
}

#[rocket::async_test]
async fn the_two_factor_guard_waits_for_the_second_factor() {
    let lucia = Lucia::new(TwoFactorStore::new());
    let base = launch(
        rocket::build()
            .attach(LuciaFairing::new(Arc::new(lucia.clone())))
            .mount("/", routes![secret]),
    )
    .await;
    run_two_factor_table("rocket", &base, &lucia).await;
}

#[get("/state")]
fn state_get() -> &'static str {
    "reached"
}

/// Rocket rewrites a POSTed form with `_method=get` into a GET before fairings run; the
/// fairing still checks it as the POST the browser sent.
#[rocket::async_test]
async fn a_method_override_form_is_checked_as_a_post() {
    let app = TestApp::new().await;
    let fairing = LuciaFairing::new(Arc::new(app.lucia.clone()));
    let base = launch(
        rocket::build()
            .attach(fairing)
            .mount("/", routes![state_get]),
    )
    .await;
    let client = lucia_http_tests::client(reqwest::Client::builder());
    let response = client
        .post(format!("{base}/state"))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("_method=get")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let plain = client.get(format!("{base}/state")).send().await.unwrap();
    assert_eq!(plain.text().await.unwrap(), "reached");
}

/// `RocketOffload` keeps its bound (see `lucia_http_tests::assert_offload_bound`).
#[rocket::async_test]
async fn rocket_offload_runs_at_most_its_limit_at_once() {
    lucia_http_tests::assert_offload_bound("rocket", &lucia_rocket::RocketOffload::new(2), 2).await;
}
