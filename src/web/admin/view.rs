//! What `/admin` is asked to show: the email prefix searched for, the plan and status
//! filters, the order and the page (a cursor into the order's index). The same query
//! string rides on the page's links and on its forms' actions, so granting a plan or
//! disabling an account answers with the same search, filters and page.

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use crate::config::Config;
use crate::domain::AccountStatus;
use crate::store::{ListOrder, ListPosition};

/// Longest email prefix searched for (the longest address).
const MAX_PREFIX_BYTES: usize = 254;

/// The statuses to filter by, as they appear in the query.
pub const STATUSES: [AccountStatus; 4] = [
    AccountStatus::Active,
    AccountStatus::Expired,
    AccountStatus::OverQuota,
    AccountStatus::Disabled,
];

/// The orders, as they appear in the query, with their labels.
pub const ORDERS: [(&str, &str, ListOrder); 4] = [
    ("email", "Email, A to Z", ListOrder::EmailAscending),
    ("email_desc", "Email, Z to A", ListOrder::EmailDescending),
    ("newest", "Newest first", ListOrder::NewestFirst),
    ("oldest", "Oldest first", ListOrder::OldestFirst),
];

/// The query as sent; every field optional and checked in `AdminView::parse`.
#[derive(Debug, Default, Deserialize)]
struct RawQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    after: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AdminView {
    /// The email prefix, normalised as stored emails are (NFKC, lower case).
    pub search: String,
    pub plan: Option<String>,
    pub status: Option<AccountStatus>,
    /// The `sort` value (one of `ORDERS`).
    pub sort: &'static str,
    pub order: ListOrder,
    /// Where this page starts, in `order`.
    pub after: Option<ListPosition>,
}

impl Default for AdminView {
    fn default() -> Self {
        Self {
            search: String::new(),
            plan: None,
            status: None,
            sort: ORDERS[0].0,
            order: ORDERS[0].2,
            after: None,
        }
    }
}

impl AdminView {
    /// The view a query string asks for. A value that cannot be used is left out and
    /// named in the returned message, so the page still shows what it can.
    pub fn parse(query: &str, config: &Config) -> (Self, Option<String>) {
        let Ok(raw) = serde_urlencoded::from_str::<RawQuery>(query) else {
            let message = "The address of this page is not a valid query; showing all accounts.";
            return (Self::default(), Some(message.into()));
        };
        let mut problems = Vec::new();
        let mut view = Self::default();
        let search: String = raw.q.trim().nfkc().collect::<String>().to_lowercase();
        if search.len() > MAX_PREFIX_BYTES {
            problems.push(format!(
                "An email search is at most {MAX_PREFIX_BYTES} bytes long."
            ));
        } else {
            view.search = search;
        }
        match raw.plan.trim() {
            "" => {}
            plan if config.plan(plan).is_some() => view.plan = Some(plan.to_owned()),
            plan => problems.push(format!("There is no plan named `{}`.", clip(plan))),
        }
        match raw.status.trim() {
            "" => {}
            status => match STATUSES.iter().find(|s| s.as_str() == status) {
                Some(found) => view.status = Some(*found),
                None => problems.push(format!(
                    "There is no status `{}`; choose active, expired, over_quota or disabled.",
                    clip(status)
                )),
            },
        }
        match raw.sort.trim() {
            "" => {}
            sort => match ORDERS.iter().find(|(name, _, _)| *name == sort) {
                Some(&(name, _, order)) => (view.sort, view.order) = (name, order),
                None => problems.push(format!(
                    "There is no order `{}`; choose email, email_desc, newest or oldest.",
                    clip(sort)
                )),
            },
        }
        match (raw.after.as_str(), view.order) {
            ("", _) => {}
            (after, ListOrder::NewestFirst | ListOrder::OldestFirst) => match after.parse() {
                Ok(id) => view.after = Some(ListPosition::Id(id)),
                Err(_) => problems.push(page_link_broken()),
            },
            (after, _) if after.len() <= MAX_PREFIX_BYTES => {
                view.after = Some(ListPosition::Email(after.to_owned()));
            }
            _ => problems.push(page_link_broken()),
        }
        let message = (!problems.is_empty()).then(|| problems.join(" "));
        (view, message)
    }

    /// The query string of this view at `after` (no leading `?`; empty for the defaults).
    pub fn query(&self, after: Option<&ListPosition>) -> String {
        let after = match after {
            Some(ListPosition::Email(email)) => email.clone(),
            Some(ListPosition::Id(id)) => id.to_string(),
            None => String::new(),
        };
        let sort = if self.sort == ORDERS[0].0 {
            ""
        } else {
            self.sort
        };
        let pairs = [
            ("q", self.search.as_str()),
            ("plan", self.plan.as_deref().unwrap_or("")),
            ("status", self.status.map_or("", AccountStatus::as_str)),
            ("sort", sort),
            ("after", after.as_str()),
        ];
        let present: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_urlencoded::to_string(present).unwrap_or_default()
    }

    /// `path` with this page's query, for links and form actions.
    pub fn url(&self, path: &str, after: Option<&ListPosition>) -> String {
        match self.query(after) {
            query if query.is_empty() => path.to_owned(),
            query => format!("{path}?{query}"),
        }
    }

    /// Whether any filter narrows the list.
    pub fn is_filtered(&self) -> bool {
        !self.search.is_empty() || self.plan.is_some() || self.status.is_some()
    }
}

fn page_link_broken() -> String {
    "The page link is not valid; showing the first page.".into()
}

/// A typed value as quoted back in a message.
fn clip(value: &str) -> String {
    value.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> (AdminView, Option<String>) {
        AdminView::parse(query, &Config::defaults())
    }

    #[test]
    fn an_empty_query_is_every_account_by_email() {
        let (view, problem) = parse("");
        assert_eq!((view, problem), (AdminView::default(), None));
        assert_eq!(AdminView::default().url("/admin", None), "/admin");
    }

    #[test]
    fn a_view_survives_the_round_trip_through_its_own_query() {
        let (view, problem) = parse("q=+Ada%40Ex&plan=pro&status=over_quota&sort=newest&after=42");
        assert_eq!(problem, None);
        assert_eq!(view.search, "ada@ex");
        assert_eq!(view.plan.as_deref(), Some("pro"));
        assert_eq!(view.status, Some(AccountStatus::OverQuota));
        assert_eq!(view.order, ListOrder::NewestFirst);
        assert_eq!(view.after, Some(ListPosition::Id(42)));
        let again = parse(&view.query(view.after.as_ref())).0;
        assert_eq!(again, view);
        assert_eq!(
            view.url("/admin/grant", None),
            "/admin/grant?q=ada%40ex&plan=pro&status=over_quota&sort=newest"
        );
    }

    #[test]
    fn fullwidth_and_capital_letters_search_as_stored() {
        assert_eq!(parse("q=%EF%BD%81DA").0.search, "ada");
    }

    #[test]
    fn values_that_cannot_be_used_are_named_and_left_out() {
        let (view, problem) = parse("plan=platinum&status=sleepy&sort=random&q=ada");
        let problem = problem.unwrap();
        for named in ["`platinum`", "`sleepy`", "`random`"] {
            assert!(problem.contains(named), "{problem}");
        }
        assert_eq!((view.plan, view.status, view.sort), (None, None, "email"));
        assert_eq!(view.search, "ada", "the usable part is kept");
        let (view, problem) = parse("sort=oldest&after=ada%40example.org");
        assert!(problem.unwrap().contains("page link"));
        assert_eq!(view.after, None);
        let (_, problem) = parse(&format!("q={}", "a".repeat(300)));
        assert!(problem.unwrap().contains("254"));
    }
}
