//! The two request headers besides the User-Agent that a scan is counted by, reduced to
//! what the statistics keep: the referring site's host name (never its path or query)
//! and the first language the browser asks for. Anything malformed counts as absent.

use url::Url;

/// A DNS name is at most 253 characters.
const MAX_HOST: usize = 253;

/// The host of an http(s) `Referer`, lower case, or `None`.
pub fn referrer_host(header: Option<&str>) -> Option<String> {
    let header = header?.trim();
    if header.is_empty() || header.len() > 2048 {
        return None;
    }
    let url = Url::parse(header).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.trim_end_matches('.');
    let valid = !host.is_empty()
        && host.len() <= MAX_HOST
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    valid.then(|| host.to_ascii_lowercase())
}

/// The first language range of `Accept-Language` as `xx` or `xx-yy` (primary language
/// and at most one subtag), lower case; `None` for `*`, a missing or a malformed header.
pub fn first_language(header: Option<&str>) -> Option<String> {
    let first = header?.split(',').next()?.split(';').next()?.trim();
    let mut parts = first.split('-');
    let primary = parts.next()?;
    if !(1..=8).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut tag = primary.to_ascii_lowercase();
    if let Some(region) = parts.next() {
        if !(1..=8).contains(&region.len()) || !region.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        tag.push('-');
        tag.push_str(&region.to_ascii_lowercase());
    }
    Some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_host_of_a_web_referrer_is_kept() {
        assert_eq!(
            referrer_host(Some("https://News.Example.org/article?id=7#x")).as_deref(),
            Some("news.example.org")
        );
        assert_eq!(referrer_host(Some("android-app://com.example")), None);
        assert_eq!(referrer_host(Some("not a url")), None);
        assert_eq!(referrer_host(Some("")), None);
        assert_eq!(referrer_host(None), None);
        assert_eq!(
            referrer_host(Some("http://xn--bcher-kva.example/")).as_deref(),
            Some("xn--bcher-kva.example")
        );
    }

    #[test]
    fn the_first_language_is_kept_with_one_subtag_at_most() {
        assert_eq!(
            first_language(Some("fr-CH, fr;q=0.9, en;q=0.8")).as_deref(),
            Some("fr-ch")
        );
        assert_eq!(first_language(Some("en")).as_deref(), Some("en"));
        assert_eq!(
            first_language(Some("zh-Hant-TW")).as_deref(),
            Some("zh-hant")
        );
        assert_eq!(first_language(Some("*")), None);
        assert_eq!(first_language(Some("=cmd|' /C calc'!A0")), None);
        assert_eq!(first_language(Some("en-toolongsubtag")), None);
        assert_eq!(first_language(None), None);
    }
}
