//! The `eval` commands' flags.

use super::{EndpointArgs, JudgeArg, ReaderArg, ReadingArgs, SttArgs};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Checkpoint coverage: micro and per-stage precision, recall and F1, false credits on the
    /// sentences that should earn nothing, and the worst confusions
    Coverage(EvalArgs),
    /// Fact lookup: clarifying questions answered with the right hidden fact
    Facts(EvalArgs),
    /// Replies to follow-up questions: told apart from replies that ignore the question
    Replies(EvalArgs),
    /// The built-in scenarios' misconceptions: found in the sentences that state them, and in
    /// no other (labelled sentences, then the coverage corpus)
    Misconceptions(EvalArgs),
    /// Speech recognition: the word error rate and the terms heard right with each recogniser
    /// prompt, on corpus answers spoken by espeak-ng in several voices and speeds (needs a
    /// speech-to-text endpoint and espeak-ng)
    Speech(SpeechEvalArgs),
    /// The spoken loop's waits: corpus answers of about 5, 15, 30 and 60 seconds, spoken by
    /// espeak-ng into the live loop against the real speech-to-text endpoint and model; release
    /// of the talk key to transcript, first token and first sound, median and max per length
    Latency(LatencyEvalArgs),
}

#[derive(Debug, clap::Args)]
pub struct LatencyEvalArgs {
    #[command(flatten)]
    pub stt: SttArgs,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Who judges coverage (default: both with a model, as in `voice`)
    #[arg(long, value_enum)]
    pub judge: Option<JudgeArg>,
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// The interview's scenario
    #[arg(long, default_value = "fraud")]
    pub scenario: String,
    /// Spoken answers of each length
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub turns: usize,
    /// Answer lengths, in seconds: some of 5, 15, 30, 60
    #[arg(
        long,
        value_name = "S,...",
        value_delimiter = ',',
        default_value = "5,15,30,60"
    )]
    pub lengths: Vec<u32>,
    /// The labelled corpus the answers are made of
    #[arg(long, value_name = "PATH", default_value = "corpus")]
    pub cases: PathBuf,
    /// The waits of every answer as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct SpeechEvalArgs {
    #[command(flatten)]
    pub stt: SttArgs,
    /// The labelled corpus the answers are made of: a .jsonl file or a folder of them
    #[arg(long, value_name = "PATH", default_value = "corpus")]
    pub cases: PathBuf,
    /// At most this many answers (of 5 to 60 seconds each)
    #[arg(long, value_name = "N", default_value_t = 40)]
    pub limit: usize,
    #[command(flatten)]
    pub split: SplitArgs,
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Labelled cases: a .jsonl file or a folder of them (default: corpus, corpus/replies for
    /// replies, corpus/misconceptions for misconceptions)
    #[arg(long, value_name = "PATH")]
    pub cases: Option<PathBuf>,
    /// Which reader to measure (auto: semantic when its model is installed)
    #[arg(long, value_enum, default_value = "semantic")]
    pub reader: ReaderArg,
    #[command(flatten)]
    pub split: SplitArgs,
}

/// Which labelled cases an eval reads (the held-out ones unless told), and how it prints.
#[derive(Debug, clap::Args)]
pub struct SplitArgs {
    /// Every case, not only the held-out ones (training lines flatter a trained reader)
    #[arg(long, conflicts_with = "tuning")]
    pub all: bool,
    /// Only the cases that are not held out: where thresholds and choices are made
    #[arg(long)]
    pub tuning: bool,
    /// Print the figures as JSON
    #[arg(long)]
    pub json: bool,
}
