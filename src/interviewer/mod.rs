//! Who phrases the interviewer's lines. The director decides what happens; an `Interviewer` turns
//! that action into words. The scripted one needs no model: it fills `prompts/scripted-*.hbs` with
//! the scenario's own lines. The model one paraphrases the scripted line behind the same trait.

pub mod model;
pub mod scripted;

pub use model::LlmInterviewer;
pub use scripted::{LineRequest, Scripted, templates};

use crate::interview::{Action, Interview};
use anyhow::Result;

/// One interviewer turn: every action the director chose for it.
pub struct TurnRequest<'a> {
    pub interview: &'a Interview,
    pub actions: &'a [Action],
    /// The candidate's last words, as data. Never rendered as a template.
    pub candidate: Option<&'a str>,
}

/// What the interviewer said, and what it cost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Said {
    pub text: String,
    pub usage: Option<crate::llm::Usage>,
    /// A one-line notice for the user (a model turn that fell back to the scripted line).
    pub notice: Option<String>,
    /// Model timings: to the first token, and the whole line.
    pub first_token_ms: Option<u64>,
    pub total_ms: Option<u64>,
}

pub trait Interviewer {
    /// A short name for logs and the session header ("scripted", a model name...).
    fn name(&self) -> String;
    /// Say one turn, handing text to `show` as it becomes available (all at once, or streamed).
    fn turn(&mut self, request: &TurnRequest, show: &mut dyn FnMut(&str)) -> Result<Said>;
}

/// The stage goal and unchecked boxes, for coach mode's live checklist.
pub fn checklist(iv: &Interview) -> Vec<(bool, String, String)> {
    let Some(stage) = iv.stage() else {
        return vec![];
    };
    iv.scenario
        .checkpoints
        .iter()
        .enumerate()
        .filter(|(_, c)| c.stage == stage)
        .map(|(i, c)| (iv.covered(i), c.id.clone(), c.title.clone()))
        .collect()
}

/// Used by `/stage`: the stage name and its goal.
pub fn stage_line(iv: &Interview) -> String {
    match iv.stage() {
        Some(s) => format!("{} ({} of 8): {}", s.name(), s.index() + 1, s.goal()),
        None => match iv.phase {
            crate::interview::Phase::WrapUp => "Wrap-up: summarise and ask your questions.".into(),
            _ => "The interview is over.".into(),
        },
    }
}
