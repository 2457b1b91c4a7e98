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
const BOTTOM: f64 = 48.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One period of a trend: its label, its score (`None` when there were no
/// answers or too few to show one) and how many answers stand behind it.
#[derive(Debug, Clone)]
pub struct Point {
    /// What the axis reads ("nov. 2026").
    pub label: String,
    /// The score, if shown.
    pub value: Option<Decimal>,
    /// The sample size.
    pub answers: usize,
}

/// How the figures of a chart are written (the page's language).
pub struct Notation<'a> {
    /// A value ("24,9").
    pub value: &'a dyn Fn(Decimal) -> String,
    /// A sample size ("n = 12").
    pub answers: &'a dyn Fn(usize) -> String,
}

/// Roughly how wide an axis label is drawn, to keep labels apart.
const LABEL_WIDTH: f64 = 74.0;

/// A line chart of one figure per period; periods without a value break the line.
/// `min`/`max` bound the vertical axis (−100…100 for NPS, 0…100 for CSAT, 1…7 for CES).
/// Each labelled period also shows its sample size.
pub fn trend_line(title: &str, points: &[Point], min: Decimal, max: Decimal, n: &Notation<'_>) -> String {
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
            escape(&(n.value)(v.normalize()))
        );
    }
    // Label as many periods as fit without touching, always the last one, and
    // anchor the two ends inward so neither is clipped by the frame.
    let every = if step > 0.0 {
        (LABEL_WIDTH / step).ceil().max(1.0) as usize
    } else {
        1
    };
    let last = points.len().saturating_sub(1);
    for (i, p) in points.iter().enumerate() {
        if !(i == last || (i % every == 0 && i + every <= last)) {
            continue;
        }
        let anchor = match (i, points.len()) {
            (_, 1) => "middle",
            (0, _) => "start",
            (i, _) if i == last => "end",
            _ => "middle",
        };
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="{anchor}">{}</text><text class="axis n" x="{:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            x(i),
            HEIGHT - BOTTOM + 18.0,
            escape(&p.label),
            x(i),
            HEIGHT - BOTTOM + 34.0,
            escape(&(n.answers)(p.answers))
        );
    }
    let mut segment: Vec<String> = Vec::new();
    let flush = |svg: &mut String, segment: &mut Vec<String>| {
        if segment.len() > 1 {
            let _ = write!(svg, r#"<polyline class="line" points="{}"/>"#, segment.join(" "));
        }
        segment.clear();
    };
    for (i, p) in points.iter().enumerate() {
        match p.value {
            Some(v) => segment.push(format!("{:.1},{:.1}", x(i), y(v))),
            None => flush(&mut svg, &mut segment),
        }
    }
    flush(&mut svg, &mut segment);
    for (i, p) in points.iter().enumerate() {
        if let Some(v) = p.value {
            let text = escape(&(n.value)(v));
            let _ = write!(
                svg,
                r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="3.5"><title>{}: {} ({})</title></circle><text class="value" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x(i),
                y(v),
                escape(&p.label),
                text,
                escape(&(n.answers)(p.answers)),
                x(i),
                y(v) - 8.0,
                text
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, value: Option<Decimal>, answers: usize) -> Point {
        Point {
            label: label.to_owned(),
            value,
            answers,
        }
    }

    fn notation() -> (impl Fn(Decimal) -> String, impl Fn(usize) -> String) {
        (
            |d: Decimal| d.to_string().replace('.', ","),
            |n: usize| format!("n = {n}"),
        )
    }

    #[test]
    fn empty_periods_break_the_line_and_values_are_written() {
        let pts = vec![
            point("janv. 2026", Some(Decimal::new(300, 1)), 12),
            point("févr. 2026", Some(Decimal::new(-100, 1)), 9),
            point("mars 2026", None, 2),
            point("avr. 2026", Some(Decimal::new(500, 1)), 7),
        ];
        let (v, a) = notation();
        let svg = trend_line(
            "NPS <trend>",
            &pts,
            Decimal::from(-100),
            Decimal::from(100),
            &Notation { value: &v, answers: &a },
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(
            svg.matches("<polyline").count(),
            1,
            "one segment before the gap, a lone point after"
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(
            svg.contains(">30,0<") && svg.contains(">-10,0<"),
            "values in the page's notation"
        );
        assert!(svg.contains("n = 2"), "a held-back period still shows its sample size");
        assert!(svg.contains("NPS &lt;trend&gt;"), "titles are escaped");
    }

    #[test]
    fn labels_never_crowd_and_the_ends_stay_inside() {
        let pts: Vec<Point> = (1..=13)
            .map(|m| point(&format!("m{m:02}"), Some(Decimal::ONE), 5))
            .collect();
        let (v, a) = notation();
        let svg = trend_line(
            "CES",
            &pts,
            Decimal::ONE,
            Decimal::from(7),
            &Notation { value: &v, answers: &a },
        );
        let labels: Vec<&str> = pts
            .iter()
            .map(|p| p.label.as_str())
            .filter(|l| svg.contains(&format!(">{l}<")))
            .collect();
        assert!(labels.len() < 13, "thirteen labels do not fit side by side: {labels:?}");
        assert_eq!(labels.first(), Some(&"m01"));
        assert_eq!(labels.last(), Some(&"m13"), "the last period is always labelled");
        assert!(
            svg.contains(r#"text-anchor="end">m13<"#),
            "the last label is anchored inside the frame"
        );
        assert!(!svg.contains(">m12<"), "no label right beside the last one");
    }
}
