//! `url`: a link to a web page. The payload is the URL itself, which every scanner offers
//! to open.

use super::validate::echo;
use super::{ParamKind, ParamSpec, Params, PayloadError, required};

pub const PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "url",
    required: true,
    kind: ParamKind::Url,
    max_bytes: 2000,
    default: None,
    description: "The web address to open; https:// is added when no scheme is given.",
    example: "https://example.org/menu",
}];

/// `url` was normalised by the generic validation (see [`normalise`]).
pub fn build(params: &Params) -> Result<String, PayloadError> {
    required(params, "url").map(str::to_owned)
}

/// Checks a web address and returns it with a lowercase scheme, adding `https://` when it
/// has none. Only http and https: a QR code is an untrusted link that people open without
/// reading it, so `javascript:`, `data:` or `file:` links are refused outright.
pub(super) fn normalise(value: &str) -> Result<String, String> {
    if value.chars().any(char::is_whitespace) {
        return Err("must not contain spaces; encode them as %20".into());
    }
    let (scheme, rest) = match split_scheme(value) {
        Some((scheme, rest)) => {
            let scheme = scheme.to_ascii_lowercase();
            if scheme != "http" && scheme != "https" {
                return Err(format!(
                    "must be an http or https link; the scheme {} is not allowed",
                    echo(&scheme)
                ));
            }
            // With an explicit scheme, the address must carry its `//` authority marker.
            let rest = rest
                .strip_prefix("//")
                .ok_or_else(|| format!("must start with {scheme}:// followed by a host name"))?;
            (scheme, rest)
        }
        None => ("https".to_owned(), value),
    };
    check_authority(rest)?;
    Ok(format!("{scheme}://{rest}"))
}

/// Splits `scheme:rest` if the text before the first colon is a scheme (RFC 3986:
/// a letter, then letters, digits, `+`, `-`, `.`). `example.org:8080/x` is a host and a
/// port, not a scheme named `example.org`, so a colon followed by digits does not count.
pub(crate) fn split_scheme(value: &str) -> Option<(&str, &str)> {
    let (candidate, rest) = value.split_once(':')?;
    let is_scheme = candidate.starts_with(|c: char| c.is_ascii_alphabetic())
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let is_port = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    (is_scheme && !is_port).then_some((candidate, rest))
}

/// The authority (`user@host:port`) runs up to the first `/`, `?` or `#`. It needs a host;
/// a port, if given, is digits.
fn check_authority(rest: &str) -> Result<(), String> {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_userinfo, host_port)| host_port);
    let (host, port) = if host_port.starts_with('[') {
        // An IPv6 literal such as [::1]:8080 has colons of its own.
        match host_port.split_once(']') {
            Some((host, after)) => (&host[1..], after.strip_prefix(':')),
            None => return Err("has an IPv6 address without its closing ]".into()),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err("has no host name (expected a link like https://example.org/page)".into());
    }
    if port.is_some_and(|port| !port.bytes().all(|b| b.is_ascii_digit())) {
        return Err("has a port that is not a number".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::payload::{QrType, build_payload};

    fn url(value: &str) -> Result<String, PayloadError> {
        build_payload(QrType::Url, &[("url", value)].into_iter().collect())
    }

    fn url_error(value: &str) -> String {
        url(value).unwrap_err().message
    }

    #[test]
    fn urls_with_a_scheme_are_kept_as_given() {
        for given in [
            "https://example.org/menu",
            "http://example.org",
            "https://example.org:8443/a/b?c=d&e=f#top",
            "https://user:pw@example.org/",
            "https://[::1]:8080/",
            "https://example.org/redirect?to=https://other.example",
            "https://bücher.example/straße?q=😀",
        ] {
            assert_eq!(url(given).unwrap(), given);
        }
    }

    #[test]
    fn urls_without_a_scheme_get_https() {
        assert_eq!(url("example.org/menu").unwrap(), "https://example.org/menu");
        assert_eq!(url("  example.org ").unwrap(), "https://example.org");
        assert_eq!(url("localhost:3000/x").unwrap(), "https://localhost:3000/x");
        assert_eq!(
            url("example.org/a?next=http://b.example").unwrap(),
            "https://example.org/a?next=http://b.example"
        );
    }

    #[test]
    fn the_scheme_is_lowercased_and_nothing_else_is() {
        assert_eq!(
            url("HTTPS://Example.ORG/Path?Q=A").unwrap(),
            "https://Example.ORG/Path?Q=A"
        );
    }

    #[test]
    fn schemes_other_than_http_and_https_are_refused() {
        for (given, scheme) in [
            ("javascript:alert(1)", "javascript"),
            ("JavaScript://%0Aalert(1)", "javascript"),
            ("ftp://example.org/file", "ftp"),
            ("data:text/html,hi", "data"),
            ("mailto:ada@example.org", "mailto"),
            ("file:///etc/passwd", "file"),
        ] {
            assert_eq!(
                url_error(given),
                format!("must be an http or https link; the scheme \"{scheme}\" is not allowed")
            );
        }
    }

    #[test]
    fn urls_need_a_host() {
        for bad in [
            "https://",
            "https:///path",
            "http://?q",
            "://example.org",
            "https://user@/",
        ] {
            assert!(url_error(bad).starts_with("has no host name"), "{bad}");
        }
        assert_eq!(
            url_error("https:example.org"),
            "must start with https:// followed by a host name"
        );
        assert_eq!(
            url_error("https://example.org:http/"),
            "has a port that is not a number"
        );
    }

    #[test]
    fn urls_with_spaces_are_refused() {
        assert_eq!(
            url_error("https://example.org/a b"),
            "must not contain spaces; encode them as %20"
        );
        assert!(url("https://example.org/\u{0}").is_err());
    }

    #[test]
    fn missing_and_too_long_urls_are_refused() {
        assert_eq!(
            url("").unwrap_err(),
            PayloadError::new("url", "is required")
        );
        let long = format!("https://example.org/{}", "a".repeat(2000));
        assert_eq!(
            url_error(&long),
            "is 2020 bytes long; at most 2000 are allowed"
        );
    }
}
