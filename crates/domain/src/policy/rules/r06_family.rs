//! R6 — for poor and severely disabled persons the subsidy extends to their
//! immediate family (直系亲属), treated exactly as the person. The extension
//! is applied wherever a rule matches categories (`Ctx::find_category`).
//! (001 #13)

use serde::Deserialize;

use super::{CompileCx, RuleParams};
use crate::RelationKind;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The categories that extend to the family.
    pub categories: Vec<String>,
    /// Which relatives count as immediate family (父母, 子女, 祖父母, 孙子女, 配偶).
    pub relations: Vec<String>,
    #[serde(skip)]
    pub category_ids: Vec<u16>,
    #[serde(skip)]
    pub relation_kinds: Vec<RelationKind>,
}

impl RuleParams for Params {
    fn check(&mut self, cx: &mut CompileCx<'_>) -> Result<(), (&'static str, String)> {
        self.category_ids = cx.categories("categories", &self.categories)?;
        self.relation_kinds = self
            .relations
            .iter()
            .map(|r| RelationKind::parse(r).map_err(|e| ("relations", e.message().to_string())))
            .collect::<Result<_, _>>()?;
        Ok(())
    }
}
