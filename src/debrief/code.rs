//! A coding round's rubric (`code.*` in FRAMEWORK.md): correctness from the hidden tests, the
//! code's shape (type hints, docstring, input validation) read from its source, the edge
//! cases from which families of hidden cases fail, and the discussion (complexity, trade-offs)
//! from the reading of what the candidate said.

use super::Quote;
use crate::coding::CodeRun;
use crate::interview::Interview;
use serde::{Deserialize, Serialize};

/// Hidden-case categories that are not edge cases: the ordinary inputs, and bad inputs the
/// function must refuse (those are `code.validation`'s).
const BASIC: &str = "basic";
const INVALID: &str = "invalid";

/// The checkpoints the discussion items read: a coding scenario states the cost of its
/// solution under `deployment.complexity` and weighs alternatives under `model.trade-offs`.
pub const COMPLEXITY: &str = "deployment.complexity";
pub const TRADE_OFFS: &str = "model.trade-offs";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeReport {
    /// Runs on the examples, and submissions to the hidden cases.
    pub runs: usize,
    pub submissions: usize,
    /// The last submission's result; none when nothing was submitted.
    pub passed: Option<usize>,
    pub total: Option<usize>,
    /// The families of hidden cases the last submission fails.
    pub failing: Vec<String>,
    pub rubric: Vec<RubricItem>,
    /// The code last submitted (or run, when nothing was submitted).
    pub code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RubricItem {
    pub id: String,
    pub met: bool,
    pub why: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Quote>,
}

impl CodeReport {
    pub fn met(&self, id: &str) -> bool {
        self.rubric.iter().any(|r| r.id == id && r.met)
    }
}

/// The rubric for a coding round; none for any other.
pub(super) fn report(iv: &Interview) -> Option<CodeReport> {
    iv.scenario.task.as_ref()?;
    let submission = iv.submission();
    let last = submission.or(iv.code_runs.last());
    let submissions = iv
        .code_runs
        .iter()
        .filter(|r| r.suite == crate::coding::Suite::Hidden)
        .count();
    let mut rubric = vec![
        correctness(submission),
        signature(last),
        validation(submission, last),
        edge_cases(submission),
    ];
    rubric.push(discussed(
        iv,
        "code.complexity",
        COMPLEXITY,
        "stated the time and memory cost",
        "never stated what the solution costs in time or memory",
    ));
    rubric.push(discussed(
        iv,
        "code.trade-offs",
        TRADE_OFFS,
        "weighed the approach against an alternative",
        "never weighed the approach against an alternative",
    ));
    Some(CodeReport {
        runs: iv.code_runs.len() - submissions,
        submissions,
        passed: submission.map(|s| s.passed),
        total: submission.map(|s| s.total),
        failing: submission
            .map(CodeRun::failing_categories)
            .unwrap_or_default(),
        rubric,
        code: last.map(|r| r.source.clone()),
    })
}

fn item(id: &str, met: bool, why: impl Into<String>) -> RubricItem {
    RubricItem {
        id: id.into(),
        met,
        why: why.into(),
        evidence: None,
    }
}

fn correctness(s: Option<&CodeRun>) -> RubricItem {
    let id = "code.correctness";
    match s {
        None => item(id, false, "never submitted to the hidden tests"),
        Some(s) if s.load_error.is_some() => item(id, false, "the last submission does not load"),
        Some(s) if s.all_passed() => item(id, true, format!("all {} hidden cases pass", s.total)),
        Some(s) => item(
            id,
            false,
            format!(
                "{} of {} hidden cases pass{}",
                s.passed,
                s.total,
                match s.failing_categories() {
                    f if f.is_empty() => format!(" ({})", s.ended),
                    f => format!("; failing: {}", f.join(", ")),
                }
            ),
        ),
    }
}

fn signature(last: Option<&CodeRun>) -> RubricItem {
    let id = "code.signature";
    let Some(shape) = last.and_then(|r| r.shape) else {
        return item(id, false, "no function of the task's name to read");
    };
    let missing: Vec<&str> = [
        (!shape.typed, "type hints"),
        (!shape.documented, "a docstring"),
    ]
    .into_iter()
    .filter_map(|(miss, what)| miss.then_some(what))
    .collect();
    match missing.is_empty() {
        true => item(id, true, "typed parameters and return, with a docstring"),
        false => item(id, false, format!("missing {}", missing.join(" and "))),
    }
}

fn validation(submission: Option<&CodeRun>, last: Option<&CodeRun>) -> RubricItem {
    let id = "code.validation";
    let raises = last.and_then(|r| r.shape).is_some_and(|s| s.validates);
    let refused = submission.map(|s| !s.failed.iter().any(|c| c.category == INVALID));
    match (raises, refused) {
        (false, _) => item(id, false, "never raises on bad input"),
        (true, Some(true)) => item(
            id,
            true,
            "raises on bad input, and every invalid case is refused",
        ),
        (true, Some(false)) => item(
            id,
            false,
            "raises on bad input, but some invalid cases get through",
        ),
        (true, None) => item(
            id,
            false,
            "raises on bad input; not submitted, so not tested",
        ),
    }
}

fn edge_cases(submission: Option<&CodeRun>) -> RubricItem {
    let id = "code.edge-cases";
    let Some(s) = submission.filter(|s| s.load_error.is_none()) else {
        return item(id, false, "not shown: no submission that loads");
    };
    let edges: Vec<String> = (s.failing_categories().into_iter())
        .filter(|c| c != BASIC && c != INVALID)
        .collect();
    match edges.is_empty() {
        true => item(id, true, "every family of edge cases passes"),
        false => item(id, false, format!("fails edge cases: {}", edges.join(", "))),
    }
}

fn discussed(iv: &Interview, id: &str, checkpoint: &str, yes: &str, no: &str) -> RubricItem {
    let found = (iv.scenario.checkpoint_index(checkpoint))
        .filter(|&i| iv.covered(i))
        .and_then(|i| iv.evidence[i].first());
    match found {
        Some(e) => RubricItem {
            id: id.into(),
            met: true,
            why: yes.into(),
            evidence: Some(Quote {
                turn: e.turn,
                quote: e.quote.clone(),
            }),
        },
        None => item(id, false, no),
    }
}
