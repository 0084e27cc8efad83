//! The batch operations' declarations for `/docs` and `/openapi.json`: their texts, the
//! id parameter, the request body (a CSV and a JSON example, both derived from the QR
//! types' and the design tables), the `Batch` schemas and the answers.

use serde_json::{Map, Value, json};

use super::catalog::Endpoint;
use super::openapi;
use super::responses::{
    BODY_TIMEOUT, Content, FORBIDDEN, INVALID, ResponseDoc, SERVER_ERROR, TOO_LARGE, UNAUTHORIZED,
};
use crate::batches::columns;
use crate::qr::payload::{ParamKind, ParamSpec, QrType};

pub const GROUP_SUMMARY: &str = "Many codes at once: send a CSV or JSON list, follow its progress, download a ZIP of the images with a manifest.csv. The same as /dashboard/batches.";

pub const CREATE_SUMMARY: &str = "Send a CSV (text/csv: a header row naming type, the types' parameters, any design parameter and optionally filename; one code per row; UTF-8, RFC 4180 quoting) or JSON ({\"items\": [{\"type\", \"data\", \"design\", \"filename\"}], \"design\": {defaults}}). For a CSV, design defaults may be given as query parameters. The batch is admitted only if the quota left covers every row (else 402 with both numbers; nothing is counted); each drawn row then counts 1, and a row that fails counts nothing and is listed with its error. Answers 202 with Location at once; the work runs in the background.";
pub const STATUS_SUMMARY: &str = "The batch's status (queued, running, done, failed or cancelled), its counts, the first row errors, and once done where its ZIP is.";
pub const RESULT_SUMMARY: &str = "The finished batch as a ZIP: one image per good row, named from its filename or row-0001-url.png, and manifest.csv with every row's file name, status and error. 409 while the batch runs (with Retry-After) or when it failed.";
pub const DELETE_SUMMARY: &str = "Cancels a batch that is queued or running (it stops at its next row and stays, as cancelled), or removes a finished batch and its ZIP.";

/// A batch's id, in the path.
pub const BATCH_ID: &[ParamSpec] = &[ParamSpec {
    name: "id",
    required: true,
    kind: ParamKind::Identifier,
    max_bytes: 64,
    default: None,
    description: "The batch's id, as its creation returned it (bt_ and 16 hex digits).",
    // An id exists only after a batch is made; the OpenAPI document links the two.
    example: "",
}];

/// A JSON batch: a row of every type from its declared examples, with a default size.
pub fn json_example() -> Value {
    let items: Vec<Value> = QrType::ALL
        .iter()
        .map(|kind| {
            let mut item = openapi::json_example(*kind);
            item["filename"] = json!(format!("example-{}", kind.as_str()));
            item
        })
        .collect();
    json!({ "design": { "size": 256 }, "items": items })
}

pub fn request_body() -> Value {
    json!({
        "required": true,
        "description": "The batch, as CSV or JSON; at most batches.max_items rows (5,000 by default) and batches.max_body_bytes (8 MiB).",
        "content": {
            "application/json": {
                "schema": { "$ref": "#/components/schemas/BatchRequest" },
                "examples": { "every-type": { "summary": "A code of every type", "value": json_example() } },
            },
            "text/csv": {
                "schema": { "type": "string" },
                "example": columns::sample(),
            },
        },
    })
}

/// `Batch` (the status) and `BatchRequest` (the JSON body).
pub fn schemas(schemas: &mut Map<String, Value>) {
    let time = json!({ "type": ["string", "null"], "format": "date-time" });
    schemas.insert("Batch".into(), json!({
        "type": "object",
        "required": ["id", "status", "total", "done", "failed", "created", "finished", "errors"],
        "properties": {
            "id": { "type": "string", "pattern": "^bt_[0-9a-f]{16}$" },
            "status": { "type": "string", "enum": ["queued", "running", "done", "failed", "cancelled"] },
            "total": { "type": "integer", "minimum": 0, "description": "Rows in the batch." },
            "done": { "type": "integer", "minimum": 0, "description": "Rows drawn into the ZIP." },
            "failed": { "type": "integer", "minimum": 0, "description": "Rows that made no file." },
            "created": { "type": "string", "format": "date-time" },
            "started": time,
            "finished": time,
            "expires": { "type": ["string", "null"], "format": "date-time", "description": "When the finished batch and its ZIP are removed." },
            "error": { "type": ["string", "null"], "description": "Why the batch as a whole failed." },
            "errors": {
                "type": "array",
                "description": "The first rows that made no file (manifest.csv lists all).",
                "items": {
                    "type": "object",
                    "required": ["row", "filename", "error"],
                    "properties": {
                        "row": { "type": "integer", "minimum": 1 },
                        "filename": { "type": "string" },
                        "error": { "type": "string" },
                    },
                },
            },
            "result": { "type": ["string", "null"], "description": "The ZIP's path, once done." },
        },
    }));
    schemas.insert("BatchRequest".into(), json!({
        "type": "object",
        "required": ["items"],
        "additionalProperties": false,
        "properties": {
            "design": { "$ref": "#/components/schemas/Design" },
            "items": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "type": { "type": "string", "enum": QrType::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
                        "data": { "type": "object", "description": "The type's parameters, as for POST /api/v1/qr." },
                        "design": { "$ref": "#/components/schemas/Design" },
                        "filename": { "type": "string", "maxLength": 400 },
                    },
                },
            },
        },
    }));
}

/// The 202's links: the id in the answer feeds the other batch operations.
pub const LINKS: &[(&str, Endpoint, &str)] = &[
    (
        "BatchStatus",
        Endpoint::BatchStatus,
        "The id in the answer follows the batch's progress.",
    ),
    (
        "BatchResult",
        Endpoint::BatchResult,
        "The id in the answer downloads its ZIP once done.",
    ),
    (
        "BatchDelete",
        Endpoint::BatchDelete,
        "The id in the answer cancels or removes the batch.",
    ),
];

pub const ACCEPTED: ResponseDoc = ResponseDoc {
    name: "BatchAccepted",
    description: "The batch is admitted and queued; Location is its status. Nothing is counted yet.",
    content: Content::Json("Batch"),
    headers: &[
        "Location",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
    ],
};
pub const STATUS: ResponseDoc = ResponseDoc {
    name: "Batch",
    description: "The batch's status and counts.",
    content: Content::Json("Batch"),
    headers: &["Cache-Control"],
};
pub const ZIP: ResponseDoc = ResponseDoc {
    name: "BatchZip",
    description: "The ZIP: the images (PNGs stored, SVGs deflated) and manifest.csv.",
    content: Content::Zip,
    headers: &["Content-Disposition", "Cache-Control"],
};
pub const REMOVED: ResponseDoc = ResponseDoc {
    name: "BatchRemoved",
    description: "The batch is cancelled (if it was running) or removed (if it had finished).",
    content: Content::Empty,
    headers: &[],
};
pub const NO_SUCH_BATCH: ResponseDoc = ResponseDoc {
    name: "NoSuchBatch",
    description: "The account has no batch with this id (another account's batches are not found either; finished batches are removed after batches.keep_hours).",
    content: Content::Problem,
    headers: &[],
};
pub const NOT_READY: ResponseDoc = ResponseDoc {
    name: "BatchNotReady",
    description: "The batch has no ZIP: it is still running (Retry-After says when to ask again), or it failed or was cancelled.",
    content: Content::Problem,
    headers: &[],
};
pub const OVER_QUOTA: ResponseDoc = ResponseDoc {
    name: "BatchOverQuota",
    description: "The quota left does not cover every row: `items` and `remaining` give both numbers. Or the key's plan has ended or its quota is used up. Nothing is counted.",
    content: Content::Problem,
    headers: &[],
};
pub const STORAGE_FULL: ResponseDoc = ResponseDoc {
    name: "BatchStorageFull",
    description: "The account's ZIPs already take batches.max_stored_bytes; delete older batches first.",
    content: Content::Problem,
    headers: &[],
};
pub const UNSUPPORTED: ResponseDoc = ResponseDoc {
    name: "UnsupportedMediaType",
    description: "The body is neither text/csv nor application/json.",
    content: Content::Problem,
    headers: &[],
};
pub const BUSY: ResponseDoc = ResponseDoc {
    name: "BatchesBusy",
    description: "The key's rate limit is reached, or the account already has batches.max_active_per_account batches queued or running. Retry after Retry-After seconds.",
    content: Content::Problem,
    headers: &["Retry-After"],
};

pub const RESPONSES: [&ResponseDoc; 9] = [
    &ACCEPTED,
    &STATUS,
    &ZIP,
    &REMOVED,
    &NO_SUCH_BATCH,
    &NOT_READY,
    &OVER_QUOTA,
    &STORAGE_FULL,
    &UNSUPPORTED,
];

/// What each batch operation answers.
pub fn answers(endpoint: Endpoint) -> Vec<(&'static str, &'static ResponseDoc)> {
    let mut answers: Vec<(&'static str, &'static ResponseDoc)> = match endpoint {
        Endpoint::BatchCreate => vec![
            ("202", &ACCEPTED),
            ("400", &INVALID),
            ("401", &UNAUTHORIZED),
            ("402", &OVER_QUOTA),
            ("403", &FORBIDDEN),
            ("409", &STORAGE_FULL),
            ("408", &BODY_TIMEOUT),
            ("413", &TOO_LARGE),
            ("415", &UNSUPPORTED),
            ("429", &BUSY),
        ],
        Endpoint::BatchStatus => vec![("200", &STATUS)],
        Endpoint::BatchResult => vec![("200", &ZIP)],
        _ => vec![("204", &REMOVED)],
    };
    if endpoint != Endpoint::BatchCreate {
        answers.extend([
            ("401", &UNAUTHORIZED),
            ("403", &FORBIDDEN),
            ("404", &NO_SUCH_BATCH),
        ]);
        if endpoint == Endpoint::BatchResult {
            answers.push(("409", &NOT_READY));
        }
        answers.push(("429", &super::responses::TOO_MANY));
    }
    answers.push(("default", &SERVER_ERROR));
    answers
}

/// `curl` for the CSV upload.
pub fn curl_body() -> [&'static str; 2] {
    ["-H 'Content-Type: text/csv'", "--data-binary @codes.csv"]
}
