//! Small charts drawn on the server as inline SVG, so they read without JavaScript and
//! load nothing: a sparkline, vertical bars over days and horizontal bars for a
//! breakdown. Every text in them is escaped here (the templates insert the SVG as is),
//! and they use presentation attributes and classes only: the Content-Security-Policy
//! allows no inline styles. Each chart carries a `<title>` and an `aria-label`, and the
//! pages show the same figures as text.

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
        r#"<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" aria-label="{label}"><title>{label}</title>"#
    );
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
        r#"<svg class="chart breakdown" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img" aria-label="{label}"><title>{label}</title>"#
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
}
