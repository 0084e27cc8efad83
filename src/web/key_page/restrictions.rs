//! The key's restrictions form on `/dashboard/api` (`<form id="key-restrictions">`):
//! what it shows, and saving it. The rules and their parsing are `domain::Restrictions`;
//! each refused field gets its message beside it.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;

use super::{KeyForm, Outcome, user_agent};
use crate::domain::{Account, Restrictions, RestrictionsForm};
use crate::qr::payload::QrType;
use crate::state::{AppState, blocking};
use crate::store::{RestrictionChange, RestrictionOutcome};
use crate::web::PageError;

/// The form's values: one entry per line in the lists, the ticked types by name.
pub(super) struct Draft {
    pub referrers: String,
    pub allow_no_referrer: bool,
    pub networks: String,
    pub types: Vec<String>,
    pub read_only: bool,
}

/// One checkbox of the QR types.
pub(super) struct TypeChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// The form name of a type's checkbox.
const TYPE_FIELD: &str = "type_";

impl Draft {
    pub fn of(restrictions: &Restrictions) -> Self {
        let lines = |items: Vec<String>| items.join("\n");
        Self {
            referrers: lines(
                restrictions
                    .referrers()
                    .iter()
                    .map(|p| p.to_string())
                    .collect(),
            ),
            allow_no_referrer: restrictions.allow_no_referrer(),
            networks: lines(
                restrictions
                    .networks()
                    .iter()
                    .map(|n| n.to_string())
                    .collect(),
            ),
            types: restrictions.types().to_vec(),
            read_only: restrictions.read_only(),
        }
    }

    pub fn from_form(form: &KeyForm) -> Self {
        Self {
            referrers: form.referrers.clone(),
            allow_no_referrer: form.allow_no_referrer == "on",
            networks: form.networks.clone(),
            types: form
                .rest
                .iter()
                .filter(|(_, value)| value.as_str() == "on")
                .filter_map(|(name, _)| name.strip_prefix(TYPE_FIELD))
                .map(str::to_owned)
                .collect(),
            read_only: form.read_only == "on",
        }
    }

    pub fn type_choices(&self) -> Vec<TypeChoice> {
        QrType::ALL
            .iter()
            .map(|kind| TypeChoice {
                value: kind.as_str(),
                label: kind.title(),
                checked: self.types.iter().any(|t| t == kind.as_str()),
            })
            .collect()
    }

    fn parse(&self) -> Result<Restrictions, crate::domain::RestrictionError> {
        let known: Vec<&str> = QrType::ALL.iter().map(|k| k.as_str()).collect();
        let form = RestrictionsForm {
            referrers: &self.referrers,
            allow_no_referrer: self.allow_no_referrer,
            networks: &self.networks,
            types: self.types.iter().map(String::as_str).collect(),
            read_only: self.read_only,
        };
        Restrictions::parse(&form, &known)
    }
}

/// Saves the restrictions typed in the form (`restrict`) or none (`unrestrict`), after the
/// password was checked.
pub(super) async fn submit(
    req: &HttpRequest,
    state: &AppState,
    account: Account,
    form: &KeyForm,
) -> Result<(StatusCode, Outcome, Account), PageError> {
    let restrictions = if form.action == "unrestrict" {
        Restrictions::default()
    } else {
        let draft = Draft::from_form(form);
        match draft.parse() {
            Ok(restrictions) => restrictions,
            Err(e) => {
                let outcome = Outcome {
                    error: Some(format!("The restrictions were not saved. {e}")),
                    field_error: Some((e.field, e.message.clone())),
                    draft: Some(draft),
                    ..Outcome::default()
                };
                return Ok((StatusCode::BAD_REQUEST, outcome, account));
            }
        }
    };
    let change = RestrictionChange {
        account_id: account.id,
        restrictions,
        ip: state.client_ip(req).to_string(),
        user_agent: user_agent(req),
        now: state.clock.now(),
    };
    let store = state.store.clone();
    let outcome = blocking(move || Ok(store.set_restrictions(change)?)).await?;
    let notice = |text: &str| Outcome {
        notice: Some(text.to_owned()),
        ..Outcome::default()
    };
    match outcome {
        RestrictionOutcome::Changed(updated) => {
            tracing::info!(account_id = updated.id, "key restrictions changed");
            let text = if updated.restrictions.is_empty() {
                "The key's restrictions were removed: it works from anywhere again."
            } else {
                "The key's restrictions were saved. They apply from the next request."
            };
            Ok((StatusCode::OK, notice(text), updated))
        }
        RestrictionOutcome::Unchanged(current) => Ok((
            StatusCode::OK,
            notice("Nothing changed: these are the restrictions in force."),
            current,
        )),
        RestrictionOutcome::NoKey => Ok((
            StatusCode::CONFLICT,
            Outcome::error("There is no key to restrict yet. Create one first."),
            account,
        )),
        RestrictionOutcome::NoAccount => Err(PageError::LoginRequired),
    }
}
