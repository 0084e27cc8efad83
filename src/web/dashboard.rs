//! `/dashboard`: plan, status, usage, period end and key status at a glance, with the
//! period's use of the quota and the last 30 days of generations drawn as SVG.

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::charts;
use super::context::PageContext;
use super::{Nav, PageError};
use crate::clock;
use crate::domain::days::{DayCount, DayRange, day_of};
use crate::gate::standing::Standing;
use crate::state::AppState;

/// Days the dashboard's chart covers.
const CHART_DAYS: i64 = 30;

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct OverviewPage {
    nav: Nav,
    standing: Standing,
    status_label: &'static str,
    period_end: String,
    key_prefix: Option<String>,
    /// The period's use of the quota (SVG, drawn and escaped by `charts`).
    quota_gauge: String,
    /// Generations per day (SVG, drawn and escaped by `charts`).
    days_chart: String,
    /// The same figures as the chart, for the table under it.
    days: Vec<DayCount>,
    days_total: u64,
}

pub async fn overview(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let standing = state.standing(account).await?;
    let now = state.clock.now();
    let days = state
        .daily(account.id, DayRange::ending(day_of(now), CHART_DAYS))
        .await?;
    let days_total = days.iter().map(|d| d.count).sum();
    let page = OverviewPage {
        nav: ctx.nav("dashboard"),
        status_label: standing.status.label(),
        period_end: clock::human(standing.period_end),
        key_prefix: account.key.as_ref().map(|k| k.prefix.clone()),
        quota_gauge: quota_gauge(&standing, now),
        days_chart: days_chart(&days, days_total),
        days,
        days_total,
        standing,
    };
    ctx.render(StatusCode::OK, &page)
}

/// Used against the quota, with a line where the period stands today, so a glance tells
/// whether the quota will last the period.
fn quota_gauge(standing: &Standing, now: i64) -> String {
    let length = (standing.period_end - standing.period_start).max(1) as f64;
    let passed = ((now - standing.period_start) as f64 / length).clamp(0.0, 1.0);
    let note = format!("{} % of the period passed", (passed * 100.0).round());
    let used = standing.used;
    let caption = if standing.is_unlimited() {
        format!("{used} generations (unlimited)")
    } else {
        let percent = (used * 100 / standing.quota).min(100);
        format!("{used} of {} used ({percent} %)", standing.quota)
    };
    charts::gauge(
        used,
        standing.quota,
        Some((passed, &note)),
        &caption,
        "Quota used this period; the line marks how much of the period has passed",
    )
}

fn days_chart(days: &[DayCount], total: u64) -> String {
    let series: Vec<(String, u64)> = days.iter().map(|d| (d.date.clone(), d.count)).collect();
    let description = match days.iter().max_by_key(|d| d.count) {
        Some(busiest) if busiest.count > 0 => format!(
            "{total} generations in the last {} days; the most, {}, on {}.",
            days.len(),
            busiest.count,
            busiest.date
        ),
        _ => format!("No generations in the last {} days.", days.len()),
    };
    charts::described_bars(
        &series,
        &format!("Generations per day, last {} days (UTC)", days.len()),
        &description,
    )
}
