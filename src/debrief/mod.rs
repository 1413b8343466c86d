//! The debrief: scores, pitfalls and a recommendation computed from the interview state, every
//! claim pointing at the turn it rests on. Where there is no evidence the answer is "not
//! assessed", never a made-up number.
//!
//! `stages` scores each stage, `pitfalls` names the mistakes, `overall` turns both into a
//! recommendation and `delivery` says how spoken answers sounded; `render` and `html` show it.

mod delivery;
pub mod html;
mod overall;
mod pitfalls;
pub mod render;
mod stages;

pub use delivery::Delivery;
pub use overall::Overall;
pub use pitfalls::{PitfallReport, pitfalls};
pub use stages::StageReport;

use crate::framework::Stage;
use crate::interview::{Interview, Mode, Phase, Source, Turn};
use serde::Serialize;

pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quote {
    pub turn: usize,
    pub quote: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckpointReport {
    pub id: String,
    pub stage: Stage,
    pub title: String,
    pub weight: f64,
    pub covered: bool,
    /// Covered, but only named: no reason, number or mechanism; it earns half its weight.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub only_named: bool,
    pub evidence: Vec<Quote>,
    /// Which judge found it: the reader ("semantic" or "lexical"), "model", or "both".
    pub source: Option<String>,
    /// What a strong answer would have said; given for missed checkpoints and those only named.
    pub model_answer: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: u32,
    pub scenario: String,
    pub title: String,
    /// "session" (a casecoach session log) or "transcript" (plain text).
    pub source: String,
    pub minutes: u32,
    pub mode: Option<Mode>,
    /// Which reader judged the answers ("semantic (all-MiniLM-L6-v2)", "lexical"), in the order
    /// they read; empty when no answer was read.
    pub readers: Vec<String>,
    pub checkpoints: Vec<CheckpointReport>,
    pub stages: Vec<StageReport>,
    pub pitfalls: Vec<PitfallReport>,
    pub overall: Overall,
    /// Present when the answers were spoken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

/// How the interview was recorded, which decides what can be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// A casecoach session: stages, time, hints and probes are known.
    Session,
    /// A plain transcript: stages are inferred; time, hints and probes are not known.
    Transcript,
}

pub fn report(iv: &Interview, basis: Basis) -> Report {
    let sc = &iv.scenario;
    let checkpoints: Vec<CheckpointReport> = sc
        .checkpoints
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let covered = iv.covered(i);
            CheckpointReport {
                id: c.id.clone(),
                stage: c.stage,
                title: c.title.clone(),
                weight: c.weight,
                covered,
                only_named: iv.only_named(i),
                evidence: iv.evidence[i]
                    .iter()
                    .map(|e| Quote {
                        turn: e.turn,
                        quote: e.quote.clone(),
                    })
                    .collect(),
                source: covered.then(|| {
                    let by = |s: Source| iv.evidence[i].iter().any(|e| e.source == s);
                    let reader = if by(Source::Semantic) {
                        "semantic"
                    } else {
                        "lexical"
                    };
                    let read = by(Source::Semantic) || by(Source::Lexical);
                    match (read, by(Source::Model)) {
                        (true, true) => "both",
                        (false, true) => "model",
                        _ => reader,
                    }
                    .to_string()
                }),
                model_answer: if covered && !iv.only_named(i) {
                    None
                } else {
                    c.answer.clone()
                },
            }
        })
        .collect();
    let stages: Vec<StageReport> = Stage::ALL
        .iter()
        .map(|&s| stages::stage_report(iv, s, basis))
        .collect();
    let pitfalls = pitfalls(iv);
    let overall = overall::overall(iv, &stages, &pitfalls);
    Report {
        schema: SCHEMA,
        scenario: sc.id.clone(),
        title: sc.title.clone(),
        source: match basis {
            Basis::Session => "session",
            Basis::Transcript => "transcript",
        }
        .into(),
        minutes: (iv.budget.total / 60.0).round() as u32,
        mode: (basis == Basis::Session).then_some(iv.mode),
        readers: iv.readers.clone(),
        checkpoints,
        stages,
        pitfalls,
        overall,
        delivery: delivery::delivery(iv),
    }
}

fn stage_turns(iv: &Interview, s: Stage) -> impl Iterator<Item = &Turn> {
    iv.candidate_turns()
        .filter(move |t| t.phase == Phase::Stage(s))
}

/// A stage counts as reached when the interview went there, or when the candidate covered at
/// least half of it on their own; a passing mention elsewhere is not enough to be judged on.
fn reached(iv: &Interview, s: Stage) -> bool {
    iv.stats[s].entered_at.is_some() || iv.stage_coverage(s) >= 0.5
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Pitfall;
    use crate::interview::{Action, Reason};
    use crate::scenario;
    use std::sync::Arc;

    pub(super) fn iv() -> Interview {
        let mut iv = Interview::new(
            Arc::new(scenario::load("fraud").unwrap()),
            Mode::Interview,
            60,
        );
        crate::session::testing::open(&mut iv);
        iv
    }

    pub(super) fn goto(iv: &mut Interview, s: Stage, at: f64) {
        let from = iv.stage();
        crate::session::testing::act(
            iv,
            &Action::AdvanceStage {
                from,
                to: s,
                reason: Reason::Skip,
            },
            at,
        );
    }

    #[test]
    fn nothing_said_is_not_assessed() {
        let r = report(&iv(), Basis::Session);
        assert_eq!(r.overall.recommendation, "not assessed");
        assert!(r.stages.iter().all(|s| s.score.is_none()));
        assert_eq!(r.checkpoints.len(), 37);
        assert!(
            r.checkpoints
                .iter()
                .all(|c| !c.covered && c.model_answer.is_some())
        );
    }

    #[test]
    fn unreached_stages_are_not_assessed_and_not_blamed() {
        let mut a = iv();
        crate::session::testing::observe(
            &mut a,
            "What's the business goal and how is success measured?",
            10.0,
        );
        let r = report(&a, Basis::Session);
        let dep = r.stages.iter().find(|s| s.id == Stage::Deployment).unwrap();
        assert_eq!((dep.score, dep.status.as_str()), (None, "not assessed"));
        assert!(
            !r.pitfalls
                .iter()
                .any(|p| p.id == Pitfall::IgnoredProduction)
        );
    }
}
