//! axum's extractors, with their rejections turned into the typed error body: a malformed body,
//! query or path gets `{code: "bad_request", message}` like every other failure. A body is read
//! into its types here, once: a phone number or a login that the one rule refuses (`mymts_proto`'s
//! `PhoneNumber`, `Login`) is answered as `invalid_phone` / `invalid_value` with its field, as a
//! form needs it.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use mymts_proto::LoginError;

use crate::error::ApiError;

pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Content type, size and syntax first, as axum judges them (kept as text, not a tree);
        // then the types from that text, with the path of what did not fit. A field given twice
        // is refused here, as serde refuses it.
        match axum::Json::<Box<serde_json::value::RawValue>>::from_request(req, state).await {
            Ok(axum::Json(raw)) => {
                let mut de = serde_json::Deserializer::from_str(raw.get());
                serde_path_to_error::deserialize(&mut de)
                    .map(Json)
                    .map_err(|e| refusal(&e))
            }
            Err(JsonRejection::BytesRejection(e)) if e.status().as_u16() == 413 => {
                Err(ApiError::new(
                    mymts_proto::ErrorCode::PayloadTooLarge,
                    "The request body is too large.",
                ))
            }
            Err(e) => Err(ApiError::bad_request(format!(
                "The request body is not valid: {}",
                e.body_text()
            ))),
        }
    }
}

/// A body that is JSON but does not fit its type. A refused phone number or login comes back from
/// serde as its message only; `LoginError::from_message` gives the typed refusal back.
fn refusal(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    use serde_path_to_error::Segment;
    let inner = e.inner();
    let full = inner.to_string();
    // serde_json adds where it was; the refusal's own sentence is what comes before.
    let at = format!(" at line {} column {}", inner.line(), inner.column());
    let message = full.strip_suffix(&at).unwrap_or(&full);
    // The field's name, when serde could follow it (not inside a `method`-tagged body).
    let field = match e.path().iter().next_back() {
        Some(Segment::Map { key }) => Some(key.clone()),
        _ => None,
    };
    match LoginError::from_message(message) {
        Some(LoginError::Phone(p)) => {
            let err = ApiError::from(p);
            match field {
                Some(f) => err.field(f),
                None => err,
            }
        }
        Some(l) => ApiError::invalid(field.as_deref().unwrap_or("login"), l.to_string()),
        None => ApiError::bad_request(format!(
            "The request body is not valid: {}: {full}",
            e.path()
        )),
    }
}

pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e: QueryRejection| {
                ApiError::bad_request(format!("The query is not valid: {}", e.body_text()))
            })
    }
}

pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e: PathRejection| {
                ApiError::bad_request(format!("The path is not valid: {}", e.body_text()))
            })
    }
}
