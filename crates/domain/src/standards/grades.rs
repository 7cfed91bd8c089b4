//! Which standard class (标准分类, a catalogue entry's `grade`) each
//! catalogue entry of a compiled policy was written with. The compiled
//! catalogue keeps one entry per level and no class name; the class is what
//! a published amount is compared by ("B类职业 五级"), so it is read back from
//! the policy's own files at the entry's file and line.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use crate::policy::PolicySources;
use crate::policy::catalogue::CatalogueEntry;

/// (file, line of the entry) → class name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryGrades(HashMap<(String, usize), String>);

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    catalogue: Option<Cat>,
}

#[derive(Deserialize)]
struct Cat {
    #[serde(default)]
    entries: Vec<Spanned<GradeOf>>,
}

#[derive(Deserialize)]
struct GradeOf {
    #[serde(default)]
    grade: Option<String>,
}

impl EntryGrades {
    /// Reads the classes from a policy's files. A file that does not parse
    /// gives none (a stored policy compiled when loaded, so it parses).
    pub fn read(sources: &PolicySources) -> EntryGrades {
        let mut map = HashMap::new();
        for (name, text) in &sources.files {
            let Ok(doc) = toml::from_str::<Doc>(text) else {
                continue;
            };
            for e in doc.catalogue.map(|c| c.entries).unwrap_or_default() {
                if let Some(g) = &e.get_ref().grade {
                    let line = text[..e.span().start].matches('\n').count() + 1;
                    map.insert((name.clone(), line), g.clone());
                }
            }
        }
        EntryGrades(map)
    }

    /// The class the entry was written with, if any.
    pub fn of(&self, entry: &CatalogueEntry) -> Option<&str> {
        self.0
            .get(&(entry.file.clone(), entry.line))
            .map(String::as_str)
    }
}
