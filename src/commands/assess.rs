//! `casecoach assess`: the debrief of a transcript, read with the current code.

use crate::debrief::{self, render};
use crate::interview::JudgeMode;
use crate::settings::AssessSettings;
use crate::transcript::Judges;
use crate::{scenario, transcript};
use anyhow::Result;
use std::sync::Arc;

pub fn run(s: AssessSettings) -> Result<()> {
    let scenario = Arc::new(scenario::load(&s.scenario)?);
    let reader = s.reading.start(false)?;
    let model: Option<Box<dyn crate::llm::Backend>> = match (&s.llm, s.judge) {
        (Some(config), JudgeMode::Llm | JudgeMode::Both) => {
            Some(Box::new(crate::llm::OpenAiCompatible::new(config.clone())?))
        }
        _ => None,
    };
    let judges = Judges {
        reader,
        model,
        reader_credits: s.judge != JudgeMode::Llm,
    };
    let (iv, basis) = transcript::load(&s.file, scenario, judges)?;
    out!("{}", render::render(&debrief::report(&iv, basis), s.format));
    Ok(())
}
