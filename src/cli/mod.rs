//! The command line as clap sees it: subcommands, flags, their help, and clap's mirrors of the
//! domain enums. `settings.rs` turns a parsed `Cli` into typed settings; nothing below reads this.

use crate::debrief::render::Format;
use crate::framework::InterviewType;
use crate::interview::{JudgeMode, Mode};
use crate::voice::tts::TtsKind;
use crate::voice::turn::PttChoice;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

mod eval;
pub use eval::{EvalArgs, EvalCommand, LatencyEvalArgs, SpeechEvalArgs, SplitArgs};

#[derive(Debug, Parser)]
#[command(
    name = "casecoach",
    version,
    about = "Mock interviews for ML case-study and ML system-design interviews"
)]
pub struct Cli {
    /// Config file (default: $XDG_CONFIG_HOME/casecoach/config.toml when it exists)
    #[arg(long, global = true, env = "CASECOACH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where session logs live (default: $CASECOACH_DATA_DIR/sessions or $XDG_DATA_HOME/casecoach/sessions)
    #[arg(long, global = true, value_name = "DIR")]
    pub sessions_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a mock interview in the terminal (default scenario: fraud)
    Chat(ChatArgs),
    /// Spoken practice: live push-to-talk on a microphone, or answers from WAV recordings
    ///
    /// Live needs a build with `--features mic` (Linux needs libasound2-dev) and a terminal;
    /// --ptt chooses how the talk key works. Without a microphone, --audio-in a1.wav,a2.wav
    /// gives the answers as recordings, one WAV file per answer.
    Voice(VoiceArgs),
    /// Score a transcript: a session log, or plain text with Candidate:/Interviewer: lines
    Assess(AssessArgs),
    /// Re-render the debrief of a saved session
    Debrief(DebriefArgs),
    /// Play a whole interview against a simulated candidate and check the interviewer
    Simulate(SimulateArgs),
    /// List saved sessions and your progress by stage, or remove one
    Sessions(SessionsArgs),
    /// Check the config and the model endpoint, and say how to fix what fails
    Doctor {
        /// An OpenAI-compatible endpoint to check, including /v1
        #[arg(long, value_name = "URL")]
        llm_url: Option<String>,
        #[arg(long, value_name = "NAME")]
        model: Option<String>,
    },
    /// Built-in and user scenarios
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Fetch the sentence-embedding model the semantic reader runs on (once, about 80 MB)
    Setup,
    /// Measure a reader on labelled sentences (by default the corpus's held-out lines)
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Train the semantic reader's heads from the corpus's training lines
    Train {
        /// The labelled corpus: a .jsonl file or a folder of them
        #[arg(long, value_name = "PATH", default_value = "corpus")]
        corpus: PathBuf,
        /// Where to write the heads; the exemplar bank goes beside them, as exemplars.bin
        #[arg(long, value_name = "FILE", default_value = "src/reader/heads.json")]
        out: PathBuf,
    },
    /// Print a shell completion script (e.g. casecoach completions bash > ~/.local/share/bash-completion/completions/casecoach)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page, in roff (e.g. casecoach man > ~/.local/share/man/man1/casecoach.1)
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReaderArg {
    /// The semantic reader when its model is installed, else the lexical one (with a notice)
    Auto,
    /// The embedding model with trained heads, cues and rules
    Semantic,
    /// Cues alone: keywords, no model
    Lexical,
}

/// The model endpoint of the commands that can use one (over `[llm]` in the config).
#[derive(Debug, Clone, clap::Args)]
pub struct EndpointArgs {
    /// An OpenAI-compatible endpoint, including /v1 (e.g. http://127.0.0.1:8080/v1)
    #[arg(long, value_name = "URL")]
    pub llm_url: Option<String>,
    /// The model to ask at that endpoint
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
}

/// How the candidate's answers are read; shared by the commands that read them.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadingArgs {
    /// Which reader judges the answers (default: auto, or CASECOACH_READER)
    #[arg(long, value_enum, value_name = "READER")]
    pub reader: Option<ReaderArg>,
    /// Never fetch the reader's model from the network (also CASECOACH_OFFLINE=1)
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, clap::Args)]
pub struct ChatArgs {
    /// Scenario id (fraud, recommendations, churn, or one in your scenarios folder) or a file path
    #[arg(env = "CASECOACH_SCENARIO")]
    pub scenario: Option<String>,
    /// Pick a scenario of this interview type: the one you have practised least
    #[arg(long = "type", value_enum, value_name = "KIND")]
    pub kind: Option<InterviewTypeArg>,
    /// interview: realistic, hints when stuck or asked; coach: live checklist and eager hints
    #[arg(long, value_enum, env = "CASECOACH_MODE")]
    pub mode: Option<ModeArg>,
    /// Session length: 45, 60 or 90 minutes of spoken time
    #[arg(long, value_parser = parse_minutes, env = "CASECOACH_MINUTES")]
    pub minutes: Option<u32>,
    /// Continue a saved session (default: the newest unfinished one)
    #[arg(long, value_name = "SESSION", num_args = 0..=1, default_missing_value = "")]
    pub resume: Option<String>,
    /// A folder of prompt templates that override the built-in ones by file name
    #[arg(long, value_name = "DIR")]
    pub prompts_dir: Option<PathBuf>,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Who judges coverage: the reader (`lexical`, whichever --reader is), the model, or both
    /// (default: both with a model)
    #[arg(long, value_enum)]
    pub judge: Option<JudgeArg>,
    /// Practise one stage harder: a stage id, or `weakest` (from your finished sessions)
    #[arg(long, value_name = "STAGE", value_parser = parse_focus)]
    pub focus: Option<Focus>,
    #[command(flatten)]
    pub reading: ReadingArgs,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Focus {
    Weakest,
    Stage(crate::framework::Stage),
}

fn parse_focus(s: &str) -> std::result::Result<Focus, String> {
    if s == "weakest" {
        return Ok(Focus::Weakest);
    }
    crate::framework::Stage::from_id(s)
        .map(Focus::Stage)
        .ok_or_else(|| {
            let ids: Vec<&str> = crate::framework::Stage::ALL
                .iter()
                .map(|s| s.id())
                .collect();
            format!(
                "'{s}' is not a stage; use weakest or one of {}",
                ids.join(", ")
            )
        })
}

fn parse_stage(s: &str) -> std::result::Result<crate::framework::Stage, String> {
    match parse_focus(s)? {
        Focus::Stage(st) => Ok(st),
        Focus::Weakest => Err("a simulation has no history; name a stage".into()),
    }
}

#[derive(Debug, clap::Args)]
pub struct VoiceArgs {
    /// Scenario id or file path (default: fraud)
    pub scenario: Option<String>,
    /// Answer from recordings instead of the microphone: one WAV file per answer, in order
    #[arg(long, value_name = "WAV,...", value_delimiter = ',')]
    pub audio_in: Vec<PathBuf>,
    /// Save the interviewer's lines here as WAV files
    #[arg(long, value_name = "DIR")]
    pub audio_out: Option<PathBuf>,
    /// Send transcripts without showing them first (they are shown only on a terminal anyway)
    #[arg(long)]
    pub no_confirm: bool,
    /// Push-to-talk: hold (press to record, release to send; needs a terminal that reports key
    /// release), toggle (Space or Enter starts and stops), or auto
    #[arg(long, value_enum)]
    pub ptt: Option<PttArg>,
    /// In toggle mode, stop recording after this many seconds of silence following speech
    /// (0 turns it off; default 0.8)
    #[arg(long, value_name = "SECONDS")]
    pub auto_stop: Option<f64>,
    /// List microphones and speakers, then leave
    #[arg(long)]
    pub list_devices: bool,
    /// Record a few seconds from the microphone and report what was heard, then leave
    #[arg(long)]
    pub mic_check: bool,
    /// Say a sentence through the speaker (a tone with --tts none) and report it, then leave
    #[arg(long)]
    pub speaker_check: bool,
    /// The microphone (a name from --list-devices, or part of one)
    #[arg(long, value_name = "NAME")]
    pub input_device: Option<String>,
    /// The speaker (a name from --list-devices, or part of one)
    #[arg(long, value_name = "NAME")]
    pub output_device: Option<String>,
    /// Continue a saved session (the latest, or the one named) by voice
    #[arg(long, value_name = "SESSION", num_args = 0..=1, default_missing_value = "")]
    pub resume: Option<String>,
    /// espeak (offline), endpoint (--tts-url) or none; default: endpoint with --tts-url, else espeak
    #[arg(long, value_enum)]
    pub tts: Option<TtsArg>,
    /// An OpenAI-compatible text-to-speech endpoint, including /v1
    #[arg(long, value_name = "URL", env = "CASECOACH_TTS_BASE_URL")]
    pub tts_url: Option<String>,
    /// The endpoint's voice (default: alloy)
    #[arg(long)]
    pub tts_voice: Option<String>,
    #[command(flatten)]
    pub stt: SttArgs,
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    #[arg(long, value_parser = parse_minutes)]
    pub minutes: Option<u32>,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Who judges coverage: the reader (`lexical`, whichever --reader is), the model, or both
    /// (default: both with a model)
    #[arg(long, value_enum)]
    pub judge: Option<JudgeArg>,
    #[command(flatten)]
    pub reading: ReadingArgs,
}

/// The speech-to-text endpoint (over `[stt]` in the config).
#[derive(Debug, Clone, clap::Args)]
pub struct SttArgs {
    /// An OpenAI-compatible speech-to-text endpoint, including /v1
    #[arg(long, value_name = "URL", env = "CASECOACH_STT_BASE_URL")]
    pub stt_url: Option<String>,
    /// The speech-to-text model (default: whisper-1)
    #[arg(long, value_name = "NAME")]
    pub stt_model: Option<String>,
    /// The path after the base URL (whisper.cpp's server: /inference on its root)
    #[arg(long, value_name = "PATH")]
    pub stt_path: Option<String>,
    /// The spoken language, pinned for recognition (default: en)
    #[arg(long)]
    pub language: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct AssessArgs {
    /// The scenario the transcript is about
    #[arg(long)]
    pub scenario: String,
    /// A session log (.jsonl) or a plain-text transcript
    pub file: PathBuf,
    /// Print the report as JSON (same as --format json)
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Who judges a plain-text transcript's coverage: the reader (`lexical`, whichever
    /// --reader is), the model, or both (default: both with a model)
    #[arg(long, value_enum)]
    pub judge: Option<JudgeArg>,
    #[command(flatten)]
    pub reading: ReadingArgs,
}

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    #[arg(long, default_value = "fraud")]
    pub scenario: String,
    /// strong, weak, skipper, silent, rambler, injector, stuffer, ahead or mistaken; llm:PERSONA has a model
    /// play it (at --llm-url, with --model)
    #[arg(long, value_parser = parse_candidate)]
    pub candidate: crate::sim::CandidateArg,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Print the debrief, transcript and quality checks as JSON
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_enum, default_value = "interview")]
    pub mode: ModeArg,
    #[arg(long, value_parser = parse_minutes)]
    pub minutes: Option<u32>,
    /// Practise this stage harder
    #[arg(long, value_name = "STAGE", value_parser = parse_stage)]
    pub focus: Option<crate::framework::Stage>,
    /// The candidate's wording: the same seed says the answers the same way (default: a new
    /// one each run, printed so the run can be repeated)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub reading: ReadingArgs,
}

fn parse_candidate(s: &str) -> std::result::Result<crate::sim::CandidateArg, String> {
    crate::sim::CandidateArg::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, clap::Args)]
pub struct SessionsArgs {
    #[command(subcommand)]
    pub action: Option<SessionsCommand>,
    /// Only sessions of this scenario (its id)
    #[arg(long, value_name = "ID")]
    pub scenario: Option<String>,
    /// Only sessions started on or after this day
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<String>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum SessionsCommand {
    /// Delete a saved session (its id, a unique part of it, or its path)
    Rm { session: String },
}

#[derive(Debug, clap::Args)]
pub struct DebriefArgs {
    /// A session id (or a unique part of it) or a session file path
    pub session: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: FormatArg,
    /// Write to this file instead of the terminal
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also print each answer's timings: recording, transcription, the model's first token
    #[arg(long)]
    pub timings: bool,
    /// Read every answer again with this casecoach's reader (see --reader), instead of the
    /// reading the session logged (the interviewer's decisions stay as they were)
    #[arg(long)]
    pub rescore: bool,
    /// Print the session's transcript and your notes instead of the debrief
    #[arg(long, conflicts_with_all = ["format", "timings"])]
    pub transcript: bool,
    #[command(flatten)]
    pub reading: ReadingArgs,
}

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// List the scenarios you can run
    List,
    /// Show a scenario as the candidate sees it (--full: everything, as its author sees it)
    Show {
        id: String,
        #[arg(long)]
        full: bool,
    },
    /// Write a new scenario with every stage and checkpoint in place, ready to fill in
    New {
        id: String,
        #[arg(long = "type", value_enum, default_value = "case-study")]
        kind: InterviewTypeArg,
        /// Where to write it (default: your scenarios folder)
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Check scenario files: errors and lints as file:line:col (default: built-in and user ones)
    Check {
        paths: Vec<PathBuf>,
        /// Fail on warnings too
        #[arg(long)]
        strict: bool,
    },
    /// Print the JSON Schema of scenario files, for editors
    Schema {
        /// Print the format reference as a Markdown table instead
        #[arg(long)]
        markdown: bool,
    },
    /// Print the framework's checkpoints with the cues every scenario starts from (Markdown)
    Cues,
    /// Run a strong and a weak simulated candidate and check the scenario plays as meant
    DryRun {
        /// Scenario ids or paths (default: every built-in and user scenario)
        ids: Vec<String>,
        #[command(flatten)]
        reading: ReadingArgs,
    },
}

/// 45, 60 or 90; also checks `[interview] minutes`, so both say the same.
pub fn parse_minutes(s: &str) -> std::result::Result<u32, String> {
    match s.parse::<u32>() {
        Ok(m @ (45 | 60 | 90)) => Ok(m),
        _ => Err(format!("'{s}' is not a session length; use 45, 60 or 90")),
    }
}

// Clap's mirrors of domain enums: the domain stays free of clap, and each `From` is the one place
// a flag value becomes a domain value. Doc comments are the help text of each value.

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    /// Realistic: hints only when stuck or asked.
    Interview,
    /// Practice: live checklist and eager hints.
    Coach,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Interview => Mode::Interview,
            ModeArg::Coach => Mode::Coach,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum JudgeArg {
    Lexical,
    Llm,
    Both,
}

impl From<ReaderArg> for crate::reader::Choice {
    fn from(r: ReaderArg) -> crate::reader::Choice {
        match r {
            ReaderArg::Auto => crate::reader::Choice::Auto,
            ReaderArg::Semantic => crate::reader::Choice::Semantic,
            ReaderArg::Lexical => crate::reader::Choice::Lexical,
        }
    }
}

impl From<JudgeArg> for JudgeMode {
    fn from(j: JudgeArg) -> JudgeMode {
        match j {
            JudgeArg::Lexical => JudgeMode::Lexical,
            JudgeArg::Llm => JudgeMode::Llm,
            JudgeArg::Both => JudgeMode::Both,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PttArg {
    Auto,
    Hold,
    Toggle,
}

impl From<PttArg> for PttChoice {
    fn from(p: PttArg) -> PttChoice {
        match p {
            PttArg::Auto => PttChoice::Auto,
            PttArg::Hold => PttChoice::Hold,
            PttArg::Toggle => PttChoice::Toggle,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TtsArg {
    /// espeak-ng, offline (the default without --tts-url)
    Espeak,
    /// An OpenAI-compatible /v1/audio/speech at --tts-url (the default with it)
    Endpoint,
    /// No speech: the lines are only printed
    None,
}

impl From<TtsArg> for TtsKind {
    fn from(t: TtsArg) -> TtsKind {
        match t {
            TtsArg::Espeak => TtsKind::Espeak,
            TtsArg::Endpoint => TtsKind::Endpoint,
            TtsArg::None => TtsKind::None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Text,
    Md,
    Json,
    /// A self-contained HTML report with charts
    Html,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Md => Format::Md,
            FormatArg::Json => Format::Json,
            FormatArg::Html => Format::Html,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InterviewTypeArg {
    CaseStudy,
    SystemDesign,
    CodingMl,
}

impl From<InterviewTypeArg> for InterviewType {
    fn from(k: InterviewTypeArg) -> InterviewType {
        match k {
            InterviewTypeArg::CaseStudy => InterviewType::CaseStudy,
            InterviewTypeArg::SystemDesign => InterviewType::SystemDesign,
            InterviewTypeArg::CodingMl => InterviewType::CodingMl,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;
    use serde::de::DeserializeOwned;

    /// A flag value and the same word in the config file or the session log mean one thing.
    fn same_words<A: ValueEnum + Copy, D: DeserializeOwned + PartialEq + std::fmt::Debug>(
        to_domain: impl Fn(A) -> D,
    ) {
        for a in A::value_variants() {
            let name = a.to_possible_value().unwrap().get_name().to_string();
            let parsed: D = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_eq!(parsed, to_domain(*a), "{name}");
        }
    }

    #[test]
    fn flag_values_are_spelt_as_the_domain_serializes_them() {
        same_words::<ModeArg, Mode>(Into::into);
        same_words::<JudgeArg, JudgeMode>(Into::into);
        same_words::<PttArg, PttChoice>(Into::into);
        same_words::<InterviewTypeArg, InterviewType>(Into::into);
        // The session log's `started` event spells the judge so; old logs must still read.
        assert_eq!(serde_json::to_string(&JudgeMode::Both).unwrap(), "\"both\"");
    }
}
