//! The store's error type.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("配置错误：{0}")]
    Config(String),
    #[error("数据不一致：{0}")]
    Corrupt(String),
    #[error("{0}")]
    NotFound(String),
    /// A record that does not exist or lies outside the caller's scope
    /// (the two are not told apart, so a scope reveals nothing beyond it).
    #[error("{0}")]
    OutOfScope(String),
    /// A request the rules or the workflow do not allow (Chinese reason).
    #[error("{0}")]
    Refused(String),
    /// A ledger movement refused by its rules (R16, R17).
    #[error("{0}")]
    Ledger(#[from] jineng_domain::ledger::LedgerError),
    /// The database's schema does not match this binary's migrations
    /// (behind, ahead or edited; the message says which and what to do).
    #[error("{0}")]
    Schema(String),
    /// Writing an export out failed.
    #[error("写出失败：{0}")]
    Write(#[from] std::io::Error),
}

impl StoreError {
    /// A conflict with a concurrent writer that a retry of the whole
    /// transaction resolves: a unique key another transaction committed
    /// first (PostgreSQL 23505), a serialization failure or deadlock
    /// (40001, 40P01), or a busy SQLite database (5, 517).
    pub fn is_transient_conflict(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(d)) => {
                matches!(
                    d.code().as_deref(),
                    Some("23505" | "40001" | "40P01" | "5" | "517")
                )
            }
            _ => false,
        }
    }
}
