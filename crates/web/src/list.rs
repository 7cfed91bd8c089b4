//! What every list page shares (the pattern of the 监管 case queue, made
//! common): the query's `page`, `sort`, `dir` and `q` checked against the
//! page's own whitelist, a pager (`templates/_pager.html`: 共 N 条, page
//! links keeping the filters) and sortable column headers whose links keep
//! the filters and flip the direction. The store does COUNT + LIMIT/OFFSET
//! with the whitelisted ORDER BY.

use crate::error::AppError;
use jineng_domain::RegionCode;
use jineng_domain::access::Scope;
use serde::Deserialize;

/// Rows per page unless a page says otherwise.
pub const PER_PAGE: i64 = 50;

/// A form value, trimmed; `None` when empty.
pub fn opt(v: &str) -> Option<&str> {
    Some(v.trim()).filter(|v| !v.is_empty())
}

/// A list's region filter: none, or a region inside `scope`; a region
/// outside it is 403 like any record outside it.
pub fn region_filter(raw: &str, scope: &Scope) -> Result<Option<RegionCode>, AppError> {
    let region = opt(raw)
        .map(|s| {
            RegionCode::parse(s).map_err(|_| AppError::BadRequest(format!("未知的行政区划「{s}」")))
        })
        .transpose()?;
    if let Some(r) = &region
        && !scope.contains_region(r)
    {
        return Err(AppError::Forbidden(format!(
            "行政区划「{}」不在您的管理范围内",
            r.as_str()
        )));
    }
    Ok(region)
}

/// Percent-encoding of a query value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `k=v&` for each non-empty value, in order: the filters of a link.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}&", encode(v.trim())))
        .collect()
}

/// (page number, pages, offset) for `total` rows.
pub fn paging(total: i64, asked: Option<i64>, per: i64) -> (i64, i64, i64) {
    let pages = ((total + per - 1) / per).max(1);
    let page = asked.unwrap_or(1).clamp(1, pages);
    (page, pages, (page - 1) * per)
}

/// The asked direction: `None` for the page's default, else descending?
pub fn direction(raw: &str) -> Result<Option<bool>, AppError> {
    match opt(raw) {
        None => Ok(None),
        Some("desc") => Ok(Some(true)),
        Some("asc") => Ok(Some(false)),
        Some(d) => Err(AppError::BadRequest(format!("未知的排序方向「{d}」"))),
    }
}

/// A sort code from the page's whitelist (`None` when none asked).
pub fn sort_code<T>(raw: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, AppError> {
    code_filter(raw, "排序方式", parse)
}

/// A filter's code from a query (`None` when empty) as `parse` reads it;
/// a value it does not know is 400, 未知的{what}「…」.
pub fn code_filter<T>(
    raw: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    opt(raw)
        .map(|s| parse(s).ok_or_else(|| AppError::BadRequest(format!("未知的{what}「{s}」"))))
        .transpose()
}

/// The query string of a list page: its filters, search, sort, direction
/// and page. A page reads the filters it offers; the others are ignored,
/// as any key a page does not know is.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub q: String,
    /// `/imports`: the template.
    #[serde(default)]
    pub kind: String,
    /// `/accounts`: the role.
    #[serde(default)]
    pub role: String,
    /// `/tasks`: the document.
    #[serde(default)]
    pub doc: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub page: Option<i64>,
}

impl ListQuery {
    /// The search, trimmed and cut to `max` characters.
    pub fn search(&self, max: usize) -> String {
        self.q.trim().chars().take(max).collect()
    }

    /// The sort from the page's whitelist (`default` when none is asked)
    /// and the direction (`descending(sort)` when none is asked).
    pub fn sorted<T: Copy>(
        &self,
        parse: impl Fn(&str) -> Option<T>,
        default: T,
        descending: impl FnOnce(T) -> bool,
    ) -> Result<(T, bool), AppError> {
        let sort = sort_code(&self.sort, parse)?.unwrap_or(default);
        let desc = direction(&self.dir)?.unwrap_or_else(|| descending(sort));
        Ok((sort, desc))
    }
}

/// The pager of a list: `templates/_pager.html`.
#[derive(Debug, Clone)]
pub struct Pager {
    /// The list's path, e.g. `/claims`.
    pub path: &'static str,
    /// The filters and sort as `k=v&…` (no page).
    pub query: String,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub offset: i64,
    pub per: i64,
}

impl Pager {
    pub fn new(
        path: &'static str,
        query: String,
        total: i64,
        asked: Option<i64>,
        per: i64,
    ) -> Pager {
        let (page, pages, offset) = paging(total, asked, per);
        Pager {
            path,
            query,
            total,
            page,
            pages,
            offset,
            per,
        }
    }

    /// The pager of a sorted list: its path, filters and sort are the
    /// sorter's.
    pub fn sorted(sorter: &Sorter, total: i64, asked: Option<i64>, per: i64) -> Pager {
        Pager::new(sorter.path, sorter.query(), total, asked, per)
    }

    /// The link to page `n`, keeping the filters.
    pub fn href(&self, n: &i64) -> String {
        format!("{}?{}page={n}", self.path, self.query)
    }

    /// This page's own query (filters, sort and page), percent-encoded as
    /// one value: a row's link carries it as `?back=` so the row's page can
    /// return to this very page.
    pub fn back(&self) -> String {
        encode(&format!("{}page={}", self.query, self.page))
    }

    pub fn prev_href(&self) -> String {
        self.href(&(self.page - 1))
    }

    pub fn next_href(&self) -> String {
        self.href(&(self.page + 1))
    }

    /// The page numbers to link: the first, the last and two either side
    /// of the current one, with gaps between.
    pub fn links(&self) -> Vec<PageLink> {
        let mut out: Vec<PageLink> = Vec::new();
        for n in 1..=self.pages {
            if n == 1 || n == self.pages || (n - self.page).abs() <= 2 {
                out.push(PageLink {
                    n,
                    href: self.href(&n),
                    current: n == self.page,
                    gap: false,
                });
            } else if !out.last().is_some_and(|l| l.gap) {
                out.push(PageLink {
                    n: 0,
                    href: String::new(),
                    current: false,
                    gap: true,
                });
            }
        }
        out
    }

    /// 第 a–b 条 of this page (0–0 when empty).
    pub fn first(&self) -> i64 {
        if self.total == 0 { 0 } else { self.offset + 1 }
    }

    pub fn last(&self) -> i64 {
        (self.offset + self.per).min(self.total)
    }
}

/// A link of the pager, or a gap (…) between links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    pub n: i64,
    pub href: String,
    pub current: bool,
    pub gap: bool,
}

/// Sortable column headers: a header's link sorts by its column, keeping
/// the filters; the current column's link flips the direction.
#[derive(Debug, Clone)]
pub struct Sorter {
    pub path: &'static str,
    /// The filters as `k=v&…` (no sort, dir or page).
    pub filters: String,
    /// The current sort code and direction.
    pub sort: &'static str,
    pub descending: bool,
}

impl Sorter {
    pub fn href(&self, code: &str) -> String {
        let dir = if code == self.sort && !self.descending {
            "desc"
        } else {
            "asc"
        };
        format!("{}?{}sort={code}&dir={dir}", self.path, self.filters)
    }

    /// ▲ / ▼ on the current column.
    pub fn mark(&self, code: &str) -> &'static str {
        match (code == self.sort, self.descending) {
            (false, _) => "",
            (true, true) => " ▼",
            (true, false) => " ▲",
        }
    }

    /// `aria-sort` of a header.
    pub fn aria(&self, code: &str) -> &'static str {
        match (code == self.sort, self.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        }
    }

    /// The sort and direction as `k=v&` for the pager's links.
    pub fn query(&self) -> String {
        format!(
            "{}sort={}&dir={}&",
            self.filters,
            self.sort,
            if self.descending { "desc" } else { "asc" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_links_keep_filters_and_elide() {
        let p = Pager::new("/claims", "status=eligible&".into(), 1000, Some(10), 50);
        assert_eq!((p.page, p.pages, p.offset), (10, 20, 450));
        let shown: Vec<i64> = p.links().iter().map(|l| l.n).collect();
        assert_eq!(shown, vec![1, 0, 8, 9, 10, 11, 12, 0, 20]);
        assert!(p.links()[4].current);
        assert_eq!(p.href(&11), "/claims?status=eligible&page=11");
        assert_eq!((p.first(), p.last()), (451, 500));
        assert_eq!(p.back(), "status%3Deligible%26page%3D10");
        let empty = Pager::new("/x", String::new(), 0, Some(3), 50);
        assert_eq!((empty.page, empty.first(), empty.last()), (1, 0, 0));
    }

    #[test]
    fn sorter_flips_the_current_column() {
        let s = Sorter {
            path: "/claims",
            filters: "q=%E5%BC%A0&".into(),
            sort: "amount",
            descending: false,
        };
        assert_eq!(s.href("amount"), "/claims?q=%E5%BC%A0&sort=amount&dir=desc");
        assert_eq!(s.href("name"), "/claims?q=%E5%BC%A0&sort=name&dir=asc");
        assert_eq!(s.mark("amount"), " ▲");
        assert!(direction("sideways").is_err());
    }
}
