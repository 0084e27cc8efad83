//! The reusable parts of the OpenAPI document: the key schemes, the response headers and
//! the schemas. The request schemas are built from the parameter tables, like the query
//! parameters.

use serde_json::{Map, Value, json};

use super::params;
use crate::qr::design::DESIGN_SPECS;
use crate::qr::payload::{ParamSpec, QrType};

pub(super) fn security_schemes() -> Value {
    json!({
        "ApiKeyHeader": { "type": "apiKey", "in": "header", "name": "X-API-Key", "description": "The key in the X-API-Key header." },
        "BearerKey": { "type": "http", "scheme": "bearer", "description": "The key as `Authorization: Bearer KEY`." },
        "ApiKeyQuery": { "type": "apiKey", "in": "query", "name": "api_key", "description": "The key as the api_key query parameter, so a URL pastes into a browser tab. Access logs redact it." },
    })
}

pub(super) fn headers() -> Value {
    let header = |description: &str, required: bool, schema: Value| json!({ "description": description, "required": required, "schema": schema });
    let integer = json!({ "type": "integer", "minimum": 0 });
    json!({
        "ETag": header("A strong tag over everything that decides the bytes: the same request gives the same tag and bytes.", true, json!({ "type": "string" })),
        "Cache-Control": header("How long the answer may be reused.", true, json!({ "type": "string", "examples": ["private, max-age=86400", "no-store"] })),
        "X-Quota-Remaining": header("Generations left in this period after this one, or `unlimited`.", true, json!({ "type": "string", "pattern": "^([0-9]+|unlimited)$" })),
        "X-QR-Version": header("The QR version (1 to 40) of the symbol: its size in modules is 17 + 4 × version.", true, json!({ "type": "integer", "minimum": 1, "maximum": 40 })),
        "Content-Disposition": header("`inline`, or `attachment` with download=true, with a file name.", true, json!({ "type": "string" })),
        "RateLimit-Limit": header("Requests allowed in a burst at the key's plan rate (or per address, without a valid key).", false, integer.clone()),
        "RateLimit-Remaining": header("Requests left in the current burst.", false, integer.clone()),
        "RateLimit-Reset": header("Seconds until the burst is whole again.", false, integer.clone()),
        "Retry-After": header("Seconds to wait before retrying.", true, integer),
        "X-QR-Preview": header("Why this is a watermarked preview.", true, json!({ "type": "string", "enum": ["missing_key", "invalid_key", "expired", "over_quota", "disabled"] })),
        "X-QR-Preview-Detail": header("The reason in words.", false, json!({ "type": "string" })),
        "WWW-Authenticate": header("The key scheme: `Bearer realm=\"qrgate\"`.", true, json!({ "type": "string" })),
        "Location": header("Where the new batch's status is: /api/v1/batches/{id}.", true, json!({ "type": "string" })),
    })
}

pub(super) fn schemas() -> Map<String, Value> {
    let mut schemas = Map::new();
    schemas.insert("Problem".into(), json!({
        "type": "object",
        "description": "RFC 9457 problem details. Some problems add members: `bytes`, `max_bytes` and `ecc` when the data does not fit, `min_size` when the image is too small.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": { "type": "string", "description": "urn:qrgate:problem: and a name for the kind of problem." },
            "title": { "type": "string" },
            "status": { "type": "integer" },
            "detail": { "type": "string" },
            "parameter": { "type": "string", "description": "The offending parameter." },
        },
        "example": problem_example(),
    }));
    schemas.insert("Usage".into(), json!({
        "type": "object",
        "required": ["plan", "status", "quota", "used", "remaining", "period_start", "period_end", "rate_per_second", "burst", "key_prefix"],
        "properties": {
            "plan": { "type": "string" },
            "status": { "type": "string", "enum": ["active", "expired", "over_quota"], "description": "expired: the trial or plan period has ended; over_quota: this period's quota is used up. A disabled account gets 403 instead." },
            "quota": { "type": "integer", "minimum": 0, "description": "Generations per period; 0 means unlimited." },
            "used": { "type": "integer", "minimum": 0 },
            "remaining": { "type": ["integer", "null"], "minimum": 0, "description": "null when the plan is unlimited." },
            "period_start": { "type": "string", "format": "date-time" },
            "period_end": { "type": "string", "format": "date-time" },
            "rate_per_second": { "type": "integer", "minimum": 0 },
            "burst": { "type": "integer", "minimum": 0 },
            "key_prefix": { "type": "string" },
        },
    }));
    schemas.insert("DailyUsage".into(), json!({
        "type": "array",
        "description": "One entry per day of the range, oldest first.",
        "items": {
            "type": "object",
            "required": ["date", "count"],
            "properties": {
                "date": { "type": "string", "format": "date", "description": "The UTC day." },
                "count": { "type": "integer", "minimum": 0, "description": "Successful generations on that day." },
            },
        },
    }));
    schemas.insert("Logo".into(), json!({
        "type": "object",
        "required": ["id", "content_type", "width", "height", "bytes", "created_at"],
        "properties": {
            "id": { "type": "string", "pattern": "^[A-Za-z0-9_]+$" },
            "content_type": { "type": "string", "enum": ["image/png", "image/jpeg", "image/svg+xml"] },
            "width": { "type": "integer", "minimum": 1 },
            "height": { "type": "integer", "minimum": 1 },
            "bytes": { "type": "integer", "minimum": 1 },
            "created_at": { "type": "string", "format": "date-time" },
            "usable": { "type": "boolean", "description": "false for a logo an earlier release accepted that today's checks refuse; codes that name it get a 400 until it is uploaded again." },
            "unusable_reason": { "type": "string", "description": "Why the logo can no longer be drawn (only when usable is false)." },
        },
    }));
    schemas.insert("LogoList".into(), json!({
        "type": "object",
        "required": ["logos"],
        "properties": { "logos": { "type": "array", "items": { "$ref": "#/components/schemas/Logo" } } },
    }));
    schemas.insert(
        "Health".into(),
        json!({
            "type": "object",
            "required": ["status"],
            "properties": { "status": { "type": "string", "enum": ["ok", "unavailable"] } },
        }),
    );
    super::batches::schemas(&mut schemas);
    schemas.insert(
        "Design".into(),
        object(
            DESIGN_SPECS,
            "The design parameters; every one is optional.",
        ),
    );
    let mut variants = Vec::new();
    for kind in QrType::ALL {
        let name = data_schema_name(kind);
        schemas.insert(name.clone(), object(kind.params(), kind.summary()));
        variants.push(json!({
            "title": kind.title(),
            "properties": {
                "type": { "const": kind.as_str() },
                "data": { "$ref": format!("#/components/schemas/{name}") },
            },
        }));
    }
    schemas.insert("QrRequest".into(), json!({
        "type": "object",
        "required": ["type", "data"],
        "properties": {
            "type": { "type": "string", "enum": QrType::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
            "data": { "type": "object" },
            "design": { "$ref": "#/components/schemas/Design" },
        },
        "additionalProperties": false,
        "oneOf": variants,
    }));
    schemas
}

/// A real problem: the one a size out of range gets (a test checks it against the API).
pub fn problem_example() -> Value {
    json!({
        "type": "urn:qrgate:problem:invalid-parameter",
        "title": "Invalid parameter",
        "status": 400,
        "detail": "size: is out of range; use 64 to 4096 pixels; got \"5000\"",
        "parameter": "size",
    })
}

/// `url` → `UrlData`.
fn data_schema_name(kind: QrType) -> String {
    let name = kind.as_str();
    format!("{}{}Data", name[..1].to_ascii_uppercase(), &name[1..])
}

fn object(specs: &[ParamSpec], description: &str) -> Value {
    let properties: Map<String, Value> = specs
        .iter()
        .map(|spec| {
            let mut schema = params::schema(spec);
            schema["description"] = json!(spec.description);
            (spec.name.to_owned(), schema)
        })
        .collect();
    let required: Vec<&str> = specs
        .iter()
        .filter(|s| s.required)
        .map(|s| s.name)
        .collect();
    json!({
        "type": "object",
        "description": description,
        "required": required,
        "properties": properties,
        "additionalProperties": false,
    })
}
