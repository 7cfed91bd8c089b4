//! Loading policy files: the demo policies compile; broken files are
//! refused naming the file and line.

use jineng_domain::policy::{self, PolicyError};
use jineng_domain::refdata::RefData;

fn load_text(files: &[(&str, &str)]) -> Result<policy::Policy, PolicyError> {
    let mut read = |name: &str| {
        files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.to_string())
            .ok_or_else(|| "没有该文件".to_string())
    };
    policy::load(files[0].0, &mut read, &RefData::default()).map(|(p, _)| p)
}

fn repo_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../policies/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn demo_policies_load() {
    for name in ["liaocheng-2019.toml"] {
        let text = repo_file(name);
        let p = load_text(&[(name, &text)]).unwrap_or_else(|e| panic!("{e}"));
        assert!(!p.catalogue.entries.is_empty(), "{name}");
        assert!(p.rules.r1.is_some(), "{name}");
    }
}
