//! `/dashboard/batches`: the upload form (CSRF, design defaults from the design table),
//! templates and sample, the batch page with its progress bar, errors and ZIP.

use std::time::{Duration, Instant};

use qrgate::qr::design::DESIGN_SPECS;
use qrgate::qr::payload::QrType;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::batches::{decoded, manifest, unzip};
use crate::decode::png_luma;
use crate::docs::run_browser_script;
use crate::helpers::{Browser, TestApp, between};

const PAGE: &str = "/dashboard/batches";

fn form(token: &str, defaults: &[(&str, &str)], csv: &str) -> Form {
    let mut form = Form::new().text("csrf_token", token.to_owned());
    for (name, value) in defaults {
        form = form.text(format!("design_{name}"), value.to_string());
    }
    let file = Part::bytes(csv.as_bytes().to_vec())
        .file_name("codes.csv")
        .mime_str("text/csv")
        .unwrap();
    form.part("file", file)
}

async fn upload(browser: &Browser, form: Form) -> reqwest::Response {
    browser
        .client
        .post(format!("{}{PAGE}", browser.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Polls the page's progress endpoint until the batch has finished.
async fn finished(browser: &Browser, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let response = browser.get(&format!("{PAGE}/{id}/progress")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let view: Value = response.json().await.unwrap();
        if ["done", "failed", "cancelled"].contains(&view["status"].as_str().unwrap()) {
            return view;
        }
        assert!(Instant::now() < deadline, "{view}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_page_offers_an_upload_with_design_defaults_templates_and_a_sample() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.browser().get(PAGE).await.status(),
        StatusCode::SEE_OTHER
    );
    let browser = app.signed_up("page@example.org").await;
    let (status, page) = browser.page(PAGE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<form id="batch-upload" method="post" action="/dashboard/batches" enctype="multipart/form-data">"#));
    assert!(page.contains(r#"name="csrf_token""#));
    assert!(page.contains(r#"type="file""#));
    assert!(page.contains(r#"href="/dashboard/batches" aria-current="page">Batches</a>"#));
    for spec in DESIGN_SPECS.iter().filter(|s| s.name != "download") {
        assert!(
            page.contains(&format!("name=\"design_{}\"", spec.name)),
            "{}",
            spec.name
        );
    }
    assert!(page.contains(r#"<table id="batch-list">"#) && page.contains("No batches yet."));
    for kind in QrType::ALL {
        let path = format!("{PAGE}/template/{}.csv", kind.as_str());
        assert!(page.contains(&format!("href=\"{path}\"")), "{path}");
        let response = app.browser().get(&path).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let text = response.text().await.unwrap();
        let header = text.lines().next().unwrap();
        let names: Vec<&str> = kind.params().iter().map(|p| p.name).collect();
        assert_eq!(header, format!("type,{},filename", names.join(",")));
    }
    let sample = app.browser().get(&format!("{PAGE}/sample.csv")).await;
    assert_eq!(sample.status(), StatusCode::OK);
    let sample = sample.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(sample.as_bytes());
    let types: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    let all: Vec<&str> = QrType::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(types, all, "a row of every type");
    assert_eq!(
        app.browser()
            .get(&format!("{PAGE}/template/nope.csv"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_uploaded_csv_runs_with_the_chosen_defaults_and_the_page_shows_progress_errors_and_the_zip()
 {
    let app = TestApp::spawn().await;
    let browser = app.signed_up("maker@example.org").await;
    let token = browser.csrf(PAGE).await;
    let csv = "type,url,text,fg\nurl,example.org/a,,\ntext,,hello,\ntext,,,\nurl,example.org/b,,#eeeeee\n";
    let response = upload(
        &browser,
        form(
            &token,
            &[("size", "200"), ("module_shape", "dot"), ("margin", "")],
            csv,
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id = location
        .strip_prefix("/dashboard/batches/")
        .unwrap()
        .to_owned();

    let (status, page) = browser.page(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<progress id="batch-progress""#));
    assert!(page.contains(r#"<script src="/static/batches.js" defer></script>"#));
    let view = finished(&browser, &id).await;
    assert_eq!(
        (view["done"].as_u64(), view["failed"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        view["result"],
        format!("/dashboard/batches/{id}/result.zip")
    );

    let (_, page) = browser.page(&location).await;
    assert!(
        !page.contains("http-equiv=\"refresh\""),
        "a finished batch does not refresh"
    );
    assert!(page.contains(r#"id="batch-percent">100 %"#));
    let download = between(
        &page,
        r#"<a id="batch-download" class="button" href=""#,
        "\"",
    )
    .unwrap();
    let errors = between(&page, r#"<table id="batch-errors">"#, "</table>").unwrap();
    assert!(
        errors.contains("text: is required") && errors.contains("fg: contrast"),
        "{errors}"
    );

    let zip = browser.get(&download).await;
    assert_eq!(zip.status(), StatusCode::OK);
    let files = unzip(&zip.bytes().await.unwrap());
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["row-0001-url.png", "row-0002-text.png", "manifest.csv"]
    );
    assert_eq!(decoded(names[0], &files[0].1), "https://example.org/a");
    assert_eq!(png_luma(&files[1].1).0, 200, "the size default applies");
    assert_eq!(manifest(&files).len(), 4);

    let (_, list) = browser.page(PAGE).await;
    assert!(list.contains(&format!("href=\"/dashboard/batches/{id}\"")));
    let stranger = app.signed_up("stranger@example.org").await;
    assert_eq!(
        stranger.get(&location).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger.get(&download).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_running_batch_page_refreshes_itself_without_javascript() {
    let app = TestApp::spawn().await;
    let browser = app.signed_up("slow@example.org").await;
    let mut csv = "type,url\n".to_owned();
    for i in 0..20 {
        csv.push_str(&format!("url,example.org/{i}\n"));
    }
    let token = browser.csrf(PAGE).await;
    let defaults = [("size", "1024"), ("module_shape", "dot")];
    let response = upload(&browser, form(&token, &defaults, &csv)).await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, page) = browser.page(&location).await;
    assert!(page.contains(r#"<noscript><meta http-equiv="refresh" content="2"></noscript>"#));
    assert!(page.contains(r#"data-running="true""#));
    let token = between(&page, "name=\"csrf_token\" value=\"", "\"").unwrap();
    let cancel = browser
        .post_form(&format!("{location}/delete"), &[("csrf_token", &token)])
        .await;
    assert_eq!(cancel.status(), StatusCode::SEE_OTHER);
    let id = location.rsplit('/').next().unwrap();
    assert_eq!(finished(&browser, id).await["status"], "cancelled");
}

#[tokio::test]
async fn an_upload_without_its_csrf_token_or_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let browser = app.signed_up("csrf@example.org").await;
    let csv = "type,text\ntext,a\n";
    assert_eq!(
        upload(&browser, form("forged", &[], csv)).await.status(),
        StatusCode::FORBIDDEN
    );
    let no_token = Form::new().part(
        "file",
        Part::bytes(csv.as_bytes().to_vec()).file_name("a.csv"),
    );
    assert_eq!(
        upload(&browser, no_token).await.status(),
        StatusCode::FORBIDDEN
    );
    let token = browser.csrf(PAGE).await;
    let cross = browser
        .client
        .post(format!("{}{PAGE}", browser.base))
        .header("origin", "https://evil.example")
        .multipart(form(&token, &[], csv))
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let (_, page) = browser.page(PAGE).await;
    assert!(page.contains("No batches yet."), "nothing was started");
}

#[tokio::test]
async fn a_bad_upload_is_explained_above_the_form() {
    let app = TestApp::spawn().await;
    let browser = app.signed_up("oops@example.org").await;
    let over_quota = format!("type,text\n{}", "text,x\n".repeat(21));
    for (csv, defaults, status, wanted) in [
        (
            "type,url\nurl,a.org,extra\n",
            vec![],
            StatusCode::BAD_REQUEST,
            "line 2: this row has 3 fields",
        ),
        ("", vec![], StatusCode::BAD_REQUEST, "Choose a CSV file"),
        (
            "type,text\ntext,a\n",
            vec![("size", "9000")],
            StatusCode::BAD_REQUEST,
            "Design default size",
        ),
        (
            over_quota.as_str(),
            vec![],
            StatusCode::PAYMENT_REQUIRED,
            "21 rows",
        ),
    ] {
        let token = browser.csrf(PAGE).await;
        let response = upload(&browser, form(&token, &defaults, csv)).await;
        assert_eq!(response.status(), status, "{wanted}");
        let page = response.text().await.unwrap();
        assert!(page.contains("class=\"error\" role=\"alert\""), "{wanted}");
        assert!(page.contains(wanted), "{wanted}: {page}");
        assert!(
            page.contains(r#"id="batch-upload""#),
            "the form is there to try again"
        );
    }
}

#[tokio::test]
async fn the_sample_and_every_template_make_codes_as_downloaded() {
    let app = TestApp::spawn().await;
    let browser = app.signed_up("starter@example.org").await;
    let mut paths = vec![format!("{PAGE}/sample.csv")];
    paths.extend(
        QrType::ALL
            .iter()
            .map(|k| format!("{PAGE}/template/{}.csv", k.as_str())),
    );
    for path in paths {
        let csv = browser.get(&path).await.text().await.unwrap();
        let token = browser.csrf(PAGE).await;
        let response = upload(&browser, form(&token, &[], &csv)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let view = finished(&browser, location.rsplit('/').next().unwrap()).await;
        assert_eq!(view["failed"], 0, "{path}: {view}");
        assert_eq!(view["status"], "done", "{path}");
    }
}

#[tokio::test]
async fn a_person_uploads_a_csv_watches_the_bar_reach_100_and_gets_a_zip_that_decodes() {
    let app = TestApp::spawn().await;
    let saved = tempfile::tempdir().unwrap();
    let zip_path = saved.path().join("batch.zip");
    let env = [("QRGATE_DOWNLOAD", zip_path.as_os_str())];
    if run_browser_script("batches.mjs", &app.address, &env)
        .await
        .is_none()
    {
        return;
    }
    let files = unzip(&std::fs::read(&zip_path).expect("the download was saved"));
    assert_eq!(files.len(), 12 + 1, "twelve codes and the manifest");
    for (i, (name, image)) in files.iter().take(12).enumerate() {
        assert_eq!(name, &format!("row-{:04}-url.png", i + 1));
        assert_eq!(png_luma(image).0, 1024, "the size chosen on the page");
        assert_eq!(
            decoded(name, image),
            format!("https://example.org/badge/{i}")
        );
    }
    let manifest = manifest(&files);
    assert_eq!(manifest[12][2], "error");
}
