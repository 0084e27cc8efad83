//! An IP address or CIDR range, IPv4 or IPv6: `server.trusted_proxies` and the client
//! networks a key may be used from. Parsed once into its network (host bits cleared) and
//! prefix length, and shown in that canonical form.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpRangeError {
    #[error("`{0}` is not an IP address or a CIDR range like 203.0.113.0/24 or 2001:db8::/32")]
    Malformed(String),
    #[error("`{0}`: the prefix length of an IPv4 range is at most 32")]
    V4Prefix(String),
    #[error("`{0}`: the prefix length of an IPv6 range is at most 128")]
    V6Prefix(String),
}

/// How much of a refused entry an error message repeats.
const SHOWN_CHARS: usize = 60;

impl IpRange {
    /// The range, or `None` (for the configuration check, which words its own message).
    pub fn parse(raw: &str) -> Option<Self> {
        Self::parse_checked(raw).ok()
    }

    /// The range, or why the text is not one. A range given with host bits set
    /// (`10.1.2.3/16`) means its network (`10.1.0.0/16`).
    pub fn parse_checked(raw: &str) -> Result<Self, IpRangeError> {
        let raw = raw.trim();
        let shown = || raw.chars().take(SHOWN_CHARS).collect::<String>();
        let malformed = || IpRangeError::Malformed(shown());
        let (addr, prefix) = match raw.split_once('/') {
            Some((addr, prefix)) => {
                // Digits only: `u8::from_str` would also take a leading `+`.
                if prefix.is_empty()
                    || prefix.len() > 3
                    || !prefix.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(malformed());
                }
                let prefix: u8 = prefix.parse().map_err(|_| malformed())?;
                (addr, Some(prefix))
            }
            None => (raw, None),
        };
        // `[2001:db8::1]` as URLs write it is accepted too.
        let addr = addr
            .strip_prefix('[')
            .and_then(|a| a.strip_suffix(']'))
            .unwrap_or(addr);
        let network: IpAddr = addr.parse().map_err(|_| malformed())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(if network.is_ipv4() {
                IpRangeError::V4Prefix(shown())
            } else {
                IpRangeError::V6Prefix(shown())
            });
        }
        Ok(Self {
            network: mask(network, prefix),
            prefix,
        })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An address of the other family is never inside (and its prefix would not fit).
        ip.is_ipv4() == self.network.is_ipv4() && mask(ip, self.prefix) == self.network
    }

    /// Whether this is a single address rather than a range.
    pub fn is_single(&self) -> bool {
        self.prefix == if self.network.is_ipv4() { 32 } else { 128 }
    }
}

/// The address with every bit past `prefix` cleared.
fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::from((u32::from(v4) & mask).to_be_bytes())
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::from((u128::from(v6) & mask).to_be_bytes())
        }
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_single() {
            write!(f, "{}", self.network)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

impl TryFrom<String> for IpRange {
    type Error = IpRangeError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse_checked(&raw)
    }
}

impl From<IpRange> for String {
    fn from(range: IpRange) -> Self {
        range.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_match() {
        let range = IpRange::parse("10.1.0.0/16").unwrap();
        assert!(range.contains(ip("10.1.200.3")) && !range.contains(ip("10.2.0.1")));
        assert!(IpRange::parse("::1").unwrap().contains(ip("::1")));
        assert!(IpRange::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        for bad in [
            "",
            "10.0.0.0/33",
            "host",
            "1.2.3.4/x",
            "1.2.3.4/+8",
            "::/129",
            "1.2.3.4/",
        ] {
            assert!(IpRange::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ipv6_ranges_match_by_their_prefix() {
        let range = IpRange::parse("2001:db8:abcd::/48").unwrap();
        assert!(range.contains(ip("2001:db8:abcd:12::7")));
        assert!(!range.contains(ip("2001:db8:abce::1")));
        assert!(
            !range.contains(ip("10.0.0.1")),
            "no IPv4 address is in an IPv6 range"
        );
        assert!(
            IpRange::parse("[2001:db8::1]")
                .unwrap()
                .contains(ip("2001:db8::1"))
        );
    }

    #[test]
    fn a_zero_prefix_of_one_family_does_not_take_in_the_other() {
        assert!(!IpRange::parse("0.0.0.0/0").unwrap().contains(ip("::1")));
        assert!(!IpRange::parse("::/0").unwrap().contains(ip("127.0.0.1")));
    }

    #[test]
    fn host_bits_are_cleared_and_the_range_shows_canonically() {
        let range = IpRange::parse_checked("10.1.2.3/16").unwrap();
        assert_eq!(range.to_string(), "10.1.0.0/16");
        assert_eq!(
            IpRange::parse_checked(" 203.0.113.7 ").unwrap().to_string(),
            "203.0.113.7"
        );
        assert_eq!(
            IpRange::parse_checked("2001:DB8:0:0::1/32")
                .unwrap()
                .to_string(),
            "2001:db8::/32"
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(matches!(
            IpRange::parse_checked("10.0.0.0/40"),
            Err(IpRangeError::V4Prefix(_))
        ));
        assert!(matches!(
            IpRange::parse_checked("::/200"),
            Err(IpRangeError::V6Prefix(_))
        ));
        let err = IpRange::parse_checked("example.org").unwrap_err();
        assert!(err.to_string().contains("`example.org`"), "{err}");
    }

    #[test]
    fn a_range_round_trips_through_its_stored_text() {
        let range = IpRange::parse("198.51.100.0/24").unwrap();
        let json = serde_json::to_string(&range).unwrap();
        assert_eq!(json, "\"198.51.100.0/24\"");
        assert_eq!(serde_json::from_str::<IpRange>(&json).unwrap(), range);
        assert!(serde_json::from_str::<IpRange>("\"nope\"").is_err());
    }
}
