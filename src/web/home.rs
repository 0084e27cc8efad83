//! The front page: what qrgate is, and the way in.

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::context::PageContext;
use super::{Nav, PageError};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    signed_in: bool,
    trial_quota: u64,
    trial_days: u32,
}

pub async fn show(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let trial = state.config.trial();
    let page = HomePage {
        nav: ctx.nav("home"),
        signed_in: ctx.user.is_some(),
        trial_quota: trial.quota,
        trial_days: trial.period_days,
    };
    ctx.render(StatusCode::OK, &page)
}
