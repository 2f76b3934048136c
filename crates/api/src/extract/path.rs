use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// Path parameters that parsed into `T`; a bad one (bytes that are not UTF-8 once
/// percent-decoded, a value of the wrong type) is a 400 `invalid_path` naming it, never
/// axum's plain-text rejection.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ValidPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ValidPath(value)),
            Err(e) => Err(refused(e)),
        }
    }
}

fn refused(e: PathRejection) -> ApiError {
    use axum::extract::path::ErrorKind;

    let PathRejection::FailedToDeserializePathParams(failed) = e else {
        // The route has no parameters for this extractor: a bug of ours, not the caller's.
        return ApiError::internal(e.body_text());
    };
    let cause = failed.body_text();
    match failed.into_kind() {
        ErrorKind::InvalidUtf8InPathParam { key } => {
            ApiError::invalid_path(&key, "is not valid UTF-8 once percent-decoded")
        }
        ErrorKind::ParseErrorAtKey {
            key, expected_type, ..
        } => ApiError::invalid_path(&key, format!("expected {expected_type}")),
        ErrorKind::DeserializeError { key, message, .. } => ApiError::invalid_path(&key, message),
        ErrorKind::WrongNumberOfParameters { .. } | ErrorKind::UnsupportedType { .. } => {
            ApiError::internal(cause)
        }
        _ => ApiError::invalid_path("path", cause),
    }
}
