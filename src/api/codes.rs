//! `/api/v1/codes`: dynamic codes by API key. `POST` creates, `GET` lists (newest first,
//! by cursor), `GET/PATCH/DELETE /{id}` read, edit and delete one, and
//! `GET /{id}/scans` reports the scans (JSON, or CSV with `format=csv`). None of these
//! counts against the quota: only rendering the code's image (`image_url`, the QR
//! endpoint) does. A code of another account is a 404, exactly like a missing one.

use std::collections::BTreeMap;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use super::code_ops::{self, CodeEdit, CodeFailure, CodeInput};
use super::params::{self, Pairs};
use super::{Problem, body};
use crate::domain::{AccountStatus, Permission};
use crate::gate::limits::Decision;
use crate::gate::{KeyCheck, KeyHolder, rate};
use crate::links::code::parse_id;
use crate::links::report::Report;
use crate::links::stats::{Group, date};
use crate::links::{DynamicCode, csv};
use crate::state::AppState;

/// Bodies are a target, a name, a slug and a design: 16 KiB is plenty.
const MAX_BODY_BYTES: usize = 16 * 1024;
const DEFAULT_PAGE: usize = 20;
const MAX_PAGE: usize = 100;

pub async fn create(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = caller(&req, &state, Access::Create).await?;
    let answer = async {
        let body = body::read_capped(payload, MAX_BODY_BYTES, "JSON body").await?;
        let input = create_input(&body)?;
        let code = code_ops::create(&state, &holder.account, input)
            .await
            .map_err(problem)?;
        Ok(HttpResponse::Created()
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(code_json(&state, &code)))
    };
    rate::stamp(answer.await, &decision)
}

pub async fn list(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, Problem> {
    let (holder, decision) = caller(&req, &state, Access::Read).await?;
    let answer = async {
        let pairs = params::from_query(req.query_string())?;
        only(&pairs, &["limit", "cursor", "api_key"])?;
        let limit = match last(&pairs, "limit") {
            None => DEFAULT_PAGE,
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    invalid(
                        "limit",
                        format!("`limit` must be a whole number from 1 to {MAX_PAGE}"),
                    )
                })?,
        };
        let before = match last(&pairs, "cursor") {
            None => None,
            Some(raw) => Some(
                raw.strip_prefix('c')
                    .filter(|d| {
                        (1..=20).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit())
                    })
                    .and_then(|d| d.parse::<u64>().ok())
                    .ok_or_else(|| {
                        invalid(
                            "cursor",
                            "`cursor` must be a next_cursor value from an earlier page",
                        )
                    })?,
            ),
        };
        let (codes, next) = code_ops::page(&state, holder.account.id, before, limit)
            .await
            .map_err(problem)?;
        let codes: Vec<Value> = codes.iter().map(|c| code_json(&state, c)).collect();
        Ok(HttpResponse::Ok()
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(json!({ "codes": codes, "next_cursor": next.map(|seq| format!("c{seq}")) })))
    };
    rate::stamp(answer.await, &decision)
}

pub async fn show(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = caller(&req, &state, Access::Read).await?;
    let answer = async {
        let code = owned(&state, &holder, &id).await?;
        Ok(HttpResponse::Ok()
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(code_json(&state, &code)))
    };
    rate::stamp(answer.await, &decision)
}

pub async fn update(
    req: HttpRequest,
    id: Path<String>,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = caller(&req, &state, Access::Change).await?;
    let answer = async {
        let code_id = parse_id(&id).ok_or_else(not_found)?;
        let body = body::read_capped(payload, MAX_BODY_BYTES, "JSON body").await?;
        let edit = edit_input(&body)?;
        let code = code_ops::update(&state, &holder.account, code_id, edit)
            .await
            .map_err(problem)?;
        Ok(HttpResponse::Ok()
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(code_json(&state, &code)))
    };
    rate::stamp(answer.await, &decision)
}

pub async fn delete(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = caller(&req, &state, Access::Change).await?;
    let answer = async {
        let code_id = parse_id(&id).ok_or_else(not_found)?;
        code_ops::delete(&state, holder.account.id, code_id)
            .await
            .map_err(problem)?;
        Ok(HttpResponse::NoContent().finish())
    };
    rate::stamp(answer.await, &decision)
}

pub async fn scans(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = caller(&req, &state, Access::Read).await?;
    let answer = async {
        let code = owned(&state, &holder, &id).await?;
        let pairs = params::from_query(req.query_string())?;
        only(&pairs, &["from", "to", "group", "format", "api_key"])?;
        let group = match last(&pairs, "group") {
            None => Group::Day,
            Some(raw) => Group::parse(raw).ok_or_else(|| {
                invalid(
                    "group",
                    format!("`group` must be one of {}", Group::NAMES.join(", ")),
                )
            })?,
        };
        let csv = match last(&pairs, "format") {
            None | Some("json") => false,
            Some("csv") => true,
            Some(_) => return Err(invalid("format", "`format` must be json or csv")),
        };
        let range = code_ops::range(&state, group, last(&pairs, "from"), last(&pairs, "to"))
            .map_err(problem)?;
        let report = code_ops::report(&state, code.id, group, range)
            .await
            .map_err(problem)?;
        Ok(if csv {
            csv_response(&code, &report)
        } else {
            HttpResponse::Ok()
                .insert_header((CACHE_CONTROL, "no-store"))
                .json(report_json(&code, &report))
        })
    };
    rate::stamp(answer.await, &decision)
}

/// The report as CSV, for spreadsheets.
pub fn csv_response(code: &DynamicCode, report: &Report) -> HttpResponse {
    let (header, rows) = report.table();
    let name = format!(
        "scans-{}-{}-{}-{}.csv",
        code.slug,
        report.group.as_str(),
        date(report.range.from),
        date(report.range.to)
    );
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(csv::to_csv(&header, &rows))
}

fn report_json(code: &DynamicCode, report: &Report) -> Value {
    let rows: Vec<Value> = report
        .rows
        .iter()
        .map(|row| {
            let mut value = json!({ "key": row.key, "count": row.count });
            if let (Some(bots), Some(unique)) = (row.bots, row.unique) {
                value["bots"] = json!(bots);
                value["unique"] = json!(unique);
            }
            value
        })
        .collect();
    json!({
        "id": code.public_id(),
        "group": report.group.as_str(),
        "from": date(report.range.from),
        "to": date(report.range.to),
        "scans": report.scans,
        "bots": report.bots,
        "rows": rows,
    })
}

pub fn code_json(state: &AppState, code: &DynamicCode) -> Value {
    json!({
        "id": code.public_id(),
        "slug": code.slug,
        "short_url": code_ops::link(state, code),
        "target": code.target,
        "name": code.name,
        "paused": code.paused,
        "design": code.design,
        "created": crate::clock::rfc3339(code.created_at),
        "updated": crate::clock::rfc3339(code.updated_at),
        "image_url": code_ops::image_url(state, code, &[]),
    })
}

/// The caller's key, if it may do this: reading needs a known key of an account that is
/// not disabled (an ended plan may still read its statistics); writing needs a running
/// plan (a used-up generation quota does not matter: codes are not generations).
/// What a request does to the account's codes, which decides who may make it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// List, show, scans: any key of a live account, also after its plan ended.
    Read,
    /// Edit or delete: not for read-only keys; an owner whose plan ended may still tidy up.
    Change,
    /// Create: not for read-only keys, and only on a running plan.
    Create,
}

async fn caller(
    req: &HttpRequest,
    state: &AppState,
    access: Access,
) -> Result<(Box<KeyHolder>, Decision), Problem> {
    let check = KeyCheck::from_request(req, state).await?;
    let decision = rate::decide(req, state, &check);
    if let Some(problem) = rate::refusal(&decision) {
        return Err(problem);
    }
    let problem = check.problem();
    if let KeyCheck::Known(holder) = check {
        let allowed = match holder.standing.status {
            AccountStatus::Active | AccountStatus::OverQuota => true,
            AccountStatus::Expired => access != Access::Create,
            AccountStatus::Disabled => false,
        };
        if allowed {
            if access != Access::Read
                && let Err(problem) = holder.require(Permission::Write)
            {
                return Err(rate::stamp_problem(problem, &decision));
            }
            return Ok((holder, decision));
        }
    }
    // Every refused key has its problem; the fallback only keeps this total.
    let problem = problem.unwrap_or_else(|| {
        Problem::new(
            403,
            "forbidden",
            "Forbidden",
            "This key may not change dynamic codes.",
        )
    });
    Err(rate::stamp_problem(problem, &decision))
}

async fn owned(state: &AppState, holder: &KeyHolder, id: &str) -> Result<DynamicCode, Problem> {
    let code_id = parse_id(id).ok_or_else(not_found)?;
    code_ops::find(state, holder.account.id, code_id)
        .await
        .map_err(problem)
}

/// `{"target", "name"?, "slug"?, "design"?}`.
fn create_input(body: &[u8]) -> Result<CodeInput, Problem> {
    let mut root = object(body)?;
    let input = CodeInput {
        target: string(&mut root, "target")?
            .ok_or_else(|| invalid("target", "`target` is required"))?,
        name: string(&mut root, "name")?,
        slug: string(&mut root, "slug")?,
        design: design(&mut root)?,
    };
    no_more(&root, "target, name, slug and design")?;
    Ok(input)
}

/// `{"target"?, "name"?, "paused"?}`, at least one.
fn edit_input(body: &[u8]) -> Result<CodeEdit, Problem> {
    let mut root = object(body)?;
    let paused = match root.remove("paused") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(b),
        Some(_) => return Err(invalid("paused", "`paused` must be true or false")),
    };
    let edit = CodeEdit {
        target: string(&mut root, "target")?,
        name: string(&mut root, "name")?,
        paused,
    };
    no_more(&root, "target, name and paused")?;
    if edit.target.is_none() && edit.name.is_none() && edit.paused.is_none() {
        return Err(invalid(
            "body",
            "the body changes nothing: give target, name or paused",
        ));
    }
    Ok(edit)
}

fn object(body: &[u8]) -> Result<Map<String, Value>, Problem> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid("body", "the body must be a JSON object")),
        Err(e) => Err(invalid("body", format!("the body is not valid JSON: {e}"))),
    }
}

fn string(root: &mut Map<String, Value>, name: &str) -> Result<Option<String>, Problem> {
    match root.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(name, format!("`{name}` must be a string"))),
    }
}

fn design(root: &mut Map<String, Value>) -> Result<BTreeMap<String, String>, Problem> {
    let fields = match root.remove("design") {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(fields)) => fields,
        Some(_) => return Err(invalid("design", "`design` must be a JSON object")),
    };
    let mut design = BTreeMap::new();
    for (name, value) in fields {
        let text = match value {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => continue,
            _ => {
                let shown: String = name.chars().take(40).collect();
                return Err(invalid(
                    &format!("design.{shown}"),
                    format!("`design.{shown}` must be a string, number or boolean"),
                ));
            }
        };
        design.insert(name, text);
    }
    Ok(design)
}

fn no_more(root: &Map<String, Value>, known: &str) -> Result<(), Problem> {
    match root.keys().next() {
        Some(extra) => {
            let shown: String = extra.chars().take(40).collect();
            Err(invalid(
                &shown,
                format!("`{shown}` is not a known field; the body has {known}"),
            ))
        }
        None => Ok(()),
    }
}

/// Refuses query parameters other than `known`.
fn only(pairs: &Pairs, known: &[&str]) -> Result<(), Problem> {
    match pairs.iter().find(|(n, _)| !known.contains(&n.as_str())) {
        Some((name, _)) => {
            let shown: String = name.chars().take(40).collect();
            Err(invalid(
                &shown,
                format!("`{shown}` is not a parameter of this endpoint"),
            ))
        }
        None => Ok(()),
    }
}

fn last<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn invalid(parameter: &str, detail: impl Into<String>) -> Problem {
    Problem::new(400, "invalid-parameter", "Invalid parameter", detail).parameter(parameter)
}

fn not_found() -> Problem {
    problem(CodeFailure::NotFound)
}

fn problem(failure: CodeFailure) -> Problem {
    let detail = failure.message();
    let problem = match &failure {
        CodeFailure::Invalid { .. } => {
            Problem::new(400, "invalid-parameter", "Invalid parameter", detail)
        }
        CodeFailure::NoPublicUrl => Problem::new(
            409,
            "public-url-missing",
            "Dynamic codes are not set up",
            detail,
        ),
        CodeFailure::PlanEnded { .. } => Problem::new(402, "expired", "Payment required", detail),
        CodeFailure::Limit { limit, .. } => {
            Problem::new(409, "code-limit", "Too many dynamic codes", detail)
                .extension("limit", limit)
        }
        CodeFailure::SlugTaken(_) => Problem::new(409, "slug-taken", "Slug taken", detail),
        CodeFailure::NotFound => Problem::new(404, "no-such-code", "No such code", detail),
        CodeFailure::Internal(_) => {
            let CodeFailure::Internal(e) = failure else {
                unreachable!()
            };
            return Problem::from(e);
        }
    };
    match failure.parameter() {
        Some(parameter) => problem.parameter(parameter),
        None => problem,
    }
}
