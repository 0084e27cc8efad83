//! `GET /r/{slug}`: the short link of a dynamic code, the hottest path of all (every scan
//! of every printed code). The slug is looked up in memory, the scan is counted in memory
//! (flushed with the usage counts), and the answer is a `302` to the target with
//! `Cache-Control: no-store` (so the next scan comes back here and sees an edited target)
//! and `Referrer-Policy: no-referrer` (so the target does not learn the short link).
//! Paused and deleted codes get a neutral `410` page, never a redirect elsewhere; a slug
//! that was never issued gets the plain 404 page. `HEAD` answers the same, uncounted.

use actix_web::http::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, LOCATION, REFERER, USER_AGENT};
use actix_web::http::{Method, StatusCode};
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::context::html_response;
use super::{Nav, PageError};
use crate::links::tally::Scan;
use crate::links::{Decision, Owner, slug, stats, visit};
use crate::state::{AppState, blocking};

#[derive(Template)]
#[template(path = "codes/gone.html")]
struct GonePage {
    nav: Nav,
    deleted: bool,
}

pub async fn follow(
    req: HttpRequest,
    slug: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let Some(folded) = slug::fold_request(&slug) else {
        return Err(PageError::NotFound);
    };
    let now = state.clock.now();
    let grace = i64::from(state.config.dynamic.grace_days) * stats::DAY;
    let directory = &state.links.directory;
    let mut decision = directory.resolve(&folded, now, grace);
    if let Decision::Lapsed {
        account_id,
        generation,
    } = decision
        && generation != state.store.generation()
    {
        // Something was committed since the owner was read (a plan grant?): read again.
        decision = refreshed(&state, account_id, &folded, now, grace).await?;
    }
    match decision {
        Decision::Redirect { code_id, target } => {
            if req.method() != Method::HEAD {
                count(&req, &state, code_id, now);
            }
            Ok(HttpResponse::Found()
                .insert_header((LOCATION, target.as_ref()))
                .insert_header((CACHE_CONTROL, "no-store"))
                .insert_header(("referrer-policy", "no-referrer"))
                .finish())
        }
        Decision::Paused | Decision::Lapsed { .. } => gone(false),
        Decision::Gone => gone(true),
        Decision::Unknown => Err(PageError::NotFound),
    }
}

async fn refreshed(
    state: &AppState,
    account_id: u64,
    folded: &str,
    now: i64,
    grace: i64,
) -> Result<Decision, PageError> {
    let generation = state.store.generation();
    let store = state.store.clone();
    let account = blocking(move || Ok(store.account(account_id)?)).await?;
    let directory = &state.links.directory;
    directory.set_owner(account_id, Owner::of(account.as_ref(), generation));
    Ok(directory.resolve(folded, now, grace))
}

/// Counts the scan: the client's class, the referring host, the first language and a
/// keyed hash of (address, User-Agent) for unique visitors. Nothing else is kept.
fn count(req: &HttpRequest, state: &AppState, code_id: u64, now: i64) {
    let headers = req.headers();
    let text = |name| {
        headers
            .get(name)
            .map(|v: &actix_web::http::header::HeaderValue| String::from_utf8_lossy(v.as_bytes()))
    };
    let agent = text(USER_AGENT);
    let referrer = visit::referrer_host(text(REFERER).as_deref());
    let language = visit::first_language(text(ACCEPT_LANGUAGE).as_deref());
    state.links.tally.record(&Scan {
        code_id,
        at: now,
        client: state.links.agents.classify(agent.as_deref()),
        referrer: referrer.as_deref(),
        language: language.as_deref(),
        ip: state.client_ip(req),
        agent: agent.as_deref().unwrap_or(""),
    });
}

fn gone(deleted: bool) -> Result<HttpResponse, PageError> {
    let page = GonePage {
        nav: Nav::anonymous(),
        deleted,
    };
    let body = page.render().map_err(crate::error::AppError::from)?;
    let mut response = html_response(StatusCode::GONE, body);
    response.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("referrer-policy"),
        actix_web::http::header::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// Work for the flush thread after each flush: re-read the owners scanned since the last
/// run (so a disabled or deleted account's codes stop), and once a day prune statistics
/// older than `dynamic.retention_days`.
pub fn upkeep(state: &AppState, pruned_day: &mut Option<i64>) {
    if let Err(e) = state.store.refresh_owners(&state.links.directory) {
        tracing::error!(error = %e, "owners of dynamic codes could not be re-read");
    }
    let today = stats::day_of(state.clock.now());
    if *pruned_day == Some(today) {
        return;
    }
    let first_kept = today - i64::from(state.config.dynamic.retention_days) + 1;
    match state.store.prune_scans(first_kept) {
        Ok(codes) => {
            *pruned_day = Some(today);
            tracing::debug!(codes, first_kept = %stats::date(first_kept), "scan statistics pruned");
        }
        Err(e) => tracing::error!(error = %e, "old scan statistics could not be pruned"),
    }
}
