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

/// One row of a stacked bar chart: its label, its parts (value, CSS class), and
/// the total written at its end.
#[derive(Debug, Clone)]
pub struct StackedRow {
    /// What the row is ("Claire Martin", "EUR").
    pub label: String,
    /// Parts in order, each with the class that colours it.
    pub parts: Vec<(f64, String)>,
    /// The row's total, as written for people.
    pub total: String,
}

/// Horizontal stacked bars, one row per group, scaled to the largest row; each
/// row ends with its total as text and a legend names the parts (colour is never
/// the only carrier: the page's table gives every figure).
pub fn stacked_bars(title: &str, rows: &[StackedRow], legend: &[(String, String)]) -> String {
    const ROW_H: f64 = 26.0;
    const LABEL_W: f64 = 150.0;
    const TOTAL_W: f64 = 110.0;
    let legend_h = 28.0;
    let height = TOP + rows.len().max(1) as f64 * ROW_H + legend_h;
    let plot_w = WIDTH - LABEL_W - TOTAL_W;
    let max = rows
        .iter()
        .map(|r| r.parts.iter().map(|(v, _)| v.max(0.0)).sum::<f64>())
        .fold(0.0_f64, f64::max)
        .max(f64::EPSILON);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart hbars" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H;
        let label: String = r.label.chars().take(22).collect();
        let _ = write!(
            svg,
            r#"<text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            LABEL_W - 8.0,
            y + ROW_H * 0.62,
            escape(&label)
        );
        let mut x = LABEL_W;
        for (v, class) in &r.parts {
            let w = v.max(0.0) / max * plot_w;
            if w > 0.0 {
                let _ = write!(
                    svg,
                    r#"<rect class="{}" x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.1}"/>"#,
                    escape(class),
                    y + 4.0,
                    ROW_H - 8.0
                );
            }
            x += w;
        }
        let _ = write!(
            svg,
            r#"<text class="value" x="{:.1}" y="{:.1}">{}</text>"#,
            x + 6.0,
            y + ROW_H * 0.62,
            escape(&r.total)
        );
    }
    let mut lx = LABEL_W;
    let ly = TOP + rows.len().max(1) as f64 * ROW_H + 12.0;
    for (name, class) in legend {
        let _ = write!(
            svg,
            r#"<rect class="{}" x="{lx:.1}" y="{ly:.1}" width="10" height="10"/><text class="axis" x="{:.1}" y="{:.1}">{}</text>"#,
            escape(class),
            lx + 14.0,
            ly + 9.0,
            escape(name)
        );
        lx += 14.0 + name.chars().count() as f64 * 6.5 + 16.0;
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod stacked_tests {
    use super::*;

    #[test]
    fn rows_scale_to_the_largest_and_escape_their_text() {
        let rows = vec![
            StackedRow {
                label: "A & <B>".into(),
                parts: vec![(50.0, "bucket-not_due".into()), (50.0, "bucket-1_30".into())],
                total: "100 €".into(),
            },
            StackedRow {
                label: "C".into(),
                parts: vec![(25.0, "bucket-not_due".into())],
                total: "25 €".into(),
            },
        ];
        let svg = stacked_bars("Balance âgée", &rows, &[("Non échu".into(), "bucket-not_due".into())]);
        assert!(svg.contains("A &amp; &lt;B&gt;"));
        assert!(svg.contains("100 €") && svg.contains("25 €"));
        // The full row spans the plot (380 px: two halves of 190), the quarter row a quarter of it.
        assert!(svg.contains(r#"width="190.0""#), "{svg}");
        assert!(svg.contains(r#"width="95.0""#), "{svg}");
        assert!(stacked_bars("t", &[], &[]).starts_with("<svg"));
    }
}

/// A sparkline of daily health scores (0–100), oldest first: a small line with the
/// risk threshold dashed and the last score as text, so it reads without colour.
pub fn sparkline(title: &str, scores: &[i32], threshold: u8) -> String {
    const W: f64 = 120.0;
    const H: f64 = 28.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="sparkline" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    let y = |v: f64| H - 2.0 - (v.clamp(0.0, 100.0) / 100.0) * (H - 4.0);
    let t = y(f64::from(threshold));
    let _ = write!(
        svg,
        r#"<line x1="0" x2="{W}" y1="{t:.1}" y2="{t:.1}" class="spark-threshold" stroke-dasharray="2 2"/>"#
    );
    if scores.len() == 1 {
        let _ = write!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="2" class="spark-dot"/>"#,
            W - 3.0,
            y(f64::from(scores[0]))
        );
    } else if scores.len() > 1 {
        let step = (W - 4.0) / (scores.len() - 1) as f64;
        let points: Vec<String> = scores
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{:.1},{:.1}", 2.0 + step * i as f64, y(f64::from(*s))))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline points="{}" class="spark-line" fill="none"/>"#,
            points.join(" ")
        );
        if let Some(last) = scores.last() {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2" class="spark-dot"/>"#,
                W - 2.0,
                y(f64::from(*last))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A person on the stakeholder map.
#[derive(Debug, Clone)]
pub struct MapPerson {
    /// Their name.
    pub name: String,
    /// Their roles, said.
    pub roles: String,
    /// Row: 0 high influence, 1 medium, 2 low.
    pub row: usize,
    /// Column: 0 champion … 4 opponent.
    pub column: usize,
    /// An influential sceptic or opponent.
    pub threat: bool,
}

/// The stakeholder map: influence (rows, highest on top) by attitude (columns,
/// warmest on the left), each person a labelled box in their cell.
pub fn stakeholder_map(title: &str, rows: &[String; 3], columns: &[String; 5], people: &[MapPerson]) -> String {
    const LEFT_LABELS: f64 = 84.0;
    const HEAD: f64 = 26.0;
    const CELL_W: f64 = 132.0;
    const LINE: f64 = 30.0;
    let mut per_cell = [[0usize; 5]; 3];
    for p in people {
        per_cell[p.row.min(2)][p.column.min(4)] += 1;
    }
    let row_h: Vec<f64> = per_cell
        .iter()
        .map(|r| (r.iter().copied().max().unwrap_or(0).max(1) as f64) * LINE + 10.0)
        .collect();
    let width = LEFT_LABELS + CELL_W * 5.0;
    let height = HEAD + row_h.iter().sum::<f64>();
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="stakeholder-map" viewBox="0 0 {width} {height:.0}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    for (c, label) in columns.iter().enumerate() {
        let x = LEFT_LABELS + CELL_W * c as f64 + CELL_W / 2.0;
        let _ = write!(
            svg,
            r#"<text x="{x:.0}" y="16" text-anchor="middle" class="map-head">{}</text>"#,
            escape(label)
        );
    }
    let mut y0 = HEAD;
    let mut used = [[0usize; 5]; 3];
    for (r, label) in rows.iter().enumerate() {
        let h = row_h[r];
        let _ = write!(
            svg,
            r#"<text x="4" y="{:.0}" class="map-head">{}</text>"#,
            y0 + h / 2.0 + 4.0,
            escape(label)
        );
        for c in 0_u8..5 {
            let _ = write!(
                svg,
                r#"<rect x="{:.0}" y="{y0:.0}" width="{CELL_W}" height="{h:.0}" class="map-cell map-col-{c}"/>"#,
                LEFT_LABELS + CELL_W * f64::from(c)
            );
        }
        for p in people.iter().filter(|p| p.row.min(2) == r) {
            let c = p.column.min(4);
            let k = used[r][c];
            used[r][c] += 1;
            let x = LEFT_LABELS + CELL_W * c as f64 + 4.0;
            let y = y0 + 5.0 + LINE * k as f64;
            let class = if p.threat { "map-person threat" } else { "map-person" };
            let _ = write!(
                svg,
                r#"<g class="{class}"><rect x="{x:.0}" y="{y:.0}" width="{:.0}" height="{:.0}" rx="4"/><text x="{:.0}" y="{:.0}">{}</text><text x="{:.0}" y="{:.0}" class="map-roles">{}</text></g>"#,
                CELL_W - 8.0,
                LINE - 4.0,
                x + 4.0,
                y + 11.0,
                escape(&truncate(&p.name, 20)),
                x + 4.0,
                y + 22.0,
                escape(&truncate(&p.roles, 24))
            );
        }
        y0 += h;
    }
    svg.push_str("</svg>");
    svg
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod health_chart_tests {
    use super::*;

    #[test]
    fn a_sparkline_draws_every_day_and_escapes_its_title() {
        let svg = sparkline("Acme <SA>", &[80, 70, 50], 60);
        assert!(svg.contains("Acme &lt;SA&gt;"));
        assert_eq!(svg.matches(',').count(), 3, "three points");
        assert!(sparkline("x", &[], 60).contains("spark-threshold"));
    }

    #[test]
    fn the_map_places_people_in_their_cells() {
        let rows = ["Forte".to_owned(), "Moyenne".to_owned(), "Faible".to_owned()];
        let cols = ["A", "B", "C", "D", "E"].map(String::from);
        let people = vec![
            MapPerson {
                name: "Claire <DSI>".into(),
                roles: "Décideur".into(),
                row: 0,
                column: 3,
                threat: true,
            },
            MapPerson {
                name: "Paul".into(),
                roles: String::new(),
                row: 2,
                column: 0,
                threat: false,
            },
        ];
        let svg = stakeholder_map("Carte", &rows, &cols, &people);
        assert!(svg.contains("Claire &lt;DSI&gt;"));
        assert_eq!(svg.matches("map-person threat").count(), 1);
        assert_eq!(svg.matches("class=\"map-cell").count(), 15);
    }
}
