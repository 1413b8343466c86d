//! What a chat or voice session starts from. `crate::settings` resolves it from flags, the
//! environment and the config file; it lives here, beside its user, so that nothing below the
//! command line imports the command line's modules.

use crate::framework::Stage;
use crate::interview::{JudgeMode, Mode};
use crate::llm::LlmConfig;
use std::path::PathBuf;

/// An interview's settings (chat and voice): where it is logged, what is played, who speaks and
/// who judges.
#[derive(Debug, Clone)]
pub struct Settings {
    pub sessions_dir: PathBuf,
    pub prompts_dir: Option<PathBuf>,
    pub scenario: String,
    pub minutes: Option<u32>,
    pub mode: Mode,
    /// The stage to practise harder, already resolved from `--focus`.
    pub focus: Option<Stage>,
    /// The model endpoint, when one is configured; otherwise the scripted interviewer speaks.
    pub llm: Option<LlmConfig>,
    pub judge: JudgeMode,
    pub reading: crate::reader::ReaderSettings,
}
