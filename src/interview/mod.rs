//! The interview as a pure state machine. Inputs are candidate turns, interviewer lines and
//! actions, each stamped with the session clock; nothing here reads a clock, a file or the
//! network. The director (`director.rs`) looks at the state and returns actions as data. Every
//! change of state is an `Event` (`event.rs`), and `Interview::apply` (`apply.rs`) is the one
//! function that applies events, live and when a session log is replayed.

mod apply;
pub mod clock;
pub mod coverage;
mod depth;
pub mod director;
pub mod event;
pub mod grader;
mod observation;
pub mod requests;

use crate::framework::Stage;
use crate::framework::StageMap;
use crate::scenario::Scenario;
use clock::Budget;
use coverage::{Analysis, Hit};
pub use event::{Event, LineFault, Reading};
pub use observation::Observation;
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

/// Who judges coverage: the reader alone, the model alone, or both. Part of the log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JudgeMode {
    Lexical,
    Llm,
    Both,
}

impl Mode {
    pub fn id(self) -> &'static str {
        match self {
            Mode::Interview => "interview",
            Mode::Coach => "coach",
        }
    }
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
        /// No fact, and the question asks for the interviewer's own judgement on what is the
        /// candidate's to decide or explain ("Is PR-AUC the same as ROC-AUC?"): asked back.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        turned_back: bool,
    },
    /// A follow-up question: the stage's probe `index`, or curveball `index` when `curveball`.
    /// With `press`, the same question asked once more because the reply did not take it up.
    Probe {
        stage: Stage,
        index: usize,
        curveball: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        press: bool,
        /// The candidate's words the probe follows up, quoted back to them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quote: Option<String>,
    },
    /// A hint of `level` (1 = gentlest); `checkpoint` names the gap once the scenario's hints run out.
    Hint {
        stage: Stage,
        level: usize,
        checkpoint: Option<String>,
        /// Offered unasked to a candidate who was neither stuck nor asking (coach mode's
        /// nudges): coaching, not a hint they needed, so the debrief does not count it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        offered: bool,
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
    /// At the close, answer the candidate's questions about the team, the role or what happens
    /// next, from the interviewer's persona.
    AnswerAbout,
    /// Take a covered checkpoint deeper, from the candidate's own words (`quote`), along one
    /// of the interviewer's angles (`ANGLES`): how it works, what breaks, the alternative, the
    /// numbers. Asked when a stage is covered with time to spare; a follow-up like a probe.
    DeepDive {
        stage: Stage,
        checkpoint: String,
        angle: Angle,
        quote: String,
    },
    /// Challenge, once, a misconception the candidate just stated; `quote` is their words.
    PushBack {
        misconception: String,
        quote: String,
    },
    Debrief {
        reason: Reason,
    },
    /// What the interviewer says of a submission to the hidden cases: how many pass and, when
    /// some fail, a question on the first family that does (`failing`, by category); `broken`
    /// when the code did not load or the run was stopped.
    CodeReview {
        passed: usize,
        total: usize,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        failing: Vec<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        broken: bool,
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
            Action::AnswerAbout => "answer-about",
            Action::PushBack { .. } => "push-back",
            Action::DeepDive { .. } => "deep-dive",
            Action::Debrief { .. } => "debrief",
            Action::CodeReview { .. } => "code-review",
        }
    }
}

/// How a deep-dive question takes a claim further.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Angle {
    /// How it works here, step by step.
    Mechanism,
    /// What could go wrong, and how it would show.
    Failure,
    /// The main alternative, and why not that.
    Alternative,
    /// A number: what to expect, and how to check it.
    Numbers,
}

impl Angle {
    /// The angles that suit a stage, in the order an interviewer would take them: data is
    /// pressed on what breaks, a model on its alternative, evaluation on its numbers.
    pub fn for_stage(stage: Stage) -> [Angle; 3] {
        use Angle::*;
        match stage {
            Stage::Clarify | Stage::Frame => [Mechanism, Alternative, Failure],
            Stage::Data => [Failure, Mechanism, Numbers],
            Stage::Features | Stage::Training => [Mechanism, Failure, Alternative],
            Stage::Model => [Alternative, Failure, Numbers],
            Stage::Evaluation => [Numbers, Failure, Alternative],
            Stage::Deployment => [Failure, Numbers, Alternative],
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Angle::Mechanism => "mechanism",
            Angle::Failure => "failure",
            Angle::Alternative => "alternative",
            Angle::Numbers => "numbers",
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

/// A follow-up as asked: which one, and whether it has been pressed once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastProbe {
    pub stage: Stage,
    pub index: usize,
    pub curveball: bool,
    pub pressed: bool,
}

/// The share of a checkpoint's weight that naming it earns; explaining it (a reason, a number,
/// a mechanism) earns all of it. A list of terms names everything and explains nothing.
pub const NAMED_SHARE: f64 = 0.5;

/// A deep-dive question asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Dive {
    pub checkpoint: usize,
    pub angle: Angle,
    /// The candidate's words it quoted.
    pub quote: String,
    /// The turn of the line that asked it.
    pub asked: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub turn: usize,
    pub quote: String,
    pub source: Source,
    /// Only named, not explained.
    pub named: bool,
}

/// Which judge found a piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Lexical,
    Semantic,
    Model,
}

/// A checkpoint the candidate waved away, in their words: evidence for a pitfall.
#[derive(Debug, Clone, PartialEq)]
pub struct Dismissal {
    pub checkpoint: usize,
    pub turn: usize,
    pub quote: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageStats {
    pub entered_at: Option<f64>,
    pub left_at: Option<f64>,
    /// Hints the candidate needed: asked for, or given when they were stuck.
    pub hints: usize,
    /// Hints offered unasked (coach mode), not counted against the candidate.
    pub offered: usize,
    /// Transcript turns that carried this stage's needed hints, for the debrief to cite (its
    /// follow-ups' turns are in `Interview::follow_ups`).
    pub hint_turns: Vec<usize>,
    pub candidate_turns: usize,
    /// Left at the candidate's request almost as soon as it opened.
    pub skipped: bool,
}

impl StageStats {
    pub fn seconds(&self, now: f64) -> f64 {
        match self.entered_at {
            Some(e) => self.left_at.unwrap_or(now) - e,
            None => 0.0,
        }
    }
}

/// A follow-up the interviewer asked (a scenario probe, a curveball or a deep dive), and what
/// became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub stage: Stage,
    /// The interviewer line that asked it.
    pub asked: usize,
    /// The checkpoints it asks about: the one a probe followed or a deep dive takes further,
    /// and those its question names. None: it asks about the stage.
    pub about: Vec<usize>,
    /// The candidate turn that replied (after a press, the reply to the press).
    pub reply: Option<usize>,
    /// Whether a reply took it up.
    pub answered: bool,
    pub pressed: bool,
}

/// Follow-ups counted: asked, replied to (the last may not have been), and answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub asked: usize,
    pub replied: usize,
    pub answered: usize,
}

/// A misconception the candidate stated: where first, and what came of the challenge.
#[derive(Debug, Clone, PartialEq)]
pub struct Misstep {
    /// Index into `Scenario::misconceptions`.
    pub misconception: usize,
    pub turn: usize,
    pub quote: String,
    /// The interviewer line that challenged it.
    pub challenged: Option<usize>,
    /// The candidate answered after the challenge.
    pub replied: bool,
    /// Stated again after the challenge, in this turn and these words.
    pub held: Option<(usize, String)>,
}

impl Misstep {
    /// Challenged, answered, and not said again.
    pub fn corrected(&self) -> bool {
        self.challenged.is_some() && self.replied && self.held.is_none()
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

#[derive(Debug, Clone)]
pub struct Interview {
    pub scenario: Arc<Scenario>,
    pub mode: Mode,
    pub budget: Budget,
    pub phase: Phase,
    pub turns: Vec<Turn>,
    /// Evidence per checkpoint (indexed like `scenario.checkpoints`), first three turns kept.
    pub evidence: Vec<Vec<Evidence>>,
    pub stats: StageMap<StageStats>,
    pub probes_asked: StageMap<Vec<bool>>,
    pub curveballs_fired: Vec<bool>,
    pub deep_dives: Vec<Dive>,
    pub revealed: Vec<bool>,
    /// Candidate statements in a row that covered nothing new.
    pub dry_turns: usize,
    /// Interviewer actions in a row that only told again facts already told.
    pub repeated_answers: usize,
    /// The stage of a probe whose answer is still due.
    pub pending_probe: Option<Stage>,
    /// The last follow-up asked in the current stage, and whether it was pressed already.
    pub last_probe: Option<LastProbe>,
    pub redirects: usize,
    /// Questions answered at the close.
    pub closing_answers: usize,
    pub injections: usize,
    pub notes: Vec<String>,
    /// The session clock: the time of the latest event applied.
    pub now: f64,
    /// A stage to practise harder: more time, and every probe asked before moving on.
    pub focus: Option<Stage>,
    /// Whether the reader's hits earn credit (off when only the model judges).
    pub reader_credits: bool,
    /// Model-judge claims dropped because their quote was not the candidate's words.
    pub judge_dropped: usize,
    /// Reader credits the model judge took back.
    pub judge_retracted: usize,
    /// Model-judge claims the reader read the other way (a dismissal, a question...).
    pub judge_contradicted: usize,
    /// The readers that read the candidate's turns, in the order they first did.
    pub readers: Vec<String>,
    /// Checkpoints the candidate waved away, first dismissal of each.
    pub dismissals: Vec<Dismissal>,
    /// Misconceptions the candidate stated, first statement of each.
    pub missteps: Vec<Misstep>,
    /// Every follow-up asked, in order.
    pub follow_ups: Vec<FollowUp>,
    /// Candidate turns whose reading showed any checkpoint (evidence keeps only the first few
    /// turns of each, so a long interview's later answers are known here).
    pub on_topic: Vec<usize>,
    /// Spoken answers' delivery, one per recorded answer.
    pub voice_notes: Vec<VoiceNote>,
    /// A coding round's runs of the candidate's solution, in order.
    pub code_runs: Vec<crate::coding::CodeRun>,
}

impl PartialEq for Interview {
    /// Same scenario (by content) and same state. Written out field by field so that a new
    /// field cannot be forgotten: the destructuring stops compiling.
    fn eq(&self, o: &Interview) -> bool {
        let Interview {
            scenario,
            mode,
            budget,
            phase,
            turns,
            evidence,
            stats,
            probes_asked,
            curveballs_fired,
            deep_dives,
            revealed,
            dry_turns,
            repeated_answers,
            pending_probe,
            last_probe,
            redirects,
            closing_answers,
            injections,
            notes,
            now,
            focus,
            reader_credits,
            judge_dropped,
            judge_retracted,
            judge_contradicted,
            readers,
            dismissals,
            missteps,
            follow_ups,
            on_topic,
            voice_notes,
            code_runs,
        } = self;
        scenario.hash == o.scenario.hash
            && *mode == o.mode
            && *budget == o.budget
            && *phase == o.phase
            && *turns == o.turns
            && *evidence == o.evidence
            && *stats == o.stats
            && *probes_asked == o.probes_asked
            && *curveballs_fired == o.curveballs_fired
            && *deep_dives == o.deep_dives
            && *revealed == o.revealed
            && *dry_turns == o.dry_turns
            && *repeated_answers == o.repeated_answers
            && *pending_probe == o.pending_probe
            && *last_probe == o.last_probe
            && *redirects == o.redirects
            && *closing_answers == o.closing_answers
            && *injections == o.injections
            && *notes == o.notes
            && *now == o.now
            && *focus == o.focus
            && *reader_credits == o.reader_credits
            && *judge_dropped == o.judge_dropped
            && *judge_retracted == o.judge_retracted
            && *judge_contradicted == o.judge_contradicted
            && *readers == o.readers
            && *dismissals == o.dismissals
            && *missteps == o.missteps
            && *follow_ups == o.follow_ups
            && *on_topic == o.on_topic
            && *voice_notes == o.voice_notes
            && *code_runs == o.code_runs
    }
}

impl Interview {
    pub fn new(scenario: Arc<Scenario>, mode: Mode, minutes: u32) -> Interview {
        let budget = Budget::from_split(scenario.budget.as_ref(), scenario.minutes, minutes);
        let n_cp = scenario.checkpoints.len();
        Interview {
            probes_asked: StageMap::from_fn(|st| vec![false; scenario.stage(st).probes.len()]),
            curveballs_fired: vec![false; scenario.curveballs.len()],
            revealed: vec![false; scenario.facts.len()],
            deep_dives: Vec::new(),
            evidence: vec![Vec::new(); n_cp],
            scenario,
            mode,
            budget,
            phase: Phase::NotStarted,
            turns: Vec::new(),
            stats: Default::default(),
            dry_turns: 0,
            repeated_answers: 0,
            pending_probe: None,
            last_probe: None,
            redirects: 0,
            closing_answers: 0,
            injections: 0,
            notes: Vec::new(),
            now: 0.0,
            focus: None,
            reader_credits: true,
            judge_dropped: 0,
            judge_retracted: 0,
            judge_contradicted: 0,
            readers: Vec::new(),
            dismissals: Vec::new(),
            missteps: Vec::new(),
            follow_ups: Vec::new(),
            on_topic: Vec::new(),
            voice_notes: Vec::new(),
            code_runs: Vec::new(),
        }
    }

    /// The interview a `started` event sets up; None for any other event.
    pub fn started(scenario: Arc<Scenario>, event: &Event) -> Option<Interview> {
        let Event::Started {
            minutes,
            mode,
            focus,
            judge,
            ..
        } = event
        else {
            return None;
        };
        let mut iv = Interview::new(scenario, *mode, *minutes);
        if let Some(stage) = focus {
            iv.set_focus(*stage);
        }
        iv.reader_credits = *judge != Some(JudgeMode::Llm);
        Some(iv)
    }

    /// Practise `stage` harder: half as much time again for it, taken evenly from the others.
    fn set_focus(&mut self, stage: Stage) {
        self.focus = Some(stage);
        let extra = self.budget.stage(stage) * 0.5;
        let others: f64 = Stage::ALL
            .iter()
            .filter(|s| **s != stage)
            .map(|s| self.budget.stage(*s))
            .sum();
        for s in Stage::ALL {
            let b = &mut self.budget.stages[s];
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

    /// The number the next turn gets: the one place turns are numbered.
    /// The follow-ups of one stage, or of the whole interview.
    pub fn follow_up_tally(&self, stage: Option<Stage>) -> Tally {
        let of = self
            .follow_ups
            .iter()
            .filter(|f| stage.is_none_or(|s| f.stage == s));
        of.fold(Tally::default(), |t, f| Tally {
            asked: t.asked + 1,
            replied: t.replied + usize::from(f.reply.is_some()),
            answered: t.answered + usize::from(f.answered),
        })
    }

    pub fn next_turn(&self) -> usize {
        self.turns.len() + 1
    }

    pub fn covered(&self, checkpoint: usize) -> bool {
        !self.evidence[checkpoint].is_empty()
    }

    /// Covered, but every piece of evidence only names the checkpoint. A clarify checkpoint is
    /// earned by asking or assuming, which has nothing more to explain, so it is never only
    /// named.
    pub fn only_named(&self, checkpoint: usize) -> bool {
        self.scenario.checkpoints[checkpoint].stage != Stage::Clarify
            && self.covered(checkpoint)
            && self.evidence[checkpoint].iter().all(|e| e.named)
    }

    /// What a scenario question asks about: the checkpoint it follows, then the checkpoints its
    /// own words name (`names`, read at load), of `stage` only when one is given.
    pub fn asks_about(
        &self,
        after: Option<usize>,
        names: &[usize],
        stage: Option<Stage>,
    ) -> Vec<usize> {
        let mut about: Vec<usize> = after.into_iter().collect();
        for &i in names {
            let in_stage = stage.is_none_or(|s| self.scenario.checkpoints[i].stage == s);
            if in_stage && !about.contains(&i) {
                about.push(i);
            }
        }
        about
    }

    /// Whether a scenario question would ask for what the candidate has already said:
    /// everything it asks about, in any stage ("a velocity feature within the 100 millisecond
    /// budget" asks about latency too), is covered and explained, not only named. A clarify
    /// checkpoint it follows does not count: asking earned it, and the question takes that
    /// further, which no earlier answer has done.
    pub fn already_said(&self, after: Option<usize>, names: &[usize]) -> bool {
        let sc = &self.scenario;
        let clarified = |i: &usize| Some(*i) == after && sc.checkpoints[*i].stage == Stage::Clarify;
        let mut about = self.asks_about(after, names, None);
        about.retain(|i| !clarified(i));
        !about.is_empty()
            && about
                .iter()
                .all(|&i| self.covered(i) && !self.only_named(i))
    }

    /// The last solution submitted to the hidden cases.
    pub fn submission(&self) -> Option<&crate::coding::CodeRun> {
        (self.code_runs.iter().rev()).find(|r| r.suite == crate::coding::Suite::Hidden)
    }

    /// Weighted share of a stage's checkpoints covered, 0 to 1; a checkpoint only named counts
    /// `NAMED_SHARE` of its weight.
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
            if self.only_named(i) {
                got += c.weight * NAMED_SHARE;
            } else if self.covered(i) {
                got += c.weight;
            }
        }
        if all == 0.0 { 1.0 } else { got / all }
    }

    pub fn candidate_turns(&self) -> impl Iterator<Item = &Turn> {
        self.turns.iter().filter(|t| t.role == Role::Candidate)
    }

    /// The words of candidate turn `turn`.
    fn said_in(&self, turn: usize) -> &str {
        (self.turns.iter().rev())
            .find(|t| t.n == turn)
            .map_or("", |t| t.text.as_str())
    }

    /// The opening actions of a fresh interview.
    pub fn opening(&self) -> Vec<Action> {
        vec![Action::AdvanceStage {
            from: None,
            to: Stage::Clarify,
            reason: Reason::Start,
        }]
    }

    /// What candidate turn `turn` (already applied) shows, as `reader` read it, and what that
    /// decides. Pure: the caller logs the reading, and applying it changes the state.
    /// `addresses`: whether the reader found that the turn takes up the interviewer's last line,
    /// asked only when a follow-up is pending.
    pub fn observe(
        &self,
        turn: usize,
        mut analysis: Analysis,
        reader: &str,
        addresses: bool,
    ) -> Observation {
        // A wrong move earns nothing: its sentence is what the challenge quotes, not evidence
        // of the checkpoint it gets wrong ("I'd use accuracy" is no metric chosen).
        let wrong: Vec<String> = (analysis.misconceptions.iter())
            .map(|m| m.quote.trim().to_string())
            .collect();
        analysis.hits.retain(|h| {
            let q = h.quote.trim();
            !wrong
                .iter()
                .any(|w| w.contains(q) || q.contains(w.as_str()))
        });
        let credited = self.reader_credits;
        let new: Vec<Hit> = if credited {
            analysis
                .hits
                .iter()
                .filter(|h| {
                    !self.covered(h.checkpoint) || (!h.named && self.only_named(h.checkpoint))
                })
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        // A follow-up about a checkpoint is answered by showing it; any follow-up, by a reply
        // the reader finds takes up its question. The next prepared paragraph on another point
        // answers neither, nor does a list of the stage's terms, an acknowledgement or "let me
        // come back to that" (`requests::evades`); a terse direct answer does.
        let about: &[usize] = self.follow_ups.last().map_or(&[], |f| &f.about);
        let answers_probe = self.pending_probe.is_some() && {
            let shows = (analysis.hits.iter())
                .any(|h| about.contains(&h.checkpoint) && !coverage::is_list(&h.quote));
            !analysis.stuck && (shows || addresses)
        };
        // Dry: a statement that adds nothing. Going deeper on ground already covered, at length,
        // is not dry; that is what a good answer to a probe looks like.
        let substantive = !analysis.hits.is_empty() && analysis.words >= 15;
        let dry = !(analysis.questions > 0 || !new.is_empty() || substantive);
        let said = self.said_in(turn);
        Observation {
            turn,
            reader: reader.to_string(),
            analysis,
            new,
            credited,
            answers_probe,
            ignored_probe: self.pending_probe.is_some() && !answers_probe,
            dry,
            move_on: requests::asks_to_move_on(said),
            opinion: requests::asks_opinion(said),
        }
    }
}
