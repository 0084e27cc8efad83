//! A corpus of hostile logo files: each must be refused by the validator within 1 s and
//! without allocating more than 64 MiB at its peak. A counting allocator (this test has
//! its own binary, so it measures nothing else) records the peak.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use qrgate::qr::logo::validate;

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

const MAX_TIME: Duration = Duration::from_secs(1);
const MAX_PEAK: usize = 64 * 1024 * 1024;

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// A PNG built chunk by chunk, with correct CRCs, from an IHDR and raw scanlines.
fn png(width: u32, height: u32, scanlines: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    for c in extra {
        out.extend_from_slice(c);
    }
    out.extend(chunk(
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(scanlines, 9),
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

fn jpeg_with_size(width: u16, height: u16) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8]; // SOI
    out.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]); // SOF0, length 11, 8-bit
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&[1, 1, 0x11, 0]); // one component
    out.extend_from_slice(&[0xFF, 0xD9]); // EOI
    out
}

fn svg(body: &str) -> Vec<u8> {
    format!(r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">{body}</svg>"#).into_bytes()
}

fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    let ok_png = png(8, 8, &[0u8; 9 * 8], &[]);
    let mut gzip_svg = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    gzip_svg.extend(miniz_oxide::deflate::compress_to_vec(
        &svg("<rect width='9' height='9'/>"),
        6,
    ));
    let text_bomb = chunk(
        b"zTXt",
        &[
            b"k\0\0".as_slice(),
            &miniz_oxide::deflate::compress_to_vec_zlib(&vec![b'a'; 200 << 20], 9),
        ]
        .concat(),
    );
    let nested_uses = {
        let mut defs = String::from("<defs><rect id='l0' width='1' height='1'/>");
        for i in 1..=40 {
            defs.push_str(&format!(
                "<g id='l{i}'><use href='#l{}'/><use href='#l{}'/><use href='#l{}'/></g>",
                i - 1,
                i - 1,
                i - 1
            ));
        }
        defs.push_str("</defs><use href='#l40'/>");
        svg(&defs)
    };
    let deep = svg(&format!("{}{}", "<g>".repeat(2000), "</g>".repeat(2000)));
    let many = svg(&"<rect width='1' height='1'/>".repeat(8000));
    let laughs = br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>"#.to_vec();
    let mut bad_crc = ok_png.clone();
    let last = bad_crc.len() - 20;
    bad_crc[last] ^= 0xFF;
    let pattern_chain = {
        let mut body = String::from("<defs>");
        for i in 0..1000 {
            body.push_str(&format!("<pattern id='p{i}' width='10' height='10' patternUnits='userSpaceOnUse'><rect width='10' height='10' fill='url(#p{})'/></pattern>", i + 1));
        }
        body.push_str("<pattern id='p1000' width='10' height='10'><rect width='5' height='5'/></pattern></defs><rect width='100' height='100' fill='url(#p0)'/>");
        svg(&body)
    };
    let mask_chain = {
        let mut body = String::from("<defs>");
        for i in 0..600 {
            body.push_str(&format!("<mask id='m{i}'><rect width='100' height='100' fill='white' mask='url(#m{})'/></mask>", i + 1));
        }
        body.push_str("<mask id='m600'><rect width='100' height='100' fill='white'/></mask></defs><rect width='100' height='100' mask='url(#m0)'/>");
        svg(&body)
    };
    vec![
        ("SVG with a chain of 1000 <pattern>s", pattern_chain),
        ("SVG with a chain of 600 <mask>s", mask_chain),
        ("PNG declaring 100000×100000", png(100_000, 100_000, &[0; 16], &[])),
        ("PNG declaring 1025×1", png(1025, 1, &[0; 1026], &[])),
        ("PNG declaring 0×0", png(0, 0, &[], &[])),
        ("PNG with a 200 MiB compressed-text bomb", png(8, 8, &[0u8; 72], &[text_bomb])),
        ("PNG whose image data inflates far past its size", png(16, 16, &vec![0u8; 50 << 20], &[])),
        ("PNG truncated", ok_png[..ok_png.len() / 2].to_vec()),
        ("PNG with a corrupt checksum", bad_crc),
        ("PNG signature only", b"\x89PNG\r\n\x1a\n".to_vec()),
        ("JPEG declaring 65000×65000", jpeg_with_size(65_000, 65_000)),
        ("JPEG declaring 2000×10", jpeg_with_size(2000, 10)),
        ("JPEG with no image data", jpeg_with_size(64, 64)),
        ("JPEG magic only", vec![0xFF, 0xD8, 0xFF]),
        ("GIF", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec()),
        ("BMP", b"BM\x3e\0\0\0\0\0\0\0\x3e\0\0\0".to_vec()),
        ("WebP", b"RIFF\x1a\0\0\0WEBPVP8 ".to_vec()),
        ("empty file", Vec::new()),
        ("gzip-compressed SVG", gzip_svg),
        ("SVG with a file: image", svg("<image xlink:href='file:///etc/passwd' width='10' height='10'/>")),
        ("SVG with an http: image", svg("<image href='http://169.254.169.254/latest' width='10' height='10'/>")),
        ("SVG with an external font in a style", svg("<style>@font-face{src:url(https://evil.example/f.woff)}</style>")),
        ("SVG with @import", svg("<style>@import 'https://evil.example/x.css';</style>")),
        ("SVG with an external fill", svg("<rect fill='url(https://evil.example/p#g)' width='9' height='9'/>")),
        ("SVG with a script", svg("<script>fetch('/api/v1/usage')</script>")),
        ("SVG with foreignObject", svg("<foreignObject><iframe src='https://evil.example'/></foreignObject>")),
        ("SVG with entity expansion", laughs),
        ("SVG with 3^40 nested <use>", nested_uses),
        ("SVG nested 2000 deep", deep),
        ("SVG with 8000 elements", many),
        ("SVG 100000×100000", br#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"/>"#.to_vec()),
        ("SVG with a huge viewBox and no size", br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1e9 1e9"><rect width="1e9" height="1e9"/></svg>"#.to_vec()),
        ("SVG that is not XML", b"<svg><<<".to_vec()),
        ("oversized file (256 KiB + 1)", vec![b' '; 256 * 1024 + 1]),
    ]
}

#[test]
fn every_hostile_logo_is_refused_quickly_and_cheaply() {
    let corpus = corpus();
    assert!(corpus.len() >= 20);
    for (name, bytes) in corpus {
        let baseline = CURRENT.load(Ordering::SeqCst);
        PEAK.store(baseline, Ordering::SeqCst);
        let started = Instant::now();
        let verdict = validate(&bytes);
        if let Ok(info) = &verdict {
            let design = qrgate::qr::design::Design::from_params(|n| match n {
                "size" => Some("1024"),
                "format" => Some("png"),
                _ => None,
            })
            .unwrap();
            let logo = qrgate::qr::render::LogoImage {
                mime: info.mime,
                bytes: bytes.clone(),
            };
            let drawn = qrgate::qr::generate("https://example.org", &design, Some(&logo));
            println!("{name}: drawn {:?}", drawn.map(|i| i.bytes.len()));
        }
        let elapsed = started.elapsed();
        let peak = PEAK.load(Ordering::SeqCst) - baseline;
        assert!(verdict.is_err(), "{name} was accepted");
        assert!(elapsed < MAX_TIME, "{name} took {elapsed:?}");
        assert!(
            peak < MAX_PEAK,
            "{name} allocated {} MiB at its peak",
            peak >> 20
        );
        println!(
            "refused {name:<45} in {:>8.2?}, peak {:>6} KiB: {}",
            elapsed,
            peak >> 10,
            verdict.unwrap_err()
        );
    }
}
