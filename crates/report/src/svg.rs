//! The dashboard's charts as SVG, written by hand (docs/decisions.md): bars
//! of each area's actual with a marker at its target, and the cumulative
//! line of the actual against the target and the schedule.

use jineng_domain::planning::{Entry, format_value};
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const FONT: &str = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei',sans-serif\"";

/// Horizontal bars: one per entry (an area's actual), with a tick at its
/// target; red when behind schedule.
pub fn bars(title: &str, entries: &[Entry]) -> String {
    let row_h = 28.0;
    let (left, width) = (170.0, 520.0);
    let height = 60.0 + row_h * entries.len() as f64;
    let max = entries
        .iter()
        .flat_map(|e| [e.actual.unwrap_or(0), e.target.unwrap_or(0)])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |v: i64| left + width * v as f64 / max;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="760" height="{height}" viewBox="0 0 760 {height}" {FONT} font-size="13">"#
    );
    let _ = write!(
        s,
        r#"<text x="10" y="24" font-size="16" font-weight="bold">{}</text>"#,
        esc(title)
    );
    for (i, e) in entries.iter().enumerate() {
        let y = 44.0 + row_h * i as f64;
        let actual = e.actual.unwrap_or(0);
        let colour = if e.behind { "#d9534f" } else { "#4a7fc1" };
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{left}" y="{y}" width="{:.1}" height="18" fill="{colour}"><title>{}：完成 {}，目标 {}</title></rect>"#,
            left - 8.0,
            y + 14.0,
            esc(&e.name),
            x(actual) - left,
            esc(&e.name),
            format_value(actual, e.decimals),
            e.target
                .map(|t| format_value(t, e.decimals))
                .unwrap_or("—".into()),
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
            r#"<text x="{:.1}" y="{}" font-size="11">{}</text>"#,
            x(actual.max(e.target.unwrap_or(0))) + 6.0,
            y + 14.0,
            format_value(actual, e.decimals)
        );
    }
    s.push_str("</svg>");
    s
}

/// The cumulative actual by month (points `(label, value)`) against the
/// target (a horizontal line) and the schedule (a diagonal from 0 to the
/// target over `months_in_period` months).
pub fn cumulative(
    title: &str,
    points: &[(String, i64)],
    target: Option<i64>,
    months_in_period: usize,
    decimals: u32,
) -> String {
    let (left, top, width, height) = (70.0, 40.0, 640.0, 260.0);
    let n = months_in_period.max(points.len()).max(1);
    let max = points
        .iter()
        .map(|p| p.1)
        .chain(target)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let px = |i: usize| left + width * (i + 1) as f64 / n as f64;
    let py = |v: i64| top + height - height * v as f64 / max;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="760" height="340" viewBox="0 0 760 340" {FONT} font-size="12">"#
    );
    let _ = write!(
        s,
        r#"<text x="10" y="24" font-size="16" font-weight="bold">{}</text>"#,
        esc(title)
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
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#4a7fc1"><title>{}：{}</title></circle><text x="{:.1}" y="{}" text-anchor="middle" font-size="10">{}</text>"##,
            px(i),
            py(*v),
            esc(label),
            format_value(*v, decimals),
            px(i),
            top + height + 16.0,
            esc(label)
        );
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
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="760" height="{total}" viewBox="0 0 760 {total}">"#
    );
    let mut y = 0.0;
    for c in charts {
        s.push_str(&c.replacen("<svg ", &format!("<svg y=\"{y}\" "), 1));
        y += height(c);
    }
    s.push_str("</svg>");
    s
}
