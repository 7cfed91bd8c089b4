//! The single error type shared by every parser in this crate.
//!
//! Parsers validate user-supplied spreadsheet cells, so the message is meant
//! to be shown to the operator as-is: it is in Chinese and says what is wrong.

/// A value failed validation; the payload is a user-facing zh-CN message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

impl ValueError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// The user-facing message.
    pub fn message(&self) -> &str {
        &self.0
    }
}
