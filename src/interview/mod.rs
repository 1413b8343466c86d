//! The interview as a pure state machine. Inputs are candidate turns, interviewer lines and
//! actions, each stamped with the session clock; nothing here reads a clock, a file or the
//! network. The director (`director.rs`) looks at the state and returns actions as data; `apply`
//! is the only place state changes because of them, live or when a session log is replayed.

pub mod clock;
pub mod coverage;
pub mod director;

use crate::framework::Stage;
use crate::scenario::Scenario;
use clock::Budget;
use coverage::{Analysis, Hit};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Realistic: hints only when stuck or asked.
    #[default]
    Interview,
    /// Practice: live checklist and eager hints.
    Coach,
}

impl Mode {
    pub fn id(self) -> &'static str {
        match self {
            Mode::Interview => "interview",
            Mode::Coach => "coach",
        }
    }
}

/// Who judges coverage. Part of the session log: the `started` event records it as `judge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JudgeMode {
    Lexical,
    Llm,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    NotStarted,
    Stage(Stage),
    WrapUp,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Candidate,
    Interviewer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    Start,
    Time,
    Coverage,
    Candidate,
    Stuck,
    Skip,
    Finished,
    Ended,
    Inferred,
}

/// What the interviewer does next. Serialised into the session log as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Action {
    /// Answer the candidate's question from hidden facts; no facts means the scenario's answer for
    /// questions nobody planned.
    AnswerFact {
        facts: Vec<String>,
        repeat: bool,
    },
    /// A follow-up question: the stage's probe `index`, or curveball `index` when `curveball`.
    Probe {
        stage: Stage,
        index: usize,
        curveball: bool,
    },
    /// A hint of `level` (1 = gentlest); `checkpoint` names the gap once the scenario's hints run out.
    Hint {
        stage: Stage,
        level: usize,
        checkpoint: Option<String>,
    },
    AdvanceStage {
        from: Option<Stage>,
        to: Stage,
        reason: Reason,
    },
    /// Steer a candidate who designs before clarifying back to questions; `quote` is what they said.
    Redirect {
        quote: String,
    },
    WrapUp {
        reason: Reason,
    },
    Debrief {
        reason: Reason,
    },
}

impl Action {
    pub fn kind(&self) -> &'static str {
        match self {
            Action::AnswerFact { .. } => "answer-fact",
            Action::Probe { .. } => "probe",
            Action::Hint { .. } => "hint",
            Action::AdvanceStage { .. } => "advance-stage",
            Action::Redirect { .. } => "redirect",
            Action::WrapUp { .. } => "wrap-up",
            Action::Debrief { .. } => "debrief",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// 1-based position in the transcript, counting both roles.
    pub n: usize,
    pub role: Role,
    pub text: String,
    /// Session clock (seconds) at the end of the turn.
    pub at: f64,
    pub phase: Phase,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub turn: usize,
    pub quote: String,
    pub source: Source,
}

/// Which judge found a piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Lexical,
    Model,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageStats {
    pub entered_at: Option<f64>,
    pub left_at: Option<f64>,
    pub hints: usize,
    pub probes_asked: usize,
    pub probes_answered: usize,
    /// Transcript turns that carried this stage's hints and probes, for the debrief to cite.
    pub hint_turns: Vec<usize>,
    pub probe_turns: Vec<usize>,
    pub candidate_turns: usize,
}

impl StageStats {
    pub fn seconds(&self, now: f64) -> f64 {
        match self.entered_at {
            Some(e) => self.left_at.unwrap_or(now) - e,
            None => 0.0,
        }
    }
}

/// How a spoken answer sounded: measured from its recording and transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoiceNote {
    pub turn: usize,
    pub audio_seconds: f64,
    pub speech_seconds: f64,
    pub longest_pause: f64,
    pub words_per_minute: f64,
    pub fillers: usize,
    pub transcribe_ms: u64,
}

/// What one candidate turn added, for the driver to log and show.
#[derive(Debug, Clone)]
pub struct Observation {
    pub turn: usize,
    pub analysis: Analysis,
    /// Checkpoints this turn covered for the first time.
    pub new: Vec<Hit>,
}

#[derive(Debug, Clone)]
pub struct Interview {
    pub scenario: Arc<Scenario>,
    pub mode: Mode,
    pub budget: Budget,
    pub phase: Phase,
    pub turns: Vec<Turn>,
    /// Evidence per checkpoint (indexed like `scenario.checkpoints`), first three turns kept.
    pub evidence: Vec<Vec<Evidence>>,
    pub stats: [StageStats; 8],
    pub probes_asked: Vec<Vec<bool>>,
    pub curveballs_fired: Vec<bool>,
    pub revealed: Vec<bool>,
    /// Candidate statements in a row that covered nothing new.
    pub dry_turns: usize,
    /// The stage of a probe whose answer is still due.
    pub pending_probe: Option<Stage>,
    pub redirects: usize,
    pub injections: usize,
    pub notes: Vec<String>,
    pub now: f64,
    /// A stage to practise harder: more time, and every probe asked before moving on.
    pub focus: Option<Stage>,
    /// Whether the lexical matcher credits coverage (off when only the model judges).
    pub lexical: bool,
    /// Model-judge claims dropped because their quote was not the candidate's words.
    pub judge_dropped: usize,
    /// Spoken answers' delivery, one per recorded answer.
    pub voice: Vec<VoiceNote>,
}

const MAX_EVIDENCE: usize = 3;

impl Interview {
    pub fn new(scenario: Arc<Scenario>, mode: Mode, minutes: u32) -> Interview {
        let budget = Budget::from_split(scenario.budget.as_ref(), scenario.minutes, minutes);
        let n_cp = scenario.checkpoints.len();
        Interview {
            probes_asked: scenario
                .stages
                .iter()
                .map(|p| vec![false; p.probes.len()])
                .collect(),
            curveballs_fired: vec![false; scenario.curveballs.len()],
            revealed: vec![false; scenario.facts.len()],
            evidence: vec![Vec::new(); n_cp],
            scenario,
            mode,
            budget,
            phase: Phase::NotStarted,
            turns: Vec::new(),
            stats: Default::default(),
            dry_turns: 0,
            pending_probe: None,
            redirects: 0,
            injections: 0,
            notes: Vec::new(),
            now: 0.0,
            focus: None,
            lexical: true,
            judge_dropped: 0,
            voice: Vec::new(),
        }
    }

    /// Practise `stage` harder: half as much time again for it, taken evenly from the others.
    pub fn set_focus(&mut self, stage: Stage) {
        self.focus = Some(stage);
        let extra = self.budget.stage(stage) * 0.5;
        let others: f64 = Stage::ALL
            .iter()
            .filter(|s| **s != stage)
            .map(|s| self.budget.stage(*s))
            .sum();
        for s in Stage::ALL {
            let b = &mut self.budget.stages[s.index()];
            if s == stage {
                *b += extra;
            } else if others > 0.0 {
                *b -= extra * *b / others;
            }
        }
    }

    pub fn stage(&self) -> Option<Stage> {
        match self.phase {
            Phase::Stage(s) => Some(s),
            _ => None,
        }
    }

    pub fn covered(&self, checkpoint: usize) -> bool {
        !self.evidence[checkpoint].is_empty()
    }

    /// Weighted share of a stage's checkpoints covered, 0 to 1.
    pub fn stage_coverage(&self, stage: Stage) -> f64 {
        let (mut got, mut all) = (0.0, 0.0);
        for (i, c) in self
            .scenario
            .checkpoints
            .iter()
            .enumerate()
            .filter(|(_, c)| c.stage == stage)
        {
            all += c.weight;
            if self.covered(i) {
                got += c.weight;
            }
        }
        if all == 0.0 { 1.0 } else { got / all }
    }

    pub fn candidate_turns(&self) -> impl Iterator<Item = &Turn> {
        self.turns.iter().filter(|t| t.role == Role::Candidate)
    }

    /// The opening actions of a fresh interview.
    pub fn start(&mut self, at: f64) -> Vec<Action> {
        let actions = vec![Action::AdvanceStage {
            from: None,
            to: Stage::Clarify,
            reason: Reason::Start,
        }];
        for a in &actions {
            self.apply(a, at);
        }
        actions
    }

    /// Record a candidate turn: coverage and bookkeeping, no decisions.
    pub fn observe(&mut self, text: &str, at: f64) -> Observation {
        self.now = at;
        let n = self.turns.len() + 1;
        self.turns.push(Turn {
            n,
            role: Role::Candidate,
            text: text.to_string(),
            at,
            phase: self.phase,
        });
        if let Some(s) = self.stage() {
            self.stats[s.index()].candidate_turns += 1;
        }
        let analysis = coverage::analyse(&self.scenario, text);
        self.injections += analysis.injections;
        let mut new = Vec::new();
        if self.lexical {
            for hit in &analysis.hits {
                if self.credit(hit.checkpoint, n, &hit.quote, Source::Lexical) {
                    new.push(hit.clone());
                }
            }
        }
        if let Some(stage) = self.pending_probe.take()
            && !analysis.stuck
            && (!new.is_empty() || analysis.words >= 12)
        {
            self.stats[stage.index()].probes_answered += 1;
        }
        // Dry: a statement that adds nothing. Going deeper on ground already covered, at length,
        // is not dry; that is what a good answer to a probe looks like.
        let substantive = !analysis.hits.is_empty() && analysis.words >= 15;
        if analysis.questions > 0 || !new.is_empty() || substantive {
            self.dry_turns = 0;
        } else {
            self.dry_turns += 1;
        }
        Observation {
            turn: n,
            analysis,
            new,
        }
    }

    /// A live candidate turn: observe, decide, apply.
    pub fn candidate(&mut self, text: &str, at: f64) -> (Observation, Vec<Action>) {
        let obs = self.observe(text, at);
        let actions = director::decide(self, &obs);
        for a in &actions {
            self.apply(a, at);
        }
        (obs, actions)
    }

    pub fn interviewer(&mut self, text: &str, at: f64) {
        self.now = at;
        let n = self.turns.len() + 1;
        self.turns.push(Turn {
            n,
            role: Role::Interviewer,
            text: text.to_string(),
            at,
            phase: self.phase,
        });
    }

    /// An interviewer line the candidate talked over: the transcript keeps what was heard.
    pub fn cut_short(&mut self, turn: usize, heard: &str) {
        if let Some(t) = self.turns.get_mut(turn.wrapping_sub(1))
            && t.role == Role::Interviewer
        {
            t.text = heard.to_string();
        }
    }

    /// Record evidence for a checkpoint; true when this covers it for the first time.
    pub fn credit(&mut self, checkpoint: usize, turn: usize, quote: &str, source: Source) -> bool {
        let ev = &mut self.evidence[checkpoint];
        let first = ev.is_empty();
        let seen = ev.iter().any(|e| e.turn == turn && e.source == source);
        if ev.len() < MAX_EVIDENCE && !seen {
            ev.push(Evidence {
                turn,
                quote: quote.to_string(),
                source,
            });
        }
        first
    }

    pub fn note(&mut self, text: &str) {
        self.notes.push(text.to_string());
    }

    /// Actions for a command typed by the candidate; applied before they are returned.
    pub fn command(&mut self, command: director::Command, at: f64) -> Vec<Action> {
        self.now = at;
        let actions = director::on_command(self, command);
        for a in &actions {
            self.apply(a, at);
        }
        actions
    }

    /// The one place actions change state. Replaying a log calls this with the logged actions.
    pub fn apply(&mut self, action: &Action, at: f64) {
        self.now = self.now.max(at);
        match action {
            Action::AnswerFact { facts, .. } => {
                for id in facts {
                    if let Some(i) = self.scenario.facts.iter().position(|f| f.id == *id) {
                        self.revealed[i] = true;
                    }
                }
            }
            Action::Probe {
                stage,
                index,
                curveball,
            } => {
                let slot = if *curveball {
                    self.curveballs_fired.get_mut(*index)
                } else {
                    self.probes_asked
                        .get_mut(stage.index())
                        .and_then(|v| v.get_mut(*index))
                };
                if let Some(s) = slot {
                    *s = true;
                }
                let st = &mut self.stats[stage.index()];
                st.probes_asked += 1;
                // Actions are applied just before the interviewer's line that says them.
                st.probe_turns.push(self.turns.len() + 1);
                self.pending_probe = Some(*stage);
            }
            Action::Hint { stage, .. } => {
                self.stats[stage.index()].hints += 1;
                self.stats[stage.index()]
                    .hint_turns
                    .push(self.turns.len() + 1);
                self.dry_turns = 0;
            }
            Action::AdvanceStage { to, .. } => {
                self.leave_stage(at);
                self.phase = Phase::Stage(*to);
                let st = &mut self.stats[to.index()];
                if st.entered_at.is_none() {
                    st.entered_at = Some(at);
                }
                st.left_at = None;
                self.dry_turns = 0;
            }
            Action::Redirect { .. } => self.redirects += 1,
            Action::WrapUp { .. } => {
                self.leave_stage(at);
                self.phase = Phase::WrapUp;
            }
            Action::Debrief { .. } => {
                self.leave_stage(at);
                self.phase = Phase::Ended;
            }
        }
    }

    fn leave_stage(&mut self, at: f64) {
        if let Some(s) = self.stage() {
            self.stats[s.index()].left_at = Some(at);
        }
        self.pending_probe = None;
    }
}
