//! The registry's facts as the PDFs print them (shared by the web's
//! downloads and `jineng cert pdf` / `jineng person archive`): a
//! certificate ([`certificate_pdf`]) and the worker's archive
//! ([`archive_pdf`]). Amounts as 1,234.56 元, the ID masked, times in
//! Beijing time.

use crate::views::{local_zone, yuan};
use chrono::{DateTime, Utc};
use jineng_pdf::{ArchiveSheet, CertificateSheet, Options, PdfError, Rendered, Table};
use jineng_store::{Credentials, PrintableCertificate, WorkerRecord};

/// The bureau's name when none is configured (`--bureau-name`).
pub const DEFAULT_BUREAU: &str = "人力资源和社会保障局";

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&local_zone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The printed certificate.
pub fn certificate_pdf(
    p: &PrintableCertificate,
    creds: &Credentials,
    bureau: &str,
    now: DateTime<Utc>,
) -> Result<Rendered, PdfError> {
    let f = &p.facts;
    let sheet = CertificateSheet {
        type_name: p.type_name.clone(),
        cert_no: f.cert_no.clone(),
        holder_name: f.holder_name.clone(),
        holder_id_masked: f.holder_id.as_str().to_string(),
        occupation_code: f.occupation_code.clone(),
        occupation_name: f.occupation_name.clone(),
        level_name: p.level_name.clone(),
        issuing_body: f.issuing_body.clone(),
        issue_date: f.issue_date.to_string(),
        bureau: bureau.to_string(),
        verify_url: p.verify_url(creds),
        revoked: p.revocation.as_ref().map(|r| {
            format!(
                "已撤销（{}，{}）",
                r.revoked_at.day(),
                jineng_store::revocation_category(r)
            )
        }),
        printed_at: local(now),
    };
    jineng_pdf::certificate(&sheet, Options::default())
}

fn cols(c: &[(&str, f32)]) -> Vec<(String, f32)> {
    c.iter().map(|(h, w)| (h.to_string(), *w)).collect()
}

/// The archive PDF: categories, trainings with hours, certificates with
/// their status, subsidies, credits.
pub fn archive_pdf(
    r: &WorkerRecord,
    creds: &Credentials,
    bureau: &str,
    now: DateTime<Utc>,
) -> Result<Rendered, PdfError> {
    let a = &r.archive;
    let sheet = ArchiveSheet {
        holder_name: a.name.clone(),
        holder_id_masked: a.id_number.clone(),
        bureau: bureau.to_string(),
        generated_at: local(now),
        sections: vec![
            categories_table(r),
            trainings_table(r),
            certificates_table(r),
            subsidies_table(r),
            credits_table(r),
        ],
        verify_url: Some(format!("{}/verify", creds.issuer().public_url())),
    };
    jineng_pdf::archive(&sheet, Options::default())
}

/// The archive's 人员类别 section: each category with its dates.
fn categories_table(r: &WorkerRecord) -> Table {
    Table {
        title: "人员类别".into(),
        columns: cols(&[("类别", 3.0), ("起始日期", 2.0), ("截止日期", 2.0)]),
        rows: r
            .archive
            .categories
            .iter()
            .map(|c| {
                vec![
                    c.category.clone(),
                    c.valid_from.to_string(),
                    c.valid_to.map_or_else(|| "—".into(), |d| d.to_string()),
                ]
            })
            .collect(),
        empty: "无".into(),
        note: None,
    }
}

/// The archive's 培训经历与学时 section, with the hours summed in its note.
fn trainings_table(r: &WorkerRecord) -> Table {
    let (mut off, mut on, mut counted) = (0, 0, 0);
    let trainings = Table {
        title: "培训经历与学时".into(),
        columns: cols(&[
            ("班级编号", 2.2),
            ("培训机构", 2.6),
            ("职业（工种）", 2.0),
            ("培训期间", 2.4),
            ("线下", 0.8),
            ("线上", 0.8),
            ("计入", 0.8),
            ("结业", 0.9),
        ]),
        rows: r
            .trainings
            .iter()
            .map(|t| {
                off += t.hours.offline;
                on += t.hours.online.hours;
                counted += t.hours.counted;
                vec![
                    t.class_no.clone(),
                    t.institution.clone(),
                    t.occupation_name.clone(),
                    format!("{} 至 {}", t.start_date, t.end_date),
                    t.hours.offline.to_string(),
                    t.hours.online.hours.to_string(),
                    t.hours.counted.to_string(),
                    t.completion.as_zh().to_string(),
                ]
            })
            .collect(),
        empty: "无".into(),
        note: None,
    };
    Table {
        note: (!trainings.rows.is_empty()).then(|| {
            format!("合计：线下 {off} 课时，线上 {on} 课时，计入 {counted} 课时（线上课时按政策比例与上限计入）")
        }),
        ..trainings
    }
}

/// The archive's 证书 section, each certificate valid or revoked.
fn certificates_table(r: &WorkerRecord) -> Table {
    Table {
        title: "证书".into(),
        columns: cols(&[
            ("证书编号", 2.4),
            ("证书类型", 2.0),
            ("职业（工种）", 2.0),
            ("等级", 1.5),
            ("发证日期", 1.5),
            ("状态", 1.6),
        ]),
        rows: r
            .certificates
            .iter()
            .map(|c| {
                vec![
                    c.cert.cert_no.clone(),
                    c.type_name.clone(),
                    c.cert.occupation_name.clone(),
                    if c.level_name.is_empty() {
                        "—".into()
                    } else {
                        c.level_name.clone()
                    },
                    c.cert.issue_date.to_string(),
                    match &c.revocation {
                        Some(x) => {
                            format!("已撤销（{}）", x.revoked_at.day())
                        }
                        None => "有效".into(),
                    },
                ]
            })
            .collect(),
        empty: "无".into(),
        note: None,
    }
}

/// The archive's 补贴 section, with the total received in its note.
fn subsidies_table(r: &WorkerRecord) -> Table {
    Table {
        title: "补贴".into(),
        columns: cols(&[
            ("申领编号", 2.4),
            ("补贴类型", 2.2),
            ("申请日期", 1.6),
            ("金额", 1.8),
            ("状态", 1.4),
        ]),
        rows: r
            .subsidies
            .iter()
            .map(|s| {
                vec![
                    s.claim_no.clone(),
                    s.subsidy_type.clone(),
                    s.applied_on.to_string(),
                    s.amount_fen.map(yuan).unwrap_or_else(|| "—".into()),
                    s.status.as_zh().to_string(),
                ]
            })
            .collect(),
        empty: "无".into(),
        note: Some(format!("已领取补贴合计：{}", yuan(r.received_fen()))),
    }
}

/// The archive's 学分银行 section, with the total in its note.
fn credits_table(r: &WorkerRecord) -> Table {
    Table {
        title: "学分银行".into(),
        columns: cols(&[("日期", 1.5), ("来源", 2.5), ("学分", 1.0), ("说明", 4.0)]),
        rows: r
            .credits
            .iter()
            .flat_map(|st| st.lines.iter())
            .map(|l| {
                vec![
                    l.date.to_string(),
                    l.source.reference(),
                    l.credits.to_string(),
                    l.reason.clone(),
                ]
            })
            .collect(),
        empty: "暂无可计学分的证书或培训".into(),
        note: r
            .credits
            .as_ref()
            .map(|st| format!("学分合计：{} 学分", st.total)),
    }
}
