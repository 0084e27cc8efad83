//! A seeded random sample of combined designs: shapes × colours × gradients × ECC ×
//! sizes 96–2048 × margins 0–6 × PNG and SVG (rasterised by resvg) × with and without a
//! logo. Each must be read exactly by rqrr and rxing, and by ZBar where installed.
//! The seed is printed (and named in any failure); `QRGATE_DESIGN_SEED=N` repeats a run.

use std::sync::Mutex;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use qrgate::qr::design::{Design, EyeBall, EyeFrame, ModuleShape};
use qrgate::qr::generate;

use crate::decode::{decode_all, grey};
use crate::support::{logo, pixels};

const SAMPLES: usize = 320;
const WORKERS: usize = 2;

/// One random design as request parameters, and its payload.
fn random_case(rng: &mut StdRng) -> (String, Vec<(&'static str, String)>, bool) {
    let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789/-_.?=&".chars().collect();
    let len = rng.gen_range(4..120);
    let mut payload = String::from("https://example.org/");
    payload.extend((0..len).map(|_| *alphabet.choose(rng).expect("letters")));
    if rng.gen_bool(0.1) {
        payload.push_str(" — café ✓");
    }
    let dark = |rng: &mut StdRng| {
        format!(
            "#{:02x}{:02x}{:02x}",
            rng.gen_range(0..90),
            rng.gen_range(0..90),
            rng.gen_range(0..110)
        )
    };
    let light = |rng: &mut StdRng| {
        format!(
            "#{:02x}{:02x}{:02x}",
            rng.gen_range(215..=255),
            rng.gen_range(215..=255),
            rng.gen_range(215..=255)
        )
    };
    let gradient = |rng: &mut StdRng, colour: &dyn Fn(&mut StdRng) -> String| {
        let stops: Vec<String> = (0..rng.gen_range(2..=4)).map(|_| colour(rng)).collect();
        if rng.gen_bool(0.5) {
            format!("linear:{}:{}", rng.gen_range(0..=360), stops.join(","))
        } else {
            format!("radial:{}", stops.join(","))
        }
    };
    let mut pairs: Vec<(&'static str, String)> = vec![
        ("module_shape", ModuleShape::NAMES.choose(rng).unwrap().to_string()),
        ("eye_frame", EyeFrame::NAMES.choose(rng).unwrap().to_string()),
        ("eye_ball", EyeBall::NAMES.choose(rng).unwrap().to_string()),
        ("ecc", ["L", "M", "Q", "H"].choose(rng).unwrap().to_string()),
        ("margin", rng.gen_range(0..=6).to_string()),
        ("format", ["png", "svg"].choose(rng).unwrap().to_string()),
        ("fg", dark(rng)),
    ];
    // Sizes spread evenly on a log scale, so small codes are as common as large ones.
    let size = (96f64 * (2048f64 / 96.0).powf(rng.gen_range(0.0..1.0))).round() as u32;
    pairs.push(("size", size.to_string()));
    if rng.gen_bool(0.3) {
        pairs.push(("fg_gradient", gradient(rng, &dark)));
    }
    match rng.gen_range(0..4) {
        0 => pairs.push(("eye_color", dark(rng))),
        1 => pairs.push(("eye_gradient", gradient(rng, &dark))),
        2 => {
            pairs.push(("eye_frame_color", dark(rng)));
            pairs.push(("eye_ball_color", dark(rng)));
        }
        _ => {}
    }
    match rng.gen_range(0..6) {
        0 => pairs.push(("bg", "transparent".into())),
        1 => pairs.push(("bg_gradient", gradient(rng, &light))),
        _ => pairs.push(("bg", light(rng))),
    }
    let with_logo = rng.gen_bool(0.25);
    (payload, pairs, with_logo)
}

#[test]
fn a_random_sample_of_designs_scans_in_every_family() {
    let seed: u64 = std::env::var("QRGATE_DESIGN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().r#gen());
    println!("design sample seed: {seed} (QRGATE_DESIGN_SEED={seed} repeats this run)");
    let mut rng = StdRng::seed_from_u64(seed);
    let cases: Vec<_> = (0..SAMPLES).map(|_| random_case(&mut rng)).collect();
    let failures = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    let logo = logo();
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                loop {
                    let i = {
                        let mut next = next.lock().unwrap();
                        *next += 1;
                        *next - 1
                    };
                    let Some((payload, pairs, with_logo)) = cases.get(i) else {
                        break;
                    };
                    if let Err(why) = check(payload, pairs, with_logo.then_some(&logo)) {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("case {i}: {payload:?} {pairs:?} logo={with_logo}: {why}"));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {SAMPLES} designs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check(
    payload: &str,
    pairs: &[(&'static str, String)],
    logo: Option<&qrgate::qr::render::LogoImage>,
) -> Result<(), String> {
    let design = Design::from_params(|name| {
        pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    })
    .map_err(|e| format!("design refused: {e}"))?;
    let image = generate(payload, &design, logo).map_err(|e| format!("not generated: {e}"))?;
    let readings = decode_all(&grey(&pixels(&image)));
    if readings.agreeing(payload).len() == readings.0.len() {
        Ok(())
    } else {
        Err(readings.failures(payload))
    }
}
