//! The interviewer whose words come from a model. The director has already decided what happens;
//! the model only phrases it. The scripted line for the turn is the intent it paraphrases, so the
//! model never sees a model answer. Its words are streamed, held to a word budget in code, cleaned
//! of thinking text, and replaced by the scripted line when the endpoint fails.

use super::{Interviewer, Said, Scripted, TurnRequest, templates};
use crate::cue::word_count;
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
/// it resolves), and at most `budget` words.
#[derive(Debug, Default)]
pub struct Visible {
    raw: String,
    shown: String,
    budget: usize,
    pub full: bool,
}

impl Visible {
    pub fn new(budget: usize) -> Visible {
        Visible {
            budget,
            ..Visible::default()
        }
    }

    /// Add streamed text; returns what may be shown now.
    pub fn push(&mut self, piece: &str) -> String {
        self.raw.push_str(piece);
        let mut clean = strip_think(&self.raw);
        if let Some(i) = partial_tag(&clean) {
            clean.truncate(i);
        }
        let clean = clean.trim_start().to_string();
        let mut next = clean.clone();
        if word_count(&clean) > self.budget {
            next = cut_words(&clean, self.budget);
            self.full = true;
        }
        // Trailing space waits for the word after it, so a cut never leaves a space behind.
        let next = next.trim_end().to_string();
        let new = next.get(self.shown.len()..).unwrap_or("").to_string();
        self.shown = next;
        new
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

fn strip_think(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find("<think>") {
        out.push_str(&rest[..i]);
        match rest[i..].find("</think>") {
            Some(j) => rest = &rest[i + j + "</think>".len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Where a trailing, possibly partial `<think>` tag starts.
fn partial_tag(s: &str) -> Option<usize> {
    let tag = "<think>";
    (1..tag.len())
        .rev()
        .find(|&n| s.ends_with(&tag[..n]))
        .map(|n| s.len() - n)
}

fn cut_words(s: &str, n: usize) -> String {
    let mut count = 0;
    for (i, c) in s.char_indices() {
        let at_word = !c.is_whitespace() && (i == 0 || s[..i].ends_with(char::is_whitespace));
        if at_word {
            count += 1;
            if count > n {
                return s[..i].trim_end().to_string();
            }
        }
    }
    s.to_string()
}

impl<B: Backend> Interviewer for LlmInterviewer<B> {
    fn name(&self) -> String {
        format!("model {} at {}", self.config.model, self.config.base_url)
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
