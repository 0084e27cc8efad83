//! Crash safety: drive mixed writes (sign-ups, key creations, renewals, plan grants by an
//! admin and by the payment webhook, account deletions, QR requests) from several tasks
//! against the real binary, `kill -9` it at a random moment, restart it on the same data,
//! and check that every write whose response arrived is there (and every acknowledged
//! deletion still gone), that a payment event survives with its grant (a retry is
//! recognised), and that usage counts are within the flush bound and never over-counted.
//! A dynamic-code task creates codes, retargets them and floods their short links: every
//! acknowledged creation and change must survive, and scan counts stay within the flush
//! bound, never above what was sent.
//!
//! `cargo test` runs 5 cycles; `scripts/crashtest` runs 100 (`CRASH_CYCLES`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::StatusCode;

use crate::helpers::{ADMIN_EMAIL, Browser, PASSWORD, api_key_in};
use crate::process::{Server, start};

/// Limits out of the way: this test is about durability, not throttling.
const ENV: &[(&str, &str)] = &[
    ("QRGATE_ADMIN__EMAILS", ADMIN_EMAIL),
    ("QRGATE_LIMITS__SIGNUP_BURST", "1000000"),
    ("QRGATE_LIMITS__LOGIN_BURST", "1000000"),
    ("QRGATE_LIMITS__KEY_CHANGE_BURST", "1000000"),
    ("QRGATE_LIMITS__KEYLESS_BURST", "1000000"),
    ("QRGATE_LIMITS__LOGIN_FAILURES_BEFORE_BACKOFF", "1000000"),
    ("QRGATE_USAGE__FLUSH_INTERVAL_MS", "250"),
    ("QRGATE_PAYMENTS__WEBHOOK_SECRET", crate::payments::SECRET),
    ("QRGATE_SERVER__PUBLIC_URL", "https://qr.crash.test"),
    ("QRGATE_PLANS__TRIAL__DYNAMIC_CODES", "100000"),
];
/// Counts written more than this long before the kill must have been flushed.
const FLUSH_BOUND: Duration = Duration::from_millis(1000);

#[derive(Default, Clone)]
struct Account {
    /// The last key whose creation or renewal was acknowledged.
    key: Option<String>,
    /// A renewal was sent but its answer never came: the stored key may be a newer one.
    renewal_unanswered: bool,
    /// The last plan grant acknowledged.
    plan: Option<&'static str>,
    /// Times of the acknowledged (200) QR images.
    served: Vec<Instant>,
    /// QR requests sent, answered or not (one cut off by the kill may have been counted).
    sent: usize,
}

type Ledger = Arc<Mutex<HashMap<String, Account>>>;

/// An account made to be deleted: its key, and whether the deletion was acknowledged.
struct Deletion {
    email: String,
    key: String,
    acknowledged: bool,
}

type Deletions = Arc<Mutex<Vec<Deletion>>>;

#[tokio::test]
async fn every_acknowledged_write_survives_kill_9() {
    let cycles: usize = std::env::var("CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let ledger: Ledger = Arc::default();
    let deletions: Deletions = Arc::default();
    let codes: Codes = Arc::default();
    let mut tally = (0usize, 0usize, 0usize, 0usize); // accounts, keys, images, paid plans
    let mut tally_codes = (0usize, 0usize); // dynamic codes, scans answered
    for cycle in 0..cycles {
        let mut server = start(dir.path(), ENV).await;
        let admin = Browser::new(&server.address);
        if cycle == 0 {
            assert_eq!(
                admin.signup(ADMIN_EMAIL, PASSWORD).await.status(),
                StatusCode::SEE_OTHER
            );
        } else {
            assert_eq!(
                admin.login(ADMIN_EMAIL, PASSWORD).await.status(),
                StatusCode::SEE_OTHER
            );
        }
        let workers: Vec<_> = (0..4)
            .map(|w| tokio::spawn(work(server.address.clone(), ledger.clone(), cycle, w)))
            .collect();
        let grants = tokio::spawn(grant(admin, ledger.clone()));
        let payments = tokio::spawn(pay(server.address.clone(), ledger.clone()));
        let deleter = tokio::spawn(delete(server.address.clone(), deletions.clone(), cycle));
        let dynamic = tokio::spawn(dynamic_codes(server.address.clone(), codes.clone(), cycle));
        let pause = rand::thread_rng().gen_range(300..1500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        server.child.kill().await.unwrap(); // SIGKILL
        let killed_at = Instant::now();
        for worker in workers {
            worker.abort();
        }
        grants.abort();
        payments.abort();
        deleter.abort();
        dynamic.abort();

        let mut server = start(dir.path(), ENV).await;
        assert_eq!(
            Browser::plain_client()
                .get(format!("{}/healthz", server.address))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        let snapshot = ledger.lock().unwrap().clone();
        for (email, account) in &snapshot {
            verify(&server, email, account, killed_at, cycle).await;
        }
        let gone: Vec<(String, String)> = deletions
            .lock()
            .unwrap()
            .iter()
            .filter(|d| d.acknowledged)
            .map(|d| (d.email.clone(), d.key.clone()))
            .collect();
        for (email, key) in &gone {
            verify_deleted(&server, email, key).await;
        }
        let made = codes.lock().unwrap().clone();
        for code in &made {
            verify_code(&server, code, killed_at).await;
        }
        // What this kill could not have lost stays owed in later cycles; the rest may be gone.
        for code in codes.lock().unwrap().iter_mut() {
            code.owed += surely_flushed(&code.served, killed_at);
            code.answered += code.served.len();
            code.served.clear();
        }
        tally_codes = (
            made.len(),
            made.iter().map(|c| c.answered + c.served.len()).sum(),
        );
        tally = (
            snapshot.len(),
            snapshot.values().filter(|a| a.key.is_some()).count(),
            snapshot.values().map(|a| a.served.len()).sum(),
            snapshot.values().filter(|a| a.plan == Some("pro")).count(),
        );
        // Stop the checking server and wait for it, so the next start finds the file free.
        server.child.kill().await.unwrap();
    }
    let deleted = deletions
        .lock()
        .unwrap()
        .iter()
        .filter(|d| d.acknowledged)
        .count();
    println!(
        "crash test: {cycles} cycles of kill -9; {} accounts, {} keys, {} images, {} webhook grants, {deleted} deletions, {} dynamic codes and {} scans acknowledged; no acknowledged write lost",
        tally.0, tally.1, tally.2, tally.3, tally_codes.0, tally_codes.1
    );
}

/// One worker: sign up, create a key, renew it now and then, and ask for images.
async fn work(address: String, ledger: Ledger, cycle: usize, worker: usize) {
    for n in 0.. {
        let email = format!("c{cycle}w{worker}n{n}@example.org");
        let browser = Browser::new(&address);
        if browser
            .submit_checked(
                "/signup",
                "/signup",
                &[("email", &email), ("password", PASSWORD)],
            )
            .await
            != Some(StatusCode::SEE_OTHER)
        {
            return;
        }
        ledger
            .lock()
            .unwrap()
            .insert(email.clone(), Account::default());
        let Ok(page) = browser.create_key_checked(PASSWORD).await else {
            return;
        };
        let Some(mut key) = api_key_in(&page) else {
            return;
        };
        ledger.lock().unwrap().get_mut(&email).unwrap().key = Some(key.clone());
        for round in 0..3 {
            for i in 0..3 {
                let url = format!(
                    "{address}/api/v1/qr/text?text=c{cycle}w{worker}n{n}r{round}i{i}&size=128"
                );
                ledger.lock().unwrap().get_mut(&email).unwrap().sent += 1;
                let Ok(response) = Browser::plain_client()
                    .get(url)
                    .header("X-API-Key", &key)
                    .send()
                    .await
                else {
                    return;
                };
                if response.status() == StatusCode::OK && response.bytes().await.is_ok() {
                    ledger
                        .lock()
                        .unwrap()
                        .get_mut(&email)
                        .unwrap()
                        .served
                        .push(Instant::now());
                }
            }
            ledger
                .lock()
                .unwrap()
                .get_mut(&email)
                .unwrap()
                .renewal_unanswered = true;
            let Ok(page) = browser.renew_key_checked(PASSWORD, "expiration").await else {
                return;
            };
            let Some(renewed) = api_key_in(&page) else {
                return;
            };
            key = renewed;
            let mut ledger = ledger.lock().unwrap();
            let account = ledger.get_mut(&email).unwrap();
            (account.key, account.renewal_unanswered) = (Some(key.clone()), false);
        }
    }
}

/// Accounts of even-numbered workers get their plans from the admin, the others from
/// the payment webhook, so the two never race for one account.
fn paid_by_webhook(email: &str) -> bool {
    ["w1n", "w3n"].iter().any(|w| email.contains(w))
}

/// Accounts with a key and no plan yet, of the given kind.
fn awaiting_plan(ledger: &Ledger, by_webhook: bool) -> Vec<String> {
    ledger
        .lock()
        .unwrap()
        .iter()
        .filter(|(e, a)| a.plan.is_none() && a.key.is_some() && paid_by_webhook(e) == by_webhook)
        .map(|(e, _)| e.clone())
        .take(3)
        .collect()
}

/// The payment event that grants `email` its plan: one per account.
fn payment_event(email: &str) -> String {
    serde_json::json!({"event_id": format!("evt-{email}"), "email": email, "plan": "pro"})
        .to_string()
}

async fn post_payment(address: &str, email: &str) -> Option<serde_json::Value> {
    let body = payment_event(email);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let response = Browser::plain_client()
        .post(format!("{address}/webhooks/payment"))
        .header("content-type", "application/json")
        .header(
            "X-Qrgate-Signature",
            crate::payments::signature(now, &body, crate::payments::SECRET),
        )
        .body(body)
        .send()
        .await
        .ok()?;
    if response.status() != StatusCode::OK {
        return None;
    }
    response.json().await.ok()
}

/// The payment provider: one signed event per account as accounts appear.
async fn pay(address: String, ledger: Ledger) {
    loop {
        for email in awaiting_plan(&ledger, true) {
            if post_payment(&address, &email).await.is_some() {
                ledger.lock().unwrap().get_mut(&email).unwrap().plan = Some("pro");
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Signs up, creates a key, deletes the account; over and over.
async fn delete(address: String, deletions: Deletions, cycle: usize) {
    for n in 0.. {
        let email = format!("c{cycle}d{n}@example.org");
        let browser = Browser::new(&address);
        let signed_up = browser
            .submit_checked(
                "/signup",
                "/signup",
                &[("email", &email), ("password", PASSWORD)],
            )
            .await;
        let Ok(page) = browser.create_key_checked(PASSWORD).await else {
            return;
        };
        let (Some(StatusCode::SEE_OTHER), Some(key)) = (signed_up, api_key_in(&page)) else {
            return;
        };
        let index = {
            let mut deletions = deletions.lock().unwrap();
            deletions.push(Deletion {
                email: email.clone(),
                key,
                acknowledged: false,
            });
            deletions.len() - 1
        };
        let fields = [("confirm_email", email.as_str()), ("password", PASSWORD)];
        let answered = browser
            .submit_checked("/dashboard/account", "/dashboard/account", &fields)
            .await;
        if answered != Some(StatusCode::OK) {
            return;
        }
        deletions.lock().unwrap()[index].acknowledged = true;
    }
}

async fn verify_deleted(server: &Server, email: &str, key: &str) {
    let usage = Browser::plain_client()
        .get(format!("{}/api/v1/usage", server.address))
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        usage.status(),
        StatusCode::UNAUTHORIZED,
        "{email}: an acknowledged deletion came back"
    );
    let login = Browser::new(&server.address).login(email, PASSWORD).await;
    assert_ne!(
        login.status(),
        StatusCode::SEE_OTHER,
        "{email}: can log in after deletion"
    );
}

/// The admin grants the basic plan to accounts as they appear.
async fn grant(admin: Browser, ledger: Ledger) {
    loop {
        let pending = awaiting_plan(&ledger, false);
        for email in pending {
            if admin
                .submit_checked(
                    "/admin",
                    "/admin/grant",
                    &[("email", &email), ("plan", "basic")],
                )
                .await
                == Some(StatusCode::OK)
            {
                ledger.lock().unwrap().get_mut(&email).unwrap().plan = Some("basic");
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn verify(server: &Server, email: &str, account: &Account, killed_at: Instant, cycle: usize) {
    let created_this_cycle = email.starts_with(&format!("c{cycle}w"));
    if created_this_cycle {
        let login = Browser::new(&server.address).login(email, PASSWORD).await;
        assert_eq!(
            login.status(),
            StatusCode::SEE_OTHER,
            "{email}: an acknowledged sign-up was lost"
        );
    }
    let Some(key) = &account.key else { return };
    let response = Browser::plain_client()
        .get(format!("{}/api/v1/usage", server.address))
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap();
    if account.renewal_unanswered && response.status() == StatusCode::UNAUTHORIZED {
        return; // the unanswered renewal committed: a newer key replaced this one
    }
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{email}: an acknowledged key was lost"
    );
    let usage: serde_json::Value = response.json().await.unwrap();
    if let Some(plan) = account.plan {
        assert_eq!(
            usage["plan"], plan,
            "{email}: an acknowledged plan grant was lost"
        );
        if paid_by_webhook(email) {
            // The event was stored with the grant: the provider's retry changes nothing.
            let retry = post_payment(&server.address, email).await;
            assert_eq!(
                retry.as_ref().map(|r| r["status"].clone()),
                Some(serde_json::json!("already_applied")),
                "{email}: the payment event was lost while its grant was kept"
            );
        }
    } else if usage["plan"] != "trial" {
        // A grant whose answer never came committed: a fresh period, a fresh count.
    } else {
        let used = usage["used"].as_u64().unwrap() as usize;
        let served = account.served.len();
        let surely_flushed = account
            .served
            .iter()
            .filter(|t| killed_at.duration_since(**t) > FLUSH_BOUND)
            .count();
        assert!(
            used <= account.sent,
            "{email}: counted {used} but only {} requests were sent (served {served})",
            account.sent
        );
        assert!(
            used >= surely_flushed,
            "{email}: counted {used}, but {surely_flushed} were served more than the flush bound before the kill"
        );
    }
}

/// A dynamic code as its creator knows it.
#[derive(Clone)]
struct Code {
    key: String,
    id: String,
    slug: String,
    /// The last target whose change (or creation) was acknowledged.
    target: String,
    /// A change sent whose answer never came: the stored target may be this one.
    unanswered: Option<String>,
    /// Times of the scans answered with a redirect since the last kill, and how many
    /// scans were sent in all.
    served: Vec<Instant>,
    sent: usize,
    /// Scans answered long enough before an earlier kill that they must be counted, and
    /// all scans answered before it.
    owed: usize,
    answered: usize,
}

type Codes = Arc<Mutex<Vec<Code>>>;

/// One account per round: create dynamic codes, retarget them, and scan them in a
/// flood; the ledger keeps what was acknowledged.
async fn dynamic_codes(address: String, codes: Codes, cycle: usize) {
    let client = Browser::plain_client();
    for n in 0.. {
        let email = format!("c{cycle}dyn{n}@example.org");
        let browser = Browser::new(&address);
        let fields = [("email", email.as_str()), ("password", PASSWORD)];
        if browser.submit_checked("/signup", "/signup", &fields).await
            != Some(StatusCode::SEE_OTHER)
        {
            return;
        }
        let Ok(page) = browser.create_key_checked(PASSWORD).await else {
            return;
        };
        let Some(key) = api_key_in(&page) else { return };
        for c in 0..3 {
            let target = format!("https://example.org/c{cycle}n{n}/{c}/v0");
            let Ok(response) = client
                .post(format!("{address}/api/v1/codes"))
                .header("X-API-Key", &key)
                .json(&serde_json::json!({ "target": target }))
                .send()
                .await
            else {
                return;
            };
            let Ok(created) = response.json::<serde_json::Value>().await else {
                return;
            };
            let (Some(id), Some(slug)) = (created["id"].as_str(), created["slug"].as_str()) else {
                return;
            };
            let index = {
                let mut codes = codes.lock().unwrap();
                codes.push(Code {
                    key: key.clone(),
                    id: id.to_owned(),
                    slug: slug.to_owned(),
                    target,
                    unanswered: None,
                    served: Vec::new(),
                    sent: 0,
                    owed: 0,
                    answered: 0,
                });
                codes.len() - 1
            };
            for version in 1..=2 {
                for _ in 0..20 {
                    codes.lock().unwrap()[index].sent += 1;
                    let Ok(scan) = client
                        .get(format!("{address}/r/{slug}"))
                        .header("user-agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148 Safari/604.1")
                        .send()
                        .await
                    else {
                        return;
                    };
                    if scan.status() == StatusCode::FOUND {
                        codes.lock().unwrap()[index].served.push(Instant::now());
                    }
                }
                let target = format!("https://example.org/c{cycle}n{n}/{c}/v{version}");
                codes.lock().unwrap()[index].unanswered = Some(target.clone());
                let Ok(edit) = client
                    .patch(format!("{address}/api/v1/codes/{id}"))
                    .header("X-API-Key", &key)
                    .json(&serde_json::json!({ "target": target }))
                    .send()
                    .await
                else {
                    return;
                };
                if edit.status() != StatusCode::OK {
                    return;
                }
                let mut codes = codes.lock().unwrap();
                (codes[index].target, codes[index].unanswered) = (target, None);
            }
        }
    }
}

/// Of these answered scans, those answered more than the flush bound before the kill.
fn surely_flushed(served: &[Instant], killed_at: Instant) -> usize {
    served
        .iter()
        .filter(|t| killed_at.duration_since(**t) > FLUSH_BOUND)
        .count()
}

/// An acknowledged code leads where its last acknowledged change says (or where an
/// unanswered change asked), and its scans are counted within the flush bound.
async fn verify_code(server: &Server, code: &Code, killed_at: Instant) {
    let client = Browser::plain_client();
    let scan = client
        .head(format!("{}/r/{}", server.address, code.slug))
        .send()
        .await
        .unwrap();
    assert_eq!(
        scan.status(),
        StatusCode::FOUND,
        "{}: an acknowledged code was lost",
        code.slug
    );
    let location = scan.headers()["location"].to_str().unwrap();
    assert!(
        location == code.target || Some(location) == code.unanswered.as_deref(),
        "{}: leads to {location}, but the last acknowledged target is {}",
        code.slug,
        code.target
    );
    let report: serde_json::Value = client
        .get(format!("{}/api/v1/codes/{}/scans", server.address, code.id))
        .header("X-API-Key", &code.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let counted = report["scans"].as_u64().unwrap() as usize;
    let surely_flushed = code.owed + surely_flushed(&code.served, killed_at);
    assert!(
        counted <= code.sent,
        "{}: {counted} scans counted, {} sent",
        code.slug,
        code.sent
    );
    assert!(
        counted >= surely_flushed,
        "{}: {counted} scans counted, but {surely_flushed} were answered more than the flush bound before the kill",
        code.slug
    );
}
