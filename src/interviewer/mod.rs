//! Who phrases the interviewer's lines. The director decides what happens; an `Interviewer` turns
//! that action into words. The scripted one needs no model: it fills `prompts/scripted-*.hbs` with
//! the scenario's own lines. The model one paraphrases the scripted line behind the same trait.

pub mod guard;
pub mod line;
pub mod model;
pub mod scripted;
pub mod stream;

pub use line::LineRequest;
pub use model::LlmInterviewer;
pub use scripted::Scripted;
pub use stream::{Sentences, Visible};

use crate::interview::{Action, Interview};
use anyhow::{Context, Result};
use handlebars::Handlebars;
use std::path::Path;

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
    /// Tokens the prompts read ahead of this line used (`llm::ahead`).
    pub read_ahead: Option<crate::llm::Usage>,
    /// A one-line notice for the user (a model turn that fell back to the scripted line).
    pub notice: Option<String>,
    /// Model timings: to the first token, and the whole line.
    pub first_token_ms: Option<u64>,
    pub total_ms: Option<u64>,
    /// A model line the guard stopped: why, and the sentence it stopped at.
    pub guarded: Option<(crate::interview::LineFault, String)>,
}

impl Said {
    /// The scripted line, said because the model's could not be.
    pub fn scripted(text: String, notice: String) -> Said {
        Said {
            text,
            notice: Some(notice),
            ..Said::default()
        }
    }
}

pub trait Interviewer {
    /// A short name for logs and the session header ("scripted", a model name...).
    fn name(&self) -> String;
    /// Say one turn, handing text to `show` as it becomes available (all at once, or streamed).
    fn turn(&mut self, request: &TurnRequest, show: &mut dyn FnMut(&str)) -> Result<Said>;
    /// The words of an answer still being spoken, as far as they have been heard: a chance to
    /// get ready for the line that follows it.
    fn heard_so_far(&mut self, _iv: &Interview, _text: &str) {}
}

/// Handlebars set up the way every template here needs: strict, so a misspelt key fails instead
/// of saying nothing, and no HTML escaping, since the lines are plain text. A file of the same
/// name in the user's prompts folder replaces a built-in template.
pub fn templates(
    user_dir: Option<&Path>,
    built_in: &[(&str, &str)],
) -> Result<Handlebars<'static>> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    for (name, text) in built_in {
        let user = user_dir.map(|d| d.join(name)).filter(|p| p.exists());
        let (source, origin) = match &user {
            Some(p) => (
                std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read prompt template {}", p.display()))?,
                p.display().to_string(),
            ),
            None => (text.to_string(), format!("<built-in {name}>")),
        };
        hb.register_template_string(name, source)
            .with_context(|| format!("template {origin} does not parse"))?;
    }
    Ok(hb)
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
        .filter(|(i, c)| c.stage == stage && iv.scenario.asks_for(*i))
        .map(|(i, c)| (iv.covered(i), c.id.clone(), c.title.clone()))
        .collect()
}

/// Coach mode's line after each answer: what the reading has credited in this stage, in one
/// line ("Clarify the problem 2/6: business-objective, success-metrics"); the whole checklist,
/// with what is still open, is `/stage`'s. A checkpoint only named is marked so.
pub fn progress_line(iv: &Interview) -> Option<String> {
    let stage = iv.stage()?;
    let list = checklist(iv);
    let shown: Vec<String> = (iv.scenario.checkpoints.iter().enumerate())
        .filter(|(i, c)| c.stage == stage && iv.scenario.asks_for(*i) && iv.covered(*i))
        .map(|(i, c)| {
            let short = c.id.split_once('.').map_or(c.id.as_str(), |(_, s)| s);
            match iv.only_named(i) {
                true => format!("{short} (named only)"),
                false => short.to_string(),
            }
        })
        .collect();
    let head = format!(
        "{} {}/{}",
        iv.scenario.stage_name(stage),
        shown.len(),
        list.len()
    );
    Some(match shown.is_empty() {
        true => format!("{head}: nothing shown yet"),
        false => format!("{head}: {}", shown.join(", ")),
    })
}

/// Used by `/stage`: the stage name and its goal.
pub fn stage_line(iv: &Interview) -> String {
    match iv.stage() {
        Some(s) => {
            let sc = &iv.scenario;
            let (at, of) = sc.stage_number(s);
            format!("{} ({at} of {of}): {}", sc.stage_name(s), sc.stage_goal(s))
        }
        None => match iv.phase {
            crate::interview::Phase::WrapUp => "Wrap-up: summarise and ask your questions.".into(),
            _ => "The interview is over.".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::templates;
    use serde_json::json;

    /// A coding round's stages are named for what happens in them, and counted among the
    /// stages it visits; a case study's keep the framework's names.
    #[test]
    fn a_coding_round_names_and_counts_its_own_stages() {
        use crate::framework::Stage;
        use crate::interview::{Action, Interview, Mode, Reason};
        let at_model = |id: &str| {
            let sc = std::sync::Arc::new(crate::scenario::load(id).unwrap());
            let mut iv = Interview::new(sc, Mode::Coach, 45);
            crate::session::testing::open(&mut iv);
            let go = Action::AdvanceStage {
                from: Some(Stage::Clarify),
                to: Stage::Model,
                reason: Reason::Skip,
            };
            crate::session::testing::act(&mut iv, &go, 10.0);
            (super::stage_line(&iv), super::progress_line(&iv).unwrap())
        };
        let (line, progress) = at_model("coding-pr-auc");
        assert!(
            line.starts_with("Implementation (4 of 6): write working"),
            "{line}"
        );
        assert!(progress.starts_with("Implementation "), "{progress}");
        let (line, progress) = at_model("fraud");
        assert!(line.starts_with("Model selection (5 of 8): "), "{line}");
        assert!(progress.starts_with("Model selection "), "{progress}");
    }

    #[test]
    fn every_template_is_strict_unescaped_and_overridden_by_the_user_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.hbs"), "user {{x}}").unwrap();
        let built_in = [("mine.hbs", "built-in {{x}}"), ("other.hbs", "{{x}}")];
        let hb = templates(Some(dir.path()), &built_in).unwrap();
        let data = json!({"x": "<b>&</b>"});
        assert_eq!(hb.render("mine.hbs", &data).unwrap(), "user <b>&</b>");
        assert_eq!(hb.render("other.hbs", &data).unwrap(), "<b>&</b>");
        assert!(hb.render("other.hbs", &json!({})).is_err());
        std::fs::write(dir.path().join("other.hbs"), "{{#if}").unwrap();
        let err = format!(
            "{:#}",
            templates(Some(dir.path()), &built_in).err().unwrap()
        );
        assert!(err.contains("other.hbs"), "{err}");
    }
}
