//! The interviewer whose words come from a model. The director has already decided what happens;
//! the model only phrases it. The scripted line for the turn is the intent it paraphrases, so the
//! model never sees a model answer. Its words are streamed, held to a word budget in code, cleaned
//! of thinking text, and replaced by the scripted line when the endpoint fails.

use super::guard::Guard;
use super::{
    Interviewer, Said, Scripted, Sentences, TurnRequest, Visible, line, scripted, templates,
};
use crate::framework::Stage;
use crate::interview::{Action, Interview, LineFault, Phase, Reason, Role};
use crate::llm::ahead::ReadAhead;
use crate::llm::{Backend, Flow, LlmConfig, Message};
use anyhow::{Context, Result};
use handlebars::Handlebars;
use serde_json::json;

/// Turns of conversation sent with each request, at least; older ones are left out.
const HISTORY_TURNS: usize = 6;
/// The window of history moves this many turns at a time, so that for several requests in a
/// row the system prompt and the history before the newest turns are the same tokens as last
/// time: a prompt-caching server (llama.cpp) then reads only what is new.
const HISTORY_STEP: usize = 12;
/// Longest stretch of one turn sent to the model.
const TURN_CHARS: usize = 1200;
/// The system prompt (what does not change in an interview) and the turn's notes (where the
/// interview is, what to say); a user prompts folder overrides them by file name.
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (
        "llm-system.hbs",
        include_str!("../../prompts/llm-system.hbs"),
    ),
    ("llm-turn.hbs", include_str!("../../prompts/llm-turn.hbs")),
    ("llm-move.hbs", include_str!("../../prompts/llm-move.hbs")),
];

/// The turn's notes (`llm-turn.hbs`): where the interview is, the director's move (`moves`,
/// from `llm-move.hbs`; empty when it needs no more than its line) and its scripted line.
pub(super) fn notes(
    hb: &Handlebars<'static>,
    iv: &Interview,
    intent: &str,
    moves: &str,
) -> Result<String> {
    let stage = iv.stage().unwrap_or(Stage::Deployment);
    let (number, of) = iv.scenario.stage_number(stage);
    let data = json!({
        "stage": {
            "number": number,
            "of": of,
            "name": iv.scenario.stage_name(stage),
            "goal": iv.scenario.stage_goal(stage),
        },
        "intent": intent,
        "moves": moves,
    });
    let notes = hb
        .render("llm-turn.hbs", &data)
        .context("rendering llm-turn.hbs")?;
    Ok(notes.trim().to_string())
}

pub struct LlmInterviewer<B: Backend> {
    backend: B,
    scripted: Scripted,
    hb: Handlebars<'static>,
    config: LlmConfig,
    /// The notes sent after each answer still in the window, by turn: sent again with it.
    notes: std::collections::HashMap<usize, String>,
    ahead: Option<ReadAhead>,
}

impl<B: Backend> LlmInterviewer<B> {
    pub fn new(
        backend: B,
        scripted: Scripted,
        config: LlmConfig,
        user_prompts: Option<&std::path::Path>,
    ) -> Result<Self> {
        let hb = templates(user_prompts, TEMPLATES)?;
        Ok(LlmInterviewer {
            backend,
            scripted,
            hb,
            config,
            notes: Default::default(),
            ahead: None,
        })
    }

    /// Read prompts ahead (`heard_so_far`) through this.
    pub fn with_read_ahead(mut self, ahead: ReadAhead) -> Self {
        self.ahead = Some(ahead);
        self
    }

    /// The request for one turn: the system prompt, the last few turns, and the turn's notes
    /// (the stage and the intent) after the newest answer. Each earlier answer goes with the
    /// notes it was sent with, so the request is the last one plus what is new: a
    /// prompt-caching server (llama.cpp) reads only the last line and the new answer, and the
    /// first token comes sooner. The size does not grow with the interview. It is the request
    /// a turn of `req`'s actions sends, the move and the scripted line in its notes.
    pub fn request(&mut self, req: &TurnRequest) -> Result<Vec<Message>> {
        let intent = self.scripted.lines(req)?;
        let moves = self.moves(req)?;
        self.prompt(req.interview, &intent, &moves)
            .map(|(messages, _)| messages)
    }

    /// The request, and the turn's notes as rendered into it.
    fn prompt(
        &mut self,
        iv: &Interview,
        intent: &str,
        moves: &str,
    ) -> Result<(Vec<Message>, String)> {
        let (mut messages, start) = self.history(iv, 0)?;
        let notes = notes(&self.hb, iv, intent, moves)?;
        let newest = match messages.last() {
            Some(m) if m.role == "user" && iv.turns.len() > start => Some(iv.turns.len() - 1),
            _ => {
                messages.push(Message {
                    role: "user",
                    content: "(The candidate is waiting for you.)".into(),
                });
                None
            }
        };
        // In the last user message rather than a message of its own: many chat templates
        // refuse a system message after the first, or two user messages in a row.
        if let Some(last) = messages.last_mut() {
            last.content = format!("{}\n\n{notes}", last.content);
        }
        if let Some(i) = newest {
            self.notes.retain(|turn, _| *turn >= start);
            self.notes.insert(i, notes.clone());
        }
        Ok((messages, notes))
    }

    /// The system prompt and the window of history, as it will stand once `coming` more turns
    /// are in; and the index of the window's first turn.
    fn history(&self, iv: &Interview, coming: usize) -> Result<(Vec<Message>, usize)> {
        let sc = &iv.scenario;
        let data = json!({
            "persona": {"name": sc.persona.name, "role": sc.persona.role, "style": sc.persona.style},
            "scenario": {"title": sc.title, "prompt": sc.prompt, "kind": sc.kind.id()},
            "word_budget": self.config.word_budget,
        });
        let system = self
            .hb
            .render("llm-system.hbs", &data)
            .context("rendering llm-system.hbs")?;
        let mut messages = vec![Message {
            role: "system",
            content: system,
        }];
        let turns = iv.turns.len() + coming;
        let start = turns.saturating_sub(HISTORY_TURNS) / HISTORY_STEP * HISTORY_STEP;
        for (i, t) in iv.turns.iter().enumerate().skip(start) {
            let mut content = clipped(&t.text);
            let role = match t.role {
                Role::Candidate => "user",
                _ => "assistant",
            };
            if let Some(n) = self.notes.get(&i) {
                content = format!("{content}\n\n{n}");
            }
            messages.push(Message { role, content });
        }
        Ok((messages, start))
    }

    /// What the director's actions are for, one line each (`llm-move.hbs`): the checkpoint a
    /// follow-up builds on, a deep dive's angle, a press after a missed question, a fact and
    /// nothing beyond it. The words to use (the candidate's quoted, the fact's, the probe's)
    /// are in the scripted line after it, so the notes say each only once.
    fn moves(&self, req: &TurnRequest) -> Result<String> {
        let mut lines = Vec::new();
        for one in line::requests(req) {
            let text = self
                .hb
                .render("llm-move.hbs", &line::data(&one))
                .context("rendering llm-move.hbs")?;
            let text = scripted::tidy(&text);
            if !text.is_empty() {
                lines.push(text);
            }
        }
        Ok(lines.join("\n"))
    }

    /// The turn's line: the model's words as far as the guard lets them stand, or the scripted
    /// line.
    fn line(&mut self, req: &TurnRequest, show: &mut dyn FnMut(&str)) -> Result<Said> {
        let intent = self.scripted.lines(req)?;
        // The problem statement and the closing are the scenario's own words: read them as written.
        let verbatim = req.actions.iter().any(|a| {
            matches!(
                a,
                Action::AdvanceStage {
                    reason: Reason::Start,
                    ..
                } | Action::Debrief { .. }
            )
        }) || req.interview.phase == Phase::NotStarted;
        if verbatim {
            show(&intent);
            return Ok(Said {
                text: intent,
                ..Said::default()
            });
        }
        let moves = self.moves(req)?;
        let (messages, notes) = self.prompt(req.interview, &intent, &moves)?;
        let guard = Guard::new(req.interview, req.actions, &intent, &notes);
        let mut line = Line::new(self.config.word_budget);
        let result = {
            let mut on_text = |piece: &str| match line.take(piece, &guard, show) {
                true => Flow::Enough,
                false => Flow::Continue,
            };
            self.backend.stream(&messages, &mut on_text)
        };
        let done = match result {
            Ok(done) => done,
            Err(e) => {
                if !line.said.is_empty() {
                    show(" [cut off]\n");
                }
                show(&intent);
                let notice = format!(
                    "(model unavailable: {e}; {}. This turn used the scripted line.)",
                    e.hint()
                );
                return Ok(Said::scripted(intent, notice));
            }
        };
        if done.stopped {
            if line.said.is_empty() {
                show(&intent);
                let notice = "(model skipped; this turn used the scripted line)";
                return Ok(Said::scripted(intent, notice.into()));
            }
            // Ctrl-C: keep what was said, marked, and let the candidate answer.
            show(" [stopped]");
            return Ok(Said {
                text: format!("{} [stopped]", line.text()),
                first_token_ms: done.first_token_ms,
                total_ms: Some(done.total_ms),
                ..Said::default()
            });
        }
        line.finish(&guard, show);
        let text = match (&line.fault, line.said.is_empty()) {
            (None, true) => {
                show(&intent);
                let notice = "(the model said nothing; this turn used the scripted line)";
                return Ok(Said::scripted(intent, notice.into()));
            }
            (None, false) => line.text(),
            (Some(_), true) => {
                show(&intent);
                intent.clone()
            }
            // The sentences said stand; the turn still tells and asks what it was for.
            (Some(_), false) => {
                let mut text = line.text();
                for piece in guard.missing(&line.said) {
                    show(&format!(" {piece}"));
                    text = format!("{text} {piece}");
                }
                text
            }
        };
        Ok(Said {
            text,
            usage: done.usage,
            notice: None,
            first_token_ms: done.first_token_ms,
            total_ms: Some(done.total_ms),
            guarded: line.fault,
            ..Said::default()
        })
    }
}

/// A turn as the model is sent it: at most `TURN_CHARS`.
fn clipped(text: &str) -> String {
    text.chars().take(TURN_CHARS).collect()
}

impl<B: Backend> Interviewer for LlmInterviewer<B> {
    fn name(&self) -> String {
        format!("model {} at {}", self.config.model, self.config.shown_url())
    }

    /// The server reads the next request as far as it is known: everything before the answer,
    /// and the answer so far. The request that follows extends it (`request`).
    fn heard_so_far(&mut self, iv: &Interview, text: &str) {
        let Some(ahead) = &self.ahead else { return };
        let Ok((mut messages, _)) = self.history(iv, 1) else {
            return;
        };
        if messages.last().is_some_and(|m| m.role == "user") {
            return;
        }
        messages.push(Message {
            role: "user",
            content: clipped(text),
        });
        ahead.read(messages);
    }

    fn turn(&mut self, req: &TurnRequest, show: &mut dyn FnMut(&str)) -> Result<Said> {
        let mut said = self.line(req, show)?;
        said.read_ahead = self.ahead.as_ref().and_then(ReadAhead::spent);
        Ok(said)
    }
}

/// A model line as it is shown: the complete sentences that passed the guard, up to the first
/// that did not. A sentence still being written when the budget runs out is not said at all, so
/// what the candidate hears, and what goes back to the model as history, ends at a sentence end.
struct Line {
    visible: Visible,
    sentences: Sentences,
    said: Vec<String>,
    fault: Option<(LineFault, String)>,
}

impl Line {
    fn new(budget: usize) -> Line {
        Line {
            visible: Visible::new(budget),
            sentences: Sentences::default(),
            said: Vec::new(),
            fault: None,
        }
    }

    /// Take a piece of the stream; true once the line has all it will say.
    fn take(&mut self, piece: &str, guard: &Guard, show: &mut dyn FnMut(&str)) -> bool {
        let new = self.visible.push(piece);
        for s in self.sentences.push(&new) {
            if !self.admit(s, guard, show) {
                return true;
            }
        }
        if self.visible.full {
            self.last_sentence(guard, show);
        }
        self.visible.full
    }

    /// What the splitter still holds: said if the stream ended by itself, or if the budget ran
    /// out just as a sentence ended.
    fn last_sentence(&mut self, guard: &Guard, show: &mut dyn FnMut(&str)) {
        if let Some(s) = self.sentences.finish()
            && (!self.visible.full || s.ends_with(['.', '?', '!']))
        {
            self.admit(s, guard, show);
        }
    }

    fn admit(&mut self, s: String, guard: &Guard, show: &mut dyn FnMut(&str)) -> bool {
        if let Some(f) = guard.sentence(&s) {
            self.fault = Some((f, s));
            return false;
        }
        show(&if self.said.is_empty() {
            s.clone()
        } else {
            format!(" {s}")
        });
        self.said.push(s);
        true
    }

    /// The stream is over: its last sentence, unless the budget cut it, then the line's test.
    fn finish(&mut self, guard: &Guard, show: &mut dyn FnMut(&str)) {
        if self.fault.is_none() {
            self.last_sentence(guard, show);
        }
        if self.fault.is_none()
            && let Some(f) = guard.line(&self.said)
        {
            self.fault = Some((f, String::new()));
        }
    }

    fn text(&self) -> String {
        self.said.join(" ")
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
