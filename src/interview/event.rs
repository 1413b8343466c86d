//! What happens in a session, as data: each event is written to the session log the moment it
//! happens, and `Interview::apply` is the only thing that turns events into state, live and on
//! replay. The serialised form is the on-disk log format (see `crate::session`).

use super::{Action, JudgeMode, Mode, Phase, Reason, Role, VoiceNote};
use crate::framework::Stage;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    Started {
        scenario: String,
        /// What loads the scenario again: a built-in id or an absolute path.
        locator: String,
        hash: String,
        title: String,
        minutes: u32,
        mode: Mode,
        interviewer: String,
        time: String,
        /// The stage practised harder, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        focus: Option<Stage>,
        /// Who judged coverage; absent in older logs, which were lexical.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        judge: Option<JudgeMode>,
    },
    Turn {
        n: usize,
        role: Role,
        text: String,
        at: f64,
        phase: Phase,
    },
    /// What the reader found in a candidate turn, and what it decided: the facts it asks for,
    /// whether it answered the pending follow-up, whether it added anything. Its credits follow
    /// as `coverage` events. Replay applies both as logged and never reads the turn again.
    /// Absent in logs before schema 2.
    Reading {
        turn: usize,
        #[serde(flatten)]
        reading: Reading,
    },
    /// Evidence credited to a checkpoint: by the reader (written right after the turn's
    /// reading), or by the model judge once code has checked its quote.
    Coverage {
        turn: usize,
        checkpoint: String,
        quote: String,
        source: super::Source,
        /// The evidence only names the checkpoint, which counts for less than explaining it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        named: bool,
    },
    Action {
        at: f64,
        action: Action,
    },
    /// The phase changed; written after the action that changed it, for readers of the log.
    Stage {
        from: Phase,
        to: Phase,
        at: f64,
    },
    Note {
        text: String,
        at: f64,
    },
    /// The model judge showed that the reader's credit for `checkpoint` in `turn` was wrong
    /// (with `--judge both`): the credit is taken back.
    Retracted {
        turn: usize,
        checkpoint: String,
    },
    /// The model judge's verdict on a turn: claims kept, claims dropped for lack of a true
    /// quote, and the reader's credits it took back.
    Judge {
        turn: usize,
        accepted: usize,
        dropped: usize,
        #[serde(default, skip_serializing_if = "is_zero")]
        retracted: usize,
        /// Claims the words bore out but the reader read the other way, so not credited.
        #[serde(default, skip_serializing_if = "is_zero")]
        contradicted: usize,
    },
    /// A spoken answer: its recording and how it was transcribed, before the turn it became.
    Voice {
        file: String,
        #[serde(flatten)]
        note: VoiceNote,
    },
    /// An interviewer line the candidate talked over: only this much of it was heard.
    Spoken {
        turn: usize,
        text: String,
    },
    /// How long a spoken answer waited, from the release of the talk key: for its transcript,
    /// the reply's first token, and the reply's first sound.
    Latency {
        turn: usize,
        transcript_ms: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_token_ms: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_audio_ms: Option<u64>,
    },
    /// Tokens one model request used, and for an interviewer line how fast it came.
    Usage {
        prompt_tokens: u64,
        completion_tokens: u64,
        at: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_token_ms: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total_ms: Option<u64>,
    },
    /// A model line the guard would not let stand (`interviewer/guard.rs`): from `sentence` on
    /// (or the whole line, for `NoQuestion`) the turn said the scripted line's words instead.
    Guarded {
        turn: usize,
        fault: LineFault,
        sentence: String,
    },
    /// A solution run on the round's coding task (`/run` on the examples, `/submit` on the
    /// hidden cases).
    Code {
        at: f64,
        #[serde(flatten)]
        run: crate::coding::CodeRun,
    },
    Resumed {
        at: f64,
        time: String,
    },
    Ended {
        reason: Reason,
        at: f64,
    },
    Debrief {
        report: serde_json::Value,
    },
}

/// A reading as logged: checkpoints and facts by id, so a log stays meaningful when the
/// scenario file gains or reorders entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Reading {
    /// Which reader read the turn.
    pub reader: String,
    /// Checkpoints the turn shows, one each, with the quoted evidence.
    pub hits: Vec<LoggedHit>,
    /// Checkpoints the turn waves away, with the sentence that does it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dismissed: Vec<LoggedHit>,
    /// The turn was longer than the reader reads; only its first part was read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Facts the turn's questions ask for, in the order asked.
    pub facts: Vec<String>,
    pub questions: usize,
    pub statements: usize,
    pub stuck: bool,
    /// Sentences set aside because they address the grader or the interviewer's instructions.
    pub injections: usize,
    pub words: usize,
    /// The turn answered the follow-up that was pending.
    pub answers_probe: bool,
    /// The turn added nothing: no question, no new ground, no depth.
    pub dry: bool,
    /// The scenario's misconceptions the turn states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub misconceptions: Vec<LoggedMisconception>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedMisconception {
    pub id: String,
    /// The sentence that states it.
    pub quote: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedHit {
    pub checkpoint: String,
    pub quote: String,
    /// Where in `quote` the evidence lies (byte offsets).
    pub focus: [usize; 2],
    /// The sentence only names the checkpoint (no reason, number or mechanism).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub named: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Why a model line was not said as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LineFault {
    /// It says again what the interviewer's previous line said.
    Repeats,
    /// A number that is in neither the scenario, the facts revealed, nor the candidate's words.
    InventedNumber { number: String },
    /// It praises the candidate, which the interviewer never does.
    Praise { words: String },
    /// The turn asks a question and the line did not.
    NoQuestion,
    /// It reads out the notes the model was sent about the turn ("Stage 2 of 8 ...").
    Notes,
    /// The candidate asked for a fact and the line did not tell it.
    FactUntold,
}

impl LineFault {
    pub fn name(&self) -> &'static str {
        match self {
            LineFault::Repeats => "repeats the previous line",
            LineFault::InventedNumber { .. } => "invented number",
            LineFault::Praise { .. } => "praise",
            LineFault::NoQuestion => "no question",
            LineFault::Notes => "read out its notes",
            LineFault::FactUntold => "left out the fact asked for",
        }
    }
}
