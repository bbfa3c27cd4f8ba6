//! The shared behaviour table over real HTTP.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use actix_web::{App, HttpResponse, HttpServer, web};
use lucia::Lucia;
use lucia::origin::OriginCheck;
use lucia_actix::{
    ActixOffload, Auth, LuciaMiddleware, MaybeAuth, PageAuth, SessionControl, VerifiedAuth,
};
use lucia_http_tests::{
    Down, Store, TestApp, TwoFactorStore, assert_outage_is_503, run_behaviour_table,
    run_two_factor_table,
};

#[derive(serde::Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

async fn login(control: SessionControl<Store>, form: web::Form<Credentials>) -> HttpResponse {
    match control
        .lucia()
        .use_key("email", &form.email, Some(&form.password))
        .await
    {
        Ok(key) => match control.sign_in(&key.user_id, ()).await {
            Ok((_, token)) => HttpResponse::Ok().body(token.expose_secret().to_owned()),
            Err(_) => HttpResponse::ServiceUnavailable().finish(),
        },
        Err(_) => HttpResponse::BadRequest().body("Incorrect email or password"),
    }
}

async fn logout(control: SessionControl<Store>) -> HttpResponse {
    match control.sign_out().await {
        Ok(()) => HttpResponse::Ok().finish(),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

async fn me(auth: Auth<Store>) -> String {
    auth.user.id
}

async fn page(PageAuth(auth): PageAuth<Store>) -> String {
    format!("hello {}", auth.user.attributes)
}

async fn whoami(MaybeAuth(auth): MaybeAuth<Store>) -> String {
    auth.map_or_else(|| "anonymous".to_owned(), |auth| auth.user.id)
}

#[actix_web::test]
async fn actix_passes_the_behaviour_table() {
    let app = TestApp::new().await;
    let lucia = Arc::new(app.lucia.clone().with_offload(ActixOffload::default()));
    let middleware = LuciaMiddleware::new(lucia)
        .origin_check(OriginCheck::builder().development(true).build().unwrap());
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware.clone())
            .route("/login", web::post().to(login))
            .route("/logout", web::post().to(logout))
            .route("/me", web::get().to(me))
            .route("/page", web::get().to(page))
            .route("/whoami", web::get().to(whoami))
            .route("/action", web::post().to(|| async { "done" }))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    run_behaviour_table("actix", &format!("http://{addr}"), &app).await;
    handle.stop(true).await;
}

#[actix_web::test]
async fn a_failing_store_is_503_not_anonymous() {
    async fn whoami_down(MaybeAuth(auth): MaybeAuth<Down>) -> &'static str {
        if auth.is_some() {
            "someone"
        } else {
            "anonymous"
        }
    }
    let middleware = LuciaMiddleware::new(Arc::new(Lucia::new(Down)));
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware.clone())
            .route("/whoami", web::get().to(whoami_down))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    assert_outage_is_503("actix", &format!("http://{addr}")).await;
    handle.stop(true).await;
}

#[actix_web::test]
async fn the_two_factor_extractor_waits_for_the_second_factor() {
    async fn secret(auth: VerifiedAuth<TwoFactorStore>) -> String {
        auth.0.user.id
    }
    let lucia = Lucia::new(TwoFactorStore::new());
    let middleware = LuciaMiddleware::new(Arc::new(lucia.clone()));
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware.clone())
            .route("/secret", web::get().to(secret))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    run_two_factor_table("actix", &format!("http://{addr}"), &lucia).await;
    handle.stop(true).await;
}

/// `ActixOffload` keeps its bound (see `lucia_http_tests::assert_offload_bound`).
#[actix_web::test]
async fn actix_offload_runs_at_most_its_limit_at_once() {
    lucia_http_tests::assert_offload_bound("actix", &lucia_actix::ActixOffload::new(2), 2).await;
}
