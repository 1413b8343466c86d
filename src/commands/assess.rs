//! `casecoach assess`: the debrief of a transcript, read with the current code.

use crate::debrief::{self, render};
use crate::settings::AssessSettings;
use crate::{scenario, transcript};
use anyhow::Result;
use std::sync::Arc;

pub fn run(s: AssessSettings) -> Result<()> {
    let scenario = Arc::new(scenario::load(&s.scenario)?);
    let chosen = s.reading.start(false)?;
    if let Some(n) = &chosen.notice {
        eprintln!("{n}");
    }
    let (iv, basis) = transcript::load(&s.file, scenario, chosen.reader)?;
    print!("{}", render::render(&debrief::report(&iv, basis), s.format));
    Ok(())
}
