//! Validated domain types. Nothing here knows about HTTP or storage.

mod account;
mod api_key;
pub mod days;
mod email;
mod email_safety;
mod password;
mod renewal;

pub use account::{Account, AccountStatus, KeyRecord, PlanPeriod, Role};
pub use api_key::{ApiKey, KeyFormatError};
pub use email::{Email, EmailError, is_valid_domain};
pub use password::{Password, PasswordError};
pub use renewal::{RENEWAL_WINDOW_SECS, RenewalAllowance, RenewalReason, RenewalRecord};
