//! Designs already validated, by their design parameters alone. Codes are mostly asked
//! for many payloads in one design (a shop's product URLs in its brand's style), and
//! validating a design is a pure function of its parameters that cost as much as drawing
//! a plain PNG: every design parameter checked and defaulted, colours and gradients
//! parsed, the contrast of every pair computed (perf, cpu-clock: about 13 % of an
//! uncached plain PNG request's server time). So the design of a request whose payload
//! is new is looked up here first. Only designs that validated are kept; the map is
//! bounded in entries and in the bytes of each key.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Mutex;

use super::params::Pairs;
use crate::qr::design::{DESIGN_PARAMS, Design, DesignError};

/// Designs kept at most; beyond it the map starts afresh.
const MAX_DESIGNS: usize = 256;
/// Longer design parameters (a long caption, gradients) are validated every time.
const MAX_KEY_BYTES: usize = 1024;

pub(super) struct DesignMemo {
    /// By a hash of the design pairs (keyed per process, so nobody can aim collisions);
    /// an entry answers only when its pairs are the request's.
    entries: Mutex<HashMap<u64, Entry>>,
    hasher: RandomState,
}

struct Entry {
    pairs: Vec<(String, String)>,
    design: Design,
}

impl Default for DesignMemo {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            hasher: RandomState::new(),
        }
    }
}

impl DesignMemo {
    /// The design `pairs` ask for, as `Design::from_params` finds it (the last value of a
    /// repeated parameter wins), from the memo when these design pairs were seen before.
    pub(super) fn design(&self, pairs: &Pairs) -> Result<Design, DesignError> {
        let validate = || Design::from_params(|name| last(pairs, name));
        let design_pairs = || {
            pairs
                .iter()
                .filter(|(name, _)| DESIGN_PARAMS.contains(&name.as_str()))
        };
        let bytes: usize = design_pairs().map(|(n, v)| n.len() + v.len()).sum();
        if bytes > MAX_KEY_BYTES {
            return validate();
        }
        let mut hasher = self.hasher.build_hasher();
        for pair in design_pairs() {
            pair.hash(&mut hasher);
        }
        let key = hasher.finish();
        if let Some(entry) = self.lock().get(&key)
            && entry.pairs.iter().eq(design_pairs())
        {
            return Ok(entry.design.clone());
        }
        let design = validate()?;
        let entry = Entry {
            pairs: design_pairs().cloned().collect(),
            design: design.clone(),
        };
        let mut entries = self.lock();
        if entries.len() >= MAX_DESIGNS {
            entries.clear();
        }
        entries.insert(key, entry);
        Ok(design)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn last<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    super::qr::last(pairs, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Pairs {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn direct(list: &[(&str, &str)]) -> Result<Design, DesignError> {
        let pairs = pairs(list);
        Design::from_params(|name| last(&pairs, name))
    }

    #[test]
    fn a_remembered_design_is_the_one_validation_gives_whatever_the_payload() {
        let memo = DesignMemo::default();
        let cases: &[&[(&str, &str)]] = &[
            &[("url", "https://a.example/1"), ("size", "300")],
            &[("url", "https://a.example/2"), ("size", "300")],
            &[
                ("size", "300"),
                ("url", "https://a.example/3"),
                ("fg", "1d4ed8"),
            ],
            &[("size", "300"), ("size", "400")],
            &[("size", "400"), ("size", "300")],
            &[("module_shape", "dot"), ("eye_shape", "rounded")],
            &[
                ("module_shape", "dot"),
                ("eye_shape", "rounded"),
                ("eye_ball", "square"),
            ],
            &[],
        ];
        for _ in 0..2 {
            for case in cases {
                let remembered = memo.design(&pairs(case)).unwrap();
                assert_eq!(remembered, direct(case).unwrap(), "{case:?}");
            }
        }
        assert_eq!(
            memo.lock().len(),
            7,
            "one entry per distinct list of design pairs"
        );
    }

    #[test]
    fn invalid_designs_are_refused_every_time_and_never_kept() {
        let memo = DesignMemo::default();
        let bad = pairs(&[("fg", "ffffff"), ("bg", "ffffff")]);
        for _ in 0..2 {
            let error = memo.design(&bad).unwrap_err();
            assert_eq!(
                error,
                direct(&[("fg", "ffffff"), ("bg", "ffffff")]).unwrap_err()
            );
        }
        assert!(memo.lock().is_empty());
    }

    #[test]
    fn the_map_stays_bounded() {
        let memo = DesignMemo::default();
        for size in 0..(MAX_DESIGNS + 10) {
            memo.design(&pairs(&[("size", &(100 + size).to_string())]))
                .unwrap();
        }
        assert!(memo.lock().len() <= MAX_DESIGNS);
    }
}
