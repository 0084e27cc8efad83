//! A key's restrictions, set by its owner: the referrer hosts and client networks it may
//! be used from, the QR types it may render, and whether it may change anything
//! (read-only). Stored on the account, so a renewal keeps them. An empty list means "any";
//! the default restricts nothing, so records written before restrictions existed read as
//! unrestricted.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::host_pattern::HostPattern;
use super::ip_range::IpRange;

/// Most referrer patterns one key may list.
pub const MAX_REFERRERS: usize = 20;
/// Most client networks one key may list.
pub const MAX_NETWORKS: usize = 20;

/// The rule a refused request broke, as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Referrer,
    Network,
    Type,
    ReadOnly,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Referrer => "referrer",
            Self::Network => "network",
            Self::Type => "type",
            Self::ReadOnly => "read_only",
        }
    }
}

/// What a request asks of a key. A read-only key may render and read, not write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Generate a code (an image, or a preview of one).
    Render,
    /// Read what the account has: usage, the logo list, a code's statistics.
    Read,
    /// Change what the account has: upload or delete logos, create signed URLs, dynamic
    /// codes or batches.
    Write,
}

/// Where a request says it comes from (`Origin`, else `Referer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Referrer<'a> {
    /// Neither header: a program rather than a web page.
    Absent,
    /// The host of the page, lower case, punycode, IPv6 in brackets.
    Host(&'a str),
    /// A header without a usable host (`Origin: null` from a sandboxed frame or a file).
    Opaque,
}

/// Boxed, so that an `Account` (and every result that carries one) stays small.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Restrictions(Box<Rules>);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Rules {
    #[serde(default)]
    referrers: Vec<HostPattern>,
    /// With referrers listed: whether a request without `Origin`/`Referer` is let in.
    #[serde(default)]
    allow_no_referrer: bool,
    #[serde(default)]
    networks: Vec<IpRange>,
    /// QR type names; empty means every type.
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    read_only: bool,
}

/// The owner's form, as typed: lists are one entry per line (commas and spaces also
/// separate), types are the ticked names.
#[derive(Debug, Clone, Default)]
pub struct RestrictionsForm<'a> {
    pub referrers: &'a str,
    pub allow_no_referrer: bool,
    pub networks: &'a str,
    pub types: Vec<&'a str>,
    pub read_only: bool,
}

/// A form field that is not right, and why, for a message on the page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", field_label(field))]
pub struct RestrictionError {
    /// The form field: `referrers`, `networks` or `types`.
    pub field: &'static str,
    pub message: String,
}

fn field_label(field: &str) -> &'static str {
    match field {
        "referrers" => "Allowed referrers",
        "networks" => "Allowed client networks",
        _ => "Allowed QR types",
    }
}

impl Restrictions {
    /// Parses the owner's form. `known_types` are the QR types that exist; the kept order
    /// is theirs.
    pub fn parse(form: &RestrictionsForm, known_types: &[&str]) -> Result<Self, RestrictionError> {
        let referrers = parse_list(form.referrers, "referrers", MAX_REFERRERS, |entry| {
            HostPattern::parse(entry).map_err(|e| e.to_string())
        })?;
        let networks = parse_list(form.networks, "networks", MAX_NETWORKS, |entry| {
            IpRange::parse_checked(entry).map_err(|e| e.to_string())
        })?;
        if let Some(unknown) = form.types.iter().find(|t| !known_types.contains(t)) {
            let shown: String = unknown.chars().take(40).collect();
            return Err(RestrictionError {
                field: "types",
                message: format!("`{shown}` is not a QR type"),
            });
        }
        let types = known_types
            .iter()
            .filter(|known| form.types.contains(known))
            .map(|t| (*t).to_owned())
            .collect();
        Ok(Self(Box::new(Rules {
            referrers,
            allow_no_referrer: form.allow_no_referrer,
            networks,
            types,
            read_only: form.read_only,
        })))
    }

    /// Whether nothing is restricted (what a key without restrictions has).
    pub fn is_empty(&self) -> bool {
        let Rules {
            referrers,
            allow_no_referrer,
            networks,
            types,
            read_only,
        } = &*self.0;
        referrers.is_empty()
            && !allow_no_referrer
            && networks.is_empty()
            && types.is_empty()
            && !read_only
    }

    /// Whether the referrer or network rule can refuse a request (checked on every
    /// request with the key, so this is the cheap way out).
    pub fn limits_origin(&self) -> bool {
        !self.0.referrers.is_empty() || !self.0.networks.is_empty()
    }

    pub fn referrers(&self) -> &[HostPattern] {
        &self.0.referrers
    }

    pub fn allow_no_referrer(&self) -> bool {
        self.0.allow_no_referrer
    }

    pub fn networks(&self) -> &[IpRange] {
        &self.0.networks
    }

    pub fn types(&self) -> &[String] {
        &self.0.types
    }

    pub fn read_only(&self) -> bool {
        self.0.read_only
    }

    /// With no referrer listed, any (or none) is fine. With some, a web page must be on
    /// one of them, and a request that names none passes only if the owner ticked it.
    pub fn check_referrer(&self, referrer: Referrer) -> Result<(), Rule> {
        if self.0.referrers.is_empty() {
            return Ok(());
        }
        let allowed = match referrer {
            Referrer::Absent => self.0.allow_no_referrer,
            Referrer::Host(host) => self.0.referrers.iter().any(|p| p.matches(host)),
            Referrer::Opaque => false,
        };
        if allowed { Ok(()) } else { Err(Rule::Referrer) }
    }

    /// The client's address must be in one of the networks, if any are listed. An
    /// IPv4 client seen through an IPv6 socket (`::ffff:a.b.c.d`) counts as IPv4.
    pub fn check_network(&self, client: IpAddr) -> Result<(), Rule> {
        let client = client.to_canonical();
        if self.0.networks.is_empty() || self.0.networks.iter().any(|n| n.contains(client)) {
            Ok(())
        } else {
            Err(Rule::Network)
        }
    }

    pub fn check_type(&self, kind: &str) -> Result<(), Rule> {
        if self.0.types.is_empty() || self.0.types.iter().any(|t| t == kind) {
            Ok(())
        } else {
            Err(Rule::Type)
        }
    }

    pub fn check_permission(&self, permission: Permission) -> Result<(), Rule> {
        if self.0.read_only && permission == Permission::Write {
            Err(Rule::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// Each restriction in words, for the key page and the log: `(what, value)`.
    pub fn summary(&self) -> [(&'static str, String); 5] {
        let list = |items: Vec<String>| {
            if items.is_empty() {
                "any".to_owned()
            } else {
                items.join(", ")
            }
        };
        [
            (
                "referrers",
                list(self.0.referrers.iter().map(|p| p.to_string()).collect()),
            ),
            (
                "requests without a referrer",
                if self.0.referrers.is_empty() || self.0.allow_no_referrer {
                    "allowed"
                } else {
                    "refused"
                }
                .to_owned(),
            ),
            (
                "client networks",
                list(self.0.networks.iter().map(|n| n.to_string()).collect()),
            ),
            ("QR types", list(self.0.types.clone())),
            (
                "read-only",
                if self.0.read_only { "yes" } else { "no" }.to_owned(),
            ),
        ]
    }

    /// What changed from `old` to `self`, in words (`referrers: any → example.org`);
    /// `None` when nothing did.
    pub fn changes_from(&self, old: &Restrictions) -> Option<String> {
        let changes: Vec<String> = old
            .summary()
            .into_iter()
            .zip(self.summary())
            .filter(|((_, before), (_, after))| before != after)
            .map(|((what, before), (_, after))| format!("{what}: {before} → {after}"))
            .collect();
        (!changes.is_empty()).then(|| changes.join("; "))
    }
}

/// Splits a typed list into entries, parses each, drops repeats and bounds the count.
fn parse_list<T: PartialEq>(
    text: &str,
    field: &'static str,
    max: usize,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, RestrictionError> {
    let mut items = Vec::new();
    for entry in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|e| !e.is_empty())
    {
        let item = parse(entry).map_err(|message| RestrictionError { field, message })?;
        if !items.contains(&item) {
            items.push(item);
        }
        if items.len() > max {
            return Err(RestrictionError {
                field,
                message: format!("at most {max} entries are accepted"),
            });
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPES: &[&str] = &["url", "text", "wifi"];

    fn restrictions(form: RestrictionsForm) -> Restrictions {
        Restrictions::parse(&form, TYPES).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_default_restricts_nothing() {
        let r = Restrictions::default();
        assert!(r.is_empty());
        assert_eq!(r.check_referrer(Referrer::Absent), Ok(()));
        assert_eq!(r.check_referrer(Referrer::Opaque), Ok(()));
        assert_eq!(r.check_network(ip("203.0.113.1")), Ok(()));
        assert_eq!(r.check_type("wifi"), Ok(()));
        assert_eq!(r.check_permission(Permission::Write), Ok(()));
    }

    #[test]
    fn listed_referrers_admit_their_hosts_and_refuse_others_and_opaque_origins() {
        let r = restrictions(RestrictionsForm {
            referrers: "example.org\n*.shop.example",
            ..Default::default()
        });
        assert_eq!(r.check_referrer(Referrer::Host("example.org")), Ok(()));
        assert_eq!(r.check_referrer(Referrer::Host("a.shop.example")), Ok(()));
        assert_eq!(
            r.check_referrer(Referrer::Host("evil.test")),
            Err(Rule::Referrer)
        );
        assert_eq!(r.check_referrer(Referrer::Opaque), Err(Rule::Referrer));
    }

    #[test]
    fn a_request_without_a_referrer_passes_only_when_the_owner_allows_it() {
        let mut form = RestrictionsForm {
            referrers: "example.org",
            ..Default::default()
        };
        assert_eq!(
            restrictions(form.clone()).check_referrer(Referrer::Absent),
            Err(Rule::Referrer)
        );
        form.allow_no_referrer = true;
        let r = restrictions(form);
        assert_eq!(r.check_referrer(Referrer::Absent), Ok(()));
        assert_eq!(
            r.check_referrer(Referrer::Host("evil.test")),
            Err(Rule::Referrer),
            "the tick does not open the door to other sites"
        );
    }

    #[test]
    fn networks_admit_addresses_inside_them_in_either_family() {
        let r = restrictions(RestrictionsForm {
            networks: "203.0.113.0/24, 2001:db8::/32",
            ..Default::default()
        });
        assert_eq!(r.check_network(ip("203.0.113.77")), Ok(()));
        assert_eq!(r.check_network(ip("2001:db8:1::5")), Ok(()));
        assert_eq!(r.check_network(ip("198.51.100.1")), Err(Rule::Network));
        assert_eq!(r.check_network(ip("2001:db9::1")), Err(Rule::Network));
        assert_eq!(
            r.check_network(ip("::ffff:203.0.113.9")),
            Ok(()),
            "an IPv4-mapped address is its IPv4 address"
        );
    }

    #[test]
    fn types_and_read_only_limit_what_the_key_may_do() {
        let r = restrictions(RestrictionsForm {
            types: vec!["text", "url"],
            read_only: true,
            ..Default::default()
        });
        assert_eq!(r.types(), ["url", "text"], "kept in the known order");
        assert_eq!(r.check_type("url"), Ok(()));
        assert_eq!(r.check_type("wifi"), Err(Rule::Type));
        assert_eq!(r.check_permission(Permission::Render), Ok(()));
        assert_eq!(r.check_permission(Permission::Read), Ok(()));
        assert_eq!(r.check_permission(Permission::Write), Err(Rule::ReadOnly));
    }

    #[test]
    fn each_bad_field_is_named() {
        let err = Restrictions::parse(
            &RestrictionsForm {
                referrers: "example.org https://evil.test/x",
                ..Default::default()
            },
            TYPES,
        )
        .unwrap_err();
        assert_eq!(err.field, "referrers");
        assert!(err.to_string().starts_with("Allowed referrers: "), "{err}");
        assert!(err.message.contains("`evil.test`"), "{err}");

        let err = Restrictions::parse(
            &RestrictionsForm {
                networks: "10.0.0.0/8\n10.0.0.0/99",
                ..Default::default()
            },
            TYPES,
        )
        .unwrap_err();
        assert_eq!(err.field, "networks");

        let err = Restrictions::parse(
            &RestrictionsForm {
                types: vec!["url", "bitcoin"],
                ..Default::default()
            },
            TYPES,
        )
        .unwrap_err();
        assert_eq!(
            (err.field, err.message.as_str()),
            ("types", "`bitcoin` is not a QR type")
        );
    }

    #[test]
    fn lists_are_bounded_and_repeats_dropped() {
        let many: Vec<String> = (0..=MAX_REFERRERS)
            .map(|i| format!("h{i}.example.org"))
            .collect();
        let err = Restrictions::parse(
            &RestrictionsForm {
                referrers: &many.join("\n"),
                ..Default::default()
            },
            TYPES,
        )
        .unwrap_err();
        assert_eq!(err.field, "referrers");
        assert!(err.message.contains("at most 20"), "{err}");

        let r = restrictions(RestrictionsForm {
            networks: "10.0.0.1 10.0.0.1\r\n10.0.0.1/32",
            ..Default::default()
        });
        assert_eq!(r.networks().len(), 1);
    }

    #[test]
    fn changes_are_described_field_by_field() {
        let old = Restrictions::default();
        let new = restrictions(RestrictionsForm {
            referrers: "example.org",
            read_only: true,
            ..Default::default()
        });
        assert_eq!(
            new.changes_from(&old).unwrap(),
            "referrers: any → example.org; requests without a referrer: allowed → refused; read-only: no → yes"
        );
        assert_eq!(new.changes_from(&new), None);
    }

    #[test]
    fn an_old_record_without_restrictions_reads_as_unrestricted() {
        let r: Restrictions = serde_json::from_str("{}").unwrap();
        assert!(r.is_empty());
        let stored = serde_json::to_string(&restrictions(RestrictionsForm {
            networks: "10.0.0.0/8",
            ..Default::default()
        }))
        .unwrap();
        let back: Restrictions = serde_json::from_str(&stored).unwrap();
        assert_eq!(back.networks()[0].to_string(), "10.0.0.0/8");
    }
}
