//! QR requests already validated, by their type and parameters, with their ETag. An image
//! fetched again and again (an API URL in an `<img>` on a busy page) is then answered
//! without validating its content and design anew: parsing is a pure function of the
//! type and parameters, and it cost more than the rest of a cache hit together (a URL's
//! normalisation, the parameter maps, the design; see the README's performance section).
//! The key check, rate limit, quota and key restrictions are applied to every request as
//! before; only the parse is remembered.
//!
//! A request is remembered once its image has come from the render cache (it has been
//! seen before), so requests that never repeat never enter. Requests that name a logo
//! are not remembered (their ETag depends on the logo's stored content), nor are those
//! carrying the API key among their parameters (the memo holds no secrets). The map is
//! bounded: beyond `MAX_ENTRIES` it starts afresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::params::Pairs;
use super::qr::QrRequest;
use crate::qr::design::KEY_PARAM;

/// Entries kept at most: a few hundred KiB for parameters, payloads and designs.
const MAX_ENTRIES: usize = 1024;

/// A request's type and parameters as received.
pub(super) type Input = (String, Pairs);

/// A remembered request: what it parsed to and its ETag.
pub(super) struct Parsed {
    pub request: QrRequest,
    pub etag: String,
}

#[derive(Default)]
pub struct ParsedRequests {
    entries: Mutex<HashMap<Input, Arc<Parsed>>>,
    /// Designs by their parameters alone, for requests seen for the first time.
    pub(super) designs: super::designs::DesignMemo,
}

impl ParsedRequests {
    /// The validated request and its ETag, if this input was remembered.
    pub(super) fn get(&self, input: &Input) -> Option<Arc<Parsed>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(input).map(Arc::clone)
    }

    /// Remembers what `input` parsed to, unless it is one that is never remembered.
    pub(super) fn remember(&self, input: &Input, request: &QrRequest, etag: &str) {
        if request.design.logo.is_some() || input.1.iter().any(|(name, _)| name == KEY_PARAM) {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        let parsed = Parsed {
            request: request.clone(),
            etag: etag.to_owned(),
        };
        entries.insert(input.clone(), Arc::new(parsed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::design::Design;
    use crate::qr::payload::QrType;

    fn input(pairs: &[(&str, &str)]) -> Input {
        let pairs = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        ("url".to_owned(), pairs)
    }

    fn request(logo: Option<&str>) -> QrRequest {
        QrRequest {
            kind: QrType::Url,
            payload: "https://example.org/".into(),
            design: Design {
                logo: logo.map(str::to_owned),
                ..Design::default()
            },
        }
    }

    #[test]
    fn a_remembered_request_comes_back_with_its_etag() {
        let memo = ParsedRequests::default();
        let seen = input(&[("url", "https://example.org/")]);
        assert!(memo.get(&seen).is_none());
        memo.remember(&seen, &request(None), "\"tag\"");
        let again = memo.get(&seen).expect("remembered");
        assert_eq!(
            (again.request.payload.as_str(), again.etag.as_str()),
            ("https://example.org/", "\"tag\"")
        );
        assert!(
            memo.get(&input(&[("url", "https://example.org/other")]))
                .is_none()
        );
    }

    #[test]
    fn keys_and_logos_are_never_remembered() {
        let memo = ParsedRequests::default();
        let with_key = input(&[("url", "https://example.org/"), ("api_key", "qrg_secret")]);
        memo.remember(&with_key, &request(None), "\"tag\"");
        assert!(memo.get(&with_key).is_none());
        let plain = input(&[("url", "https://example.org/"), ("logo", "l1")]);
        memo.remember(&plain, &request(Some("l1")), "\"tag\"");
        assert!(memo.get(&plain).is_none());
    }

    #[test]
    fn the_map_stays_bounded() {
        let memo = ParsedRequests::default();
        for i in 0..MAX_ENTRIES + 10 {
            memo.remember(
                &input(&[("url", &format!("https://e.org/{i}"))]),
                &request(None),
                "\"t\"",
            );
        }
        assert!(memo.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
