//! Authentication primitives: password hashing, session tokens, CSRF tokens, API key
//! hashing and the failed-login back-off. HTTP wiring lives in `web` and `api`; these
//! are plain functions and types.

pub mod api_key;
pub mod backoff;
pub mod csrf;
pub mod password;
pub mod session;

pub use password::PasswordHasher;
