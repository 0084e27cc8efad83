//! The hostile logo corpus, shared by `tests/logo_corpus.rs` (the conversion in process,
//! with a counting allocator) and `tests/api/logos.rs` (the real binary, its peak RSS).
//! Each case says whether it must be refused or may be accepted (and then drawn within
//! bounds); the SVG cases reproduce issue 10 and every reference chain it names.
#![allow(dead_code)]

/// What must happen to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Refused,
    /// Accepted after sanitising, and drawn within bounds.
    Accepted,
}

pub struct Case {
    pub name: String,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

/// Every case: the first corpus and the SVG cases.
pub fn corpus() -> Vec<Case> {
    let mut cases: Vec<Case> = first_corpus()
        .into_iter()
        .map(|(name, bytes)| Case {
            name: name.to_owned(),
            bytes,
            expect: Expect::Refused,
        })
        .collect();
    cases.extend(svg_cases());
    cases
}

pub fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
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
pub fn png(width: u32, height: u32, scanlines: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
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

pub fn svg(body: &str) -> Vec<u8> {
    format!(r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">{body}</svg>"#).into_bytes()
}

/// The hostile files of the first corpus (raster bombs, references, bounds): all refused.
pub fn first_corpus() -> Vec<(&'static str, Vec<u8>)> {
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
    vec![
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

/// A chain of `n` links, `link(i)` each, after an opening and before a closing.
fn chain(n: usize, link: impl Fn(usize) -> String) -> String {
    (0..n).map(link).collect()
}

/// A kind of reference chain: its name, one link, what uses the chain's start.
type ChainKind = (&'static str, fn(usize) -> String, &'static str);

/// Reference chains of every kind the issue names, at depths 50, 500 and 5000.
fn chains() -> Vec<Case> {
    let kinds: [ChainKind; 6] = [
        (
            "<pattern> fills",
            |i| {
                format!(
                    "<pattern id='p{i}' width='9' height='9'><rect width='9' height='9' fill='url(#p{})'/></pattern>",
                    i + 1
                )
            },
            "<rect width='100' height='100' fill='url(#p0)'/>",
        ),
        (
            "<mask>s",
            |i| {
                format!(
                    "<mask id='m{i}'><rect width='99' height='99' fill='#fff' mask='url(#m{})'/></mask>",
                    i + 1
                )
            },
            "<rect width='100' height='100' mask='url(#m0)'/>",
        ),
        (
            "clip-paths",
            |i| {
                format!(
                    "<clipPath id='c{i}'><rect width='99' height='99' clip-path='url(#c{})'/></clipPath>",
                    i + 1
                )
            },
            "<rect width='100' height='100' clip-path='url(#c0)'/>",
        ),
        (
            "gradient hrefs",
            |i| format!("<linearGradient id='g{i}' href='#g{}'/>", i + 1),
            "<rect width='100' height='100' fill='url(#g0)'/>",
        ),
        (
            "<use>s",
            |i| format!("<g id='u{i}'><use href='#u{}'/></g>", i + 1),
            "<use href='#u0'/>",
        ),
        (
            "filter results",
            |i| {
                format!(
                    "<feGaussianBlur in='r{i}' result='r{}' stdDeviation='5'/>",
                    i + 1
                )
            },
            "",
        ),
    ];
    let mut out = Vec::new();
    for (what, link, tail) in kinds {
        for depth in [50, 500, 5000] {
            let links = chain(depth, link);
            let body = if what == "filter results" {
                format!(
                    "<filter id='f'><feFlood result='r0'/>{links}</filter><rect width='100' height='100' filter='url(#f)'/>"
                )
            } else {
                format!("<defs>{links}</defs>{tail}")
            };
            out.push(Case {
                name: format!("SVG with a chain of {depth} {what}"),
                bytes: svg(&body),
                expect: Expect::Refused,
            });
        }
    }
    out
}

/// A PNG header declaring `width`×`height`, with a little image data: what a `data:` URI
/// inside an SVG carried to make the renderer allocate gigabytes.
fn declared_png(width: u32, height: u32) -> Vec<u8> {
    png(width, height, &[0u8; 4096], &[])
}

fn refused(name: &str, bytes: Vec<u8>) -> Case {
    Case {
        name: name.to_owned(),
        bytes,
        expect: Expect::Refused,
    }
}

fn accepted(name: &str, bytes: Vec<u8>) -> Case {
    Case {
        name: name.to_owned(),
        bytes,
        expect: Expect::Accepted,
    }
}

/// The SVG cases of issue 10 beyond the chains: bombs, huge parameters, bounds.
pub fn svg_cases() -> Vec<Case> {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let bomb = b64(&declared_png(16_000, 16_000));
    let full_circles = |n: usize| "<circle cx='50' cy='50' r='50'/>".repeat(n);
    let long_path = format!("M0 0{}", "l1 1".repeat(200 * 1024 / 4));
    let many_segments = format!("M0 0{}", "l.1 .1".repeat(60 * 1024 / 7));
    let stops: String = (0..3000)
        .map(|i| {
            format!(
                "<stop offset='{}' stop-color='#{:06x}'/>",
                i as f32 / 3000.0,
                i * 5
            )
        })
        .collect();
    let nested_groups = |n: usize| {
        format!(
            "{}<rect width='9' height='9'/>{}",
            "<g>".repeat(n),
            "</g>".repeat(n)
        )
    };
    let layers = |n: usize, attr: &str| {
        format!(
            "<clipPath id='c'><circle cx='50' cy='50' r='45'/></clipPath>{}{}{}",
            format!("<g {attr}>").repeat(n),
            full_circles(4),
            "</g>".repeat(n)
        )
    };
    let mut cases = chains();
    cases.extend([
        refused("SVG with an <image> of a data: PNG declaring 16000×16000", svg(&format!("<image width='100' height='100' href='data:image/png;base64,{bomb}'/>"))),
        refused("SVG with 6 <image>s of that PNG bomb", svg(&format!("<image width='100' height='100' href='data:image/png;base64,{bomb}'/>").repeat(6))),
        refused("SVG with an <image> of itself as data: SVG", svg("<image width='9' height='9' href='data:image/svg+xml;base64,PHN2Zy8+'/>")),
        refused("SVG with a 100000-unit <pattern> tile (issue: 261 bytes)", br#"<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><pattern id="p" width="100000" height="100000" patternUnits="userSpaceOnUse"><rect width="100000" height="100000"/></pattern><rect width="16" height="16" fill="url(#p)"/></svg>"#.to_vec()),
        refused("SVG with feTurbulence numOctaves=1e9", svg("<filter id='f'><feTurbulence baseFrequency='0.05' numOctaves='1000000000'/></filter><rect width='100' height='100' filter='url(#f)'/>")),
        refused("SVG with feMorphology radius=1e6", svg("<filter id='f'><feMorphology operator='dilate' radius='1000000'/></filter><rect width='100' height='100' filter='url(#f)'/>")),
        refused("SVG with 3000 chained feGaussianBlur", svg(&format!("<filter id='f'>{}</filter><rect width='100' height='100' filter='url(#f)'/>", "<feGaussianBlur stdDeviation='50'/>".repeat(3000)))),
        refused("SVG with a filter on a style property", svg("<filter id='f'><feOffset/></filter><rect width='9' height='9' style='filter:url(#f)'/>")),
        refused("SVG with an external entity", br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>"#.to_vec()),
        refused("SVG with a 200 KB path", svg(&format!("<path d='{long_path}'/>"))),
        refused("SVG nested 33 groups deep", svg(&nested_groups(33))),
        refused("SVG with a <style> sheet", svg(&format!("<style>{}</style><rect class='a' width='9' height='9'/>", ".a{fill:red}".repeat(10_000)))),
        refused("SVG with <text>", svg("<text x='9' y='9' font-size='1e9'>QR</text>")),
        refused("SVG with 5 nested translucent layers", svg(&layers(5, "opacity='0.5'"))),
        refused("SVG whose gradients refer to each other (url(#a) → #b → #a)", svg("<linearGradient id='a' href='#b'/><linearGradient id='b' href='#a'/><rect width='9' height='9' fill='url(#a)'/>")),
        refused("SVG whose clip path clips itself", svg("<clipPath id='c'><rect width='9' height='9' clip-path='url(#c)'/></clipPath><rect width='9' height='9' clip-path='url(#c)'/>")),
        refused("SVG with a dash pattern of 0.001 on a long path", svg(&format!("<path d='{many_segments}' stroke='#000' stroke-dasharray='0.001'/>"))),
        refused("SVG with 3999 full-size circles", svg(&full_circles(3999))),
        refused("SVG with 12000 comments", svg(&"<!---->".repeat(12_000))),
        refused("SVG with a marker on every vertex", svg(&format!("<marker id='m'><circle r='1e6'/></marker><path d='{many_segments}' marker-mid='url(#m)'/>"))),
        accepted("SVG with onload= and unknown attributes (sanitised)", svg("<rect width='100' height='100' fill='#1d4ed8' onload='alert(1)' data-x='1'/><!-- c --><?pi x?>")),
        refused("SVG with 3000 gradient stops", svg(&format!("<radialGradient id='g'>{stops}</radialGradient><circle cx='50' cy='50' r='50' fill='url(#g)'/>"))),
        accepted("SVG with 16 gradient stops on 3 full-size circles", svg(&format!("<radialGradient id='g'>{}</radialGradient>{}", &stops[..stops.match_indices("<stop").nth(16).map_or(0, |(i, _)| i)], full_circles(3).replace("/>", " fill='url(#g)'/>")))),
        accepted("SVG with a 60 KiB path of 8000 segments", svg(&format!("<path d='{many_segments}' stroke='#000' stroke-width='0.5' stroke-linejoin='round'/>"))),
        accepted("SVG with a stroke 1000 wide", svg("<path d='M0 0L100 100' stroke='#000' stroke-width='1000'/>")),
        refused("SVG with a stroke 1e6 wide", svg("<path d='M0 0L100 100' stroke='#000' stroke-width='1000000'/>")),
        refused("SVG scaled by 1e8 (tiny-skia panicked on it)", svg("<g transform='scale(100000000)'><circle r='50'/></g>")),
        refused("SVG with coordinates of 1e9", svg("<path d='M-1e9 -1e9L1e9 1e9L0 1e9z'/>")),
        accepted("SVG with 4 nested clipped layers of full-size circles", svg(&layers(4, "clip-path='url(#c)' opacity='0.9'"))),
        accepted("SVG with 3999 small rects", svg(&"<rect width='1' height='1'/>".repeat(3999))),
        accepted("SVG 1 wide and 1000 high", br##"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1000"><rect width="1" height="1000" fill="#000"/></svg>"##.to_vec()),
        accepted("SVG with 32 full-size circles", svg(&full_circles(32))),
        refused("SVG with 33 full-size circles", svg(&full_circles(33))),
        refused("SVG with a gradient on 5 full-size circles", svg(&format!("<linearGradient id='g'><stop stop-color='red'/><stop offset='1' stop-color='blue'/></linearGradient>{}", full_circles(5).replace("/>", " fill='url(#g)'/>")))),
        accepted("SVG nested 31 groups deep", svg(&nested_groups(31))),
    ]);
    cases
}
