//! `POST /api/v1/logos` (a PNG, JPEG or SVG body), `GET /api/v1/logos`,
//! `DELETE /api/v1/logos/{id}`. Logos belong to the account of the key.

use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use rand::RngCore;
use serde_json::json;

use super::qr::busy;
use super::{Problem, body};
use crate::gate::{KeyHolder, Permission, admit, rate};
use crate::qr::logo::{self, LogoImage, MAX_LOGO_BYTES, MAX_LOGO_PIXELS};
use crate::state::{AppState, Busy, blocking};
use crate::store::{LogoAdded, LogoDrawing, LogoRecord, StoredLogo};

pub const MAX_LOGOS_PER_ACCOUNT: usize = 20;

pub async fn upload(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = admit(&req, &state, Permission::Write).await?;
    rate::stamp(store_logo(&state, &holder, payload).await, &decision)
}

async fn store_logo(
    state: &AppState,
    holder: &KeyHolder,
    payload: Payload,
) -> Result<HttpResponse, Problem> {
    let bytes = body::read_capped(payload, MAX_LOGO_BYTES, "logo").await?;
    // Converting draws up to a whole bitmap: it takes its share of the render budget.
    let pixels = u64::from(MAX_LOGO_PIXELS) * u64::from(MAX_LOGO_PIXELS);
    let slot = state.render_slot(pixels).await.map_err(|Busy| busy())?;
    let upload = bytes.clone();
    let converted = blocking(move || Ok(logo::convert(&upload))).await?;
    drop(slot);
    let converted = converted.map_err(|e| {
        let status = if matches!(e, logo::LogoError::TooLarge(_)) {
            413
        } else {
            400
        };
        Problem::new(status, "invalid-logo", "Invalid logo", e.to_string()).parameter("body")
    })?;
    let drawing = LogoDrawing {
        bitmap: converted.image.bitmap,
        svg: converted.image.svg,
    };
    let mut id = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let record = LogoRecord {
        id: format!("lg_{}", hex::encode(id)),
        mime: converted.info.mime.to_owned(),
        width: converted.info.width,
        height: converted.info.height,
        bytes: bytes.len(),
        sha256: drawing.sha256(),
        created_at: state.clock.now(),
        unusable: None,
    };
    let (store, stored, account_id) = (state.store.clone(), record.clone(), holder.account.id);
    let added = blocking(move || {
        Ok(store.add_logo(account_id, &stored, &bytes, &drawing, MAX_LOGOS_PER_ACCOUNT)?)
    })
    .await?;
    match added {
        LogoAdded::Added => Ok(HttpResponse::Created().json(logo_json(&record))),
        LogoAdded::LimitReached => Err(Problem::new(
            409,
            "logo-limit",
            "Too many logos",
            format!("an account keeps at most {MAX_LOGOS_PER_ACCOUNT} logos; delete one first"),
        )),
    }
}

pub async fn list(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, Problem> {
    let (holder, decision) = admit(&req, &state, Permission::Read).await?;
    rate::stamp(list_logos(&state, &holder).await, &decision)
}

async fn list_logos(state: &AppState, holder: &KeyHolder) -> Result<HttpResponse, Problem> {
    let (store, account_id) = (state.store.clone(), holder.account.id);
    let logos = blocking(move || Ok(store.logos(account_id)?)).await?;
    let logos: Vec<_> = logos.iter().map(logo_json).collect();
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(json!({ "logos": logos })))
}

pub async fn delete(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = admit(&req, &state, Permission::Write).await?;
    rate::stamp(
        delete_logo(&state, &holder, id.into_inner()).await,
        &decision,
    )
}

async fn delete_logo(
    state: &AppState,
    holder: &KeyHolder,
    id: String,
) -> Result<HttpResponse, Problem> {
    let (store, account_id) = (state.store.clone(), holder.account.id);
    let target = id.clone();
    if blocking(move || Ok(store.delete_logo(account_id, &target)?)).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(no_such_logo(&id))
    }
}

/// The logo's content hash (for the ETag) and image, or a 400 naming `logo`.
pub async fn load(
    state: &AppState,
    account_id: u64,
    id: &str,
) -> Result<(String, LogoImage), Problem> {
    let (store, target) = (state.store.clone(), id.to_owned());
    let found = blocking(move || Ok(store.logo(account_id, &target)?)).await?;
    match found {
        Some(StoredLogo::Ready(record, drawing)) => Ok((
            record.sha256,
            LogoImage {
                bitmap: drawing.bitmap,
                svg: drawing.svg,
            },
        )),
        Some(StoredLogo::Unusable(record)) => Err(Problem::new(
            400,
            "unusable-logo",
            "Unusable logo",
            format!(
                "the logo `{}` can no longer be drawn ({}); upload it again",
                record.id,
                record
                    .unusable
                    .as_deref()
                    .unwrap_or("it was never converted")
            ),
        )
        .parameter("logo")),
        None => Err(no_such_logo(id).with_status(400)),
    }
}

fn no_such_logo(id: &str) -> Problem {
    let shown: String = id.chars().take(40).collect();
    Problem::new(
        404,
        "no-such-logo",
        "No such logo",
        format!("this account has no logo with the id `{shown}`"),
    )
    .parameter("logo")
}

fn logo_json(record: &LogoRecord) -> serde_json::Value {
    let mut json = json!({
        "id": record.id,
        "content_type": record.mime,
        "width": record.width,
        "height": record.height,
        "bytes": record.bytes,
        "created_at": crate::clock::rfc3339(record.created_at),
        "usable": record.unusable.is_none(),
    });
    if let Some(reason) = &record.unusable {
        json["unusable_reason"] = reason.as_str().into();
    }
    json
}
