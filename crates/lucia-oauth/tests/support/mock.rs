//! A scripted provider on loopback for tests: every request is recorded, every path answers
//! what the test set (404 otherwise), and ID tokens are signed with the test keys in
//! `tests/keys/` (test-only keys).
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk::Jwk};
use serde_json::{Value, json};

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Recorded {
    /// The form body as pairs (repeated names keep every value).
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }

    /// One form field.
    pub fn field(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// One header, as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The decoded `Authorization: Basic` credentials.
    pub fn basic(&self) -> Option<(String, String)> {
        let value = self.header("authorization")?;
        let encoded = value.strip_prefix("Basic ")?;
        let decoded = data_encoding::BASE64.decode(encoded.as_bytes()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        Some((unescape(id), unescape(secret)))
    }
}

#[derive(Clone)]
struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
    delay: Duration,
}

#[derive(Default)]
struct State {
    replies: HashMap<String, Reply>,
    requests: Vec<Recorded>,
}

/// The mock server.
#[derive(Clone)]
pub struct Mock {
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl Mock {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = shared.clone();
                async move { handle(state, method, uri, headers, body).await }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("bound");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("mock server");
        });
        Self {
            base: format!("http://{addr}"),
            state,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn json(&self, path: &str, status: u16, body: Value) {
        self.raw(path, status, "application/json", &body.to_string());
    }

    pub fn raw(&self, path: &str, status: u16, content_type: &'static str, body: &str) {
        self.set(
            path,
            Reply {
                status,
                content_type,
                body: body.to_owned(),
                delay: Duration::ZERO,
            },
        );
    }

    pub fn slow(&self, path: &str, delay: Duration) {
        self.set(
            path,
            Reply {
                status: 200,
                content_type: "application/json",
                body: "{}".into(),
                delay,
            },
        );
    }

    fn set(&self, path: &str, reply: Reply) {
        self.state
            .lock()
            .expect("mock state")
            .replies
            .insert(path.to_owned(), reply);
    }

    pub fn requests(&self, path: &str) -> Vec<Recorded> {
        self.state
            .lock()
            .expect("mock state")
            .requests
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    pub fn last(&self, path: &str) -> Recorded {
        self.requests(path)
            .pop()
            .unwrap_or_else(|| panic!("no request to {path}"))
    }
}

async fn handle(
    state: Arc<Mutex<State>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let reply = {
        let mut state = state.lock().expect("mock state");
        state.requests.push(Recorded {
            method,
            path: path.clone(),
            query: uri.query().unwrap_or_default().to_owned(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        state.replies.get(&path).cloned()
    };
    match reply {
        Some(reply) => {
            tokio::time::sleep(reply.delay).await;
            (
                StatusCode::from_u16(reply.status).expect("valid status"),
                [(header::CONTENT_TYPE, reply.content_type)],
                reply.body,
            )
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "no reply scripted").into_response(),
    }
}

/// A test signing key.
pub struct Key {
    pub kid: &'static str,
    pub alg: Algorithm,
    encoding: EncodingKey,
}

impl Key {
    pub fn rsa() -> Self {
        Self::pem("rsa-1", Algorithm::RS256, include_bytes!("../keys/rsa.pem"))
    }

    /// An attacker's RSA key that claims the real key's `kid`.
    pub fn attacker() -> Self {
        Self::pem(
            "rsa-1",
            Algorithm::RS256,
            include_bytes!("../keys/rsa-attacker.pem"),
        )
    }

    pub fn ec() -> Self {
        Self::pem("ec-1", Algorithm::ES256, include_bytes!("../keys/ec.pem"))
    }

    pub fn ed25519() -> Self {
        Self::pem(
            "ed-1",
            Algorithm::EdDSA,
            include_bytes!("../keys/ed25519.pem"),
        )
    }

    pub fn with_kid(mut self, kid: &'static str) -> Self {
        self.kid = kid;
        self
    }

    fn pem(kid: &'static str, alg: Algorithm, pem: &[u8]) -> Self {
        let encoding = match alg {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(pem),
            Algorithm::ES256 => EncodingKey::from_ec_pem(pem),
            _ => EncodingKey::from_ed_pem(pem),
        }
        .expect("test key");
        Self { kid, alg, encoding }
    }

    /// The public JWK, with `kid`, `use` and `alg`.
    pub fn jwk(&self) -> Value {
        let mut value = if self.alg == Algorithm::EdDSA {
            // jsonwebtoken cannot derive an OKP JWK; the public key of keys/ed25519.pem
            // (`openssl pkey -pubout -outform DER | tail -c 32`, base64url).
            json!({"kty": "OKP", "crv": "Ed25519", "x": "Mv_3lC39tEjaQRndXq2iksCNQC0VnuAUZ5Wv0n1Egn4"})
        } else {
            let jwk = Jwk::from_encoding_key(&self.encoding, self.alg).expect("public key");
            serde_json::to_value(jwk).expect("JSON")
        };
        value["kid"] = json!(self.kid);
        value["use"] = json!("sig");
        value
    }

    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("signed")
    }
}

/// A JWK Set of these keys.
pub fn jwks(keys: &[&Key]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() })
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Standard ID-token claims for this issuer, client and nonce, valid for 5 minutes.
pub fn claims(issuer: &str, client_id: &str, nonce: Option<&str>) -> Value {
    let mut claims = json!({
        "iss": issuer, "aud": client_id, "sub": "user-1",
        "iat": now(), "exp": now() + 300,
        "email": "ada@example.com", "email_verified": true, "name": "Ada",
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    claims
}

/// A query parameter of a URL.
pub fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}
