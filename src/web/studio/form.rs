//! The studio's form, made from the parameter tables (a QR type's content parameters
//! and `DESIGN_SPECS`), so every option the API has is on the page with its help text;
//! and the request it stands for, written out as a GET URL, a curl command and the JSON
//! body of `POST /api/v1/qr`.

use serde_json::{Map, Value, json};

use crate::docs::shapes;
use crate::qr::design::DESIGN_SPECS;
use crate::qr::payload::{ParamKind, ParamSpec, QrType};

/// Design parameters the studio does not show: `download` is the Download button itself.
const NOT_SHOWN: &[&str] = &["download"];
/// The colours that always have a value get a colour picker; the optional ones (unset
/// means "follow another colour") a text field that may stay empty.
const PICKED_COLOURS: &[&str] = &["fg", "bg", "frame_color"];

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
    /// A picture of the choice drawn by the renderer (shapes).
    pub picture: Option<String>,
}

pub struct Field {
    pub name: &'static str,
    pub id: String,
    /// `text`, `textarea`, `number`, `select`, `shapes`, `checkbox` or `color`.
    pub widget: &'static str,
    pub value: String,
    /// What an empty field means (the table's default), so the request leaves it out.
    pub default: String,
    pub help: &'static str,
    pub required: bool,
    pub max_bytes: usize,
    pub choices: Vec<Choice>,
}

/// The request the form stands for: type, content and design pairs as given.
pub struct Request {
    pub kind: QrType,
    pub pairs: Vec<(String, String)>,
}

impl Request {
    /// From the page's query; an unknown or missing type is `url`, and missing content
    /// takes the table's examples, so the first preview shows a code.
    pub fn from_query(query: &[(String, String)]) -> Self {
        Self::read(query, true)
    }

    /// From a posted form (Download, Get a signed URL): missing content stays missing, so
    /// a cleared field is named as required instead of becoming the example.
    pub fn from_form(pairs: &[(String, String)]) -> Self {
        Self::read(pairs, false)
    }

    fn read(query: &[(String, String)], examples: bool) -> Self {
        let kind = query
            .iter()
            .find(|(n, _)| n == "type")
            .and_then(|(_, v)| QrType::parse(v))
            .unwrap_or(QrType::Url);
        let given = |name: &str| query.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v);
        let first_visit = examples && kind.params().iter().all(|p| given(p.name).is_none());
        let mut pairs = Vec::new();
        for spec in kind.params() {
            match given(spec.name) {
                Some(v) => pairs.push((spec.name.to_owned(), v.clone())),
                None if first_visit && !spec.example.is_empty() => {
                    pairs.push((spec.name.to_owned(), spec.example.to_owned()))
                }
                None => {}
            }
        }
        for spec in DESIGN_SPECS {
            if let Some(v) = given(spec.name) {
                pairs.push((spec.name.to_owned(), v.clone()));
            }
        }
        Self { kind, pairs }
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The pairs a request needs: empty ones and design values equal to their default
    /// left out, so the URL stays as short as the request is simple.
    pub fn significant(&self) -> Vec<(String, String)> {
        self.pairs
            .iter()
            .filter(|(name, value)| {
                let default = DESIGN_SPECS
                    .iter()
                    .find(|s| s.name == name)
                    .and_then(|s| s.default);
                !value.trim().is_empty() && Some(value.as_str()) != default
            })
            .cloned()
            .collect()
    }

    pub fn query(&self) -> String {
        serde_urlencoded::to_string(self.significant()).unwrap_or_default()
    }

    pub fn content_fields(&self) -> Vec<Field> {
        self.kind
            .params()
            .iter()
            .map(|spec| field(spec, self.value(spec.name), &[]))
            .collect()
    }

    /// The design fields; `logos` are the account's logo ids for the logo picker.
    pub fn design_fields(&self, logos: &[String]) -> Vec<Field> {
        DESIGN_SPECS
            .iter()
            .filter(|spec| !NOT_SHOWN.contains(&spec.name))
            .map(|spec| field(spec, self.value(spec.name), logos))
            .collect()
    }
}

fn field(spec: &'static ParamSpec, given: Option<&str>, logos: &[String]) -> Field {
    let default = spec.default.unwrap_or("").to_owned();
    let value = given.map_or_else(|| default.clone(), str::to_owned);
    let choice = |v: &str, label: &str, picture: Option<String>| Choice {
        selected: v == value,
        value: v.to_owned(),
        label: label.to_owned(),
        picture,
    };
    let (widget, choices) = match spec.kind {
        ParamKind::Enum(values) if shapes::SHAPE_PARAMETERS.contains(&spec.name) => {
            let pictures = shapes::gallery(spec);
            let choices = values
                .iter()
                .zip(pictures)
                .map(|(v, p)| choice(v, &v.replace('_', " "), Some(p.url)))
                .collect();
            ("shapes", choices)
        }
        ParamKind::Enum(values) => {
            // A shorthand without a default (eye_shape) may stay unset.
            let mut choices: Vec<Choice> = Vec::new();
            if spec.default.is_none() {
                choices.push(choice("", "(not set)", None));
            }
            choices.extend(values.iter().map(|v| choice(v, &v.replace('_', " "), None)));
            ("select", choices)
        }
        ParamKind::Identifier if spec.name == "logo" => {
            let mut choices = vec![choice("", "(no logo)", None)];
            choices.extend(logos.iter().map(|id| choice(id, id, None)));
            ("select", choices)
        }
        ParamKind::Bool => ("checkbox", Vec::new()),
        ParamKind::Integer { .. } => ("number", Vec::new()),
        ParamKind::Color { .. } if PICKED_COLOURS.contains(&spec.name) && value.len() == 7 => {
            ("color", Vec::new())
        }
        ParamKind::Multiline => ("textarea", Vec::new()),
        _ => ("text", Vec::new()),
    };
    Field {
        name: spec.name,
        id: format!("f-{}", spec.name),
        widget,
        value,
        default,
        help: spec.description,
        required: spec.required,
        max_bytes: spec.max_bytes,
        choices,
    }
}

/// The same request three ways, with a placeholder where the key goes (the page never
/// holds the key).
pub struct ApiRequest {
    pub url: String,
    pub curl: String,
    pub json: String,
}

pub fn api_request(origin: &str, request: &Request) -> ApiRequest {
    let kind = request.kind.as_str();
    let query = request.query();
    let separator = if query.is_empty() { "" } else { "&" };
    let url = format!("{origin}/api/v1/qr/{kind}?{query}{separator}api_key=YOUR_API_KEY");
    let format = request.value("format").unwrap_or("png");
    let extension = crate::qr::design::Format::parse(format).map_or("png", |f| f.extension());
    let curl = format!(
        "curl -H 'X-API-Key: YOUR_API_KEY' -o qr.{extension} '{origin}/api/v1/qr/{kind}?{query}'"
    );
    let content: Vec<&str> = request.kind.params().iter().map(|p| p.name).collect();
    let (mut data, mut design) = (Map::new(), Map::new());
    for (name, value) in request.significant() {
        let target = if content.contains(&name.as_str()) {
            &mut data
        } else {
            &mut design
        };
        target.insert(name, Value::String(value));
    }
    let body = json!({ "type": kind, "data": data, "design": design });
    ApiRequest {
        url,
        curl,
        json: serde_json::to_string_pretty(&body).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_first_visit_starts_from_the_examples_and_leaves_defaults_out_of_the_request() {
        let request = Request::from_query(&[]);
        assert_eq!(request.kind, QrType::Url);
        let q = request.query();
        assert!(q.starts_with("url="), "{q}");
        assert!(!q.contains("size=") && !q.contains("format="));
    }

    #[test]
    fn the_api_request_splits_content_from_design_and_never_holds_a_key() {
        let request = Request::from_query(&pairs(&[
            ("type", "wifi"),
            ("ssid", "Cafe"),
            ("module_shape", "dot"),
            ("size", "512"),
        ]));
        let api = api_request("http://127.0.0.1:8080", &request);
        assert_eq!(
            api.url,
            "http://127.0.0.1:8080/api/v1/qr/wifi?ssid=Cafe&module_shape=dot&api_key=YOUR_API_KEY"
        );
        let body: Value = serde_json::from_str(&api.json).unwrap();
        assert_eq!(body["data"]["ssid"], "Cafe");
        assert_eq!(body["design"]["module_shape"], "dot");
        assert!(body["design"].get("size").is_none());
        assert!(api.curl.contains("X-API-Key: YOUR_API_KEY"));
    }

    #[test]
    fn every_design_parameter_but_download_is_a_field() {
        let fields = Request::from_query(&[]).design_fields(&[]);
        assert_eq!(fields.len(), DESIGN_SPECS.len() - NOT_SHOWN.len());
        let shapes = fields.iter().find(|f| f.name == "module_shape").unwrap();
        assert_eq!(shapes.widget, "shapes");
        assert!(shapes.choices.iter().all(|c| c.picture.is_some()));
    }
}
