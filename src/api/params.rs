//! Request parameters for the QR endpoints, from a query string or a JSON body, checked
//! strictly: invalid percent-encoding or UTF-8 is an error naming the parameter, never
//! silently replaced.

use serde_json::Value;

use super::Problem;

/// Most parameters one request may carry (the longest type, vCard, has 13 plus design).
const MAX_PARAMS: usize = 64;

/// Name/value pairs in request order.
pub type Pairs = Vec<(String, String)>;

pub fn from_query(query: &str) -> Result<Pairs, Problem> {
    let mut pairs = Pairs::new();
    for (i, part) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
        if i >= MAX_PARAMS {
            return Err(bad(
                "query",
                format!("at most {MAX_PARAMS} parameters are accepted"),
            ));
        }
        let (raw_name, raw_value) = part.split_once('=').unwrap_or((part, ""));
        let name = decode(raw_name).ok_or_else(|| {
            bad(
                "query",
                "a parameter name is not valid UTF-8 or percent-encoding",
            )
        })?;
        let value = decode(raw_value)
            .ok_or_else(|| bad(&name, "is not valid UTF-8 or percent-encoding"))?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// `{"type": "...", "data": {...}, "design": {...}}`: returns the type and the pairs of
/// `data` and `design` together (their names do not overlap).
pub fn from_json(body: &[u8]) -> Result<(String, Pairs), Problem> {
    from_value(json_body(body)?)
}

/// A body that must be JSON.
pub fn json_body(body: &[u8]) -> Result<Value, Problem> {
    serde_json::from_slice(body).map_err(|e| bad("body", format!("is not valid JSON: {e}")))
}

/// The same for a body already parsed (one that carries more fields, taken off first).
pub fn from_value(value: Value) -> Result<(String, Pairs), Problem> {
    let Value::Object(mut root) = value else {
        return Err(bad(
            "body",
            "must be a JSON object with `type`, `data` and optionally `design`",
        ));
    };
    let kind = match root.remove("type") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(bad("type", "must be a string")),
        None => return Err(bad("type", "is required")),
    };
    let mut pairs = Pairs::new();
    for section in ["data", "design"] {
        match root.remove(section) {
            None | Some(Value::Null) => {}
            Some(Value::Object(fields)) => {
                for (name, value) in fields {
                    let text = match value {
                        Value::String(s) => s,
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => continue,
                        _ => {
                            return Err(bad(
                                &format!("{section}.{name}"),
                                "must be a string, number or boolean",
                            ));
                        }
                    };
                    pairs.push((name, text));
                }
            }
            Some(_) => return Err(bad(section, "must be a JSON object")),
        }
    }
    if let Some(extra) = root.keys().next() {
        return Err(bad(
            extra,
            "is not a known field; the body has `type`, `data` and `design`",
        ));
    }
    if pairs.len() > MAX_PARAMS {
        return Err(bad(
            "body",
            format!("at most {MAX_PARAMS} parameters are accepted"),
        ));
    }
    Ok((kind, pairs))
}

fn bad(parameter: &str, detail: impl Into<String>) -> Problem {
    let detail = format!("`{parameter}` {}", detail.into());
    Problem::new(400, "invalid-parameter", "Invalid parameter", detail).parameter(parameter)
}

/// Percent-decoding with `+` as space (form encoding), refusing bad escapes and bad UTF-8.
fn decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode_plus_and_percent_escapes() {
        let pairs = from_query("text=Hello+W%C3%B6rld%21&size=300").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("text".into(), "Hello Wörld!".into()),
                ("size".into(), "300".into())
            ]
        );
    }

    #[test]
    fn invalid_utf8_names_the_parameter() {
        let err = from_query("text=%FF%FE").unwrap_err();
        assert!(err.to_string().contains("`text`"), "{err}");
        assert!(from_query("text=%G1").is_err());
        assert!(from_query("text=%4").is_err());
    }

    #[test]
    fn json_bodies_flatten_data_and_design() {
        let (kind, pairs) = from_json(br#"{"type":"geo","data":{"lat":48.85,"lng":2.29},"design":{"size":300,"download":true}}"#).unwrap();
        assert_eq!(kind, "geo");
        assert!(pairs.contains(&("lat".into(), "48.85".into())));
        assert!(pairs.contains(&("download".into(), "true".into())));
    }

    #[test]
    fn malformed_json_is_refused_by_field() {
        assert!(from_json(b"{").unwrap_err().to_string().contains("`body`"));
        assert!(
            from_json(br#"{"data":{}}"#)
                .unwrap_err()
                .to_string()
                .contains("`type`")
        );
        assert!(
            from_json(br#"{"type":"url","data":{"url":["a"]}}"#)
                .unwrap_err()
                .to_string()
                .contains("data.url")
        );
        assert!(
            from_json(br#"{"type":"url","extra":1}"#)
                .unwrap_err()
                .to_string()
                .contains("`extra`")
        );
    }
}
