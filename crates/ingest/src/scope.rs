//! What each template row touches, for the scope check of an upload
//! (`Store::out_of_scope`): the regions it writes and the stored persons,
//! institutions and classes it changes or refers to.

use jineng_domain::records::*;
use jineng_store::ScopeKey;

/// The keys a parsed row is checked by.
pub trait ScopeKeys {
    fn scope_keys(&self) -> Vec<ScopeKey>;
}

fn region(column: &'static str, code: &jineng_domain::RegionCode) -> ScopeKey {
    ScopeKey::Region {
        column,
        code: code.as_str().to_string(),
    }
}

fn person(id: &jineng_domain::NationalId) -> ScopeKey {
    ScopeKey::Person {
        column: "身份证号码",
        id: id.as_str().to_string(),
    }
}

impl ScopeKeys for PersonRecord {
    /// The new 户籍地, and the stored one of a person already registered.
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![region("户籍地", &self.hukou_region), person(&self.id)]
    }
}

impl ScopeKeys for CategoryRecord {
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![person(&self.id)]
    }
}

impl ScopeKeys for RelationRecord {
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![person(&self.id)]
    }
}

impl ScopeKeys for InstitutionRecord {
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![
            region("所在地", &self.region),
            ScopeKey::Institution {
                column: "统一社会信用代码",
                code: self.credit_code.as_str().to_string(),
            },
        ]
    }
}

impl ScopeKeys for ClassRecord {
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![
            region("培训地", &self.site),
            ScopeKey::Class {
                column: "班级编号",
                institution: self.institution.as_str().to_string(),
                class_no: self.class_no.clone(),
            },
        ]
    }
}

impl ScopeKeys for RosterRecord {
    /// By the class's 培训地: trainees may come from anywhere.
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![ScopeKey::Class {
            column: "班级编号",
            institution: self.institution.as_str().to_string(),
            class_no: self.class_no.clone(),
        }]
    }
}

impl ScopeKeys for CertificateRecord {
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![person(&self.id)]
    }
}

impl ScopeKeys for ClaimRecord {
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![person(&self.id)]
    }
}

impl ScopeKeys for RegionRecord {
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![region("区划代码", &self.code)]
    }
}

impl ScopeKeys for jineng_domain::supervision::watchlist::WatchlistRecord {
    /// A list row may name a person not (yet) registered: only a stored
    /// person's region limits who may upload it.
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![person(&self.id)]
    }
}

impl ScopeKeys for jineng_domain::inspection::InspectorRecord {
    /// The inspectors list is the jurisdiction's own.
    fn scope_keys(&self) -> Vec<ScopeKey> {
        Vec::new()
    }
}

impl ScopeKeys for jineng_domain::supervision::session::SessionRecord {
    /// Like a roster row, by the class; and the person it names.
    fn scope_keys(&self) -> Vec<ScopeKey> {
        vec![
            ScopeKey::Class {
                column: "班级编号",
                institution: self.institution.as_str().to_string(),
                class_no: self.class_no.clone(),
            },
            person(&self.id),
        ]
    }
}
