//! Charts drawn on the server as SVG: no JavaScript, readable without colour
//! (every point carries its value as text), and scaled to any width.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 34.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A line chart of one figure per period; periods without a value break the line.
/// `min`/`max` bound the vertical axis (−100…100 for NPS, 0…100 for CSAT, 1…7 for CES).
pub fn trend_line(title: &str, points: &[(String, Option<Decimal>)], min: Decimal, max: Decimal) -> String {
    let mut svg = String::new();
    let span = (max - min).to_f64().unwrap_or(1.0).max(f64::EPSILON);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = if points.len() > 1 {
        plot_w / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| {
        LEFT + if points.len() > 1 {
            step * i as f64
        } else {
            plot_w / 2.0
        }
    };
    let y = |v: Decimal| TOP + plot_h - ((v - min).to_f64().unwrap_or(0.0) / span) * plot_h;
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    // Axis: bottom, middle and top values.
    let mid = (min + max) / Decimal::TWO;
    for v in [min, mid, max] {
        let yy = y(v);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            v.normalize()
        );
    }
    // Label every period when they fit, else about seven of them.
    let every = points.len().div_ceil(7).max(1);
    for (i, (label, _)) in points.iter().enumerate() {
        if i % every == 0 || i + 1 == points.len() {
            let _ = write!(
                svg,
                r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x(i),
                HEIGHT - BOTTOM + 18.0,
                escape(label)
            );
        }
    }
    let mut segment: Vec<String> = Vec::new();
    let flush = |svg: &mut String, segment: &mut Vec<String>| {
        if segment.len() > 1 {
            let _ = write!(svg, r#"<polyline class="line" points="{}"/>"#, segment.join(" "));
        }
        segment.clear();
    };
    for (i, (_, v)) in points.iter().enumerate() {
        match v {
            Some(v) => segment.push(format!("{:.1},{:.1}", x(i), y(*v))),
            None => flush(&mut svg, &mut segment),
        }
    }
    flush(&mut svg, &mut segment);
    for (i, (label, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                svg,
                r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="3.5"><title>{}: {}</title></circle><text class="value" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x(i),
                y(*v),
                escape(label),
                v,
                x(i),
                y(*v) - 8.0,
                v
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_periods_break_the_line_and_values_are_written() {
        let pts = vec![
            ("2026-01".to_owned(), Some(Decimal::new(300, 1))),
            ("2026-02".to_owned(), Some(Decimal::new(-100, 1))),
            ("2026-03".to_owned(), None),
            ("2026-04".to_owned(), Some(Decimal::new(500, 1))),
        ];
        let svg = trend_line("NPS <trend>", &pts, Decimal::from(-100), Decimal::from(100));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(
            svg.matches("<polyline").count(),
            1,
            "one segment before the gap, a lone point after"
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains(">30.0<") && svg.contains(">-10.0<"));
        assert!(svg.contains("NPS &lt;trend&gt;"), "titles are escaped");
    }
}
