//! `/dashboard`: plan, status, usage, period end and key status at a glance.

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::context::PageContext;
use super::{Nav, PageError};
use crate::clock;
use crate::gate::standing::Standing;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct OverviewPage {
    nav: Nav,
    standing: Standing,
    status_label: &'static str,
    period_end: String,
    key_prefix: Option<String>,
    /// Percent of the quota used, for the bar (0 when unlimited).
    used_percent: u64,
}

pub async fn overview(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let standing = state.standing(account).await?;
    let used_percent = if standing.is_unlimited() {
        0
    } else {
        (standing.used * 100 / standing.quota).min(100)
    };
    let page = OverviewPage {
        nav: ctx.nav("dashboard"),
        status_label: standing.status.label(),
        period_end: clock::human(standing.period_end),
        key_prefix: account.key.as_ref().map(|k| k.prefix.clone()),
        used_percent,
        standing,
    };
    ctx.render(StatusCode::OK, &page)
}
