//! How an image request was authorised, and so what its answer may say: a caller with the
//! key is told why it gets a preview in full; the viewer of a signed URL (anyone) is not
//! told the owner's plan, quota or restrictions, and may cache the image publicly.

use actix_web::http::header::HeaderValue;

use super::qr::CACHE_CONTROL;
use crate::gate::KeyCheck;
use crate::gate::restrictions::Restricted;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Key,
    /// `max_age`: how long caches may keep the image (never past the link's expiry).
    SignedUrl {
        max_age: i64,
    },
}

impl Via {
    /// Keyed images are the caller's own (`private`). A signed URL is for public pages,
    /// so shared caches may keep its image, which spares the owner's quota.
    pub fn cache_control(self) -> HeaderValue {
        match self {
            Via::Key => HeaderValue::from_static(CACHE_CONTROL),
            Via::SignedUrl { max_age } => {
                // Always visible ASCII, so always a header value.
                HeaderValue::try_from(format!("public, max-age={}", max_age.max(0)))
                    .unwrap_or_else(|_| HeaderValue::from_static("no-store"))
            }
        }
    }
}

/// Why a preview is served instead of the image.
pub struct Refusal {
    pub status: u16,
    /// `X-QR-Preview`.
    pub reason: &'static str,
    /// `X-QR-Preview-Detail`.
    pub detail: Option<String>,
    /// `X-QR-Restriction`, for a key restriction.
    pub rule: Option<&'static str>,
}

impl Refusal {
    /// The refusal for a caller that cannot be served, as it may be told.
    pub fn of(check: &KeyCheck, status: u16, reason: &'static str, via: Via) -> Self {
        let detail = match via {
            Via::Key => check.problem().map(|p| p.detail_ascii()),
            Via::SignedUrl { .. } => Some(public_detail(reason).to_owned()),
        };
        Self {
            status,
            reason,
            detail,
            rule: check.restricted().map(|r| r.rule.as_str()),
        }
    }

    /// A QR type the key may not generate.
    pub fn restricted(restricted: &Restricted, via: Via) -> Self {
        Self {
            status: 403,
            reason: "restricted",
            detail: Some(match via {
                Via::Key => restricted.problem().detail_ascii(),
                Via::SignedUrl { .. } => public_detail("restricted").to_owned(),
            }),
            rule: Some(restricted.rule.as_str()),
        }
    }
}

/// What a signed URL's viewer is told: the owner's plan and quota are not theirs to see.
fn public_detail(reason: &str) -> &'static str {
    match reason {
        "expired" | "over_quota" => {
            "The owner of this link cannot generate codes right now (their plan has ended or its quota is used up)."
        }
        "disabled" => "The account that signed this link is disabled.",
        _ => "The owner of this link may no longer generate this code.",
    }
}
