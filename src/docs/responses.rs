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
        "Content-Disposition"
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
pub const PREVIEW_401: ResponseDoc = ResponseDoc {
    name: "PreviewUnauthorized",
    description: "No key, or a key that is malformed, unknown or was renewed away. The body is the requested code with a PREVIEW watermark that does not scan. Not counted.",
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
    description: "The trial or plan period has ended, or its quota is used up: the watermarked preview, until a plan is granted or the period renews. Not counted.",
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
    description: "The account is disabled: the watermarked preview. Not counted.",
    content: Content::Image,
    headers: with_rate!(
        "X-QR-Preview",
        "X-QR-Preview-Detail",
        "Cache-Control",
        "X-QR-Version"
    ),
};
pub const TOO_LARGE: ResponseDoc = ResponseDoc {
    name: "PayloadTooLarge",
    description: "The body is larger than accepted; `max_bytes` says how large it may be.",
    content: Content::Problem,
    headers: with_rate!(),
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
    description: "The account is disabled.",
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
    &PREVIEW_401,
    &PREVIEW_402,
    &PREVIEW_403,
    &TOO_LARGE,
    &TOO_MANY,
    &UNAUTHORIZED,
    &PAYMENT_REQUIRED,
    &FORBIDDEN,
    &LOGO_CREATED,
    &LOGO_LIST,
    &LOGO_DELETED,
    &NO_SUCH_LOGO,
    &LOGO_LIMIT,
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
        // Usage answers every known key, expired and over quota included.
        Endpoint::Usage => vec![("200", &USAGE), ("401", &UNAUTHORIZED), ("403", &FORBIDDEN)],
        Endpoint::UsageDaily => vec![
            ("200", &DAILY_USAGE),
            ("400", &INVALID),
            ("401", &UNAUTHORIZED),
            ("403", &FORBIDDEN),
        ],
        Endpoint::Health => return vec![("200", &HEALTHY), ("503", &UNHEALTHY)],
        Endpoint::BatchCreate
        | Endpoint::BatchStatus
        | Endpoint::BatchResult
        | Endpoint::BatchDelete => return super::batches::answers(endpoint),
    };
    if matches!(endpoint, Endpoint::QrJson | Endpoint::LogoUpload) {
        answers.push(("413", &TOO_LARGE));
    }
    answers.push(("429", &TOO_MANY));
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
