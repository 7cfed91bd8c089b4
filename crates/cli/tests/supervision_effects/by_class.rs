//! A case naming a person and a class (S1: one person in two classes at
//! once) holds that person's claim for that class, and not the claims of
//! the class's other trainees; closing it 属实 rejects the held claim.

use super::{case_of_check, close, out, pid, registry, school, status};
use crate::common::fixtures::{CLASSES, ROSTER, load};
use crate::common::initialised;

#[test]
fn a_person_in_a_named_class_is_held_and_classmates_are_not() {
    for db in initialised("effects_class") {
        let b = db.backend;
        registry(&db, 2, 2, &[]);
        // 钱一 also in CL-2, which overlaps CL-1 (S1).
        load(
            &db,
            "classes",
            CLASSES,
            &[format!(
                "CL-2,{},就业技能培训,6-31-01-03,电工,四级,371502,2019-03-10,2019-03-15,40",
                school()
            )],
        );
        load(
            &db,
            "roster",
            ROSTER,
            &[format!("CL-2,{},钱一,{},40,0,合格", school(), pid(1))],
        );
        let case = case_of_check(&db, "S1");
        let o = db.run(&["claims", "approve", "PB-1", "PB-2"]);
        assert_eq!(o.status.code(), Some(1), "[{b}] {}", out(&o));
        assert!(
            out(&o).contains(&format!("申领 PB-1 被线索 {case} 暂停")),
            "[{b}] {}",
            out(&o)
        );
        assert_eq!(status(&db, "PB-1"), "eligible", "[{b}]");
        assert_eq!(status(&db, "PB-2"), "approved", "[{b}]");

        let o = close(&db, &case, "属实", &[]);
        assert!(o.status.success(), "[{b}] {}", out(&o));
        assert!(
            out(&o).contains("驳回未支付的申领 1 件：PB-1"),
            "[{b}] {}",
            out(&o)
        );
        assert_eq!(status(&db, "PB-1"), "rejected", "[{b}]");
        assert_eq!(status(&db, "PB-2"), "approved", "[{b}]");
    }
}
