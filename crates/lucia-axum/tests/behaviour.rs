//! The shared behaviour table over real HTTP, plus axum-specific failures.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use axum::Router;
use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use lucia::origin::OriginCheck;
use lucia::store::{AuthStore, SessionStore, StoreResult, UserStore};
use lucia::{Key, KeyId, Lucia, Session, StoreError, User};
use lucia_axum::{Auth, LuciaLayer, MaybeAuth, PageAuth, SessionControl, TokioOffload};
use lucia_http_tests::{Store, TestApp, run_behaviour_table};

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

/// A store whose every call fails, as a database that is down would.
#[derive(Clone)]
struct Down;

fn down<T>() -> StoreResult<T> {
    Err(StoreError::backend(std::io::Error::other(
        "connection refused",
    )))
}

impl UserStore for Down {
    type UserAttributes = ();
    async fn get_user(&self, _: &str) -> StoreResult<Option<User<()>>> {
        down()
    }
    async fn insert_user(&self, _: &User<()>, _: Option<&Key>) -> StoreResult<()> {
        down()
    }
    async fn update_user_attributes(&self, _: &str, _: &()) -> StoreResult<bool> {
        down()
    }
    async fn delete_user(&self, _: &str) -> StoreResult<()> {
        down()
    }
    async fn get_key(&self, _: &KeyId) -> StoreResult<Option<Key>> {
        down()
    }
    async fn insert_key(&self, _: &Key) -> StoreResult<()> {
        down()
    }
    async fn update_key_password(&self, _: &KeyId, _: Option<&str>) -> StoreResult<bool> {
        down()
    }
    async fn delete_key(&self, _: &KeyId) -> StoreResult<()> {
        down()
    }
    async fn get_user_keys(&self, _: &str) -> StoreResult<Vec<Key>> {
        down()
    }
}

impl SessionStore for Down {
    type SessionAttributes = ();
    async fn insert_session(&self, _: &Session<()>) -> StoreResult<()> {
        down()
    }
    async fn get_session(&self, _: &str) -> StoreResult<Option<Session<()>>> {
        down()
    }
    async fn get_user_sessions(&self, _: &str) -> StoreResult<Vec<Session<()>>> {
        down()
    }
    async fn update_session_expiry(
        &self,
        _: &str,
        _: lucia::time::OffsetDateTime,
    ) -> StoreResult<bool> {
        down()
    }
    async fn update_session_attributes(&self, _: &str, _: &()) -> StoreResult<bool> {
        down()
    }
    async fn delete_session(&self, _: &str) -> StoreResult<()> {
        down()
    }
    async fn delete_user_sessions(&self, _: &str) -> StoreResult<()> {
        down()
    }
    async fn delete_expired_sessions(&self, _: lucia::time::OffsetDateTime) -> StoreResult<u64> {
        down()
    }
}

impl AuthStore for Down {
    async fn get_session_and_user(
        &self,
        _: &str,
    ) -> StoreResult<Option<(Session<()>, Option<User<()>>)>> {
        down()
    }
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
    let client = reqwest_client();
    let token = lucia::SessionToken::generate().unwrap();
    let response = client
        .get(format!("{base}/whoami"))
        .header("cookie", format!("auth_session={}", token.expose_secret()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE.as_u16());
    assert!(response.headers().get("retry-after").is_some());
    // Without a token there is nothing to look up: anonymous, no store call.
    let anonymous = client.get(format!("{base}/whoami")).send().await.unwrap();
    assert_eq!(anonymous.text().await.unwrap(), "anonymous");
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
    reqwest::Client::new()
}
