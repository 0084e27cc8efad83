//! Internal failures. Each boundary (pages, API) maps them to its own response: an opaque
//! 500 (or 503 when a write could not be committed), with the cause chain in the log only.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a blocking task was cancelled: {0}")]
    Blocking(#[from] actix_web::error::BlockingError),
    #[error("a page could not be rendered: {0}")]
    Template(#[from] askama::Error),
    #[error("password hashing failed: {0}")]
    Hashing(#[from] argon2::Error),
}

impl AppError {
    /// Whether the failure is one of storage availability (answer 503, try again later)
    /// rather than a bug (500).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Store(StoreError::Commit(_) | StoreError::Poisoned) | Self::Blocking(_)
        )
    }

    /// Logs the failure with its cause chain; called once where it is turned into a response.
    pub fn log(&self) {
        let mut chain = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::error!(error = %chain, "request failed");
    }
}
