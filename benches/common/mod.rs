//! What the benchmarks share: the strong fraud answers and an interview built from them.
#![allow(dead_code)]

use casecoach::framework::Stage;
use casecoach::interview::{Action, Event, Interview, Mode, Reason};
use casecoach::scenario;
use casecoach::session::Session;
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
    let mut s = Session::memory(Interview::new(
        Arc::new(scenario::load("fraud").unwrap()),
        Mode::Interview,
        90,
    ));
    s.open().unwrap();
    let mut at = 0.0;
    for i in 0..turns / 2 {
        at += 40.0;
        s.interviewer("Okay. What would you look for in the false positives?", at)
            .unwrap();
        s.candidate(&answers[i % (answers.len() - 1)], at + 30.0)
            .unwrap();
    }
    let from = s.interview().stage();
    s.record(Event::Action {
        at,
        action: Action::AdvanceStage {
            from,
            to: Stage::Evaluation,
            reason: Reason::Skip,
        },
    })
    .unwrap();
    s.into_interview()
}
