//! `casecoach assess`: the debrief of a transcript, read with the current code.

use crate::debrief::{self, render};
use crate::settings::AssessSettings;
use crate::{scenario, transcript};
use anyhow::Result;
use std::sync::Arc;

pub fn run(s: AssessSettings) -> Result<()> {
    let scenario = Arc::new(scenario::load(&s.scenario)?);
    let reader = s.reading.start(false)?;
    let (iv, basis) = transcript::load(&s.file, scenario, reader)?;
    print!("{}", render::render(&debrief::report(&iv, basis), s.format));
    Ok(())
}
