//! A what-if breakdown as an SVG chart: per row, a bar of what the claims
//! pay under the policy in force and one of what they would pay under the
//! draft, side by side on one scale, each row ending with the difference.
//! Written by hand like the dashboard's charts (`crate::svg`).

use crate::svg::{esc, legend, open};
use jineng_domain::{Fen, Yuan};
use std::fmt::Write;

/// One row of the chart: its label and the two amounts (fen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub label: String,
    pub base_fen: i64,
    pub draft_fen: i64,
}

const BASE: &str = "#9aa7b8";
const DRAFT: &str = "#4a7fc1";

fn yuan(fen: i64) -> String {
    Yuan(Fen(fen)).to_string()
}

/// Labels longer than this many characters are cut (the full one shows on
/// hover).
const LABEL_CHARS: usize = 12;

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        label.chars().take(LABEL_CHARS - 1).collect::<String>() + "…"
    }
}

/// The chart of `rows` (at most the first `max_rows`, the caller's order).
pub fn pairs(title: &str, rows: &[Pair], max_rows: usize) -> String {
    let rows = &rows[..rows.len().min(max_rows)];
    let row_h = 34.0;
    let (left, width) = (180.0, 430.0);
    let top = 64.0;
    let height = top + 12.0 + row_h * rows.len() as f64;
    let max = rows
        .iter()
        .flat_map(|r| [r.base_fen, r.draft_fen])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let w = |v: i64| width * v.max(0) as f64 / max;
    let mut s = open(title, height, 13);
    legend(
        &mut s,
        48.0,
        &[("rect", BASE, "现行政策"), ("rect", DRAFT, "草案")],
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let diff = r.draft_fen - r.base_fen;
        let sign = if diff > 0 { "+" } else { "" };
        let _ = write!(
            s,
            r#"<g><title>{}：现行 {}，草案 {}，差额 {sign}{}</title><text x="{}" y="{}" text-anchor="end">{}</text>"#,
            esc(&r.label),
            yuan(r.base_fen),
            yuan(r.draft_fen),
            yuan(diff),
            left - 8.0,
            y + 18.0,
            esc(&short(&r.label)),
        );
        let _ = write!(
            s,
            r#"<rect x="{left}" y="{y}" width="{:.1}" height="13" fill="{BASE}"/><rect x="{left}" y="{}" width="{:.1}" height="13" fill="{DRAFT}"/>"#,
            w(r.base_fen),
            y + 14.0,
            w(r.draft_fen),
        );
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="12">{sign}{}</text></g>"#,
            left + width + 12.0,
            y + 18.0,
            yuan(diff)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_per_side_and_the_difference() {
        let rows = vec![
            Pair {
                label: "东昌府区".into(),
                base_fen: 80_000,
                draft_fen: 100_000,
            },
            Pair {
                label: "阳谷县<".into(),
                base_fen: 0,
                draft_fen: 0,
            },
        ];
        let svg = pairs("分地区", &rows, 10);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("+200.00 元"), "{svg}");
        assert!(svg.contains("阳谷县&lt;"), "escaped");
        assert_eq!(svg.matches("<rect").count(), 2 + 4, "legend and bars");
        assert_eq!(pairs("x", &rows, 1).matches("<g>").count(), 1);
    }
}
