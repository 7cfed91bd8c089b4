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
}
