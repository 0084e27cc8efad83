//! Property tests: escaping round-trips through a real decoder for arbitrary Unicode, the
//! renewal limit holds for any sequence of attempts, and the quota meter never over-serves
//! or goes negative whatever the interleaving.

use proptest::prelude::*;
use qrgate::domain::{RENEWAL_WINDOW_SECS, RenewalAllowance, RenewalReason, RenewalRecord};
use qrgate::gate::metering::UsageMeter;
use qrgate::qr::design::Design;
use qrgate::qr::payload::{Params, QrType, build_payload};
use qrgate::qr::{Deadline, generate};

use crate::decode::rqrr_png;

/// Printable text of any script (no control characters), 1–40 characters.
fn text() -> impl Strategy<Value = String> {
    "[^\\p{Cc}]{1,40}".prop_filter("not blank", |s| !s.trim().is_empty())
}

fn decode_payload(payload: &str) -> String {
    let design = Design {
        size: 700,
        ..Design::default()
    };
    rqrr_png(
        &generate(payload, &design, None, Deadline::none())
            .unwrap()
            .bytes,
    )
    .expect("decodes")
}

fn build(kind: &str, pairs: &[(&str, &str)]) -> Result<String, String> {
    let params: Params = pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    build_payload(QrType::parse(kind).unwrap(), &params).map_err(|e| e.to_string())
}

/// Reads a `WIFI:` field back, undoing the backslash escapes.
fn wifi_field(payload: &str, field: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = payload.strip_prefix("WIFI:")?.chars();
    let mut current = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.push(chars.next()?),
            ';' => {
                if let Some(value) = current.strip_prefix(&format!("{field}:")) {
                    out = value.to_owned();
                    return Some(out);
                }
                current.clear();
            }
            c => current.push(c),
        }
    }
    (!out.is_empty()).then_some(out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn wifi_credentials_survive_escaping_and_decoding(ssid in text(), password in "[^\\p{Cc}]{8,30}") {
        let ssid = ssid.trim().to_owned();
        let password = password.trim().to_owned();
        prop_assume!(ssid.len() <= 32 && password.chars().count() >= 8 && password.len() <= 63);
        let payload = build("wifi", &[("ssid", &ssid), ("password", &password)]).unwrap();
        let decoded = decode_payload(&payload);
        prop_assert_eq!(&decoded, &payload);
        let (read_ssid, read_password) = (wifi_field(&decoded, "S"), wifi_field(&decoded, "P"));
        prop_assert_eq!(read_ssid, Some(ssid));
        prop_assert_eq!(read_password, Some(password));
    }

    #[test]
    fn vcard_and_event_text_survives_decoding(name in text(), note in text()) {
        let name = name.trim().to_owned();
        let vcard = build("vcard", &[("first_name", &name), ("note", &note)]).unwrap();
        prop_assert_eq!(decode_payload(&vcard), vcard);
        let event = build("event", &[("title", &name), ("start", "2026-12-01T18:00:00Z"), ("description", &note)]).unwrap();
        prop_assert_eq!(decode_payload(&event), event);
    }

    #[test]
    fn free_text_sms_and_email_survive_decoding(message in text()) {
        for (kind, pairs) in [
            ("text", vec![("text", message.as_str())]),
            ("sms", vec![("number", "+15550100"), ("message", message.as_str())]),
            ("email", vec![("to", "a@example.org"), ("subject", message.trim())]),
        ] {
            let payload = build(kind, &pairs).unwrap();
            prop_assert_eq!(decode_payload(&payload), payload);
        }
    }

    #[test]
    fn the_renewal_limit_holds_for_any_sequence_of_attempts(gaps in prop::collection::vec(0i64..20_000, 1..60), limit in 1u32..8) {
        let mut log: Vec<RenewalRecord> = Vec::new();
        let mut now = 1_000_000;
        for gap in gaps {
            now += gap;
            if RenewalAllowance::from_log(&log, now, limit).next_allowed_at.is_none() {
                log.push(RenewalRecord { at: now, reason: RenewalReason::Compromise, old_prefix: None, new_prefix: String::new(), ip: String::new(), user_agent: String::new(), detail: None });
            }
        }
        // In every window of 24 hours ending at an accepted renewal, at most `limit`.
        for end in log.iter().map(|r| r.at) {
            let in_window = log.iter().filter(|r| r.at > end - RENEWAL_WINDOW_SECS && r.at <= end).count();
            prop_assert!(in_window <= limit as usize, "{} renewals within 24 h, limit {}", in_window, limit);
        }
    }

    #[test]
    fn the_quota_meter_never_over_serves_nor_goes_negative(ops in prop::collection::vec(0u8..3, 1..200), quota in 0u64..30, stored in 0u64..10) {
        let meter = UsageMeter::default();
        let mut served: u64 = stored;
        prop_assert_eq!(meter.used(1, 0, stored), stored);
        for op in ops {
            match op {
                0 | 1 => if meter.try_count(1, 0, quota).is_ok() { served += 1 },
                _ => if served > stored { meter.refund(1, 0); served -= 1 },
            }
            let used = meter.used(1, 0, 0);
            prop_assert_eq!(used, served);
            if quota > 0 {
                prop_assert!(used <= quota.max(stored), "used {} over quota {}", used, quota);
            }
        }
    }
}
