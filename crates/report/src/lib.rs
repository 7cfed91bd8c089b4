//! Reports shared by the CLI and the web pages: a claim's decision in
//! Chinese (`claim`); and of the planning module:
//! the fixed-layout tables of the 季报 and 年报 and of the public fund use
//! (`tables`), computed from a region's dashboard data; their `.xlsx`
//! rendering (`xlsx`); the dashboard's SVG charts (`svg`); and the
//! dashboard as the web pages show it (`dashboard`); and the evaluation of
//! the standards in force as tables (`standards`); the what-if comparison
//! as tables and charts (`whatif`, `whatif_chart`).

pub mod claim;
pub mod dashboard;
pub mod standards;
pub mod svg;
pub mod tables;
pub mod whatif;
pub mod whatif_chart;
pub mod xlsx;

pub use claim::{RenderedClaim, render_claim};
pub use dashboard::Dashboard;
pub use standards::standards_tables;
pub use tables::{Cell, Table, fund_use, periodic_tables, progress_table};
