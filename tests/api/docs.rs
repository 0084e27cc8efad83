//! `/docs`: generated from the declarations, complete without JavaScript, within the
//! strict CSP; the dashboard's way in; and a real browser going through it (headless
//! Chromium driven by `tests/browser/docs.mjs`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use qrgate::qr::design::DESIGN_SPECS;
use qrgate::qr::payload::{ParamSpec, QrType};
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp};
use crate::openapi::roomy;

/// The page with its character references decoded, so that declared text can be found
/// in it as written (askama escapes `"`, `&`, `'`, `<` and `>`).
fn decoded(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&end| end <= 8);
        let entity = end.map(|end| &rest[1..end]);
        let decoded = match entity {
            Some("amp") => Some('&'),
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("quot") => Some('"'),
            Some(e) if e.starts_with('#') => e[1..].parse::<u32>().ok().and_then(char::from_u32),
            _ => None,
        };
        match (decoded, end) {
            (Some(c), Some(end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

async fn docs_page(app: &TestApp) -> String {
    let response = app.browser().get("/docs").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    decoded(&response.text().await.unwrap())
}

/// The text of the element with this id, up to its closing tag.
fn section<'a>(page: &'a str, tag: &str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<{tag} class=\"card docs-op\" id=\"{id}\""))
        .or_else(|| page.find(&format!("id=\"{id}\"")))
        .unwrap_or_else(|| panic!("#{id} is on the page"));
    let end = page[start..].find(&format!("</{tag}>")).expect("closed");
    &page[start..start + end]
}

fn assert_documents(html: &str, spec: &ParamSpec, what: &str) {
    let row = format!("<code>{}</code>", spec.name);
    assert!(html.contains(&row), "{what}: a row for {}", spec.name);
    assert!(
        html.contains(spec.description),
        "{what}: the description of {}",
        spec.name
    );
    if let Some(default) = spec.default {
        assert!(
            html.contains(&format!("<code>{default}</code>")),
            "{what}: {}'s default",
            spec.name
        );
    }
}

#[tokio::test]
async fn every_type_has_a_section_with_its_declared_parameters_and_a_form() {
    let app = TestApp::spawn().await;
    let page = docs_page(&app).await;
    for kind in QrType::ALL {
        let id = format!("qr-{}", kind.as_str());
        let html = section(&page, "article", &id);
        assert!(html.contains(kind.title()), "{id}: title");
        assert!(html.contains(kind.summary()), "{id}: what it encodes");
        assert!(html.contains(&format!("<code>/api/v1/qr/{}</code>", kind.as_str())));
        for spec in kind.params() {
            assert_documents(html, spec, &id);
            // The Test form's field, prefilled with the example.
            let field = format!("id=\"{id}-{}\" name=\"{}\"", spec.name, spec.name);
            assert!(html.contains(&field), "{id}: a field for {}", spec.name);
            assert!(
                html.contains(&format!("<label for=\"{id}-{}\">", spec.name)),
                "{id}: {} has a label",
                spec.name
            );
        }
        for spec in DESIGN_SPECS {
            assert!(
                html.contains(&format!("id=\"{id}-{}\"", spec.name)),
                "{id}: design field {}",
                spec.name
            );
        }
        for control in [
            "data-test",
            "data-execute",
            "data-out=\"url\"",
            "data-out=\"curl\"",
            "data-out=\"status\"",
        ] {
            assert!(html.contains(control), "{id}: {control}");
        }
        assert!(
            html.contains(r#"<code>curl -H "X-API-Key: $QRGATE_KEY" -o qr-"#),
            "{id}: an example curl"
        );
    }
    let design = section(&page, "section", "design");
    for spec in DESIGN_SPECS {
        assert_documents(design, spec, "design");
    }
    assert!(design.contains("whole number of pixels, 64 to 4096"));
    for id in [
        "logo-upload",
        "logo-list",
        "logo-delete",
        "usage-show",
        "qr-json",
        "health",
    ] {
        section(&page, "article", id);
    }
}

#[tokio::test]
async fn the_page_reads_without_javascript_and_has_no_inline_script_or_style() {
    let app = TestApp::spawn().await;
    let page = docs_page(&app).await;
    for script in page.match_indices("<script").map(|(i, _)| &page[i..]) {
        let tag = &script[..script.find('>').unwrap()];
        assert!(
            tag.contains(" src=\"/static/"),
            "only external scripts: {tag}"
        );
    }
    assert!(
        !page.contains(" style=") && !page.contains("<style"),
        "no inline styles"
    );
    assert!(!page.contains(" onclick=") && !page.contains("javascript:"));
    assert!(page.contains("<script src=\"/static/docs.js\" defer></script>"));
    // The guide, the Authorize box and the machine-readable link are there as text.
    for text in [
        "Getting started",
        "/dashboard/api",
        "PREVIEW",
        "X-QR-Preview",
        "X-Quota-Remaining",
        "Retry-After",
        "application/problem+json",
        "id=\"authorize-key\"",
        "id=\"authorize-logout\"",
        "href=\"/openapi.json\"",
        "<noscript>",
        "The trial gives 20 images over 14 days",
    ] {
        assert!(page.contains(text), "the page has {text}");
    }
    // The example problem is the real one (tests/api/openapi.rs checks it against the API).
    assert!(page.contains("size: is out of range; use 64 to 4096 pixels"));

    let script = app.browser().get("/static/docs.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let script = script.text().await.unwrap();
    assert!(script.contains("sessionStorage") && script.contains("data-authorize-docs"));
}

#[tokio::test]
async fn a_signed_in_visitor_sees_their_own_navigation_on_the_docs() {
    let app = TestApp::spawn().await;
    let browser = app.signed_up("grace@example.net").await;
    let (status, page) = browser.page("/docs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("grace@example.net"));
    assert!(page.contains("action=\"/logout\""));
    // The logout form's CSRF token works from this page.
    let token = crate::helpers::between(&page, "name=\"csrf_token\" value=\"", "\"").unwrap();
    let response = browser
        .post_form("/logout", &[("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = browser.page("/docs").await;
    assert!(!page.contains("grace@example.net") && page.contains("href=\"/login\""));
}

#[tokio::test]
async fn the_dashboard_offers_to_authorize_the_docs_right_after_a_key_is_shown() {
    let app = TestApp::spawn().await;
    let browser = app.signed_up("ada@example.org").await;
    let (_, before) = browser.page("/dashboard/api").await;
    assert!(before.contains("href=\"/docs\""), "a link to the docs");
    assert!(!before.contains("data-authorize-docs"));
    let shown = browser.create_key(PASSWORD).await.text().await.unwrap();
    assert!(shown.contains("data-authorize-docs=\"#api-key\""));
    assert!(shown.contains("Authorize the docs with this key"));
    assert!(shown.contains("<script src=\"/static/docs.js\" defer></script>"));
    let (_, after) = browser.page("/dashboard/api").await;
    assert!(
        !after.contains("data-authorize-docs"),
        "only while the key is shown"
    );
}

/// What the browser test needs, or why it cannot run here.
fn browser_setup() -> Result<(PathBuf, PathBuf), String> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.exists() {
        return Err(format!(
            "{} is missing (apt-get install chromium)",
            chromium.display()
        ));
    }
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Err("node is missing".into());
    }
    if !folder
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        return Err(format!(
            "playwright-core is missing (npm ci in {})",
            folder.display()
        ));
    }
    Ok((folder, chromium))
}

/// Runs `script` (in tests/browser) with Chromium against `address` and `env`, asserts
/// it passed and returns its output; `None` when node, Chromium or playwright-core is
/// missing outside CI (the test is then skipped with a note).
pub async fn run_browser_script(
    script: &str,
    address: &str,
    env: &[(&str, &std::ffi::OsStr)],
) -> Option<String> {
    let (folder, chromium) = match browser_setup() {
        Ok(setup) => setup,
        Err(missing) if std::env::var_os("CI").is_some() => {
            panic!("the browser test cannot run in CI: {missing}")
        }
        Err(missing) => {
            eprintln!("skipping the browser test {script}: {missing}");
            return None;
        }
    };
    let run = tokio::process::Command::new("node")
        .arg(script)
        .current_dir(&folder)
        .env("QRGATE_URL", address)
        .env("CHROMIUM", &chromium)
        .env("QRGATE_SCREENSHOT_DIR", screenshot_dir())
        .envs(env.iter().copied())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(240), run)
        .await
        .expect("the browser test finishes within 4 minutes")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser test {script} failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    println!("{stdout}");
    Some(stdout)
}

/// Screenshots go to target/ (the parent of cargo's per-target temporary directory).
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .to_path_buf()
}

#[tokio::test]
async fn a_person_authorizes_tests_and_executes_in_a_real_browser() {
    // No `server.public_url`: the browser reaches the site at its own address, which
    // links such as signed URLs are then built from (as for an operator who left it unset).
    let app = TestApp::spawn_with(roomy).await;
    if run_browser_script("docs.mjs", &app.address, &[])
        .await
        .is_some()
    {
        assert!(screenshot_dir().join("docs-screenshot.png").exists());
    }
}
