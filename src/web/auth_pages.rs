//! Sign-up, login and logout.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::{PageContext, see_other};
use super::forms::{self, has_csrf};
use super::{Nav, PageError, session};
use crate::config::TRIAL_PLAN;
use crate::domain::{Email, Password, PlanPeriod, Role};
use crate::gate::limits::IpClass;
use crate::state::{AppState, blocking};
use crate::store::{EmailTaken, NewAccount};

/// Same words for an unknown email and a wrong password, so neither reveals the other.
const LOGIN_FAILED: &str = "Incorrect email or password.";

#[derive(Template)]
#[template(path = "auth/signup.html")]
struct SignupPage {
    nav: Nav,
    csrf: String,
    email: String,
    error: Option<String>,
    min_length: usize,
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    nav: Nav,
    csrf: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct CredentialsForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf_token: String,
}

has_csrf!(CredentialsForm, LogoutForm);

pub async fn signup_form(
    req: HttpRequest,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    if ctx.user.is_some() {
        return Ok(see_other("/dashboard"));
    }
    let page = signup_page(&ctx, &state, String::new(), None);
    ctx.render(StatusCode::OK, &page)
}

pub async fn signup(
    req: HttpRequest,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let form: CredentialsForm = forms::parse(&req, &state, body).await?;
    limit(&req, &state, IpClass::Signup)?;
    let ctx = PageContext::load(&req, &state).await?;
    let min_length = state.config.accounts.password_min_length;
    let checked = Email::parse(&form.email)
        .map_err(|e| e.to_string())
        .and_then(|email| {
            let password =
                Password::parse_new(form.password, min_length).map_err(|e| e.to_string())?;
            Ok((email, password))
        });
    let (email, password) = match checked {
        Ok(valid) => valid,
        Err(message) => {
            // Echoed with unsafe characters made visible, so the person sees what to fix.
            let page = signup_page(&ctx, &state, Email::shown(&form.email), Some(message));
            return ctx.render(StatusCode::BAD_REQUEST, &page);
        }
    };
    let role = if state.config.admin_emails().contains(&email) {
        Role::Admin
    } else {
        Role::User
    };
    let now = state.clock.now();
    let trial_days = i64::from(state.config.trial().period_days);
    let period = PlanPeriod {
        plan: TRIAL_PLAN.to_owned(),
        start: now,
        end: now + trial_days * 86_400,
    };
    // An account made before today's email rules, under the address as typed, is the
    // same mailbox: log in to that one rather than make a second.
    let older_forms: Vec<Email> = Email::lookup_forms(&form.email)
        .into_iter()
        .filter(|older| *older != email)
        .collect();
    let (hasher, store) = (state.hasher.clone(), state.store.clone());
    let new_email = email.clone();
    let _slot = state.hashing_slot().await?;
    let created = blocking(move || {
        for older in &older_forms {
            if store.account_by_email(older)?.is_some() {
                return Ok(Err(EmailTaken));
            }
        }
        let password_hash = hasher.hash(password.expose())?;
        let new = NewAccount {
            email: new_email,
            password_hash,
            role,
            period,
            now,
        };
        Ok(store.create_account(new)?)
    })
    .await?;
    let account = match created {
        Ok(account) => account,
        Err(EmailTaken) => {
            let message = "An account with this email already exists. Log in instead.".to_owned();
            let page = signup_page(&ctx, &state, form.email, Some(message));
            return ctx.render(StatusCode::CONFLICT, &page);
        }
    };
    tracing::info!(account_id = account.id, "account created");
    let cookie = session::start(&state, account.id).await?;
    let mut response = see_other("/dashboard");
    response
        .add_cookie(&cookie)
        .map_err(|_| PageError::BadForm("cookie"))?;
    Ok(response)
}

pub async fn login_form(
    req: HttpRequest,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    if ctx.user.is_some() {
        return Ok(see_other("/dashboard"));
    }
    let page = login_page(&ctx, String::new(), None);
    ctx.render(StatusCode::OK, &page)
}

pub async fn login(
    req: HttpRequest,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let form: CredentialsForm = forms::parse(&req, &state, body).await?;
    limit(&req, &state, IpClass::Login)?;
    let ctx = PageContext::load(&req, &state).await?;
    if let Err(too_long) = Password::check_typed(&form.password) {
        let page = login_page(&ctx, form.email, Some(too_long.to_string()));
        return ctx.render(StatusCode::BAD_REQUEST, &page);
    }
    // Accounts made before today's email rules may be stored under an older form.
    let lookup = Email::lookup_forms(&form.email);
    // Failures are counted per email asked for, known or not, so the back-off itself
    // does not tell which emails have accounts; and per client address, so a stranger's
    // failures never hold back the owner's address.
    let asked_for = lookup.last().map_or_else(
        || form.email.trim().to_lowercase(),
        |e| e.as_str().to_owned(),
    );
    let backoff = state.limiters.login_failures();
    let attempt = backoff.attempt(&asked_for, state.client_ip(&req));
    let now = state.clock.now();
    if let Some(wait) = backoff.wait(&attempt, now) {
        tracing::info!("login refused: back-off after repeated failures");
        return Err(PageError::TooMany(wait));
    }
    let (hasher, store) = (state.hasher.clone(), state.store.clone());
    let password = form.password;
    let _slot = state.hashing_slot().await?;
    // An unknown email still costs one hash verification, so timing does not tell.
    let verified = blocking(move || {
        let mut account = None;
        for email in &lookup {
            account = store.account_by_email(email)?;
            if account.is_some() {
                break;
            }
        }
        let ok = hasher.verify(
            account.as_ref().map(|a| a.password_hash.as_str()),
            &password,
        );
        let Some(account) = account.filter(|_| ok) else {
            return Ok(None);
        };
        // Costs changed in config since this hash was made: upgrade it now, while the
        // password is at hand.
        if hasher.needs_rehash(&account.password_hash) {
            let upgraded = hasher.hash(&password)?;
            store.set_password_hash(account.id, &upgraded)?;
            tracing::info!(
                account_id = account.id,
                "password hash upgraded to the configured costs"
            );
        }
        Ok(Some(account))
    })
    .await?;
    let Some(account) = verified else {
        backoff.failed(&attempt, now);
        tracing::info!("login failed");
        let page = login_page(&ctx, form.email, Some(LOGIN_FAILED.to_owned()));
        return ctx.render(StatusCode::UNAUTHORIZED, &page);
    };
    backoff.succeeded(&attempt);
    if account.disabled {
        tracing::info!(account_id = account.id, "login refused: account disabled");
        let message = "This account is disabled. Contact the operator of this server.".to_owned();
        let page = login_page(&ctx, form.email, Some(message));
        return ctx.render(StatusCode::FORBIDDEN, &page);
    }
    // A fresh session id at every login; any session the browser held is ended.
    session::end(&req, &state).await?;
    let cookie = session::start(&state, account.id).await?;
    tracing::info!(account_id = account.id, "login succeeded");
    let mut response = see_other("/dashboard");
    response
        .add_cookie(&cookie)
        .map_err(|_| PageError::BadForm("cookie"))?;
    Ok(response)
}

pub async fn logout(
    req: HttpRequest,
    state: Data<AppState>,
    body: Payload,
) -> Result<HttpResponse, PageError> {
    let _form: LogoutForm = forms::parse(&req, &state, body).await?;
    session::end(&req, &state).await?;
    let removal = crate::auth::session::removal_cookie(state.config.server.secure_cookies);
    let mut response = see_other("/login");
    response
        .add_cookie(&removal)
        .map_err(|_| PageError::BadForm("cookie"))?;
    Ok(response)
}

/// Applies the per-IP limit of this form.
pub(super) fn limit(req: &HttpRequest, state: &AppState, class: IpClass) -> Result<(), PageError> {
    let decision = state.limiters.check_ip(class, state.client_ip(req));
    match decision.retry_after {
        Some(wait) => {
            state.metrics.rate_limited();
            tracing::info!(?class, "form refused: rate limit");
            Err(PageError::TooMany(wait))
        }
        None => Ok(()),
    }
}

fn signup_page(
    ctx: &PageContext,
    state: &AppState,
    email: String,
    error: Option<String>,
) -> SignupPage {
    SignupPage {
        nav: ctx.nav("signup"),
        csrf: ctx.csrf_token().to_owned(),
        email,
        error,
        min_length: state.config.accounts.password_min_length,
    }
}

fn login_page(ctx: &PageContext, email: String, error: Option<String>) -> LoginPage {
    LoginPage {
        nav: ctx.nav("login"),
        csrf: ctx.csrf_token().to_owned(),
        email,
        error,
    }
}
