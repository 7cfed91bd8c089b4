//! The fonts a PDF draws with: the Noto Sans CJK SC subset shipped in
//! `fonts/` (compiled in), and, for a character it lacks (a rare name
//! character), a CJK font of the system found in fontconfig's usual
//! folders. Measures text (advances) and splits it into runs per font.

use krilla::text::Font;
use skrifa::instance::{LocationRef, Size};
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The shipped subset (fonts/README.md).
static SHIPPED: &[u8] = include_bytes!("../../../fonts/NotoSansCJKsc-Regular-subset.otf");

/// Folders fontconfig reads by default on Debian and most Linux systems.
const SYSTEM_DIRS: &[&str] = &[
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/usr/share/fonts-droid-fallback",
];

/// File names of the CJK families worth trying, lower case.
const CJK_NAMES: &[&str] = &[
    "notosanscjk",
    "notoserifcjk",
    "notosanssc",
    "notoserifsc",
    "sourcehan",
    "wqy",
    "droidsansfallback",
    "arphic",
    "uming",
    "ukai",
];

/// One face of a font file.
#[derive(Clone)]
pub(crate) struct Face {
    data: Arc<Vec<u8>>,
    index: u32,
    pub(crate) font: Font,
}

impl Face {
    fn load(data: Arc<Vec<u8>>, index: u32) -> Option<Face> {
        FontRef::from_index(&data, index).ok()?;
        let font = Font::new(krilla::Data::from(data.clone()), index)?;
        Some(Face { data, index, font })
    }

    fn font_ref(&self) -> FontRef<'_> {
        FontRef::from_index(&self.data, self.index).expect("checked on load")
    }

    pub(crate) fn has(&self, c: char) -> bool {
        self.font_ref().charmap().map(c).is_some()
    }

    /// The advance of `text` at `size` points (no kerning: CJK text has
    /// none that matters here).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let f = self.font_ref();
        let map = f.charmap();
        let m = f.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                map.map(c)
                    .and_then(|g| m.advance_width(g))
                    .unwrap_or(size * 0.5)
            })
            .sum()
    }
}

fn shipped() -> &'static Face {
    static FACE: OnceLock<Face> = OnceLock::new();
    FACE.get_or_init(|| Face::load(Arc::new(SHIPPED.to_vec()), 0).expect("shipped font loads"))
}

/// Candidate system font files, found once per process.
fn system_files() -> &'static [PathBuf] {
    static FILES: OnceLock<Vec<PathBuf>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut dirs: Vec<PathBuf> = SYSTEM_DIRS.iter().map(PathBuf::from).collect();
        if let Some(home) = std::env::var_os("HOME") {
            let home = PathBuf::from(home);
            dirs.push(home.join(".local/share/fonts"));
            dirs.push(home.join(".fonts"));
        }
        let mut out = vec![];
        for d in dirs {
            walk(&d, 0, &mut out);
        }
        out.sort();
        out
    })
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && depth < 4 {
            walk(&p, depth + 1, out);
            continue;
        }
        let name = p
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .to_lowercase()
                    .replace(['-', '_', ' '], "")
            })
            .unwrap_or_default();
        let font_file = [".ttc", ".otf", ".ttf"].iter().any(|x| name.ends_with(x));
        if font_file && CJK_NAMES.iter().any(|n| name.contains(n)) {
            out.push(p);
        }
    }
}

/// System faces loaded so far (a face is loaded when a character needs it).
fn loaded() -> &'static Mutex<Vec<Face>> {
    static LOADED: OnceLock<Mutex<Vec<Face>>> = OnceLock::new();
    LOADED.get_or_init(|| Mutex::new(vec![]))
}

/// Faces of one file, Simplified Chinese first.
fn faces_of(path: &Path) -> Vec<Face> {
    let Ok(bytes) = std::fs::read(path) else {
        return vec![];
    };
    let data = Arc::new(bytes);
    let mut faces: Vec<(bool, Face)> = (0..32)
        .map_while(|i| Face::load(data.clone(), i))
        .map(|f| {
            let family = f
                .font_ref()
                .localized_strings(StringId::FAMILY_NAME)
                .english_or_first()
                .map(|s| s.to_string())
                .unwrap_or_default();
            (!family.contains(" SC"), f)
        })
        .collect();
    faces.sort_by_key(|(not_sc, _)| *not_sc);
    faces.into_iter().map(|(_, f)| f).collect()
}

/// Which face draws each character of a document.
pub(crate) struct Fonts {
    /// Look in the system folders for characters the subset lacks.
    system: bool,
    /// Characters no font had (drawn as the subset's empty box).
    pub(crate) missing: std::collections::BTreeSet<char>,
}

impl Fonts {
    pub(crate) fn new(system: bool) -> Fonts {
        Fonts {
            system,
            missing: Default::default(),
        }
    }

    /// The face for `c`: the subset, else a system face that has it.
    pub(crate) fn face_for(&mut self, c: char) -> Face {
        let main = shipped();
        if c.is_control() || main.has(c) {
            return main.clone();
        }
        if self.system
            && let Some(f) = system_face(c)
        {
            return f;
        }
        self.missing.insert(c);
        main.clone()
    }

    /// `text` split into runs drawn by one face each.
    pub(crate) fn runs(&mut self, text: &str) -> Vec<(Face, String)> {
        let mut out: Vec<(Face, String)> = vec![];
        for c in text.chars() {
            let face = self.face_for(c);
            match out.last_mut() {
                Some((f, s)) if Arc::ptr_eq(&f.data, &face.data) && f.index == face.index => {
                    s.push(c)
                }
                _ => out.push((face, c.to_string())),
            }
        }
        out
    }

    pub(crate) fn width(&mut self, text: &str, size: f32) -> f32 {
        self.runs(text).iter().map(|(f, s)| f.width(s, size)).sum()
    }
}

fn system_face(c: char) -> Option<Face> {
    let mut loaded = loaded().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(f) = loaded.iter().find(|f| f.has(c)) {
        return Some(f.clone());
    }
    for path in system_files() {
        if let Some(f) = faces_of(path).into_iter().find(|f| f.has(c)) {
            tracing::info!(font = %path.display(), character = %c, "PDF: 系统字体补字");
            loaded.push(f.clone());
            return Some(f);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_has_gb2312_and_not_rare_name_characters() {
        let f = shipped();
        for c in "养老护理员五级初级工证书编号：（）ABC123·，。".chars() {
            assert!(f.has(c), "{c}");
        }
        assert!(!f.has('堃'));
        let mut fonts = Fonts::new(false);
        assert_eq!(fonts.runs("王堃").len(), 1);
        assert_eq!(fonts.missing.iter().collect::<String>(), "堃");
    }
}
