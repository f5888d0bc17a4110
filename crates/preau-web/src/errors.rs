//! Errors a handler can answer with. They carry no page: [`crate::middleware::error_pages`]
//! renders every error status in the visitor's language, with the request id.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppError {
    NotFound,
    Forbidden,
    /// A state-changing request without the right CSRF token (or from another origin).
    Csrf,
    TooLarge,
    /// The request was malformed; the message id says how, for the visitor.
    BadRequest(&'static str),
    /// Something failed on our side; the detail goes to the log, never to the page.
    Internal(String),
}

/// Set on error responses so the error page knows what to say.
#[derive(Debug, Clone)]
pub struct ErrorKind(pub AppError);

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(ErrorKind(self));
        response
    }
}

impl From<preau_store::StoreError> for AppError {
    fn from(e: preau_store::StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("task: {e}"))
    }
}

pub type AppResult<T = Response> = Result<T, AppError>;
