//! Every redb table, declared once. Values that are records are JSON, so fields can be
//! added without a migration; keys are fixed-width integers or byte strings.

use redb::TableDefinition;

/// Schema version, ID counters and the server secret.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Account id → `Account` (JSON).
pub const ACCOUNT_ID_TO_ACCOUNT: TableDefinition<u64, &[u8]> = TableDefinition::new("accounts");
/// Normalised email → account id.
pub const EMAIL_TO_ACCOUNT_ID: TableDefinition<&str, u64> = TableDefinition::new("account_emails");
/// SHA-256 of the session token → `SessionRecord` (JSON).
pub const SESSION_HASH_TO_SESSION: TableDefinition<&[u8], &[u8]> = TableDefinition::new("sessions");
/// HMAC of the API key → account id. Holds only each account's current key.
pub const KEY_HASH_TO_ACCOUNT_ID: TableDefinition<&[u8], u64> = TableDefinition::new("api_keys");
/// (account id, sequence) → `RenewalRecord` (JSON), oldest first.
pub const RENEWAL_LOG: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("renewal_log");
/// (account id, sequence) → `GrantRecord` (JSON), oldest first.
pub const PLAN_GRANTS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("plan_grants");
/// Payment event id → `PaymentEventRecord` (JSON): each event grants once.
pub const PAYMENT_EVENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("payment_events");
/// Account id → (period start, successful generations in that period).
pub const ACCOUNT_ID_TO_USAGE: TableDefinition<u64, (i64, u64)> = TableDefinition::new("usage");
/// (account id, UTC day number) → successful generations that day (never 0; kept 400 days).
pub const ACCOUNT_DAY_TO_GENERATIONS: TableDefinition<(u64, i64), u64> =
    TableDefinition::new("daily_usage");
/// (UTC day number, account id) → nothing: the rows above by day, so the oldest are pruned
/// first without reading the rest.
pub const DAY_ACCOUNT_WITH_GENERATIONS: TableDefinition<(i64, u64), ()> =
    TableDefinition::new("daily_usage_by_day");

pub const META_SCHEMA_VERSION: &str = "schema_version";
pub const META_NEXT_ACCOUNT_ID: &str = "next_account_id";
pub const META_NEXT_SEQUENCE: &str = "next_sequence";
pub const META_SERVER_SECRET: &str = "server_secret";
/// (account id, logo id) → `LogoRecord` (JSON).
pub const LOGO_META: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("logo_meta");
/// (account id, logo id) → the image bytes as uploaded (kept to convert them again).
pub const LOGO_DATA: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("logo_data");
/// Code id → `DynamicCode` (JSON), deleted codes included (as tombstones).
pub const CODE_ID_TO_CODE: TableDefinition<u64, &[u8]> = TableDefinition::new("dynamic_codes");
/// Folded slug → code id. Never removed: a slug is never given to a second code.
pub const SLUG_TO_CODE_ID: TableDefinition<&str, u64> = TableDefinition::new("code_slugs");
/// (account id, sequence) → code id, for each account's live codes, oldest first.
pub const ACCOUNT_CODES: TableDefinition<(u64, u64), u64> = TableDefinition::new("account_codes");
/// (code id, hour number) → scans by people in that UTC hour.
pub const CODE_SCAN_HOURS: TableDefinition<(u64, i64), u64> = TableDefinition::new("scan_hours");
/// (code id, day number) → (scans by people, bot fetches, unique scanners estimated).
pub const CODE_SCAN_DAYS: TableDefinition<(u64, i64), (u64, u64, u64)> =
    TableDefinition::new("scan_days");
/// (code id, day number, dimension, value) → count: the day's breakdowns.
pub const CODE_SCAN_VALUES: TableDefinition<(u64, i64, u8, &str), u64> =
    TableDefinition::new("scan_values");
pub const META_NEXT_CODE_SEQ: &str = "next_code_seq";
/// (account id, logo id) → the PNG bitmap renders draw (made at upload).
pub const LOGO_BITMAP: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("logo_bitmap");
/// (account id, logo id) → the sanitised SVG of an SVG logo, for vector outputs.
pub const LOGO_VECTOR: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("logo_vector");
/// (account id, batch id) → `BatchRecord` (JSON).
pub const ACCOUNT_BATCH_TO_BATCH: TableDefinition<(u64, &str), &[u8]> =
    TableDefinition::new("batches");
