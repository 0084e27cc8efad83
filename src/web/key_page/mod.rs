//! `/dashboard/api` ("API > Get API Key"): create the key (password), renew it (password +
//! reason), set its restrictions (password; `restrictions`), see the renewal log. The
//! full key is shown once, in the response that made it.

mod restrictions;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::USER_AGENT;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::PageContext;
use super::forms::{self, has_csrf};
use super::{Nav, PageError};
use crate::auth::api_key::key_hash;
use crate::clock;
use crate::domain::{Account, ApiKey, KeyRecord, RenewalAllowance, RenewalReason, RenewalRecord};
use crate::gate::limits::IpClass;
use crate::state::{AppState, blocking};
use crate::store::{KeyChange, KeyChangeRequest};
use restrictions::{Draft, TypeChoice};

/// How much of a User-Agent header the renewal log keeps.
const MAX_USER_AGENT_CHARS: usize = 200;

struct LogRow {
    at: String,
    reason: &'static str,
    detail: String,
    old_prefix: String,
    new_prefix: String,
    ip: String,
    user_agent: String,
}

struct ReasonChoice {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard/api.html")]
struct KeyPage {
    nav: Nav,
    csrf: String,
    key_prefix: Option<String>,
    key_created: Option<String>,
    /// The full key, only in the response that created or renewed it.
    new_key: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    renewals_left: u32,
    renewals_per_day: u32,
    next_renewal: Option<String>,
    reasons: Vec<ReasonChoice>,
    log: Vec<LogRow>,
    /// The restrictions in force, in words.
    restrictions: Vec<(&'static str, String)>,
    restricted: bool,
    /// What the restrictions form shows: the stored ones, or what was typed if refused.
    draft: Draft,
    types: Vec<TypeChoice>,
    /// The restrictions field a refusal is about, and the message beside it.
    field_error: Option<(&'static str, String)>,
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    csrf_token: String,
    /// `create`, `renew`, `restrict` or `unrestrict`; inferred from `reason` when absent.
    #[serde(default)]
    action: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    reason: String,
    /// Renewal: `on` to remove the restrictions with it.
    #[serde(default)]
    clear_restrictions: String,
    #[serde(default)]
    referrers: String,
    #[serde(default)]
    allow_no_referrer: String,
    #[serde(default)]
    networks: String,
    #[serde(default)]
    read_only: String,
    /// The ticked QR types, as `type_url=on`, `type_wifi=on`…
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

has_csrf!(KeyForm);

impl KeyPage {
    /// The message for a refused restrictions field, to show beside it.
    fn error_for(&self, field: &str) -> Option<&str> {
        self.field_error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, message)| message.as_str())
    }
}

/// What the page says above the forms.
#[derive(Default)]
struct Outcome {
    new_key: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    /// The restrictions as typed, when they were refused.
    draft: Option<Draft>,
    field_error: Option<(&'static str, String)>,
}

impl Outcome {
    fn error(message: &str) -> Self {
        Self {
            error: Some(message.to_owned()),
            ..Self::default()
        }
    }
}

pub async fn show(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?.clone();
    render(&ctx, &state, &account, Outcome::default(), StatusCode::OK).await
}

pub async fn submit(
    req: HttpRequest,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let form: KeyForm = forms::parse(&req, &state, body).await?;
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?.clone();
    super::auth_pages::limit(&req, &state, IpClass::KeyChange)?;

    let restricting = matches!(form.action.as_str(), "restrict" | "unrestrict");
    let renewing = match form.action.as_str() {
        "create" => false,
        "renew" => true,
        _ => !form.reason.is_empty(),
    };
    let reason = if restricting {
        Some(RenewalReason::AccessChanged)
    } else if renewing {
        RenewalReason::parse_choice(&form.reason)
    } else {
        Some(RenewalReason::Created)
    };
    let Some(reason) = reason else {
        let outcome = Outcome::error("Choose a reason for the renewal.");
        return render(&ctx, &state, &account, outcome, StatusCode::BAD_REQUEST).await;
    };

    if !password_ok(&state, &account, &form.password).await? {
        tracing::info!(
            account_id = account.id,
            "key change refused: wrong password"
        );
        let mut outcome = Outcome::error("Incorrect password.");
        if restricting {
            // Keep what was typed, so only the password has to be entered again.
            outcome.draft = Some(Draft::from_form(&form));
        }
        return render(&ctx, &state, &account, outcome, StatusCode::UNAUTHORIZED).await;
    }
    let (status, outcome, account) = if restricting {
        restrictions::submit(&req, &state, account, &form).await?
    } else {
        change_key(&req, &state, account, reason, &form).await?
    };
    render(&ctx, &state, &account, outcome, status).await
}

/// Checks the account password off the executor, one hash at a time per core.
async fn password_ok(
    state: &AppState,
    account: &Account,
    password: &str,
) -> Result<bool, PageError> {
    let (hasher, stored) = (state.hasher.clone(), account.password_hash.clone());
    let password = password.to_owned();
    let _slot = state.hashing_slot().await?;
    Ok(blocking(move || Ok(hasher.verify(Some(&stored), &password))).await?)
}

/// Creates or renews the key.
async fn change_key(
    req: &HttpRequest,
    state: &AppState,
    account: Account,
    reason: RenewalReason,
    form: &KeyForm,
) -> Result<(StatusCode, Outcome, Account), PageError> {
    let renewing = reason != RenewalReason::Created;
    let key = ApiKey::generate();
    let now = state.clock.now();
    let request = KeyChangeRequest {
        account_id: account.id,
        new_key: KeyRecord {
            hash: hex::encode(key_hash(&state.secret, &key)),
            prefix: key.prefix(),
            created_at: now,
        },
        reason,
        // The client, not a proxy in front of us (`server.trusted_proxies`).
        ip: state.client_ip(req).to_string(),
        user_agent: user_agent(req),
        now,
        renewals_per_day: state.config.keys.renewals_per_day,
        clear_restrictions: renewing && form.clear_restrictions == "on",
    };
    let store = state.store.clone();
    let change = blocking(move || Ok(store.change_key(request)?)).await?;
    let fail = |status, message: &str| Ok((status, Outcome::error(message), account.clone()));
    match change {
        KeyChange::Done(updated) => {
            tracing::info!(account_id = updated.id, reason = reason.as_str(), prefix = %key.prefix(), "api key issued");
            let notice = if renewing {
                "Your key was renewed. The previous key stopped working just now."
            } else {
                "Your API key was created."
            };
            let outcome = Outcome {
                new_key: Some(key.expose().to_owned()),
                notice: Some(notice.to_owned()),
                ..Outcome::default()
            };
            Ok((StatusCode::OK, outcome, updated))
        }
        KeyChange::LimitReached { next_allowed_at } => {
            let limit = state.config.keys.renewals_per_day;
            let message = format!(
                "You have renewed your key {limit} times in the last 24 hours, the most allowed. \
                 The next renewal is possible at {}.",
                clock::human(next_allowed_at)
            );
            fail(StatusCode::TOO_MANY_REQUESTS, &message)
        }
        KeyChange::KeyExists => fail(
            StatusCode::CONFLICT,
            "This account already has a key. Use Renew key to replace it.",
        ),
        KeyChange::NoKey => fail(
            StatusCode::CONFLICT,
            "There is no key to renew yet. Create one first.",
        ),
        KeyChange::NoAccount => Err(PageError::LoginRequired),
    }
}

async fn render(
    ctx: &PageContext,
    state: &AppState,
    account: &Account,
    outcome: Outcome,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let store = state.store.clone();
    let id = account.id;
    let log = blocking(move || Ok(store.renewal_log(id)?)).await?;
    let limit = state.config.keys.renewals_per_day;
    let allowance = RenewalAllowance::from_log(&log, state.clock.now(), limit);
    let draft = outcome
        .draft
        .unwrap_or_else(|| Draft::of(&account.restrictions));
    let page = KeyPage {
        nav: ctx.nav("api"),
        csrf: ctx.csrf_token().to_owned(),
        key_prefix: account.key.as_ref().map(|k| k.prefix.clone()),
        key_created: account.key.as_ref().map(|k| clock::human(k.created_at)),
        new_key: outcome.new_key,
        notice: outcome.notice,
        error: outcome.error,
        renewals_left: allowance.remaining(limit),
        renewals_per_day: limit,
        next_renewal: allowance.next_allowed_at.map(clock::human),
        reasons: RenewalReason::CHOICES
            .iter()
            .map(|r| ReasonChoice {
                value: r.as_str(),
                label: r.label(),
            })
            .collect(),
        log: log.iter().rev().map(log_row).collect(),
        restrictions: account.restrictions.summary().into(),
        restricted: !account.restrictions.is_empty(),
        types: draft.type_choices(),
        draft,
        field_error: outcome.field_error,
    };
    ctx.render(status, &page)
}

fn log_row(entry: &RenewalRecord) -> LogRow {
    LogRow {
        at: clock::human(entry.at),
        reason: entry.reason.label(),
        detail: entry.detail.clone().unwrap_or_default(),
        old_prefix: entry.old_prefix.clone().unwrap_or_else(|| "—".to_owned()),
        new_prefix: entry.new_prefix.clone(),
        ip: entry.ip.clone(),
        user_agent: entry.user_agent.clone(),
    }
}

fn user_agent(req: &HttpRequest) -> String {
    let raw = req
        .headers()
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    raw.chars().take(MAX_USER_AGENT_CHARS).collect()
}
