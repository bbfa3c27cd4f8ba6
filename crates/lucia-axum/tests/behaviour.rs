//! The shared behaviour table over real HTTP, plus axum-specific failures.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use axum::Router;
use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use lucia::Lucia;
use lucia::origin::OriginCheck;
use lucia_axum::{
    Auth, LuciaLayer, MaybeAuth, PageAuth, SessionControl, TokioOffload, VerifiedAuth,
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

async fn login(
    control: SessionControl<Store>,
    Form(form): Form<Credentials>,
) -> axum::response::Response {
    match control
        .lucia()
        .use_key("email", &form.email, Some(&form.password))
        .await
    {
        Ok(key) => match control.sign_in(&key.user_id, ()).await {
            Ok((_, token)) => token.expose_secret().to_owned().into_response(),
            Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
        Err(_) => (StatusCode::BAD_REQUEST, "Incorrect email or password").into_response(),
    }
}

async fn logout(control: SessionControl<Store>) -> StatusCode {
    match control.sign_out().await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
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

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn axum_passes_the_behaviour_table() {
    let app = TestApp::new().await;
    let lucia = Arc::new(app.lucia.clone().with_offload(TokioOffload::default()));
    let router = Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/page", get(page))
        .route("/whoami", get(whoami))
        .route("/action", post(|| async { "done" }))
        .layer(
            LuciaLayer::new(lucia)
                .origin_check(OriginCheck::builder().development(true).build().unwrap()),
        );
    let base = serve(router).await;
    run_behaviour_table("axum", &base, &app).await;
}

#[tokio::test]
async fn a_failing_store_is_503_not_anonymous() {
    async fn whoami_down(MaybeAuth(auth): MaybeAuth<Down>) -> &'static str {
        if auth.is_some() {
            "someone"
        } else {
            "anonymous"
        }
    }
    let router = Router::new()
        .route("/whoami", get(whoami_down))
        .layer(LuciaLayer::new(Arc::new(Lucia::new(Down))));
    let base = serve(router).await;
    assert_outage_is_503("axum", &base).await;
}

#[tokio::test]
async fn a_route_outside_the_layer_is_a_clear_500_not_a_panic() {
    let router = Router::new().route("/me", get(|auth: Auth<Store>| async move { auth.user.id }));
    let base = serve(router).await;
    let response = reqwest_client()
        .get(format!("{base}/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::INTERNAL_SERVER_ERROR.as_u16()
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("LuciaLayer is missing")
    );
}

fn reqwest_client() -> reqwest::Client {
    lucia_http_tests::client(reqwest::Client::builder())
}

#[tokio::test]
async fn the_two_factor_extractor_waits_for_the_second_factor() {
    let lucia = Lucia::new(TwoFactorStore::new());
    let router = Router::new()
        .route(
            "/secret",
            get(|auth: VerifiedAuth<TwoFactorStore>| async move { auth.0.user.id }),
        )
        .layer(LuciaLayer::new(Arc::new(lucia.clone())));
    let base = serve(router).await;
    run_two_factor_table("axum", &base, &lucia).await;
}

/// `TokioOffload` keeps its bound (see `lucia_http_tests::assert_offload_bound`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_offload_runs_at_most_its_limit_at_once() {
    lucia_http_tests::assert_offload_bound("axum", &lucia_axum::TokioOffload::new(2), 2).await;
}
