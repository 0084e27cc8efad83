//! `/admin`: list accounts, grant or extend plans, disable and re-enable accounts. Open to
//! accounts with the admin role only; changes take effect at once, without a restart.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::PageContext;
use super::forms::{self, has_csrf};
use super::{Nav, PageError};
use crate::clock;
use crate::domain::Email;
use crate::gate::standing::Standing;
use crate::state::{AppState, blocking};

struct AccountRow {
    /// The stored address, as the status form sends it back.
    email: String,
    /// The address as shown (`Email::shown`): unsafe characters of older ones escaped.
    shown_email: String,
    is_admin: bool,
    plan: String,
    status: &'static str,
    usage: String,
    period_end: String,
    key_prefix: String,
    created: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct AdminPage {
    nav: Nav,
    csrf: String,
    accounts: Vec<AccountRow>,
    plans: Vec<String>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    plan: String,
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    /// `disable` or `enable`.
    #[serde(default)]
    action: String,
}

has_csrf!(GrantForm, StatusForm);

pub async fn show(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    ctx.admin()?;
    render(&ctx, &state, None, None, StatusCode::OK).await
}

pub async fn grant(
    req: HttpRequest,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let form: GrantForm = forms::parse(&req, &state, body).await?;
    let ctx = PageContext::load(&req, &state).await?;
    let admin_email = ctx.admin()?.email.clone();
    let forms = Email::lookup_forms(&form.email);
    if forms.is_empty() {
        return render(
            &ctx,
            &state,
            None,
            Some("Enter the account's email.".into()),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let Some(plan) = state.config.plan(&form.plan).cloned() else {
        let message = format!("There is no plan named `{}`.", form.plan);
        return render(&ctx, &state, None, Some(message), StatusCode::BAD_REQUEST).await;
    };
    let (store, now, plan_name) = (state.store.clone(), state.clock.now(), form.plan.clone());
    let granted = blocking(move || {
        for email in &forms {
            if let Some(account) = store.grant_plan(email, &plan_name, &plan, now, &admin_email)? {
                return Ok(Some(account));
            }
        }
        Ok(None)
    })
    .await?;
    match granted {
        Some(account) => {
            tracing::info!(account_id = account.id, plan = %form.plan, "plan granted");
            let notice = format!(
                "{} is on the {} plan until {}. Its existing key works again.",
                Email::shown(&account.email),
                form.plan,
                clock::human(account.period.end)
            );
            render(&ctx, &state, Some(notice), None, StatusCode::OK).await
        }
        None => no_such_account(&ctx, &state, &form.email).await,
    }
}

pub async fn set_status(
    req: HttpRequest,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let form: StatusForm = forms::parse(&req, &state, body).await?;
    let ctx = PageContext::load(&req, &state).await?;
    let admin = ctx.admin()?;
    let disabled = match form.action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => {
            return render(
                &ctx,
                &state,
                None,
                Some("Choose disable or enable.".into()),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let forms = Email::lookup_forms(&form.email);
    if forms.is_empty() {
        return render(
            &ctx,
            &state,
            None,
            Some("Enter the account's email.".into()),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    if disabled && forms.iter().any(|email| email.as_str() == admin.email) {
        let message = "You cannot disable your own account.".to_owned();
        return render(&ctx, &state, None, Some(message), StatusCode::BAD_REQUEST).await;
    }
    let store = state.store.clone();
    let changed = blocking(move || {
        for email in &forms {
            if let Some(account) = store.set_disabled(email, disabled)? {
                return Ok(Some(account));
            }
        }
        Ok(None)
    })
    .await?;
    match changed {
        Some(account) => {
            tracing::info!(account_id = account.id, disabled, "account status changed");
            let verb = if disabled {
                "disabled"
            } else {
                "enabled again"
            };
            render(
                &ctx,
                &state,
                Some(format!("{} is {verb}.", Email::shown(&account.email))),
                None,
                StatusCode::OK,
            )
            .await
        }
        None => no_such_account(&ctx, &state, &form.email).await,
    }
}

async fn no_such_account(
    ctx: &PageContext,
    state: &AppState,
    typed: &str,
) -> Result<HttpResponse, PageError> {
    let message = format!(
        "There is no account with the email {}.",
        Email::shown(typed.trim())
    );
    render(ctx, state, None, Some(message), StatusCode::NOT_FOUND).await
}

async fn render(
    ctx: &PageContext,
    state: &AppState,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let store = state.store.clone();
    let listed = blocking(move || Ok(store.accounts_with_usage()?)).await?;
    let now = state.clock.now();
    let accounts = listed
        .into_iter()
        .map(|(account, used)| {
            let standing = Standing::of(&account, &state.config, used, now);
            AccountRow {
                usage: if standing.is_unlimited() {
                    format!("{used} / unlimited")
                } else {
                    format!("{used} / {}", standing.quota)
                },
                shown_email: Email::shown(&account.email),
                email: account.email,
                is_admin: account.role == crate::domain::Role::Admin,
                plan: standing.plan,
                status: standing.status.label(),
                period_end: clock::human(standing.period_end),
                key_prefix: account
                    .key
                    .map(|k| k.prefix)
                    .unwrap_or_else(|| "—".to_owned()),
                created: clock::human(account.created_at),
                disabled: account.disabled,
            }
        })
        .collect();
    let page = AdminPage {
        nav: ctx.nav("admin"),
        csrf: ctx.csrf_token().to_owned(),
        accounts,
        plans: state.config.plans.keys().cloned().collect(),
        notice,
        error,
    };
    ctx.render(status, &page)
}
