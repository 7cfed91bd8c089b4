//! The printable certificate: one A4 page with the holder (name, masked
//! ID), the occupation and level, the certificate's type, number, issuing
//! body and date, the bureau, and a QR code of the public verify address
//! printed again under it.

use crate::canvas::{BLACK, Canvas, GREY, MARGIN, RED, WIDTH};
use crate::{Options, PdfError, Rendered, done};

/// What the certificate page states (all of it public but the name; the
/// ID number comes masked).
#[derive(Debug, Clone, Default)]
pub struct CertificateSheet {
    /// 职业技能等级证书, 职业资格证书 …
    pub type_name: String,
    pub cert_no: String,
    pub holder_name: String,
    pub holder_id_masked: String,
    pub occupation_code: String,
    pub occupation_name: String,
    /// 五级/初级工 …, empty when the certificate has no level.
    pub level_name: String,
    pub issuing_body: String,
    /// YYYY-MM-DD
    pub issue_date: String,
    /// The bureau that publishes the registry and signs the credential.
    pub bureau: String,
    /// `{public_url}/verify?cert=…`: what the QR code holds.
    pub verify_url: String,
    /// 「已撤销（日期）」 when the certificate was revoked: printed in red.
    pub revoked: Option<String>,
    /// When the PDF was made (YYYY-MM-DD HH:MM).
    pub printed_at: String,
}

/// Renders the certificate.
pub fn certificate(sheet: &CertificateSheet, options: Options) -> Result<Rendered, PdfError> {
    let footer = format!("{} · 证书编号 {}", sheet.bureau, sheet.cert_no);
    let mut c = Canvas::new(options.system_fonts, &footer);
    c.y = MARGIN + 24.0;
    c.centred(26.0, &sheet.type_name, BLACK);
    c.centred(11.0, "（电子打印件，可扫码或凭编号在线核验）", GREY);
    if let Some(r) = &sheet.revoked {
        c.centred(16.0, r, RED);
    }
    c.y += 18.0;
    c.rule();
    c.y += 8.0;
    let level = if sheet.level_name.is_empty() {
        "—".to_string()
    } else {
        sheet.level_name.clone()
    };
    let rows = [
        ("姓　　名", sheet.holder_name.clone()),
        ("证件号码", sheet.holder_id_masked.clone()),
        (
            "职业（工种）",
            format!("{} {}", sheet.occupation_code, sheet.occupation_name),
        ),
        ("等　　级", level),
        ("证书类型", sheet.type_name.clone()),
        ("证书编号", sheet.cert_no.clone()),
        ("发证机构", sheet.issuing_body.clone()),
        ("发证日期", sheet.issue_date.clone()),
        ("登记发布", sheet.bureau.clone()),
    ];
    for (label, value) in rows {
        c.field(label, &value, 14.0, 110.0);
        c.y += 4.0;
    }
    c.y += 10.0;
    c.rule();
    // The QR code, centred, with its address printed under it.
    let side = 150.0;
    c.need(side + 70.0);
    let top = c.y + 10.0;
    if !c.qr((WIDTH - side) / 2.0, top, side, &sheet.verify_url) {
        tracing::warn!(url = %sheet.verify_url, "verify address too long for a QR code");
    }
    c.y = top + side + 6.0;
    c.centred(10.0, "扫码核验证书真伪与状态", GREY);
    c.paragraph(MARGIN, 9.0, &sheet.verify_url, BLACK);
    c.y += 6.0;
    c.paragraph(
        MARGIN,
        9.0,
        "本证书另有可验证电子凭证（W3C Verifiable Credential，eddsa-jcs-2022 签名），持证人可向用人单位提供；证件号码已按规定遮盖。",
        GREY,
    );
    c.paragraph(
        MARGIN,
        9.0,
        &format!("打印时间：{}", sheet.printed_at),
        GREY,
    );
    done(c, &format!("{} {}", sheet.type_name, sheet.cert_no))
}
