//! `/dashboard/api` ("API > Get API Key"): create the key (password), renew it (password +
//! reason), see the renewal log. The full key is shown once, in the response that made it.

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

/// How much of a User-Agent header the renewal log keeps.
const MAX_USER_AGENT_CHARS: usize = 200;

struct LogRow {
    at: String,
    reason: &'static str,
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
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    csrf_token: String,
    /// `create` or `renew`; inferred from `reason` when absent.
    #[serde(default)]
    action: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    reason: String,
}

has_csrf!(KeyForm);

/// What the page says above the forms.
#[derive(Default)]
struct Outcome {
    new_key: Option<String>,
    notice: Option<String>,
    error: Option<String>,
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
    let fail = |status, message: &str| {
        (
            status,
            Outcome {
                error: Some(message.to_owned()),
                ..Outcome::default()
            },
        )
    };

    let renewing = match form.action.as_str() {
        "create" => false,
        "renew" => true,
        _ => !form.reason.is_empty(),
    };
    let reason = if renewing {
        RenewalReason::parse_choice(&form.reason)
    } else {
        Some(RenewalReason::Created)
    };
    let Some(reason) = reason else {
        let (status, outcome) = fail(StatusCode::BAD_REQUEST, "Choose a reason for the renewal.");
        return render(&ctx, &state, &account, outcome, status).await;
    };

    let (hasher, stored) = (state.hasher.clone(), account.password_hash.clone());
    let password = form.password;
    let _slot = state.hashing_slot().await?;
    let password_ok = blocking(move || Ok(hasher.verify(Some(&stored), &password))).await?;
    if !password_ok {
        tracing::info!(
            account_id = account.id,
            "key change refused: wrong password"
        );
        let (status, outcome) = fail(StatusCode::UNAUTHORIZED, "Incorrect password.");
        return render(&ctx, &state, &account, outcome, status).await;
    }

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
        ip: state.client_ip(&req).to_string(),
        user_agent: user_agent(&req),
        now,
        renewals_per_day: state.config.keys.renewals_per_day,
    };
    let store = state.store.clone();
    let change = blocking(move || Ok(store.change_key(request)?)).await?;
    let (status, outcome, account) = match change {
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
                error: None,
            };
            (StatusCode::OK, outcome, updated)
        }
        KeyChange::LimitReached { next_allowed_at } => {
            let limit = state.config.keys.renewals_per_day;
            let message = format!(
                "You have renewed your key {limit} times in the last 24 hours, the most allowed. \
                 The next renewal is possible at {}.",
                clock::human(next_allowed_at)
            );
            let (status, outcome) = fail(StatusCode::TOO_MANY_REQUESTS, &message);
            (status, outcome, account)
        }
        KeyChange::KeyExists => {
            let (s, o) = fail(
                StatusCode::CONFLICT,
                "This account already has a key. Use Renew key to replace it.",
            );
            (s, o, account)
        }
        KeyChange::NoKey => {
            let (s, o) = fail(
                StatusCode::CONFLICT,
                "There is no key to renew yet. Create one first.",
            );
            (s, o, account)
        }
        KeyChange::NoAccount => return Err(PageError::LoginRequired),
    };
    render(&ctx, &state, &account, outcome, status).await
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
    };
    ctx.render(status, &page)
}

fn log_row(entry: &RenewalRecord) -> LogRow {
    LogRow {
        at: clock::human(entry.at),
        reason: entry.reason.label(),
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
