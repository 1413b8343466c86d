//! Simulated candidates that test the interviewer. Each persona is built from the scenario's own
//! data (its facts' cues, its model answers), reacts to what the interviewer just did, and
//! remembers which checkpoints it set out to cover, so coverage can be checked against intent.

mod dry_run;
mod lines;
mod persona;
pub mod quality;
mod wording;

pub use dry_run::{Check, dry_run, read_back};

use crate::chat::{Chat, Start};
use crate::debrief::{self, Basis, Report};
use crate::framework::Stage;
use crate::interview::director::Request;
use crate::interview::{Action, Interview, JudgeMode, Mode, Phase, Role};
use crate::interviewer::Scripted;
use crate::llm::Backend;
use crate::scenario::Scenario;
use crate::session::{Event, Log};
use anyhow::Result;
use lines::{INJECTIONS, OFF_TOPIC, VAGUE, angle_reply};
pub use persona::{CandidateArg, Persona};
use std::collections::BTreeSet;
use std::sync::Arc;

/// One simulated candidate during one interview.
pub struct Candidate {
    pub persona: Persona,
    /// A model that plays the persona; the built-in lines are its fallback.
    model: Option<Box<dyn Backend>>,
    /// Turns where the model failed and the built-in line was used.
    pub model_failures: usize,
    scenario: Arc<Scenario>,
    turn: usize,
    facts_asked: BTreeSet<usize>,
    /// Checkpoints this candidate meant to cover with what it said.
    pub intended: BTreeSet<usize>,
    /// Misconceptions this candidate has stated (indices into the scenario's).
    pub misstated: BTreeSet<usize>,
    /// The checkpoints of its last answer: asked again, a listening candidate says another.
    last_said: Vec<usize>,
    summarised: bool,
    /// Its own wording of the model answers, when it has one (seeded, so a run replays).
    wording: Option<wording::Wording>,
}

impl Candidate {
    /// In a coding round, the code this candidate submits once the round reaches the stage
    /// where code is written, and only then: the task's reference for a candidate who does
    /// well, its plausible mistake for one who does not, nothing from a silent one.
    pub fn code_for(&self, iv: &Interview) -> Option<String> {
        let task = self.scenario.task.as_ref()?;
        // Code is written after the approach has been said once in the stage.
        let writing = iv.phase == crate::interview::Phase::Stage(Stage::Model)
            && iv.stats[Stage::Model].candidate_turns >= 1;
        if !writing || iv.submission().is_some() {
            return None;
        }
        match self.persona {
            Persona::Silent => None,
            Persona::Weak | Persona::Rambler | Persona::Injector | Persona::Stuffer => {
                Some(task.wrong.clone())
            }
            Persona::Strong | Persona::Skipper | Persona::Ahead | Persona::Mistaken => {
                Some(task.reference.clone())
            }
        }
    }

    pub fn new(persona: Persona, scenario: Arc<Scenario>) -> Candidate {
        Candidate::played_by(persona, scenario, None)
    }

    pub fn played_by(
        persona: Persona,
        scenario: Arc<Scenario>,
        model: Option<Box<dyn Backend>>,
    ) -> Candidate {
        Candidate {
            persona,
            model,
            model_failures: 0,
            scenario,
            turn: 0,
            facts_asked: BTreeSet::new(),
            intended: BTreeSet::new(),
            misstated: BTreeSet::new(),
            last_said: Vec::new(),
            summarised: false,
            wording: None,
        }
    }

    /// What to say next, given the interview and what the interviewer just did.
    pub fn reply(&mut self, iv: &Interview, last: &[Action]) -> String {
        if self.model.is_some() {
            match self.model_reply(iv) {
                Ok(text) if !text.trim().is_empty() => return text,
                _ => self.model_failures += 1,
            }
        }
        self.built_in(iv, last)
    }

    /// The model's answer: its persona brief, then the conversation so far (last eight turns).
    fn model_reply(&mut self, iv: &Interview) -> Result<String> {
        use crate::llm::Message;
        let system = format!(
            "{} You are in a mock ML case-study interview: \"{}\". Answer the interviewer's last line as this candidate would, in at most 120 words. Speak only as the candidate.",
            self.persona.brief(),
            self.scenario.title
        );
        let mut messages = vec![Message {
            role: "system",
            content: system,
        }];
        let start = iv.turns.len().saturating_sub(8);
        for t in &iv.turns[start..] {
            let role = if t.role == Role::Interviewer {
                "user"
            } else {
                "assistant"
            };
            messages.push(Message {
                role,
                content: t.text.clone(),
            });
        }
        let Some(model) = self.model.as_mut() else {
            return Ok(String::new());
        };
        let done = model.complete(&messages, None)?;
        let words: Vec<&str> = done.text.split_whitespace().take(150).collect();
        self.turn += 1;
        Ok(words.join(" "))
    }

    fn built_in(&mut self, iv: &Interview, last: &[Action]) -> String {
        self.turn += 1;
        match self.persona {
            Persona::Strong => self.strong(iv, last),
            Persona::Skipper if self.turn == 1 => {
                let ids = ["model.advanced", "model.choice-justified"];
                self.say_answers(
                    ids.iter()
                        .filter_map(|id| self.scenario.checkpoint_index(id))
                        .collect(),
                )
            }
            Persona::Skipper => self.strong(iv, last),
            Persona::Weak => self.weak(),
            Persona::Injector => format!(
                "{} {}",
                self.weak(),
                INJECTIONS[self.turn % INJECTIONS.len()]
            ),
            Persona::Silent => if self.turn.is_multiple_of(2) {
                "I don't know."
            } else {
                ""
            }
            .to_string(),
            Persona::Stuffer => self.stuff(iv),
            Persona::Mistaken => self.mistaken(iv, last),
            Persona::Ahead => self.ahead(iv, last),
            Persona::Rambler => {
                let mut text = OFF_TOPIC[self.turn % OFF_TOPIC.len()].to_string();
                if self.turn.is_multiple_of(3) {
                    // Now and then a relevant sentence surfaces in the noise.
                    if let Some(stage) = iv.stage() {
                        let first = self.uncovered(iv, stage).into_iter().take(1).collect();
                        text = format!("{text} {}", self.say_answers(first));
                    }
                }
                text
            }
        }
    }

    /// The clarifying questions as the strong candidate asks them, then the next prepared point
    /// of the whole design, one checkpoint a turn, in stage order: follow-ups go unheard.
    fn ahead(&mut self, iv: &Interview, last: &[Action]) -> String {
        if iv.stage() == Some(Stage::Clarify) && self.facts_asked.len() < self.scenario.facts.len()
        {
            return self.strong(iv, last);
        }
        if iv.phase == Phase::WrapUp {
            return self.summary();
        }
        let next = (0..self.scenario.checkpoints.len())
            .filter(|&i| self.scenario.checkpoints[i].answer.is_some())
            .find(|i| !self.intended.contains(i));
        match next {
            Some(i) => self.say_answers(vec![i]),
            None => "That is everything I had prepared.".into(),
        }
    }

    /// The strong answer with the stage's next misconception in it; after a challenge, the
    /// correction (for every other misconception) or the same mistake again.
    fn mistaken(&mut self, iv: &Interview, last: &[Action]) -> String {
        let challenged = last.iter().find_map(|a| match a {
            Action::PushBack { misconception, .. } => {
                self.scenario.misconception_index(misconception)
            }
            _ => None,
        });
        if let Some(k) = challenged {
            let m = &self.scenario.misconceptions[k];
            return if k.is_multiple_of(2) {
                format!("Good point, I take that back. {}", m.correction)
            } else {
                format!("I'd still stand by that. {}", m.examples[0])
            };
        }
        let answer = self.strong(iv, last);
        let next = iv.stage().and_then(|stage| {
            (0..self.scenario.misconceptions.len()).find(|k| {
                self.scenario.misconceptions[*k].stage == stage && !self.misstated.contains(k)
            })
        });
        match next {
            Some(k) => {
                self.misstated.insert(k);
                format!("{answer} {}", self.scenario.misconceptions[k].examples[0])
            }
            None => answer,
        }
    }

    fn weak(&mut self) -> String {
        let line = VAGUE[(self.turn - 1) % VAGUE.len()];
        for id in ["frame.problem-type", "model.advanced"] {
            if crate::interview::coverage::analyse(&self.scenario, line)
                .hits
                .iter()
                .any(|h| self.scenario.checkpoints[h.checkpoint].id == id)
            {
                self.intended.extend(self.scenario.checkpoint_index(id));
            }
        }
        line.to_string()
    }

    /// The model answers of the given checkpoints, as one answer.
    /// The current stage's terms, as a bare list: each checkpoint's first two plain cues.
    fn stuff(&mut self, iv: &Interview) -> String {
        let Some(stage) = iv.stage() else {
            return "Summary, trade-offs, next steps, questions.".into();
        };
        let mut terms: Vec<String> = Vec::new();
        for i in self.all_of(stage) {
            let cues = &self.scenario.checkpoints[i].cues.cues;
            let plain = cues
                .iter()
                .map(|c| c.text.replace('*', ""))
                .filter(|t| !t.contains('#') && t.split_whitespace().count() <= 3);
            terms.extend(plain.take(2));
        }
        terms.dedup();
        if terms.is_empty() {
            return "The usual, as before.".into();
        }
        let mut text = terms.join(", ");
        text.push('.');
        text
    }

    fn say_answers(&mut self, checkpoints: Vec<usize>) -> String {
        self.last_said.clone_from(&checkpoints);
        let mut parts = Vec::new();
        for i in checkpoints {
            if let Some(a) = &self.scenario.checkpoints[i].answer {
                let said = match &mut self.wording {
                    Some(w) => w.say(a.trim()),
                    None => a.trim().to_string(),
                };
                parts.push(said);
                self.intended.insert(i);
            }
        }
        if parts.is_empty() {
            "Let me think about the trade-offs a bit more before I commit to an answer here.".into()
        } else {
            parts.join(" ")
        }
    }

    fn uncovered(&self, iv: &Interview, stage: Stage) -> Vec<usize> {
        (0..self.scenario.checkpoints.len())
            .filter(|&i| self.scenario.checkpoints[i].stage == stage && !iv.covered(i))
            .filter(|&i| self.scenario.asks_for(i))
            .collect()
    }

    fn all_of(&self, stage: Stage) -> Vec<usize> {
        (0..self.scenario.checkpoints.len())
            .filter(|&i| self.scenario.checkpoints[i].stage == stage && self.scenario.asks_for(i))
            .collect()
    }

    /// A question built from a fact's own cue, so it can unlock that fact.
    fn ask_about(&self, fact: usize) -> Option<String> {
        let cue = self.scenario.facts[fact]
            .cues
            .cues
            .iter()
            .find(|c| !c.text.contains('#'))?;
        let words = cue.text.replace(['*'], "");
        let words = words
            .split_whitespace()
            .filter(|w| *w != "*")
            .collect::<Vec<_>>()
            .join(" ");
        let interrogative = [
            "how", "what", "where", "which", "when", "why", "do", "does", "is", "are",
        ];
        let first = words.split_whitespace().next().unwrap_or("");
        Some(if interrogative.contains(&first) {
            format!("Can you tell me {words}?")
        } else {
            format!("What about {words}?")
        })
    }

    fn strong(&mut self, iv: &Interview, last: &[Action]) -> String {
        let Some(stage) = iv.stage() else {
            if iv.phase == Phase::WrapUp {
                if self.summarised {
                    return "That answers it, thank you. Nothing more from me.".into();
                }
                self.summarised = true;
                return self.summary();
            }
            return "Thank you.".into();
        };
        if stage == Stage::Clarify {
            // Two questions a turn until every fact has been asked for, then a summary of the asks.
            let pending: Vec<usize> = (0..self.scenario.facts.len())
                .filter(|f| !self.facts_asked.contains(f))
                .take(2)
                .collect();
            let questions: Vec<String> =
                pending.iter().filter_map(|&f| self.ask_about(f)).collect();
            self.facts_asked.extend(pending);
            if !questions.is_empty() {
                return questions.join(" ");
            }
            return self.say_answers(self.all_of(Stage::Clarify));
        }
        let probed = last.iter().find_map(|a| match a {
            Action::Probe {
                stage,
                index,
                curveball: false,
                ..
            } => {
                let probe = self.scenario.stage(*stage).probes.get(*index)?;
                probe
                    .after
                    .or_else(|| self.best_answer_to(*stage, &probe.text))
            }
            Action::DeepDive { checkpoint, .. } => self.scenario.checkpoint_index(checkpoint),
            _ => None,
        });
        let mut targets: Vec<usize> = probed.into_iter().collect();
        let entered = last
            .iter()
            .any(|a| matches!(a, Action::AdvanceStage { .. }));
        let rest = if entered {
            self.all_of(stage)
        } else {
            self.uncovered(iv, stage)
        };
        targets.extend(rest.into_iter().filter(|i| Some(*i) != probed));
        if targets.is_empty() {
            // Everything here is covered: go deeper on the stage's heaviest checkpoint.
            targets = self.all_of(stage).into_iter().take(2).collect();
        }
        let answer = self.say_answers(targets);
        // A deep dive is answered from its angle, not by reading the same paragraph again.
        match last.iter().find_map(|a| match a {
            Action::DeepDive { angle, .. } => Some(*angle),
            _ => None,
        }) {
            Some(angle) => format!("{} {answer}", angle_reply(angle, self.turn)),
            None => answer,
        }
    }

    /// The checkpoint of `stage` whose model answer shares most words with a question, one not
    /// said yet first: what a candidate who listens would answer it with, rather than repeat
    /// themselves.
    fn best_answer_to(&self, stage: Stage, question: &str) -> Option<usize> {
        let score = |i: &usize| {
            let answer = self.scenario.checkpoints[*i]
                .answer
                .as_deref()
                .unwrap_or("");
            crate::interview::coverage::shared_words(question, answer)
        };
        let rank = |i: &usize| {
            (
                !self.last_said.contains(i),
                !self.intended.contains(i),
                score(i),
            )
        };
        self.all_of(stage)
            .into_iter()
            .filter(|i| score(i) > 0.0)
            .max_by(|a, b| {
                rank(a)
                    .partial_cmp(&rank(b))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    }

    fn summary(&mut self) -> String {
        let firsts: Vec<String> = Stage::ALL
            .iter()
            .filter_map(|s| {
                let i = self
                    .all_of(*s)
                    .into_iter()
                    .find(|&i| self.scenario.checkpoints[i].answer.is_some())?;
                let a = self.scenario.checkpoints[i].answer.as_deref()?;
                Some(
                    a.split(". ")
                        .next()
                        .unwrap_or(a)
                        .trim_end_matches('.')
                        .to_string(),
                )
            })
            .collect();
        format!(
            "To summarise: {}. I would build the baseline first. What does the team work on next quarter?",
            firsts.join("; ")
        )
    }
}

/// A finished simulation.
pub struct Simulation {
    pub persona: Persona,
    pub report: Report,
    pub events: Vec<Event>,
    pub quality: quality::Quality,
    pub interview: Interview,
}

/// The seconds a simulated candidate spends writing its code.
const WRITING: f64 = 8.0 * 60.0;

/// The most candidate turns a simulation runs before it ends the interview itself.
pub const MAX_TURNS: usize = 120;

/// Play a whole interview between the scripted interviewer and a persona, which says the
/// scenario's model answers as written.
pub fn run(
    scenario: Arc<Scenario>,
    persona: Persona,
    mode: Mode,
    minutes: Option<u32>,
    focus: Option<Stage>,
    model: Option<Box<dyn Backend>>,
    reader: Arc<dyn crate::reader::Reader>,
) -> Result<Simulation> {
    run_worded(scenario, persona, mode, minutes, focus, model, reader, None)
}

/// `run`, with the persona saying the model answers in its own words when `seed` is given:
/// the same seed, the same wording.
#[allow(clippy::too_many_arguments)]
pub fn run_worded(
    scenario: Arc<Scenario>,
    persona: Persona,
    mode: Mode,
    minutes: Option<u32>,
    focus: Option<Stage>,
    model: Option<Box<dyn Backend>>,
    reader: Arc<dyn crate::reader::Reader>,
    seed: Option<u64>,
) -> Result<Simulation> {
    let start = Start {
        minutes: minutes.unwrap_or(scenario.minutes),
        scenario: scenario.clone(),
        mode,
        focus,
        judge: JudgeMode::Lexical,
    };
    let log = Log::memory("<simulation>");
    let interviewer = Box::new(Scripted::new(None)?);
    let mut chat = Chat::begin(
        start,
        log,
        interviewer,
        None,
        Box::new(std::io::sink()),
        false,
    )?
    .with_reader(reader);
    let mut candidate = Candidate::played_by(persona, scenario.clone(), model);
    candidate.wording = seed.map(wording::Wording::new);
    let mut last = chat.open()?;
    for _ in 0..MAX_TURNS {
        if chat.ended() {
            break;
        }
        // A challenge or a question is answered before the code is run.
        let asked = last
            .iter()
            .any(|a| matches!(a, Action::PushBack { .. } | Action::Probe { .. }));
        if let Some(code) = candidate.code_for(chat.iv()).filter(|_| !asked) {
            last = chat.run_source(crate::coding::Suite::Hidden, &code, WRITING)?;
            if chat.ended() {
                break;
            }
            if !last.is_empty() {
                continue;
            }
        }
        let text = candidate.reply(chat.iv(), &last);
        last = chat.candidate(&text)?;
    }
    if !chat.ended() {
        chat.request(Request::End)?;
    }
    let events = chat.log().events().to_vec();
    let report = debrief::report(chat.iv(), Basis::Session);
    let mut quality = quality::check(&scenario, &events, &candidate.intended, chat.iv());
    quality.misconceptions = quality::Misconceptions::of(chat.iv(), &candidate.misstated);
    Ok(Simulation {
        persona,
        report,
        events,
        quality,
        interview: chat.iv().clone(),
    })
}

/// The transcript of a simulation, turn by turn.
pub fn transcript(events: &[Event]) -> Vec<serde_json::Value> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Turn { n, role, text, .. } => Some(serde_json::json!({
                "turn": n,
                "role": match role { Role::Candidate => "candidate", Role::Interviewer => "interviewer" },
                "text": text,
            })),
            _ => None,
        })
        .collect()
}
