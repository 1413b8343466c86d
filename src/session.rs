//! Session logs: append-only JSONL, one event a line, each written with a single `write` the
//! moment it happens, so killing the process never loses a completed turn. Reading tolerates a
//! last line cut in half (resume up to the last whole event and say so); replay rebuilds the
//! interview by applying the logged actions, not by re-running the director.

use crate::interview::{Action, Interview, Mode, Observation, Phase, Reason, Role};
use crate::scenario::Scenario;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const SCHEMA: u32 = 1;

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
        focus: Option<crate::framework::Stage>,
        /// Who judged coverage; absent in older logs, which were lexical.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        judge: Option<crate::interview::JudgeMode>,
    },
    Turn {
        n: usize,
        role: Role,
        text: String,
        at: f64,
        phase: Phase,
    },
    Coverage {
        turn: usize,
        checkpoint: String,
        quote: String,
        source: String,
    },
    Action {
        at: f64,
        action: Action,
    },
    Stage {
        from: Phase,
        to: Phase,
        at: f64,
    },
    Note {
        text: String,
        at: f64,
    },
    /// The model judge's verdict on a turn: claims kept, and claims dropped for lack of a true quote.
    Judge {
        turn: usize,
        accepted: usize,
        dropped: usize,
    },
    /// A spoken answer: its recording and how it was transcribed, before the turn it became.
    Voice {
        file: String,
        #[serde(flatten)]
        note: crate::interview::VoiceNote,
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

#[derive(Serialize, Deserialize)]
struct Line {
    v: u32,
    #[serde(flatten)]
    event: Event,
}

/// Where a session's events go: a file on disk, or memory (simulations, which read them back).
pub struct Log {
    pub path: PathBuf,
    sink: Sink,
}

enum Sink {
    File(std::fs::File),
    Memory(Vec<Event>),
}

impl Log {
    /// A new session file in `dir`, named by start time and scenario.
    pub fn create(dir: &Path, scenario: &str) -> Result<Log> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the sessions folder {}", dir.display()))?;
        let stamp = file_stamp(std::time::SystemTime::now());
        for attempt in 0..100 {
            let suffix = if attempt == 0 {
                String::new()
            } else {
                format!("-{attempt}")
            };
            let path = dir.join(format!("{stamp}-{scenario}{suffix}.jsonl"));
            match std::fs::OpenOptions::new()
                .append(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    return Ok(Log {
                        path,
                        sink: Sink::File(file),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("cannot create session file {}", path.display()));
                }
            }
        }
        bail!("cannot find a free session file name in {}", dir.display())
    }

    /// Reopen a session for appending, first cutting off a partial last line.
    pub fn reopen(path: &Path, loaded: &Loaded) -> Result<Log> {
        let good_len = loaded.good_len;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open session file {}", path.display()))?;
        file.set_len(good_len)
            .with_context(|| format!("cannot repair session file {}", path.display()))?;
        drop(file);
        let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
        if loaded.needs_newline {
            file.write_all(b"\n")?;
        }
        Ok(Log {
            path: path.to_path_buf(),
            sink: Sink::File(file),
        })
    }

    /// A log kept in memory, named `name` in messages.
    pub fn memory(name: &str) -> Log {
        Log {
            path: PathBuf::from(name),
            sink: Sink::Memory(Vec::new()),
        }
    }

    /// The session id users type: the file name without `.jsonl`.
    pub fn id(&self) -> String {
        id_of(&self.path)
    }

    pub fn is_file(&self) -> bool {
        matches!(self.sink, Sink::File(_))
    }

    /// The events of an in-memory log (empty for a file log: read the file instead).
    pub fn events(&self) -> &[Event] {
        match &self.sink {
            Sink::Memory(events) => events,
            Sink::File(_) => &[],
        }
    }

    pub fn append(&mut self, event: Event) -> Result<()> {
        let file = match &mut self.sink {
            Sink::Memory(events) => {
                events.push(event);
                return Ok(());
            }
            Sink::File(file) => file,
        };
        let mut line = serde_json::to_string(&Line { v: SCHEMA, event })?;
        line.push('\n');
        // One write per event: a kill leaves whole lines, or at worst one partial last line.
        file.write_all(line.as_bytes())
            .with_context(|| format!("cannot write to session file {}", self.path.display()))
    }
}

/// A session file read back.
#[derive(Debug)]
pub struct Loaded {
    pub events: Vec<Event>,
    /// Byte length of the whole events; anything after was a partial line.
    pub good_len: u64,
    /// The last event is whole but lacks its newline; add one before appending.
    pub needs_newline: bool,
    /// Set when the last line was cut: its line number.
    pub partial_line: Option<usize>,
}

pub fn read(path: &Path) -> Result<Loaded> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read session file {}", path.display()))?;
    parse(&bytes, path)
}

/// Session events from a log's bytes; `path` is only used in messages.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Loaded> {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
    let mut loaded = Loaded {
        events: Vec::new(),
        good_len: 0,
        needs_newline: false,
        partial_line: None,
    };
    for (i, raw) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        if raw.iter().all(u8::is_ascii_whitespace) {
            loaded.good_len += raw.len() as u64;
            continue;
        }
        let parsed = std::str::from_utf8(raw)
            .map_err(|e| e.to_string())
            .and_then(|s| serde_json::from_str::<Line>(s.trim_end()).map_err(|e| e.to_string()));
        match parsed {
            Ok(line) => {
                if line.v > SCHEMA {
                    bail!(
                        "{}: line {} has schema version {}; this casecoach reads up to {SCHEMA}. Update casecoach.",
                        path.display(),
                        i + 1,
                        line.v
                    );
                }
                loaded.events.push(line.event);
                loaded.good_len += raw.len() as u64;
                loaded.needs_newline = !raw.ends_with(b"\n");
            }
            // Only the last line can be cut short by a kill; anything earlier is damage.
            Err(_) if last => loaded.partial_line = Some(i + 1),
            Err(why) => bail!(
                "{}: line {} is not a casecoach session event ({why}). The file is damaged before its end; it cannot be resumed safely.",
                path.display(),
                i + 1
            ),
        }
    }
    match loaded.events.first() {
        None => bail!(
            "{} holds no session events; is it a casecoach session log?",
            path.display()
        ),
        Some(Event::Started { .. }) => Ok(loaded),
        Some(_) => bail!(
            "{} does not start with a 'started' event; is it a casecoach session log?",
            path.display()
        ),
    }
}

/// The interview rebuilt from a log.
pub struct Replayed {
    pub interview: Interview,
    /// A candidate turn the interviewer never reacted to (the process died in between).
    pub unanswered: Option<Observation>,
    /// Actions logged after the last interviewer line: decided, but never said.
    pub unsaid: Vec<Action>,
    pub ended: bool,
    pub debriefed: bool,
}

pub fn started_info(events: &[Event]) -> Option<(&str, &str, &str, u32, Mode)> {
    match events.first()? {
        Event::Started {
            scenario,
            locator,
            hash,
            minutes,
            mode,
            ..
        } => Some((
            scenario.as_str(),
            locator.as_str(),
            hash.as_str(),
            *minutes,
            *mode,
        )),
        _ => None,
    }
}

pub fn replay(events: &[Event], scenario: Arc<Scenario>) -> Result<Replayed> {
    let Some((_, _, _, minutes, mode)) = started_info(events) else {
        bail!("the session log does not start with a 'started' event");
    };
    let mut interview = Interview::new(scenario, mode, minutes);
    if let Some(Event::Started { focus, judge, .. }) = events.first() {
        if let Some(stage) = focus {
            interview.set_focus(*stage);
        }
        interview.lexical = *judge != Some(crate::interview::JudgeMode::Llm);
    }
    let mut r = Replayed {
        interview,
        unanswered: None,
        unsaid: Vec::new(),
        ended: false,
        debriefed: false,
    };
    for event in &events[1..] {
        match event {
            Event::Turn {
                role: Role::Candidate,
                text,
                at,
                ..
            } => {
                r.unanswered = Some(r.interview.observe(text, *at));
                r.unsaid.clear();
            }
            Event::Turn {
                role: Role::Interviewer,
                text,
                at,
                ..
            } => {
                r.interview.interviewer(text, *at);
                r.unsaid.clear();
            }
            Event::Action { action, at } => {
                r.interview.apply(action, *at);
                r.unanswered = None;
                r.unsaid.push(action.clone());
            }
            Event::Note { text, .. } => r.interview.note(text),
            Event::Ended { .. } => r.ended = true,
            Event::Debrief { .. } => r.debriefed = true,
            Event::Coverage {
                turn,
                checkpoint,
                quote,
                source,
            } if source == "model" => {
                if let Some(i) = r.interview.scenario.checkpoint_index(checkpoint) {
                    r.interview
                        .credit(i, *turn, quote, crate::interview::Source::Model);
                }
            }
            Event::Judge { dropped, .. } => r.interview.judge_dropped += dropped,
            Event::Spoken { turn, text } => r.interview.cut_short(*turn, text),
            Event::Voice { note, .. } => r.interview.voice.push(note.clone()),
            Event::Started { .. }
            | Event::Usage { .. }
            | Event::Latency { .. }
            | Event::Coverage { .. }
            | Event::Stage { .. }
            | Event::Resumed { .. } => {}
        }
    }
    Ok(r)
}

// ---- finding and listing sessions ------------------------------------------------------------------

pub struct Summary {
    pub path: PathBuf,
    pub id: String,
    pub scenario: String,
    pub time: String,
    pub candidate_turns: usize,
    pub phase: String,
    pub ended: bool,
    pub recommendation: Option<String>,
    /// Each stage's debrief score, in stage order (None: not assessed), for finished sessions.
    pub stage_scores: Option<Vec<Option<u8>>>,
    pub problem: Option<String>,
}

pub fn list(dir: &Path) -> Result<Vec<Summary>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot read the sessions folder {}", dir.display()));
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    Ok(paths.into_iter().map(|p| summarize(&p)).collect())
}

pub fn id_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn summarize(path: &Path) -> Summary {
    let id = id_of(path);
    let mut s = Summary {
        path: path.to_path_buf(),
        id,
        scenario: String::new(),
        time: String::new(),
        candidate_turns: 0,
        phase: String::new(),
        ended: false,
        recommendation: None,
        stage_scores: None,
        problem: None,
    };
    let loaded = match read(path) {
        Ok(l) => l,
        Err(e) => {
            s.problem = Some(format!("{e:#}"));
            return s;
        }
    };
    for event in &loaded.events {
        match event {
            Event::Started { scenario, time, .. } => {
                s.scenario = scenario.clone();
                s.time = time.clone();
            }
            Event::Turn {
                role: Role::Candidate,
                ..
            } => s.candidate_turns += 1,
            Event::Turn { phase, .. } => s.phase = phase_label(*phase),
            Event::Ended { .. } => s.ended = true,
            Event::Debrief { report } => {
                s.recommendation = report["overall"]["recommendation"]
                    .as_str()
                    .map(str::to_string);
                s.stage_scores = report["stages"].as_array().map(|st| {
                    st.iter()
                        .map(|x| x["score"].as_u64().map(|v| v.min(4) as u8))
                        .collect()
                });
            }
            _ => {}
        }
    }
    if loaded.partial_line.is_some() {
        s.problem = Some("last line cut short".into());
    }
    s
}

/// Per candidate answer: its voice numbers and the model reply's timings, as one table.
pub fn timings(events: &[Event]) -> String {
    let mut rows: Vec<(usize, Option<String>, Option<String>)> = Vec::new();
    let mut waits: Vec<(usize, String)> = Vec::new();
    let mut last_candidate = 0;
    for e in events {
        match e {
            Event::Turn {
                n,
                role: Role::Candidate,
                ..
            } => {
                last_candidate = *n;
                if !rows.iter().any(|r| r.0 == *n) {
                    rows.push((*n, None, None));
                }
            }
            Event::Voice { note: v, .. } => {
                rows.push((
                    v.turn,
                    Some(format!(
                        "{:>6.1}s {:>6.1}s {:>5.1}s {:>5.0} {:>7} {:>9}ms",
                        v.audio_seconds,
                        v.speech_seconds,
                        v.longest_pause,
                        v.words_per_minute,
                        v.fillers,
                        v.transcribe_ms
                    )),
                    None,
                ));
            }
            Event::Usage {
                first_token_ms: Some(f),
                total_ms,
                completion_tokens,
                ..
            } => {
                if let Some(r) = rows.iter_mut().find(|r| r.0 == last_candidate) {
                    r.2 = Some(format!(
                        "{f:>7}ms {:>7}ms {completion_tokens:>6}",
                        total_ms.unwrap_or(0)
                    ));
                }
            }
            Event::Latency {
                turn,
                transcript_ms,
                first_token_ms,
                first_audio_ms,
            } => {
                let ms = |v: &Option<u64>| v.map_or("-".to_string(), |v| format!("{v}ms"));
                waits.push((
                    *turn,
                    format!(
                        "{:>10} {:>11} {:>11}",
                        format!("{transcript_ms}ms"),
                        ms(first_token_ms),
                        ms(first_audio_ms)
                    ),
                ));
            }
            _ => {}
        }
    }
    let mut o = String::from(
        "turn  recording  speech pause   wpm fillers transcribe  1st-token     line tokens\n",
    );
    for (turn, voice, model) in rows {
        let v = voice.unwrap_or_else(|| format!("{:>46}", "typed"));
        let m = model.unwrap_or_else(|| format!("{:>24}", "-"));
        o += &format!("{turn:>4} {v} {m}\n");
    }
    if !waits.is_empty() {
        o += "\nFrom the release of the talk key\nturn transcript 1st-token  1st-sound\n";
        for (turn, w) in waits {
            o += &format!("{turn:>4} {w}\n");
        }
    }
    o
}

/// Average score per stage over finished sessions (stages never assessed are left out).
pub fn stage_averages(sessions: &[Summary]) -> [Option<f64>; 8] {
    std::array::from_fn(|i| {
        let scores: Vec<f64> = sessions
            .iter()
            .filter_map(|s| s.stage_scores.as_ref()?.get(i).copied().flatten())
            .map(f64::from)
            .collect();
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
    })
}

/// The stage with the lowest average score, if any session has been scored and one stage is
/// weaker than the best.
pub fn weakest_stage(sessions: &[Summary]) -> Option<crate::framework::Stage> {
    let avg = stage_averages(sessions);
    let scored: Vec<(crate::framework::Stage, f64)> = crate::framework::Stage::ALL
        .into_iter()
        .filter_map(|s| avg[s.index()].map(|a| (s, a)))
        .collect();
    let best = scored.iter().map(|x| x.1).fold(f64::MIN, f64::max);
    scored
        .into_iter()
        .filter(|x| x.1 < best)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(s, _)| s)
}

/// Scores 0-4 as a one-character bar; a dot for not assessed.
pub fn spark(score: Option<u8>) -> char {
    match score {
        None => '\u{b7}',
        Some(0) => '\u{2581}',
        Some(1) => '\u{2582}',
        Some(2) => '\u{2584}',
        Some(3) => '\u{2586}',
        Some(_) => '\u{2588}',
    }
}

pub fn phase_label(p: Phase) -> String {
    match p {
        Phase::Stage(s) => s.id().to_string(),
        Phase::WrapUp => "wrap-up".into(),
        Phase::Ended => "ended".into(),
        Phase::NotStarted => "not started".into(),
    }
}

/// Find a session: a path, a file name or id in `dir`, a unique part of one, or (none given) the
/// newest session that has not ended.
pub fn find(dir: &Path, query: Option<&str>) -> Result<PathBuf> {
    let Some(q) = query else {
        let all = list(dir)?;
        return all
            .into_iter()
            .rev()
            .find(|s| !s.ended && !s.scenario.is_empty())
            .map(|s| s.path)
            .with_context(|| {
                format!(
                    "no unfinished session to resume in {}; start one with `casecoach chat`",
                    dir.display()
                )
            });
    };
    let direct = Path::new(q);
    if direct.is_file() {
        return Ok(direct.to_path_buf());
    }
    for candidate in [dir.join(q), dir.join(format!("{q}.jsonl"))] {
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    let all = list(dir)?;
    let matching: Vec<&Summary> = all.iter().filter(|s| s.id.contains(q)).collect();
    match matching.as_slice() {
        [one] => Ok(one.path.clone()),
        [] => bail!(
            "no session matches '{q}' in {}; `casecoach sessions` lists them",
            dir.display()
        ),
        many => bail!(
            "'{q}' matches {} sessions ({}); give more of the name",
            many.len(),
            many.iter()
                .take(5)
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

// ---- time stamps without a date crate --------------------------------------------------------

fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

fn unix(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub fn rfc3339(t: std::time::SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(unix(t));
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

fn file_stamp(t: std::time::SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(unix(t));
    format!("{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::Reason;
    use crate::scenario;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(1_795_000_000), (2026, 11, 18, 11, 6, 40));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
    }

    fn sample(dir: &Path) -> PathBuf {
        let sc = scenario::load("fraud").unwrap();
        let mut log = Log::create(dir, "fraud").unwrap();
        let start = Event::Started {
            scenario: "fraud".into(),
            locator: "fraud".into(),
            hash: sc.hash.clone(),
            title: sc.title.clone(),
            minutes: 60,
            mode: Mode::Interview,
            interviewer: "scripted".into(),
            time: "2026-11-27T00:00:00Z".into(),
            focus: None,
            judge: None,
        };
        log.append(start).unwrap();
        let open = Action::AdvanceStage {
            from: None,
            to: crate::framework::Stage::Clarify,
            reason: Reason::Start,
        };
        log.append(Event::Action {
            at: 0.0,
            action: open,
        })
        .unwrap();
        log.append(Event::Turn {
            n: 1,
            role: Role::Interviewer,
            text: "Hi".into(),
            at: 1.0,
            phase: Phase::Stage(crate::framework::Stage::Clarify),
        })
        .unwrap();
        log.append(Event::Turn {
            n: 2,
            role: Role::Candidate,
            text: "What is the business goal and how do we measure success?".into(),
            at: 9.0,
            phase: Phase::Stage(crate::framework::Stage::Clarify),
        })
        .unwrap();
        log.path
    }

    #[test]
    fn replay_rebuilds_state_and_finds_the_unanswered_turn() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let loaded = read(&path).unwrap();
        assert_eq!(loaded.partial_line, None);
        let r = replay(&loaded.events, Arc::new(scenario::load("fraud").unwrap())).unwrap();
        assert_eq!(r.interview.turns.len(), 2);
        assert_eq!(
            r.interview.phase,
            Phase::Stage(crate::framework::Stage::Clarify)
        );
        let cp = r
            .interview
            .scenario
            .checkpoint_index("clarify.business-objective")
            .unwrap();
        assert!(r.interview.covered(cp));
        assert_eq!(r.unanswered.map(|o| o.turn), Some(2));
    }

    #[test]
    fn a_cut_last_line_is_dropped_and_repaired_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let whole = std::fs::metadata(&path).unwrap().len();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(br#"{"v":1,"type":"turn","n":3,"role":"cand"#)
            .unwrap();
        drop(f);
        let loaded = read(&path).unwrap();
        assert_eq!(loaded.partial_line, Some(5));
        assert_eq!(loaded.events.len(), 4);
        assert_eq!(loaded.good_len, whole);
        let mut log = Log::reopen(&path, &loaded).unwrap();
        log.append(Event::Note {
            text: "n".into(),
            at: 2.0,
        })
        .unwrap();
        let again = read(&path).unwrap();
        assert_eq!((again.events.len(), again.partial_line), (5, None));
    }

    #[test]
    fn damage_before_the_end_is_an_error_with_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let text = std::fs::read_to_string(&path).unwrap().replacen(
            "\"type\":\"action\"",
            "\"type\":\"bogus\"",
            1,
        );
        std::fs::write(&path, text).unwrap();
        let e = format!("{:#}", read(&path).unwrap_err());
        assert!(e.contains("line 2 is not a casecoach session event"), "{e}");
        std::fs::write(&path, b"hello\n").unwrap();
        assert!(read(&path).is_err());
    }

    #[test]
    fn find_by_part_of_the_name_or_the_newest_unfinished() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(find(dir.path(), Some(&id[..8])).unwrap(), path);
        assert_eq!(find(dir.path(), None).unwrap(), path);
        assert!(find(dir.path(), Some("nothing-like-it")).is_err());
    }
}
