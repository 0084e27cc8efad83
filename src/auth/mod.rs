//! Authentication primitives: password hashing, session tokens, CSRF tokens and API key
//! hashing. HTTP wiring lives in `web` and `api`; these are plain functions and types.

pub mod api_key;
pub mod csrf;
pub mod password;
pub mod session;

pub use password::PasswordHasher;
