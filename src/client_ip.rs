//! The client's address for rate limiting and logs: the socket peer, unless the peer is a
//! trusted proxy, in which case the right-most address in `X-Forwarded-For` that is not
//! itself a trusted proxy. A client talking to us directly cannot choose its address.

use std::net::{IpAddr, Ipv6Addr};

use actix_web::HttpRequest;

pub use crate::domain::IpRange;

pub fn client_ip(req: &HttpRequest, trusted: &[IpRange]) -> IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !is_trusted(*ip))
        .unwrap_or(peer)
}

/// The unit a client is limited and counted by (rate limits, login back-off, connection
/// cap): an IPv4 address, or the /64 network of an
/// IPv6 one. A subscriber gets a whole /64 (often more), so limiting single IPv6 addresses
/// would give each client billions of allowances. An IPv4 client seen through a
/// dual-stack socket (`::ffff:a.b.c.d`) counts as its IPv4 address, not as one /64 that
/// every IPv4 client would share.
pub fn client_network(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_forwarded_header_from_an_untrusted_peer_is_ignored() {
        let req = TestRequest::default()
            .peer_addr("203.0.113.9:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "1.2.3.4"))
            .to_http_request();
        assert_eq!(client_ip(&req, &[]), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_passes_on_the_right_most_untrusted_address() {
        let trusted = [
            IpRange::parse("127.0.0.1").unwrap(),
            IpRange::parse("10.0.0.0/8").unwrap(),
        ];
        let req = TestRequest::default()
            .peer_addr("127.0.0.1:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.2"))
            .to_http_request();
        // 6.6.6.6 was written by the client itself; 198.51.100.7 is what our proxies saw.
        assert_eq!(client_ip(&req, &trusted), ip("198.51.100.7"));
    }
}
