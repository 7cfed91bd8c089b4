//! Printable PDFs of the worker's record (issue 15, docs/credentials.md):
//! the certificate with a QR code of its public verify address, and the
//! worker's archive. A4, Chinese text in the Noto Sans CJK SC subset
//! shipped in `fonts/`, embedded again subset to the glyphs a document
//! uses (krilla); characters outside it are drawn from a system CJK font,
//! or reported as missing. Pure: facts in, bytes out; no database.

mod archive;
mod canvas;
mod certificate;
mod fonts;

pub use archive::{ArchiveSheet, Table, archive};
pub use certificate::{CertificateSheet, certificate};

/// A rendered PDF.
#[derive(Debug)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    /// Characters no font had: drawn as empty boxes (a warning is logged).
    pub missing: Vec<char>,
}

/// Why no PDF came out.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("PDF 生成失败：{0}")]
    Write(String),
}

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Look for system CJK fonts for characters the shipped subset lacks.
    pub system_fonts: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { system_fonts: true }
    }
}

fn done(canvas: canvas::Canvas, title: &str) -> Result<Rendered, PdfError> {
    let missing: Vec<char> = canvas.fonts.missing.iter().copied().collect();
    let bytes = canvas.finish(title).map_err(PdfError::Write)?;
    if !missing.is_empty() {
        let chars: String = missing.iter().collect();
        tracing::warn!(characters = %chars, "PDF: 字体缺字，以空框代替");
    }
    Ok(Rendered { bytes, missing })
}
