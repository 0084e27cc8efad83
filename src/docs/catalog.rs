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
    Usage,
    UsageDaily,
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
    Batches,
    Usage,
    Service,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::QrCodes,
        Group::Logos,
        Group::Batches,
        Group::Usage,
        Group::Service,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Group::QrCodes => "qr-codes",
            Group::Logos => "logos",
            Group::Batches => "batches",
            Group::Usage => "usage",
            Group::Service => "service",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Group::QrCodes => "QR codes",
            Group::Logos => "Logos",
            Group::Batches => "Batches",
            Group::Usage => "Usage",
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
            Group::Batches => super::batches::GROUP_SUMMARY,
            Group::Usage => {
                "Where your key stands: plan, status, quota and what is left of it, and the generations of each day."
            }
            Group::Service => "For monitoring; needs no key.",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }

    /// The key of the operation in an OpenAPI path item.
    pub fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
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
    /// A batch: CSV, or JSON `{"items", "design"}`.
    Batch,
}

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

impl Endpoint {
    pub fn all() -> Vec<Endpoint> {
        let mut all: Vec<Endpoint> = QrType::ALL.into_iter().map(Endpoint::Qr).collect();
        all.extend([
            Endpoint::QrJson,
            Endpoint::LogoUpload,
            Endpoint::LogoList,
            Endpoint::LogoDelete,
            Endpoint::BatchCreate,
            Endpoint::BatchStatus,
            Endpoint::BatchResult,
            Endpoint::BatchDelete,
            Endpoint::Usage,
            Endpoint::UsageDaily,
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
            Endpoint::Usage => "usage-show".into(),
            Endpoint::UsageDaily => "usage-daily".into(),
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
            Endpoint::Usage | Endpoint::UsageDaily => Group::Usage,
            Endpoint::Health => Group::Service,
            Endpoint::BatchCreate
            | Endpoint::BatchStatus
            | Endpoint::BatchResult
            | Endpoint::BatchDelete => Group::Batches,
        }
    }

    pub fn method(self) -> Method {
        match self {
            Endpoint::QrJson | Endpoint::LogoUpload | Endpoint::BatchCreate => Method::Post,
            Endpoint::LogoDelete | Endpoint::BatchDelete => Method::Delete,
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
            Endpoint::Usage => "/api/v1/usage".into(),
            Endpoint::UsageDaily => "/api/v1/usage/daily".into(),
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
            Endpoint::Usage => "Plan and usage",
            Endpoint::UsageDaily => "Usage per day",
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
            Endpoint::Usage => {
                "The key's plan, its status (active, expired or over_quota), the quota, how much of it is used and left, the period's end, and the rate limit. It answers 200 whenever the key is known, also when the period has ended or the quota is used up: that is when a client most needs it. A disabled account gets 403."
            }
            Endpoint::UsageDaily => {
                "The key's account's successful generations on each UTC day from `from` to `to`, both included, as [{date, count}], days without generations included. Without dates, the last 30 days; at most 400 days per request, and days are kept for 400 days. Counts agree with `used` at every moment. Answers 200 also when the period has ended or the quota is used up."
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
            Endpoint::BatchStatus | Endpoint::BatchResult | Endpoint::BatchDelete => {
                super::batches::BATCH_ID
            }
            Endpoint::UsageDaily => crate::api::DAILY_USAGE_PARAMS,
            _ => &[],
        }
    }

    pub fn params_in_path(self) -> bool {
        matches!(
            self,
            Endpoint::LogoDelete
                | Endpoint::BatchStatus
                | Endpoint::BatchResult
                | Endpoint::BatchDelete
        )
    }

    pub fn takes_design(self) -> bool {
        matches!(self, Endpoint::Qr(_))
    }

    pub fn body(self) -> Body {
        match self {
            Endpoint::QrJson => Body::QrJson,
            Endpoint::LogoUpload => Body::Logo,
            Endpoint::BatchCreate => Body::Batch,
            _ => Body::None,
        }
    }

    pub fn needs_key(self) -> bool {
        self != Endpoint::Health
    }

    /// Whether a successful answer is a QR image.
    pub fn answers_image(self) -> bool {
        matches!(self, Endpoint::Qr(_) | Endpoint::QrJson)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_a_distinct_id_and_method_and_path() {
        let all = Endpoint::all();
        assert_eq!(all.len(), QrType::ALL.len() + 11);
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
