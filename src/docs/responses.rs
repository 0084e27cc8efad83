//! The answers each operation can give, declared once: the OpenAPI document lists them
//! with their headers and bodies, and the docs page lists them under each operation.

use super::catalog::Endpoint;

/// What a response carries in its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// A QR code (or its preview) as PNG or SVG.
    Image,
    /// `application/problem+json`.
    Problem,
    /// `application/json` of the named schema.
    Json(&'static str),
    /// `application/zip`.
    Zip,
    /// `application/json` of the named schema, or `text/csv` with `format=csv`.
    JsonOrCsv(&'static str),
    Empty,
}

/// A reusable response, under `components/responses/{name}`.
#[derive(Debug)]
pub struct ResponseDoc {
    pub name: &'static str,
    pub description: &'static str,
    pub content: Content,
    /// Names under `components/headers`.
    pub headers: &'static [&'static str],
}

const RATE: [&str; 3] = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"];

macro_rules! with_rate {
    ($($header:expr),* $(,)?) => {
        &[$($header,)* RATE[0], RATE[1], RATE[2]]
    };
}

pub const QR_IMAGE: ResponseDoc = ResponseDoc {
    name: "QrImage",
    description: "The QR code: a PNG of exactly size×size pixels, or an SVG of that size. Counts 1 against the quota.",
    content: Content::Image,
    headers: with_rate!(
        "ETag",
        "Cache-Control",
        "X-Quota-Remaining",
        "X-QR-Version",
        "Content-Disposition",
        "X-Scan-Verified"
    ),
};
pub const NOT_MODIFIED: ResponseDoc = ResponseDoc {
    name: "NotModified",
    description: "If-None-Match named the current ETag: the image you have is still right. Not counted.",
    content: Content::Empty,
    headers: with_rate!("ETag", "Cache-Control"),
};
pub const INVALID: ResponseDoc = ResponseDoc {
    name: "InvalidParameter",
    description: "A parameter is missing or invalid. `parameter` names it and `detail` says why, with the numbers (such as the data being too long for the ECC level).",
    content: Content::Problem,
    headers: with_rate!(),
};
pub const UNSCANNABLE: ResponseDoc = ResponseDoc {
    name: "Unscannable",
    description: "verify=true, and the image did not decode back to its content in the server (as drawn, or as a blurred, downscaled copy). `parameter` names the design choice to change and `detail` says how. Not counted.",
    content: Content::Problem,
    headers: with_rate!(),
};
pub const PREVIEW_401: ResponseDoc = ResponseDoc {
    name: "PreviewUnauthorized",
    description: "No key, or a key that is malformed, unknown or was renewed away. The body is the requested code with a PREVIEW watermark that does not scan, in the requested format and at most 512 px wide (a larger size is drawn at 512). Not counted.",
    content: Content::Image,
    headers: with_rate!(
        "X-QR-Preview",
        "X-QR-Preview-Detail",
        "WWW-Authenticate",
        "Cache-Control",
        "X-QR-Version"
    ),
};
pub const PREVIEW_402: ResponseDoc = ResponseDoc {
    name: "PreviewPaymentRequired",
    description: "The trial or plan period has ended, or its quota is used up: the watermarked preview (at most 512 px wide), until a plan is granted or the period renews. Not counted.",
    content: Content::Image,
    headers: with_rate!(
        "X-QR-Preview",
        "X-QR-Preview-Detail",
        "Cache-Control",
        "X-QR-Version"
    ),
};
pub const PREVIEW_403: ResponseDoc = ResponseDoc {
    name: "PreviewForbidden",
    description: "The account is disabled (X-QR-Preview: disabled), or one of the key's restrictions refuses the request (X-QR-Preview: restricted, with X-QR-Restriction naming the rule: referrer, network or type): the watermarked preview (at most 512 px wide). Not counted.",
    content: Content::Image,
    headers: with_rate!(
        "X-QR-Preview",
        "X-QR-Preview-Detail",
        "X-QR-Restriction",
        "Cache-Control",
        "X-QR-Version"
    ),
};
pub const PREVIEW_INVALID_SIGNATURE: ResponseDoc = ResponseDoc {
    name: "PreviewInvalidSignature",
    description: "Not a signed URL this server made, or one that was changed, or whose key has been renewed since it was signed: the watermarked preview (at most 512 px wide) with X-QR-Preview: invalid_signature. Not counted.",
    content: Content::Image,
    headers: with_rate!(
        "X-QR-Preview",
        "X-QR-Preview-Detail",
        "WWW-Authenticate",
        "Cache-Control",
        "X-QR-Version"
    ),
};
pub const PREVIEW_EXPIRED_LINK: ResponseDoc = ResponseDoc {
    name: "PreviewExpiredLink",
    description: "The signed URL has expired: the watermarked preview of its code (at most 512 px wide) with X-QR-Preview: expired_link. Not counted.",
    content: Content::Image,
    headers: with_rate!(
        "X-QR-Preview",
        "X-QR-Preview-Detail",
        "Cache-Control",
        "X-QR-Version"
    ),
};
pub const SIGNED_IMAGE: ResponseDoc = ResponseDoc {
    name: "SignedImage",
    description: "The QR code the URL was signed for. Counts 1 against the signer's quota. Shared caches may keep it (Cache-Control: public), never past the URL's expiry.",
    content: Content::Image,
    headers: with_rate!(
        "ETag",
        "Cache-Control",
        "X-QR-Version",
        "Content-Disposition"
    ),
};
pub const SIGNED_URL: ResponseDoc = ResponseDoc {
    name: "SignedUrl",
    description: "The signed URL, its token (the URL's last part) and when it expires (null: never). The URL holds no key.",
    content: Content::Json("SignedUrl"),
    headers: with_rate!("Cache-Control"),
};
pub const TOO_LARGE: ResponseDoc = ResponseDoc {
    name: "PayloadTooLarge",
    description: "The body is larger than accepted; `max_bytes` says how large it may be.",
    content: Content::Problem,
    headers: with_rate!(),
};
pub const BODY_TIMEOUT: ResponseDoc = ResponseDoc {
    name: "BodyTimeout",
    description: "The request body did not arrive in full within the server's body timeout (server.client_body_timeout_secs, 15 s by default); the connection is closed.",
    content: Content::Problem,
    headers: &[],
};
pub const RENDER_UNAVAILABLE: ResponseDoc = ResponseDoc {
    name: "RenderUnavailable",
    description: "The image cannot be drawn now: the server is drawing as much as it can, the previews' own budget is used up (previews never take from paying customers'), or drawing took longer than the server allows (render.max_render_ms; the problem type is render-timeout). Nothing is counted. Retry after Retry-After seconds.",
    content: Content::Problem,
    headers: with_rate!("Retry-After"),
};
pub const TOO_MANY: ResponseDoc = ResponseDoc {
    name: "TooManyRequests",
    description: "The rate limit of the key's plan (or, without a valid key, of your address) is reached. Retry after Retry-After seconds.",
    content: Content::Problem,
    headers: with_rate!("Retry-After"),
};
pub const UNAUTHORIZED: ResponseDoc = ResponseDoc {
    name: "Unauthorized",
    description: "No key, or a key that is malformed, unknown or was renewed away.",
    content: Content::Problem,
    headers: with_rate!("WWW-Authenticate"),
};
pub const PAYMENT_REQUIRED: ResponseDoc = ResponseDoc {
    name: "PaymentRequired",
    description: "The trial or plan period has ended, or its quota is used up.",
    content: Content::Problem,
    headers: with_rate!(),
};
pub const FORBIDDEN: ResponseDoc = ResponseDoc {
    name: "Forbidden",
    description: "The account is disabled, or one of the key's restrictions refuses the request: then `type` is urn:qrgate:problem:restricted and `rule` names it (referrer, network, type or read_only).",
    content: Content::Problem,
    headers: with_rate!(),
};
pub const LOGO_CREATED: ResponseDoc = ResponseDoc {
    name: "LogoCreated",
    description: "The logo is stored; pass its id as the logo design parameter.",
    content: Content::Json("Logo"),
    headers: with_rate!(),
};
pub const LOGO_LIST: ResponseDoc = ResponseDoc {
    name: "LogoList",
    description: "The account's logos.",
    content: Content::Json("LogoList"),
    headers: with_rate!("Cache-Control"),
};
pub const LOGO_DELETED: ResponseDoc = ResponseDoc {
    name: "LogoDeleted",
    description: "The logo is deleted.",
    content: Content::Empty,
    headers: with_rate!(),
};
pub const NO_SUCH_LOGO: ResponseDoc = ResponseDoc {
    name: "NoSuchLogo",
    description: "The account has no logo with this id.",
    content: Content::Problem,
    headers: with_rate!(),
};
pub const LOGO_LIMIT: ResponseDoc = ResponseDoc {
    name: "LogoLimit",
    description: "The account already keeps the most logos allowed; delete one first.",
    content: Content::Problem,
    headers: with_rate!(),
};
pub const CODE_CREATED: ResponseDoc = ResponseDoc {
    name: "CodeCreated",
    description: "The code is made: print image_url's image (with your key) and change the target whenever you like.",
    content: Content::Json("DynamicCode"),
    headers: with_rate!("Cache-Control"),
};
pub const CODE: ResponseDoc = ResponseDoc {
    name: "Code",
    description: "The dynamic code.",
    content: Content::Json("DynamicCode"),
    headers: with_rate!("Cache-Control"),
};
pub const CODE_LIST: ResponseDoc = ResponseDoc {
    name: "CodeList",
    description: "A page of the account's dynamic codes, newest first, and the cursor of the next page (null on the last).",
    content: Content::Json("DynamicCodeList"),
    headers: with_rate!("Cache-Control"),
};
pub const CODE_DELETED: ResponseDoc = ResponseDoc {
    name: "CodeDeleted",
    description: "The code and its statistics are deleted; its short link answers 410 from now on.",
    content: Content::Empty,
    headers: with_rate!(),
};
pub const NO_SUCH_CODE: ResponseDoc = ResponseDoc {
    name: "NoSuchCode",
    description: "The key's account has no dynamic code with this id (codes of other accounts are not found either).",
    content: Content::Problem,
    headers: with_rate!(),
};
pub const CODE_CONFLICT: ResponseDoc = ResponseDoc {
    name: "CodeConflict",
    description: "The code cannot be made: the server has no server.public_url (`parameter` names it), the plan's number of dynamic codes is reached (`limit`), or the slug is taken (`parameter`: slug).",
    content: Content::Problem,
    headers: with_rate!(),
};
pub const SCANS: ResponseDoc = ResponseDoc {
    name: "Scans",
    description: "The counts, as JSON, or as CSV with format=csv.",
    content: Content::JsonOrCsv("ScanReport"),
    headers: with_rate!("Cache-Control"),
};
pub const USAGE: ResponseDoc = ResponseDoc {
    name: "Usage",
    description: "The key's plan and usage, also when its period has ended or its quota is used up (`status` says which).",
    content: Content::Json("Usage"),
    headers: with_rate!("Cache-Control"),
};
pub const DAILY_USAGE: ResponseDoc = ResponseDoc {
    name: "DailyUsage",
    description: "Every day of the range, oldest first, with its successful generations (0 for days without).",
    content: Content::Json("DailyUsage"),
    headers: with_rate!("Cache-Control"),
};
pub const HEALTHY: ResponseDoc = ResponseDoc {
    name: "Healthy",
    description: "The server and its database answer.",
    content: Content::Json("Health"),
    headers: &["Cache-Control"],
};
pub const UNHEALTHY: ResponseDoc = ResponseDoc {
    name: "Unhealthy",
    description: "The database does not answer.",
    content: Content::Json("Health"),
    headers: &["Cache-Control"],
};
pub const SERVER_ERROR: ResponseDoc = ResponseDoc {
    name: "ServerError",
    description: "500: an internal error, logged on the server. 503: the server is busy or its storage is unavailable; retry shortly.",
    content: Content::Problem,
    headers: &[],
};

/// Every reusable response, for `components/responses` (the batch ones at the end).
pub const ALL: &[&ResponseDoc] = &[
    &QR_IMAGE,
    &NOT_MODIFIED,
    &INVALID,
    &UNSCANNABLE,
    &PREVIEW_401,
    &PREVIEW_402,
    &PREVIEW_403,
    &PREVIEW_INVALID_SIGNATURE,
    &PREVIEW_EXPIRED_LINK,
    &SIGNED_IMAGE,
    &SIGNED_URL,
    &TOO_LARGE,
    &BODY_TIMEOUT,
    &RENDER_UNAVAILABLE,
    &TOO_MANY,
    &UNAUTHORIZED,
    &PAYMENT_REQUIRED,
    &FORBIDDEN,
    &LOGO_CREATED,
    &LOGO_LIST,
    &LOGO_DELETED,
    &NO_SUCH_LOGO,
    &LOGO_LIMIT,
    &CODE_CREATED,
    &CODE,
    &CODE_LIST,
    &CODE_DELETED,
    &NO_SUCH_CODE,
    &CODE_CONFLICT,
    &SCANS,
    &USAGE,
    &DAILY_USAGE,
    &HEALTHY,
    &UNHEALTHY,
    &SERVER_ERROR,
    super::batches::RESPONSES[0],
    super::batches::RESPONSES[1],
    super::batches::RESPONSES[2],
    super::batches::RESPONSES[3],
    super::batches::RESPONSES[4],
    super::batches::RESPONSES[5],
    super::batches::RESPONSES[6],
    super::batches::RESPONSES[7],
    super::batches::RESPONSES[8],
    &super::batches::BUSY,
];

/// The status an operation answers with, and what it means; `default` for any other.
pub fn answers(endpoint: Endpoint) -> Vec<(&'static str, &'static ResponseDoc)> {
    let refused = [
        ("401", &UNAUTHORIZED),
        ("402", &PAYMENT_REQUIRED),
        ("403", &FORBIDDEN),
    ];
    let mut answers: Vec<(&'static str, &'static ResponseDoc)> = match endpoint {
        Endpoint::Qr(_) | Endpoint::QrJson => vec![
            ("200", &QR_IMAGE),
            ("304", &NOT_MODIFIED),
            ("400", &INVALID),
            ("401", &PREVIEW_401),
            ("402", &PREVIEW_402),
            ("403", &PREVIEW_403),
            ("422", &UNSCANNABLE),
        ],
        Endpoint::LogoUpload => {
            let mut list = vec![("201", &LOGO_CREATED), ("400", &INVALID)];
            list.extend(refused);
            list.push(("409", &LOGO_LIMIT));
            list
        }
        Endpoint::LogoList => [vec![("200", &LOGO_LIST)], refused.to_vec()].concat(),
        Endpoint::LogoDelete => {
            let mut list = vec![("204", &LOGO_DELETED)];
            list.extend(refused);
            list.push(("404", &NO_SUCH_LOGO));
            list
        }
        Endpoint::CodeCreate => {
            let mut list = vec![("201", &CODE_CREATED), ("400", &INVALID)];
            list.extend(refused);
            list.push(("409", &CODE_CONFLICT));
            list
        }
        Endpoint::CodeUpdate => {
            let mut list = vec![("200", &CODE), ("400", &INVALID)];
            list.extend(refused);
            list.push(("404", &NO_SUCH_CODE));
            list
        }
        // Reading and deleting stay open to an account whose plan ended: no 402.
        Endpoint::CodeList => vec![
            ("200", &CODE_LIST),
            ("400", &INVALID),
            ("401", &UNAUTHORIZED),
            ("403", &FORBIDDEN),
        ],
        Endpoint::CodeShow | Endpoint::CodeDelete | Endpoint::CodeScans => {
            let success = match endpoint {
                Endpoint::CodeShow => ("200", &CODE),
                Endpoint::CodeDelete => ("204", &CODE_DELETED),
                _ => ("200", &SCANS),
            };
            let mut list = vec![success];
            if endpoint == Endpoint::CodeScans {
                list.push(("400", &INVALID));
            }
            list.extend([
                ("401", &UNAUTHORIZED),
                ("403", &FORBIDDEN),
                ("404", &NO_SUCH_CODE),
            ]);
            list
        }
        // Usage answers every known key, expired and over quota included.
        Endpoint::Usage => vec![("200", &USAGE), ("401", &UNAUTHORIZED), ("403", &FORBIDDEN)],
        Endpoint::UsageDaily => vec![
            ("200", &DAILY_USAGE),
            ("400", &INVALID),
            ("401", &UNAUTHORIZED),
            ("403", &FORBIDDEN),
        ],
        Endpoint::SignedUrlCreate => [
            vec![("200", &SIGNED_URL), ("400", &INVALID)],
            refused.to_vec(),
        ]
        .concat(),
        Endpoint::SignedUrlFetch => vec![
            ("200", &SIGNED_IMAGE),
            ("304", &NOT_MODIFIED),
            ("400", &INVALID),
            ("401", &PREVIEW_INVALID_SIGNATURE),
            ("402", &PREVIEW_402),
            ("403", &PREVIEW_403),
            ("410", &PREVIEW_EXPIRED_LINK),
        ],
        Endpoint::Health => return vec![("200", &HEALTHY), ("503", &UNHEALTHY)],
        Endpoint::BatchCreate
        | Endpoint::BatchStatus
        | Endpoint::BatchResult
        | Endpoint::BatchDelete => return super::batches::answers(endpoint),
    };
    let with_body = matches!(
        endpoint,
        Endpoint::QrJson
            | Endpoint::LogoUpload
            | Endpoint::CodeCreate
            | Endpoint::CodeUpdate
            | Endpoint::SignedUrlCreate
    );
    if with_body {
        answers.push(("408", &BODY_TIMEOUT));
        answers.push(("413", &TOO_LARGE));
    }
    answers.push(("429", &TOO_MANY));
    if matches!(endpoint, Endpoint::Qr(_) | Endpoint::QrJson) {
        answers.push(("503", &RENDER_UNAVAILABLE));
    }
    answers.push(("default", &SERVER_ERROR));
    answers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_answers_a_success_first_and_names_only_listed_responses() {
        for endpoint in Endpoint::all() {
            let answers = answers(endpoint);
            assert!(answers[0].0.starts_with('2'), "{}", endpoint.id());
            for (i, (status, doc)) in answers.iter().enumerate() {
                assert!(ALL.iter().any(|d| d.name == doc.name));
                assert!(answers[..i].iter().all(|(s, _)| s != status));
            }
        }
    }

    #[test]
    fn response_names_are_distinct() {
        for (i, doc) in ALL.iter().enumerate() {
            assert!(ALL[..i].iter().all(|d| d.name != doc.name), "{}", doc.name);
        }
    }
}
