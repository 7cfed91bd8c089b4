//! Where an upload's import job stands (进行中 → 已完成, 失败 or 已停止).

use serde::{Deserialize, Serialize};

/// An import job's status, as stored (`running`, `done`, `failed`, `stopped`).
/// Serialized as its stored code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportJobStatus {
    /// 进行中: a worker is reading the file.
    Running,
    /// 已完成: the file was read to its end.
    Done,
    /// 失败: the file could not be imported at all.
    Failed,
    /// 已停止: the server stopped before the end.
    Stopped,
}

impl ImportJobStatus {
    pub const ALL: [ImportJobStatus; 4] = [
        ImportJobStatus::Running,
        ImportJobStatus::Done,
        ImportJobStatus::Failed,
        ImportJobStatus::Stopped,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportJobStatus::Running => "running",
            ImportJobStatus::Done => "done",
            ImportJobStatus::Failed => "failed",
            ImportJobStatus::Stopped => "stopped",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportJobStatus> {
        ImportJobStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn as_zh(self) -> &'static str {
        match self {
            ImportJobStatus::Running => "进行中",
            ImportJobStatus::Done => "已完成",
            ImportJobStatus::Failed => "失败",
            ImportJobStatus::Stopped => "已停止",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ImportJobStatus;

    #[test]
    fn codes_round_trip() {
        for s in ImportJobStatus::ALL {
            assert_eq!(ImportJobStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(ImportJobStatus::from_code("x"), None);
    }
}
