//! Imports in the store: the batch of each upload and its per-row outcomes,
//! the generic row writer (`upsert`) and its COPY stage on PostgreSQL, the
//! per-person records' writers, the upload's scope check, the web's upload
//! jobs, and the batches a killed process left behind.

pub(crate) mod batch;
pub(crate) mod jobs;
pub(crate) mod records;
pub(crate) mod scope;
pub(crate) mod stage;
pub(crate) mod stale;
pub(crate) mod upsert;
