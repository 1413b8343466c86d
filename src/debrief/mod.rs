//! The debrief: scores, pitfalls and a recommendation computed from the interview state, every
//! claim pointing at the turn it rests on. Where there is no evidence the answer is "not
//! assessed", never a made-up number.

pub mod html;
pub mod render;

use crate::cue::{CueSet, Tokens, quote, sentences};
use crate::framework::{Pitfall, Stage};
use crate::interview::coverage::{counted_words, is_stuck};
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
    pub evidence: Vec<Quote>,
    /// Which judge found it: "lexical", "model" or "both".
    pub source: Option<String>,
    /// What a strong answer would have said; given for missed checkpoints.
    pub model_answer: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    pub id: Stage,
    pub name: String,
    pub status: String,
    pub score: Option<u8>,
    pub covered: usize,
    pub total: usize,
    pub coverage: f64,
    pub hints: usize,
    pub probes_asked: usize,
    pub probes_answered: usize,
    pub seconds: Option<f64>,
    pub budget_seconds: f64,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PitfallReport {
    pub id: Pitfall,
    pub title: String,
    pub why: String,
    pub evidence: Vec<Quote>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overall {
    pub recommendation: String,
    pub mean_score: Option<f64>,
    pub stages_assessed: usize,
    pub reasons: Vec<String>,
    pub candidate_turns: usize,
    pub candidate_words: usize,
    pub instructions_ignored: usize,
    /// Model-judge claims dropped because their quote was not the candidate's own words.
    pub judge_claims_dropped: usize,
}

/// How the spoken answers sounded; only for sessions that were spoken.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub answers: usize,
    /// Words per minute of speech, over all spoken answers.
    pub words_per_minute: f64,
    pub fillers: usize,
    pub longest_pause: f64,
    /// The turn with the longest pause.
    pub longest_pause_turn: usize,
    pub notes: Vec<String>,
}

fn delivery(iv: &Interview) -> Option<Delivery> {
    if iv.voice.is_empty() {
        return None;
    }
    let speech: f64 = iv.voice.iter().map(|v| v.speech_seconds).sum();
    let words: f64 = iv
        .voice
        .iter()
        .map(|v| v.words_per_minute * v.speech_seconds / 60.0)
        .sum();
    let wpm = if speech > 0.0 {
        (words * 60.0 / speech).round()
    } else {
        0.0
    };
    let fillers: usize = iv.voice.iter().map(|v| v.fillers).sum();
    let worst = iv
        .voice
        .iter()
        .max_by(|a, b| a.longest_pause.total_cmp(&b.longest_pause))
        .unwrap();
    let mut notes = Vec::new();
    if wpm > 170.0 {
        notes.push(format!(
            "{wpm:.0} words a minute is fast; slow down where the design matters"
        ));
    } else if wpm < 100.0 && wpm > 0.0 {
        notes.push(format!(
            "{wpm:.0} words a minute is slow; think, then say it in fewer words"
        ));
    }
    if fillers > iv.voice.len() {
        notes.push(format!(
            "{fillers} filler words in {} answers",
            iv.voice.len()
        ));
    }
    if worst.longest_pause >= 3.0 {
        notes.push(format!(
            "a {:.1} s pause in turn {}: say what you are weighing instead",
            worst.longest_pause, worst.turn
        ));
    }
    Some(Delivery {
        answers: iv.voice.len(),
        words_per_minute: wpm,
        fillers,
        longest_pause: worst.longest_pause,
        longest_pause_turn: worst.turn,
        notes,
    })
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
                evidence: iv.evidence[i]
                    .iter()
                    .map(|e| Quote {
                        turn: e.turn,
                        quote: e.quote.clone(),
                    })
                    .collect(),
                source: covered.then(|| {
                    let by = |s: Source| iv.evidence[i].iter().any(|e| e.source == s);
                    match (by(Source::Lexical), by(Source::Model)) {
                        (true, true) => "both",
                        (false, true) => "model",
                        _ => "lexical",
                    }
                    .to_string()
                }),
                model_answer: if covered { None } else { c.answer.clone() },
            }
        })
        .collect();
    let stages: Vec<StageReport> = Stage::ALL
        .iter()
        .map(|&s| stage_report(iv, s, basis))
        .collect();
    let pitfalls = pitfalls(iv);
    let overall = overall(iv, &stages, &pitfalls);
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
        checkpoints,
        stages,
        pitfalls,
        overall,
        delivery: delivery(iv),
    }
}

fn stage_turns(iv: &Interview, s: Stage) -> impl Iterator<Item = &Turn> {
    iv.candidate_turns()
        .filter(move |t| t.phase == Phase::Stage(s))
}

fn at_turns(turns: &[usize]) -> String {
    match turns {
        [] => String::new(),
        [one] => format!(" (turn {one})"),
        many => format!(
            " (turns {})",
            many.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn minutes(secs: f64) -> String {
    format!("{:.1} min", secs / 60.0)
}

fn stage_report(iv: &Interview, s: Stage, basis: Basis) -> StageReport {
    let st = &iv.stats[s.index()];
    let idx: Vec<usize> = iv
        .scenario
        .checkpoints
        .iter()
        .enumerate()
        .filter(|(_, c)| c.stage == s)
        .map(|(i, _)| i)
        .collect();
    let covered = idx.iter().filter(|&&i| iv.covered(i)).count();
    let coverage = iv.stage_coverage(s);
    let turns = stage_turns(iv, s).count();
    let reached = reached(iv, s);
    let timed = basis == Basis::Session;
    let seconds = (timed && st.entered_at.is_some()).then(|| st.seconds(iv.now));
    let budget = iv.budget.stage(s);
    let mut r = StageReport {
        id: s,
        name: s.name().into(),
        status: "not assessed".into(),
        score: None,
        covered,
        total: idx.len(),
        coverage: (coverage * 100.0).round() / 100.0,
        hints: st.hints,
        probes_asked: st.probes_asked,
        probes_answered: st.probes_answered,
        seconds: seconds.map(|x| x.round()),
        budget_seconds: budget.round(),
        reasons: Vec::new(),
    };
    if !reached {
        r.reasons.push("not reached in this interview".into());
        return r;
    }
    if turns == 0 && covered == 0 {
        r.reasons
            .push("the candidate said nothing while this stage was open".into());
        return r;
    }
    let evidence_turns: Vec<usize> = idx
        .iter()
        .filter_map(|&i| iv.evidence[i].first().map(|e| e.turn))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let cited = at_turns(&evidence_turns);
    r.reasons.push(format!(
        "covered {covered} of {} checkpoints, {:.0}% by weight{cited}",
        idx.len(),
        coverage * 100.0
    ));
    let mut score = coverage * 4.0;
    if st.probes_asked > 0 {
        let ratio = st.probes_answered as f64 / st.probes_asked as f64;
        if ratio >= 1.0 {
            score += 0.5;
            r.reasons.push(format!(
                "answered all {} follow-up probes with substance{}",
                st.probes_asked,
                at_turns(&st.probe_turns)
            ));
        } else if ratio < 0.5 {
            score -= 0.5;
            r.reasons.push(format!(
                "answered {} of {} follow-up probes{}",
                st.probes_answered,
                st.probes_asked,
                at_turns(&st.probe_turns)
            ));
        }
    }
    if st.hints > 0 {
        score -= (0.5 * st.hints as f64).min(1.5);
        r.reasons.push(format!(
            "needed {} hint{}{}",
            st.hints,
            if st.hints == 1 { "" } else { "s" },
            at_turns(&st.hint_turns)
        ));
    }
    if let Some(secs) = seconds
        && secs > budget * 1.5
    {
        score -= if secs >= budget * 2.0 { 1.0 } else { 0.5 };
        r.reasons.push(format!(
            "took {} against a budget of {}",
            minutes(secs),
            minutes(budget)
        ));
    }
    let score = if covered == 0 {
        0.0
    } else {
        score.clamp(0.0, 4.0).round()
    };
    r.score = Some(score as u8);
    r.status = "assessed".into();
    r
}

/// The candidate's own words from a turn, as a short verbatim quote.
fn quote_turn(t: &Turn) -> Quote {
    let text = t.text.as_str();
    let q = sentences(text)
        .into_iter()
        .next()
        .map(|r| quote(text, r.clone(), r).to_string())
        .unwrap_or_default();
    Quote {
        turn: t.n,
        quote: q,
    }
}

fn covered_id(iv: &Interview, id: &str) -> bool {
    iv.scenario
        .checkpoint_index(id)
        .is_some_and(|i| iv.covered(i))
}

fn first_evidence(iv: &Interview, id: &str) -> Option<Quote> {
    let i = iv.scenario.checkpoint_index(id)?;
    iv.evidence[i].first().map(|e| Quote {
        turn: e.turn,
        quote: e.quote.clone(),
    })
}

/// A stage counts as reached when the interview went there, or when the candidate covered at
/// least half of it on their own; a passing mention elsewhere is not enough to be judged on.
fn reached(iv: &Interview, s: Stage) -> bool {
    iv.stats[s.index()].entered_at.is_some() || iv.stage_coverage(s) >= 0.5
}

fn stage_quotes(iv: &Interview, s: Stage, n: usize) -> Vec<Quote> {
    stage_turns(iv, s).take(n).map(quote_turn).collect()
}

fn deep_model_cues() -> &'static CueSet {
    static CUES: std::sync::OnceLock<CueSet> = std::sync::OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "neural net*",
            "deep learning",
            "deep model",
            "deep network",
            "transformer*",
            "lstm",
            "rnn",
            "dnn",
            "gnn",
            "graph neural",
            "two tower",
            "autoencoder",
            "bert",
            "llm",
            "large language model",
        ])
    })
}

fn is_question(text: &str) -> bool {
    text.contains('?')
}

pub fn pitfalls(iv: &Interview) -> Vec<PitfallReport> {
    let mut out = Vec::new();
    let cand: Vec<&Turn> = iv.candidate_turns().collect();
    if cand.is_empty() {
        return out;
    }
    let mut add = |id: Pitfall, why: String, evidence: Vec<Quote>| {
        out.push(PitfallReport {
            id,
            title: id.title().into(),
            why,
            evidence,
        });
    };
    let first_turn_of = |stage: Stage| -> Option<usize> {
        iv.scenario
            .checkpoints
            .iter()
            .enumerate()
            .filter(|(_, c)| c.stage == stage)
            .filter_map(|(i, _)| iv.evidence[i].first().map(|e| e.turn))
            .min()
    };

    // Jumped to a solution: a model named before any clarifying coverage.
    if let Some(model_turn) = first_turn_of(Stage::Model) {
        let clarify_turn = first_turn_of(Stage::Clarify);
        if clarify_turn.is_none_or(|c| model_turn < c) || iv.redirects > 0 {
            let q = ["model.advanced", "model.baseline"]
                .iter()
                .filter_map(|id| first_evidence(iv, id))
                .min_by_key(|q| q.turn)
                .into_iter()
                .collect();
            add(
                Pitfall::JumpedToSolution,
                "proposed a model before asking about the problem".into(),
                q,
            );
        }
    }

    let ml_metrics = first_evidence(iv, "frame.ml-metrics")
        .or_else(|| first_evidence(iv, "evaluation.offline-metrics"));
    if !covered_id(iv, "clarify.business-objective")
        && !covered_id(iv, "evaluation.business-metrics")
        && cand.len() >= 4
    {
        let why = if ml_metrics.is_some() {
            "talked about ML metrics but never about the business objective or business outcome"
        } else {
            "never asked about the business objective nor tied results to a business outcome"
        };
        let ev = ml_metrics
            .clone()
            .map(|q| vec![q])
            .unwrap_or_else(|| stage_quotes(iv, Stage::Evaluation, 1));
        add(Pitfall::IgnoredBusinessContext, why.into(), ev);
    }

    // Deep learning with neither a baseline nor a weighed trade-off; boosted trees alone are not it.
    if !covered_id(iv, "model.baseline") && !covered_id(iv, "model.trade-offs") {
        let deep = deep_model_cues();
        let mention = cand.iter().find_map(|t| {
            sentences(&t.text)
                .into_iter()
                .find(|r| deep.matches(&Tokens::new(&t.text[r.clone()])))
                .map(|r| Quote {
                    turn: t.n,
                    quote: quote(&t.text, r.clone(), r).to_string(),
                })
        });
        if let Some(q) = mention {
            add(
                Pitfall::OverEngineering,
                "proposed deep learning with no baseline and no trade-off to justify it".into(),
                vec![q],
            );
        }
    }

    let data_issues = [
        "data.quality",
        "data.labeling",
        "data.class-imbalance",
        "data.drift",
    ];
    let data_seen = data_issues.iter().filter(|id| covered_id(iv, id)).count();
    if data_seen <= 1 && reached(iv, Stage::Data) {
        add(
            Pitfall::IgnoredDataIssues,
            format!("discussed {data_seen} of quality, labels, imbalance and drift"),
            stage_quotes(iv, Stage::Data, 2),
        );
    }

    let production = [
        "deployment.latency",
        "deployment.scalability",
        "deployment.monitoring",
        "deployment.retraining",
    ];
    let prod_seen = production.iter().filter(|id| covered_id(iv, id)).count();
    if prod_seen <= 1 && reached(iv, Stage::Deployment) {
        add(
            Pitfall::IgnoredProduction,
            format!("discussed {prod_seen} of latency, scale, monitoring and retraining"),
            stage_quotes(iv, Stage::Deployment, 2),
        );
    }

    let mut terse = false;
    let mut answers: Vec<(usize, &Turn)> = cand
        .iter()
        .filter(|t| !is_question(&t.text))
        .map(|t| (counted_words(&t.text), *t))
        .collect();
    if answers.len() >= 4 {
        answers.sort_by_key(|(w, t)| (*w, t.n));
        let median = answers[answers.len() / 2].0;
        if median < 12 {
            terse = true;
            add(
                Pitfall::PoorCommunication,
                format!("half the answers were under {} words", median + 1),
                answers.iter().take(2).map(|(_, t)| quote_turn(t)).collect(),
            );
        }
    }
    // The other way to lose the listener: long answers that never touch the question.
    if !terse {
        let evidenced: std::collections::HashSet<usize> =
            iv.evidence.iter().flatten().map(|e| e.turn).collect();
        let wandering: Vec<&&Turn> = cand
            .iter()
            .filter(|t| counted_words(&t.text) >= 40 && !evidenced.contains(&t.n))
            .collect();
        if wandering.len() >= 3 {
            add(
                Pitfall::PoorCommunication,
                format!(
                    "{} long answers (40 words or more) touched none of the checklist",
                    wandering.len()
                ),
                wandering.iter().take(2).map(|t| quote_turn(t)).collect(),
            );
        }
    }

    if !covered_id(iv, "model.trade-offs") && reached(iv, Stage::Model) {
        add(
            Pitfall::IgnoredTradeOffs,
            "chose models without weighing alternatives, pros and cons".into(),
            stage_quotes(iv, Stage::Model, 2),
        );
    }

    let asked = cand
        .iter()
        .filter(|t| t.phase == Phase::Stage(Stage::Clarify) && is_question(&t.text))
        .count();
    if asked == 0 {
        let q = cand
            .first()
            .map(|t| vec![quote_turn(t)])
            .unwrap_or_default();
        add(
            Pitfall::NoQuestions,
            "asked no clarifying question before designing".into(),
            q,
        );
    }
    out
}

fn overall(iv: &Interview, stages: &[StageReport], pitfalls: &[PitfallReport]) -> Overall {
    let cand: Vec<&Turn> = iv.candidate_turns().collect();
    let words: usize = cand.iter().map(|t| counted_words(&t.text)).sum();
    let substantive = cand
        .iter()
        .filter(|t| counted_words(&t.text) >= 3 && !is_stuck(&t.text))
        .count();
    let assessed: Vec<&StageReport> = stages.iter().filter(|s| s.score.is_some()).collect();
    let mut o = Overall {
        recommendation: "not assessed".into(),
        mean_score: None,
        stages_assessed: assessed.len(),
        reasons: Vec::new(),
        candidate_turns: cand.len(),
        candidate_words: words,
        instructions_ignored: iv.injections,
        judge_claims_dropped: iv.judge_dropped,
    };
    if iv.injections > 0 {
        o.reasons.push(format!(
            "{} sentence(s) addressed the grader and were not scored",
            iv.injections
        ));
    }
    if substantive < 3 || assessed.len() < 4 {
        o.reasons.insert(
            0,
            format!(
                "too little to judge: {substantive} substantive answers, {} of 8 stages assessed",
                assessed.len()
            ),
        );
        return o;
    }
    let scores: Vec<f64> = assessed
        .iter()
        .map(|s| s.score.unwrap_or(0) as f64)
        .collect();
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    o.mean_score = Some((mean * 100.0).round() / 100.0);
    let low: Vec<&&StageReport> = assessed
        .iter()
        .filter(|s| s.score.unwrap_or(0) < 2)
        .collect();
    let unreached = 8 - assessed.len();
    let p = pitfalls.len();
    let rec = if mean >= 3.2 && low.is_empty() && p <= 1 && unreached == 0 {
        "strong hire"
    } else if mean >= 2.5 && low.len() <= 1 && p <= 2 && unreached <= 1 {
        "hire"
    } else if mean >= 1.75 && unreached <= 2 {
        "lean no hire"
    } else {
        "no hire"
    };
    o.recommendation = rec.into();
    o.reasons.insert(
        0,
        format!(
            "mean stage score {mean:.1} of 4 over {} assessed stages",
            assessed.len()
        ),
    );
    if let Some(best) = assessed
        .iter()
        .max_by_key(|s| (s.score, std::cmp::Reverse(s.id)))
    {
        o.reasons.push(format!(
            "strongest: {} ({}/4)",
            best.name,
            best.score.unwrap_or(0)
        ));
    }
    if !low.is_empty() {
        let names: Vec<String> = low
            .iter()
            .map(|s| format!("{} ({}/4)", s.name, s.score.unwrap_or(0)))
            .collect();
        o.reasons.push(format!("weak: {}", names.join(", ")));
    }
    if unreached > 0 {
        let names: Vec<&str> = stages
            .iter()
            .filter(|s| s.score.is_none())
            .map(|s| s.name.as_str())
            .collect();
        o.reasons
            .push(format!("not assessed: {}", names.join(", ")));
    }
    if p > 0 {
        let ids: Vec<&str> = pitfalls.iter().map(|x| x.id.id()).collect();
        o.reasons.push(format!("pitfalls: {}", ids.join(", ")));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::{Action, Interview, Mode, Reason};
    use crate::scenario;
    use std::sync::Arc;

    fn iv() -> Interview {
        let mut iv = Interview::new(
            Arc::new(scenario::load("fraud").unwrap()),
            Mode::Interview,
            60,
        );
        crate::session::testing::open(&mut iv);
        iv
    }

    fn goto(iv: &mut Interview, s: Stage, at: f64) {
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
    fn coverage_hints_and_probes_move_the_stage_score() {
        let mut a = iv();
        crate::session::testing::observe(
            &mut a,
            "What's the business goal? How do we measure success? Any latency constraints? What data do we have? How many transactions per second? Is the decision real time?",
            60.0,
        );
        let full = stage_report(&a, Stage::Clarify, Basis::Session);
        assert_eq!((full.score, full.covered), (Some(4), 6), "{full:?}");
        assert!(full.reasons[0].contains("(turn 1)"), "{:?}", full.reasons);

        let mut b = iv();
        crate::session::testing::observe(
            &mut b,
            "What's the business goal? How do we measure success? What data do we have?",
            60.0,
        );
        let partial = stage_report(&b, Stage::Clarify, Basis::Session)
            .score
            .unwrap();
        crate::session::testing::act(
            &mut b,
            &Action::Hint {
                stage: Stage::Clarify,
                level: 1,
                checkpoint: None,
            },
            61.0,
        );
        crate::session::testing::act(
            &mut b,
            &Action::Hint {
                stage: Stage::Clarify,
                level: 2,
                checkpoint: None,
            },
            62.0,
        );
        let hinted = stage_report(&b, Stage::Clarify, Basis::Session);
        assert!(hinted.score.unwrap() < partial, "{partial} vs {hinted:?}");
        assert!(
            hinted
                .reasons
                .iter()
                .any(|r| r == "needed 2 hints (turns 2, 2)"),
            "{:?}",
            hinted.reasons
        );
    }

    #[test]
    fn overtime_costs_a_point_only_when_time_is_known() {
        let mut a = iv();
        crate::session::testing::observe(
            &mut a,
            "What is the business goal and how do we measure success? What data do we have?",
            60.0,
        );
        goto(&mut a, Stage::Frame, 8.0 * 60.0 * 2.0);
        let timed = stage_report(&a, Stage::Clarify, Basis::Session);
        let untimed = stage_report(&a, Stage::Clarify, Basis::Transcript);
        assert_eq!(timed.score.unwrap() + 1, untimed.score.unwrap());
        assert!(timed.reasons.iter().any(|r| r.starts_with("took 16.0 min")));
        assert_eq!(untimed.seconds, None);
    }

    #[test]
    fn pitfalls_cite_the_candidates_words() {
        let mut a = iv();
        crate::session::testing::observe(
            &mut a,
            "I would train a deep neural network on all the transactions.",
            10.0,
        );
        let p = pitfalls(&a);
        let ids: Vec<&str> = p.iter().map(|x| x.id.id()).collect();
        assert!(ids.contains(&"pitfall.jumped-to-solution"), "{ids:?}");
        assert!(ids.contains(&"pitfall.over-engineering"), "{ids:?}");
        assert!(ids.contains(&"pitfall.no-questions"), "{ids:?}");
        let jumped = p
            .iter()
            .find(|x| x.id == Pitfall::JumpedToSolution)
            .unwrap();
        assert_eq!(
            jumped.evidence,
            vec![Quote {
                turn: 1,
                quote: "I would train a deep neural network on all the transactions.".into()
            }]
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
