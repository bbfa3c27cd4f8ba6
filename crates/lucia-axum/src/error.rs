//! [`AuthError`]: lucia's errors as HTTP responses, so handlers can use `?`.

use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::layer::json_error;

/// A [`lucia::Error`] as a response: JSON `{"error": ...}` with a fitting status.
///
/// | error | status |
/// | --- | --- |
/// | unknown key, wrong password | 400, one generic message for both |
/// | password policy, invalid provider or user id | 422 |
/// | duplicate key or user, unique violation | 409 |
/// | forbidden origin | 403 |
/// | unknown user or session | 404 |
/// | store failure | 503 |
/// | anything else | 500 |
///
/// ```
/// use lucia_axum::{AuthError, SessionControl};
/// # type Store = lucia::MemoryStore<String, ()>;
/// async fn logout(control: SessionControl<Store>) -> Result<&'static str, AuthError> {
///     control.sign_out().await?;
///     Ok("bye")
/// }
/// ```
#[derive(Debug)]
pub struct AuthError(pub lucia::Error);

impl From<lucia::Error> for AuthError {
    fn from(err: lucia::Error) -> Self {
        Self(err)
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        use lucia::Error as E;
        let (status, message) = match &self.0 {
            E::UnknownKey | E::InvalidPassword => {
                (StatusCode::BAD_REQUEST, "incorrect credentials".to_owned())
            }
            E::PasswordPolicy(_) | E::InvalidProviderId(_) | E::InvalidUserId(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, self.0.to_string())
            }
            E::DuplicateKey | E::DuplicateUserId | E::UniqueViolation { .. } => {
                (StatusCode::CONFLICT, self.0.to_string())
            }
            E::ForbiddenOrigin(_) => (StatusCode::FORBIDDEN, self.0.to_string()),
            E::UnknownUser | E::UnknownSession => (StatusCode::NOT_FOUND, self.0.to_string()),
            E::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable".to_owned()),
            _ => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error".to_owned(),
            ),
        };
        json_error(status, &message)
    }
}
