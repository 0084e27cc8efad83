//! `GET /docs`: the interactive documentation, rendered on the server from the same
//! declarations as the OpenAPI document. It reads completely without JavaScript;
//! `static/docs.js` adds Authorize, Test and Execute.

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::catalog::{Body, Endpoint, Group};
use super::components::problem_example;
use super::openapi::{code_example, json_example, signed_example};
use super::params::{self, Control};
use super::responses;
use crate::qr::design::DESIGN_SPECS;
use crate::qr::payload::{ParamSpec, QrType};
use crate::state::AppState;
use crate::web::{Nav, PageContext, PageError, SiteOrigin};

#[derive(Template)]
#[template(path = "docs/index.html")]
struct DocsPage {
    nav: Nav,
    groups: Vec<GroupView>,
    design_rows: Vec<ParamRow>,
    trial: TrialView,
    problem_example: String,
}

struct TrialView {
    quota: u64,
    days: u32,
    rate: u32,
    burst: u32,
}

struct GroupView {
    id: &'static str,
    title: &'static str,
    summary: &'static str,
    operations: Vec<OperationView>,
}

struct OperationView {
    id: String,
    method: &'static str,
    path: String,
    title: &'static str,
    summary: &'static str,
    rows: Vec<ParamRow>,
    fields: Vec<Field>,
    design_fields: Vec<Field>,
    /// `none`, `json` or `file`.
    body: &'static str,
    json_example: String,
    needs_key: bool,
    answers_image: bool,
    /// Offers "Get a signed URL" for the executed request.
    can_be_signed: bool,
    answers: Vec<AnswerRow>,
    curl: String,
}

struct ParamRow {
    name: &'static str,
    /// Pictures of the values, for shape parameters.
    pictures: Vec<super::shapes::Picture>,
    required: bool,
    kind: String,
    default: String,
    description: &'static str,
    example: &'static str,
}

struct AnswerRow {
    status: &'static str,
    description: &'static str,
}

/// One form control of the Test form.
struct Field {
    id: String,
    name: &'static str,
    /// `query` or `path`.
    location: &'static str,
    control: Control,
    choices: Vec<Choice>,
    value: &'static str,
    /// The default, shown while the field is empty.
    placeholder: String,
    required: bool,
    hint: String,
}

struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

pub async fn show(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    // From `server.public_url`, or headers only a trusted proxy may set (see `SiteOrigin`).
    let origin = SiteOrigin::of_request(&req, &state).to_string();
    let trial = state.config.trial();
    let page = DocsPage {
        nav: ctx.nav("docs"),
        groups: Group::ALL
            .into_iter()
            .map(|group| group_view(group, &origin))
            .collect(),
        design_rows: DESIGN_SPECS.iter().map(param_row).collect(),
        trial: TrialView {
            quota: trial.quota,
            days: trial.period_days,
            rate: trial.rate_per_second,
            burst: trial.burst,
        },
        problem_example: serde_json::to_string_pretty(&problem_example()).unwrap_or_default(),
    };
    ctx.render(StatusCode::OK, &page)
}

fn group_view(group: Group, origin: &str) -> GroupView {
    GroupView {
        id: group.id(),
        title: group.title(),
        summary: group.summary(),
        operations: Endpoint::all()
            .into_iter()
            .filter(|e| e.group() == group)
            .map(|endpoint| operation_view(endpoint, origin))
            .collect(),
    }
}

fn operation_view(endpoint: Endpoint, origin: &str) -> OperationView {
    let id = endpoint.id();
    let fields = endpoint
        .params()
        .iter()
        .map(|spec| field(&id, spec, endpoint.location(spec), spec.example))
        .collect();
    let design_fields = if endpoint.takes_design() {
        // Design fields start empty: the defaults apply until a value is chosen.
        DESIGN_SPECS
            .iter()
            .map(|spec| field(&id, spec, "query", ""))
            .collect()
    } else {
        Vec::new()
    };
    OperationView {
        method: endpoint.method().as_str(),
        path: endpoint.path(),
        title: endpoint.title(),
        summary: endpoint.summary(),
        rows: endpoint.params().iter().map(param_row).collect(),
        fields,
        design_fields,
        body: match endpoint.body() {
            Body::None => "none",
            Body::QrJson | Body::CodeCreate | Body::CodeEdit | Body::SignedUrl | Body::Batch => {
                "json"
            }
            Body::Logo => "file",
        },
        json_example: match endpoint.body() {
            // The page's JSON example is the Website URL one; the OpenAPI document has all.
            Body::QrJson => {
                serde_json::to_string_pretty(&json_example(QrType::Url)).unwrap_or_default()
            }
            body @ (Body::CodeCreate | Body::CodeEdit) => {
                serde_json::to_string_pretty(&code_example(body)).unwrap_or_default()
            }
            Body::SignedUrl => {
                serde_json::to_string_pretty(&signed_example(QrType::Url, Some(86_400)))
                    .unwrap_or_default()
            }
            Body::Batch => {
                serde_json::to_string_pretty(&super::batches::json_example()).unwrap_or_default()
            }
            _ => String::new(),
        },
        can_be_signed: endpoint.can_be_signed(),
        needs_key: endpoint.needs_key(),
        answers_image: endpoint.answers_image(),
        answers: responses::answers(endpoint)
            .into_iter()
            .map(|(status, doc)| AnswerRow {
                status,
                description: doc.description,
            })
            .collect(),
        curl: super::curl::example(endpoint, origin),
        id,
    }
}

fn param_row(spec: &ParamSpec) -> ParamRow {
    ParamRow {
        name: spec.name,
        pictures: super::shapes::gallery(spec),
        required: spec.required,
        kind: params::kind_text(spec),
        default: spec.default.unwrap_or("").to_owned(),
        description: spec.description,
        example: spec.example,
    }
}

fn field(op: &str, spec: &ParamSpec, location: &'static str, value: &'static str) -> Field {
    let control = params::control(spec);
    let default_label = match spec.default {
        Some(default) => format!("default ({default})"),
        None => "not set".to_owned(),
    };
    let mut choices = Vec::new();
    if control.element == "select" {
        if !spec.required {
            choices.push(Choice {
                value: "",
                label: default_label,
                selected: value.is_empty(),
            });
        }
        choices.extend(control.options.iter().map(|option| Choice {
            value: option,
            label: (*option).to_owned(),
            selected: *option == value,
        }));
    }
    Field {
        id: format!("{op}-{}", spec.name),
        name: spec.name,
        location,
        control,
        choices,
        value,
        placeholder: spec.default.unwrap_or("").to_owned(),
        required: spec.required,
        hint: params::kind_text(spec),
    }
}
