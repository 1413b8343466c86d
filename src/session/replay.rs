//! Rebuilding an interview from its log by applying the logged events, in order, with the same
//! reducer the live session uses. The director is never re-run and, for logs of schema 2, no
//! turn is read again.
//!
//! Logs of schema 1 did not log their readings. Replay reads each of their candidate turns once,
//! in memory, with the reader it is given (the lexical reader they were written with, unless
//! rescoring); the result is never written back.

use super::Loaded;
use crate::interview::{Action, Event, Interview, Mode, Observation, Role, Source};
use crate::reader::{Lexical, Reader};
use crate::scenario::Scenario;
use anyhow::{Context, Result, bail};
use std::collections::HashSet;
use std::sync::Arc;

/// The interview rebuilt from a log.
pub struct Replayed {
    pub interview: Interview,
    /// A candidate turn the interviewer never reacted to (the process died in between).
    pub unanswered: Option<Observation>,
    /// Readings replay made of turns that have none in the log: the last turn, when the process
    /// died before reading it. A resumed session writes them to its log before going on.
    pub unlogged: Vec<Event>,
    /// Actions logged after the last interviewer line: decided, but never said.
    pub unsaid: Vec<Action>,
    pub ended: bool,
    pub debriefed: bool,
}

pub fn started_info(events: &[Event]) -> Option<(&str, &str, &str, u32, Mode)> {
    match events.first()? {
        Event::Started {
            scenario,
            locator,
            hash,
            minutes,
            mode,
            ..
        } => Some((
            scenario.as_str(),
            locator.as_str(),
            hash.as_str(),
            *minutes,
            *mode,
        )),
        _ => None,
    }
}

/// Replay a log; a candidate turn without a logged reading is read with `reader`.
pub fn replay(loaded: &Loaded, scenario: Arc<Scenario>, reader: &dyn Reader) -> Result<Replayed> {
    let events = &loaded.events;
    let Some(interview) = events.first().and_then(|e| Interview::started(scenario, e)) else {
        bail!("the session log does not start with a 'started' event");
    };
    let read: HashSet<usize> = events
        .iter()
        .filter_map(|e| match e {
            Event::Reading { turn, .. } => Some(*turn),
            _ => None,
        })
        .collect();
    // In a later log, only the last turn can lack a reading: the process died before reading it.
    let schema_1 = loaded.schema < 2;
    let mut r = Replayed {
        interview,
        unanswered: None,
        unlogged: Vec::new(),
        unsaid: Vec::new(),
        ended: false,
        debriefed: false,
    };
    // The last reading nothing was decided on; its credits follow it, so it is rebuilt at the end.
    let mut unanswered = None;
    for event in &events[1..] {
        r.interview.apply(event);
        match event {
            Event::Turn {
                n,
                role: Role::Candidate,
                text,
                ..
            } => {
                r.unsaid.clear();
                if read.contains(n) {
                    continue;
                }
                // Read the turn now, as the session did (schema 1) or would have.
                let iv = &mut r.interview;
                let addresses = super::takes_up_follow_up(iv, reader, text)?;
                let analysis = reader.analyse(&iv.scenario, text)?;
                let obs = iv.observe(*n, analysis, &reader.name(), addresses);
                for e in super::reading_events(iv, &obs) {
                    iv.apply(&e);
                    if let Event::Reading { reading, .. } = &e {
                        unanswered = Some((*n, reading.clone()));
                    }
                    if !schema_1 {
                        r.unlogged.push(e);
                    }
                }
            }
            Event::Reading { turn, reading } => unanswered = Some((*turn, reading.clone())),
            Event::Turn { .. } => r.unsaid.clear(),
            Event::Action { action, .. } => {
                unanswered = None;
                r.unsaid.push(action.clone());
            }
            Event::Ended { .. } => r.ended = true,
            Event::Debrief { .. } => r.debriefed = true,
            _ => {}
        }
    }
    r.unanswered =
        unanswered.map(|(n, reading)| Observation::from_reading(&r.interview, n, &reading));
    Ok(r)
}

/// The log with its readings taken out, so that replay reads every turn again with the current
/// reader: what `debrief --rescore` shows. The director's decisions stay as they were logged.
pub fn rescored(loaded: &Loaded) -> Loaded {
    let events = loaded
        .events
        .iter()
        .filter(|e| {
            !matches!(
                e,
                Event::Reading { .. }
                    | Event::Coverage {
                        source: Source::Lexical | Source::Semantic,
                        ..
                    }
            )
        })
        .cloned()
        .collect();
    Loaded {
        events,
        schema: 1,
        ..loaded.clone()
    }
}

/// The interview a session log records, rebuilt for its debrief. With `rescore`, that reader
/// reads every turn again instead of the logged readings being applied. Without it, the few
/// turns with no logged reading (all of a schema-1 log, which the lexical reader wrote, or a
/// last turn the process died before reading) are read by the lexical reader, so that a log
/// debriefs the same on every machine, model installed or not.
pub fn load(path: &std::path::Path, rescore: Option<&dyn Reader>) -> Result<Interview> {
    let loaded = super::read(path)?;
    let Some((id, locator, _, _, _)) = started_info(&loaded.events) else {
        bail!("{} is not a session log", path.display());
    };
    let scenario = crate::scenario::load(locator)
        .or_else(|_| crate::scenario::load(id))
        .with_context(|| format!("cannot load scenario '{locator}'"))?;
    let (loaded, reader) = match rescore {
        Some(reader) => (rescored(&loaded), reader),
        None => (loaded, &Lexical as &dyn Reader),
    };
    Ok(replay(&loaded, Arc::new(scenario), reader)?.interview)
}
