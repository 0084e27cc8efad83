//! Bulk generation through the API: a CSV or JSON list in, a ZIP out. Every image in a
//! ZIP is decoded (rqrr) and compared with the payload the single-code API builds for the
//! same row; the manifest is read with an independent CSV reader; usage is read back.

use std::io::Read;
use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

use crate::decode::{rqrr_png, svg_to_png};
use crate::helpers::{Browser, TestApp};

/// A user on the pro plan (granted by the admin), with its key.
pub async fn pro_user(app: &TestApp, email: &str) -> String {
    let (_, key) = app.user_with_key(email).await;
    let response = app.admin().await.grant(email, "pro").await;
    assert!(response.status().is_success(), "{}", response.status());
    key
}

/// A request to `path` carrying the key.
pub fn keyed(method: Method, address: &str, path: &str, key: &str) -> RequestBuilder {
    Browser::plain_client()
        .request(method, format!("{address}{path}"))
        .header("X-API-Key", key)
}

/// `POST /api/v1/batches` with a CSV body (and design defaults in the query).
pub async fn post_csv(
    address: &str,
    key: &str,
    query: &str,
    csv: impl Into<reqwest::Body>,
) -> Response {
    keyed(
        Method::POST,
        address,
        &format!("/api/v1/batches?{query}"),
        key,
    )
    .header("content-type", "text/csv; charset=utf-8")
    .body(csv)
    .send()
    .await
    .unwrap()
}

pub async fn post_json(address: &str, key: &str, body: &Value) -> Response {
    let request = keyed(Method::POST, address, "/api/v1/batches", key);
    request.json(body).send().await.unwrap()
}

pub async fn get(address: &str, key: &str, path: &str) -> Response {
    keyed(Method::GET, address, path, key).send().await.unwrap()
}

pub async fn delete(address: &str, key: &str, id: &str) -> StatusCode {
    let path = format!("/api/v1/batches/{id}");
    keyed(Method::DELETE, address, &path, key)
        .send()
        .await
        .unwrap()
        .status()
}

pub async fn status(address: &str, key: &str, id: &str) -> Value {
    let response = get(address, key, &format!("/api/v1/batches/{id}")).await;
    response.json().await.unwrap()
}

/// Polls the batch's status until `until` holds (bounded), and returns that status.
pub async fn wait_for(address: &str, key: &str, id: &str, until: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let now = status(address, key, id).await;
        if until(&now) {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "the batch did not get there: {now}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The problem+json of a refusal with `status`.
pub async fn problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    response.json().await.unwrap()
}

/// The id of a batch the API accepted (202).
pub async fn accepted_id(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().expect("an id").to_owned()
}

/// `GET /api/v1/batches/{id}/result.zip`.
pub async fn result_zip(address: &str, key: &str, id: &str) -> Response {
    get(address, key, &format!("/api/v1/batches/{id}/result.zip")).await
}

/// The batch's status once it has finished.
pub async fn finished(address: &str, key: &str, id: &str) -> Value {
    wait_for(address, key, id, |s| {
        ["done", "failed", "cancelled"].contains(&s["status"].as_str().unwrap())
    })
    .await
}

/// The key's usage.
pub async fn used(address: &str, key: &str) -> u64 {
    let usage: Value = get(address, key, "/api/v1/usage")
        .await
        .json()
        .await
        .unwrap();
    usage["used"].as_u64().expect("a usage figure")
}

/// The files of a ZIP by name.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            (file.name().unwrap().into_owned(), data)
        })
        .collect()
}

/// The manifest's rows, read by the `csv` crate: (row, filename, status, error).
pub fn manifest(files: &[(String, Vec<u8>)]) -> Vec<[String; 4]> {
    let (_, data) = files
        .iter()
        .find(|(name, _)| name == "manifest.csv")
        .expect("a manifest");
    let mut reader = csv::Reader::from_reader(data.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["row", "filename", "status", "error"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            [0, 1, 2, 3].map(|i| r[i].to_owned())
        })
        .collect()
}

/// What a decoder reads from an image file of the ZIP.
pub fn decoded(name: &str, bytes: &[u8]) -> String {
    let png = if name.ends_with(".svg") {
        svg_to_png(bytes)
    } else {
        bytes.to_vec()
    };
    rqrr_png(&png).unwrap_or_else(|e| panic!("{name} does not decode: {e}"))
}

/// A CSV of `n` text rows.
fn texts(n: usize) -> String {
    let mut csv = "type,text\n".to_owned();
    for i in 0..n {
        csv.push_str(&format!("text,row {i}\n"));
    }
    csv
}

#[tokio::test]
async fn malformed_csvs_are_refused_at_their_line_quickly_and_the_server_stays_healthy() {
    let app = TestApp::spawn().await;
    let key = pro_user(&app, "hostile@example.org").await;
    let huge_field = [b"type,text\ntext,".as_slice(), &vec![b'x'; 10_000_000]].concat();
    let wide_row = format!("type,url\nurl{}\n", ",x".repeat(99_999)).into_bytes();
    let wide_header = format!("type{}\nurl\n", ",url".repeat(99_999)).into_bytes();
    let cases: Vec<(&str, Vec<u8>, u64, &str)> = vec![
        (
            "unbalanced quotes",
            b"type,text\ntext,ok\ntext,\"never closed\ntext,b\n".to_vec(),
            3,
            "never closed",
        ),
        (
            "wrong column count",
            b"type,url\nurl,a.org\nurl,b.org,extra\n".to_vec(),
            3,
            "3 fields, but the header has 2",
        ),
        (
            "invalid UTF-8",
            b"type,text\ntext,caf\xe9 latin-1\n".to_vec(),
            2,
            "not valid UTF-8",
        ),
        ("a 10 MB field", huge_field, 2, "longer than"),
        ("100,000 columns in a row", wide_row, 2, "more than"),
        ("100,000 columns in the header", wide_header, 1, "more than"),
    ];
    for (what, body, line, wanted) in cases {
        let started = Instant::now();
        let response = post_csv(&app.address, &key, "", body).await;
        let elapsed = started.elapsed();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{what}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains(&format!("line {line}:")),
            "{what}: {detail}"
        );
        assert!(detail.contains(wanted), "{what}: {detail}");
        assert_eq!(problem["line"], line, "{what}");
        assert_eq!(problem["parameter"], "body");
        assert!(elapsed < Duration::from_secs(1), "{what} took {elapsed:?}");
    }
    let health = app.browser().get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(used(&app.address, &key).await, 0, "nothing was counted");
    let response = post_csv(&app.address, &key, "", texts(2)).await;
    assert_eq!(
        response.status(),
        StatusCode::ACCEPTED,
        "a good CSV still works"
    );
}

#[tokio::test]
async fn uploads_over_the_limits_and_other_media_types_are_refused() {
    let app = TestApp::spawn_with(|config| {
        config.batches.max_items = 10;
        config.batches.max_body_bytes = 4096;
    })
    .await;
    let key = pro_user(&app, "limits@example.org").await;
    let response = post_csv(&app.address, &key, "", texts(11)).await;
    let refused = problem(response, StatusCode::BAD_REQUEST).await;
    let detail = refused["detail"].as_str().unwrap();
    assert!(detail.contains("line 12: more than 10 rows"), "{detail}");

    let big = format!(
        "type,text\n{}",
        "text,0123456789012345678901234567890123456789\n".repeat(100)
    );
    let response = post_csv(&app.address, &key, "", big).await;
    let refused = problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(refused["max_bytes"], 4096);

    let items: Vec<Value> = (0..11)
        .map(|i| json!({"type": "text", "data": {"text": i}}))
        .collect();
    let response = post_json(&app.address, &key, &json!({ "items": items })).await;
    let refused = problem(response, StatusCode::BAD_REQUEST).await;
    let detail = refused["detail"].as_str().unwrap();
    assert!(detail.contains("more than 10 items"), "{detail}");

    let response = Browser::plain_client()
        .post(format!("{}/api/v1/batches", app.address))
        .header("X-API-Key", &key)
        .header("content-type", "application/vnd.ms-excel")
        .body("type,text\ntext,a\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = post_csv(&app.address, &key, "fg=blue", texts(1)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        problem["parameter"], "fg",
        "a bad design default in the query"
    );
}

#[tokio::test]
async fn a_json_batch_takes_design_defaults_and_reports_its_bad_items() {
    let app = TestApp::spawn().await;
    let key = pro_user(&app, "json@example.org").await;
    let body = json!({
        "design": {"size": 256, "margin": 2, "module_shape": "rounded"},
        "items": [
            {"type": "url", "data": {"url": "example.org/a"}, "filename": "first"},
            {"type": "geo", "data": {"lat": 48.8584, "lng": 2.2945}, "design": {"format": "svg"}},
            {"type": "wifi", "data": {"ssid": "Home", "security": "nopass"}, "design": {"fg": "#eeeeee"}},
            {"type": "text", "data": {"text": "hi", "ssid": "x"}},
            {"type": "url", "data": {"url": "example.org/b"}, "design": {"logo": "lg_0000000000000000"}},
            {"data": {"text": "no type"}}
        ]
    });
    let id = accepted_id(post_json(&app.address, &key, &body).await).await;
    let status = finished(&app.address, &key, &id).await;
    assert_eq!(
        (status["done"].as_u64(), status["failed"].as_u64()),
        (Some(2), Some(4)),
        "{status}"
    );
    let zip = result_zip(&app.address, &key, &id).await;
    let files = unzip(&zip.bytes().await.unwrap());
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["first.png", "row-0002-geo.svg", "manifest.csv"]);
    assert_eq!(decoded("first.png", &files[0].1), "https://example.org/a");
    assert_eq!(
        decoded("row-0002-geo.svg", &files[1].1),
        "geo:48.8584,2.2945"
    );
    assert!(String::from_utf8_lossy(&files[1].1).contains("width=\"256\""));
    let errors: Vec<String> = manifest(&files).into_iter().map(|[_, _, _, e]| e).collect();
    assert!(errors[2].starts_with("fg: contrast"), "{errors:?}");
    assert!(
        errors[3].starts_with("ssid: is not a parameter of the text type"),
        "{errors:?}"
    );
    assert!(
        errors[4].starts_with("logo: this account has no logo"),
        "{errors:?}"
    );
    assert!(errors[5].starts_with("type: is required"), "{errors:?}");
    assert_eq!(used(&app.address, &key).await, 2);
}

#[tokio::test]
async fn a_batch_the_quota_cannot_cover_is_refused_with_both_numbers_and_nothing_counted() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("trial@example.org").await;
    let response = post_csv(&app.address, &key, "size=128", texts(21)).await;
    assert_eq!(response.status(), StatusCode::PAYMENT_REQUIRED);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        (problem["items"].as_u64(), problem["remaining"].as_u64()),
        (Some(21), Some(20))
    );
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("21 rows") && detail.contains("20 generations left"),
        "{detail}"
    );
    assert_eq!(used(&app.address, &key).await, 0);

    app.qr(Some(&key), "text", &[("text", "one by hand")]).await;
    let id = accepted_id(post_csv(&app.address, &key, "size=128", texts(19)).await).await;
    // While those 19 rows are outstanding, they are reserved: one more does not fit.
    let response = post_csv(&app.address, &key, "size=128", texts(1)).await;
    assert_eq!(response.status(), StatusCode::PAYMENT_REQUIRED);
    let status = finished(&app.address, &key, &id).await;
    assert_eq!(status["done"], 19);
    assert_eq!(used(&app.address, &key).await, 20);
    let response = post_csv(&app.address, &key, "size=128", texts(1)).await;
    assert_eq!(
        response.status(),
        StatusCode::PAYMENT_REQUIRED,
        "the key is over quota"
    );
}

/// A batch slow enough to catch running: styled 1024 px codes.
fn slow_batch(rows: usize) -> String {
    let mut csv = "type,url,size,module_shape,eye_shape\n".to_owned();
    for i in 0..rows {
        csv.push_str(&format!("url,example.org/slow/{i},1024,dot,rounded\n"));
    }
    csv
}

fn batch_files(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app.data_dir.join("batches"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[tokio::test]
async fn a_running_batch_has_no_result_yet_and_deleting_it_cancels_it() {
    let app = TestApp::spawn().await;
    let key = pro_user(&app, "cancel@example.org").await;
    let id = accepted_id(post_csv(&app.address, &key, "", slow_batch(2000)).await).await;
    wait_for(&app.address, &key, &id, |s| {
        s["status"] == "running" && s["done"].as_u64() > Some(0)
    })
    .await;

    let early = result_zip(&app.address, &key, &id).await;
    assert_eq!(early.status(), StatusCode::CONFLICT);
    assert_eq!(early.headers()["retry-after"], "2");
    let problem: Value = early.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("not finished yet")
    );
    assert!(
        batch_files(&app).iter().any(|f| f.ends_with(".zip.part")),
        "built under .part"
    );

    assert_eq!(
        delete(&app.address, &key, &id).await,
        StatusCode::NO_CONTENT
    );
    let status = finished(&app.address, &key, &id).await;
    assert_eq!(status["status"], "cancelled");
    let drawn = status["done"].as_u64().unwrap();
    assert!(drawn > 0 && drawn < 2000, "{status}");
    assert_eq!(
        used(&app.address, &key).await,
        drawn,
        "only the drawn rows count"
    );
    let late = result_zip(&app.address, &key, &id).await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    assert!(batch_files(&app).is_empty(), "{:?}", batch_files(&app));

    // A finished batch is removed by DELETE.
    assert_eq!(
        delete(&app.address, &key, &id).await,
        StatusCode::NO_CONTENT
    );
    let gone = get(&app.address, &key, &format!("/api/v1/batches/{id}")).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_accounts_batch_is_not_found_and_a_key_is_needed() {
    let app = TestApp::spawn().await;
    let key = pro_user(&app, "owner@example.org").await;
    let (_, other) = app.user_with_key("other@example.org").await;
    let id = accepted_id(post_csv(&app.address, &key, "size=128", texts(3)).await).await;
    finished(&app.address, &key, &id).await;
    for path in [
        format!("/api/v1/batches/{id}"),
        format!("/api/v1/batches/{id}/result.zip"),
    ] {
        let response = get(&app.address, &other, &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "urn:qrgate:problem:no-such-batch");
    }
    assert_eq!(
        delete(&app.address, &other, &id).await,
        StatusCode::NOT_FOUND
    );
    let keyless = Browser::plain_client()
        .get(format!("{}/api/v1/batches/{id}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(keyless.status(), StatusCode::UNAUTHORIZED);
    let keyless = Browser::plain_client()
        .post(format!("{}/api/v1/batches", app.address))
        .header("content-type", "text/csv")
        .body(texts(1))
        .send()
        .await
        .unwrap();
    assert_eq!(keyless.status(), StatusCode::UNAUTHORIZED);
    let own = result_zip(&app.address, &key, &id).await;
    assert_eq!(own.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_finished_batch_is_kept_for_keep_hours_then_removed_with_its_zip() {
    let app = TestApp::spawn().await;
    let key = pro_user(&app, "keep@example.org").await;
    let id = accepted_id(post_csv(&app.address, &key, "size=128", texts(2)).await).await;
    let status = finished(&app.address, &key, &id).await;
    assert_eq!(status["status"], "done");
    assert!(status["expires"].is_string());
    assert_eq!(batch_files(&app).len(), 1);
    app.clock.advance(23 * 3600);
    let kept = result_zip(&app.address, &key, &id).await;
    assert_eq!(kept.status(), StatusCode::OK);
    app.clock.advance(3600);
    let gone = result_zip(&app.address, &key, &id).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert!(batch_files(&app).is_empty());
}
