//! `casecoach debrief`: a saved session's debrief, in the format asked for.

use crate::debrief::{self, render};
use crate::session;
use crate::settings::DebriefSettings;
use anyhow::{Context, Result};

pub fn run(s: DebriefSettings) -> Result<()> {
    let path = session::find(&s.sessions_dir, Some(&s.session))?;
    if let Some(n) = session::read(&path).ok().and_then(|l| l.damage(&path)) {
        errln!("{n}");
    }
    let reader = if s.rescore {
        Some(s.reading.start(false)?)
    } else {
        None
    };
    let report = match session::load(&path, reader.as_deref()) {
        Ok(iv) => debrief::report(&iv, debrief::Basis::Session),
        // A finished session keeps its debrief in the log: shown as saved when the session can
        // no longer be replayed (its scenario file moved or was deleted).
        Err(e) => match saved(&path).filter(|_| !s.rescore) {
            Some(report) => {
                errln!("note: {e:#}; showing the debrief saved in the session log");
                report
            }
            None => return Err(e),
        },
    };
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

/// The last debrief a session log holds, if it ended and the report still reads.
fn saved(path: &std::path::Path) -> Option<debrief::Report> {
    let loaded = session::read(path).ok()?;
    loaded.events.iter().rev().find_map(|e| match e {
        session::Event::Debrief { report } => serde_json::from_value(report.clone()).ok(),
        _ => None,
    })
}
