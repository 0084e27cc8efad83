//! Previews: at most 512 px, from a budget of their own that a flood cannot take from
//! paying customers; keyless limits per IPv6 /64; and the wall-clock guard on renders.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::{loopback, timed_alone};
use crate::helpers::{Browser, TestApp};

/// The width of a PNG, or of an SVG as its root element declares it.
fn width_of(image: &[u8]) -> usize {
    if let Ok(size) = imagesize::blob_size(image) {
        return size.width;
    }
    let text = String::from_utf8_lossy(image);
    let from = text.find(" width=\"").expect("an SVG with a width") + 8;
    let len = text[from..].find('"').expect("a closing quote");
    text[from..from + len].parse().expect("a number")
}

#[tokio::test]
async fn a_preview_asked_at_4096_px_is_drawn_at_512_in_the_requested_format() {
    let app = TestApp::spawn().await;
    for format in ["png", "svg"] {
        let query = [("url", "example.org"), ("size", "4096"), ("format", format)];
        let response = app.qr(None, "url", &query).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["x-qr-preview"], "missing_key");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with("image/"), "{content_type}");
        assert!(content_type.contains(format), "{content_type}");
        assert_eq!(width_of(&response.bytes().await.unwrap()), 512, "{format}");
    }
    // Smaller previews keep their size.
    let small = app
        .qr(None, "url", &[("url", "example.org"), ("size", "200")])
        .await;
    assert_eq!(width_of(&small.bytes().await.unwrap()), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previews_beyond_their_budget_get_503_with_retry_after_at_once() {
    // Room for one 512 px preview at a time; keyless rate limits out of the way.
    let app = TestApp::spawn_with(|c| c.render.preview_pixels_in_flight = 512 * 512).await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let started = Instant::now();
    let asks: Vec<_> = (0..64)
        .map(|i| {
            let address = app.address.clone();
            tokio::spawn(async move {
                let url = format!(
                    "{address}/api/v1/qr/url?url=example.org/{i}&size=512&module_shape=dot"
                );
                let asked = Instant::now();
                let response = Browser::plain_client().get(url).send().await.unwrap();
                let retry_after = response.headers().get("retry-after").cloned();
                let content_type = response.headers()["content-type"].clone();
                (
                    response.status(),
                    retry_after,
                    content_type,
                    asked.elapsed(),
                )
            })
        })
        .collect();
    // A paying customer is served meanwhile: its renders have their own budget.
    let paid = app
        .qr(
            Some(&key),
            "url",
            &[("url", "example.org/paid"), ("module_shape", "dot")],
        )
        .await;
    assert_eq!(paid.status(), StatusCode::OK);
    let (mut drawn, mut refused) = (0, 0);
    for ask in asks {
        let (status, retry_after, content_type, took) = ask.await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => drawn += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                refused += 1;
                assert_eq!(retry_after.expect("Retry-After"), "1");
                assert_eq!(content_type, "application/problem+json");
                assert!(took < Duration::from_secs(2), "a refusal waited {took:?}");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        drawn >= 1 && refused >= 1,
        "drawn {drawn}, refused {refused}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn keyless_clients_in_one_ipv6_64_share_a_limit_behind_a_trusted_proxy() {
    let app = TestApp::spawn_with(|c| {
        c.server.trusted_proxies = vec!["127.0.0.1".into()];
        (c.limits.keyless_burst, c.limits.keyless_per_second) = (3, 1);
    })
    .await;
    let client = Browser::plain_client();
    let from = |client_ip: &'static str| {
        client
            .get(format!("{}/api/v1/qr/text?text=x&size=64", app.address))
            .header("x-forwarded-for", client_ip)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(
            from("2001:db8:1:2::1").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Another address of the same /64: the same client, already at its limit.
    let same = from("2001:db8:1:2:ffff::9").await.unwrap();
    assert_eq!(same.status(), StatusCode::TOO_MANY_REQUESTS);
    // The next /64 is someone else.
    assert_eq!(
        from("2001:db8:1:3::1").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_render_past_its_deadline_answers_503_and_counts_nothing() {
    let app = TestApp::spawn_with(|c| c.render.max_render_ms = 1).await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    // A styled 4096 px image takes far longer than a millisecond to draw.
    let query = [
        ("url", "example.org"),
        ("size", "4096"),
        ("module_shape", "dot"),
    ];
    let response = app.qr(Some(&key), "url", &query).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "urn:qrgate:problem:render-timeout");
    assert!(problem["detail"].as_str().unwrap().contains("not counted"));
    let usage: serde_json::Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(usage["used"], 0, "{usage}");
}

/// Keyed styled 1024 px renders completed, by phase, while 4 addresses flood keyless
/// 4096 px previews in every other phase. (1024 px: a test build draws a 4096 px image in
/// over a second; smaller ones give a hundred or more renders to compare in seconds.)
struct Throughput {
    quiet: usize,
    flooded: usize,
    flood_requests: usize,
    previews_drawn: usize,
    previews_refused: usize,
}

/// Each flooding address sends 100 requests a second (two lanes of 50), 50 times its
/// keyless allowance: enough to keep the rate limit and the preview budget saturated the
/// whole time. A faster flood only adds 429s, whose cost is plain HTTP (and on this test's
/// 2 shared cores, the flooding client's own), not previews.
const FLOOD_INTERVAL: Duration = Duration::from_millis(20);

#[derive(Clone, Default)]
struct Run {
    done: Arc<AtomicBool>,
    flooding: Arc<AtomicBool>,
    completions: Arc<Mutex<Vec<Instant>>>,
    flood_requests: Arc<AtomicUsize>,
    previews_drawn: Arc<AtomicUsize>,
    previews_refused: Arc<AtomicUsize>,
}

/// One lane of the paying customer: a request at a time, each a new URL (no cache hits).
async fn paying_lane(run: Run, address: String, key: String, lane: u32) {
    let client = Browser::plain_client();
    let design = "size=1024&module_shape=dot&eye_shape=rounded&fg=%231d4ed8";
    for n in 0.. {
        if run.done.load(Ordering::Relaxed) {
            break;
        }
        let url = format!("{address}/api/v1/qr/url?url=paid.example/{lane}/{n}&{design}");
        let response = client
            .get(url)
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.bytes().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        run.completions.lock().unwrap().push(Instant::now());
    }
}

/// One lane of a flooding address: keyless 4096 px requests, paced, while `flooding`.
async fn flood_lane(run: Run, address: String, source: u8, lane: u32) {
    let client = reqwest::Client::builder()
        .local_address(loopback(source))
        .build()
        .unwrap();
    let mut tick = tokio::time::interval(FLOOD_INTERVAL);
    for n in 0.. {
        tick.tick().await;
        if run.done.load(Ordering::Relaxed) {
            break;
        }
        if !run.flooding.load(Ordering::Relaxed) {
            continue;
        }
        let content = format!("url=free.example/{source}/{lane}/{n}");
        let url = format!("{address}/api/v1/qr/url?{content}&size=4096&module_shape=dot");
        let response = client.get(url).send().await.unwrap();
        run.flood_requests.fetch_add(1, Ordering::Relaxed);
        let counter = match response.status() {
            StatusCode::UNAUTHORIZED => Some(&run.previews_drawn),
            StatusCode::SERVICE_UNAVAILABLE => Some(&run.previews_refused),
            _ => None, // 429: over the address's rate limit
        };
        if let Some(counter) = counter {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        response.bytes().await.unwrap();
    }
}

async fn measure_under_flood(app: &TestApp, key: &str, phase: Duration, rounds: u32) -> Throughput {
    let run = Run::default();
    let mut lanes = Vec::new();
    for lane in 0..3 {
        let customer = paying_lane(run.clone(), app.address.clone(), key.to_owned(), lane);
        lanes.push(tokio::spawn(customer));
    }
    // 127.0.0.2 to 127.0.0.5, two lanes each, no key.
    for source in 2..=5u8 {
        for lane in 0..2 {
            lanes.push(tokio::spawn(flood_lane(
                run.clone(),
                app.address.clone(),
                source,
                lane,
            )));
        }
    }
    // Warm up, then alternate quiet and flooded phases of equal length, so that noise
    // from other work on the machine falls on both alike.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut phases = Vec::new();
    for _ in 0..rounds {
        for flood in [false, true] {
            run.flooding.store(flood, Ordering::Relaxed);
            let start = Instant::now();
            tokio::time::sleep(phase).await;
            phases.push((flood, start..Instant::now()));
        }
    }
    run.done.store(true, Ordering::Relaxed);
    for lane in lanes {
        lane.await.unwrap();
    }
    let completions = run.completions.lock().unwrap();
    let count = |flood: bool| -> usize {
        let in_phases = phases.iter().filter(|(f, _)| *f == flood);
        in_phases
            .map(|(_, during)| completions.iter().filter(|t| during.contains(*t)).count())
            .sum()
    };
    Throughput {
        quiet: count(false),
        flooded: count(true),
        flood_requests: run.flood_requests.load(Ordering::Relaxed),
        previews_drawn: run.previews_drawn.load(Ordering::Relaxed),
        previews_refused: run.previews_refused.load(Ordering::Relaxed),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_keyless_previews_leaves_a_paying_customer_70_percent_of_its_throughput() {
    let _alone = timed_alone().await;
    // The shipped keyless limits and budgets, as an attacker would meet them.
    let app = TestApp::spawn_with(|c| {
        let shipped = qrgate::config::Config::defaults();
        c.limits = shipped.limits;
        c.render.preview_ms_per_second = shipped.render.preview_ms_per_second;
        // Test builds draw slowly; this test is about budgets, not the deadline.
        c.render.max_render_ms = 60_000;
    })
    .await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let granted = app
        .admin()
        .await
        .grant("ada@example.org", "enterprise")
        .await;
    assert!(granted.status().is_success() || granted.status().is_redirection());
    let t = measure_under_flood(&app, &key, Duration::from_secs(3), 4).await;
    eprintln!(
        "styled 1024 px renders: {} quiet, {} under a flood of {} keyless requests ({} previews drawn, {} refused for the preview budget)",
        t.quiet, t.flooded, t.flood_requests, t.previews_drawn, t.previews_refused
    );
    assert!(t.quiet >= 20, "too few renders to compare: {}", t.quiet);
    assert!(t.flood_requests >= 1000, "the flood did not happen");
    assert!(t.previews_drawn >= 3, "no previews were drawn");
    assert!(
        t.flooded * 10 >= t.quiet * 7,
        "under the flood {} renders against {} quiet",
        t.flooded,
        t.quiet
    );
}
