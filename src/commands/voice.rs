//! `casecoach voice`: spoken practice, live or from recordings.

use crate::settings::VoiceSettings;
use anyhow::Result;

pub fn run(s: VoiceSettings) -> Result<()> {
    crate::voice::run(&s.settings, s.options)
}

/// `casecoach eval speech`.
pub fn eval(s: crate::settings::SpeechEvalSettings) -> Result<()> {
    use crate::reader::corpus;
    use crate::voice::eval;
    let cases = corpus::load(&s.cases)?;
    let scenarios = corpus::Scenarios::load()?;
    let all = eval::answers(&cases, &scenarios, s.limit);
    let picked: Vec<&eval::Answer> = all.iter().filter(|a| s.split.takes(a.held_out)).collect();
    let stt = crate::voice::stt::Stt::new(s.stt)?;
    let report = eval::run(&picked, &stt, s.split, &mut |m| errln!("{m}"))?;
    if s.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        out!("{}", eval::render(&report));
    }
    Ok(())
}
