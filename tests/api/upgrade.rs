//! Operators upgrade in place: a data file written by an earlier release opens in this
//! one with every account, key, log, grant, usage count and logo intact. Each release
//! keeps a small file written by its predecessor under `tests/fixtures/<release>/`
//! (made by `scripts/make-fixture`, which also writes the throwaway key it created).

use std::collections::HashMap;
use std::path::Path;

use reqwest::StatusCode;

use crate::helpers::{Browser, PASSWORD, TestApp, renewal_log_rows};
use crate::payments::signature;

struct Fixture {
    values: HashMap<String, String>,
    dir: tempfile::TempDir,
}

impl Fixture {
    /// A copy of the fixture's data file in a directory of its own.
    fn copy(release: &str) -> Self {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(release);
        let values = std::fs::read_to_string(source.join("fixture.env"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(source.join("qrgate.redb"), dir.path().join("qrgate.redb")).unwrap();
        Self { values, dir }
    }

    fn get(&self, name: &str) -> &str {
        &self.values[name]
    }

    /// The app on this data file, its clock a day after the file was written.
    async fn spawn(&self) -> TestApp {
        let data_dir = self.dir.path().to_path_buf();
        let app = TestApp::spawn_with(|config| {
            config.storage.data_dir = data_dir;
            config.payments.webhook_secret = WEBHOOK_SECRET.into();
        })
        .await;
        let written: i64 = self.get("WRITTEN_AT").parse().unwrap();
        app.clock.advance(written + 86_400 - app.clock.now());
        app
    }
}

/// The secret `scripts/make-fixture` signed its payment event with.
const WEBHOOK_SECRET: &str = "fixture-webhook-secret-0123456789abcdef";

#[tokio::test]
async fn a_data_file_of_release_1_opens_with_everything_in_it() {
    let fixture = Fixture::copy("v1");
    let app = fixture.spawn().await;
    let ada_key = fixture.get("ADA_KEY");
    assert!(
        fixture.dir.path().join("qrgate.redb.schema-1.bak").exists(),
        "the file was copied before it was migrated"
    );

    // The key works, on the plan and with the usage it had.
    let usage: serde_json::Value = app.usage(ada_key).await.json().await.unwrap();
    assert_eq!(usage["plan"], "basic", "{usage}");
    assert_eq!(usage["status"], "active", "{usage}");
    assert_eq!(
        usage["used"],
        fixture.get("ADA_USED").parse::<u64>().unwrap()
    );
    let code = app
        .qr(Some(ada_key), "text", &[("text", "after the upgrade")])
        .await;
    assert_eq!(code.status(), StatusCode::OK);

    // The disabled account stays disabled.
    let bob = app.usage(fixture.get("BOB_KEY")).await;
    assert_eq!(bob.status(), StatusCode::FORBIDDEN);

    // Logos are listed, and codes can still be drawn with each of them.
    let logos = app.logos(ada_key).await;
    assert_eq!(logos.len(), 2, "{logos:?}");
    assert!(logos.iter().all(|l| l["usable"] == true), "{logos:?}");
    for logo in [fixture.get("PNG_LOGO"), fixture.get("SVG_LOGO")] {
        let with_logo = app
            .qr(
                Some(ada_key),
                "url",
                &[("url", "example.org"), ("logo", logo)],
            )
            .await;
        assert_eq!(with_logo.status(), StatusCode::OK, "logo {logo}");
        let image = with_logo.bytes().await.unwrap();
        assert_eq!(
            crate::decode::rqrr_png(&image).as_deref(),
            Ok("https://example.org")
        );
    }

    // Passwords, the renewal log and the admin's view survive.
    let ada = Browser::new(&app.address);
    assert_eq!(
        ada.login("ada@example.org", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, page) = ada.page("/dashboard/api").await;
    assert_eq!(renewal_log_rows(&page), 2, "creation and one renewal");
    let admin = Browser::new(&app.address);
    admin.login("admin@example.org", PASSWORD).await;
    let (status, accounts) = admin.page("/admin").await;
    assert_eq!(status, StatusCode::OK);
    for email in ["ada@", "bob@", "cy@"] {
        assert!(accounts.contains(email), "{email} on /admin");
    }

    // The payment event it recorded still grants only once.
    let body = r#"{"event_id":"evt_fixture_1","email":"ada@example.org","plan":"basic"}"#;
    let t = app.clock.now();
    let retry: serde_json::Value = Browser::plain_client()
        .post(format!("{}/webhooks/payment", app.address))
        .header("x-qrgate-signature", signature(t, body, WEBHOOK_SECRET))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(retry["status"], "already_applied", "{retry}");
}

#[test]
fn the_upgraded_file_checks_sound_and_carries_the_current_schema_version() {
    let fixture = Fixture::copy("v1");
    {
        let (store, _) = qrgate::store::Store::open(fixture.dir.path()).unwrap();
        drop(store);
    }
    let report = qrgate::store::check(fixture.dir.path()).unwrap();
    assert_eq!(report.schema_version, qrgate::store::SCHEMA_VERSION);
    let accounts = report
        .tables
        .iter()
        .find(|(t, _)| *t == "accounts")
        .unwrap();
    assert_eq!(accounts.1, 4, "{report}");
    let bitmaps = report
        .tables
        .iter()
        .find(|(t, _)| *t == "logo_bitmap")
        .unwrap();
    assert_eq!(bitmaps.1, 2, "both logos converted: {report}");
    // Opening again changes nothing more: migrations run once.
    let (store, _) = qrgate::store::Store::open(fixture.dir.path()).unwrap();
    drop(store);
    assert_eq!(
        qrgate::store::check(fixture.dir.path()).unwrap().tables,
        report.tables
    );
}
