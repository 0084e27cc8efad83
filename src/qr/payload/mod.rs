//! What a QR code says: the payload string for each kind of code (a link, a Wi-Fi login, a
//! contact card, ...), built from the caller's parameters.
//!
//! Every type declares its parameters in a [`ParamSpec`] table. The same table drives the
//! generic validation (required, length, control characters, kind), the API documentation
//! page and the examples, so the three cannot drift apart. Pure functions: no I/O, no clock.

use std::collections::BTreeMap;

mod datetime;
mod email;
mod event;
mod geo;
mod phone;
mod sms;
mod text;
mod text_rules;
pub(crate) mod url;
mod validate;
mod vcard;
mod wifi;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrType {
    Url,
    Text,
    Email,
    Phone,
    Sms,
    Wifi,
    Vcard,
    Geo,
    Event,
}

impl QrType {
    pub const ALL: [QrType; 9] = [
        QrType::Url,
        QrType::Text,
        QrType::Email,
        QrType::Phone,
        QrType::Sms,
        QrType::Wifi,
        QrType::Vcard,
        QrType::Geo,
        QrType::Event,
    ];

    /// The name used in the API (`type=wifi`). Exact lowercase only, so that every name
    /// has one spelling in URLs and caches.
    pub fn parse(s: &str) -> Option<QrType> {
        QrType::ALL.into_iter().find(|kind| kind.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            QrType::Url => "url",
            QrType::Text => "text",
            QrType::Email => "email",
            QrType::Phone => "phone",
            QrType::Sms => "sms",
            QrType::Wifi => "wifi",
            QrType::Vcard => "vcard",
            QrType::Geo => "geo",
            QrType::Event => "event",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            QrType::Url => "Website URL",
            QrType::Text => "Text",
            QrType::Email => "Email",
            QrType::Phone => "Phone",
            QrType::Sms => "SMS",
            QrType::Wifi => "Wi-Fi",
            QrType::Vcard => "vCard",
            QrType::Geo => "Location",
            QrType::Event => "Event",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            QrType::Url => "Opens a web page in the scanner's browser.",
            QrType::Text => "Shows a piece of text on the scanner's screen.",
            QrType::Email => "Starts an email to one address, with the subject and body filled in.",
            QrType::Phone => "Offers to call a phone number.",
            QrType::Sms => "Starts a text message to a phone number, with the message filled in.",
            QrType::Wifi => "Joins a Wi-Fi network without typing its password.",
            QrType::Vcard => "Offers to save a contact card to the address book.",
            QrType::Geo => "Opens a point on the map in the scanner's maps app.",
            QrType::Event => "Offers to add an event to the scanner's calendar.",
        }
    }

    /// The parameter table, in display order.
    pub fn params(self) -> &'static [ParamSpec] {
        match self {
            QrType::Url => url::PARAMS,
            QrType::Text => text::PARAMS,
            QrType::Email => email::PARAMS,
            QrType::Phone => phone::PARAMS,
            QrType::Sms => sms::PARAMS,
            QrType::Wifi => wifi::PARAMS,
            QrType::Vcard => vcard::PARAMS,
            QrType::Geo => geo::PARAMS,
            QrType::Event => event::PARAMS,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// One line: no CR/LF allowed.
    Text,
    /// CR/LF allowed; kept exactly as given (not trimmed).
    Multiline,
    Email,
    Url,
    Phone,
    /// One of these, matched case-insensitively and normalised to the listed spelling.
    Enum(&'static [&'static str]),
    /// true/false, 1/0 or yes/no, normalised to `true`/`false`.
    Bool,
    /// A plain decimal (`-?digits[.digits]`), inclusive range.
    Number {
        min: f64,
        max: f64,
    },
    /// An RFC 3339 date-time with a zone offset, or a date alone.
    DateTime,
    /// A UTC calendar day, `YYYY-MM-DD`, from the year 2000 on.
    Date,
    /// A whole number (ASCII digits only), inclusive range, counted in `unit`.
    Integer {
        min: u32,
        max: u32,
        unit: &'static str,
    },
    /// `#RRGGBB` or `RRGGBB`, normalised to lower-case `#rrggbb`; with `transparent`, the
    /// word `transparent` too.
    Color {
        transparent: bool,
    },
    /// An id the API handed out (such as a logo's): ASCII letters, digits and `_`.
    Identifier,
    /// A colour gradient, `linear:ANGLE:COLOURS` or `radial:COLOURS` (`crate::qr::gradient`),
    /// normalised to its one spelling.
    Gradient,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub required: bool,
    pub kind: ParamKind,
    /// Longest accepted value in UTF-8 bytes.
    pub max_bytes: usize,
    pub default: Option<&'static str>,
    /// One short sentence for the docs page.
    pub description: &'static str,
    /// A realistic example value; it passes its own validation (tested). Empty only for an
    /// optional parameter whose values exist only after another call (a logo id).
    pub example: &'static str,
}

/// Parameter values as received (query string or JSON), by name.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Last one wins, as with repeated query parameters.
    pub fn insert(&mut self, name: &str, value: String) {
        self.values.insert(name.to_owned(), value);
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }
}

impl<K: AsRef<str>, V: Into<String>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut params = Params::new();
        for (name, value) in iter {
            params.insert(name.as_ref(), value.into());
        }
        params
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct PayloadError {
    pub parameter: &'static str,
    pub message: String,
}

impl PayloadError {
    fn new(parameter: &'static str, message: impl Into<String>) -> Self {
        Self {
            parameter,
            message: message.into(),
        }
    }
}

/// Validates raw values against any parameter table: the design parameters go through
/// the same checks as the content ones. Returns the clean values (trimmed, normalised,
/// defaulted); an error names the parameter.
pub fn validate_params(specs: &[ParamSpec], raw: &Params) -> Result<Params, PayloadError> {
    validate::validate(specs, raw)
}

/// Checks one present value against its spec, as [`validate_params`] would; for tests
/// that prove the declared examples and defaults are valid.
pub fn check_value(spec: &ParamSpec, value: &str) -> Result<String, String> {
    validate::check(spec, value)
}

/// Validates `params` against `kind.params()` (generic checks driven by the table), then
/// builds the payload string with the type's own rules.
pub fn build_payload(kind: QrType, params: &Params) -> Result<String, PayloadError> {
    let clean = validate::validate(kind.params(), params)?;
    match kind {
        QrType::Url => url::build(&clean),
        QrType::Text => text::build(&clean),
        QrType::Email => email::build(&clean),
        QrType::Phone => phone::build(&clean),
        QrType::Sms => sms::build(&clean),
        QrType::Wifi => wifi::build(&clean),
        QrType::Vcard => vcard::build(&clean),
        QrType::Geo => geo::build(&clean),
        QrType::Event => event::build(&clean),
    }
}

/// For the builders: they run on validated parameters, where a required one is always
/// present, but they stay total (an error, not a panic) if called on raw ones.
fn required<'a>(params: &'a Params, name: &'static str) -> Result<&'a str, PayloadError> {
    params
        .get(name)
        .ok_or_else(|| PayloadError::new(name, "is required"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples(kind: QrType) -> Params {
        kind.params()
            .iter()
            .map(|spec| (spec.name, spec.example))
            .collect()
    }

    #[test]
    fn every_type_round_trips_through_its_name() {
        for kind in QrType::ALL {
            assert_eq!(QrType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(QrType::parse("WIFI"), None);
        assert_eq!(QrType::parse(" url"), None);
        assert_eq!(QrType::parse(""), None);
    }

    #[test]
    fn every_example_passes_its_own_validation() {
        for kind in QrType::ALL {
            for spec in kind.params() {
                let result = validate::check(spec, spec.example);
                assert!(
                    result.is_ok(),
                    "{}.{}: {result:?}",
                    kind.as_str(),
                    spec.name
                );
            }
        }
    }

    #[test]
    fn every_default_passes_its_own_validation() {
        for kind in QrType::ALL {
            for spec in kind.params() {
                if let Some(default) = spec.default {
                    assert!(validate::check(spec, default).is_ok(), "{}", spec.name);
                }
            }
        }
    }

    #[test]
    fn every_type_builds_from_its_examples() {
        for kind in QrType::ALL {
            let payload = build_payload(kind, &examples(kind));
            assert!(payload.is_ok(), "{}: {payload:?}", kind.as_str());
            assert!(!payload.unwrap().is_empty());
        }
    }

    #[test]
    fn every_table_is_well_formed() {
        for kind in QrType::ALL {
            let specs = kind.params();
            assert!(!specs.is_empty());
            assert!(!kind.summary().is_empty() && !kind.title().is_empty());
            for (i, spec) in specs.iter().enumerate() {
                assert!(
                    specs[..i].iter().all(|other| other.name != spec.name),
                    "duplicate {}",
                    spec.name
                );
                assert!(spec.max_bytes > 0 && spec.example.len() <= spec.max_bytes);
                assert!(!spec.description.is_empty());
                assert!(
                    !(spec.required && spec.default.is_some()),
                    "{}: a default is pointless on a required parameter",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn unknown_parameters_are_ignored() {
        let mut params = examples(QrType::Url);
        params.insert("api_key", "secret".into());
        params.insert("fg", "\u{0}".into());
        assert_eq!(
            build_payload(QrType::Url, &params).unwrap(),
            "https://example.org/menu"
        );
    }

    #[test]
    fn the_last_value_inserted_wins() {
        let mut params = Params::new();
        params.insert("text", "first".into());
        params.insert("text", "second".into());
        assert_eq!(build_payload(QrType::Text, &params).unwrap(), "second");
    }

    #[test]
    fn errors_display_the_parameter_then_the_message() {
        let err = build_payload(QrType::Url, &Params::new()).unwrap_err();
        assert_eq!(err.to_string(), "url: is required");
    }
}
