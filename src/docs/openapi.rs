//! `GET /openapi.json`: an OpenAPI 3.1 document built from the declarations — the
//! operation catalogue, the QR types' and the design parameter tables, and the response
//! table. Nothing in it is written by hand twice. The paths are built here; the reusable
//! schemas and headers in `components`.

use serde_json::{Map, Value, json};

use super::catalog::{Body, Endpoint, Group};
use super::components;
use super::params;
use super::responses::{self, Content, ResponseDoc};
use crate::qr::design::DESIGN_SPECS;
use crate::qr::payload::{ParamSpec, QrType};

/// A small self-contained SVG that the logo upload accepts; the upload's example.
pub const LOGO_EXAMPLE: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16" width="64" height="64"><rect width="16" height="16" rx="3" fill="#1d4ed8"/><path d="M4 8h8M8 4v8" stroke="#ffffff" stroke-width="2"/></svg>"##;

const KEY_SCHEMES: [&str; 3] = ["ApiKeyHeader", "BearerKey", "ApiKeyQuery"];

pub fn document() -> Value {
    json!({
        "openapi": "3.1.1",
        "info": {
            "title": "qrgate API",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "QR codes as PNG or SVG, for nine kinds of content, from a server you run.",
            "description": INFO,
            "license": { "name": "MIT", "identifier": "MIT" },
        },
        // The handler puts the site's absolute origin here (`SiteOrigin`).
        "servers": [{ "url": "/", "description": "This server" }],
        "tags": Group::ALL.iter().map(|g| json!({ "name": g.title(), "description": g.summary() })).collect::<Vec<_>>(),
        "security": KEY_SCHEMES.iter().map(|s| json!({ *s: [] })).collect::<Vec<_>>(),
        "paths": paths(),
        "components": {
            "securitySchemes": components::security_schemes(),
            "parameters": design_parameters(),
            "headers": components::headers(),
            "responses": responses::ALL.iter().map(|r| (r.name.to_owned(), response(r))).collect::<Map<_, _>>(),
            "schemas": components::schemas(),
        },
    })
}

const INFO: &str = "Send your API key as `X-API-Key`, as `Authorization: Bearer`, or as the `api_key` query parameter (so a request URL pastes into a browser tab). \
A request without a valid key, or whose trial, plan or quota has run out, gets the requested code with a PREVIEW watermark that does not scan, \
with status 401, 402 or 403 and `X-QR-Preview` naming the reason; a preview is at most 512 px wide (a larger `size` is drawn at 512), in the requested format. \
Each successful image counts 1 against the quota; errors, previews and 304s do not. \
Every error is `application/problem+json` (RFC 9457) naming the offending parameter.";

fn paths() -> Map<String, Value> {
    let mut paths = Map::new();
    for endpoint in Endpoint::all() {
        let item = paths.entry(endpoint.path()).or_insert_with(|| json!({}));
        item[endpoint.method().lower()] = operation(endpoint);
    }
    paths
}

fn operation(endpoint: Endpoint) -> Value {
    let mut parameters: Vec<Value> = endpoint
        .params()
        .iter()
        .map(|spec| parameter(spec, endpoint.location(spec)))
        .collect();
    if endpoint.takes_design() {
        parameters.extend(DESIGN_SPECS.iter().map(
            |spec| json!({ "$ref": format!("#/components/parameters/design.{}", spec.name) }),
        ));
    }
    if endpoint.answers_image() {
        parameters.push(json!({
            "name": "If-None-Match",
            "in": "header",
            "required": false,
            "description": "The ETag of the image you have; if it is still current the answer is 304, which is not counted.",
            "schema": { "type": "string" },
        }));
    }
    let mut op = json!({
        "operationId": endpoint.id(),
        "tags": [endpoint.group().title()],
        "summary": endpoint.title(),
        "description": endpoint.summary(),
        "responses": endpoint_responses(endpoint),
    });
    if !parameters.is_empty() {
        op["parameters"] = Value::Array(parameters);
    }
    if let Some(body) = request_body(endpoint.body()) {
        op["requestBody"] = body;
    }
    if !endpoint.needs_key() {
        op["security"] = json!([]);
    }
    op
}

fn parameter(spec: &ParamSpec, location: &str) -> Value {
    let mut value = json!({
        "name": spec.name,
        "in": location,
        "required": spec.required || location == "path",
        "description": spec.description,
        "schema": params::schema(spec),
    });
    if !spec.example.is_empty() {
        value["example"] = params::typed(spec, spec.example);
    }
    value
}

fn design_parameters() -> Map<String, Value> {
    DESIGN_SPECS
        .iter()
        .map(|spec| (format!("design.{}", spec.name), parameter(spec, "query")))
        .collect()
}

fn endpoint_responses(endpoint: Endpoint) -> Map<String, Value> {
    let mut map: Map<String, Value> = responses::answers(endpoint)
        .into_iter()
        .map(|(status, doc)| {
            (
                status.to_owned(),
                json!({ "$ref": format!("#/components/responses/{}", doc.name) }),
            )
        })
        .collect();
    if !endpoint.links().is_empty() {
        // A link is not allowed beside a $ref, so a linking 201 is written out.
        let (status, doc) = responses::answers(endpoint)[0];
        let mut created = response(doc);
        created["links"] = endpoint
            .links()
            .iter()
            .map(|(name, target, description)| {
                let link = json!({
                    "operationId": target.id(),
                    "parameters": { "id": "$response.body#/id" },
                    "description": description,
                });
                (name.to_string(), link)
            })
            .collect::<Map<_, _>>()
            .into();
        map.insert(status.into(), created);
    }
    if endpoint == Endpoint::SignedUrlCreate {
        let mut signed = response(&responses::SIGNED_URL);
        signed["links"] = json!({
            "FetchThisUrl": {
                "operationId": Endpoint::SignedUrlFetch.id(),
                "parameters": { "token": "$response.body#/token" },
                "description": "The token in the answer is the signed URL's path parameter.",
            }
        });
        map.insert("200".into(), signed);
    }
    map
}

fn response(doc: &ResponseDoc) -> Value {
    let mut value = json!({ "description": doc.description });
    if !doc.headers.is_empty() {
        value["headers"] = doc
            .headers
            .iter()
            .map(|h| {
                (
                    h.to_string(),
                    json!({ "$ref": format!("#/components/headers/{h}") }),
                )
            })
            .collect::<Map<_, _>>()
            .into();
    }
    let content = match doc.content {
        Content::Image => json!({
            "image/png": { "schema": { "type": "string", "contentMediaType": "image/png" } },
            "image/svg+xml": { "schema": { "type": "string", "contentMediaType": "image/svg+xml" } },
        }),
        Content::Problem => json!({
            "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } },
        }),
        Content::Json(schema) => json!({
            "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } },
        }),
        Content::JsonOrCsv(schema) => json!({
            "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } },
            "text/csv": { "schema": { "type": "string", "contentMediaType": "text/csv" } },
        }),
        Content::Zip => json!({
            "application/zip": { "schema": { "type": "string", "contentMediaType": "application/zip" } },
        }),
        Content::Empty => return value,
    };
    value["content"] = content;
    value
}

fn request_body(body: Body) -> Option<Value> {
    match body {
        Body::None => None,
        Body::QrJson => Some(json!({
            "required": true,
            "description": "The type, its content parameters as `data` and the design parameters as `design`; the same names as the GET operations. At most 64 KiB.",
            "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/QrRequest" },
                "examples": QrType::ALL.iter().map(|kind| {
                    (kind.as_str().to_owned(), json!({ "summary": kind.title(), "value": json_example(*kind) }))
                }).collect::<Map<_, _>>(),
            }},
        })),
        Body::CodeCreate => Some(json!({
            "required": true,
            "description": "The target, and optionally a name, a slug and the design parameters of the code's image. At most 16 KiB.",
            "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/CodeRequest" },
                "examples": { "menu": { "summary": "A menu that changes with the seasons", "value": code_example(body) } },
            }},
        })),
        Body::CodeEdit => Some(json!({
            "required": true,
            "description": "The fields to change: target, name and paused; at least one.",
            "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/CodeEdit" },
                "examples": { "retarget": { "summary": "Send scans to the winter menu", "value": code_example(body) } },
            }},
        })),
        Body::SignedUrl => Some(json!({
            "required": true,
            "description": "The QR request as POST /api/v1/qr takes it, and expires_in. At most 64 KiB, and the signed URL must fit in 8 KiB.",
            "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/SignedUrlRequest" },
                "examples": {
                    "url-for-a-day": { "summary": "A website code that works for a day", "value": signed_example(QrType::Url, Some(86_400)) },
                    "wifi-forever": { "summary": "A Wi-Fi code that does not expire", "value": signed_example(QrType::Wifi, None) },
                },
            }},
        })),
        Body::Logo => Some(json!({
            "required": true,
            "description": "The image file itself: PNG, JPEG or SVG, at most 256 KiB and 1024×1024 pixels. An SVG may not refer to anything outside itself.",
            "content": {
                "image/png": { "schema": { "type": "string", "contentMediaType": "image/png" } },
                "image/jpeg": { "schema": { "type": "string", "contentMediaType": "image/jpeg" } },
                "image/svg+xml": { "schema": { "type": "string" }, "example": LOGO_EXAMPLE },
            },
        })),
        Body::Batch => Some(super::batches::request_body()),
    }
}

/// The example body of a dynamic-code request.
pub fn code_example(body: Body) -> Value {
    match body {
        Body::CodeEdit => json!({ "target": "https://example.org/menu/winter", "paused": false }),
        _ => json!({
            "target": "https://example.org/menu",
            "name": "Restaurant menu",
            "design": { "size": 600, "ecc": "Q" },
        }),
    }
}

/// The signing request for one type: its JSON body and `expires_in`.
pub fn signed_example(kind: QrType, expires_in: Option<u32>) -> Value {
    let mut example = json_example(kind);
    example["expires_in"] = json!(expires_in);
    example
}

/// The JSON body for one type, from the declared examples.
pub fn json_example(kind: QrType) -> Value {
    let values = |specs: &[ParamSpec]| -> Map<String, Value> {
        specs
            .iter()
            .filter(|spec| !spec.example.is_empty())
            .map(|spec| (spec.name.to_owned(), params::typed(spec, spec.example)))
            .collect()
    };
    json!({ "type": kind.as_str(), "data": values(kind.params()), "design": values(DESIGN_SPECS) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_its_own_path_with_its_content_and_the_design_parameters() {
        let doc = document();
        for kind in QrType::ALL {
            let op = &doc["paths"][format!("/api/v1/qr/{}", kind.as_str())]["get"];
            let names: Vec<&str> = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|p| p["name"].as_str())
                .collect();
            for spec in kind.params() {
                assert!(names.contains(&spec.name), "{}", spec.name);
            }
            let refs = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p.get("$ref").is_some());
            assert_eq!(refs.count(), DESIGN_SPECS.len());
        }
    }

    #[test]
    fn every_reference_points_at_a_component() {
        let doc = document();
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(refs.len() > 50);
        for target in refs {
            let pointer = target.strip_prefix('#').expect("local reference");
            assert!(doc.pointer(pointer).is_some(), "{target}");
        }
    }

    fn collect_refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    out.push(target.clone());
                }
                map.values().for_each(|v| collect_refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn json_examples_use_typed_values() {
        let example = json_example(QrType::Geo);
        assert_eq!(example["data"]["lat"], json!(48.8584));
        assert_eq!(example["design"]["size"], json!(512));
        assert!(example["design"].get("logo").is_none());
    }
}
