//! `casecoach chat`: the interview in the terminal.

use crate::settings::ChatSettings;
use anyhow::Result;

pub fn run(s: ChatSettings) -> Result<()> {
    crate::chat::run(&s.settings, s.resume.as_deref())
}
