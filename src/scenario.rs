//! Scenario files: the TOML format, loading (built-in, user folder, any path) and validation with
//! `file:line:col` positions. A scenario is someone else's data: it is size-limited, parsed, never
//! executed, and every error says where it is.

use crate::cue::CueSet;
use crate::framework::{self, InterviewType, Stage};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const BUILTIN: &[(&str, &str)] = &[
    ("fraud", include_str!("../scenarios/fraud.toml")),
    (
        "recommendations",
        include_str!("../scenarios/recommendations.toml"),
    ),
    ("churn", include_str!("../scenarios/churn.toml")),
];

/// Largest scenario file we read; a real one is a few tens of KB.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

// ---- the file format ----------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: Spanned<String>,
    title: String,
    #[serde(rename = "type", default)]
    kind: InterviewType,
    #[serde(default = "default_minutes")]
    minutes: u32,
    prompt: String,
    unplanned_answer: String,
    persona: RawPersona,
    #[serde(default)]
    facts: Vec<RawFact>,
    #[serde(default)]
    stages: BTreeMap<Spanned<String>, RawStage>,
    #[serde(default)]
    checkpoints: BTreeMap<Spanned<String>, RawCheckpoint>,
    #[serde(default)]
    curveballs: Vec<RawCurveball>,
}

fn default_minutes() -> u32 {
    60
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPersona {
    name: String,
    role: String,
    #[serde(default)]
    style: String,
    greeting: String,
    #[serde(default)]
    closing: Option<String>,
    #[serde(default)]
    acknowledgements: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    id: Spanned<String>,
    cues: Spanned<Vec<String>>,
    answer: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    opening: Option<String>,
    #[serde(default)]
    probes: Vec<RawProbe>,
    #[serde(default)]
    hints: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProbe {
    text: String,
    after: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheckpoint {
    answer: Option<String>,
    #[serde(default)]
    cues: Vec<String>,
    title: Option<String>,
    weight: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCurveball {
    stage: Spanned<String>,
    after: Option<Spanned<String>>,
    text: String,
}

// ---- the validated model --------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Persona {
    pub name: String,
    pub role: String,
    pub style: String,
    pub greeting: String,
    pub closing: Option<String>,
    pub acknowledgements: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Fact {
    pub id: String,
    pub cues: CueSet,
    pub answer: String,
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub text: String,
    /// Index into `Scenario::checkpoints`: ask this once that checkpoint is covered.
    pub after: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct StagePlan {
    pub opening: Option<String>,
    pub probes: Vec<Probe>,
    pub hints: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub id: String,
    pub stage: Stage,
    pub title: String,
    pub weight: f64,
    pub cues: CueSet,
    pub answer: Option<String>,
    /// One of the 37 of FRAMEWORK.md (as opposed to a scenario's own).
    pub core: bool,
}

#[derive(Debug, Clone)]
pub struct Curveball {
    pub stage: Stage,
    pub after: Option<usize>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    File(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub kind: InterviewType,
    pub minutes: u32,
    pub prompt: String,
    pub unplanned_answer: String,
    pub persona: Persona,
    pub facts: Vec<Fact>,
    pub stages: [StagePlan; 8],
    /// The 37 framework checkpoints in FRAMEWORK.md order, then the scenario's own.
    pub checkpoints: Vec<Checkpoint>,
    pub curveballs: Vec<Curveball>,
    pub origin: Origin,
    /// FNV-1a of the source text, so a resumed session can tell the scenario changed under it.
    pub hash: String,
}

impl Scenario {
    pub fn stage(&self, s: Stage) -> &StagePlan {
        &self.stages[s.index()]
    }

    pub fn checkpoint_index(&self, id: &str) -> Option<usize> {
        self.checkpoints.iter().position(|c| c.id == id)
    }

    /// What to pass to `--scenario` or `chat` to load this scenario again.
    pub fn locator(&self) -> String {
        match &self.origin {
            Origin::Builtin => self.id.clone(),
            Origin::File(p) => p.display().to_string(),
        }
    }
}

// ---- errors -----------------------------------------------------------------------------------

/// One problem in a scenario file, with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("unknown scenario '{name}'; known scenarios: {}", known.join(", "))]
    Unknown { name: String, known: Vec<String> },
    #[error("cannot read scenario file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}: the file is {size} bytes; scenario files are limited to {MAX_FILE_BYTES} bytes"
    )]
    TooLarge { path: String, size: u64 },
    #[error("{}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid { problems: Vec<Problem> },
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

struct Problems<'a> {
    file: &'a str,
    text: &'a str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, col) = line_col(self.text, span.start);
        self.list.push(Problem {
            file: self.file.to_string(),
            line,
            col,
            message: message.into(),
        });
    }
}

// ---- loading ----------------------------------------------------------------------------------

/// Where user scenarios live: `$XDG_CONFIG_HOME/casecoach/scenarios`.
pub fn user_dir() -> Option<PathBuf> {
    crate::config::config_dir().map(|d| d.join("scenarios"))
}

/// Names a user can pass: built-ins plus the user folder's files.
pub fn known_ids() -> Vec<String> {
    let mut ids: Vec<String> = BUILTIN.iter().map(|(id, _)| id.to_string()).collect();
    if let Some(dir) = user_dir()
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        let mut user: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let p = e.path();
                if p.extension()? != "toml" {
                    return None;
                }
                Some(p.file_stem()?.to_string_lossy().into_owned())
            })
            .filter(|id| !ids.contains(id))
            .collect();
        user.sort();
        ids.extend(user);
    }
    ids
}

/// Load a scenario by built-in id, user-folder id, or path.
pub fn load(name: &str) -> Result<Scenario, LoadError> {
    if let Some((id, text)) = BUILTIN.iter().find(|(id, _)| *id == name) {
        return parse(text, &format!("<built-in {id}>"), Origin::Builtin);
    }
    let looks_like_path = name.contains('/') || name.ends_with(".toml") || Path::new(name).exists();
    if looks_like_path {
        return load_file(Path::new(name));
    }
    if let Some(dir) = user_dir() {
        let p = dir.join(format!("{name}.toml"));
        if p.exists() {
            return load_file(&p);
        }
    }
    Err(LoadError::Unknown {
        name: name.to_string(),
        known: known_ids(),
    })
}

pub fn load_file(path: &Path) -> Result<Scenario, LoadError> {
    let shown = path.display().to_string();
    let io = |source| LoadError::Io {
        path: shown.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge { path: shown, size });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let good = String::from_utf8_lossy(&e.as_bytes()[..bad]).into_owned();
            let (line, col) = line_col(&good, bad);
            let problem = Problem {
                file: shown,
                line,
                col,
                message: "the file is not valid UTF-8 text".into(),
            };
            return Err(LoadError::Invalid {
                problems: vec![problem],
            });
        }
    };
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    parse(&text, &shown, Origin::File(abs))
}

/// Parse and validate scenario text. `file` is only used in messages.
pub fn parse(text: &str, file: &str, origin: Origin) -> Result<Scenario, LoadError> {
    let mut problems = Problems {
        file,
        text,
        list: Vec::new(),
    };
    let raw: RawScenario = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            problems.at(e.span().unwrap_or(0..0), e.message().trim().to_string());
            return Err(LoadError::Invalid {
                problems: problems.list,
            });
        }
    };
    let scenario = build(raw, text, origin, &mut problems);
    if problems.list.is_empty() {
        Ok(scenario)
    } else {
        Err(LoadError::Invalid {
            problems: problems.list,
        })
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn build(raw: RawScenario, text: &str, origin: Origin, p: &mut Problems) -> Scenario {
    if !valid_id(raw.id.get_ref()) {
        p.at(
            raw.id.span(),
            "id must be lower-case letters, digits and '-'",
        );
    }
    // The 37 framework checkpoints always exist; the file adds answers, cues and its own ones.
    let mut checkpoints: Vec<Checkpoint> = framework::CHECKPOINTS
        .iter()
        .map(|d| Checkpoint {
            id: d.id.to_string(),
            stage: d.stage,
            title: d.title.to_string(),
            weight: d.weight,
            cues: CueSet::new(d.cues),
            answer: None,
            core: true,
        })
        .collect();
    for (key, rc) in raw.checkpoints {
        let id = key.get_ref().as_str();
        for cue in &rc.cues {
            if let Some(why) = crate::cue::problem(cue) {
                p.at(key.span(), format!("checkpoint '{id}': {why}"));
            }
        }
        let Some((stage_id, name)) = id.split_once('.') else {
            p.at(
                key.span(),
                format!("checkpoint '{id}' must be named <stage>.<name>"),
            );
            continue;
        };
        let Some(stage) = Stage::from_id(stage_id) else {
            p.at(
                key.span(),
                format!("checkpoint '{id}' names an unknown stage '{stage_id}'"),
            );
            continue;
        };
        if !valid_id(name) {
            p.at(key.span(), format!("checkpoint '{id}': the name after the stage must be lower-case letters, digits and '-'"));
            continue;
        }
        if let Some(w) = rc.weight
            && (!(0.0..=5.0).contains(&w) || w.is_nan())
        {
            p.at(
                key.span(),
                format!("checkpoint '{id}': weight must be between 0 and 5"),
            );
        }
        match checkpoints.iter_mut().find(|c| c.id == id) {
            Some(c) => {
                c.cues.extend(&rc.cues);
                c.answer = rc.answer.filter(|a| !a.trim().is_empty());
                if let Some(t) = rc.title {
                    c.title = t;
                }
                if let Some(w) = rc.weight {
                    c.weight = w;
                }
            }
            None => {
                let Some(title) = rc.title else {
                    p.at(key.span(), format!("checkpoint '{id}' is not one of the framework's; a scenario's own checkpoint needs a title"));
                    continue;
                };
                if rc.cues.is_empty() {
                    p.at(
                        key.span(),
                        format!("checkpoint '{id}' has no cues, so nothing could ever cover it"),
                    );
                }
                checkpoints.push(Checkpoint {
                    id: id.to_string(),
                    stage,
                    title,
                    weight: rc.weight.unwrap_or(1.0),
                    cues: CueSet::new(&rc.cues),
                    answer: rc.answer,
                    core: false,
                });
            }
        }
    }
    checkpoints.sort_by_key(|c| c.stage);

    let find_checkpoint = |after: &Option<Spanned<String>>, p: &mut Problems| -> Option<usize> {
        let a = after.as_ref()?;
        let idx = checkpoints.iter().position(|c| c.id == *a.get_ref());
        if idx.is_none() {
            p.at(a.span(), format!("unknown checkpoint '{}'", a.get_ref()));
        }
        idx
    };

    let mut stages: [StagePlan; 8] = Default::default();
    for (key, rs) in raw.stages {
        let Some(stage) = Stage::from_id(key.get_ref()) else {
            let ids: Vec<&str> = Stage::ALL.iter().map(|s| s.id()).collect();
            p.at(
                key.span(),
                format!(
                    "unknown stage '{}'; stages are {}",
                    key.get_ref(),
                    ids.join(", ")
                ),
            );
            continue;
        };
        let probes = rs
            .probes
            .into_iter()
            .map(|rp| {
                let after = find_checkpoint(&rp.after, p);
                if let Some(i) = after
                    && checkpoints[i].stage != stage
                {
                    let span = rp.after.as_ref().map_or(0..0, |a| a.span());
                    p.at(
                        span,
                        format!(
                            "probe in stage '{stage}' follows checkpoint '{}' of another stage",
                            checkpoints[i].id
                        ),
                    );
                }
                Probe {
                    text: rp.text,
                    after,
                }
            })
            .collect();
        stages[stage.index()] = StagePlan {
            opening: rs.opening,
            probes,
            hints: rs.hints,
        };
    }

    let mut facts = Vec::new();
    for rf in raw.facts {
        if !valid_id(rf.id.get_ref()) {
            p.at(
                rf.id.span(),
                "fact id must be lower-case letters, digits and '-'",
            );
        }
        if facts.iter().any(|f: &Fact| f.id == *rf.id.get_ref()) {
            p.at(
                rf.id.span(),
                format!("duplicate fact id '{}'", rf.id.get_ref()),
            );
        }
        for cue in rf.cues.get_ref() {
            if let Some(why) = crate::cue::problem(cue) {
                p.at(rf.cues.span(), format!("fact '{}': {why}", rf.id.get_ref()));
            }
        }
        let cues = CueSet::new(rf.cues.get_ref());
        if cues.cues.is_empty() {
            p.at(
                rf.cues.span(),
                format!(
                    "fact '{}' has no cues, so no question could unlock it",
                    rf.id.get_ref()
                ),
            );
        }
        facts.push(Fact {
            id: rf.id.into_inner(),
            cues,
            answer: rf.answer,
        });
    }

    let mut curveballs = Vec::new();
    for rc in raw.curveballs {
        let Some(stage) = Stage::from_id(rc.stage.get_ref()) else {
            p.at(
                rc.stage.span(),
                format!("unknown stage '{}'", rc.stage.get_ref()),
            );
            continue;
        };
        let after = find_checkpoint(&rc.after, p);
        curveballs.push(Curveball {
            stage,
            after,
            text: rc.text,
        });
    }

    if ![45, 60, 90].contains(&raw.minutes) {
        let span = text.find("minutes").map_or(0..0, |i| i..i + 7);
        p.at(
            span,
            format!(
                "minutes is {}; sessions are 45, 60 or 90 minutes",
                raw.minutes
            ),
        );
    }

    Scenario {
        id: raw.id.into_inner(),
        title: raw.title,
        kind: raw.kind,
        minutes: raw.minutes,
        prompt: raw.prompt.trim().to_string(),
        unplanned_answer: raw.unplanned_answer.trim().to_string(),
        persona: Persona {
            name: raw.persona.name,
            role: raw.persona.role,
            style: raw.persona.style,
            greeting: raw.persona.greeting,
            closing: raw.persona.closing,
            acknowledgements: raw.persona.acknowledgements,
        },
        facts,
        stages,
        checkpoints,
        curveballs,
        origin,
        hash: fnv1a(text),
    }
}

pub fn fnv1a(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match parse(text, "s.toml", Origin::Builtin) {
            Ok(_) => vec![],
            Err(LoadError::Invalid { problems }) => {
                problems.iter().map(|p| p.to_string()).collect()
            }
            Err(e) => vec![e.to_string()],
        }
    }

    const MINIMAL: &str = r#"id = "mini"
title = "Mini"
prompt = "Design it."
unplanned_answer = "Assume something reasonable."
[persona]
name = "A"
role = "B"
greeting = "Hi."
"#;

    #[test]
    fn builtins_are_complete() {
        for (id, _) in BUILTIN {
            let s = load(id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(s.facts.len() >= 8, "{id}: {} facts", s.facts.len());
            for st in Stage::ALL {
                let plan = s.stage(st);
                assert!(plan.opening.is_some(), "{id} {st}: no opening");
                assert!(
                    plan.probes.len() >= 2,
                    "{id} {st}: {} probes",
                    plan.probes.len()
                );
                assert!(
                    plan.hints.len() >= 2,
                    "{id} {st}: {} hints",
                    plan.hints.len()
                );
            }
            for c in &s.checkpoints {
                assert!(c.answer.is_some(), "{id}: no model answer for {}", c.id);
            }
            assert!(!s.curveballs.is_empty(), "{id}: no curveball");
        }
    }

    #[test]
    fn a_minimal_file_loads_with_all_framework_checkpoints() {
        let s = parse(MINIMAL, "s.toml", Origin::Builtin).unwrap();
        assert_eq!(s.checkpoints.len(), 37);
        assert_eq!(s.minutes, 60);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let bad = MINIMAL.replace("title = \"Mini\"", "title = \"Mini");
        let p = problems(&bad);
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("s.toml:2:"), "{p:?}");
    }

    #[test]
    fn type_and_unknown_field_errors_have_positions() {
        let p = problems(&MINIMAL.replace("title = \"Mini\"", "title = 3"));
        assert!(p[0].starts_with("s.toml:2:9:"), "{p:?}");
        let p = problems(&format!("{MINIMAL}colour = \"red\"\n"));
        assert!(p[0].contains("unknown field `colour`"), "{p:?}");
    }

    #[test]
    fn semantic_errors_point_at_the_key() {
        let text = format!(
            "{MINIMAL}[stages.clarfy]\nopening = \"x\"\n[checkpoints.\"data.bogus\"]\nanswer = \"y\"\n[[facts]]\nid = \"f\"\ncues = []\nanswer = \"z\"\n"
        );
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|m| m.starts_with("s.toml:9:9: unknown stage 'clarfy'")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("s.toml:11:14:") && m.contains("needs a title")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("s.toml:15:8:") && m.contains("no cues")),
            "{p:?}"
        );
    }

    #[test]
    fn malformed_cues_are_reported() {
        let text =
            format!("{MINIMAL}[[facts]]\nid = \"f\"\ncues = [\"sign*ed in\"]\nanswer = \"z\"\n");
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|m| m.starts_with("s.toml:11:8:") && m.contains("'*' may only end a word")),
            "{p:?}"
        );
    }

    #[test]
    fn probes_must_follow_known_checkpoints() {
        let text = format!(
            "{MINIMAL}[stages.data]\nprobes = [{{ text = \"q\", after = \"data.labelling\" }}]\n"
        );
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|m| m.contains("unknown checkpoint 'data.labelling'")
                    && m.starts_with("s.toml:10:")),
            "{p:?}"
        );
    }

    #[test]
    fn unknown_names_list_known_ones() {
        let e = load("fruad").unwrap_err().to_string();
        assert!(
            e.contains("unknown scenario 'fruad'") && e.contains("fraud, recommendations, churn"),
            "{e}"
        );
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
    }
}
