//! A key's restrictions applied to requests. The rules live in `domain::Restrictions`;
//! this reads the request's referrer and client address for them, and words refusals as
//! `403` problems naming the rule (`referrer`, `network`, `type`, `read_only`).
//!
//! Referrer and network are checked with the key, before anything else, so a request
//! from elsewhere learns nothing about the account and is rate-limited per address, not
//! against the owner's plan. Type and permission are checked where the request says
//! what it wants.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header::{ORIGIN, REFERER};

use super::KeyHolder;
use crate::domain::{Permission, Referrer, Restrictions, Rule};
use crate::problem::Problem;

/// How much of a header the refusal repeats.
const SHOWN_CHARS: usize = 100;

/// A request the key's restrictions refuse: the rule, and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restricted {
    pub rule: Rule,
    pub detail: String,
}

impl Restricted {
    /// The `403` problem+json, with the rule as the `rule` member.
    pub fn problem(&self) -> Problem {
        let problem = Problem::new(
            403,
            "restricted",
            "Forbidden by the key's restrictions",
            self.detail.clone(),
        )
        .extension("rule", self.rule.as_str());
        match self.rule {
            Rule::Type => problem.parameter("type"),
            _ => problem,
        }
    }
}

/// Where the request comes from, as the referrer rule sees it.
enum Seen {
    Absent,
    Host(String),
    /// A header was sent but names no host (`Origin: null`, a `file:` page, bad bytes).
    Opaque(String),
}

/// `Origin` when the request has one (browsers send it on cross-site fetches and on
/// POST), else `Referer` (images and links, unless the page's referrer policy drops it).
fn seen_referrer(req: &HttpRequest) -> Seen {
    let headers = req.headers();
    let Some(value) = headers.get(ORIGIN).or_else(|| headers.get(REFERER)) else {
        return Seen::Absent;
    };
    let Ok(text) = value.to_str() else {
        return Seen::Opaque("(unreadable bytes)".to_owned());
    };
    let shown = || text.chars().take(SHOWN_CHARS).collect::<String>();
    match url::Url::parse(text.trim()) {
        Ok(url) => match url.host_str() {
            Some(host) => Seen::Host(host.to_owned()),
            None => Seen::Opaque(shown()),
        },
        Err(_) => Seen::Opaque(shown()),
    }
}

/// The referrer and network rules, for a request made with the key.
pub fn check_request(
    restrictions: &Restrictions,
    req: &HttpRequest,
    client: IpAddr,
) -> Option<Restricted> {
    if !restrictions.limits_origin() {
        return None;
    }
    if restrictions.check_network(client).is_err() {
        return Some(Restricted {
            rule: Rule::Network,
            detail: format!(
                "This key may be used only from the client networks its owner listed, and this request came from {}.",
                client.to_canonical()
            ),
        });
    }
    let seen = seen_referrer(req);
    let referrer = match &seen {
        Seen::Absent => Referrer::Absent,
        Seen::Host(host) => Referrer::Host(host),
        Seen::Opaque(_) => Referrer::Opaque,
    };
    restrictions.check_referrer(referrer).err()?;
    let detail = match seen {
        Seen::Absent => "This key may be used only from the web sites its owner listed, and this request has neither an Origin nor a Referer header. For use from a server, the owner can allow requests without a referrer on /dashboard/api.".to_owned(),
        Seen::Host(host) => format!(
            "This key may be used only from the web sites its owner listed, and this request came from {}.",
            host.chars().take(SHOWN_CHARS).collect::<String>()
        ),
        Seen::Opaque(text) => format!(
            "This key may be used only from the web sites its owner listed, and this request's Origin or Referer ({text}) names no site."
        ),
    };
    Some(Restricted {
        rule: Rule::Referrer,
        detail,
    })
}

impl KeyHolder {
    /// Refuses what a read-only key may not do (others call this before any change).
    pub fn require(&self, permission: Permission) -> Result<(), Problem> {
        match self.account.restrictions.check_permission(permission) {
            Ok(()) => Ok(()),
            Err(rule) => Err(Restricted {
                rule,
                detail: "This key is read-only: it may render codes and read usage, but not upload or delete logos or create signed URLs, dynamic codes or batches. Its owner can change that on /dashboard/api.".to_owned(),
            }
            .problem()),
        }
    }

    /// Refuses a QR type the key may not generate.
    pub fn check_type(&self, kind: &str) -> Result<(), Restricted> {
        let restrictions = &self.account.restrictions;
        restrictions.check_type(kind).map_err(|rule| Restricted {
            rule,
            detail: format!(
                "This key may not generate {} codes; it may generate {}.",
                kind.chars().take(40).collect::<String>(),
                restrictions.types().join(", ")
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RestrictionsForm;
    use actix_web::test::TestRequest;

    fn restrictions(referrers: &str, allow_no_referrer: bool, networks: &str) -> Restrictions {
        let form = RestrictionsForm {
            referrers,
            allow_no_referrer,
            networks,
            ..Default::default()
        };
        Restrictions::parse(&form, &["url"]).unwrap()
    }

    fn check(r: &Restrictions, headers: &[(&str, &str)], client: &str) -> Option<Rule> {
        let req = headers
            .iter()
            .fold(TestRequest::default(), |req, h| req.append_header(*h))
            .to_http_request();
        check_request(r, &req, client.parse().unwrap()).map(|refused| refused.rule)
    }

    #[test]
    fn origin_decides_before_referer() {
        let r = restrictions("example.org", false, "");
        let client = "203.0.113.1";
        assert_eq!(
            check(&r, &[("origin", "https://example.org")], client),
            None
        );
        assert_eq!(
            check(&r, &[("referer", "https://EXAMPLE.org/menu?x=1")], client),
            None
        );
        assert_eq!(
            check(
                &r,
                &[
                    ("origin", "https://evil.test"),
                    ("referer", "https://example.org/")
                ],
                client
            ),
            Some(Rule::Referrer)
        );
        assert_eq!(
            check(&r, &[("origin", "null")], client),
            Some(Rule::Referrer)
        );
        assert_eq!(check(&r, &[], client), Some(Rule::Referrer));
    }

    #[test]
    fn an_international_origin_matches_its_pattern() {
        let r = restrictions("*.bücher.example", false, "");
        let origin = [("origin", "https://shop.xn--bcher-kva.example:8443")];
        assert_eq!(check(&r, &origin, "203.0.113.1"), None);
    }

    #[test]
    fn the_network_rule_names_the_address_the_request_came_from() {
        let r = restrictions("", false, "10.0.0.0/8");
        let req = TestRequest::default().to_http_request();
        let refused = check_request(&r, &req, "192.0.2.7".parse().unwrap()).unwrap();
        assert_eq!(refused.rule, Rule::Network);
        assert!(refused.detail.contains("192.0.2.7"), "{}", refused.detail);
        assert_eq!(check(&r, &[], "10.9.8.7"), None);
    }

    #[test]
    fn a_refusal_is_a_403_problem_naming_the_rule() {
        let refused = Restricted {
            rule: Rule::ReadOnly,
            detail: "read-only".into(),
        };
        let body = format!("{:?}", refused.problem());
        assert!(
            body.contains("status: 403") && body.contains("\"read_only\""),
            "{body}"
        );
    }
}
