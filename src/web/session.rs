//! Finding the signed-in account from the session cookie, and starting/ending sessions.

use actix_web::HttpRequest;
use actix_web::cookie::Cookie;

use super::PageError;
use crate::auth::session::{self, SessionToken};
use crate::domain::Account;
use crate::state::{AppState, blocking};
use crate::store::SessionRecord;

pub struct SignedIn {
    pub account: Account,
}

/// The account behind the request's session cookie, if the session is live and the
/// account is not disabled.
pub async fn current(req: &HttpRequest, state: &AppState) -> Result<Option<SignedIn>, PageError> {
    let Some(token) = session::token_in(req, state.config.server.secure_cookies) else {
        return Ok(None);
    };
    let token_hash = session::token_hash(&token);
    let store = state.store.clone();
    let now = state.clock.now();
    let idle_limit = i64::from(state.config.accounts.session_idle_minutes) * 60;
    let account = blocking(move || {
        let Some(session) = store.session(&token_hash, now)? else {
            return Ok(None);
        };
        let last_seen = session.last_seen.max(session.created_at);
        if now - last_seen > idle_limit {
            store.delete_session(&token_hash)?;
            return Ok(None);
        }
        // Activity is recorded to the minute: one write a minute per active session,
        // not one per page view.
        if now - last_seen >= 60 {
            store.touch_session(&token_hash, now)?;
        }
        Ok(store.account(session.account_id)?)
    })
    .await?;
    Ok(account
        .filter(|a| !a.disabled)
        .map(|account| SignedIn { account }))
}

/// Creates a durable session for `account_id` and returns its cookie.
pub async fn start(state: &AppState, account_id: u64) -> Result<Cookie<'static>, PageError> {
    let token = SessionToken::generate();
    let now = state.clock.now();
    let lifetime = i64::from(state.config.accounts.session_hours) * 3600;
    let record = SessionRecord {
        account_id,
        created_at: now,
        expires_at: now + lifetime,
        last_seen: now,
    };
    let hash = session::token_hash(token.as_str());
    let store = state.store.clone();
    blocking(move || Ok(store.create_session(&hash, &record)?)).await?;
    Ok(session::session_cookie(
        &token,
        state.config.server.secure_cookies,
        lifetime,
    ))
}

/// Deletes the session behind the request's cookie, if any.
pub async fn end(req: &HttpRequest, state: &AppState) -> Result<(), PageError> {
    if let Some(token) = session::token_in(req, state.config.server.secure_cookies) {
        let hash = session::token_hash(&token);
        let store = state.store.clone();
        blocking(move || Ok(store.delete_session(&hash)?)).await?;
    }
    Ok(())
}
