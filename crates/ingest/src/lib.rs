//! Imports: template files (xlsx, csv in UTF-8 or GB18030) read as streams,
//! parsed row by row into domain records and written to the store in
//! transactional chunks, with an error report users fix and re-upload.

pub mod bank_file;
pub mod columns;
pub mod parse;
pub mod pipeline;
pub mod planning;
pub mod reader;
pub mod reference;
pub mod report;
pub mod scope;
pub mod template_file;
pub mod templates;
pub mod xlsx_guard;
