//! `/dashboard/codes`: the signed-in account's dynamic codes. The list shows each code's
//! name, short link, target and a 30-day sparkline, with a form to make a new one; a
//! code's page edits its target, name and pause, deletes it (a ticked box confirms),
//! downloads its image in every format through the QR endpoint (a counted generation,
//! as with the API key) and shows its scans as server-drawn charts with CSV exports.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use super::context::{PageContext, see_other};
use super::forms::{self, has_csrf};
use super::{Nav, PageError, charts};
use crate::api::code_ops::{self, CodeEdit, CodeFailure, CodeInput};
use crate::api::{KeyHolder, serve_account};
use crate::domain::Account;
use crate::links::DynamicCode;
use crate::links::code::parse_id;
use crate::links::report::Report;
use crate::links::stats::{DayRange, Dimension, Group, date, day_of};
use crate::qr::design::DESIGN_SPECS;
use crate::qr::payload::ParamKind;
use crate::state::AppState;

/// Codes on one page of the list.
const PAGE: usize = 50;

struct Row {
    id: String,
    name: String,
    short_url: String,
    target: String,
    paused: bool,
    scans: u64,
    spark: String,
}

#[derive(Default)]
struct NewCodeFields {
    target: String,
    name: String,
    slug: String,
}

#[derive(Template)]
#[template(path = "codes/list.html")]
struct ListPage {
    nav: Nav,
    csrf: String,
    /// `server.public_url` is set: codes can be made.
    ready: bool,
    plan: String,
    limit: u64,
    rows: Vec<Row>,
    next: Option<String>,
    fields: NewCodeFields,
    notice: Option<String>,
    error: Option<String>,
}

struct Breakdown {
    id: &'static str,
    title: &'static str,
    chart: String,
    rows: Vec<(String, u64)>,
}

#[derive(Template)]
#[template(path = "codes/show.html")]
struct CodePage {
    nav: Nav,
    csrf: String,
    id: String,
    slug: String,
    name: String,
    short_url: String,
    target: String,
    paused: bool,
    created: String,
    updated: String,
    from: String,
    to: String,
    scans: u64,
    bots: u64,
    days_chart: String,
    days: Vec<(String, u64, u64, u64)>,
    breakdowns: Vec<Breakdown>,
    formats: Vec<&'static str>,
    groups: [&'static str; 8],
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf_token: String,
    /// `create` (the list's form), `edit` or `delete` (a code's page).
    #[serde(default)]
    action: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    /// A ticked checkbox sends `on`.
    #[serde(default)]
    paused: Option<String>,
    #[serde(default)]
    confirm: Option<String>,
}

has_csrf!(CodeForm);

pub async fn list(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let notice = match query(&req, "notice").as_deref() {
        Some("deleted") => {
            Some("The code was deleted. Its short link now shows that it is gone.".to_owned())
        }
        _ => None,
    };
    let before = query(&req, "cursor")
        .as_deref()
        .and_then(|c| c.strip_prefix('c'))
        .and_then(|c| c.parse().ok());
    let outcome = Outcome {
        notice,
        error: None,
    };
    render_list(
        &ctx,
        &state,
        account,
        before,
        NewCodeFields::default(),
        outcome,
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    req: HttpRequest,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let form: CodeForm = forms::parse(&req, &state, body).await?;
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let input = CodeInput {
        target: form.target.clone(),
        name: Some(form.name.clone()),
        slug: Some(form.slug.clone()),
        design: Default::default(),
    };
    match code_ops::create(&state, account, input).await {
        Ok(code) => Ok(see_other(&format!(
            "/dashboard/codes/{}?notice=created",
            code.public_id()
        ))),
        Err(failure) => {
            let (status, message) = shown(failure)?;
            let fields = NewCodeFields {
                target: form.target,
                name: form.name,
                slug: form.slug,
            };
            let outcome = Outcome {
                notice: None,
                error: Some(message),
            };
            render_list(&ctx, &state, account, None, fields, outcome, status).await
        }
    }
}

pub async fn show(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let code = owned(&state, account, &id).await?;
    let notice = match query(&req, "notice").as_deref() {
        Some("created") => Some("The code was created. Download it below, print it, and change its target here whenever you like.".to_owned()),
        Some("saved") => Some("Saved. Every scan from now on goes to the new settings.".to_owned()),
        _ => None,
    };
    render_code(
        &ctx,
        &state,
        &code,
        Outcome {
            notice,
            error: None,
        },
        StatusCode::OK,
    )
    .await
}

/// Edits or deletes the code.
pub async fn submit(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let form: CodeForm = forms::parse(&req, &state, body).await?;
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let code = owned(&state, account, &id).await?;
    let result = match form.action.as_str() {
        "delete" if form.confirm.as_deref() == Some("yes") => {
            code_ops::delete(&state, account.id, code.id)
                .await
                .map(|()| None)
        }
        "delete" => Err(CodeFailure::invalid(
            "confirm",
            "Tick the box to confirm that the code should be deleted.",
        )),
        "edit" => {
            let edit = CodeEdit {
                target: Some(form.target),
                name: Some(form.name),
                paused: Some(form.paused.is_some()),
            };
            code_ops::update(&state, account, code.id, edit)
                .await
                .map(Some)
        }
        _ => return Err(PageError::BadForm("action")),
    };
    match result {
        Ok(Some(code)) => Ok(see_other(&format!(
            "/dashboard/codes/{}?notice=saved",
            code.public_id()
        ))),
        Ok(None) => Ok(see_other("/dashboard/codes?notice=deleted")),
        Err(failure) => {
            let (status, message) = shown(failure)?;
            let outcome = Outcome {
                notice: None,
                error: Some(message),
            };
            render_code(&ctx, &state, &code, outcome, status).await
        }
    }
}

/// The scans of the last 30 days as CSV.
pub async fn csv(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let code = owned(&state, account, &id).await?;
    let group = Group::parse(query(&req, "group").as_deref().unwrap_or("day"))
        .ok_or(PageError::BadForm("group"))?;
    let range = code_ops::range(&state, group, None, None).map_err(page_error)?;
    let report = code_ops::report(&state, code.id, group, range)
        .await
        .map_err(page_error)?;
    Ok(crate::api::codes_csv(&code, &report))
}

/// The code's image in one format, as a file: a generation counted for the owner.
pub async fn download(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let code = owned(&state, account, &id).await?;
    let format = query(&req, "format").unwrap_or_else(|| "png".to_owned());
    let format = format.as_str();
    if !formats().contains(&format) {
        return Err(PageError::BadForm("format"));
    }
    let link = code_ops::link(&state, &code).ok_or(PageError::NotFound)?;
    let standing = state.standing(account).await?;
    let decision = state.limiters.check_key(&standing.plan, account.id);
    if let Some(retry) = decision.retry_after {
        return Err(PageError::TooMany(retry));
    }
    let mut pairs: Vec<(String, String)> = vec![("url".into(), link)];
    pairs.extend(
        code.design
            .iter()
            .filter(|(n, _)| !matches!(n.as_str(), "format" | "download"))
            .map(|(n, v)| (n.clone(), v.clone())),
    );
    pairs.push(("format".into(), format.to_owned()));
    pairs.push(("download".into(), "true".into()));
    // Signed in, not through the key: the key's referrer and network rules do not apply.
    let holder = KeyHolder {
        account: std::sync::Arc::new(account.clone()),
        standing,
        restricted: None,
    };
    Ok(serve_account(&req, &state, holder, "url", pairs)
        .await
        .unwrap_or_else(|problem| problem.error_response()))
}

#[derive(Default)]
struct Outcome {
    notice: Option<String>,
    error: Option<String>,
}

async fn render_list(
    ctx: &PageContext,
    state: &AppState,
    account: &Account,
    before: Option<u64>,
    fields: NewCodeFields,
    outcome: Outcome,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (codes, next) = code_ops::page(state, account.id, before, PAGE)
        .await
        .map_err(page_error)?;
    let mut rows = Vec::with_capacity(codes.len());
    for code in &codes {
        let range = last_30_days(state);
        let report = code_ops::report(state, code.id, Group::Day, range)
            .await
            .map_err(page_error)?;
        let series: Vec<u64> = report.rows.iter().map(|r| r.count).collect();
        rows.push(Row {
            id: code.public_id(),
            name: code.name.clone(),
            short_url: code_ops::link(state, code).unwrap_or_default(),
            target: code.target.clone(),
            paused: code.paused,
            scans: report.scans,
            spark: charts::sparkline(
                &series,
                120,
                24,
                &format!("Scans per day, last 30 days: {} in all", report.scans),
            ),
        });
    }
    let plan = state.config.plan(&account.period.plan);
    let page = ListPage {
        nav: ctx.nav("codes"),
        csrf: ctx.csrf_token().to_owned(),
        ready: state.config.server.public_url().is_some(),
        plan: account.period.plan.clone(),
        limit: plan.map_or(0, |p| p.dynamic_codes),
        rows,
        next: next.map(|seq| format!("c{seq}")),
        fields,
        notice: outcome.notice,
        error: outcome.error,
    };
    ctx.render(status, &page)
}

async fn render_code(
    ctx: &PageContext,
    state: &AppState,
    code: &DynamicCode,
    outcome: Outcome,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let range = last_30_days(state);
    let days = code_ops::report(state, code.id, Group::Day, range)
        .await
        .map_err(page_error)?;
    let mut breakdowns = Vec::new();
    for (dimension, title) in [
        (Dimension::Device, "Devices"),
        (Dimension::Os, "Operating systems"),
        (Dimension::Browser, "Browsers"),
        (Dimension::Language, "Languages"),
        (Dimension::Referrer, "Referring sites"),
        (Dimension::Bot, "Bots and link previews"),
    ] {
        let report = code_ops::report(state, code.id, Group::By(dimension), range)
            .await
            .map_err(page_error)?;
        breakdowns.push(breakdown(dimension, title, &report));
    }
    let series: Vec<(String, u64)> = days.rows.iter().map(|r| (r.key.clone(), r.count)).collect();
    let page = CodePage {
        nav: ctx.nav("codes"),
        csrf: ctx.csrf_token().to_owned(),
        id: code.public_id(),
        slug: code.slug.clone(),
        name: code.name.clone(),
        short_url: code_ops::link(state, code).unwrap_or_default(),
        target: code.target.clone(),
        paused: code.paused,
        created: crate::clock::human(code.created_at),
        updated: crate::clock::human(code.updated_at),
        from: date(range.from),
        to: date(range.to),
        scans: days.scans,
        bots: days.bots,
        days_chart: charts::bars(
            &series,
            &format!(
                "Scans per day from {} to {}",
                date(range.from),
                date(range.to)
            ),
        ),
        days: days
            .rows
            .iter()
            .rev()
            .map(|r| {
                (
                    r.key.clone(),
                    r.count,
                    r.bots.unwrap_or(0),
                    r.unique.unwrap_or(0),
                )
            })
            .collect(),
        breakdowns,
        formats: formats(),
        groups: Group::NAMES,
        notice: outcome.notice,
        error: outcome.error,
    };
    ctx.render(status, &page)
}

fn breakdown(dimension: Dimension, title: &'static str, report: &Report) -> Breakdown {
    let rows: Vec<(String, u64)> = report
        .rows
        .iter()
        .map(|r| (r.key.clone(), r.count))
        .collect();
    Breakdown {
        id: dimension.as_str(),
        title,
        chart: charts::breakdown(&rows, title),
        rows,
    }
}

/// The last value of a query parameter; a malformed query counts as none.
fn query(req: &HttpRequest, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .ok()?
        .into_iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

fn last_30_days(state: &AppState) -> DayRange {
    let today = day_of(state.clock.now());
    DayRange {
        from: today - 29,
        to: today,
    }
}

/// The image formats the QR endpoint offers (its `format` parameter's values).
fn formats() -> Vec<&'static str> {
    DESIGN_SPECS
        .iter()
        .find(|spec| spec.name == "format")
        .and_then(|spec| match spec.kind {
            ParamKind::Enum(values) => Some(values.to_vec()),
            _ => None,
        })
        .unwrap_or_else(|| vec!["png", "svg"])
}

async fn owned(state: &AppState, account: &Account, id: &str) -> Result<DynamicCode, PageError> {
    let code_id = parse_id(id).ok_or(PageError::NotFound)?;
    code_ops::find(state, account.id, code_id)
        .await
        .map_err(page_error)
}

/// The status and message of a form answer that shows the failure; a missing code or
/// an internal failure is an error page instead.
fn shown(failure: CodeFailure) -> Result<(StatusCode, String), PageError> {
    let status = match &failure {
        CodeFailure::Invalid { .. } => StatusCode::BAD_REQUEST,
        CodeFailure::PlanEnded { .. } => StatusCode::PAYMENT_REQUIRED,
        CodeFailure::NoPublicUrl | CodeFailure::Limit { .. } | CodeFailure::SlugTaken(_) => {
            StatusCode::CONFLICT
        }
        CodeFailure::NotFound | CodeFailure::Internal(_) => return Err(page_error(failure)),
    };
    Ok((status, failure.message()))
}

fn page_error(failure: CodeFailure) -> PageError {
    match failure {
        CodeFailure::Internal(e) => PageError::Internal(e),
        CodeFailure::NotFound => PageError::NotFound,
        _ => PageError::BadForm("code"),
    }
}
