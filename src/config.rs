//! Typed configuration: the shipped `config.toml` (embedded) gives every default, the
//! operator's file is laid over it, then `QRGATE_<SECTION>__<KEY>` environment variables,
//! then command-line flags. Unknown keys and bad values stop start-up with a message that
//! names the key.

use std::collections::BTreeMap;
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::{Table, Value};
use url::Url;

use crate::client_ip::IpRange;
use crate::domain::Email;

/// The shipped configuration file, which is also the complete set of defaults.
pub const DEFAULT_CONFIG: &str = include_str!("../config.toml");

/// Prefix of environment variables that override single keys.
const ENV_PREFIX: &str = "QRGATE_";

/// The plan every new account starts on.
pub const TRIAL_PLAN: &str = "trial";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub limits: LimitsConfig,
    pub render: RenderConfig,
    pub usage: UsageConfig,
    pub accounts: AccountsConfig,
    pub keys: KeysConfig,
    pub admin: AdminConfig,
    pub payments: PaymentsConfig,
    pub batches: BatchesConfig,
    pub dynamic: DynamicConfig,
    pub plans: BTreeMap<String, PlanConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: String,
    pub workers: usize,
    pub blocking_threads_per_worker: usize,
    pub secure_cookies: bool,
    pub client_request_timeout_secs: u64,
    pub keep_alive_secs: u64,
    pub max_connections_per_worker: usize,
    pub shutdown_timeout_secs: u64,
    pub trusted_proxies: Vec<String>,
    /// Bearer token required by `GET /metrics`; empty leaves it open.
    pub metrics_token: Secret,
    /// Seconds a request body has, from the end of its head, to arrive in full.
    pub client_body_timeout_secs: u64,
    /// Open connections one client address (an IPv6 /64) may hold at once.
    pub max_connections_per_ip: usize,
    /// Where users reach this server; see [`ServerConfig::public_url`].
    pub public_url: PublicUrl,
}

impl ServerConfig {
    /// The site's address as users reach it (`https://qr.example.org/`), for absolute
    /// URLs in pages, documents and links; `None` when not configured.
    pub fn public_url(&self) -> Option<&Url> {
        self.public_url.0.as_ref()
    }
}

/// `server.public_url`: empty, or an absolute `http(s)` URL of the site's root, with no
/// path, query, fragment or credentials (checked when the configuration is read).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(try_from = "String")]
pub struct PublicUrl(Option<Url>);

impl TryFrom<String> for PublicUrl {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self(None));
        }
        let url = Url::parse(raw).map_err(|e| {
            format!("`{raw}` is not an absolute URL like https://qr.example.org ({e})")
        })?;
        if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
            return Err(format!(
                "`{raw}` must start with https:// (or http://) and a host name"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            // Not echoed: the text holds a credential.
            return Err("must not hold a user name or password".to_owned());
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "`{raw}` must be the site's root, without a path, query or fragment (qrgate serves from /)"
            ));
        }
        Ok(Self(Some(url)))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    pub keyless_per_second: u32,
    pub keyless_burst: u32,
    pub signups_per_hour: u32,
    pub signup_burst: u32,
    pub logins_per_minute: u32,
    pub login_burst: u32,
    pub key_changes_per_hour: u32,
    pub key_change_burst: u32,
    pub login_failures_before_backoff: u32,
    pub login_backoff_max_secs: u64,
    pub login_account_failures_ceiling: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderConfig {
    pub max_pixels_in_flight: u64,
    pub render_wait_ms: u64,
    pub cache_bytes: u64,
    /// Pixels of previews (keyless, expired, over quota) in flight at once: a budget of
    /// their own, so previews never take what paying customers' renders need.
    pub preview_pixels_in_flight: u64,
    /// Milliseconds of drawing all previews together may take per second.
    pub preview_ms_per_second: u64,
    /// Wall-clock limit on one render, from the moment it has its budget.
    pub max_render_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageConfig {
    pub flush_interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsConfig {
    pub password_min_length: usize,
    pub session_hours: u32,
    pub session_idle_minutes: u32,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysConfig {
    pub renewals_per_day: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    pub emails: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentsConfig {
    /// Signs the requests of `POST /webhooks/payment`; empty turns the endpoint off.
    pub webhook_secret: Secret,
    /// How far a signed request's timestamp may be from now.
    pub webhook_tolerance_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchesConfig {
    pub max_items: usize,
    pub max_body_bytes: usize,
    pub workers: usize,
    pub worker_nice: u32,
    pub keep_hours: u32,
    pub max_stored_bytes: u64,
    pub max_active_per_account: usize,
    pub max_queued: usize,
}

/// Dynamic codes (short links under `/r/`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamicConfig {
    /// Days a code keeps redirecting after its owner's plan or trial ended.
    pub grace_days: u32,
    /// Days of scan statistics kept.
    pub retention_days: u32,
}

/// A configured secret: used as a string, never printed by `{:?}`, so a debug dump of
/// the configuration cannot leak it.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "(none)" } else { "(set)" })
    }
}

/// The shortest webhook secret accepted: 32 characters, so that a guessable word is not
/// what stands between the internet and free plans.
pub const MIN_WEBHOOK_SECRET_LEN: usize = 32;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    /// Successful generations per period; 0 means unlimited.
    pub quota: u64,
    pub period_days: u32,
    pub rate_per_second: u32,
    pub burst: u32,
    #[serde(default)]
    pub description: String,
    /// Dynamic codes an account on this plan may hold (0: none).
    #[serde(default)]
    pub dynamic_codes: u64,
}

/// Values given on the command line, applied last.
#[derive(Debug, Default, Clone)]
pub struct CliOverrides {
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
}

/// Why the configuration could not be used. The message always names the key or file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("unknown configuration key `{key}` (in {origin})")]
    UnknownKey { key: String, origin: String },
    #[error("configuration key `{key}`: {message}")]
    Invalid { key: String, message: String },
}

impl ConfigError {
    fn invalid(key: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            key: key.to_owned(),
            message: message.into(),
        }
    }
}

impl Config {
    /// Loads the configuration. `path` is the operator's file; without one, `./config.toml`
    /// is used when present, else the embedded defaults alone.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        cli: &CliOverrides,
    ) -> Result<Self, ConfigError> {
        let mut table = parse_toml(DEFAULT_CONFIG, "the embedded defaults")?;
        let file = match path {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from("config.toml")).filter(|p| p.is_file()),
        };
        if let Some(file) = file {
            let text = std::fs::read_to_string(&file).map_err(|source| ConfigError::Read {
                path: file.clone(),
                source,
            })?;
            let origin = file.display().to_string();
            let overlay = parse_toml(&text, &origin)?;
            merge(&mut table, overlay, "", &origin)?;
        }
        for (name, value) in env {
            apply_env(&mut table, &name, &value)?;
        }
        if let Some(bind) = &cli.bind {
            set(&mut table, &["server", "bind"], Value::String(bind.clone()));
        }
        if let Some(dir) = &cli.data_dir {
            let dir = dir.display().to_string();
            set(&mut table, &["storage", "data_dir"], Value::String(dir));
        }
        Self::from_table(table)
    }

    /// The embedded defaults, with no file and no environment (used by tests).
    pub fn defaults() -> Self {
        let table = parse_toml(DEFAULT_CONFIG, "the embedded defaults")
            .expect("the embedded config.toml is valid TOML");
        Self::from_table(table).expect("the embedded config.toml is a valid configuration")
    }

    fn from_table(table: Table) -> Result<Self, ConfigError> {
        let json = serde_json::to_value(&table)
            .map_err(|e| ConfigError::invalid("(root)", e.to_string()))?;
        let config: Config = serde_path_to_error::deserialize(json).map_err(|e| {
            let key = e.path().to_string();
            ConfigError::invalid(&key, e.into_inner().to_string())
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Range and consistency checks that types alone do not express.
    fn validate(&self) -> Result<(), ConfigError> {
        let bind = &self.server.bind;
        let resolves = bind
            .to_socket_addrs()
            .map(|mut addrs| addrs.next().is_some());
        if !matches!(resolves, Ok(true)) {
            return Err(ConfigError::invalid(
                "server.bind",
                format!("`{bind}` is not an address like 127.0.0.1:8080"),
            ));
        }
        check_range(
            "server.client_request_timeout_secs",
            self.server.client_request_timeout_secs,
            1,
            300,
        )?;
        check_range(
            "server.max_connections_per_worker",
            self.server.max_connections_per_worker as u64,
            16,
            1_000_000,
        )?;
        check_range(
            "server.blocking_threads_per_worker",
            self.server.blocking_threads_per_worker as u64,
            1,
            512,
        )?;
        check_range(
            "server.keep_alive_secs",
            self.server.keep_alive_secs,
            0,
            300,
        )?;
        check_range(
            "server.shutdown_timeout_secs",
            self.server.shutdown_timeout_secs,
            0,
            3600,
        )?;
        check_range("server.workers", self.server.workers as u64, 0, 256)?;
        check_range(
            "server.client_body_timeout_secs",
            self.server.client_body_timeout_secs,
            1,
            300,
        )?;
        check_range(
            "server.max_connections_per_ip",
            self.server.max_connections_per_ip as u64,
            1,
            1_000_000,
        )?;
        let one_preview = u64::from(crate::qr::PREVIEW_MAX_SIZE).pow(2);
        check_range(
            "render.preview_pixels_in_flight",
            self.render.preview_pixels_in_flight,
            one_preview,
            1 << 40,
        )?;
        check_range(
            "render.preview_ms_per_second",
            self.render.preview_ms_per_second,
            1,
            1_000_000,
        )?;
        check_range("render.max_render_ms", self.render.max_render_ms, 1, 60_000)?;
        for (i, proxy) in self.server.trusted_proxies.iter().enumerate() {
            if IpRange::parse(proxy).is_none() {
                return Err(ConfigError::invalid(
                    &format!("server.trusted_proxies[{i}]"),
                    format!("`{proxy}` is not an IP address or CIDR range like 10.0.0.0/8"),
                ));
            }
        }
        check_range(
            "limits.login_account_failures_ceiling",
            self.limits.login_account_failures_ceiling.into(),
            1,
            1_000_000,
        )?;
        if self.storage.data_dir.as_os_str().is_empty() {
            return Err(ConfigError::invalid(
                "storage.data_dir",
                "must not be empty",
            ));
        }
        check_range(
            "usage.flush_interval_ms",
            self.usage.flush_interval_ms,
            10,
            60_000,
        )?;
        let accounts = &self.accounts;
        check_range(
            "accounts.password_min_length",
            accounts.password_min_length as u64,
            8,
            128,
        )?;
        check_range(
            "accounts.session_hours",
            accounts.session_hours.into(),
            1,
            24 * 365,
        )?;
        check_range(
            "accounts.session_idle_minutes",
            accounts.session_idle_minutes.into(),
            1,
            24 * 60 * 365,
        )?;
        check_range(
            "accounts.argon2_parallelism",
            accounts.argon2_parallelism.into(),
            1,
            16,
        )?;
        check_range(
            "accounts.argon2_iterations",
            accounts.argon2_iterations.into(),
            1,
            64,
        )?;
        let min_memory = 8 * u64::from(accounts.argon2_parallelism);
        check_range(
            "accounts.argon2_memory_kib",
            accounts.argon2_memory_kib.into(),
            min_memory,
            4 * 1024 * 1024,
        )?;
        check_range(
            "keys.renewals_per_day",
            self.keys.renewals_per_day.into(),
            1,
            1000,
        )?;
        for (i, email) in self.admin.emails.iter().enumerate() {
            Email::parse(email).map_err(|e| {
                ConfigError::invalid(&format!("admin.emails[{i}]"), format!("`{email}`: {e}"))
            })?;
        }
        let secret = self.payments.webhook_secret.expose();
        if !secret.is_empty() && secret.chars().count() < MIN_WEBHOOK_SECRET_LEN {
            return Err(ConfigError::invalid(
                "payments.webhook_secret",
                format!(
                    "must be empty (webhook off) or at least {MIN_WEBHOOK_SECRET_LEN} characters, e.g. from `openssl rand -hex 32`"
                ),
            ));
        }
        check_range(
            "payments.webhook_tolerance_secs",
            self.payments.webhook_tolerance_secs,
            10,
            3600,
        )?;
        let batches = &self.batches;
        check_range("batches.max_items", batches.max_items as u64, 1, 100_000)?;
        check_range(
            "batches.max_body_bytes",
            batches.max_body_bytes as u64,
            1024,
            256 * 1024 * 1024,
        )?;
        check_range("batches.workers", batches.workers as u64, 1, 64)?;
        check_range("batches.worker_nice", batches.worker_nice.into(), 0, 19)?;
        check_range("batches.keep_hours", batches.keep_hours.into(), 1, 24 * 365)?;
        check_range(
            "batches.max_stored_bytes",
            batches.max_stored_bytes,
            1024 * 1024,
            1 << 40,
        )?;
        check_range(
            "batches.max_active_per_account",
            batches.max_active_per_account as u64,
            1,
            1000,
        )?;
        check_range("batches.max_queued", batches.max_queued as u64, 1, 10_000)?;
        check_range(
            "dynamic.grace_days",
            self.dynamic.grace_days.into(),
            0,
            3650,
        )?;
        check_range(
            "dynamic.retention_days",
            self.dynamic.retention_days.into(),
            31,
            3650,
        )?;
        if !self.plans.contains_key(TRIAL_PLAN) {
            return Err(ConfigError::invalid(
                "plans",
                "a `[plans.trial]` section is required",
            ));
        }
        for (name, plan) in &self.plans {
            let valid_name = !name.is_empty()
                && name.len() <= 32
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid_name {
                return Err(ConfigError::invalid(
                    &format!("plans.{name}"),
                    "plan names use a-z, 0-9 and _ (at most 32 characters)",
                ));
            }
            let key = |field: &str| format!("plans.{name}.{field}");
            check_range(&key("period_days"), plan.period_days.into(), 1, 3650)?;
            check_range(
                &key("rate_per_second"),
                plan.rate_per_second.into(),
                1,
                1_000_000,
            )?;
            check_range(&key("burst"), plan.burst.into(), 1, 1_000_000)?;
            check_range(&key("dynamic_codes"), plan.dynamic_codes, 0, 10_000_000)?;
        }
        Ok(())
    }

    /// The admin emails, normalised (validated at load, so parsing cannot fail here).
    pub fn admin_emails(&self) -> Vec<Email> {
        self.admin
            .emails
            .iter()
            .filter_map(|e| Email::parse(e).ok())
            .collect()
    }

    pub fn plan(&self, name: &str) -> Option<&PlanConfig> {
        self.plans.get(name)
    }

    pub fn trial(&self) -> &PlanConfig {
        &self.plans[TRIAL_PLAN]
    }
}

fn check_range(key: &str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            key,
            format!("{value} is out of range ({min} to {max})"),
        ))
    }
}

fn parse_toml(text: &str, origin: &str) -> Result<Table, ConfigError> {
    text.parse::<Table>().map_err(|e| ConfigError::Syntax {
        path: origin.to_owned(),
        message: e.to_string().trim().to_owned(),
    })
}

/// Lays `overlay` over `base`. Every key must exist in the defaults, except whole new
/// plans under `[plans]`, which the operator may add.
fn merge(base: &mut Table, overlay: Table, prefix: &str, origin: &str) -> Result<(), ConfigError> {
    for (key, value) in overlay {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (base.get_mut(&key), value) {
            (Some(Value::Table(existing)), Value::Table(inner)) => {
                merge(existing, inner, &path, origin)?
            }
            (Some(existing), value) => *existing = value,
            (None, value) if prefix == "plans" => {
                base.insert(key, value);
            }
            (None, _) => {
                return Err(ConfigError::UnknownKey {
                    key: path,
                    origin: origin.to_owned(),
                });
            }
        }
    }
    Ok(())
}

/// Applies one `QRGATE_<SECTION>__<KEY>` variable. Variables without `__` are not
/// overrides and are left alone. The existing value's type says how to read the text.
fn apply_env(table: &mut Table, name: &str, raw: &str) -> Result<(), ConfigError> {
    let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
        return Ok(());
    };
    if !rest.contains("__") {
        return Ok(());
    }
    let path: Vec<String> = rest.split("__").map(|s| s.to_ascii_lowercase()).collect();
    let dotted = path.join(".");
    let unknown = || ConfigError::UnknownKey {
        key: dotted.clone(),
        origin: format!("environment variable {name}"),
    };
    let existing = lookup(table, &path).ok_or_else(unknown)?;
    let bad = |what: &str| ConfigError::invalid(&dotted, format!("{name}=`{raw}` is not {what}"));
    let value = match existing {
        Value::Integer(_) => Value::Integer(raw.trim().parse().map_err(|_| bad("an integer"))?),
        Value::Float(_) => Value::Float(raw.trim().parse().map_err(|_| bad("a number"))?),
        Value::Boolean(_) => Value::Boolean(raw.trim().parse().map_err(|_| bad("true or false"))?),
        Value::Array(_) => Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        Value::Table(_) => return Err(bad("a single value (name a key inside this section)")),
        _ => Value::String(raw.to_owned()),
    };
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    set(table, &path, value);
    Ok(())
}

fn lookup<'a>(table: &'a Table, path: &[String]) -> Option<&'a Value> {
    let (last, parents) = path.split_last()?;
    let mut current = table;
    for key in parents {
        current = current.get(key)?.as_table()?;
    }
    current.get(last)
}

fn set(table: &mut Table, path: &[&str], value: Value) {
    let (last, parents) = path.split_last().expect("a key path is never empty");
    let mut current = table;
    for key in parents {
        current = current
            .entry(key.to_string())
            .or_insert_with(|| Value::Table(Table::new()))
            .as_table_mut()
            .expect("configuration sections are tables");
    }
    current.insert(last.to_string(), value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_with(file: Option<&str>, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, file.unwrap_or("")).unwrap();
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Config::load(Some(&path), env, &CliOverrides::default())
    }

    #[test]
    fn the_shipped_file_is_a_valid_configuration() {
        let config = Config::defaults();
        assert_eq!(config.server.bind, "127.0.0.1:8080");
        assert_eq!(config.trial().quota, 20);
        assert_eq!(config.trial().period_days, 14);
        assert_eq!(config.keys.renewals_per_day, 5);
        assert_eq!(config.dynamic.grace_days, 30);
        assert_eq!(config.dynamic.retention_days, 400);
        assert!(config.trial().dynamic_codes > 0, "the trial allows a few");
    }

    #[test]
    fn a_plan_without_dynamic_codes_allows_none_and_bad_figures_name_their_key() {
        let file = "[plans.gold]\nquota = 5\nperiod_days = 7\nrate_per_second = 1\nburst = 1\n";
        assert_eq!(
            load_with(Some(file), &[]).unwrap().plans["gold"].dynamic_codes,
            0
        );
        let err = load_with(None, &[("QRGATE_DYNAMIC__RETENTION_DAYS", "2")]).unwrap_err();
        assert!(err.to_string().contains("dynamic.retention_days"), "{err}");
        let err = load_with(None, &[("QRGATE_PLANS__PRO__DYNAMIC_CODES", "-1")]).unwrap_err();
        assert!(err.to_string().contains("plans.pro.dynamic_codes"), "{err}");
    }

    #[test]
    fn environment_variables_override_single_keys() {
        let config = load_with(
            None,
            &[
                ("QRGATE_SERVER__BIND", "127.0.0.1:9000"),
                ("QRGATE_PLANS__PRO__RATE_PER_SECOND", "123"),
                ("QRGATE_ADMIN__EMAILS", "a@x.org, b@y.org"),
                ("QRGATE_UNRELATED", "ignored"),
            ],
        )
        .unwrap();
        assert_eq!(config.server.bind, "127.0.0.1:9000");
        assert_eq!(config.plans["pro"].rate_per_second, 123);
        assert_eq!(config.admin.emails, vec!["a@x.org", "b@y.org"]);
    }

    #[test]
    fn an_unknown_key_in_the_file_is_refused_by_name() {
        let err = load_with(Some("[server]\nbnd = \"x\"\n"), &[]).unwrap_err();
        assert!(err.to_string().contains("server.bnd"), "{err}");
    }

    #[test]
    fn an_unknown_environment_key_is_refused_by_name() {
        let err = load_with(None, &[("QRGATE_SERVER__BINDX", "1")]).unwrap_err();
        assert!(err.to_string().contains("server.bindx"), "{err}");
    }

    #[test]
    fn a_wrongly_typed_value_names_its_key() {
        let err = load_with(Some("[keys]\nrenewals_per_day = \"five\"\n"), &[]).unwrap_err();
        assert!(err.to_string().contains("keys.renewals_per_day"), "{err}");
        let err = load_with(None, &[("QRGATE_KEYS__RENEWALS_PER_DAY", "five")]).unwrap_err();
        assert!(err.to_string().contains("keys.renewals_per_day"), "{err}");
    }

    #[test]
    fn a_short_webhook_secret_is_refused_and_a_set_one_is_not_printed() {
        let err = load_with(None, &[("QRGATE_PAYMENTS__WEBHOOK_SECRET", "password")]).unwrap_err();
        assert!(err.to_string().contains("payments.webhook_secret"), "{err}");
        let secret = "a".repeat(MIN_WEBHOOK_SECRET_LEN);
        let config = load_with(None, &[("QRGATE_PAYMENTS__WEBHOOK_SECRET", &secret)]).unwrap();
        assert_eq!(config.payments.webhook_secret.expose(), secret);
        assert!(!format!("{config:?}").contains(&secret));
    }

    #[test]
    fn out_of_range_values_name_their_key() {
        let err = load_with(Some("[plans.basic]\nperiod_days = 0\n"), &[]).unwrap_err();
        assert!(err.to_string().contains("plans.basic.period_days"), "{err}");
        let err = load_with(Some("[server]\nbind = \"nowhere\"\n"), &[]).unwrap_err();
        assert!(err.to_string().contains("server.bind"), "{err}");
        let err = load_with(Some("[admin]\nemails = [\"not-an-email\"]\n"), &[]).unwrap_err();
        assert!(err.to_string().contains("admin.emails[0]"), "{err}");
    }

    #[test]
    fn a_public_url_is_an_absolute_http_url_of_the_site_root() {
        assert!(Config::defaults().server.public_url().is_none());
        let config = load_with(
            None,
            &[("QRGATE_SERVER__PUBLIC_URL", "https://QR.example.org")],
        )
        .unwrap();
        let url = config.server.public_url().unwrap();
        assert_eq!(url.as_str(), "https://qr.example.org/");
        let config = load_with(
            Some("[server]\npublic_url = \"http://127.0.0.1:9000/\"\n"),
            &[],
        )
        .unwrap();
        assert_eq!(config.server.public_url().unwrap().port(), Some(9000));
        for bad in [
            "qr.example.org",
            "ftp://qr.example.org",
            "https://qr.example.org/qr",
            "https://qr.example.org/?a=1",
            "https://qr.example.org/#top",
            "https://admin:secret@qr.example.org",
            "https://",
        ] {
            let err = load_with(None, &[("QRGATE_SERVER__PUBLIC_URL", bad)]).unwrap_err();
            assert!(
                err.to_string().contains("server.public_url"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn a_malformed_trusted_proxy_is_refused_by_position() {
        let err = load_with(
            None,
            &[("QRGATE_SERVER__TRUSTED_PROXIES", "10.0.0.1,proxy.local")],
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("server.trusted_proxies[1]"),
            "{err}"
        );
    }

    #[test]
    fn a_new_plan_may_be_added_in_the_file() {
        let file = "[plans.gold]\nquota = 5\nperiod_days = 7\nrate_per_second = 1\nburst = 1\n";
        let config = load_with(Some(file), &[]).unwrap();
        assert_eq!(config.plans["gold"].quota, 5);
    }

    #[test]
    fn broken_toml_names_the_file() {
        let err = load_with(Some("[server\n"), &[]).unwrap_err();
        assert!(err.to_string().contains("config.toml"), "{err}");
    }
}
