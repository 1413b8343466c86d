//! `casecoach voice`: spoken practice, live or from recordings.

use crate::settings::VoiceSettings;
use anyhow::Result;

pub fn run(s: VoiceSettings) -> Result<()> {
    if let (Some(q), Some(named)) = (&s.options.resume, &s.scenario_given) {
        let q = q.as_deref().unwrap_or("");
        super::chat::same_scenario(&s.settings.sessions_dir, q, named)?;
    }
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
    let mut stt = crate::voice::stt::Stt::new(s.stt)?;
    let report = eval::run(&picked, &mut stt, s.split, &mut |m| errln!("{m}"))?;
    if s.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        out!("{}", eval::render(&report));
    }
    Ok(())
}

/// `casecoach eval latency`.
pub fn latency(s: crate::settings::LatencyEvalSettings) -> Result<()> {
    use crate::reader::corpus;
    use crate::voice::{eval, latency};
    let cases = corpus::load(&s.cases)?;
    let scenarios = corpus::Scenarios::load()?;
    // The answers come in the four lengths in turn; every split, since nothing is chosen here.
    let all = eval::answers(&cases, &scenarios, s.turns * eval::LENGTHS.len());
    let picked: Vec<&eval::Answer> = all
        .iter()
        .filter(|a| s.lengths.iter().any(|&l| eval::LENGTHS[l] == a.length))
        .collect();
    let stt = Box::new(crate::voice::stt::Stt::new(s.stt)?);
    let report = latency::run(&s.settings, stt, &picked, &mut |m| errln!("{m}"))?;
    if s.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        out!("{}", latency::render(&report));
    }
    Ok(())
}
