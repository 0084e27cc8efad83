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
    /// `POST /api/v1/signed-urls`.
    SignedUrlCreate,
    /// `GET /api/v1/s/{token}`: a signed URL, fetched without a key.
    SignedUrlFetch,
    Health,
}

/// The sections of the docs page, which are also the OpenAPI tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    QrCodes,
    Logos,
    Usage,
    SignedUrls,
    Service,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::QrCodes,
        Group::SignedUrls,
        Group::Logos,
        Group::Usage,
        Group::Service,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Group::QrCodes => "qr-codes",
            Group::Logos => "logos",
            Group::Usage => "usage",
            Group::SignedUrls => "signed-urls",
            Group::Service => "service",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Group::QrCodes => "QR codes",
            Group::Logos => "Logos",
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
    /// `{"type", "data", "design", "expires_in"}`.
    SignedUrl,
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

impl Endpoint {
    pub fn all() -> Vec<Endpoint> {
        let mut all: Vec<Endpoint> = QrType::ALL.into_iter().map(Endpoint::Qr).collect();
        all.extend([
            Endpoint::QrJson,
            Endpoint::LogoUpload,
            Endpoint::LogoList,
            Endpoint::LogoDelete,
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
            Endpoint::Usage => "usage-show".into(),
            Endpoint::UsageDaily => "usage-daily".into(),
            Endpoint::SignedUrlCreate => "signed-url-create".into(),
            Endpoint::SignedUrlFetch => "signed-url-fetch".into(),
            Endpoint::Health => "health".into(),
        }
    }

    pub fn group(self) -> Group {
        match self {
            Endpoint::Qr(_) | Endpoint::QrJson => Group::QrCodes,
            Endpoint::LogoUpload | Endpoint::LogoList | Endpoint::LogoDelete => Group::Logos,
            Endpoint::Usage | Endpoint::UsageDaily => Group::Usage,
            Endpoint::SignedUrlCreate | Endpoint::SignedUrlFetch => Group::SignedUrls,
            Endpoint::Health => Group::Service,
        }
    }

    pub fn method(self) -> Method {
        match self {
            Endpoint::QrJson | Endpoint::LogoUpload | Endpoint::SignedUrlCreate => Method::Post,
            Endpoint::LogoDelete => Method::Delete,
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
            Endpoint::SignedUrlCreate => "/api/v1/signed-urls".into(),
            Endpoint::SignedUrlFetch => "/api/v1/s/{token}".into(),
            Endpoint::Health => "/healthz".into(),
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
            Endpoint::SignedUrlCreate => "Get a signed URL",
            Endpoint::SignedUrlFetch => "Fetch a signed URL",
            Endpoint::Health => "Health check",
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
            Endpoint::SignedUrlCreate => {
                "Signs a QR request (type, data and design, as POST /api/v1/qr takes them) for your account and answers with a URL under /api/v1/s/ that anyone can fetch without a key: for <img src> in public pages. expires_in (seconds, at most a year; null or absent for never) sets how long it works. It carries the request, your account, the expiry and an HMAC-SHA-256 signature, and no key; changing any character of it voids it, and so does renewing your key. The request is checked now (a 400 names the parameter), and must fit in a URL of 8 KiB. A read-only key may not sign."
            }
            Endpoint::SignedUrlFetch => {
                "The image a signed URL stands for, with no key. Each fetch counts against the signer's quota and rate limit like a request with their key; a 304 does not. The signer's allowed QR types apply; their referrer and network restrictions do not (the URL is meant for public pages). A changed or voided URL (its key was renewed) gets the PREVIEW image with 401 and X-QR-Preview: invalid_signature, an expired one 410 and expired_link, and the signer's ended plan or used-up quota 402."
            }
            Endpoint::Health => "200 while the server and its database answer, 503 otherwise.",
        }
    }

    /// Query parameters (QR types) or path parameters (a logo's id).
    pub fn params(self) -> &'static [ParamSpec] {
        match self {
            Endpoint::Qr(kind) => kind.params(),
            Endpoint::LogoDelete => LOGO_ID,
            Endpoint::UsageDaily => crate::api::DAILY_USAGE_PARAMS,
            Endpoint::SignedUrlFetch => SIGNED_TOKEN,
            _ => &[],
        }
    }

    pub fn params_in_path(self) -> bool {
        matches!(self, Endpoint::LogoDelete | Endpoint::SignedUrlFetch)
    }

    pub fn takes_design(self) -> bool {
        matches!(self, Endpoint::Qr(_))
    }

    pub fn body(self) -> Body {
        match self {
            Endpoint::QrJson => Body::QrJson,
            Endpoint::LogoUpload => Body::Logo,
            Endpoint::SignedUrlCreate => Body::SignedUrl,
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
        assert_eq!(all.len(), QrType::ALL.len() + 9);
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
