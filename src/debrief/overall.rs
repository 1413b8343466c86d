//! The recommendation: from the stage scores and the pitfalls, or "not assessed" when the
//! candidate said too little to judge at all. Rules a hiring committee would state:
//! - Not assessed: fewer than `MIN_TURNS` answers and fewer than `MIN_SENTENCES` sentences of
//!   substance. Anyone who stayed longer is judged on what they showed, silence included.
//! - Stages not reached or skipped count against the verdict, never for it.
//! - Jumping to a solution, leaving a third or more of the follow-ups unanswered, or a
//!   misconception not put right when challenged caps it below strong hire.

use super::{PitfallReport, StageReport};
use crate::cue::sentences;
use crate::framework::{Pitfall, Stage};
use crate::interview::coverage::{counted_words, is_stuck};
use crate::interview::{Interview, Turn};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// Reader credits the model judge showed to be wrong and took back (`--judge both`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub judge_credits_retracted: usize,
    /// Model-judge claims the reader read the other way (a dismissal, a question for a design
    /// checkpoint), so not credited.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub judge_claims_contradicted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Below both of these, there is too little to judge at all.
const MIN_TURNS: usize = 3;
const MIN_SENTENCES: usize = 5;

/// The verdicts, weakest first.
const VERDICTS: [&str; 4] = ["no hire", "lean no hire", "hire", "strong hire"];

/// In a coding round the code has to work: no submission, or one that fails most hidden cases,
/// caps the verdict at lean no hire; any failing case holds it at hire.
fn code_cap(code: &super::code::CodeReport) -> Option<(&'static str, String)> {
    match (code.passed, code.total) {
        _ if code.met("code.correctness") => None,
        (Some(p), Some(t)) if t > 0 && p * 2 >= t => {
            Some(("hire", format!("{p} of {t} hidden cases pass")))
        }
        (Some(p), Some(t)) => Some(("lean no hire", format!("{p} of {t} hidden cases pass"))),
        _ => Some((
            "lean no hire",
            "no code was submitted to the hidden tests".into(),
        )),
    }
}

pub(super) fn overall(
    iv: &Interview,
    stages: &[StageReport],
    pitfalls: &[PitfallReport],
    code: Option<&super::code::CodeReport>,
) -> Overall {
    let cand: Vec<&Turn> = iv.candidate_turns().collect();
    let words: usize = cand.iter().map(|t| counted_words(&t.text)).sum();
    // Sentences, not turns: a write-up pasted as one answer says as much as the same text
    // cut into twenty, and is judged the same.
    let substantive = cand
        .iter()
        .flat_map(|t| sentences(&t.text).into_iter().map(|r| &t.text[r]))
        .filter(|s| counted_words(s) >= 3 && !is_stuck(s))
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
        judge_credits_retracted: iv.judge_retracted,
        judge_claims_contradicted: iv.judge_contradicted,
    };
    if iv.injections > 0 {
        o.reasons.push(format!(
            "{} sentence(s) addressed the grader and were not scored",
            iv.injections
        ));
    }
    if cand.len() < MIN_TURNS && substantive < MIN_SENTENCES {
        o.reasons.insert(
            0,
            format!(
                "too little to judge (fewer than {MIN_TURNS} answers and fewer than {MIN_SENTENCES} sentences of substance): {} answers, {substantive} sentences of substance",
                cand.len()
            ),
        );
        return o;
    }
    let in_round = |s: &StageReport| iv.scenario.in_round(s.id);
    let unreached = stages.iter().filter(|s| in_round(s)).count() - assessed.len();
    if assessed.is_empty() {
        o.recommendation = "no hire".into();
        o.reasons.insert(
            0,
            format!(
                "nothing scorable in {} answers ({substantive} sentences of substance)",
                cand.len()
            ),
        );
        early_end(iv, &mut o);
        return o;
    }
    // A stage counts as much as the round's type weighs it (a system-design round is judged
    // above all on data and serving).
    let kind = iv.scenario.kind;
    let (sum, weights) = assessed.iter().fold((0.0, 0.0), |(sum, w), s| {
        let k = kind.stage_weight(s.id);
        (sum + k * s.score.unwrap_or(0) as f64, w + k)
    });
    let mean = sum / weights;
    o.mean_score = Some((mean * 100.0).round() / 100.0);
    let low: Vec<&&StageReport> = assessed
        .iter()
        .filter(|s| s.score.unwrap_or(0) < 2)
        .collect();
    let p = pitfalls.len();
    let mut rec = if mean >= 3.2 && low.is_empty() && p <= 1 && unreached == 0 {
        "strong hire"
    } else if mean >= 2.5 && low.len() <= 1 && p <= 2 && unreached <= 1 {
        "hire"
    } else if mean >= 1.75 && unreached <= 2 {
        "lean no hire"
    } else {
        "no hire"
    };
    // Not listening caps the verdict, however much was covered.
    let jumped = pitfalls.iter().any(|x| x.id == Pitfall::JumpedToSolution);
    let unanswered = pitfalls.iter().any(|x| x.id == Pitfall::IgnoredFollowUps);
    let wrong = iv.missteps.iter().filter(|m| !m.corrected()).count();
    if rec == "strong hire" && (jumped || unanswered || wrong > 0) {
        rec = "hire";
        let why = if jumped {
            "jumped to a solution before asking about the problem".to_string()
        } else if unanswered {
            let t = iv.follow_up_tally(None);
            format!("answered {} of {} follow-ups", t.answered, t.replied)
        } else {
            format!("{wrong} technical error(s) left uncorrected")
        };
        o.reasons.push(format!("held below strong hire: {why}"));
    }
    if let Some((cap, why)) = code.and_then(code_cap) {
        let rank = |r: &str| VERDICTS.iter().position(|v| *v == r);
        if rank(rec) > rank(cap) {
            rec = cap;
            o.reasons.push(format!("held at {cap}: {why}"));
        }
    }
    o.recommendation = rec.into();
    let heavier: Vec<&str> = (Stage::ALL.iter())
        .filter(|&&s| kind.stage_weight(s) > 1.0)
        .map(|s| s.id())
        .collect();
    let weighed = if heavier.is_empty() {
        String::new()
    } else {
        format!(
            ", {} weighed more in a {} round",
            heavier.join(" and "),
            kind.id()
        )
    };
    o.reasons.insert(
        0,
        format!(
            "mean stage score {mean:.1} of 4 over {} assessed stages{weighed}",
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
            .filter(|s| s.score.is_none() && in_round(s))
            .map(|s| s.name.as_str())
            .collect();
        o.reasons
            .push(format!("not reached or skipped: {}", names.join(", ")));
    }
    let corrected: Vec<&str> = iv
        .missteps
        .iter()
        .filter(|m| m.corrected())
        .map(|m| iv.scenario.misconceptions[m.misconception].title.as_str())
        .collect();
    if !corrected.is_empty() {
        o.reasons.push(format!(
            "corrected when challenged: {}",
            corrected.join("; ")
        ));
    }
    if p > 0 {
        let ids: Vec<&str> = pitfalls.iter().map(|x| x.id.id()).collect();
        o.reasons.push(format!("pitfalls: {}", ids.join(", ")));
    }
    early_end(iv, &mut o);
    o
}

/// An interview that ended with most of its time unused says so: the verdict is on what was
/// shown in the time taken.
fn early_end(iv: &Interview, o: &mut Overall) {
    let total = iv.budget.total;
    if iv.phase == crate::interview::Phase::Ended && total > 0.0 && iv.now < total * 0.5 {
        o.reasons.push(format!(
            "ended at minute {:.0} of {:.0}",
            (iv.now / 60.0).ceil(),
            total / 60.0
        ));
    }
}
