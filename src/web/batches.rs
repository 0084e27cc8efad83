//! `/dashboard/batches`: upload a CSV with design defaults, download a template per QR
//! type or a sample, and see recent batches; `/dashboard/batches/{id}`: a batch's
//! progress bar (polled by `static/batches.js`, or a page that refreshes itself without
//! JavaScript), its row errors and the ZIP. The upload goes through the same checks and
//! admission as `POST /api/v1/batches`.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::batch_upload::{self, DESIGN_PREFIX, UploadError};
use super::context::{PageContext, see_other};
use super::forms::{self, has_csrf};
use super::{Nav, PageError};
use crate::api::batch_access::{self as api, BatchView, NotAccepted};
use crate::batches::columns;
use crate::clock;
use crate::domain::{Account, AccountStatus};
use crate::qr::design::DESIGN_SPECS;
use crate::qr::payload::{ParamKind, QrType};
use crate::state::{AppState, blocking};
use crate::store::{BatchRecord, BatchStatus, RowError};

/// Recent batches listed on the page.
const LISTED: usize = 20;

struct TemplateLink {
    kind: &'static str,
    title: &'static str,
}

/// A design default's form control, derived from the design table.
struct DesignField {
    name: String,
    label: &'static str,
    description: &'static str,
    /// `select`, `number` or `text`.
    control: &'static str,
    options: Vec<&'static str>,
    min: u32,
    max: u32,
    placeholder: &'static str,
}

struct BatchRow {
    id: String,
    created: String,
    status: &'static str,
    total: u32,
    done: u32,
    failed: u32,
    percent: u32,
}

#[derive(Template)]
#[template(path = "batches/index.html")]
struct BatchesPage {
    nav: Nav,
    csrf: String,
    error: Option<String>,
    max_items: usize,
    max_mib: usize,
    keep_hours: u32,
    file_field: &'static str,
    templates: Vec<TemplateLink>,
    design_fields: Vec<DesignField>,
    batches: Vec<BatchRow>,
}

#[derive(Template)]
#[template(path = "batches/show.html")]
struct BatchPage {
    nav: Nav,
    csrf: String,
    id: String,
    status: &'static str,
    running: bool,
    total: u32,
    processed: u32,
    done: u32,
    failed: u32,
    percent: u32,
    created: String,
    finished: Option<String>,
    expires: Option<String>,
    error: Option<String>,
    errors: Vec<RowError>,
    /// More rows failed than are listed (the manifest has them all).
    more_errors: bool,
    download: bool,
}

pub async fn show_all(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?.clone();
    render_all(&ctx, &state, &account, None, StatusCode::OK).await
}

pub async fn upload(
    req: HttpRequest,
    state: Data<AppState>,
    payload: Payload,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?.clone();
    let refuse = |status, text: String| (status, text);
    let outcome = async {
        let standing = state.standing(&account).await?;
        if standing.status != AccountStatus::Active {
            return Ok(Err(refuse(
                StatusCode::PAYMENT_REQUIRED,
                format!(
                    "Your account cannot generate codes now ({}); see the dashboard.",
                    standing.status.label()
                ),
            )));
        }
        let decision = state.limiters.check_key(&standing.plan, account.id);
        if let Some(wait) = decision.retry_after {
            return Err(PageError::TooMany(wait));
        }
        let entries = match batch_upload::read(&req, &state, payload).await {
            Ok(entries) => entries,
            Err(UploadError::Page(e)) => return Err(e),
            Err(UploadError::Message(status, text)) => return Ok(Err(refuse(status, text))),
        };
        match api::accept(&state, &account, entries).await {
            Ok(record) => Ok(Ok(record)),
            Err(NotAccepted::Failed(e)) => Err(e.into()),
            Err(NotAccepted::Refused(refused)) => Ok(Err(refuse(
                StatusCode::from_u16(api::refusal_status(&refused)).unwrap_or(StatusCode::CONFLICT),
                format!("The batch was not started: {refused}."),
            ))),
        }
    };
    match outcome.await? {
        Ok(record) => Ok(see_other(&format!("/dashboard/batches/{}", record.id))),
        Err((status, text)) => render_all(&ctx, &state, &account, Some(text), status).await,
    }
}

async fn render_all(
    ctx: &PageContext,
    state: &AppState,
    account: &Account,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (store, id) = (state.store.clone(), account.id);
    let records = blocking(move || Ok(store.batches(id)?)).await?;
    let config = &state.config.batches;
    let page = BatchesPage {
        nav: ctx.nav("batches"),
        csrf: ctx.csrf_token().to_owned(),
        error,
        max_items: config.max_items,
        max_mib: config.max_body_bytes >> 20,
        keep_hours: config.keep_hours,
        file_field: batch_upload::FILE_FIELD,
        templates: QrType::ALL
            .iter()
            .map(|kind| TemplateLink {
                kind: kind.as_str(),
                title: kind.title(),
            })
            .collect(),
        design_fields: design_fields(),
        batches: records
            .into_iter()
            .take(LISTED)
            .map(|record| {
                let record = api::live(state, account.id, record);
                BatchRow {
                    percent: percent(&record),
                    id: record.id,
                    created: clock::human(record.created_at),
                    status: record.status.as_str(),
                    total: record.total,
                    done: record.done,
                    failed: record.failed,
                }
            })
            .collect(),
    };
    ctx.render(status, &page)
}

/// Every design parameter but `download` (a ZIP is always a download), as a control.
fn design_fields() -> Vec<DesignField> {
    DESIGN_SPECS
        .iter()
        .filter(|spec| spec.name != "download")
        .map(|spec| {
            let (control, options, min, max) = match spec.kind {
                ParamKind::Enum(options) => ("select", options.to_vec(), 0, 0),
                ParamKind::Bool => ("select", vec!["true", "false"], 0, 0),
                ParamKind::Integer { min, max, .. } => ("number", Vec::new(), min, max),
                _ => ("text", Vec::new(), 0, 0),
            };
            DesignField {
                name: format!("{DESIGN_PREFIX}{}", spec.name),
                label: spec.name,
                description: spec.description,
                control,
                options,
                min,
                max,
                placeholder: spec.default.unwrap_or(""),
            }
        })
        .collect()
}

pub async fn show(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (ctx, _, record) = own_batch(&req, &state, &id).await?;
    let view = BatchView::of(record.clone(), state.config.batches.keep_hours, None);
    let page = BatchPage {
        nav: ctx.nav("batches"),
        csrf: ctx.csrf_token().to_owned(),
        running: !record.status.is_finished(),
        processed: record.done + record.failed,
        percent: percent(&record),
        download: record.status == BatchStatus::Done,
        more_errors: record.failed as usize > record.row_errors.len(),
        created: clock::human(record.created_at),
        finished: record.finished_at.map(clock::human),
        expires: record
            .finished_at
            .map(|at| clock::human(at + i64::from(state.config.batches.keep_hours) * 3600)),
        status: view.status,
        total: view.total,
        done: view.done,
        failed: view.failed,
        error: view.error,
        errors: view.errors,
        id: view.id,
    };
    ctx.render(StatusCode::OK, &page)
}

/// The batch as JSON, for the progress script.
pub async fn progress(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (_, _, record) = own_batch(&req, &state, &id).await?;
    let result = format!("/dashboard/batches/{}/result.zip", record.id);
    let view = BatchView::of(record, state.config.batches.keep_hours, Some(result));
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(view))
}

pub async fn result(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (_, account_id, record) = own_batch(&req, &state, &id).await?;
    api::zip_response(&state, account_id, &record)
        .await
        .map_err(|_| PageError::NotFound)
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf_token: String,
}

has_csrf!(DeleteForm);

/// Cancels a running batch or removes a finished one.
pub async fn delete(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let _form: DeleteForm = forms::parse(&req, &state, body).await?;
    let (_, account_id, record) = own_batch(&req, &state, &id).await?;
    let running = !record.status.is_finished();
    api::remove(&state, account_id, &record.id).await?;
    Ok(see_other(&if running {
        format!("/dashboard/batches/{}", record.id)
    } else {
        "/dashboard/batches".to_owned()
    }))
}

/// `/dashboard/batches/template/{type}.csv`: a type's columns and an example row.
pub async fn template(file: Path<String>) -> Result<HttpResponse, PageError> {
    let kind = file
        .strip_suffix(".csv")
        .and_then(QrType::parse)
        .ok_or(PageError::NotFound)?;
    Ok(csv_download(
        &format!("qrgate-{}-template.csv", kind.as_str()),
        columns::template(kind),
    ))
}

/// `/dashboard/batches/sample.csv`: a row of every type in one file.
pub async fn sample() -> HttpResponse {
    csv_download("qrgate-sample.csv", columns::sample())
}

fn csv_download(name: &str, text: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(text)
}

/// The signed-in account's batch `id` (a 404 page for any other), with the page context.
async fn own_batch(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
) -> Result<(PageContext, u64, BatchRecord), PageError> {
    let ctx = PageContext::load(req, state).await?;
    let account_id = ctx.account()?.id;
    let record = api::lookup(state, account_id, id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((ctx, account_id, record))
}

fn percent(record: &BatchRecord) -> u32 {
    let processed = u64::from(record.done + record.failed);
    (processed * 100)
        .checked_div(u64::from(record.total))
        .unwrap_or(100)
        .min(100) as u32
}
