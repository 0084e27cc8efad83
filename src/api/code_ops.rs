//! What the API (`api::codes`) and the dashboard (`web::codes`) both do with dynamic
//! codes: validate, store, keep the redirect's directory in step, and build reports.
//! Failures are one enum that each side turns into its own answer (problem+json or a
//! message on the page), always naming the parameter.

use std::collections::BTreeMap;

use url::Url;

use crate::domain::Account;
use crate::error::AppError;
use crate::links::code::{self, NameError};
use crate::links::report::{self, Report};
use crate::links::stats::{DayRange, Group, MAX_HOURLY_DAYS, day_of};
use crate::links::{DynamicCode, Owner, Slug, Target, short_url};
use crate::qr::design::{DESIGN_PARAMS, Design};
use crate::state::{AppState, blocking};
use crate::store::{CodeChange, CodeCreated, NewCode};

#[derive(Debug)]
pub enum CodeFailure {
    Invalid { parameter: String, detail: String },
    NoPublicUrl,
    PlanEnded { plan: String, end: i64 },
    Limit { plan: String, limit: u64 },
    SlugTaken(String),
    NotFound,
    Internal(AppError),
}

impl From<AppError> for CodeFailure {
    fn from(e: AppError) -> Self {
        Self::Internal(e)
    }
}

impl CodeFailure {
    pub fn invalid(parameter: &str, detail: impl Into<String>) -> Self {
        Self::Invalid {
            parameter: parameter.to_owned(),
            detail: detail.into(),
        }
    }

    /// The parameter the failure is about, if any.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            Self::Invalid { parameter, .. } => Some(parameter),
            Self::SlugTaken(_) => Some("slug"),
            Self::Limit { .. } | Self::PlanEnded { .. } => None,
            Self::NoPublicUrl => Some("server.public_url"),
            Self::NotFound => Some("id"),
            Self::Internal(_) => None,
        }
    }

    /// The failure in words, for a problem's detail or a message on a page.
    pub fn message(&self) -> String {
        match self {
            Self::Invalid { detail, .. } => detail.clone(),
            Self::NoPublicUrl => "Dynamic codes need the server's public address: the operator must set server.public_url (e.g. https://qr.example.org) in config.toml or QRGATE_SERVER__PUBLIC_URL, and restart.".into(),
            Self::PlanEnded { plan, end } => format!(
                "The {plan} plan's period ended at {}; new codes and changes need a plan. Existing codes keep redirecting for a grace period.",
                crate::clock::rfc3339(*end)
            ),
            Self::Limit { plan, limit } => format!(
                "The {plan} plan allows {limit} dynamic codes and this account holds that many; delete one or ask for a larger plan."
            ),
            Self::SlugTaken(slug) => format!("The slug `{slug}` is already taken on this server; choose another or leave it out to get a random one."),
            Self::NotFound => "This account has no dynamic code with this id.".into(),
            Self::Internal(_) => "The server hit an internal error. It has been logged.".into(),
        }
    }
}

/// What a new code is made of, as received.
#[derive(Debug, Default)]
pub struct CodeInput {
    pub target: String,
    pub name: Option<String>,
    pub slug: Option<String>,
    pub design: BTreeMap<String, String>,
}

/// What an edit changes, as received; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct CodeEdit {
    pub target: Option<String>,
    pub name: Option<String>,
    pub paused: Option<bool>,
}

pub fn public_url(state: &AppState) -> Result<&Url, CodeFailure> {
    state
        .config
        .server
        .public_url()
        .ok_or(CodeFailure::NoPublicUrl)
}

fn target(state: &AppState, raw: &str) -> Result<String, CodeFailure> {
    Target::parse(raw, state.config.server.public_url())
        .map(Target::into_string)
        .map_err(|e| CodeFailure::invalid("target", format!("`target` {e}")))
}

fn name(raw: &str) -> Result<String, CodeFailure> {
    code::parse_name(raw)
        .map_err(|e: NameError| CodeFailure::invalid("name", format!("`name` {e}")))
}

/// The design must be one the QR endpoint accepts; `url` is the short link, so it may
/// not be given.
fn design(design: &BTreeMap<String, String>) -> Result<(), CodeFailure> {
    if let Some(unknown) = design.keys().find(|k| !DESIGN_PARAMS.contains(&k.as_str())) {
        let shown: String = unknown.chars().take(40).collect();
        return Err(CodeFailure::invalid(
            &format!("design.{shown}"),
            format!("`design.{shown}` is not a design parameter"),
        ));
    }
    Design::from_params(|n| design.get(n).map(String::as_str))
        .map(|_| ())
        .map_err(|e| CodeFailure::invalid(&format!("design.{}", e.parameter), e.to_string()))
}

/// Codes may be made and changed while the plan's period runs.
fn plan_running(state: &AppState, account: &Account) -> Result<u64, CodeFailure> {
    let plan = state.config.plan(&account.period.plan);
    match plan {
        Some(plan) if state.clock.now() < account.period.end => Ok(plan.dynamic_codes),
        _ => Err(CodeFailure::PlanEnded {
            plan: account.period.plan.clone(),
            end: account.period.end,
        }),
    }
}

pub async fn create(
    state: &AppState,
    account: &Account,
    input: CodeInput,
) -> Result<DynamicCode, CodeFailure> {
    public_url(state)?;
    let limit = plan_running(state, account)?;
    let target = target(state, &input.target)?;
    let name = name(input.name.as_deref().unwrap_or(""))?;
    let slug = match input
        .slug
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(raw) => Some(
            Slug::parse(raw).map_err(|e| CodeFailure::invalid("slug", format!("`slug` {e}")))?,
        ),
        None => None,
    };
    design(&input.design)?;
    let chosen = slug.as_ref().map(|s| s.as_str().to_owned());
    let new = NewCode {
        account_id: account.id,
        slug,
        target,
        name,
        design: input.design,
        now: state.clock.now(),
        limit,
    };
    let store = state.store.clone();
    match blocking(move || Ok(store.create_code(new)?)).await? {
        CodeCreated::Created(code) => {
            let directory = &state.links.directory;
            directory.put(&code);
            if directory.owner(account.id).is_none() {
                // A first code: the owner as read for this request. Generation 0 makes
                // the flush job (or a lapsed scan) read it again before trusting it long.
                directory.set_owner(account.id, Owner::of(Some(account), 0));
            }
            tracing::info!(account_id = account.id, code = %code.public_id(), "dynamic code created");
            Ok(code)
        }
        CodeCreated::SlugTaken => Err(CodeFailure::SlugTaken(chosen.unwrap_or_default())),
        CodeCreated::LimitReached => Err(CodeFailure::Limit {
            plan: account.period.plan.clone(),
            limit,
        }),
        CodeCreated::NoAccount => Err(CodeFailure::NotFound),
    }
}

pub async fn find(state: &AppState, account_id: u64, id: u64) -> Result<DynamicCode, CodeFailure> {
    let store = state.store.clone();
    blocking(move || Ok(store.code(account_id, id)?))
        .await?
        .ok_or(CodeFailure::NotFound)
}

pub async fn page(
    state: &AppState,
    account_id: u64,
    before: Option<u64>,
    limit: usize,
) -> Result<(Vec<DynamicCode>, Option<u64>), CodeFailure> {
    let store = state.store.clone();
    Ok(blocking(move || Ok(store.codes_page(account_id, before, limit)?)).await?)
}

pub async fn update(
    state: &AppState,
    account: &Account,
    id: u64,
    edit: CodeEdit,
) -> Result<DynamicCode, CodeFailure> {
    plan_running(state, account)?;
    let change = CodeChange {
        target: edit
            .target
            .as_deref()
            .map(|t| target(state, t))
            .transpose()?,
        name: edit.name.as_deref().map(name).transpose()?,
        paused: edit.paused,
        now: state.clock.now(),
    };
    let (store, account_id) = (state.store.clone(), account.id);
    let code = blocking(move || Ok(store.update_code(account_id, id, change)?))
        .await?
        .ok_or(CodeFailure::NotFound)?;
    state.links.directory.put(&code);
    tracing::info!(account_id, code = %code.public_id(), "dynamic code changed");
    Ok(code)
}

/// Deleting is allowed whatever the plan's state.
pub async fn delete(state: &AppState, account_id: u64, id: u64) -> Result<(), CodeFailure> {
    let (store, now) = (state.store.clone(), state.clock.now());
    let tombstone = blocking(move || Ok(store.delete_code(account_id, id, now)?))
        .await?
        .ok_or(CodeFailure::NotFound)?;
    state.links.directory.put(&tombstone);
    state.links.tally.forget(id);
    tracing::info!(account_id, code = %tombstone.public_id(), "dynamic code deleted");
    Ok(())
}

/// The range of a scans query from its `from` and `to` parameters.
pub fn range(
    state: &AppState,
    group: Group,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<DayRange, CodeFailure> {
    let retention = i64::from(state.config.dynamic.retention_days);
    let max_days = if group == Group::Hour {
        MAX_HOURLY_DAYS
    } else {
        retention
    };
    DayRange::parse(from, to, day_of(state.clock.now()), max_days)
        .map_err(|e| CodeFailure::invalid(e.parameter, e.detail))
}

pub async fn report(
    state: &AppState,
    code_id: u64,
    group: Group,
    range: DayRange,
) -> Result<Report, CodeFailure> {
    let store = state.store.clone();
    let report = blocking(move || {
        let days = store.scan_days(code_id, range)?;
        let (scans, bots) = days.iter().fold((0, 0), |(s, b), (_, (scans, bots, _))| {
            (s + scans, b + bots)
        });
        let rows = match group {
            Group::Day => report::day_rows(range, &days),
            Group::Hour => report::hour_rows(range, &store.scan_hours(code_id, range)?),
            Group::By(dimension) => {
                report::value_rows(store.scan_values(code_id, range, dimension)?)
            }
        };
        Ok(Report {
            group,
            range,
            scans,
            bots,
            rows,
        })
    })
    .await?;
    Ok(report)
}

/// The code's short link, when the server knows its public address.
pub fn link(state: &AppState, code: &DynamicCode) -> Option<String> {
    state
        .config
        .server
        .public_url()
        .map(|site| short_url(site, &code.slug))
}

/// The QR endpoint's URL for the code's image with its design (plus `extra`
/// parameters); the caller adds a key.
pub fn image_url(state: &AppState, code: &DynamicCode, extra: &[(&str, &str)]) -> Option<String> {
    let site = state.config.server.public_url()?;
    let link = short_url(site, &code.slug);
    let mut pairs: Vec<(&str, &str)> = vec![("url", &link)];
    pairs.extend(
        code.design
            .iter()
            .filter(|(name, _)| !extra.iter().any(|(n, _)| n == name))
            .map(|(n, v)| (n.as_str(), v.as_str())),
    );
    pairs.extend_from_slice(extra);
    let query = serde_urlencoded::to_string(&pairs).ok()?;
    Some(format!("{}api/v1/qr/url?{query}", site.as_str()))
}
