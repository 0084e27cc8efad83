//! The 1,000-row CSV: every QR type, several designs, and bad rows among the good (a
//! missing field, a bad colour, a value too long for its parameter, data too long for the
//! symbol, an unknown type, a formula as a file name). The ZIP must hold exactly the good
//! rows, each decoding (rqrr) to the payload the single-code API builds for the same
//! values; the manifest lists every row, with formulas inert; usage rises by the good rows.

use qrgate::qr::payload::{Params, QrType, build_payload};
use reqwest::StatusCode;
use serde_json::Value;

use crate::batches::{decoded, finished, get, manifest, post_csv, pro_user, unzip, used};
use crate::helpers::TestApp;

/// A row of the mixed CSV: its cells by column, and its payload if it should succeed.
struct Row {
    cells: Vec<(&'static str, String)>,
    expected: Option<String>,
}

/// Content for row `i` of each type, unique per row.
fn content(kind: QrType, i: usize) -> Vec<(&'static str, String)> {
    let v = |name: &'static str, value: String| (name, value);
    match kind {
        QrType::Url => vec![v("url", format!("example.org/item/{i}?ref=batch"))],
        QrType::Text => vec![v("text", format!("Table {i}, \"window\" seat; café ☕"))],
        QrType::Email => vec![
            v("to", format!("guest{i}@example.org")),
            v("subject", format!("Booking {i}")),
            v("body", "Hello,\nsee you at 8.".into()),
        ],
        QrType::Phone => vec![v("number", format!("+49 30 {:07}", 1_000_000 + i))],
        QrType::Sms => vec![
            v("number", format!("+1 555 {:07}", i)),
            v("message", format!("JOIN {i}")),
        ],
        QrType::Wifi => vec![
            v("ssid", format!("Hall {i}")),
            v("password", format!("pass;word,{i}")),
        ],
        QrType::Vcard => vec![
            v("first_name", "Ada".into()),
            v("last_name", format!("Lovelace {i}")),
            v("email", format!("ada{i}@example.org")),
        ],
        QrType::Geo => vec![
            v("lat", format!("48.{:04}", i)),
            v("lng", format!("2.{:04}", i)),
        ],
        QrType::Event => vec![
            v("title", format!("Concert {i}")),
            v("start", "2026-12-01T18:00+01:00".into()),
            v("end", "2026-12-01T21:30+01:00".into()),
        ],
    }
}

/// 1,000 rows cycling through every type and a few designs, with bad rows among them:
/// a missing field, a bad colour, a value too long for its parameter, data too long for
/// the symbol (found only when drawn), an unknown type, and a formula as a file name.
fn mixed_rows() -> Vec<Row> {
    (1..=1000)
        .map(|i| {
            let mut kind = QrType::ALL[i % QrType::ALL.len()];
            let mut data = content(kind, i);
            let mut design: Vec<(&'static str, String)> = Vec::new();
            let mut type_cell = kind.as_str().to_owned();
            let mut filename = None;
            let good = match (i % 50, i % 100, i) {
                (_, _, 500) => {
                    type_cell = "barcode".into();
                    false
                }
                (7, _, _) => {
                    (kind, type_cell, data) = (QrType::Url, "url".into(), Vec::new());
                    false
                }
                (19, _, _) => {
                    design.push(("fg", "#12345".into()));
                    false
                }
                (31, _, _) => {
                    data = vec![(kind.params()[0].name, "x".repeat(7500))];
                    false
                }
                (43, _, _) => {
                    (kind, type_cell) = (QrType::Text, "text".into());
                    data = vec![("text", "y".repeat(3000))];
                    design.push(("ecc", "H".into()));
                    false
                }
                (_, 77, _) => {
                    filename = Some("=cmd|' /C calc'!A0".to_owned());
                    false
                }
                _ => true,
            };
            if good && i % 10 == 3 {
                filename = Some(format!("code {i}"));
            }
            if i % 3 == 0 {
                design.push(("module_shape", "dot".into()));
            }
            if i % 5 == 0 {
                design.push(("format", "svg".into()));
            }
            if i % 7 == 0 && !design.iter().any(|(n, _)| *n == "fg") {
                design.push(("fg", "#1d4ed8".into()));
            }
            let expected = good.then(|| {
                let params: Params = data.iter().map(|(n, v)| (*n, v.clone())).collect();
                build_payload(kind, &params).unwrap_or_else(|e| panic!("row {i}: {e}"))
            });
            let mut cells = vec![("type", type_cell)];
            cells.extend(data);
            cells.extend(design);
            cells.extend(filename.map(|f| ("filename", f)));
            Row { cells, expected }
        })
        .collect()
}

/// A manifest line against its row: the file is there and decodes to the payload, or
/// the row failed with a message; no cell starts a formula.
fn check_row(row: &Row, entry: &[String; 4], files: &[(String, Vec<u8>)]) {
    let [number, filename, state, error] = entry;
    let i: usize = number.parse().unwrap();
    for cell in entry {
        assert!(
            !cell.starts_with(['=', '+', '-', '@']),
            "row {i}: a live formula in {cell:?}"
        );
    }
    match &row.expected {
        Some(payload) => {
            assert_eq!((state.as_str(), error.as_str()), ("ok", ""), "row {i}");
            let (_, image) = files
                .iter()
                .find(|(name, _)| name == filename)
                .unwrap_or_else(|| panic!("row {i}: {filename} is in the ZIP"));
            assert_eq!(&decoded(filename, image), payload, "row {i}");
            if i % 10 == 3 {
                assert!(filename.starts_with(&format!("code {i}.")), "{filename}");
            } else {
                assert!(filename.starts_with(&format!("row-{i:04}-")), "{filename}");
            }
        }
        None => {
            assert_eq!(state, "error", "row {i}");
            assert!(!error.is_empty());
            assert!(files.iter().all(|(name, _)| name != filename));
        }
    }
}

/// The rows as CSV, written by the `csv` crate (so quoting is not ours).
fn to_csv(rows: &[Row]) -> Vec<u8> {
    let mut columns: Vec<&str> = Vec::new();
    for (name, _) in rows.iter().flat_map(|r| &r.cells) {
        if !columns.contains(name) {
            columns.push(name);
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&columns).unwrap();
    for row in rows {
        let cells: Vec<&str> = columns
            .iter()
            .map(|c| {
                row.cells
                    .iter()
                    .find(|(n, _)| n == c)
                    .map_or("", |(_, v)| v.as_str())
            })
            .collect();
        writer.write_record(&cells).unwrap();
    }
    writer.into_inner().unwrap()
}

#[tokio::test]
async fn a_thousand_row_csv_mixing_every_type_makes_a_zip_of_exactly_the_good_rows() {
    let app = TestApp::spawn().await;
    let key = pro_user(&app, "bulk@example.org").await;
    let rows = mixed_rows();
    let good = rows.iter().filter(|r| r.expected.is_some()).count();
    assert!((850..1000).contains(&good), "{good} good rows");
    let before = used(&app.address, &key).await;

    let response = post_csv(&app.address, &key, "size=180&margin=1", to_csv(&rows)).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let accepted: Value = response.json().await.unwrap();
    let id = accepted["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/batches/{id}"));
    assert_eq!(accepted["total"], 1000);
    assert!(["queued", "running"].contains(&accepted["status"].as_str().unwrap()));

    let status = finished(&app.address, &key, &id).await;
    assert_eq!(status["status"], "done", "{status}");
    assert_eq!(status["done"], good);
    assert_eq!(status["failed"], 1000 - good);
    assert!(status["finished"].is_string() && status["created"].is_string());

    let zip = get(&app.address, &key, &format!("{location}/result.zip")).await;
    assert_eq!(zip.status(), StatusCode::OK);
    assert_eq!(zip.headers()["content-type"], "application/zip");
    let files = unzip(&zip.bytes().await.unwrap());
    assert_eq!(files.len(), good + 1, "the good rows and the manifest");

    let manifest = manifest(&files);
    assert_eq!(manifest.len(), 1000, "every row is listed");
    let checks: Vec<(&Row, &[String; 4])> = rows.iter().zip(&manifest).collect();
    std::thread::scope(|scope| {
        for part in checks.chunks(checks.len().div_ceil(2)) {
            let files = &files;
            scope.spawn(move || {
                for (row, entry) in part {
                    check_row(row, entry, files);
                }
            });
        }
    });
    let error_of = |i: usize| manifest[i - 1][3].clone();
    assert!(error_of(19).starts_with("fg:"), "{}", error_of(19));
    assert!(error_of(31).contains("7500 bytes"), "{}", error_of(31));
    assert!(error_of(43).starts_with("text:"), "{}", error_of(43));
    assert!(
        error_of(500).starts_with("type: `barcode`"),
        "{}",
        error_of(500)
    );
    assert!(error_of(77).starts_with("filename:"), "{}", error_of(77));
    assert_eq!(
        manifest[76][1], "'=cmd|' /C calc'!A0",
        "the formula stays text"
    );

    assert_eq!(
        used(&app.address, &key).await,
        before + good as u64,
        "one count per drawn row"
    );
    let errors = status["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1000 - good);
    assert_eq!(errors[0]["row"], 7);
}
