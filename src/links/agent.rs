//! What kind of client scanned a code, from its User-Agent: a person's phone, tablet or
//! desktop with its OS and browser, or a bot. Only the class names below are ever kept,
//! never the header itself: every name here is a fixed string, so a hostile header can
//! add no text of its own to the statistics.
//!
//! Bots and link-preview fetchers (a link pasted into Slack, WhatsApp, iMessage… is
//! fetched by the app's server before anyone taps it) are matched first, from a table of
//! their tokens in one Aho-Corasick pass; then `woothee` parses the rest (its own crawler
//! list included). The header is cut to 512 bytes first, which bounds the work.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::{LazyLock, Mutex};

use aho_corasick::{AhoCorasick, MatchKind};

/// The part of a User-Agent header that is looked at.
pub const MAX_AGENT_BYTES: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    Phone,
    Tablet,
    Desktop,
    Other,
}

impl Device {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Tablet => "tablet",
            Self::Desktop => "desktop",
            Self::Other => "other",
        }
    }
}

/// The device class of a bot in the `device` breakdown.
pub const BOT_DEVICE: &str = "bot";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    Person {
        device: Device,
        os: &'static str,
        browser: &'static str,
    },
    /// A crawler, link-preview fetcher or script, by name.
    Bot(&'static str),
}

/// Tokens of bots and preview fetchers (matched without regard to case) and the name
/// each is counted under. Earlier entries win when several match.
const BOTS: &[(&str, &str)] = &[
    // Telegram's fetcher says it is "like TwitterBot".
    ("telegrambot", "Telegram"),
    ("slackbot", "Slack"),
    ("slack-imgproxy", "Slack"),
    ("whatsapp", "WhatsApp"),
    ("facebookexternalhit", "Facebook"),
    ("facebot", "Facebook"),
    ("meta-externalagent", "Facebook"),
    ("twitterbot", "Twitter/X"),
    ("discordbot", "Discord"),
    ("linkedinbot", "LinkedIn"),
    ("skypeuripreview", "Skype"),
    ("microsoftpreview", "Microsoft Teams"),
    ("pinterestbot", "Pinterest"),
    ("redditbot", "Reddit"),
    ("mastodon", "Mastodon"),
    ("iframely", "Iframely"),
    ("embedly", "Embedly"),
    ("vkshare", "VK"),
    ("applebot", "Apple"),
    ("googlebot", "Google"),
    ("adsbot-google", "Google"),
    ("google-inspectiontool", "Google"),
    ("googleother", "Google"),
    ("google-read-aloud", "Google"),
    ("feedfetcher-google", "Google"),
    ("mediapartners-google", "Google"),
    ("bingbot", "Bing"),
    ("bingpreview", "Bing"),
    ("msnbot", "Bing"),
    ("duckduckbot", "DuckDuckGo"),
    ("yandex", "Yandex"),
    ("baiduspider", "Baidu"),
    ("petalbot", "Petal"),
    ("ahrefsbot", "Ahrefs"),
    ("semrushbot", "Semrush"),
    ("gptbot", "OpenAI"),
    ("chatgpt-user", "OpenAI"),
    ("claudebot", "Anthropic"),
    ("headlesschrome", "Headless browser"),
    ("phantomjs", "Headless browser"),
    ("curl/", "curl"),
    ("wget/", "Wget"),
    ("python-requests", "Python"),
    ("python-urllib", "Python"),
    ("python-httpx", "Python"),
    ("aiohttp", "Python"),
    ("go-http-client", "Go"),
    ("okhttp", "OkHttp"),
    ("java/", "Java"),
    ("apache-httpclient", "Java"),
    ("node-fetch", "Node.js"),
    ("axios/", "Node.js"),
    ("undici", "Node.js"),
    ("libwww-perl", "Perl"),
    ("postmanruntime", "Postman"),
    ("insomnia", "Insomnia"),
    ("uptimerobot", "Monitoring"),
    ("pingdom", "Monitoring"),
    ("statuscake", "Monitoring"),
    ("crawler", "Other bot"),
    ("spider", "Other bot"),
    ("bot/", "Other bot"),
    ("bot;", "Other bot"),
    ("+http", "Other bot"),
];

static BOT_MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(BOTS.iter().map(|(token, _)| token))
        .expect("the bot table is a valid pattern set")
});

/// Classifies a User-Agent header (`None` when the request had none, which no browser
/// sends: a script).
pub fn classify(agent: Option<&str>) -> Client {
    let Some(agent) = agent.map(str::trim).filter(|a| !a.is_empty()) else {
        return Client::Bot("No user agent");
    };
    let agent = clip(agent);
    // Leftmost-first finds the earliest token in the header, not the earliest entry, so
    // the entry order decides only among tokens at the same place; pick by entry order.
    if let Some(index) = BOT_MATCHER
        .find_iter(agent)
        .map(|m| m.pattern().as_usize())
        .min()
    {
        return Client::Bot(BOTS[index].1);
    }
    let parsed = woothee::parser::Parser::new().parse(agent);
    let Some(parsed) = parsed else {
        return unknown_person();
    };
    if parsed.category == "crawler" {
        return Client::Bot("Other bot");
    }
    let os = os_name(parsed.name, parsed.os);
    let device = match parsed.category {
        "smartphone" | "mobilephone" if is_tablet(agent, parsed.os) => Device::Tablet,
        "smartphone" | "mobilephone" => Device::Phone,
        "pc" => Device::Desktop,
        _ => Device::Other,
    };
    Client::Person {
        device,
        os,
        browser: browser_name(parsed.name),
    }
}

/// Classes of the User-Agents seen lately, by a keyed hash of the header (SipHash under
/// a random per-process key, so no one can aim a header at another's entry): most scans
/// come from a few browser builds, and parsing costs microseconds where a lookup costs
/// tens of nanoseconds. It holds no header text; past `CACHE_ENTRIES` it starts afresh.
pub struct AgentCache {
    seen: Mutex<HashMap<u64, Client>>,
    keys: RandomState,
}

pub const CACHE_ENTRIES: usize = 4096;

impl Default for AgentCache {
    fn default() -> Self {
        Self {
            seen: Mutex::default(),
            keys: RandomState::new(),
        }
    }
}

impl AgentCache {
    /// `classify`, remembered.
    pub fn classify(&self, agent: Option<&str>) -> Client {
        let Some(agent) = agent else {
            return classify(None);
        };
        let key = self.keys.hash_one(clip(agent));
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = seen.get(&key) {
            return *client;
        }
        drop(seen);
        let client = classify(Some(agent));
        seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= CACHE_ENTRIES {
            seen.clear();
        }
        seen.insert(key, client);
        client
    }
}

fn unknown_person() -> Client {
    Client::Person {
        device: Device::Other,
        os: "Other",
        browser: "Other",
    }
}

/// The first `MAX_AGENT_BYTES` of the header, cut at a character boundary.
fn clip(agent: &str) -> &str {
    if agent.len() <= MAX_AGENT_BYTES {
        return agent;
    }
    let mut end = MAX_AGENT_BYTES;
    while !agent.is_char_boundary(end) {
        end -= 1;
    }
    &agent[..end]
}

/// iPads, Android devices without the `Mobile` token (Google's rule for tablets), and
/// anything that calls itself a tablet.
fn is_tablet(agent: &str, os: &str) -> bool {
    os == "iPad"
        || (os == "Android" && !agent.contains("Mobile"))
        || agent.contains("Tablet")
        || agent.contains("Kindle")
}

fn os_name(name: &str, os: &str) -> &'static str {
    match os {
        "iPhone" | "iPad" | "iPod" | "iOS" => "iOS",
        "Android" => "Android",
        "Mac OSX" | "Mac OS Classic" => "macOS",
        "Linux" => "Linux",
        "ChromeOS" => "ChromeOS",
        "BSD" => "BSD",
        "Windows Phone OS" => "Windows Phone",
        "BlackBerry" | "BlackBerry 10" => "BlackBerry",
        "Firefox OS" => "Firefox OS",
        _ if os.starts_with("Windows") => "Windows",
        _ if name == "Google Search App" => "Android",
        _ => "Other",
    }
}

fn browser_name(name: &str) -> &'static str {
    match name {
        "Chrome" => "Chrome",
        "Safari" => "Safari",
        "Firefox" => "Firefox",
        "Edge" => "Edge",
        "Opera" => "Opera",
        "Internet Explorer" => "Internet Explorer",
        "SamsungBrowser" => "Samsung Internet",
        "Vivaldi" => "Vivaldi",
        "Yandex Browser" => "Yandex Browser",
        "Webview" => "In-app browser",
        "Google Search App" => "Google app",
        _ => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    const IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
    const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36";
    const ANDROID_TABLET: &str = "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
    const WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0";
    const MAC_FIREFOX: &str =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0";
    const SAMSUNG: &str = "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36";

    fn person(device: Device, os: &'static str, browser: &'static str) -> Client {
        Client::Person {
            device,
            os,
            browser,
        }
    }

    #[test]
    fn phones_tablets_and_desktops_are_told_apart_with_os_and_browser() {
        assert_eq!(
            classify(Some(IPHONE)),
            person(Device::Phone, "iOS", "Safari")
        );
        assert_eq!(
            classify(Some(IPAD)),
            person(Device::Tablet, "iOS", "Safari")
        );
        assert_eq!(
            classify(Some(ANDROID)),
            person(Device::Phone, "Android", "Chrome")
        );
        assert_eq!(
            classify(Some(ANDROID_TABLET)),
            person(Device::Tablet, "Android", "Chrome")
        );
        assert_eq!(
            classify(Some(WINDOWS)),
            person(Device::Desktop, "Windows", "Edge")
        );
        assert_eq!(
            classify(Some(MAC_FIREFOX)),
            person(Device::Desktop, "macOS", "Firefox")
        );
        assert_eq!(
            classify(Some(SAMSUNG)),
            person(Device::Phone, "Android", "Samsung Internet")
        );
    }

    #[test]
    fn link_preview_fetchers_crawlers_and_scripts_are_bots() {
        for (agent, name) in [
            (
                "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
                "Slack",
            ),
            ("WhatsApp/2.23.20.0 A", "WhatsApp"),
            (
                "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
                "Facebook",
            ),
            ("Twitterbot/1.0", "Twitter/X"),
            (
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "Google",
            ),
            (
                "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
                "Bing",
            ),
            ("curl/8.5.0", "curl"),
            ("TelegramBot (like TwitterBot)", "Telegram"),
            (
                "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
                "Discord",
            ),
            ("python-requests/2.31.0", "Python"),
            (
                "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
                "Other bot",
            ),
        ] {
            assert_eq!(classify(Some(agent)), Client::Bot(name), "{agent}");
        }
        assert_eq!(classify(None), Client::Bot("No user agent"));
        assert_eq!(classify(Some("  ")), Client::Bot("No user agent"));
    }

    #[test]
    fn the_cache_answers_as_the_parser_and_stays_bounded() {
        let cache = AgentCache::default();
        for _ in 0..2 {
            assert_eq!(cache.classify(Some(IPHONE)), classify(Some(IPHONE)));
            assert_eq!(cache.classify(Some("curl/8.5.0")), Client::Bot("curl"));
            assert_eq!(cache.classify(None), Client::Bot("No user agent"));
        }
        for i in 0..(CACHE_ENTRIES + 10) {
            cache.classify(Some(&format!("agent {i}")));
        }
        assert!(cache.seen.lock().unwrap().len() <= CACHE_ENTRIES);
    }

    #[test]
    fn unknown_and_hostile_agents_become_fixed_names() {
        assert_eq!(
            classify(Some("=HYPERLINK(\"x\")")),
            person(Device::Other, "Other", "Other")
        );
        let huge = format!("{IPHONE}{}", "é".repeat(10_000));
        assert_eq!(
            classify(Some(&huge)),
            person(Device::Phone, "iOS", "Safari")
        );
    }
}
