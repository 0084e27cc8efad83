//! `geo`: a `geo:` URI (RFC 5870) that opens the point in a maps app.

use super::{ParamKind, ParamSpec, Params, PayloadError, required};

pub const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "lat",
        required: true,
        kind: ParamKind::Number {
            min: -90.0,
            max: 90.0,
        },
        max_bytes: 24,
        default: None,
        description: "Latitude in decimal degrees, north positive.",
        example: "48.8584",
    },
    ParamSpec {
        name: "lng",
        required: true,
        kind: ParamKind::Number {
            min: -180.0,
            max: 180.0,
        },
        max_bytes: 24,
        default: None,
        description: "Longitude in decimal degrees, east positive.",
        example: "2.2945",
    },
];

/// The caller's own digits, so that no precision is added or lost on the way.
pub fn build(params: &Params) -> Result<String, PayloadError> {
    let lat = required(params, "lat")?;
    let lng = required(params, "lng")?;
    Ok(format!("geo:{lat},{lng}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::payload::{QrType, build_payload};

    fn geo(lat: &str, lng: &str) -> Result<String, PayloadError> {
        build_payload(
            QrType::Geo,
            &[("lat", lat), ("lng", lng)].into_iter().collect(),
        )
    }

    #[test]
    fn coordinates_keep_the_callers_digits() {
        assert_eq!(geo("48.8584", "2.2945").unwrap(), "geo:48.8584,2.2945");
        assert_eq!(
            geo(" -33.85680 ", "151.2153000").unwrap(),
            "geo:-33.85680,151.2153000"
        );
        assert_eq!(geo("90", "-180").unwrap(), "geo:90,-180");
    }

    #[test]
    fn coordinates_out_of_range_are_refused() {
        assert_eq!(
            geo("90.5", "0").unwrap_err().to_string(),
            "lat: must be between -90 and 90; got \"90.5\""
        );
        assert_eq!(
            geo("0", "-180.01").unwrap_err().to_string(),
            "lng: must be between -180 and 180; got \"-180.01\""
        );
    }

    #[test]
    fn coordinates_must_be_plain_decimals() {
        for bad in ["48,8584", "48°51′N", "4.8e1", "+48.8", "N48.8"] {
            let err = geo(bad, "2").unwrap_err();
            assert_eq!(err.parameter, "lat");
            assert!(
                err.message.starts_with("must be a plain decimal number"),
                "{bad}"
            );
        }
    }

    #[test]
    fn both_coordinates_are_required() {
        assert_eq!(
            geo("48.8", "").unwrap_err(),
            PayloadError::new("lng", "is required")
        );
        assert_eq!(
            geo("", "2.2").unwrap_err(),
            PayloadError::new("lat", "is required")
        );
    }
}
