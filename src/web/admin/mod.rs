//! `/admin`: totals per plan and the busiest accounts this period, then the accounts 50 a
//! page, searched by email prefix, filtered by plan and status, in four orders, each page
//! a cursor into the order's index so that it costs the same at any number of accounts.
//! Admins grant or extend plans and disable or re-enable accounts; the forms answer with
//! the page they were sent from. Open to accounts with the admin role only; changes take
//! effect at once, without a restart.

mod summary;
mod view;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::PageContext;
use super::forms::{self, has_csrf};
use super::{Nav, PageError};
use crate::clock;
use crate::domain::{Account, Email, Role};
use crate::gate::standing::Standing;
use crate::state::{AppState, blocking};
use crate::store::{ListRequest, ListedPage};
use summary::Summary;
pub use summary::SummaryCache;
use view::{AdminView, ORDERS, STATUSES};

/// Accounts per page.
const PAGE_SIZE: usize = 50;
/// Most accounts one page looks at to fill itself when filters leave few; the next page
/// goes on from there.
const SCAN_BUDGET: usize = 1_000;

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
    /// `None` while the first count is still running.
    summary: Option<Arc<Summary>>,
    summary_time: String,
    view: AdminView,
    /// The filters' values ("" for any), for the search form's selects.
    selected_plan: String,
    selected_status: &'static str,
    statuses: Vec<(&'static str, &'static str)>,
    orders: Vec<(&'static str, &'static str)>,
    /// Where the forms post to: their action with this page's query.
    grant_action: String,
    status_action: String,
    next_url: Option<String>,
    /// Set when this is not the first page.
    first_url: Option<String>,
    /// Why the page has fewer rows than it could, if it says anything.
    page_note: Option<String>,
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
    let (view, problem) = AdminView::parse(req.query_string(), &state.config);
    let status = match problem {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    render(&ctx, &state, &view, None, problem, status).await
}

pub async fn grant(
    req: HttpRequest,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let form: GrantForm = forms::parse(&req, &state, body).await?;
    let ctx = PageContext::load(&req, &state).await?;
    let admin_email = ctx.admin()?.email.clone();
    let (view, _) = AdminView::parse(req.query_string(), &state.config);
    let forms = Email::lookup_forms(&form.email);
    if forms.is_empty() {
        return refuse(&ctx, &state, &view, "Enter the account's email.").await;
    }
    let Some(plan) = state.config.plan(&form.plan).cloned() else {
        let message = format!("There is no plan named `{}`.", form.plan);
        return refuse(&ctx, &state, &view, message).await;
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
            state.admin_summary.outdate();
            let notice = format!(
                "{} is on the {} plan until {}. Its existing key works again.",
                Email::shown(&account.email),
                form.plan,
                clock::human(account.period.end)
            );
            render(&ctx, &state, &view, Some(notice), None, StatusCode::OK).await
        }
        None => no_such_account(&ctx, &state, &view, &form.email).await,
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
    let (view, _) = AdminView::parse(req.query_string(), &state.config);
    let disabled = match form.action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => {
            return refuse(&ctx, &state, &view, "Choose disable or enable.").await;
        }
    };
    let forms = Email::lookup_forms(&form.email);
    if forms.is_empty() {
        return refuse(&ctx, &state, &view, "Enter the account's email.").await;
    }
    if disabled && forms.iter().any(|email| email.as_str() == admin.email) {
        let message = "You cannot disable your own account.".to_owned();
        return refuse(&ctx, &state, &view, message).await;
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
            state.admin_summary.outdate();
            let verb = if disabled {
                "disabled"
            } else {
                "enabled again"
            };
            let notice = format!("{} is {verb}.", Email::shown(&account.email));
            render(&ctx, &state, &view, Some(notice), None, StatusCode::OK).await
        }
        None => no_such_account(&ctx, &state, &view, &form.email).await,
    }
}

/// The page again with `message` on it, for a form that cannot be done as sent.
async fn refuse(
    ctx: &PageContext,
    state: &Data<AppState>,
    view: &AdminView,
    message: impl Into<String>,
) -> Result<HttpResponse, PageError> {
    render(
        ctx,
        state,
        view,
        None,
        Some(message.into()),
        StatusCode::BAD_REQUEST,
    )
    .await
}

async fn no_such_account(
    ctx: &PageContext,
    state: &Data<AppState>,
    view: &AdminView,
    typed: &str,
) -> Result<HttpResponse, PageError> {
    let message = format!(
        "There is no account with the email {}.",
        Email::shown(typed.trim())
    );
    render(ctx, state, view, None, Some(message), StatusCode::NOT_FOUND).await
}

async fn render(
    ctx: &PageContext,
    state: &Data<AppState>,
    view: &AdminView,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let summary = SummaryCache::get(state).await?;
    let listed = list(state, view).await?;
    let next_url = listed
        .next
        .as_ref()
        .map(|next| view.url("/admin", Some(next)));
    let page_note = match (listed.rows.len(), &listed.next) {
        (n, Some(_)) if n < PAGE_SIZE => Some(format!(
            "Looked through {} accounts for this page; Next goes on looking.",
            listed.examined
        )),
        (0, None) if view.is_filtered() => Some("No accounts match.".to_owned()),
        _ => None,
    };
    let now = state.clock.now();
    let accounts = listed
        .rows
        .into_iter()
        .map(|(account, stored)| row(state, account, stored, now))
        .collect();
    let page = AdminPage {
        nav: ctx.nav("admin"),
        csrf: ctx.csrf_token().to_owned(),
        accounts,
        plans: state.config.plans.keys().cloned().collect(),
        notice,
        error,
        summary_time: summary
            .as_ref()
            .map(|s| clock::human(s.counted_at))
            .unwrap_or_default(),
        summary,
        selected_plan: view.plan.clone().unwrap_or_default(),
        selected_status: view.status.map_or("", |s| s.as_str()),
        statuses: STATUSES.iter().map(|s| (s.as_str(), s.label())).collect(),
        orders: ORDERS
            .iter()
            .map(|(name, label, _)| (*name, *label))
            .collect(),
        grant_action: view.url("/admin/grant", view.after.as_ref()),
        status_action: view.url("/admin/status", view.after.as_ref()),
        next_url,
        first_url: view.after.is_some().then(|| view.url("/admin", None)),
        page_note,
        view: view.clone(),
    };
    ctx.render(status, &page)
}

/// This view's page of accounts, read from the store off the executor.
async fn list(state: &AppState, view: &AdminView) -> Result<ListedPage, PageError> {
    let (store, meter, config) = (
        state.store.clone(),
        state.meter.clone(),
        state.config.clone(),
    );
    let (view, now) = (view.clone(), state.clock.now());
    let listed = blocking(move || {
        let request = ListRequest {
            order: view.order,
            email_prefix: &view.search,
            after: view.after.clone(),
            limit: PAGE_SIZE,
            budget: SCAN_BUDGET,
        };
        let keep = |account: &Account, stored: u64| {
            let plan_matches = view.plan.as_ref().is_none_or(|p| *p == account.period.plan);
            plan_matches
                && view.status.is_none_or(|status| {
                    let used = meter
                        .peek(account.id, account.period.start)
                        .unwrap_or(stored);
                    Standing::of(account, &config, used, now).status == status
                })
        };
        Ok(store.list_accounts(&request, keep)?)
    })
    .await?;
    Ok(listed)
}

fn row(state: &AppState, account: Account, stored: u64, now: i64) -> AccountRow {
    // The meter holds what is not flushed yet.
    let used = state
        .meter
        .peek(account.id, account.period.start)
        .unwrap_or(stored);
    let standing = Standing::of(&account, &state.config, used, now);
    AccountRow {
        usage: if standing.is_unlimited() {
            format!("{used} / unlimited")
        } else {
            format!("{used} / {}", standing.quota)
        },
        shown_email: Email::shown(&account.email),
        email: account.email,
        is_admin: account.role == Role::Admin,
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
}
