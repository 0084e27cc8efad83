//! The corpus of hostile logo files (`logo_cases`): each is refused by the upload's
//! conversion, or accepted and then drawn into a code, within 1 s and without allocating
//! more than 64 MiB at its peak. A counting allocator (this test has its own binary, so
//! it measures nothing else) records the peak.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use logo_cases::{Expect, corpus};
use qrgate::qr::design::Design;
use qrgate::qr::logo::convert;

#[path = "logo_cases/mod.rs"]
mod logo_cases;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// CPU time a case may cost (this thread's, so a loaded machine does not stretch it).
const MAX_TIME: Duration = Duration::from_secs(1);

/// CPU time used by the calling thread so far (user + system, from
/// `/proc/thread-self/stat`, in Linux's 1/100 s ticks).
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}
const MAX_PEAK: usize = 64 * 1024 * 1024;

/// Draws a 1024 px code in `format` with the converted logo.
fn draw(image: &qrgate::qr::logo::LogoImage, format: &str) -> usize {
    let design = Design::from_params(|n| match n {
        "size" => Some("1024"),
        "format" => Some(format),
        _ => None,
    })
    .unwrap();
    let no_limit = qrgate::qr::Deadline::none();
    qrgate::qr::generate("https://example.org/logo", &design, Some(image), no_limit)
        .expect("a code with an accepted logo draws")
        .bytes
        .len()
}

#[test]
fn every_hostile_logo_is_refused_or_drawn_quickly_and_cheaply() {
    let corpus = corpus();
    assert!(corpus.len() >= 80, "{} cases", corpus.len());
    for case in corpus {
        let name = &case.name;
        let baseline = CURRENT.load(Ordering::SeqCst);
        PEAK.store(baseline, Ordering::SeqCst);
        let started = Instant::now();
        let cpu_before = thread_cpu();
        let verdict = convert(&case.bytes);
        let converting = started.elapsed();
        let drawn = verdict
            .as_ref()
            .map(|c| (draw(&c.image, "png"), draw(&c.image, "svg")));
        let elapsed = started.elapsed();
        let cpu = thread_cpu() - cpu_before;
        let peak = PEAK.load(Ordering::SeqCst) - baseline;
        match case.expect {
            Expect::Refused => assert!(verdict.is_err(), "{name} was accepted"),
            Expect::Accepted => assert!(verdict.is_ok(), "{name} was refused: {verdict:?}"),
        }
        assert!(
            cpu < MAX_TIME,
            "{name} took {cpu:?} of CPU ({elapsed:?} of wall time)"
        );
        assert!(
            peak < MAX_PEAK,
            "{name} allocated {} MiB at its peak",
            peak >> 20
        );
        let outcome = match (&verdict, drawn) {
            (Err(e), _) => format!("refused: {e}"),
            (Ok(_), Ok((png, svg))) => format!("accepted; 1024 px code {png} B PNG, {svg} B SVG"),
            (Ok(_), Err(_)) => unreachable!(),
        };
        println!(
            "{name:<60} {:>7} KiB in {:>8.2?} ({converting:.2?} converting, {cpu:.2?} CPU), peak {:>6} KiB: {outcome}",
            case.bytes.len() >> 10,
            elapsed,
            peak >> 10,
        );
    }
}

#[test]
fn an_accepted_logo_is_drawn_from_its_sanitised_form_only() {
    let hostile = logo_cases::svg(
        "<rect width='100' height='100' fill='#1d4ed8' onload='alert(1)'/><!-- c --><?pi x?>",
    );
    let converted = convert(&hostile).unwrap();
    let svg = converted.image.svg.as_deref().unwrap();
    assert!(!svg.contains("onload") && !svg.contains("<!--") && !svg.contains("<?"));
    let code = draw(&converted.image, "svg");
    assert!(code > svg.len());
}
