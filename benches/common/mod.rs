//! What the benchmarks share: the strong fraud answers and an interview built from them.
#![allow(dead_code)]

use casecoach::framework::Stage;
use casecoach::interview::{Action, Interview, Mode, Reason};
use casecoach::scenario;
use std::path::Path;
use std::sync::Arc;

pub fn answers() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fraud-strong.txt");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A fraud interview `turns` long (half answers, half interviewer lines), now in evaluation.
pub fn interview_of(turns: usize) -> Interview {
    let answers = answers();
    let mut iv = Interview::new(
        Arc::new(scenario::load("fraud").unwrap()),
        Mode::Interview,
        90,
    );
    iv.start(0.0);
    let mut at = 0.0;
    for i in 0..turns / 2 {
        at += 40.0;
        iv.interviewer("Okay. What would you look for in the false positives?", at);
        iv.observe(&answers[i % (answers.len() - 1)], at + 30.0);
    }
    iv.apply(
        &Action::AdvanceStage {
            from: iv.stage(),
            to: Stage::Evaluation,
            reason: Reason::Skip,
        },
        at,
    );
    iv
}
