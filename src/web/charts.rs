//! Small charts drawn on the server as inline SVG, so they read without JavaScript and
//! load nothing: a sparkline, vertical bars over days (optionally with a `<desc>` that
//! sums them up), horizontal bars for a breakdown, and a gauge of a value against its
//! limit. Every text in them is escaped here (the templates insert the SVG as is), and
//! they use presentation attributes and classes only: the Content-Security-Policy allows
//! no inline styles. Each chart carries a `<title>` and an `aria-label`, each bar a
//! `<title>` with its figure, and the pages show the same figures as text.

use std::fmt::Write;

/// A line over `values` (oldest first), `width`×`height` pixels.
pub fn sparkline(values: &[u64], width: u32, height: u32, label: &str) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if values.len() > 1 {
        f64::from(width - 2) / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let x = 1.0 + i as f64 * step;
            let y = f64::from(height - 2) - (v as f64 / max) * f64::from(height - 4) + 1.0;
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let label = escape(label);
    format!(
        r#"<svg class="chart spark" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}"><title>{label}</title><polyline class="line" fill="none" stroke="currentColor" stroke-width="1.5" points="{}"/></svg>"#,
        points.join(" ")
    )
}

/// Vertical bars, one per `(label, value)`, with the first and last labels and the
/// largest value written on the axes; each bar has a tooltip with its figure.
pub fn bars(series: &[(String, u64)], label: &str) -> String {
    bar_chart(series, label, None)
}

/// `bars` with a `<desc>`: a sentence that says what the bars show (a total, the busiest
/// bar), for screen readers.
pub fn described_bars(series: &[(String, u64)], label: &str, description: &str) -> String {
    bar_chart(series, label, Some(description))
}

fn bar_chart(series: &[(String, u64)], label: &str, description: Option<&str>) -> String {
    const W: f64 = 640.0;
    const H: f64 = 180.0;
    const TOP: f64 = 16.0;
    const BOTTOM: f64 = 22.0;
    const LEFT: f64 = 36.0;
    let max = series.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let slot = (W - LEFT) / series.len().max(1) as f64;
    let plot = H - TOP - BOTTOM;
    let label = escape(label);
    let mut svg = format!(
        r#"<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" font-size="11" role="img" aria-label="{label}"><title>{label}</title>"#
    );
    if let Some(description) = description {
        let _ = write!(svg, "<desc>{}</desc>", escape(description));
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LEFT}" y1="{y}" x2="{W}" y2="{y}" stroke="currentColor"/><text class="tick" x="{x}" y="{top}" text-anchor="end">{max}</text><text class="tick" x="{x}" y="{y}" text-anchor="end">0</text>"#,
        y = H - BOTTOM,
        x = LEFT - 4.0,
        top = TOP + 4.0,
    );
    for (i, (name, value)) in series.iter().enumerate() {
        let height = (*value as f64 / max as f64) * plot;
        let x = LEFT + i as f64 * slot + slot * 0.15;
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{height:.1}" fill="currentColor"><title>{}: {value}</title></rect>"#,
            escape(name),
            y = H - BOTTOM - height,
            w = slot * 0.7,
        );
    }
    if let (Some((first, _)), Some((last, _))) = (series.first(), series.last()) {
        let _ = write!(
            svg,
            r#"<text class="tick" x="{LEFT}" y="{H}">{}</text><text class="tick" x="{W}" y="{H}" text-anchor="end">{}</text>"#,
            escape(first),
            escape(last)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars for a breakdown: each row's name, bar and figure.
pub fn breakdown(rows: &[(String, u64)], label: &str) -> String {
    const W: f64 = 420.0;
    const ROW: f64 = 22.0;
    const NAME: f64 = 150.0;
    const FIGURE: f64 = 60.0;
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = (rows.len().max(1) as f64) * ROW;
    let label = escape(label);
    let mut svg = format!(
        r#"<svg class="chart breakdown" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" font-size="11" role="img" aria-label="{label}"><title>{label}</title>"#
    );
    for (i, (name, value)) in rows.iter().enumerate() {
        let y = i as f64 * ROW;
        let width = (*value as f64 / max as f64) * (W - NAME - FIGURE);
        let shown: String = name.chars().take(24).collect();
        let _ = write!(
            svg,
            r#"<text class="name" x="0" y="{ty:.1}">{}</text><rect class="bar" x="{NAME}" y="{ry:.1}" width="{width:.1}" height="{h:.1}" fill="currentColor"/><text class="figure" x="{W}" y="{ty:.1}" text-anchor="end">{value}</text>"#,
            escape(&shown),
            ty = y + ROW * 0.7,
            ry = y + ROW * 0.2,
            h = ROW * 0.6,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A horizontal gauge: `value` of `max` filled (a full bar once `value` reaches `max`),
/// `caption` written above it, and an optional marker at a share (0 to 1) of the bar,
/// e.g. how much of a period has passed, drawn as a line with its note under the bar.
pub fn gauge(
    value: u64,
    max: u64,
    marker: Option<(f64, &str)>,
    caption: &str,
    label: &str,
) -> String {
    const W: f64 = 240.0;
    const TOP: f64 = 20.0;
    const BAR: f64 = 12.0;
    let height = if marker.is_some() { 52.0 } else { TOP + BAR };
    let filled = if max == 0 {
        0.0
    } else {
        (value as f64 / max as f64).min(1.0) * W
    };
    let label = escape(label);
    let mut svg = format!(
        r##"<svg class="chart gauge" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" font-size="13" role="img" aria-label="{label}"><title>{label}</title><text class="figure" x="0" y="14">{}</text><rect class="track" x="0" y="{TOP}" width="{W}" height="{BAR}" rx="3" fill="#e5e7eb"/><rect class="bar" x="0" y="{TOP}" width="{filled:.1}" height="{BAR}" rx="3" fill="currentColor"/>"##,
        escape(caption)
    );
    if let Some((share, note)) = marker {
        let x = share.clamp(0.0, 1.0) * W;
        // The note starts at the line, or ends there once the line is past the middle.
        let anchor = if share > 0.5 { "end" } else { "start" };
        let _ = write!(
            svg,
            r##"<line class="marker" x1="{x:.1}" y1="{y1}" x2="{x:.1}" y2="{y2}" stroke="#14161a" stroke-width="2"/><text class="tick" x="{x:.1}" y="{ty}" font-size="11" text-anchor="{anchor}">{}</text>"##,
            escape(note),
            y1 = TOP - 3.0,
            y2 = TOP + BAR + 3.0,
            ty = height - 3.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// XML text and attribute escaping.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_has_a_point_per_value_and_a_title() {
        let svg = sparkline(&[0, 5, 10], 100, 20, "Scans");
        assert!(svg.contains("<title>Scans</title>"));
        assert_eq!(svg.matches(',').count(), 3);
        assert!(svg.contains("points=\"1.0,"), "{svg}");
    }

    #[test]
    fn text_in_charts_is_escaped() {
        let svg = breakdown(&[("<script>alert(1)</script>".into(), 3)], "\"x\" & y");
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("&quot;x&quot; &amp; y"));
        let svg = bars(&[("a<b".into(), 1)], "t");
        assert!(svg.contains("a&lt;b: 1"));
    }

    #[test]
    fn bars_scale_to_the_largest_value_and_survive_empty_series() {
        let svg = bars(&[("d1".into(), 0), ("d2".into(), 4)], "t");
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(">4</text>"));
        assert!(bars(&[], "t").ends_with("</svg>"));
        assert!(breakdown(&[], "t").ends_with("</svg>"));
        assert!(sparkline(&[], 10, 10, "t").ends_with("</svg>"));
    }

    /// The SVG parses as XML, so a browser draws it.
    fn parsed(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"))
    }

    #[test]
    fn described_bars_carry_a_title_a_description_and_a_title_per_bar() {
        let series: Vec<(String, u64)> = (1..=30).map(|d| (format!("2026-09-{d:02}"), d)).collect();
        let svg = described_bars(&series, "Generations per day", "465 in 30 days & counting");
        let doc = parsed(&svg);
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        let text = |name: &str| {
            root.children()
                .find(|n| n.has_tag_name(name))
                .and_then(|n| n.text())
                .map(str::to_owned)
        };
        assert_eq!(text("title").as_deref(), Some("Generations per day"));
        assert_eq!(text("desc").as_deref(), Some("465 in 30 days & counting"));
        let bars: Vec<_> = root
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .collect();
        assert_eq!(bars.len(), 30);
        let last = bars[29]
            .children()
            .find(|n| n.has_tag_name("title"))
            .unwrap();
        assert_eq!(last.text(), Some("2026-09-30: 30"));
    }

    #[test]
    fn a_gauge_fills_its_share_and_never_overflows() {
        let width = |svg: &str| {
            let doc = parsed(svg);
            let bar = doc
                .descendants()
                .find(|n| n.attribute("class") == Some("bar"))
                .unwrap();
            bar.attribute("width").unwrap().parse::<f64>().unwrap()
        };
        assert_eq!(width(&gauge(5, 20, None, "5 of 20", "Quota")), 60.0);
        assert_eq!(width(&gauge(25, 20, None, "25 of 20", "Quota")), 240.0);
        assert_eq!(width(&gauge(5, 0, None, "5", "Unlimited")), 0.0);
        let svg = gauge(1, 2, Some((0.25, "a quarter & more")), "<1> of 2", "Quota");
        let doc = parsed(&svg);
        let marker = doc.descendants().find(|n| n.has_tag_name("line")).unwrap();
        assert_eq!(marker.attribute("x1"), Some("60.0"));
        assert!(svg.contains("&lt;1&gt; of 2") && svg.contains("a quarter &amp; more"));
    }
}
