//! The shipped supervision files load against the repository's reference
//! data (regions, training and subsidy types), each enabling S1–S10 and the
//! credit rules; a term the vocabulary does not know is refused at its line.

use crate::common;

use common::{policy_text, refdata};
use jineng_domain::supervision::{self, CheckId};

#[test]
fn the_shipped_supervision_files_load_against_the_reference_data() {
    let refdata = refdata();
    for (name, region, clause) in [
        ("liaocheng-2019.supervision.toml", "371500", "二十四"),
        ("tianshui-2019.supervision.toml", "620500", "十二"),
        ("rudong-2019.supervision.toml", "320623", "序号17"),
    ] {
        let s =
            supervision::load(name, &policy_text(name), &refdata).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.meta.region.as_str(), region);
        assert_eq!(s.checks.enabled(), CheckId::ALL.to_vec(), "{name}");
        assert_eq!(s.checks.cite(CheckId::S1).unwrap().clause, clause);
        // S10 cites the national plan's 互联网+监管 (004 二十七).
        assert_eq!(
            s.checks.cite(CheckId::S10).unwrap().doc_no,
            "人社部发〔2021〕102号"
        );
        assert!(s.credit.is_some(), "{name}");
    }
}

#[test]
fn an_unknown_training_type_is_refused_at_its_line() {
    let text = policy_text("liaocheng-2019.supervision.toml").replace(
        "training_types = [\"就业技能培训\"",
        "training_types = [\"就业培训\"",
    );
    let e = supervision::load("x.supervision.toml", &text, &refdata()).unwrap_err();
    let line = text
        .lines()
        .position(|l| l.starts_with("training_types"))
        .unwrap()
        + 1;
    assert_eq!(e.line, Some(line), "{e}");
    assert!(
        e.message
            .contains("未知的取值「就业培训」（见词表 training_type）"),
        "{e}"
    );
    let text = policy_text("liaocheng-2019.supervision.toml").replace("371500", "371599");
    let e = supervision::load("x.supervision.toml", &text, &refdata()).unwrap_err();
    assert!(e.message.contains("行政区划「371599」不存在"), "{e}");
}
