//! `casecoach voice`: spoken practice, live or from recordings.

use crate::settings::VoiceSettings;
use anyhow::Result;

pub fn run(s: VoiceSettings) -> Result<()> {
    crate::voice::run(&s.settings, s.options)
}
