//! The interviewer whose words come from a model. The director has already decided what happens;
//! the model only phrases it. The scripted line for the turn is the intent it paraphrases, so the
//! model never sees a model answer. Its words are streamed, held to a word budget in code, cleaned
//! of thinking text, and replaced by the scripted line when the endpoint fails.

use super::{Interviewer, Said, Scripted, TurnRequest, templates};
use crate::framework::Stage;
use crate::interview::{Action, Interview, Phase, Reason, Role};
use crate::llm::{Backend, Flow, LlmConfig, Message};
use anyhow::{Context, Result};
use handlebars::Handlebars;
use serde_json::json;

/// Turns of conversation sent with each request; older ones are summarised by stage.
const HISTORY_TURNS: usize = 6;
/// Longest stretch of one turn sent to the model.
const TURN_CHARS: usize = 1200;
/// The system prompt; a user prompts folder overrides it by file name.
const TEMPLATES: &[(&str, &str)] = &[(
    "llm-system.hbs",
    include_str!("../../prompts/llm-system.hbs"),
)];

pub struct LlmInterviewer<B: Backend> {
    backend: B,
    scripted: Scripted,
    hb: Handlebars<'static>,
    config: LlmConfig,
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
        })
    }

    /// The request for one turn: a system prompt with the state and the intent, then the last
    /// few turns. Its size does not grow with the interview.
    pub fn messages(&self, iv: &Interview, intent: &str) -> Result<Vec<Message>> {
        let sc = &iv.scenario;
        let stage = iv.stage().unwrap_or(Stage::Deployment);
        let earlier: Vec<String> = Stage::ALL
            .iter()
            .filter(|s| **s < stage && iv.stats[**s].entered_at.is_some())
            .map(|s| {
                format!(
                    "{} ({:.0}% covered)",
                    s.name(),
                    iv.stage_coverage(*s) * 100.0
                )
            })
            .collect();
        let data = json!({
            "persona": {"name": sc.persona.name, "role": sc.persona.role, "style": sc.persona.style},
            "scenario": {"title": sc.title, "prompt": sc.prompt, "kind": sc.kind.id()},
            "stage": {"number": stage.index() + 1, "name": stage.name(), "goal": stage.goal()},
            "earlier": earlier.join(", "),
            "uncovered": iv.scenario.checkpoints.iter().enumerate()
                .filter(|(i, c)| c.stage == stage && !iv.covered(*i))
                .map(|(_, c)| c.title.as_str()).collect::<Vec<_>>().join("; "),
            "word_budget": self.config.word_budget,
            "intent": intent,
        });
        let system = self
            .hb
            .render("llm-system.hbs", &data)
            .context("rendering llm-system.hbs")?;
        let mut messages = vec![Message {
            role: "system",
            content: system,
        }];
        let start = iv.turns.len().saturating_sub(HISTORY_TURNS);
        for t in &iv.turns[start..] {
            let content: String = t.text.chars().take(TURN_CHARS).collect();
            let role = if t.role == Role::Candidate {
                "user"
            } else {
                "assistant"
            };
            messages.push(Message { role, content });
        }
        if messages.last().is_none_or(|m| m.role != "user") {
            messages.push(Message {
                role: "user",
                content: "(The candidate is waiting for you.)".into(),
            });
        }
        Ok(messages)
    }
}

/// Visible text out of a raw stream: `<think>` blocks removed (a partial tag is held back until
/// it resolves), and at most `budget` words. Each piece is looked at once, so a reply costs time
/// in proportion to its length however finely it is streamed.
#[derive(Debug, Default)]
pub struct Visible {
    /// The end of the stream that may be the start of a tag, held until the next piece.
    pending: String,
    thinking: bool,
    shown: String,
    /// Whitespace after the last word, shown only when another word follows.
    space: String,
    words: usize,
    budget: usize,
    pub full: bool,
}

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

impl Visible {
    pub fn new(budget: usize) -> Visible {
        Visible {
            budget,
            ..Visible::default()
        }
    }

    /// Add streamed text; returns what may be shown now.
    pub fn push(&mut self, piece: &str) -> String {
        self.pending.push_str(piece);
        let mut new = String::new();
        loop {
            let tag = if self.thinking { CLOSE } else { OPEN };
            if let Some(i) = self.pending.find(tag) {
                if !self.thinking {
                    let before = self.pending[..i].to_string();
                    self.show(&before, &mut new);
                }
                self.pending.drain(..i + tag.len());
                self.thinking = !self.thinking;
                continue;
            }
            let keep = partial_tag(&self.pending, tag).unwrap_or(self.pending.len());
            if !self.thinking {
                let before = self.pending[..keep].to_string();
                self.show(&before, &mut new);
            }
            self.pending.drain(..keep);
            self.shown.push_str(&new);
            return new;
        }
    }

    /// Add visible text to `new` word by word, up to the budget.
    fn show(&mut self, text: &str, new: &mut String) {
        for c in text.chars() {
            if self.full {
                return;
            }
            if c.is_whitespace() {
                if self.words > 0 {
                    self.space.push(c);
                }
                continue;
            }
            if self.words == 0 || !self.space.is_empty() {
                if self.words == self.budget {
                    self.full = true;
                    return;
                }
                self.words += 1;
            }
            new.push_str(&self.space);
            self.space.clear();
            new.push(c);
        }
    }

    pub fn text(&self) -> String {
        let t = self.shown.trim().to_string();
        if self.full && !t.ends_with(['.', '?', '!']) {
            format!("{t}...")
        } else {
            t
        }
    }
}

/// Where a trailing, possibly partial `tag` starts.
fn partial_tag(s: &str, tag: &str) -> Option<usize> {
    (1..tag.len())
        .rev()
        .find(|&n| s.ends_with(&tag[..n]))
        .map(|n| s.len() - n)
}

impl<B: Backend> Interviewer for LlmInterviewer<B> {
    fn name(&self) -> String {
        format!("model {} at {}", self.config.model, self.config.shown_url())
    }

    fn turn(&mut self, req: &TurnRequest, show: &mut dyn FnMut(&str)) -> Result<Said> {
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
        let messages = self.messages(req.interview, &intent)?;
        let mut visible = Visible::new(self.config.word_budget);
        let mut on_text = |piece: &str| {
            let new = visible.push(piece);
            if !new.is_empty() {
                show(&new);
            }
            // Past the budget nothing more is shown, but the stream is read to its end (max_tokens
            // bounds it) so that the server's usage report arrives.
            Flow::Continue
        };
        match self.backend.stream(&messages, &mut on_text) {
            Ok(done) if done.stopped && visible.text().is_empty() => {
                show(&intent);
                Ok(Said {
                    text: intent,
                    notice: Some("(model skipped; this turn used the scripted line)".into()),
                    ..Said::default()
                })
            }
            Ok(done) if done.stopped => {
                // Ctrl-C: keep what was said, marked, and let the candidate answer.
                show(" [stopped]");
                let text = format!("{} [stopped]", visible.text())
                    .trim_start()
                    .to_string();
                Ok(Said {
                    text,
                    usage: None,
                    notice: None,
                    first_token_ms: done.first_token_ms,
                    total_ms: Some(done.total_ms),
                })
            }
            Ok(done) if !visible.text().is_empty() => {
                let text = visible.text();
                if visible.full && text.ends_with("...") {
                    show("...");
                }
                Ok(Said {
                    text,
                    usage: done.usage,
                    notice: None,
                    first_token_ms: done.first_token_ms,
                    total_ms: Some(done.total_ms),
                })
            }
            Ok(_) => {
                show(&intent);
                Ok(Said {
                    text: intent,
                    usage: None,
                    first_token_ms: None,
                    total_ms: None,
                    notice: Some(
                        "(the model said nothing; this turn used the scripted line)".into(),
                    ),
                })
            }
            // The whole line was said before the stream failed: it stands.
            Err(_) if visible.full => {
                let text = visible.text();
                if text.ends_with("...") {
                    show("...");
                }
                Ok(Said {
                    text,
                    ..Said::default()
                })
            }
            Err(e) => {
                if !visible.text().is_empty() {
                    show(" [cut off]\n");
                }
                show(&intent);
                let notice = format!(
                    "(model unavailable: {e}; {}. This turn used the scripted line.)",
                    e.hint()
                );
                Ok(Said {
                    text: intent,
                    usage: None,
                    first_token_ms: None,
                    total_ms: None,
                    notice: Some(notice),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinking_is_hidden_even_when_the_tag_is_split() {
        let mut v = Visible::new(60);
        let mut shown = String::new();
        for piece in [
            "<th",
            "ink>plan the ",
            "question</thi",
            "nk>",
            "What is ",
            "the goal?",
        ] {
            shown.push_str(&v.push(piece));
        }
        assert_eq!(shown, "What is the goal?");
        assert_eq!(v.text(), "What is the goal?");
    }

    #[test]
    fn pieces_are_joined_as_one_text_whatever_their_cuts() {
        let text = "  <think>a plan</think>\n\nWhat is   the\tgoal? <think>more";
        for size in [1, 2, 3, 7, 100] {
            let mut v = Visible::new(60);
            let chars: Vec<char> = text.chars().collect();
            let shown: String = chars
                .chunks(size)
                .map(|c| v.push(&c.iter().collect::<String>()))
                .collect();
            assert_eq!(shown, "What is   the\tgoal?", "pieces of {size}");
            assert_eq!(v.text(), "What is   the\tgoal?");
        }
    }

    #[test]
    fn the_word_budget_is_enforced_on_the_stream() {
        let mut v = Visible::new(5);
        let mut shown = String::new();
        for piece in ["One two three ", "four five six ", "seven"] {
            shown.push_str(&v.push(piece));
            if v.full {
                break;
            }
        }
        assert_eq!(shown, "One two three four five");
        assert!(v.full);
        assert_eq!(v.text(), "One two three four five...");
    }
}
