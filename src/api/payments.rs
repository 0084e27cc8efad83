//! `POST /webhooks/payment`: a payment provider, or the operator's billing system, grants
//! a plan after a payment ("upon successful payment the existing key is reactivated").
//!
//! The request is signed, not authenticated by a session or key: the header
//! `X-Qrgate-Signature: t=<unix seconds>,v1=<hex>` carries HMAC-SHA-256 of
//! `"<t>.<raw body>"` under `payments.webhook_secret`. The timestamp is inside the signed
//! text and must be within `payments.webhook_tolerance_secs` of now, so a captured request
//! cannot be replayed later; within that window, the event id makes a replay (or a
//! provider's retry) a no-op. The comparison is constant-time (`Mac::verify_slice`).
//! With no secret configured, the endpoint does not exist (404).

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;

use super::{Problem, body};
use crate::clock;
use crate::domain::Email;
use crate::state::{AppState, blocking};
use crate::store::PaymentGrant;

pub const SIGNATURE_HEADER: &str = "x-qrgate-signature";
/// A payment event is a few short fields; anything larger is not one.
const MAX_BODY_BYTES: usize = 16 * 1024;
const MAX_EVENT_ID_LEN: usize = 200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentEvent {
    /// The provider's id for the event, unique per payment.
    event_id: String,
    email: String,
    plan: String,
}

pub async fn payment(
    req: HttpRequest,
    state: Data<AppState>,
    payload: Payload,
) -> Result<HttpResponse, Problem> {
    let payments = &state.config.payments;
    if payments.webhook_secret.is_empty() {
        return Err(Problem::new(
            404,
            "not-found",
            "Not found",
            "The payment webhook is off: set payments.webhook_secret to turn it on.",
        ));
    }
    let body = body::read_capped(payload, MAX_BODY_BYTES, "payment event").await?;
    let now = state.clock.now();
    let signature = req
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    if let Err(why) = verify(
        signature,
        &body,
        payments.webhook_secret.expose().as_bytes(),
        now,
        payments.webhook_tolerance_secs,
    ) {
        tracing::warn!(reason = why, "payment webhook: signature refused");
        return Err(Problem::new(
            401,
            "bad-signature",
            "Bad signature",
            format!("`X-Qrgate-Signature` {why}"),
        )
        .parameter("X-Qrgate-Signature"));
    }

    let event: PaymentEvent =
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(&body))
            .map_err(|e| {
                let (path, message) = (e.path().to_string(), e.inner().to_string());
                // serde reports a missing field at the object, not at the field: name the field.
                let missing = message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split_once('`'))
                    .map(|(field, _)| field.to_owned());
                let parameter = match (&missing, path.as_str()) {
                    (Some(field), _) => field.as_str(),
                    (None, ".") => "body",
                    (None, path) => path,
                };
                invalid(400, parameter, format!("is not valid: {message}"))
            })?;
    let event_id = event.event_id.trim();
    let printable = event_id.bytes().all(|b| b.is_ascii_graphic());
    if event_id.is_empty() || event_id.len() > MAX_EVENT_ID_LEN || !printable {
        return Err(invalid(
            422,
            "event_id",
            format!("must be 1 to {MAX_EVENT_ID_LEN} printable ASCII characters"),
        ));
    }
    let email = Email::parse(&event.email).map_err(|e| invalid(422, "email", e.to_string()))?;
    let Some(plan) = state.config.plan(&event.plan).cloned() else {
        let names: Vec<&str> = state.config.plans.keys().map(String::as_str).collect();
        return Err(invalid(
            422,
            "plan",
            format!(
                "`{}` is not a plan here (plans: {})",
                event.plan,
                names.join(", ")
            ),
        ));
    };

    let (store, id, target, plan_name) = (
        state.store.clone(),
        event_id.to_owned(),
        email.clone(),
        event.plan.clone(),
    );
    let outcome =
        blocking(move || Ok(store.grant_plan_for_payment(&id, &target, &plan_name, &plan, now)?))
            .await?;
    match outcome {
        PaymentGrant::Granted(account) => {
            tracing::info!(
                account_id = account.id,
                plan = %event.plan,
                event_id,
                "plan granted by payment webhook"
            );
            Ok(HttpResponse::Ok().json(json!({
                "status": "granted",
                "event_id": event_id,
                "email": account.email.as_str(),
                "plan": account.period.plan,
                "period_end": clock::rfc3339(account.period.end),
            })))
        }
        PaymentGrant::AlreadyApplied { account_id, plan } => {
            tracing::info!(
                account_id,
                event_id,
                "payment webhook: event already applied"
            );
            Ok(HttpResponse::Ok().json(json!({
                "status": "already_applied",
                "event_id": event_id,
                "plan": plan,
            })))
        }
        PaymentGrant::NoSuchAccount => Err(invalid(
            422,
            "email",
            format!("no account has the email {email}"),
        )),
    }
}

fn invalid(status: u16, parameter: &str, detail: impl Into<String>) -> Problem {
    let detail = format!("`{parameter}` {}", detail.into());
    Problem::new(status, "invalid-event", "Invalid payment event", detail).parameter(parameter)
}

/// Checks `t=<unix seconds>,v1=<hex HMAC-SHA-256 of "t.body">`; the error says what is
/// wrong in words that reveal nothing about the secret.
fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &[u8],
    now: i64,
    tolerance_secs: u64,
) -> Result<(), &'static str> {
    let header = header.ok_or("is missing")?;
    let (mut timestamp, mut signatures) = (None, Vec::new());
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or("has no `t=` with the signing time in Unix seconds")?;
    if signatures.is_empty() {
        return Err("has no `v1=` signature");
    }
    if now.abs_diff(timestamp) > tolerance_secs {
        return Err("was made too long ago (or in the future): check the sender's clock");
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    // Several `v1=` values are allowed, so that a sender can sign with an old and a new
    // secret while they are being rotated.
    let matches = signatures.iter().any(|hex_signature| {
        hex::decode(hex_signature).is_ok_and(|bytes| mac.clone().verify_slice(&bytes).is_ok())
    });
    if matches {
        Ok(())
    } else {
        Err("does not match the body: check the secret and that the body is signed as sent")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn sign(t: i64, body: &[u8], secret: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn a_fresh_signature_of_the_body_is_accepted() {
        let body = br#"{"event_id":"e1","email":"a@example.org","plan":"pro"}"#;
        let header = sign(1000, body, SECRET);
        assert_eq!(verify(Some(&header), body, SECRET, 1000, 300), Ok(()));
        assert_eq!(verify(Some(&header), body, SECRET, 1300, 300), Ok(()));
        // With a second, wrong signature beside it (rotation).
        let both = format!("{header},v1=00ff");
        assert_eq!(verify(Some(&both), body, SECRET, 1000, 300), Ok(()));
    }

    #[test]
    fn anything_else_is_refused() {
        let body = br#"{"event_id":"e1","email":"a@example.org","plan":"pro"}"#;
        let header = sign(1000, body, SECRET);
        let tampered = br#"{"event_id":"e1","email":"b@example.org","plan":"pro"}"#;
        assert!(verify(Some(&header), tampered, SECRET, 1000, 300).is_err());
        assert!(
            verify(
                Some(&header),
                body,
                b"another secret of enough length!!",
                1000,
                300
            )
            .is_err()
        );
        assert!(
            verify(Some(&header), body, SECRET, 1301, 300).is_err(),
            "too old"
        );
        assert!(
            verify(Some(&header), body, SECRET, 699, 300).is_err(),
            "from the future"
        );
        assert!(verify(None, body, SECRET, 1000, 300).is_err());
        for bad in ["", "t=1000", "v1=abcd", "t=x,v1=abcd", "t=1000,v1=zz"] {
            assert!(verify(Some(bad), body, SECRET, 1000, 300).is_err(), "{bad}");
        }
        // A timestamp changed after signing breaks the signature.
        let moved = header.replacen("t=1000", "t=1001", 1);
        assert!(verify(Some(&moved), body, SECRET, 1000, 300).is_err());
    }
}
