//! Transcripts to assess: a casecoach session log, or plain text where turns start with
//! `Candidate:` or `Interviewer:` and an unprefixed line continues the turn above it.

use crate::debrief::Basis;
use crate::interview::clock::SpokenClock;
use crate::interview::{Action, Event, Interview, Mode, Reason, Role};
use crate::llm::Backend;
use crate::reader::{Lexical, Reader};
use crate::scenario::Scenario;
use crate::session::{self, Judged, Session};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::sync::Arc;

/// Parse a plain-text transcript into turns.
pub fn parse_plain(text: &str, file: &str) -> Result<Vec<(Role, String)>> {
    let mut turns: Vec<(Role, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        let prefixed = [
            ("candidate:", Role::Candidate),
            ("interviewer:", Role::Interviewer),
        ]
        .into_iter()
        .find(|(p, _)| trimmed.len() >= p.len() && trimmed[..p.len()].eq_ignore_ascii_case(p));
        match prefixed {
            Some((p, role)) => turns.push((role, trimmed[p.len()..].trim().to_string())),
            None if trimmed.is_empty() => {}
            None => match turns.last_mut() {
                Some((_, t)) => {
                    if !t.is_empty() {
                        t.push('\n');
                    }
                    t.push_str(trimmed);
                }
                None => bail!(
                    "{file}:{}:1: a transcript line must start with 'Candidate:' or 'Interviewer:' before any unprefixed line",
                    i + 1
                ),
            },
        }
    }
    if !turns.iter().any(|(r, _)| *r == Role::Candidate) {
        bail!("{file}: no 'Candidate:' turns found; nothing to assess");
    }
    Ok(turns)
}

/// Who judges a transcript: its reader, and a model judge if one is asked for.
pub struct Judges {
    pub reader: Arc<dyn Reader>,
    pub model: Option<Box<dyn Backend>>,
    /// The reader's own credits count (not when only the model judges).
    pub reader_credits: bool,
}

impl Judges {
    /// The reader alone.
    pub fn reader(reader: Arc<dyn Reader>) -> Judges {
        Judges {
            reader,
            model: None,
            reader_credits: true,
        }
    }
}

/// Rebuild an interview from plain turns. Stages are inferred: the interview is taken to be in
/// the furthest stage the candidate's words have reached so far, and a turn that moves it there
/// belongs to the stage it talked about.
pub fn interview_from_plain(
    scenario: Arc<Scenario>,
    turns: &[(Role, String)],
    judges: Judges,
) -> Result<Interview> {
    let minutes = scenario.minutes;
    let mut iv = Interview::new(scenario, Mode::Interview, minutes);
    iv.reader_credits = judges.reader_credits;
    let mut s = Session::memory(iv);
    s.set_reader(judges.reader);
    let mut model = judges.model;
    let mut unavailable = 0;
    let clock = SpokenClock::default();
    // A memory log cannot fail to take an event.
    let ok = |r: Result<()>| r.expect("a memory log takes every event");
    ok(s.open().map(drop));
    for (role, text) in turns {
        let now = s.interview().now;
        match role {
            Role::Interviewer => ok(s.interviewer(text, clock.interviewer(now, text)).map(drop)),
            Role::Candidate => {
                let (at, _) = clock.candidate(now, text);
                let n = s.interview().next_turn();
                let mut obs = s.reading_of(n, text)?;
                let iv = s.interview();
                let furthest = obs
                    .new
                    .iter()
                    .map(|h| iv.scenario.checkpoints[h.checkpoint].stage)
                    .max();
                if let (Some(to), Some(now)) = (furthest, iv.stage())
                    && to > now
                {
                    let advance = Action::AdvanceStage {
                        from: Some(now),
                        to,
                        reason: Reason::Inferred,
                    };
                    ok(s.record(Event::Action {
                        at,
                        action: advance,
                    }));
                }
                let phase = s.interview().phase;
                ok(s.record(Event::Turn {
                    n,
                    role: Role::Candidate,
                    text: text.clone(),
                    at,
                    phase,
                }));
                for e in session::reading_events(s.interview(), &obs) {
                    ok(s.record(e));
                }
                if let Some(m) = model.as_mut()
                    && let Judged::Unavailable(why) =
                        s.second_opinion(m.as_mut(), &mut obs, text)?
                {
                    unavailable += 1;
                    if unavailable == 1 {
                        errln!(
                            "note: the model judge failed on turn {n} ({why}); turns it cannot judge are judged by the reader only"
                        );
                    }
                }
            }
        }
    }
    if unavailable > 1 {
        errln!("note: the model judge failed on {unavailable} turns in all");
    }
    for n in s.take_notices() {
        errln!("{n}");
    }
    Ok(s.into_interview())
}

/// Load whatever `path` holds (a session log or plain text) as an interview to score.
/// Plain text is read by `judges`; a session log's readings are applied as logged.
pub fn load(path: &Path, scenario: Arc<Scenario>, judges: Judges) -> Result<(Interview, Basis)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim_start().starts_with('{') {
        let loaded = session::parse(&bytes, path)?;
        if let Some((id, _, _, _, _)) = session::started_info(&loaded.events)
            && id != scenario.id
        {
            bail!(
                "{} is a session of scenario '{id}', not '{}'",
                path.display(),
                scenario.id
            );
        }
        let r = session::replay(&loaded, scenario, &Lexical)?;
        return Ok((r.interview, Basis::Session));
    }
    let turns = parse_plain(&text, &path.display().to_string())?;
    Ok((
        interview_from_plain(scenario, &turns, judges)?,
        Basis::Transcript,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Stage;
    use crate::scenario;

    #[test]
    fn prefixes_and_continuations() {
        let t = "Interviewer: Hello.\nCandidate: What is the goal?\nAnd the latency?\n\ninterviewer: 100 ms.\n";
        let turns = parse_plain(t, "t.txt").unwrap();
        assert_eq!(turns.len(), 3);
        assert_eq!(
            turns[1],
            (
                Role::Candidate,
                "What is the goal?\nAnd the latency?".into()
            )
        );
        let e = parse_plain("hello\nCandidate: x", "t.txt")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.txt:1:1:"), "{e}");
        assert!(parse_plain("Interviewer: hi", "t.txt").is_err());
    }

    #[test]
    fn stages_are_inferred_from_what_the_candidate_covers() {
        let sc = Arc::new(scenario::load("fraud").unwrap());
        let turns = vec![
            (Role::Candidate, "What is the business goal?".to_string()),
            (
                Role::Candidate,
                "I'd handle the imbalance and the label delay from chargebacks.".to_string(),
            ),
            (
                Role::Candidate,
                "More on that: the labels are noisy too.".to_string(),
            ),
        ];
        let iv = interview_from_plain(sc, &turns, Judges::reader(Arc::new(Lexical))).unwrap();
        assert_eq!(iv.stage(), Some(Stage::Data));
        assert_eq!(iv.stats[Stage::Data].candidate_turns, 2);
    }
}
