//! Targets: where a dynamic code leads. Only `http` and `https` addresses with a host,
//! normalised by the WHATWG URL rules (scheme and host lower case, IDN hosts in punycode,
//! default ports and dot segments removed), at most 2 KiB. Refused: other schemes
//! (`javascript:`, `data:`, `file:`…), user names or passwords in the address (a
//! classic way to disguise where a link goes), and this server's own short links, which
//! could make two codes redirect to each other for ever.

use url::Url;

use crate::qr::payload::url::split_scheme;

pub const MAX_BYTES: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("is required")]
    Missing,
    #[error("is {0} bytes long; at most {MAX_BYTES} are accepted")]
    TooLong(usize),
    #[error("must not contain spaces or control characters; encode spaces as %20")]
    Whitespace,
    #[error("must be an http or https address; the scheme `{0}` is not allowed")]
    Scheme(String),
    #[error("is not a valid web address ({0})")]
    Invalid(String),
    #[error("must not contain a user name or password")]
    Credentials,
    #[error("is a short link of this server; a code may not lead to another code")]
    Loop,
}

impl Target {
    /// Checks and normalises `raw`; `own_site` is this server's public URL, whose `/r/`
    /// links are refused. A bare host (`example.org/menu`) gets `https://`.
    pub fn parse(raw: &str, own_site: Option<&Url>) -> Result<Self, TargetError> {
        let raw = raw.trim_matches(|c: char| c == ' ');
        if raw.is_empty() {
            return Err(TargetError::Missing);
        }
        if raw.len() > MAX_BYTES {
            return Err(TargetError::TooLong(raw.len()));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(TargetError::Whitespace);
        }
        let with_scheme = match split_scheme(raw).map(|(scheme, _)| scheme) {
            Some(scheme)
                if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
            {
                raw.to_owned()
            }
            Some(scheme) => {
                let shown: String = scheme.chars().take(20).collect();
                return Err(TargetError::Scheme(shown.to_ascii_lowercase()));
            }
            None => format!("https://{raw}"),
        };
        let url = Url::parse(&with_scheme).map_err(|e| TargetError::Invalid(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(TargetError::Scheme(url.scheme().to_owned()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(TargetError::Invalid("it has no host name".into()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TargetError::Credentials);
        }
        if own_site.is_some_and(|site| is_short_link(&url, site)) {
            return Err(TargetError::Loop);
        }
        let normalised = url.to_string();
        if normalised.len() > MAX_BYTES {
            return Err(TargetError::TooLong(normalised.len()));
        }
        Ok(Self(normalised))
    }

    /// A target read back from the store, where it was stored after `parse`.
    pub fn stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Whether `url` is on `site`'s host and port (either scheme) under `/r/`, however the
/// `r` is spelled (`/R/`, `/%72/`).
fn is_short_link(url: &Url, site: &Url) -> bool {
    let same_host = url.host_str() == site.host_str()
        && url.port_or_known_default() == site.port_or_known_default();
    let first = url.path_segments().and_then(|mut s| s.next()).unwrap_or("");
    same_host && (first.eq_ignore_ascii_case("r") || first.eq_ignore_ascii_case("%72"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Url {
        Url::parse("https://qr.example.org/").unwrap()
    }

    fn parse(raw: &str) -> Result<String, TargetError> {
        Target::parse(raw, Some(&site())).map(Target::into_string)
    }

    #[test]
    fn web_addresses_are_normalised() {
        assert_eq!(
            parse("HTTPS://Example.ORG:443/a/../menu?x=1#top").unwrap(),
            "https://example.org/menu?x=1#top"
        );
        assert_eq!(
            parse("example.org/menu").unwrap(),
            "https://example.org/menu"
        );
        assert_eq!(
            parse("http://bücher.example/").unwrap(),
            "http://xn--bcher-kva.example/"
        );
        assert_eq!(
            parse("example.org:8080").unwrap(),
            "https://example.org:8080/"
        );
    }

    #[test]
    fn other_schemes_are_refused_by_name() {
        for (raw, scheme) in [
            ("javascript:alert(1)", "javascript"),
            ("JaVaScRiPt:alert(1)", "javascript"),
            ("data:text/html,<script>", "data"),
            ("file:///etc/passwd", "file"),
            ("ftp://example.org/", "ftp"),
        ] {
            assert_eq!(parse(raw), Err(TargetError::Scheme(scheme.into())), "{raw}");
        }
    }

    #[test]
    fn credentials_in_the_address_are_refused() {
        assert_eq!(
            parse("https://bank.example@evil.example/"),
            Err(TargetError::Credentials)
        );
        assert_eq!(
            parse("https://user:pass@example.org/"),
            Err(TargetError::Credentials)
        );
    }

    #[test]
    fn our_own_short_links_are_refused_in_any_spelling() {
        for raw in [
            "https://qr.example.org/r/abc123",
            "qr.example.org/r/abc123",
            "HTTPS://QR.EXAMPLE.ORG:443/R/abc123",
            "https://qr.example.org/%72/abc123",
            "http://qr.example.org:443/r/abc123",
        ] {
            assert_eq!(parse(raw), Err(TargetError::Loop), "{raw}");
        }
        assert!(parse("https://qr.example.org/docs").is_ok());
        assert!(
            parse("https://qr.example.org:8443/r/abc123").is_ok(),
            "another port"
        );
    }

    #[test]
    fn long_empty_and_spaced_addresses_are_refused() {
        let long = format!("https://example.org/{}", "a".repeat(MAX_BYTES));
        assert!(matches!(parse(&long), Err(TargetError::TooLong(_))));
        assert_eq!(parse("  "), Err(TargetError::Missing));
        assert_eq!(
            parse("https://example.org/a b"),
            Err(TargetError::Whitespace)
        );
        assert_eq!(
            parse("https://example.org/\n"),
            Err(TargetError::Whitespace)
        );
        assert!(matches!(parse("https://"), Err(TargetError::Invalid(_))));
        assert!(matches!(
            parse("https://exa mple"),
            Err(TargetError::Whitespace)
        ));
        assert!(matches!(parse("http://[::1"), Err(TargetError::Invalid(_))));
    }
}
