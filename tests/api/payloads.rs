//! Every QR type with ordinary and hard inputs: build the payload, render it, decode it
//! with rqrr (and ZBar where installed), and compare with the expected text exactly.

use qrgate::qr::design::Design;
use qrgate::qr::payload::{Params, QrType, build_payload};
use qrgate::qr::{Deadline, generate};

use crate::decode::{rqrr_png, zbar_available, zbar_png};

fn payload(kind: &str, pairs: &[(&str, &str)]) -> String {
    let mut params = Params::new();
    for (name, value) in pairs {
        params.insert(name, (*value).to_owned());
    }
    build_payload(QrType::parse(kind).unwrap(), &params)
        .unwrap_or_else(|e| panic!("{kind} {pairs:?}: {e}"))
}

/// Renders at a size that suits the content and checks both decoders read it back.
fn assert_round_trip(text: &str) {
    let design = Design {
        size: 1000,
        margin: 4,
        ..Design::default()
    };
    let png = generate(text, &design, None, Deadline::none())
        .unwrap()
        .bytes;
    assert_eq!(rqrr_png(&png).as_deref(), Ok(text), "rqrr");
    if zbar_available() {
        assert_eq!(zbar_png(&png).as_deref(), Ok(text), "zbar");
    }
}

/// A QR type, its parameters, and the exact payload expected.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

/// Payloads whose exact text is written out here, independently of the builders.
#[test]
fn known_payloads_are_built_exactly_and_decode_back() {
    let cases: &[Case] = &[
        (
            "url",
            &[("url", "example.org/menu?a=1&b=2")],
            "https://example.org/menu?a=1&b=2",
        ),
        (
            "url",
            &[("url", "HTTP://Example.org")],
            "http://Example.org",
        ),
        (
            "text",
            &[("text", "Grüße aus Köln 🌷 — 東京")],
            "Grüße aus Köln 🌷 — 東京",
        ),
        (
            "email",
            &[
                ("to", "ada@example.org"),
                ("subject", "Hi & bye"),
                ("body", "Line 1\nLine 2"),
            ],
            "mailto:ada@example.org?subject=Hi%20%26%20bye&body=Line%201%0D%0ALine%202",
        ),
        (
            "phone",
            &[("number", "+49 (30) 123-4567")],
            "tel:+49301234567",
        ),
        (
            "sms",
            &[("number", "+1 555 0100"), ("message", "See you at 10:30")],
            "SMSTO:+15550100:See you at 10:30",
        ),
        (
            "wifi",
            &[("ssid", "Café;Net"), ("password", "pa:ss,\"word\\")],
            "WIFI:T:WPA;S:Café\\;Net;P:pa\\:ss\\,\\\"word\\\\;;",
        ),
        (
            "wifi",
            &[
                ("ssid", "Guests"),
                ("security", "nopass"),
                ("hidden", "true"),
            ],
            "WIFI:T:nopass;S:Guests;H:true;;",
        ),
        (
            "geo",
            &[("lat", "48.8584"), ("lng", "-2.2945")],
            "geo:48.8584,-2.2945",
        ),
    ];
    for (kind, pairs, expected) in cases {
        let built = payload(kind, pairs);
        assert_eq!(&built, expected, "{kind}");
        assert_round_trip(&built);
    }
}

#[test]
fn vcards_escape_commas_semicolons_and_newlines_and_decode_back() {
    let built = payload(
        "vcard",
        &[
            ("first_name", "Ada"),
            ("last_name", "Lovelace, Countess"),
            ("org", "Analytical; Engines"),
            ("phone", "+44 20 7946 0958"),
            ("email", "ada@example.org"),
            (
                "note",
                "First line\nSecond; with, punctuation and a long tail that will certainly need folding at 75 octets",
            ),
        ],
    );
    assert!(
        built.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"),
        "{built}"
    );
    assert!(
        built.contains("N:Lovelace\\, Countess;Ada;;;\r\n"),
        "{built}"
    );
    assert!(built.contains("ORG:Analytical\\; Engines\r\n"), "{built}");
    assert!(
        built.contains("NOTE:First line\\nSecond\\; with\\, punctuation"),
        "{built}"
    );
    assert!(
        built.split("\r\n").all(|line| line.len() <= 75),
        "lines are folded"
    );
    assert!(built.ends_with("END:VCARD"));
    assert_round_trip(&built);
}

#[test]
fn events_are_vevents_in_utc_and_decode_back() {
    let built = payload(
        "event",
        &[
            ("title", "Launch; party, 🎉"),
            ("start", "2026-12-01T18:00+01:00"),
            ("end", "2026-12-01T20:30:00+01:00"),
            ("location", "Berlin"),
        ],
    );
    assert!(built.contains("BEGIN:VEVENT\r\n"), "{built}");
    assert!(built.contains("DTSTART:20261201T170000Z\r\n"), "{built}");
    assert!(built.contains("DTEND:20261201T193000Z\r\n"), "{built}");
    assert!(
        built.contains("SUMMARY:Launch\\; party\\, 🎉\r\n"),
        "{built}"
    );
    assert!(built.contains("UID:") && built.contains("DTSTAMP:"));
    assert_round_trip(&built);
}

#[test]
fn text_near_capacity_decodes_back() {
    // 2,300 bytes fits ECC M (2,331 bytes at version 40).
    let text: String = "The quick brown fox jumps over the lazy dog. "
        .repeat(52)
        .chars()
        .take(2300)
        .collect();
    assert_round_trip(&payload("text", &[("text", &text)]));
}

#[test]
fn every_type_built_from_its_documented_examples_decodes_back() {
    for kind in QrType::ALL {
        let mut params = Params::new();
        for spec in kind.params() {
            params.insert(spec.name, spec.example.to_owned());
        }
        let built =
            build_payload(kind, &params).unwrap_or_else(|e| panic!("{}: {e}", kind.as_str()));
        assert_round_trip(&built);
    }
}
