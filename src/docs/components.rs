//! The reusable parts of the OpenAPI document: the key schemes, the response headers and
//! the schemas. The request schemas are built from the parameter tables, like the query
//! parameters.

use serde_json::{Map, Value, json};

use super::params;
use crate::gate::signed::MAX_EXPIRES_IN_SECS;
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
        "X-QR-Preview": header("Why this is a watermarked preview.", true, json!({ "type": "string", "enum": ["missing_key", "invalid_key", "expired", "over_quota", "disabled", "restricted", "invalid_signature", "expired_link"] })),
        "X-QR-Restriction": header("With X-QR-Preview: restricted, the key restriction that refused the request.", false, json!({ "type": "string", "enum": ["referrer", "network", "type"] })),
        "X-QR-Preview-Detail": header("The reason in words.", false, json!({ "type": "string" })),
        "X-Scan-Verified": header("`true` when verify=true was asked: the image was decoded in the server and gave back its content exactly.", false, json!({ "type": "string", "enum": ["true"] })),
        "WWW-Authenticate": header("The key scheme: `Bearer realm=\"qrgate\"`.", true, json!({ "type": "string" })),
        "Location": header("Where the new batch's status is: /api/v1/batches/{id}.", true, json!({ "type": "string" })),
    })
}

pub(super) fn schemas() -> Map<String, Value> {
    let mut schemas = Map::new();
    schemas.insert("Problem".into(), json!({
        "type": "object",
        "description": "RFC 9457 problem details. Some problems add members: `bytes`, `max_bytes` and `ecc` when the data does not fit, `min_size` when the image is too small, `rule` (referrer, network, type or read_only) when a key restriction refuses the request.",
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
            "restrictions": { "$ref": "#/components/schemas/Restrictions" },
        },
    }));
    schemas.insert("Restrictions".into(), json!({
        "type": "object",
        "description": "The key's restrictions, set by its owner on /dashboard/api. An empty list means any.",
        "required": ["referrers", "allow_no_referrer", "networks", "types", "read_only"],
        "properties": {
            "referrers": { "type": "array", "items": { "type": "string" }, "description": "Host patterns (example.org, *.example.org) the Origin or Referer must match." },
            "allow_no_referrer": { "type": "boolean", "description": "With referrers listed: whether requests with neither header (from servers) are let in." },
            "networks": { "type": "array", "items": { "type": "string" }, "description": "IP addresses and CIDR ranges the client must be in." },
            "types": { "type": "array", "items": { "type": "string", "enum": QrType::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() }, "description": "The QR types the key may generate." },
            "read_only": { "type": "boolean", "description": "May render and read, but not upload or delete logos or create signed URLs." },
        },
    }));
    schemas.insert("SignedUrl".into(), json!({
        "type": "object",
        "required": ["url", "token", "expires"],
        "properties": {
            "url": { "type": "string", "format": "uri", "description": "The signed URL: this server's origin, /api/v1/s/ and the token." },
            "token": { "type": "string", "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$" },
            "expires": { "type": ["string", "null"], "format": "date-time", "description": "When the URL stops working; null for never." },
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
    codes(&mut schemas);
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
    let request = json!({
        "type": "object",
        "required": ["type", "data"],
        "properties": {
            "type": { "type": "string", "enum": QrType::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
            "data": { "type": "object" },
            "design": { "$ref": "#/components/schemas/Design" },
        },
        "additionalProperties": false,
        "oneOf": variants,
    });
    // The same request, with how long the signed URL should work.
    let mut signed = request.clone();
    signed["properties"]["expires_in"] = json!({
        "type": ["integer", "null"],
        "minimum": 1,
        "maximum": MAX_EXPIRES_IN_SECS,
        "description": "Seconds until the URL stops working, at most a year; null or absent: never.",
    });
    schemas.insert("QrRequest".into(), request);
    schemas.insert("SignedUrlRequest".into(), signed);
    schemas
}

/// The dynamic-code schemas.
fn codes(schemas: &mut Map<String, Value>) {
    schemas.insert("DynamicCode".into(), json!({
        "type": "object",
        "required": ["id", "slug", "short_url", "target", "name", "paused", "design", "created", "updated", "image_url"],
        "properties": {
            "id": { "type": "string", "pattern": "^dc_[0-9a-f]{16}$" },
            "slug": { "type": "string", "pattern": "^[A-Za-z0-9_-]{6,32}$" },
            "short_url": { "type": ["string", "null"], "format": "uri", "description": "The link the code holds (null if the server's public_url was removed)." },
            "target": { "type": "string", "format": "uri", "maxLength": crate::links::target::MAX_BYTES },
            "name": { "type": "string", "maxLength": crate::links::code::MAX_NAME_CHARS },
            "paused": { "type": "boolean" },
            "design": { "type": "object", "additionalProperties": { "type": "string" } },
            "created": { "type": "string", "format": "date-time" },
            "updated": { "type": "string", "format": "date-time" },
            "image_url": { "type": ["string", "null"], "format": "uri", "description": "GET it with your key for the code's image; it counts as a generation." },
        },
    }));
    schemas.insert("DynamicCodeList".into(), json!({
        "type": "object",
        "required": ["codes", "next_cursor"],
        "properties": {
            "codes": { "type": "array", "items": { "$ref": "#/components/schemas/DynamicCode" } },
            "next_cursor": { "type": ["string", "null"] },
        },
    }));
    schemas.insert("CodeRequest".into(), json!({
        "type": "object",
        "required": ["target"],
        "properties": {
            "target": { "type": "string", "maxLength": crate::links::target::MAX_BYTES, "description": "An http or https address (https:// is added to a bare host)." },
            "name": { "type": "string", "maxLength": crate::links::code::MAX_NAME_CHARS },
            "slug": { "type": "string", "pattern": "^[A-Za-z0-9_-]{6,32}$" },
            "design": { "$ref": "#/components/schemas/Design" },
        },
        "additionalProperties": false,
    }));
    schemas.insert(
        "CodeEdit".into(),
        json!({
            "type": "object",
            "minProperties": 1,
            "properties": {
                "target": { "type": "string", "maxLength": crate::links::target::MAX_BYTES },
                "name": { "type": "string", "maxLength": crate::links::code::MAX_NAME_CHARS },
                "paused": { "type": "boolean" },
            },
            "additionalProperties": false,
        }),
    );
    schemas.insert("ScanReport".into(), json!({
        "type": "object",
        "required": ["id", "group", "from", "to", "scans", "bots", "rows"],
        "properties": {
            "id": { "type": "string" },
            "group": { "type": "string", "enum": crate::links::stats::Group::NAMES },
            "from": { "type": "string", "format": "date" },
            "to": { "type": "string", "format": "date" },
            "scans": { "type": "integer", "minimum": 0, "description": "Scans by people in the range." },
            "bots": { "type": "integer", "minimum": 0, "description": "Fetches by bots and link previews, counted apart." },
            "rows": { "type": "array", "items": {
                "type": "object",
                "required": ["key", "count"],
                "properties": {
                    "key": { "type": "string", "description": "The day, the hour (RFC 3339) or the value." },
                    "count": { "type": "integer", "minimum": 0 },
                    "bots": { "type": "integer", "minimum": 0 },
                    "unique": { "type": "integer", "minimum": 0, "description": "Unique scanners that day, estimated." },
                },
            }},
        },
    }));
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
