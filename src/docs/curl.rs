//! The example `curl` command shown under each operation before it is executed: the
//! declared examples, with the key left to the shell as `$QRGATE_KEY`.

use super::catalog::{Body, Endpoint, Method};
use super::openapi::{code_example, json_example, signed_example};
use crate::qr::payload::QrType;

pub fn example(endpoint: Endpoint, origin: &str) -> String {
    let mut parts = vec!["curl".to_owned()];
    // A body makes curl POST by itself; other methods need saying.
    if !matches!(endpoint.method(), Method::Get | Method::Post) {
        parts.push(format!("-X {}", endpoint.method().as_str()));
    }
    if endpoint.needs_key() {
        parts.push(r#"-H "X-API-Key: $QRGATE_KEY""#.into());
    }
    match endpoint.body() {
        Body::None => {}
        Body::QrJson => {
            parts.push(format!("-H {}", quote("Content-Type: application/json")));
            parts.push(format!(
                "-d {}",
                quote(&json_example(QrType::Url).to_string())
            ));
        }
        Body::SignedUrl => {
            parts.push(format!("-H {}", quote("Content-Type: application/json")));
            let example = signed_example(QrType::Url, Some(86_400));
            parts.push(format!("-d {}", quote(&example.to_string())));
        }
        Body::Logo => {
            parts.push(format!("-H {}", quote("Content-Type: image/svg+xml")));
            parts.push("--data-binary @logo.svg".into());
        }
        Body::CodeCreate | Body::CodeEdit => {
            parts.push(format!("-H {}", quote("Content-Type: application/json")));
            parts.push(format!(
                "-d {}",
                quote(&code_example(endpoint.body()).to_string())
            ));
        }
        Body::Batch => parts.extend(super::batches::curl_body().map(str::to_owned)),
    }
    if endpoint.answers_image() {
        let name = match endpoint {
            Endpoint::Qr(kind) => kind.as_str(),
            Endpoint::SignedUrlFetch => "signed",
            _ => "url",
        };
        parts.push(format!("-o qr-{name}.png"));
    }
    let query: Vec<(&str, &str)> = endpoint
        .params()
        .iter()
        .filter(|spec| endpoint.location(spec) == "query" && !spec.example.is_empty())
        .map(|spec| (spec.name, spec.example))
        .collect();
    let mut url = format!("{origin}{}", endpoint.path());
    if !query.is_empty() {
        url.push('?');
        url.push_str(&serde_urlencoded::to_string(&query).unwrap_or_default());
    }
    parts.push(quote(&url));
    parts.join(" ")
}

/// Single-quoted for a POSIX shell: nothing inside is expanded.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_get_example_carries_the_encoded_examples_and_leaves_the_key_to_the_shell() {
        let curl = example(Endpoint::Qr(QrType::Url), "http://127.0.0.1:8080");
        assert_eq!(
            curl,
            r#"curl -H "X-API-Key: $QRGATE_KEY" -o qr-url.png 'http://127.0.0.1:8080/api/v1/qr/url?url=https%3A%2F%2Fexample.org%2Fmenu'"#
        );
    }

    #[test]
    fn quotes_survive_the_shell() {
        assert_eq!(quote("today's"), r"'today'\''s'");
        let curl = example(Endpoint::QrJson, "http://h");
        assert!(
            curl.contains("-H 'Content-Type: application/json' -d '{"),
            "{curl}"
        );
    }

    #[test]
    fn the_health_check_needs_no_key() {
        assert_eq!(
            example(Endpoint::Health, "http://h"),
            "curl 'http://h/healthz'"
        );
    }
}
