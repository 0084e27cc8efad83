//! `/dashboard/account`: the account's details and deleting it. Deletion asks for the
//! password and the account's email typed out (so it is never one stray click), erases
//! everything stored about the account (`Store::delete_account`), ends every session and
//! leaves the email free to sign up again.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::auth_pages::limit;
use super::context::PageContext;
use super::forms::{self, has_csrf};
use super::{Nav, PageError, session};
use crate::auth::session::removal_cookie;
use crate::clock;
use crate::domain::{Account, Email};
use crate::gate::limits::IpClass;
use crate::state::{AppState, blocking};

#[derive(Template)]
#[template(path = "dashboard/account.html")]
struct AccountPage {
    nav: Nav,
    csrf: String,
    email: String,
    created: String,
    error: Option<String>,
    /// The account was just deleted: only the farewell is shown.
    deleted: bool,
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
    /// The account's email, typed to confirm.
    #[serde(default)]
    confirm_email: String,
}

has_csrf!(DeleteForm);

pub async fn show(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    render(&ctx, account, None, StatusCode::OK)
}

pub async fn delete(
    req: HttpRequest,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let form: DeleteForm = forms::parse(&req, &state, body).await?;
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?.clone();
    limit(&req, &state, IpClass::KeyChange)?;

    let typed = Email::lookup_forms(&form.confirm_email);
    if !typed.iter().any(|email| email.as_str() == account.email) {
        let message = "Type your account's email exactly to confirm the deletion.";
        return render(&ctx, &account, Some(message), StatusCode::BAD_REQUEST);
    }
    let (hasher, stored, password) = (
        state.hasher.clone(),
        account.password_hash.clone(),
        form.password,
    );
    let _slot = state.hashing_slot().await?;
    let password_ok = blocking(move || Ok(hasher.verify(Some(&stored), &password))).await?;
    if !password_ok {
        tracing::info!(
            account_id = account.id,
            "account deletion refused: wrong password"
        );
        return render(
            &ctx,
            &account,
            Some("Incorrect password."),
            StatusCode::UNAUTHORIZED,
        );
    }

    let store = state.store.clone();
    let id = account.id;
    blocking(move || Ok(store.delete_account(id)?)).await?;
    state.meter.forget(id);
    tracing::info!(account_id = id, "account deleted by its owner");
    session::end(&req, &state).await?; // already gone with the account; harmless

    let page = AccountPage {
        nav: Nav::anonymous(),
        csrf: String::new(),
        email: Email::shown(&account.email),
        created: String::new(),
        error: None,
        deleted: true,
    };
    let mut response = ctx.render(StatusCode::OK, &page)?;
    let removal = removal_cookie(state.config.server.secure_cookies);
    response
        .add_cookie(&removal)
        .map_err(|_| PageError::BadForm("cookie"))?;
    Ok(response)
}

fn render(
    ctx: &PageContext,
    account: &Account,
    error: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let page = AccountPage {
        nav: ctx.nav("account"),
        csrf: ctx.csrf_token().to_owned(),
        email: Email::shown(&account.email),
        created: clock::human(account.created_at),
        error: error.map(str::to_owned),
        deleted: false,
    };
    ctx.render(status, &page)
}
