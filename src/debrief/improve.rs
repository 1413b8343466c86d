//! The three things to improve first: each with the candidate's own words where there are any,
//! and what a strong answer says. Behaviour comes first (a pitfall shown), then the heaviest
//! checkpoints missed in stages that were reached, then the heaviest only named.

use super::{CheckpointReport, PitfallReport, Quote, StageReport};
use crate::framework::Pitfall;
use crate::interview::Interview;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Improvement {
    /// What to do differently, in a line.
    pub what: String,
    /// The checkpoint it is about, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    /// The candidate's words that show it, when they said something.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
    /// What a strong answer says (the scenario's model answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strong_answer: Option<String>,
}

pub const HOW_MANY: usize = 3;

/// The checkpoint whose strong answer shows how to avoid a pitfall.
fn remedy(p: Pitfall) -> Option<&'static str> {
    Some(match p {
        Pitfall::JumpedToSolution | Pitfall::NoQuestions => "clarify.business-objective",
        Pitfall::IgnoredBusinessContext => "evaluation.business-metrics",
        Pitfall::OverEngineering => "model.baseline",
        Pitfall::IgnoredDataIssues => "data.quality",
        Pitfall::IgnoredProduction => "deployment.monitoring",
        Pitfall::IgnoredTradeOffs => "model.trade-offs",
        Pitfall::PoorCommunication | Pitfall::TechnicalError | Pitfall::IgnoredFollowUps => {
            return None;
        }
    })
}

fn by_weight(mut v: Vec<&CheckpointReport>) -> Vec<&CheckpointReport> {
    v.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    v
}

pub fn top(
    iv: &Interview,
    checkpoints: &[CheckpointReport],
    stages: &[StageReport],
    pitfalls: &[PitfallReport],
) -> Vec<Improvement> {
    let answer = |id: &str| {
        iv.scenario
            .checkpoints
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.answer.clone())
    };
    let mut out: Vec<Improvement> = Vec::new();
    for p in pitfalls {
        let cp = remedy(p.id);
        // A wrong statement is put right by the scenario's correction of it.
        let correction = (p.id == Pitfall::TechnicalError)
            .then(|| iv.missteps.iter().find(|m| !m.corrected()))
            .flatten()
            .map(|m| {
                iv.scenario.misconceptions[m.misconception]
                    .correction
                    .clone()
            });
        // A follow-up is put right by answering the question that was asked, first.
        let asked = (p.id == Pitfall::IgnoredFollowUps)
            .then(|| {
                iv.follow_ups
                    .iter()
                    .find(|f| f.reply.is_some() && !f.answered)
            })
            .flatten()
            .and_then(|f| iv.turns.get(f.asked - 1))
            .map(|t| {
                // The question itself, not the acknowledgement before it.
                let asks = crate::interview::coverage::questions_in(&t.text);
                let question = asks.last().copied().unwrap_or(&t.text);
                format!(
                    "Take up the question asked (\"{}\") in your first sentence, then go on.",
                    crate::cue::clip(question, 24)
                )
            });
        out.push(Improvement {
            what: format!("Avoid this: {}.", p.title),
            checkpoint: cp.map(str::to_string),
            quote: p.evidence.first().cloned(),
            strong_answer: correction.or(asked).or_else(|| cp.and_then(answer)),
        });
    }
    let reached = |c: &CheckpointReport| {
        stages
            .iter()
            .any(|s| s.id == c.stage && s.status != "not reached" && s.status != "skipped")
    };
    let missed = by_weight(
        checkpoints
            .iter()
            .filter(|c| !c.covered && reached(c))
            .collect(),
    );
    let named = by_weight(checkpoints.iter().filter(|c| c.only_named).collect());
    for c in missed {
        out.push(Improvement {
            what: format!("Missed: a strong candidate {}.", c.title),
            checkpoint: Some(c.id.clone()),
            quote: None,
            strong_answer: c.model_answer.clone(),
        });
    }
    for c in named {
        out.push(Improvement {
            what: format!(
                "Named, not explained: a strong candidate {}, with the reason, a number or how it works.",
                c.title
            ),
            checkpoint: Some(c.id.clone()),
            quote: c.evidence.first().cloned(),
            strong_answer: c.model_answer.clone(),
        });
    }
    // One piece of advice per checkpoint.
    let mut seen = Vec::new();
    out.retain(|i| match &i.checkpoint {
        Some(c) if seen.contains(c) => false,
        Some(c) => {
            seen.push(c.clone());
            true
        }
        None => true,
    });
    out.truncate(HOW_MANY);
    out
}
