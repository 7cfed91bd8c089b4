//! The task tables of the seed documents (重点任务分工): a task, what it
//! requires, and the responsible units, the lead unit listed first.

use serde::Serialize;

/// A task as a tasks file gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskRow {
    pub row: u64,
    /// The document: its file number or title (聊政办发〔2019〕10号 附件2).
    pub doc: String,
    pub no: i64,
    pub region: String,
    pub heading: String,
    pub requirement: String,
    /// The 责任单位 text as the document gives it.
    pub units: String,
    /// ISO date, when the document or the plan period gives one.
    pub due: Option<String>,
}

impl TaskRow {
    /// The lead unit and the co-units. The documents list the lead unit
    /// first and may close with "等按职责分工负责" (and others, each by
    /// its duties), which is no unit.
    pub fn units(&self) -> (String, Vec<String>) {
        let mut text = self.units.trim();
        for tail in ["按职责分工负责", "等"] {
            text = text.strip_suffix(tail).unwrap_or(text).trim();
        }
        // "（列第一位者为牵头单位，下同）" annotates the list; other
        // parentheses belong to a unit (各县（市、区）政府).
        let text = match text.find("（列第一位") {
            Some(i) => &text[..i],
            None => text,
        };
        let mut parts = Vec::new();
        let (mut depth, mut cur) = (0i32, String::new());
        for c in text.chars() {
            match c {
                '（' | '(' => depth += 1,
                '）' | ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 && matches!(c, '、' | '，' | ',' | '；') {
                parts.push(std::mem::take(&mut cur));
            } else {
                cur.push(c);
            }
        }
        parts.push(cur);
        let mut units = parts
            .into_iter()
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty());
        let lead = units.next().unwrap_or_default();
        (lead, units.collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lead_unit_is_listed_first() {
        let mut t = TaskRow {
            row: 2,
            doc: "d".into(),
            no: 1,
            region: "371500".into(),
            heading: "h".into(),
            requirement: "r".into(),
            units: "市人力资源社会保障局、 市教育体育局、 市农业农村局等按职责分工负责".into(),
            due: None,
        };
        assert_eq!(
            t.units(),
            (
                "市人力资源社会保障局".to_string(),
                vec!["市教育体育局".to_string(), "市农业农村局".to_string()]
            )
        );
        t.units = "人力资源社会保障局、教育局（列第一位者为牵头单位，下同）".into();
        assert_eq!(t.units().1, vec!["教育局".to_string()]);
        t.units = "各县（市、区）政府、市属开发区管委会等按职责分工负责".into();
        assert_eq!(
            t.units(),
            (
                "各县（市、区）政府".to_string(),
                vec!["市属开发区管委会".to_string()]
            )
        );
        t.units = "市总工会".into();
        assert_eq!(t.units(), ("市总工会".to_string(), vec![]));
    }
}
