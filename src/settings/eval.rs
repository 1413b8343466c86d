//! The `eval` commands' settings: which reader or recogniser, on which labelled cases.

use super::{Base, InterviewFlags, Resolved, reading, stt};
use crate::chat::Settings;
use crate::reader::Choice;
use crate::voice::stt::SttConfig;
use anyhow::{Result, anyhow, bail};
use std::path::PathBuf;

/// What to measure, on which cases.
pub struct EvalSettings {
    pub what: EvalWhat,
    pub cases: PathBuf,
    pub reader: Choice,
    pub split: Split,
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalWhat {
    Coverage,
    Facts,
    Replies,
    Misconceptions,
}

/// Which labelled cases an eval reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Never trained or tuned on: the figures to report.
    HeldOut,
    /// The rest: where thresholds are chosen.
    Tuning,
    All,
}

impl Split {
    pub fn takes(self, held_out: bool) -> bool {
        match self {
            Split::HeldOut => held_out,
            Split::Tuning => !held_out,
            Split::All => true,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Split::HeldOut => "held-out",
            Split::Tuning => "tuning",
            Split::All => "all",
        }
    }
}

/// How well the recogniser hears, on which answers.
pub struct SpeechEvalSettings {
    pub stt: SttConfig,
    pub cases: PathBuf,
    pub limit: usize,
    pub split: Split,
    pub json: bool,
}

/// The spoken loop's waits, over which answers.
pub struct LatencyEvalSettings {
    /// The interview the answers are played into (its sessions folder is replaced by a
    /// temporary one: bench runs are not practice).
    pub settings: Settings,
    pub stt: SttConfig,
    pub cases: PathBuf,
    /// Indices into `voice::eval::LENGTHS`.
    pub lengths: Vec<usize>,
    pub turns: usize,
    pub json: bool,
}

fn latency_eval(base: &Base, a: &crate::cli::LatencyEvalArgs) -> Result<LatencyEvalSettings> {
    let stt = needed_stt(base, &a.stt)?;
    let seconds = [5, 15, 30, 60];
    let lengths = a
        .lengths
        .iter()
        .map(|s| {
            seconds.iter().position(|x| x == s).ok_or_else(|| {
                anyhow!("--lengths {s}: the answers come in 5, 15, 30 and 60 seconds")
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if a.turns == 0 {
        bail!("--turns 0: give at least one answer of each length");
    }
    let settings = base.interview(InterviewFlags {
        scenario: Some(a.scenario.clone()),
        judge: a.judge.map(Into::into),
        reading: reading(&a.reading)?,
        ..InterviewFlags::default()
    })?;
    Ok(LatencyEvalSettings {
        settings,
        stt,
        cases: a.cases.clone(),
        lengths,
        turns: a.turns,
        json: a.json,
    })
}

fn speech_eval(base: &Base, a: &crate::cli::SpeechEvalArgs) -> Result<SpeechEvalSettings> {
    let stt = needed_stt(base, &a.stt)?;
    Ok(SpeechEvalSettings {
        stt,
        cases: a.cases.clone(),
        limit: a.limit,
        split: split(&a.split),
        json: a.split.json,
    })
}

fn split(a: &crate::cli::SplitArgs) -> Split {
    if a.all {
        Split::All
    } else if a.tuning {
        Split::Tuning
    } else {
        Split::HeldOut
    }
}

pub(super) fn eval(base: &Base, c: &crate::cli::EvalCommand) -> Result<Resolved> {
    use crate::cli::EvalCommand;
    let (what, a) = match c {
        EvalCommand::Coverage(a) => (EvalWhat::Coverage, a),
        EvalCommand::Facts(a) => (EvalWhat::Facts, a),
        EvalCommand::Replies(a) => (EvalWhat::Replies, a),
        EvalCommand::Misconceptions(a) => (EvalWhat::Misconceptions, a),
        EvalCommand::Speech(a) => return Ok(Resolved::SpeechEval(speech_eval(base, a)?)),
        EvalCommand::Latency(a) => {
            return Ok(Resolved::LatencyEval(Box::new(latency_eval(base, a)?)));
        }
    };
    let default = match what {
        EvalWhat::Replies => "corpus/replies",
        EvalWhat::Misconceptions => "corpus/misconceptions",
        _ => "corpus",
    };
    Ok(Resolved::Eval(EvalSettings {
        what,
        cases: a.cases.clone().unwrap_or_else(|| PathBuf::from(default)),
        reader: a.reader.into(),
        split: split(&a.split),
        json: a.split.json,
    }))
}

/// The speech-to-text endpoint an eval cannot run without.
fn needed_stt(base: &Base, a: &crate::cli::SttArgs) -> Result<SttConfig> {
    stt(a, &base.file.stt).ok_or_else(|| {
        anyhow!(
            "no speech-to-text endpoint: pass --stt-url URL (including /v1), set \
             CASECOACH_STT_BASE_URL, or start one with scripts/local-stt.sh start"
        )
    })
}
