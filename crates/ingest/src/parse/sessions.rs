//! A 线上学习记录 row (template `sessions`, check S10).

use super::{Fields, ParseCtx};
use crate::columns::ColumnMap;
use crate::reader::Row;
use crate::report::RowError;
use jineng_domain::parse_datetime;
use jineng_domain::supervision::session::{SessionRecord, check_span};

pub fn session(ctx: ParseCtx, map: &ColumnMap, row: &Row) -> Result<SessionRecord, Vec<RowError>> {
    let mut f = Fields::new(ctx, map, row);
    let id = f.id("身份证号码");
    let name = f.name("姓名");
    let class_no = f.text("班级编号", true, 50);
    let institution = f.credit("统一社会信用代码", true);
    let platform = f.text("学习平台", true, 50);
    let start = f.parsed("开始时间", true, parse_datetime);
    let end = f.parsed("结束时间", true, parse_datetime);
    if let (Some(s), Some(e)) = (start, end) {
        let r = check_span(s, e);
        f.check("结束时间", r);
    }
    let rec = (|| {
        Some(SessionRecord {
            id: id?,
            name: name?,
            class_no: class_no?,
            institution: institution?,
            platform: platform?,
            start: start?,
            end: end?,
        })
    })();
    f.finish(rec)
}
