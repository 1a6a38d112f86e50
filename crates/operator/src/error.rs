//! The operator's one error type, rendered as the typed body `{code, message, ...}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mymts_proto::{ApiErrorBody, ErrorCode};

#[derive(Debug)]
pub struct ApiError(pub Box<ApiErrorBody>);

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(Box::new(ApiErrorBody::new(code, message)))
    }
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        // The detail goes to the log, never to the client: it may name tables or paths.
        tracing::error!(%detail, "internal error");
        Self::new(
            ErrorCode::Internal,
            "The operator had an internal error. Try again in a minute.",
        )
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message).field(field)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn attempts_left(mut self, n: u32) -> Self {
        self.0.attempts_left = Some(n);
        self
    }
    pub fn retry_after(mut self, s: u64) -> Self {
        self.0.retry_after_s = Some(s);
        self
    }
    pub fn field(mut self, f: impl Into<String>) -> Self {
        self.0.field = Some(f.into());
        self
    }
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.0.hint = Some(h.into());
        self
    }
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::internal(e)
    }
}

impl From<mymts_proto::PhoneError> for ApiError {
    fn from(e: mymts_proto::PhoneError) -> Self {
        Self::new(ErrorCode::InvalidPhone, e.to_string()).field("phone")
    }
}

/// A login read from a path or a query: the form's field is `login`.
impl From<mymts_proto::LoginError> for ApiError {
    fn from(e: mymts_proto::LoginError) -> Self {
        match e {
            mymts_proto::LoginError::Phone(p) => Self::from(p).field("login"),
            other => Self::invalid("login", other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, axum::Json(&*self.0)).into_response();
        if let Some(s) = self.0.retry_after_s
            && let Ok(v) = axum::http::HeaderValue::from_str(&s.to_string())
        {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
