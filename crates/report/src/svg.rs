//! The dashboard's charts as SVG, written by hand (docs/decisions.md): bars
//! of each area's actual with a marker at its target, and the cumulative
//! line of the actual against the target and the schedule.

use jineng_domain::planning::{ProgressRow, format_value};
use std::fmt::Write;

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) const FONT: &str = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei',sans-serif\"";

/// The chart's width (the viewBox scales it down on a phone).
pub(crate) const WIDTH: f64 = 860.0;

/// A legend row at `y`: (swatch, label) pairs, left to right. A swatch is
/// `("rect", colour)` or `("line", colour and dash)`.
pub(crate) fn legend(s: &mut String, y: f64, items: &[(&str, &str, &str)]) {
    let mut x = 10.0;
    for (shape, colour, label) in items {
        match *shape {
            "tick" => {
                let _ = write!(
                    s,
                    r#"<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="{colour}" stroke-width="2"/>"#,
                    x + 6.0,
                    y - 11.0,
                    y + 3.0
                );
            }
            "line" | "dash" | "dot" => {
                let dash = match *shape {
                    "dash" => r#" stroke-dasharray="6 4""#,
                    "dot" => r#" stroke-dasharray="2 3""#,
                    _ => r#" stroke-width="2.5""#,
                };
                let _ = write!(
                    s,
                    r#"<line x1="{x}" x2="{}" y1="{1}" y2="{1}" stroke="{colour}"{dash}/>"#,
                    x + 18.0,
                    y - 4.0
                );
            }
            _ => {
                let _ = write!(
                    s,
                    r#"<rect x="{x}" y="{}" width="14" height="12" fill="{colour}"/>"#,
                    y - 11.0
                );
            }
        }
        let _ = write!(s, r#"<text x="{}" y="{y}">{}</text>"#, x + 24.0, esc(label));
        x += 34.0 + 13.0 * label.chars().count() as f64;
    }
}

/// A chart's `<svg>` (full width, `height` high, text `font_size`) with
/// its title, as a tooltip and written at the top.
pub(crate) fn open(title: &str, height: f64, font_size: u32) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" {FONT} font-size="{font_size}" role="img"><title>{}</title>"#,
        esc(title)
    );
    let _ = write!(
        s,
        r#"<text x="10" y="24" font-size="16" font-weight="bold">{}</text>"#,
        esc(title)
    );
    s
}

/// Horizontal bars: one per entry (an area's actual), with a tick at its
/// target; red when behind schedule. A legend says which is which; each
/// row ends with its figures, and hovering a bar shows them too.
pub fn bars(title: &str, entries: &[ProgressRow]) -> String {
    let row_h = 28.0;
    let (left, width) = (170.0, 480.0);
    let top = 64.0;
    let height = top + 16.0 + row_h * entries.len() as f64;
    let max = entries
        .iter()
        .flat_map(|e| [e.actual.unwrap_or(0), e.target.unwrap_or(0)])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |v: i64| left + width * v as f64 / max;
    let mut s = open(title, height, 13);
    legend(
        &mut s,
        48.0,
        &[
            ("rect", "#4a7fc1", "完成"),
            ("rect", "#d9534f", "完成（落后于序时进度）"),
            ("tick", "#222", "目标"),
        ],
    );
    for (i, e) in entries.iter().enumerate() {
        let y = top + row_h * i as f64;
        let actual = e.actual.unwrap_or(0);
        let colour = if e.behind { "#d9534f" } else { "#4a7fc1" };
        let target = e
            .target
            .map(|t| format_value(t, e.decimals))
            .unwrap_or("—".into());
        let _ = write!(
            s,
            r#"<g><title>{}：完成 {}，目标 {}</title><text x="{}" y="{}" text-anchor="end">{}</text><rect x="{left}" y="{y}" width="{:.1}" height="18" fill="{colour}"/>"#,
            esc(&e.name),
            format_value(actual, e.decimals),
            target,
            left - 8.0,
            y + 14.0,
            esc(&e.name),
            x(actual) - left,
        );
        if let Some(t) = e.target {
            let _ = write!(
                s,
                r##"<line x1="{0:.1}" x2="{0:.1}" y1="{1}" y2="{2}" stroke="#222" stroke-width="2"/>"##,
                x(t),
                y - 3.0,
                y + 21.0
            );
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="12">完成 {} ／ 目标 {}</text></g>"#,
            left + width + 12.0,
            y + 14.0,
            format_value(actual, e.decimals),
            target
        );
    }
    s.push_str("</svg>");
    s
}

/// The cumulative actual by month (points `(label, value)`) against the
/// target (a horizontal line) and the schedule (a diagonal from 0 to the
/// target over `months_in_period` months). Month labels are slanted and
/// thinned to about twelve; every point shows its value on hover.
pub fn cumulative(
    title: &str,
    points: &[(String, i64)],
    target: Option<i64>,
    months_in_period: usize,
    decimals: u32,
) -> String {
    let (left, top, width, height) = (70.0, 60.0, 700.0, 240.0);
    let n = months_in_period.max(points.len()).max(1);
    let every = n.div_ceil(12).max(1);
    let max = points
        .iter()
        .map(|p| p.1)
        .chain(target)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let px = |i: usize| left + width * (i + 1) as f64 / n as f64;
    let py = |v: i64| top + height - height * v as f64 / max;
    let mut s = open(title, 350.0, 12);
    legend(
        &mut s,
        46.0,
        &[
            ("line", "#4a7fc1", "累计完成"),
            ("dash", "#222", "目标"),
            ("dot", "#999", "序时进度"),
        ],
    );
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{0}" x2="{1}" y2="{0}" stroke="#888"/><line x1="{left}" y1="{top}" x2="{left}" y2="{0}" stroke="#888"/>"##,
        top + height,
        left + width
    );
    if let Some(t) = target {
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{0:.1}" x2="{1}" y2="{0:.1}" stroke="#222" stroke-dasharray="6 4"/><text x="{1}" y="{2:.1}" text-anchor="end">目标 {3}</text>"##,
            py(t),
            left + width,
            py(t) - 4.0,
            format_value(t, decimals)
        );
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{0}" x2="{1}" y2="{2:.1}" stroke="#999" stroke-dasharray="2 3"><title>序时进度</title></line>"##,
            top + height,
            left + width,
            py(t)
        );
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", px(i), py(p.1)))
        .collect();
    if !path.is_empty() {
        let _ = write!(
            s,
            r##"<polyline points="{left},{} {}" fill="none" stroke="#4a7fc1" stroke-width="2.5"/>"##,
            top + height,
            path.join(" ")
        );
    }
    for (i, (label, v)) in points.iter().enumerate() {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="#4a7fc1"><title>{}：{}</title></circle>"##,
            px(i),
            py(*v),
            esc(label),
            format_value(*v, decimals),
        );
        if i % every == every - 1 || i + 1 == points.len() {
            let (lx, ly) = (px(i), top + height + 14.0);
            let _ = write!(
                s,
                r##"<text x="{lx:.1}" y="{ly}" text-anchor="end" font-size="10" transform="rotate(-40 {lx:.1} {ly})">{}</text>"##,
                esc(label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Charts one above the other in one SVG document (nested `<svg>`
/// elements keep their own coordinates).
pub fn stack(charts: &[String]) -> String {
    let height = |c: &str| -> f64 {
        c.split("height=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|h| h.parse().ok())
            .unwrap_or(0.0)
    };
    let total: f64 = charts.iter().map(|c| height(c)).sum();
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{total}" viewBox="0 0 {WIDTH} {total}">"#
    );
    let mut y = 0.0;
    for c in charts {
        s.push_str(&c.replacen("<svg ", &format!("<svg y=\"{y}\" "), 1));
        y += height(c);
    }
    s.push_str("</svg>");
    s
}
