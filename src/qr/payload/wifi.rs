//! `wifi`: the `WIFI:` format from ZXing, which Android and iOS cameras read to join a
//! network: `WIFI:T:WPA;S:<ssid>;P:<password>;H:true;;`.

use super::{ParamKind, ParamSpec, Params, PayloadError, required};

const SECURITY: &[&str] = &["WPA", "WEP", "nopass"];

pub const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "ssid",
        required: true,
        kind: ParamKind::Text,
        // IEEE 802.11: an SSID is at most 32 octets.
        max_bytes: 32,
        default: None,
        description: "The network name, exactly as the router broadcasts it.",
        example: "Café Guest",
    },
    ParamSpec {
        name: "password",
        // Required unless security is nopass; checked in `build`, which knows the security.
        required: false,
        kind: ParamKind::Text,
        max_bytes: 63,
        default: None,
        description: "The network password; required unless security is nopass.",
        example: "correct horse battery",
    },
    ParamSpec {
        name: "security",
        required: false,
        kind: ParamKind::Enum(SECURITY),
        default: Some("WPA"),
        max_bytes: 20,
        description: "WPA (also WPA2 and WPA3), WEP, or nopass for an open network.",
        example: "WPA",
    },
    ParamSpec {
        name: "hidden",
        required: false,
        kind: ParamKind::Bool,
        max_bytes: 20,
        default: Some("false"),
        description: "Whether the network hides its name, so phones must look for it.",
        example: "false",
    },
];

pub fn build(params: &Params) -> Result<String, PayloadError> {
    let ssid = required(params, "ssid")?;
    let security = params.get("security").unwrap_or("WPA");
    let mut payload = format!("WIFI:T:{security};S:{};", escape(ssid));
    // An open network has no password; one given anyway is ignored rather than refused,
    // so switching a form to "nopass" does not require clearing the field first.
    if security != "nopass" {
        let password = params.get("password").ok_or_else(|| {
            PayloadError::new(
                "password",
                format!("is required for {security} networks; use security=nopass for an open one"),
            )
        })?;
        check_password(security, password)
            .map_err(|message| PayloadError::new("password", message))?;
        payload.push_str(&format!("P:{};", escape(password)));
    }
    if params.get("hidden") == Some("true") {
        payload.push_str("H:true;");
    }
    payload.push(';');
    Ok(payload)
}

/// What the access point will accept: a password it would refuse makes a code that
/// silently fails to connect, which is worse than an error now.
fn check_password(security: &str, password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    match security {
        "WPA" if !(8..=63).contains(&chars) => Err(format!(
            "must be 8 to 63 characters for WPA; it has {chars}"
        )),
        "WEP" => {
            let ascii_key = password.is_ascii() && matches!(chars, 5 | 13);
            let hex_key =
                password.bytes().all(|b| b.is_ascii_hexdigit()) && matches!(chars, 10 | 26);
            if ascii_key || hex_key {
                Ok(())
            } else {
                Err(format!(
                    "must be 5 or 13 ASCII characters, or 10 or 26 hexadecimal digits, for WEP; \
                     it has {chars} characters"
                ))
            }
        }
        _ => Ok(()),
    }
}

/// The format's special characters are escaped with a backslash, so that a `;` in a
/// password does not end the field.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        if matches!(c, '\\' | ';' | ',' | ':' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::payload::{QrType, build_payload};

    fn wifi(pairs: &[(&str, &str)]) -> Result<String, PayloadError> {
        build_payload(QrType::Wifi, &pairs.iter().copied().collect())
    }

    #[test]
    fn a_wpa_network_defaults_to_wpa_and_not_hidden() {
        assert_eq!(
            wifi(&[("ssid", "HomeNet"), ("password", "hunter2hunter2")]).unwrap(),
            "WIFI:T:WPA;S:HomeNet;P:hunter2hunter2;;"
        );
    }

    #[test]
    fn wifi_special_characters_are_backslash_escaped() {
        assert_eq!(
            wifi(&[("ssid", "Café;Net"), ("password", "pa:ss,\"word\\")]).unwrap(),
            "WIFI:T:WPA;S:Café\\;Net;P:pa\\:ss\\,\\\"word\\\\;;"
        );
        assert_eq!(
            wifi(&[("ssid", r#"a\b;c,d:e"f"#), ("password", r#";;,,::""\\"#)]).unwrap(),
            r#"WIFI:T:WPA;S:a\\b\;c\,d\:e\"f;P:\;\;\,\,\:\:\"\"\\\\;;"#
        );
    }

    #[test]
    fn emoji_and_non_ascii_names_are_kept() {
        assert_eq!(
            wifi(&[
                ("ssid", "🐈 Katzen-WLAN"),
                ("password", "schnurr schnurr"),
                ("security", "wpa")
            ])
            .unwrap(),
            "WIFI:T:WPA;S:🐈 Katzen-WLAN;P:schnurr schnurr;;"
        );
    }

    #[test]
    fn hidden_networks_say_h_true() {
        assert_eq!(
            wifi(&[("ssid", "x"), ("password", "12345678"), ("hidden", "YES")]).unwrap(),
            "WIFI:T:WPA;S:x;P:12345678;H:true;;"
        );
        assert_eq!(
            wifi(&[("ssid", "x"), ("password", "12345678"), ("hidden", "0")]).unwrap(),
            "WIFI:T:WPA;S:x;P:12345678;;"
        );
    }

    #[test]
    fn open_networks_have_no_password_field() {
        assert_eq!(
            wifi(&[("ssid", "Free"), ("security", "NOPASS")]).unwrap(),
            "WIFI:T:nopass;S:Free;;"
        );
        assert_eq!(
            wifi(&[
                ("ssid", "Free"),
                ("security", "nopass"),
                ("password", "ignored"),
                ("hidden", "true")
            ])
            .unwrap(),
            "WIFI:T:nopass;S:Free;H:true;;"
        );
    }

    #[test]
    fn wep_keys_are_5_or_13_ascii_or_10_or_26_hex() {
        for key in [
            "abcde",
            "0123456789abc",
            "0123456789",
            "0123456789ABCDEF0123456789",
        ] {
            assert_eq!(
                wifi(&[("ssid", "old"), ("security", "WEP"), ("password", key)]).unwrap(),
                format!("WIFI:T:WEP;S:old;P:{key};;")
            );
        }
        for key in ["abcd", "abcdef", "éabcd", "0123456789abcdefghij012345"] {
            let err = wifi(&[("ssid", "old"), ("security", "wep"), ("password", key)]).unwrap_err();
            assert_eq!(err.parameter, "password");
            assert!(
                err.message.starts_with("must be 5 or 13 ASCII characters"),
                "{key}"
            );
        }
    }

    #[test]
    fn wpa_passwords_are_8_to_63_characters() {
        let err = wifi(&[("ssid", "x"), ("password", "short")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "password: must be 8 to 63 characters for WPA; it has 5"
        );
        assert!(wifi(&[("ssid", "x"), ("password", &"p".repeat(63))]).is_ok());
        let err = wifi(&[("ssid", "x"), ("password", &"p".repeat(64))]).unwrap_err();
        assert_eq!(err.message, "is 64 bytes long; at most 63 are allowed");
    }

    #[test]
    fn a_password_is_required_unless_the_network_is_open() {
        let err = wifi(&[("ssid", "x")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "password: is required for WPA networks; use security=nopass for an open one"
        );
        let err = wifi(&[("ssid", "x"), ("security", "WEP"), ("password", "  ")]).unwrap_err();
        assert_eq!(
            err.message,
            "is required for WEP networks; use security=nopass for an open one"
        );
    }

    #[test]
    fn bad_ssids_security_and_hidden_values_are_refused() {
        assert_eq!(
            wifi(&[("password", "12345678")]).unwrap_err(),
            PayloadError::new("ssid", "is required")
        );
        let err = wifi(&[("ssid", &"s".repeat(33)), ("password", "12345678")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ssid: is 33 bytes long; at most 32 are allowed"
        );
        let err = wifi(&[
            ("ssid", "x"),
            ("password", "12345678"),
            ("security", "WPA2"),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "security: must be one of WPA, WEP, nopass; got \"WPA2\""
        );
        let err =
            wifi(&[("ssid", "x"), ("password", "12345678"), ("hidden", "maybe")]).unwrap_err();
        assert_eq!(err.parameter, "hidden");
        let err = wifi(&[("ssid", "a\nb"), ("password", "12345678")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ssid: must be a single line; line breaks are not allowed"
        );
    }
}
