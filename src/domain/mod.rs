//! Validated domain types. Nothing here knows about HTTP or storage.

mod account;
mod api_key;
pub mod days;
mod email;
mod email_safety;
mod host_pattern;
mod ip_range;
mod password;
mod renewal;
mod restrictions;

pub use account::{Account, AccountStatus, KeyRecord, PlanPeriod, Role};
pub use api_key::{ApiKey, KeyFormatError};
pub use email::{Email, EmailError, is_valid_domain};
pub use host_pattern::{HostPattern, HostPatternError};
pub use ip_range::{IpRange, IpRangeError};
pub use password::{Password, PasswordError};
pub use renewal::{RENEWAL_WINDOW_SECS, RenewalAllowance, RenewalReason, RenewalRecord};
pub use restrictions::{
    MAX_NETWORKS, MAX_REFERRERS, Permission, Referrer, RestrictionError, Restrictions,
    RestrictionsForm, Rule,
};
