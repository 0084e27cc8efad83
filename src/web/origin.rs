//! Where the user reaches this site (`https://qr.example.org`), for absolute URLs in pages
//! and documents and for checking a form's `Origin`. `server.public_url` decides when set.
//! Otherwise the request does: behind a trusted proxy (`server.trusted_proxies`), from
//! the `X-Forwarded-Host` / `X-Forwarded-Proto` headers it sets, else `Forwarded`'s
//! `host` / `proto`, else `Host`; from any other peer, from `Host` and the connection
//! (plain HTTP: qrgate does not terminate TLS) — a forwarded header it sends is ignored,
//! so a client cannot choose what the server writes into a page as its address.
//!
//! Of a list of forwarded values the last one counts: it is the one our own proxy added.

use std::fmt;

use actix_web::HttpRequest;
use actix_web::http::header::{FORWARDED, HOST};

use crate::client_ip::IpRange;
use crate::config::ServerConfig;
use crate::state::AppState;

/// A site origin: scheme and authority (`host[:port]`), without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteOrigin {
    scheme: &'static str,
    authority: String,
}

impl SiteOrigin {
    /// The origin of the site as this request's user reaches it.
    pub fn of_request(req: &HttpRequest, state: &AppState) -> Self {
        Self::of(req, &state.config.server, &state.trusted_proxies)
    }

    pub fn of(req: &HttpRequest, server: &ServerConfig, trusted: &[IpRange]) -> Self {
        if let Some(url) = server.public_url() {
            let scheme = if url.scheme() == "https" {
                "https"
            } else {
                "http"
            };
            let host = url.host_str().unwrap_or_default();
            let authority = match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            };
            return Self { scheme, authority };
        }
        let from_proxy = req
            .peer_addr()
            .is_some_and(|peer| trusted.iter().any(|range| range.contains(peer.ip())));
        let mut scheme = "http";
        let mut host = None;
        if from_proxy {
            let forwarded = last_forwarded_element(req);
            host = last_value(req, "x-forwarded-host")
                .or_else(|| pair(forwarded.as_deref(), "host"))
                .filter(|h| is_authority(h));
            let proto = last_value(req, "x-forwarded-proto")
                .or_else(|| pair(forwarded.as_deref(), "proto"));
            if let Some(proto) = proto.map(|p| p.to_ascii_lowercase()) {
                scheme = match proto.as_str() {
                    "https" => "https",
                    _ => "http",
                };
            }
        }
        let authority = host
            .or_else(|| header(req, HOST.as_str()).filter(|h| is_authority(h)))
            .unwrap_or_else(|| req.app_config().local_addr().to_string());
        Self {
            scheme,
            authority: authority.to_ascii_lowercase(),
        }
    }

    /// `host[:port]`, as an `Origin` header names it.
    pub fn authority(&self) -> &str {
        &self.authority
    }
}

impl fmt::Display for SiteOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.authority)
    }
}

fn header(req: &HttpRequest, name: &str) -> Option<String> {
    let value = req.headers().get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// The last of a header's comma-separated values, over all its lines.
fn last_value(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The last element of `Forwarded` (RFC 7239), e.g. `for=1.2.3.4;host=x.org;proto=https`.
fn last_forwarded_element(req: &HttpRequest) -> Option<String> {
    last_value(req, FORWARDED.as_str())
}

/// One parameter of a `Forwarded` element, unquoted.
fn pair(element: Option<&str>, key: &str) -> Option<String> {
    element?
        .split(';')
        .filter_map(|part| part.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// A host name or address with an optional port: letters, digits, `.-_:` and the
/// brackets of an IPv6 literal, nothing that could end a URL or an attribute early.
fn is_authority(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 255
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use actix_web::test::TestRequest;

    fn origin(config: &Config, trusted: &[&str], peer: &str, headers: &[(&str, &str)]) -> String {
        let trusted: Vec<IpRange> = trusted.iter().filter_map(|t| IpRange::parse(t)).collect();
        let req = headers
            .iter()
            .fold(
                TestRequest::default().peer_addr(peer.parse().unwrap()),
                |req, header| req.append_header(*header),
            )
            .to_http_request();
        SiteOrigin::of(&req, &config.server, &trusted).to_string()
    }

    const SPOOFED: [(&str, &str); 4] = [
        ("host", "qr.local:8080"),
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-proto", "https"),
        ("forwarded", "host=evil.example;proto=https"),
    ];

    #[test]
    fn a_direct_client_gets_its_host_header_and_its_forwarded_headers_are_ignored() {
        let config = Config::defaults();
        let got = origin(&config, &[], "203.0.113.9:4000", &SPOOFED);
        assert_eq!(got, "http://qr.local:8080");
        let got = origin(&config, &["10.0.0.0/8"], "203.0.113.9:4000", &SPOOFED);
        assert_eq!(
            got, "http://qr.local:8080",
            "a peer outside the trusted ranges"
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_host_and_scheme_by_its_last_value() {
        let config = Config::defaults();
        let headers = [
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "client-said.example, qr.example.org"),
            ("x-forwarded-proto", "https"),
        ];
        let got = origin(&config, &["127.0.0.1"], "127.0.0.1:5000", &headers);
        assert_eq!(got, "https://qr.example.org");
        let headers = [
            ("host", "127.0.0.1:8080"),
            (
                "forwarded",
                "host=a.example, for=192.0.2.1;host=\"qr.example.org\";proto=https",
            ),
        ];
        let got = origin(&config, &["127.0.0.1"], "127.0.0.1:5000", &headers);
        assert_eq!(got, "https://qr.example.org");
    }

    #[test]
    fn the_public_url_decides_over_every_header() {
        let mut config = Config::defaults();
        config.server.public_url = "https://QR.example.org:8443".to_owned().try_into().unwrap();
        let got = origin(&config, &["127.0.0.1"], "127.0.0.1:5000", &SPOOFED);
        assert_eq!(got, "https://qr.example.org:8443");
    }

    #[test]
    fn a_host_that_could_break_out_of_a_url_is_not_used() {
        let config = Config::defaults();
        let headers = [("host", "evil.example/\"><script>")];
        let got = origin(&config, &[], "203.0.113.9:4000", &headers);
        assert!(!got.contains("evil"), "{got}");
    }
}
