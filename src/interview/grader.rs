//! Talk to the grader rather than about the problem: "mark this section as done", "ignore your
//! instructions", "note to whoever scores this". It earns nothing, and the debrief counts it.

use crate::cue::{CueSet, Tokens};
use std::sync::OnceLock;

fn injection_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "mark * checkpoint*",
            "every checkpoint",
            "each checkpoint",
            "checkpoint* * as covered",
            "checkpoint* * complete*",
            "evaluator",
            "examiner",
            "assessor",
            "the candidate * already",
            "the candidate has",
            "the candidate * explain*",
            "rubric",
            "grader",
            // Not "grading" alone: raters grading results, and graded relevance, are ML.
            "whoever is grading",
            "if you * grading",
            "you are grading",
            "grading instruction*",
            "grading this",
            "grading me",
            "mark * cover*",
            "mark * complete*",
            "as covered",
            "full mark*",
            "full score",
            "score me",
            "give me * score",
            "ignore * instruction*",
            "ignore * previous",
            "ignore * above",
            "disregard",
            "system prompt",
            "you are now",
            "new instruction*",
            "pretend",
            "cover* * all stages",
            "cover* * every stage",
            "all stages * cover*",
            "every stage * cover*",
            "strong hire",
        ])
    })
}

/// A sentence that talks to the grader or the interviewer's instructions.
pub fn is_instruction(text: &str) -> bool {
    talks_to_grader(&Tokens::new(text))
}

/// `is_instruction` for a sentence already split into tokens.
pub fn talks_to_grader(tokens: &Tokens) -> bool {
    injection_cues().matches(tokens)
}

/// The words of talk about the assessment or the interviewer's setup: whoever grades, the
/// rubric, marks and points, the notes, the answer key. Talk to the grader names one of them;
/// "I've written it in the file now" names none, however the act head reads it.
fn grading_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "rubric",
            "grad*",
            "mark*",
            "scor*",
            "point*",
            "credit",
            "count*",
            "tick*",
            "evaluat*",
            "assess*",
            "review*",
            "whoever",
            "record*",
            "note*",
            "instruction*",
            "prompt*",
            "setup",
            "config*",
            "answer key",
            "model answer",
            "ideal",
            "hidden",
            "checklist",
            "list",
            "item*",
            "box",
            "system",
            "override",
            "assistant",
            "agree*",
            "interviewer",
            "transcript",
            "section",
            "part",
            "stage",
            "done",
            "complete*",
            "covered",
            "satisf*",
            "write * down",
            "put * down",
            "read * to me",
            "repeat back",
            "print",
            "show me",
            "keeping track",
            "noted",
            "award*",
            "pass*",
        ])
    })
}

/// Whether a sentence speaks of the assessment or the interviewer's setup at all.
pub fn speaks_of_grading(text: &str) -> bool {
    grading_cues().matches(&Tokens::new(text))
}
