//! The per-scan cost of the dynamic-code redirect's own work (`cargo bench --bench
//! links`): classifying the User-Agent, and the whole count (classification, referrer
//! and language, the keyed unique-visitor hash and the tally), next to the slug lookup,
//! with the classification cache the redirect uses.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{Criterion, criterion_group, criterion_main};
use qrgate::links::agent::{AgentCache, classify};
use qrgate::links::tally::Scan;
use qrgate::links::{Directory, DynamicCode, Owner, ScanTally, visit};

const AGENTS: [(&str, &str); 4] = [
    (
        "iphone_safari",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    ),
    (
        "android_chrome",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    ),
    (
        "windows_edge",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    ),
    (
        "slackbot",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    ),
];

fn classification(c: &mut Criterion) {
    for (name, agent) in AGENTS {
        c.bench_function(&format!("classify {name}"), |b| {
            b.iter(|| classify(black_box(Some(agent))))
        });
    }
}

fn whole_scan(c: &mut Criterion) {
    let code = DynamicCode {
        id: 7,
        account_id: 1,
        seq: 1,
        slug: "k3x9q2mf".into(),
        target: "https://example.org/menu".into(),
        name: String::new(),
        paused: false,
        design: Default::default(),
        created_at: 0,
        updated_at: 0,
        deleted_at: None,
    };
    let owner = Owner {
        exists: true,
        disabled: false,
        period_end: i64::MAX / 2,
        generation: 0,
    };
    let directory = Directory::load(&[code], &[(1, owner)]);
    c.bench_function("resolve slug", |b| {
        b.iter(|| directory.resolve(black_box("k3x9q2mf"), 1_790_000_000, 0))
    });
    let agents = AgentCache::default();
    c.bench_function("classify iphone_safari, cached", |b| {
        b.iter(|| agents.classify(black_box(Some(AGENTS[0].1))))
    });
    let tally = ScanTally::default();
    let mut n = 0u32;
    c.bench_function("count a scan (iphone_safari, class cached)", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            let referrer = visit::referrer_host(None);
            let language = visit::first_language(Some("en-US,en;q=0.9"));
            tally.record(&Scan {
                code_id: 7,
                at: 1_790_000_000,
                client: agents.classify(Some(AGENTS[0].1)),
                referrer: referrer.as_deref(),
                language: language.as_deref(),
                ip: IpAddr::V4(Ipv4Addr::from(n)),
                agent: AGENTS[0].1,
            })
        })
    });
}

criterion_group!(benches, classification, whole_scan);
criterion_main!(benches);
