//! `/dashboard/plans`: every configured plan with its quota, period and rate.

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::context::PageContext;
use super::{Nav, PageError};
use crate::state::AppState;

struct PlanRow {
    name: String,
    quota: String,
    period_days: u32,
    rate_per_second: u32,
    burst: u32,
    description: String,
    current: bool,
    dynamic_codes: u64,
}

#[derive(Template)]
#[template(path = "dashboard/plans.html")]
struct PlansPage {
    nav: Nav,
    plans: Vec<PlanRow>,
    signed_in: bool,
}

pub async fn show(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let current = ctx.user.as_ref().map(|u| u.account.period.plan.as_str());
    // Trial first, then by size of quota with unlimited last.
    let mut plans: Vec<_> = state.config.plans.iter().collect();
    plans.sort_by_key(|(name, plan)| {
        (
            name.as_str() != crate::config::TRIAL_PLAN,
            plan.quota == 0,
            plan.quota,
        )
    });
    let plans = plans
        .into_iter()
        .map(|(name, plan)| PlanRow {
            name: name.clone(),
            quota: if plan.quota == 0 {
                "Unlimited".to_owned()
            } else {
                plan.quota.to_string()
            },
            period_days: plan.period_days,
            rate_per_second: plan.rate_per_second,
            burst: plan.burst,
            description: plan.description.clone(),
            current: current == Some(name.as_str()),
            dynamic_codes: plan.dynamic_codes,
        })
        .collect();
    let page = PlansPage {
        nav: ctx.nav("plans"),
        plans,
        signed_in: ctx.user.is_some(),
    };
    ctx.render(StatusCode::OK, &page)
}
