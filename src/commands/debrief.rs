//! `casecoach debrief`: a saved session's debrief, in the format asked for.

use crate::debrief::{self, render};
use crate::session;
use crate::settings::DebriefSettings;
use anyhow::{Context, Result};

pub fn run(s: DebriefSettings) -> Result<()> {
    let path = session::find(&s.sessions_dir, Some(&s.session))?;
    let reader = if s.rescore {
        Some(s.reading.start(false)?)
    } else {
        None
    };
    let iv = session::load(&path, reader.as_deref())?;
    let report = debrief::report(&iv, debrief::Basis::Session);
    let text = if s.transcript {
        render::transcript(&report)
    } else {
        render::render(&report, s.format)
    };
    match &s.out {
        Some(out) => {
            std::fs::write(out, text).with_context(|| format!("cannot write {}", out.display()))?;
            outln!("Wrote {}", out.display());
        }
        None => out!("{text}"),
    }
    if s.timings {
        outln!(
            "\nTimings\n{}",
            session::timings(&session::read(&path)?.events)
        );
    }
    Ok(())
}
