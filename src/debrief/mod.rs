//! The debrief: scores, pitfalls and a recommendation computed from the interview state, every
//! claim pointing at the turn it rests on. Where there is no evidence the answer is "not
//! assessed", never a made-up number.
//!
//! `stages` scores each stage, `pitfalls` names the mistakes, `overall` turns both into a
//! recommendation and `delivery` says how spoken answers sounded; `render` and `html` show it.

pub mod code;
mod delivery;
pub mod html;
mod improve;
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
use serde::{Deserialize, Serialize};

pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Quote {
    pub turn: usize,
    pub quote: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckpointReport {
    pub id: String,
    pub stage: Stage,
    pub title: String,
    pub weight: f64,
    pub covered: bool,
    /// Covered, but only named: no reason, number or mechanism; it earns half its weight.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_named: bool,
    pub evidence: Vec<Quote>,
    /// Which judge found it: the reader ("semantic" or "lexical"), "model", or "both".
    pub source: Option<String>,
    /// What a strong answer would have said; given for missed checkpoints and those only named.
    pub model_answer: Option<String>,
}

/// A misconception the candidate stated, and what came of the challenge.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MisconceptionReport {
    pub id: String,
    pub stage: Stage,
    pub title: String,
    /// Where they stated it first, in their words.
    pub quote: Quote,
    /// The interviewer challenged it.
    pub challenged: bool,
    /// "corrected when challenged", "held to it when challenged", "challenged, not answered"
    /// or "not challenged".
    pub outcome: String,
    /// What a strong candidate says instead.
    pub correction: String,
}

/// One turn of the transcript.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    pub turn: usize,
    pub role: crate::interview::Role,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// The scenario's misconceptions the candidate stated, in the order stated.
    #[serde(default)]
    pub misconceptions: Vec<MisconceptionReport>,
    /// The three things to improve first.
    pub improvements: Vec<improve::Improvement>,
    /// Every turn, as said.
    pub transcript: Vec<Line>,
    /// The candidate's own notes (`/note`), in order.
    pub notes: Vec<String>,
    pub overall: Overall,
    /// Present when the answers were spoken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// A coding round's rubric (`code.*`); absent for other rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<code::CodeReport>,
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
        .filter(|(i, _)| sc.asks_for(*i))
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
    let code = code::report(iv);
    let overall = overall::overall(iv, &stages, &pitfalls, code.as_ref());
    let improvements = if overall.recommendation == "not assessed" {
        Vec::new()
    } else {
        improve::top(iv, &checkpoints, &stages, &pitfalls)
    };
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
        misconceptions: iv
            .missteps
            .iter()
            .map(|m| {
                let def = &sc.misconceptions[m.misconception];
                MisconceptionReport {
                    id: def.id.clone(),
                    stage: def.stage,
                    title: def.title.clone(),
                    quote: Quote {
                        turn: m.turn,
                        quote: m.quote.clone(),
                    },
                    challenged: m.challenged.is_some(),
                    outcome: pitfalls::outcome(m).into(),
                    correction: def.correction.clone(),
                }
            })
            .collect(),
        improvements,
        transcript: iv
            .turns
            .iter()
            .map(|t| Line {
                turn: t.n,
                role: t.role,
                text: t.text.clone(),
            })
            .collect(),
        notes: iv.notes.clone(),
        overall,
        delivery: delivery::delivery(iv),
        code,
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
        assert_eq!((dep.score, dep.status.as_str()), (None, "not reached"));
        assert!(
            !r.pitfalls
                .iter()
                .any(|p| p.id == Pitfall::IgnoredProduction)
        );
    }

    #[test]
    fn a_candidate_who_stays_silent_is_judged_not_waved_through() {
        let mut a = iv();
        for n in 0..6 {
            crate::session::testing::observe(&mut a, "I don't know.", 30.0 * (n + 1) as f64);
        }
        let r = report(&a, Basis::Session);
        assert_eq!(
            r.overall.recommendation, "no hire",
            "{:?}",
            r.overall.reasons
        );
        // Two words and out is too little to judge at all, and the rule says why.
        let mut b = iv();
        crate::session::testing::observe(&mut b, "Hello.", 10.0);
        let r = report(&b, Basis::Session);
        assert_eq!(r.overall.recommendation, "not assessed");
        assert!(r.overall.reasons[0].contains("fewer than 3 answers"));
        assert!(r.improvements.is_empty());
    }

    #[test]
    fn a_stage_skipped_at_once_is_skipped_not_scored() {
        let mut a = iv();
        crate::session::testing::observe(
            &mut a,
            "What's the business goal, how is success measured, and what is the latency budget?",
            20.0,
        );
        goto(&mut a, Stage::Frame, 30.0);
        // Asked to skip framing seven seconds in, with nothing said.
        goto(&mut a, Stage::Data, 37.0);
        let r = report(&a, Basis::Session);
        let frame = r.stages.iter().find(|s| s.id == Stage::Frame).unwrap();
        assert_eq!((frame.score, frame.status.as_str()), (None, "skipped"));
        let clarify = r.stages.iter().find(|s| s.id == Stage::Clarify).unwrap();
        assert!(clarify.score.is_some(), "{clarify:?}");
    }

    #[test]
    fn jumping_to_a_solution_holds_the_verdict_below_strong_hire() {
        let mut a = iv();
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/fraud-strong.txt"),
        )
        .unwrap();
        // The strong answers, but opening with the model before any question.
        crate::session::testing::observe(
            &mut a,
            "I would train gradient boosted trees with XGBoost on every transaction.",
            10.0,
        );
        let mut at = 20.0;
        for line in text.lines().filter(|l| !l.starts_with('/')) {
            at += 60.0;
            crate::session::testing::observe(&mut a, line, at);
        }
        let r = report(&a, Basis::Session);
        assert!(
            r.pitfalls.iter().any(|p| p.id == Pitfall::JumpedToSolution),
            "{:?}",
            r.pitfalls
        );
        assert_ne!(r.overall.recommendation, "strong hire", "{:?}", r.overall);
    }

    #[test]
    fn the_top_three_cite_the_candidates_words_and_a_strong_answer() {
        let mut a = iv();
        crate::session::testing::observe(
            &mut a,
            "I would train a deep neural network on all the transactions.",
            10.0,
        );
        crate::session::testing::observe(&mut a, "We take the transactions table.", 40.0);
        crate::session::testing::observe(&mut a, "Use accuracy on a test set.", 70.0);
        let r = report(&a, Basis::Session);
        assert_eq!(r.improvements.len(), 3, "{:?}", r.improvements);
        let first = &r.improvements[0];
        assert!(first.what.contains("jumped to a solution"), "{first:?}");
        assert_eq!(
            first.quote.as_ref().map(|q| q.quote.as_str()),
            Some("I would train a deep neural network on all the transactions.")
        );
        assert!(r.improvements.iter().all(|i| i.strong_answer.is_some()));
        // The transcript rides along, every turn in order.
        assert_eq!(r.transcript.len(), a.turns.len());
        assert!(r.transcript.windows(2).all(|w| w[0].turn < w[1].turn));
    }

    /// A misconception taken back when challenged is a strength the reasons name; one held to
    /// is the technical-error pitfall, quoted twice, with the correction as the strong answer.
    #[test]
    fn misconceptions_are_named_with_what_came_of_the_challenge() {
        let challenge = |a: &mut Interview, id: &str, at: f64| {
            crate::session::testing::act(
                a,
                &Action::PushBack {
                    misconception: id.into(),
                    quote: String::new(),
                },
                at,
            )
        };
        let mut a = iv();
        crate::session::testing::observe(&mut a, "What's the business goal?", 10.0);
        crate::session::testing::observe(&mut a, "I'd optimise the model for accuracy.", 40.0);
        challenge(&mut a, "accuracy-metric", 41.0);
        crate::session::testing::observe(
            &mut a,
            "Fair, accuracy is meaningless here; precision and recall at the threshold instead.",
            70.0,
        );
        crate::session::testing::observe(&mut a, "We shuffle the data and split it.", 100.0);
        challenge(&mut a, "random-split", 101.0);
        crate::session::testing::observe(&mut a, "I'd still randomly split the logs.", 130.0);
        let r = report(&a, Basis::Session);
        let outcomes: Vec<(&str, &str)> = r
            .misconceptions
            .iter()
            .map(|m| (m.id.as_str(), m.outcome.as_str()))
            .collect();
        assert_eq!(
            outcomes,
            vec![
                ("accuracy-metric", "corrected when challenged"),
                ("random-split", "held to it when challenged")
            ]
        );
        let p = r
            .pitfalls
            .iter()
            .find(|p| p.id == Pitfall::TechnicalError)
            .expect("technical error");
        assert!(p.why.contains("random split"), "{}", p.why);
        assert!(!p.why.contains("accuracy"), "{}", p.why);
        let quotes: Vec<&str> = p.evidence.iter().map(|q| q.quote.as_str()).collect();
        assert_eq!(
            quotes,
            vec![
                "We shuffle the data and split it.",
                "I'd still randomly split the logs."
            ]
        );
        assert!(
            r.overall
                .reasons
                .iter()
                .any(|x| x.contains("corrected when challenged")),
            "{:?}",
            r.overall.reasons
        );
        let fix = r
            .improvements
            .iter()
            .find(|i| i.what.contains("stated something wrong"))
            .expect("an improvement for it");
        assert!(
            fix.strong_answer
                .as_deref()
                .is_some_and(|s| s.starts_with("Split by time")),
            "{fix:?}"
        );
    }
}
