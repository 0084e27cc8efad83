//! Every API operation, declared once. The QR operations take their titles, summaries
//! and parameters from the QR types' own tables; the others are declared here. Both the
//! docs page and the OpenAPI document walk this list.

use crate::qr::payload::{ParamKind, ParamSpec, QrType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /api/v1/qr/{type}`, one operation per type.
    Qr(QrType),
    /// `POST /api/v1/qr` with a JSON body.
    QrJson,
    LogoUpload,
    LogoList,
    LogoDelete,
    CodeCreate,
    CodeList,
    CodeShow,
    CodeUpdate,
    CodeDelete,
    CodeScans,
    Usage,
    UsageDaily,
    /// `POST /api/v1/signed-urls`.
    SignedUrlCreate,
    /// `GET /api/v1/s/{token}`: a signed URL, fetched without a key.
    SignedUrlFetch,
    Health,
    /// `POST /api/v1/batches`, a CSV or JSON list.
    BatchCreate,
    BatchStatus,
    BatchResult,
    BatchDelete,
}

/// The sections of the docs page, which are also the OpenAPI tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    QrCodes,
    Logos,
    DynamicCodes,
    Batches,
    Usage,
    SignedUrls,
    Service,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::QrCodes,
        Group::SignedUrls,
        Group::Logos,
        Group::DynamicCodes,
        Group::Batches,
        Group::Usage,
        Group::Service,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Group::QrCodes => "qr-codes",
            Group::Logos => "logos",
            Group::DynamicCodes => "dynamic-codes",
            Group::Batches => "batches",
            Group::Usage => "usage",
            Group::SignedUrls => "signed-urls",
            Group::Service => "service",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Group::QrCodes => "QR codes",
            Group::Logos => "Logos",
            Group::DynamicCodes => "Dynamic codes",
            Group::Batches => "Batches",
            Group::Usage => "Usage",
            Group::SignedUrls => "Signed URLs",
            Group::Service => "Service",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            Group::QrCodes => {
                "One operation per kind of content. Each takes its own content parameters and the design parameters, and answers with the image."
            }
            Group::Logos => {
                "Images to put in the centre of your codes. Upload one, then pass its id as the logo design parameter. Logos belong to the key's account."
            }
            Group::DynamicCodes => {
                "Codes that hold a short link on this server (/r/...), whose target you can change after printing, with scan statistics by day, hour, device, OS, browser, language and referring site (totals only: no address or User-Agent is kept). Managing codes does not count against the quota; rendering a code's image (image_url) does. They need the server's public_url."
            }
            Group::Batches => super::batches::GROUP_SUMMARY,
            Group::Usage => {
                "Where your key stands: plan, status, quota and what is left of it, and the generations of each day."
            }
            Group::SignedUrls => {
                "Codes for public pages without your key in them. A request URL with api_key= works anywhere it is pasted, so it belongs only where the key stays private: your server, your own browser tab. For an <img src> in a page others see, sign the request instead: the signed URL carries that one code and no key, nobody can change it, it can expire, and renewing your key voids it. Each fetch counts against your quota like a request with the key."
            }
            Group::Service => "For monitoring; needs no key.",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The key of the operation in an OpenAPI path item.
    pub fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Patch => "patch",
            Method::Delete => "delete",
        }
    }
}

/// What a successful call sends back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    /// `{"type", "data", "design"}`.
    QrJson,
    /// A PNG, JPEG or SVG file as the whole body.
    Logo,
    /// `{"target", "name", "slug", "design"}`: a new dynamic code.
    CodeCreate,
    /// `{"target", "name", "paused"}`: changes to a dynamic code.
    CodeEdit,
    /// `{"type", "data", "design", "expires_in"}`.
    SignedUrl,
    /// A batch: CSV, or JSON `{"items", "design"}`.
    Batch,
}

/// A signed URL's token, in the path of `GET /api/v1/s/{token}`.
const SIGNED_TOKEN: &[ParamSpec] = &[ParamSpec {
    name: "token",
    required: true,
    kind: ParamKind::Text,
    max_bytes: 8192,
    default: None,
    description: "The token that POST /api/v1/signed-urls answered with (the end of its url).",
    // A token exists only once signed; the OpenAPI document links the two instead.
    example: "",
}];

/// A logo's id, in the path of `DELETE /api/v1/logos/{id}`.
const LOGO_ID: &[ParamSpec] = &[ParamSpec {
    name: "id",
    required: true,
    kind: ParamKind::Identifier,
    max_bytes: 64,
    default: None,
    description: "The logo's id, as the upload returned it (lg_ and 16 hex digits).",
    // An id exists only after an upload; the OpenAPI document links the two instead.
    example: "",
}];

/// A dynamic code's id, in the paths under `/api/v1/codes/{id}`.
const CODE_ID: ParamSpec = ParamSpec {
    name: "id",
    required: true,
    kind: ParamKind::Identifier,
    max_bytes: 19,
    default: None,
    description: "The code's id, as its creation returned it (dc_ and 16 hex digits).",
    // An id exists only after a creation; the OpenAPI document links the two instead.
    example: "",
};
const CODE_PATH: &[ParamSpec] = &[CODE_ID];
const CODE_LIST: &[ParamSpec] = &[
    ParamSpec {
        name: "limit",
        required: false,
        kind: ParamKind::Integer {
            min: 1,
            max: 100,
            unit: "codes",
        },
        max_bytes: 3,
        default: Some("20"),
        description: "How many codes one page holds.",
        example: "20",
    },
    ParamSpec {
        name: "cursor",
        required: false,
        kind: ParamKind::Identifier,
        max_bytes: 21,
        default: None,
        description: "The next_cursor of the previous page; leave it out for the newest codes.",
        example: "",
    },
];
const CODE_SCANS: &[ParamSpec] = &[
    CODE_ID,
    ParamSpec {
        name: "from",
        required: false,
        kind: ParamKind::Text,
        max_bytes: 10,
        default: None,
        description: "First day, YYYY-MM-DD (UTC); by default 29 days before `to`.",
        example: "2026-09-01",
    },
    ParamSpec {
        name: "to",
        required: false,
        kind: ParamKind::Text,
        max_bytes: 10,
        default: None,
        description: "Last day, YYYY-MM-DD (UTC), included; by default today. At most dynamic.retention_days days in all (31 for group=hour).",
        example: "2026-09-30",
    },
    ParamSpec {
        name: "group",
        required: false,
        kind: ParamKind::Enum(&crate::links::stats::Group::NAMES),
        max_bytes: 8,
        default: Some("day"),
        description: "Rows per day (with bots and unique scanners), per hour, or by device, OS, browser, referring site, first language, or bot.",
        example: "day",
    },
    ParamSpec {
        name: "format",
        required: false,
        kind: ParamKind::Enum(&["json", "csv"]),
        max_bytes: 4,
        default: Some("json"),
        description: "json, or csv for a spreadsheet (formula-like cells are neutralised).",
        example: "json",
    },
];

impl Endpoint {
    pub fn all() -> Vec<Endpoint> {
        let mut all: Vec<Endpoint> = QrType::ALL.into_iter().map(Endpoint::Qr).collect();
        all.extend([
            Endpoint::QrJson,
            Endpoint::LogoUpload,
            Endpoint::LogoList,
            Endpoint::LogoDelete,
            Endpoint::CodeCreate,
            Endpoint::CodeList,
            Endpoint::CodeShow,
            Endpoint::CodeUpdate,
            Endpoint::CodeDelete,
            Endpoint::CodeScans,
            Endpoint::BatchCreate,
            Endpoint::BatchStatus,
            Endpoint::BatchResult,
            Endpoint::BatchDelete,
            Endpoint::Usage,
            Endpoint::UsageDaily,
            Endpoint::SignedUrlCreate,
            Endpoint::SignedUrlFetch,
            Endpoint::Health,
        ]);
        all
    }

    /// The OpenAPI `operationId` and the page's anchor.
    pub fn id(self) -> String {
        match self {
            Endpoint::Qr(kind) => format!("qr-{}", kind.as_str()),
            Endpoint::QrJson => "qr-json".into(),
            Endpoint::LogoUpload => "logo-upload".into(),
            Endpoint::LogoList => "logo-list".into(),
            Endpoint::LogoDelete => "logo-delete".into(),
            Endpoint::CodeCreate => "code-create".into(),
            Endpoint::CodeList => "code-list".into(),
            Endpoint::CodeShow => "code-show".into(),
            Endpoint::CodeUpdate => "code-update".into(),
            Endpoint::CodeDelete => "code-delete".into(),
            Endpoint::CodeScans => "code-scans".into(),
            Endpoint::Usage => "usage-show".into(),
            Endpoint::UsageDaily => "usage-daily".into(),
            Endpoint::SignedUrlCreate => "signed-url-create".into(),
            Endpoint::SignedUrlFetch => "signed-url-fetch".into(),
            Endpoint::Health => "health".into(),
            Endpoint::BatchCreate => "batch-create".into(),
            Endpoint::BatchStatus => "batch-status".into(),
            Endpoint::BatchResult => "batch-result".into(),
            Endpoint::BatchDelete => "batch-delete".into(),
        }
    }

    pub fn group(self) -> Group {
        match self {
            Endpoint::Qr(_) | Endpoint::QrJson => Group::QrCodes,
            Endpoint::LogoUpload | Endpoint::LogoList | Endpoint::LogoDelete => Group::Logos,
            Endpoint::CodeCreate
            | Endpoint::CodeList
            | Endpoint::CodeShow
            | Endpoint::CodeUpdate
            | Endpoint::CodeDelete
            | Endpoint::CodeScans => Group::DynamicCodes,
            Endpoint::Usage | Endpoint::UsageDaily => Group::Usage,
            Endpoint::SignedUrlCreate | Endpoint::SignedUrlFetch => Group::SignedUrls,
            Endpoint::Health => Group::Service,
            Endpoint::BatchCreate
            | Endpoint::BatchStatus
            | Endpoint::BatchResult
            | Endpoint::BatchDelete => Group::Batches,
        }
    }

    pub fn method(self) -> Method {
        match self {
            Endpoint::QrJson
            | Endpoint::LogoUpload
            | Endpoint::CodeCreate
            | Endpoint::SignedUrlCreate
            | Endpoint::BatchCreate => Method::Post,
            Endpoint::CodeUpdate => Method::Patch,
            Endpoint::LogoDelete | Endpoint::CodeDelete | Endpoint::BatchDelete => Method::Delete,
            _ => Method::Get,
        }
    }

    /// The path as OpenAPI writes it, with `{id}` for a path parameter.
    pub fn path(self) -> String {
        match self {
            Endpoint::Qr(kind) => format!("/api/v1/qr/{}", kind.as_str()),
            Endpoint::QrJson => "/api/v1/qr".into(),
            Endpoint::LogoUpload | Endpoint::LogoList => "/api/v1/logos".into(),
            Endpoint::LogoDelete => "/api/v1/logos/{id}".into(),
            Endpoint::CodeCreate | Endpoint::CodeList => "/api/v1/codes".into(),
            Endpoint::CodeShow | Endpoint::CodeUpdate | Endpoint::CodeDelete => {
                "/api/v1/codes/{id}".into()
            }
            Endpoint::CodeScans => "/api/v1/codes/{id}/scans".into(),
            Endpoint::Usage => "/api/v1/usage".into(),
            Endpoint::UsageDaily => "/api/v1/usage/daily".into(),
            Endpoint::SignedUrlCreate => "/api/v1/signed-urls".into(),
            Endpoint::SignedUrlFetch => "/api/v1/s/{token}".into(),
            Endpoint::Health => "/healthz".into(),
            Endpoint::BatchCreate => "/api/v1/batches".into(),
            Endpoint::BatchStatus | Endpoint::BatchDelete => "/api/v1/batches/{id}".into(),
            Endpoint::BatchResult => "/api/v1/batches/{id}/result.zip".into(),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Endpoint::Qr(kind) => kind.title(),
            Endpoint::QrJson => "Any type, as JSON",
            Endpoint::LogoUpload => "Upload a logo",
            Endpoint::LogoList => "List your logos",
            Endpoint::LogoDelete => "Delete a logo",
            Endpoint::CodeCreate => "Create a dynamic code",
            Endpoint::CodeList => "List your dynamic codes",
            Endpoint::CodeShow => "Show a dynamic code",
            Endpoint::CodeUpdate => "Change a dynamic code",
            Endpoint::CodeDelete => "Delete a dynamic code",
            Endpoint::CodeScans => "Scans of a dynamic code",
            Endpoint::Usage => "Plan and usage",
            Endpoint::UsageDaily => "Usage per day",
            Endpoint::SignedUrlCreate => "Get a signed URL",
            Endpoint::SignedUrlFetch => "Fetch a signed URL",
            Endpoint::Health => "Health check",
            Endpoint::BatchCreate => "Start a batch",
            Endpoint::BatchStatus => "A batch's status",
            Endpoint::BatchResult => "Download a batch's ZIP",
            Endpoint::BatchDelete => "Cancel or remove a batch",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            Endpoint::Qr(kind) => kind.summary(),
            Endpoint::QrJson => {
                "The same codes as the GET operations, with the type, its content (data) and the design in a JSON body. Values may be strings, numbers or booleans."
            }
            Endpoint::LogoUpload => {
                "Send a PNG, JPEG or SVG image as the request body: at most 256 KiB and 1024×1024 pixels. An SVG may hold shapes, paths, groups, linear and radial gradients, clip paths and their painting attributes (as attributes or in a style attribute), and may not refer to anything outside itself; images, patterns, masks, filters, <use>, text, scripts and style sheets are refused with the reason. The logo is converted once, on upload: PNG outputs draw a bitmap of it, SVG outputs embed the sanitised SVG. Answers with the logo's id."
            }
            Endpoint::LogoList => "The logos of the key's account, newest last.",
            Endpoint::LogoDelete => {
                "Deletes one of the account's logos. Codes that name it are refused afterwards."
            }
            Endpoint::CodeCreate => {
                "Makes a short link on this server that leads to target (an http or https address; not one of this server's own short links). slug chooses its ending (6 to 32 of A-Z a-z 0-9 - _, unique, never reused); without it a random one is drawn. design holds the design parameters of its image. Answers with short_url and image_url, the QR endpoint's URL for the code's image (add your key). Your plan sets how many codes you may hold."
            }
            Endpoint::CodeList => {
                "The key's account's dynamic codes, newest first, a page at a time: pass next_cursor as cursor for the next page."
            }
            Endpoint::CodeShow => "One of the account's dynamic codes.",
            Endpoint::CodeUpdate => {
                "Changes the target, the name or paused. The printed code leads to the new target from the next scan on; a paused code shows a neutral page (410)."
            }
            Endpoint::CodeDelete => {
                "Deletes the code and its statistics. Its short link then answers 410, and its slug is never given to another code."
            }
            Endpoint::CodeScans => {
                "Counts of the code's scans between from and to, grouped by day (with bot fetches and estimated unique scanners), hour, device, os, browser, referrer, language or bot. Bots and link-preview fetchers are counted apart from scans."
            }
            Endpoint::Usage => {
                "The key's plan, its status (active, expired or over_quota), the quota, how much of it is used and left, the period's end, and the rate limit. It answers 200 whenever the key is known, also when the period has ended or the quota is used up: that is when a client most needs it. A disabled account gets 403."
            }
            Endpoint::UsageDaily => {
                "The key's account's successful generations on each UTC day from `from` to `to`, both included, as [{date, count}], days without generations included. Without dates, the last 30 days; at most 400 days per request, and days are kept for 400 days. Counts agree with `used` at every moment. Answers 200 also when the period has ended or the quota is used up."
            }
            Endpoint::SignedUrlCreate => {
                "Signs a QR request (type, data and design, as POST /api/v1/qr takes them) for your account and answers with a URL under /api/v1/s/ that anyone can fetch without a key: for <img src> in public pages. expires_in (seconds, at most a year; null or absent for never) sets how long it works. It carries the request, your account, the expiry and an HMAC-SHA-256 signature, and no key; changing any character of it voids it, and so does renewing your key. The request is checked now (a 400 names the parameter), and must fit in a URL of 8 KiB. A read-only key may not sign."
            }
            Endpoint::SignedUrlFetch => {
                "The image a signed URL stands for, with no key. Each fetch counts against the signer's quota and rate limit like a request with their key; a 304 does not. The signer's allowed QR types apply; their referrer and network restrictions do not (the URL is meant for public pages). A changed or voided URL (its key was renewed) gets the PREVIEW image with 401 and X-QR-Preview: invalid_signature, an expired one 410 and expired_link, and the signer's ended plan or used-up quota 402."
            }
            Endpoint::Health => "200 while the server and its database answer, 503 otherwise.",
            Endpoint::BatchCreate => super::batches::CREATE_SUMMARY,
            Endpoint::BatchStatus => super::batches::STATUS_SUMMARY,
            Endpoint::BatchResult => super::batches::RESULT_SUMMARY,
            Endpoint::BatchDelete => super::batches::DELETE_SUMMARY,
        }
    }

    /// Query parameters (QR types) or path parameters (a logo's id).
    pub fn params(self) -> &'static [ParamSpec] {
        match self {
            Endpoint::Qr(kind) => kind.params(),
            Endpoint::LogoDelete => LOGO_ID,
            Endpoint::CodeList => CODE_LIST,
            Endpoint::CodeShow | Endpoint::CodeUpdate | Endpoint::CodeDelete => CODE_PATH,
            Endpoint::CodeScans => CODE_SCANS,
            Endpoint::UsageDaily => crate::api::DAILY_USAGE_PARAMS,
            Endpoint::SignedUrlFetch => SIGNED_TOKEN,
            Endpoint::BatchStatus | Endpoint::BatchResult | Endpoint::BatchDelete => {
                super::batches::BATCH_ID
            }
            _ => &[],
        }
    }

    /// Where a parameter goes: `path` when the path names it, else `query`.
    pub fn location(self, spec: &ParamSpec) -> &'static str {
        if self.path().contains(&format!("{{{}}}", spec.name)) {
            "path"
        } else {
            "query"
        }
    }

    /// Operations that take an id from this one's answer: (link name, target,
    /// description). The answer's `id` feeds the target's `id`.
    pub fn links(self) -> &'static [(&'static str, Endpoint, &'static str)] {
        match self {
            Endpoint::LogoUpload => &[(
                "DeleteThisLogo",
                Endpoint::LogoDelete,
                "The id in the answer deletes the logo again.",
            )],
            Endpoint::CodeCreate => &[
                (
                    "ShowThisCode",
                    Endpoint::CodeShow,
                    "The id in the answer reads the code.",
                ),
                (
                    "ChangeThisCode",
                    Endpoint::CodeUpdate,
                    "The id in the answer changes the code.",
                ),
                (
                    "ScansOfThisCode",
                    Endpoint::CodeScans,
                    "The id in the answer reports the code's scans.",
                ),
                (
                    "DeleteThisCode",
                    Endpoint::CodeDelete,
                    "The id in the answer deletes the code.",
                ),
            ],
            Endpoint::BatchCreate => super::batches::LINKS,
            _ => &[],
        }
    }

    pub fn takes_design(self) -> bool {
        matches!(self, Endpoint::Qr(_))
    }

    pub fn body(self) -> Body {
        match self {
            Endpoint::QrJson => Body::QrJson,
            Endpoint::LogoUpload => Body::Logo,
            Endpoint::CodeCreate => Body::CodeCreate,
            Endpoint::CodeUpdate => Body::CodeEdit,
            Endpoint::SignedUrlCreate => Body::SignedUrl,
            Endpoint::BatchCreate => Body::Batch,
            _ => Body::None,
        }
    }

    pub fn needs_key(self) -> bool {
        !matches!(self, Endpoint::Health | Endpoint::SignedUrlFetch)
    }

    /// Whether a successful answer is a QR image.
    pub fn answers_image(self) -> bool {
        matches!(
            self,
            Endpoint::Qr(_) | Endpoint::QrJson | Endpoint::SignedUrlFetch
        )
    }

    /// Whether the docs page offers "Get a signed URL" for what this operation executed:
    /// the keyed image operations.
    pub fn can_be_signed(self) -> bool {
        matches!(self, Endpoint::Qr(_) | Endpoint::QrJson)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_a_distinct_id_and_method_and_path() {
        let all = Endpoint::all();
        assert_eq!(all.len(), QrType::ALL.len() + 19);
        for (i, a) in all.iter().enumerate() {
            for b in &all[..i] {
                assert_ne!(a.id(), b.id());
                assert!(a.path() != b.path() || a.method() != b.method());
            }
            assert!(!a.title().is_empty() && !a.summary().is_empty());
        }
    }

    #[test]
    fn every_group_has_operations() {
        for group in Group::ALL {
            assert!(Endpoint::all().iter().any(|e| e.group() == group));
        }
    }
}
