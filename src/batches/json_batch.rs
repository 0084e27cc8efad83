//! A batch as JSON: `{"items": [{"type", "data", "design", "filename"}, ...], "design":
//! {...defaults...}}`. Read straight into bounded structures: at most `max_items` items,
//! at most `MAX_PARAMS` values per object, and values that must be strings, numbers,
//! booleans or null (an array or object where a value belongs is refused before it is
//! read, so no nesting is ever built up). A structural fault rejects the body with the
//! path and position of the fault; an item's wrong values are only its own failure.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::items::RawItem;

/// Values per `data` or `design` object (the longest type, vCard, has 13; design 12).
const MAX_PARAMS: usize = 64;

#[derive(Debug, Default)]
pub struct JsonBatch {
    pub defaults: Vec<(String, String)>,
    pub items: Vec<RawItem>,
}

/// Why a body is not a batch: the path of the fault (`items[3].data`) and the message
/// (with serde_json's line and column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct JsonError {
    pub path: String,
    pub message: String,
}

pub fn parse(body: &[u8], max_items: usize) -> Result<JsonBatch, JsonError> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let mut track = serde_path_to_error::Track::new();
    let batch = Body { max_items }
        .deserialize(serde_path_to_error::Deserializer::new(
            &mut json, &mut track,
        ))
        .and_then(|batch| json.end().map(|()| batch))
        .map_err(|e| {
            let path = track.path().to_string();
            JsonError {
                path: if path == "." || path == "?" {
                    "body".into()
                } else {
                    path
                },
                message: e.to_string(),
            }
        })?;
    Ok(batch)
}

struct Body {
    max_items: usize,
}

impl<'de> DeserializeSeed<'de> for Body {
    type Value = JsonBatch;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<JsonBatch, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Body {
    type Value = JsonBatch;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with `items` (a list) and optionally `design`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonBatch, A::Error> {
        let mut batch = JsonBatch::default();
        let mut has_items = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "items" => {
                    let bodies = map.next_value_seed(Items {
                        max: self.max_items,
                    })?;
                    batch.items = bodies
                        .into_iter()
                        .enumerate()
                        .map(|(i, body)| body.into_raw(i + 1))
                        .collect();
                    has_items = true;
                }
                "design" => batch.defaults = map.next_value::<Scalars>()?.0,
                other => return Err(de::Error::unknown_field(other, &["items", "design"])),
            }
        }
        if !has_items {
            return Err(de::Error::missing_field("items"));
        }
        if batch.items.is_empty() {
            return Err(de::Error::custom(
                "`items` is empty; a batch has at least one item",
            ));
        }
        Ok(batch)
    }
}

struct Items {
    max: usize,
}

impl<'de> DeserializeSeed<'de> for Items {
    type Value = Vec<ItemBody>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<ItemBody>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Items {
    type Value = Vec<ItemBody>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<ItemBody>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<ItemBody>()? {
            if items.len() == self.max {
                return Err(de::Error::custom(format!(
                    "more than {} items; a batch holds at most {}",
                    self.max, self.max
                )));
            }
            items.push(item);
        }
        Ok(items)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemBody {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    data: Scalars,
    #[serde(default)]
    design: Scalars,
    #[serde(default)]
    filename: Option<String>,
}

impl ItemBody {
    fn into_raw(self, row: usize) -> RawItem {
        RawItem {
            row,
            kind: self.kind.unwrap_or_default(),
            content: self.data.0,
            design: self.design.0,
            filename: self.filename,
        }
    }
}

/// An object of scalar values, nulls left out, at most `MAX_PARAMS` of them.
#[derive(Default)]
struct Scalars(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Scalars {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ScalarsVisitor)
    }
}

struct ScalarsVisitor;

impl<'de> Visitor<'de> for ScalarsVisitor {
    type Value = Scalars;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of parameter names and values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalars, A::Error> {
        let mut values = Vec::new();
        while let Some((name, Scalar(value))) = map.next_entry::<String, Scalar>()? {
            if values.len() == MAX_PARAMS {
                return Err(de::Error::custom(format!(
                    "more than {MAX_PARAMS} parameters"
                )));
            }
            if let Some(value) = value {
                values.push((name, value));
            }
        }
        Ok(Scalars(values))
    }
}

/// A string, number or boolean as text; `None` for null.
struct Scalar(Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number, boolean or null")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar(Some(v)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_and_defaults_are_read_with_typed_values_as_text() {
        let batch = parse(
            br#"{"design": {"size": 300, "fg": null},
                "items": [{"type": "geo", "data": {"lat": 48.8584, "lng": 2.2945}, "filename": "eiffel"},
                          {"type": "wifi", "data": {"ssid": "Home", "hidden": true}, "design": {"margin": 2}}]}"#,
            10,
        )
        .unwrap();
        assert_eq!(batch.defaults, vec![("size".into(), "300".into())]);
        assert_eq!(batch.items.len(), 2);
        assert_eq!(batch.items[0].row, 1);
        assert_eq!(batch.items[0].filename.as_deref(), Some("eiffel"));
        assert!(
            batch.items[0]
                .content
                .contains(&("lat".into(), "48.8584".into()))
        );
        assert!(
            batch.items[1]
                .content
                .contains(&("hidden".into(), "true".into()))
        );
        assert_eq!(batch.items[1].design, vec![("margin".into(), "2".into())]);
    }

    #[test]
    fn structural_faults_name_their_path() {
        for (body, path, wanted) in [
            (
                &br#"{"items": [{"type": "url", "data": {"url": ["a"]}}]}"#[..],
                "items[0].data.url",
                "a string, number, boolean or null",
            ),
            (
                br#"{"items": [{"type": "url", "colour": 1}]}"#,
                "items[0].colour",
                "unknown field `colour`",
            ),
            (br#"{"items": {}}"#, "items", "a list of items"),
            (br#"{"design": {}}"#, "body", "missing field `items`"),
            (br#"{"items": []}"#, "body", "`items` is empty"),
            (
                br#"{"items": [], "extra": 1}"#,
                "body",
                "unknown field `extra`",
            ),
            (
                br#"{"items": [{"type": "url"}]} trailing"#,
                "body",
                "trailing characters",
            ),
            (b"{", "body", "EOF"),
        ] {
            let err = parse(body, 10).unwrap_err();
            assert_eq!(err.path, path, "{err}");
            assert!(err.message.contains(wanted), "{err}");
        }
    }

    #[test]
    fn the_item_count_is_bounded_while_reading() {
        let body = format!(r#"{{"items": [{}]}}"#, [r#"{"type":"url"}"#; 11].join(","));
        let err = parse(body.as_bytes(), 10).unwrap_err();
        assert!(err.message.contains("more than 10 items"), "{err}");
        assert!(err.message.contains("line 1"), "{err}");
        let many: Vec<String> = (0..65).map(|i| format!(r#""p{i}": 1"#)).collect();
        let body = format!(r#"{{"items": [{{"data": {{{}}}}}]}}"#, many.join(","));
        let err = parse(body.as_bytes(), 10).unwrap_err();
        assert!(err.message.contains("more than 64 parameters"), "{err}");
    }
}
