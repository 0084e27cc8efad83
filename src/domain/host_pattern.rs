//! A referrer host pattern of a key restriction: `example.org` (that host only),
//! `*.example.org` (any host below it, not the domain itself), or an IP address. Parsed
//! into the form browsers send in `Origin` and `Referer` (lower case, punycode, IPv6 in
//! brackets), so matching is a plain comparison.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// Longest pattern accepted: a DNS name is at most 253 characters, plus `*.`.
pub const MAX_PATTERN_CHARS: usize = 255;
/// How much of a refused entry an error message repeats.
const SHOWN_CHARS: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostPattern(String);

/// Why an entry is not a host pattern; the text is a sentence for the owner's form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HostPatternError(String);

impl HostPattern {
    pub fn parse(raw: &str) -> Result<Self, HostPatternError> {
        let text = raw.trim();
        let shown: String = text.chars().take(SHOWN_CHARS).collect();
        let refuse = |why: String| Err(HostPatternError(why));
        if text.chars().count() > MAX_PATTERN_CHARS {
            return refuse(format!(
                "`{shown}…` is longer than the {MAX_PATTERN_CHARS} characters a host name can have"
            ));
        }
        if text == "*" || text == "*." {
            return refuse(
                "`*` would allow every site; to do that, leave the list empty".to_owned(),
            );
        }
        if let Some((_, rest)) = text.split_once("://") {
            return refuse(format!(
                "`{shown}` is a web address; write only its host, `{}`",
                host_of(rest)
            ));
        }
        if text.contains(['/', '?', '#', '@']) {
            return refuse(format!(
                "`{shown}` is not a host name; write one such as example.org or *.example.org"
            ));
        }
        let bare = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(text);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(Self(match ip {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => format!("[{v6}]"),
            }));
        }
        if text.contains(':') {
            return refuse(format!(
                "`{shown}`: a pattern matches every port of its host; write `{}`",
                host_of(text)
            ));
        }
        let (wildcard, name) = match text.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if name.contains('*') {
            return refuse(format!(
                "`{shown}`: `*` may only begin a pattern, as in *.example.org"
            ));
        }
        let name = name.strip_suffix('.').unwrap_or(name);
        let not_a_name = || {
            HostPatternError(format!(
                "`{shown}` is not a host name: use letters, digits, hyphens and dots, as in example.org"
            ))
        };
        // Lower case and punycode, as the browser writes the host it sends.
        let ascii = idna::domain_to_ascii(name).map_err(|_| not_a_name())?;
        if !is_host_name(&ascii) {
            return Err(not_a_name());
        }
        Ok(Self(if wildcard {
            format!("*.{ascii}")
        } else {
            ascii
        }))
    }

    /// Whether a request's host (lower case, punycode, IPv6 in brackets, as `url` parses
    /// it) matches.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host);
        match self.0.strip_prefix("*.") {
            // At least one label in front: `*.example.org` is not `example.org` itself.
            Some(domain) => host
                .strip_suffix(domain)
                .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
            None => host == self.0,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The host of `rest` (what follows `scheme://`), without path, user or port.
fn host_of(rest: &str) -> String {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    host.chars()
        .take(SHOWN_CHARS)
        .collect::<String>()
        .to_lowercase()
}

/// Labels of letters, digits and inner hyphens, 63 characters each, 253 in all, and a
/// last label that is not all digits (no top-level domain is, so `*.0.1` cannot pass for
/// a domain and match IPv4 addresses). One label is enough: `localhost`.
fn is_host_name(name: &str) -> bool {
    let last_is_numeric = name
        .rsplit('.')
        .next()
        .is_some_and(|label| label.bytes().all(|b| b.is_ascii_digit()));
    !name.is_empty()
        && name.len() <= 253
        && !last_is_numeric
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for HostPattern {
    type Error = HostPatternError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<HostPattern> for String {
    fn from(pattern: HostPattern) -> Self {
        pattern.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(raw: &str) -> HostPattern {
        HostPattern::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    fn refusal(raw: &str) -> String {
        HostPattern::parse(raw).unwrap_err().to_string()
    }

    #[test]
    fn an_exact_pattern_matches_only_its_host() {
        let p = pattern("Example.ORG.");
        assert_eq!(p.as_str(), "example.org");
        assert!(p.matches("example.org") && p.matches("example.org."));
        assert!(!p.matches("www.example.org"));
        assert!(!p.matches("badexample.org"));
        assert!(!p.matches("example.org.evil.test"));
    }

    #[test]
    fn a_wildcard_matches_hosts_below_the_domain_but_not_the_domain() {
        let p = pattern("*.example.org");
        assert!(p.matches("www.example.org"));
        assert!(p.matches("a.b.example.org"));
        assert!(!p.matches("example.org"));
        assert!(!p.matches("badexample.org"), "a label boundary is needed");
        assert!(!p.matches(".example.org"));
        assert!(!p.matches("example.org.evil.test"));
    }

    #[test]
    fn international_names_become_the_punycode_browsers_send() {
        assert_eq!(pattern("Bücher.example").as_str(), "xn--bcher-kva.example");
        assert_eq!(
            pattern("*.bücher.example").as_str(),
            "*.xn--bcher-kva.example"
        );
    }

    #[test]
    fn ip_addresses_are_patterns_of_their_own() {
        assert_eq!(pattern("192.0.2.10").as_str(), "192.0.2.10");
        let v6 = pattern("2001:DB8::1");
        assert_eq!(v6.as_str(), "[2001:db8::1]");
        assert!(v6.matches("[2001:db8::1]"));
        assert_eq!(pattern("[::1]").as_str(), "[::1]");
        assert!(pattern("localhost").matches("localhost"));
    }

    #[test]
    fn urls_ports_and_paths_are_refused_with_the_host_to_write() {
        assert!(refusal("https://www.example.org/shop").contains("`www.example.org`"));
        assert!(refusal("https://user@Example.org:8443").contains("`example.org`"));
        assert!(refusal("example.org:8080").contains("`example.org`"));
        assert!(refusal("example.org/path").contains("not a host name"));
    }

    #[test]
    fn wildcards_only_lead_and_never_stand_alone() {
        assert!(refusal("*").contains("leave the list empty"));
        assert!(refusal("www.*.example.org").contains("may only begin"));
        assert!(refusal("*example.org").contains("may only begin"));
    }

    #[test]
    fn malformed_names_are_refused() {
        for bad in [
            "exa mple.org",
            "-example.org",
            "example-.org",
            "exa_mple.org",
            "example..org",
            "*.0.1",
            "1.2.3",
            "",
        ] {
            assert!(HostPattern::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}.org", "a".repeat(300));
        assert!(refusal(&long).contains("longer than"));
        let label = format!("{}.org", "a".repeat(64));
        assert!(HostPattern::parse(&label).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_to_a_pattern_that_parses_to_itself_or_is_refused(raw in ".{0,80}") {
            if let Ok(p) = HostPattern::parse(&raw) {
                proptest::prop_assert_eq!(HostPattern::parse(p.as_str()), Ok(p.clone()));
                proptest::prop_assert!(p.as_str().is_ascii());
            }
        }
    }

    #[test]
    fn a_stored_pattern_is_checked_again_when_read() {
        let json = serde_json::to_string(&pattern("*.example.org")).unwrap();
        assert_eq!(json, "\"*.example.org\"");
        assert!(serde_json::from_str::<HostPattern>("\"https://x.org\"").is_err());
    }
}
