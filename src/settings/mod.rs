//! Flags, `CASECOACH_*` environment, the config file and defaults, in that order of precedence,
//! resolved once into the typed settings of each subcommand. Below the top, code gets these
//! values and reads neither flags, nor the environment, nor the config file for a setting.

use crate::chat::Settings;
use crate::cli::{self, AssessArgs, ChatArgs, Cli, Command, DebriefArgs, Focus, ScenarioCommand};
use crate::cli::{SimulateArgs, VoiceArgs};
use crate::config;
use crate::debrief::render::Format;
use crate::folders;
use crate::framework::{InterviewType, Stage};
use crate::interview::{JudgeMode, Mode};
use crate::llm::LlmConfig;
use crate::reader::{Choice, ReaderSettings};
use crate::sim::Persona;
use crate::voice::VoiceOptions;
use crate::voice::stt::SttConfig;
use crate::voice::tts::TtsKind;
use crate::voice::turn::PttChoice;
use anyhow::{Result, anyhow, bail};
use std::path::{Path, PathBuf};

mod eval;
pub use eval::{EvalSettings, EvalWhat, LatencyEvalSettings, SpeechEvalSettings, Split};

/// One subcommand, with its settings resolved.
pub enum Resolved {
    Chat(ChatSettings),
    Voice(Box<VoiceSettings>),
    Assess(AssessSettings),
    Debrief(DebriefSettings),
    Simulate(SimulateSettings),
    Sessions(SessionsSettings),
    /// The command line itself, for completion scripts and the manual page.
    Completions(clap_complete::Shell, clap::Command),
    Man(clap::Command),
    Doctor(DoctorSettings),
    Scenario(ScenarioSettings),
    Setup,
    Eval(EvalSettings),
    SpeechEval(SpeechEvalSettings),
    LatencyEval(Box<LatencyEvalSettings>),
    Train {
        corpus: PathBuf,
        out: PathBuf,
    },
}

pub struct SessionsSettings {
    pub sessions_dir: PathBuf,
    /// Remove this session instead of listing.
    pub remove: Option<String>,
    pub scenario: Option<String>,
    /// `YYYY-MM-DD`, checked.
    pub since: Option<String>,
}

pub struct ChatSettings {
    pub settings: Settings,
    /// Continue a session: the newest unfinished one when empty.
    pub resume: Option<String>,
    /// The scenario named on the command line, if any: with `resume`, it must be the session's.
    pub scenario_given: Option<String>,
}

pub struct VoiceSettings {
    pub settings: Settings,
    pub options: VoiceOptions,
    /// The scenario named on the command line, if any: with `--resume`, it must be the session's.
    pub scenario_given: Option<String>,
}

pub struct AssessSettings {
    pub scenario: String,
    pub file: PathBuf,
    pub format: Format,
    pub reading: ReaderSettings,
    /// The model that judges too (`judge` is `llm` or `both`); a session log is never judged
    /// again, only a plain transcript.
    pub llm: Option<LlmConfig>,
    pub judge: JudgeMode,
}

pub struct DebriefSettings {
    pub sessions_dir: PathBuf,
    pub session: String,
    pub format: Format,
    pub out: Option<PathBuf>,
    pub timings: bool,
    /// Read every turn again with the current reader instead of the logged readings.
    pub rescore: bool,
    /// The transcript and notes instead of the debrief.
    pub transcript: bool,
    pub reading: ReaderSettings,
}

pub struct SimulateSettings {
    pub scenario: String,
    pub persona: Persona,
    /// The model that plays the candidate, for `llm:PERSONA`.
    pub player: Option<LlmConfig>,
    pub json: bool,
    pub mode: Mode,
    pub minutes: Option<u32>,
    pub focus: Option<Stage>,
    /// The seed of the candidate's wording.
    pub seed: u64,
    pub reading: ReaderSettings,
}

pub struct DoctorSettings {
    /// The config file that applies, read or not; None without a home folder.
    pub config_file: Option<PathBuf>,
    pub sessions_dir: PathBuf,
    pub llm: Option<LlmConfig>,
    pub stt_url: Option<String>,
    pub tts_url: Option<String>,
    pub input_device: Option<String>,
    pub output_device: Option<String>,
}

pub enum ScenarioSettings {
    List,
    Cues,
    Show {
        id: String,
        full: bool,
    },
    /// `path`: where to write it, `--out` or the user's scenarios folder.
    New {
        id: String,
        kind: InterviewType,
        path: PathBuf,
    },
    Check {
        paths: Vec<PathBuf>,
        strict: bool,
    },
    Schema {
        markdown: bool,
    },
    DryRun {
        ids: Vec<String>,
        reading: ReaderSettings,
    },
}

/// Resolve a parsed command line against the environment and the config file.
pub fn resolve(cli: &Cli) -> Result<Resolved> {
    let base = Base::load(cli)?;
    // A wrong `[interview] minutes` fails every subcommand, not only the interviews, so the
    // file is fixed where it is wrong; chat's `--focus weakest` speaks first, as it always has.
    let focus = match &cli.command {
        Command::Chat(a) => base.focus(a.focus)?,
        _ => None,
    };
    base.check_minutes()?;
    Ok(match &cli.command {
        Command::Chat(a) => Resolved::Chat(chat(&base, a, focus)?),
        Command::Voice(a) => Resolved::Voice(Box::new(voice(&base, a)?)),
        Command::Assess(a) => Resolved::Assess(assess(&base, a)?),
        Command::Debrief(a) => Resolved::Debrief(debrief(base, a)?),
        Command::Simulate(a) => Resolved::Simulate(simulate(base, a)?),
        Command::Sessions(a) => Resolved::Sessions(sessions(base, a)?),
        Command::Doctor { .. } => Resolved::Doctor(doctor(cli, base)),
        Command::Scenario(c) => Resolved::Scenario(scenario(c)?),
        Command::Setup => Resolved::Setup,
        Command::Eval(c) => eval::eval(&base, c)?,
        Command::Train { corpus, out } => Resolved::Train {
            corpus: corpus.clone(),
            out: out.clone(),
        },
        Command::Completions { shell } => {
            Resolved::Completions(*shell, <Cli as clap::CommandFactory>::command())
        }
        Command::Man => Resolved::Man(<Cli as clap::CommandFactory>::command()),
    })
}

/// What every subcommand resolves first: a broken config file or model setting is reported
/// whatever is run.
struct Base {
    file: config::File,
    llm: Option<LlmConfig>,
    sessions_dir: PathBuf,
}

impl Base {
    fn load(cli: &Cli) -> Result<Base> {
        let file = config::load(cli.config.as_deref())?;
        let (url, model) = match &cli.command {
            Command::Chat(c) => (c.endpoint.llm_url.as_deref(), c.endpoint.model.as_deref()),
            Command::Voice(v) => (v.endpoint.llm_url.as_deref(), v.endpoint.model.as_deref()),
            Command::Doctor { llm_url, model } => (llm_url.as_deref(), model.as_deref()),
            Command::Simulate(s) => (s.endpoint.llm_url.as_deref(), s.endpoint.model.as_deref()),
            Command::Assess(a) => (a.endpoint.llm_url.as_deref(), a.endpoint.model.as_deref()),
            Command::Eval(cli::EvalCommand::Latency(l)) => {
                (l.endpoint.llm_url.as_deref(), l.endpoint.model.as_deref())
            }
            _ => (None, None),
        };
        let llm = LlmConfig::resolve(url, model, &file.llm)?;
        let sessions_dir = sessions_dir(
            cli.sessions_dir.as_deref(),
            file.interview.sessions_dir.as_deref(),
        )?;
        Ok(Base {
            file,
            llm,
            sessions_dir,
        })
    }

    fn focus(&self, flag: Option<Focus>) -> Result<Option<Stage>> {
        Ok(match flag {
            None => None,
            Some(Focus::Stage(s)) => Some(s),
            Some(Focus::Weakest) => {
                let all = crate::session::list(&self.sessions_dir)?;
                let weakest = crate::session::weakest_stage(&all);
                match weakest {
                    None => errln!(
                        "(--focus weakest: no finished session shows a weaker stage yet, so every stage gets the usual time)"
                    ),
                    Some(stage) => {
                        let mean = crate::session::stage_averages(&all)[stage]
                            .map(|m| format!(", mean {m:.1}/4"))
                            .unwrap_or_default();
                        errln!(
                            "(--focus weakest: {}, your weakest stage so far{mean}: it gets more time and every probe)",
                            stage.name()
                        );
                    }
                }
                weakest
            }
        })
    }

    fn check_minutes(&self) -> Result<()> {
        if let Some(m) = self.file.interview.minutes {
            cli::parse_minutes(&m.to_string())
                .map_err(|e| anyhow!("config [interview] minutes: {e}"))?;
        }
        Ok(())
    }

    /// An interview's settings: the flags given, over `[interview]`, over the defaults.
    fn interview(&self, flags: InterviewFlags) -> Result<Settings> {
        let iv = &self.file.interview;
        Ok(Settings {
            sessions_dir: self.sessions_dir.clone(),
            prompts_dir: flags
                .prompts_dir
                .or(iv.prompts_dir.clone())
                .or_else(|| folders::config_dir().map(|d| d.join("prompts"))),
            scenario: flags
                .scenario
                .or(iv.scenario.clone())
                .unwrap_or_else(|| "fraud".into()),
            minutes: flags.minutes.or(iv.minutes),
            mode: flags.mode.or(iv.mode).unwrap_or_default(),
            focus: flags.focus,
            llm: self.llm.clone(),
            judge: judge(flags.judge, self.llm.as_ref())?,
            reading: flags.reading,
        })
    }
}

/// The interview flags a subcommand has; voice has fewer than chat.
#[derive(Default)]
struct InterviewFlags {
    scenario: Option<String>,
    minutes: Option<u32>,
    mode: Option<Mode>,
    prompts_dir: Option<PathBuf>,
    focus: Option<Stage>,
    judge: Option<JudgeMode>,
    reading: ReaderSettings,
}

/// `--sessions-dir`, else `$CASECOACH_DATA_DIR/sessions`, else `[interview] sessions_dir`, else
/// the sessions folder of the XDG data folder.
fn sessions_dir(flag: Option<&Path>, file: Option<&Path>) -> Result<PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(|| folders::env("CASECOACH_DATA_DIR").map(|d| PathBuf::from(d).join("sessions")))
        .or_else(|| file.map(Path::to_path_buf))
        .or_else(|| folders::data_dir().map(|d| d.join("sessions")))
        .ok_or_else(|| {
            anyhow!(
                "cannot tell where to keep sessions: set HOME, CASECOACH_DATA_DIR or pass --sessions-dir"
            )
        })
}

/// Without a flag, the model judges too when there is one.
fn judge(flag: Option<JudgeMode>, llm: Option<&LlmConfig>) -> Result<JudgeMode> {
    Ok(match (flag, llm) {
        (Some(JudgeMode::Llm | JudgeMode::Both), None) => bail!(
            "--judge llm and --judge both need a model endpoint (--llm-url and --model, or [llm] in the config)"
        ),
        (Some(j), _) => j,
        (None, Some(_)) => JudgeMode::Both,
        (None, None) => JudgeMode::Lexical,
    })
}

fn sessions(base: Base, a: &cli::SessionsArgs) -> Result<SessionsSettings> {
    if let Some(d) = &a.since {
        let b = d.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let shaped = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
        if !(shaped && digits(0..4) && digits(5..7) && digits(8..10)) {
            bail!("--since {d}: give a day as YYYY-MM-DD, e.g. --since 2026-11-01");
        }
    }
    Ok(SessionsSettings {
        sessions_dir: base.sessions_dir,
        remove: a.action.as_ref().map(|c| match c {
            cli::SessionsCommand::Rm { session } => session.clone(),
        }),
        scenario: a.scenario.clone(),
        since: a.since.clone(),
    })
}

/// The scenario of type `kind` practised least (by sessions kept), the first listed on a tie.
fn least_practised(kind: InterviewType, sessions: &Path) -> Result<String> {
    let ids: Vec<String> = (crate::scenario::known_ids().into_iter())
        .filter(|id| crate::scenario::load(id).is_ok_and(|s| s.kind == kind))
        .collect();
    let names: Vec<String> = std::fs::read_dir(sessions)
        .map(|d| {
            d.filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
                .filter(|n| n.ends_with(".jsonl"))
                .collect()
        })
        .unwrap_or_default();
    let practised = |id: &str| {
        (names.iter())
            .filter(|n| crate::session::scenario_of(n) == Some(id))
            .count()
    };
    ids.iter()
        .min_by_key(|id| practised(id))
        .cloned()
        .ok_or_else(|| {
            anyhow!(
                "no {} scenario to pick; `casecoach scenario list` shows each one's type",
                kind.id()
            )
        })
}

fn chat(base: &Base, a: &ChatArgs, focus: Option<Stage>) -> Result<ChatSettings> {
    // A scenario from CASECOACH_SCENARIO gives way to --type; one on the command line does not.
    let from_env = a.scenario.as_deref().map(std::ffi::OsStr::new)
        == folders::env("CASECOACH_SCENARIO").as_deref();
    let named = a.scenario.clone().filter(|_| a.kind.is_none() || !from_env);
    let picked = match (a.kind, &named) {
        (Some(_), Some(id)) => bail!("give a scenario ({id}) or --type, not both"),
        (Some(kind), None) => Some(least_practised(kind.into(), &base.sessions_dir)?),
        (None, _) => None,
    };
    let settings = base.interview(InterviewFlags {
        scenario: named.clone().or(picked.clone()),
        minutes: a.minutes,
        mode: a.mode.map(Into::into),
        prompts_dir: a.prompts_dir.clone(),
        focus,
        judge: a.judge.map(Into::into),
        reading: reading(&a.reading)?,
    })?;
    Ok(ChatSettings {
        settings,
        resume: a.resume.clone(),
        scenario_given: named.or(picked),
    })
}

fn voice(base: &Base, a: &VoiceArgs) -> Result<VoiceSettings> {
    let settings = base.interview(InterviewFlags {
        scenario: a.scenario.clone(),
        minutes: a.minutes,
        mode: a.mode.map(Into::into),
        judge: a.judge.map(Into::into),
        reading: reading(&a.reading)?,
        ..InterviewFlags::default()
    })?;
    let file = &base.file;
    let tts_url = a.tts_url.clone().or(file.tts.base_url.clone());
    let options = VoiceOptions {
        confirm: !a.no_confirm && std::io::IsTerminal::is_terminal(&std::io::stdin()),
        audio_in: a.audio_in.clone(),
        audio_out: a.audio_out.clone(),
        tts: a.tts.map(Into::into).unwrap_or(if tts_url.is_some() {
            TtsKind::Endpoint
        } else {
            TtsKind::Espeak
        }),
        tts_url,
        tts_voice: a
            .tts_voice
            .clone()
            .or(file.tts.voice.clone())
            .unwrap_or_else(|| "alloy".into()),
        stt: stt(&a.stt, &file.stt),
        ptt: a
            .ptt
            .map(Into::into)
            .or(file.voice.ptt)
            .unwrap_or(PttChoice::Auto)
            .ptt(),
        auto_stop: auto_stop(a.auto_stop.or(file.voice.auto_stop))?,
        list_devices: a.list_devices,
        mic_check: a.mic_check,
        speaker_check: a.speaker_check,
        input_device: a.input_device.clone().or(file.voice.input_device.clone()),
        output_device: a.output_device.clone().or(file.voice.output_device.clone()),
        resume: a.resume.clone().map(|q| (!q.is_empty()).then_some(q)),
        max_answer_secs: max_answer(file.voice.max_answer_minutes)?,
    };
    Ok(VoiceSettings {
        settings,
        options,
        scenario_given: a.scenario.clone(),
    })
}

/// Speech to text, when an endpoint is given; the client's defaults fill what is not.
fn stt(a: &crate::cli::SttArgs, file: &config::SttSection) -> Option<SttConfig> {
    let url = a.stt_url.clone().or(file.base_url.clone())?;
    let mut c = SttConfig::new(&url);
    c.model = a
        .stt_model
        .clone()
        .or(file.model.clone())
        .unwrap_or(c.model);
    c.path = a.stt_path.clone().or(file.path.clone()).unwrap_or(c.path);
    c.language = a
        .language
        .clone()
        .or(file.language.clone())
        .unwrap_or(c.language);
    Some(c)
}

/// Seconds of silence that end a toggle recording; None when turned off with 0.
fn auto_stop(given: Option<f64>) -> Result<Option<f64>> {
    let s = given.unwrap_or(0.8);
    if !(0.0..=30.0).contains(&s) {
        bail!(
            "auto-stop {s} (--auto-stop or [voice] auto_stop): give the seconds of silence that end a recording, from 0 (off) to 30"
        );
    }
    Ok((s > 0.0).then_some(s))
}

/// The longest answer one recording may hold, in seconds: `[voice] max_answer_minutes`.
fn max_answer(minutes: Option<f64>) -> Result<f64> {
    let m = minutes.unwrap_or(crate::voice::audio::MAX_ANSWER_SECS / 60.0);
    if !(0.1..=60.0).contains(&m) {
        bail!(
            "[voice] max_answer_minutes = {m}: give the minutes one answer may last, from 0.1 to 60"
        );
    }
    Ok(m * 60.0)
}

/// `--reader` over `CASECOACH_READER` over auto; `--offline` or `CASECOACH_OFFLINE`.
fn reading(a: &cli::ReadingArgs) -> Result<ReaderSettings> {
    let text = |k: &str| folders::env(k).map(|v| v.to_string_lossy().trim().to_lowercase());
    let choice = match (a.reader, text("CASECOACH_READER")) {
        (Some(r), _) => r.into(),
        (None, None) => Choice::Auto,
        (None, Some(v)) => match v.as_str() {
            "auto" => Choice::Auto,
            "semantic" => Choice::Semantic,
            "lexical" => Choice::Lexical,
            _ => bail!("CASECOACH_READER is '{v}'; it can be auto, semantic or lexical"),
        },
    };
    let offline = a.offline
        || match text("CASECOACH_OFFLINE").as_deref() {
            None | Some("0" | "false" | "no" | "off") => false,
            Some("1" | "true" | "yes" | "on") => true,
            Some(v) => bail!("CASECOACH_OFFLINE is '{v}'; it can be 1 or 0"),
        };
    Ok(ReaderSettings { choice, offline })
}

fn assess(base: &Base, a: &AssessArgs) -> Result<AssessSettings> {
    Ok(AssessSettings {
        llm: base.llm.clone(),
        judge: judge(a.judge.map(Into::into), base.llm.as_ref())?,
        scenario: a.scenario.clone(),
        file: a.file.clone(),
        format: if a.json {
            Format::Json
        } else {
            a.format.map(Into::into).unwrap_or(Format::Text)
        },
        reading: reading(&a.reading)?,
    })
}

fn debrief(base: Base, a: &DebriefArgs) -> Result<DebriefSettings> {
    Ok(DebriefSettings {
        sessions_dir: base.sessions_dir,
        session: a.session.clone(),
        format: a.format.into(),
        out: a.out.clone(),
        rescore: a.rescore,
        transcript: a.transcript,
        timings: a.timings,
        reading: reading(&a.reading)?,
    })
}

fn simulate(base: Base, a: &SimulateArgs) -> Result<SimulateSettings> {
    let player = match (base.llm, a.candidate.model) {
        (_, false) => None,
        (Some(c), true) => Some(c),
        (None, true) => bail!(
            "llm:{} needs a model to play the candidate: pass --llm-url and --model (or configure [llm])",
            a.candidate.persona.id()
        ),
    };
    Ok(SimulateSettings {
        scenario: a.scenario.clone(),
        persona: a.candidate.persona,
        player,
        json: a.json,
        mode: a.mode.into(),
        minutes: a.minutes,
        focus: a.focus,
        // A new wording each run unless one is asked for.
        seed: a.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos() as u64 ^ d.as_secs())
        }),
        reading: reading(&a.reading)?,
    })
}

fn doctor(cli: &Cli, base: Base) -> DoctorSettings {
    let env_text = |k: &str| folders::env(k).and_then(|v| v.into_string().ok());
    let file = base.file;
    DoctorSettings {
        config_file: cli
            .config
            .clone()
            .or_else(|| folders::config_dir().map(|d| d.join("config.toml"))),
        sessions_dir: base.sessions_dir,
        llm: base.llm,
        // The voice flags take these from the environment through clap; doctor has no such
        // flags, so it reads them here, over the config file, as voice would.
        stt_url: env_text("CASECOACH_STT_BASE_URL").or(file.stt.base_url),
        tts_url: env_text("CASECOACH_TTS_BASE_URL").or(file.tts.base_url),
        input_device: file.voice.input_device,
        output_device: file.voice.output_device,
    }
}

fn scenario(c: &ScenarioCommand) -> Result<ScenarioSettings> {
    Ok(match c {
        ScenarioCommand::List => ScenarioSettings::List,
        ScenarioCommand::Cues => ScenarioSettings::Cues,
        ScenarioCommand::Show { id, full } => ScenarioSettings::Show {
            id: id.clone(),
            full: *full,
        },
        ScenarioCommand::New { id, kind, out } => ScenarioSettings::New {
            path: new_scenario_path(id, out.as_deref())?,
            id: id.clone(),
            kind: (*kind).into(),
        },
        ScenarioCommand::Check { paths, strict } => ScenarioSettings::Check {
            paths: paths.clone(),
            strict: *strict,
        },
        ScenarioCommand::Schema { markdown } => ScenarioSettings::Schema {
            markdown: *markdown,
        },
        ScenarioCommand::DryRun { ids, reading: r } => ScenarioSettings::DryRun {
            ids: ids.clone(),
            reading: reading(r)?,
        },
    })
}

/// Where `scenario new` writes: `--out`, else the user's scenarios folder.
fn new_scenario_path(id: &str, out: Option<&Path>) -> Result<PathBuf> {
    if let Err(why) = crate::scenario::check_id(id) {
        bail!("scenario id '{id}' {why}");
    }
    Ok(match out {
        Some(p) => p.to_path_buf(),
        None => crate::scenario::user_dir()
            .ok_or_else(|| {
                anyhow!(
                    "cannot find your config folder: set HOME or XDG_CONFIG_HOME, or pass --out"
                )
            })?
            .join(format!("{id}.toml")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_stop_defaults_to_0_8_turns_off_at_0_and_refuses_past_30() {
        assert_eq!(auto_stop(None).unwrap(), Some(0.8));
        assert_eq!(auto_stop(Some(0.0)).unwrap(), None);
        assert_eq!(auto_stop(Some(30.0)).unwrap(), Some(30.0));
        assert!(auto_stop(Some(30.5)).is_err());
        assert!(auto_stop(Some(-1.0)).is_err());
    }

    #[test]
    fn the_model_judges_too_when_there_is_one_and_cannot_judge_without_one() {
        let llm = LlmConfig::resolve(
            Some("http://127.0.0.1:9/v1"),
            Some("m"),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(judge(None, llm.as_ref()).unwrap(), JudgeMode::Both);
        assert_eq!(judge(None, None).unwrap(), JudgeMode::Lexical);
        assert_eq!(
            judge(Some(JudgeMode::Lexical), llm.as_ref()).unwrap(),
            JudgeMode::Lexical
        );
        assert!(judge(Some(JudgeMode::Llm), None).is_err());
    }
}
